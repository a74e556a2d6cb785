import { describe, expect, it } from 'vitest';
import { isLocalRuntimeError } from '../../local/errors.ts';
import { checkResourceTypes, customResourceProviders } from '../../local/resource-types.ts';
import type { CfnTemplate } from '../../local/template.ts';

const message = (template: CfnTemplate) => {
  try {
    checkResourceTypes(template);
  } catch (error) {
    expect(isLocalRuntimeError(error, 'UNSUPPORTED_RESOURCE')).toBe(true);
    return (error as Error).message;
  }
  return undefined;
};

describe('resource types of the HTTP API, identity and notifications', () => {
  it('accepts what an HttpApi, a user pool and bucket notifications synthesize, leaving out the notifications handler', () => {
    const template: CfnTemplate = {
      Resources: {
        Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'HTTP' } },
        Route: { Type: 'AWS::ApiGatewayV2::Route' },
        Integration: { Type: 'AWS::ApiGatewayV2::Integration' },
        Authorizer: { Type: 'AWS::ApiGatewayV2::Authorizer' },
        Stage: { Type: 'AWS::ApiGatewayV2::Stage' },
        Pool: { Type: 'AWS::Cognito::UserPool' },
        Client: { Type: 'AWS::Cognito::UserPoolClient' },
        Group: { Type: 'AWS::Cognito::UserPoolGroup' },
        Permission: { Type: 'AWS::Lambda::Permission' },
        Notifications: { Type: 'Custom::S3BucketNotifications', Properties: { ServiceToken: { 'Fn::GetAtt': ['Handler', 'Arn'] } } },
        Handler: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'python3.13', Code: { ZipFile: 'import boto3' } } },
      },
    };
    expect(message(template)).toBeUndefined();
    expect([...customResourceProviders(template)]).toEqual(['Handler']);
  });

  it('refuses a WebSocket API and bucket notifications to queues or topics', () => {
    const text = message({
      Resources: {
        Socket: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'WEBSOCKET' } },
        Bucket: { Type: 'AWS::S3::Bucket', Properties: { NotificationConfiguration: { LambdaConfigurations: [], QueueConfigurations: [{}] } } },
      },
    });
    expect(text).toContain('Socket (AWS::ApiGatewayV2::Api) is a WEBSOCKET API');
    expect(text).toContain('Bucket (AWS::S3::Bucket) sets NotificationConfiguration.QueueConfigurations');
    expect(text).toContain('AWS::Cognito::UserPool');
  });
});

describe("resource types of a schedule's dead-letter queue", () => {
  const schedule = {
    Type: 'AWS::Scheduler::Schedule',
    Properties: { Target: { Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['DeadLetters', 'Arn'] } } } },
  };

  it("skips a schedule's dead-letter queue and its policy, which local schedules never send to", () => {
    const template: CfnTemplate = {
      Resources: {
        Schedule: schedule,
        DeadLetters: { Type: 'AWS::SQS::Queue' },
        DeadLetterPolicy: { Type: 'AWS::SQS::QueuePolicy', Properties: { Queues: [{ Ref: 'DeadLetters' }] } },
      },
    };
    expect(message(template)).toBeUndefined();
  });

  it('still refuses any other queue, and a policy that covers one', () => {
    const template: CfnTemplate = {
      Resources: {
        Schedule: schedule,
        DeadLetters: { Type: 'AWS::SQS::Queue' },
        Work: { Type: 'AWS::SQS::Queue' },
        Both: { Type: 'AWS::SQS::QueuePolicy', Properties: { Queues: [{ Ref: 'DeadLetters' }, { Ref: 'Work' }] } },
      },
    };
    const text = message(template);
    expect(text).toContain('Work (AWS::SQS::Queue)');
    expect(text).toContain('Both (AWS::SQS::QueuePolicy)');
    expect(text).not.toContain('DeadLetters (');
  });
});
