import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { ACTIVE_STATUSES } from '../../domain/lifecycle.ts';
import type { Proposal } from '../../domain/proposal.ts';
import { auditPut, isConditionFailure, newProposalItem, proposalKey, withoutStorageAttributes } from './dynamodb-records-store.ts';
import { ConflictError, type Actor, type StoredProposal } from './records-store.ts';
import type { CaseTarget, RegistryObjection, RegistryObjectionsStore } from './registry-objections-store.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Receipt codes are random, not personal, so they may key the item the reporter checks. */
const receiptKey = (receipt: string) => ({ pk: `RECEIPT#${receipt}`, sk: 'OBJECTION' });

export class DynamoDbRegistryObjectionsStore implements RegistryObjectionsStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async registryRecords(villageCode: string): Promise<StoredProposal[]> {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'registry',
          KeyConditionExpression: 'gsi3pk = :pk',
          ExpressionAttributeValues: { ':pk': `REGISTRY#${villageCode}` },
          ExclusiveStartKey,
        }),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items.map((item) => withoutStorageAttributes<StoredProposal>(item));
  }

  async openCase(caseProposal: Proposal, objection: RegistryObjection, actor: Actor, target: CaseTarget): Promise<void> {
    const at = objection.receivedAt;
    const detail = { receipt: objection.receipt, category: objection.category };
    const items: TransactItem[] = [
      {
        // Still a current registration (not ended by a removal, not replaced by a correction), and free.
        Update: {
          TableName: this.tableName,
          Key: proposalKey(objection.targetId),
          UpdateExpression: 'SET #openCase = :caseId',
          ConditionExpression:
            '#status = :registered AND (attribute_not_exists(#type) OR #type <> :remove) AND attribute_not_exists(#registration) AND ' +
            'attribute_not_exists(#supersededBy)',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#type': 'type',
            '#registration': 'registration',
            '#supersededBy': 'supersededBy',
            '#openCase': 'openCase',
          },
          ExpressionAttributeValues: { ':registered': 'REGISTERED', ':remove': 'REMOVE', ':caseId': caseProposal.id },
        },
      },
      { Put: { TableName: this.tableName, Item: newProposalItem(caseProposal), ConditionExpression: 'attribute_not_exists(pk)' } },
      this.objectionPut(objection),
      auditPut(this.tableName, {
        proposalId: caseProposal.id,
        version: caseProposal.version,
        at,
        actor,
        action: 'CREATED_FROM_OBJECTION',
        to: { status: caseProposal.status, stage: caseProposal.stage },
        detail: { ...detail, target: objection.targetId },
      }),
      auditPut(this.tableName, {
        proposalId: objection.targetId,
        version: target.version,
        at,
        actor,
        action: 'OBJECTION_RECEIVED',
        detail: { ...detail, caseId: caseProposal.id },
      }),
    ];
    // The claim is free, or still names a case that has ended (its release did not happen).
    const claim = items[0]!.Update!;
    claim.ConditionExpression += target.replacing ? ' AND #openCase = :replacing' : ' AND attribute_not_exists(#openCase)';
    if (target.replacing) claim.ExpressionAttributeValues![':replacing'] = target.replacing;
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (isConditionFailure(error, 2)) throw new ConflictError('The receipt is taken', 'RECEIPT_TAKEN');
      if (isConditionFailure(error, 0)) throw new ConflictError('The target changed meanwhile', 'CASE_OPENED_MEANWHILE');
      throw error;
    }
  }

  async attachObjection(objection: RegistryObjection, caseVersion: number, actor: Actor): Promise<void> {
    const open = ACTIVE_STATUSES.map((_, index) => `:open${index}`);
    const items: TransactItem[] = [
      {
        ConditionCheck: {
          TableName: this.tableName,
          Key: proposalKey(objection.targetId),
          ConditionExpression: '#openCase = :caseId',
          ExpressionAttributeNames: { '#openCase': 'openCase' },
          ExpressionAttributeValues: { ':caseId': objection.caseId },
        },
      },
      {
        ConditionCheck: {
          TableName: this.tableName,
          Key: proposalKey(objection.caseId),
          ConditionExpression: `#status IN (${open.join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: Object.fromEntries(ACTIVE_STATUSES.map((status, index) => [open[index], status])),
        },
      },
      this.objectionPut(objection),
      auditPut(this.tableName, {
        proposalId: objection.caseId,
        version: caseVersion,
        at: objection.receivedAt,
        actor,
        action: 'OBJECTION_ATTACHED',
        detail: { receipt: objection.receipt, category: objection.category },
      }),
    ];
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (isConditionFailure(error, 2)) throw new ConflictError('The receipt is taken', 'RECEIPT_TAKEN');
      if (isConditionFailure(error)) throw new ConflictError('The case closed meanwhile', 'CASE_CLOSED_MEANWHILE');
      throw error;
    }
  }

  async getObjection(receipt: string): Promise<RegistryObjection | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: receiptKey(receipt), ConsistentRead: true }));
    return Item ? withoutStorageAttributes<RegistryObjection>(Item) : undefined;
  }

  private objectionPut(objection: RegistryObjection): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: { ...receiptKey(objection.receipt), entity: 'REGISTRY_OBJECTION', ...objection },
        // 40 random bits rarely collide; when they do, the caller draws another receipt.
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }
}
