import { randomBytes, randomUUID } from 'node:crypto';
import { ExecutionError, StateMachine as AslStateMachine } from 'aws-local-stepfunctions';
import {
  CONTEXT_FIELDS,
  INJECTED,
  LIBRARY_MAX_TIMEOUT_SECONDS,
  WAIT_RESOURCE,
  asLibraryDefinition,
  compileDefinition,
  isObject,
  startingAt,
  type CompiledDefinition,
  type Integration,
  type JsonObject,
  type JsonValue,
  type Retrier,
  type TaskPlan,
  type WaitPlan,
} from './definition.ts';
import { StepFunctionsError } from './errors.ts';
import { detailsKey, toHistoryEvent, type HistoryEvent, type HistoryEventType, type StoredHistoryEvent } from './history.ts';
import {
  ExecutionStore,
  definitionHash,
  type Checkpoint,
  type ExecutionRecord,
  type ExecutionStatus,
  type PendingTask,
  type TokenOutcome,
} from './store.ts';
import { afterMicrotasks, deferred, sleep, sleepUntil, whenAborted, type Deferred } from './timers.ts';

/**
 * Runs Step Functions state machines (JSONPath ASL) locally with the semantics of the real service where the
 * project depends on them: real task tokens, Task timeouts only when the definition has them, Retry/Catch on
 * Lambda error names, scaled time for demos and tests, and executions that survive a restart of the process.
 *
 * aws-local-stepfunctions interprets the states; see definition.ts for what is taken away from it and why.
 *
 * Resuming after a restart re-enters the top-level state the execution was in (StartAt rewritten, that state's
 * saved input). A Map or Parallel state in progress is re-run as a whole: their interiors are not checkpointed.
 */

export type InvokeFunction = (functionNameOrArn: string, payload: unknown) => Promise<unknown>;

/** PutEvents request entries as the SDK shapes them (`Detail` is a JSON string). */
export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: string;
  TraceHeader?: string;
  [key: string]: unknown;
}

/** May return a PutEvents response (`{ Entries, FailedEntryCount }`); otherwise every entry gets an id. */
export type OnEvents = (entries: PutEventsEntry[]) => unknown;

export interface StateMachineHostOptions {
  /** Stands in for Lambda Invoke. Throw an error whose `name` is the error type (e.g. `Lambda.ServiceException`). */
  invokeFunction: InvokeFunction;
  /** Receives the entries of `events:putEvents` tasks. Required if a definition has one. */
  onEvents?: OnEvents;
  /**
   * Multiplies every relative duration: Task TimeoutSeconds/HeartbeatSeconds, Wait Seconds(Path), Retry
   * intervals and the execution's TimeoutSeconds. Absolute Wait timestamps are not scaled. Default 1.
   */
  timeScale?: number;
  /** Persist executions here and allow `resumeExecutions()` after a restart. */
  dataDir?: string;
  /** Run asl-validator on definitions at createStateMachine (default true). */
  validateDefinitions?: boolean;
  /** Errors with no caller to throw to (a failing event write, a bug); default logs to stderr. */
  onBackgroundError?: (error: unknown) => void;
  /**
   * The library's own Task timer, in ms (default: the longest one Node timer holds, ~24.8 days). A top-level
   * Task or Wait that lasts longer is re-entered from its checkpoint before that timer fires. Lowered in tests.
   */
  libraryTimerLimitMs?: number;
}

export interface CreateStateMachineInput {
  arn: string;
  name?: string;
  /** Parsed ASL (or its JSON text), with template intrinsics already resolved. */
  definition: unknown;
  roleArn?: string;
}

export interface StartExecutionInput {
  stateMachineArn: string;
  name?: string;
  input?: string;
}

export interface DescribeExecutionOutput {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  input: string;
  inputDetails: { included: boolean };
  output?: string;
  outputDetails?: { included: boolean };
  error?: string;
  cause?: string;
}

export interface ExecutionListItem {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
}

interface RegisteredStateMachine {
  arn: string;
  name: string;
  roleArn: string;
  compiled: CompiledDefinition;
  hash: string;
  creationDate: number;
}

interface LiveExecution {
  record: ExecutionRecord;
  /** Set once the execution runs in this host (started here or resumed). */
  compiled?: CompiledDefinition;
  roleArn: string;
  segment?: Segment;
  /** Aborted when the execution stops running here (finished, or the host closed). */
  lifetime?: AbortController;
  done: Deferred<void>;
  flushScheduled: boolean;
  pendingTokens: Set<string>;
}

/** One run of the library over an execution; a resume or rollover starts a new one. */
interface Segment {
  exec: LiveExecution;
  controller: AbortController;
  cancelled: boolean;
  run?: { abort: () => void };
  /** Checkpoint to re-enter with; taken by the first handler call for that state. */
  resume?: Checkpoint;
  /** The library reports entering the resumed state again; history already has it. */
  suppressEnteredFor?: string;
}

interface TokenEntry {
  token: string;
  executionArn: string;
  stateName: string;
  status: 'pending' | 'closed' | 'timedOut';
  result?: TokenOutcome;
  outcome: Deferred<TokenOutcome>;
  /** Resolved (and replaced) on heartbeat so the waiter re-reads the deadline. */
  changed: Deferred<void>;
  deadline: number | null;
  heartbeatMs: number | null;
  heartbeatDeadline: number | null;
}

type LibraryRun = ReturnType<AslStateMachine['run']>;
type LibraryEvent = LibraryRun['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/** A Task attempt's failure before it is handed to the library as the error Retry/Catch see. */
class TaskFailure extends Error {
  constructor(
    readonly error: string,
    readonly failureCause: string,
    readonly kind: 'failed' | 'timeout' | 'runtime',
  ) {
    super(failureCause);
    this.name = 'TaskFailure';
  }
}

class SegmentCancelled extends Error {
  constructor(reason: string) {
    super(`execution segment cancelled: ${reason}`);
    this.name = 'SegmentCancelled';
  }
}

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
const STATE_MACHINE_ARN = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):stateMachine:([A-Za-z0-9_-]{1,80})$/;
const RFC3339 =
  /^\d{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])(\.\d+)?(Z|[+-]([01][0-9]|2[0-3]):([0-5][0-9]))$/;
const FAIL_STATE_DEFAULT_CAUSE = 'Execution failed because of a Fail state';
/**
 * A promise that never settles, new for each use: every race against one adds a reaction to it, and a shared one
 * would keep each race's awaiting task (its segment, its execution, the host) for the life of the process.
 */
const never = (): Promise<never> => new Promise<never>(() => undefined);

export class StateMachineHost {
  private readonly options: StateMachineHostOptions;
  private readonly timeScale: number;
  private readonly store: ExecutionStore | undefined;
  private readonly libraryTimeoutSeconds: number;
  private readonly rolloverMs: number;
  private readonly stateMachines = new Map<string, RegisteredStateMachine>();
  private readonly executions = new Map<string, LiveExecution>();
  private readonly tokens = new Map<string, TokenEntry>();
  /** Put in `$$.Task.Token`; replaced by the attempt's real token in the task input. */
  private readonly tokenSentinel = `verval-local-task-token-${randomUUID()}`;
  private closed = false;

