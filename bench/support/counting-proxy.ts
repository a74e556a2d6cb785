/**
 * HTTP proxies the functions of a bench runtime talk through (LocalRuntimeOptions.functionEndpoints), so the
 * bench can count what AWS would bill without touching the product's code:
 *
 * - DynamoDB: every request gets `ReturnConsumedCapacity: INDEXES` (unless it asked for some already) and the
 *   capacity DynamoDB Local reports is summed into read and write units, table and indexes apart. DynamoDB
 *   Local does not check signatures, so changing the body is safe; the response goes back untouched (the
 *   application ignores the extra ConsumedCapacity member). Where Local reports less than AWS's minimum for a
 *   read (an empty Query: 0), the minimum is counted and the difference kept apart.
 * - S3: requests are forwarded byte for byte (the Host header too, so SigV4 still verifies) and counted in
 *   S3's two request price classes.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gracefulClose } from '../../local/graceful-close.ts';
import { listenOnLoopback } from '../../local/listen.ts';

export interface CapacityCounts {
  readUnits: number;
  /** Of readUnits, what AWS's minimum per read added to what DynamoDB Local reported (empty Queries). */
  minimumReadUnitsAdded: number;
  writeUnits: number;
  /** Of writeUnits, what the global secondary indexes took (each GSI write is billed like a table write). */
  indexWriteUnits: number;
  requests: Record<string, number>;
  /** Units (read or write) by operation: which calls the bill comes from. */
  unitsByOperation: Record<string, number>;
  /** Requests DynamoDB refused (a failed condition, a cancelled transaction): AWS bills some of them, Local reports nothing. */
  refused: Record<string, number>;
}

export interface S3Counts {
  /** PUT, COPY, POST and LIST requests: S3's dearer request class. */
  putClass: number;
  /** GET, HEAD and the rest of the reads. */
  getClass: number;
  /** DELETE: free. */
  free: number;
}

export interface CountingProxy<T> {
  endpoint: string;
  /** A copy of the counts so far; subtract two snapshots to count a window. */
  snapshot(): T;
  close(): Promise<void>;
}

const READ_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

type ConsumedCapacity = {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number; WriteCapacityUnits?: number }>;
};

export function emptyCapacity(): CapacityCounts {
  return { readUnits: 0, minimumReadUnitsAdded: 0, writeUnits: 0, indexWriteUnits: 0, requests: {}, unitsByOperation: {}, refused: {} };
}

/** A single-table read costs AWS at least this, even when it finds nothing: 1 unit strongly consistent, else 0.5. */
const SINGLE_READS = new Set(['GetItem', 'Query', 'Scan']);

/**
 * Adds one response's ConsumedCapacity (an object, or an array for batches and transactions) to `counts`.
 * `consistentRead` is the request's, for the minimum a single-table read costs.
 */
export function addConsumedCapacity(
  counts: CapacityCounts,
  operation: string,
  consumed: ConsumedCapacity | ConsumedCapacity[] | undefined,
  { consistentRead = false }: { consistentRead?: boolean } = {},
): void {
  const entries = consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed];
  const isRead = READ_OPERATIONS.has(operation);
  if (SINGLE_READS.has(operation)) {
    const reported = entries.reduce((total, entry) => total + (entry.CapacityUnits ?? entry.ReadCapacityUnits ?? 0), 0);
    const added = Math.max(0, (consistentRead ? 1 : 0.5) - reported);
    counts.readUnits += added;
    counts.minimumReadUnitsAdded += added;
    counts.unitsByOperation[operation] = (counts.unitsByOperation[operation] ?? 0) + added;
  }
  for (const entry of entries) {
    const units = entry.CapacityUnits ?? (entry.ReadCapacityUnits ?? 0) + (entry.WriteCapacityUnits ?? 0);
    counts.unitsByOperation[operation] = (counts.unitsByOperation[operation] ?? 0) + units;
    if (isRead) {
      counts.readUnits += units;
      continue;
    }
    counts.writeUnits += units;
    for (const index of Object.values(entry.GlobalSecondaryIndexes ?? {})) {
      counts.indexWriteUnits += index.CapacityUnits ?? index.WriteCapacityUnits ?? 0;
    }
  }
}

