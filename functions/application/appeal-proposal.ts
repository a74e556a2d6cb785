import { appealVerdict, type AppealRefusal, type Rejection } from '../../domain/appeals.ts';
import type { Actor, RecordsStore, StoredProposal } from '../adapters/records-store.ts';
import { ConflictError } from '../adapters/records-store.ts';
import type { ProvinceConfig, Tier } from '../../domain/province-config.ts';
import { appealExecutionNameFor, type WorkflowEngine } from './workflow-engine.ts';

export class AppealRefused extends Error {
  override readonly name = 'AppealRefused';
  constructor(readonly code: AppealRefusal | 'APPEAL_IDENTITY_CONFLICT') {
    super(code);
  }
}

/** Decisions that end a proposal as REJECTED. */
const REJECTING = new Set(['reject', 'uphold', 'duplicate']);

/** The decision that rejected this version, from its audit trail: the last rejecting decision and the REJECTED entry. */
async function rejectionOf(store: RecordsStore, proposal: StoredProposal): Promise<Rejection | undefined> {
  const trail = (await store.auditTrail(proposal.id)).filter((entry) => entry.version === proposal.version);
  const decided = trail.findLast((entry) => entry.action === 'DECISION_RECORDED' && REJECTING.has(String(entry.detail?.decision)));
  const rejected = trail.findLast((entry) => entry.action === 'REJECTED');
  const task = decided ? await store.getTask(String(decided.detail?.taskId)) : undefined;
  if (!task || !rejected) return undefined;
  return { kind: task.kind, tier: task.tier, at: rejected.at };
}

/**
 * Appeals a rejected proposal (domain/appeals.ts): checks it may be appealed, takes its identity locks again (all or
 * none: an appealed proposal is in flight, and may only register if its numbers are still its own), marks it
 * APPEALED with the appeal, then starts the version's appeal execution. If the execution cannot start, the proposal
 * goes back to REJECTED without the appeal and releases its locks, so the village can try again.
 */
export async function appealProposal(
  deps: { store: RecordsStore; workflow: WorkflowEngine; config: ProvinceConfig; now: () => Date; timeScale: number },
  proposal: StoredProposal,
  statement: string,
  actor: Actor,
): Promise<{ executionArn: string; tier: Tier }> {
  const verdict = appealVerdict({
    status: proposal.status,
    appealed: proposal.appeal !== undefined,
    rejection: proposal.status === 'REJECTED' ? await rejectionOf(deps.store, proposal) : undefined,
    config: deps.config,
    now: deps.now(),
    timeScale: deps.timeScale,
  });
  if (!verdict.ok) throw new AppealRefused(verdict.code);

  const locks = proposal.locks ?? [];
  const { conflicts } = await deps.store.acquireLocks(proposal.id, locks);
  if (conflicts.length > 0) throw new AppealRefused('APPEAL_IDENTITY_CONFLICT');

  const { version } = proposal;
  const appeal = {
    statement,
    tier: verdict.tier,
    rejectedTier: verdict.rejection.tier,
    rejectedAt: verdict.rejection.at,
    filedAt: deps.now().toISOString(),
    filedBy: actor.id,
  };
  try {
    await deps.store.changeProposal(proposal.id, {
      expect: { version, status: ['REJECTED'] },
      status: 'APPEALED',
      stage: 'APPEAL',
      tier: verdict.tier,
      appeal,
      audit: { actor, action: 'APPEALED', detail: { tier: verdict.tier, rejectedTier: verdict.rejection.tier } },
    });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    // Another appeal won the race: it holds the same locks, which must stay.
    const current = await deps.store.getProposal(proposal.id);
    if (current?.appeal) throw new AppealRefused('ALREADY_APPEALED');
    await deps.store.releaseLocks(proposal.id, locks);
    throw error;
  }

  try {
    const { executionArn } = await deps.workflow.start(appealExecutionNameFor(proposal.id, version), {
      proposalId: proposal.id,
      version,
      appeal: { tier: verdict.tier },
    });
    return { executionArn, tier: verdict.tier };
  } catch (error) {
    await deps.store.changeProposal(proposal.id, {
      expect: { version, status: ['APPEALED'] },
      status: 'REJECTED',
      stage: 'FINALIZED',
      tier: null,
      appeal: null,
      audit: { actor, action: 'APPEAL_FAILED_TO_START', detail: { error: (error as Error).name } },
    });
    await deps.store.releaseLocks(proposal.id, locks);
    throw error;
  }
}
