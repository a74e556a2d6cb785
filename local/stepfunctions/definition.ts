import { StateMachine as AslStateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { StepFunctionsError } from './errors.ts';

/**
 * Turns an ASL definition into the one aws-local-stepfunctions actually runs. The host takes over what the
 * library gets wrong for this project (Task timeouts, task tokens, retries, scaled waits, resumable state),
 * so the rewritten definition hands every Task and Wait state to a host handler and strips what the library
 * would otherwise do itself:
 *
 * - Task: `Retry`, `TimeoutSeconds(Path)` and `HeartbeatSeconds(Path)` removed (the host applies them), and a
 *   `TimeoutSeconds` as long as one Node timer can be set, because the library otherwise times every Task out
 *   after 60 s. Path-valued timeouts are evaluated by the library through injected `Parameters` keys.
 * - Wait: becomes a Task whose Parameters carry the input (and the SecondsPath/TimestampPath value), so the
 *   host can scale, persist and resume the wait.
 * - Catchers listing `States.Timeout` also list `States.HeartbeatTimeout`, which AWS matches by `States.Timeout`.
 * - Top-level `TimeoutSeconds` removed (the host times the execution out, scaled and across restarts).
 * - `$$.Execution.Input` / `$$.Execution.StartTime` read host-supplied context fields, because the library
 *   overwrites those with the input and time of the run, which is wrong after a resume and inside Map/Parallel.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type StateType = 'Task' | 'Parallel' | 'Map' | 'Pass' | 'Wait' | 'Choice' | 'Succeed' | 'Fail';

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

export interface MachineDefinition {
  StartAt: string;
  States: Record<string, JsonObject>;
  TimeoutSeconds?: number;
  Comment?: string;
  [key: string]: JsonValue | undefined;
}

export type Integration =
  /** `arn:aws:states:::lambda:invoke[.waitForTaskToken]`: result is the Invoke response. */
  | { kind: 'lambda'; resource: string; waitForTaskToken: boolean }
  /** A function ARN as the Resource (the original Lambda integration): result is the function's return. */
  | { kind: 'lambda-function'; resource: string; waitForTaskToken: false }
  /** `arn:aws:states:::events:putEvents[.waitForTaskToken]`. */
  | { kind: 'events'; resource: string; waitForTaskToken: boolean };

interface BasePlan {
  name: string;
  /** States of the top-level machine; only these are checkpointed and resumable. */
  topLevel: boolean;
}

export interface TaskPlan extends BasePlan {
  kind: 'task';
  type: 'Task';
  integration: Integration;
  retriers: Retrier[];
  timeoutSeconds: number | undefined;
  heartbeatSeconds: number | undefined;
  timeoutFromPath: boolean;
  heartbeatFromPath: boolean;
  /** Parameters were wrapped to carry path-valued timeouts; the real ones are under INJECTED.parameters. */
  wrapped: boolean;
}

export interface WaitPlan extends BasePlan {
  kind: 'wait';
  type: 'Wait';
  seconds: number | undefined;
  timestamp: string | undefined;
  fromPath: 'SecondsPath' | 'TimestampPath' | undefined;
}

export interface OtherPlan extends BasePlan {
  kind: 'other';
  type: Exclude<StateType, 'Task' | 'Wait'>;
}

export type StatePlan = TaskPlan | WaitPlan | OtherPlan;

export interface CompiledDefinition {
  /** The definition as given (already resolved from the template). */
  readonly definition: MachineDefinition;
  /** What the library runs. */
  readonly runnable: MachineDefinition;
  readonly states: ReadonlyMap<string, StatePlan>;
  readonly executionTimeoutSeconds: number | undefined;
  /** Retry of Map/Parallel states, which the library still applies; the host only scales its intervals. */
  readonly libraryRetries: ReadonlyMap<string, Retrier[]>;
}

/** Keys the rewrite adds to Parameters; the host strips them before the integration sees the input. */
export const INJECTED = {
  parameters: '__vervalParameters',
  input: '__vervalInput',
  timeoutSeconds: '__vervalTimeoutSeconds',
  heartbeatSeconds: '__vervalHeartbeatSeconds',
  waitSeconds: '__vervalWaitSeconds',
  waitTimestamp: '__vervalWaitTimestamp',
} as const;

/** Context fields the host fills in place of the ones the library overwrites. */
export const CONTEXT_FIELDS = { input: 'VervalInput', startTime: 'VervalStartTime' } as const;

/** The Resource a rewritten Wait carries; only the host handler ever sees it. */
export const WAIT_RESOURCE = 'arn:aws:states:::verval-local:wait';

/** Longest timeout one Node timer can hold, in whole seconds. */
export const LIBRARY_MAX_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

const STATES_INTEGRATION = /^arn:aws[a-z-]*:states:::([a-z0-9-]+):([A-Za-z]+)(\.waitForTaskToken|\.sync(?::2)?)?$/;
const LAMBDA_FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/;

export interface CompileOptions {
  /** What the library's own Task timer is set to; tests lower it to exercise the rollover. */
  libraryTimeoutSeconds?: number;
  /** Run asl-validator on the definition first (default true). */
  validate?: boolean;
}

export function compileDefinition(input: unknown, options: CompileOptions = {}): CompiledDefinition {
  const definition = parseDefinition(input);
  if (options.validate !== false) validate(definition);
  const states = new Map<string, StatePlan>();
  const libraryRetries = new Map<string, Retrier[]>();
  const libraryTimeoutSeconds = options.libraryTimeoutSeconds ?? LIBRARY_MAX_TIMEOUT_SECONDS;
  const runnable = rewriteMachine(definition, true, { states, libraryRetries, libraryTimeoutSeconds });
  delete runnable.TimeoutSeconds;
  return {
    definition,
    runnable: rewriteContextPaths(runnable) as MachineDefinition,
    states,
    executionTimeoutSeconds: typeof definition.TimeoutSeconds === 'number' ? definition.TimeoutSeconds : undefined,
    libraryRetries,
  };
}

/** The runnable definition, entered at a top-level state instead of StartAt (how executions resume). */
export function startingAt(compiled: CompiledDefinition, stateName: string): MachineDefinition {
  const plan = compiled.states.get(stateName);
  if (!plan?.topLevel) throw new Error(`Cannot resume at "${stateName}": not a top-level state of this definition`);
  return { ...compiled.runnable, StartAt: stateName };
}

export function asLibraryDefinition(definition: MachineDefinition): StateMachineDefinition {
  return definition as unknown as StateMachineDefinition;
}

function parseDefinition(input: unknown): MachineDefinition {
  let value = input;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (error) {
      throw new StepFunctionsError('InvalidDefinition', `Definition is not JSON: ${(error as Error).message}`);
    }
  }
  if (!isObject(value) || typeof value.StartAt !== 'string' || !isObject(value.States)) {
    throw new StepFunctionsError('InvalidDefinition', 'Definition needs StartAt and States');
  }
  return structuredClone(value) as unknown as MachineDefinition;
}

