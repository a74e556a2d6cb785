import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compareKeys, ObjectStorage, type StoredObject } from '../../../local/s3/storage.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'verval-storage-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

function object(key: string, body: Buffer): StoredObject {
  return { key, size: body.length, etag: 'e', lastModified: new Date('2026-01-01T00:00:00Z'), contentType: 'text/plain', userMetadata: {} };
}

describe('compareKeys', () => {
  it('orders by UTF-8 bytes, not UTF-16 code units', () => {
    expect(['\u{1F600}', '\uFF5E', 'a'].sort(compareKeys)).toEqual(['a', '\uFF5E', '\u{1F600}']);
  });
});

describe('ObjectStorage on disk', () => {
  it('reloads objects whose keys are not valid file names, and their bytes', async () => {
    const dir = await tempDir();
    const first = await ObjectStorage.open(dir);
    await first.createBucket('evidence');
    const key = '../../etc/passwd\u0000?*:<>|ü';
    await first.put('evidence', object(key, Buffer.from('bytes')), Buffer.from('bytes'));

    const second = await ObjectStorage.open(dir);
    expect(second.sortedKeys('evidence')).toEqual([key]);
    expect((await second.read('evidence', key))?.toString()).toBe('bytes');
    expect(second.head('evidence', key)?.lastModified.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('drops the leftovers of an interrupted write when it opens', async () => {
    const dir = await tempDir();
    const first = await ObjectStorage.open(dir);
    await first.createBucket('evidence');
    const objectsDir = join(dir, 'buckets', 'evidence', 'objects');
    await writeFile(join(objectsDir, 'abc.data.123.tmp'), 'half');
    await writeFile(join(objectsDir, 'orphan.json'), JSON.stringify({ ...object('orphan', Buffer.alloc(0)), lastModified: '2026-01-01T00:00:00Z' }));

    const second = await ObjectStorage.open(dir);
    expect(second.sortedKeys('evidence')).toEqual([]); // metadata without bytes is not an object
    expect(await readdir(objectsDir)).not.toContain('abc.data.123.tmp');
  });

  it('forgets deleted objects and buckets across a reopen', async () => {
    const dir = await tempDir();
    const first = await ObjectStorage.open(dir);
    await first.createBucket('one');
    await first.createBucket('two');
    await first.put('one', object('k', Buffer.from('x')), Buffer.from('x'));
    await first.delete('one', 'k');
    await first.deleteBucket('two');

    const second = await ObjectStorage.open(dir);
    expect(second.listBuckets().map((b) => b.name)).toEqual(['one']);
    expect(second.head('one', 'k')).toBeUndefined();
  });
});
