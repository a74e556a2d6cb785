/**
 * Figure 5: is a new photo a near-copy of one already stored? The product's answer is the band index of
 * domain/evidence/hash-index.ts: 28 keys per hash, one PHASH#<key> item per key in the records table, and at
 * check time 28 Queries (DynamoDbRecordsStore.findPhotos) whose candidates are confirmed by Hamming distance,
 * exactly as check-evidence does it.
 *
 * Storing 1,000,000 hashes means 28,000,000 items, which DynamoDB Local on a small machine loads through its
 * API in the better part of a day. What a lookup reads, though, is only the items behind its 28 keys, and how
 * many those are at 1,000,000 stored hashes can be counted exactly in memory. So the figure has four parts:
 *
 * 1. growing loaded sets (10,000 / 50,000 hashes; --quick 1,000 / 5,000), each measured on DynamoDB Local;
 * 2. the items per key at 1,000,000 hashes, counted in memory for the same kind of hashes;
 * 3. "1M density": probe hashes whose 28 keys are filled with exactly as many items as 1,000,000 stored
 *    hashes would put behind them (from the count), measured on DynamoDB Local. The table then holds far
 *    fewer than 28,000,000 items; what a Query costs depends on the items under its key, not on the table's
 *    size (DynamoDB partitions by key; DynamoDB Local's index lookup grows with the log of its size).
 * 4. "loaded index": all 1,000,000 hashes really stored (--quick 20,000), in the records table of a DynamoDB
 *    Local on disk, written straight into its file in minutes (support/persistent-photo-index.ts) and kept in
 *    bench/.data for later invocations.
 *
 * The hashes are uniformly random: the best case for a band index. Real photo hashes cluster (flat skies and
 * walls make bands of 00 and ff), which puts more items behind some keys.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { BANDS, hashBandKeys, isNearDuplicate, KEYS_PER_HASH } from '../domain/evidence/hash-index.ts';
import { DynamoDbRecordsStore, photoIndexItem } from '../functions/adapters/dynamodb-records-store.ts';
import type { PhotoIndexEntry } from '../functions/adapters/records-store.ts';
import { documentClient } from '../functions/shared/runtime.ts';
import { createTablesFromTemplate } from '../local/cloudformation-tables.ts';
import { startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { mulberry32 } from '../local/evidence-fixtures.ts';
import { LOCAL_REGION } from '../local/runtime.ts';
import { resolveResourceProperties } from '../local/template.ts';
import { levelAtMost, type Figure, type Verdict } from './figure.ts';
import { writeItems } from './support/batch-write.ts';
import {
  diskBytesFor,
  gigabytes,
  keyNumbers,
  NotEnoughDiskError,
  openPersistentPhotoIndex,
  randomHash,
  type BuildReport,
  type PersistentPhotoIndex,
} from './support/persistent-photo-index.ts';
import { DATA_DIR, stackTemplate } from './support/runtime.ts';
import type { Progress } from './support/progress.ts';
import { median, percentile, sum } from './support/stats.ts';

type Parameters = {
  /** Stored hashes at which lookups are measured, loaded one after the other. */
  loadedSizes: number[];
  lookupsPerSize: number;
  /** What the issue asks about: counted, and measured at its key density (parts 2 and 3). */
  targetSize: number;
  maxHammingDistance: number;
  /** Part 4: an index with targetHashes really stored, kept between invocations. */
  loadedIndex: { targetHashes: number };
};

const LOOKUP_MS = { ok: 50, watch: 200 };
/** Every this-many lookups asks for a near-copy of a stored hash, to check the index finds it. */
const PLANT_EVERY = 10;
const WRITE_CONCURRENCY = 8;
/** DynamoDB bills a Query by the 4 KB it reads: findPhotos reads strongly consistent, so a unit each, at least one. */
const QUERY_UNIT_BYTES = 4096;

/** The same hashes on every run, so runs differ only in timing. */
const seeded = mulberry32;

/** `hash` with `bits` distinct bits flipped: a near-copy within the configured distance. */
function nearCopy(hash: string, bits: number, next: () => number): string {
  let value = BigInt(`0x${hash}`);
  const flipped = new Set<number>();
  while (flipped.size < bits) flipped.add(next() % 64);
  for (const bit of flipped) value ^= 1n << BigInt(bit);
  return value.toString(16).padStart(16, '0');
}

