import { stepFunctionsEngineFromEnvironment } from './adapters/step-functions-engine.ts';
import { releaseHeldDecisions } from './application/release-held-decisions.ts';
import { depsFromEnvironment, type StageDeps } from './shared/runtime.ts';
import { log } from './shared/log.ts';

/** No decision is claimed later than this into a run (the function has 60 s; a throttled send is retried for 10 s). */
const CLAIM_WITHIN_MS = 40_000;

let deps: StageDeps | undefined;

/**
 * Every few minutes (EventBridge Scheduler, infra/freeze-release.ts): sends the decisions held by freezes that have
 * ended to the workflow. An early end through the API sends them at once; this catches planned ends, and any
 * decision an earlier run could not deliver.
 */
export async function handler() {
  deps ??= depsFromEnvironment(process.env, { workflow: stepFunctionsEngineFromEnvironment });
  const result = await releaseHeldDecisions(deps, { startBy: Date.now() + CLAIM_WITHIN_MS });
  if (result.released > 0 || result.failed > 0) log('info', 'held decisions released', result);
  return result;
}
