import { issue, type Localized } from './messages.ts';

export const STATUSES = [
  'DRAFT',
  'SUBMITTED',
  'IN_REVIEW',
  'AWAITING_APPROVAL',
  'REGISTERED',
  'RETURNED',
  'REJECTED',
  'FAILED',
] as const;
export type Status = (typeof STATUSES)[number];

export const STAGES = [
  'DRAFT',
  'VALIDATION',
  'DUPLICATE_CHECK',
  'EVIDENCE_CHECK',
  'PUBLIC_REVIEW',
  'ADJUDICATION',
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
 */
const TRANSITIONS: Readonly<Record<Status, readonly Status[]>> = {
  DRAFT: ['SUBMITTED'],
  SUBMITTED: ['SUBMITTED', 'RETURNED', 'IN_REVIEW', 'FAILED'],
  IN_REVIEW: ['AWAITING_APPROVAL', 'REJECTED', 'FAILED'],
  AWAITING_APPROVAL: ['AWAITING_APPROVAL', 'REGISTERED', 'REJECTED', 'RETURNED', 'FAILED'],
  RETURNED: ['DRAFT'],
  REGISTERED: [],
  REJECTED: [],
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
 * Statuses of proposals still in flight, including drafts and returned ones:
 * a household with such a proposal should not get a second one.
 */
export const ACTIVE_STATUSES: readonly Status[] = STATUSES.filter((status) => !isTerminal(status));