/**
 * asl-validator builds a new JSON-schema compiler per call (~0.5 s), so outcomes are kept per definition
 * text: the same definition created again (every test, every restart of a long-lived process) is free.
 */
const validationOutcomes = new Map<string, string | null>();

function validate(definition: MachineDefinition): void {
  rejectJsonata(definition, '$');
  const text = JSON.stringify(definition);
  let problem = validationOutcomes.get(text);
  if (problem === undefined) {
    try {
      // The library's constructor runs asl-validator (schema, ARNs, JSONPaths). It writes QueryLanguage
      // into every state of what it is given, hence the copy.
      new AslStateMachine(asLibraryDefinition(structuredClone(definition)));
      problem = null;
    } catch (error) {
      problem = (error as Error).message;
    }
    validationOutcomes.set(text, problem);
  }
  if (problem !== null) throw new StepFunctionsError('InvalidDefinition', problem);
}

function rejectJsonata(value: unknown, where: string): void {
  if (Array.isArray(value)) value.forEach((item, i) => rejectJsonata(item, `${where}[${i}]`));
  else if (isObject(value)) {
    if (value.QueryLanguage === 'JSONata') {
      throw new StepFunctionsError('InvalidDefinition', `JSONata (at ${where}) is not supported locally; use JSONPath`);
    }
    for (const [key, item] of Object.entries(value)) rejectJsonata(item, `${where}.${key}`);
  }
}

