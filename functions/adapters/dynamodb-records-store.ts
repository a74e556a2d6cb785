import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  DeleteCommand,
  BatchGetCommand,
  type TransactWriteCommandInput,
  type BatchGetCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { monotonicFactory } from 'ulid';
import type { Proposal } from '../../domain/proposal.ts';
import type { Tier } from '../../domain/province-config.ts';
import {
  ConflictError,
  type Actor,
  type ApprovalTask,
  type AuditEntry,
  type IdentityLock,
  type LockConflict,
  type LockHolder,
  type Objection,
  type PhotoIndexEntry,
  type ProposalChange,
  type RecordsStore,
} from './records-store.ts';

/** Monotonic, so audit entries written in the same millisecond keep their order. */
const ulid = monotonicFactory();

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const proposalKey = (proposalId: string) => ({ pk: `PROPOSAL#${proposalId}`, sk: 'PROPOSAL' });
const lockKey = (lock: Pick<IdentityLock, 'kind' | 'hash'>) => ({ pk: `${lock.kind}#${lock.hash}`, sk: 'LOCK' });
const taskKey = (taskId: string) => ({ pk: `TASK#${taskId}`, sk: 'TASK' });
const inboxKey = (tier: Tier, regionCode: string) => `INBOX#${tier}#${regionCode}`;

/** Attributes that only serve the table's keys and indexes, stripped before a record leaves the adapter. */
const STORAGE_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'entity'];

function withoutStorageAttributes<T>(item: Record<string, unknown>): T {
  const copy = { ...item };
  for (const name of STORAGE_ATTRIBUTES) delete copy[name];
  return copy as T;
}

function auditPut(tableName: string, entry: AuditEntry): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: { pk: `PROPOSAL#${entry.proposalId}`, sk: `AUDIT#${entry.at}#${ulid()}`, entity: 'AUDIT', ...entry },
    },
  };
}

function isConditionFailure(error: unknown, index?: number): boolean {
  if (error instanceof ConditionalCheckFailedException) return true;
  if (error instanceof TransactionCanceledException) {
    const reasons = error.CancellationReasons ?? [];
    return index === undefined
      ? reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')
      : reasons[index]?.Code === 'ConditionalCheckFailed';
  }
  return false;
}

