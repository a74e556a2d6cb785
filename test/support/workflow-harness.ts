import { TIERS, type ProvinceConfigOverrides, type Tier } from '../../domain/province-config.ts';
import type { Decision, DuplicateResolution, TaskKind } from '../../domain/decisions.ts';
import type { ProposalInput } from '../../domain/proposal.ts';
import { decideTask } from '../../functions/application/decide-task.ts';
import { fileObjection } from '../../functions/application/file-objection.ts';
import { submitProposal } from '../../functions/application/submit-proposal.ts';
import type { WorkflowEngine } from '../../functions/application/workflow-engine.ts';
import { runStage, StageInput } from '../../functions/shared/runtime.ts';
import { validateSubmission } from '../../functions/validate-submission.ts';
import { checkDuplicates } from '../../functions/check-duplicates.ts';
import { checkEvidence } from '../../functions/check-evidence.ts';
import { openPublicReview } from '../../functions/open-public-review.ts';
import { closePublicReview } from '../../functions/close-public-review.ts';
import { DecisionRequest, requestDecision } from '../../functions/request-decision.ts';
import { taskIdFor } from '../../functions/shared/tasks.ts';
import { finalize, FinalizeInput } from '../../functions/finalize.ts';
import { FailureInput, recordFailure } from '../../functions/record-failure.ts';
import { StateMachineHost, type PutEventsEntry } from '../../local/stepfunctions/host.ts';
import { createTemplateContext, resolveStateMachineDefinition, resolveTemplateValue, type CfnTemplate } from '../../local/template.ts';
import { draftOf, householdProposal, sampleObjection } from './proposals.ts';
import { stageDeps } from './stage-deps.ts';

/** The stage each function's construct path names, run in-process on the harness's real services. */
const STAGES = {
  ValidateSubmission: ['validate-submission', StageInput, validateSubmission],
  CheckDuplicates: ['check-duplicates', StageInput, checkDuplicates],
  CheckEvidence: ['check-evidence', StageInput, checkEvidence],
  OpenPublicReview: ['open-public-review', StageInput, openPublicReview],
  ClosePublicReview: ['close-public-review', StageInput, closePublicReview],
  RequestDecision: ['request-decision', DecisionRequest, requestDecision],
  Finalize: ['finalize', FinalizeInput, finalize],
  RecordFailure: ['record-failure', FailureInput, recordFailure],
} as const;
export type StageKey = keyof typeof STAGES;

/** A fault to inject before a stage runs for one proposal: throw to make that invocation fail. */
export type Fault = (stage: StageKey, invocation: number) => void;

/**
 * Runs the synthesized state machine (the template's own definition, intrinsics resolved) on the local
 * Step Functions host, with every Lambda task running the project's stage code against DynamoDB Local and
 * the local S3 store. Scripted approvers decide through the same decide-task use case the API uses.
 */
/**
 * One simulated day per real second, a one-day public review, and SLAs of a month (30 s here) so no task
 * escalates while a test looks at it, even on a loaded machine.
 */
export function unhurried(configOverrides: ProvinceConfigOverrides = {}) {
  return {
    timeScale: 1 / 86_400,
    configOverrides: { reviewDays: 1, tiers: TIERS.map((tier) => ({ tier, slaDays: 30 })), ...configOverrides },
  };
}

