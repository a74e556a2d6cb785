import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { parseProvinceConfig } from '../domain/province-config.ts';
import { DynamoDbExportsStore } from './adapters/dynamodb-exports-store.ts';
import { eventBridgePublisher } from './adapters/event-publisher.ts';
import { s3ExportFiles } from './adapters/s3-export-files.ts';
import { runCutoff, type CutoffDeps, type CutoffReadyEvent } from './application/run-cutoff.ts';
import { log } from './shared/log.ts';
import { documentClient } from './shared/runtime.ts';

/** What the schedule sends (infra/scheduled-job.ts): the time the run was due, so a retry exports the same month. */
const Input = z.object({ scheduledTime: z.iso.datetime() });

const Environment = z.object({
  TABLE_NAME: z.string().min(1),
  PROVINCE_CONFIG: z.string().min(2),
  EVENT_BUS_NAME: z.string().min(1),
});

export const CUTOFF_EVENT_DETAIL_TYPE = 'Cut-off export ready';

function depsFromEnvironment(env: NodeJS.ProcessEnv): CutoffDeps {
  const settings = Environment.parse(env);
  const config = parseProvinceConfig(JSON.parse(settings.PROVINCE_CONFIG));
  const publish = eventBridgePublisher(settings.EVENT_BUS_NAME, `verval.province-${config.provinceCode}`);
  return {
    config,
    exports: new DynamoDbExportsStore(documentClient(new DynamoDBClient({})), settings.TABLE_NAME),
    files: s3ExportFiles(env),
    // The export stays unpublished when this throws, and the schedule's retry publishes it.
    publish: (detail: CutoffReadyEvent) => publish(CUTOFF_EVENT_DETAIL_TYPE, detail),
    now: () => new Date(),
  };
}

let deps: CutoffDeps | undefined;

export const handler = async (event: unknown) => {
  const { scheduledTime } = Input.parse(event);
  deps ??= depsFromEnvironment(process.env);
  const { outcome, record } = await runCutoff(deps, new Date(scheduledTime));
  log('info', 'cut-off export', { cutoff: record.cutoff, outcome, manifestSha256: record.manifestSha256, rows: record.manifest.files[0]?.rows ?? 0 });
  return { outcome, cutoff: record.cutoff, manifestKey: record.manifestKey, manifestSha256: record.manifestSha256 };
};
