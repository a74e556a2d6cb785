/**
 * Synthesizes one province's stack with bundling, in a process of its own (see local/synth.ts):
 *   node --import tsx local/synth-child.ts '{"province":"81","outdir":"...","configOverrides":{...}}'
 * Exit 0 with the cloud assembly in outdir; 2 with a message for an unknown province; 1 otherwise.
 */
import { App } from 'aws-cdk-lib';
import type { ProvinceConfigOverrides } from '../domain/province-config.ts';
import { buildProvinceApp } from '../infra/province-app.ts';
import { UnknownProvinceError } from '../infra/provinces.ts';

interface SynthRequest {
  province: string;
  outdir: string;
  configOverrides?: ProvinceConfigOverrides;
}

const request = JSON.parse(process.argv[2] ?? '{}') as SynthRequest;
try {
  const { app } = buildProvinceApp({
    province: request.province,
    bundle: true,
    // Path and asset metadata, as the CDK CLI writes them: the runtime finds each function's bundle through them.
    app: new App({
      outdir: request.outdir,
      context: { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:enable-asset-metadata': true },
    }),
    ...(request.configOverrides ? { configOverrides: request.configOverrides } : {}),
  });
  app.synth();
} catch (error) {
  if (error instanceof UnknownProvinceError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
