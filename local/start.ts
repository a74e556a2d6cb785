/**
 * `npm start`: the province stack on this machine, from the synthesized template, with demo data on first start.
 *
 *   npm start -- [--province 81] [--time-scale 1/8640] [--port-base 8700] [--data-dir .local] [--reset] [--no-demo]
 *
 * Stays in the foreground; Ctrl-C stops everything and keeps the state for the next start.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DAY_MS } from '../functions/shared/runtime.ts';
import { DEFAULT_DATA_DIR } from './clients.ts';
import { runDemoData } from './demo-data.ts';
import { DEMO_PASSWORD } from './demo-users.ts';
import { isLocalRuntimeError, LocalRuntimeError } from './errors.ts';
import { LOCAL_SERVICES, startLocalRuntime, type LocalRuntime, type LocalService, type ProgressEvent } from './runtime.ts';
import { REPO_ROOT } from './synth.ts';

const DEFAULT_TIME_SCALE = '1/8640';
const DEFAULT_PORT_BASE = 8700;

const USAGE = `Usage: npm start -- [options]

  --province <code>     two-digit province code (default 81, Maluku)
  --time-scale <n>      how fast time runs: 1/8640 (default) makes a day last 10 s; 1 is real time
  --port-base <n>       DynamoDB on n, S3 on n+1, Step Functions on n+2, Secrets Manager on n+3,
                        the HTTP API on n+4, the token issuer on n+5, the web console on n+6
                        (default ${DEFAULT_PORT_BASE})
  --data-dir <dir>      where the state is kept (default ${DEFAULT_DATA_DIR})
  --reset               delete the data directory first: a fresh stack with fresh demo data
  --no-demo             do not seed or continue the demo proposals
  --help`;

interface Settings {
  province: string;
  timeScale: number;
  timeScaleText: string;
  portBase: number;
  dataDir: string;
  reset: boolean;
  demo: boolean;
}

function parseSettings(argv: string[]): Settings | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        province: { type: 'string', default: '81' },
        'time-scale': { type: 'string', default: DEFAULT_TIME_SCALE },
        'port-base': { type: 'string', default: String(DEFAULT_PORT_BASE) },
        'data-dir': { type: 'string', default: DEFAULT_DATA_DIR },
        reset: { type: 'boolean', default: false },
        'no-demo': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new LocalRuntimeError('INVALID_ARGUMENT', `${(error as Error).message}\n\n${USAGE}`);
  }
  const values = parsed.values;
  if (values.help) {
    console.log(USAGE);
    return undefined;
  }
  const portBase = Number(values['port-base']);
  if (!Number.isInteger(portBase) || portBase < 1024 || portBase > 65535 - LOCAL_SERVICES.length) {
    throw new LocalRuntimeError('INVALID_ARGUMENT', `--port-base must be a port number from 1024 to ${65535 - LOCAL_SERVICES.length}, not "${values['port-base']}".`);
  }
  return {
    province: values.province,
    timeScale: parseTimeScale(values['time-scale']),
    timeScaleText: values['time-scale'],
    portBase,
    dataDir: resolve(values['data-dir']),
    reset: values.reset,
    demo: !values['no-demo'],
  };
}

/** `1/8640`, `0.0001` or `1`. */
function parseTimeScale(text: string): number {
  const fraction = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
  const value = fraction ? Number(fraction[1]) / Number(fraction[2]) : Number(text);
  if (!Number.isFinite(value) || value <= 0 || text.trim() === '') {
    throw new LocalRuntimeError('INVALID_ARGUMENT', `--time-scale must be a positive number or fraction such as 1/8640, not "${text}".`);
  }
  return value;
}

/** "10 s", "4.8 min", "2.4 h" */
function duration(ms: number): string {
  if (ms < 120_000) return `${Number((ms / 1000).toPrecision(3))} s`;
  if (ms < 7_200_000) return `${Number((ms / 60_000).toPrecision(3))} min`;
  if (ms < 2 * DAY_MS) return `${Number((ms / 3_600_000).toPrecision(3))} h`;
  return `${Number((ms / DAY_MS).toPrecision(3))} days`;
}

