/**
 * Starts the services every test may talk to, once per test run: one DynamoDB
 * Local (in memory) and one local S3 store, both on 127.0.0.1 with free ports.
 * Test files reach them with inject('dynamodbEndpoint' | 's3Endpoint' |
 * 'credentials' | 'region') or, simpler, with testClients() from
 * test/support/aws-clients.ts, and keep apart by using uniqueName() for their
 * tables and buckets.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { startS3Server } from '../../local/s3/server.ts';

// DynamoDB Local (1.23+) refuses access key ids with anything but letters and digits.
export const TEST_CREDENTIALS = { accessKeyId: 'vervallocal', secretAccessKey: 'verval-local-secret' } as const;
export const TEST_REGION = 'ap-southeast-3';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [dynamodbResult, s3Result] = await Promise.allSettled([
    startDynamoDbLocal(),
    startS3Server({ credentials: [TEST_CREDENTIALS], region: TEST_REGION }),
  ]);
  if (dynamodbResult.status === 'rejected' || s3Result.status === 'rejected') {
    // Stop whichever did start, then fail the run with the readable error.
    if (dynamodbResult.status === 'fulfilled') await dynamodbResult.value.close();
    if (s3Result.status === 'fulfilled') await s3Result.value.close();
    throw dynamodbResult.status === 'rejected' ? dynamodbResult.reason : (s3Result as PromiseRejectedResult).reason;
  }
  const dynamodb = dynamodbResult.value;
  const s3 = s3Result.value;
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  project.provide('s3Endpoint', s3.endpoint);
  project.provide('credentials', { ...TEST_CREDENTIALS });
  project.provide('region', TEST_REGION);
  return async () => {
    await Promise.all([dynamodb.close(), s3.close()]);
  };
}
