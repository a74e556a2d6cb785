/**
 * A small S3-compatible object store over HTTP for running Verval offline.
 *
 * Path-style only (http://127.0.0.1:<port>/<bucket>/<key>, clients set
 * forcePathStyle). Every request must be SigV4-signed (header or presigned
 * query) or, for browser POST uploads, carry a signed policy: nothing is
 * anonymous. Operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket,
 * GetBucketLocation, PutObject, GetObject (ranges, conditionals), HeadObject,
 * DeleteObject, DeleteObjects, ListObjects(V2), CopyObject, POST Object.
 * Anything else (multipart uploads, ACLs, versioning, tagging...) is answered
 * with 501 NotImplemented rather than silently ignored.
 */
import { randomBytes, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gracefulClose } from '../graceful-close.ts';
import { LocalRuntimeError } from '../errors.ts';
import {
  credentialsLookup,
  decodePayload,
  headerValue,
  parseQuery,
  uriEncode,
  verifySigV4,
  type Headers,
  type LocalCredentials,
  type QueryParam,
  type SigV4Options,
  type VerifiedRequest,
} from '../sigv4.ts';
import { algorithmForHeader, CHECKSUM_ALGORITHMS, checksumHeaderName, computeChecksum, md5Base64, md5Hex, type ChecksumAlgorithm } from './checksums.ts';
import { objectCreatedRecord, type ObjectCreatedEventName, type ObjectCreatedListener } from './events.ts';
import { formBoundary, MultipartError, parseMultipartForm } from './multipart-form.ts';
import { authorizePostUpload } from './post-policy.ts';
import { entityTooLarge, noSuchBucket, noSuchKey, S3Error } from './s3-error.ts';
import { compareKeys, ObjectStorage, type ObjectMetadata, type StoredObject } from './storage.ts';
import { elementBlocks, elementTexts, hasRootElement, xmlDocument, type XmlElement } from './xml.ts';

export type { ObjectCreatedListener } from './events.ts';

export interface S3ServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Only loopback: the store is for this machine. */
  host?: '127.0.0.1';
  credentials: readonly LocalCredentials[];
  region: string;
  /** Keep objects on disk under this directory (they survive a restart); in memory when absent. */
  dataDir?: string;
  /** Largest object accepted by PutObject and POST (bodies are held in memory). Default 64 MiB. */
  maxObjectBytes?: number;
  /** Browser origins allowed to call the store (CORS). Default '*' (any), as a local dev store. */
  corsAllowedOrigins?: '*' | readonly string[];
}

export interface S3Server {
  /** e.g. http://127.0.0.1:43123 */
  endpoint: string;
  port: number;
  /** Calls `listener` after every successful write; returns the unsubscribe function. */
  onObjectCreated(listener: ObjectCreatedListener): () => void;
  close(): Promise<void>;
}

const OWNER = {
  ID: createHash('sha256').update('verval-local-owner').digest('hex'),
  DisplayName: 'verval-local',
};
const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';
const MAX_KEY_BYTES = 1024;
const MAX_XML_BODY_BYTES = 2 * 1024 * 1024;
const MAX_DELETE_KEYS = 1000;

/**
 * Query parameters that select an S3 sub-resource this store does not have.
 * Answering them as if they were plain object/bucket calls would do the wrong
 * thing quietly (e.g. `?uploads` would create an empty object).
 */
const UNSUPPORTED_SUBRESOURCES = [
  'accelerate', 'acl', 'analytics', 'attributes', 'cors', 'encryption', 'intelligent-tiering', 'inventory',
  'legal-hold', 'lifecycle', 'logging', 'metadataTable', 'metrics', 'notification', 'object-lock',
  'ownershipControls', 'partNumber', 'policy', 'policyStatus', 'publicAccessBlock', 'renameObject', 'replication',
  'requestPayment', 'restore', 'retention', 'select', 'session', 'tagging', 'torrent', 'uploadId', 'uploads',
  'versioning', 'versions', 'website',
];

/** Unsupported headers that change what a request means. */
const UNSUPPORTED_HEADERS = ['x-amz-server-side-encryption-customer-algorithm', 'x-amz-copy-source-range', 'x-amz-write-offset-bytes'];

/**
 * Headers of the original request, plus x-amz-* parameters (e.g. x-amz-meta-*)
 * that a presigned URL carries in its query instead. Checksum parameters are
 * left out: S3 documents that presigned URLs do not support the CRC/SHA
 * checksums and ignores them, which matters because SDK v3 (WHEN_SUPPORTED)
 * bakes the CRC32 of an empty body into every presigned PUT URL.
 */
function effectiveHeaders(headers: Headers, params: readonly QueryParam[], presigned: boolean): Headers {
  if (!presigned) return headers;
  const merged: Record<string, string | readonly string[] | undefined> = { ...headers };
  const auth = new Set(['x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-expires', 'x-amz-signedheaders', 'x-amz-signature', 'x-amz-security-token', 'x-amz-content-sha256']);
  for (const { key, value } of params) {
    const name = key.toLowerCase();
    if (!name.startsWith('x-amz-') || auth.has(name) || merged[name] !== undefined) continue;
    if (name.startsWith('x-amz-checksum-') || name === 'x-amz-sdk-checksum-algorithm') continue;
    merged[name] = value;
  }
  return merged;
}

function requestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

function isValidBucketName(name: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !name.startsWith('xn--') &&
    !name.startsWith('sthree-') &&
    !name.endsWith('-s3alias') &&
    !name.endsWith('--ol-s3')
  );
}

function httpDate(date: Date): string {
  return date.toUTCString();
}

function isoDate(date: Date): string {
  return date.toISOString();
}

