import { describe, expect, it } from 'vitest';
import { encodeEventKey, objectCreatedRecord } from '../../../local/s3/events.ts';

describe('encodeEventKey', () => {
  it('form-encodes the key as S3 notifications do: space as +, slash kept, UTF-8 percent-encoded', () => {
    expect(encodeEventKey('proposals/81.03/foto rumah+1 (ü).jpg')).toBe('proposals/81.03/foto+rumah%2B1+%28%C3%BC%29.jpg');
    expect(decodeURIComponent(encodeEventKey('a b/ü+c').replace(/\+/g, ' '))).toBe('a b/ü+c');
  });
});

describe('objectCreatedRecord', () => {
  it('builds an S3EventRecord with increasing sequencers', () => {
    const details = {
      eventName: 'ObjectCreated:Post' as const,
      region: 'ap-southeast-3',
      bucket: 'evidence',
      key: 'a b.jpg',
      size: 12,
      etag: 'abc',
      accessKeyId: 'AKID',
      sourceIp: '127.0.0.1',
      requestId: 'REQ',
      eventTime: new Date('2026-01-01T00:00:00Z'),
    };
    const first = objectCreatedRecord(details);
    const second = objectCreatedRecord(details);
    expect(first).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Post',
      eventTime: '2026-01-01T00:00:00.000Z',
      userIdentity: { principalId: 'AWS:AKID' },
      s3: { bucket: { name: 'evidence', arn: 'arn:aws:s3:::evidence' }, object: { key: 'a+b.jpg', size: 12, eTag: 'abc' } },
    });
    expect(second.s3.object.sequencer > first.s3.object.sequencer).toBe(true);
  });
});