/** DynamoDB's item size: attribute names plus values, UTF-8. */
function itemBytes(item: Record<string, string>): number {
  return sum(Object.entries(item).map(([name, value]) => Buffer.byteLength(name) + Buffer.byteLength(value)));
}

/** Per key, how many of `count` random hashes share it: the exact candidate count a lookup would read. */
function keyCounts(count: number, next: () => number): Uint32Array[] {
  const counts = Array.from({ length: KEYS_PER_HASH }, () => new Uint32Array(65_536));
  const bands = new Uint8Array(BANDS);
  for (let n = 0; n < count; n++) {
    const high = next();
    const low = next();
    for (let b = 0; b < 4; b++) {
      bands[b] = (high >>> (24 - 8 * b)) & 0xff;
      bands[4 + b] = (low >>> (24 - 8 * b)) & 0xff;
    }
    let k = 0;
    for (let i = 0; i < BANDS; i++) for (let j = i + 1; j < BANDS; j++) counts[k++]![(bands[i]! << 8) | bands[j]!]! += 1;
  }
  return counts;
}

/** For each of a hash's 28 keys (in hashBandKeys order), how many of the counted hashes share it. */
function heldBehindKeys(counts: Uint32Array[], hash: string): number[] {
  return keyNumbers(hash).map((key) => counts[Math.floor(key / 65_536)]![key % 65_536]!);
}

/** Read units AWS would bill for the 28 Queries of one lookup, given the items behind each key. */
function awsReadUnits(held: readonly number[], bytesPerItem: number): number {
  return sum(held.map((items) => Math.max(1, Math.ceil((items * bytesPerItem) / QUERY_UNIT_BYTES))));
}

/** A random hash that shares bands i and j with `hash`: a candidate behind key b<i><j> that is (almost surely) not near it. */
function sharingKey(hash: string, i: number, j: number, next: () => number): string {
  const other = randomHash(next).split('');
  for (const band of [i, j]) other.splice(band * 2, 2, hash[band * 2]!, hash[band * 2 + 1]!);
  return other.join('');
}

/** Which band pair each of hashBandKeys' 28 keys is, in order. */
const KEY_BANDS: [number, number][] = [];
for (let i = 0; i < BANDS; i++) for (let j = i + 1; j < BANDS; j++) KEY_BANDS.push([i, j]);

interface Lookups {
  medianMs: number;
  p95Ms: number;
  itemsReadPerLookup: number;
  localReadUnitsPerLookup: number;
  plantedFound: number;
  planted: number;
}

type Query = { hash: string; planted: boolean };

const newEntry = (hash: string): PhotoIndexEntry => {
  const proposalId = ulid();
  return { proposalId, kind: 'house-front', key: `proposals/${proposalId}/house-front/v1-${ulid()}.jpg`, hash };
};

/** Metric names of the index really loaded (part 4): the same names at any size, so results stay comparable. */
const LOADED = {
  hashes: 'loaded index: hashes stored',
  median: 'loaded index: lookup median ms',
  p95: 'loaded index: lookup p95 ms',
  itemsRead: 'loaded index: items read per lookup',
  buildRate: 'loaded index: build rate',
} as const;
/** The stored index's photos: fixed, so an index built by an earlier invocation is the one this one would build. */
const LOADED_INDEX_SEED = 20_261_129;

/** Read units of the store's own Queries, asked for by the bench's client only: the product code is untouched. */
function countReadUnits(client: DynamoDBClient): () => number {
  let units = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string };
      if (context.commandName === 'QueryCommand') input.ReturnConsumedCapacity ??= 'TOTAL';
      const result = await next(args);
      units += (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity?.CapacityUnits ?? 0;
      return result;
    },
    { step: 'initialize', name: 'benchConsumedCapacity' },
  );
  return () => units;
}

/** Lookups of random hashes, every PLANT_EVERY-th a near-copy of a stored one (`storedHashAt` takes any whole number). */
function plantedQueries(parameters: Parameters, next: () => number, storedHashAt: (n: number) => string): Query[] {
  return Array.from({ length: parameters.lookupsPerSize }, (_, i) =>
    i % PLANT_EVERY === 0
      ? { hash: nearCopy(storedHashAt(next()), parameters.maxHammingDistance, next), planted: true }
      : { hash: randomHash(next), planted: false },
  );
}

