/**
 * Runs the template's Lambda functions locally: each function's bundled asset in worker threads of its own
 * ("sandboxes"), each sandbox with the function's own environment and heap limit, one invocation at a time per
 * sandbox as on Lambda. Concurrent invocations get more sandboxes, up to `maxSandboxes` per function; beyond
 * that they queue. A sandbox that times out or crashes is thrown away, as Lambda does.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { LocalRuntimeError } from '../errors.ts';
import type { FromWorker, FunctionError, ToWorker, WorkerConfig } from './worker.ts';

export interface LocalFunctionSpec {
  logicalId: string;
  functionName: string;
  functionArn: string;
  /** Absolute path of the bundled asset directory. */
  assetDir: string;
  /** `Handler` from the template, e.g. `index.handler`. */
  handler: string;
  /** Exactly the process.env the function sees. */
  environment: Record<string, string>;
  timeoutSeconds: number;
  memorySize: number;
  logGroupName: string;
}

export interface LocalFunctionsOptions {
  /** Each function's console output goes to `<logDir>/<functionName>.log`. */
  logDir: string;
  /** Sandboxes per function at most; further invocations wait. Default 4 (the machine, not Lambda, is the limit). */
  maxSandboxes?: number;
}

/** A function error as the caller sees it: `name` is Lambda's errorType, so Retry/Catch match on it. */
export class FunctionInvocationError extends Error {
  readonly errorType: string;
  readonly trace: string[];

  constructor(error: FunctionError) {
    super(error.errorMessage);
    this.name = error.errorType;
    this.errorType = error.errorType;
    this.trace = error.trace;
    // The function's own stack, so the Cause Step Functions records shows where it failed.
    this.stack = error.trace.length > 0 ? error.trace.join('\n') : `${error.errorType}: ${error.errorMessage}`;
  }
}

const WORKER_URL = new URL('./worker.ts', import.meta.url);

/**
 * The parent's Node options without its TypeScript loader (tsx, under `npm start` and `npm run bench`). A sandbox
 * needs none: worker.ts is erasable TypeScript Node strips itself, and the bundles are JavaScript. Inherited, the
 * loader would transform each 1 MB bundle again in every sandbox, seconds of CPU each on a small machine.
 */
export function sandboxExecArgv(parentExecArgv: readonly string[]): string[] {
  // `tsx` and `tsx/esm` as given on a command line, or a path into the tsx package as its CLI passes it.
  const isLoader = (value: string | undefined) => value !== undefined && /(^|=)tsx(\/[\w/.-]*)?$|[\\/]tsx[\\/]/.test(value);
  const kept: string[] = [];
  for (let i = 0; i < parentExecArgv.length; i += 1) {
    const arg = parentExecArgv[i]!;
    if ((arg === '--require' || arg === '-r' || arg === '--import') && isLoader(parentExecArgv[i + 1])) {
      i += 1;
      continue;
    }
    if (/^--(require|import)=/.test(arg) && isLoader(arg)) continue;
    kept.push(arg);
  }
  return kept;
}

interface Pending {
  requestId: string;
  resolve: (payload: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

class Sandbox {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  busy = false;
  dead = false;
  private removed = false;
  private pending: { id: number; call: Pending } | undefined;
  private nextId = 1;

  constructor(
    private readonly spec: LocalFunctionSpec,
    log: WriteStream,
    private readonly onDeath: (sandbox: Sandbox) => void,
  ) {
    const config: WorkerConfig = {
      assetDir: spec.assetDir,
      handler: spec.handler,
      functionName: spec.functionName,
      functionArn: spec.functionArn,
      memorySize: spec.memorySize,
      logGroupName: spec.logGroupName,
    };
    this.worker = new Worker(WORKER_URL, {
      workerData: config,
      env: spec.environment,
      execArgv: sandboxExecArgv(process.execArgv),
      // The function's memory setting bounds its heap, so a leak fails here as it would on Lambda.
      resourceLimits: { maxOldGenerationSizeMb: Math.max(64, spec.memorySize) },
      stdout: true,
      stderr: true,
      name: spec.functionName,
    });
    this.worker.stdout.pipe(log, { end: false });
    this.worker.stderr.pipe(log, { end: false });
    this.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'init-error') reject(new FunctionInvocationError(message.error));
        else this.settle(message);
      };
      this.worker.on('message', onMessage);
      this.worker.once('error', (error) => {
        const failure = this.crashError(error);
        reject(failure);
        this.die(failure);
      });
      this.worker.once('exit', (code) => {
        const failure = new FunctionInvocationError({
          errorType: 'Runtime.ExitError',
          errorMessage: `RequestId: ${this.pending?.call.requestId ?? '-'} Error: Runtime exited with error: exit status ${code}`,
          trace: [],
        });
        reject(failure);
        this.die(failure);
      });
    });
    // Failures surface through invoke(); nobody else may be waiting for this promise.
    this.ready.catch(() => undefined);
  }

  invoke(payload: unknown): Promise<unknown> {
    const id = this.nextId++;
    const requestId = randomUUID();
    const timeoutMs = this.spec.timeoutSeconds * 1000;
    const text = JSON.stringify(payload ?? null);
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        reject(
          new FunctionInvocationError({
            errorType: 'Sandbox.Timedout',
            errorMessage: `RequestId: ${requestId} Error: Task timed out after ${this.spec.timeoutSeconds.toFixed(2)} seconds`,
            trace: [],
          }),
        );
        // A timed-out sandbox is not reused: whatever it was doing must not leak into the next invocation.
        void this.terminate();
      }, timeoutMs);
      this.pending = { id, call: { requestId, resolve, reject, timer } };
      this.worker.postMessage({ type: 'invoke', id, requestId, payload: text, deadline: Date.now() + timeoutMs } satisfies ToWorker);
    });
  }

  async terminate(): Promise<void> {
    this.dead = true;
    this.remove();
    await this.worker.terminate();
  }

  private settle(message: FromWorker): void {
    if ((message.type !== 'result' && message.type !== 'error') || this.pending?.id !== message.id) return;
    const { call } = this.pending;
    this.pending = undefined;
    clearTimeout(call.timer);
    if (message.type === 'result') call.resolve(JSON.parse(message.payload));
    else call.reject(new FunctionInvocationError(message.error));
  }

  private crashError(error: Error): FunctionInvocationError {
    const outOfMemory = (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
    return new FunctionInvocationError({
      errorType: outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError',
      errorMessage: outOfMemory
        ? `RequestId: ${this.pending?.call.requestId ?? '-'} Error: Runtime exited with error: memory limit of ${this.spec.memorySize} MB exceeded`
        : `RequestId: ${this.pending?.call.requestId ?? '-'} Error: Runtime exited with error: ${error.name}: ${error.message}`,
      trace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
    });
  }

  private die(failure: Error): void {
    if (this.pending) {
      const { call } = this.pending;
      this.pending = undefined;
      clearTimeout(call.timer);
      call.reject(failure);
    }
    this.dead = true;
    this.remove();
  }

  /** Out of the function's pool (once), so a replacement can be started. */
  private remove(): void {
    if (this.removed) return;
    this.removed = true;
    this.onDeath(this);
  }
}