export class DynamoDbRecordsStore implements RecordsStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async createProposal(proposal: Proposal, audit: { actor: Actor; action: string }): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: { ...proposalKey(proposal.id), entity: 'PROPOSAL', ...this.villageIndex(proposal), ...proposal },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          auditPut(this.tableName, {
            proposalId: proposal.id,
            version: proposal.version,
            at: proposal.createdAt,
            actor: audit.actor,
            action: audit.action,
            to: { status: proposal.status, stage: proposal.stage },
          }),
        ],
      }),
    ).catch((error: unknown) => {
      if (isConditionFailure(error, 0)) throw new ConflictError('The proposal already exists', 'PROPOSAL_EXISTS');
      throw error;
    });
  }

  async getProposal(proposalId: string) {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: proposalKey(proposalId), ConsistentRead: true }),
    );
    return Item ? withoutStorageAttributes<Proposal & { locks?: IdentityLock[] }>(Item) : undefined;
  }

  async changeProposal(proposalId: string, change: ProposalChange): Promise<Proposal> {
    const current = await this.mustGet(proposalId);
    await this.transact([this.proposalUpdate(proposalId, change), this.auditFor(current, change)], proposalId);
    return this.mustGet(proposalId);
  }

  async auditTrail(proposalId: string): Promise<AuditEntry[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `PROPOSAL#${proposalId}`, ':prefix': 'AUDIT#' },
    });
    return items.map((item) => withoutStorageAttributes<AuditEntry>(item));
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.client.send(new PutCommand(auditPut(this.tableName, entry).Put!));
  }

  async acquireLocks(proposalId: string, locks: IdentityLock[]): Promise<{ conflicts: LockConflict[] }> {
    if (locks.length === 0) return { conflicts: [] };
    // A holder can release between the cancelled transaction and the read of holders: then try again.
    for (let attempt = 1; ; attempt++) {
      if (await this.tryLocks(proposalId, locks)) return { conflicts: [] };
      const conflicts = await this.lockConflicts(proposalId, locks);
      if (conflicts.length > 0) return { conflicts };
      if (attempt === 3) throw new ConflictError('Identity locks kept changing while being taken', 'LOCKS_CONTENDED');
    }
  }

  private async tryLocks(proposalId: string, locks: IdentityLock[]): Promise<boolean> {
    const takenAt = this.now().toISOString();
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: locks.map((lock) => ({
            Put: {
              TableName: this.tableName,
              Item: { ...lockKey(lock), entity: 'LOCK', holderProposalId: proposalId, state: 'ACTIVE', takenAt },
              // Re-taking our own active lock keeps a retried stage idempotent.
              ConditionExpression: 'attribute_not_exists(pk) OR (holderProposalId = :me AND #state = :active)',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: { ':me': proposalId, ':active': 'ACTIVE' },
            },
          })),
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  async releaseLocks(proposalId: string, locks: IdentityLock[]): Promise<void> {
    await Promise.all(
      locks.map((lock) =>
        this.client
          .send(
            new DeleteCommand({
              TableName: this.tableName,
              Key: lockKey(lock),
              ConditionExpression: 'holderProposalId = :me AND #state = :active',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: { ':me': proposalId, ':active': 'ACTIVE' },
            }),
          )
          .catch((error: unknown) => {
            // Not ours, already released or registered: nothing to release.
            if (!isConditionFailure(error)) throw error;
          }),
      ),
    );
  }

  async register(proposalId: string, change: ProposalChange, registeredAt: string): Promise<Proposal> {
    const proposal = await this.mustGet(proposalId);
    const lockUpdates: TransactItem[] = (proposal.locks ?? []).map((lock) => ({
      Update: {
        TableName: this.tableName,
        Key: lockKey(lock),
        UpdateExpression: 'SET #state = :registered, registeredAt = :at',
        ConditionExpression: 'holderProposalId = :me',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':registered': 'REGISTERED', ':at': registeredAt, ':me': proposalId },
      },
    }));
    const update = this.proposalUpdate(proposalId, change, {
      gsi3pk: `REGISTRY#${proposal.villageCode}`,
      gsi3sk: `${registeredAt}#${proposalId}`,
      registeredAt,
    });
    await this.transact([update, this.auditFor(proposal, change), ...lockUpdates], proposalId);
    return this.mustGet(proposalId);
  }

  async registryOf(villageCode: string) {
    const items = await this.queryAll({
      IndexName: 'registry',
      KeyConditionExpression: 'gsi3pk = :pk',
      ExpressionAttributeValues: { ':pk': `REGISTRY#${villageCode}` },
    });
    return items.map((item) => ({ proposalId: item.id as string, registeredAt: item.registeredAt as string }));
  }

  async findPhotos(bandKeys: string[]): Promise<PhotoIndexEntry[]> {
    const pages = await Promise.all(
      bandKeys.map((band) =>
        this.queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `PHASH#${band}` } }),
      ),
    );
    const unique = new Map<string, PhotoIndexEntry>();
    for (const item of pages.flat()) {
      const entry = { proposalId: item.proposalId, kind: item.kind, key: item.key, hash: item.hash } as PhotoIndexEntry;
      unique.set(`${entry.proposalId}#${entry.key}`, entry);
    }
    return [...unique.values()];
  }

  async indexPhoto(bandKeys: string[], entry: PhotoIndexEntry): Promise<void> {
    await Promise.all(
      bandKeys.map((band) =>
        this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { pk: `PHASH#${band}`, sk: `${entry.proposalId}#${entry.key}`, entity: 'PHOTO_HASH', ...entry },
          }),
        ),
      ),
    );
  }

  async listObjections(proposalId: string): Promise<Objection[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `PROPOSAL#${proposalId}`, ':prefix': 'OBJECTION#' },
    });
    return items.map((item) => withoutStorageAttributes<Objection>(item));
  }

  async addObjection(objection: Objection): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `PROPOSAL#${objection.proposalId}`,
          sk: `OBJECTION#${objection.objectionId}`,
          entity: 'OBJECTION',
          ...objection,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async openOrEscalateTask(
    task: Omit<ApprovalTask, 'status' | 'escalations'>,
    token: string,
    escalatedTo: Tier,
  ): Promise<{ outcome: 'opened' | 'escalated' | 'redelivered' | 'unchanged'; task: ApprovalTask }> {
    const opened: ApprovalTask = { ...task, status: 'PENDING', escalations: 0 };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...taskKey(task.taskId),
            entity: 'TASK',
            gsi2pk: inboxKey(task.tier, task.regionCode),
            gsi2sk: `${task.dueAt}#${task.taskId}`,
            ...opened,
            token,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { outcome: 'opened', task: opened };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    // A decision can land between the read and the write; read again and take the other branch.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.escalateOrRedeliver(task, token, escalatedTo);
      } catch (error) {
        if (!isConditionFailure(error) || attempt === 3) throw error;
      }
    }
  }

  private async escalateOrRedeliver(
    task: Omit<ApprovalTask, 'status' | 'escalations'>,
    token: string,
    escalatedTo: Tier,
  ): Promise<{ outcome: 'escalated' | 'redelivered' | 'unchanged'; task: ApprovalTask }> {
    const existing = await this.getTask(task.taskId);
    if (!existing) throw new ConflictError('The task vanished while it was being opened', 'TASK_MISSING');
    const { token: storedToken, ...stored } = existing;
    if (storedToken === token) return { outcome: 'unchanged', task: stored };
    if (stored.status === 'DECIDED') {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: taskKey(task.taskId),
          UpdateExpression: 'SET #token = :token',
          ConditionExpression: '#token = :previous',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':token': token, ':previous': storedToken },
        }),
      );
      return { outcome: 'redelivered', task: stored };
    }
    // A new token for a pending task means its SLA lapsed and the workflow asked again.
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: taskKey(task.taskId),
        UpdateExpression:
          'SET #token = :token, dueAt = :dueAt, gsi2sk = :gsi2sk, overdue = :true, escalatedTo = :escalatedTo, lastEscalatedAt = :now ADD escalations :one',
        ConditionExpression: '#token = :previous AND #status = :pending',
        ExpressionAttributeNames: { '#token': 'token', '#status': 'status' },
        ExpressionAttributeValues: {
          ':token': token,
          ':previous': storedToken,
          ':pending': 'PENDING',
          ':dueAt': task.dueAt,
          ':gsi2sk': `${task.dueAt}#${task.taskId}`,
          ':true': true,
          ':escalatedTo': escalatedTo,
          ':now': this.now().toISOString(),
          ':one': 1,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const { token: _newToken, ...escalated } = withoutStorageAttributes<ApprovalTask & { token: string }>(Attributes!);
    return { outcome: 'escalated', task: escalated };
  }

  async getTask(taskId: string) {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: taskKey(taskId), ConsistentRead: true }),
    );
    return Item ? withoutStorageAttributes<ApprovalTask & { token: string }>(Item) : undefined;
  }

  async recordDecision(taskId: string, decision: NonNullable<ApprovalTask['decision']>) {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: taskKey(taskId),
          UpdateExpression: 'SET #status = :decided, decision = :decision REMOVE gsi2pk, gsi2sk',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':decided': 'DECIDED', ':pending': 'PENDING', ':decision': decision },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return withoutStorageAttributes<ApprovalTask & { token: string }>(Attributes!);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.getTask(taskId);
      throw new ConflictError(
        existing ? 'The task was already decided' : 'The task does not exist',
        existing ? 'TASK_ALREADY_DECIDED' : 'TASK_NOT_FOUND',
      );
    }
  }

  async pendingTasks(tier: Tier, regionCode: string): Promise<ApprovalTask[]> {
    const items = await this.queryAll({
      IndexName: 'inbox',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': inboxKey(tier, regionCode) },
    });
    return items.map((item) => {
      const { token: _token, ...task } = withoutStorageAttributes<ApprovalTask & { token: string }>(item);
      return task;
    });
  }

  private villageIndex(proposal: Pick<Proposal, 'villageCode' | 'status' | 'updatedAt'>) {
    return { gsi1pk: `VILLAGE#${proposal.villageCode}`, gsi1sk: `${proposal.status}#${proposal.updatedAt}` };
  }

  private proposalUpdate(proposalId: string, change: ProposalChange, extra: Record<string, unknown> = {}): TransactItem {
    const updatedAt = this.now().toISOString();
    const values: Record<string, unknown> = {
      status: change.status,
      stage: change.stage,
      updatedAt,
      gsi1sk: `${change.status}#${updatedAt}`,
      ...extra,
    };
    for (const field of ['tier', 'reasons', 'flags', 'review', 'locks', 'failure'] as const) {
      if (change[field] !== undefined) values[field] = change[field];
    }
    const removed = Object.entries(values)
      .filter(([, value]) => value === null)
      .map(([name]) => name);
    const set = Object.entries(values).filter(([, value]) => value !== null);
    const names: Record<string, string> = { '#status': 'status', '#version': 'version' };
    const expressionValues: Record<string, unknown> = { ':version': change.expect.version };
    set.forEach(([name, value]) => {
      names[`#${name}`] = name;
      expressionValues[`:${name}`] = value;
    });
    removed.forEach((name) => (names[`#${name}`] = name));
    change.expect.status.forEach((status, index) => (expressionValues[`:expected${index}`] = status));
    const expected = change.expect.status.map((_, index) => `:expected${index}`).join(', ');
    return {
      Update: {
        TableName: this.tableName,
        Key: proposalKey(proposalId),
        UpdateExpression:
          `SET ${set.map(([name]) => `#${name} = :${name}`).join(', ')}` +
          (removed.length ? ` REMOVE ${removed.map((name) => `#${name}`).join(', ')}` : ''),
        ConditionExpression: `#version = :version AND #status IN (${expected})`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: expressionValues,
      },
    };
  }

  /** The audit entry for a change, from the state read just before it (the change's condition checks its status). */
  private auditFor(current: Proposal, change: ProposalChange): TransactItem {
    return auditPut(this.tableName, {
      proposalId: current.id,
      version: change.expect.version,
      at: this.now().toISOString(),
      actor: change.audit.actor,
      action: change.audit.action,
      from: { status: current.status, stage: current.stage },
      to: { status: change.status, stage: change.stage },
      ...(change.audit.detail ? { detail: change.audit.detail } : {}),
    });
  }

  private async transact(items: TransactItem[], proposalId: string): Promise<void> {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new ConflictError(`Proposal ${proposalId} changed meanwhile or is not in the expected state`, 'PROPOSAL_STATE_CHANGED');
      }
      throw error;
    }
  }

  private async mustGet(proposalId: string) {
    const proposal = await this.getProposal(proposalId);
    if (!proposal) throw new ConflictError(`Proposal ${proposalId} does not exist`, 'PROPOSAL_NOT_FOUND');
    return proposal;
  }

  private async lockConflicts(proposalId: string, locks: IdentityLock[]): Promise<LockConflict[]> {
    // Read the holders rather than trusting cancellation reasons, whose item payloads not every engine returns.
    const holders = new Map<string, LockHolder>();
    let keys: Record<string, unknown>[] | undefined = locks.map(lockKey);
    while (keys && keys.length > 0) {
      const { Responses, UnprocessedKeys }: BatchGetCommandOutput = await this.client.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of Responses?.[this.tableName] ?? []) {
        holders.set(item.pk as string, { proposalId: item.holderProposalId, state: item.state });
      }
      keys = UnprocessedKeys?.[this.tableName]?.Keys;
    }
    return locks.flatMap((lock) => {
      const holder = holders.get(lockKey(lock).pk);
      if (!holder || (holder.proposalId === proposalId && holder.state === 'ACTIVE')) return [];
      return [{ ...lock, holder }];
    });
  }

  private async queryAll(input: {
    IndexName?: string;
    KeyConditionExpression: string;
    ExpressionAttributeValues: Record<string, unknown>;
  }): Promise<Record<string, any>[]> {
    const items: Record<string, any>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({ TableName: this.tableName, ...input, ExclusiveStartKey }),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }
}
