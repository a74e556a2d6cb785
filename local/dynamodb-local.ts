/**
 * Runs Amazon DynamoDB Local (the jar shipped inside the amplify-dynamodb-simulator
 * package) as a child process, so tests and the offline runtime talk to the
 * real DynamoDB engine over HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { LocalRuntimeError } from './errors.ts';

export interface DynamoDbLocalOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Persist tables in this directory (-dbPath); in memory when absent. */
  dataDir?: string;
  /** How long to wait for the first answer. Default 60 s (a cold JVM on a busy machine is slow). */
  startTimeoutMs?: number;
  /** Command used to run Java; default `java` from PATH. */
  javaCommand?: string;
}

export interface DynamoDbLocal {
  /** e.g. http://127.0.0.1:41234 */
  endpoint: string;
  port: number;
  /** Process id of the JVM. */
  pid: number;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const JAVA_INSTALL_HINT =
  'DynamoDB Local needs a Java runtime (17 or newer). On Debian or Ubuntu install it with:\n' +
  '  sudo apt-get update && sudo apt-get install -y openjdk-17-jre-headless\n' +
  'then check that `java -version` works in the same terminal.';

/** Where DynamoDBLocal.jar and its native libraries are, inside the installed package. */
export function findDynamoDbLocalJar(): { jar: string; libDir: string } {
  const require = createRequire(import.meta.url);
  let packageDir: string;
  try {
    packageDir = dirname(require.resolve('amplify-dynamodb-simulator/package.json'));
  } catch (error) {
    throw new LocalRuntimeError(
      'DYNAMODB_JAR_NOT_FOUND',
      'DynamoDB Local was not found: the npm package amplify-dynamodb-simulator, which ships DynamoDBLocal.jar, is not installed. Run `npm ci` in the project directory.',
      { cause: error },
    );
  }
  const emulator = join(packageDir, 'emulator');
  const jar = join(emulator, 'DynamoDBLocal.jar');
  const libDir = join(emulator, 'DynamoDBLocal_lib');
  if (!existsSync(jar) || !existsSync(libDir)) {
    throw new LocalRuntimeError(
      'DYNAMODB_JAR_NOT_FOUND',
      `DynamoDB Local was not found: expected ${jar} and ${libDir} inside the amplify-dynamodb-simulator package. Reinstall dependencies with \`npm ci\`.`,
    );
  }
  return { jar, libDir };
}

/** Resolves with a port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

/** True when nothing listens on 127.0.0.1:port. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const probe = createServer();
    probe.once('error', () => resolveFree(false));
    probe.listen(port, HOST, () => probe.close(() => resolveFree(true)));
  });
}

function portInUse(port: number): LocalRuntimeError {
  return new LocalRuntimeError(
    'PORT_IN_USE',
    `DynamoDB Local cannot use port ${port}: another program is already listening on it. Stop that program, or choose another port (0 picks a free one).`,
  );
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** A JVM left behind would keep the port and memory after the tests or the dev server stop. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = () => {
    for (const child of running) child.kill('SIGKILL');
  };
  process.on('exit', killAll);
  // 'exit' does not run when a signal ends the process. Kill the JVMs, then let
  // the signal do what it would have done: end the process, unless someone
  // else handles it (e.g. a dev server closing down gracefully).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      killAll();
      if (process.listenerCount(signal) === 1) {
        process.off(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

async function answersListTables(endpoint: string): Promise<boolean> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: { requestTimeout: 2000, connectionTimeout: 1000 },
  });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const { jar, libDir } = findDynamoDbLocalJar();
  const javaCommand = options.javaCommand ?? 'java';
  const timeoutMs = options.startTimeoutMs ?? 60_000;

  let port = options.port ?? 0;
  if (port === 0) port = await freePort();
  else if (!(await portIsFree(port))) throw portInUse(port);

  const args = [`-Djava.library.path=${libDir}`, '-jar', jar, '-port', String(port), '-disableTelemetry', '-sharedDb'];
  if (options.dataDir) {
    const dbPath = resolve(options.dataDir);
    await mkdir(dbPath, { recursive: true });
    args.push('-dbPath', dbPath);
  } else {
    args.push('-inMemory');
  }

  // cwd is the jar's directory: DynamoDB Local looks for its libraries next to it.
  const child = spawn(javaCommand, args, { cwd: dirname(jar), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: NodeJS.ErrnoException }>((resolveExit) => {
    child.once('error', (error: NodeJS.ErrnoException) => resolveExit({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
  });
  running.add(child);
  installExitHook();
  void exited.then(() => running.delete(child));

  const endpoint = `http://${HOST}:${port}`;
  const deadline = Date.now() + timeoutMs;
  let exitInfo: Awaited<typeof exited> | undefined;
  void exited.then((info) => {
    exitInfo = info;
  });

  for (;;) {
    if (exitInfo) {
      const { error, code, signal } = exitInfo;
      if (error?.code === 'ENOENT') {
        throw new LocalRuntimeError('JAVA_NOT_FOUND', `Cannot start DynamoDB Local: the \`${javaCommand}\` command was not found.\n${JAVA_INSTALL_HINT}`, { cause: error });
      }
      if (error) {
        throw new LocalRuntimeError('DYNAMODB_LOCAL_FAILED', `Cannot start DynamoDB Local: running \`${javaCommand}\` failed (${error.message}).\n${JAVA_INSTALL_HINT}`, {
          cause: error,
        });
      }
      if (/Address already in use|BindException/i.test(output)) throw portInUse(port);
      if (/UnsupportedClassVersionError/.test(output)) {
        throw new LocalRuntimeError('DYNAMODB_LOCAL_FAILED', `DynamoDB Local needs a newer Java than the one found.\n${JAVA_INSTALL_HINT}`);
      }
      throw new LocalRuntimeError(
        'DYNAMODB_LOCAL_FAILED',
        `DynamoDB Local stopped while starting (exit ${code ?? signal}). Its last output was:\n${output.trim() || '(nothing)'}`,
      );
    }
    if (await answersListTables(endpoint)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new LocalRuntimeError(
        'DYNAMODB_LOCAL_TIMEOUT',
        `DynamoDB Local did not answer on ${endpoint} within ${Math.round(timeoutMs / 1000)} s. Its last output was:\n${output.trim() || '(nothing)'}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  let closing: Promise<void> | undefined;
  return {
    endpoint,
    port,
    pid: child.pid as number,
    close() {
      closing ??= (async () => {
        if (exitInfo) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}
