/**
 * One Lambda sandbox: a worker thread that imports a function's bundled asset and runs one invocation at a
 * time, with the function's own process.env (given by the parent). Runs on Node's own TypeScript type
 * stripping (Node 22.18+), not tsx, so only erasable syntax here, and no imports of project files.
 *
 * Messages from the parent: { type: 'invoke', id, requestId, payload (JSON text), deadline (epoch ms) }.
 * Messages to the parent: { type: 'ready' } | { type: 'init-error', error } once, then per invocation
 * { type: 'result', id, payload (JSON text) } or { type: 'error', id, error }.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

export interface WorkerConfig {
  assetDir: string;
  handler: string;
  functionName: string;
  functionArn: string;
  memorySize: number;
  logGroupName: string;
}

export interface FunctionError {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

export type ToWorker = { type: 'invoke'; id: number; requestId: string; payload: string; deadline: number };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'init-error'; error: FunctionError }
  | { type: 'result'; id: number; payload: string }
  | { type: 'error'; id: number; error: FunctionError };

type Handler = (event: unknown, context: Record<string, unknown>) => unknown;

function named(errorType: string, errorMessage: string, cause?: unknown): FunctionError {
  const trace = cause instanceof Error && typeof cause.stack === 'string' ? cause.stack.split('\n') : [];
  return { errorType, errorMessage, trace };
}

/** What Lambda reports for a thrown value: the error's name as errorType, its message, its stack lines. */
function describe(error: unknown): FunctionError {
  if (error instanceof Error) {
    return named(error.name || 'Error', error.message, error);
  }
  return { errorType: typeof error === 'string' ? 'string' : 'Error', errorMessage: String(error), trace: [] };
}

/** `index.handler` → the `handler` export of index.js, .mjs or .cjs in the asset, as Lambda looks for it. */
async function loadHandler(config: WorkerConfig): Promise<Handler> {
  const dot = config.handler.lastIndexOf('.');
  if (dot < 1) throw named('Runtime.MalformedHandlerName', `Bad handler ${config.handler}: missing module name`);
  const modulePath = config.handler.slice(0, dot);
  const exportName = config.handler.slice(dot + 1);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => join(config.assetDir, `${modulePath}${ext}`)).find((candidate) => existsSync(candidate));
  if (!file) throw named('Runtime.ImportModuleError', `Error: Cannot find module '${modulePath}' in ${config.assetDir}`);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw named('Runtime.ImportModuleError', `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`, error);
  }
  const handler = module[exportName];
  if (typeof handler !== 'function') throw named('Runtime.HandlerNotFound', `${config.handler} is undefined or not exported`);
  return handler as Handler;
}

function isFunctionError(value: unknown): value is FunctionError {
  return typeof value === 'object' && value !== null && typeof (value as FunctionError).errorType === 'string' && Array.isArray((value as FunctionError).trace);
}

const port = parentPort;
if (port) {
  const config = workerData as WorkerConfig;
  const loading = loadHandler(config);
  loading.then(
    () => port.postMessage({ type: 'ready' } satisfies FromWorker),
    (error: unknown) => port.postMessage({ type: 'init-error', error: isFunctionError(error) ? error : describe(error) } satisfies FromWorker),
  );

  port.on('message', (message: ToWorker) => {
    if (message.type !== 'invoke') return;
    const context = {
      functionName: config.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: config.functionArn,
      memoryLimitInMB: String(config.memorySize),
      awsRequestId: message.requestId,
      logGroupName: config.logGroupName,
      logStreamName: `local/[$LATEST]${config.functionName}`,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
    };
    (async () => {
      const handler = await loading;
      const result = await handler(JSON.parse(message.payload), context);
      // Lambda serialises the result as JSON: undefined becomes null.
      port.postMessage({ type: 'result', id: message.id, payload: JSON.stringify(result ?? null) } satisfies FromWorker);
    })().catch((error: unknown) => {
      port.postMessage({ type: 'error', id: message.id, error: isFunctionError(error) ? error : describe(error) } satisfies FromWorker);
    });
  });
}
