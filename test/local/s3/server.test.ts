import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3EventRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, type S3Server } from '../../../local/s3/server.ts';
import { uniqueName } from '../../support/aws-clients.ts';

const CREDENTIALS = { accessKeyId: 'verval-local', secretAccessKey: 'verval-local-secret' };
const REGION = 'ap-southeast-3';

function client(endpoint: string, credentials = CREDENTIALS, checksums: 'WHEN_REQUIRED' | 'WHEN_SUPPORTED' = 'WHEN_REQUIRED'): S3Client {
  return new S3Client({ endpoint, region: REGION, credentials, forcePathStyle: true, requestChecksumCalculation: checksums, maxAttempts: 1 });
}

async function createBucket(s3: S3Client, prefix: string): Promise<string> {
  const bucket = uniqueName(prefix);
  await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }));
  return bucket;
}

async function failure(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return error;
    throw error;
  }
  throw new Error('expected the S3 call to fail');
}

async function keysOf(s3: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket })) {
    for (const object of page.Contents ?? []) keys.push(object.Key as string);
  }
  return keys;
}

/** The <Code> of an S3 error document. */
async function errorCode(response: Response): Promise<string | undefined> {
  return /<Code>([^<]+)<\/Code>/.exec(await response.text())?.[1];
}

let server: S3Server;
let s3: S3Client;
const events: S3EventRecord[] = [];

async function eventFor(bucket: string, key: string, eventName: string): Promise<S3EventRecord> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const found = events.find(
      (e) => e.s3.bucket.name === bucket && decodeURIComponent(e.s3.object.key.replace(/\+/g, ' ')) === key && e.eventName === eventName,
    );
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no ${eventName} event for s3://${bucket}/${key}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  server = await startS3Server({ credentials: [CREDENTIALS], region: REGION });
  server.onObjectCreated((record) => {
    events.push(record);
  });
  s3 = client(server.endpoint);
});

afterAll(async () => {
  s3?.destroy();
  await server?.close();
});

describe('startS3Server', () => {
  it('listens on 127.0.0.1 on a free port', () => {
    expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
  });
});

