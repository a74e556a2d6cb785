import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { buildProvinceApp } from './province-app.ts';
import { UnknownProvinceError } from './provinces.ts';

export { buildProvinceApp, DEFAULT_REGION, type ProvinceAppOptions } from './province-app.ts';

/** `cdk synth|deploy -c province=<code> [-c region=<aws region>]`; cdk.json defaults the province to 81. */
export function main(): number {
  const app = new App();
  const province = String(app.node.tryGetContext('province') ?? '');
  const region = app.node.tryGetContext('region') as string | undefined;
  try {
    buildProvinceApp({ app, province, ...(region && { region: String(region) }) });
  } catch (error) {
    // A mistyped code is an operator error, not a bug: say what is valid, without a stack trace.
    if (error instanceof UnknownProvinceError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  app.synth();
  return 0;
}

const isEntry = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isEntry) process.exitCode = main();
