import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { afterEach, describe, expect, it } from 'vitest';
import { StateMachineHost, type PutEventsEntry } from '../../local/stepfunctions/host.ts';
import {
  TemplateResolutionError,
  loadSynthesizedTemplate,
  localPhysicalIds,
  resolveResourceProperties,
  resolveStateMachineDefinition,
  resolveTemplateValue,
  type CfnTemplate,
} from '../../local/template.ts';

const REGION = 'ap-southeast-3';
const STACK = 'Verval-81';

const template: CfnTemplate = {
  Parameters: {
    Stage: { Type: 'String', Default: 'dev' },
    TableSuffix: { Type: 'String', Default: 'records' },
  },
  Conditions: {
    IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
    IsNotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
  },
  Mappings: { Tiers: { '81': { SlaDays: 7 } } },
  Resources: {
    Check: {
      Type: 'AWS::Lambda::Function',
      Properties: { FunctionName: { 'Fn::Sub': '${AWS::StackName}-check' } },
    },
    DeadLetters: {
      Type: 'AWS::SQS::Queue',
      // Refers to another resource: named only once Check has its name.
      Properties: { QueueName: { 'Fn::Join': ['-', [{ Ref: 'Check' }, 'dlq']] } },
    },
    Records: {
      Type: 'AWS::DynamoDB::Table',
      Properties: { TableName: { 'Fn::Join': ['-', ['verval', { Ref: 'TableSuffix' }]] } },
    },
    Evidence: { Type: 'AWS::S3::Bucket' },
    Outcomes: { Type: 'AWS::Events::EventBus', Properties: { Name: 'verval-81' } },
    IdentitySecret: { Type: 'AWS::SecretsManager::Secret' },
    Workflow: { Type: 'AWS::StepFunctions::StateMachine', Properties: {} },
    Anything: { Type: 'Custom::Thing' },
  },
};

const ctx = () => localPhysicalIds(template, { region: REGION, stackName: STACK });
const resolve = (value: unknown) => resolveTemplateValue(value, ctx());

describe('localPhysicalIds', () => {
  it('uses explicit names, resolving intrinsics in them, including references to other resources', () => {
    expect(resolve({ Ref: 'Check' })).toBe('Verval-81-check');
    expect(resolve({ 'Fn::GetAtt': ['Check', 'Arn'] })).toBe('arn:aws:lambda:ap-southeast-3:000000000000:function:Verval-81-check');
    expect(resolve({ 'Fn::GetAtt': ['DeadLetters', 'QueueName'] })).toBe('Verval-81-check-dlq');
    expect(resolve({ Ref: 'DeadLetters' })).toBe('https://sqs.ap-southeast-3.amazonaws.com/000000000000/Verval-81-check-dlq');
    expect(resolve({ Ref: 'Records' })).toBe('verval-records');
    expect(resolve({ 'Fn::GetAtt': ['Records', 'Arn'] })).toBe('arn:aws:dynamodb:ap-southeast-3:000000000000:table/verval-records');
  });

  it('gives event buses their name as Ref and Name, and an events ARN', () => {
    expect(resolve({ Ref: 'Outcomes' })).toBe('verval-81');
    expect(resolve({ 'Fn::GetAtt': ['Outcomes', 'Name'] })).toBe('verval-81');
    expect(resolve({ 'Fn::GetAtt': ['Outcomes', 'Arn'] })).toBe('arn:aws:events:ap-southeast-3:000000000000:event-bus/verval-81');
  });

  it('generates deterministic, valid names for unnamed resources', () => {
    const bucket = resolve({ Ref: 'Evidence' }) as string;
    expect(bucket).toMatch(/^[a-z0-9][a-z0-9.-]{2,62}$/);
    expect(bucket).toContain('verval-81-evidence');
    expect(resolve({ 'Fn::GetAtt': ['Evidence', 'Arn'] })).toBe(`arn:aws:s3:::${bucket}`);
    expect(resolve({ Ref: 'Evidence' })).toBe(bucket);
    expect(localPhysicalIds(template, { region: REGION, stackName: 'Verval-82' }).resources.Evidence!.ref).not.toBe(bucket);
  });

  it('gives secrets and state machines their ARN as Ref', () => {
    expect(resolve({ Ref: 'IdentitySecret' })).toMatch(
      /^arn:aws:secretsmanager:ap-southeast-3:000000000000:secret:Verval-81-IdentitySecret-[0-9A-F]{12}-[A-Za-z]{6}$/,
    );
    const machine = resolve({ Ref: 'Workflow' }) as string;
    expect(machine).toMatch(/^arn:aws:states:ap-southeast-3:000000000000:stateMachine:Verval-81-Workflow-[0-9A-F]{12}$/);
    expect(resolve({ 'Fn::GetAtt': ['Workflow', 'Name'] })).toBe(machine.split(':').at(-1));
  });

  it('gives unknown resource types a stable Ref and no attributes', () => {
    expect(resolve({ Ref: 'Anything' })).toMatch(/^Verval-81-Anything-/);
    expect(() => resolve({ 'Fn::GetAtt': ['Anything', 'Output'] })).toThrow(/Anything \(Custom::Thing\) has no attribute "Output"/);
  });
});

