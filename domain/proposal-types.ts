import { z } from 'zod';
import { maskKk, maskNik } from './masking.ts';
import { fieldLabel, issue, type Localized, type ValidationIssue } from './messages.ts';
import {
  CorrectionSchema,
  ProposalInputSchema,
  REMOVAL_REASONS,
  RegionCodesSchema,
  RemovalSchema,
  TargetSchema,
  type Member,
  type Proposal,
  type ProposalInput,
  type RemovalReason,
} from './proposal.ts';
import { requiredDocumentKinds, type DocumentKind, type ProvinceConfig } from './province-config.ts';

/*
 * REMOVE and UPDATE act on a registered record (the proposal that registered it, or the last correction of it).
 * The rules here are pure: the caller loads the target and hands it in.
 */

/** A village's request to end a registered household, or some of its members. Its record is copied from the target. */
export const RemoveRequestSchema = RegionCodesSchema.extend({
  type: z.literal('REMOVE'),
  target: TargetSchema,
  removal: RemovalSchema,
});

/** A village's correction: the whole record as it should be, the target it corrects and why. */
export const UpdateRequestSchema = ProposalInputSchema.extend({
  type: z.literal('UPDATE'),
  target: TargetSchema,
  correction: CorrectionSchema,
});

export type RemoveRequest = z.infer<typeof RemoveRequestSchema>;
export type UpdateRequest = z.infer<typeof UpdateRequestSchema>;
export type ChangeRequest = RemoveRequest | UpdateRequest;

/** Why a registration ended: a removal's reason, or CORRECTED when an UPDATE took its place. */
export const END_REASONS = [...REMOVAL_REASONS, 'CORRECTED'] as const;
export type EndReason = (typeof END_REASONS)[number];

/** `endedBy` is the id of the proposal that ended it (whose audit says who approved). */
export type Registration = { endedAt: string; endReason: EndReason; endedBy: string };
export type EndedMember = { nik: string } & Registration;

/** What the registry keeps on a record beside the proposal itself. Nothing is ever deleted: ends are recorded. */
export type RegistryState = {
  registeredAt?: string;
  /** Set when the whole household's registration ended. */
  registration?: Registration;
  /** Members whose registration ended while the household stays registered. */
  endedMembers?: EndedMember[];
  /** The UPDATE that corrected this record and is now the registered one. */
  supersededBy?: string;
  /** The REMOVE or UPDATE currently in flight against this record; one at a time. */
  openCase?: string;
  /** When an approved proposal completed (the monthly cut-off reads it). */
  completedAt?: string;
};

export type RegisteredRecord = Proposal & RegistryState;

/** Members whose registration has not ended. */
export function activeMembers(record: Pick<RegisteredRecord, 'members' | 'endedMembers' | 'registration'>): Member[] {
  if (record.registration) return [];
  const ended = new Set((record.endedMembers ?? []).map((member) => member.nik));
  return record.members.filter((member) => !ended.has(member.nik));
}

/**
 * Why `target` cannot be acted on by a new REMOVE or UPDATE of `villageCode` (empty when it can). `proposalId`
 * is the acting proposal once it exists: its own claim on the target is no obstacle.
 */
export function targetIssues(target: RegisteredRecord | undefined, villageCode: string, proposalId?: string): ValidationIssue[] {
  const at = 'target.proposalId';
  if (!target) return [issue(at, 'TARGET_NOT_FOUND')];
  // Another village's record is reported as not found, so nothing about it leaks outside the caller's region.
  if (target.villageCode !== villageCode) return [issue(at, 'TARGET_NOT_FOUND')];
  if (target.status !== 'REGISTERED' || (target.type ?? 'ADD') === 'REMOVE') return [issue(at, 'TARGET_NOT_REGISTERED')];
  if (target.supersededBy) return [issue(at, 'TARGET_SUPERSEDED', { proposalId: target.supersededBy })];
  if (target.registration) return [issue(at, 'TARGET_ENDED', { date: target.registration.endedAt.slice(0, 10) })];
  if (target.openCase && target.openCase !== proposalId) return [issue(at, 'TARGET_CASE_OPEN', { proposalId: target.openCase })];
  return [];
}

/** The removal's own rules against its target: named members belong to it, a duplicate names its original. */
export function removalIssues(
  removal: RemoveRequest['removal'],
  target: RegisteredRecord,
  duplicateOf?: RegisteredRecord,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const active = new Set(activeMembers(target).map((member) => member.nik));
  removal.members?.forEach((nik, index) => {
    if (!active.has(nik)) issues.push(issue(`removal.members.${index}`, 'REMOVAL_MEMBER_UNKNOWN'));
  });
  if (removal.reason === 'DUPLICATE_RECORD') {
    if (!removal.duplicateOf) issues.push(issue('removal.duplicateOf', 'REQUIRED'));
    else if (
      removal.duplicateOf === target.id ||
      !duplicateOf ||
      duplicateOf.status !== 'REGISTERED' ||
      duplicateOf.registration ||
      duplicateOf.supersededBy
    ) {
      issues.push(issue('removal.duplicateOf', 'DUPLICATE_OF_INVALID'));
    }
  }
  return issues;
}

/** A correction must change something of the record it corrects (its village is checked with the target). */
export function correctionIssues(corrected: RecordFields, previous: RecordFields): ValidationIssue[] {
  return correctionDiff(previous, corrected).length === 0 ? [issue('', 'CORRECTION_UNCHANGED')] : [];
}

