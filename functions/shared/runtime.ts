import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { parseProvinceConfig, type ProvinceConfig } from '../../domain/province-config.ts';
import type { RegionDirectory } from '../../domain/regions.ts';
import type { RecordsStore } from '../adapters/records-store.ts';
import type { EvidenceStore } from '../adapters/evidence-store.ts';
import { DynamoDbRecordsStore } from '../adapters/dynamodb-records-store.ts';
import { DynamoDbFreezeStore } from '../adapters/dynamodb-freeze-store.ts';
import type { FreezeStore } from '../adapters/freeze-store.ts';
import type { TaskCallbacks } from '../application/workflow-engine.ts';
import { isTransient, TransientFailure, WorkflowErrors } from './stage-errors.ts';
import { regionDirectory } from './regions.ts';
import { log } from './log.ts';

/** What a stage needs from the world. Handlers build it from their environment; tests pass their own. */
export type StageDeps = {
  provinceCode: string;
  config: ProvinceConfig;
  store: RecordsStore;
  freezes: FreezeStore;
  evidence: EvidenceStore;
  identityKey: () => Promise<string>;
  regions: () => RegionDirectory;
  /** Answers task tokens: request-decision sends a decision recorded while its task lapsed. */
  workflow: TaskCallbacks;
  now: () => Date;
  /** Shortens every period (review, SLA) by this factor; only the local runtime sets it. */
  timeScale: number;
};

const Environment = z.object({
  TABLE_NAME: z.string().min(1),
  PROVINCE_CODE: z.string().regex(/^\d{2}$/),
  PROVINCE_CONFIG: z.string().min(2),
  VERVAL_TIME_SCALE: z.coerce.number().positive().optional(),
});

export const documentClient = (client: DynamoDBClient) =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

/**
 * Adapters only some stages use. Each stage passes the factories it needs, so a bundle carries only the
 * SDK clients its own stage calls.
 */
export type OptionalAdapters = {
  evidence?: (env: NodeJS.ProcessEnv) => EvidenceStore;
  identityKey?: (env: NodeJS.ProcessEnv) => () => Promise<string>;
  workflow?: (env: NodeJS.ProcessEnv) => TaskCallbacks;
};

export function depsFromEnvironment(env: NodeJS.ProcessEnv = process.env, adapters: OptionalAdapters = {}): StageDeps {
  const settings = Environment.parse(env);
  const config = parseProvinceConfig(JSON.parse(settings.PROVINCE_CONFIG));
  const missing = (name: string) => () => {
    throw new Error(`${name} is not configured for this function`);
  };
  let regions: RegionDirectory | undefined;
  const documents = documentClient(new DynamoDBClient({}));
  return {
    provinceCode: settings.PROVINCE_CODE,
    config,
    store: new DynamoDbRecordsStore(documents, settings.TABLE_NAME),
    freezes: new DynamoDbFreezeStore(documents, settings.TABLE_NAME),
    evidence: adapters.evidence?.(env) ?? { listDocuments: missing('evidence store'), read: missing('evidence store') },
    identityKey: adapters.identityKey?.(env) ?? missing('identity hash key'),
    workflow: adapters.workflow?.(env) ?? { sendTaskSuccess: missing('workflow'), sendTaskFailure: missing('workflow') },
    regions: () => (regions ??= regionDirectory(settings.PROVINCE_CODE)),
    now: () => new Date(),
    timeScale: settings.VERVAL_TIME_SCALE ?? 1,
  };
}

/** The input every stage gets from the workflow; extra state fields pass through untouched. */
export const StageInput = z.looseObject({
  proposalId: z.string().min(1),
  version: z.number().int().positive(),
});
export type StageInput = z.infer<typeof StageInput>;

/**
 * Runs one stage: parses its input, runs it, and turns dependency hiccups into the
 * `Verval.Transient` error the workflow retries. Anything else fails the stage as it is.
 */
export async function runStage<S extends z.ZodType, O>(
  name: string,
  schema: S,
  stage: (input: z.infer<S>, deps: StageDeps) => Promise<O>,
  event: unknown,
  deps: StageDeps,
): Promise<O> {
  const input = schema.parse(event);
  try {
    return await stage(input, deps);
  } catch (error) {
    const proposalId = (input as { proposalId?: string }).proposalId;
    if (isTransient(error)) {
      log('warn', 'stage hit a transient failure', { stage: name, proposalId, error: (error as Error).name });
      throw new TransientFailure(error);
    }
    const errorName = (error as Error).name;
    // A return to the village, a suspected duplicate or an appeal's routing are business outcomes, not faults.
    if (errorName === WorkflowErrors.returned) log('info', 'proposal returned', { stage: name, proposalId });
    else if (errorName === WorkflowErrors.needsAdjudication || errorName === WorkflowErrors.appeal) {
      log('info', 'proposal routed', { stage: name, proposalId, to: errorName });
    } else log('error', 'stage failed', { stage: name, proposalId, error: errorName });
    throw error;
  }
}

/** A Lambda handler for a stage, with its dependencies built once per container. */
export function stageHandler<S extends z.ZodType, O>(
  name: string,
  schema: S,
  stage: (input: z.infer<S>, deps: StageDeps) => Promise<O>,
  adapters: OptionalAdapters = {},
) {
  let deps: StageDeps | undefined;
  return async (event: unknown): Promise<O> =>
    runStage(name, schema, stage, event, (deps ??= depsFromEnvironment(process.env, adapters)));
}

export const DAY_MS = 86_400_000;

/** A point `days` from now, shortened by the time scale. */
export function daysFromNow(deps: Pick<StageDeps, 'now' | 'timeScale'>, days: number): string {
  return new Date(deps.now().getTime() + days * DAY_MS * deps.timeScale).toISOString();
}

export const systemActor = (stage: string) => ({ type: 'system' as const, id: stage });
