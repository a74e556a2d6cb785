import type { Status } from './lifecycle.ts';
import type { ProposalType, RemovalReason } from './proposal.ts';

/*
 * Objections (sanggahan) against a household already on the register, as Cek Bansos takes them. Categories follow
 * Listahanan's coded grievances: each code belongs to one group (exclusion, inclusion, data error) and opens one
 * kind of case for the village tier. Codes are stable API identifiers; their labels are in messages.ts.
 */

export const OBJECTION_GROUPS = ['EXCLUSION', 'INCLUSION', 'DATA_ERROR'] as const;
export type ObjectionGroup = (typeof OBJECTION_GROUPS)[number];

/** What a category opens: a removal with its reason, or a correction of the record. */
export type CaseKind = { type: Extract<ProposalType, 'REMOVE'>; reason: RemovalReason } | { type: Extract<ProposalType, 'UPDATE'> };

const remove = (reason: RemovalReason): CaseKind => ({ type: 'REMOVE', reason });
const update: CaseKind = { type: 'UPDATE' };

export const REGISTRY_OBJECTION_CATEGORIES = {
  // Exclusion: someone who belongs to the household is not on its record.
  MEMBER_MISSING: { group: 'EXCLUSION', opens: update },
  // Inclusion: the household (or its head) should no longer be on the register.
  DECEASED: { group: 'INCLUSION', opens: remove('DECEASED') },
  MOVED: { group: 'INCLUSION', opens: remove('MOVED') },
  NOT_ELIGIBLE: { group: 'INCLUSION', opens: remove('NO_LONGER_ELIGIBLE') },
  DUPLICATE: { group: 'INCLUSION', opens: remove('DUPLICATE_RECORD') },
  NOT_FOUND_AT_ADDRESS: { group: 'INCLUSION', opens: remove('NOT_FOUND') },
  // Data error: the household belongs on the register, but its record is wrong.
  WRONG_NAME: { group: 'DATA_ERROR', opens: update },
  WRONG_NIK: { group: 'DATA_ERROR', opens: update },
  WRONG_ADDRESS: { group: 'DATA_ERROR', opens: update },
  WRONG_MEMBER_DATA: { group: 'DATA_ERROR', opens: update },
} as const satisfies Record<string, { group: ObjectionGroup; opens: CaseKind }>;

export type RegistryObjectionCategory = keyof typeof REGISTRY_OBJECTION_CATEGORIES;
export const REGISTRY_OBJECTION_CODES = Object.keys(REGISTRY_OBJECTION_CATEGORIES) as [
  RegistryObjectionCategory,
  ...RegistryObjectionCategory[],
];

export function caseFor(category: RegistryObjectionCategory): CaseKind {
  return REGISTRY_OBJECTION_CATEGORIES[category].opens;
}

export function groupOf(category: RegistryObjectionCategory): ObjectionGroup {
  return REGISTRY_OBJECTION_CATEGORIES[category].group;
}

/*
 * Receipt codes: `SGH-` and 8 Crockford base32 characters (40 random bits). Crockford leaves out I, L, O and U,
 * so a code read aloud or copied from paper is not misread; typing is forgiving (lower case, I/L for 1, O for 0).
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const RECEIPT_PREFIX = 'SGH-';
export const RECEIPT_PATTERN = /^SGH-[0-9A-HJKMNP-TV-Z]{8}$/;

/** A fresh receipt from a cryptographic source, so a reporter's code cannot be guessed from another's. */
export function newReceipt(randomBytes: (length: number) => Uint8Array = cryptoBytes): string {
  const bytes = randomBytes(5);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let code = '';
  for (let i = 7; i >= 0; i--) code += CROCKFORD[Number((bits >> BigInt(i * 5)) & 31n)];
  return `${RECEIPT_PREFIX}${code}`;
}

function cryptoBytes(length: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

/** A receipt as a person typed it, in its canonical form; undefined when it cannot be one. */
export function normalizeReceipt(typed: string): string | undefined {
  const compact = typed.trim().toUpperCase().replace(/[\s-]/g, '');
  const body = compact.startsWith('SGH') ? compact.slice(3) : compact;
  const canonical = `${RECEIPT_PREFIX}${body.replace(/[IL]/g, '1').replace(/O/g, '0')}`;
  return RECEIPT_PATTERN.test(canonical) ? canonical : undefined;
}

/*
 * What a reporter sees of their objection: RECEIVED while the case is a draft at the village, IN_PROCESS once it was
 * submitted into the workflow (review, approvals, or back at the village to be fixed), then UPHELD when the removal or
 * correction is registered, or NOT_UPHELD when the case is rejected, withdrawn as unfounded or fails.
 */
export const REPORTER_STATUSES = ['RECEIVED', 'IN_PROCESS', 'UPHELD', 'NOT_UPHELD'] as const;
export type ReporterStatus = (typeof REPORTER_STATUSES)[number];

/** The case's audit entries as far as the reporter's dates go. */
export type CaseEvent = { at: string; to?: { status: Status } };

export type ReporterView = { status: ReporterStatus; receivedAt: string; inProcessAt?: string; decidedAt?: string };

const OUTCOMES: Partial<Record<Status, ReporterStatus>> = {
  REGISTERED: 'UPHELD',
  REJECTED: 'NOT_UPHELD',
  MERGED: 'NOT_UPHELD',
  FAILED: 'NOT_UPHELD',
};

export function reporterView(receivedAt: string, caseStatus: Status, history: readonly CaseEvent[]): ReporterView {
  const ordered = [...history].sort((a, b) => a.at.localeCompare(b.at));
  const submittedAt = ordered.find((event) => event.to?.status === 'SUBMITTED')?.at;
  // An objection attached to a case already under way is in process from the moment it arrives.
  const inProcessAt = submittedAt && (submittedAt < receivedAt ? receivedAt : submittedAt);
  const outcome = OUTCOMES[caseStatus];
  // The latest: a rejection overturned on appeal and rejected again is decided when it was rejected again.
  const decidedAt = outcome ? ordered.reverse().find((event) => event.to?.status === caseStatus)?.at : undefined;
  return {
    status: outcome ?? (inProcessAt ? 'IN_PROCESS' : 'RECEIVED'),
    receivedAt,
    ...(inProcessAt ? { inProcessAt } : {}),
    ...(decidedAt ? { decidedAt } : {}),
  };
}
