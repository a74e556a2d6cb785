import type { Flag, Proposal, ProposalInput } from '../../domain/proposal.ts';
import type { ValidationIssue } from '../../domain/messages.ts';
import type { Stage, Status } from '../../domain/lifecycle.ts';
import type { Tier } from '../../domain/province-config.ts';
import type { Decision, DuplicateResolution, TaskKind } from '../../domain/decisions.ts';
import type { Appeal } from '../../domain/appeals.ts';
import type { EndReason, RegistryState } from '../../domain/proposal-types.ts';

/** Who caused a change: a person (operator, approver) or a workflow stage. */
export type Actor = { type: 'user' | 'system'; id: string };

export type AuditEntry = {
  proposalId: string;
  version: number;
  at: string;
  actor: Actor;
  action: string;
  from?: { status: Status; stage: Stage };
  to?: { status: Status; stage: Stage };
  detail?: Record<string, unknown>;
};

export type RegistryEntry = {
  proposalId: string;
  registeredAt: string;
  ended?: { endedAt: string; endReason: EndReason };
  /** Members whose registration ended while the household stays registered. */
  endedMembers?: number;
};

/** A keyed hash of a NIK or KK, with where it came from in the proposal (never the number itself). */
export type IdentityLock = { kind: 'NIK' | 'KK'; hash: string; path: string };

export type LockHolder = { proposalId: string; state: 'ACTIVE' | 'REGISTERED' };

export type LockConflict = IdentityLock & { holder: LockHolder };

export type ProposalChange = {
  /** The change applies only if the stored record still has this version and one of these statuses. */
  expect: { version: number; status: readonly Status[] };
  status: Status;
  stage: Stage;
  tier?: Tier | null;
  reasons?: ValidationIssue[];
  flags?: Flag[];
  review?: { endsAt: string };
  locks?: IdentityLock[];
  failure?: { error: string; cause?: string } | null;
  appeal?: Appeal | null;
  audit: { actor: Actor; action: string; detail?: Record<string, unknown> };
  /** Audit entries on other proposals the change concerns (a merge), written in the same transaction. */
  relatedAudit?: { proposalId: string; version: number; action: string; detail?: Record<string, unknown> }[];
};

/** A proposal's record as the village changes it, with an UPDATE's correction or a REMOVE's removal. */
export type RevisedRecord = ProposalInput & Pick<Proposal, 'correction' | 'removal'>;

export type ApprovalTask = {
  taskId: string;
  proposalId: string;
  version: number;
  kind: TaskKind;
  tier: Tier;
  regionCode: string;
  villageCode: string;
  createdAt: string;
  dueAt: string;
  escalations: number;
  /** HELD: decided while the region was frozen, recorded but not yet sent to the workflow (domain/freezes.ts). */
  status: 'PENDING' | 'HELD' | 'DECIDED';
  decision?: { decision: Decision; reason?: string; resolution?: DuplicateResolution; decidedBy: string; decidedAt: string };
};

export type PhotoIndexEntry = { proposalId: string; kind: string; key: string; hash: string };

export type Objection = {
  objectionId: string;
  proposalId: string;
  category: string;
  statement: string;
  reporterName: string;
  reporterContact: string;
  filedAt: string;
};

/** Time per stage, kept on the proposal item for the "median days per stage" reports. */
export type ProposalTiming = {
  /** When the proposal entered its current stage (ISO). */
  stageEnteredAt?: string;
  /** Days spent in each stage it has left, cumulative (a stage entered twice adds up), 3 decimals. */
  stageDays?: Partial<Record<Stage, number>>;
};

/** A proposal as the store returns it: the record, the locks it recorded and its time per stage. */
export type StoredProposal = Proposal & { locks?: IdentityLock[] } & ProposalTiming & RegistryState;

/** What an idempotency key stands for: the first request's hash and the proposal it created. */
export type IdempotencyRecord = { requestHash: string; proposalId: string };

