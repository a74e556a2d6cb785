/**
 * Helpers for the per-handler tests: put a proposal at a workflow stage through the real records store,
 * read what the stages wrote straight from the table, a workflow engine that only records what it is told,
 * and fault injection on one store method.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Stage, Status } from '../../../domain/lifecycle.ts';
import type { Proposal, ProposalInput } from '../../../domain/proposal.ts';
import type { Tier } from '../../../domain/province-config.ts';
import type { RecordsStore } from '../../../functions/adapters/records-store.ts';
import type { WorkflowEngine } from '../../../functions/application/workflow-engine.ts';
import type { StageDeps } from '../../../functions/shared/runtime.ts';
import type { TestClients } from '../../support/aws-clients.ts';
import { draftOf, householdProposal } from '../../support/proposals.ts';

export const operator = { type: 'user' as const, id: 'operator-81.71.01.1006' };
export const setupActor = { type: 'system' as const, id: 'test-setup' };

/** A DRAFT stored as the API stores it. */
export async function createDraft(deps: Pick<StageDeps, 'store' | 'now'>, input: ProposalInput = householdProposal()) {
  const draft = draftOf(input, deps.now());
  await deps.store.createProposal(draft, { actor: operator, action: 'CREATED' });
  return draft;
}

/** A stored proposal moved straight to `status`/`stage`, as the earlier stages would have left it. */
export async function proposalAt(
  deps: Pick<StageDeps, 'store' | 'now'>,
  stage: Stage,
  status: Status = 'SUBMITTED',
  input: ProposalInput = householdProposal(),
  extra: { tier?: Tier; review?: { endsAt: string } } = {},
): Promise<Proposal> {
  const draft = await createDraft(deps, input);
  return deps.store.changeProposal(draft.id, {
    expect: { version: draft.version, status: ['DRAFT'] },
    status,
    stage,
    ...extra,
    audit: { actor: setupActor, action: 'TEST_SETUP' },
  });
}

/** Moves a stored proposal on, whatever its status, as a later stage would. */
export async function moveTo(
  store: RecordsStore,
  proposalId: string,
  status: Status,
  stage: Stage,
  extra: { tier?: Tier; review?: { endsAt: string } } = {},
): Promise<Proposal> {
  const current = (await store.getProposal(proposalId))!;
  return store.changeProposal(proposalId, {
    expect: { version: current.version, status: [current.status] },
    status,
    stage,
    ...extra,
    audit: { actor: setupActor, action: 'TEST_SETUP' },
  });
}

export const inputOf = (proposal: Pick<Proposal, 'id' | 'version'>) => ({ proposalId: proposal.id, version: proposal.version });

/** Every item in the table, raw (keys and index attributes included). */
export async function scanTable(clients: TestClients, tableName: string): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let ExclusiveStartKey: Record<string, any> | undefined;
  do {
    const page = await clients.documents.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** The raw lock items a proposal holds. */
export async function locksHeldBy(clients: TestClients, tableName: string, proposalId: string) {
  return (await scanTable(clients, tableName)).filter(
    (item) => item.entity === 'LOCK' && item.holderProposalId === proposalId,
  );
}

export type WorkflowCall =
  | { method: 'start'; name: string; input: { proposalId: string; version: number } }
  | { method: 'sendTaskSuccess'; token: string; output: Record<string, unknown> }
  | { method: 'sendTaskFailure'; token: string; error: string; cause: string };

/**
 * A workflow engine that records every call. `failNext` makes calls throw, in order, before they are recorded
 * as sent (each failure is recorded with `failed: true`).
 */
export function recordingWorkflow(options: { onCall?: (call: WorkflowCall) => void | Promise<void> } = {}) {
  const calls: (WorkflowCall & { failed?: boolean })[] = [];
  const failures: ((call: WorkflowCall) => Error | undefined)[] = [];
  const handle = async (call: WorkflowCall) => {
    const failure = failures.shift()?.(call);
    calls.push(failure ? { ...call, failed: true } : call);
    await options.onCall?.(call);
    if (failure) throw failure;
  };
  const workflow: WorkflowEngine = {
    async start(name, input) {
      await handle({ method: 'start', name, input });
      return { executionArn: `arn:aws:states:ap-southeast-3:000000000000:execution:verval:${name}` };
    },
    async sendTaskSuccess(token, output) {
      await handle({ method: 'sendTaskSuccess', token, output });
    },
    async sendTaskFailure(token, error, cause) {
      await handle({ method: 'sendTaskFailure', token, error, cause });
    },
  };
  return {
    workflow,
    calls,
    /** The next call fails with this error (the function may look at the call). */
    failNext(error: Error | ((call: WorkflowCall) => Error | undefined)) {
      failures.push(typeof error === 'function' ? error : () => error);
    },
  };
}

/** An error shaped like an AWS SDK service exception with this name. */
export function serviceError(name: string, message = `${name} (injected)`): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

/**
 * The real store, with one method throwing `error` for its next `times` calls and every call counted.
 * Everything else goes to DynamoDB Local unchanged.
 */
export function storeWithFault(store: RecordsStore, method: keyof RecordsStore, error?: Error, times = 1) {
  const counts: Partial<Record<keyof RecordsStore, number>> = {};
  let remaining = error ? times : 0;
  const faulty = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const name = property as keyof RecordsStore;
        counts[name] = (counts[name] ?? 0) + 1;
        if (name === method && remaining > 0) {
          remaining -= 1;
          return Promise.reject(error);
        }
        return value.apply(target, args);
      };
    },
  });
  return { store: faulty, counts };
}
