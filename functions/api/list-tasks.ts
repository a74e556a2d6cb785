import type { ApprovalTask } from '../adapters/records-store.ts';
import { duplicateComparison } from './duplicate-comparison.ts';
import { ApiError } from './errors.ts';
import { apiHandler, authorize, json, type ApiDeps, type ApiRequest } from './http.ts';
import { routeFor } from './routes.ts';
import { taskFreezeMarks } from './task-freeze-marks.ts';

const route = routeFor('listTasks');

/** The inbox's own order key (as its index sorts): due date, then task id for ties. */
const orderKey = (task: Pick<ApprovalTask, 'dueAt' | 'taskId'>) => `${task.dueAt}#${task.taskId}`;

const encodeCursor = (key: string) => Buffer.from(key, 'utf8').toString('base64url');

/** The order key a cursor stands for; anything this handler did not hand out is refused, never guessed. */
function decodeCursor(cursor: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new ApiError('INVALID_CURSOR');
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  const separator = key.indexOf('#');
  const dueAt = key.slice(0, separator);
  const valid =
    encodeCursor(key) === cursor &&
    separator > 0 &&
    separator < key.length - 1 &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/.test(dueAt) &&
    !Number.isNaN(Date.parse(dueAt));
  if (!valid) throw new ApiError('INVALID_CURSOR');
  return key;
}

/**
 * The approver's inbox: pending tasks of their tier in their region, oldest due first. A task is overdue once
 * its due date passed, and stays marked after an escalation (which gives it a new due date). Tokens stay inside.
 */
export async function listTasks(request: ApiRequest<typeof route>, deps: ApiDeps) {
  const { caller, query } = request;
  // The claims schema guarantees an approver has a tier, at its level's region.
  const tier = caller.tier!;
  authorize(request, { regionCode: caller.region, tier });
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);

  const pending = (await deps.store.pendingTasks(tier, caller.region))
    .map((task) => ({ task, key: orderKey(task) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .filter((entry) => after === undefined || entry.key > after);
  const page = pending.slice(0, query.limit);
  const at = deps.now();
  const now = at.getTime();
  const freezes = page.length ? await deps.freezes.listFreezes({ endingAfter: at }) : [];
  const items = await Promise.all(page.map(async ({ task }) => ({
    taskId: task.taskId,
    proposalId: task.proposalId,
    tier: task.tier,
    kind: task.kind,
    dueAt: task.dueAt,
    overdue: (task as { overdue?: boolean }).overdue === true || Date.parse(task.dueAt) < now,
    villageCode: task.villageCode,
    escalations: task.escalations ?? 0,
    ...taskFreezeMarks(task, freezes, at),
    ...(task.kind === 'duplicate' && { duplicate: await duplicateComparison(deps.store, caller, task) }),
  })));
  const last = page.at(-1);
  return json(200, { items, ...(pending.length > page.length && last ? { cursor: encodeCursor(last.key) } : {}) });
}

export const handler = apiHandler(route, listTasks);