export type CreateProposalOptions = {
  /**
   * `key` is built by the caller (`<caller sub>#<header key>`); the store keys the record by its SHA-256.
   * `expiresAt` is in epoch seconds (the table's TTL).
   */
  idempotency?: { key: string; requestHash: string; expiresAt: number };
  /**
   * A bulk import's household, accepted as this proposal: its outcome is recorded in the same write (as
   * recordImportOutcome would), so a draft never stands without its outcome, and the outcome's key keeps a
   * repeated run from a second draft. Recorded before: ImportOutcomeRecorded, and nothing is written.
   */
  importOutcome?: { importId: string; householdRef: string; rows: number[] };
};

export type ProposalQuery = {
  /** A Kemendagri code: province `81`, regency `81.03`, district `81.03.05` or village `81.03.05.2001`. */
  region: string;
  /** Narrows to one village, which must lie inside `region`. */
  villageCode?: string;
  status?: Status;
  /** At most this many items per page (a page may hold fewer and still have a cursor). */
  limit: number;
  /** Opaque, from the previous page of the same query. */
  cursor?: string;
};

export type ImportStatus = 'WAITING_FOR_UPLOAD' | 'RUNNING' | 'DONE' | 'FAILED';

export type ImportJob = {
  importId: string;
  villageCode: string;
  createdBy: string;
  format: 'csv' | 'xlsx';
  /** The uploaded file's object key. */
  key: string;
  status: ImportStatus;
  createdAt: string;
  updatedAt: string;
  totalRows?: number;
  /** Rows of recorded outcomes: accepted (a proposal was created) plus rejected. */
  processedRows: number;
  acceptedRows: number;
  rejectedRows: number;
  error?: { code: string };
};

export type ImportOutcome = {
  /** The household's reference in the file, as given; shown back to the uploader but kept out of keys (it may be a KK). */
  householdRef: string;
  /** The file rows (1-based, as the caller counts them) the household spans. */
  rows: number[];
  /** Set when the household was accepted and its proposal created. */
  proposalId?: string;
  issues?: { row: number; column: string; code: string; message: { id: string; en: string } }[];
};

/** The import household's outcome was recorded before (by an earlier or a parallel run); nothing was written. */
export class ImportOutcomeRecorded extends Error {
  override readonly name = 'ImportOutcomeRecorded';
  readonly code = 'IMPORT_OUTCOME_RECORDED';
  constructor(importId: string) {
    super(`The household's outcome in import ${importId} was already recorded`);
  }
}

export type ImportCounts = Pick<ImportJob, 'processedRows' | 'acceptedRows' | 'rejectedRows'>;

/** The rows the outcomes cover: accepted (a proposal was created) and rejected. */
export function importCounts(outcomes: readonly ImportOutcome[]): ImportCounts {
  let acceptedRows = 0;
  let rejectedRows = 0;
  for (const outcome of outcomes) {
    if (outcome.proposalId !== undefined) acceptedRows += outcome.rows.length;
    else rejectedRows += outcome.rows.length;
  }
  return { processedRows: acceptedRows + rejectedRows, acceptedRows, rejectedRows };
}

export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  constructor(message: string, readonly code = 'CONFLICT') {
    super(message);
  }
}

/** The idempotency key was used before; carries what the first request was and what it created. Nothing was written. */
export class IdempotencyKeyUsed extends Error {
  override readonly name = 'IdempotencyKeyUsed';
  readonly code = 'IDEMPOTENCY_KEY_USED';
  readonly requestHash: string;
  readonly proposalId: string;
  /** The first request: the same as `requestHash` and `proposalId`. */
  readonly first: IdempotencyRecord;
  constructor(first: IdempotencyRecord) {
    super(`The idempotency key was already used for proposal ${first.proposalId}`);
    this.first = { requestHash: first.requestHash, proposalId: first.proposalId };
    this.requestHash = first.requestHash;
    this.proposalId = first.proposalId;
  }
}

/** A list cursor that this store did not hand out for this query (undecodable, or outside the region). */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  readonly code = 'INVALID_CURSOR';
  constructor(message = 'The cursor is not valid for this query') {
    super(message);
  }
}

/**
 * Everything the stages persist. One implementation talks to DynamoDB; the domain never sees it.
 * Every state change is conditional and writes its audit entry in the same transaction.
 */
