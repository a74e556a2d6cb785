import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CompletedChange, CutoffId } from '../../domain/cutoff.ts';
import { isConditionFailure, withoutStorageAttributes } from './dynamodb-records-store.ts';
import type { ExportRecord, ExportsStore } from './exports-store.ts';

/** Every export of the province in one partition, by cut-off month: a dozen items a year, listed newest first. */
const EXPORTS_PK = 'EXPORTS';
const exportKey = (cutoff: CutoffId) => ({ pk: EXPORTS_PK, sk: `EXPORT#${cutoff}` });

export class DynamoDbExportsStore implements ExportsStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async changesBetween(provinceCode: string, from: string, to: string): Promise<CompletedChange[]> {
    const changes: CompletedChange[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      // gsi5sk is `<completedAt>#<id>`: BETWEEN from AND to takes `from` itself and stops before `to` (the suffix
      // sorts a change completed exactly at `to` after it), so adjacent windows never share a change.
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'changes',
          KeyConditionExpression: 'gsi5pk = :pk AND gsi5sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': `CHANGES#${provinceCode}`, ':from': from, ':to': to },
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) changes.push(withoutStorageAttributes<CompletedChange>(item));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return changes;
  }

  async getExport(cutoff: CutoffId): Promise<ExportRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: exportKey(cutoff), ConsistentRead: true }));
    return Item ? withoutStorageAttributes<ExportRecord>(Item) : undefined;
  }

  async createExport(record: ExportRecord): Promise<{ created: true } | { created: false; existing: ExportRecord }> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...exportKey(record.cutoff), entity: 'EXPORT', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.getExport(record.cutoff);
      if (!existing) throw error;
      return { created: false, existing };
    }
  }

  async markPublished(cutoff: CutoffId): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: exportKey(cutoff),
        UpdateExpression: 'SET published = :true',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':true': true },
      }),
    );
  }

  async listExports(limit: number): Promise<ExportRecord[]> {
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': EXPORTS_PK, ':prefix': 'EXPORT#' },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (Items ?? []).map((item) => withoutStorageAttributes<ExportRecord>(item));
  }
}
