/**
 * The local stack the figures run against: one synthesis, cached in bench/.data/cdk.out (reused while the
 * sources are unchanged, as `npm start` does), and a fresh runtime per measured run in its own data directory,
 * so no run inherits another's tables, objects or executions.
 */
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TIERS, type ProvinceConfigOverrides } from '../../domain/province-config.ts';
import { stackNameFor, findProvince } from '../../infra/provinces.ts';
import type { LocalFunctionSpec } from '../../local/lambda/functions.ts';
import { customResourceProviders } from '../../local/resource-types.ts';
import { functionSpec, LOCAL_REGION, startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../local/runtime.ts';
import { synthesizeProvince } from '../../local/synth.ts';
import { createTemplateContext, loadSynthesizedTemplate, type CfnTemplate, type LocalStackContext } from '../../local/template.ts';
import type { Progress } from './progress.ts';

export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
export const DATA_DIR = join(BENCH_DIR, '.data');
export const CDK_OUT = join(DATA_DIR, 'cdk.out');
export const PROVINCE = '81';
export const STACK_NAME = stackNameFor(findProvince(PROVINCE));

/**
 * A day lasts ten seconds: the one-day review below passes in ten. Slower days would only stretch each proposal's
 * end to end time, not the CPU it takes; faster ones would not leave room for the SLAs below.
 */
export const TIME_SCALE = 1 / 8_640;
/**
 * The default tiers in their default order (the path a recipient takes is the default one), with a one-day
 * review and SLAs of 1,000 days (10,000 s, almost three hours, at TIME_SCALE; a Task's timeout may not exceed
 * 99,999,999 s, about 1,157 days), so no task lapses while a 10,000-proposal backlog drains. With SLAs of 150 s,
 * the first full throughput run had approval tasks lapse behind the Lambda queues, and decisions sent as a task
 * lapsed waited for a re-ask that was itself queued (see README, findings).
 */
export const CONFIG_OVERRIDES: ProvinceConfigOverrides = {
  reviewDays: 1,
  tiers: TIERS.map((tier) => ({ tier, slaDays: 1_000 })),
};

/** The bundles and template every figure uses; synthesized once, then reused while the sources are unchanged. */
export async function ensureSynthesized(progress: Progress): Promise<void> {
  const started = Date.now();
  progress.note(`Synthesizing ${STACK_NAME} with bundling into ${CDK_OUT} (reused when the sources are unchanged)`);
  const { reused } = await synthesizeProvince({ province: PROVINCE, cdkOutDir: CDK_OUT, configOverrides: CONFIG_OVERRIDES });
  progress.note(reused ? 'synthesis reused' : `synthesized in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

export interface StackTemplate {
  template: CfnTemplate;
  ctx: LocalStackContext;
}

export function stackTemplate(): StackTemplate {
  const template = loadSynthesizedTemplate(CDK_OUT, STACK_NAME);
  return { template, ctx: createTemplateContext(template, { region: LOCAL_REGION, stackName: STACK_NAME }) };
}

export interface BenchFunction {
  /** A short readable name from the construct path: `Stages/CheckEvidence`, `Api/GetProposal`. */
  label: string;
  spec: LocalFunctionSpec;
}

/**
 * Every Lambda function of the stack as the runtime would run it (bundle, handler, memory, environment), the
 * CDK custom-resource providers left out as the runtime leaves them out. `endpoints` fill the AWS_ENDPOINT_URL_*
 * variables; anything unreachable makes a function fail fast instead of calling AWS.
 */
export function stackFunctions(stack: StackTemplate, endpoints: Record<'dynamodb' | 's3' | 'secretsmanager' | 'stepfunctions', string>): BenchFunction[] {
  const providers = customResourceProviders(stack.template);
  return Object.entries(stack.template.Resources ?? {})
    .filter(([id, resource]) => resource.Type === 'AWS::Lambda::Function' && !providers.has(id))
    .map(([id, resource]) => ({
      label: labelOf(String((resource.Metadata as Record<string, unknown> | undefined)?.['aws:cdk:path'] ?? id)),
      spec: functionSpec(stack.template, stack.ctx, id, {
        cdkOutDir: CDK_OUT,
        dataDir: join(DATA_DIR, 'lambda-startup'),
        credentials: { accessKeyId: 'vervallocal', secretAccessKey: 'bench' },
        region: LOCAL_REGION,
        timeScale: TIME_SCALE,
        endpoints,
      }),
    }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** A function's label and memory by its physical name (as histories and route integrations name it). */
export function functionsByName(stack: StackTemplate): (functionName: string) => { label: string; memoryMb: number } {
  const unreachable = { dynamodb: '', s3: '', secretsmanager: '', stepfunctions: '' };
  const byName = new Map(stackFunctions(stack, unreachable).map((fn) => [fn.spec.functionName, { label: fn.label, memoryMb: fn.spec.memorySize }]));
  return (functionName) => {
    const found = byName.get(functionName);
    if (!found) throw new Error(`No function ${functionName} in the synthesized template`);
    return found;
  };
}

/** `Verval-81-Maluku/Stages/CheckEvidence/Function/Resource` → `Stages/CheckEvidence`. */
function labelOf(path: string): string {
  const parts = path.split('/').slice(1);
  const end = parts.findIndex((part) => part === 'Function' || part === 'Resource');
  return (end > 0 ? parts.slice(0, end) : parts).join('/');
}

export interface BenchRuntime {
  runtime: LocalRuntime;
  dataDir: string;
  /** Closes the stack; the data directory is removed unless the run failed (then it is kept to look into). */
  close(options?: { keep?: boolean }): Promise<void>;
}

/** A fresh stack in bench/.data/runs/<name>, sharing the cached synthesis. */
export async function startBenchRuntime(
  name: string,
  progress: Progress,
  options: Pick<LocalRuntimeOptions, 'functionEndpoints' | 'onServiceMessage'> = {},
): Promise<BenchRuntime> {
  const dataDir = join(DATA_DIR, 'runs', name);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  // The runtime finds the cached assembly's fingerprint through the link and does not synthesize again.
  symlinkSync(CDK_OUT, join(dataDir, 'cdk.out'), 'dir');
  const started = Date.now();
  progress.note(`starting a fresh local stack in ${dataDir}`);
  const runtime = await startLocalRuntime({
    dataDir,
    province: PROVINCE,
    timeScale: TIME_SCALE,
    configOverrides: CONFIG_OVERRIDES,
    // A run's stack is thrown away after it; the stand-ins' disk durability is not the stack's cost (see README).
    inMemory: true,
    ...options,
    onBackgroundError: (error) => progress.warn(`workflow host: ${error instanceof Error ? error.message : String(error)}`),
    onServiceMessage: options.onServiceMessage ?? ((service, message) => progress.warn(`${service}: ${message}`)),
  });
  progress.note(`local stack up in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return {
    runtime,
    dataDir,
    async close({ keep = false } = {}) {
      await runtime.close();
      if (!keep) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs `work` on a fresh stack and closes it, keeping the data directory when `work` failed. */
export async function withBenchRuntime<T>(
  name: string,
  progress: Progress,
  options: Pick<LocalRuntimeOptions, 'functionEndpoints' | 'onServiceMessage'>,
  work: (stack: BenchRuntime) => Promise<T>,
): Promise<T> {
  const stack = await startBenchRuntime(name, progress, options);
  let failed = true;
  try {
    const result = await work(stack);
    failed = false;
    return result;
  } finally {
    await stack.close({ keep: failed });
    if (failed) progress.warn(`kept ${stack.dataDir} for inspection`);
  }
}
