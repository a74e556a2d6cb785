/**
 * SDK clients and application adapters pointed at a running local stack, from its endpoints.json: what the
 * demo data, local/decide.ts and the runtime tests use to act as the API would.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDbRecordsStore } from '../functions/adapters/dynamodb-records-store.ts';
import { DynamoDbFreezeStore } from '../functions/adapters/dynamodb-freeze-store.ts';
import { StepFunctionsEngine } from '../functions/adapters/step-functions-engine.ts';
import { documentClient } from '../functions/shared/runtime.ts';
import { LocalRuntimeError } from './errors.ts';
import type { LocalEndpoints } from './runtime.ts';

export const DEFAULT_DATA_DIR = '.local';

export function readEndpoints(dataDir = DEFAULT_DATA_DIR): LocalEndpoints {
  const file = join(resolve(dataDir), 'endpoints.json');
  if (!existsSync(file)) {
    throw new LocalRuntimeError('RUNTIME_NOT_RUNNING', `No ${file}: start the local stack first with \`npm start\`.`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as LocalEndpoints;
}

export function localClients(endpoints: LocalEndpoints) {
  const base = () => ({ region: endpoints.region, credentials: { ...endpoints.credentials } });
  const dynamodb = new DynamoDBClient({ ...base(), endpoint: endpoints.dynamodb });
  const s3 = new S3Client({
    ...base(),
    endpoint: endpoints.s3,
    forcePathStyle: true,
    // Otherwise presigned PUT URLs carry the CRC32 of an empty body and uploads fail BadDigest.
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const sfn = new SFNClient({ ...base(), endpoint: endpoints.stepfunctions });
  const now = () => new Date();
  return {
    dynamodb,
    s3,
    sfn,
    store: new DynamoDbRecordsStore(documentClient(dynamodb), endpoints.tableName, now),
    freezes: new DynamoDbFreezeStore(documentClient(dynamodb), endpoints.tableName, now),
    workflow: new StepFunctionsEngine(sfn, endpoints.stateMachineArn),
    now,
    destroy() {
      dynamodb.destroy();
      s3.destroy();
      sfn.destroy();
    },
  };
}
export type LocalClients = ReturnType<typeof localClients>;
