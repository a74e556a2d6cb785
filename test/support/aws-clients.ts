/**
 * Real AWS SDK v3 clients pointed at the services the global setup started.
 * Nothing here is mocked: requests are signed and sent over HTTP to
 * 127.0.0.1, where DynamoDB Local and the local S3 store verify them.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CreateBucketCommand, S3Client, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import { inject } from 'vitest';

export interface TestClients {
  dynamodb: DynamoDBClient;
  /** Marshals plain JS values; undefined attributes are dropped as in the functions' own clients. */
  documents: DynamoDBDocumentClient;
  s3: S3Client;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  endpoints: { dynamodb: string; s3: string };
}

export function testClients(): TestClients {
  const region = inject('region');
  const credentials = inject('credentials');
  const endpoints = { dynamodb: inject('dynamodbEndpoint'), s3: inject('s3Endpoint') };
  const dynamodb = new DynamoDBClient({ endpoint: endpoints.dynamodb, region, credentials });
  const documents = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const s3 = new S3Client({
    endpoint: endpoints.s3,
    region,
    credentials,
    forcePathStyle: true,
    // Otherwise presigned PUT URLs carry the CRC32 of an empty body and the upload fails BadDigest.
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  return { dynamodb, documents, s3, region, credentials, endpoints };
}

/**
 * A name no other test file uses, valid both as an S3 bucket name and as a
 * DynamoDB table name: lower case, digits and '-', at most 63 characters.
 */
export function uniqueName(prefix: string): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'test';
  const suffix = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  return `${clean.slice(0, 63 - suffix.length - 1)}-${suffix}`;
}

/** Creates a uniquely named bucket; regional S3 endpoints need the LocationConstraint. */
export async function createTestBucket(s3: S3Client, prefix: string): Promise<string> {
  const bucket = uniqueName(prefix);
  const region = await s3.config.region();
  await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }));
  return bucket;
}
