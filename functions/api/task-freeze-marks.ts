import { activeFreezeFor, type Freeze } from '../../domain/freezes.ts';
import type { ApprovalTask } from '../adapters/records-store.ts';

/**
 * Why a task waits, as the inbox and the proposal show it: the freeze over its region, and the decision held
 * meanwhile (until the release sends it, also after the freeze ended).
 */
export function taskFreezeMarks(task: ApprovalTask, freezes: Freeze[], at: Date) {
  const freeze = activeFreezeFor(freezes, task.villageCode, at);
  const held = task.status === 'HELD' && task.decision;
  return {
    ...(held && {
      held: {
        decision: held.decision,
        ...(held.reason ? { reason: held.reason } : {}),
        decidedBy: held.decidedBy,
        decidedAt: held.decidedAt,
      },
    }),
    ...(freeze && { frozen: { reason: freeze.reason, endsAt: freeze.endsAt } }),
  };
}
