import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import type { Freeze } from '../../domain/freezes.ts';
import { auditPut, inboxKey, isConditionFailure, taskKey, withoutStorageAttributes } from './dynamodb-records-store.ts';
import type { FreezeAuditEntry, FreezeStore, HeldDecision, StoredTask } from './freeze-store.ts';
import { ConflictError, type Actor } from './records-store.ts';

const ulid = monotonicFactory();

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/*
 * Freezes share the records table: one partition lists the province's freezes (a handful a year), another the
 * decisions they hold, so neither needs an index; a freeze's audit trail is its own partition.
 */
const FREEZES_PK = 'FREEZES';
const HELD_PK = 'HELD_DECISIONS';
const freezeKey = (freezeId: string) => ({ pk: FREEZES_PK, sk: `FREEZE#${freezeId}` });
const heldKey = (taskId: string) => ({ pk: HELD_PK, sk: `TASK#${taskId}` });
const freezeAuditPk = (freezeId: string) => `FREEZE#${freezeId}`;

export class DynamoDbFreezeStore implements FreezeStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async declareFreeze(freeze: Freeze): Promise<void> {
    const written = await this.transact([
      {
        Put: {
          TableName: this.tableName,
          Item: { ...freezeKey(freeze.freezeId), entity: 'FREEZE', ...freeze },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      this.freezeAudit({
        freezeId: freeze.freezeId,
        at: freeze.declaredAt,
        actor: { type: 'user', id: freeze.declaredBy },
        action: 'FREEZE_DECLARED',
        detail: { regionCode: freeze.regionCode, startsAt: freeze.startsAt, endsAt: freeze.endsAt },
      }),
    ]);
    if (!written) throw new ConflictError('The freeze already exists', 'FREEZE_EXISTS');
  }

  async getFreeze(freezeId: string): Promise<Freeze | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: freezeKey(freezeId), ConsistentRead: true }));
    return Item ? withoutStorageAttributes<Freeze>(Item) : undefined;
  }

  async listFreezes(options: { endingAfter?: Date } = {}): Promise<Freeze[]> {
    const after = options.endingAfter?.toISOString();
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ...(after ? { FilterExpression: 'endsAt > :after' } : {}),
      ExpressionAttributeValues: { ':pk': FREEZES_PK, ':prefix': 'FREEZE#', ...(after ? { ':after': after } : {}) },
    });
    return items.map((item) => withoutStorageAttributes<Freeze>(item));
  }

  async endFreeze(freezeId: string, at: string, actor: Actor): Promise<Freeze> {
    const current = await this.getFreeze(freezeId);
    if (!current) throw new ConflictError('The freeze does not exist', 'FREEZE_NOT_FOUND');
    const endedEarly = { at: this.now().toISOString(), by: actor.id, plannedEndsAt: current.endsAt };
    const written = await this.transact([
      {
        Update: {
          TableName: this.tableName,
          Key: freezeKey(freezeId),
          UpdateExpression: 'SET endsAt = :at, endedEarly = :endedEarly',
          // Only a freeze still running as read: an end that raced this one wins, and this one is refused.
          ConditionExpression: 'endsAt = :planned AND endsAt > :at',
          ExpressionAttributeValues: { ':at': at, ':planned': current.endsAt, ':endedEarly': endedEarly },
        },
      },
      this.freezeAudit({ freezeId, at: endedEarly.at, actor, action: 'FREEZE_ENDED_EARLY', detail: { endsAt: at, plannedEndsAt: current.endsAt } }),
    ]);
    if (!written) throw new ConflictError('The freeze has already ended', 'FREEZE_ALREADY_ENDED');
    return { ...current, endsAt: at, endedEarly };
  }

  async freezeAuditTrail(freezeId: string): Promise<FreezeAuditEntry[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': freezeAuditPk(freezeId), ':prefix': 'AUDIT#' },
    });
    return items.map((item) => withoutStorageAttributes<FreezeAuditEntry>(item));
  }

  async holdDecision(taskId: string, decision: HeldDecision, freeze: Pick<Freeze, 'freezeId' | 'endsAt'>, actor: Actor): Promise<StoredTask> {
    const task = await this.getTask(taskId);
    if (!task) throw new ConflictError('The task does not exist', 'TASK_NOT_FOUND');
    const written = await this.transact([
      // It stays in the inbox, so approvers see it waiting and why.
      this.taskUpdate(taskId, 'SET #status = :held, decision = :decision, heldBy = :freezeId', '#status = :pending', {
        ':held': 'HELD',
        ':pending': 'PENDING',
        ':decision': decision,
        ':freezeId': freeze.freezeId,
      }),
      this.heldMarker(task),
      this.taskAudit(task, decision.decidedAt, actor, 'DECISION_HELD', {
        decision: decision.decision,
        ...(decision.reason ? { reason: decision.reason } : {}),
        freezeId: freeze.freezeId,
        freezeEndsAt: freeze.endsAt,
      }),
    ]);
    if (!written) throw new ConflictError('The task was already decided', 'TASK_ALREADY_DECIDED');
    return { ...task, status: 'HELD', decision };
  }

  async heldDecisions(): Promise<{ taskId: string; villageCode: string }[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': HELD_PK },
      ProjectionExpression: 'taskId, villageCode',
    });
    return items.map((item) => ({ taskId: String(item.taskId), villageCode: String(item.villageCode) }));
  }

  async claimHeldDecision(taskId: string, actor: Actor): Promise<StoredTask | undefined> {
    const task = await this.getTask(taskId);
    if (!task || task.status !== 'HELD') return undefined;
    const releasedAt = this.now().toISOString();
    const claimed = await this.transact([
      this.taskUpdate(taskId, 'SET #status = :decided, releasedAt = :at REMOVE gsi2pk, gsi2sk', '#status = :held', {
        ':decided': 'DECIDED',
        ':held': 'HELD',
        ':at': releasedAt,
      }),
      { Delete: { TableName: this.tableName, Key: heldKey(taskId) } },
      this.taskAudit(task, releasedAt, actor, 'DECISION_RELEASED', { decision: task.decision?.decision }),
    ]);
    if (!claimed) return undefined;
    // The token as it was when claimed; a lapse in between is caught by resuming (it waits for the next token).
    return { ...task, status: 'DECIDED' };
  }

  async restoreHeldDecision(task: StoredTask): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          this.taskUpdate(
            task.taskId,
            'SET #status = :held, gsi2pk = :gsi2pk, gsi2sk = :gsi2sk REMOVE releasedAt',
            '#status = :decided AND attribute_exists(releasedAt)',
            { ':held': 'HELD', ':decided': 'DECIDED', ':gsi2pk': inboxKey(task.tier, task.regionCode), ':gsi2sk': `${task.dueAt}#${task.taskId}` },
          ),
          this.heldMarker(task),
        ],
      }),
    );
  }

  async pauseTask(
    task: Pick<StoredTask, 'taskId' | 'proposalId' | 'version' | 'token' | 'tier'>,
    change: { token: string; dueAt: string; pausedMs: number },
    actor: Actor,
  ): Promise<StoredTask> {
    const at = this.now().toISOString();
    const written = await this.transact([
      this.taskUpdate(
        task.taskId,
        'SET #token = :token, dueAt = :dueAt, gsi2sk = :gsi2sk, lastPausedAt = :at ADD pausedMs :ms',
        '#token = :previous AND #status IN (:pending, :held)',
        {
          ':token': change.token,
          ':previous': task.token,
          ':dueAt': change.dueAt,
          ':gsi2sk': `${change.dueAt}#${task.taskId}`,
          ':at': at,
          ':ms': change.pausedMs,
          ':pending': 'PENDING',
          ':held': 'HELD',
        },
        { '#token': 'token' },
      ),
      this.taskAudit(task, at, actor, 'SLA_PAUSED', { pausedMs: change.pausedMs, dueAt: change.dueAt }),
    ]);
    if (!written) throw new ConflictError('The task changed while its SLA was paused', 'TASK_STATE_CHANGED');
    return (await this.getTask(task.taskId))!;
  }

  private async getTask(taskId: string): Promise<StoredTask | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: taskKey(taskId), ConsistentRead: true }));
    return Item ? withoutStorageAttributes<StoredTask>(Item) : undefined;
  }

  /** Writes `items` in one transaction; false when the first item's condition failed (the caller names the conflict). */
  private async transact(items: TransactItem[]): Promise<boolean> {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      if (isConditionFailure(error, 0)) return false;
      throw error;
    }
  }

  /** A conditional change to a task item; `#status` is always there to name. */
  private taskUpdate(taskId: string, update: string, condition: string, values: Record<string, unknown>, names: Record<string, string> = {}): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: taskKey(taskId),
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#status': 'status', ...names },
        ExpressionAttributeValues: values,
      },
    };
  }

  /** The task's entry on the held-decisions list the release reads. */
  private heldMarker(task: Pick<StoredTask, 'taskId' | 'villageCode'>): TransactItem {
    const item = { ...heldKey(task.taskId), entity: 'HELD_DECISION', taskId: task.taskId, villageCode: task.villageCode };
    return { Put: { TableName: this.tableName, Item: item } };
  }

  /** The proposal's audit entry for a change to one of its tasks. */
  private taskAudit(
    task: Pick<StoredTask, 'taskId' | 'proposalId' | 'version' | 'tier'>,
    at: string,
    actor: Actor,
    action: string,
    detail: Record<string, unknown>,
  ): TransactItem {
    const { proposalId, version } = task;
    return auditPut(this.tableName, { proposalId, version, at, actor, action, detail: { taskId: task.taskId, tier: task.tier, ...detail } });
  }

  private freezeAudit(entry: FreezeAuditEntry): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: { pk: freezeAuditPk(entry.freezeId), sk: `AUDIT#${entry.at}#${ulid()}`, entity: 'FREEZE_AUDIT', ...entry },
      },
    };
  }

  private async queryAll(input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>) {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({ TableName: this.tableName, ConsistentRead: true, ...input, ...(start ? { ExclusiveStartKey: start } : {}) }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