export interface RecordsStore {
  /**
   * With `options.idempotency`, the proposal and the key's record are written in one transaction; a key already
   * used (and not expired) throws IdempotencyKeyUsed and writes nothing. With `options.importOutcome`, the
   * outcome too (ImportOutcomeRecorded, and nothing written).
   */
  createProposal(proposal: Proposal, audit: { actor: Actor; action: string }, options?: CreateProposalOptions): Promise<void>;
  /** What an unexpired idempotency key stands for, if it was used. */
  idempotentProposal(key: string): Promise<IdempotencyRecord | undefined>;
  getProposal(proposalId: string): Promise<StoredProposal | undefined>;
  /** Moves the change's stage time into stageDays when the stage changes. */
  changeProposal(proposalId: string, change: ProposalChange): Promise<Proposal>;
  /**
   * A RETURNED proposal at `expect.version` becomes the DRAFT of its next version with the new input (and an
   * UPDATE's correction, when given): reasons and
   * flags emptied, review, tier and failure removed, audited as REVISED. ConflictError NOT_RETURNED when it is not
   * RETURNED, PROPOSAL_STATE_CHANGED when its version is not `expect.version` (or it changed meanwhile),
   * PROPOSAL_NOT_FOUND when it does not exist.
   */
  reviseProposal(proposalId: string, input: RevisedRecord, expect: { version: number }, audit: { actor: Actor }): Promise<Proposal>;
  /**
   * Edits a DRAFT in place, keeping its version: its record, and a REMOVE's removal or an UPDATE's correction when
   * given. Type, target and origin are never touched. Audited as DRAFT_EDITED with the names of the parts that
   * changed. ConflictError NOT_A_DRAFT when it is no DRAFT, PROPOSAL_STATE_CHANGED when its version is not
   * `expect.version` (or it changed meanwhile), PROPOSAL_NOT_FOUND when it does not exist.
   */
  editDraft(proposalId: string, edit: RevisedRecord, expect: { version: number; updatedAt?: string }, audit: { actor: Actor }): Promise<Proposal>;
  auditTrail(proposalId: string): Promise<AuditEntry[]>;
  /** An audit entry for an act that changes no proposal state by itself (a decision, an objection). */
  appendAudit(entry: AuditEntry): Promise<void>;

  /** Takes every lock or none. Locks this proposal already holds count as taken. */
  acquireLocks(proposalId: string, locks: IdentityLock[]): Promise<{ conflicts: LockConflict[] }>;
  /** Drops the ACTIVE locks this proposal holds; registrations stay. */
  releaseLocks(proposalId: string, locks: IdentityLock[]): Promise<void>;
  /**
   * Records an adjudicated exception on locks another proposal holds: adds this proposal to each lock's `sharedWith`,
   * only while the lock is still held by the holder the adjudicator saw (ConflictError LOCKS_CONTENDED otherwise).
   */
  shareLocks(proposalId: string, locks: LockConflict[]): Promise<void>;
  /** Turns the proposal's locks into registrations and marks it REGISTERED, atomically. */
  register(proposalId: string, change: ProposalChange, registeredAt: string): Promise<Proposal>;
  /** Every record registered in the village, ended ones too (with when and why they ended). */
  registryOf(villageCode: string): Promise<RegistryEntry[]>;
  /**
   * Claims a registered, current record for one REMOVE or UPDATE at a time (audited on the record). Claiming it
   * again for the same proposal is a no-op; otherwise `claimed: false` and the record as it stands.
   */
  claimTarget(targetId: string, proposalId: string, actor: Actor): Promise<{ claimed: true } | { claimed: false; target?: StoredProposal }>;
  /** Drops the proposal's claim on the record, if it holds it (audited); anything else is left alone. */
  releaseTarget(targetId: string, proposalId: string, actor: Actor): Promise<void>;
  /**
   * Completes an approved REMOVE or UPDATE in one transaction, like `register` for an ADD: the proposal becomes
   * REGISTERED; a REMOVE ends the target's registration (or its named members'), releasing their identity locks; an
   * UPDATE becomes the registered record, supersedes the target and takes over its locks (ones the correction
   * dropped are released). The target's claim is dropped and both records are audited; nothing is deleted.
   */
  completeChange(proposalId: string, change: ProposalChange, completedAt: string): Promise<Proposal>;

