import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { ScheduledJob } from '../../infra/scheduled-job.ts';
import { resourcesOfType } from './support.ts';

function scheduledStack() {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  const stack = new Stack(app, 'ScheduleTest', { env: { region: 'ap-southeast-3', account: '111111111111' } });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const target = lambda.Function.fromFunctionArn(stack, 'Target', 'arn:aws:lambda:ap-southeast-3:111111111111:function:cutoff');
  const job = new ScheduledJob(stack, 'Job', {
    target,
    expression: 'cron(0 1 17 * ? *)',
    timezone: 'Asia/Jayapura',
    input: { job: 'cutoff' },
    description: 'Monthly cut-off',
    encryptionKey: key,
  });
  return { app, stack, key, job };
}

describe('ScheduledJob', () => {
  const { app, stack, key } = scheduledStack();
  const template = Template.fromStack(stack);
  const [[, schedule]] = resourcesOfType(template, 'AWS::Scheduler::Schedule') as [[string, any]];
  const keyId = stack.getLogicalId(key.node.defaultChild as never);

  it('fires the expression in the given time zone, at the scheduled time and not flexibly', () => {
    expect(schedule.Properties.ScheduleExpression).toBe('cron(0 1 17 * ? *)');
    expect(schedule.Properties.ScheduleExpressionTimezone).toBe('Asia/Jayapura');
    expect(schedule.Properties.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
  });

  it('passes the input with the scheduled time, so a retried run does the same work', () => {
    expect(JSON.parse(schedule.Properties.Target.Input)).toEqual({ job: 'cutoff', scheduledTime: '<aws.scheduler.scheduled-time>' });
  });

  it('retries a bounded number of times, then dead-letters into a queue encrypted with the stack key', () => {
    expect(schedule.Properties.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 21600 });
    const [[queueId, queue]] = resourcesOfType(template, 'AWS::SQS::Queue') as [[string, any]];
    expect(schedule.Properties.Target.DeadLetterConfig.Arn).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
    expect(queue.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  });

  it('gives its role only the invocation of that function and the dead-letter writes, assumable by Scheduler of this account', () => {
    const [[, role]] = resourcesOfType(template, 'AWS::IAM::Role') as [[string, any]];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
      }),
    ]);
    const [[, policy]] = resourcesOfType(template, 'AWS::IAM::Policy') as [[string, any]];
    const statements = policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[];
    expect(statements.map((statement) => statement.Action)).toEqual([
      'lambda:InvokeFunction',
      'sqs:SendMessage',
      ['kms:GenerateDataKey', 'kms:Decrypt'],
    ]);
    expect(statements[0]!.Resource).toBe('arn:aws:lambda:ap-southeast-3:111111111111:function:cutoff');
  });

  it('passes cdk-nag AwsSolutions', () => {
    expect(() => app.synth()).not.toThrow();
  });
});
