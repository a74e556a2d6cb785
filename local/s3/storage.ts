/**
 * Buckets and objects of the local S3 store: an in-memory index, with bodies
 * either in memory or on disk under `dataDir` so that data survives a restart.
 *
 * Disk layout (one directory per bucket; bucket names cannot contain '/'):
 *   <dataDir>/buckets/<bucket>/bucket.json
 *   <dataDir>/buckets/<bucket>/objects/<sha256(key)>.json   metadata, incl. the key
 *   <dataDir>/buckets/<bucket>/objects/<sha256(key)>.data   bytes
 * Keys are hashed into file names because a key may hold any UTF-8, slashes,
 * '..' or names no file system accepts. Each file is written to a temporary
 * name and renamed; the .json rename is the commit point, so a crash leaves
 * either the old or the new object.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChecksumAlgorithm } from './checksums.ts';

export interface ObjectMetadata {
  contentType: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  /** x-amz-meta-* without the prefix, names in lower case. */
  userMetadata: Record<string, string>;
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
}

export interface StoredObject extends ObjectMetadata {
  key: string;
  size: number;
  /** MD5 of the bytes, hex, without quotes. */
  etag: string;
  /** Whole seconds: S3's Last-Modified has no sub-second part. */
  lastModified: Date;
}

export interface BucketInfo {
  name: string;
  creationDate: Date;
}

interface BucketState extends BucketInfo {
  objects: Map<string, StoredObject>;
  bodies: Map<string, Buffer>;
  sortedKeys: string[] | undefined;
}

interface ObjectRecord extends Omit<StoredObject, 'lastModified'> {
  lastModified: string;
}

function fileStem(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** S3 lists keys in UTF-8 byte order, which differs from JS string order above U+FFFF. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

async function writeAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, data);
  await rename(temp, path);
}

export class ObjectStorage {
  private readonly buckets = new Map<string, BucketState>();
  private readonly dataDir: string | undefined;

  private constructor(dataDir: string | undefined) {
    this.dataDir = dataDir;
  }

  /** Opens the store, loading every bucket and object index from `dataDir` when given. */
  static async open(dataDir?: string): Promise<ObjectStorage> {
    const storage = new ObjectStorage(dataDir);
    if (dataDir) await storage.load(dataDir);
    return storage;
  }

  private bucketDir(name: string): string {
    return join(this.dataDir as string, 'buckets', name);
  }

  private async load(dataDir: string): Promise<void> {
    const root = join(dataDir, 'buckets');
    await mkdir(root, { recursive: true });
    for (const entry of await readdir(root, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      let info: { name: string; creationDate: string };
      try {
        info = JSON.parse(await readFile(join(root, entry.name, 'bucket.json'), 'utf8'));
      } catch {
        continue; // a bucket whose creation never completed
      }
      const state: BucketState = {
        name: info.name,
        creationDate: new Date(info.creationDate),
        objects: new Map(),
        bodies: new Map(),
        sortedKeys: undefined,
      };
      const objectsDir = join(root, entry.name, 'objects');
      const files = await readdir(objectsDir).catch(() => [] as string[]);
      const dataFiles = new Set(files.filter((f) => f.endsWith('.data')));
      for (const file of files) {
        if (file.endsWith('.tmp')) {
          await rm(join(objectsDir, file), { force: true }); // interrupted write
          continue;
        }
        if (!file.endsWith('.json')) continue;
        const stem = file.slice(0, -'.json'.length);
        if (!dataFiles.has(`${stem}.data`)) continue;
        const record = JSON.parse(await readFile(join(objectsDir, file), 'utf8')) as ObjectRecord;
        state.objects.set(record.key, { ...record, lastModified: new Date(record.lastModified) });
      }
      this.buckets.set(state.name, state);
    }
  }

  listBuckets(): BucketInfo[] {
    return [...this.buckets.values()]
      .map(({ name, creationDate }) => ({ name, creationDate }))
      .sort((a, b) => compareKeys(a.name, b.name));
  }

  hasBucket(name: string): boolean {
    return this.buckets.has(name);
  }

  async createBucket(name: string): Promise<void> {
    const creationDate = new Date(Math.floor(Date.now() / 1000) * 1000);
    if (this.dataDir) {
      const dir = this.bucketDir(name);
      await mkdir(join(dir, 'objects'), { recursive: true });
      await writeAtomically(join(dir, 'bucket.json'), JSON.stringify({ name, creationDate: creationDate.toISOString() }));
    }
    this.buckets.set(name, { name, creationDate, objects: new Map(), bodies: new Map(), sortedKeys: undefined });
  }

  /** Removes an empty bucket; the caller checks emptiness. */
  async deleteBucket(name: string): Promise<void> {
    this.buckets.delete(name);
    if (this.dataDir) await rm(this.bucketDir(name), { recursive: true, force: true });
  }

  objectCount(bucket: string): number {
    return this.buckets.get(bucket)?.objects.size ?? 0;
  }

  head(bucket: string, key: string): StoredObject | undefined {
    return this.buckets.get(bucket)?.objects.get(key);
  }

  async read(bucket: string, key: string): Promise<Buffer | undefined> {
    const state = this.buckets.get(bucket);
    if (!state?.objects.has(key)) return undefined;
    if (!this.dataDir) return state.bodies.get(key);
    return readFile(join(this.bucketDir(bucket), 'objects', `${fileStem(key)}.data`));
  }

  async put(bucket: string, object: StoredObject, body: Buffer): Promise<void> {
    const state = this.buckets.get(bucket);
    if (!state) throw new Error(`bucket ${bucket} does not exist`);
    if (this.dataDir) {
      const base = join(this.bucketDir(bucket), 'objects', fileStem(object.key));
      await writeAtomically(`${base}.data`, body);
      const record: ObjectRecord = { ...object, lastModified: object.lastModified.toISOString() };
      await writeAtomically(`${base}.json`, JSON.stringify(record));
    } else {
      state.bodies.set(object.key, body);
    }
    if (!state.objects.has(object.key)) state.sortedKeys = undefined;
    state.objects.set(object.key, object);
  }

  async delete(bucket: string, key: string): Promise<void> {
    const state = this.buckets.get(bucket);
    if (!state?.objects.has(key)) return;
    state.objects.delete(key);
    state.bodies.delete(key);
    state.sortedKeys = undefined;
    if (this.dataDir) {
      const base = join(this.bucketDir(bucket), 'objects', fileStem(key));
      await rm(`${base}.json`, { force: true });
      await rm(`${base}.data`, { force: true });
    }
  }

  /** All keys of a bucket in S3 listing order. */
  sortedKeys(bucket: string): readonly string[] {
    const state = this.buckets.get(bucket);
    if (!state) return [];
    state.sortedKeys ??= [...state.objects.keys()].sort(compareKeys);
    return state.sortedKeys;
  }
}