describe('objects through S3Client', () => {
  it('stores an object and returns it with its content type, metadata, ETag, Last-Modified and length', async () => {
    const bucket = await createBucket(s3, 'roundtrip');
    const key = 'proposals/81.03/bukti rumah ü+(1).jpg';
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'jpeg bytes', ContentType: 'image/jpeg', Metadata: { uploader: 'enumerator-7' } }));
    expect(put.ETag).toBe('"2ccd799f3a5130350478899447b6aa06"'); // MD5 of the bytes

    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await got.Body?.transformToString()).toBe('jpeg bytes');
    expect(got.ContentType).toBe('image/jpeg');
    expect(got.ContentLength).toBe(10);
    expect(got.ETag).toBe(put.ETag);
    expect(got.Metadata).toEqual({ uploader: 'enumerator-7' });
    expect(got.LastModified).toBeInstanceOf(Date);
    expect(Math.abs((got.LastModified as Date).getTime() - Date.now())).toBeLessThan(5000);

    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ContentLength).toBe(10);
    expect(head.ETag).toBe(put.ETag);

    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    expect((await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })))).$metadata.httpStatusCode).toBe(404);
    const missing = await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
    expect(missing.name).toBe('NoSuchKey');
    expect(missing.$metadata.httpStatusCode).toBe(404);
  });

  it('decodes the aws-chunked body and CRC32 trailer that a default client sends for a stream', async () => {
    const defaults = client(server.endpoint, CREDENTIALS, 'WHEN_SUPPORTED');
    const bucket = await createBucket(defaults, 'chunked');
    const data = Buffer.alloc(200_000, 'x');
    await defaults.send(new PutObjectCommand({ Bucket: bucket, Key: 'big.bin', Body: Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]), ContentLength: data.length }));
    const got = await defaults.send(new GetObjectCommand({ Bucket: bucket, Key: 'big.bin', ChecksumMode: 'ENABLED' }));
    expect(Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()).equals(data)).toBe(true);
    expect(got.ChecksumCRC32).toBeDefined();
    expect(got.ContentEncoding).toBeUndefined();
    defaults.destroy();
  });

  it('refuses an upload whose x-amz-checksum-crc32 does not match its bytes, storing nothing', async () => {
    const bucket = await createBucket(s3, 'baddigest');
    const error = await failure(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'hello', ChecksumCRC32: 'AAAAAA==' })));
    expect(error.name).toBe('BadDigest');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(await keysOf(s3, bucket)).toEqual([]);
  });

  it('lists with prefix, delimiter, max-keys pages and start-after', async () => {
    const bucket = await createBucket(s3, 'listing');
    const keys = ['a/1.txt', 'a/2.txt', 'a/b/3.txt', 'b.txt', 'c/4.txt', 'c/5.txt', 'd.txt'];
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));

    const top = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/' }));
    expect(top.Contents?.map((c) => c.Key)).toEqual(['b.txt', 'd.txt']);
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'c/']);
    expect(top.KeyCount).toBe(4);

    const underA = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'a/', Delimiter: '/' }));
    expect(underA.Contents?.map((c) => c.Key)).toEqual(['a/1.txt', 'a/2.txt']);
    expect(underA.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/b/']);
    expect(underA.Contents?.[0]?.Size).toBe(7);

    // Pages of two with a delimiter: a common prefix counts as one entry and never repeats.
    const entries: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/', MaxKeys: 2, ContinuationToken: token }));
      entries.push(...(page.Contents ?? []).map((c) => c.Key as string), ...(page.CommonPrefixes ?? []).map((p) => p.Prefix as string));
      token = page.NextContinuationToken;
      expect(page.IsTruncated).toBe(token !== undefined);
      pages++;
    } while (token);
    expect(entries.sort()).toEqual(['a/', 'b.txt', 'c/', 'd.txt']);
    expect(pages).toBe(2);

    expect(await keysOf(s3, bucket)).toEqual(keys);
    const after = await s3.send(new ListObjectsV2Command({ Bucket: bucket, StartAfter: 'b.txt' }));
    expect(after.Contents?.map((c) => c.Key)).toEqual(['c/4.txt', 'c/5.txt', 'd.txt']);
  });

  it('lists keys in UTF-8 byte order, as S3 does', async () => {
    const bucket = await createBucket(s3, 'utf8order');
    // U+FF5E sorts before U+1F600 in UTF-16 code units, after it in UTF-8 bytes... the other way round.
    const keys = ['\u{1F600}.txt', '\uFF5E.txt', 'z.txt'];
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' }));
    expect(await keysOf(s3, bucket)).toEqual(['z.txt', '\uFF5E.txt', '\u{1F600}.txt']);
  });

  it('copies an object with its metadata and deletes several objects at once', async () => {
    const bucket = await createBucket(s3, 'copy');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'src/ä b.txt', Body: 'payload', ContentType: 'text/plain', Metadata: { origin: 'x' } }));
    const copied = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'dst/copy.txt', CopySource: `${bucket}/${encodeURIComponent('src/ä b.txt')}` }));
    expect(copied.CopyObjectResult?.ETag).toBe('"321c3cf486ed509164edec1e1981fec8"');
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'dst/copy.txt' }));
    expect(head.ContentType).toBe('text/plain');
    expect(head.Metadata).toEqual({ origin: 'x' });
    expect((await eventFor(bucket, 'dst/copy.txt', 'ObjectCreated:Copy')).s3.object.size).toBe(7);

    const result = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'src/ä b.txt' }, { Key: 'dst/copy.txt' }, { Key: 'never-existed' }] } }));
    expect(result.Deleted?.map((d) => d.Key).sort()).toEqual(['dst/copy.txt', 'never-existed', 'src/ä b.txt']);
    expect(await keysOf(s3, bucket)).toEqual([]);
  });

  it('creates, heads, lists and deletes buckets, refusing to delete a non-empty one', async () => {
    const bucket = await createBucket(s3, 'lifecycle');
    expect((await s3.send(new HeadBucketCommand({ Bucket: bucket }))).BucketRegion).toBe(REGION);
    expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toContain(bucket);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'v' }));
    const notEmpty = await failure(s3.send(new DeleteBucketCommand({ Bucket: bucket })));
    expect(notEmpty.name).toBe('BucketNotEmpty');
    expect(notEmpty.$metadata.httpStatusCode).toBe(409);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }));
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    expect((await failure(s3.send(new HeadBucketCommand({ Bucket: bucket })))).$metadata.httpStatusCode).toBe(404);
    const noBucket = await failure(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'v' })));
    expect(noBucket.name).toBe('NoSuchBucket');
  });

  it('refuses a bucket for another region, as a regional endpoint does', async () => {
    const error = await failure(
      s3.send(new CreateBucketCommand({ Bucket: uniqueName('otherregion'), CreateBucketConfiguration: { LocationConstraint: 'ap-southeast-1' } })),
    );
    expect(error.name).toBe('IllegalLocationConstraintException');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('refuses an invalid bucket name', async () => {
    const error = await failure(s3.send(new CreateBucketCommand({ Bucket: 'Not_Valid' })));
    expect(error.name).toBe('InvalidBucketName');
  });

  it('answers operations it does not implement with 501 NotImplemented instead of guessing', async () => {
    const bucket = await createBucket(s3, 'unsupported');
    const error = await failure(s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'big' })));
    expect(error.name).toBe('NotImplemented');
    expect(error.$metadata.httpStatusCode).toBe(501);
  });

  it('emits ObjectCreated:Put with the AWS record shape after a PutObject', async () => {
    const bucket = await createBucket(s3, 'events');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'dir/file name.txt', Body: 'abc' }));
    const record = await eventFor(bucket, 'dir/file name.txt', 'ObjectCreated:Put');
    expect(record).toMatchObject({
      eventSource: 'aws:s3',
      awsRegion: REGION,
      s3: { bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` }, object: { key: 'dir/file+name.txt', size: 3, eTag: '900150983cd24fb0d6963f7d28e17f72' } },
    });
  });
});

describe('authentication', () => {
  let bucket: string;
  beforeAll(async () => {
    bucket = await createBucket(s3, 'auth');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'doc.txt', Body: 'secret document' }));
  });

  it('serves a presigned GET and accepts a presigned PUT', async () => {
    const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: 'doc.txt' }), { expiresIn: 60 });
    const got = await fetch(getUrl);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('secret document');

    const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: 'uploaded/by url.txt', ContentType: 'text/plain' }), { expiresIn: 60 });
    const put = await fetch(putUrl, { method: 'PUT', body: 'via url', headers: { 'Content-Type': 'text/plain' } });
    expect(put.status).toBe(200);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'uploaded/by url.txt' }));
    expect(head.ContentType).toBe('text/plain');
    expect(head.ContentLength).toBe(7);
  });

  it('accepts a presigned PUT from a default client although its URL carries the CRC32 of an empty body, as S3 ignores URL checksums', async () => {
    const defaults = client(server.endpoint, CREDENTIALS, 'WHEN_SUPPORTED');
    const url = await getSignedUrl(defaults, new PutObjectCommand({ Bucket: bucket, Key: 'default-client.txt' }), { expiresIn: 60 });
    expect(new URL(url).searchParams.get('x-amz-checksum-crc32')).toBe('AAAAAA==');
    const put = await fetch(url, { method: 'PUT', body: 'not empty' });
    expect(put.status).toBe(200);
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'default-client.txt' }))).ContentLength).toBe(9);
    defaults.destroy();
  });

  it('stores x-amz-meta-* that a presigned URL carries in its query', async () => {
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: 'with-meta.txt', Metadata: { province: '81' } }), { expiresIn: 60 });
    expect((await fetch(url, { method: 'PUT', body: 'm' })).status).toBe(200);
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'with-meta.txt' }))).Metadata).toEqual({ province: '81' });
  });

  it('refuses a presigned URL with one signature character changed', async () => {
    const url = new URL(await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: 'doc.txt' }), { expiresIn: 60 }));
    const signature = url.searchParams.get('X-Amz-Signature') as string;
    url.searchParams.set('X-Amz-Signature', signature.slice(0, 10) + (signature[10] === 'a' ? 'b' : 'a') + signature.slice(11));
    const response = await fetch(url);
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('SignatureDoesNotMatch');
  });

  it('refuses a presigned URL signed with another secret', async () => {
    const forger = client(server.endpoint, { accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: 'guessed-secret' });
    const response = await fetch(await getSignedUrl(forger, new GetObjectCommand({ Bucket: bucket, Key: 'doc.txt' }), { expiresIn: 60 }));
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('SignatureDoesNotMatch');
  });

  it('refuses an expired presigned URL', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: 'doc.txt' }), { expiresIn: 60, signingDate: new Date(Date.now() - 10 * 60 * 1000) });
    const response = await fetch(url);
    expect(response.status).toBe(403);
    const body = await response.text();
    expect(body).toContain('<Code>AccessDenied</Code>');
    expect(body).toContain('Request has expired');
  });

  it('refuses a request signed with an unknown access key', async () => {
    const stranger = client(server.endpoint, { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'whatever' });
    const error = await failure(stranger.send(new GetObjectCommand({ Bucket: bucket, Key: 'doc.txt' })));
    expect(error.name).toBe('InvalidAccessKeyId');
    expect(error.$metadata.httpStatusCode).toBe(403);
  });

  it('refuses anonymous requests', async () => {
    const response = await fetch(`${server.endpoint}/${bucket}/doc.txt`);
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('AccessDenied');
  });
});

describe('presigned POST uploads', () => {
  let bucket: string;
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9]);

  beforeAll(async () => {
    bucket = await createBucket(s3, 'post');
  });

  async function policy(options: { expires?: number; key?: string } = {}) {
    return createPresignedPost(s3, {
      Bucket: bucket,
      Key: options.key ?? 'proposals/abc/${filename}',
      Conditions: [
        ['starts-with', '$key', 'proposals/abc/'],
        ['eq', '$Content-Type', 'image/jpeg'],
        ['content-length-range', 1, 1024],
      ],
      Fields: { 'Content-Type': 'image/jpeg' },
      Expires: options.expires ?? 60,
    });
  }

  async function post(url: string, fields: Record<string, string>, file: Buffer = jpeg, filename = 'rumah.jpg'): Promise<Response> {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob([file], { type: 'image/jpeg' }), filename);
    return fetch(url, { method: 'POST', body: form });
  }

  it('stores a conforming upload under the ${filename} key, answers 204 and emits ObjectCreated:Post', async () => {
    const { url, fields } = await policy();
    const response = await post(url, fields);
    expect(response.status).toBe(204);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'proposals/abc/rumah.jpg' }));
    expect(got.ContentType).toBe('image/jpeg');
    expect(Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()).equals(jpeg)).toBe(true);
    const record = await eventFor(bucket, 'proposals/abc/rumah.jpg', 'ObjectCreated:Post');
    expect(record.s3.object.size).toBe(jpeg.length);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'proposals/abc/rumah.jpg' }));
  });

  it('answers success_action_status 201 with a PostResponse document when the policy allows it', async () => {
    const signed = await createPresignedPost(s3, {
      Bucket: bucket,
      Key: 'proposals/abc/created.jpg',
      Fields: { success_action_status: '201' },
      Expires: 60,
    });
    const response = await post(signed.url, signed.fields);
    expect(response.status).toBe(201);
    const body = await response.text();
    expect(body).toContain('<Key>proposals/abc/created.jpg</Key>');
    expect(body).toContain(`<Bucket>${bucket}</Bucket>`);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'proposals/abc/created.jpg' }));
  });

  describe('refusals (nothing is stored)', () => {
    it('refuses a Content-Type the policy does not allow', async () => {
      const { url, fields } = await policy();
      const response = await post(url, { ...fields, 'Content-Type': 'text/html' });
      expect(response.status).toBe(403);
      const body = await response.text();
      expect(body).toContain('<Code>AccessDenied</Code>');
      expect(body).toContain('Invalid according to Policy: Policy Condition failed');
    });

    it('refuses a file larger than content-length-range with EntityTooLarge', async () => {
      const { url, fields } = await policy();
      const response = await post(url, fields, Buffer.alloc(1025, 1));
      expect(response.status).toBe(400);
      expect(await errorCode(response)).toBe('EntityTooLarge');
    });

    it('refuses an empty file, below content-length-range, with EntityTooSmall', async () => {
      const { url, fields } = await policy();
      const response = await post(url, fields, Buffer.alloc(0));
      expect(response.status).toBe(400);
      expect(await errorCode(response)).toBe('EntityTooSmall');
    });

    it('refuses a policy whose expiration has passed', async () => {
      const { url, fields } = await policy({ expires: -60 });
      const response = await post(url, fields);
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('Invalid according to Policy: Policy expired.');
    });

    it('refuses a tampered signature', async () => {
      const { url, fields } = await policy();
      const signature = fields['X-Amz-Signature'] as string;
      const response = await post(url, { ...fields, 'X-Amz-Signature': (signature[0] === 'a' ? 'b' : 'a') + signature.slice(1) });
      expect(response.status).toBe(403);
      expect(await errorCode(response)).toBe('SignatureDoesNotMatch');
    });

    it('refuses a key outside the allowed prefix', async () => {
      const { url, fields } = await policy();
      const response = await post(url, { ...fields, key: 'proposals/xyz/${filename}' });
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('Policy Condition failed: ["starts-with", "$key", "proposals/abc/"]');
    });

    it('refuses a form field that no condition covers', async () => {
      const { url, fields } = await policy();
      const response = await post(url, { ...fields, 'x-amz-meta-role': 'admin' });
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('Extra input fields: x-amz-meta-role');
    });

    it('left nothing in the bucket', async () => {
      expect(await keysOf(s3, bucket)).toEqual([]);
    });
  });
});

describe('limits and persistence', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'verval-s3-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps buckets and objects in dataDir across a restart', async () => {
    const first = await startS3Server({ credentials: [CREDENTIALS], region: REGION, dataDir });
    const c1 = client(first.endpoint);
    const bucket = await createBucket(c1, 'persist');
    await c1.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/../weird//key ü.txt', Body: 'kept', ContentType: 'text/plain', Metadata: { n: '1' } }));
    await c1.send(new PutObjectCommand({ Bucket: bucket, Key: 'deleted.txt', Body: 'gone' }));
    await c1.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'deleted.txt' }));
    c1.destroy();
    await first.close();

    const second = await startS3Server({ credentials: [CREDENTIALS], region: REGION, dataDir });
    const c2 = client(second.endpoint);
    try {
      expect(await keysOf(c2, bucket)).toEqual(['a/../weird//key ü.txt']);
      const got = await c2.send(new GetObjectCommand({ Bucket: bucket, Key: 'a/../weird//key ü.txt' }));
      expect(await got.Body?.transformToString()).toBe('kept');
      expect(got.ContentType).toBe('text/plain');
      expect(got.Metadata).toEqual({ n: '1' });
    } finally {
      c2.destroy();
      await second.close();
    }
  });

  it('refuses an object larger than maxObjectBytes with EntityTooLarge', async () => {
    const small = await startS3Server({ credentials: [CREDENTIALS], region: REGION, maxObjectBytes: 1024 });
    const c = client(small.endpoint);
    try {
      const bucket = await createBucket(c, 'limits');
      const error = await failure(c.send(new PutObjectCommand({ Bucket: bucket, Key: 'big', Body: Buffer.alloc(4096) })));
      expect(error.name).toBe('EntityTooLarge');
      expect(await keysOf(c, bucket)).toEqual([]);
    } finally {
      c.destroy();
      await small.close();
    }
  });

  it('explains a port that is already taken', async () => {
    const other = await startS3Server({ credentials: [CREDENTIALS], region: REGION });
    try {
      await expect(startS3Server({ credentials: [CREDENTIALS], region: REGION, port: other.port })).rejects.toMatchObject({ code: 'PORT_IN_USE' });
    } finally {
      await other.close();
    }
  });
});
