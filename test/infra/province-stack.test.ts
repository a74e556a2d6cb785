import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvinceStack } from '../../infra/province-stack.ts';
import { LAMBDA_FUNCTIONS, removeTempOutdirs, synthProvince } from './support.ts';

afterAll(removeTempOutdirs);

describe('ProvinceStack', () => {
  let template: Template;
  let stack: ProvinceStack;
  const idOf = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);

  beforeAll(() => {
    ({ template, stack } = synthProvince({ province: '81' }));
  });

  it('composes one key, one table, the evidence, console, export and log buckets, one secret, one bus, one workflow, the users, the API and the console', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    // Evidence and its access logs; the console and its logs; the monthly cut-off exports.
    template.resourceCountIs('AWS::S3::Bucket', 5);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.resourceCountIs('AWS::Events::Archive', 1);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.resourceCountIs('AWS::Lambda::Function', LAMBDA_FUNCTIONS);
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
  });

  it('encrypts the table, evidence, secret, function logs and state machine with the same key', () => {
    const keyArn = { 'Fn::GetAtt': [idOf(stack.node.findChild('EncryptionKey').node.findChild('Key') as never), 'Arn'] };
    const resources = template.toJSON().Resources;
    expect(resources[idOf(stack.recordsTable.table)].Properties.Replicas[0].SSESpecification.KMSMasterKeyId).toEqual(keyArn);
    expect(
      resources[idOf(stack.evidence.bucket)].Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]
        .ServerSideEncryptionByDefault.KMSMasterKeyID,
    ).toEqual(keyArn);
    expect(resources[idOf(stack.identityHashSecret.secret)].Properties.KmsKeyId).toEqual(keyArn);
    expect(resources[idOf(stack.workflow.stateMachine)].Properties.EncryptionConfiguration).toMatchObject({
      KmsKeyId: keyArn,
      Type: 'CUSTOMER_MANAGED_KMS_KEY',
    });
  });

  it('wires the workflow to every stage function and to the outcome bus', () => {
    const definition = JSON.stringify(template.toJSON().Resources[idOf(stack.workflow.stateMachine)].Properties.DefinitionString);
    for (const fn of Object.values(stack.stages.functions)) expect(definition).toContain(idOf(fn));
    expect(definition).toContain(idOf(stack.outcomes.bus));
  });

  it('outputs the table, bucket, state machine, bus, API and sign-in settings for the operators and the local runtime', () => {
    const outputs = template.toJSON().Outputs;
    expect(outputs).toMatchObject({
      TableName: { Value: { Ref: idOf(stack.recordsTable.table) } },
      EvidenceBucketName: { Value: { Ref: idOf(stack.evidence.bucket) } },
      StateMachineArn: { Value: { Ref: idOf(stack.workflow.stateMachine) } },
      EventBusName: { Value: { Ref: idOf(stack.outcomes.bus) } },
      UserPoolId: { Value: { Ref: idOf(stack.users.userPool) } },
      UserPoolClientId: { Value: { Ref: idOf(stack.users.client) } },
    });
    expect(JSON.stringify(outputs.ApiUrl.Value)).toContain(idOf(stack.api.api));
    expect(JSON.stringify(outputs.Issuer.Value)).toContain(idOf(stack.users.userPool));
  });

  it('encrypts every log group with the province key, the API access logs included', () => {
    const keyArn = { 'Fn::GetAtt': [idOf(stack.node.findChild('EncryptionKey').node.findChild('Key') as never), 'Arn'] };
    for (const [id, logGroup] of Object.entries(template.findResources('AWS::Logs::LogGroup'))) {
      expect((logGroup as { Properties: { KmsKeyId?: unknown } }).Properties.KmsKeyId, id).toEqual(keyArn);
    }
  });

  it('describes and tags the stack with its province', () => {
    expect(template.toJSON().Description).toMatch(/^Verval 81 MALUKU/);
    expect(stack.tags.tagValues()).toMatchObject({ 'verval:province': '81' });
  });
});