/** What check-evidence does for each photo: the candidates behind the 28 keys, confirmed by distance. */
async function lookUp(store: DynamoDbRecordsStore, readUnits: () => number, queries: Query[], next: () => number, maxDistance: number): Promise<Lookups> {
  for (let i = 0; i < 5; i++) await store.findPhotos(hashBandKeys(randomHash(next))); // JIT and connections warm
  const times: number[] = [];
  const itemsRead: number[] = [];
  const units: number[] = [];
  let plantedFound = 0;
  for (const query of queries) {
    const unitsBefore = readUnits();
    const t0 = performance.now();
    const candidates = await store.findPhotos(hashBandKeys(query.hash));
    const reused = candidates.find((candidate) => isNearDuplicate(candidate.hash, query.hash, maxDistance));
    times.push(performance.now() - t0);
    itemsRead.push(candidates.length);
    units.push(readUnits() - unitsBefore);
    if (query.planted && reused) plantedFound += 1;
  }
  return {
    medianMs: median(times),
    p95Ms: percentile(times, 95),
    itemsReadPerLookup: sum(itemsRead) / itemsRead.length,
    localReadUnitsPerLookup: sum(units) / units.length,
    plantedFound,
    planted: queries.filter((query) => query.planted).length,
  };
}

interface LoadedIndex {
  dir: string;
  /** Hashes really stored; 0 when the disk could not hold the index. */
  loadedHashes: number;
  /** The build, when this run built the index. */
  built?: BuildReport;
  lookups?: Lookups;
  /** Why there is no index to measure. */
  skipped?: string;
}

/**
 * Part 4: the index with its hashes really stored, kept in bench/.data between invocations: built on the first
 * run that finds none (minutes), then measured by every run.
 */
async function measureLoadedIndex(parameters: Parameters, progress: Progress, run: number): Promise<LoadedIndex> {
  const { targetHashes } = parameters.loadedIndex;
  const dir = join(DATA_DIR, `photo-index-${targetHashes}`);
  let index: PersistentPhotoIndex;
  try {
    index = await openPersistentPhotoIndex({
      dir,
      seed: LOADED_INDEX_SEED,
      hashes: targetHashes,
      createTable: (client) => createRecordsTable(client, 'bench-photo-index'),
      progress,
    });
  } catch (error) {
    if (!(error instanceof NotEnoughDiskError)) throw error;
    progress.warn(`no photo index with its hashes stored: ${error.message}`);
    return { dir, loadedHashes: 0, skipped: error.message };
  }
  try {
    const next = seeded(31 + run);
    const queries = plantedQueries(parameters, next, (n) => index.storedHash(n % index.hashes));
    const store = new DynamoDbRecordsStore(documentClient(index.client), index.tableName);
    const lookups = await lookUp(store, countReadUnits(index.client), queries, next, parameters.maxHammingDistance);
    progress.note(`stored index of ${index.hashes.toLocaleString('en-US')} hashes: lookup median ${lookups.medianMs.toFixed(1)} ms, ${lookups.itemsReadPerLookup.toFixed(1)} items read`);
    return { dir, loadedHashes: index.hashes, built: index.builtNow ? index.build : undefined, lookups };
  } finally {
    await index.close();
  }
}

