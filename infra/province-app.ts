import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { provinceConfig, type ProvinceConfigOverrides } from '../domain/province-config.ts';
import { ProvinceStack } from './province-stack.ts';
import { findProvince, stackNameFor } from './provinces.ts';

/** Jakarta: the AWS region closest to every province, and data stays in Indonesia. */
export const DEFAULT_REGION = 'ap-southeast-3';

export interface ProvinceAppOptions {
  /** Two-digit Kemendagri province code, e.g. "81" (Maluku). */
  province: string;
  region?: string;
  /** Where the cloud assembly goes; defaults to CDK's (CDK_OUTDIR from the CLI, or a temp dir). */
  outdir?: string;
  configOverrides?: ProvinceConfigOverrides;
  /** false skips asset bundling (esbuild), for fast synthesis in tests. Default true. */
  bundle?: boolean;
  /** An app to build into, e.g. one the CLI's context already populated; a new one otherwise. */
  app?: App;
}

const BUNDLING_STACKS = 'aws:cdk:bundling-stacks';

/**
 * The one way to build a province's app, for the CLI entry (infra/app.ts), the tests and the local
 * runtime. Throws UnknownProvinceError, listing the valid codes, for a code idn-area-data lacks.
 */
export function buildProvinceApp(options: ProvinceAppOptions): { app: App; stack: ProvinceStack } {
  const province = findProvince(options.province);
  const config = provinceConfig(province.code, options.configOverrides);
  const app = options.app ?? new App({ ...(options.outdir && { outdir: options.outdir }) });
  // An empty list of stacks to bundle skips esbuild entirely; assets get placeholder hashes.
  if (options.bundle === false) app.node.setContext(BUNDLING_STACKS, []);

  const stackName = stackNameFor(province);
  const stack = new ProvinceStack(app, stackName, {
    stackName,
    province,
    config,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: options.region ?? DEFAULT_REGION },
  });
  // cdk-nag v3 is a policy validation plugin: violations fail synthesis with a report, and the
  // acknowledged rules are copied into template Metadata (cdk_nag.rules_to_suppress) for auditors.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }));
  return { app, stack };
}
