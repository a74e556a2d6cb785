import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempOutdirs, tempOutdir } from './support.ts';

afterAll(removeTempOutdirs);

/** Runs infra/app.ts the way the CDK CLI does: context in CDK_CONTEXT_JSON, output dir in CDK_OUTDIR. */
function runApp(context: Record<string, unknown>) {
  const outdir = tempOutdir('cli');
  const { CDK_DEFAULT_ACCOUNT: _account, ...env } = process.env;
  const result = spawnSync('node_modules/.bin/node', ['--import', 'tsx', 'infra/app.ts'], {
    env: { ...env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { ...result, outdir };
}

describe('infra/app.ts (CDK app entry)', () => {
  it('synthesizes the stack for -c province and -c region', { timeout: 120_000 }, () => {
    const { status, stderr, outdir } = runApp({
      province: '52',
      region: 'ap-southeast-1',
      'aws:cdk:bundling-stacks': [],
    });
    expect(stderr).not.toMatch(/Error/);
    expect(status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    expect(manifest.artifacts['Verval-52-NusaTenggaraBarat']).toMatchObject({
      environment: 'aws://unknown-account/ap-southeast-1',
    });
  });

  it('exits non-zero with the valid codes and names, and no stack trace, for an unknown code', { timeout: 120_000 }, () => {
    const { status, stderr } = runApp({ province: '99' });
    expect(status).toBe(1);
    expect(stderr).toContain('Unknown province code "99"');
    expect(stderr).toMatch(/11\s+ACEH/);
    expect(stderr).toMatch(/96\s+PAPUA BARAT DAYA/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
