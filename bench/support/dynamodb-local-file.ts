/**
 * Writes items straight into the SQLite file in which DynamoDB Local keeps a table, row for row as DynamoDB Local
 * itself writes them (checked byte for byte against rows it wrote, in the tests). DynamoDB Local takes about
 * 1,700 items/s at best, so 28,000,000 photo-index items would take the better part of a day through its API;
 * straight into the file they take minutes. Reads then go through DynamoDB Local as always.
 *
 * What DynamoDB Local stores per item (DynamoDBLocal.jar 2.x, SQLiteDBAccess and LocalDBUtils):
 * - hashKey, rangeKey: the key values' UTF-8 bytes, as blobs;
 * - hashValue, rangeValue: SHA-1 of the salt "LocalDdb" then the key value's bytes;
 * - itemSize: the item's size by DynamoDB's rules (for string attributes, names and values in UTF-8 bytes);
 * - ObjectJSON: the item as typed JSON ({"pk":{"S":"…"}}), its attributes in the order of the Java HashMap it
 *   was serialized from;
 * - hashRangeValue, in tables with secondary indexes only: SHA-1 of the salt then the two digests above.
 * Only string attributes and tables keyed by strings are handled; the table's index key columns stay empty, so an
 * item carrying an attribute that some index is keyed on is refused, as is text that the two JSON writers would
 * escape differently.
 */
import { createHash } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';

const SALT = Buffer.from('LocalDdb', 'utf8');

/** SHA-1 of DynamoDB Local's salt, then the parts. */
const saltedSha1 = (...parts: Uint8Array[]) => {
  const digest = createHash('sha1').update(SALT);
  for (const part of parts) digest.update(part);
  return digest.digest();
};

