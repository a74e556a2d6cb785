/**
 * An HTTP endpoint speaking the AWS JSON protocol (awsJson1_0 / awsJson1_1), as Step Functions and Secrets
 * Manager do: `POST /` with `X-Amz-Target: <prefix>.<Operation>`, a JSON body, a SigV4 signature over it, and
 * errors as `{"__type": "<Code>", "message": "..."}`. Timestamps go out as epoch seconds, as AWS sends them.
 * Only loopback, and every request must be signed with a local credential.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gracefulClose } from './graceful-close.ts';
import { LocalRuntimeError } from './errors.ts';
import { credentialsLookup, SigV4Error, verifySigV4, type LocalCredentials } from './sigv4.ts';

export type JsonOperation = (input: Record<string, unknown>) => Promise<unknown>;

export interface JsonProtocolServerOptions {
  /** How people know the service, for messages: "Step Functions". */
  label: string;
  /** 0 or absent picks a free port. */
  port?: number;
  /** SigV4 signing name: 'states', 'secretsmanager'. */
  signingName: string;
  /** The X-Amz-Target prefix: 'AWSStepFunctions', 'secretsmanager'. */
  targetPrefix: string;
  protocolVersion: '1.0' | '1.1';
  region: string;
  credentials: readonly LocalCredentials[];
  operations: Readonly<Record<string, JsonOperation>>;
  /** Default 1 MiB; AWS's own request limits are lower for every operation served here. */
  maxBodyBytes?: number;
  /** Errors that are not the caller's fault (bugs); default prints them to stderr. */
  onInternalError?: (error: unknown, operation: string) => void;
}

/** What the runtime gives each endpoint it starts, as against the service's own names and operations. */
export type JsonEndpointOptions = Pick<JsonProtocolServerOptions, 'region' | 'credentials' | 'port' | 'onInternalError'>;

/** Only the endpoint options out of a service's wider options, and the optional ones only when given. */
export function endpointOptions(options: JsonEndpointOptions): JsonEndpointOptions {
  return {
    region: options.region,
    credentials: options.credentials,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.onInternalError ? { onInternalError: options.onInternalError } : {}),
  };
}

export interface JsonProtocolServer {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/** An error answered as `{"__type": type, "message": message}` with this status. */
export class JsonProtocolError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = type;
  }
}

