/**
 * The whole province stack on one machine, from the synthesized template: DynamoDB Local with the template's
 * tables, the local S3 store with its buckets (and their notifications to functions), a Secrets Manager
 * endpoint with its secrets, each Lambda function's bundle in worker threads with its own environment, the
 * state machine on a Step Functions endpoint, a token issuer standing in for the Cognito user pool, and the
 * HTTP API. Everything listens on 127.0.0.1 only and keeps its state in `dataDir`, so a restart picks up where
 * the last run stopped (executions and signing keys included).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import { parseProvinceConfig, type ProvinceConfig, type ProvinceConfigOverrides } from '../domain/province-config.ts';
import { findProvince, stackNameFor, UnknownProvinceError } from '../infra/provinces.ts';
import { readHttpApis } from './api-gateway/model.ts';
import { startHttpApi, type HttpApiServer } from './api-gateway/server.ts';
import { buildConsole } from '../console/build.ts';
import { createTablesFromTemplate } from './cloudformation-tables.ts';
import { startConsoleServer } from './console-server.ts';
import { demoUsers, type DemoUser } from './demo-users.ts';
import { freePort, startDynamoDbLocal } from './dynamodb-local.ts';
import { LocalRuntimeError } from './errors.ts';
import { eventLog } from './event-log.ts';
import { startEventBridgeEndpoint } from './eventbridge.ts';
import { startIssuer } from './identity/issuer.ts';
import { identityFromTemplate } from './identity/template.ts';
import type { JsonProtocolServer } from './json-protocol.ts';
import { LocalFunctions, type LocalFunctionSpec } from './lambda/functions.ts';
import { checkResourceTypes, customResourceProviders } from './resource-types.ts';
import { notificationListener, readBucketNotifications } from './s3/notifications.ts';
import { startS3Server } from './s3/server.ts';
import { readSchedules, startScheduler, type LocalSchedule } from './scheduler.ts';
import { loadSecrets, startSecretsManagerEndpoint } from './secrets-manager.ts';
import type { LocalCredentials } from './sigv4.ts';
import { startStepFunctionsEndpoint } from './stepfunctions/endpoint.ts';
import { StateMachineHost } from './stepfunctions/host.ts';
import { synthesizeProvince } from './synth.ts';
import {
  createTemplateContext,
  loadSynthesizedTemplate,
  LOCAL_ACCOUNT_ID,
  resolveResourceProperties,
  resolveStateMachineDefinition,
  resolveTemplateValue,
  type CfnTemplate,
  type LocalStackContext,
} from './template.ts';

export const LOCAL_REGION = 'ap-southeast-3';

export type LocalService = 'dynamodb' | 's3' | 'stepfunctions' | 'secretsmanager' | 'api' | 'issuer' | 'console' | 'events';
/** The order `--port-base` hands out ports in: base, base+1, ... */
export const LOCAL_SERVICES: readonly LocalService[] = ['dynamodb', 's3', 'stepfunctions', 'secretsmanager', 'api', 'issuer', 'console', 'events'];

export interface LocalRuntimeOptions {
  /** Two-digit province code; default 81 (Maluku). */
  province?: string;
  /** Where everything is kept: cdk.out, dynamodb, s3, stepfunctions, secrets, logs, events.jsonl, endpoints.json. */
  dataDir: string;
  /**
   * Multiplies every period: the Step Functions host scales Task timeouts (SLAs), Wait seconds and Retry
   * intervals, and the functions get VERVAL_TIME_SCALE to scale the review period and due dates they compute.
   * 1/8640 makes a day last 10 s. Default 1 (real time).
   */
  timeScale?: number;
  /** A port per service; absent or 0 picks a free one. */
  ports?: Partial<Record<LocalService, number>>;
  /** Passed to the province app, e.g. shorter SLAs in tests. */
  configOverrides?: ProvinceConfigOverrides;
  onProgress?: (event: ProgressEvent) => void;
  /** Errors with no caller to report to (a failing background write in the workflow host); default stderr. */
  onBackgroundError?: (error: unknown) => void;
  /**
   * What a person running the stack should see that no caller is told: why the HTTP API answered 500/503 (the
   * client only gets API Gateway's generic message), a function failing on an S3 notification. Default stderr.
   */
  onServiceMessage?: (service: 'api' | 's3' | 'scheduler', message: string) => void;
  /**
   * Where the functions reach DynamoDB and S3, given where those listen: `npm run bench` puts counting proxies in
   * between (bench/support/counting-proxy.ts). Default: the services themselves.
   */
  functionEndpoints?: (endpoints: { dynamodb: string; s3: string }) => Promise<Partial<{ dynamodb: string; s3: string }>>;
  /** Build the web console (console/build.ts) into `<dataDir>/console` and serve it; default false. */
  console?: boolean;
  /**
   * DynamoDB Local and the Step Functions host keep their state in memory, so nothing survives a restart. For the
   * bench's fresh stacks: on disk, the stand-ins' own durability (SQLite page writes, a rewritten execution file per
   * state) would take CPU that the stack on AWS never pays. Default false.
   */
  inMemory?: boolean;
}

