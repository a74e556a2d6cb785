import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import {
  chunkSignature,
  credentialsLookup,
  decodePayload,
  deriveSigningKey,
  SigV4Error,
  trailerSignature,
  verifyPostPolicySignature,
  verifySigV4,
  type SigV4Options,
  type SigV4Request,
} from '../../local/sigv4.ts';

// The example credentials and requests of the AWS S3 SigV4 documentation.
const DOC_KEY = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const DOC_TIME = new Date('2013-05-24T00:00:00Z');
const docOptions: SigV4Options = { service: 's3', region: 'us-east-1', credentials: credentialsLookup([DOC_KEY]), now: () => DOC_TIME };
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

type Bytes = string | ArrayBuffer | ArrayBufferView;
const toBytes = (data: Bytes): string | Uint8Array =>
  typeof data === 'string' ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/** Node's crypto in the shape smithy's signer wants. */
class NodeSha256 {
  private readonly secret: Bytes | undefined;
  private hash;
  constructor(secret?: Bytes) {
    this.secret = secret;
    this.hash = this.fresh();
  }
  private fresh() {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(this.secret));
  }
  update(data: Bytes) {
    this.hash.update(toBytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
  reset() {
    this.hash = this.fresh();
  }
}

const LOCAL_KEY = { accessKeyId: 'verval-local', secretAccessKey: 'verval-local-secret' };
const REGION = 'ap-southeast-3';

function smithySigner(service: string, credentials = LOCAL_KEY, uriEscapePath = service !== 's3') {
  return new SignatureV4({ service, region: REGION, credentials, sha256: NodeSha256, uriEscapePath, applyChecksum: service === 's3' });
}

interface PlainRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: string;
}

/** What node:http would hand the server for a request the SDK signed. */
function asReceived(signed: PlainRequest): SigV4Request {
  const query = Object.entries(signed.query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = v;
  const request: SigV4Request = { method: signed.method, path: signed.path, query, headers };
  if (signed.body !== undefined) request.body = Buffer.from(signed.body);
  return request;
}

function localOptions(service: string, now = new Date()): SigV4Options {
  return { service, region: REGION, credentials: credentialsLookup([LOCAL_KEY]), now: () => now };
}

function errorOf(fn: () => unknown): SigV4Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof SigV4Error) return error;
    throw error;
  }
  throw new Error('expected a SigV4Error');
}

describe('verifySigV4 against the AWS documentation examples', () => {
  it('accepts the documented header-signed GET Object request', () => {
    const verified = verifySigV4(
      {
        method: 'GET',
        path: '/test.txt',
        query: '',
        headers: {
          host: 'examplebucket.s3.amazonaws.com',
          range: 'bytes=0-9',
          'x-amz-content-sha256': EMPTY_SHA256,
          'x-amz-date': '20130524T000000Z',
          authorization:
            'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
        },
      },
      docOptions,
    );
    expect(verified.accessKeyId).toBe('AKIAIOSFODNN7EXAMPLE');
    expect(verified.payload).toEqual({ type: 'sha256', hash: EMPTY_SHA256 });
  });

  it('accepts the documented presigned URL while it is valid and refuses it after X-Amz-Expires', () => {
    const request: SigV4Request = {
      method: 'GET',
      path: '/test.txt',
      query:
        'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
      headers: { host: 'examplebucket.s3.amazonaws.com' },
    };
    expect(verifySigV4(request, docOptions).presigned).toBe(true);
    const expired = errorOf(() => verifySigV4(request, { ...docOptions, now: () => new Date('2013-05-25T00:00:01Z') }));
    expect(expired.code).toBe('AccessDenied');
    expect(expired.message).toBe('Request has expired');
    expect(expired.statusCode).toBe(403);
  });

  const chunkedHeaders = {
    host: 's3.amazonaws.com',
    'x-amz-date': '20130524T000000Z',
    'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': '66560',
    'content-length': '66824',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
  };
  const chunkedBody = () =>
    Buffer.concat([
      Buffer.from('10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n'),
      Buffer.alloc(65536, 'a'),
      Buffer.from('\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n'),
      Buffer.alloc(1024, 'a'),
      Buffer.from('\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n'),
    ]);

  it('decodes the documented signed aws-chunked upload, verifying every chunk signature', () => {
    const verified = verifySigV4({ method: 'PUT', path: '/examplebucket/chunkObject.txt', query: '', headers: chunkedHeaders }, docOptions);
    expect(verified.payload).toEqual({ type: 'streaming-signed', trailer: false });
    const raw = chunkedBody();
    expect(raw.length).toBe(66824);
    const { body } = decodePayload(verified, raw);
    expect(body.equals(Buffer.alloc(66560, 'a'))).toBe(true);
  });

  it('refuses the documented chunked upload when one byte of a chunk was altered', () => {
    const verified = verifySigV4({ method: 'PUT', path: '/examplebucket/chunkObject.txt', query: '', headers: chunkedHeaders }, docOptions);
    const raw = chunkedBody();
    raw[200] = 'b'.charCodeAt(0);
    expect(errorOf(() => decodePayload(verified, raw)).code).toBe('SignatureDoesNotMatch');
  });

  it('computes the documented trailer signature', () => {
    const ctx = {
      signingKey: deriveSigningKey(DOC_KEY.secretAccessKey, '20130524', 'us-east-1', 's3'),
      amzDate: '20130524T000000Z',
      scope: '20130524/us-east-1/s3/aws4_request',
    };
    expect(trailerSignature(ctx, '2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992', 'x-amz-checksum-crc32c:sOO8/Q==\n')).toBe(
      'd81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435',
    );
  });
});

