/**
 * A photo index that really holds its stored hashes: up to 1,000,000 of them, 28,000,000 items, in a DynamoDB
 * Local kept on disk under bench/.data. It takes hours to load, so it loads in chunks over as many invocations
 * as it takes: after each chunk is stored, a state file records how far the load has come, and the next load
 * starts there. Stored photo i is the same on every invocation, so a chunk cut short is rewritten item for item
 * (a put replaces an item with the same key) rather than added to.
 *
 * Why on disk: DynamoDB Local holds about 1.6 KB of memory per item in memory (over 45 GB for 28,000,000 items,
 * on a 23 GB machine), and about 1.4 KB of disk per item in a file (some 38 GB). SQLite syncs every write to disk,
 * which holds a load into the records table (with its five indexes) near 670 items/s into an empty table; under
 * eatmydata, which turns those syncs into no-ops, it starts at ~1,700 items/s and falls to ~800 by 4,500,000
 * items as the table grows: ten hours or more in all.
 */
import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { encodeTime } from 'ulid';
import { hashBandKeys, KEYS_PER_HASH } from '../../domain/evidence/hash-index.ts';
import { photoIndexItem } from '../../functions/adapters/dynamodb-records-store.ts';
import type { PhotoIndexEntry } from '../../functions/adapters/records-store.ts';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb-local.ts';
import { mulberry32 } from '../../local/evidence-fixtures.ts';
import { LOCAL_REGION } from '../../local/runtime.ts';
import { writeItems } from './batch-write.ts';
import type { Progress } from './progress.ts';

/** Disk DynamoDB Local takes per index item in the records table, measured (1.42 KB), rounded up. */
export const DISK_BYTES_PER_ITEM = 1_450;
/** Left free on the disk whatever the load: the machine has other work. */
export const DISK_RESERVE_BYTES = 2 * 1024 ** 3;
const CHUNK_HASHES = 5_000;
const WRITE_CONCURRENCY = 16;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Every stored photo's ULIDs carry this time: when the set was designed. */
const ID_TIME = encodeTime(Date.UTC(2026, 10, 28), 10);

const hex32 = (n: number) => n.toString(16).padStart(8, '0');
/** A uniformly random 64-bit hash, as hex. */
export const randomHash = (next: () => number) => hex32(next()) + hex32(next());
const seededUlid = (next: () => number) => ID_TIME + Array.from({ length: 16 }, () => CROCKFORD[next() % 32]).join('');

export interface StoredPhoto {
  hash: string;
  entry: PhotoIndexEntry;
}

/** Photo `index` of the set `seed` names: its own generator, so any photo can be made without the ones before it. */
export function storedPhoto(seed: number, index: number): StoredPhoto {
  const next = mulberry32((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const hash = randomHash(next);
  const proposalId = seededUlid(next);
  return { hash, entry: { proposalId, kind: 'house-front', key: `proposals/${proposalId}/house-front/v1-${seededUlid(next)}.jpg`, hash } };
}

/** The items store.indexPhoto writes for a stored photo, one per band key. */
export const indexItemsOf = ({ hash, entry }: StoredPhoto) => hashBandKeys(hash).map((band) => photoIndexItem(band, entry));

interface IndexState {
  seed: number;
  tableName: string;
  loadedHashes: number;
  updatedAt: string;
}

export interface LoadReport {
  loadedHashes: number;
  /** Why loading stopped: the target reached, `until` said so, or the disk could not take another chunk. */
  stoppedBy: 'target' | 'until' | 'disk';
  itemsWritten: number;
  seconds: number;
}

export interface LoadOptions {
  target: number;
  progress: Progress;
  /** Asked before each chunk: true stops the load there (a time budget, say). */
  until?: () => boolean;
  /** Hashes per chunk: the work a stop can lose. */
  chunkHashes?: number;
  /** Bytes free for the index's directory; the disk's by default. */
  freeBytes?: () => number;
}

export interface PersistentPhotoIndex {
  client: DynamoDBClient;
  tableName: string;
  /** Stored photos 0 to loadedHashes - 1 are in the table, all 28 items of each. */
  readonly loadedHashes: number;
  /** The hash of stored photo `index`, made again from the seed. */
  storedHash(index: number): string;
  loadTowards(options: LoadOptions): Promise<LoadReport>;
  close(): Promise<void>;
}

export interface OpenOptions {
  dir: string;
  seed: number;
  /** Creates the table in a fresh database and returns its name. */
  createTable(client: DynamoDBClient): Promise<string>;
  /** A command to run Java under, e.g. ['eatmydata']; see fastDiskLauncher. */
  launcher?: readonly string[];
}

/** `['eatmydata']` when that command is installed: a load into an empty table runs about 2.5 times faster. */
export function fastDiskLauncher(): string[] | undefined {
  const found = (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, 'eatmydata')));
  return found ? ['eatmydata'] : undefined;
}