/** Header values must be Latin-1; S3 returns other metadata RFC 2047-encoded. */
function safeHeaderValue(value: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\t\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

function quoted(etag: string): string {
  return `"${etag}"`;
}

/** Compares an If-Match style header value ("etag", etag, *, lists) with an object's ETag. */
function etagMatches(header: string, etag: string): boolean {
  return header.split(',').some((candidate) => {
    const c = candidate.trim().replace(/^W\//, '');
    return c === '*' || c === quoted(etag) || c === etag;
  });
}

interface ReadBodyOptions {
  limit: number;
  tooLarge: (received: number) => S3Error;
}

class BodyTooLargeError extends Error {
  readonly s3Error: S3Error;
  constructor(s3Error: S3Error) {
    super(s3Error.message);
    this.s3Error = s3Error;
  }
}

/** Reads the whole body, refusing to hold more than `limit` bytes. */
function readBody(req: IncomingMessage, { limit, tooLarge }: ReadBodyOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const onData = (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        settled = true;
        req.off('data', onData);
        reject(new BodyTooLargeError(tooLarge(size)));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, size));
    });
    req.on('error', (error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
  });
}

interface Route {
  bucket?: string;
  key?: string;
}

function parseRoute(rawPath: string): Route {
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new S3Error('InvalidURI', 400, "Couldn't parse the specified URI.", { URI: rawPath });
    }
  };
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  if (path === '') return {};
  const slash = path.indexOf('/');
  if (slash === -1) return { bucket: decode(path) };
  const bucket = decode(path.slice(0, slash));
  const key = decode(path.slice(slash + 1));
  return key === '' ? { bucket } : { bucket, key };
}

function userMetadataFrom(headers: Headers): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    if (name.startsWith('x-amz-meta-')) {
      const value = headerValue(headers, name);
      if (value !== undefined) meta[name.slice('x-amz-meta-'.length)] = value;
    }
  }
  return meta;
}

/** Content-Encoding without the aws-chunked transfer coding, which S3 strips. */
function storedContentEncoding(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const rest = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s.toLowerCase() !== 'aws-chunked');
  return rest.length > 0 ? rest.join(',') : undefined;
}

function metadataFromHeaders(headers: Headers): ObjectMetadata {
  const meta: ObjectMetadata = {
    contentType: headerValue(headers, 'content-type') ?? DEFAULT_CONTENT_TYPE,
    userMetadata: userMetadataFrom(headers),
  };
  const contentEncoding = storedContentEncoding(headerValue(headers, 'content-encoding'));
  if (contentEncoding !== undefined) meta.contentEncoding = contentEncoding;
  const optional = [
    ['content-disposition', 'contentDisposition'],
    ['content-language', 'contentLanguage'],
    ['cache-control', 'cacheControl'],
    ['expires', 'expires'],
  ] as const;
  for (const [header, field] of optional) {
    const v = headerValue(headers, header);
    if (v !== undefined) meta[field] = v;
  }
  return meta;
}

/**
 * Checks Content-MD5 and x-amz-checksum-* (header or aws-chunked trailer)
 * against the received bytes. Returns the checksum to store, if any.
 */
function verifyIntegrity(headers: Headers, trailers: Record<string, string>, body: Buffer): ObjectMetadata['checksum'] {
  const md5 = headerValue(headers, 'content-md5');
  if (md5 !== undefined) {
    if (!/^[A-Za-z0-9+/]{22}==$/.test(md5.trim())) throw new S3Error('InvalidDigest', 400, 'The Content-MD5 you specified is not valid.');
    if (md5.trim() !== md5Base64(body)) {
      throw new S3Error('BadDigest', 400, 'The Content-MD5 you specified did not match what we received.', {
        ExpectedDigest: md5,
        CalculatedDigest: md5Base64(body),
      });
    }
  }
  const given: { algorithm: ChecksumAlgorithm; value: string }[] = [];
  for (const source of [headers, trailers]) {
    for (const name of Object.keys(source)) {
      const algorithm = algorithmForHeader(name);
      const value = source === trailers ? trailers[name] : headerValue(headers, name);
      if (algorithm && value !== undefined) given.push({ algorithm, value: value.trim() });
    }
  }
  if (given.length > 1) {
    throw new S3Error('InvalidRequest', 400, 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  }
  const checksum = given[0];
  if (checksum) {
    const actual = computeChecksum(checksum.algorithm, body);
    if (actual !== checksum.value) {
      throw new S3Error('BadDigest', 400, `The ${checksum.algorithm} you specified did not match the calculated checksum.`);
    }
    return checksum;
  }
  const requested = headerValue(headers, 'x-amz-sdk-checksum-algorithm') ?? headerValue(headers, 'x-amz-checksum-algorithm');
  const algorithm = CHECKSUM_ALGORITHMS.find((a) => a === requested?.toUpperCase());
  return algorithm ? { algorithm, value: computeChecksum(algorithm, body) } : undefined;
}

interface ListRequest {
  prefix: string;
  delimiter: string | undefined;
  /** List only entries (keys or common prefixes) strictly after this. */
  after: string | undefined;
  maxKeys: number;
}

interface ListResult {
  contents: StoredObject[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix returned. */
  last: string | undefined;
}

function parseMaxKeys(value: string | undefined): number {
  if (value === undefined) return 1000;
  if (!/^\d+$/.test(value)) {
    throw new S3Error('InvalidArgument', 400, 'Provided max-keys not an integer or within integer range', {
      ArgumentName: 'max-keys',
      ArgumentValue: value,
    });
  }
  return Math.min(Number(value), 1000);
}

function encodeContinuationToken(after: string): string {
  return Buffer.from(JSON.stringify({ a: after }), 'utf8').toString('base64');
}

function decodeContinuationToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { a?: unknown };
    if (typeof parsed.a === 'string') return parsed.a;
  } catch {
    // fall through
  }
  throw new S3Error('InvalidArgument', 400, 'The continuation token provided is incorrect', {
    ArgumentName: 'continuation-token',
    ArgumentValue: token,
  });
}

