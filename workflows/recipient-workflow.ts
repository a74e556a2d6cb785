import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { ProvinceConfig, Tier } from '../domain/province-config.ts';
import { WorkflowErrors } from '../functions/shared/stage-errors.ts';

export type StageFunctions = Record<
  | 'validateSubmission'
  | 'checkDuplicates'
  | 'checkEvidence'
  | 'openPublicReview'
  | 'closePublicReview'
  | 'requestDecision'
  | 'finalize'
  | 'recordFailure',
  lambda.IFunction
>;

export interface RecipientWorkflowProps {
  config: ProvinceConfig;
  stages: StageFunctions;
  eventBus: events.IEventBus;
  encryptionKey: kms.IKey;
}

/** State names as approvers and administrators know the tiers. */
const TIER_STATE_NAMES: Record<Tier, string> = {
  village: 'Approval by village head',
  district: 'Approval by district',
  regency: 'Approval by social office',
  regent: 'Endorsement by regent',
};

const proposal = {
  proposalId: sfn.JsonPath.stringAt('$.proposalId'),
  version: sfn.JsonPath.numberAt('$.version'),
};

/**
 * One execution per proposal version: checks, public review, adjudication of objections, one approval per tier,
 * then the outcome. Business outcomes (returned, rejected) travel as errors caught into Finalize, so the happy
 * path pays no Choice state per check; anything unexpected is caught into Record failure.
 */
export class RecipientWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: RecipientWorkflowProps) {
    super(scope, id);
    const { config, stages } = props;

    const proposalFailed = new sfn.Fail(this, 'Proposal failed', {
      error: 'Verval.ProposalFailed',
      cause: 'The failure is recorded on the proposal and in its audit trail',
    });
    const recordFailure = new tasks.LambdaInvoke(this, 'Record failure', {
      lambdaFunction: stages.recordFailure,
      payload: sfn.TaskInput.fromObject({ ...proposal, error: sfn.JsonPath.objectAt('$.error') }),
      resultPath: sfn.JsonPath.DISCARD,
    }).next(proposalFailed);

    const finalize = new tasks.LambdaInvoke(this, 'Finalize', {
      lambdaFunction: stages.finalize,
      payload: sfn.TaskInput.fromJsonPathAt('$'),
      resultSelector: { 'detail.$': '$.Payload' },
      resultPath: '$.finalized',
    });
    const publishOutcome = new tasks.EventBridgePutEvents(this, 'Publish outcome', {
      entries: [
        {
          eventBus: props.eventBus,
          source: `verval.province-${config.provinceCode}`,
          detailType: 'Proposal finalized',
          detail: sfn.TaskInput.fromJsonPathAt('$.finalized.detail'),
        },
      ],
      resultPath: sfn.JsonPath.DISCARD,
    });
    retryTransient(finalize).addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.error' });
    publishOutcome.addRetry({ errors: ['States.ALL'], maxAttempts: 3, interval: Duration.seconds(2), backoffRate: 2 });
    publishOutcome.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.error' });
    const outcome = finalize.next(publishOutcome).next(new sfn.Succeed(this, 'Decided'));

    const check = (name: string, fn: lambda.IFunction, result?: { selector: Record<string, string>; path: string }) => {
      const task = new tasks.LambdaInvoke(this, name, {
        lambdaFunction: fn,
        payload: sfn.TaskInput.fromObject(proposal),
        ...(result
          ? { resultSelector: result.selector, resultPath: result.path }
          : { resultPath: sfn.JsonPath.DISCARD }),
      });
      retryTransient(task);
      task.addCatch(finalize, { errors: [WorkflowErrors.returned], resultPath: '$.outcome' });
      task.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.error' });
      return task;
    };

    const decision = (name: string, kind: 'approval' | 'adjudication', tier: Tier) => {
      const slaDays = config.tiers.find((entry) => entry.tier === tier)?.slaDays;
      if (slaDays === undefined) throw new Error(`No SLA configured for tier ${tier}`);
      const task = new tasks.LambdaInvoke(this, name, {
        lambdaFunction: stages.requestDecision,
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: sfn.TaskInput.fromObject({ ...proposal, kind, tier, taskToken: sfn.JsonPath.taskToken }),
        taskTimeout: sfn.Timeout.duration(Duration.days(slaDays)),
        resultPath: sfn.JsonPath.DISCARD,
      });
      // A lapsed SLA asks again: the handler escalates the same task. Never approved by default.
      task.addRetry({ errors: ['States.Timeout'], maxAttempts: config.maxEscalations, interval: Duration.seconds(1), backoffRate: 1 });
      retryTransient(task);
      task.addCatch(finalize, { errors: [WorkflowErrors.rejected, WorkflowErrors.returned], resultPath: '$.outcome' });
      task.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.error' });
      return task;
    };

    const approvals = config.tiers
      .map(({ tier }) => decision(TIER_STATE_NAMES[tier], 'approval', tier))
      .reduceRight<sfn.IChainable>((next, tier) => tier.next(next), outcome);

    const definition = check('Validate submission', stages.validateSubmission)
      .next(check('Check duplicates', stages.checkDuplicates))
      .next(check('Check evidence', stages.checkEvidence))
      .next(
        check('Open public review', stages.openPublicReview, {
          selector: { 'endsAt.$': '$.Payload.endsAt' },
          path: '$.review',
        }),
      )
      .next(new sfn.Wait(this, 'Public review period', { time: sfn.WaitTime.timestampPath('$.review.endsAt') }))
      .next(
        check('Close public review', stages.closePublicReview, {
          selector: { 'objections.$': '$.Payload.objections' },
          path: '$.review.closed',
        }),
      )
      .next(
        new sfn.Choice(this, 'Any objections?')
          .when(
            sfn.Condition.numberGreaterThan('$.review.closed.objections', 0),
            decision('Adjudicate objections', 'adjudication', config.adjudicationTier).next(approvals),
          )
          .otherwise(approvals),
      );

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: true,
      // Execution data stays out of the logs: states carry only ids, but a Cause could echo more.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(props.encryptionKey),
    });
    this.acknowledgeWildcards(stages);
  }

  /** cdk-nag acknowledges each wildcard finding on its own, so each reason names exactly what it covers. */
  private acknowledgeWildcards(stages: StageFunctions) {
    const policy = this.stateMachine.role.node.findChild('DefaultPolicy').node.defaultChild!;
    const acknowledge = (finding: string, reason: string) =>
      Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    for (const fn of Object.values(stages)) {
      const arn = Stack.of(this).resolve(fn.functionArn) as { 'Fn::GetAtt': [string, string] };
      acknowledge(
        `Resource::<${arn['Fn::GetAtt'].join('.')}>:*`,
        'CDK lets the workflow invoke each stage function and its versions (<function arn>:*); the wildcard covers only qualifiers of that one function.',
      );
    }
    acknowledge(
      'Resource::*',
      'X-Ray tracing (PutTraceSegments, PutTelemetryRecords, GetSampling*) and CloudWatch Logs vended delivery (CreateLogDelivery, PutResourcePolicy, DescribeLogGroups and related) support no resource-level permissions, so both need Resource "*".',
    );
  }
}

/** Dependency hiccups (throttling, 5xx, network) are worth a few more tries; business errors are not. */
function retryTransient<T extends tasks.LambdaInvoke>(task: T): T {
  task.addRetry({
    errors: [WorkflowErrors.transient],
    maxAttempts: 3,
    interval: Duration.seconds(2),
    backoffRate: 2,
    jitterStrategy: sfn.JitterType.FULL,
  });
  return task;
}
