/**
 * Figure 2: Lambda start-up per function. The bundle is the one `cdk synth` makes (esbuild, ESM, minified, AWS
 * SDK bundled), read from the synthesized assets. Each sample is a fresh Node process that imports the bundle
 * and hands the handler one harmless event, with the function's own environment and every AWS endpoint
 * pointed at a closed port, so nothing leaves the machine:
 *
 * - workflow stages get `{}`: the input schema refuses it (the stage parses, then fails fast);
 * - API routes get an API Gateway 2.0 event without a token: apiHandler answers 401 before any I/O, except the
 *   public routes, which count the request against the caller's rate limit first: that write is refused (500),
 *   with the SDK's retries turned off (AWS_MAX_ATTEMPTS=1) so the refusal is immediate, and the OpenAPI route,
 *   which serves its document (200);
 * - the import processor gets `{ "Records": [] }`: nothing to import, it returns;
 * - the Cognito trigger gets a pre-token-generation event without the custom attributes: it returns it.
 *
 * What each handler did is recorded per function (`outcome`).
 */
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { levelAtMost, type Figure, type MetricSpec, type Verdict } from './figure.ts';
import { stackFunctions, stackTemplate, type BenchFunction } from './support/runtime.ts';
import { median } from './support/stats.ts';

type Parameters = { samplesPerFunction: number };

/** Where nothing listens: a function that tries to call AWS fails at once. */
const NOWHERE = 'http://127.0.0.1:9';

/** Thresholds, stated before measuring. Local times are on a full core; 512 MB on Lambda is about 0.29 vCPU. */
const BUNDLE_KB = { ok: 1024, watch: 3072 };
const IMPORT_MS = { ok: 150, watch: 300 };
const FIRST_EVENT_MS = { ok: 50, watch: 200 };

/** Runs in the fresh process: import, one event, timings on stdout. */
const PROBE = `
const bootMs = performance.now();
const module = await import(process.env.BENCH_ENTRY);
const importedAt = performance.now();
let outcome;
try {
  const result = await module.handler(JSON.parse(process.env.BENCH_EVENT), {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, awsRequestId: 'bench', getRemainingTimeInMillis: () => 10000,
  });
  outcome = result && typeof result === 'object' && 'statusCode' in result ? 'answered ' + result.statusCode : 'returned';
} catch (error) {
  outcome = 'threw ' + (error && error.name);
}
const handledAt = performance.now();
process.stdout.write(JSON.stringify({ bootMs, importMs: importedAt - bootMs, firstEventMs: handledAt - importedAt, outcome, node: process.version }));
process.exit(0);
`;

