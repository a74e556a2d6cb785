/**
 * Synthesizes the province stack the way `cdk synth` does (esbuild bundles, asset metadata) into a cloud
 * assembly the local runtime then reads. The synth runs in a child process so its esbuild chatter stays out of
 * the console (it is shown only if synthesis fails) and aws-cdk-lib stays out of the runtime's memory.
 *
 * The assembly is reused while its inputs are unchanged: the sources under domain/, functions/, infra/ and
 * workflows/, package-lock.json and the synth options are hashed into `<cdkOutDir>/verval-local.json`.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ProvinceConfigOverrides } from '../domain/province-config.ts';
import { LocalRuntimeError } from './errors.ts';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE_DIRS = ['domain', 'functions', 'infra', 'workflows'];
const SOURCE_FILES = ['package-lock.json', 'local/synth-child.ts', 'local/synth.ts'];
const FINGERPRINT_FILE = 'verval-local.json';

export interface SynthOptions {
  province: string;
  cdkOutDir: string;
  configOverrides?: ProvinceConfigOverrides;
}

/** Hash of everything the assembly is made from. */
export function synthFingerprint(options: Omit<SynthOptions, 'cdkOutDir'>): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ province: options.province, configOverrides: options.configOverrides ?? null, node: process.versions.node }));
  const files: string[] = SOURCE_FILES.map((file) => join(REPO_ROOT, file)).filter((file) => existsSync(file));
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(path);
      } else if (/\.(ts|json|mjs|js)$/.test(entry.name)) {
        files.push(path);
      }
    }
  };
  for (const dir of SOURCE_DIRS) if (existsSync(join(REPO_ROOT, dir))) walk(join(REPO_ROOT, dir));
  for (const file of files.sort()) {
    hash.update(`\0${relative(REPO_ROOT, file)}\0`);
    hash.update(readFileSync(file));
  }
  return hash.digest('hex');
}

/** Synthesizes unless the assembly in cdkOutDir was made from the same inputs; says which it did. */
export async function synthesizeProvince(options: SynthOptions): Promise<{ reused: boolean }> {
  const fingerprint = synthFingerprint(options);
  const fingerprintFile = join(options.cdkOutDir, FINGERPRINT_FILE);
  if (existsSync(fingerprintFile) && existsSync(join(options.cdkOutDir, 'manifest.json'))) {
    try {
      if ((JSON.parse(readFileSync(fingerprintFile, 'utf8')) as { fingerprint?: string }).fingerprint === fingerprint) return { reused: true };
    } catch {
      // A damaged marker: synthesize again.
    }
  }
  // Old asset directories would otherwise pile up, one per source change.
  rmSync(options.cdkOutDir, { recursive: true, force: true });
  await runChild(options);
  writeFileSync(fingerprintFile, JSON.stringify({ fingerprint, at: new Date().toISOString() }, null, 2));
  return { reused: false };
}

function runChild(options: SynthOptions): Promise<void> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = fileURLToPath(new URL('./synth-child.ts', import.meta.url));
  const request = JSON.stringify({
    province: options.province,
    outdir: options.cdkOutDir,
    ...(options.configOverrides ? { configOverrides: options.configOverrides } : {}),
  });
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', tsx, child, request], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    proc.stdout.on('data', collect);
    proc.stderr.on('data', collect);
    proc.once('error', (error) =>
      reject(new LocalRuntimeError('SYNTH_FAILED', `Could not run the synthesis (${process.execPath}): ${error.message}`, { cause: error })),
    );
    proc.once('exit', (code, signal) => {
      if (code === 0) return resolve();
      if (code === 2) return reject(new LocalRuntimeError('UNKNOWN_PROVINCE', output.trim().replace('-c province=<code>', '--province <code>')));
      const tail = output.trim().split('\n').slice(-60).join('\n');
      reject(
        new LocalRuntimeError(
          'SYNTH_FAILED',
          `Synthesizing the province stack failed (exit ${code ?? signal}). Its output ends with:\n${tail || '(nothing)'}\n\n` +
            'The same problem shows with `npx cdk synth -c province=<code>`.',
        ),
      );
    });
  });
}
