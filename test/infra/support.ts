import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ROUTES } from '../../functions/api/routes.ts';
import { buildProvinceApp, type ProvinceAppOptions } from '../../infra/province-app.ts';
import { STAGES } from '../../infra/stage-functions.ts';

/**
 * The province's own Lambdas: one per stage, one per API route, the import processor, the cut-off runner and the
 * release of decisions held by a freeze (each gets the config).
 */
export const PROVINCE_FUNCTIONS = Object.keys(STAGES).length + ROUTES.length + 3;
/**
 * Every AWS::Lambda::Function in a province: its own, the Cognito trigger, CDK's S3 notifications handler and
 * CDK's bucket deployment handler (the console upload).
 */
export const LAMBDA_FUNCTIONS = PROVINCE_FUNCTIONS + 3;

const outdirs: string[] = [];

/** A fresh cloud assembly directory; removeTempOutdirs() deletes them all (call it in afterAll). */
export function tempOutdir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `verval-${label}-`));
  outdirs.push(dir);
  return dir;
}

export function removeTempOutdirs(): void {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Builds and synthesizes a province app (no bundling unless asked); synthesis runs cdk-nag. */
export function synthProvince(options: Partial<ProvinceAppOptions> = {}) {
  const { app, stack } = buildProvinceApp({
    province: '81',
    bundle: false,
    outdir: tempOutdir('synth'),
    ...options,
  });
  const assembly = app.synth();
  const artifact = assembly.getStackByName(stack.stackName);
  return { app, stack, assembly, artifact, template: Template.fromJSON(artifact.template as Record<string, unknown>) };
}

/** A bare stack with a key, for testing one construct at a time. */
export function constructStack() {
  const stack = new Stack(new App(), 'ConstructTest', { env: { region: 'ap-southeast-3' } });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  return { stack, key };
}

type Resource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, any> };

export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

/** Logical id of the only resource of `type` whose logical id contains `fragment`. */
export function logicalIdOf(template: Template, type: string, fragment: string): string {
  const ids = resourcesOfType(template, type)
    .map(([id]) => id)
    .filter((id) => id.includes(fragment));
  if (ids.length !== 1) throw new Error(`Expected one ${type} matching ${fragment}, found ${ids.join(', ') || 'none'}`);
  return ids[0]!;
}

/** Every IAM statement attached (inline or through a policy resource) to the role with this logical id. */
export function statementsOfRole(template: Template, roleId: string): { Action: string | string[]; Resource: unknown }[] {
  return resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);
}

export const actionsOf = (statements: { Action: string | string[] }[]) =>
  statements.flatMap((statement) => [statement.Action].flat());
