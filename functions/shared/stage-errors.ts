/**
 * Errors whose `name` the workflow's Retry and Catch match on (Lambda reports `name` as the error type).
 * Keep these names stable: the state machine definition refers to them.
 */
export const WorkflowErrors = {
  /** The proposal goes back to the village; its reasons are already stored. */
  returned: 'Verval.Returned',
  /** An approver or adjudicator rejected the proposal. */
  rejected: 'Verval.Rejected',
  /** A dependency failed in a way that may pass on retry (throttling, network, 5xx). */
  transient: 'Verval.Transient',
  /** An SLA lapsed after the last escalation (request-decision keeps the budget: frozen time does not use it). */
  slaExhausted: 'Verval.SlaExhausted',
  /** A NIK or KK is held by another record: the duplicate tier decides whether it is the same person. */
  needsAdjudication: 'Verval.NeedsAdjudication',
  /** The duplicate tier merged the proposal into the record it duplicates. */
  merged: 'Verval.Merged',
  /** The execution runs an appeal: it skips the checks and goes to the tier hearing the appeal. */
  appeal: 'Verval.Appeal',
} as const;

export class ProposalReturned extends Error {
  override readonly name = WorkflowErrors.returned;
  /** The message lists issue codes only: it reaches logs and the execution history, so no personal data. */
  constructor(codes: string[]) {
    super(`Returned to the village: ${[...new Set(codes)].join(', ')}`);
  }
}

export class NeedsAdjudication extends Error {
  override readonly name = WorkflowErrors.needsAdjudication;
  /** Issue codes and counterpart ids only, like ProposalReturned: no personal data. */
  constructor(codes: string[]) {
    super(`Suspected duplicate, to be adjudicated: ${[...new Set(codes)].join(', ')}`);
  }
}

export class AppealRouted extends Error {
  override readonly name = WorkflowErrors.appeal;
  constructor(tier: string) {
    super(`Appeal, heard by the ${tier} tier`);
  }
}

export class SlaExhausted extends Error {
  override readonly name = WorkflowErrors.slaExhausted;
  constructor(taskId: string) {
    super(`The SLA of task ${taskId} lapsed after its last escalation`);
  }
}

export class TransientFailure extends Error {
  override readonly name = WorkflowErrors.transient;
  constructor(cause: unknown) {
    super(cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause));
  }
}

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TransactionConflictException',
  'InternalServerError',
  'InternalError',
  'ServiceUnavailable',
  'SlowDown',
  'TimeoutError',
  'RequestTimeout',
]);

const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

/** Whether an error from an AWS dependency may pass if the stage runs again. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const details = error as Error & { $retryable?: unknown; $metadata?: { httpStatusCode?: number }; code?: string };
  if (details.$retryable) return true;
  if (TRANSIENT_NAMES.has(error.name)) return true;
  if (details.code && TRANSIENT_CODES.has(details.code)) return true;
  const status = details.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}