describe('verifySigV4 against requests signed by @smithy/signature-v4', () => {
  const s3Request = (): PlainRequest => ({
    method: 'PUT',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4566,
    path: `/bucket/${encodeURIComponent('proposals/ü ñ+(1)!.jpg').replace(/%2F/g, '/').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`,
    query: { 'x-id': 'PutObject' },
    headers: { host: '127.0.0.1:4566', 'content-type': 'image/jpeg', 'x-amz-meta-note': 'a  b', 'x-amz-content-sha256': createHash('sha256').update('photo').digest('hex') },
    body: 'photo',
  });

  it('accepts an S3 PUT with a signed payload hash and a key full of reserved and non-ASCII characters', async () => {
    const signed = (await smithySigner('s3').sign(s3Request() as never)) as unknown as PlainRequest;
    const verified = verifySigV4(asReceived(signed), localOptions('s3'));
    expect(verified.accessKeyId).toBe(LOCAL_KEY.accessKeyId);
    expect(verified.signedHeaders).toContain('x-amz-meta-note');
  });

  it('refuses the same S3 PUT when its body differs from the signed hash', async () => {
    const signed = (await smithySigner('s3').sign(s3Request() as never)) as unknown as PlainRequest;
    const received = asReceived(signed);
    received.body = Buffer.from('tampered');
    expect(errorOf(() => verifySigV4(received, localOptions('s3'))).code).toBe('XAmzContentSHA256Mismatch');
  });

  it('refuses a request whose signed header was changed in transit', async () => {
    const signed = (await smithySigner('s3').sign(s3Request() as never)) as unknown as PlainRequest;
    const received = asReceived(signed);
    received.headers = { ...received.headers, 'content-type': 'text/html' };
    const error = errorOf(() => verifySigV4(received, localOptions('s3')));
    expect(error.code).toBe('SignatureDoesNotMatch');
    expect(error.statusCode).toBe(403);
  });

  it('accepts a JSON-protocol request (Step Functions) whose payload hash is computed from the body', async () => {
    const request: PlainRequest = {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: '/',
      query: {},
      headers: { host: '127.0.0.1:8083', 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.StartExecution' },
      body: '{"stateMachineArn":"arn:aws:states:ap-southeast-3:000000000000:stateMachine:x"}',
    };
    const signed = (await smithySigner('states').sign(request as never)) as unknown as PlainRequest;
    expect(verifySigV4(asReceived(signed), localOptions('states')).service).toBe('states');
    const tampered = asReceived(signed);
    tampered.body = Buffer.from('{"stateMachineArn":"other"}');
    expect(errorOf(() => verifySigV4(tampered, localOptions('states'))).code).toBe('SignatureDoesNotMatch');
  });

  it('accepts a presigned GET and refuses it once one signature character changes', async () => {
    // As @aws-sdk/s3-request-presigner prepares it: the payload is never signed in a URL.
    const request: PlainRequest = {
      method: 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: '/bucket/a%20b.txt',
      query: {},
      headers: { host: '127.0.0.1:4566', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    };
    const presigned = (await smithySigner('s3').presign(request as never, { expiresIn: 300 })) as unknown as PlainRequest;
    expect(verifySigV4(asReceived(presigned), localOptions('s3')).presigned).toBe(true);
    const signature = presigned.query['X-Amz-Signature'] as string;
    const flipped = { ...presigned, query: { ...presigned.query, 'X-Amz-Signature': signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0') } };
    expect(errorOf(() => verifySigV4(asReceived(flipped), localOptions('s3'))).code).toBe('SignatureDoesNotMatch');
  });

  it('refuses a request signed with an unknown access key', async () => {
    const signed = (await smithySigner('s3', { accessKeyId: 'someone-else', secretAccessKey: 'x' }).sign(s3Request() as never)) as unknown as PlainRequest;
    const error = errorOf(() => verifySigV4(asReceived(signed), localOptions('s3')));
    expect(error.code).toBe('InvalidAccessKeyId');
    expect(error.statusCode).toBe(403);
  });

  it('refuses a request signed with the right key id but the wrong secret', async () => {
    const signed = (await smithySigner('s3', { accessKeyId: LOCAL_KEY.accessKeyId, secretAccessKey: 'wrong' }).sign(s3Request() as never)) as unknown as PlainRequest;
    expect(errorOf(() => verifySigV4(asReceived(signed), localOptions('s3'))).code).toBe('SignatureDoesNotMatch');
  });

  it('refuses a header-signed request dated more than 15 minutes away from the server clock, in either direction', async () => {
    const signed = (await smithySigner('s3').sign(s3Request() as never, { signingDate: new Date('2026-01-01T12:00:00Z') })) as unknown as PlainRequest;
    expect(verifySigV4(asReceived(signed), localOptions('s3', new Date('2026-01-01T12:14:00Z'))).accessKeyId).toBe(LOCAL_KEY.accessKeyId);
    expect(errorOf(() => verifySigV4(asReceived(signed), localOptions('s3', new Date('2026-01-01T12:16:00Z')))).code).toBe('RequestTimeTooSkewed');
    expect(errorOf(() => verifySigV4(asReceived(signed), localOptions('s3', new Date('2026-01-01T11:44:00Z')))).code).toBe('RequestTimeTooSkewed');
  });

  it('refuses a request signed for another region, naming the expected one', async () => {
    const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: LOCAL_KEY, sha256: NodeSha256, uriEscapePath: false });
    const signed = (await signer.sign(s3Request() as never)) as unknown as PlainRequest;
    const error = errorOf(() => verifySigV4(asReceived(signed), localOptions('s3')));
    expect(error.code).toBe('AuthorizationHeaderMalformed');
    expect(error.message).toContain("expecting 'ap-southeast-3'");
  });

  it('refuses x-amz-* headers that the signature does not cover', async () => {
    const signed = (await smithySigner('s3').sign(s3Request() as never)) as unknown as PlainRequest;
    const received = asReceived(signed);
    received.headers = { ...received.headers, 'x-amz-meta-injected': 'yes' };
    const error = errorOf(() => verifySigV4(received, localOptions('s3')));
    expect(error.code).toBe('AccessDenied');
    expect(error.details.HeadersNotSigned).toBe('x-amz-meta-injected');
  });

  it('refuses a request with no authentication at all', () => {
    const error = errorOf(() => verifySigV4({ method: 'GET', path: '/bucket/key', query: '', headers: { host: 'x' } }, localOptions('s3')));
    expect(error.code).toBe('AccessDenied');
    expect(error.statusCode).toBe(403);
  });
});

describe('decodePayload for aws-chunked bodies', () => {
  async function signedStreamingRequest(contentSha256: string, decodedLength: number, trailer?: string): Promise<{ received: SigV4Request; seed: string; date: string }> {
    const headers: Record<string, string> = {
      host: '127.0.0.1:4566',
      'content-encoding': 'aws-chunked',
      'x-amz-content-sha256': contentSha256,
      'x-amz-decoded-content-length': String(decodedLength),
    };
    if (trailer) headers['x-amz-trailer'] = trailer;
    const signed = (await smithySigner('s3').sign({ method: 'PUT', protocol: 'http:', hostname: '127.0.0.1', path: '/bucket/key', query: {}, headers } as never)) as unknown as PlainRequest;
    const received = asReceived(signed);
    const seed = /Signature=([0-9a-f]+)/.exec(received.headers.authorization as string)?.[1] as string;
    return { received, seed, date: received.headers['x-amz-date'] as string };
  }

  it('decodes STREAMING-UNSIGNED-PAYLOAD-TRAILER and returns the checksum trailer', async () => {
    const { received } = await signedStreamingRequest('STREAMING-UNSIGNED-PAYLOAD-TRAILER', 11, 'x-amz-checksum-crc32');
    const verified = verifySigV4(received, localOptions('s3'));
    const raw = Buffer.from('5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n');
    const decoded = decodePayload(verified, raw);
    expect(decoded.body.toString()).toBe('hello world');
    expect(decoded.trailers).toEqual({ 'x-amz-checksum-crc32': 'DUoRhQ==' });
  });

  it('refuses a chunked body shorter than x-amz-decoded-content-length', async () => {
    const { received } = await signedStreamingRequest('STREAMING-UNSIGNED-PAYLOAD-TRAILER', 12, 'x-amz-checksum-crc32');
    const verified = verifySigV4(received, localOptions('s3'));
    const raw = Buffer.from('5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n');
    expect(errorOf(() => decodePayload(verified, raw)).code).toBe('IncompleteBody');
  });

  it('verifies chunk and trailer signatures of STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER and refuses a forged trailer', async () => {
    const { received, seed, date } = await signedStreamingRequest('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', 5, 'x-amz-checksum-crc32');
    const verified = verifySigV4(received, localOptions('s3'));
    const ctx = { signingKey: deriveSigningKey(LOCAL_KEY.secretAccessKey, date.slice(0, 8), REGION, 's3'), amzDate: date, scope: `${date.slice(0, 8)}/${REGION}/s3/aws4_request` };
    const sig1 = chunkSignature(ctx, seed, Buffer.from('hello'));
    const sig2 = chunkSignature(ctx, sig1, Buffer.alloc(0));
    const body = (trailerValue: string, trailerSig: string) =>
      Buffer.from(`5;chunk-signature=${sig1}\r\nhello\r\n0;chunk-signature=${sig2}\r\nx-amz-checksum-crc32:${trailerValue}\r\nx-amz-trailer-signature:${trailerSig}\r\n\r\n`);
    const goodTrailerSig = trailerSignature(ctx, sig2, 'x-amz-checksum-crc32:NhCmhg==\n');
    expect(decodePayload(verified, body('NhCmhg==', goodTrailerSig)).body.toString()).toBe('hello');
    expect(errorOf(() => decodePayload(verified, body('AAAAAA==', goodTrailerSig))).code).toBe('SignatureDoesNotMatch');
  });
});

describe('verifyPostPolicySignature', () => {
  const options = { service: 's3', region: REGION, credentials: credentialsLookup([LOCAL_KEY]) };
  const policy = Buffer.from(JSON.stringify({ expiration: '2030-01-01T00:00:00Z', conditions: [] })).toString('base64');
  const credential = `${LOCAL_KEY.accessKeyId}/20260101/${REGION}/s3/aws4_request`;
  const signature = createHmac('sha256', deriveSigningKey(LOCAL_KEY.secretAccessKey, '20260101', REGION, 's3')).update(policy).digest('hex');

  it('accepts a policy signed with the signing key of its credential scope', () => {
    expect(verifyPostPolicySignature({ policy, credential, signature }, options)).toEqual({ accessKeyId: LOCAL_KEY.accessKeyId });
  });

  it('refuses a policy that was changed after signing', () => {
    const changed = Buffer.from(JSON.stringify({ expiration: '2031-01-01T00:00:00Z', conditions: [] })).toString('base64');
    expect(errorOf(() => verifyPostPolicySignature({ policy: changed, credential, signature }, options)).code).toBe('SignatureDoesNotMatch');
  });
});