export const photoLookup: Figure<Parameters> = {
  id: 'photo-lookup',
  title: 'Reused-photo lookup: one new hash against the stored hashes through the band index on DynamoDB Local',
  parameters: (options) => ({
    loadedSizes: options.quick ? [1_000, 5_000] : [10_000, 50_000],
    lookupsPerSize: options.quick ? 50 : 200,
    targetSize: 1_000_000,
    maxHammingDistance: 6,
    loadedIndex: { targetHashes: options.quick ? 20_000 : 1_000_000 },
  }),

  metrics: (parameters) => {
    const largest = parameters.loadedSizes.at(-1)!;
    const target = `@${parameters.targetSize.toLocaleString('en-US')}`;
    return {
      [`lookup median ms ${target} density`]: { unit: 'ms', digits: 1 },
      [`lookup p95 ms ${target} density`]: { unit: 'ms', digits: 1 },
      [`items read per lookup ${target} density`]: { unit: 'items', digits: 1 },
      [`read units per lookup ${target} (AWS rules)`]: { unit: 'RRU', digits: 1 },
      'keys read per lookup': { unit: 'Queries', digits: 0 },
      ...Object.fromEntries(
        parameters.loadedSizes.flatMap((n) => [
          [`lookup median ms @${n.toLocaleString('en-US')}`, { unit: 'ms', digits: 1 }],
          [`items read per lookup @${n.toLocaleString('en-US')}`, { unit: 'items', digits: 1 }],
        ]),
      ),
      [`lookup p95 ms @${largest.toLocaleString('en-US')}`]: { unit: 'ms', digits: 1 },
      'planted near-copies found': { unit: '%', digits: 0 },
      'index load rate': { unit: 'items/s', digits: 0 },
      [LOADED.hashes]: { unit: 'hashes', digits: 0 },
      [LOADED.median]: { unit: 'ms', digits: 1 },
      [LOADED.p95]: { unit: 'ms', digits: 1 },
      [LOADED.itemsRead]: { unit: 'items', digits: 1 },
      [LOADED.buildRate]: { unit: 'items/s', digits: 0 },
    };
  },

  async run({ parameters, progress, run }) {
    const small = await measureSmallTables(parameters, progress, run);
    // 4. After the small tables' DynamoDB Local has closed, so its memory is free for the build's page cache.
    const loaded = await measureLoadedIndex(parameters, progress, run);

    const metrics = { ...small.metrics };
    const planted = [...small.sizes, ...(loaded.lookups ? [loaded.lookups] : [])];
    metrics['planted near-copies found'] = (100 * sum(planted.map((lookups) => lookups.plantedFound))) / sum(planted.map((lookups) => lookups.planted));
    if (loaded.lookups) {
      metrics[LOADED.hashes] = loaded.loadedHashes;
      metrics[LOADED.median] = loaded.lookups.medianMs;
      metrics[LOADED.p95] = loaded.lookups.p95Ms;
      metrics[LOADED.itemsRead] = loaded.lookups.itemsReadPerLookup;
    }
    if (loaded.built) metrics[LOADED.buildRate] = loaded.built.items / (loaded.built.insertSeconds + loaded.built.indexSeconds);
    return { metrics, details: { ...small.details, loadedIndex: loaded } };
  },

  verdicts(medians, parameters) {
    const target = `@${parameters.targetSize.toLocaleString('en-US')}`;
    const thresholds = `≤ ${LOOKUP_MS.ok} ms ok, ≤ ${LOOKUP_MS.watch} ms watch (check-evidence does one per photo)`;
    const verdicts: Verdict[] = [];
    const dense = `lookup median ms ${target} density`;
    verdicts.push({
      metric: dense,
      level: levelAtMost(medians[dense] ?? NaN, LOOKUP_MS.ok, LOOKUP_MS.watch),
      why: `measured on DynamoDB Local with each probe's 28 keys holding what ${parameters.targetSize.toLocaleString('en-US')} stored hashes would put there; the table itself held far fewer items; ${thresholds}`,
    });
    for (const size of parameters.loadedSizes) {
      const name = `lookup median ms @${size.toLocaleString('en-US')}`;
      verdicts.push({ metric: name, level: levelAtMost(medians[name] ?? NaN, LOOKUP_MS.ok, LOOKUP_MS.watch), why: `measured with ${size.toLocaleString('en-US')} hashes loaded; ${thresholds}` });
    }
    verdicts.push({
      metric: 'keys read per lookup',
      level: 'info',
      why: '28 Queries per photo at any size (the pairs of 8 bands); what grows with the index is the items behind each key, 28 × N / 65,536 for random hashes',
    });
    verdicts.push({
      metric: `items read per lookup ${target} density`,
      level: 'info',
      why: `counted over ${parameters.targetSize.toLocaleString('en-US')} uniformly random hashes; clustered real hashes put more behind some keys`,
    });
    verdicts.push({
      metric: `read units per lookup ${target} (AWS rules)`,
      level: 'info',
      why: 'per Query ⌈bytes / 4 KB⌉ (strongly consistent), at least 1 (DynamoDB Local reports 0 for an empty Query)',
    });
    const found = medians['planted near-copies found'] ?? NaN;
    verdicts.push({
      metric: 'planted near-copies found',
      level: found === 100 ? 'ok' : 'bad',
      why: `every ${PLANT_EVERY}th lookup was a stored hash with ${parameters.maxHammingDistance} bits flipped; the index must find all of them`,
    });
    verdicts.push({ metric: 'index load rate', level: 'info', why: 'BatchWriteItem into DynamoDB Local (in memory); 28 items per stored photo' });
    verdicts.push(...loadedIndexVerdicts(medians, parameters, thresholds));
    return verdicts;
  },
};

