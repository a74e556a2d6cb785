import { activeFreezeFor } from '../../domain/freezes.ts';
import type { FreezeStore } from '../adapters/freeze-store.ts';
import type { RecordsStore } from '../adapters/records-store.ts';
import { mapWithLimit } from '../shared/concurrency.ts';
import { log } from '../shared/log.ts';
import type { TaskCallbacks } from './workflow-engine.ts';
import { deliverDecision } from './deliver-decision.ts';

const actor = { type: 'system' as const, id: 'release-held-decisions' };
const RELEASE_CONCURRENCY = 8;

/**
 * Sends every held decision whose region is no longer frozen to the workflow, as a decision taken directly is
 * sent (application/deliver-decision.ts). Each is claimed first (HELD → DECIDED, conditional), so two releases running at once
 * (the schedule and an early end) send it once; a send that fails puts it back to HELD for the next run, so
 * nothing is lost. No decision is claimed after `startBy` (epoch ms): the next run takes the rest.
 */
export async function releaseHeldDecisions(
  deps: { store: RecordsStore; freezes: FreezeStore; workflow: TaskCallbacks; now: () => Date },
  options: { startBy?: number } = {},
): Promise<{ released: number; failed: number; stillHeld: number }> {
  const held = await deps.freezes.heldDecisions();
  if (held.length === 0) return { released: 0, failed: 0, stillHeld: 0 };
  const now = deps.now();
  const freezes = await deps.freezes.listFreezes({ endingAfter: now });
  const due = held.filter((entry) => !activeFreezeFor(freezes, entry.villageCode, now));

  const results = await mapWithLimit(due, RELEASE_CONCURRENCY, async ({ taskId }) => {
    if (options.startBy !== undefined && Date.now() > options.startBy) return 'skipped' as const;
    const task = await deps.freezes.claimHeldDecision(taskId, actor);
    if (!task?.decision) return 'skipped' as const;
    try {
      // A lapsed token counts as released: the task is DECIDED now, so the workflow's re-ask delivers it.
      await deliverDecision(deps.workflow, { taskId, token: task.token, decision: task.decision.decision, resolution: task.decision.resolution });
      return 'released' as const;
    } catch (error) {
      log('error', 'held decision not delivered; kept for the next release', { taskId, error: (error as Error)?.name });
      await deps.freezes.restoreHeldDecision(task);
      return 'failed' as const;
    }
  });
  const released = results.filter((result) => result === 'released').length;
  const failed = results.filter((result) => result === 'failed').length;
  return { released, failed, stillHeld: held.length - released };
}