export async function startS3Server(options: S3ServerOptions): Promise<S3Server> {
  const region = options.region;
  const host = options.host ?? '127.0.0.1';
  const maxObjectBytes = options.maxObjectBytes ?? 64 * 1024 * 1024;
  const maxPostBodyBytes = maxObjectBytes + 1024 * 1024;
  const allowedOrigins = options.corsAllowedOrigins ?? '*';
  const lookup = credentialsLookup(options.credentials);
  const sigOptions: SigV4Options = { service: 's3', region, credentials: lookup };
  const storage = await ObjectStorage.open(options.dataDir);
  const listeners = new Set<ObjectCreatedListener>();
  let endpoint = '';

  const emit = (record: ReturnType<typeof objectCreatedRecord>) => {
    for (const listener of listeners) {
      // Notifications are asynchronous in S3 too: a slow or failing handler
      // must not hold up or fail the upload that caused it.
      setImmediate(() => {
        Promise.resolve()
          .then(() => listener(record))
          .catch((error: unknown) => {
            console.error(`[local s3] an ObjectCreated listener failed for s3://${record.s3.bucket.name}/${record.s3.object.key}:`, error);
          });
      });
    }
  };

  const corsOrigin = (origin: string | undefined): string | undefined => {
    if (origin === undefined) return undefined;
    if (allowedOrigins === '*') return origin;
    return allowedOrigins.includes(origin) ? origin : undefined;
  };

  // ------------------------------------------------------------ responses

  const sendXml = (res: ServerResponse, status: number, xml: string) => {
    const body = Buffer.from(xml, 'utf8');
    res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': body.length });
    res.end(body);
  };

  const sendEmpty = (res: ServerResponse, status: number, headers: Record<string, string | number> = {}) => {
    res.writeHead(status, { 'Content-Length': 0, ...headers });
    res.end();
  };

  const sendError = (req: IncomingMessage, res: ServerResponse, error: S3Error, id: string) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (req.method === 'HEAD') {
      // HEAD responses have no body; SDKs map the bare status (404 → NotFound).
      res.writeHead(error.statusCode, { 'Content-Length': 0 });
      res.end();
      return;
    }
    sendXml(res, error.statusCode, error.toXml(id));
  };

  const requireBucket = (bucket: string) => {
    if (!storage.hasBucket(bucket)) throw noSuchBucket(bucket);
  };

  const validateKey = (key: string) => {
    if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
      throw new S3Error('KeyTooLongError', 400, 'Your key is too long', { MaxSizeAllowed: String(MAX_KEY_BYTES) });
    }
  };

  const objectHeaders = (object: StoredObject, headers: Headers): Record<string, string | number> => {
    const out: Record<string, string | number> = {
      'Content-Type': object.contentType,
      ETag: quoted(object.etag),
      'Last-Modified': httpDate(object.lastModified),
      'Accept-Ranges': 'bytes',
    };
    if (object.contentEncoding !== undefined) out['Content-Encoding'] = object.contentEncoding;
    if (object.contentDisposition !== undefined) out['Content-Disposition'] = safeHeaderValue(object.contentDisposition);
    if (object.contentLanguage !== undefined) out['Content-Language'] = object.contentLanguage;
    if (object.cacheControl !== undefined) out['Cache-Control'] = object.cacheControl;
    if (object.expires !== undefined) out.Expires = object.expires;
    for (const [name, value] of Object.entries(object.userMetadata)) out[`x-amz-meta-${name}`] = safeHeaderValue(value);
    if (object.checksum && headerValue(headers, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED') {
      out[checksumHeaderName(object.checksum.algorithm)] = object.checksum.value;
      out['x-amz-checksum-type'] = 'FULL_OBJECT';
    }
    return out;
  };

  /** RFC 7232 evaluation order, as S3 applies it to GET and HEAD. Returns a status to answer with instead, or undefined. */
  const preconditionStatus = (object: StoredObject, headers: Headers): 304 | 412 | undefined => {
    const ifMatch = headerValue(headers, 'if-match');
    const ifUnmodifiedSince = headerValue(headers, 'if-unmodified-since');
    const ifNoneMatch = headerValue(headers, 'if-none-match');
    const ifModifiedSince = headerValue(headers, 'if-modified-since');
    const modified = object.lastModified.getTime();
    if (ifMatch !== undefined) {
      if (!etagMatches(ifMatch, object.etag)) return 412;
    } else if (ifUnmodifiedSince !== undefined) {
      const t = Date.parse(ifUnmodifiedSince);
      if (!Number.isNaN(t) && modified > t) return 412;
    }
    if (ifNoneMatch !== undefined) {
      if (etagMatches(ifNoneMatch, object.etag)) return 304;
    } else if (ifModifiedSince !== undefined) {
      const t = Date.parse(ifModifiedSince);
      if (!Number.isNaN(t) && modified <= t) return 304;
    }
    return undefined;
  };

  // ------------------------------------------------------------ operations

  const listBuckets = (res: ServerResponse) => {
    sendXml(
      res,
      200,
      xmlDocument('ListAllMyBucketsResult', {
        Owner: OWNER,
        Buckets: { Bucket: storage.listBuckets().map((b) => ({ Name: b.name, CreationDate: isoDate(b.creationDate), BucketRegion: region })) },
      }),
    );
  };

  const createBucket = async (req: IncomingMessage, res: ServerResponse, bucket: string, verified: VerifiedRequest) => {
    if (!isValidBucketName(bucket)) throw new S3Error('InvalidBucketName', 400, 'The specified bucket is not valid.', { BucketName: bucket });
    const raw = await readBody(req, { limit: MAX_XML_BODY_BYTES, tooLarge: () => new S3Error('MaxMessageLengthExceeded', 400, 'Your request was too big.') });
    const { body } = decodePayload(verified, raw);
    const xml = body.toString('utf8').trim();
    let constraint: string | undefined;
    if (xml !== '') {
      if (!hasRootElement(xml, 'CreateBucketConfiguration')) {
        throw new S3Error('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema.');
      }
      constraint = elementTexts(xml, 'LocationConstraint')[0];
    }
    // A regional S3 endpoint refuses buckets for another region, including the
    // implicit us-east-1 of a request without a LocationConstraint.
    if ((constraint ?? 'us-east-1') !== region && !(constraint === undefined && region === 'us-east-1')) {
      throw new S3Error(
        'IllegalLocationConstraintException',
        400,
        `The ${constraint ?? 'unspecified'} location constraint is incompatible for the region specific endpoint this request was sent to.`,
      );
    }
    if (storage.hasBucket(bucket)) {
      throw new S3Error('BucketAlreadyOwnedByYou', 409, 'Your previous request to create the named bucket succeeded and you already own it.', { BucketName: bucket });
    }
    await storage.createBucket(bucket);
    sendEmpty(res, 200, { Location: `/${bucket}` });
  };

  const deleteBucket = async (res: ServerResponse, bucket: string) => {
    requireBucket(bucket);
    if (storage.objectCount(bucket) > 0) {
      throw new S3Error('BucketNotEmpty', 409, 'The bucket you tried to delete is not empty', { BucketName: bucket });
    }
    await storage.deleteBucket(bucket);
    sendEmpty(res, 204);
  };

  const list = (bucket: string, request: ListRequest): ListResult => {
    const { prefix, delimiter, after, maxKeys } = request;
    const result: ListResult = { contents: [], commonPrefixes: [], isTruncated: false, last: undefined };
    let count = 0;
    let lastPrefix: string | undefined;
    for (const key of storage.sortedKeys(bucket)) {
      if (after !== undefined && compareKeys(key, after) <= 0) continue;
      if (!key.startsWith(prefix)) continue;
      let entry: { prefix: string } | { object: StoredObject };
      if (delimiter) {
        const at = key.indexOf(delimiter, prefix.length);
        if (at !== -1) {
          const common = key.slice(0, at + delimiter.length);
          // A common prefix at or before the marker was returned on an earlier page.
          if (common === lastPrefix || (after !== undefined && compareKeys(common, after) <= 0)) continue;
          entry = { prefix: common };
        } else {
          entry = { object: storage.head(bucket, key) as StoredObject };
        }
      } else {
        entry = { object: storage.head(bucket, key) as StoredObject };
      }
      if (count >= maxKeys) {
        result.isTruncated = true;
        break;
      }
      count++;
      if ('prefix' in entry) {
        result.commonPrefixes.push(entry.prefix);
        lastPrefix = entry.prefix;
        result.last = entry.prefix;
      } else {
        result.contents.push(entry.object);
        result.last = entry.object.key;
      }
    }
    return result;
  };

  const listObjects = (res: ServerResponse, bucket: string, params: Map<string, string>) => {
    requireBucket(bucket);
    const v2 = params.get('list-type') === '2';
    const encodingType = params.get('encoding-type');
    if (encodingType !== undefined && encodingType !== 'url') {
      throw new S3Error('InvalidArgument', 400, 'Invalid Encoding Method specified in Request', { ArgumentName: 'encoding-type', ArgumentValue: encodingType });
    }
    const enc = (value: string) => (encodingType === 'url' ? uriEncode(value).replace(/%2F/g, '/') : value);
    const prefix = params.get('prefix') ?? '';
    const delimiter = params.get('delimiter') || undefined;
    const maxKeys = parseMaxKeys(params.get('max-keys'));
    const fetchOwner = !v2 || params.get('fetch-owner') === 'true';
    const contents = (objects: StoredObject[]) =>
      objects.map((o) => ({
        Key: enc(o.key),
        LastModified: isoDate(o.lastModified),
        ETag: quoted(o.etag),
        ChecksumAlgorithm: o.checksum?.algorithm,
        ChecksumType: o.checksum ? 'FULL_OBJECT' : undefined,
        Size: o.size,
        StorageClass: 'STANDARD',
        Owner: fetchOwner ? OWNER : undefined,
      }));
    const commonPrefixes = (prefixes: string[]) => prefixes.map((p) => ({ Prefix: enc(p) }));

    if (v2) {
      const token = params.get('continuation-token');
      const startAfter = params.get('start-after');
      let after = token !== undefined ? decodeContinuationToken(token) : undefined;
      if (startAfter !== undefined && (after === undefined || compareKeys(startAfter, after) > 0)) after = startAfter;
      const result = list(bucket, { prefix, delimiter, after, maxKeys });
      const body: XmlElement = {
        Name: bucket,
        Prefix: enc(prefix),
        Delimiter: delimiter === undefined ? undefined : enc(delimiter),
        MaxKeys: maxKeys,
        KeyCount: result.contents.length + result.commonPrefixes.length,
        IsTruncated: result.isTruncated,
        ContinuationToken: token,
        NextContinuationToken: result.isTruncated && result.last !== undefined ? encodeContinuationToken(result.last) : undefined,
        StartAfter: startAfter === undefined ? undefined : enc(startAfter),
        EncodingType: encodingType,
        Contents: contents(result.contents),
        CommonPrefixes: commonPrefixes(result.commonPrefixes),
      };
      sendXml(res, 200, xmlDocument('ListBucketResult', body));
      return;
    }
    const marker = params.get('marker');
    const result = list(bucket, { prefix, delimiter, after: marker || undefined, maxKeys });
    sendXml(
      res,
      200,
      xmlDocument('ListBucketResult', {
        Name: bucket,
        Prefix: enc(prefix),
        Marker: enc(marker ?? ''),
        // S3 sends NextMarker only with a delimiter; without one clients use the last key.
        NextMarker: result.isTruncated && delimiter !== undefined && result.last !== undefined ? enc(result.last) : undefined,
        MaxKeys: maxKeys,
        Delimiter: delimiter === undefined ? undefined : enc(delimiter),
        IsTruncated: result.isTruncated,
        EncodingType: encodingType,
        Contents: contents(result.contents),
        CommonPrefixes: commonPrefixes(result.commonPrefixes),
      }),
    );
  };

  const storeObject = async (
    bucket: string,
    key: string,
    body: Buffer,
    metadata: ObjectMetadata,
    event: { name: ObjectCreatedEventName; accessKeyId: string; sourceIp: string; requestId: string },
  ): Promise<StoredObject> => {
    const object: StoredObject = {
      ...metadata,
      key,
      size: body.length,
      etag: md5Hex(body),
      lastModified: new Date(Math.floor(Date.now() / 1000) * 1000),
    };
    if (object.checksum === undefined) delete object.checksum;
    await storage.put(bucket, object, body);
    emit(
      objectCreatedRecord({
        eventName: event.name,
        region,
        bucket,
        key,
        size: object.size,
        etag: object.etag,
        accessKeyId: event.accessKeyId,
        sourceIp: event.sourceIp,
        requestId: event.requestId,
        eventTime: new Date(),
      }),
    );
    return object;
  };

  const checkWritePreconditions = (bucket: string, key: string, headers: Headers) => {
    const existing = storage.head(bucket, key);
    const ifNoneMatch = headerValue(headers, 'if-none-match');
    const ifMatch = headerValue(headers, 'if-match');
    if (ifNoneMatch !== undefined) {
      if (ifNoneMatch.trim() !== '*') throw new S3Error('NotImplemented', 501, 'If-None-Match on PutObject only supports the value *.');
      if (existing) throw new S3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-None-Match' });
    }
    if (ifMatch !== undefined) {
      if (!existing) throw noSuchKey(key);
      if (!etagMatches(ifMatch, existing.etag)) {
        throw new S3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-Match' });
      }
    }
  };

  const putObject = async (req: IncomingMessage, res: ServerResponse, bucket: string, key: string, verified: VerifiedRequest, headers: Headers, id: string) => {
    requireBucket(bucket);
    validateKey(key);
    const announced = Number(headerValue(headers, 'x-amz-decoded-content-length') ?? headerValue(headers, 'content-length') ?? 0);
    if (announced > maxObjectBytes) throw new BodyTooLargeError(entityTooLarge(announced, maxObjectBytes));
    // aws-chunked framing adds well under 2% (chunks are at least 8 KiB).
    const raw = await readBody(req, {
      limit: Math.ceil(maxObjectBytes * 1.02) + 64 * 1024,
      tooLarge: (n) => entityTooLarge(n, maxObjectBytes),
    });
    const { body, trailers } = decodePayload(verified, raw);
    if (body.length > maxObjectBytes) throw entityTooLarge(body.length, maxObjectBytes);
    const checksum = verifyIntegrity(headers, trailers, body);
    checkWritePreconditions(bucket, key, headers);
    const metadata = metadataFromHeaders(headers);
    if (checksum) metadata.checksum = checksum;
    const object = await storeObject(bucket, key, body, metadata, {
      name: 'ObjectCreated:Put',
      accessKeyId: verified.accessKeyId,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      requestId: id,
    });
    const out: Record<string, string | number> = { ETag: quoted(object.etag) };
    if (checksum) {
      out[checksumHeaderName(checksum.algorithm)] = checksum.value;
      out['x-amz-checksum-type'] = 'FULL_OBJECT';
    }
    sendEmpty(res, 200, out);
  };

  const copyObject = async (req: IncomingMessage, res: ServerResponse, bucket: string, key: string, verified: VerifiedRequest, headers: Headers, id: string) => {
    requireBucket(bucket);
    validateKey(key);
    const source = headerValue(headers, 'x-amz-copy-source') as string;
    const [pathPart = '', sourceQuery = ''] = source.split('?');
    let sourcePath: string;
    try {
      sourcePath = decodeURIComponent(pathPart.replace(/^\//, ''));
    } catch {
      throw new S3Error('InvalidArgument', 400, 'Invalid copy source encoding', { ArgumentName: 'x-amz-copy-source', ArgumentValue: source });
    }
    const slash = sourcePath.indexOf('/');
    if (slash <= 0 || slash === sourcePath.length - 1) {
      throw new S3Error('InvalidArgument', 400, 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', {
        ArgumentName: 'x-amz-copy-source',
        ArgumentValue: source,
      });
    }
    const versionId = parseQuery(sourceQuery).find((p) => p.key === 'versionId')?.value;
    if (versionId !== undefined && versionId !== 'null') {
      throw new S3Error('InvalidArgument', 400, 'Invalid version id specified', { ArgumentName: 'versionId', ArgumentValue: versionId });
    }
    const sourceBucket = sourcePath.slice(0, slash);
    const sourceKey = sourcePath.slice(slash + 1);
    if (!storage.hasBucket(sourceBucket)) throw noSuchBucket(sourceBucket);
    const sourceObject = storage.head(sourceBucket, sourceKey);
    if (!sourceObject) throw noSuchKey(sourceKey);

    const failed = () => new S3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold');
    const ifMatch = headerValue(headers, 'x-amz-copy-source-if-match');
    const ifNoneMatch = headerValue(headers, 'x-amz-copy-source-if-none-match');
    const ifUnmodified = headerValue(headers, 'x-amz-copy-source-if-unmodified-since');
    const ifModified = headerValue(headers, 'x-amz-copy-source-if-modified-since');
    if (ifMatch !== undefined && !etagMatches(ifMatch, sourceObject.etag)) throw failed();
    if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, sourceObject.etag)) throw failed();
    if (ifMatch === undefined && ifUnmodified !== undefined && sourceObject.lastModified.getTime() > Date.parse(ifUnmodified)) throw failed();
    if (ifNoneMatch === undefined && ifModified !== undefined && sourceObject.lastModified.getTime() <= Date.parse(ifModified)) throw failed();

    const directive = (headerValue(headers, 'x-amz-metadata-directive') ?? 'COPY').toUpperCase();
    if (directive !== 'COPY' && directive !== 'REPLACE') {
      throw new S3Error('InvalidArgument', 400, 'Unknown metadata directive.', { ArgumentName: 'x-amz-metadata-directive', ArgumentValue: directive });
    }
    if (sourceBucket === bucket && sourceKey === key && directive === 'COPY') {
      throw new S3Error(
        'InvalidRequest',
        400,
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
    }
    // Drain any body; a copy takes its bytes from the source.
    await readBody(req, { limit: MAX_XML_BODY_BYTES, tooLarge: () => new S3Error('MaxMessageLengthExceeded', 400, 'Your request was too big.') });
    const body = await storage.read(sourceBucket, sourceKey);
    if (!body) throw noSuchKey(sourceKey);
    checkWritePreconditions(bucket, key, headers);

    let metadata: ObjectMetadata;
    if (directive === 'REPLACE') {
      metadata = metadataFromHeaders(headers);
    } else {
      const { key: _k, size: _s, etag: _e, lastModified: _l, ...copied } = sourceObject;
      metadata = { ...copied, userMetadata: { ...copied.userMetadata } };
    }
    const requested = headerValue(headers, 'x-amz-checksum-algorithm');
    const algorithm = CHECKSUM_ALGORITHMS.find((a) => a === requested?.toUpperCase());
    if (algorithm) metadata.checksum = { algorithm, value: computeChecksum(algorithm, body) };
    else if (sourceObject.checksum) metadata.checksum = { ...sourceObject.checksum };

    const object = await storeObject(bucket, key, body, metadata, {
      name: 'ObjectCreated:Copy',
      accessKeyId: verified.accessKeyId,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      requestId: id,
    });
    sendXml(
      res,
      200,
      xmlDocument('CopyObjectResult', {
        LastModified: isoDate(object.lastModified),
        ETag: quoted(object.etag),
        ...(object.checksum ? { [`Checksum${object.checksum.algorithm}`]: object.checksum.value, ChecksumType: 'FULL_OBJECT' } : {}),
      }),
    );
  };

  const getObject = async (req: IncomingMessage, res: ServerResponse, bucket: string, key: string, headers: Headers, params: Map<string, string>) => {
    requireBucket(bucket);
    const versionId = params.get('versionId');
    if (versionId !== undefined && versionId !== 'null') {
      throw new S3Error('InvalidArgument', 400, 'Invalid version id specified', { ArgumentName: 'versionId', ArgumentValue: versionId });
    }
    const object = storage.head(bucket, key);
    if (!object) throw noSuchKey(key);
    const outHeaders = objectHeaders(object, headers);
    const condition = preconditionStatus(object, headers);
    if (condition === 304) {
      const { ETag, 'Last-Modified': lastModified } = outHeaders;
      res.writeHead(304, { ETag: ETag as string, 'Last-Modified': lastModified as string });
      res.end();
      return;
    }
    if (condition === 412) {
      throw new S3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold', {
        Condition: headerValue(headers, 'if-match') !== undefined ? 'If-Match' : 'If-Unmodified-Since',
      });
    }
    // Presigned GETs may override response headers (e.g. a download file name).
    const overrides = [
      ['response-content-type', 'Content-Type'],
      ['response-content-language', 'Content-Language'],
      ['response-expires', 'Expires'],
      ['response-cache-control', 'Cache-Control'],
      ['response-content-disposition', 'Content-Disposition'],
      ['response-content-encoding', 'Content-Encoding'],
    ] as const;
    for (const [param, header] of overrides) {
      const value = params.get(param);
      if (value !== undefined) outHeaders[header] = safeHeaderValue(value);
    }

    let start = 0;
    let end = object.size - 1;
    let status = 200;
    const range = headerValue(headers, 'range');
    if (range !== undefined) {
      const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
      // Malformed or multi-range headers are ignored (whole object), as S3 does.
      if (m && (m[1] !== '' || m[2] !== '')) {
        if (m[1] === '') {
          const suffix = Number(m[2]);
          start = Math.max(0, object.size - suffix);
        } else {
          start = Number(m[1]);
          if (m[2] !== '') end = Math.min(Number(m[2]), object.size - 1);
        }
        if (start >= object.size || start > end || (m[1] === '' && Number(m[2]) === 0)) {
          throw new S3Error('InvalidRange', 416, 'The requested range is not satisfiable', {
            RangeRequested: range,
            ActualObjectSize: String(object.size),
          });
        }
        status = 206;
        outHeaders['Content-Range'] = `bytes ${start}-${end}/${object.size}`;
      }
    }
    outHeaders['Content-Length'] = object.size === 0 ? 0 : end - start + 1;
    if (req.method === 'HEAD') {
      res.writeHead(status, outHeaders);
      res.end();
      return;
    }
    const body = await storage.read(bucket, key);
    if (!body) throw noSuchKey(key);
    res.writeHead(status, outHeaders);
    res.end(object.size === 0 ? body : body.subarray(start, end + 1));
  };

  const deleteObject = async (res: ServerResponse, bucket: string, key: string) => {
    requireBucket(bucket);
    await storage.delete(bucket, key);
    sendEmpty(res, 204);
  };

  const deleteObjects = async (req: IncomingMessage, res: ServerResponse, bucket: string, verified: VerifiedRequest, headers: Headers) => {
    requireBucket(bucket);
    const raw = await readBody(req, { limit: MAX_XML_BODY_BYTES, tooLarge: () => new S3Error('MaxMessageLengthExceeded', 400, 'Your request was too big.') });
    const { body, trailers } = decodePayload(verified, raw);
    const hasChecksum =
      headerValue(headers, 'content-md5') !== undefined ||
      [...Object.keys(headers), ...Object.keys(trailers)].some((name) => algorithmForHeader(name) !== undefined);
    if (!hasChecksum) {
      throw new S3Error('InvalidRequest', 400, 'Missing required header for this request: Content-MD5 OR x-amz-checksum-*');
    }
    verifyIntegrity(headers, trailers, body);
    const xml = body.toString('utf8');
    if (!hasRootElement(xml, 'Delete')) {
      throw new S3Error('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema.');
    }
    const objects = elementBlocks(xml, 'Object');
    if (objects.length === 0 || objects.length > MAX_DELETE_KEYS) {
      throw new S3Error('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema.');
    }
    const quiet = elementTexts(xml, 'Quiet')[0]?.trim().toLowerCase() === 'true';
    const deleted: XmlElement[] = [];
    const errors: XmlElement[] = [];
    for (const block of objects) {
      const key = elementTexts(block, 'Key')[0];
      if (key === undefined) {
        throw new S3Error('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema.');
      }
      const versionId = elementTexts(block, 'VersionId')[0];
      if (versionId !== undefined && versionId !== 'null') {
        errors.push({ Key: key, VersionId: versionId, Code: 'NoSuchVersion', Message: 'The specified version does not exist.' });
        continue;
      }
      await storage.delete(bucket, key);
      if (!quiet) deleted.push({ Key: key });
    }
    sendXml(res, 200, xmlDocument('DeleteResult', { Deleted: deleted, Error: errors }));
  };

  const postObject = async (req: IncomingMessage, res: ServerResponse, bucket: string, headers: Headers, id: string) => {
    const boundary = formBoundary(headerValue(headers, 'content-type'));
    if (boundary === undefined) {
      throw new S3Error('PreconditionFailed', 412, 'Bucket POST must be of the enclosure-type multipart/form-data', { Condition: 'Bucket POST must be of the enclosure-type multipart/form-data' });
    }
    requireBucket(bucket);
    const announced = Number(headerValue(headers, 'content-length') ?? 0);
    if (announced > maxPostBodyBytes) throw new BodyTooLargeError(entityTooLarge(announced, maxObjectBytes));
    const body = await readBody(req, { limit: maxPostBodyBytes, tooLarge: (n) => entityTooLarge(n, maxObjectBytes) });
    let parts;
    try {
      parts = parseMultipartForm(body, boundary);
    } catch (error) {
      if (error instanceof MultipartError) {
        throw new S3Error('MalformedPOSTRequest', 400, `The body of your POST request is not well-formed multipart/form-data. (${error.message})`);
      }
      throw error;
    }
    const upload = authorizePostUpload({ bucket, parts }, { credentials: lookup, region });
    validateKey(upload.key);
    if (upload.file.data.length > maxObjectBytes) throw entityTooLarge(upload.file.data.length, maxObjectBytes);

    const fieldHeaders: Record<string, string> = {};
    for (const [name, value] of upload.fields) fieldHeaders[name] = value;
    const metadata = metadataFromHeaders(fieldHeaders);
    const object = await storeObject(bucket, upload.key, Buffer.from(upload.file.data), metadata, {
      name: 'ObjectCreated:Post',
      accessKeyId: upload.accessKeyId,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      requestId: id,
    });

    const location = `${endpoint}/${bucket}/${uriEncode(upload.key).replace(/%2F/g, '/')}`;
    const redirect = upload.fields.get('success_action_redirect') ?? upload.fields.get('redirect');
    if (redirect !== undefined && /^https?:\/\//i.test(redirect)) {
      const target = new URL(redirect);
      target.searchParams.set('bucket', bucket);
      target.searchParams.set('key', upload.key);
      target.searchParams.set('etag', quoted(object.etag));
      sendEmpty(res, 303, { Location: target.toString(), ETag: quoted(object.etag) });
      return;
    }
    const status = upload.fields.get('success_action_status');
    if (status === '201') {
      sendXml(res, 201, xmlDocument('PostResponse', { Location: location, Bucket: bucket, Key: upload.key, ETag: quoted(object.etag) }, false));
      return;
    }
    // S3 answers 204 for a missing or unrecognised success_action_status.
    sendEmpty(res, status === '200' ? 200 : 204, { ETag: quoted(object.etag), Location: location });
  };

  // ------------------------------------------------------------ dispatch

  const handle = async (req: IncomingMessage, res: ServerResponse, id: string) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    if (!url.startsWith('/')) throw new S3Error('InvalidURI', 400, "Couldn't parse the specified URI.", { URI: url });
    const q = url.indexOf('?');
    const rawPath = q === -1 ? url : url.slice(0, q);
    const rawQuery = q === -1 ? '' : url.slice(q + 1);
    const route = parseRoute(rawPath);
    const queryList = parseQuery(rawQuery);
    const params = new Map<string, string>();
    for (const { key, value } of queryList) if (!params.has(key)) params.set(key, value);
    const origin = headerValue(req.headers, 'origin');

    if (method === 'OPTIONS') {
      const allowed = corsOrigin(origin);
      const requestedMethod = headerValue(req.headers, 'access-control-request-method');
      if (!allowed || !requestedMethod) {
        throw new S3Error('AccessForbidden', 403, 'CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource\'s CORS spec.');
      }
      const requestedHeaders = headerValue(req.headers, 'access-control-request-headers');
      sendEmpty(res, 200, {
        'Access-Control-Allow-Methods': 'GET, PUT, POST, DELETE, HEAD',
        ...(requestedHeaders ? { 'Access-Control-Allow-Headers': requestedHeaders } : {}),
        'Access-Control-Max-Age': 3000,
      });
      return;
    }

    if (route.bucket !== undefined) {
      const unsupported = UNSUPPORTED_SUBRESOURCES.find((name) => params.has(name));
      if (unsupported !== undefined) {
        throw new S3Error('NotImplemented', 501, `This local S3 store does not implement the '${unsupported}' sub-resource.`, { Subresource: unsupported });
      }
    }

    // Browser form uploads authenticate with the signed policy in the form.
    if (method === 'POST' && route.bucket !== undefined && route.key === undefined && !params.has('delete') && !params.has('X-Amz-Signature') && headerValue(req.headers, 'authorization') === undefined) {
      await postObject(req, res, route.bucket, req.headers, id);
      return;
    }

    // headersDistinct keeps repeated headers apart; SigV4 joins their values with ',' (node would use ', ').
    const verified = verifySigV4({ method, path: rawPath, query: rawQuery, headers: req.headersDistinct }, sigOptions);
    const headers = effectiveHeaders(req.headers, queryList, verified.presigned);
    const unsupportedHeader = UNSUPPORTED_HEADERS.find((name) => headerValue(headers, name) !== undefined);
    if (unsupportedHeader !== undefined) {
      throw new S3Error('NotImplemented', 501, `This local S3 store does not implement the ${unsupportedHeader} header.`, { Header: unsupportedHeader });
    }

    if (route.bucket === undefined) {
      if (method === 'GET') return listBuckets(res);
      throw new S3Error('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.', { Method: method, ResourceType: 'SERVICE' });
    }
    const bucket = route.bucket;
    if (route.key === undefined) {
      switch (method) {
        case 'GET':
          if (params.has('location')) {
            requireBucket(bucket);
            sendXml(res, 200, `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${region === 'us-east-1' ? '' : region}</LocationConstraint>`);
            return;
          }
          return listObjects(res, bucket, params);
        case 'HEAD':
          requireBucket(bucket);
          sendEmpty(res, 200, { 'x-amz-bucket-region': region, 'x-amz-access-point-alias': 'false' });
          return;
        case 'PUT':
          return createBucket(req, res, bucket, verified);
        case 'DELETE':
          return deleteBucket(res, bucket);
        case 'POST':
          if (params.has('delete')) return deleteObjects(req, res, bucket, verified, headers);
          throw new S3Error('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.', { Method: method, ResourceType: 'BUCKET' });
        default:
          throw new S3Error('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.', { Method: method, ResourceType: 'BUCKET' });
      }
    }
    const key = route.key;
    switch (method) {
      case 'GET':
      case 'HEAD':
        return getObject(req, res, bucket, key, headers, params);
      case 'PUT':
        if (headerValue(headers, 'x-amz-copy-source') !== undefined) return copyObject(req, res, bucket, key, verified, headers, id);
        return putObject(req, res, bucket, key, verified, headers, id);
      case 'DELETE':
        return deleteObject(res, bucket, key);
      default:
        throw new S3Error('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.', { Method: method, ResourceType: 'OBJECT' });
    }
  };

  const server = createServer((req, res) => {
    const id = requestId();
    res.setHeader('x-amz-request-id', id);
    res.setHeader('x-amz-id-2', id);
    res.setHeader('Server', 'VervalLocalS3');
    const allowed = corsOrigin(headerValue(req.headers, 'origin'));
    if (allowed !== undefined) {
      res.setHeader('Access-Control-Allow-Origin', allowed);
      res.setHeader('Access-Control-Expose-Headers', 'ETag, Location, x-amz-request-id, x-amz-id-2, x-amz-version-id, x-amz-checksum-crc32');
      res.setHeader('Vary', 'Origin');
    }
    handle(req, res, id).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) {
        // The rest of an oversized body is not worth reading: answer, then hang up.
        res.setHeader('Connection', 'close');
        sendError(req, res, error.s3Error, id);
        return;
      }
      const s3Error = S3Error.from(error);
      if (s3Error.code === 'InternalError') console.error('[local s3] internal error:', error);
      // An unread request body would otherwise be parsed as the next request.
      if (!req.complete) res.setHeader('Connection', 'close');
      sendError(req, res, s3Error, id);
    });
  });
  const close = gracefulClose(server);

  const port = await new Promise<number>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new LocalRuntimeError(
            'PORT_IN_USE',
            `The local S3 store cannot listen on ${host}:${options.port}: another program is using that port. Stop it, or choose another port (0 picks a free one).`,
            { cause: error },
          ),
        );
      } else {
        reject(new LocalRuntimeError('S3_STORE_FAILED', `The local S3 store could not start on ${host}:${options.port ?? 0}: ${error.message}`, { cause: error }));
      }
    };
    server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
  endpoint = `http://${host}:${port}`;

  return {
    endpoint,
    port,
    onObjectCreated(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    close,
  };
}
