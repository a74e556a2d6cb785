import { issue, type Localized } from './messages.ts';

export const STATUSES = [
  'DRAFT',
  'SUBMITTED',
  'IN_REVIEW',
  'AWAITING_APPROVAL',
  'REGISTERED',
  'RETURNED',
  'REJECTED',
  'APPEALED',
  'MERGED',
  'FAILED',
] as const;
export type Status = (typeof STATUSES)[number];

export const STAGES = [
  'DRAFT',
  'VALIDATION',
  'DUPLICATE_CHECK',
  'EVIDENCE_CHECK',
  'DUPLICATE_ADJUDICATION',
  'PUBLIC_REVIEW',
  'ADJUDICATION',
  'APPEAL',
  'APPROVAL',
  'FINALIZED',
] as const;
export type Stage = (typeof STAGES)[number];

/*
 * Allowed status changes. A self-transition means the status stays while
 * something else moves: SUBMITTED → SUBMITTED for the next automated stage,
 * AWAITING_APPROVAL → AWAITING_APPROVAL for the next approval tier.
 * Adjudication of objections happens while IN_REVIEW (stage ADJUDICATION).
 * A RETURNED proposal goes back to DRAFT as its next version.
 * A suspected duplicate is adjudicated while SUBMITTED (stage DUPLICATE_ADJUDICATION): it goes on, is REJECTED, or is
 * MERGED into the record it duplicates. A proposal an approver REJECTED may be APPEALED once (stage APPEAL); the
 * appeal tier's approval sends it on to the tiers above (AWAITING_APPROVAL) or, at the top, to REGISTERED.
 */
const TRANSITIONS: Readonly<Record<Status, readonly Status[]>> = {
  // REJECTED from DRAFT: the village withdraws a REMOVE or UPDATE case it finds unfounded (e.g. an objection's).
  DRAFT: ['SUBMITTED', 'REJECTED'],
  SUBMITTED: ['SUBMITTED', 'RETURNED', 'IN_REVIEW', 'REJECTED', 'MERGED', 'FAILED'],
  IN_REVIEW: ['AWAITING_APPROVAL', 'REJECTED', 'FAILED'],
  AWAITING_APPROVAL: ['AWAITING_APPROVAL', 'REGISTERED', 'REJECTED', 'RETURNED', 'FAILED'],
  RETURNED: ['DRAFT'],
  REGISTERED: [],
  REJECTED: ['APPEALED'],
  APPEALED: ['AWAITING_APPROVAL', 'REGISTERED', 'REJECTED', 'FAILED'],
  MERGED: [],
  FAILED: [],
};

export function canTransition(from: Status, to: Status): boolean {
  return TRANSITIONS[from].includes(to);
}

export class TransitionError extends Error {
  readonly code = 'INVALID_TRANSITION';
  readonly localized: Localized;
  constructor(
    readonly from: Status,
    readonly to: Status,
  ) {
    const { message } = issue('', 'INVALID_TRANSITION', { from, to });
    super(message.en);
    this.name = 'TransitionError';
    this.localized = message;
  }
}

export function assertTransition(from: Status, to: Status): void {
  if (!canTransition(from, to)) throw new TransitionError(from, to);
}

export function isTerminal(status: Status): boolean {
  return TRANSITIONS[status].length === 0;
}

/**
 * Statuses a workflow execution ends in. REJECTED is one although it is not terminal: only an appeal (once, within
 * the province's appealDays) moves it on, and until then the proposal holds no identity locks.
 */
export const OUTCOME_STATUSES: readonly Status[] = ['REGISTERED', 'REJECTED', 'MERGED', 'FAILED'];

/**
 * Statuses of proposals still in flight, including drafts, returned and appealed ones:
 * a household with such a proposal should not get a second one.
 */
export const ACTIVE_STATUSES: readonly Status[] = STATUSES.filter((status) => !OUTCOME_STATUSES.includes(status));
