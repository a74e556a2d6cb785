import { App, Token } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { provinceConfig } from '../../domain/province-config.ts';
import { ROUTES } from '../../functions/api/routes.ts';
import { buildProvinceApp, DEFAULT_REGION } from '../../infra/province-app.ts';
import { listProvinces, UnknownProvinceError } from '../../infra/provinces.ts';
import { LAMBDA_FUNCTIONS, PROVINCE_FUNCTIONS, removeTempOutdirs, resourcesOfType, synthProvince, tempOutdir } from './support.ts';

afterAll(removeTempOutdirs);

describe('buildProvinceApp', () => {
  const accountBefore = process.env.CDK_DEFAULT_ACCOUNT;
  afterEach(() => {
    if (accountBefore === undefined) delete process.env.CDK_DEFAULT_ACCOUNT;
    else process.env.CDK_DEFAULT_ACCOUNT = accountBefore;
  });

  it('names the stack Verval-<code>-<PascalCaseName> and deploys to Jakarta by default', () => {
    const { stack } = buildProvinceApp({ province: '81', bundle: false });
    expect(stack.stackName).toBe('Verval-81-Maluku');
    expect(DEFAULT_REGION).toBe('ap-southeast-3');
    expect(stack.region).toBe('ap-southeast-3');
  });

  it('deploys to another region when asked', () => {
    const { stack, artifact } = synthProvince({ province: '52', region: 'ap-southeast-1' });
    expect(stack.stackName).toBe('Verval-52-NusaTenggaraBarat');
    expect(stack.region).toBe('ap-southeast-1');
    expect(artifact.environment.region).toBe('ap-southeast-1');
  });

  it('takes the account from CDK_DEFAULT_ACCOUNT when present', () => {
    process.env.CDK_DEFAULT_ACCOUNT = '111122223333';
    expect(buildProvinceApp({ province: '81', bundle: false }).stack.account).toBe('111122223333');
    delete process.env.CDK_DEFAULT_ACCOUNT;
    // Without it the account stays the deploy-time AWS::AccountId.
    expect(Token.isUnresolved(buildProvinceApp({ province: '81', bundle: false }).stack.account)).toBe(true);
  });

  it('skips bundling when bundle is false', () => {
    const { app } = buildProvinceApp({ province: '81', bundle: false });
    expect(app.node.tryGetContext('aws:cdk:bundling-stacks')).toEqual([]);
    // Otherwise the setting is left as the CLI gave it (here: bundle another stack only, so this test stays fast).
    const cli = new App({ context: { 'aws:cdk:bundling-stacks': ['Some-Other-Stack'] } });
    expect(buildProvinceApp({ province: '81', app: cli }).app.node.tryGetContext('aws:cdk:bundling-stacks')).toEqual([
      'Some-Other-Stack',
    ]);
  });

  it('fails for an unknown code with a message listing every valid code and name', () => {
    expect(() => buildProvinceApp({ province: '99', bundle: false })).toThrow(UnknownProvinceError);
    expect(() => buildProvinceApp({ province: '99', bundle: false })).toThrow(/81\s+MALUKU[\s\S]*96\s+PAPUA BARAT DAYA/);
  });

  it('passes config overrides through to the functions', () => {
    const { template } = synthProvince({ configOverrides: { reviewDays: 14 } });
    const configs = resourcesOfType(template, 'AWS::Lambda::Function')
      .map(([, fn]) => fn.Properties.Environment?.Variables?.PROVINCE_CONFIG as string | undefined)
      .filter((config) => config !== undefined)
      .map((config) => JSON.parse(config));
    expect(configs).toHaveLength(PROVINCE_FUNCTIONS);
    for (const config of configs) expect(config).toEqual(provinceConfig('81', { reviewDays: 14 }));
  });

  it('synthesizes all 38 provinces, each a full stack under a unique valid name', { timeout: 600_000 }, () => {
    const started = Date.now();
    const names = listProvinces().map(({ code }) => {
      const { stack, template } = synthProvince({ province: code, outdir: tempOutdir(`all-${code}`) });
      template.resourceCountIs('AWS::Lambda::Function', LAMBDA_FUNCTIONS);
      template.resourceCountIs('AWS::ApiGatewayV2::Route', ROUTES.length);
      template.resourceCountIs('AWS::Cognito::UserPool', 1);
      template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
      template.hasResourceProperties('AWS::Events::EventBus', { Name: `verval-${code}` });
      return stack.stackName;
    });
    console.log(`synthesized 38 province stacks in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(names).toHaveLength(38);
    expect(new Set(names).size).toBe(38);
    for (const name of names) expect(name).toMatch(/^Verval-\d{2}-[A-Z][A-Za-z0-9]*$/);
    expect(names.join('').length).toBeLessThan(38 * 128);
  });
});

describe('cdk-nag AwsSolutions checks on the province stack', () => {
  let synthesized: ReturnType<typeof synthProvince>;
  beforeAll(() => {
    // Synthesis itself runs the AwsSolutions plugin and throws on any violation.
    synthesized = synthProvince({ province: '81' });
  });

  it('finds no unacknowledged errors or warnings', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(synthesized.app);
    const findings = report.violations.map(
      (violation) => `${violation.severity} ${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });

  it('leaves no AwsSolutions annotations on the stack', () => {
    const annotations = Annotations.fromStack(synthesized.stack);
    expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });

  it('would catch a violation: an unlogged, unencrypted bucket added to the stack is reported', () => {
    const { app, stack } = buildProvinceApp({ province: '81', bundle: false });
    new s3.Bucket(stack, 'CarelessBucket');
    const rules = new AwsSolutionsChecks(undefined).validateScope(app).violations.map((v) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });

  it('writes every acknowledgment into the template with a specific reason', () => {
    const suppressions = acknowledgmentsIn(synthesized.template);
    const ruleIds = new Set(suppressions.map((s) => s.id.replace(/\[.*$/, '')));
    expect(ruleIds).toEqual(
      new Set([
        'AwsSolutions-S1',
        'AwsSolutions-SMG4',
        'AwsSolutions-IAM4',
        'AwsSolutions-IAM5',
        'AwsSolutions-L1',
        'AwsSolutions-COG2',
        'AwsSolutions-APIG4',
        // The console's distribution (infra/console-hosting.ts): geo restriction, WAF, TLS on *.cloudfront.net.
        'AwsSolutions-CFR1',
        'AwsSolutions-CFR2',
        'AwsSolutions-CFR4',
        // A schedule's dead-letter queue (infra/scheduled-job.ts) has no dead-letter queue of its own.
        'AwsSolutions-SQS3',
      ]),
    );
    for (const { resource, id, reason } of suppressions) {
      expect(reason.length, `${resource} ${id}`).toBeGreaterThanOrEqual(20);
      expect(reason, `${resource} ${id}`).not.toMatch(/^(not needed|n\/a|none|todo)\b/i);
    }
  });

  it('acknowledges IAM5 wildcards finding by finding, never the whole rule', () => {
    const iam5 = acknowledgmentsIn(synthesized.template).filter((s) => s.id.startsWith('AwsSolutions-IAM5'));
    expect(iam5.length).toBeGreaterThan(0);
    for (const { id } of iam5) expect(id).toMatch(/^AwsSolutions-IAM5\[(Action|Resource)::.+\]$/);
  });
});

/** The cdk-nag acknowledgments written into each resource's Metadata (cdk_nag.rules_to_suppress). */
function acknowledgmentsIn(template: Template): { resource: string; id: string; reason: string }[] {
  const resources = template.toJSON().Resources as Record<string, { Metadata?: Record<string, any> }>;
  return Object.entries(resources).flatMap(([resource, { Metadata }]) =>
    ((Metadata?.cdk_nag?.rules_to_suppress ?? []) as { id: string; reason: string }[]).map((rule) => ({ resource, ...rule })),
  );
}
