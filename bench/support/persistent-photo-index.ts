/**
 * A photo index that really holds its stored hashes: 1,000,000 of them, 28,000,000 items, in the records table of
 * a DynamoDB Local kept on disk under bench/.data, and kept there for later invocations.
 *
 * Through DynamoDB Local's API the items load at 1,700 items/s at best, falling to 800 as the table grows: the
 * better part of a day. So the table is created through the API, and its items are then written straight into
 * DynamoDB Local's SQLite file, row for row as DynamoDB Local writes them (dynamodb-local-file.ts), with the
 * secondary SQLite indexes built once at the end. Lookups go through DynamoDB Local.
 *
 * The rows go in in key order, so each index key's items lie together, as DynamoDB keeps a partition's items
 * together, sorted by sort key. Written in the order photos arrive instead, every row lands at a random place
 * in the primary-key index and the rate falls under 12,000 items/s within 6,000,000 items.
 *
 * Why on disk: DynamoDB Local holds about 1.6 KB of memory per item in memory (over 45 GB for 28,000,000 items, on
 * a 23 GB machine), and about 1.4 KB of disk per item in a file (some 39 GB).
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeTime } from 'ulid';
import { BANDS, hashBandKeys, KEYS_PER_HASH } from '../../domain/evidence/hash-index.ts';
import { photoIndexItem } from '../../functions/adapters/dynamodb-records-store.ts';
import type { PhotoIndexEntry } from '../../functions/adapters/records-store.ts';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb-local.ts';
import { mulberry32 } from '../../local/evidence-fixtures.ts';
import { LOCAL_REGION } from '../../local/runtime.ts';
import { itemRow, openTableFile, partitionDigest, type ItemRow } from './dynamodb-local-file.ts';
import type { Progress } from './progress.ts';

/** Disk the records table takes per index item in DynamoDB Local's file, measured (1.37 KB at 1,000,000 hashes), rounded up. */
export const DISK_BYTES_PER_ITEM = 1_450;
/** Left free on the disk whatever the build: the machine has other work. */
export const DISK_RESERVE_BYTES = 2 * 1024 ** 3;
/** Rows written per SQLite transaction. */
const CHUNK_ROWS = 140_000;
/** SQLite's page cache while building; an index build's sort spills to temporary files only beyond it. */
const BUILD_CACHE_MEGABYTES = 6_144;
/** The file DynamoDB Local keeps every table in, run with -sharedDb. */
const DATABASE_FILE = 'shared-local-instance.db';
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

/** Written once the index is complete: a directory without it holds nothing to trust. */
interface IndexState {
  seed: number;
  hashes: number;
  tableName: string;
  builtAt: string;
  build: BuildReport;
}

export interface BuildReport {
  items: number;
  /** Writing the rows, then building the secondary SQLite indexes. */
  insertSeconds: number;
  indexSeconds: number;
  databaseBytes: number;
}

export interface PersistentPhotoIndex {
  client: DynamoDBClient;
  tableName: string;
  hashes: number;
  /** Whether this open built the index; `build` describes that build, or the earlier one that made the index. */
  builtNow: boolean;
  build: BuildReport;
  /** The hash of stored photo `index`, made again from the seed. */
  storedHash(index: number): string;
  close(): Promise<void>;
}

export interface OpenOptions {
  dir: string;
  seed: number;
  hashes: number;
  /** Creates the table in a fresh database through DynamoDB Local's API and returns its name. */
  createTable(client: DynamoDBClient): Promise<string>;
  progress: Progress;
  /** Rows per transaction. */
  chunkRows?: number;
  /** Bytes free for the index's directory; the disk's by default. */
  freeBytes?: () => number;
}

export class NotEnoughDiskError extends Error {}

/**
 * Opens the index kept in `dir`, building it first unless `dir` holds a complete one of the same seed and size.
 * Throws NotEnoughDiskError, having touched nothing, when a build would leave less than DISK_RESERVE_BYTES free.
 */