export async function workflowHarness(options: { timeScale: number; configOverrides?: ProvinceConfigOverrides }) {
  const env = await stageDeps(options);
  const { template, stackName } = env;
  const region = 'ap-southeast-3';
  const context = createTemplateContext(template as CfnTemplate, { region, stackName });
  const resolve = (value: unknown) => resolveTemplateValue(value, context);

  const stageByArn = new Map<string, StageKey>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const path = String(resource.Metadata?.['aws:cdk:path'] ?? '');
    const stage = (Object.keys(STAGES) as StageKey[]).find((key) => path.includes(`/${key}/`));
    if (stage) stageByArn.set(String(resolve({ 'Fn::GetAtt': [logicalId, 'Arn'] })), stage);
  }
  const [machineId, machine] = Object.entries(template.Resources).find(
    ([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine',
  )!;
  const definition = resolveStateMachineDefinition(template as CfnTemplate, machineId, context);
  const stateMachineArn = String(resolve({ Ref: machineId }));

  const invocations: { stage: StageKey; payload: any }[] = [];
  const events: PutEventsEntry[] = [];
  // Keyed by proposal, so concurrent tests never trip over each other's faults.
  const faults = new Map<string, Fault>();
  const host = new StateMachineHost({
    timeScale: options.timeScale,
    invokeFunction: async (functionArn, payload) => {
      const stage = stageByArn.get(functionArn);
      if (!stage) throw new Error(`No stage for function ${functionArn}`);
      invocations.push({ stage, payload });
      const proposalId = (payload as { proposalId?: string }).proposalId ?? '';
      const invocation = invocations.filter((entry) => entry.stage === stage && entry.payload.proposalId === proposalId).length;
      faults.get(proposalId)?.(stage, invocation);
      const [name, schema, run] = STAGES[stage];
      return runStage(name, schema, run as never, payload, env.deps);
    },
    onEvents: (entries) => {
      events.push(...entries);
    },
  });
  await host.createStateMachine({ arn: stateMachineArn, definition });

  const workflow: WorkflowEngine = {
    start: async (name, input) => host.startExecution({ stateMachineArn, name, input: JSON.stringify(input) }),
    sendTaskSuccess: async (taskToken, output) => {
      await host.sendTaskSuccess({ taskToken, output: JSON.stringify(output) });
    },
    sendTaskFailure: async (taskToken, error, cause) => {
      await host.sendTaskFailure({ taskToken, error, cause });
    },
  };
  // Request decision answers the re-ask of a lapsed, decided task through this host too.
  env.deps.workflow = workflow;
  const operator = { type: 'user' as const, id: 'operator-81.71.01.1006' };
  let seed = Math.floor(Math.random() * 1_000_000);

  async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  return {
    ...env,
    host,
    workflow,
    invocations,
    events,
    stateMachineArn,
    definition,
    injectFault(proposalId: string, fault: Fault) {
      faults.set(proposalId, fault);
    },
    /** A DRAFT with good evidence uploaded, as a village operator leaves it before submitting. */
    async draft(input: ProposalInput = householdProposal(), evidence = true) {
      const proposal = draftOf(input, env.deps.now());
      await env.deps.store.createProposal(proposal, { actor: operator, action: 'CREATED' });
      if (evidence) await env.uploadGoodEvidence(proposal.id, (seed += 10));
      return proposal;
    },
    submit: (proposalId: string) => submitProposal({ store: env.deps.store, workflow }, proposalId, operator),
    /** Waits until the workflow has put this task in an inbox, then returns its id. */
    async pendingTask(proposalId: string, tier: Tier, kind: TaskKind = 'approval', version = 1) {
      const taskId = taskIdFor({ proposalId, version, kind, tier });
      await eventually(`task ${taskId}`, async () => {
        const task = await env.deps.store.getTask(taskId);
        return task?.status === 'PENDING' ? task : undefined;
      });
      return taskId;
    },
    decide: (taskId: string, decision: Decision, reason?: string, approver = 'approver', resolution?: DuplicateResolution) =>
      decideTask(
        { store: env.deps.store, freezes: env.deps.freezes, workflow, now: env.deps.now },
        { taskId, decision, ...(reason ? { reason } : {}), ...(resolution ? { resolution } : {}), actor: { type: 'user', id: approver } },
      ),
    /** Approves the proposal's approval task at each tier in turn, waiting for each to open. */
    async approveThrough(proposalId: string, tiers: readonly Tier[] = TIERS) {
      for (const tier of tiers) await this.decide(await this.pendingTask(proposalId, tier), 'approve');
    },
    async inReview(proposalId: string) {
      await eventually(`public review of ${proposalId}`, async () => {
        const proposal = await env.deps.store.getProposal(proposalId);
        return proposal?.status === 'IN_REVIEW' && proposal.stage === 'PUBLIC_REVIEW' ? proposal : undefined;
      });
    },
    object: (proposalId: string) =>
      fileObjection({ store: env.deps.store, now: env.deps.now }, proposalId, sampleObjection),
    finished: (executionArn: string) => host.waitForExecution(executionArn, { timeoutMs: 60_000 }),
    async history(executionArn: string) {
      const { events: history } = await host.getExecutionHistory({ executionArn, maxResults: 1000 });
      return history;
    },
    /** The state names the execution entered, in order. */
    async statesEntered(executionArn: string) {
      const { events: history } = await host.getExecutionHistory({ executionArn, maxResults: 1000 });
      return history.flatMap((event: any) => (event.type.endsWith('StateEntered') ? [event.stateEnteredEventDetails.name] : []));
    },
    close: () => host.close(),
  };
}
export type WorkflowHarness = Awaited<ReturnType<typeof workflowHarness>>;
