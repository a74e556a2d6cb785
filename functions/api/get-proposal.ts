import type { Caller } from '../../domain/access.ts';
import type { TaskKind } from '../../domain/decisions.ts';
import { maskKk, maskedMember } from '../../domain/masking.ts';
import type { Lang } from '../../domain/messages.ts';
import type { Proposal } from '../../domain/proposal.ts';
import type { RegisteredRecord } from '../../domain/proposal-types.ts';
import type { AuditEntry, Objection } from '../adapters/records-store.ts';
import { evidenceStoreFromEnvironment } from '../adapters/s3-evidence-store.ts';
import { s3UploadSigner } from '../adapters/s3-upload-signer.ts';
import { taskIdFor } from '../shared/tasks.ts';
import { duplicateComparison } from './duplicate-comparison.ts';
import { ApiError } from './errors.ts';
import { apiHandler, authorize, json, type ApiDeps, type ApiRequest } from './http.ts';
import { proposalTypeView } from './proposal-type-view.ts';
import { routeFor } from './routes.ts';
import { taskFreezeMarks } from './task-freeze-marks.ts';

const route = routeFor('getProposal');

/** Document links last five minutes: enough to open them from the page, too short to be worth sharing. */
export const DOCUMENT_LINK_SECONDS = 5 * 60;

/**
 * One proposal as the village, its approvers and administrators see it: identity numbers masked, reasons in
 * the caller's language, the task it waits on, short-lived links to its documents, objections (reporters'
 * details only for approvers and administrators) and its audit history, oldest first.
 */
export async function getProposal(request: ApiRequest<typeof route>, deps: ApiDeps) {
  const proposal = await deps.store.getProposal(request.params.id);
  if (!proposal) throw new ApiError('PROPOSAL_NOT_FOUND');
  authorize(request, { regionCode: proposal.villageCode });

  const [pendingTask, documents, objections, history] = await Promise.all([
    pendingTaskOf(proposal, deps, request.caller),
    documentLinks(proposal.id, deps),
    deps.store.listObjections(proposal.id),
    deps.store.auditTrail(proposal.id),
  ]);
  return json(200, {
    ...proposalFields(proposal, request.lang),
    pendingTask,
    documents,
    objections: objections.map((objection) => objectionView(objection, request.caller)),
    history: history
      .map((entry, order) => ({ entry, order }))
      // The store already reads them in order; a sort by time (stable for ties) keeps that a guarantee here.
      .sort((a, b) => a.entry.at.localeCompare(b.entry.at) || a.order - b.order)
      .map(({ entry }) => historyEntry(entry)),
  });
}

/** Built field by field, never by spreading the record, so no NIK or KK can slip through unmasked. */
function proposalFields(proposal: RegisteredRecord, lang: Lang) {
  const { household } = proposal;
  return {
    proposalId: proposal.id,
    version: proposal.version,
    status: proposal.status,
    stage: proposal.stage,
    ...(proposal.tier ? { tier: proposal.tier } : {}),
    provinceCode: proposal.provinceCode,
    regencyCode: proposal.regencyCode,
    districtCode: proposal.districtCode,
    villageCode: proposal.villageCode,
    household: {
      kkMasked: maskKk(household.kk),
      address: household.address,
      rt: household.rt,
      rw: household.rw,
      location: { latitude: household.location.latitude, longitude: household.location.longitude },
    },
    members: proposal.members.map(maskedMember),
    programs: [...proposal.programs],
    criteria: [...proposal.criteria],
    createdAt: proposal.createdAt,
    updatedAt: proposal.updatedAt,
    ...(proposal.review ? { review: { endsAt: proposal.review.endsAt } } : {}),
    // Stored flags never hold a NIK or KK (domain/flags.ts): pointers and details go out as recorded.
    flags: proposal.flags,
    reasons: proposal.reasons.map((reason) => ({ path: reason.path, code: reason.code, message: reason.message[lang] })),
    ...proposalTypeView(proposal),
    ...(proposal.appeal ? { appeal: appealView(proposal.appeal) } : {}),
  };
}

/** The appeal as the view shows it: who filed it stays in the history. */
function appealView({ filedBy: _filedBy, ...appeal }: NonNullable<Proposal['appeal']>) {
  return appeal;
}

/** The kind of task a proposal waits on in its current state, if any. */
function awaitedTaskKind(proposal: Proposal): TaskKind | undefined {
  if (proposal.status === 'AWAITING_APPROVAL' && proposal.stage === 'APPROVAL') return 'approval';
  if (proposal.status === 'IN_REVIEW' && proposal.stage === 'ADJUDICATION') return 'adjudication';
  if (proposal.status === 'SUBMITTED' && proposal.stage === 'DUPLICATE_ADJUDICATION') return 'duplicate';
  if (proposal.status === 'APPEALED' && proposal.stage === 'APPEAL') return 'appeal';
  return undefined;
}

/**
 * Found by the id the workflow gives the task (one per version and tier), so no inbox has to be searched. A task
 * whose decision a freeze holds still waits: shown with that decision and the freeze, as the inbox shows it.
 */
async function pendingTaskOf(proposal: Proposal, deps: ApiDeps, caller: Caller) {
  const kind = awaitedTaskKind(proposal);
  if (!kind || !proposal.tier) return null;
  const task = await deps.store.getTask(taskIdFor({ proposalId: proposal.id, version: proposal.version, kind, tier: proposal.tier }));
  if (!task || task.status === 'DECIDED') return null;
  const at = deps.now();
  // Field by field: the task token resumes the workflow and never leaves the server.
  return {
    taskId: task.taskId,
    proposalId: task.proposalId,
    tier: task.tier,
    kind: task.kind,
    dueAt: task.dueAt,
    overdue: Date.parse(task.dueAt) < at.getTime(),
    villageCode: task.villageCode,
    escalations: task.escalations ?? 0,
    ...taskFreezeMarks(task, await deps.freezes.listFreezes({ endingAfter: at }), at),
    ...(task.kind === 'duplicate' && { duplicate: await duplicateComparison(deps.store, caller, task, proposal) }),
  };
}

async function documentLinks(proposalId: string, deps: ApiDeps) {
  const documents = await deps.evidence.listDocuments(proposalId);
  return Promise.all(
    documents.map(async (document) => {
      const { url, expiresAt } = await deps.uploads.presignDownload(document.key, DOCUMENT_LINK_SECONDS);
      return { kind: document.kind, key: document.key, size: document.size, url, expiresAt };
    }),
  );
}

/** Operators see that an objection exists and of what kind; who filed it and what they said stays with the adjudicators. */
function objectionView(objection: Objection, caller: Caller) {
  const summary = { objectionId: objection.objectionId, category: objection.category, filedAt: objection.filedAt };
  if (caller.role === 'village_operator') return summary;
  return {
    ...summary,
    statement: objection.statement,
    reporterName: objection.reporterName,
    reporterContact: objection.reporterContact,
  };
}

function historyEntry(entry: AuditEntry) {
  return {
    at: entry.at,
    version: entry.version,
    actor: { type: entry.actor.type, id: entry.actor.id },
    action: entry.action,
    ...(entry.from ? { from: entry.from } : {}),
    ...(entry.to ? { to: entry.to } : {}),
    ...(entry.detail ? { detail: entry.detail } : {}),
  };
}

export const handler = apiHandler(route, getProposal, { uploads: s3UploadSigner, evidence: evidenceStoreFromEnvironment });
