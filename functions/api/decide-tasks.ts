import { mayAccess } from '../../domain/access.ts';
import { stepFunctionsEngineFromEnvironment } from '../adapters/step-functions-engine.ts';
import { decideTasks as decideEach, type BatchOutcome } from '../application/decide-tasks.ts';
import { ApiError, errorBody } from './errors.ts';
import { apiHandler, json, type ApiDeps, type ApiRequest } from './http.ts';
import { routeFor } from './routes.ts';

const route = routeFor('decideTasks');

/**
 * No decision starts later than 18 s after the request arrived, and a throttled send to the workflow is tried
 * again for at most 8 s, so every started decision ends inside the function's 29 s and API Gateway's 30 s.
 * Measured locally on a loaded 2-CPU machine, 200 decisions took ~12 s.
 */
const START_WITHIN_MS = 18_000;
const RETRY_SEND_FOR_MS = 8_000;

/**
 * An approver decides many tasks at once (a village's list after its musyawarah). Each is authorized, recorded,
 * audited and resumed on its own, exactly as POST /tasks/{taskId}/decision would; the answer is 200 with one
 * outcome per decision, in order, whatever the outcomes are.
 */
export async function decideTasks(request: ApiRequest<typeof route>, deps: ApiDeps) {
  const { caller, body, lang } = request;
  const startBy = Date.now() + START_WITHIN_MS;
  const outcomes = await decideEach({ ...deps, retryForMs: RETRY_SEND_FOR_MS }, {
    items: body.decisions,
    actor: { type: 'user', id: caller.sub },
    refusal: (task) => {
      if (mayAccess(caller, route.access, { regionCode: task.regionCode, tier: task.tier })) return undefined;
      return task.tier !== caller.tier ? 'FORBIDDEN_TIER' : 'FORBIDDEN_REGION';
    },
    startBy,
  });
  return json(200, { items: outcomes.map((outcome) => view(outcome, lang)) });
}

function view(outcome: BatchOutcome, lang: ApiRequest['lang']) {
  const { taskId } = outcome;
  const decision = 'decision' in outcome && outcome.decision ? decisionView(outcome.decision) : undefined;
  const error =
    'error' in outcome
      ? errorBody(new ApiError(outcome.error.code, 'details' in outcome.error ? outcome.error.details : []), lang).error
      : undefined;
  return {
    taskId,
    outcome: outcome.outcome,
    ...(decision && { decision }),
    ...(outcome.outcome === 'HELD' && { frozen: { reason: outcome.frozen.reason, endsAt: outcome.frozen.endsAt } }),
    ...(error && { error }),
  };
}

const decisionView = ({ decision, reason, decidedBy, decidedAt }: NonNullable<Extract<BatchOutcome, { decision: unknown }>['decision']>) => ({
  decision,
  ...(reason ? { reason } : {}),
  decidedBy,
  decidedAt,
});

export const handler = apiHandler(route, decideTasks, { workflow: stepFunctionsEngineFromEnvironment });
