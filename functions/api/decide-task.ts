import { validateDecision } from '../../domain/decisions.ts';
import { stepFunctionsEngineFromEnvironment } from '../adapters/step-functions-engine.ts';
import { ConflictError } from '../adapters/records-store.ts';
import { decideTask as recordAndResume, DecisionNotAllowed } from '../application/decide-task.ts';
import { ApiError } from './errors.ts';
import { apiHandler, authorize, json, type ApiDeps, type ApiRequest } from './http.ts';
import { routeFor } from './routes.ts';

const route = routeFor('decideTask');

/**
 * An approver decides a task of their own tier inside their region; the decision is recorded once and resumes
 * the workflow (application/decide-task.ts). A second decision answers 409 with the one that stands.
 */
export async function decideTask(request: ApiRequest<typeof route>, deps: ApiDeps) {
  const { params, body, caller } = request;
  const task = await deps.store.getTask(params.taskId);
  if (!task) throw new ApiError('TASK_NOT_FOUND');
  // Before anything is recorded: a task of another tier or region is refused as it stands.
  authorize(request, { regionCode: task.regionCode, tier: task.tier });

  try {
    const decided = await recordAndResume(deps, {
      taskId: task.taskId,
      decision: body.decision,
      ...(body.reason ? { reason: body.reason } : {}),
      ...(body.resolution ? { resolution: body.resolution } : {}),
      actor: { type: 'user', id: caller.sub },
    });
    const { decision, reason, decidedBy, decidedAt } = decided.decision!;
    const recorded = { taskId: decided.taskId, decision, ...(reason ? { reason } : {}), decidedBy, decidedAt };
    // A frozen region: recorded, and sent to the workflow when the freeze ends.
    if ('frozen' in decided) {
      return json(202, { ...recorded, status: 'HELD', frozen: { reason: decided.frozen.reason, endsAt: decided.frozen.endsAt } });
    }
    return json(200, recorded);
  } catch (error) {
    if (error instanceof DecisionNotAllowed) {
      const check = validateDecision(body, task.kind);
      throw new ApiError(error.code, check.ok ? [] : check.issues);
    }
    if (error instanceof ConflictError && error.code === 'TASK_ALREADY_DECIDED') throw await alreadyDecided(deps, task.taskId);
    throw error;
  }
}

/** The conflict, showing the decision that was recorded first (read back: the store's error does not carry it). */
async function alreadyDecided(deps: ApiDeps, taskId: string): Promise<ApiError> {
  const recorded = (await deps.store.getTask(taskId))?.decision;
  if (!recorded) return new ApiError('TASK_ALREADY_DECIDED');
  const { decision, decidedAt, decidedBy } = recorded;
  return new ApiError('TASK_ALREADY_DECIDED', [], { recorded: { decision, decidedAt, decidedBy } });
}

export const handler = apiHandler(route, decideTask, { workflow: stepFunctionsEngineFromEnvironment });