  constructor(options: StateMachineHostOptions) {
    this.options = options;
    this.timeScale = options.timeScale ?? 1;
    if (!(this.timeScale > 0)) throw new RangeError('timeScale must be a positive number');
    const limitMs = options.libraryTimerLimitMs ?? LIBRARY_MAX_TIMEOUT_SECONDS * 1000;
    this.libraryTimeoutSeconds = limitMs / 1000;
    this.rolloverMs = limitMs - Math.min(600_000, limitMs * 0.1);
    this.store = options.dataDir ? new ExecutionStore(options.dataDir) : undefined;
    if (this.store) this.load(this.store);
  }

  // ---------------------------------------------------------------- state machines

  async createStateMachine(input: CreateStateMachineInput): Promise<{ stateMachineArn: string; creationDate: Date }> {
    this.assertOpen();
    const match = STATE_MACHINE_ARN.exec(input.arn);
    if (!match) throw new StepFunctionsError('InvalidArn', `Not a state machine ARN: ${input.arn}`);
    const compiled = compileDefinition(input.definition, {
      libraryTimeoutSeconds: this.libraryTimeoutSeconds,
      validate: this.options.validateDefinitions,
    });
    if (!this.options.onEvents) {
      for (const plan of compiled.states.values()) {
        if (plan.kind === 'task' && plan.integration.kind === 'events') {
          throw new StepFunctionsError(
            'InvalidDefinition',
            `State "${plan.name}" puts events, but the host was created without onEvents`,
          );
        }
      }
    }
    const hash = definitionHash(compiled.definition);
    this.store?.saveDefinition(hash, compiled.definition);
    const creationDate = this.stateMachines.get(input.arn)?.creationDate ?? Date.now();
    // Re-creating replaces the definition for new executions; running ones keep the one they started with.
    this.stateMachines.set(input.arn, {
      arn: input.arn,
      name: input.name ?? match[4]!,
      roleArn: input.roleArn ?? `arn:${match[1]}:iam::${match[3]}:role/${match[4]}Role`,
      compiled,
      hash,
      creationDate,
    });
    return { stateMachineArn: input.arn, creationDate: new Date(creationDate) };
  }

  async describeStateMachine(input: { stateMachineArn: string }) {
    const machine = this.stateMachine(input.stateMachineArn);
    return {
      stateMachineArn: machine.arn,
      name: machine.name,
      status: 'ACTIVE' as const,
      type: 'STANDARD' as const,
      definition: JSON.stringify(machine.compiled.definition),
      roleArn: machine.roleArn,
      creationDate: new Date(machine.creationDate),
    };
  }

  async listStateMachines() {
    return {
      stateMachines: [...this.stateMachines.values()].map((machine) => ({
        stateMachineArn: machine.arn,
        name: machine.name,
        type: 'STANDARD' as const,
        creationDate: new Date(machine.creationDate),
      })),
    };
  }

  // ---------------------------------------------------------------- executions