describe('resolveTemplateValue', () => {
  it('resolves pseudo parameters with the local account', () => {
    expect(
      resolve({
        'Fn::Join': [
          ':',
          [{ Ref: 'AWS::Partition' }, { Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }, { Ref: 'AWS::URLSuffix' }, { Ref: 'AWS::StackName' }],
        ],
      }),
    ).toBe('aws:ap-southeast-3:000000000000:amazonaws.com:Verval-81');
  });

  it('resolves both forms of Fn::Sub, including GetAtt references and escaped literals', () => {
    expect(resolve({ 'Fn::Sub': 'fn=${Check.Arn} region=${AWS::Region} literal=${!Stage} stage=${Stage}' })).toBe(
      'fn=arn:aws:lambda:ap-southeast-3:000000000000:function:Verval-81-check region=ap-southeast-3 literal=${Stage} stage=dev',
    );
    expect(resolve({ 'Fn::Sub': ['${Name}/${Check}', { Name: { 'Fn::GetAtt': ['Outcomes', 'Name'] } }] })).toBe('verval-81/Verval-81-check');
  });

  it('resolves GetAtt in its string form, Select over Split, FindInMap and Base64', () => {
    expect(resolve({ 'Fn::GetAtt': 'Records.Arn' })).toBe('arn:aws:dynamodb:ap-southeast-3:000000000000:table/verval-records');
    expect(resolve({ 'Fn::Select': [5, { 'Fn::Split': [':', { 'Fn::GetAtt': ['Check', 'Arn'] }] }] })).toBe('function');
    expect(resolve({ 'Fn::FindInMap': ['Tiers', '81', 'SlaDays'] })).toBe(7);
    expect(resolve({ 'Fn::Base64': 'verval' })).toBe('dmVydmFs');
  });

  it('evaluates conditions for Fn::If and drops AWS::NoValue from objects and lists', () => {
    expect(
      resolve({
        Retention: { 'Fn::If': ['IsProd', 365, { Ref: 'AWS::NoValue' }] },
        Mode: { 'Fn::If': ['IsNotProd', 'development', 'production'] },
        Tags: ['a', { 'Fn::If': ['IsProd', 'prod-only', { Ref: 'AWS::NoValue' }] }],
      }),
    ).toEqual({ Mode: 'development', Tags: ['a'] });
    const prod = localPhysicalIds(template, { region: REGION, stackName: STACK, parameters: { Stage: 'prod' } });
    expect(resolveTemplateValue({ 'Fn::If': ['IsProd', 365, 30] }, prod)).toBe(365);
  });

  it('names the logical id and intrinsic it cannot resolve', () => {
    const located = { ...ctx(), location: 'Resources.Workflow.Properties.DefinitionString' };
    const error = (() => {
      try {
        resolveTemplateValue({ 'Fn::Join': ['', ['x', { Ref: 'Missing' }]] }, located);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(TemplateResolutionError);
    expect(error).toMatchObject({ code: 'UNRESOLVABLE_REF', logicalId: 'Missing', intrinsic: 'Ref' });
    expect((error as Error).message).toMatch(/Ref at Resources\.Workflow\.Properties\.DefinitionString.*"Missing"/);
    expect(() => resolve({ 'Fn::GetAtt': ['Check', 'Nope'] })).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_ATTRIBUTE', logicalId: 'Check', intrinsic: 'Fn::GetAtt' }),
    );
    expect(() => resolve({ 'Fn::Cidr': ['10.0.0.0/16', 2, 8] })).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_INTRINSIC' }));
    expect(() => resolve({ 'Fn::If': ['NoSuchCondition', 1, 2] })).toThrow(expect.objectContaining({ code: 'UNKNOWN_CONDITION' }));
  });

  it('leaves ordinary objects that merely contain a Condition key alone', () => {
    const statement = { Effect: 'Allow', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } };

    expect(resolve(statement)).toEqual({ Effect: 'Allow', Condition: { StringEquals: { 'aws:SourceAccount': '000000000000' } } });
  });
});

describe('resolveStateMachineDefinition', () => {
  it('applies DefinitionSubstitutions after resolving them', () => {
    const withSubstitutions: CfnTemplate = {
      ...template,
      Resources: {
        ...template.Resources,
        Machine: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: {
            DefinitionString: '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"${CheckArn}","End":true}}}',
            DefinitionSubstitutions: { CheckArn: { 'Fn::GetAtt': ['Check', 'Arn'] } },
          },
        },
      },
    };
    const definition = resolveStateMachineDefinition(withSubstitutions, 'Machine', localPhysicalIds(withSubstitutions, { region: REGION, stackName: STACK }));

    expect(definition).toEqual({
      StartAt: 'A',
      States: { A: { Type: 'Task', Resource: 'arn:aws:lambda:ap-southeast-3:000000000000:function:Verval-81-check', End: true } },
    });
  });
});

