import { describe, expect, it } from 'vitest';
import { authorizePostUpload } from '../../../local/s3/post-policy.ts';
import type { FormPart } from '../../../local/s3/multipart-form.ts';
import { S3Error } from '../../../local/s3/s3-error.ts';
import { credentialsLookup, deriveSigningKey, signHex } from '../../../local/sigv4.ts';

const KEY = { accessKeyId: 'verval-local', secretAccessKey: 'verval-local-secret' };
const REGION = 'ap-southeast-3';
const NOW = new Date('2026-03-01T10:00:00Z');
const options = { credentials: credentialsLookup([KEY]), region: REGION, now: () => NOW };

/** A form as a browser would post it, with a policy signed like createPresignedPost does. */
function form(conditions: unknown[], fields: Record<string, string>, file = Buffer.from('data'), expiration = '2026-03-01T11:00:00Z'): FormPart[] {
  const policy = Buffer.from(JSON.stringify({ expiration, conditions })).toString('base64');
  const signature = signHex(deriveSigningKey(KEY.secretAccessKey, '20260301', REGION, 's3'), policy);
  const all: Record<string, string> = {
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${KEY.accessKeyId}/20260301/${REGION}/s3/aws4_request`,
    'X-Amz-Date': '20260301T095900Z',
    Policy: policy,
    'X-Amz-Signature': signature,
    ...fields,
  };
  return [
    ...Object.entries(all).map(([name, value]) => ({ name, data: Buffer.from(value) })),
    { name: 'file', filename: 'foto.jpg', data: file },
  ];
}

const BASE = [
  { bucket: 'evidence' },
  { 'x-amz-algorithm': 'AWS4-HMAC-SHA256' },
  { 'x-amz-credential': `${KEY.accessKeyId}/20260301/${REGION}/s3/aws4_request` },
  { 'x-amz-date': '20260301T095900Z' },
];

function denial(fn: () => unknown): S3Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof S3Error) return error;
    throw error;
  }
  throw new Error('expected an S3Error');
}

describe('authorizePostUpload', () => {
  it('accepts a form whose every field is covered, substituting ${filename} after the conditions are checked', () => {
    const parts = form([...BASE, ['starts-with', '$key', 'p/'], { 'content-type': 'image/jpeg' }], { key: 'p/${filename}', 'Content-Type': 'image/jpeg' });
    const upload = authorizePostUpload({ bucket: 'evidence', parts }, options);
    expect(upload.key).toBe('p/foto.jpg');
    expect(upload.accessKeyId).toBe(KEY.accessKeyId);
    expect(upload.fields.get('content-type')).toBe('image/jpeg');
  });

  it('requires every comma-separated Content-Type value to match a starts-with condition', () => {
    const conditions = [...BASE, { key: 'k' }, ['starts-with', '$Content-Type', 'image/']];
    expect(authorizePostUpload({ bucket: 'evidence', parts: form(conditions, { key: 'k', 'Content-Type': 'image/jpeg,image/png' }) }, options).key).toBe('k');
    const error = denial(() => authorizePostUpload({ bucket: 'evidence', parts: form(conditions, { key: 'k', 'Content-Type': 'image/jpeg,text/html' }) }, options));
    expect(error.message).toBe('Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", "image/"]');
  });

  it('checks the bucket condition against the bucket in the URL', () => {
    const error = denial(() => authorizePostUpload({ bucket: 'other-bucket', parts: form([...BASE, { key: 'k' }], { key: 'k' }) }, options));
    expect(error.code).toBe('AccessDenied');
    expect(error.message).toContain('{"bucket":"evidence"}');
  });

  it('exempts x-ignore-* fields and fields after the file from coverage', () => {
    const parts = form([...BASE, { key: 'k' }], { key: 'k', 'x-ignore-tracking': '1' });
    parts.push({ name: 'late', data: Buffer.from('after the file') });
    expect(authorizePostUpload({ bucket: 'evidence', parts }, options).fields.has('late')).toBe(false);
  });

  it('refuses a form without a key field', () => {
    const error = denial(() => authorizePostUpload({ bucket: 'evidence', parts: form(BASE, {}) }, options));
    expect(error.code).toBe('InvalidArgument');
    expect(error.statusCode).toBe(400);
  });

  it('refuses a form without a policy as anonymous', () => {
    const error = denial(() => authorizePostUpload({ bucket: 'evidence', parts: [{ name: 'key', data: Buffer.from('k') }, { name: 'file', data: Buffer.from('x') }] }, options));
    expect(error.code).toBe('AccessDenied');
  });

  it('refuses a policy that is not base64 JSON, or has an unknown condition', () => {
    const notJson = Buffer.from('not json').toString('base64');
    const signed = signHex(deriveSigningKey(KEY.secretAccessKey, '20260301', REGION, 's3'), notJson);
    const parts = form(BASE, { key: 'k' }).map((p) =>
      p.name === 'Policy' ? { ...p, data: Buffer.from(notJson) } : p.name === 'X-Amz-Signature' ? { ...p, data: Buffer.from(signed) } : p,
    );
    expect(denial(() => authorizePostUpload({ bucket: 'evidence', parts }, options)).code).toBe('InvalidPolicyDocument');
    const unknown = form([...BASE, { key: 'k' }, ['matches', '$key', '.*']], { key: 'k' });
    expect(denial(() => authorizePostUpload({ bucket: 'evidence', parts: unknown }, options)).code).toBe('InvalidPolicyDocument');
  });

  it('refuses the same field given twice', () => {
    const parts = form([...BASE, { key: 'k' }], { key: 'k' });
    parts.unshift({ name: 'KEY', data: Buffer.from('other') });
    expect(denial(() => authorizePostUpload({ bucket: 'evidence', parts }, options)).code).toBe('InvalidArgument');
  });

  it('refuses an expired policy even when its signature is valid', () => {
    const parts = form([...BASE, { key: 'k' }], { key: 'k' }, Buffer.from('x'), '2026-03-01T09:59:59Z');
    const error = denial(() => authorizePostUpload({ bucket: 'evidence', parts }, options));
    expect(error.statusCode).toBe(403);
    expect(error.message).toBe('Invalid according to Policy: Policy expired.');
  });

  it('enforces content-length-range at both ends, inclusive', () => {
    const conditions = [...BASE, { key: 'k' }, ['content-length-range', 2, 4]];
    expect(authorizePostUpload({ bucket: 'evidence', parts: form(conditions, { key: 'k' }, Buffer.alloc(4)) }, options).file.data.length).toBe(4);
    expect(authorizePostUpload({ bucket: 'evidence', parts: form(conditions, { key: 'k' }, Buffer.alloc(2)) }, options).file.data.length).toBe(2);
    expect(denial(() => authorizePostUpload({ bucket: 'evidence', parts: form(conditions, { key: 'k' }, Buffer.alloc(5)) }, options)).code).toBe('EntityTooLarge');
    expect(denial(() => authorizePostUpload({ bucket: 'evidence', parts: form(conditions, { key: 'k' }, Buffer.alloc(1)) }, options)).code).toBe('EntityTooSmall');
  });
});