export type ProgressStep = 'synth' | 'dynamodb' | 'tables' | 's3' | 'secrets' | 'functions' | 'stepfunctions' | 'events' | 'scheduler' | 'issuer' | 'api' | 'console';
export type ProgressEvent = { step: ProgressStep; state: 'start'; label: string } | { step: ProgressStep; state: 'done'; detail?: string };

/** What endpoints.json holds: everything a client needs to talk to the running stack. */
export interface LocalEndpoints {
  /** The HTTP API's base URL (its `$default` stage); null when the template has no HTTP API. */
  api: string | null;
  /** The web console's URL, when the runtime was started with `console: true`. */
  console: string | null;
  /** The local token issuer standing in for the Cognito user pool: `POST <issuer>/token`. */
  issuer: string;
  dynamodb: string;
  s3: string;
  stepfunctions: string;
  secretsmanager: string;
  /** EventBridge PutEvents for the functions; entries are appended to eventsFile. */
  events: string;
  region: string;
  province: string;
  stackName: string;
  stateMachineArn: string;
  tableName: string;
  evidenceBucket: string;
  eventBusName: string | null;
  /** PutEvents from the workflow and the functions, one event per line. */
  eventsFile: string;
  /** One file of console output per function. */
  logsDir: string;
  credentials: LocalCredentials;
}

export interface LocalRuntime {
  endpoints: LocalEndpoints;
  /** The province configuration the template gives the functions. */
  config: ProvinceConfig;
  dataDir: string;
  /** Executions found RUNNING in dataDir and continued. */
  resumed: string[];
  /** Who can sign in at the issuer (all with DEMO_PASSWORD). */
  users: DemoUser[];
  /** The HTTP API's routes, as route keys with their authorization; empty without an API. */
  routes: { routeKey: string; authorization: 'JWT' | 'NONE' }[];
  /** The template's EventBridge Scheduler schedules, firing in real time while the runtime runs. */
  schedules: readonly LocalSchedule[];
  /**
   * Fires a schedule now, as if it were due at `scheduledTime` (by its name or logical id), and resolves with what
   * its function returned: tests run a monthly job without waiting for the month.
   */
  runSchedule(nameOrLogicalId: string, scheduledTime: Date): Promise<unknown>;
  close(): Promise<void>;
}

const ACCESS_KEY_ID = 'vervallocal'; // DynamoDB Local accepts only letters and digits here.
const activeDataDirs = new Set<string>();