class LocalFunction {
  private readonly sandboxes = new Set<Sandbox>();
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  constructor(
    readonly spec: LocalFunctionSpec,
    private readonly log: WriteStream,
    private readonly maxSandboxes: number,
  ) {}

  /** Starts the first sandbox, so a function that cannot load fails at start-up rather than mid-workflow. */
  async warm(): Promise<void> {
    const sandbox = this.spawn();
    await sandbox.ready;
  }

  async invoke(payload: unknown): Promise<unknown> {
    const sandbox = await this.acquire();
    try {
      await sandbox.ready;
      return await sandbox.invoke(payload);
    } finally {
      sandbox.busy = false;
      this.waiting.shift()?.();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.sandboxes].map((sandbox) => sandbox.terminate()));
    this.sandboxes.clear();
    // Queued invocations wake up to find the function closed.
    for (const wake of this.waiting.splice(0)) wake();
  }

  private async acquire(): Promise<Sandbox> {
    for (;;) {
      if (this.closed) throw Object.assign(new Error('The local runtime is shutting down'), { name: 'Lambda.ServiceException' });
      const idle = [...this.sandboxes].find((sandbox) => !sandbox.busy && !sandbox.dead);
      const sandbox = idle ?? (this.sandboxes.size < this.maxSandboxes ? this.spawn() : undefined);
      if (sandbox) {
        sandbox.busy = true;
        return sandbox;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private spawn(): Sandbox {
    const sandbox = new Sandbox(this.spec, this.log, (dead) => {
      this.sandboxes.delete(dead);
      this.waiting.shift()?.();
    });
    this.sandboxes.add(sandbox);
    return sandbox;
  }
}

export class LocalFunctions {
  private readonly byName = new Map<string, LocalFunction>();
  private readonly logs: WriteStream[] = [];

  private constructor() {}

  /** Starts one sandbox per function and waits until each has loaded its handler. */
  static async start(specs: readonly LocalFunctionSpec[], options: LocalFunctionsOptions): Promise<LocalFunctions> {
    const functions = new LocalFunctions();
    mkdirSync(options.logDir, { recursive: true });
    for (const spec of specs) {
      const log = createWriteStream(join(options.logDir, `${spec.functionName}.log`), { flags: 'a' });
      functions.logs.push(log);
      functions.byName.set(spec.functionName, new LocalFunction(spec, log, options.maxSandboxes ?? 4));
    }
    try {
      await Promise.all(
        [...functions.byName.values()].map((fn) =>
          fn.warm().catch((error: unknown) => {
            const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
            throw new LocalRuntimeError(
              'FUNCTION_LOAD_FAILED',
              `Lambda function ${fn.spec.logicalId} (${fn.spec.functionName}) could not load its handler ${fn.spec.handler} from ${fn.spec.assetDir}: ${reason}`,
              { cause: error },
            );
          }),
        ),
      );
    } catch (error) {
      await functions.close();
      throw error;
    }
    return functions;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /**
   * Invokes by function name or ARN (unqualified or `:$LATEST`). A function error rejects with a
   * FunctionInvocationError named after its errorType; an unknown function with Lambda.ResourceNotFoundException.
   */
  invoke(functionNameOrArn: string, payload: unknown): Promise<unknown> {
    const fn = this.byName.get(functionName(functionNameOrArn));
    if (!fn) {
      return Promise.reject(
        Object.assign(new Error(`Function not found: ${functionNameOrArn}`), { name: 'Lambda.ResourceNotFoundException' }),
      );
    }
    return fn.invoke(payload);
  }

  async close(): Promise<void> {
    await Promise.all([...this.byName.values()].map((fn) => fn.close()));
    await Promise.all(this.logs.map((log) => new Promise<void>((resolve) => log.end(() => resolve()))));
  }
}

/** `arn:aws:lambda:<region>:<account>:function:<name>[:$LATEST]` or a bare name → the name. */
function functionName(nameOrArn: string): string {
  if (!nameOrArn.startsWith('arn:')) return nameOrArn;
  const parts = nameOrArn.split(':');
  const qualifier = parts[7];
  // Only $LATEST exists locally; a version or alias must not silently run something else.
  if (qualifier !== undefined && qualifier !== '$LATEST') return `${parts[6]}:${qualifier}`;
  return parts[6] ?? nameOrArn;
}