  async startExecution(input: StartExecutionInput): Promise<{ executionArn: string; startDate: Date }> {
    this.assertOpen();
    const machine = this.stateMachine(input.stateMachineArn);
    const name = input.name ?? randomUUID();
    if (!NAME_PATTERN.test(name)) {
      throw new StepFunctionsError('InvalidName', `Invalid execution name "${name}": 1–80 characters of A–Z, a–z, 0–9, - and _`);
    }
    const inputText = input.input ?? '{}';
    let parsedInput: JsonValue;
    try {
      parsedInput = JSON.parse(inputText) as JsonValue;
    } catch (error) {
      throw new StepFunctionsError('InvalidExecutionInput', `Execution input is not JSON: ${(error as Error).message}`);
    }
    const executionArn = `${machine.arn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      // AWS: the same name and input while it is still running is the same request; anything else is a conflict.
      if (existing.record.status === 'RUNNING' && existing.record.input === inputText) {
        return { executionArn, startDate: new Date(existing.record.startDate) };
      }
      throw new StepFunctionsError('ExecutionAlreadyExists', `Execution already exists: '${executionArn}'`);
    }
    const now = Date.now();
    const exec: LiveExecution = {
      record: {
        version: 1,
        executionArn,
        stateMachineArn: machine.arn,
        name,
        definitionHash: machine.hash,
        status: 'RUNNING',
        input: inputText,
        startDate: now,
        history: [],
        retiredTokens: {},
      },
      compiled: machine.compiled,
      roleArn: machine.roleArn,
      done: deferred<void>(),
      flushScheduled: false,
      pendingTokens: new Set(),
    };
    if (machine.compiled.executionTimeoutSeconds !== undefined) {
      exec.record.executionDeadline = now + machine.compiled.executionTimeoutSeconds * 1000 * this.timeScale;
    }
    this.executions.set(executionArn, exec);
    this.append(exec, 'ExecutionStarted', {
      input: JSON.stringify(parsedInput),
      inputDetails: { truncated: false },
      roleArn: machine.roleArn,
    });
    this.flushNow(exec);
    this.activate(exec);
    this.startSegment(exec);
    return { executionArn, startDate: new Date(now) };
  }

  async describeExecution(input: string | { executionArn: string }): Promise<DescribeExecutionOutput> {
    const record = this.execution(typeof input === 'string' ? input : input.executionArn).record;
    return {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: new Date(record.startDate),
      ...(record.stopDate !== undefined ? { stopDate: new Date(record.stopDate) } : {}),
      input: record.input,
      inputDetails: { included: true },
      ...(record.output !== undefined ? { output: record.output, outputDetails: { included: true } } : {}),
      ...(record.error !== undefined ? { error: record.error } : {}),
      ...(record.cause !== undefined ? { cause: record.cause } : {}),
    };
  }

  async listExecutions(input: {
    stateMachineArn: string;
    statusFilter?: ExecutionStatus;
    maxResults?: number;
    nextToken?: string;
  }): Promise<{ executions: ExecutionListItem[]; nextToken?: string }> {
    this.stateMachine(input.stateMachineArn);
    const matching = [...this.executions.values()]
      .map((exec) => exec.record)
      .filter((record) => record.stateMachineArn === input.stateMachineArn)
      .filter((record) => input.statusFilter === undefined || record.status === input.statusFilter)
      // Newest first, as AWS lists them.
      .sort((a, b) => b.startDate - a.startDate || a.name.localeCompare(b.name));
    const offset = input.nextToken ? decodePageToken(input.nextToken).offset ?? 0 : 0;
    const size = pageSize(input.maxResults);
    const page = matching.slice(offset, offset + size);
    return {
      executions: page.map((record) => ({
        executionArn: record.executionArn,
        stateMachineArn: record.stateMachineArn,
        name: record.name,
        status: record.status,
        startDate: new Date(record.startDate),
        ...(record.stopDate !== undefined ? { stopDate: new Date(record.stopDate) } : {}),
      })),
      ...(offset + size < matching.length ? { nextToken: encodePageToken({ offset: offset + size }) } : {}),
    };
  }

  async getExecutionHistory(input: {
    executionArn: string;
    reverseOrder?: boolean;
    maxResults?: number;
    nextToken?: string;
  }): Promise<{ events: HistoryEvent[]; nextToken?: string }> {
    const history = this.execution(input.executionArn).record.history;
    const size = pageSize(input.maxResults);
    // Page by event id, not offset: a running execution keeps appending, which would shift offsets in reverse.
    const from = input.nextToken ? decodePageToken(input.nextToken).id : undefined;
    let events: StoredHistoryEvent[];
    if (input.reverseOrder) {
      const before = from ?? history.length + 1;
      events = history.filter((event) => event.id < before).reverse();
    } else {
      const after = from ?? 0;
      events = history.filter((event) => event.id > after);
    }
    const page = events.slice(0, size);
    const last = page.at(-1);
    return {
      events: page.map(toHistoryEvent),
      ...(events.length > size && last ? { nextToken: encodePageToken({ id: last.id }) } : {}),
    };
  }

  async stopExecution(input: { executionArn: string; error?: string; cause?: string }): Promise<{ stopDate: Date }> {
    this.assertOpen();
    const exec = this.execution(input.executionArn);
    if (exec.record.status === 'RUNNING') {
      this.finish(exec, 'ABORTED', { error: input.error, cause: input.cause });
    }
    return { stopDate: new Date(exec.record.stopDate ?? Date.now()) };
  }

  /** Resolves with the description once the execution is no longer RUNNING. */
  async waitForExecution(executionArn: string, options: { timeoutMs?: number } = {}): Promise<DescribeExecutionOutput> {
    const exec = this.execution(executionArn);
    if (options.timeoutMs === undefined) {
      await exec.done.promise;
    } else {
      const timeout = new AbortController();
      try {
        await Promise.race([
          exec.done.promise,
          sleep(options.timeoutMs, timeout.signal).then(() => {
            throw new Error(`Execution ${executionArn} still RUNNING after ${options.timeoutMs} ms`);
          }),
        ]);
      } finally {
        timeout.abort();
      }
    }
    return this.describeExecution(executionArn);
  }

  // ---------------------------------------------------------------- task tokens

  async sendTaskSuccess(input: { taskToken: string; output: string }): Promise<Record<string, never>> {
    this.assertOpen();
    const entry = this.pendingToken(input.taskToken);
    let output: JsonValue;
    try {
      output = JSON.parse(input.output) as JsonValue;
    } catch (error) {
      throw new StepFunctionsError('InvalidOutput', `Task output is not JSON: ${(error as Error).message}`);
    }
    this.settleToken(entry, { ok: true, output });
    return {};
  }

  async sendTaskFailure(input: { taskToken: string; error?: string; cause?: string }): Promise<Record<string, never>> {
    this.assertOpen();
    const entry = this.pendingToken(input.taskToken);
    this.settleToken(entry, { ok: false, error: input.error ?? '', cause: input.cause ?? '' });
    return {};
  }

  async sendTaskHeartbeat(input: { taskToken: string }): Promise<Record<string, never>> {
    this.assertOpen();
    const entry = this.pendingToken(input.taskToken);
    if (entry.heartbeatMs !== null) {
      entry.heartbeatDeadline = Date.now() + entry.heartbeatMs;
      const exec = this.executions.get(entry.executionArn);
      const task = exec?.record.checkpoint?.task;
      if (exec && task?.token === entry.token) {
        task.heartbeatDeadline = entry.heartbeatDeadline;
        this.markDirty(exec);
      }
      const changed = entry.changed;
      entry.changed = deferred<void>();
      changed.resolve();
    }
    return {};
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Continues every RUNNING execution found in dataDir whose state machine has been created on this host.
   * Each re-enters the top-level state it was in: a pending task token stays valid (the function is not
   * invoked again) with its remaining timeout, a Wait sleeps only what remains, anything else re-runs.
   */
  async resumeExecutions(): Promise<{ resumed: string[]; skipped: string[] }> {
    this.assertOpen();
    const resumed: string[] = [];
    const skipped: string[] = [];
    for (const exec of this.executions.values()) {
      if (exec.record.status !== 'RUNNING' || exec.compiled) continue;
      const machine = this.stateMachines.get(exec.record.stateMachineArn);
      if (!machine) {
        skipped.push(exec.record.executionArn);
        continue;
      }
      // The execution keeps the definition it started with, as in AWS, if it is on disk.
      const stored = this.store?.loadDefinition(exec.record.definitionHash);
      exec.compiled =
        stored && exec.record.definitionHash !== machine.hash
          ? compileDefinition(stored, { libraryTimeoutSeconds: this.libraryTimeoutSeconds, validate: false })
          : machine.compiled;
      exec.roleArn = machine.roleArn;
      this.activate(exec);
      if (exec.record.status !== 'RUNNING') continue; // its execution timeout passed while down
      const checkpoint = exec.record.checkpoint;
      this.startSegment(exec, checkpoint && exec.compiled.states.get(checkpoint.stateName)?.topLevel ? checkpoint : undefined);
      resumed.push(exec.record.executionArn);
    }
    return { resumed, skipped };
  }

  /** Stops every timer and run without touching execution status, so a new host can resume them. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const exec of this.executions.values()) {
      if (exec.segment) this.cancelSegment(exec.segment, 'host closed');
      exec.lifetime?.abort();
      if (exec.compiled && exec.record.status === 'RUNNING') this.flushNow(exec);
    }
  }

  // ---------------------------------------------------------------- running

  private activate(exec: LiveExecution): void {
    const lifetime = new AbortController();
    exec.lifetime = lifetime;
    const deadline = exec.record.executionDeadline;
    if (deadline === undefined) return;
    if (deadline <= Date.now()) {
      this.finish(exec, 'TIMED_OUT', { error: 'States.Timeout', cause: 'Execution timed out' }, 'timedOut');
      return;
    }
    sleepUntil(deadline, lifetime.signal).then(
      () => this.finish(exec, 'TIMED_OUT', { error: 'States.Timeout', cause: 'Execution timed out' }, 'timedOut'),
      () => undefined,
    );
  }

  private startSegment(exec: LiveExecution, from?: Checkpoint): void {
    const compiled = exec.compiled!;
    const segment: Segment = {
      exec,
      controller: new AbortController(),
      cancelled: false,
      ...(from ? { resume: structuredClone(from), suppressEnteredFor: from.stateName } : {}),
    };
    exec.segment = segment;
    const handlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
    for (const plan of compiled.states.values()) {
      if (plan.kind !== 'other') handlers[plan.name] = (input) => this.handle(segment, plan, input);
    }
    const retryIntervalOverrides: Record<string, number[]> = {};
    for (const [name, retriers] of compiled.libraryRetries) {
      retryIntervalOverrides[name] = retriers.map((retrier) => (retrier.IntervalSeconds ?? 1) * 1000 * this.timeScale);
    }
    const definition = from ? startingAt(compiled, from.stateName) : compiled.runnable;
    const machine = new AslStateMachine(asLibraryDefinition(definition), { validationOptions: { noValidate: true } });
    const runInput = from ? from.input : (JSON.parse(exec.record.input) as JsonValue);
    const run = machine.run(runInput as never, {
      overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides },
      noThrowOnAbort: true,
      context: this.contextFor(exec) as never,
    });
    segment.run = run;
    const consumed = this.consume(segment, run.eventLogs);
    run.result
      .then(
        (output) => ({ ok: true as const, output: output as JsonValue }),
        (error: unknown) => ({ ok: false as const, error }),
      )
      .then(async (settled) => {
        // The run can settle before its last events reach us; history must end with them.
        await consumed;
        this.onSegmentSettled(segment, settled);
      })
      .catch((error: unknown) => this.reportBackgroundError(error));
  }

  private contextFor(exec: LiveExecution): JsonObject {
    const record = exec.record;
    const machine = record.stateMachineArn.split(':');
    const startTime = new Date(record.startDate).toISOString();
    return {
      Execution: {
        Id: record.executionArn,
        Name: record.name,
        RoleArn: exec.roleArn,
        StartTime: startTime,
        RedriveCount: 0,
        [CONTEXT_FIELDS.input]: JSON.parse(record.input) as JsonValue,
        [CONTEXT_FIELDS.startTime]: startTime,
      },
      StateMachine: { Id: record.stateMachineArn, Name: machine[6] ?? '' },
      Task: { Token: this.tokenSentinel },
    };
  }

  private async consume(segment: Segment, events: AsyncGenerator<LibraryEvent>): Promise<void> {
    for await (const event of events) {
      if (segment.cancelled) continue;
      try {
        this.onLibraryEvent(segment, event);
      } catch (error) {
        this.reportBackgroundError(error);
      }
    }
  }

  private onLibraryEvent(segment: Segment, event: LibraryEvent): void {
    const exec = segment.exec;
    const compiled = exec.compiled!;
    switch (event.type) {
      case 'StateEntered': {
        const { name, input } = event.state;
        if (segment.suppressEnteredFor === name) {
          segment.suppressEnteredFor = undefined;
          return;
        }
        const plan = compiled.states.get(name);
        const type = plan?.type ?? event.state.type;
        this.append(exec, `${type}StateEntered`, { name, input: JSON.stringify(input ?? null), inputDetails: { truncated: false } });
        if (type === 'Map') this.append(exec, 'MapStateStarted');
        if (type === 'Parallel') this.append(exec, 'ParallelStateStarted');
        if (plan?.topLevel) {
          exec.record.checkpoint = {
            stateName: name,
            input: structuredClone(input ?? null) as JsonValue,
            enteredAt: event.timestamp,
            retryAttempts: [],
          };
          this.flushNow(exec);
        }
        return;
      }
      case 'StateExited': {
        const { name, output } = event.state;
        const type = compiled.states.get(name)?.type ?? event.state.type;
        if (type === 'Map') this.append(exec, 'MapStateSucceeded');
        if (type === 'Parallel') this.append(exec, 'ParallelStateSucceeded');
        this.append(exec, `${type}StateExited`, {
          name,
          output: JSON.stringify(output ?? null),
          outputDetails: { truncated: false },
        });
        return;
      }
      case 'StateFailed': {
        const type = compiled.states.get(event.state.name)?.type ?? event.state.type;
        if (type === 'Map') this.append(exec, 'MapStateFailed');
        if (type === 'Parallel') this.append(exec, 'ParallelStateFailed');
        return;
      }
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        this.append(exec, event.type, { name: event.parentState.name, index: event.index });
        return;
      default:
        // ExecutionStarted/Succeeded/Failed come from the host itself; retries and catches have no AWS event.
        return;
    }
  }

  private onSegmentSettled(
    segment: Segment,
    settled: { ok: true; output: JsonValue } | { ok: false; error: unknown },
  ): void {
    const exec = segment.exec;
    if (segment.cancelled || exec.segment !== segment || exec.record.status !== 'RUNNING') return;
    if (settled.ok) {
      this.finish(exec, 'SUCCEEDED', { output: JSON.stringify(settled.output ?? null) });
      return;
    }
    const failure = settled.error instanceof ExecutionError && settled.error.cause instanceof Error ? settled.error.cause : settled.error;
    if (failure instanceof Error) {
      this.finish(exec, 'FAILED', {
        // A Fail state without Error/Cause reaches us with the library's placeholders.
        error: failure.name === 'FailStateError' ? undefined : failure.name,
        cause: failure.message === FAIL_STATE_DEFAULT_CAUSE ? undefined : failure.message,
      });
    } else {
      this.finish(exec, 'FAILED', { error: 'States.Runtime', cause: String(failure) });
    }
  }

  private finish(
    exec: LiveExecution,
    status: Exclude<ExecutionStatus, 'RUNNING'>,
    fields: { output?: string; error?: string; cause?: string },
    retireTokensAs: 'closed' | 'timedOut' = 'closed',
  ): void {
    const record = exec.record;
    if (record.status !== 'RUNNING') return;
    record.status = status;
    record.stopDate = Date.now();
    const errorFields = {
      ...(fields.error !== undefined ? { error: fields.error } : {}),
      ...(fields.cause !== undefined ? { cause: fields.cause } : {}),
    };
    if (status === 'SUCCEEDED') {
      record.output = fields.output ?? 'null';
      this.append(exec, 'ExecutionSucceeded', { output: record.output, outputDetails: { truncated: false } });
    } else {
      Object.assign(record, errorFields);
      const type: HistoryEventType =
        status === 'FAILED' ? 'ExecutionFailed' : status === 'ABORTED' ? 'ExecutionAborted' : 'ExecutionTimedOut';
      this.append(exec, type, errorFields);
    }
    delete record.checkpoint;
    for (const token of [...exec.pendingTokens]) this.retireToken(exec, token, retireTokensAs);
    if (exec.segment) this.cancelSegment(exec.segment, `execution ${status}`);
    exec.lifetime?.abort();
    this.flushNow(exec);
    exec.done.resolve();
  }

  private cancelSegment(segment: Segment, reason: string): void {
    if (segment.cancelled) return;
    segment.cancelled = true;
    // Handlers reject, which also makes the library clear its own Task timers.
    segment.controller.abort(new SegmentCancelled(reason));
    segment.run?.abort();
  }

  /** Re-enters the current top-level state before the library's own Task timer (≈24.8 days) can fire. */
  private armRollover(segment: Segment): AbortController {
    const stop = new AbortController();
    sleep(this.rolloverMs, AbortSignal.any([segment.controller.signal, stop.signal])).then(
      () => {
        const exec = segment.exec;
        const checkpoint = exec.record.checkpoint;
        if (segment.cancelled || exec.segment !== segment || exec.record.status !== 'RUNNING' || !checkpoint) return;
        this.cancelSegment(segment, 'rollover');
        this.startSegment(exec, checkpoint);
      },
      () => undefined,
    );
    return stop;
  }

  // ---------------------------------------------------------------- Task and Wait handlers

  /** The library calls this in place of every Task and (rewritten) Wait state. */
  private async handle(segment: Segment, plan: TaskPlan | WaitPlan, input: JsonValue): Promise<JsonValue> {
    try {
      // The library called us synchronously after dispatching StateEntered; let the history record it first.
      await afterMicrotasks();
      if (segment.cancelled) throw segment.controller.signal.reason;
      return plan.kind === 'wait' ? await this.runWait(segment, plan, input) : await this.runTask(segment, plan, input);
    } catch (error) {
      if (segment.cancelled) throw error;
      throw libraryError(error);
    }
  }

  private takeResume(segment: Segment, plan: TaskPlan | WaitPlan): Checkpoint | undefined {
    const resume = segment.resume;
    if (!resume || !plan.topLevel || resume.stateName !== plan.name) return undefined;
    segment.resume = undefined;
    return resume;
  }

  private updateCheckpoint(segment: Segment, plan: TaskPlan | WaitPlan, update: (checkpoint: Checkpoint) => void): void {
    const checkpoint = segment.exec.record.checkpoint;
    if (segment.cancelled || !plan.topLevel || checkpoint?.stateName !== plan.name) return;
    update(checkpoint);
    this.flushNow(segment.exec);
  }

  private async runWait(segment: Segment, plan: WaitPlan, input: JsonValue): Promise<JsonValue> {
    const resume = this.takeResume(segment, plan);
    const fields = isObject(input) ? input : {};
    let until = resume?.waitUntil;
    if (until === undefined) {
      const deadline = this.waitDeadline(plan, fields);
      until = deadline;
      this.updateCheckpoint(segment, plan, (checkpoint) => {
        checkpoint.waitUntil = deadline;
      });
    }
    const rollover = plan.topLevel ? this.armRollover(segment) : undefined;
    try {
      await sleepUntil(until, segment.controller.signal);
    } finally {
      rollover?.abort();
    }
    return fields[INJECTED.input] ?? null;
  }

  private waitDeadline(plan: WaitPlan, fields: JsonObject): number {
    const now = Date.now();
    if (plan.fromPath === 'SecondsPath' || plan.seconds !== undefined) {
      const seconds = plan.fromPath === 'SecondsPath' ? fields[INJECTED.waitSeconds] : plan.seconds;
      if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
        throw new TaskFailure('States.Runtime', `Wait state "${plan.name}": seconds must be a non-negative integer, got ${JSON.stringify(seconds)}`, 'runtime');
      }
      return now + seconds * 1000 * this.timeScale;
    }
    const timestamp = plan.fromPath === 'TimestampPath' ? fields[INJECTED.waitTimestamp] : plan.timestamp;
    if (timestamp === undefined) return now;
    if (typeof timestamp !== 'string' || !RFC3339.test(timestamp)) {
      throw new TaskFailure('States.Runtime', `Wait state "${plan.name}": ${JSON.stringify(timestamp)} is not an RFC 3339 timestamp`, 'runtime');
    }
    // Absolute: whoever computed the timestamp already applied any time scale.
    return Date.parse(timestamp);
  }

  private async runTask(segment: Segment, plan: TaskPlan, input: JsonValue): Promise<JsonValue> {
    const resume = this.takeResume(segment, plan);
    const { parameters, timeoutSeconds, heartbeatSeconds } = unwrapTaskInput(plan, input);
    const attempts = plan.retriers.map((_, index) => resume?.retryAttempts[index] ?? 0);
    let pending = resume?.task;
    const rollover = plan.topLevel ? this.armRollover(segment) : undefined;
    try {
      if (resume?.retryAt !== undefined) await sleepUntil(resume.retryAt, segment.controller.signal);
      for (;;) {
        try {
          return await this.attempt(segment, plan, parameters, { timeoutSeconds, heartbeatSeconds, pending });
        } catch (error) {
          if (segment.cancelled || !(error instanceof TaskFailure)) throw error;
          pending = undefined;
          const index = matchingRetrier(plan.retriers, error.error);
          const retrier = plan.retriers[index];
          const used = attempts[index] ?? 0;
          if (!retrier || used >= (retrier.MaxAttempts ?? 3)) throw error;
          attempts[index] = used + 1;
          const retryAt = Date.now() + retryDelayMs(retrier, used) * this.timeScale;
          this.updateCheckpoint(segment, plan, (checkpoint) => {
            checkpoint.retryAttempts = [...attempts];
            checkpoint.retryAt = retryAt;
            delete checkpoint.task;
          });
          await sleepUntil(retryAt, segment.controller.signal);
        }
      }
    } finally {
      rollover?.abort();
    }
  }

  private async attempt(
    segment: Segment,
    plan: TaskPlan,
    parameters: JsonValue,
    timing: { timeoutSeconds: number | undefined; heartbeatSeconds: number | undefined; pending: PendingTask | undefined },
  ): Promise<JsonValue> {
    const integration = plan.integration;
    const names = eventNames(integration);
    const { pending } = timing;
    const token = pending?.token ?? mintToken();
    const taskInput = replaceDeep(parameters, this.tokenSentinel, token);
    const deadline = pending
      ? pending.deadline
      : timing.timeoutSeconds !== undefined
        ? Date.now() + timing.timeoutSeconds * 1000 * this.timeScale
        : null;
    if (!pending) {
      const region = segment.exec.record.stateMachineArn.split(':')[3];
      this.record(segment, names.scheduled, {
        ...names.resourceDetails,
        ...(integration.kind === 'lambda-function'
          ? { input: JSON.stringify(taskInput), inputDetails: { truncated: false } }
          : { region, parameters: JSON.stringify(taskInput) }),
        ...(timing.timeoutSeconds !== undefined ? { timeoutInSeconds: timing.timeoutSeconds } : {}),
        ...(timing.heartbeatSeconds !== undefined ? { heartbeatInSeconds: timing.heartbeatSeconds } : {}),
      });
      this.record(segment, names.started, integration.kind === 'lambda-function' ? undefined : names.resourceDetails);
    }
    if (integration.waitForTaskToken) {
      return this.attemptWithToken(segment, plan, taskInput, token, deadline, timing.heartbeatSeconds, pending);
    }
    let result: JsonValue;
    try {
      result = await this.raceDeadline(segment, this.callIntegration(integration, taskInput), deadline);
    } catch (error) {
      if (segment.cancelled) throw error;
      const failure = toTaskFailure(integration, error);
      this.record(segment, failure.kind === 'timeout' ? names.timedOut : names.failed, {
        ...names.resourceDetails,
        error: failure.error,
        cause: failure.failureCause,
      });
      throw failure;
    }
    this.record(segment, names.succeeded, {
      ...names.resourceDetails,
      output: JSON.stringify(result),
      outputDetails: { truncated: false },
    });
    return result;
  }

  private async attemptWithToken(
    segment: Segment,
    plan: TaskPlan,
    taskInput: JsonValue,
    token: string,
    deadline: number | null,
    heartbeatSeconds: number | undefined,
    pending: PendingTask | undefined,
  ): Promise<JsonValue> {
    const exec = segment.exec;
    const names = eventNames(plan.integration);
    let entry = this.tokens.get(token);
    if (!entry || !pending) {
      const heartbeatMs = pending ? pending.heartbeatMs : heartbeatSeconds !== undefined ? heartbeatSeconds * 1000 * this.timeScale : null;
      entry = this.registerToken(exec, plan.name, token, {
        deadline,
        heartbeatMs,
        heartbeatDeadline: pending ? pending.heartbeatDeadline : heartbeatMs !== null ? Date.now() + heartbeatMs : null,
      });
    }
    const tokenEntry = entry;
    // On disk before the function can hand the token to anyone, so a restart keeps it valid.
    this.updateCheckpoint(segment, plan, (checkpoint) => {
      checkpoint.task = {
        token,
        invoked: pending?.invoked ?? false,
        deadline: tokenEntry.deadline,
        heartbeatMs: tokenEntry.heartbeatMs,
        heartbeatDeadline: tokenEntry.heartbeatDeadline,
        ...(tokenEntry.result ? { outcome: tokenEntry.result } : {}),
      };
    });
    let finished = false;
    let invokeFailed: Promise<never> = never();
    // Not yet invoked (the host stopped before the function returned): deliver the same token again,
    // at least once as in AWS, unless someone has already answered it.
    if (!pending?.invoked && !tokenEntry.result) {
      invokeFailed = this.callIntegration(plan.integration, taskInput).then(
        (response) => {
          if (!finished && !segment.cancelled) {
            this.record(segment, 'TaskSubmitted', {
              ...names.resourceDetails,
              output: JSON.stringify(response),
              outputDetails: { truncated: false },
            });
            this.updateCheckpoint(segment, plan, (checkpoint) => {
              if (checkpoint.task?.token === token) checkpoint.task.invoked = true;
            });
          }
          return never();
        },
        (error: unknown) => {
          throw toTaskFailure(plan.integration, error);
        },
      );
      // The token may be answered before the function returns; a later invoke error then has no reader.
      invokeFailed.catch(() => undefined);
    }
    try {
      const outcome = await this.waitForToken(segment, tokenEntry, invokeFailed);
      if (outcome.ok) {
        this.record(segment, names.succeeded, {
          ...names.resourceDetails,
          output: JSON.stringify(outcome.output),
          outputDetails: { truncated: false },
        });
        return outcome.output;
      }
      this.record(segment, names.failed, { ...names.resourceDetails, error: outcome.error, cause: outcome.cause });
      throw new TaskFailure(outcome.error, outcome.cause, 'failed');
    } catch (error) {
      // A failure sent with the token was recorded above; everything else (timeout, invoke error) is recorded here.
      if (segment.cancelled || !(error instanceof TaskFailure) || (error.kind === 'failed' && tokenEntry.result)) throw error;
      this.retireToken(exec, token, error.kind === 'timeout' ? 'timedOut' : 'closed');
      this.record(segment, error.kind === 'timeout' ? names.timedOut : names.failed, {
        ...names.resourceDetails,
        error: error.error,
        ...(error.failureCause ? { cause: error.failureCause } : {}),
      });
      throw error;
    } finally {
      finished = true;
      this.updateCheckpoint(segment, plan, (checkpoint) => {
        if (checkpoint.task?.token === token) delete checkpoint.task;
      });
    }
  }

  private async waitForToken(segment: Segment, entry: TokenEntry, invokeFailed: Promise<never>): Promise<TokenOutcome> {
    for (;;) {
      if (entry.result) return entry.result;
      const now = Date.now();
      if (entry.deadline !== null && now >= entry.deadline) throw new TaskFailure('States.Timeout', '', 'timeout');
      if (entry.heartbeatDeadline !== null && now >= entry.heartbeatDeadline) {
        throw new TaskFailure('States.HeartbeatTimeout', '', 'timeout');
      }
      const wake = Math.min(entry.deadline ?? Infinity, entry.heartbeatDeadline ?? Infinity);
      const iteration = new AbortController();
      const signal = AbortSignal.any([segment.controller.signal, iteration.signal]);
      try {
        await Promise.race([
          entry.outcome.promise,
          entry.changed.promise,
          invokeFailed,
          Number.isFinite(wake) ? sleepUntil(wake, signal) : whenAborted(signal),
        ]);
      } finally {
        iteration.abort();
      }
    }
  }

  private async raceDeadline(segment: Segment, work: Promise<JsonValue>, deadline: number | null): Promise<JsonValue> {
    const stop = new AbortController();
    const signal = AbortSignal.any([segment.controller.signal, stop.signal]);
    try {
      return await Promise.race([
        work,
        deadline === null
          ? whenAborted(signal)
          : sleepUntil(deadline, signal).then(() => {
              throw new TaskFailure('States.Timeout', '', 'timeout');
            }),
      ]);
    } finally {
      stop.abort();
    }
  }

  private async callIntegration(integration: Integration, input: JsonValue): Promise<JsonValue> {
    switch (integration.kind) {
      case 'lambda': {
        if (!isObject(input) || typeof input.FunctionName !== 'string') {
          throw new TaskFailure('States.Runtime', 'lambda:invoke needs Parameters.FunctionName', 'runtime');
        }
        const functionName =
          typeof input.Qualifier === 'string' ? `${input.FunctionName}:${input.Qualifier}` : input.FunctionName;
        const payload = 'Payload' in input ? input.Payload ?? null : {};
        if (input.InvocationType === 'Event') {
          this.invoke(functionName, payload).catch((error: unknown) => this.reportBackgroundError(error));
          return lambdaInvokeResponse(202, '');
        }
        return lambdaInvokeResponse(200, await this.invoke(functionName, payload));
      }
      case 'lambda-function':
        return this.invoke(integration.resource, input);
      case 'events':
        return this.putEvents(input);
    }
  }

  private async invoke(functionName: string, payload: JsonValue): Promise<JsonValue> {
    // Through JSON both ways, as Lambda serialises: the handler cannot share objects with the execution.
    const result = await this.options.invokeFunction(functionName, structuredClone(payload));
    return result === undefined ? null : (JSON.parse(JSON.stringify(result)) as JsonValue);
  }

  private async putEvents(input: JsonValue): Promise<JsonValue> {
    if (!isObject(input) || !Array.isArray(input.Entries)) {
      throw new TaskFailure('States.Runtime', 'events:putEvents needs Parameters.Entries (an array)', 'runtime');
    }
    const entries = input.Entries.map((entry) =>
      // Step Functions sends an object Detail to EventBridge as its JSON text.
      isObject(entry) && isObject(entry.Detail) ? { ...entry, Detail: JSON.stringify(entry.Detail) } : entry,
    ) as PutEventsEntry[];
    const reply = await this.options.onEvents!(entries);
    const response =
      isObject(reply) && Array.isArray(reply.Entries)
        ? { Entries: reply.Entries, FailedEntryCount: typeof reply.FailedEntryCount === 'number' ? reply.FailedEntryCount : 0 }
        : { Entries: entries.map(() => ({ EventId: randomUUID() })), FailedEntryCount: 0 };
    if (response.FailedEntryCount > 0) {
      throw new TaskFailure('EventBridge.FailedEntry', JSON.stringify(response), 'failed');
    }
    return JSON.parse(JSON.stringify(response)) as JsonValue;
  }

  // ---------------------------------------------------------------- tokens

  private registerToken(
    exec: LiveExecution,
    stateName: string,
    token: string,
    timing: { deadline: number | null; heartbeatMs: number | null; heartbeatDeadline: number | null },
  ): TokenEntry {
    const entry: TokenEntry = {
      token,
      executionArn: exec.record.executionArn,
      stateName,
      status: 'pending',
      outcome: deferred<TokenOutcome>(),
      changed: deferred<void>(),
      ...timing,
    };
    this.tokens.set(token, entry);
    exec.pendingTokens.add(token);
    return entry;
  }

  private pendingToken(token: string): TokenEntry {
    const entry = typeof token === 'string' ? this.tokens.get(token) : undefined;
    if (!entry) throw new StepFunctionsError('InvalidToken', 'Invalid Token');
    if (entry.status === 'timedOut') throw new StepFunctionsError('TaskTimedOut', 'Task Timed Out');
    if (entry.status === 'closed') throw new StepFunctionsError('TaskDoesNotExist', 'Task does not exist anymore');
    // The timer may not have fired yet, but the task is already out of time.
    const now = Date.now();
    if ((entry.deadline !== null && now >= entry.deadline) || (entry.heartbeatDeadline !== null && now >= entry.heartbeatDeadline)) {
      throw new StepFunctionsError('TaskTimedOut', 'Task Timed Out');
    }
    return entry;
  }

  private settleToken(entry: TokenEntry, outcome: TokenOutcome): void {
    const exec = this.executions.get(entry.executionArn);
    entry.result = outcome;
    if (exec) {
      this.retireToken(exec, entry.token, 'closed');
      const task = exec.record.checkpoint?.task;
      // Kept with the checkpoint until the state moves on, in case the host stops before it does.
      if (task?.token === entry.token) task.outcome = outcome;
      this.flushNow(exec);
    }
    entry.outcome.resolve(outcome);
  }

  private retireToken(exec: LiveExecution, token: string, reason: 'closed' | 'timedOut'): void {
    const entry = this.tokens.get(token);
    if (entry?.status === 'pending') entry.status = reason;
    exec.pendingTokens.delete(token);
    exec.record.retiredTokens[token] ??= reason;
    this.markDirty(exec);
  }

  // ---------------------------------------------------------------- records

  private load(store: ExecutionStore): void {
    for (const record of store.loadAll()) {
      const exec: LiveExecution = {
        record,
        roleArn: '',
        done: deferred<void>(),
        flushScheduled: false,
        pendingTokens: new Set(),
      };
      if (record.status !== 'RUNNING') exec.done.resolve();
      this.executions.set(record.executionArn, exec);
      for (const [token, reason] of Object.entries(record.retiredTokens)) {
        this.tokens.set(token, {
          token,
          executionArn: record.executionArn,
          stateName: '',
          status: reason,
          outcome: deferred<TokenOutcome>(),
          changed: deferred<void>(),
          deadline: null,
          heartbeatMs: null,
          heartbeatDeadline: null,
        });
      }
      const task = record.status === 'RUNNING' ? record.checkpoint?.task : undefined;
      if (task) {
        // Valid now, before resumeExecutions(): a response that arrives first is kept for the resumed task.
        const entry = this.registerToken(exec, record.checkpoint!.stateName, task.token, {
          deadline: task.deadline,
          heartbeatMs: task.heartbeatMs,
          heartbeatDeadline: task.heartbeatDeadline,
        });
        if (task.outcome) {
          entry.result = task.outcome;
          entry.status = 'closed';
          exec.pendingTokens.delete(task.token);
          entry.outcome.resolve(task.outcome);
        }
      }
    }
  }

  private record(segment: Segment, type: HistoryEventType, details?: object): void {
    if (!segment.cancelled) this.append(segment.exec, type, details);
  }

  private append(exec: LiveExecution, type: HistoryEventType, details?: object): void {
    const history = exec.record.history;
    const id = history.length + 1;
    const event: StoredHistoryEvent = { id, previousEventId: id - 1, timestamp: Date.now(), type };
    if (details) event[detailsKey(type)] = details;
    history.push(event);
    this.markDirty(exec);
  }

  /** History-only changes are written together after the current burst of events. */
  private markDirty(exec: LiveExecution): void {
    if (!this.store || exec.flushScheduled) return;
    exec.flushScheduled = true;
    afterMicrotasks()
      .then(() => {
        if (exec.flushScheduled) this.flushNow(exec);
      })
      .catch((error: unknown) => this.reportBackgroundError(error));
  }

  private flushNow(exec: LiveExecution): void {
    if (!this.store) return;
    exec.flushScheduled = false;
    this.store.save(exec.record);
  }

  // ---------------------------------------------------------------- lookups

  private assertOpen(): void {
    if (this.closed) throw new StepFunctionsError('HostClosed', 'This state machine host has been closed');
  }

  private stateMachine(arn: string): RegisteredStateMachine {
    const machine = this.stateMachines.get(arn);
    if (machine) return machine;
    if (!STATE_MACHINE_ARN.test(arn)) throw new StepFunctionsError('InvalidArn', `Not a state machine ARN: ${arn}`);
    throw new StepFunctionsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  }

  private execution(arn: string): LiveExecution {
    const exec = this.executions.get(arn);
    if (exec) return exec;
    if (typeof arn !== 'string' || !arn.startsWith('arn:')) throw new StepFunctionsError('InvalidArn', `Not an execution ARN: ${arn}`);
    throw new StepFunctionsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
  }

  private reportBackgroundError(error: unknown): void {
    if (this.options.onBackgroundError) this.options.onBackgroundError(error);
    else console.error('[stepfunctions host]', error);
  }
}

// ---------------------------------------------------------------- helpers

/** AWS retry matching: first retrier naming the error; States.ALL/TaskFailed never match States.Runtime. */
export function matchingRetrier(retriers: readonly Retrier[], error: string): number {
  if (error === 'States.Runtime' || error === 'States.DataLimitExceeded') return -1;
  const timeout = error === 'States.Timeout' || error === 'States.HeartbeatTimeout';
  return retriers.findIndex((retrier) =>
    retrier.ErrorEquals.some(
      (name) =>
        name === error ||
        name === 'States.ALL' ||
        (name === 'States.TaskFailed' && !timeout) ||
        (name === 'States.Timeout' && error === 'States.HeartbeatTimeout'),
    ),
  );
}

/** Unscaled delay before retry number `attempt + 1`, in ms. */
export function retryDelayMs(retrier: Retrier, attempt: number): number {
  let seconds = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** attempt;
  if (retrier.MaxDelaySeconds !== undefined) seconds = Math.min(seconds, retrier.MaxDelaySeconds);
  if (retrier.JitterStrategy === 'FULL') seconds *= Math.random();
  return seconds * 1000;
}

function unwrapTaskInput(
  plan: TaskPlan,
  input: JsonValue,
): { parameters: JsonValue; timeoutSeconds: number | undefined; heartbeatSeconds: number | undefined } {
  if (!plan.wrapped || !isObject(input)) {
    return { parameters: input, timeoutSeconds: plan.timeoutSeconds, heartbeatSeconds: plan.heartbeatSeconds };
  }
  const positive = (value: JsonValue | undefined, field: string): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new TaskFailure('States.Runtime', `State "${plan.name}": ${field} must give a positive integer, got ${JSON.stringify(value)}`, 'runtime');
    }
    return value;
  };
  return {
    parameters: input[INJECTED.parameters] ?? null,
    timeoutSeconds: plan.timeoutFromPath ? positive(input[INJECTED.timeoutSeconds], 'TimeoutSecondsPath') : plan.timeoutSeconds,
    heartbeatSeconds: plan.heartbeatFromPath
      ? positive(input[INJECTED.heartbeatSeconds], 'HeartbeatSecondsPath')
      : plan.heartbeatSeconds,
  };
}

function eventNames(integration: Integration) {
  if (integration.kind === 'lambda-function') {
    return {
      scheduled: 'LambdaFunctionScheduled',
      started: 'LambdaFunctionStarted',
      succeeded: 'LambdaFunctionSucceeded',
      failed: 'LambdaFunctionFailed',
      timedOut: 'LambdaFunctionTimedOut',
      resourceDetails: { resource: integration.resource },
    } as const;
  }
  // arn:aws:states:::lambda:invoke.waitForTaskToken → resourceType "lambda", resource "invoke.waitForTaskToken"
  const [resourceType = '', resource = ''] = integration.resource.split(':::')[1]?.split(/:(.*)/s) ?? [];
  return {
    scheduled: 'TaskScheduled',
    started: 'TaskStarted',
    succeeded: 'TaskSucceeded',
    failed: 'TaskFailed',
    timedOut: 'TaskTimedOut',
    resourceDetails: { resourceType, resource },
  } as const;
}

function lambdaInvokeResponse(statusCode: 200 | 202, payload: JsonValue): JsonValue {
  const requestId = randomUUID();
  const date = new Date().toUTCString();
  return {
    ExecutedVersion: '$LATEST',
    Payload: payload,
    SdkHttpMetadata: {
      AllHttpHeaders: {
        'X-Amz-Executed-Version': ['$LATEST'],
        'x-amzn-RequestId': [requestId],
        'Content-Type': ['application/json'],
        Date: [date],
      },
      HttpHeaders: {
        'X-Amz-Executed-Version': '$LATEST',
        'x-amzn-RequestId': requestId,
        'Content-Type': 'application/json',
        Date: date,
      },
      HttpStatusCode: statusCode,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: statusCode,
  };
}

/** What a thrown error becomes: its name is the Error; a function error's Cause is Lambda's error JSON. */
function toTaskFailure(integration: Integration, error: unknown): TaskFailure {
  if (error instanceof TaskFailure) return error;
  const name =
    typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string' && (error as Error).name
      ? (error as Error).name
      : 'Error';
  const message =
    typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string'
      ? (error as Error).message
      : String(error);
  // Lambda.* errors come from the Lambda service, not the function, and carry a plain message.
  if (integration.kind === 'events' || /^(Lambda|States)\./.test(name)) return new TaskFailure(name, message, 'failed');
  const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack.split('\n') : [];
  return new TaskFailure(name, JSON.stringify({ errorType: name, errorMessage: message, trace: stack }), 'failed');
}

/** The library matches Retry/Catch on `name`, takes Cause from `message`, and leaves States.Runtime uncaught. */
function libraryError(error: unknown): Error {
  if (error instanceof TaskFailure) {
    if (error.kind === 'timeout') return timeoutError(error.error, error.failureCause);
    const converted = new Error(error.failureCause);
    converted.name = error.error;
    if (error.kind === 'runtime' || error.error === 'States.Runtime') {
      Object.assign(converted, { isCatchable: false, isRetryable: false });
    }
    return converted;
  }
  const converted = new Error(error instanceof Error ? error.message : String(error));
  converted.name = 'States.Runtime';
  Object.assign(converted, { isCatchable: false, isRetryable: false });
  return converted;
}

/**
 * The library's Catch lets `States.TaskFailed` match every Task error except instances of its own (unexported)
 * StatesTimeoutError class; a timeout must be one, so one is obtained once by letting a 1 ms Task time out.
 */
const timeoutErrorClass = await probeTimeoutErrorClass();

async function probeTimeoutErrorClass(): Promise<(new () => Error) | undefined> {
  const probe = new AslStateMachine(
    asLibraryDefinition({
      StartAt: 'Probe',
      States: { Probe: { Type: 'Task', Resource: WAIT_RESOURCE, TimeoutSeconds: 0.001, End: true } },
    }),
    { validationOptions: { noValidate: true } },
  );
  const run = probe.run({}, { overrides: { taskResourceLocalHandlers: { Probe: never } } });
  try {
    await run.result;
  } catch (error) {
    if (error instanceof ExecutionError && error.cause instanceof Error && error.cause.name === 'States.Timeout') {
      return error.cause.constructor as new () => Error;
    }
  }
  return undefined;
}

function timeoutError(name: string, cause: string): Error {
  const error = timeoutErrorClass ? new timeoutErrorClass() : new Error();
  error.name = name;
  error.message = cause;
  return error;
}

function mintToken(): string {
  // Opaque and unguessable, about as long as the service's own tokens.
  return randomBytes(192).toString('base64url');
}

function replaceDeep(value: JsonValue, sentinel: string, replacement: string): JsonValue {
  if (typeof value === 'string') return value.includes(sentinel) ? value.replaceAll(sentinel, replacement) : value;
  if (Array.isArray(value)) return value.map((item) => replaceDeep(item, sentinel, replacement));
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replaceDeep(item, sentinel, replacement)]));
  }
  return value;
}

function pageSize(maxResults: number | undefined): number {
  if (maxResults === undefined || maxResults === 0) return 100;
  if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000) {
    throw new StepFunctionsError('ValidationException', 'maxResults must be an integer from 0 to 1000');
  }
  return maxResults;
}

function encodePageToken(position: { offset?: number; id?: number }): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

function decodePageToken(token: string): { offset?: number; id?: number } {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (isObject(value)) return value as { offset?: number; id?: number };
  } catch {
    // fall through
  }
  throw new StepFunctionsError('ValidationException', 'Invalid nextToken');
}