/** `1 validation error detected: ...` as AWS words a missing or mistyped member. */
export function validationError(member: string, constraint: string, value: unknown = null): JsonProtocolError {
  return new JsonProtocolError(
    'ValidationException',
    `1 validation error detected: Value ${value === null ? 'null' : `'${String(value)}'`} at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

export function requiredString(input: Record<string, unknown>, member: string, maxLength?: number): string {
  const value = input[member];
  if (value === undefined || value === null) throw validationError(member, 'Member must not be null');
  if (typeof value !== 'string') throw new JsonProtocolError('SerializationException', `${member} must be a string`);
  if (value.length < 1) throw validationError(member, 'Member must have length greater than or equal to 1', value);
  if (maxLength !== undefined && value.length > maxLength) {
    throw validationError(member, `Member must have length less than or equal to ${maxLength}`, '…');
  }
  return value;
}

export function optionalString(input: Record<string, unknown>, member: string, maxLength?: number): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new JsonProtocolError('SerializationException', `${member} must be a string`);
  if (maxLength !== undefined && value.length > maxLength) {
    throw validationError(member, `Member must have length less than or equal to ${maxLength}`, '…');
  }
  return value;
}

export function optionalNumber(input: Record<string, unknown>, member: string): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw new JsonProtocolError('SerializationException', `${member} must be a number`);
  return value;
}

export function optionalBoolean(input: Record<string, unknown>, member: string): boolean | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new JsonProtocolError('SerializationException', `${member} must be a boolean`);
  return value;
}

/** JSON with every Date as epoch seconds (fractional), as the JSON protocols carry timestamps. */
export function toAwsJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, item: unknown) {
    // Date.prototype.toJSON has already run on `item`; the holder still has the Date.
    const original = this[key];
    return original instanceof Date ? original.getTime() / 1000 : item;
  });
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A service error from code the endpoint calls: its `name` is the AWS code when it says it is the caller's fault. */
function asProtocolError(error: unknown): JsonProtocolError | undefined {
  if (error instanceof JsonProtocolError) return error;
  if (error instanceof SigV4Error) return new JsonProtocolError(error.jsonProtocolCode, error.message, error.statusCode);
  const fault = (error as { $fault?: unknown } | null)?.$fault;
  const name = (error as { name?: unknown } | null)?.name;
  if (fault === 'client' && typeof name === 'string' && name !== '') {
    return new JsonProtocolError(name, (error as Error).message ?? name);
  }
  return undefined;
}

export async function startJsonProtocolServer(options: JsonProtocolServerOptions): Promise<JsonProtocolServer> {
  const lookup = credentialsLookup(options.credentials);
  const contentType = `application/x-amz-json-${options.protocolVersion}`;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const reportInternal =
    options.onInternalError ?? ((error: unknown, operation: string) => console.error(`[local ${options.label}] ${operation} failed:`, error));

  const send = (res: ServerResponse, status: number, body: string) => {
    const bytes = Buffer.from(body, 'utf8');
    res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': bytes.length, 'x-amzn-RequestId': randomUUID() });
    res.end(bytes);
  };
  const sendError = (res: ServerResponse, error: JsonProtocolError) =>
    send(res, error.statusCode, JSON.stringify({ __type: error.type, message: error.message }));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let operation = '(none)';
    try {
      const body = await readBody(req, maxBodyBytes);
      if (body === undefined) {
        throw new JsonProtocolError('RequestEntityTooLargeException', `Request body larger than ${maxBodyBytes} bytes`, 413);
      }
      const [path = '/', query = ''] = (req.url ?? '/').split(/\?(.*)/s);
      verifySigV4(
        { method: req.method ?? 'GET', path, query, headers: req.headers, body },
        { service: options.signingName, region: options.region, credentials: lookup },
      );
      const target = req.headers['x-amz-target'];
      const prefix = `${options.targetPrefix}.`;
      if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith(prefix)) {
        throw new JsonProtocolError('UnknownOperationException', `Expected POST with X-Amz-Target: ${prefix}<Operation>`);
      }
      operation = target.slice(prefix.length);
      const run = Object.hasOwn(options.operations, operation) ? options.operations[operation] : undefined;
      if (!run) {
        throw new JsonProtocolError(
          'UnknownOperationException',
          `${operation} is not available locally (supported: ${Object.keys(options.operations).join(', ')})`,
        );
      }
      let input: unknown = {};
      if (body.length > 0) {
        try {
          input = JSON.parse(body.toString('utf8'));
        } catch {
          throw new JsonProtocolError('SerializationException', 'The request body is not valid JSON');
        }
      }
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        throw new JsonProtocolError('SerializationException', 'The request body must be a JSON object');
      }
      const output = await run(input as Record<string, unknown>);
      send(res, 200, toAwsJson(output ?? {}));
    } catch (error) {
      const known = asProtocolError(error);
      if (known) return sendError(res, known);
      reportInternal(error, operation);
      sendError(res, new JsonProtocolError('InternalFailure', 'The local endpoint failed; see its console output', 500));
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      reportInternal(error, 'request');
      if (!res.headersSent) res.destroy();
    });
  });
  const close = gracefulClose(server);

  const host = '127.0.0.1';
  const port = await new Promise<number>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new LocalRuntimeError(
              'PORT_IN_USE',
              `The local ${options.label} endpoint cannot listen on ${host}:${options.port}: another program is using that port. Stop it, or choose other ports (npm start -- --port-base <n>).`,
              { cause: error },
            )
          : new LocalRuntimeError('ENDPOINT_FAILED', `The local ${options.label} endpoint could not start on ${host}:${options.port ?? 0}: ${error.message}`, {
              cause: error,
            }),
      );
    };
    server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });

  return {
    endpoint: `http://${host}:${port}`,
    port,
    close,
  };
}