/** Parts 1 to 3: growing loaded sets, the count at the target size, and probes at its density, on an in-memory DynamoDB Local. */
async function measureSmallTables(parameters: Parameters, progress: Progress, run: number) {
  const dynamodb = await startDynamoDbLocal();
  const client = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: LOCAL_REGION, credentials: { accessKeyId: 'vervallocal', secretAccessKey: 'bench' } });
  const readUnits = countReadUnits(client);
  try {
    const tableName = await createRecordsTable(client, `bench-photos-${run}`);
    const store = new DynamoDbRecordsStore(documentClient(client), tableName);
    const next = seeded(20_261_128 + run);
    const itemSizes: number[] = [];
    let loadedItems = 0;
    let loadSeconds = 0;

    /** Writes index items as store.indexPhoto does (the same items), batched so loading takes minutes, not hours. */
    const load = async (items: Record<string, string>[], label: string) => {
      const counter = progress.counter(label, items.length, 15_000);
      const started = Date.now();
      for (const item of items.slice(0, Math.max(0, 2000 - itemSizes.length))) itemSizes.push(itemBytes(item));
      await writeItems(client, tableName, items, { concurrency: WRITE_CONCURRENCY, onBatch: (written) => counter.add(written) });
      counter.finish();
      loadedItems += items.length;
      loadSeconds += (Date.now() - started) / 1000;
    };

    // 1. Growing loaded sets.
    const stored: string[] = [];
    const sizes: (Lookups & { storedHashes: number })[] = [];
    for (const size of parameters.loadedSizes) {
      const adding = Array.from({ length: size - stored.length }, () => randomHash(next));
      await load(
        adding.flatMap((hash) => hashBandKeys(hash).map((band) => photoIndexItem(band, newEntry(hash)))),
        `index items towards ${size.toLocaleString('en-US')} hashes`,
      );
      stored.push(...adding);
      const queries = plantedQueries(parameters, next, (n) => stored[n % stored.length]!);
      const measured = { storedHashes: size, ...(await lookUp(store, readUnits, queries, next, parameters.maxHammingDistance)) };
      sizes.push(measured);
      progress.note(`${size.toLocaleString('en-US')} hashes: lookup median ${measured.medianMs.toFixed(1)} ms, ${measured.itemsReadPerLookup.toFixed(1)} items read`);
    }

    // 2. The items behind each key at the target size, counted.
    progress.note(`counting the index of ${parameters.targetSize.toLocaleString('en-US')} random hashes in memory`);
    const counts = keyCounts(parameters.targetSize, seeded(7 + run));
    const bytesPerItem = sum(itemSizes) / itemSizes.length;
    const modelProbe = seeded(99 + run);
    const counted = Array.from({ length: 2000 }, () => heldBehindKeys(counts, randomHash(modelProbe)));

    // 3. Probes whose keys hold what they would hold at the target size, measured.
    const probes = Array.from({ length: parameters.lookupsPerSize }, () => randomHash(next));
    const filler = probes.flatMap((probe) =>
      heldBehindKeys(counts, probe).flatMap((held, k) => {
        const [i, j] = KEY_BANDS[k]!;
        return Array.from({ length: held }, () => {
          const other = sharingKey(probe, i, j, next);
          return photoIndexItem(hashBandKeys(other)[k]!, newEntry(other));
        });
      }),
    );
    await load(filler, `index items behind ${probes.length} probes' keys at ${parameters.targetSize.toLocaleString('en-US')} density`);
    const dense = await lookUp(
      store,
      readUnits,
      probes.map((hash) => ({ hash, planted: false })),
      next,
      parameters.maxHammingDistance,
    );
    progress.note(`${parameters.targetSize.toLocaleString('en-US')} density: lookup median ${dense.medianMs.toFixed(1)} ms, ${dense.itemsReadPerLookup.toFixed(1)} items read`);

    const target = `@${parameters.targetSize.toLocaleString('en-US')}`;
    const largest = sizes.at(-1)!;
    const metrics: Record<string, number> = {
      [`lookup median ms ${target} density`]: dense.medianMs,
      [`lookup p95 ms ${target} density`]: dense.p95Ms,
      [`items read per lookup ${target} density`]: dense.itemsReadPerLookup,
      [`read units per lookup ${target} (AWS rules)`]: sum(counted.map((held) => awsReadUnits(held, bytesPerItem))) / counted.length,
      'keys read per lookup': KEYS_PER_HASH,
      [`lookup p95 ms @${largest.storedHashes.toLocaleString('en-US')}`]: largest.p95Ms,
      'index load rate': loadedItems / loadSeconds,
    };
    for (const size of sizes) {
      metrics[`lookup median ms @${size.storedHashes.toLocaleString('en-US')}`] = size.medianMs;
      metrics[`items read per lookup @${size.storedHashes.toLocaleString('en-US')}`] = size.itemsReadPerLookup;
    }
    return {
      metrics,
      sizes,
      details: {
        sizes,
        targetDensity: { ...dense, countedItemsPerLookup: sum(counted.map((held) => sum(held))) / counted.length },
        bytesPerIndexItem: bytesPerItem,
        tableItems: loadedItems,
      },
    };
  } finally {
    client.destroy();
    await dynamodb.close();
  }
}