interface RewriteScope {
  states: Map<string, StatePlan>;
  libraryRetries: Map<string, Retrier[]>;
  libraryTimeoutSeconds: number;
}

function rewriteMachine(machine: MachineDefinition, topLevel: boolean, scope: RewriteScope): MachineDefinition {
  const states: Record<string, JsonObject> = {};
  for (const [name, state] of Object.entries(machine.States)) {
    if (scope.states.has(name)) {
      throw new StepFunctionsError('InvalidDefinition', `State name "${name}" is used more than once`);
    }
    states[name] = rewriteState(name, state, topLevel, scope);
  }
  return { ...machine, States: states };
}

function rewriteState(name: string, state: JsonObject, topLevel: boolean, scope: RewriteScope): JsonObject {
  const type = state.Type as StateType;
  switch (type) {
    case 'Task':
      return rewriteTask(name, state, topLevel, scope);
    case 'Wait':
      return rewriteWait(name, state, topLevel, scope);
    case 'Map': {
      scope.states.set(name, { kind: 'other', type, name, topLevel });
      for (const field of ['ItemReader', 'ResultWriter', 'ItemBatcher', 'ToleratedFailureCount', 'ToleratedFailurePercentage']) {
        if (field in state) unsupported(name, `Map field ${field} (distributed Map)`);
      }
      const processorKey = 'ItemProcessor' in state ? 'ItemProcessor' : 'Iterator';
      const processor = state[processorKey];
      if (!isObject(processor)) throw new StepFunctionsError('InvalidDefinition', `Map state "${name}" has no ItemProcessor`);
      const config = processor.ProcessorConfig;
      if (isObject(config) && config.Mode === 'DISTRIBUTED') unsupported(name, 'distributed Map');
      if (Array.isArray(state.Retry)) scope.libraryRetries.set(name, state.Retry as unknown as Retrier[]);
      return {
        ...state,
        [processorKey]: rewriteMachine(processor as unknown as MachineDefinition, false, scope) as unknown as JsonObject,
      };
    }
    case 'Parallel': {
      scope.states.set(name, { kind: 'other', type, name, topLevel });
      if (Array.isArray(state.Retry)) scope.libraryRetries.set(name, state.Retry as unknown as Retrier[]);
      const branches = Array.isArray(state.Branches) ? state.Branches : [];
      return {
        ...state,
        Branches: branches.map(
          (branch) => rewriteMachine(branch as unknown as MachineDefinition, false, scope) as unknown as JsonObject,
        ),
      };
    }
    default:
      scope.states.set(name, { kind: 'other', type, name, topLevel });
      return state;
  }
}

function rewriteTask(name: string, state: JsonObject, topLevel: boolean, scope: RewriteScope): JsonObject {
  const resource = state.Resource;
  if (typeof resource !== 'string') throw new StepFunctionsError('InvalidDefinition', `Task state "${name}" has no Resource`);
  const integration = classifyResource(name, resource);
  const plan: TaskPlan = {
    kind: 'task',
    type: 'Task',
    name,
    topLevel,
    integration,
    retriers: Array.isArray(state.Retry) ? (state.Retry as unknown as Retrier[]) : [],
    timeoutSeconds: typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : undefined,
    heartbeatSeconds: typeof state.HeartbeatSeconds === 'number' ? state.HeartbeatSeconds : undefined,
    timeoutFromPath: typeof state.TimeoutSecondsPath === 'string',
    heartbeatFromPath: typeof state.HeartbeatSecondsPath === 'string',
    wrapped: false,
  };
  const rewritten: JsonObject = { ...state };
  for (const field of ['Retry', 'TimeoutSeconds', 'TimeoutSecondsPath', 'HeartbeatSeconds', 'HeartbeatSecondsPath']) {
    delete rewritten[field];
  }
  rewritten.TimeoutSeconds = scope.libraryTimeoutSeconds;
  if (Array.isArray(state.Catch)) rewritten.Catch = state.Catch.map((catcher) => widenTimeoutCatcher(catcher));
  if (plan.timeoutFromPath || plan.heartbeatFromPath) {
    const wrapped: JsonObject =
      'Parameters' in state ? { [INJECTED.parameters]: state.Parameters ?? null } : { [`${INJECTED.parameters}.$`]: '$' };
    if (plan.timeoutFromPath) wrapped[`${INJECTED.timeoutSeconds}.$`] = state.TimeoutSecondsPath ?? '$';
    if (plan.heartbeatFromPath) wrapped[`${INJECTED.heartbeatSeconds}.$`] = state.HeartbeatSecondsPath ?? '$';
    rewritten.Parameters = wrapped;
    plan.wrapped = true;
  }
  scope.states.set(name, plan);
  return rewritten;
}

