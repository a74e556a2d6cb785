import { ACTIVE_STATUSES } from '../../domain/lifecycle.ts';
import { REGISTRY_OBJECTION_LABELS, issue } from '../../domain/messages.ts';
import type { Proposal } from '../../domain/proposal.ts';
import { targetIssues } from '../../domain/proposal-types.ts';
import {
  caseFor,
  groupOf,
  newReceipt,
  reporterView,
  type RegistryObjectionCategory,
} from '../../domain/registry-objections.ts';
import { ConflictError, type Actor, type RecordsStore, type StoredProposal } from '../adapters/records-store.ts';
import type { RegistryObjection, RegistryObjectionsStore } from '../adapters/registry-objections-store.ts';
import { draftProposal } from './draft-proposal.ts';

/*
 * A citizen's objection (sanggahan) against a household on the register, as Cek Bansos takes them: it opens a
 * REMOVE or UPDATE case at the household's village, or joins the case already open against it, and the reporter
 * follows the case with a receipt code until it is decided.
 */

export type RegistryObjectionDeps = { store: RecordsStore; objections: RegistryObjectionsStore; now: () => Date };

export type RegistryObjectionInput = Pick<RegistryObjection, 'category' | 'statement' | 'reporterName' | 'reporterContact'>;

/** Citizens file without an account; the audit names them no further (their details stay on the objection). */
const PUBLIC: Actor = { type: 'user', id: 'public' };

/** Whether a registered record is on the public registry: current, with or without a case against it. */
export function registryStanding(record: StoredProposal): 'open' | 'case' | undefined {
  const issues = targetIssues(record, record.villageCode);
  if (issues.length === 0) return 'open';
  return issues.every((problem) => problem.code === 'TARGET_CASE_OPEN') ? 'case' : undefined;
}

/**
 * The case an objection opens: a DRAFT at the household's village, its record copied from the target. A REMOVE
 * carries the category's removal reason; an UPDATE starts from the record as registered (also kept as `previous`)
 * for the village to correct. The statement names the receipt and category only: the reporter's own words could
 * identify them, and operators see the case.
 */
export function objectionCase(target: StoredProposal, category: RegistryObjectionCategory, receipt: string, now: Date): Proposal {
  const { provinceCode, regencyCode, districtCode, villageCode, household, members, programs, criteria } = target;
  const record = { household, members, programs, criteria };
  const statement = `Sanggahan warga ${receipt}: ${REGISTRY_OBJECTION_LABELS[category].id}.`;
  const base = {
    ...draftProposal({ provinceCode, regencyCode, districtCode, villageCode, ...record }, PUBLIC.id, now),
    target: { proposalId: target.id },
    origin: { kind: 'OBJECTION' as const, receipt, category },
  };
  const kind = caseFor(category);
  return kind.type === 'REMOVE'
    ? { ...base, type: 'REMOVE', removal: { reason: kind.reason, statement } }
    : { ...base, type: 'UPDATE', correction: { statement }, previous: record };
}

/** Receipt collisions and a case opened or closed by someone else meanwhile are settled by trying again. */
const RETRIED = new Set(['RECEIPT_TAKEN', 'CASE_OPENED_MEANWHILE', 'CASE_CLOSED_MEANWHILE']);
const ATTEMPTS = 4;

/**
 * Files the objection against `targetId` and returns its receipt. At most one case is open per household: a
 * further objection joins it with a receipt of its own. ConflictError PROPOSAL_NOT_FOUND or NOT_REGISTERED when
 * the target is not a current registration.
 */
export async function objectToRegistered(
  deps: RegistryObjectionDeps,
  targetId: string,
  input: RegistryObjectionInput,
  receipts: () => string = newReceipt,
): Promise<{ receipt: string; caseId: string; joined: boolean }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fileOnce(deps, targetId, input, receipts());
    } catch (error) {
      if (!(error instanceof ConflictError) || !RETRIED.has(error.code) || attempt === ATTEMPTS) throw error;
    }
  }
}

async function fileOnce(deps: RegistryObjectionDeps, targetId: string, input: RegistryObjectionInput, receipt: string) {
  const target = await deps.store.getProposal(targetId);
  if (!target) throw new ConflictError(`Proposal ${targetId} does not exist`, 'PROPOSAL_NOT_FOUND');
  if (!registryStanding(target)) throw new ConflictError('The household is not on the register', 'NOT_REGISTERED');
  const now = deps.now();
  const objection = { ...input, receipt, targetId, receivedAt: now.toISOString() };

  let replacing: string | undefined;
  if (target.openCase) {
    const open = await deps.store.getProposal(target.openCase);
    if (open && ACTIVE_STATUSES.includes(open.status)) {
      await deps.objections.attachObjection({ ...objection, caseId: open.id }, open.version, PUBLIC);
      return { receipt, caseId: open.id, joined: true };
    }
    // The claim names a case that has ended: the new case takes its place.
    replacing = target.openCase;
  }
  const caseProposal = objectionCase(target, input.category, receipt, now);
  await deps.objections.openCase(caseProposal, { ...objection, caseId: caseProposal.id }, PUBLIC, {
    version: target.version,
    ...(replacing ? { replacing } : {}),
  });
  return { receipt, caseId: caseProposal.id, joined: false };
}

/** What the reporter may see under their receipt: the category and the case's progress, nothing personal. */
export async function objectionStatus(deps: RegistryObjectionDeps, receipt: string) {
  const objection = await deps.objections.getObjection(receipt);
  if (!objection) return undefined;
  const [caseProposal, history] = await Promise.all([
    deps.store.getProposal(objection.caseId),
    deps.store.auditTrail(objection.caseId),
  ]);
  if (!caseProposal) return undefined;
  return {
    receipt: objection.receipt,
    category: objection.category,
    group: groupOf(objection.category),
    ...reporterView(objection.receivedAt, caseProposal.status, history),
  };
}

/**
 * The village closes a REMOVE or UPDATE draft it finds unfounded, without a workflow: the case ends REJECTED with
 * the village's reason, its claim on the target is released, and an objection's reporter sees NOT_UPHELD.
 */
export async function withdrawCase(store: RecordsStore, proposal: StoredProposal, reason: string, actor: Actor): Promise<Proposal> {
  if (proposal.type === 'ADD' || !proposal.target) throw new ConflictError('Only a REMOVE or UPDATE case can be withdrawn', 'NOT_A_CASE');
  if (proposal.status !== 'DRAFT') throw new ConflictError('Only a draft can be withdrawn', 'NOT_A_DRAFT');
  const withdrawn = await store.changeProposal(proposal.id, {
    expect: { version: proposal.version, status: ['DRAFT'] },
    status: 'REJECTED',
    stage: 'FINALIZED',
    reasons: [issue('', 'WITHDRAWN_BY_VILLAGE', { reason })],
    audit: { actor, action: 'WITHDRAWN', detail: { reason } },
  });
  await store.releaseTarget(proposal.target.proposalId, proposal.id, actor);
  return withdrawn;
}