function eventFor(label: string): unknown {
  if (label.startsWith('Api/')) {
    return {
      version: '2.0',
      routeKey: 'GET /bench',
      rawPath: '/bench',
      rawQueryString: '',
      headers: {},
      requestContext: { http: { method: 'GET', path: '/bench', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' }, requestId: 'bench', routeKey: 'GET /bench', stage: '$default', timeEpoch: Date.now() },
      isBase64Encoded: false,
    };
  }
  if (label.startsWith('Imports/')) return { Records: [] };
  if (label.startsWith('Users/')) {
    return {
      version: '1',
      triggerSource: 'TokenGeneration_Authentication',
      region: 'ap-southeast-3',
      userPoolId: 'ap-southeast-3_bench',
      userName: 'bench',
      callerContext: { awsSdkVersion: 'bench', clientId: 'bench' },
      request: { userAttributes: { sub: 'bench' }, groupConfiguration: { groupsToOverride: [] } },
      response: { claimsOverrideDetails: null },
    };
  }
  return {};
}

interface Sample {
  bootMs: number;
  importMs: number;
  firstEventMs: number;
  outcome: string;
  node: string;
}

function sample(fn: BenchFunction): Promise<Sample> {
  const entry = join(fn.spec.assetDir, 'index.mjs');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '--eval', PROBE],
      {
        // Exactly the function's environment, as Lambda gives it; PATH only so the process can start.
        // AWS_MAX_ATTEMPTS=1: the public routes write a rate-limit counter first, and a refused connection should
        // fail at once rather than after the SDK's retry back-off.
        env: { ...fn.spec.environment, PATH: process.env.PATH ?? '', AWS_MAX_ATTEMPTS: '1', BENCH_ENTRY: new URL(`file://${entry}`).href, BENCH_EVENT: JSON.stringify(eventFor(fn.label)) },
        cwd: fn.spec.assetDir,
        timeout: 60_000,
        maxBuffer: 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${fn.label}: the probe failed: ${error.message}\n${stderr}`));
        try {
          resolve(JSON.parse(stdout) as Sample);
        } catch {
          reject(new Error(`${fn.label}: unreadable probe output: ${stdout.slice(0, 300)} ${stderr.slice(0, 300)}`));
        }
      },
    );
  });
}

function directoryBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce(
    (total, entry) => total + (entry.isDirectory() ? directoryBytes(join(dir, entry.name)) : statSync(join(dir, entry.name)).size),
    0,
  );
}

const metricName = (label: string, what: 'bundle KB' | 'asset KB' | 'import ms' | 'first event ms') => `${label} ${what}`;

export const lambdaStartup: Figure<Parameters> = {
  id: 'lambda-startup',
  title: 'Lambda start-up per function: bundle size, median import and first-event time in a fresh Node 22 process',
  parameters: (options) => ({ samplesPerFunction: options.quick ? 3 : 7 }),

  metrics() {
    const functions = stackFunctions(stackTemplate(), { dynamodb: NOWHERE, s3: NOWHERE, secretsmanager: NOWHERE, stepfunctions: NOWHERE });
    const specs: Record<string, MetricSpec> = { 'node boot ms': { unit: 'ms', digits: 1 } };
    for (const fn of functions) {
      specs[metricName(fn.label, 'bundle KB')] = { unit: 'KB', digits: 0 };
      specs[metricName(fn.label, 'asset KB')] = { unit: 'KB', digits: 0 };
      specs[metricName(fn.label, 'import ms')] = { unit: 'ms', digits: 1 };
      specs[metricName(fn.label, 'first event ms')] = { unit: 'ms', digits: 1 };
    }
    return specs;
  },

  async run({ parameters, progress }) {
    const functions = stackFunctions(stackTemplate(), { dynamodb: NOWHERE, s3: NOWHERE, secretsmanager: NOWHERE, stepfunctions: NOWHERE });
    const metrics: Record<string, number> = {};
    const outcomes: Record<string, string> = {};
    const boots: number[] = [];
    const counter = progress.counter('functions probed', functions.length, 10_000);
    for (const fn of functions) {
      const samples: Sample[] = [];
      // One after another: parallel probes on a small machine would measure each other.
      for (let i = 0; i < parameters.samplesPerFunction; i++) samples.push(await sample(fn));
      metrics[metricName(fn.label, 'bundle KB')] = statSync(join(fn.spec.assetDir, 'index.mjs')).size / 1024;
      metrics[metricName(fn.label, 'asset KB')] = directoryBytes(fn.spec.assetDir) / 1024;
      metrics[metricName(fn.label, 'import ms')] = median(samples.map((s) => s.importMs));
      metrics[metricName(fn.label, 'first event ms')] = median(samples.map((s) => s.firstEventMs));
      boots.push(...samples.map((s) => s.bootMs));
      outcomes[fn.label] = [...new Set(samples.map((s) => s.outcome))].join(' / ');
      if (!samples.every((s) => s.node.startsWith('v22.'))) progress.warn(`${fn.label} probed on Node ${samples[0]?.node}, not 22`);
      counter.add();
    }
    counter.finish();
    metrics['node boot ms'] = median(boots);
    return { metrics, details: { outcomes, memoryMb: Object.fromEntries(functions.map((fn) => [fn.label, fn.spec.memorySize])) } };
  },

  verdicts(medians) {
    const verdicts: Verdict[] = [];
    for (const [name, value] of Object.entries(medians)) {
      if (name.endsWith(' bundle KB')) {
        verdicts.push({ metric: name, level: levelAtMost(value, BUNDLE_KB.ok, BUNDLE_KB.watch), why: `≤ ${BUNDLE_KB.ok} KB ok, ≤ ${BUNDLE_KB.watch} KB watch` });
      } else if (name.endsWith(' import ms')) {
        verdicts.push({
          metric: name,
          level: levelAtMost(value, IMPORT_MS.ok, IMPORT_MS.watch),
          why: `≤ ${IMPORT_MS.ok} ms ok, ≤ ${IMPORT_MS.watch} ms watch, on a full local core; expect about 3× on a 512 MB Lambda`,
        });
      } else if (name.endsWith(' first event ms')) {
        verdicts.push({ metric: name, level: levelAtMost(value, FIRST_EVENT_MS.ok, FIRST_EVENT_MS.watch), why: `≤ ${FIRST_EVENT_MS.ok} ms ok, ≤ ${FIRST_EVENT_MS.watch} ms watch` });
      }
    }
    const worst = Object.entries(medians)
      .filter(([name]) => name.endsWith(' import ms'))
      .sort((a, b) => b[1] - a[1])[0];
    if (worst) verdicts.push({ metric: 'slowest import', level: 'info', why: `${worst[0].replace(/ import ms$/, '')}: ${worst[1].toFixed(0)} ms` });
    verdicts.push({
      metric: 'node boot ms',
      level: 'info',
      why: 'Node itself, before the bundle: Lambda replaces this with its own runtime start, so it is context, not part of the bundle cost',
    });
    return verdicts;
  },

  table(medians, verdicts) {
    const labels = [...new Set(Object.keys(medians).filter((name) => name.endsWith(' import ms')).map((name) => name.replace(/ import ms$/, '')))];
    const levelOf = (name: string) => verdicts.find((verdict) => verdict.metric === name)?.level ?? '';
    const rows = labels.map((label) => {
      const levels = [levelOf(metricName(label, 'bundle KB')), levelOf(metricName(label, 'import ms')), levelOf(metricName(label, 'first event ms'))];
      const worst = levels.includes('bad') ? 'bad' : levels.includes('watch') ? 'watch' : 'ok';
      return [
        label,
        (medians[metricName(label, 'bundle KB')] ?? NaN).toFixed(1),
        (medians[metricName(label, 'asset KB')] ?? NaN).toFixed(1),
        (medians[metricName(label, 'import ms')] ?? NaN).toFixed(1),
        (medians[metricName(label, 'first event ms')] ?? NaN).toFixed(1),
        `${worst} (size ${levels[0]}, import ${levels[1]}, first event ${levels[2]})`,
      ];
    });
    rows.push(['(node boot, no bundle)', '', '', (medians['node boot ms'] ?? NaN).toFixed(1), '', 'info']);
    return { header: ['function', 'bundle KB', 'asset KB', 'import ms', 'first event ms', 'verdict'], rows };
  },
};