function rewriteWait(name: string, state: JsonObject, topLevel: boolean, scope: RewriteScope): JsonObject {
  const parameters: JsonObject = { [`${INJECTED.input}.$`]: '$' };
  let fromPath: WaitPlan['fromPath'];
  if (typeof state.SecondsPath === 'string') {
    parameters[`${INJECTED.waitSeconds}.$`] = state.SecondsPath;
    fromPath = 'SecondsPath';
  } else if (typeof state.TimestampPath === 'string') {
    parameters[`${INJECTED.waitTimestamp}.$`] = state.TimestampPath;
    fromPath = 'TimestampPath';
  }
  scope.states.set(name, {
    kind: 'wait',
    type: 'Wait',
    name,
    topLevel,
    seconds: typeof state.Seconds === 'number' ? state.Seconds : undefined,
    timestamp: typeof state.Timestamp === 'string' ? state.Timestamp : undefined,
    fromPath,
  });
  const rewritten: JsonObject = {
    Type: 'Task',
    Resource: WAIT_RESOURCE,
    Parameters: parameters,
    TimeoutSeconds: scope.libraryTimeoutSeconds,
  };
  for (const field of ['Comment', 'InputPath', 'OutputPath', 'Next', 'End']) {
    if (field in state) rewritten[field] = state[field] ?? null;
  }
  return rewritten;
}

function widenTimeoutCatcher(catcher: JsonValue): JsonValue {
  if (!isObject(catcher) || !Array.isArray(catcher.ErrorEquals)) return catcher;
  const errors = catcher.ErrorEquals;
  if (errors.includes('States.Timeout') && !errors.includes('States.HeartbeatTimeout')) {
    return { ...catcher, ErrorEquals: [...errors, 'States.HeartbeatTimeout'] };
  }
  return catcher;
}

export function classifyResource(stateName: string, resource: string): Integration {
  const match = STATES_INTEGRATION.exec(resource);
  if (match) {
    const [, service, action, suffix] = match;
    const waitForTaskToken = suffix === '.waitForTaskToken';
    if (suffix === undefined || waitForTaskToken) {
      if (service === 'lambda' && action === 'invoke') return { kind: 'lambda', resource, waitForTaskToken };
      if (service === 'events' && action === 'putEvents') return { kind: 'events', resource, waitForTaskToken };
    }
  } else if (LAMBDA_FUNCTION_ARN.test(resource)) {
    return { kind: 'lambda-function', resource, waitForTaskToken: false };
  }
  return unsupported(stateName, `resource ${resource}`);
}

function unsupported(stateName: string, what: string): never {
  throw new StepFunctionsError(
    'InvalidDefinition',
    `State "${stateName}" uses ${what}, which is not supported locally. Supported: arn:aws:states:::lambda:invoke, ` +
      'arn:aws:states:::lambda:invoke.waitForTaskToken, arn:aws:states:::events:putEvents(.waitForTaskToken) and Lambda function ARNs',
  );
}

const CONTEXT_PATH = /\$\$\.Execution\.(Input|StartTime)(?![A-Za-z0-9_])/g;

/** Points `$$.Execution.Input/StartTime` in any path-valued field at the host's context fields. */
function rewriteContextPaths(value: JsonValue | MachineDefinition): JsonValue {
  if (Array.isArray(value)) return value.map((item) => rewriteContextPaths(item));
  if (!isObject(value)) return value as JsonValue;
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string' && (key.endsWith('.$') || key.endsWith('Path') || key === 'Variable')) {
      out[key] = item.replace(CONTEXT_PATH, (_, field: string) =>
        field === 'Input' ? `$$.Execution.${CONTEXT_FIELDS.input}` : `$$.Execution.${CONTEXT_FIELDS.startTime}`,
      );
    } else {
      out[key] = rewriteContextPaths(item as JsonValue);
    }
  }
  return out;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