  /** Entries under any of the keys, read strongly consistent: an entry indexed before the call is always found. */
  findPhotos(bandKeys: string[]): Promise<PhotoIndexEntry[]>;
  indexPhoto(bandKeys: string[], entry: PhotoIndexEntry): Promise<void>;
  /** Removes what `indexPhoto` wrote for the entry; removing an entry that is not there is no error. */
  unindexPhoto(bandKeys: string[], entry: PhotoIndexEntry): Promise<void>;

  listObjections(proposalId: string): Promise<Objection[]>;
  addObjection(objection: Objection): Promise<void>;

  /**
   * Opens the task, or, when a pending one exists with another token, escalates it
   * (the SLA lapsed and the workflow asked again). A task decided just as its SLA lapsed keeps its
   * decision and takes the new token ('redelivered'), so the decision can still reach the workflow.
   */
  openOrEscalateTask(
    task: Omit<ApprovalTask, 'status' | 'escalations'>,
    token: string,
    escalatedTo: Tier,
  ): Promise<{ outcome: 'opened' | 'escalated' | 'redelivered' | 'unchanged'; task: ApprovalTask }>;
  getTask(taskId: string): Promise<(ApprovalTask & { token: string }) | undefined>;
  /** Records the decision once; a second decision gets ConflictError carrying the first. */
  recordDecision(taskId: string, decision: NonNullable<ApprovalTask['decision']>): Promise<ApprovalTask & { token: string }>;
  pendingTasks(tier: Tier, regionCode: string): Promise<ApprovalTask[]>;

  /**
   * A region's proposals by village, then creation (byRegion index), `status` applied as a filter. Pages hold at
   * most `limit` items; the store reads on past filtered-out items (up to 10 reads) so a page is rarely short.
   * A cursor that is not this store's, or points outside the region, throws InvalidCursorError.
   */
  listProposals(query: ProposalQuery): Promise<{ items: Proposal[]; cursor?: string }>;
  /** The village's proposals in their public review (IN_REVIEW at stage PUBLIC_REVIEW), for the notice board. */
  proposalsInReview(villageCode: string): Promise<Proposal[]>;
  /** Every proposal of the region, page by page, for reports. */
  summarizeProposals(region: string): AsyncIterable<Proposal & ProposalTiming>;

  /** Counts one hit for `subject` in the current fixed window; refused once `limit` hits were counted. */
  consumeRateLimit(subject: string, windowSeconds: number, limit: number): Promise<{ allowed: boolean; retryAfterSeconds: number }>;

  /** ConflictError IMPORT_EXISTS if the id is taken. */
  createImport(job: ImportJob): Promise<void>;
  getImport(importId: string): Promise<ImportJob | undefined>;
  /** WAITING_FOR_UPLOAD or RUNNING (a retried run starts again) → RUNNING; counters are kept. */
  startImport(importId: string, totalRows: number): Promise<ImportJob>;
  /**
   * Records a household's outcome, once: recording the same household again does nothing (`recorded: false`).
   * The job's counters are not touched: parallel writes to the one job item would conflict (see addImportProgress).
   */
  recordImportOutcome(importId: string, outcome: ImportOutcome): Promise<{ recorded: boolean }>;
  /**
   * Adds rows of outcomes a run recorded to the job's counters, which show progress while it runs. The job must be
   * RUNNING (ConflictError IMPORT_NOT_RUNNING): a run that finds it otherwise stops.
   */
  addImportProgress(importId: string, counts: ImportCounts): Promise<void>;
  /**
   * RUNNING → DONE, with the counters set from the recorded outcomes (so progress a crashed run never added is
   * counted too), or WAITING_FOR_UPLOAD/RUNNING → FAILED; finishing again with the same status returns the job.
   */
  finishImport(importId: string, status: 'DONE' | 'FAILED', error?: { code: string }): Promise<ImportJob>;
  /** Every recorded outcome, in the order of their first row. */
  importOutcomes(importId: string): Promise<ImportOutcome[]>;
}