export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const dataDir = resolve(options.dataDir);
  const region = LOCAL_REGION;
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) {
    throw new LocalRuntimeError('INVALID_ARGUMENT', `The time scale must be a positive number, not ${timeScale}.`);
  }
  const province = provinceOf(options.province ?? '81');
  const stackName = stackNameFor(province);
  const progress = options.onProgress ?? (() => undefined);
  const step = async <T>(name: ProgressStep, label: string, run: () => Promise<T>, detail?: (result: T) => string | undefined): Promise<T> => {
    progress({ step: name, state: 'start', label });
    const result = await run();
    const text = detail?.(result);
    progress({ step: name, state: 'done', ...(text ? { detail: text } : {}) });
    return result;
  };

  mkdirSync(dataDir, { recursive: true });
  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // Best effort: one service failing to stop must not keep the others running.
      }
    }
  };

  try {
    cleanups.push(acquireLock(dataDir));
    // Cheap checks first: a taken port or a missing Java should not cost a synth.
    await checkPortsFree(options.ports ?? {});
    checkJava();
    const credentials = localCredentials(join(dataDir, 'credentials.json'));

    const cdkOutDir = join(dataDir, 'cdk.out');
    await step(
      'synth',
      `Synthesizing ${stackName} with bundling`,
      () => synthesizeProvince({ province: province.code, cdkOutDir, ...(options.configOverrides ? { configOverrides: options.configOverrides } : {}) }),
      ({ reused }) => (reused ? 'sources unchanged, reusing the last synthesis' : undefined),
    );
    const template = loadSynthesizedTemplate(cdkOutDir, stackName);
    checkResourceTypes(template);
    const ctx = createTemplateContext(template, { region, stackName });
    const resources = Object.entries(template.Resources ?? {});
    const ofType = (type: string) => resources.filter(([, resource]) => resource.Type === type).map(([logicalId]) => logicalId);
    const report = options.onServiceMessage ?? ((service: string, message: string) => console.error(`[local ${service}] ${message}`));
    const physical = (logicalId: string) => ctx.resources[logicalId]!.ref;
    // What the template asks of the API and the notifications is checked now, before anything starts.
    const apis = readHttpApis(template, ctx);
    if (apis.length > 1) {
      throw new LocalRuntimeError(
        'UNSUPPORTED_RESOURCE',
        `The template has ${apis.length} HTTP APIs (${apis.map((api) => api.logicalId).join(', ')}); the local runtime serves one.`,
      );
    }
    const notifications = readBucketNotifications(template, ctx);
    const schedules = readSchedules(template, ctx);

    const dynamodb = await step('dynamodb', 'Starting DynamoDB Local', () =>
      startDynamoDbLocal({ ...(options.inMemory ? {} : { dataDir: join(dataDir, 'dynamodb') }), ...portOption(options.ports?.dynamodb) }),
      (started) => started.endpoint,
    );
    cleanups.push(() => dynamodb.close());

    await step(
      'tables',
      'Creating tables from the template',
      async () => {
        const client = new DynamoDBClient({ endpoint: dynamodb.endpoint, region, credentials: { ...credentials } });
        try {
          const tableIds = [...ofType('AWS::DynamoDB::Table'), ...ofType('AWS::DynamoDB::GlobalTable')];
          // The table definitions may refer to other resources (a KMS key); resolve them as CloudFormation would.
          const resolved = Object.fromEntries(
            tableIds.map((id) => [id, { Type: template.Resources![id]!.Type, Properties: resolveResourceProperties(template, id, ctx) }]),
          );
          return await createTablesFromTemplate({ Resources: resolved }, client, { nameFor: physical });
        } finally {
          client.destroy();
        }
      },
      (tables) => Object.values(tables).join(', '),
    );

    const s3 = await step('s3', 'Starting the S3 store', async () => {
      const server = await startS3Server({ credentials: [credentials], region, dataDir: join(dataDir, 's3'), ...portOption(options.ports?.s3) });
      cleanups.push(() => server.close());
      const client = new S3Client({ endpoint: server.endpoint, region, credentials: { ...credentials }, forcePathStyle: true });
      try {
        for (const id of ofType('AWS::S3::Bucket')) await createBucket(client, physical(id), region);
      } finally {
        client.destroy();
      }
      return server;
    }, (server) => server.endpoint);

    const secretsServer = await step('secrets', 'Starting Secrets Manager', async () => {
      const secrets = loadSecrets(
        join(dataDir, 'secrets.json'),
        ofType('AWS::SecretsManager::Secret').map((id) => ({ arn: physical(id), properties: resolveResourceProperties(template, id, ctx) })),
      );
      const server = await startSecretsManagerEndpoint({ secrets, region, credentials: [credentials], ...portOption(options.ports?.secretsmanager) });
      cleanups.push(() => server.close());
      return server;
    }, (server) => server.endpoint);

    // Reserved before the functions start, so their environment can name it.
    const stepFunctionsPort = options.ports?.stepfunctions || (await freePort());
    const stepFunctionsUrl = `http://127.0.0.1:${stepFunctionsPort}`;
    const eventsPort = options.ports?.events || (await freePort());
    const logsDir = join(dataDir, 'logs');
    // CDK's handler for bucket notifications (inline Python) is not run: the notifications are delivered natively.
    const providers = customResourceProviders(template);
    const forFunctions = { dynamodb: dynamodb.endpoint, s3: s3.endpoint };
    Object.assign(forFunctions, await options.functionEndpoints?.({ ...forFunctions }));
    const functionSpecs = ofType('AWS::Lambda::Function').filter((id) => !providers.has(id)).map((id) =>
      functionSpec(template, ctx, id, {
        cdkOutDir,
        credentials,
        region,
        timeScale,
        endpoints: { ...forFunctions, secretsmanager: secretsServer.endpoint, stepfunctions: stepFunctionsUrl, eventbridge: `http://127.0.0.1:${eventsPort}` },
        dataDir,
      }),
    );
    const functions = await step(
      'functions',
      `Starting ${functionSpecs.length} Lambda functions in worker threads`,
      async () => {
        const started = await LocalFunctions.start(functionSpecs, { logDir: logsDir });
        cleanups.push(() => started.close());
        if (notifications.length > 0) {
          const unsubscribe = s3.onObjectCreated(
            notificationListener(notifications, { invoke: (name, event) => started.invoke(name, event), onError: (message) => report('s3', message) }),
          );
          cleanups.push(unsubscribe);
        }
        return started;
      },
      () =>
        `logs in ${logsDir}` +
        notifications.map((target) => `; s3://${target.bucket}/${target.prefix ?? ''}*${target.suffix ?? ''} → ${target.functionName}`).join(''),
    );

    const eventBuses = ofType('AWS::Events::EventBus').map((id) => ({
      name: physical(id),
      arn: String(resolveTemplateValue({ 'Fn::GetAtt': [id, 'Arn'] }, ctx)),
    }));
    const eventsFile = join(dataDir, 'events.jsonl');
    const onEvents = eventLog(eventsFile, { region, accountId: LOCAL_ACCOUNT_ID, buses: eventBuses });
    const { server: stepFunctions, resumed } = await step(
      'stepfunctions',
      'Starting Step Functions',
      async () => {
        const host = new StateMachineHost({
          invokeFunction: (name, payload) => functions.invoke(name, payload),
          onEvents,
          timeScale,
          ...(options.inMemory ? {} : { dataDir: join(dataDir, 'stepfunctions') }),
          ...(options.onBackgroundError ? { onBackgroundError: options.onBackgroundError } : {}),
        });
        cleanups.push(() => host.close());
        const extras = new Map<string, Record<string, unknown>>();
        for (const id of ofType('AWS::StepFunctions::StateMachine')) {
          const properties = resolveResourceProperties(template, id, ctx);
          const arn = physical(id);
          await host.createStateMachine({
            arn,
            definition: resolveStateMachineDefinition(template, id, ctx),
            ...(typeof properties.RoleArn === 'string' ? { roleArn: properties.RoleArn } : {}),
          });
          extras.set(arn, describeExtras(properties));
        }
        const server: JsonProtocolServer = await startStepFunctionsEndpoint({
          host,
          region,
          credentials: [credentials],
          port: stepFunctionsPort,
          describeExtras: (arn) => extras.get(arn) ?? {},
        });
        cleanups.push(() => server.close());
        // After the endpoint is up: a resumed task may be decided as soon as it is waiting again.
        const { resumed } = await host.resumeExecutions();
        return { server, resumed };
      },
      ({ server, resumed }) => `${server.endpoint}${resumed.length ? `, ${resumed.length} execution(s) resumed` : ''}`,
    );

    const eventBridge = await step('events', 'Starting EventBridge (PutEvents)', async () => {
      const server = await startEventBridgeEndpoint({ onEvents, region, credentials: [credentials], port: eventsPort });
      cleanups.push(() => server.close());
      return server;
    }, (server) => `${server.endpoint}; events in ${eventsFile}`);

    const scheduler = await step(
      'scheduler',
      `Starting ${schedules.length} EventBridge Scheduler schedule(s)`,
      async () => {
        const started = startScheduler(schedules, { invoke: (name, payload) => functions.invoke(name, payload), onError: (message) => report('scheduler', message) });
        cleanups.push(() => started.close());
        return started;
      },
      () => schedules.map((schedule) => `${schedule.functionName} on ${describeExpression(schedule)}`).join('; ') || undefined,
    );

    const users = demoUsers(province.code);
    const identity = identityFromTemplate(template, ctx, region);
    const issuer = await step(
      'issuer',
      'Starting the token issuer',
      async () => {
        const started = await startIssuer({
          dataDir: join(dataDir, 'identity'),
          users,
          audience: identity.audience,
          ...portOption(options.ports?.issuer),
          ...(identity.trigger
            ? { preTokenGeneration: { ...identity.trigger, invoke: (event: Record<string, unknown>) => functions.invoke(identity.trigger!.functionArn, event) } }
            : {}),
        });
        cleanups.push(() => started.close());
        return started;
      },
      (started) => `${started.url}; ${users.length} demo users${identity.trigger ? `, pre-token-generation by ${identity.trigger.functionArn.split(':').at(-1)}` : ''}`,
    );

    let apiServer: HttpApiServer | undefined;
    const [api] = apis;
    if (api) {
      apiServer = await step(
        'api',
        `Starting the HTTP API (${api.routes.length} routes)`,
        async () => {
          mkdirSync(logsDir, { recursive: true });
          const accessLog = createWriteStream(join(logsDir, 'api-access.log'), { flags: 'a' });
          cleanups.push(() => new Promise<void>((resolveEnd) => accessLog.end(() => resolveEnd())));
          const started = await startHttpApi({
            api,
            invoke: (name, event) => functions.invoke(name, event),
            issuer: { url: issuer.url, jwks: () => issuer.jwks() },
            accountId: LOCAL_ACCOUNT_ID,
            ...portOption(options.ports?.api),
            onAccess: (entry) => accessLog.write(`${JSON.stringify(entry)}\n`),
            onIntegrationError: (message) => report('api', message),
          });
          cleanups.push(() => started.close());
          return started;
        },
        (started) => `${started.url}; requests logged in ${join(logsDir, 'api-access.log')}`,
      );
    }

    let consoleUrl: string | null = null;
    if (options.console) {
      consoleUrl = await step(
        'console',
        'Building and serving the web console',
        async () => {
          const dir = await buildConsole({
            outdir: join(dataDir, 'console'),
            provinces: [province.code],
            config: {
              apiUrl: apiServer?.url ?? '',
              province: province.code,
              auth: { kind: 'local', issuer: issuer.url, users: users.map(({ username, title }) => ({ username, title })) },
            },
          });
          const started = await startConsoleServer({ dir, ...portOption(options.ports?.console) });
          cleanups.push(() => started.close());
          return started.url;
        },
        (url) => url,
      );
    }

    const output = (name: string, fallbackType: string): string | undefined => {
      const value = template.Outputs?.[name]?.Value;
      if (value !== undefined) return String(resolveTemplateValue(value, ctx));
      const [first] = ofType(fallbackType);
      return first === undefined ? undefined : physical(first);
    };
    const endpoints: LocalEndpoints = {
      api: apiServer?.url ?? null,
      console: consoleUrl,
      issuer: issuer.url,
      dynamodb: dynamodb.endpoint,
      s3: s3.endpoint,
      stepfunctions: stepFunctions.endpoint,
      secretsmanager: secretsServer.endpoint,
      events: eventBridge.endpoint,
      region,
      province: province.code,
      stackName,
      stateMachineArn: required(output('StateMachineArn', 'AWS::StepFunctions::StateMachine'), 'a state machine'),
      tableName: required(output('TableName', 'AWS::DynamoDB::GlobalTable') ?? output('TableName', 'AWS::DynamoDB::Table'), 'a table'),
      evidenceBucket: required(output('EvidenceBucketName', 'AWS::S3::Bucket'), 'a bucket'),
      eventBusName: output('EventBusName', 'AWS::Events::EventBus') ?? null,
      eventsFile,
      logsDir,
      credentials: { ...credentials },
    };
    writeFileSync(join(dataDir, 'endpoints.json'), `${JSON.stringify(endpoints, null, 2)}\n`, { mode: 0o600 });

    let closing: Promise<void> | undefined;
    return {
      endpoints,
      config: provinceConfigOf(functionSpecs),
      dataDir,
      resumed,
      users,
      routes: (api?.routes ?? []).map((route) => ({ routeKey: route.routeKey, authorization: route.authorization.type })),
      schedules,
      runSchedule: (nameOrLogicalId, scheduledTime) => scheduler.run(nameOrLogicalId, scheduledTime),
      close: () => (closing ??= cleanUp()),
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

// ---------------------------------------------------------------- pieces

function provinceOf(code: string) {
  try {
    return findProvince(code);
  } catch (error) {
    if (error instanceof UnknownProvinceError) {
      throw new LocalRuntimeError(
        'UNKNOWN_PROVINCE',
        `Unknown province code "${code}". Pass one of these with --province <code>:\n` +
          error.valid.map(({ code: valid, name }) => `  ${valid}  ${name}`).join('\n'),
      );
    }
    throw error;
  }
}

function describeExpression({ expression, timezone }: LocalSchedule): string {
  if (expression.kind === 'rate') return `every ${expression.everyMs / 60_000} min`;
  return `${expression.kind} (${timezone})`;
}

function portOption(port: number | undefined): { port?: number } {
  return port ? { port } : {};
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new LocalRuntimeError('UNSUPPORTED_RESOURCE', `The template has no ${what}; the local runtime needs one.`);
  return value;
}

/** One runtime per data directory: two would fight over DynamoDB Local's files and the execution store. */
function acquireLock(dataDir: string): () => void {
  const file = join(dataDir, 'runtime.lock');
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8').trim());
    const alive = Number.isInteger(pid) && pid > 0 && (pid !== process.pid || activeDataDirs.has(dataDir)) && processExists(pid);
    if (alive) {
      throw new LocalRuntimeError(
        'RUNTIME_ALREADY_RUNNING',
        `Another local runtime (process ${pid}) is already using ${dataDir}. Stop it first (Ctrl-C in its terminal), or use another data directory.`,
      );
    }
  }
  writeFileSync(file, String(process.pid));
  activeDataDirs.add(dataDir);
  return () => {
    activeDataDirs.delete(dataDir);
    rmSync(file, { force: true });
  };
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function checkPortsFree(ports: Partial<Record<LocalService, number>>): Promise<void> {
  for (const service of LOCAL_SERVICES) {
    const port = ports[service];
    if (!port) continue;
    const free = await new Promise<boolean>((resolveFree) => {
      const probe = createServer();
      probe.once('error', () => resolveFree(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolveFree(true)));
    });
    if (!free) {
      throw new LocalRuntimeError(
        'PORT_IN_USE',
        `Port ${port} (for ${SERVICE_LABELS[service]}) is already in use on 127.0.0.1. Stop the program using it, or choose other ports with --port-base <n> (uses n to n+${LOCAL_SERVICES.length - 1}).`,
      );
    }
  }
}

const SERVICE_LABELS: Record<LocalService, string> = {
  dynamodb: 'DynamoDB Local',
  s3: 'the S3 store',
  stepfunctions: 'Step Functions',
  secretsmanager: 'Secrets Manager',
  api: 'the HTTP API',
  issuer: 'the token issuer',
  console: 'the web console',
  events: 'EventBridge',
};

function checkJava(): void {
  const result = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new LocalRuntimeError(
      'JAVA_NOT_FOUND',
      'DynamoDB Local needs a Java runtime (17 or newer), and the `java` command was not found.\n' +
        'On Debian or Ubuntu install it with:\n  sudo apt-get update && sudo apt-get install -y openjdk-17-jre-headless\n' +
        'then check that `java -version` works in the same terminal.',
    );
  }
}

/**
 * The local access key, with a secret made once per data directory. Frozen, and copied wherever an SDK client
 * takes it: the SDK tags credential objects it is given.
 */
function localCredentials(file: string): LocalCredentials {
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as LocalCredentials;
    if (stored.accessKeyId && stored.secretAccessKey) {
      return Object.freeze({ accessKeyId: stored.accessKeyId, secretAccessKey: stored.secretAccessKey });
    }
  }
  const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: randomBytes(30).toString('base64url') };
  writeFileSync(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  return Object.freeze(credentials);
}

