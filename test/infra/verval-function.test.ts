import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/api/routes.ts';
import { STAGES, type StageName } from '../../infra/stage-functions.ts';
import type { VervalFunction } from '../../infra/verval-function.ts';
import { removeTempOutdirs, synthProvince, tempOutdir } from './support.ts';

afterAll(removeTempOutdirs);

type Bundle = { name: string; dir: string; code: string; needsRegions: boolean };

/**
 * Every Lambda the shared factory builds (stages, API routes, the Cognito trigger, the import processor),
 * bundled by esbuild exactly as `cdk deploy` would.
 */
describe('VervalFunction bundles (province 81, esbuild)', () => {
  let bundles: Bundle[];

  beforeAll(() => {
    const outdir = tempOutdir('bundled');
    const { stack, template } = synthProvince({ province: '81', bundle: true, outdir });
    const built: { name: string; fn: VervalFunction['function']; needsRegions: boolean }[] = [
      ...(Object.keys(STAGES) as StageName[]).map((name) => ({
        name: `stage ${name}`,
        fn: stack.stages.functions[name],
        needsRegions: Boolean(STAGES[name].needsRegions),
      })),
      ...ROUTES.map((route) => ({
        name: `api ${route.operationId}`,
        fn: stack.api.functions[route.operationId].function,
        needsRegions: Boolean((route.needs as { needsRegions?: boolean }).needsRegions),
      })),
      { name: 'trigger addIdentityClaims', fn: stack.users.trigger.function, needsRegions: false },
      { name: 'imports processor', fn: stack.imports.processor.function, needsRegions: true },
      { name: 'cut-off runner', fn: stack.cutoff.runner.function, needsRegions: false },
      { name: 'held-decision release', fn: stack.freezeRelease.releaser.function, needsRegions: false },
    ];
    bundles = built.map(({ name, fn, needsRegions }) => {
      const id = stack.getLogicalId(fn.node.defaultChild as never);
      const zip = template.toJSON().Resources[id].Properties.Code.S3Key as string;
      const dir = join(outdir, `asset.${zip.replace(/\.zip$/, '')}`);
      return { name, dir, code: readFileSync(join(dir, 'index.mjs'), 'utf8'), needsRegions };
    });
    for (const { name, dir } of bundles) {
      const kb = (file: string) => (existsSync(join(dir, file)) ? `${(statSync(join(dir, file)).size / 1024).toFixed(1)} kB` : '-');
      console.log(`bundle ${name.padEnd(30)} index.mjs ${kb('index.mjs').padStart(10)}   regions.json ${kb('regions.json')}`);
    }
  }, 900_000);

  it('produces one ESM bundle per function', () => {
    expect(bundles).toHaveLength(Object.keys(STAGES).length + ROUTES.length + 4);
    expect(new Set(bundles.map((bundle) => bundle.dir)).size).toBe(bundles.length);
    for (const { name, code } of bundles) {
      expect(code.startsWith("import { createRequire } from 'module';const require = createRequire(import.meta.url);"), name).toBe(true);
      expect(code, name).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
      expect(code, name).not.toMatch(/\bmodule\.exports\s*=/);
    }
  });

  it('minifies every bundle', () => {
    for (const { name, code } of bundles) {
      const lines = code.split('\n').length;
      // A minified bundle is a few very long lines (the trigger's, a few hundred bytes, is three short ones).
      expect(lines <= 3 || code.length / lines > 1000, `${name}: ${lines} lines`).toBe(true);
    }
  });

  it('exports a handler function that loads on Node 22', { timeout: 600_000 }, async () => {
    for (const { name, dir } of bundles) {
      const module = (await import(pathToFileURL(join(dir, 'index.mjs')).href)) as { handler?: unknown };
      expect(typeof module.handler, name).toBe('function');
    }
  });

  it("puts the province's region data beside exactly the bundles that validate regions", () => {
    for (const { name, dir, needsRegions } of bundles) expect(existsSync(join(dir, 'regions.json')), name).toBe(needsRegions);
    expect(bundles.filter((bundle) => bundle.needsRegions).map((bundle) => bundle.name)).toEqual(
      expect.arrayContaining(['stage validateSubmission', 'api createProposal', 'imports processor']),
    );
    const { dir } = bundles.find((bundle) => bundle.name === 'stage validateSubmission')!;
    const regions = JSON.parse(readFileSync(join(dir, 'regions.json'), 'utf8'));
    expect(Object.keys(regions.provinces)).toHaveLength(38);
    // Districts are national (NIKs carry the district of first issue, anywhere); villages are Maluku's.
    expect(regions.districts.length).toBeGreaterThan(7000);
    expect(regions.villages.length).toBeGreaterThan(1000);
    expect(regions.villages.every((code: string) => code.startsWith('81.'))).toBe(true);
  });
});