export function subtractCapacity(after: CapacityCounts, before: CapacityCounts): CapacityCounts {
  const minus = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(Object.entries(a).map(([key, value]) => [key, value - (b[key] ?? 0)]).filter(([, value]) => value !== 0));
  return {
    readUnits: after.readUnits - before.readUnits,
    minimumReadUnitsAdded: after.minimumReadUnitsAdded - before.minimumReadUnitsAdded,
    writeUnits: after.writeUnits - before.writeUnits,
    indexWriteUnits: after.indexWriteUnits - before.indexWriteUnits,
    requests: minus(after.requests, before.requests),
    unitsByOperation: minus(after.unitsByOperation, before.unitsByOperation),
    refused: minus(after.refused, before.refused),
  };
}

export function subtractS3(after: S3Counts, before: S3Counts): S3Counts {
  return { putClass: after.putClass - before.putClass, getClass: after.getClass - before.getClass, free: after.free - before.free };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function fail(res: ServerResponse, error: unknown): void {
  if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
  res.end(`bench proxy: ${error instanceof Error ? error.message : String(error)}`);
}

async function startProxy(label: string, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const server: Server = createServer(handler);
  server.keepAliveTimeout = 60_000;
  const close = gracefulClose(server);
  const port = await listenOnLoopback(server, 0, label);
  return { endpoint: `http://127.0.0.1:${port}`, close };
}

export async function startDynamoDbCapacityProxy(target: string): Promise<CountingProxy<CapacityCounts>> {
  const upstream = new URL(target);
  const counts = emptyCapacity();
  const proxy = await startProxy('The bench DynamoDB proxy', (req, res) => {
    void (async () => {
      const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? 'unknown';
      let body = await readBody(req);
      let consistentRead = false;
      try {
        const input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        consistentRead = input.ConsistentRead === true;
        if (input.ReturnConsumedCapacity === undefined || input.ReturnConsumedCapacity === 'NONE') {
          input.ReturnConsumedCapacity = 'INDEXES';
          body = Buffer.from(JSON.stringify(input), 'utf8');
        }
      } catch {
        // Not JSON: pass it on as it came and let DynamoDB Local answer.
      }
      const headers = { ...req.headers, 'content-length': String(body.length) };
      const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
        void readBody(answer).then((reply) => {
          counts.requests[operation] = (counts.requests[operation] ?? 0) + 1;
          if ((answer.statusCode ?? 500) < 300) {
            try {
              const consumed = (JSON.parse(reply.toString('utf8')) as { ConsumedCapacity?: ConsumedCapacity }).ConsumedCapacity;
              addConsumedCapacity(counts, operation, consumed, { consistentRead });
            } catch {
              // An answer without a JSON body has nothing to count.
            }
          } else {
            counts.refused[operation] = (counts.refused[operation] ?? 0) + 1;
          }
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          res.end(reply);
        }, (error: unknown) => fail(res, error));
      });
      forward.on('error', (error) => fail(res, error));
      forward.end(body);
    })().catch((error: unknown) => fail(res, error));
  });
  return { ...proxy, snapshot: () => structuredClone(counts) };
}

/** Which price class an S3 request falls in, from its method and path-style URL (`/<bucket>[/<key>]`). */
export function s3RequestClass(method: string, url: string): keyof S3Counts {
  const [, ...key] = (url.split('?')[0] ?? '/').replace(/^\/+/, '').split('/');
  const hasKey = key.join('/') !== '';
  if (method === 'DELETE') return 'free';
  if (method === 'PUT' || method === 'POST') return 'putClass';
  // A GET of the bucket itself is a LIST (or a bucket-level read, which S3 also bills as a LIST).
  if (method === 'GET' && !hasKey) return 'putClass';
  return 'getClass';
}

export async function startS3CountingProxy(target: string): Promise<CountingProxy<S3Counts>> {
  const upstream = new URL(target);
  const counts: S3Counts = { putClass: 0, getClass: 0, free: 0 };
  const proxy = await startProxy('The bench S3 proxy', (req, res) => {
    counts[s3RequestClass(req.method ?? 'GET', req.url ?? '/')] += 1;
    const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 500, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', (error) => fail(res, error));
    req.pipe(forward);
  });
  return { ...proxy, snapshot: () => ({ ...counts }) };
}