/** The records table as the template defines it (keys, indexes), under a name of the bench's. */
async function createRecordsTable(client: DynamoDBClient, name: string): Promise<string> {
  const { template, ctx } = stackTemplate();
  const ids = Object.entries(template.Resources ?? {})
    .filter(([, resource]) => resource.Type === 'AWS::DynamoDB::GlobalTable' || resource.Type === 'AWS::DynamoDB::Table')
    .map(([id]) => id);
  const resources = Object.fromEntries(ids.map((id) => [id, { Type: template.Resources![id]!.Type, Properties: resolveResourceProperties(template, id, ctx) }]));
  const tables = await createTablesFromTemplate({ Resources: resources }, client, { nameFor: () => name });
  return Object.values(tables)[0]!;
}

/** Part 4's verdicts: on the lookups against what is really stored. */
function loadedIndexVerdicts(medians: Record<string, number>, parameters: Parameters, thresholds: string): Verdict[] {
  const { targetHashes } = parameters.loadedIndex;
  const stored = medians[LOADED.hashes];
  if (stored === undefined) {
    return [
      {
        metric: LOADED.hashes,
        level: 'watch',
        why:
          `not measured: the index of ${targetHashes.toLocaleString('en-US')} hashes needs ~${gigabytes(diskBytesFor(targetHashes))} GB of disk, which was not free; ` +
          'the figure rests on the density measurement alone, which understated the stored index by half when both were measured',
      },
    ];
  }
  const verdicts: Verdict[] = [
    {
      metric: LOADED.hashes,
      level: stored === targetHashes ? 'ok' : 'bad',
      why: `${(stored * KEYS_PER_HASH).toLocaleString('en-US')} items in the records table of a DynamoDB Local on disk, kept in bench/.data`,
    },
    {
      metric: LOADED.median,
      level: levelAtMost(medians[LOADED.median] ?? NaN, LOOKUP_MS.ok, LOOKUP_MS.watch),
      why: `measured against ${stored.toLocaleString('en-US')} hashes really stored; ${thresholds}`,
    },
    {
      metric: LOADED.itemsRead,
      level: 'info',
      why: `${stored.toLocaleString('en-US')} random hashes put 28 × N / 65,536 = ${((KEYS_PER_HASH * stored) / 65_536).toFixed(1)} items behind a lookup's keys; a planted near-copy adds its original`,
    },
  ];
  if (medians[LOADED.buildRate] !== undefined) {
    verdicts.push({
      metric: LOADED.buildRate,
      level: 'info',
      why: "rows written straight into DynamoDB Local's SQLite file in key order, then its secondary indexes built; through its API the rate is 800 to 1,700 items/s",
    });
  }
  return verdicts;
}