async function createBucket(client: S3Client, bucket: string, region: string): Promise<void> {
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }));
  } catch (error) {
    // Kept from the last run (the store is persistent).
    if ((error as Error).name !== 'BucketAlreadyOwnedByYou') throw error;
  }
}

export interface FunctionContext {
  cdkOutDir: string;
  dataDir: string;
  credentials: LocalCredentials;
  region: string;
  timeScale: number;
  /** eventbridge: absent where nothing receives events (a function started alone). */
  endpoints: Record<'dynamodb' | 's3' | 'secretsmanager' | 'stepfunctions', string> & { eventbridge?: string };
}

/** What one function needs to run: its bundle, handler, limits, and the environment Lambda would give it. */
export function functionSpec(template: CfnTemplate, ctx: LocalStackContext, logicalId: string, local: FunctionContext): LocalFunctionSpec {
  const resource = template.Resources![logicalId]!;
  const properties = resolveResourceProperties(template, logicalId, ctx);
  const assetPath = (resource.Metadata as Record<string, unknown> | undefined)?.['aws:asset:path'];
  if (typeof assetPath !== 'string') {
    throw new LocalRuntimeError(
      'FUNCTION_LOAD_FAILED',
      `Lambda function ${logicalId} has no aws:asset:path metadata, so its bundle cannot be found. Synthesize with the context aws:cdk:enable-asset-metadata=true.`,
    );
  }
  const functionName = ctx.resources[logicalId]!.ref;
  const memorySize = typeof properties.MemorySize === 'number' ? properties.MemorySize : 128;
  const variables = ((properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
  const logGroupName =
    (properties.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup !== undefined
      ? String((properties.LoggingConfig as { LogGroup: unknown }).LogGroup)
      : `/aws/lambda/${functionName}`;
  const nowhere = join(local.dataDir, 'no-aws-config');
  return {
    logicalId,
    functionName,
    functionArn: String(resolveTemplateValue({ 'Fn::GetAtt': [logicalId, 'Arn'] }, ctx)),
    assetDir: join(local.cdkOutDir, assetPath),
    handler: typeof properties.Handler === 'string' ? properties.Handler : 'index.handler',
    timeoutSeconds: typeof properties.Timeout === 'number' ? properties.Timeout : 3,
    memorySize,
    logGroupName,
    environment: {
      ...Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, String(value)])),
      // What the Lambda service sets.
      AWS_REGION: local.region,
      AWS_DEFAULT_REGION: local.region,
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memorySize),
      AWS_LAMBDA_LOG_GROUP_NAME: logGroupName,
      LAMBDA_TASK_ROOT: join(local.cdkOutDir, assetPath),
      AWS_ACCESS_KEY_ID: local.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: local.credentials.secretAccessKey,
      // The SDK clients in the functions have no endpoint of their own; these point them here.
      AWS_ENDPOINT_URL_DYNAMODB: local.endpoints.dynamodb,
      AWS_ENDPOINT_URL_S3: local.endpoints.s3,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: local.endpoints.secretsmanager,
      AWS_ENDPOINT_URL_SFN: local.endpoints.stepfunctions,
      ...(local.endpoints.eventbridge ? { AWS_ENDPOINT_URL_EVENTBRIDGE: local.endpoints.eventbridge } : {}),
      // A developer's ~/.aws (profiles, SSO, endpoints) must not leak into the functions.
      AWS_CONFIG_FILE: nowhere,
      AWS_SHARED_CREDENTIALS_FILE: nowhere,
      VERVAL_TIME_SCALE: String(local.timeScale),
    },
  };
}

/** DescribeStateMachine's configuration members, from the template's (PascalCase → camelCase). */
function describeExtras(properties: Record<string, unknown>): Record<string, unknown> {
  const camel = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(camel);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key.charAt(0).toLowerCase() + key.slice(1), camel(item)]));
  };
  const extras: Record<string, unknown> = {};
  for (const key of ['LoggingConfiguration', 'TracingConfiguration', 'EncryptionConfiguration']) {
    if (properties[key] !== undefined) extras[key.charAt(0).toLowerCase() + key.slice(1)] = camel(properties[key]);
  }
  return extras;
}

function provinceConfigOf(specs: readonly LocalFunctionSpec[]): ProvinceConfig {
  const text = specs.map((spec) => spec.environment.PROVINCE_CONFIG).find((value) => value !== undefined);
  if (text === undefined) throw new LocalRuntimeError('UNSUPPORTED_RESOURCE', 'No function in the template has PROVINCE_CONFIG in its environment.');
  return parseProvinceConfig(JSON.parse(text));
}
