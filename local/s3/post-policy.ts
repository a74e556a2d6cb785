/**
 * Authorisation of browser-based POST uploads (S3 "POST Object" with a SigV4
 * signed policy), checked the way S3 documents it:
 *  - the form must carry policy, x-amz-algorithm, x-amz-credential, x-amz-date
 *    and x-amz-signature, and the signature must be the SigV4 signature of the
 *    base64 policy under the credential's signing key;
 *  - the policy's `expiration` must not have passed;
 *  - every condition must hold: exact matches (`{"field": "v"}` or
 *    `["eq", "$field", "v"]`), prefixes (`["starts-with", "$field", "p"]`,
 *    where each comma-separated Content-Type value must match), and
 *    `["content-length-range", min, max]` on the file size;
 *  - every form field except file, policy, x-amz-signature and x-ignore-* must
 *    be named by some condition.
 * Field names are case-insensitive; conditions see the key as posted, before
 * `${filename}` is substituted.
 */
import { verifyPostPolicySignature, type CredentialsLookup } from '../sigv4.ts';
import type { FormPart } from './multipart-form.ts';
import { entityTooLarge, entityTooSmall, invalidPolicy, policyDenied, S3Error } from './s3-error.ts';

export interface PostUploadRequest {
  bucket: string;
  /** Form parts in order; parts after the file part are ignored as S3 does. */
  parts: readonly FormPart[];
}

export interface PostPolicyOptions {
  credentials: CredentialsLookup;
  region: string;
  now?: () => Date;
}

export interface AuthorizedPostUpload {
  accessKeyId: string;
  /** The object key, `${filename}` substituted. */
  key: string;
  file: FormPart;
  /** Non-file form fields before the file, names in lower case. */
  fields: ReadonlyMap<string, string>;
}

/** Fields that are never matched against conditions. */
const EXEMPT_FIELDS = new Set(['file', 'policy', 'x-amz-signature']);

type Condition =
  | { kind: 'eq'; field: string; value: string; source: unknown }
  | { kind: 'starts-with'; field: string; value: string; source: unknown }
  | { kind: 'content-length-range'; min: number; max: number; source: unknown };

function describe(source: unknown): string {
  // S3 quotes the failing condition back as JSON with ", " separators.
  return Array.isArray(source) ? `[${source.map((v) => JSON.stringify(v)).join(', ')}]` : JSON.stringify(source);
}

function parsePolicy(base64: string): { expiration: Date; conditions: Condition[] } {
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
  } catch {
    throw invalidPolicy('Invalid JSON.');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw invalidPolicy('Invalid JSON.');
  const { expiration, conditions } = document as { expiration?: unknown; conditions?: unknown };
  if (typeof expiration !== 'string') throw invalidPolicy('Policy missing expiration.');
  const expiry = new Date(expiration);
  if (Number.isNaN(expiry.getTime())) throw invalidPolicy(`Invalid 'expiration' value: '${expiration}'`);
  if (!Array.isArray(conditions)) throw invalidPolicy('Policy missing conditions.');
  return { expiration: expiry, conditions: conditions.flatMap(parseCondition) };
}

function fieldRef(ref: unknown, source: unknown): string {
  if (typeof ref !== 'string' || !ref.startsWith('$') || ref.length < 2) {
    throw invalidPolicy(`Invalid Condition: ${describe(source)}: the field reference must start with '$'.`);
  }
  return ref.slice(1).toLowerCase();
}

function parseCondition(source: unknown): Condition[] {
  if (Array.isArray(source)) {
    const [op, a, b] = source as unknown[];
    const operation = typeof op === 'string' ? op.toLowerCase() : op;
    if (source.length !== 3) throw invalidPolicy(`Invalid Condition: ${describe(source)}: wrong number of arguments.`);
    if (operation === 'eq' || operation === 'starts-with') {
      if (typeof b !== 'string') throw invalidPolicy(`Invalid Condition: ${describe(source)}: the value must be a string.`);
      return [{ kind: operation, field: fieldRef(a, source), value: b, source }];
    }
    if (operation === 'content-length-range') {
      const min = Number(a);
      const max = Number(b);
      if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) {
        throw invalidPolicy(`Invalid Condition: ${describe(source)}: the range must be two integers, min <= max.`);
      }
      return [{ kind: 'content-length-range', min, max, source }];
    }
    throw invalidPolicy(`Invalid Condition: unknown operation ${JSON.stringify(op)}.`);
  }
  if (typeof source === 'object' && source !== null) {
    const entries = Object.entries(source);
    if (entries.length === 0) throw invalidPolicy('Invalid Condition: an empty object.');
    return entries.map(([field, value]) => {
      if (typeof value !== 'string') throw invalidPolicy(`Invalid Condition: ${describe(source)}: the value must be a string.`);
      return { kind: 'eq' as const, field: field.toLowerCase(), value, source };
    });
  }
  throw invalidPolicy(`Invalid Condition: ${describe(source)}.`);
}