export async function openPersistentPhotoIndex(options: OpenOptions): Promise<PersistentPhotoIndex> {
  const { dir, seed, hashes } = options;
  const stateFile = join(dir, 'state.json');
  const dbDir = join(dir, 'db');
  let state = readState(stateFile);
  const builtNow = !(state?.seed === seed && state.hashes === hashes && existsSync(join(dbDir, DATABASE_FILE)));
  if (builtNow) state = await build(options, dbDir, stateFile);

  const dynamodb = await startDynamoDbLocal({ dataDir: dbDir });
  const client = localClient(dynamodb);
  try {
    // Not DescribeTable: on 28,000,000 items it sums the indexes' sizes for five minutes or more.
    const { TableNames = [] } = await client.send(new ListTablesCommand({}));
    if (!TableNames.includes(state!.tableName)) throw new Error(`the photo index in ${dir} has lost its table ${state!.tableName}; delete ${dir} to build it again`);
  } catch (error) {
    client.destroy();
    await dynamodb.close();
    throw error;
  }
  return {
    client,
    tableName: state!.tableName,
    hashes,
    builtNow,
    build: state!.build,
    storedHash: (index) => storedPhoto(seed, index).hash,
    async close() {
      client.destroy();
      await dynamodb.close();
    },
  };
}

async function build(
  { dir, seed, hashes, createTable, progress, chunkRows = CHUNK_ROWS, freeBytes = () => freeDiskBytes(dir) }: OpenOptions,
  dbDir: string,
  stateFile: string,
): Promise<IndexState> {
  mkdirSync(dir, { recursive: true });
  rmSync(stateFile, { force: true });
  rmSync(dbDir, { recursive: true, force: true });
  const needed = diskBytesFor(hashes) + DISK_RESERVE_BYTES;
  if (freeBytes() < needed) {
    throw new NotEnoughDiskError(
      `the photo index of ${hashes.toLocaleString('en-US')} hashes needs ~${gigabytes(diskBytesFor(hashes))} GB of disk with ` +
        `${gigabytes(DISK_RESERVE_BYTES)} GB left free, and the disk holding ${dir} has ${gigabytes(freeBytes())} GB free`,
    );
  }
  mkdirSync(dbDir, { recursive: true });
  const dynamodb = await startDynamoDbLocal({ dataDir: dbDir });
  const client = localClient(dynamodb);
  let tableName: string;
  try {
    tableName = await createTable(client);
  } finally {
    client.destroy();
    await dynamodb.close();
  }

  const items = hashes * KEYS_PER_HASH;
  progress.note(`building the photo index of ${hashes.toLocaleString('en-US')} hashes (${items.toLocaleString('en-US')} items) in ${dbDir}`);
  const file = openTableFile(join(dbDir, DATABASE_FILE), tableName, { cacheMegabytes: BUILD_CACHE_MEGABYTES });
  let insertSeconds: number;
  let indexSeconds: number;
  try {
    const started = Date.now();
    const indexes = file.withoutSecondaryIndexes();
    const counter = progress.counter('index items written', items, 15_000);
    let rows: ItemRow[] = [];
    for (const { key, photos } of photosByKey(seed, hashes)) {
      const keyItems = photos.map((photo) => photoIndexItem(key, storedPhoto(seed, photo).entry)).sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));
      const hashValue = partitionDigest(keyItems[0]!.pk);
      for (const item of keyItems) rows.push(itemRow(item, file.keys, hashValue));
      if (rows.length >= chunkRows) {
        counter.add(file.insert(rows));
        rows = [];
      }
    }
    counter.add(file.insert(rows));
    counter.finish();
    insertSeconds = (Date.now() - started) / 1000;
    const indexing = Date.now();
    indexes.restore((name) => progress.note(`building SQLite index ${name}`));
    indexSeconds = (Date.now() - indexing) / 1000;
    const stored = file.count();
    if (stored !== items) throw new Error(`the photo index build wrote ${stored} rows where ${items} were meant`);
  } finally {
    file.close();
  }
  const state: IndexState = {
    seed,
    hashes,
    tableName,
    builtAt: new Date().toISOString(),
    build: { items, insertSeconds, indexSeconds, databaseBytes: statSync(join(dbDir, DATABASE_FILE)).size },
  };
  writeState(stateFile, state);
  progress.note(`photo index built in ${timeText(insertSeconds + indexSeconds)}: ${gigabytes(state.build.databaseBytes)} GB`);
  return state;
}