/** Refuses to delete anything that is not plainly a data directory. */
function reset(dataDir: string): void {
  const forbidden = [resolve('/'), resolve(homedir()), resolve(REPO_ROOT), resolve(process.cwd())];
  if (forbidden.includes(dataDir)) throw new LocalRuntimeError('INVALID_ARGUMENT', `--reset will not delete ${dataDir}: choose a data directory of its own.`);
  const lock = resolve(dataDir, 'runtime.lock');
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8'));
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = pid !== process.pid;
    } catch {
      alive = false;
    }
    if (alive) {
      throw new LocalRuntimeError('RUNTIME_ALREADY_RUNNING', `A local runtime (process ${pid}) is using ${dataDir}; stop it before --reset.`);
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
}

async function main(): Promise<number> {
  const settings = parseSettings(process.argv.slice(2));
  if (!settings) return 0;
  const shown = relative(process.cwd(), settings.dataDir) || '.';
  if (settings.reset) {
    reset(settings.dataDir);
    console.log(`Deleted ${shown}: starting afresh.`);
  }

  const day = DAY_MS * settings.timeScale;
  console.log(`Verval local stack, province ${settings.province}, state in ${shown}`);
  console.log(
    settings.timeScale === 1
      ? 'Time runs at real speed.'
      : `Time scale ${settings.timeScaleText}: a day lasts ${duration(day)} (a 10-day public review ${duration(10 * day)}, a 5-day SLA ${duration(5 * day)}).`,
  );

  const stop = new AbortController();
  let runtime: LocalRuntime | undefined;
  let firstSignalAt = 0;
  const onSignal = () => {
    // One Ctrl-C can arrive more than once (the terminal, npm and tsx each pass it on): only a signal well
    // after the first means "stop now".
    if (firstSignalAt > 0) {
      if (Date.now() - firstSignalAt > 2000) process.exit(130);
      return;
    }
    firstSignalAt = Date.now();
    console.log('\nStopping…');
    stop.abort();
    if (runtime) {
      const current = runtime;
      setTimeout(() => {
        console.error('Stopping took too long; exiting anyway.');
        process.exit(1);
      }, 20_000).unref();
      void current.close().then(() => process.exit(0));
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let midLine = false;
  let startedAt = 0;
  const onProgress = (event: ProgressEvent) => {
    if (event.state === 'start') {
      startedAt = Date.now();
      process.stdout.write(`  ${event.label}… `);
      midLine = true;
    } else {
      const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
      process.stdout.write(`done (${seconds} s${event.detail ? `; ${event.detail}` : ''})\n`);
      midLine = false;
    }
  };
  const ports = Object.fromEntries(LOCAL_SERVICES.map((service, i) => [service, settings.portBase + i])) as Record<LocalService, number>;
  try {
    runtime = await startLocalRuntime({
      province: settings.province,
      dataDir: settings.dataDir,
      timeScale: settings.timeScale,
      ports,
      onProgress,
      onBackgroundError: (error) => console.error('[workflow]', error instanceof Error ? `${error.name}: ${error.message}` : error),
      onServiceMessage: (service, message) => console.error(`[${service}] ${message}`),
      console: true,
    });
  } catch (error) {
    if (midLine) process.stdout.write('failed\n');
    if (stop.signal.aborted) return 130;
    throw error;
  }
  if (stop.signal.aborted) {
    await runtime.close();
    return 130;
  }

  const { endpoints } = runtime;
  const decide = `npx tsx local/decide.ts${settings.dataDir === resolve(DEFAULT_DATA_DIR) ? '' : ` --data-dir ${shown}`}`;
  console.log(`\nEndpoints (${relative(process.cwd(), resolve(settings.dataDir, 'endpoints.json'))}):`);
  console.log(JSON.stringify(endpoints, null, 2));
  if (runtime.resumed.length > 0) console.log(`\nContinued ${runtime.resumed.length} running execution(s) from the last start.`);

  if (settings.demo) {
    process.stdout.write('\n  Demo data… ');
    const demoStarted = Date.now();
    try {
      const demo = await runDemoData({
        endpoints,
        config: runtime.config,
        timeScale: settings.timeScale,
        dataDir: settings.dataDir,
        signal: stop.signal,
        decideCommand: decide,
        log: (line) => console.log(line),
      });
      const took = `${((Date.now() - demoStarted) / 1000).toFixed(1)} s`;
      const what = { seeded: `${demo.proposals.length} proposals submitted`, continued: 'continuing the unfinished demo plan', complete: 'already in place' };
      process.stdout.write(`done (${took}; ${what[demo.state]})\n`);
      if (demo.state !== 'complete') {
        console.log(`Demo proposals (scripted approvers move them along as time passes):`);
        for (const proposal of demo.proposals) console.log(`  ${proposal.proposalId}  village ${proposal.villageCode}  ${proposal.description}`);
        void demo.done.then(() => {
          if (!stop.signal.aborted) console.log('demo: done; every demo proposal is where the demo leaves it.');
        });
      }
    } catch (error) {
      // The stack itself is up; a demo that cannot be seeded should not take it down.
      process.stdout.write('failed\n');
      console.error(`The demo data could not be seeded: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    }
  }

  printSignIn(runtime);
  if (endpoints.console) console.log(`\nWeb console: ${endpoints.console}  (sign in as a demo user above; the public review board needs no sign-in)`);

  // AWS_REGION for the SDKs and CLI v2, AWS_DEFAULT_REGION for CLI v1.
  const env = `AWS_ACCESS_KEY_ID=${endpoints.credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${endpoints.credentials.secretAccessKey} AWS_REGION=${endpoints.region} AWS_DEFAULT_REGION=${endpoints.region}`;
  console.log(`
What to try first:
  export ${env}
  aws stepfunctions list-executions --endpoint-url ${endpoints.stepfunctions} --state-machine-arn ${endpoints.stateMachineArn}
  aws dynamodb scan --endpoint-url ${endpoints.dynamodb} --table-name ${endpoints.tableName} --max-items 5
  ${decide}                      # the tasks waiting for a decision
  ${decide} <taskId> approve     # approve one (reject|return need a reason)
Workflow outcomes are appended to ${relative(process.cwd(), endpoints.eventsFile)}; function output is in ${relative(process.cwd(), endpoints.logsDir)}/.
Ctrl-C stops the stack and keeps its state; npm start -- --reset starts afresh.
`);
  // Stays up until a signal; onSignal closes and exits.
  return new Promise<number>(() => undefined);
}

/** The demo users, how to get a token, and the API's routes. */
function printSignIn(runtime: LocalRuntime): void {
  const { endpoints, users, routes } = runtime;
  const width = (pick: (user: (typeof users)[number]) => string) => Math.max(...users.map((user) => pick(user).length));
  const [u, r, t, g] = [width((user) => user.username), width((user) => user.role), width((user) => user.tier ?? '-'), width((user) => user.region)];
  console.log(`\nDemo users (password ${DEMO_PASSWORD} for all):`);
  for (const user of users) {
    console.log(`  ${user.username.padEnd(u)}  ${user.role.padEnd(r)}  ${(user.tier ?? '-').padEnd(t)}  ${user.region.padEnd(g)}  ${user.name}, ${user.title}`);
  }
  const example = users.find((user) => user.role === 'village_operator') ?? users[0]!;
  console.log(`\nGet an ID token (valid 1 h) from the issuer:`);
  console.log(`  curl -X POST ${endpoints.issuer}/token -d '{"username":"${example.username}","password":"${DEMO_PASSWORD}"}'`);
  if (endpoints.api === null) {
    console.log('The template has no HTTP API yet, so there is nothing to call with it.');
    return;
  }
  console.log(`and call the HTTP API with it:`);
  console.log(`  TOKEN=$(curl -s -X POST ${endpoints.issuer}/token -d '{"username":"${example.username}","password":"${DEMO_PASSWORD}"}' | sed 's/.*"idToken":"\\([^"]*\\)".*/\\1/')`);
  const jwtGets = routes.filter((route) => route.authorization === 'JWT' && route.routeKey.startsWith('GET '));
  const sample = jwtGets.find((route) => !route.routeKey.includes('{')) ?? jwtGets[0];
  if (sample) console.log(`  curl -H "Authorization: Bearer $TOKEN" ${endpoints.api}${sample.routeKey.split(' ')[1]}`);
  console.log(`Routes of ${endpoints.api} (public ones need no token):`);
  for (const route of routes) console.log(`  ${route.routeKey}${route.authorization === 'NONE' ? '   (public)' : ''}`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (isLocalRuntimeError(error)) {
      console.error(`\n${error.message}`);
    } else {
      console.error('\nThe local runtime failed unexpectedly:', error);
    }
    process.exit(1);
  },
);
