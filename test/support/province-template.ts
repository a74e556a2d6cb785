import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildProvinceApp } from '../../infra/province-app.ts';
import type { ProvinceConfigOverrides } from '../../domain/province-config.ts';

export type Template = { Resources: Record<string, { Type: string; Properties?: any; Metadata?: any }> };

const cache = new Map<string, { template: Template; stackName: string }>();

/** The synthesized province template (no bundling), built once per test file and province. */
export function provinceTemplate(
  province = '81',
  configOverrides?: ProvinceConfigOverrides,
): { template: Template; stackName: string } {
  const cacheKey = `${province}:${JSON.stringify(configOverrides ?? {})}`;
  let entry = cache.get(cacheKey);
  if (!entry) {
    const { app, stack } = buildProvinceApp({
      province,
      bundle: false,
      // Path metadata, as the CDK CLI writes it, lets tests find each stage's function.
      app: new App({ outdir: mkdtempSync(join(tmpdir(), 'verval-synth-')), context: { 'aws:cdk:enable-path-metadata': true } }),
      ...(configOverrides ? { configOverrides } : {}),
    });
    const template = app.synth().getStackByName(stack.stackName).template as Template;
    entry = { template, stackName: stack.stackName };
    cache.set(cacheKey, entry);
  }
  return entry;
}

/** The environment the template gives the function whose construct path names this stage. */
export function functionEnvironment(template: Template, stage: string): Record<string, unknown> {
  const match = Object.values(template.Resources).find(
    (resource) =>
      resource.Type === 'AWS::Lambda::Function' &&
      String(resource.Metadata?.['aws:cdk:path'] ?? '').includes(`/${stage}/`),
  );
  if (!match) throw new Error(`No function for stage ${stage} in the template`);
  return match.Properties.Environment.Variables;
}
