import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { itemRow, javaHashMapOrder, openTableFile, type ItemRow } from '../../../bench/support/dynamodb-local-file.ts';
import { indexItemsOf, storedPhoto } from '../../../bench/support/persistent-photo-index.ts';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../../local/dynamodb-local.ts';

const FILE = 'shared-local-instance.db';
const TABLE = 'records';
const KEYS = { hash: 'pk', range: 'sk', indexed: new Set(['gsi1pk', 'gsi1sk']) };

/** Items as the photo index writes them, and some that test the encoding's corners. */
const ITEMS: Record<string, string>[] = [
  ...indexItemsOf(storedPhoto(3, 0)).slice(0, 4),
  { pk: 'PERSON#ñandú', sk: 'Désa Sukamaju 🏠', note: 'quote " backslash \\ slash / newline \n tab \t' },
  { pk: 'NARROW', sk: 'item', n1: 'x', n2: 'y', n3: 'z', n4: 'w', n5: 'v', n6: 'u', n7: 't', n8: 's', n9: 'r', n10: 'q', n11: 'p' },
  // More than 12 attributes: Java's HashMap doubles to 32 buckets, and the order changes with it.
  { pk: 'WIDE', sk: 'item', ...Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`attribute${i}`, `value ${i}`])) },
];

const typed = (item: Record<string, string>) => Object.fromEntries(Object.entries(item).map(([name, value]) => [name, { S: value }]));

async function createTable(client: DynamoDBClient): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk'].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byVillage',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
}

/** The table's rows as DynamoDB Local's file holds them, by key. */
function rowsOf(file: string): Map<string, ItemRow> {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const rows = db
      .prepare(`SELECT hashKey, rangeKey, hashValue, rangeValue, itemSize, ObjectJSON, hashRangeValue FROM "${TABLE}"`)
      .all() as unknown as Record<keyof ItemRow, Uint8Array | number>[];
    return new Map(
      rows.map((row) => {
        const bytes = (name: keyof ItemRow) => Buffer.from(row[name] as Uint8Array);
        const decoded: ItemRow = {
          hashKey: bytes('hashKey'),
          rangeKey: bytes('rangeKey'),
          hashValue: bytes('hashValue'),
          rangeValue: bytes('rangeValue'),
          itemSize: row.itemSize as number,
          ObjectJSON: bytes('ObjectJSON'),
          hashRangeValue: bytes('hashRangeValue'),
        };
        return [`${decoded.hashKey.toString()}|${decoded.rangeKey.toString()}`, decoded];
      }),
    );
  } finally {
    db.close();
  }
}

const sqliteIndexes = (file: string) => {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").all();
  } finally {
    db.close();
  }
};