function missingField(name: string): S3Error {
  return new S3Error(
    'InvalidArgument',
    400,
    `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`,
    { ArgumentName: name, ArgumentValue: '' },
  );
}

/** Checks signature, expiry, conditions and field coverage; throws S3Error as S3 would answer. */
export function authorizePostUpload(request: PostUploadRequest, options: PostPolicyOptions): AuthorizedPostUpload {
  const fileIndex = request.parts.findIndex((p) => p.name.toLowerCase() === 'file');
  if (fileIndex === -1) throw new S3Error('InvalidArgument', 400, 'POST requires exactly one file upload per request.', { ArgumentName: 'file', ArgumentValue: '0' });
  const file = request.parts[fileIndex] as FormPart;

  const fields = new Map<string, string>();
  for (const part of request.parts.slice(0, fileIndex)) {
    const name = part.name.toLowerCase();
    if (fields.has(name)) {
      throw new S3Error('InvalidArgument', 400, `POST requires exactly one value for each form field; '${part.name}' appears more than once.`, {
        ArgumentName: part.name,
      });
    }
    fields.set(name, part.data.toString('utf8'));
  }

  const policy = fields.get('policy');
  if (policy === undefined) {
    // Anonymous form uploads would need a public bucket; this store has none.
    throw new S3Error('AccessDenied', 403, 'Access Denied');
  }
  const algorithm = fields.get('x-amz-algorithm');
  if (algorithm === undefined) throw missingField('x-amz-algorithm');
  if (algorithm !== 'AWS4-HMAC-SHA256') {
    throw new S3Error('InvalidArgument', 400, `Unsupported x-amz-algorithm '${algorithm}'; only AWS4-HMAC-SHA256 is supported.`);
  }
  const credential = fields.get('x-amz-credential');
  if (credential === undefined) throw missingField('x-amz-credential');
  if (fields.get('x-amz-date') === undefined) throw missingField('x-amz-date');
  const signature = fields.get('x-amz-signature');
  if (signature === undefined) throw missingField('x-amz-signature');
  const rawKey = fields.get('key');
  if (rawKey === undefined) throw missingField('key');

  let accessKeyId: string;
  try {
    ({ accessKeyId } = verifyPostPolicySignature({ policy, credential, signature }, { ...options, service: 's3' }));
  } catch (error) {
    throw S3Error.from(error);
  }

  const { expiration, conditions } = parsePolicy(policy);
  const now = (options.now ?? (() => new Date()))();
  if (now.getTime() > expiration.getTime()) throw policyDenied('Policy expired.');

  const valueOf = (field: string): string | undefined => (field === 'bucket' ? request.bucket : fields.get(field));
  let lengthRange: Extract<Condition, { kind: 'content-length-range' }> | undefined;
  for (const condition of conditions) {
    if (condition.kind === 'content-length-range') {
      lengthRange = condition;
      continue;
    }
    const actual = valueOf(condition.field) ?? '';
    const holds =
      condition.kind === 'eq'
        ? actual === condition.value
        : condition.field === 'content-type'
          ? actual.split(',').every((v) => v.trim().startsWith(condition.value))
          : actual.startsWith(condition.value);
    if (!holds) throw policyDenied(`Policy Condition failed: ${describe(condition.source)}`);
  }

  const covered = new Set(conditions.flatMap((c) => (c.kind === 'content-length-range' ? [] : [c.field])));
  const extra = [...fields.keys()].filter((name) => !EXEMPT_FIELDS.has(name) && !name.startsWith('x-ignore-') && !covered.has(name));
  if (extra.length > 0) throw policyDenied(`Extra input fields: ${extra.join(', ')}`);

  if (lengthRange) {
    const size = file.data.length;
    if (size > lengthRange.max) throw entityTooLarge(size, lengthRange.max);
    if (size < lengthRange.min) throw entityTooSmall(size, lengthRange.min);
  }

  const key = rawKey.split('${filename}').join(file.filename ?? '');
  if (key === '') throw new S3Error('InvalidArgument', 400, 'User key must have a length greater than 0.', { ArgumentName: 'key', ArgumentValue: '' });
  return { accessKeyId, key, file, fields };
}
