import type { S3EventRecord } from 'aws-lambda';

export type ObjectCreatedEventName = 'ObjectCreated:Put' | 'ObjectCreated:Post' | 'ObjectCreated:Copy';

export type ObjectCreatedListener = (record: S3EventRecord) => void | Promise<void>;

/**
 * S3 puts the key into notifications form-URL-encoded (space as '+', '/'
 * kept), and handlers are written to undo exactly that, so do the same here.
 */
export function encodeEventKey(key: string): string {
  return Array.from(Buffer.from(key, 'utf8'))
    .map((byte) => {
      const c = String.fromCharCode(byte);
      if (/[A-Za-z0-9.\-*_/]/.test(c)) return c;
      if (c === ' ') return '+';
      return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

let sequence = 0n;

/** Increasing per process, like S3's sequencer, so handlers can order events for one key. */
function nextSequencer(): string {
  sequence += 1n;
  return (BigInt(Date.now()) * 1000n + (sequence % 1000n)).toString(16).toUpperCase().padStart(18, '0');
}

export interface ObjectCreatedDetails {
  eventName: ObjectCreatedEventName;
  region: string;
  bucket: string;
  key: string;
  size: number;
  /** Hex MD5, no quotes (as in real notifications). */
  etag: string;
  accessKeyId: string;
  sourceIp: string;
  requestId: string;
  eventTime: Date;
}

export function objectCreatedRecord(details: ObjectCreatedDetails): S3EventRecord {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: details.region,
    eventTime: details.eventTime.toISOString(),
    eventName: details.eventName,
    userIdentity: { principalId: `AWS:${details.accessKeyId}` },
    requestParameters: { sourceIPAddress: details.sourceIp },
    responseElements: { 'x-amz-request-id': details.requestId, 'x-amz-id-2': details.requestId },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'local',
      bucket: {
        name: details.bucket,
        ownerIdentity: { principalId: 'LOCAL' },
        arn: `arn:aws:s3:::${details.bucket}`,
      },
      object: {
        key: encodeEventKey(details.key),
        size: details.size,
        eTag: details.etag,
        sequencer: nextSequencer(),
      },
    },
  };
}
