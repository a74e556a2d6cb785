import type { Flag, Proposal } from '../../domain/proposal.ts';
import type { ValidationIssue } from '../../domain/messages.ts';
import type { Stage, Status } from '../../domain/lifecycle.ts';
import type { Tier } from '../../domain/province-config.ts';
import type { Decision, TaskKind } from '../../domain/decisions.ts';

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
  audit: { actor: Actor; action: string; detail?: Record<string, unknown> };
};

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
  status: 'PENDING' | 'DECIDED';
  decision?: { decision: Decision; reason?: string; decidedBy: string; decidedAt: string };
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

export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  constructor(message: string, readonly code = 'CONFLICT') {
    super(message);
  }
}

/**
 * Everything the stages persist. One implementation talks to DynamoDB; the domain never sees it.
 * Every state change is conditional and writes its audit entry in the same transaction.
 */
export interface RecordsStore {
  createProposal(proposal: Proposal, audit: { actor: Actor; action: string }): Promise<void>;
  getProposal(proposalId: string): Promise<(Proposal & { locks?: IdentityLock[] }) | undefined>;
  changeProposal(proposalId: string, change: ProposalChange): Promise<Proposal>;
  auditTrail(proposalId: string): Promise<AuditEntry[]>;
  /** An audit entry for an act that changes no proposal state by itself (a decision, an objection). */
  appendAudit(entry: AuditEntry): Promise<void>;

  /** Takes every lock or none. Locks this proposal already holds count as taken. */
  acquireLocks(proposalId: string, locks: IdentityLock[]): Promise<{ conflicts: LockConflict[] }>;
  /** Drops the ACTIVE locks this proposal holds; registrations stay. */
  releaseLocks(proposalId: string, locks: IdentityLock[]): Promise<void>;
  /** Turns the proposal's locks into registrations and marks it REGISTERED, atomically. */
  register(proposalId: string, change: ProposalChange, registeredAt: string): Promise<Proposal>;
  registryOf(villageCode: string): Promise<{ proposalId: string; registeredAt: string }[]>;

  findPhotos(bandKeys: string[]): Promise<PhotoIndexEntry[]>;
  indexPhoto(bandKeys: string[], entry: PhotoIndexEntry): Promise<void>;

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
}
