import { Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The member of every scheduled invocation's payload that carries the time the run was due (ISO, UTC). */
export const SCHEDULED_TIME_FIELD = 'scheduledTime';

export interface ScheduledJobProps {
  /** The function the schedule invokes (asynchronously, as EventBridge Scheduler invokes Lambda). */
  target: lambda.IFunction;
  /** EventBridge Scheduler syntax: `rate(5 minutes)`, `cron(0 1 17 * ? *)` or `at(2025-01-17T01:00:00)`. */
  expression: string;
  /** IANA zone the cron/at expression is read in (`Asia/Jakarta`); default UTC. */
  timezone?: string;
  /** Merged into the payload, beside `scheduledTime`. */
  input?: Record<string, unknown>;
  description: string;
  /** Encrypts the dead-letter queue (the stack's key). */
  encryptionKey: kms.IKey;
  /** Default 5: the targets are idempotent per scheduled time, so a retry never doubles the work. */
  retryAttempts?: number;
  /** How long a due run may still be delivered; default 6 hours. */
  maxEventAge?: Duration;
}

/**
 * One EventBridge Scheduler schedule invoking one function. The payload carries the scheduled time (the
 * `<aws.scheduler.scheduled-time>` context attribute), not the time of delivery, so a retried or late run does
 * the same work as the first. Invocations that exhaust their retries land in an encrypted dead-letter queue,
 * kept 14 days, instead of vanishing. Its role may invoke that one function and write to that one queue.
 */
export class ScheduledJob extends Construct {
  readonly schedule: scheduler.Schedule;
  readonly role: iam.Role;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of a schedule; a dead-letter queue of its own would only move the question.',
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: props.description,
    });
    // The function's ARN only, not `<arn>:*` as grantInvoke adds: the schedule invokes $LATEST.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.target.functionArn] }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${stack.region}.amazonaws.com` } },
      }),
    );

    const role = this.role;
    const deadLetterQueue = this.deadLetterQueue;
    const target: scheduler.IScheduleTarget = {
      bind: () => ({
        arn: props.target.functionArn,
        role,
        input: scheduler.ScheduleTargetInput.fromObject({
          ...props.input,
          [SCHEDULED_TIME_FIELD]: scheduler.ContextAttribute.scheduledTime,
        }),
        retryPolicy: {
          maximumRetryAttempts: props.retryAttempts ?? 5,
          maximumEventAgeInSeconds: (props.maxEventAge ?? Duration.hours(6)).toSeconds(),
        },
        deadLetterConfig: { arn: deadLetterQueue.queueArn },
      }),
    };
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: scheduler.ScheduleExpression.expression(props.expression, props.timezone ? TimeZone.of(props.timezone) : undefined),
      target,
      description: props.description,
    });
  }
}
