import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { appealTier } from '../domain/appeals.ts';
import type { TaskKind } from '../domain/decisions.ts';
import { duplicateAdjudicationTier } from '../domain/duplicates.ts';
import type { ProvinceConfig, Tier } from '../domain/province-config.ts';
import { MAX_PAUSED_LAPSES } from '../domain/freezes.ts';
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

/** The appeal states, by the tier that hears the appeal. */
const APPEAL_STATE_NAMES: Record<Tier, string> = {
  village: 'Appeal to village head',
  district: 'Appeal to district',
  regency: 'Appeal to social office',
  regent: 'Appeal to regent',
};

/** What ends the proposal from each kind of decision task, caught into Finalize. */
const TASK_OUTCOMES: Record<TaskKind, string[]> = {
  approval: [WorkflowErrors.rejected, WorkflowErrors.returned],
  adjudication: [WorkflowErrors.rejected, WorkflowErrors.returned],
  duplicate: [WorkflowErrors.rejected, WorkflowErrors.merged],
  appeal: [WorkflowErrors.rejected],
};

const proposal = {
  proposalId: sfn.JsonPath.stringAt('$.proposalId'),
  version: sfn.JsonPath.numberAt('$.version'),
};

/**
 * One execution per proposal version: checks, public review, adjudication of objections, one approval per tier,
 * then the outcome. Business outcomes (returned, rejected, merged) travel as errors caught into Finalize, so the happy
 * path pays no Choice state per check; anything unexpected is caught into Record failure.
 *
 * Two detours leave the happy path untouched. A suspected duplicate (Verval.NeedsAdjudication from Check duplicates)
 * waits for the duplicate tier's decision, then Check duplicates applies it and the checks go on. An appeal runs as a
 * second execution of the same version: Validate submission sees the appealed proposal and routes it
 * (Verval.Appeal) to the tier hearing the appeal, whose approval continues with the approval tiers above it. Routing
 * by error rather than a Choice as the first state keeps every ordinary execution one transition cheaper.
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

    const check = (
      name: string,
      fn: lambda.IFunction,
      result?: { selector: Record<string, string>; path: string },
      detour?: { error: string; next: sfn.IChainable },
    ) => {
      const task = new tasks.LambdaInvoke(this, name, {
        lambdaFunction: fn,
        payload: sfn.TaskInput.fromObject(proposal),
        ...(result
          ? { resultSelector: result.selector, resultPath: result.path }
          : { resultPath: sfn.JsonPath.DISCARD }),
      });
      retryTransient(task);
      // Kept in $.error: the detour's last resort is Record failure, which records it.
      if (detour) task.addCatch(detour.next, { errors: [detour.error], resultPath: '$.error' });
      task.addCatch(finalize, { errors: [WorkflowErrors.returned], resultPath: '$.outcome' });
      task.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.error' });
      return task;
    };

    const decision = (name: string, kind: TaskKind, tier: Tier) => {
      const slaDays = config.tiers.find((entry) => entry.tier === tier)?.slaDays;
      if (slaDays === undefined) throw new Error(`No SLA configured for tier ${tier}`);
      const task = new tasks.LambdaInvoke(this, name, {
        lambdaFunction: stages.requestDecision,
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: sfn.TaskInput.fromObject({ ...proposal, kind, tier, taskToken: sfn.JsonPath.taskToken }),
        taskTimeout: sfn.Timeout.duration(Duration.days(slaDays)),
        resultPath: sfn.JsonPath.DISCARD,
      });
      // A lapsed SLA asks again: the handler escalates the same task, or pauses it while its region is frozen, and
      // fails with Verval.SlaExhausted after the last escalation. Never approved by default. Paused lapses are
      // retries too, so this count only bounds a runaway; the escalation budget is the handler's.
      task.addRetry({ errors: ['States.Timeout'], maxAttempts: config.maxEscalations + MAX_PAUSED_LAPSES, interval: Duration.seconds(1), backoffRate: 1 });
      retryTransient(task);
      task.addCatch(finalize, { errors: TASK_OUTCOMES[kind], resultPath: '$.outcome' });
      task.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.error' });
      return task;
    };

    const tierApprovals = config.tiers.map(({ tier }) => decision(TIER_STATE_NAMES[tier], 'approval', tier));
    tierApprovals.reduceRight<sfn.IChainable>((next, tier) => tier.next(next), outcome);
    const approvals = tierApprovals[0]!;
    /** Where a proposal goes once `tier` approved it: the next tier's approval, or the outcome after the top tier. */
    const aboveTier = (tier: Tier) => tierApprovals[config.tiers.findIndex((entry) => entry.tier === tier) + 1] ?? outcome;

    // Appeals are heard by the tier above the rejecting one (the top tier by itself): one state per such tier.
    const appealTiers = [...new Set(config.tiers.map(({ tier }) => appealTier(config, tier)))];
    const appeals = appealTiers
      .reduce(
        (choice, tier) =>
          choice.when(
            sfn.Condition.stringEquals('$.appeal.tier', tier),
            decision(APPEAL_STATE_NAMES[tier], 'appeal', tier).next(aboveTier(tier)),
          ),
        new sfn.Choice(this, 'Which tier hears the appeal?'),
      )
      // Only a config changed between the appeal and its execution gets here: recorded as a failure, never lost.
      .otherwise(recordFailure);

    // After the duplicate tier's decision, Check duplicates runs again to apply it (locks, shared locks, flags).
    const adjudicateDuplicate = decision('Adjudicate duplicate', 'duplicate', duplicateAdjudicationTier(config));
    const checkDuplicates = check('Check duplicates', stages.checkDuplicates, undefined, {
      error: WorkflowErrors.needsAdjudication,
      next: adjudicateDuplicate,
    });
    adjudicateDuplicate.next(checkDuplicates);

    const definition = check('Validate submission', stages.validateSubmission, undefined, { error: WorkflowErrors.appeal, next: appeals })
      .next(checkDuplicates)
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
    this.letRequestDecisionAnswerTasks(stages.requestDecision);
  }

  /**
   * Request decision sends a decision recorded as its task lapsed with the token of the re-ask. Task responses are
   * authorized against the state machine that issued the token (as for the decide-task route, infra/http-api.ts).
   * A policy of its own: the function's default policy cannot name this state machine, which names the function.
   */
  private letRequestDecisionAnswerTasks(requestDecision: lambda.IFunction) {
    if (!requestDecision.role) throw new Error('Request decision needs a role to answer its tasks');
    new iam.Policy(this, 'RequestDecisionAnswersTasks', {
      roles: [requestDecision.role],
      statements: [
        new iam.PolicyStatement({
          actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
          resources: [this.stateMachine.stateMachineArn],
        }),
      ],
    });
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
