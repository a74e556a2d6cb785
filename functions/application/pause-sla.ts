import { frozenMsBetween } from '../../domain/freezes.ts';
import type { FreezeStore, StoredTask } from '../adapters/freeze-store.ts';
import type { Actor } from '../adapters/records-store.ts';

/**
 * The task's SLA lapsed and the workflow asks again with `token`. If its region was frozen during the wait that
 * just ended, the frozen time does not count: the due date moves by it and the task takes the new token without
 * an escalation. The wait is the SLA just lapsed (the workflow's timeout is fixed), never before the task opened.
 */
export async function pauseSlaIfFrozen(
  deps: { freezes: FreezeStore; now: () => Date },
  task: StoredTask,
  token: string,
  slaMs: number,
  actor: Actor,
): Promise<StoredTask | undefined> {
  const now = deps.now();
  const waitStart = new Date(Math.max(Date.parse(task.createdAt), now.getTime() - slaMs));
  const freezes = await deps.freezes.listFreezes({ endingAfter: waitStart });
  const pausedMs = frozenMsBetween(freezes, task.villageCode, waitStart, now);
  if (pausedMs === 0) return undefined;
  const dueAt = new Date(Date.parse(task.dueAt) + pausedMs).toISOString();
  return deps.freezes.pauseTask(task, { token, dueAt, pausedMs }, actor);
}
