import { BatchWriteItemCommand, CreateTableCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';

/**
 * Puts string-attributed items 25 to a BatchWriteItem, `concurrency` requests at once, retrying what DynamoDB
 * leaves unprocessed. `onBatch` hears of every batch once all its items are stored.
 */
export async function writeItems(
  client: DynamoDBClient,
  tableName: string,
  items: readonly Record<string, string>[],
  { concurrency, onBatch }: { concurrency: number; onBatch?: (written: number) => void },
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  for (let from = 0; from < items.length; from += 25) {
    const batch = items.slice(from, from + 25);
    const sending = writeBatch(client, tableName, batch).then(() => onBatch?.(batch.length));
    const tracked = sending.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

async function writeBatch(client: DynamoDBClient, tableName: string, items: readonly Record<string, string>[]): Promise<void> {
  let pending: WriteRequest[] = items.map((item) => ({
    PutRequest: { Item: Object.fromEntries(Object.entries(item).map(([name, value]) => [name, { S: value }])) },
  }));
  for (let attempt = 0; pending.length > 0; attempt++) {
    const answer = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
    pending = answer.UnprocessedItems?.[tableName] ?? [];
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
  }
}

/** An on-demand table keyed by string `pk` and `sk`, as the records table is, without its indexes. */
export async function createKeyedTable(client: DynamoDBClient, tableName: string): Promise<string> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  return tableName;
}
