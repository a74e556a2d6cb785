import { assessDocument, currentDocuments } from '../domain/evidence/assess.ts';
import { hashBandKeys, isNearDuplicate } from '../domain/evidence/hash-index.ts';
import { issue, type IssueCode, type IssueParams } from '../domain/messages.ts';
import { alternativesLabel, evidenceRequirements, unmetRequirements } from '../domain/proposal-types.ts';
import type { DocumentKind } from '../domain/province-config.ts';
import type { Flag } from '../domain/proposal.ts';
import type { StoredDocument } from './adapters/evidence-store.ts';
import { evidenceStoreFromEnvironment } from './adapters/s3-evidence-store.ts';
import { ProposalReturned } from './shared/stage-errors.ts';
import { StageInput, stageHandler, systemActor, type StageDeps } from './shared/runtime.ts';
import { loadProposal } from './shared/proposals.ts';

const actor = systemActor('check-evidence');

type DocumentProblem = { kind: string; code: IssueCode; file: string; detail?: IssueParams };
type Finding = { problems: DocumentProblem[]; flags: Flag[] };

/**
 * Every required document must be in S3 and be what it claims: sniffed type, size, and for photos a recent
 * date, a position near the house, and a picture no other household already used.
 */
export async function checkEvidence(input: StageInput, deps: StageDeps) {
  const proposal = await loadProposal(deps, input);
  if (proposal.stage !== 'EVIDENCE_CHECK') return { documents: 0 };

  const documents = currentDocuments(await deps.evidence.listDocuments(proposal.id), proposal.version);
  const unmet = unmetRequirements(evidenceRequirements(deps.config, proposal), documents.map((document) => document.kind));
  const findings: Finding = {
    problems: unmet.map((alternatives) =>
      alternatives.length === 1
        ? { kind: alternatives[0]!, code: 'DOCUMENT_MISSING', file: '' }
        : { kind: alternatives[0]!, code: 'DOCUMENT_ONE_OF_MISSING', file: '', detail: { options: alternativesLabel(alternatives) } },
    ),
    flags: unmet.map((alternatives) => ({ code: 'DOCUMENT_MISSING', path: `documents.${alternatives[0]!}` })),
  };
  for (const document of documents) {
    const finding = await assess(document, proposal, deps);
    findings.problems.push(...finding.problems);
    findings.flags.push(...finding.flags);
  }

  const flags = [...proposal.flags.filter((flag) => !EVIDENCE_FLAGS.has(flag.code)), ...findings.flags];
  const expect = { version: proposal.version, status: ['SUBMITTED'] as const };
  if (findings.problems.length > 0) {
    const reasons = findings.problems.map((problem) =>
      issue(`documents.${problem.kind}`, problem.code, { ...problem.detail, file: problem.file }),
    );
    await deps.store.changeProposal(proposal.id, {
      expect,
      status: 'SUBMITTED',
      stage: 'EVIDENCE_CHECK',
      reasons,
      flags,
      audit: { actor, action: 'EVIDENCE_REJECTED', detail: { codes: reasons.map((reason) => reason.code) } },
    });
    throw new ProposalReturned(reasons.map((reason) => reason.code));
  }
  await deps.store.changeProposal(proposal.id, {
    expect,
    status: 'SUBMITTED',
    stage: 'PUBLIC_REVIEW',
    flags,
    audit: { actor, action: 'EVIDENCE_ACCEPTED', detail: { documents: documents.length } },
  });
  return { documents: documents.length };
}

const EVIDENCE_FLAGS = new Set(['DOCUMENT_MISSING', 'PHOTO_DISTANCE', 'PHOTO_REUSED']);

async function assess(
  document: StoredDocument,
  proposal: Awaited<ReturnType<typeof loadProposal>>,
  deps: StageDeps,
): Promise<Finding> {
  const file = document.key.slice(document.key.lastIndexOf('/') + 1);
  const spec = deps.config.documents[document.kind as DocumentKind];
  if (!spec) return { problems: [{ kind: document.kind, code: 'DOCUMENT_KIND_UNKNOWN', file }], flags: [] };
  if (document.size > spec.maxBytes) {
    return {
      problems: [{ kind: document.kind, code: 'DOCUMENT_TOO_LARGE', file, detail: { bytes: document.size, maxBytes: spec.maxBytes } }],
      flags: [],
    };
  }
  const assessment = assessDocument({
    kind: document.kind,
    photo: spec.photo,
    contentTypes: spec.contentTypes,
    maxBytes: spec.maxBytes,
    bytes: await deps.evidence.read(document.key),
    declaredLocation: proposal.household.location,
    now: deps.now(),
    maxAgeDays: deps.config.photo.maxAgeDays,
    maxDistanceMeters: deps.config.photo.maxDistanceMeters,
    defaultUtcOffset: deps.config.photo.utcOffset,
  });
  const finding: Finding = { problems: assessment.problems.map((problem) => ({ ...problem, file })), flags: [] };
  const photo = assessment.photo;
  if (photo?.distanceMeters !== undefined) {
    finding.flags.push({
      code: 'PHOTO_DISTANCE',
      path: `documents.${document.kind}`,
      detail: { file, distanceMeters: Math.round(photo.distanceMeters) },
    });
  }
  if (photo?.hash) {
    const bands = hashBandKeys(photo.hash);
    const entry = { proposalId: proposal.id, kind: document.kind, key: document.key, hash: photo.hash };
    // Indexed before the look-up: of two near-copies checked at the same moment, the later look-up then finds the
    // other's entry, so they cannot both pass. When both find each other, both go back. The picture stays indexed
    // even when the proposal goes back for another reason, so it cannot be passed off elsewhere.
    await deps.store.indexPhoto(bands, entry);
    const reusedFrom = (await deps.store.findPhotos(bands)).find(
      (stored) =>
        stored.proposalId !== proposal.id &&
        isNearDuplicate(stored.hash, photo.hash!, deps.config.photo.reuseMaxHammingDistance),
    );
    if (reusedFrom) {
      // A caught copy leaves the index: the copy must not make the original look reused later.
      await deps.store.unindexPhoto(bands, entry);
      finding.problems.push({ kind: document.kind, code: 'PHOTO_REUSED', file, detail: { proposalId: reusedFrom.proposalId } });
      finding.flags.push({
        code: 'PHOTO_REUSED',
        path: `documents.${document.kind}`,
        detail: { file, otherKey: reusedFrom.key },
        pointer: { proposalId: reusedFrom.proposalId },
      });
    }
  }
  return finding;
}

export const handler = stageHandler('check-evidence', StageInput, checkEvidence, { evidence: evidenceStoreFromEnvironment });