describe('loadSynthesizedTemplate with a CDK-synthesized stack', () => {
  const hosts: StateMachineHost[] = [];
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((host) => host.close()));
  });

  function synthesize(): string {
    const outdir = mkdtempSync(join(tmpdir(), 'verval-cdk-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'VervalTemplateTest');
    const fn = new lambda.Function(stack, 'Stage', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async (event) => event;'),
    });
    const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'verval-test' });
    const check = new tasks.LambdaInvoke(stack, 'Check', {
      lambdaFunction: fn,
      payload: sfn.TaskInput.fromObject({ proposalId: sfn.JsonPath.stringAt('$.proposalId') }),
      resultSelector: { 'checked.$': '$.Payload.checked' },
      resultPath: '$.check',
    });
    const approve = new tasks.LambdaInvoke(stack, 'Approve', {
      lambdaFunction: fn,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({ taskToken: sfn.JsonPath.taskToken, proposalId: sfn.JsonPath.stringAt('$.proposalId') }),
      taskTimeout: sfn.Timeout.duration(Duration.days(7)),
      resultPath: '$.decision',
    });
    approve.addRetry({ errors: ['States.Timeout'], maxAttempts: 1 });
    const publish = new tasks.EventBridgePutEvents(stack, 'Publish', {
      entries: [{ eventBus: bus, source: 'verval.test', detailType: 'Proposal decided', detail: sfn.TaskInput.fromJsonPathAt('$.decision') }],
      resultPath: sfn.JsonPath.DISCARD,
    });
    new sfn.StateMachine(stack, 'Workflow', {
      definitionBody: sfn.DefinitionBody.fromChainable(check.next(approve).next(publish)),
      stateMachineType: sfn.StateMachineType.STANDARD,
    });
    app.synth();
    return outdir;
  }

  it('resolves the synthesized definition and runs it through the host', async () => {
    const outdir = synthesize();
    const synthesized = loadSynthesizedTemplate(outdir, 'VervalTemplateTest');
    const local = localPhysicalIds(synthesized, { region: REGION, stackName: 'VervalTemplateTest' });
    const resources = Object.entries(synthesized.Resources!);
    const machineId = resources.find(([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine')![0];
    const functionId = resources.find(([, resource]) => resource.Type === 'AWS::Lambda::Function')![0];
    const busId = resources.find(([, resource]) => resource.Type === 'AWS::Events::EventBus')![0];
    const functionArn = resolveTemplateValue({ 'Fn::GetAtt': [functionId, 'Arn'] }, local);
    const definition = resolveStateMachineDefinition(synthesized, machineId, local);

    expect(JSON.stringify(definition)).not.toMatch(/Fn::|"Ref"/);
    expect(resolveResourceProperties(synthesized, busId, local).Name).toBe('verval-test');

    const tokens: string[] = [];
    const invoked: Array<[string, any]> = [];
    const delivered: PutEventsEntry[] = [];
    const host = new StateMachineHost({
      invokeFunction: async (name, payload: any) => {
        invoked.push([name, payload]);
        if (payload.taskToken) tokens.push(payload.taskToken);
        return { checked: true };
      },
      onEvents: (entries) => void delivered.push(...entries),
    });
    hosts.push(host);
    const stateMachineArn = resolveTemplateValue({ Ref: machineId }, local) as string;
    await host.createStateMachine({ arn: stateMachineArn, definition });
    const { executionArn } = await host.startExecution({ stateMachineArn, input: JSON.stringify({ proposalId: 'p-1' }) });
    while (tokens.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await host.sendTaskSuccess({ taskToken: tokens[0]!, output: JSON.stringify({ approved: true }) });
    const done = await host.waitForExecution(executionArn, { timeoutMs: 5000 });

    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ proposalId: 'p-1', check: { checked: true }, decision: { approved: true } });
    expect(invoked.map(([name]) => name)).toEqual([functionArn, functionArn]);
    expect(invoked[0]![1]).toEqual({ proposalId: 'p-1' });
    expect(delivered).toEqual([
      {
        EventBusName: resolveTemplateValue({ 'Fn::GetAtt': [busId, 'Arn'] }, local),
        Source: 'verval.test',
        DetailType: 'Proposal decided',
        Detail: '{"approved":true}',
      },
    ]);
  });

  it('says which stacks exist when the requested one is not in the assembly', () => {
    const outdir = synthesize();

    expect(() => loadSynthesizedTemplate(outdir, 'NoSuchStack')).toThrow(
      expect.objectContaining({ code: 'TEMPLATE_NOT_FOUND', message: expect.stringContaining('VervalTemplateTest') }),
    );
  });
});
