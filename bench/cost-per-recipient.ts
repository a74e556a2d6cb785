/**
 * Figure 1: what one recipient costs on AWS, on the happy path through every default tier, counted on the
 * local stack while the real bundles do the work:
 *
 * - the client side, as the village's phone and the approvers' console do it over the HTTP API: the operator
 *   creates the proposal, uploads its four documents through the presigned POSTs and submits it; each tier's
 *   approver opens the inbox once (GET /tasks) and approves; the operator looks at the outcome once;
 * - Step Functions: state transitions are the StateEntered events of the execution history;
 * - Lambda: one invocation per Lambda task in the history (its duration from TaskStarted to the function's
 *   return) and per API request (its duration from the API access log), billed at the function's memory;
 * - DynamoDB: the read and write units DynamoDB Local reports for every request the functions make, through a
 *   counting proxy (bench/support/counting-proxy.ts) that asks for ReturnConsumedCapacity;
 * - S3: every request the functions and the uploads make, through the same kind of proxy;
 * - API Gateway requests and the EventBridge event, counted too (beyond the issue's list, but billed).
 *
 * The bench's own waiting (is the task there yet? has the execution ended?) goes straight to DynamoDB Local and
 * the Step Functions endpoint and is not counted. One recipient per run warms the functions up first; the
 * measured recipients run one after another, so every count in a window belongs to that recipient.
 */
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TIERS, type Tier } from '../domain/province-config.ts';
import { taskIdFor } from '../functions/shared/tasks.ts';
import { readHttpApis } from '../local/api-gateway/model.ts';
import { localClients, type LocalClients } from '../local/clients.ts';
import { houseLocation, makeJpeg, makePdf } from '../local/evidence-fixtures.ts';
import { costOf, lambdaGbSeconds, type CostComponent, type LambdaInvocation, type Usage } from './cost-model.ts';
import { levelAtMost, type Figure, type MetricSpec, type Verdict } from './figure.ts';
import { PRICES, PRICES_CHECKED_ON, PRICE_REGION, UNCONFIRMED_SURCHARGE, withUnconfirmedRaised } from './prices.ts';
import { postToSlot, signIn, pollUntil, type ApiClient, type UploadSlot } from './support/api.ts';
import { startDynamoDbCapacityProxy, startS3CountingProxy, subtractCapacity, subtractS3, type CapacityCounts, type CountingProxy, type S3Counts } from './support/counting-proxy.ts';
import { executionHistory, lambdaTasksOf } from './support/history.ts';
import { benchHousehold, benchUser } from './support/households.ts';
import { functionsByName, stackTemplate, withBenchRuntime } from './support/runtime.ts';
import { sum } from './support/stats.ts';

type Parameters = {
  recipientsPerRun: number;
  warmUpRecipients: number;
  photo: { width: number; height: number };
  /** A what-if on Lambda duration, for the CPU a 512 MB function gets (about 0.29 vCPU) against a local core. */
  slowLambdaFactor: number;
};

/** Per 1M recipients: ≤ $1,000 (a tenth of a cent each) is negligible next to what the programs pay out; ≥ $10,000 deserves work. */
const USD_PER_MILLION = { ok: 1_000, watch: 10_000 };

const COMPONENT_LABELS: Record<CostComponent, string> = {
  stepFunctions: 'Step Functions',
  lambdaRequests: 'Lambda requests',
  lambdaDuration: 'Lambda duration',
  dynamodbWrites: 'DynamoDB writes',
  dynamodbReads: 'DynamoDB reads',
  s3Puts: 'S3 PUT/POST/LIST',
  s3Gets: 'S3 GET',
  apiGateway: 'API Gateway',
  eventBridge: 'EventBridge',
};

interface RecipientMeasure {
  usage: Usage;
  indexWriteUnits: number;
  /** Read units AWS's minimum per read adds to what DynamoDB Local reported (its empty Queries cost 0). */
  minimumReadUnitsAdded: number;
  dynamodbRequests: Record<string, number>;
  dynamodbUnitsByOperation: Record<string, number>;
  dynamodbRefused: Record<string, number>;
  lambdaByFunction: Record<string, { invocations: number; ms: number; memoryMb: number }>;
  logBytes: number;
}

interface AccessEntry {
  routeKey: string | null;
  status: number;
  durationMs: number;
}

function accessEntries(file: string, fromByte: number): AccessEntry[] {
  const text = readFileSync(file, 'utf8').slice(fromByte);
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AccessEntry);
}

