import { SigV4Error } from '../sigv4.ts';
import { xmlDocument } from './xml.ts';

/** An S3 error response: code, HTTP status and message as S3 sends them, plus extra elements. */
export class S3Error extends Error {
  override readonly name = 'S3Error';
  readonly code: string;
  readonly statusCode: number;
  readonly details: Record<string, string>;

  constructor(code: string, statusCode: number, message: string, details: Record<string, string> = {}) {
    super(message);
    this.code = code;
    this.statusCode = statusCode;
    this.details = details;
  }

  static from(error: unknown): S3Error {
    if (error instanceof S3Error) return error;
    if (error instanceof SigV4Error) return new S3Error(error.code, error.statusCode, error.message, error.details);
    return new S3Error('InternalError', 500, 'We encountered an internal error. Please try again.');
  }

  toXml(requestId: string): string {
    return xmlDocument(
      'Error',
      { Code: this.code, Message: this.message, ...this.details, RequestId: requestId, HostId: requestId },
      false,
    );
  }
}

export const noSuchBucket = (bucket: string) =>
  new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: bucket });

export const noSuchKey = (key: string) => new S3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: key });

export const entityTooLarge = (proposed: number, max: number) =>
  new S3Error('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed size', {
    ProposedSize: String(proposed),
    MaxSizeAllowed: String(max),
  });

export const entityTooSmall = (proposed: number, min: number) =>
  new S3Error('EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed size', {
    ProposedSize: String(proposed),
    MinSizeAllowed: String(min),
  });

export const policyDenied = (why: string) => new S3Error('AccessDenied', 403, `Invalid according to Policy: ${why}`);

export const invalidPolicy = (why: string) => new S3Error('InvalidPolicyDocument', 400, `Invalid Policy: ${why}`);
