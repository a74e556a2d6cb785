import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyedTable } from '../../../bench/support/batch-write.ts';
import {
  DISK_RESERVE_BYTES,
  diskBytesFor,
  indexItemsOf,
  keyNumbers,
  NotEnoughDiskError,
  openPersistentPhotoIndex,
  storedPhoto,
  type OpenOptions,
  type PersistentPhotoIndex,
} from '../../../bench/support/persistent-photo-index.ts';
import type { Progress } from '../../../bench/support/progress.ts';
import { hashBandKeys, KEYS_PER_HASH } from '../../../domain/evidence/hash-index.ts';
import { DynamoDbRecordsStore } from '../../../functions/adapters/dynamodb-records-store.ts';
import { documentClient } from '../../../functions/shared/runtime.ts';

/** Counts what a build says it wrote. */
function countingProgress(): Progress & { written: () => number } {
  let written = 0;
  const progress: Progress & { written: () => number } = {
    written: () => written,
    note: () => {},
    warn: () => {},
    counter: () => ({
      add: (n = 1) => void (written += n),
      get done() {
        return written;
      },
      finish: () => {},
    }),
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

describe('the kept photo index of the photo-lookup bench', () => {
  const dirs: string[] = [];
  const opened: PersistentPhotoIndex[] = [];
  const open = async (options: Partial<OpenOptions> & { dir: string }) => {
    const index = await openPersistentPhotoIndex({ seed: 7, hashes: 60, chunkRows: 500, createTable: createIndexTable, progress: countingProgress(), ...options });
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

  it('numbers a hash\'s 28 keys so that they sort as the keys\' text does, two keys equal only when their text is', () => {
    const hashes = ['00ff00ff00ff00ff', 'a53740e111aaa1ab', 'a53740e111aaa1ac', 'ffffffffffffffff'];
    const keys = hashes.flatMap((hash) => {
      const texts = hashBandKeys(hash);
      return keyNumbers(hash).map((number, k) => ({ number, text: texts[k]! }));
    });
    expect(keyNumbers('a53740e111aaa1ab').slice(0, 2)).toEqual([0xa537, 65_536 + 0xa540]);
    const byNumber = [...keys].sort((a, b) => a.number - b.number).map(({ text }) => text);
    expect(byNumber).toEqual(keys.map(({ text }) => text).sort());
    for (const a of keys) for (const b of keys) expect(a.number === b.number).toBe(a.text === b.text);
  });

  it("builds every stored photo's 28 items into DynamoDB Local, where the product's lookup finds them", async () => {
    const progress = countingProgress();
    const index = await open({ dir: await tempDir(), progress });
    expect(index).toMatchObject({ builtNow: true, hashes: 60, build: { items: 60 * KEYS_PER_HASH } });
    expect(progress.written()).toBe(60 * KEYS_PER_HASH);
    expect(await itemCount(index)).toBe(60 * KEYS_PER_HASH);

    const store = new DynamoDbRecordsStore(documentClient(index.client), index.tableName);
    for (const n of [0, 30, 59]) {
      const photo = storedPhoto(7, n);
      expect(await store.findPhotos(hashBandKeys(photo.hash))).toContainEqual(photo.entry);
      expect(index.storedHash(n)).toBe(photo.hash);
    }
    expect(await store.findPhotos(hashBandKeys(storedPhoto(7, 60).hash))).not.toContainEqual(storedPhoto(7, 60).entry);
  });

  it('reuses a complete index later, builds afresh for another seed, another size, or a build that never finished, and reports a lost table', async () => {
    const dir = await tempDir();
    const first = await open({ dir });
    const { build } = first;
    await first.close();

    const again = await open({ dir });
    expect(again).toMatchObject({ builtNow: false, build });
    await again.close();

    const otherSeed = await open({ dir, seed: 8 });
    expect(otherSeed.builtNow).toBe(true);
    const store = new DynamoDbRecordsStore(documentClient(otherSeed.client), otherSeed.tableName);
    expect(await store.findPhotos(hashBandKeys(storedPhoto(7, 5).hash))).not.toContainEqual(storedPhoto(7, 5).entry);
    expect(await itemCount(otherSeed)).toBe(60 * KEYS_PER_HASH);
    await otherSeed.close();

    const otherSize = await open({ dir, seed: 8, hashes: 30 });
    expect(otherSize.builtNow).toBe(true);
    expect(await itemCount(otherSize)).toBe(30 * KEYS_PER_HASH);
    await otherSize.close();

    // A build stops before it records its state; the rows it left are not trusted.
    await rm(join(dir, 'state.json'));
    const rebuilt = await open({ dir, seed: 8, hashes: 30 });
    expect(rebuilt.builtNow).toBe(true);
    expect(await itemCount(rebuilt)).toBe(30 * KEYS_PER_HASH);

    // A table deleted behind the state's back is reported, not measured as empty.
    await rebuilt.client.send(new DeleteTableCommand({ TableName: rebuilt.tableName }));
    await rebuilt.close();
    await expect(open({ dir, seed: 8, hashes: 30 })).rejects.toThrow(/has lost its table photo-index; delete .* to build it again/);
  });

  it('refuses, having written nothing, to build an index the disk cannot hold with room to spare', async () => {
    const dir = await tempDir();
    const free = DISK_RESERVE_BYTES + diskBytesFor(60) - 1;
    const refused = open({ dir, freeBytes: () => free });
    await expect(refused).rejects.toBeInstanceOf(NotEnoughDiskError);
    await expect(refused).rejects.toThrow(/needs ~.* GB of disk with 2\.0 GB left free/);
    expect(existsSync(join(dir, 'db'))).toBe(false);
    expect(existsSync(join(dir, 'state.json'))).toBe(false);

    const built = await open({ dir, freeBytes: () => free + 1 });
    expect(built.builtNow).toBe(true);
  });
});