/** What the functions printed (their CloudWatch Logs ingestion on AWS, less Lambda's own START/END/REPORT lines). */
const functionLogBytes = (logsDir: string) =>
  readdirSync(logsDir)
    .filter((name) => name.endsWith('.log') && name !== 'api-access.log')
    .reduce((total, name) => total + fileSize(join(logsDir, name)), 0);

const fileSize = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

const UNCONFIRMED_PERCENT = Math.round((UNCONFIRMED_SURCHARGE - 1) * 100);
const UNCONFIRMED_WHAT_IF = `USD per 1M, unconfirmed prices +${UNCONFIRMED_PERCENT} %`;

export const costPerRecipient: Figure<Parameters> = {
  id: 'cost-per-recipient',
  title: `Cost per recipient on the happy path through all default tiers, at ${PRICE_REGION} list prices (checked ${PRICES_CHECKED_ON})`,
  parameters: (options) => ({
    recipientsPerRun: options.quick ? 1 : 3,
    warmUpRecipients: 1,
    // A phone photo after a typical in-app resize; the evidence check decodes every pixel, so this drives its duration.
    photo: { width: 1600, height: 1200 },
    slowLambdaFactor: 3,
  }),

  metrics: (parameters) => {
    const usd: MetricSpec = { unit: 'USD', digits: 2 };
    return {
      'USD per recipient': { unit: 'USD', digits: 6 },
      'USD per 1M recipients': usd,
      [`USD per 1M, Lambda ${parameters.slowLambdaFactor}× slower`]: usd,
      [UNCONFIRMED_WHAT_IF]: usd,
      ...Object.fromEntries(Object.values(COMPONENT_LABELS).map((label) => [`${label} USD per 1M`, usd])),
      'state transitions': { unit: 'per recipient', digits: 0 },
      'Lambda invocations': { unit: 'per recipient', digits: 0 },
      'Lambda duration': { unit: 'ms per recipient', digits: 0 },
      'Lambda GB-seconds': { unit: 'per recipient', digits: 3 },
      'DynamoDB write units': { unit: 'WRU per recipient', digits: 1 },
      'DynamoDB index write units': { unit: 'WRU per recipient', digits: 1 },
      'DynamoDB read units': { unit: 'RRU per recipient', digits: 1 },
      'S3 PUT-class requests': { unit: 'per recipient', digits: 0 },
      'S3 GET-class requests': { unit: 'per recipient', digits: 0 },
      'API requests': { unit: 'per recipient', digits: 0 },
      'function log bytes': { unit: 'bytes per recipient', digits: 0 },
    };
  },

  async run({ parameters, progress, run }) {
    let dynamodbProxy: CountingProxy<CapacityCounts> | undefined;
    let s3Proxy: CountingProxy<S3Counts> | undefined;
    try {
      return await withBenchRuntime(
        `cost-per-recipient-${run}`,
        progress,
        {
          functionEndpoints: async ({ dynamodb, s3 }) => {
            dynamodbProxy = await startDynamoDbCapacityProxy(dynamodb);
            s3Proxy = await startS3CountingProxy(s3);
            return { dynamodb: dynamodbProxy.endpoint, s3: s3Proxy.endpoint };
          },
        },
        async ({ runtime }) => {
          const clients = localClients(runtime.endpoints);
          try {
            const stack = stackTemplate();
            const memoryOf = functionsByName(stack);
            const routeFunction = new Map(readHttpApis(stack.template, stack.ctx)[0]!.routes.map((route) => [route.routeKey, route.integration.functionName]));
            const accessLog = join(runtime.endpoints.logsDir, 'api-access.log');

            // Sessions start before the measurement: a sign-in serves many recipients.
            const operator = await signIn(runtime, benchUser('operator'));
            const approvers = Object.fromEntries(await Promise.all(TIERS.map(async (tier) => [tier, await signIn(runtime, benchUser(tier))] as const))) as Record<Tier, ApiClient>;

            const measured: RecipientMeasure[] = [];
            const total = parameters.warmUpRecipients + parameters.recipientsPerRun;
            for (let n = 0; n < total; n++) {
              const warmUp = n < parameters.warmUpRecipients;
              const h = run * 1000 + n;
              const started = Date.now();
              const files = evidence(parameters.photo, h);
              const before = {
                dynamodb: dynamodbProxy!.snapshot(),
                s3: s3Proxy!.snapshot(),
                accessLogBytes: fileSize(accessLog),
                functionLogBytes: functionLogBytes(runtime.endpoints.logsDir),
              };
              const { requests, executionArn } = await oneRecipient(h, files, operator, approvers, clients);
              // The access log is written after each answer; wait until every request of this recipient is in it.
              const entries = await pollUntil('the API access log', async () => {
                const lines = accessEntries(accessLog, before.accessLogBytes);
                return lines.length >= requests ? lines : undefined;
              });
              const dynamodb = subtractCapacity(dynamodbProxy!.snapshot(), before.dynamodb);
              const s3 = subtractS3(s3Proxy!.snapshot(), before.s3);
              const history = await executionHistory(clients, executionArn);

              const apiInvocations: LambdaInvocation[] = entries.map((entry) => {
                const { label, memoryMb } = memoryOf(routeFunction.get(entry.routeKey ?? '') ?? '');
                return { label, memoryMb, durationMs: entry.durationMs };
              });
              const lambda = [...lambdaTasksOf(history, memoryOf), ...apiInvocations];
              const events = history
                .filter((event) => event.type === 'TaskScheduled' && event.taskScheduledEventDetails?.resourceType === 'events')
                .reduce((count, event) => count + ((JSON.parse(event.taskScheduledEventDetails!.parameters ?? '{}') as { Entries?: unknown[] }).Entries?.length ?? 0), 0);
              const measure: RecipientMeasure = {
                usage: {
                  stateTransitions: history.filter((event) => event.type?.endsWith('StateEntered')).length,
                  lambda,
                  dynamodb: { readUnits: dynamodb.readUnits, writeUnits: dynamodb.writeUnits },
                  s3: { putClass: s3.putClass, getClass: s3.getClass },
                  apiRequests: entries.length,
                  events,
                },
                indexWriteUnits: dynamodb.indexWriteUnits,
                minimumReadUnitsAdded: dynamodb.minimumReadUnitsAdded,
                dynamodbRequests: dynamodb.requests,
                dynamodbUnitsByOperation: dynamodb.unitsByOperation,
                dynamodbRefused: dynamodb.refused,
                lambdaByFunction: {},
                logBytes: functionLogBytes(runtime.endpoints.logsDir) - before.functionLogBytes,
              };
              for (const invocation of lambda) {
                const entry = (measure.lambdaByFunction[invocation.label] ??= { invocations: 0, ms: 0, memoryMb: invocation.memoryMb });
                entry.invocations += 1;
                entry.ms += invocation.durationMs;
              }
              const { totalUsd } = costOf(measure.usage, PRICES);
              progress.note(
                `${warmUp ? 'warm-up ' : ''}recipient ${n + 1}/${total} REGISTERED in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
                  `$${totalUsd.toPrecision(3)}, ${measure.usage.stateTransitions} transitions, ${lambda.length} Lambda invocations, ` +
                  `${dynamodb.writeUnits} WRU, ${dynamodb.readUnits} RRU, ${s3.putClass}+${s3.getClass} S3 requests`,
              );
              if (!warmUp) measured.push(measure);
            }
            return summarize(measured, parameters);
          } finally {
            clients.destroy();
          }
        },
      );
    } finally {
      await dynamodbProxy?.close();
      await s3Proxy?.close();
    }
  },

  verdicts(medians, parameters, runs) {
    const verdicts: Verdict[] = [];
    const unconfirmedPrices = Object.entries(PRICES).filter(([, price]) => !price.confirmedForRegion).map(([name]) => name);
    const perMillion = medians['USD per 1M recipients'] ?? NaN;
    const nearLine = perMillion > 0.75 * USD_PER_MILLION.ok && perMillion <= USD_PER_MILLION.ok;
    const thresholds = `≤ $${USD_PER_MILLION.ok.toLocaleString('en-US')} ok, ≤ $${USD_PER_MILLION.watch.toLocaleString('en-US')} watch`;
    verdicts.push({
      metric: 'USD per 1M recipients',
      level: levelAtMost(perMillion, USD_PER_MILLION.ok, USD_PER_MILLION.watch),
      why:
        `${thresholds}; ${nearLine ? 'close to the line; ' : ''}` +
        (unconfirmedPrices.length === 0
          ? `every price is ${PRICE_REGION}'s (bench/prices.ts)`
          : `${unconfirmedPrices.length} of ${Object.keys(PRICES).length} prices are us-east-1's, Jakarta's not confirmed and likely higher: ${unconfirmedPrices.join(', ')} (bench/prices.ts)`),
    });
    if (unconfirmedPrices.length > 0) {
      verdicts.push({
        metric: UNCONFIRMED_WHAT_IF,
        level: levelAtMost(medians[UNCONFIRMED_WHAT_IF] ?? NaN, USD_PER_MILLION.ok, USD_PER_MILLION.watch),
        why: `what-if: ${unconfirmedPrices.join(', ')} ${UNCONFIRMED_PERCENT} % above us-east-1, Jakarta's largest surcharge among its confirmed prices, rounded up; ${thresholds}`,
      });
    }
    const slow = `USD per 1M, Lambda ${parameters.slowLambdaFactor}× slower`;
    verdicts.push({
      metric: slow,
      level: levelAtMost(medians[slow] ?? NaN, USD_PER_MILLION.ok, USD_PER_MILLION.watch),
      why: 'what-if: Lambda durations were measured on a full local core; a 512 MB function gets about 0.29 vCPU',
    });
    const components = Object.values(COMPONENT_LABELS).map((label) => [label, medians[`${label} USD per 1M`] ?? 0] as const);
    const [largest, largestUsd] = [...components].sort((a, b) => b[1] - a[1])[0]!;
    verdicts.push({ metric: `${largest} USD per 1M`, level: 'info', why: `the largest part: ${((100 * largestUsd) / perMillion).toFixed(0)} % of the total` });
    const writes = medians['DynamoDB write units'] ?? NaN;
    const indexWrites = medians['DynamoDB index write units'] ?? NaN;
    verdicts.push({
      metric: 'DynamoDB index write units',
      level: indexWrites > writes - indexWrites ? 'watch' : 'info',
      why: `${((100 * indexWrites) / writes).toFixed(0)} % of the write units go to the global secondary indexes (all project ALL; watch when they outweigh the table)`,
    });
    const recipients = runs.flatMap((run) => (run.details as { recipients?: RecipientMeasure[] } | undefined)?.recipients ?? []);
    const minimumAdded = recipients.length ? sum(recipients.map((r) => r.minimumReadUnitsAdded)) / recipients.length : 0;
    verdicts.push({
      metric: 'DynamoDB read units',
      level: 'info',
      why: `${minimumAdded.toFixed(1)} of them are AWS's minimum for reads that found nothing, which DynamoDB Local reports as 0`,
    });
    const refused = runs.flatMap((run) => (run.details as { recipients?: RecipientMeasure[] } | undefined)?.recipients ?? []).map((r) => sum(Object.values(r.dynamodbRefused)));
    if (refused.some((count) => count > 0)) {
      verdicts.push({
        metric: 'DynamoDB write units',
        level: 'watch',
        why: `up to ${Math.max(...refused)} refused DynamoDB requests per recipient (failed conditions): AWS bills them, DynamoDB Local reports no units for them, so writes are undercounted`,
      });
    }
    verdicts.push({
      metric: 'function log bytes',
      level: 'info',
      why: 'not priced: what the functions logged, i.e. CloudWatch Logs ingestion (plus Lambda\'s own lines and the state machine\'s ALL-level log, not counted)',
    });
    verdicts.push({
      metric: 'Lambda duration',
      level: 'info',
      why: 'local wall time from the history and the API access log (includes the local proxies and IPC), billed per invocation rounded up to 1 ms; init (cold start) is not included',
    });
    return verdicts;
  },
};

/** The four documents of household h, as the phone sends them: fresh photos at the house, a photographed KK, the signed minutes. */
function evidence(photo: Parameters['photo'], h: number): Record<string, { bytes: Uint8Array; contentType: string }> {
  const takenAt = new Date(Date.now() - 3 * 86_400_000);
  const seed = 10_000 + h * 10;
  return {
    'house-front': { bytes: makeJpeg({ seed, takenAt, gps: houseLocation, ...photo }), contentType: 'image/jpeg' },
    'house-interior': { bytes: makeJpeg({ seed: seed + 1, takenAt, gps: houseLocation, ...photo }), contentType: 'image/jpeg' },
    'id-scan': { bytes: makeJpeg({ seed: seed + 2, takenAt, ...photo }), contentType: 'image/jpeg' },
    'berita-acara': { bytes: makePdf(), contentType: 'application/pdf' },
  };
}

/** One recipient through the API, start to REGISTERED: how many API requests it took, and its execution. */
async function oneRecipient(
  h: number,
  files: Record<string, { bytes: Uint8Array; contentType: string }>,
  operator: ApiClient,
  approvers: Record<Tier, ApiClient>,
  clients: LocalClients,
): Promise<{ requests: number; executionArn: string }> {
  let requests = 0;
  const created = await operator.expect<{ proposalId: string; uploads: UploadSlot[] }>(201, 'POST', '/proposals', benchHousehold(h));
  requests += 1;
  const proposalId = created.proposalId;
  for (const slot of created.uploads) {
    const file = files[slot.kind];
    if (!file) throw new Error(`No evidence for upload slot ${slot.kind}`);
    await postToSlot(slot, file.bytes, file.contentType);
  }
  const { executionArn } = await operator.expect<{ executionArn: string }>(202, 'POST', `/proposals/${proposalId}/submit`);
  requests += 1;
  for (const [index, tier] of TIERS.entries()) {
    const taskId = taskIdFor({ proposalId, version: 1, kind: 'approval', tier });
    // The task is in the inbox once request-decision has written it; wait for the function to return as well,
    // so the decision does not overlap (and lengthen) its measured duration.
    await pollUntil(`task ${taskId}`, async () => ((await clients.store.getTask(taskId))?.status === 'PENDING' ? true : undefined));
    await pollUntil(`request-decision for ${tier} to return`, async () => {
      const history = await executionHistory(clients, executionArn);
      return history.filter((event) => event.type === 'TaskSubmitted').length > index ? true : undefined;
    });
    const inbox = await approvers[tier].expect<{ items: { taskId: string }[] }>(200, 'GET', '/tasks');
    requests += 1;
    if (!inbox.items.some((item) => item.taskId === taskId)) throw new Error(`${taskId} is not in the ${tier} inbox`);
    await approvers[tier].expect(200, 'POST', `/tasks/${encodeURIComponent(taskId)}/decision`, { decision: 'approve' });
    requests += 1;
  }
  const status = await pollUntil(`execution ${executionArn}`, async () => {
    const { status: current } = await clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
    return current === 'RUNNING' ? undefined : current;
  });
  if (status !== 'SUCCEEDED') throw new Error(`The execution of household ${h} ended ${status}, not SUCCEEDED`);
  const outcome = await operator.expect<{ status: string }>(200, 'GET', `/proposals/${proposalId}`);
  requests += 1;
  if (outcome.status !== 'REGISTERED') throw new Error(`Household ${h} ended ${outcome.status}, not REGISTERED`);
  return { requests, executionArn };
}

function summarize(recipients: RecipientMeasure[], parameters: Parameters) {
  const mean = (value: (r: RecipientMeasure) => number) => sum(recipients.map(value)) / recipients.length;
  const costs = recipients.map((r) => costOf(r.usage, PRICES));
  const slow = recipients.map((r) => costOf(r.usage, PRICES, { lambdaDurationFactor: parameters.slowLambdaFactor }).totalUsd);
  const raised = recipients.map((r) => costOf(r.usage, withUnconfirmedRaised(PRICES, UNCONFIRMED_SURCHARGE)).totalUsd);
  const usdOf = (components: CostComponent[]) => sum(costs.map((cost) => sum(cost.lines.filter((line) => components.includes(line.component)).map((line) => line.usd)))) / costs.length;
  const perRecipient = sum(costs.map((cost) => cost.totalUsd)) / costs.length;
  const metrics: Record<string, number> = {
    'USD per recipient': perRecipient,
    'USD per 1M recipients': perRecipient * 1e6,
    [`USD per 1M, Lambda ${parameters.slowLambdaFactor}× slower`]: (sum(slow) / slow.length) * 1e6,
    [UNCONFIRMED_WHAT_IF]: (sum(raised) / raised.length) * 1e6,
    'state transitions': mean((r) => r.usage.stateTransitions),
    'Lambda invocations': mean((r) => r.usage.lambda.length),
    'Lambda duration': mean((r) => sum(r.usage.lambda.map((invocation) => invocation.durationMs))),
    'Lambda GB-seconds': mean((r) => lambdaGbSeconds(r.usage.lambda)),
    'DynamoDB write units': mean((r) => r.usage.dynamodb.writeUnits),
    'DynamoDB index write units': mean((r) => r.indexWriteUnits),
    'DynamoDB read units': mean((r) => r.usage.dynamodb.readUnits),
    'S3 PUT-class requests': mean((r) => r.usage.s3.putClass),
    'S3 GET-class requests': mean((r) => r.usage.s3.getClass),
    'API requests': mean((r) => r.usage.apiRequests),
    'function log bytes': mean((r) => r.logBytes),
  };
  for (const [component, label] of Object.entries(COMPONENT_LABELS) as [CostComponent, string][]) {
    metrics[`${label} USD per 1M`] = usdOf([component]) * 1e6;
  }
  return { metrics, details: { recipients } };
}