/** Which of the target's registrations a removal ends: the whole household, or these members (indexes into `members`). */
export function removalScope(target: RegisteredRecord, removal: RemoveRequest['removal']): { household: boolean; memberIndexes: number[] } {
  if (!removal.members) return { household: true, memberIndexes: [] };
  const leaving = new Set(removal.members);
  const memberIndexes = target.members.flatMap((member, index) => (leaving.has(member.nik) ? [index] : []));
  // When the last registered members leave, the household's registration ends with them.
  const household = activeMembers(target).every((member) => leaving.has(member.nik));
  return { household, memberIndexes };
}

export type RecordFields = Pick<ProposalInput, 'household' | 'members' | 'programs' | 'criteria'>;

/** One changed field, old and new side by side, as an approver may see them (NIK and KK masked). */
export type FieldChange = { path: string; old: string | null; new: string | null };

const MEMBER_FIELDS = ['nik', 'fullName', 'sex', 'birthDate', 'relationship', 'disability', 'occupation'] as const;

const memberSummary = (member: Member) => `${member.fullName} (${maskNik(member.nik)})`;

/**
 * Field by field, old against new. Members are compared by position, as the KK lists them, so a corrected NIK
 * shows as that member's NIK changing; a member added or dropped shows as a whole.
 */
export function correctionDiff(previous: RecordFields, next: RecordFields): FieldChange[] {
  const changes: FieldChange[] = [];
  const compare = (path: string, old: string | undefined, value: string | undefined, changed = old !== value) => {
    if (changed) changes.push({ path, old: old ?? null, new: value ?? null });
  };
  const before = previous.household;
  const after = next.household;
  compare('household.kk', maskKk(before.kk), maskKk(after.kk), before.kk !== after.kk);
  compare('household.address', before.address, after.address);
  compare('household.rt', before.rt, after.rt);
  compare('household.rw', before.rw, after.rw);
  const place = (h: typeof before) => `${h.location.latitude}, ${h.location.longitude}`;
  compare('household.location', place(before), place(after));
  for (let i = 0; i < Math.max(previous.members.length, next.members.length); i++) {
    const old = previous.members[i];
    const value = next.members[i];
    if (!old || !value) {
      compare(`members.${i}`, old && memberSummary(old), value && memberSummary(value));
      continue;
    }
    for (const field of MEMBER_FIELDS) {
      if (field === 'nik') compare(`members.${i}.nik`, maskNik(old.nik), maskNik(value.nik), old.nik !== value.nik);
      else compare(`members.${i}.${field}`, old[field], value[field]);
    }
  }
  const list = (items: readonly string[]) => [...items].sort().join(', ');
  compare('programs', list(previous.programs), list(next.programs));
  compare('criteria', list(previous.criteria), list(next.criteria));
  return changes;
}

/** Documents of which any one satisfies a requirement (a death certificate, or a village letter). */
export type EvidenceRequirement = readonly DocumentKind[];

/*
 * Evidence per removal reason, from the issue and the domain primer. Where neither names a document
 * (DUPLICATE_RECORD, NOT_FOUND), the berita acara of the musyawarah that agreed the removal stands for it.
 */
const REMOVAL_EVIDENCE: Readonly<Record<RemovalReason, readonly EvidenceRequirement[]>> = {
  DECEASED: [['death-certificate', 'village-letter']],
  MOVED: [['transfer-letter']],
  NO_LONGER_ELIGIBLE: [['house-front'], ['house-interior'], ['berita-acara']],
  DUPLICATE_RECORD: [['berita-acara']],
  NOT_FOUND: [['berita-acara']],
};
/** A correction shows the document that proves the new data (KK/KTP as Dukcapil issued them) and the minutes. */
const UPDATE_EVIDENCE: readonly EvidenceRequirement[] = [['id-scan'], ['berita-acara']];

/** What a proposal must be backed by. ADD keeps the province's documents per program. */
export function evidenceRequirements(
  config: ProvinceConfig,
  proposal: Pick<Proposal, 'programs' | 'removal'> & { type?: Proposal['type'] },
): EvidenceRequirement[] {
  if (proposal.type === 'REMOVE' && proposal.removal) return [...REMOVAL_EVIDENCE[proposal.removal.reason]];
  if (proposal.type === 'UPDATE') return [...UPDATE_EVIDENCE];
  return requiredDocumentKinds(config, proposal.programs).map((kind) => [kind]);
}

/** Requirements none of whose documents is present. */
export function unmetRequirements(requirements: readonly EvidenceRequirement[], present: readonly string[]): EvidenceRequirement[] {
  const have = new Set(present);
  return requirements.filter((alternatives) => !alternatives.some((kind) => have.has(kind)));
}

/** Every document kind that can meet the requirements, once each: one upload slot per alternative. */
export function requirementKinds(requirements: readonly EvidenceRequirement[]): DocumentKind[] {
  return [...new Set(requirements.flat())];
}

/** "Akta kematian atau Surat keterangan desa" / "... or ...", to name a requirement's alternatives. */
export function alternativesLabel(requirement: EvidenceRequirement): Localized {
  const labels = requirement.map((kind) => fieldLabel(kind));
  return { id: labels.map((label) => label.id).join(' atau '), en: labels.map((label) => label.en).join(' or ') };
}