/**
 * A hash's 28 index keys as numbers, in hashBandKeys' order: the key's band pair (0 to 27) × 65,536 + the two
 * bands' value. They sort as the keys' text does.
 */
export function keyNumbers(hash: string): number[] {
  const bands = Array.from({ length: BANDS }, (_, i) => Number.parseInt(hash.slice(i * 2, i * 2 + 2), 16));
  const keys: number[] = [];
  for (let i = 0; i < BANDS; i++) for (let j = i + 1; j < BANDS; j++) keys.push(keys.length * 65_536 + bands[i]! * 256 + bands[j]!);
  return keys;
}

/**
 * The index keys the stored photos have, in the order DynamoDB Local's file sorts them (hashBandKeys' order of band
 * pairs, then the two bands' value), each with the photos that have it.
 */
function* photosByKey(seed: number, hashes: number): Generator<{ key: string; photos: number[] }> {
  const keyCount = KEYS_PER_HASH * 65_536;
  const keyOfPhoto = new Uint32Array(hashes * KEYS_PER_HASH);
  const starts = new Uint32Array(keyCount + 1);
  for (let photo = 0; photo < hashes; photo++) {
    keyNumbers(storedPhoto(seed, photo).hash).forEach((key, k) => {
      keyOfPhoto[photo * KEYS_PER_HASH + k] = key;
      starts[key + 1]! += 1;
    });
  }
  for (let key = 0; key < keyCount; key++) starts[key + 1]! += starts[key]!;
  const photosInKeyOrder = new Uint32Array(hashes * KEYS_PER_HASH);
  const filled = starts.slice(0, keyCount);
  keyOfPhoto.forEach((key, n) => (photosInKeyOrder[filled[key]!++] = Math.floor(n / KEYS_PER_HASH)));
  for (let key = 0; key < keyCount; key++) {
    if (starts[key] === starts[key + 1]) continue;
    const photos = Array.from(photosInKeyOrder.subarray(starts[key]!, starts[key + 1]!));
    yield { key: hashBandKeys(storedPhoto(seed, photos[0]!).hash)[Math.floor(key / 65_536)]!, photos };
  }
}

const localClient = (dynamodb: DynamoDbLocal) =>
  new DynamoDBClient({ endpoint: dynamodb.endpoint, region: LOCAL_REGION, credentials: { accessKeyId: 'vervallocal', secretAccessKey: 'bench' } });

/** The disk `hashes` stored photos take in DynamoDB Local's file. */
export const diskBytesFor = (hashes: number) => hashes * KEYS_PER_HASH * DISK_BYTES_PER_ITEM;

export const gigabytes = (bytes: number) => (bytes / 1024 ** 3).toFixed(1);

const timeText = (seconds: number) => (seconds < 90 ? `${Math.round(seconds)} s` : `${(seconds / 60).toFixed(1)} min`);

/** Bytes the current user may still write on the disk holding `dir`. */
function freeDiskBytes(dir: string): number {
  const { bavail, bsize } = statfsSync(dir);
  return bavail * bsize;
}

function readState(file: string): IndexState | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as IndexState;
  } catch {
    return undefined;
  }
}

/** Written whole, then renamed: a build stopped mid-write leaves no state, never half a file. */
function writeState(file: string, state: IndexState): void {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
