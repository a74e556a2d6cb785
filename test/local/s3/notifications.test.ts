import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalFunctions } from '../../../local/lambda/functions.ts';
import { notificationListener, readBucketNotifications, type NotificationTarget } from '../../../local/s3/notifications.ts';
import { startS3Server, type S3Server } from '../../../local/s3/server.ts';
import { logicalIdOf, REGION, startTestFunctions, synthesizeTestStack, type SynthesizedTestStack } from '../api-gateway/support.ts';

const CREDENTIALS = { accessKeyId: 'vervallocal', secretAccessKey: 'notifications-secret' };

/**
 * `bucket.addEventNotification(OBJECT_CREATED, LambdaDestination(fn), { prefix: 'imports/' })`, synthesized, on
 * the local store: an upload under imports/ invokes the function with an S3 event record; others do not.
 */
describe('S3 notifications to Lambda functions', () => {
  let stack: SynthesizedTestStack;
  let functions: LocalFunctions;
  let server: S3Server;
  let client: S3Client;
  let targets: NotificationTarget[];
  let bucket: string;
  const delivered: { functionName: string; event: any; result: any }[] = [];
  const failures: string[] = [];

  beforeAll(async () => {
    stack = synthesizeTestStack();
    functions = await startTestFunctions(stack);
    targets = readBucketNotifications(stack.template, stack.ctx);
    bucket = stack.ctx.resources[logicalIdOf(stack.template, 'AWS::S3::Bucket', 'Evidence')]!.ref;
    server = await startS3Server({ credentials: [CREDENTIALS], region: REGION, dataDir: join(stack.dir, 's3') });
    server.onObjectCreated(
      notificationListener(targets, {
        invoke: async (functionName, event) => {
          const result = await functions.invoke(functionName, event);
          delivered.push({ functionName, event, result });
          return result;
        },
        onError: (message) => failures.push(message),
      }),
    );
    client = new S3Client({ endpoint: server.endpoint, region: REGION, credentials: { ...CREDENTIALS }, forcePathStyle: true });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  }, 240_000);

  afterAll(async () => {
    client?.destroy();
    await server?.close();
    await functions?.close();
    if (stack) rmSync(stack.dir, { recursive: true, force: true });
  });

  const waitFor = async (count: number) => {
    const deadline = Date.now() + 30_000;
    while (delivered.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    return delivered;
  };

  it('reads the Custom::S3BucketNotifications resource: event, prefix, function', () => {
    const processImport = stack.ctx.resources[logicalIdOf(stack.template, 'AWS::Lambda::Function', 'ProcessImport')]!.ref;
    expect(targets).toEqual([
      expect.objectContaining({ bucket, functionName: processImport, events: ['s3:ObjectCreated:*'], prefix: 'imports/', suffix: undefined }),
    ]);
  });

  it('invokes the function for a PutObject under imports/, with the record S3 sends, and not for other keys', async () => {
    const csv = Buffer.from('nik,nama\n', 'utf8');
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'proposals/01J/house-front/rumah.jpg', Body: Buffer.from([0xff, 0xd8, 0xff, 0xd9]) }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'imports/usulan desa (2026).csv', Body: csv, ContentType: 'text/csv' }));
    const [first] = await waitFor(1);
    expect(first!.functionName).toBe(targets[0]!.functionName);
    expect(first!.event.Records).toHaveLength(1);
    const record = first!.event.Records[0];
    expect(record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: REGION,
      eventName: 'ObjectCreated:Put',
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: targets[0]!.configurationId,
        bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
        // Form-URL-encoded, as S3 puts keys in notifications.
        object: { key: 'imports/usulan+desa+%282026%29.csv', size: csv.length, eTag: createHash('md5').update(csv).digest('hex') },
      },
    });
    // The function ran on it (the fixture answers with what it got).
    expect(first!.result).toEqual({ received: first!.event });
  });

  it('delivers a browser POST upload as ObjectCreated:Post', async () => {
    const { url, fields } = await createPresignedPost(client, { Bucket: bucket, Key: 'imports/${filename}', Conditions: [['starts-with', '$key', 'imports/']], Expires: 60 });
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob([Buffer.from('nik,nama\n1,2\n')], { type: 'text/csv' }), 'batch.csv');
    expect((await fetch(url, { method: 'POST', body: form })).status).toBe(204);
    const events = await waitFor(2);
    expect(events[1]!.event.Records[0]).toMatchObject({ eventName: 'ObjectCreated:Post', s3: { object: { key: 'imports/batch.csv' } } });
    // Nothing for the proposals/ photo, even after the later uploads were delivered.
    expect(delivered.map(({ event }) => event.Records[0].s3.object.key)).toEqual(['imports/usulan+desa+%282026%29.csv', 'imports/batch.csv']);
    expect(failures).toEqual([]);
  });
});
