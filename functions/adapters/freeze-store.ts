import type { Freeze } from '../../domain/freezes.ts';
import type { Actor, ApprovalTask } from './records-store.ts';

export type StoredTask = ApprovalTask & { token: string };
export type HeldDecision = NonNullable<ApprovalTask['decision']>;

/** An entry of a freeze's own audit trail (declared, ended early). */
export type FreezeAuditEntry = { freezeId: string; at: string; actor: Actor; action: string; detail?: Record<string, unknown> };

/**
 * Approval freezes and the decisions they hold. Every change is conditional and writes its audit entry (the
 * freeze's, or the proposal's for a task) in the same transaction.
 */
export interface FreezeStore {
  /** ConflictError FREEZE_EXISTS if the id is taken. */
  declareFreeze(freeze: Freeze): Promise<void>;
  getFreeze(freezeId: string): Promise<Freeze | undefined>;
  /** Every freeze of the province, or only those ending after `endingAfter` (active, upcoming, or overlapping a wait). */
  listFreezes(options?: { endingAfter?: Date }): Promise<Freeze[]>;
  /**
   * Moves the end of a freeze that has not ended to `at`. ConflictError FREEZE_NOT_FOUND, or FREEZE_ALREADY_ENDED
   * when it ended (or was ended) meanwhile.
   */
  endFreeze(freezeId: string, at: string, actor: Actor): Promise<Freeze>;
  freezeAuditTrail(freezeId: string): Promise<FreezeAuditEntry[]>;

  /**
   * PENDING → HELD with the decision, listed among the held decisions. ConflictError TASK_ALREADY_DECIDED when
   * the task is no longer pending (TASK_NOT_FOUND when it does not exist).
   */
  holdDecision(taskId: string, decision: HeldDecision, freeze: Pick<Freeze, 'freezeId' | 'endsAt'>, actor: Actor): Promise<StoredTask>;
  /** Every held decision's task id and village, for the release. */
  heldDecisions(): Promise<{ taskId: string; villageCode: string }[]>;
  /**
   * HELD → DECIDED, off the held list and out of the inbox: the caller now sends the decision. Undefined when the
   * task is not HELD (someone else released it), so a decision is claimed for sending once.
   */
  claimHeldDecision(taskId: string, actor: Actor): Promise<StoredTask | undefined>;
  /** Undoes a claim whose sending failed, so the next release tries again. */
  restoreHeldDecision(task: StoredTask): Promise<void>;
  /**
   * The SLA lapsed while the region was frozen: the task (PENDING or HELD) takes the workflow's new token and its
   * due date moves by the frozen time, without an escalation. ConflictError TASK_STATE_CHANGED when the token or
   * status changed meanwhile.
   */
  pauseTask(
    task: Pick<StoredTask, 'taskId' | 'proposalId' | 'version' | 'token' | 'tier'>,
    change: { token: string; dueAt: string; pausedMs: number },
    actor: Actor,
  ): Promise<StoredTask>;
}