/** Java's String.hashCode. */
function javaStringHash(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

/**
 * The order in which DynamoDB Local's java.util.HashMap of an item's attributes, sized for them and filled in
 * `names` order, iterates them: by bucket, then by insertion within a bucket. The map starts with the power of two
 * at or above the count of attributes as buckets, and doubles them while it is over three quarters full.
 */
export function javaHashMapOrder(names: readonly string[]): string[] {
  let buckets = 1;
  while (buckets < names.length) buckets *= 2;
  while (names.length > buckets * 0.75) buckets *= 2;
  const bucketOf = (name: string) => {
    const hash = javaStringHash(name);
    return (hash ^ (hash >>> 16)) & (buckets - 1);
  };
  return names.map((name, position) => ({ name, position, bucket: bucketOf(name) })).sort((a, b) => a.bucket - b.bucket || a.position - b.position).map(({ name }) => name);
}

export interface TableKeys {
  /** The partition key attribute, e.g. pk. */
  hash: string;
  /** The sort key attribute, e.g. sk. */
  range: string;
  /** Attributes that key the table's secondary indexes: items carrying them are refused. */
  indexed: ReadonlySet<string>;
}

export interface ItemRow {
  hashKey: Buffer;
  rangeKey: Buffer;
  hashValue: Buffer;
  rangeValue: Buffer;
  itemSize: number;
  ObjectJSON: Buffer;
  hashRangeValue: Buffer;
}

/**
 * The row DynamoDB Local stores for `item`. `hashValue` may be passed when the caller has it already (many items
 * share a partition key).
 */
export function itemRow(item: Readonly<Record<string, string>>, keys: TableKeys, hashValue?: Buffer): ItemRow {
  const hashKeyValue = item[keys.hash];
  const rangeKeyValue = item[keys.range];
  if (hashKeyValue === undefined || rangeKeyValue === undefined) throw new Error(`an item needs both ${keys.hash} and ${keys.range}`);
  const names = Object.keys(item);
  const indexed = names.find((name) => keys.indexed.has(name));
  if (indexed) throw new Error(`items keyed in a secondary index (${indexed}) cannot be written straight into the file`);
  const unusual = names.find((name) => !plainText(name) || !plainText(item[name]!));
  if (unusual !== undefined) throw new Error(`attribute ${JSON.stringify(unusual)} holds a control character or half a surrogate pair, which DynamoDB Local escapes otherwise`);
  const hashKey = Buffer.from(hashKeyValue, 'utf8');
  const rangeKey = Buffer.from(rangeKeyValue, 'utf8');
  const hashDigest = hashValue ?? partitionDigest(hashKeyValue);
  const rangeDigest = saltedSha1(rangeKey);
  const typed = Object.fromEntries(javaHashMapOrder(names).map((name) => [name, { S: item[name] }]));
  return {
    hashKey,
    rangeKey,
    hashValue: hashDigest,
    rangeValue: rangeDigest,
    itemSize: names.reduce((size, name) => size + Buffer.byteLength(name, 'utf8') + Buffer.byteLength(item[name]!, 'utf8'), 0),
    ObjectJSON: Buffer.from(javaJson(typed), 'utf8'),
    hashRangeValue: saltedSha1(hashDigest, rangeDigest),
  };
}

/** JSON as DynamoDB Local writes it: characters beyond the Basic Multilingual Plane as escaped surrogate pairs. */
const javaJson = (value: unknown) =>
  JSON.stringify(value).replace(/[\u{10000}-\u{10ffff}]/gu, (character) =>
    Array.from({ length: 2 }, (_, i) => `\\u${character.charCodeAt(i).toString(16).toUpperCase()}`).join(''),
  );

/** Text that JSON.stringify escapes as DynamoDB Local's JSON writer does: no control characters but \b \t \n \f \r. */
const plainText = (text: string) => Buffer.from(text, 'utf8').toString('utf8') === text && !/[\u0000-\u0007\u000b\u000e-\u001f]/.test(text);

/** The salted digest DynamoDB Local files a partition key value under. */
export const partitionDigest = (value: string) => saltedSha1(Buffer.from(value, 'utf8'));

export interface TableFile {
  keys: TableKeys;
  /** Inserts rows in one transaction; a key already there is an error, not a silent replacement. */
  insert(rows: Iterable<ItemRow>): number;
  /**
   * Drops the table's secondary SQLite indexes and returns a function that builds them again. Rows inserted in
   * between go into the table alone: each index is then built once from sorted entries, sparing every row a write
   * at a random place in each of them.
   */
  withoutSecondaryIndexes(): { restore(onIndex?: (name: string) => void): void };
  /** Rows in the table. */
  count(): number;
  close(): void;
}

interface SqliteIndex {
  DynamoDBAttribute: { AttributeName: string; AttributeType: string };
  KeyType: 'HASH' | 'RANGE';
  SQLiteColumnName: string;
}

/**
 * Opens table `tableName` in DynamoDB Local's database file `file` (shared-local-instance.db under -sharedDb) for
 * writing. DynamoDB Local must not be running on the file. Syncing and the journal are off: a write cut short
 * leaves a file to delete and build again.
 */
export function openTableFile(file: string, tableName: string, { cacheMegabytes = 1024 } = {}): TableFile {
  const db = new DatabaseSync(file);
  try {
    const found = db.prepare('SELECT TableInfo FROM dm WHERE TableName = ?').get(tableName) as { TableInfo: Uint8Array } | undefined;
    if (!found) throw new Error(`DynamoDB Local's file ${file} has no table ${tableName}`);
    const info = JSON.parse(Buffer.from(found.TableInfo).toString('utf8')) as { SQLiteIndex: Record<string, SqliteIndex[]> };
    const { '': primary = [], ...secondary } = info.SQLiteIndex;
    const keyOf = (type: SqliteIndex['KeyType']) => {
      const key = primary.find((element) => element.KeyType === type);
      if (key?.DynamoDBAttribute.AttributeType !== 'S') throw new Error(`table ${tableName} is not keyed by string ${type} and RANGE keys`);
      return key.DynamoDBAttribute.AttributeName;
    };
    const keys: TableKeys = {
      hash: keyOf('HASH'),
      range: keyOf('RANGE'),
      indexed: new Set(Object.values(secondary).flatMap((elements) => elements.map((element) => element.DynamoDBAttribute.AttributeName))),
    };
    db.exec(`PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -${cacheMegabytes * 1024};`);
    const quoted = `"${tableName.replaceAll('"', '""')}"`;
    const columns = new Set((db.prepare(`PRAGMA table_info(${quoted})`).all() as { name: string }[]).map(({ name }) => name));
    const withIndexes = columns.has('hashRangeValue');
    const insert = db.prepare(
      `INSERT INTO ${quoted} (hashKey, rangeKey, hashValue, rangeValue, itemSize, ObjectJSON${withIndexes ? ', hashRangeValue' : ''}) VALUES (?, ?, ?, ?, ?, ?${withIndexes ? ', ?' : ''})`,
    );
    return {
      keys,
      insert(rows) {
        let count = 0;
        db.exec('BEGIN');
        try {
          for (const row of rows) {
            const values = [row.hashKey, row.rangeKey, row.hashValue, row.rangeValue, row.itemSize, row.ObjectJSON];
            insert.run(...values, ...(withIndexes ? [row.hashRangeValue] : []));
            count += 1;
          }
          db.exec('COMMIT');
        } catch (error) {
          db.exec('ROLLBACK');
          throw error;
        }
        return count;
      },
      withoutSecondaryIndexes() {
        const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL").all(tableName) as {
          name: string;
          sql: string;
        }[];
        for (const { name } of indexes) db.exec(`DROP INDEX "${name.replaceAll('"', '""')}"`);
        return {
          restore(onIndex) {
            for (const { name, sql } of indexes) {
              onIndex?.(name);
              db.exec(sql);
            }
          },
        };
      },
      count: () => Number((db.prepare(`SELECT COUNT(*) AS rows FROM ${quoted}`).get() as { rows: number }).rows),
      close: () => db.close(),
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
