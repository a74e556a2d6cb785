import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyedTable, writeItems } from '../../../bench/support/batch-write.ts';
import {
  DISK_RESERVE_BYTES,
  diskBytesFor,
  indexItemsOf,
  openPersistentPhotoIndex,
  storedPhoto,
  type PersistentPhotoIndex,
} from '../../../bench/support/persistent-photo-index.ts';
import type { Progress } from '../../../bench/support/progress.ts';
import { hashBandKeys, KEYS_PER_HASH } from '../../../domain/evidence/hash-index.ts';
import { DynamoDbRecordsStore } from '../../../functions/adapters/dynamodb-records-store.ts';
import { documentClient } from '../../../functions/shared/runtime.ts';

/** Records what a load says, so a test can read its warnings. */
function recordingProgress(): Progress & { warnings: string[] } {
  const warnings: string[] = [];
  const progress: Progress & { warnings: string[] } = {
    warnings,
    note: () => {},
    warn: (message) => warnings.push(message),
    counter: (_label, _total) => {
      let done = 0;
      return {
        add: (n = 1) => void (done += n),
        get done() {
          return done;
        },
        finish: () => {},
      };
    },
    child: () => progress,
  };
  return progress;
}

/** The records table's keys; the photo index uses no other attribute as a key. */
const createIndexTable = (client: DynamoDBClient) => createKeyedTable(client, 'photo-index');

async function itemCount(index: PersistentPhotoIndex): Promise<number> {
  let count = 0;
  let start: Record<string, any> | undefined;
  do {
    const page = await index.client.send(new ScanCommand({ TableName: index.tableName, Select: 'COUNT', ExclusiveStartKey: start }));
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

const plenty = () => Number.MAX_SAFE_INTEGER;

describe('the kept photo index of the photo-lookup bench', () => {
  const dirs: string[] = [];
  const opened: PersistentPhotoIndex[] = [];
  const open = async (dir: string, seed = 7) => {
    const index = await openPersistentPhotoIndex({ dir, seed, createTable: createIndexTable });
    opened.push(index);
    return index;
  };
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'verval-photo-index-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((index) => index.close()));
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('makes stored photo i the same every time without the photos before it, each with its own hash and the 28 items the store writes', () => {
    expect(storedPhoto(7, 41)).toEqual(storedPhoto(7, 41));
    const hashes = new Set(Array.from({ length: 1000 }, (_, i) => storedPhoto(7, i).hash));
    expect(hashes.size).toBe(1000);
    expect(storedPhoto(8, 41).hash).not.toBe(storedPhoto(7, 41).hash);

    const photo = storedPhoto(7, 41);
    expect(photo.entry.proposalId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const items = indexItemsOf(photo);
    expect(items).toHaveLength(KEYS_PER_HASH);
    expect(items.map((item) => item.pk)).toEqual(hashBandKeys(photo.hash).map((band) => `PHASH#${band}`));
    expect(new Set(items.map((item) => item.sk))).toEqual(new Set([`${photo.entry.proposalId}#${photo.entry.key}`]));
  });

  it('loads in chunks, and after a restart goes on from the last finished chunk, rewriting a chunk cut short without adding to it', async () => {
    const dir = await tempDir();
    const first = await open(dir);
    let chunksAllowed = 2;
    const stopped = await first.loadTowards({ target: 60, chunkHashes: 20, progress: recordingProgress(), until: () => chunksAllowed-- <= 0, freeBytes: plenty });
    expect(stopped).toMatchObject({ loadedHashes: 40, stoppedBy: 'until', itemsWritten: 40 * KEYS_PER_HASH });
    // Photos 40 to 49 stored, but the load stopped before it recorded them: as a chunk cut short leaves it.
    const cutShort = Array.from({ length: 10 }, (_, i) => indexItemsOf(storedPhoto(7, 40 + i))).flat();
    await writeItems(first.client, first.tableName, cutShort, { concurrency: 4 });
    await first.close();

    const resumed = await open(dir);
    expect(resumed.loadedHashes).toBe(40);
    const done = await resumed.loadTowards({ target: 60, chunkHashes: 20, progress: recordingProgress(), freeBytes: plenty });
    expect(done).toMatchObject({ loadedHashes: 60, stoppedBy: 'target', itemsWritten: 20 * KEYS_PER_HASH });
    expect(await itemCount(resumed)).toBe(60 * KEYS_PER_HASH);

    // The product's lookup finds a stored photo through its keys.
    const store = new DynamoDbRecordsStore(documentClient(resumed.client), resumed.tableName);
    const photo = storedPhoto(7, 45);
    expect(await store.findPhotos(hashBandKeys(photo.hash))).toContainEqual(photo.entry);
    expect(resumed.storedHash(45)).toBe(photo.hash);
  });

  it('stops before a chunk the disk cannot hold with room to spare, and says so', async () => {
    const dir = await tempDir();
    const index = await open(dir);
    const room = [DISK_RESERVE_BYTES + diskBytesFor(20), DISK_RESERVE_BYTES + diskBytesFor(20) - 1];
    const progress = recordingProgress();
    const report = await index.loadTowards({ target: 60, chunkHashes: 20, progress, freeBytes: () => room.shift() ?? 0 });
    expect(report).toMatchObject({ loadedHashes: 20, stoppedBy: 'disk' });
    expect(await itemCount(index)).toBe(20 * KEYS_PER_HASH);
    expect(progress.warnings.join('\n')).toMatch(/too little space left for another 20 hashes .* stopped at 20/);
  });

  it('starts over, emptied, when the kept index was loaded from another seed', async () => {
    const dir = await tempDir();
    const first = await open(dir, 7);
    await first.loadTowards({ target: 20, chunkHashes: 20, progress: recordingProgress(), freeBytes: plenty });
    await first.close();

    const other = await open(dir, 8);
    expect(other.loadedHashes).toBe(0);
    expect(await itemCount(other)).toBe(0);
  });
});