describe("writing items straight into DynamoDB Local's file", () => {
  const dirs: string[] = [];
  const running: { dynamodb: DynamoDbLocal; client: DynamoDBClient }[] = [];
  const start = async (dir: string) => {
    const dynamodb = await startDynamoDbLocal({ dataDir: dir });
    const client = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    running.push({ dynamodb, client });
    return client;
  };
  const stop = async () => {
    for (const { dynamodb, client } of running.splice(0)) {
      client.destroy();
      await dynamodb.close();
    }
  };
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'verval-dynamodb-file-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    await stop();
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('makes for each item the very row, byte for byte, that DynamoDB Local writes for it through its API', async () => {
    const dir = await tempDir();
    const client = await start(dir);
    await createTable(client);
    for (const item of ITEMS) await client.send(new PutItemCommand({ TableName: TABLE, Item: typed(item) }));
    await stop();

    const written = rowsOf(join(dir, FILE));
    expect(written.size).toBe(ITEMS.length);
    for (const item of ITEMS) {
      const row = written.get(`${item.pk}|${item.sk}`);
      expect(itemRow(item, KEYS)).toEqual(row);
    }
  });

  it('writes items that DynamoDB Local then reads, counts and queries as its own, with the SQLite indexes built again as they were', async () => {
    const dir = await tempDir();
    await createTable(await start(dir));
    await stop();
    const file = join(dir, FILE);
    const indexesBefore = sqliteIndexes(file);

    const table = openTableFile(file, TABLE);
    const indexes = table.withoutSecondaryIndexes();
    const dropped = indexesBefore.length - sqliteIndexes(file).length;
    expect(dropped).toBe(2); // byVillage and DynamoDB Local's index of hashValue; the primary key's stays
    expect(table.insert(ITEMS.map((item) => itemRow(item, table.keys)))).toBe(ITEMS.length);
    expect(table.count()).toBe(ITEMS.length);
    const rebuilt: string[] = [];
    indexes.restore((name) => rebuilt.push(name));
    table.close();
    expect(rebuilt).toHaveLength(dropped);
    expect(sqliteIndexes(file)).toEqual(indexesBefore);

    const client = await start(dir);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));
    expect(Table?.ItemCount).toBe(ITEMS.length);
    for (const item of ITEMS) {
      const { Item } = await client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: item.pk! }, sk: { S: item.sk! } }, ConsistentRead: true }));
      expect(Item).toEqual(typed(item));
    }
    const photo = ITEMS[0]!;
    const { Items } = await client.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: photo.pk! } } }));
    expect(Items).toEqual([typed(photo)]);
    // DynamoDB Local goes on writing into the file as usual.
    await client.send(new PutItemCommand({ TableName: TABLE, Item: typed({ pk: photo.pk!, sk: 'later', gsi1pk: 'VILLAGE#1', gsi1sk: 'x' }) }));
    const { Count } = await client.send(new QueryCommand({ TableName: TABLE, IndexName: 'byVillage', KeyConditionExpression: 'gsi1pk = :v', ExpressionAttributeValues: { ':v': { S: 'VILLAGE#1' } } }));
    expect(Count).toBe(1);
  });

  it('refuses a key already in the table, writing nothing of the batch', async () => {
    const dir = await tempDir();
    await createTable(await start(dir));
    await stop();
    const table = openTableFile(join(dir, FILE), TABLE);
    table.insert([itemRow(ITEMS[0]!, table.keys)]);
    expect(() => table.insert([itemRow(ITEMS[1]!, table.keys), itemRow(ITEMS[0]!, table.keys)])).toThrow(/UNIQUE/);
    table.close();
    expect([...rowsOf(join(dir, FILE)).keys()]).toEqual([`${ITEMS[0]!.pk}|${ITEMS[0]!.sk}`]);
  });

  it('refuses what it cannot write as DynamoDB Local would: index keys, control characters, a missing key, an unknown table', async () => {
    expect(() => itemRow({ pk: 'a', sk: 'b', gsi1pk: 'VILLAGE#1' }, KEYS)).toThrow(/secondary index \(gsi1pk\)/);
    expect(() => itemRow({ pk: 'a', sk: 'b', note: 'bell \u0007' }, KEYS)).toThrow(/control character/);
    expect(() => itemRow({ pk: 'a' }, KEYS)).toThrow(/needs both pk and sk/);
    const dir = await tempDir();
    await createTable(await start(dir));
    await stop();
    expect(() => openTableFile(join(dir, FILE), 'missing')).toThrow(/has no table missing/);
  });

  it("orders attributes as DynamoDB Local's HashMap does: by bucket, then as inserted, the buckets sized for the attributes", () => {
    expect(javaHashMapOrder(['pk', 'sk', 'entity', 'proposalId', 'kind', 'key', 'hash'])).toEqual(['kind', 'sk', 'pk', 'entity', 'proposalId', 'key', 'hash']);
    // Four buckets for three attributes: "note" comes before "pk", as it would not in sixteen.
    expect(javaHashMapOrder(['pk', 'sk', 'note'])).toEqual(['sk', 'note', 'pk']);
  });
});