/**
 * Opens the index in `dir`, resuming the state there; starts a fresh one when there is no state, when the state
 * is for another seed, or when its table is gone (a database deleted by hand).
 */
export async function openPersistentPhotoIndex({ dir, seed, createTable, launcher }: OpenOptions): Promise<PersistentPhotoIndex> {
  const stateFile = join(dir, 'state.json');
  const dbDir = join(dir, 'db');
  let state = readState(stateFile);
  if (state?.seed !== seed) {
    state = undefined;
    rmSync(dbDir, { recursive: true, force: true });
  }
  mkdirSync(dbDir, { recursive: true });
  const dynamodb: DynamoDbLocal = await startDynamoDbLocal({ dataDir: dbDir, launcher });
  const client = new DynamoDBClient({
    endpoint: dynamodb.endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'vervallocal', secretAccessKey: 'bench' },
  });
  try {
    if (state && !(await tableExists(client, state.tableName))) state = undefined;
    state ??= { seed, tableName: await createTable(client), loadedHashes: 0, updatedAt: new Date().toISOString() };
    writeState(stateFile, state);
  } catch (error) {
    client.destroy();
    await dynamodb.close();
    throw error;
  }
  const current = state;

  return {
    client,
    tableName: current.tableName,
    get loadedHashes() {
      return current.loadedHashes;
    },
    storedHash: (index) => storedPhoto(seed, index).hash,

    async loadTowards({ target, progress, until, chunkHashes = CHUNK_HASHES, freeBytes = () => freeDiskBytes(dir) }) {
      const started = Date.now();
      let itemsWritten = 0;
      let stoppedBy: LoadReport['stoppedBy'] = 'target';
      const remainingItems = Math.max(0, target - current.loadedHashes) * KEYS_PER_HASH;
      const counter = progress.counter(`index items towards ${target.toLocaleString('en-US')} hashes`, remainingItems, 15_000);
      while (current.loadedHashes < target) {
        if (until?.()) {
          stoppedBy = 'until';
          break;
        }
        const hashes = Math.min(chunkHashes, target - current.loadedHashes);
        const needed = diskBytesFor(hashes) + DISK_RESERVE_BYTES;
        if (freeBytes() < needed) {
          stoppedBy = 'disk';
          progress.warn(
            `the disk holding ${dir} has too little space left for another ${hashes.toLocaleString('en-US')} hashes ` +
              `(${gigabytes(needed)} GB with ${gigabytes(DISK_RESERVE_BYTES)} GB kept free); stopped at ${current.loadedHashes.toLocaleString('en-US')}`,
          );
          break;
        }
        const items = Array.from({ length: hashes }, (_, i) => indexItemsOf(storedPhoto(seed, current.loadedHashes + i))).flat();
        await writeItems(client, current.tableName, items, { concurrency: WRITE_CONCURRENCY, onBatch: (written) => counter.add(written) });
        itemsWritten += items.length;
        current.loadedHashes += hashes;
        current.updatedAt = new Date().toISOString();
        writeState(stateFile, current);
      }
      counter.finish();
      return { loadedHashes: current.loadedHashes, stoppedBy, itemsWritten, seconds: (Date.now() - started) / 1000 };
    },

    async close() {
      client.destroy();
      await dynamodb.close();
    },
  };
}

/** The disk `hashes` more stored photos take in DynamoDB Local. */
export const diskBytesFor = (hashes: number) => hashes * KEYS_PER_HASH * DISK_BYTES_PER_ITEM;

export const gigabytes = (bytes: number) => (bytes / 1024 ** 3).toFixed(1);

/** Bytes the current user may still write on the disk holding `dir`. */
export function freeDiskBytes(dir: string): number {
  const { bavail, bsize } = statfsSync(dir);
  return bavail * bsize;
}

async function tableExists(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

function readState(file: string): IndexState | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as IndexState;
  } catch {
    return undefined;
  }
}

/** Written whole, then renamed: a load stopped mid-write leaves the previous state, never half a file. */
function writeState(file: string, state: IndexState): void {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
