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
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { monotonicFactory } from 'ulid';
import type { Stage } from '../../domain/lifecycle.ts';
import { ProposalInputSchema, type Proposal, type ProposalInput } from '../../domain/proposal.ts';
import type { Tier } from '../../domain/province-config.ts';
import { removalScope, type Registration, type RegistryState } from '../../domain/proposal-types.ts';
import { REGION_CODE_PATTERNS } from '../../domain/regions.ts';
import {
  ConflictError,
  IdempotencyKeyUsed,
  ImportOutcomeRecorded,
  InvalidCursorError,
  importCounts,
  type ImportCounts,
  type Actor,
  type ApprovalTask,
  type AuditEntry,
  type CreateProposalOptions,
  type IdempotencyRecord,
  type IdentityLock,
  type ImportJob,
  type ImportOutcome,
  type LockConflict,
  type LockHolder,
  type Objection,
  type PhotoIndexEntry,
  type ProposalChange,
  type ProposalQuery,
  type ProposalTiming,
  type RecordsStore,
  type RegistryEntry,
  type RevisedRecord,
  type StoredProposal,
} from './records-store.ts';

/** Monotonic, so audit entries written in the same millisecond keep their order. */
const ulid = monotonicFactory();

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export const proposalKey = (proposalId: string) => ({ pk: `PROPOSAL#${proposalId}`, sk: 'PROPOSAL' });
const lockKey = (lock: Pick<IdentityLock, 'kind' | 'hash'>) => ({ pk: `${lock.kind}#${lock.hash}`, sk: 'LOCK' });
export const taskKey = (taskId: string) => ({ pk: `TASK#${taskId}`, sk: 'TASK' });
export const inboxKey = (tier: Tier, regionCode: string) => `INBOX#${tier}#${regionCode}`;

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');
/** Keys chosen by clients (idempotency keys, rate-limit subjects) only ever reach the table hashed. */
const idempotencyKey = (key: string) => ({ pk: `IDEMPOTENCY#${sha256(key)}`, sk: 'IDEMPOTENCY' });
const rateKey = (subject: string, windowStart: number) => ({ pk: `RATE#${sha256(subject)}#${windowStart}`, sk: 'RATE' });
const importKey = (importId: string) => ({ pk: `IMPORT#${importId}`, sk: 'IMPORT' });
const photoIndexKey = (band: string, entry: Pick<PhotoIndexEntry, 'proposalId' | 'key'>) => ({
  pk: `PHASH#${band}`,
  sk: `${entry.proposalId}#${entry.key}`,
});
/** The item indexPhoto writes for one band key of a photo (the photo-lookup bench loads the same items). */
export const photoIndexItem = (band: string, entry: PhotoIndexEntry) => ({ ...photoIndexKey(band, entry), entity: 'PHOTO_HASH', ...entry });
/** By the household's first row (padded, so outcomes come back in file order), never by its reference: that may be a KK. */
const outcomeKey = (importId: string, rows: readonly number[]) => ({
  pk: `IMPORT#${importId}`,
  sk: `OUTCOME#${String(Math.min(...rows)).padStart(8, '0')}`,
});

/** byRegion: every proposal of the province, by village code, then id (a ULID, so creation order). */
const regionIndex = (proposal: Pick<Proposal, 'provinceCode' | 'villageCode' | 'id'>) => ({
  gsi4pk: `REGION#${proposal.provinceCode}`,
  gsi4sk: `${proposal.villageCode}#${proposal.id}`,
});

/** byVillage: a village's proposals by status, then last change. */
const villageIndex = (proposal: Pick<Proposal, 'villageCode' | 'status' | 'updatedAt'>) => ({
  gsi1pk: `VILLAGE#${proposal.villageCode}`,
  gsi1sk: `${proposal.status}#${proposal.updatedAt}`,
});

/** A new proposal's item, with its keys, indexes and stage clock; other stores put it in their own transactions. */
export const newProposalItem = (proposal: Proposal) => ({
  ...proposalKey(proposal.id),
  entity: 'PROPOSAL',
  ...villageIndex(proposal),
  ...regionIndex(proposal),
  ...proposal,
  stageEnteredAt: proposal.createdAt,
  stageDays: {},
});

/** registry: a village's registered records, by registration time. */
const registryIndex = (proposal: Pick<Proposal, 'villageCode' | 'id'>, registeredAt: string) => ({
  gsi3pk: `REGISTRY#${proposal.villageCode}`,
  gsi3sk: `${registeredAt}#${proposal.id}`,
  registeredAt,
});

/** changes: every approved proposal of the province by completion time, for the monthly cut-off. */
const completion = (proposal: Pick<Proposal, 'provinceCode' | 'id'>, completedAt: string) => ({
  completedAt,
  gsi5pk: `CHANGES#${proposal.provinceCode}`,
  gsi5sk: `${completedAt}#${proposal.id}`,
});

/** Attributes that only serve the table's keys and indexes, stripped before a record leaves the adapter. */
const STORAGE_ATTRIBUTES = [
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'gsi3pk',
  'gsi3sk',
  'gsi4pk',
  'gsi4sk',
  'gsi5pk',
  'gsi5sk',
  'entity',
];

const INPUT_KEYS = Object.keys(ProposalInputSchema.shape) as (keyof ProposalInput)[];

/** The attributes a revision or a draft edit writes: the record, and a correction or removal when given. */
const recordFields = (record: RevisedRecord): Record<string, unknown> => ({
  ...Object.fromEntries(INPUT_KEYS.map((key) => [key, record[key]])),
  ...(record.correction ? { correction: record.correction } : {}),
  ...(record.removal ? { removal: record.removal } : {}),
});

/** Reads per listProposals page, so a selective status filter cannot make one request read the whole region. */
const MAX_LIST_READS = 10;
/** Items evaluated per read when a status filter may drop most of them. */
const FILTERED_READ_SIZE = 100;
const MAX_CURSOR_LENGTH = 2048;
const DAY_MS = 86_400_000;

/** The byRegion key range of a region (or of one village in it); undefined when the village is outside the region. */
function regionScope(region: string, villageCode?: string): { pk: string; prefix: string } | undefined {
  if (!Object.values(REGION_CODE_PATTERNS).some((pattern) => pattern.test(region))) {
    throw new RangeError(`Not a Kemendagri region code: ${JSON.stringify(region)}`);
  }
  const pk = `REGION#${region.slice(0, 2)}`;
  const isVillage = REGION_CODE_PATTERNS.village.test(region);
  if (villageCode !== undefined) {
    const inside = isVillage ? villageCode === region : villageCode.startsWith(`${region}.`);
    if (!inside || !REGION_CODE_PATTERNS.village.test(villageCode)) return undefined;
    return { pk, prefix: `${villageCode}#` };
  }
  return { pk, prefix: isVillage ? `${region}#` : `${region}.` };
}

type RegionCursorKey = { pk: string; sk: string; gsi4pk: string; gsi4sk: string };

function encodeCursor(key: Record<string, unknown>): string {
  const { pk, sk, gsi4pk, gsi4sk } = key as RegionCursorKey;
  return Buffer.from(JSON.stringify({ pk, sk, gsi4pk, gsi4sk }), 'utf8').toString('base64url');
}

/** The start key a cursor stands for, if it is one this store handed out for a query in `scope`. */
function decodeCursor(cursor: string, scope: { pk: string; prefix: string }): RegionCursorKey {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw new InvalidCursorError();
  }
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw new InvalidCursorError();
  const entries = Object.entries(key);
  const names = entries.map(([name]) => name).sort();
  if (names.join(',') !== 'gsi4pk,gsi4sk,pk,sk' || entries.some(([, value]) => typeof value !== 'string')) {
    throw new InvalidCursorError();
  }
  const { pk, sk, gsi4pk, gsi4sk } = key as RegionCursorKey;
  const proposalId = gsi4sk.slice(gsi4sk.lastIndexOf('#') + 1);
  if (gsi4pk !== scope.pk || !gsi4sk.startsWith(scope.prefix) || sk !== 'PROPOSAL' || pk !== `PROPOSAL#${proposalId}`) {
    throw new InvalidCursorError();
  }
  return { pk, sk, gsi4pk, gsi4sk };
}

const roundDays = (days: number) => Math.round(days * 1000) / 1000;

/** A condition and the values it needs, to AND into an update's ConditionExpression. */
type Guard = { expression: string; names: Record<string, string>; values: Record<string, unknown> };

/**
 * When the stage changes, the time since the proposal entered its current stage moves into stageDays and the new
 * stage starts now. The update is guarded on the stage entry the elapsed time was computed from, so a change that
 * raced this one cannot be counted twice. (A record from before stage times were kept starts counting now.)
 */
function stageTimes(current: StoredProposal, nextStage: Stage, at: Date): { values: Record<string, unknown>; guard?: Guard } {
  if (current.stage === nextStage) return { values: {} };
  const stageDays = { ...(current.stageDays ?? {}) };
  const names = { '#stage': 'stage', '#stageEnteredAt': 'stageEnteredAt' };
  if (current.stageEnteredAt === undefined) {
    return {
      values: { stageDays, stageEnteredAt: at.toISOString() },
      guard: { expression: '#stage = :fromStage AND attribute_not_exists(#stageEnteredAt)', names, values: { ':fromStage': current.stage } },
    };
  }
  const elapsed = Math.max(0, (at.getTime() - Date.parse(current.stageEnteredAt)) / DAY_MS);
  stageDays[current.stage] = roundDays((stageDays[current.stage] ?? 0) + elapsed);
  return {
    values: { stageDays, stageEnteredAt: at.toISOString() },
    guard: {
      expression: '#stage = :fromStage AND #stageEnteredAt = :enteredBefore',
      names,
      values: { ':fromStage': current.stage, ':enteredBefore': current.stageEnteredAt },
    },
  };
}

/** SET for the defined values, REMOVE for the null ones, every name through a placeholder (status, key, rows ... are reserved). */
function updateOf(values: Record<string, unknown>): Pick<Guard, 'names' | 'values'> & { expression: string } {
  const set = Object.entries(values).filter(([, value]) => value !== null && value !== undefined);
  const removed = Object.entries(values)
    .filter(([, value]) => value === null)
    .map(([name]) => name);
  const names: Record<string, string> = {};
  const expressionValues: Record<string, unknown> = {};
  set.forEach(([name, value]) => {
    names[`#${name}`] = name;
    expressionValues[`:${name}`] = value;
  });
  removed.forEach((name) => (names[`#${name}`] = name));
  const expression =
    `SET ${set.map(([name]) => `#${name} = :${name}`).join(', ')}` +
    (removed.length ? ` REMOVE ${removed.map((name) => `#${name}`).join(', ')}` : '');
  return { expression, names, values: expressionValues };
}

export function withoutStorageAttributes<T>(item: Record<string, unknown>): T {
  const copy = { ...item };
  for (const name of STORAGE_ATTRIBUTES) delete copy[name];
  return copy as T;
}

export function auditPut(tableName: string, entry: AuditEntry): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: { pk: `PROPOSAL#${entry.proposalId}`, sk: `AUDIT#${entry.at}#${ulid()}`, entity: 'AUDIT', ...entry },
    },
  };
}

/** A transaction cancelled because another one touched the same item at the same time: worth trying again. */
export function isTransactionConflict(error: unknown): boolean {
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict') &&
    !(error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed')
  );
}

/** A short, growing, jittered pause before trying a conflicted transaction again. */
const conflictBackoff = (attempt: number) => sleep(Math.round((10 + Math.random() * 20) * 2 ** attempt));
const TRANSACTION_ATTEMPTS = 6;

export function isConditionFailure(error: unknown, index?: number): boolean {
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

  async createProposal(
    proposal: Proposal,
    audit: { actor: Actor; action: string },
    options: CreateProposalOptions = {},
  ): Promise<void> {
    const { idempotency, importOutcome } = options;
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: newProposalItem(proposal),
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
    ];
    if (idempotency) {
      if (!Number.isInteger(idempotency.expiresAt)) throw new RangeError('expiresAt must be in whole epoch seconds');
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            ...idempotencyKey(idempotency.key),
            entity: 'IDEMPOTENCY',
            requestHash: idempotency.requestHash,
            proposalId: proposal.id,
            createdAt: proposal.createdAt,
            expiresAt: idempotency.expiresAt,
          },
          // The TTL deletes expired keys some time after expiresAt; until then they count as unused.
          ConditionExpression: 'attribute_not_exists(pk) OR #expiresAt < :now',
          ExpressionAttributeNames: { '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: { ':now': this.epochSeconds() },
        },
      });
    }
    // After the idempotency key, if any: the error handling below finds each write by its position.
    const outcomeAt = items.length;
    if (importOutcome) {
      const { importId, ...outcome } = importOutcome;
      items.push({ Put: this.importOutcomePut(importId, { ...outcome, proposalId: proposal.id }) });
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items }));
        return;
      } catch (error) {
        // The household was recorded before, by an earlier or a parallel run of its import.
        if (importOutcome && isConditionFailure(error, outcomeAt)) throw new ImportOutcomeRecorded(importOutcome.importId);
        if (idempotency && isConditionFailure(error, 2)) {
          const first = await this.idempotentProposal(idempotency.key);
          if (first) throw new IdempotencyKeyUsed(first);
          // It expired between the write and the read: the key is free again.
        } else if (isConditionFailure(error, 0)) {
          throw new ConflictError('The proposal already exists', 'PROPOSAL_EXISTS');
        } else if (!isTransactionConflict(error)) {
          throw error;
        }
        if (attempt === TRANSACTION_ATTEMPTS) throw error;
        await conflictBackoff(attempt);
      }
    }
  }

  async idempotentProposal(key: string): Promise<IdempotencyRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: idempotencyKey(key), ConsistentRead: true }),
    );
    if (!Item || (typeof Item.expiresAt === 'number' && Item.expiresAt < this.epochSeconds())) return undefined;
    return { requestHash: Item.requestHash as string, proposalId: Item.proposalId as string };
  }

  async getProposal(proposalId: string): Promise<StoredProposal | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: proposalKey(proposalId), ConsistentRead: true }),
    );
    return Item ? withoutStorageAttributes<StoredProposal>(Item) : undefined;
  }

  async changeProposal(proposalId: string, change: ProposalChange): Promise<Proposal> {
    const current = await this.mustGet(proposalId);
    const at = this.now();
    const related = (change.relatedAudit ?? []).map((entry) =>
      auditPut(this.tableName, { ...entry, at: at.toISOString(), actor: change.audit.actor }),
    );
    await this.transact([this.proposalUpdate(current, change, at), this.auditFor(current, change, at), ...related], proposalId);
    return this.mustGet(proposalId);
  }

  async reviseProposal(
    proposalId: string,
    input: RevisedRecord,
    expect: { version: number },
    audit: { actor: Actor },
  ): Promise<Proposal> {
    const current = await this.mustGet(proposalId);
    this.assertRevisable(current, expect.version);
    const at = this.now();
    const updatedAt = at.toISOString();
    const version = current.version + 1;
    const fields = recordFields(input);
    const revised = { ...current, ...fields } as StoredProposal;
    const times = stageTimes(current, 'DRAFT', at);
    const update = updateOf({
      ...fields,
      version,
      status: 'DRAFT',
      stage: 'DRAFT',
      reasons: [],
      flags: [],
      review: null,
      tier: null,
      failure: null,
      updatedAt,
      ...(audit.actor.type === 'user' ? { submittedBy: audit.actor.id } : {}),
      ...this.villageIndex({ villageCode: revised.villageCode, status: 'DRAFT', updatedAt }),
      ...regionIndex(revised),
      ...times.values,
    });
    const guard = times.guard;
    const item: TransactItem = {
      Update: {
        TableName: this.tableName,
        Key: proposalKey(proposalId),
        UpdateExpression: update.expression,
        ConditionExpression: `#version = :expectedVersion AND #status = :returned${guard ? ` AND ${guard.expression}` : ''}`,
        ExpressionAttributeNames: { ...update.names, ...guard?.names },
        ExpressionAttributeValues: { ...update.values, ...guard?.values, ':expectedVersion': expect.version, ':returned': 'RETURNED' },
      },
    };
    const entry = auditPut(this.tableName, {
      proposalId,
      version,
      at: updatedAt,
      actor: audit.actor,
      action: 'REVISED',
      from: { status: current.status, stage: current.stage },
      to: { status: 'DRAFT', stage: 'DRAFT' },
      detail: { previousVersion: current.version },
    });
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: [item, entry] }));
    } catch (error) {
      if (!isConditionFailure(error) && !isTransactionConflict(error)) throw error;
      // Someone else changed it between the read and the write: say how it stands now.
      this.assertRevisable(await this.mustGet(proposalId), expect.version);
      throw new ConflictError(`Proposal ${proposalId} changed meanwhile`, 'PROPOSAL_STATE_CHANGED');
    }
    return this.mustGet(proposalId);
  }

  private assertRevisable(current: StoredProposal, version: number) {
    if (current.version !== version) {
      throw new ConflictError(`Proposal ${current.id} is at version ${current.version}, not ${version}`, 'PROPOSAL_STATE_CHANGED');
    }
    if (current.status !== 'RETURNED') {
      throw new ConflictError(`Only a returned proposal can be revised; ${current.id} is ${current.status}`, 'NOT_RETURNED');
    }
  }

  async editDraft(proposalId: string, edit: RevisedRecord, expect: { version: number; updatedAt?: string }, audit: { actor: Actor }): Promise<Proposal> {
    const current = await this.mustGet(proposalId);
    this.assertEditable(current, expect.version);
    const updatedAt = this.now().toISOString();
    const fields = recordFields(edit);
    // Names only: the values may be NIKs.
    const changed = Object.keys(fields).filter((key) => !isDeepStrictEqual(fields[key], current[key as keyof StoredProposal]));
    const edited = { ...current, ...fields } as StoredProposal;
    const update = updateOf({
      ...fields,
      updatedAt,
      ...(audit.actor.type === 'user' ? { submittedBy: audit.actor.id } : {}),
      // An ADD may move to another village of the caller's region.
      ...this.villageIndex({ villageCode: edited.villageCode, status: 'DRAFT', updatedAt }),
      ...regionIndex(edited),
    });
    const item: TransactItem = {
      Update: {
        TableName: this.tableName,
        Key: proposalKey(proposalId),
        UpdateExpression: update.expression,
        // With `updatedAt`, also unchanged since the client read it: no edit silently overwrites another.
        ConditionExpression: `#version = :expectedVersion AND #status = :draft${expect.updatedAt ? ' AND #updatedAt = :seen' : ''}`,
        ExpressionAttributeNames: { ...update.names, '#version': 'version', '#status': 'status', ...(expect.updatedAt ? { '#updatedAt': 'updatedAt' } : {}) },
        ExpressionAttributeValues: {
          ...update.values,
          ':expectedVersion': expect.version,
          ':draft': 'DRAFT',
          ...(expect.updatedAt ? { ':seen': expect.updatedAt } : {}),
        },
      },
    };
    const entry = auditPut(this.tableName, {
      proposalId,
      version: current.version,
      at: updatedAt,
      actor: audit.actor,
      action: 'DRAFT_EDITED',
      detail: { changed },
    });
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: [item, entry] }));
    } catch (error) {
      if (!isConditionFailure(error) && !isTransactionConflict(error)) throw error;
      this.assertEditable(await this.mustGet(proposalId), expect.version);
      throw new ConflictError(`Proposal ${proposalId} changed meanwhile`, 'PROPOSAL_STATE_CHANGED');
    }
    return this.mustGet(proposalId);
  }

  private assertEditable(current: StoredProposal, version: number) {
    if (current.version !== version) {
      throw new ConflictError(`Proposal ${current.id} is at version ${current.version}, not ${version}`, 'PROPOSAL_STATE_CHANGED');
    }
    if (current.status !== 'DRAFT') throw new ConflictError(`Only a draft can be edited; ${current.id} is ${current.status}`, 'NOT_A_DRAFT');
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

  async shareLocks(proposalId: string, locks: LockConflict[]): Promise<void> {
    if (locks.length === 0) return;
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: locks.map((lock) => ({
            Update: {
              TableName: this.tableName,
              Key: lockKey(lock),
              UpdateExpression: 'ADD sharedWith :me',
              ConditionExpression: 'holderProposalId = :holder',
              ExpressionAttributeValues: { ':me': new Set([proposalId]), ':holder': lock.holder.proposalId },
            },
          })),
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw new ConflictError('A shared lock changed holder after the adjudication', 'LOCKS_CONTENDED');
    }
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
    const at = this.now();
    const update = this.proposalUpdate(proposal, change, at, { ...registryIndex(proposal, registeredAt), ...completion(proposal, registeredAt) });
    await this.transact([update, this.auditFor(proposal, change, at), ...lockUpdates], proposalId);
    return this.mustGet(proposalId);
  }

  async registryOf(villageCode: string): Promise<RegistryEntry[]> {
    const items = await this.queryAll({
      IndexName: 'registry',
      KeyConditionExpression: 'gsi3pk = :pk',
      ExpressionAttributeValues: { ':pk': `REGISTRY#${villageCode}` },
    });
    return items.map((item) => {
      const { registration, endedMembers } = item as RegistryState;
      return {
        proposalId: item.id as string,
        registeredAt: item.registeredAt as string,
        ...(registration ? { ended: { endedAt: registration.endedAt, endReason: registration.endReason } } : {}),
        ...(endedMembers?.length ? { endedMembers: endedMembers.length } : {}),
      };
    });
  }

  async claimTarget(targetId: string, proposalId: string, actor: Actor): Promise<{ claimed: true } | { claimed: false; target?: StoredProposal }> {
    const target = await this.getProposal(targetId);
    if (!target) return { claimed: false };
    if (target.openCase === proposalId) return { claimed: true };
    const claim: TransactItem = {
      Update: {
        TableName: this.tableName,
        Key: proposalKey(targetId),
        UpdateExpression: 'SET #openCase = :me',
        ConditionExpression:
          // A record written before proposal types has no `type`: it is an ADD, and `<>` alone is false on it.
          '#status = :registered AND (attribute_not_exists(#type) OR #type <> :remove) AND attribute_not_exists(#openCase) AND ' +
          'attribute_not_exists(#registration) AND attribute_not_exists(#supersededBy)',
        ExpressionAttributeNames: {
          '#openCase': 'openCase',
          '#status': 'status',
          '#type': 'type',
          '#registration': 'registration',
          '#supersededBy': 'supersededBy',
        },
        ExpressionAttributeValues: { ':me': proposalId, ':registered': 'REGISTERED', ':remove': 'REMOVE' },
      },
    };
    const audit = this.targetAudit(target, actor, 'CASE_OPENED', { proposalId });
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: [claim, audit] }));
      return { claimed: true };
    } catch (error) {
      if (!isConditionFailure(error) && !isTransactionConflict(error)) throw error;
      return { claimed: false, target: await this.getProposal(targetId) };
    }
  }

  async releaseTarget(targetId: string, proposalId: string, actor: Actor): Promise<void> {
    const target = await this.getProposal(targetId);
    if (target?.openCase !== proposalId) return;
    const release: TransactItem = {
      Update: {
        TableName: this.tableName,
        Key: proposalKey(targetId),
        UpdateExpression: 'REMOVE #openCase',
        ConditionExpression: '#openCase = :me',
        ExpressionAttributeNames: { '#openCase': 'openCase' },
        ExpressionAttributeValues: { ':me': proposalId },
      },
    };
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: [release, this.targetAudit(target, actor, 'CASE_CLOSED', { proposalId })] }));
    } catch (error) {
      // Released meanwhile (a retried stage): nothing left to do.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async completeChange(proposalId: string, change: ProposalChange, completedAt: string): Promise<Proposal> {
    const proposal = await this.mustGet(proposalId);
    if (!proposal.target || (proposal.type !== 'REMOVE' && proposal.type !== 'UPDATE')) {
      throw new ConflictError(`Proposal ${proposalId} acts on no registered record`, 'PROPOSAL_STATE_CHANGED');
    }
    const target = await this.mustGet(proposal.target.proposalId);
    const at = this.now();
    const ended: Registration = {
      endedAt: completedAt,
      endReason: proposal.type === 'UPDATE' ? 'CORRECTED' : proposal.removal!.reason,
      endedBy: proposalId,
    };
    const key = (lock: IdentityLock) => `${lock.kind}#${lock.hash}`;
    const targetLocks = target.locks ?? [];
    const targetValues: Record<string, unknown> = { updatedAt: at.toISOString(), openCase: null };
    // Locks the proposal registers as its own, takes over from the target, and releases from the target.
    let own: IdentityLock[] = [];
    let inherited: IdentityLock[] = [];
    let released: IdentityLock[];
    let action: string;
    if (proposal.type === 'UPDATE') {
      const held = new Set(targetLocks.map(key));
      const kept = new Set((proposal.locks ?? []).map(key));
      own = (proposal.locks ?? []).filter((lock) => !held.has(key(lock)));
      inherited = (proposal.locks ?? []).filter((lock) => held.has(key(lock)));
      released = targetLocks.filter((lock) => !kept.has(key(lock)));
      Object.assign(targetValues, { supersededBy: proposalId, registration: ended });
      action = 'SUPERSEDED';
    } else {
      const scope = removalScope(target, proposal.removal!);
      if (scope.household) {
        released = targetLocks;
        targetValues.registration = ended;
        action = 'REGISTRATION_ENDED';
      } else {
        const leaving = new Set(scope.memberIndexes.map((index) => `members.${index}.nik`));
        released = targetLocks.filter((lock) => leaving.has(lock.path));
        targetValues.locks = targetLocks.filter((lock) => !leaving.has(lock.path));
        targetValues.endedMembers = [
          ...(target.endedMembers ?? []),
          ...scope.memberIndexes.map((index) => ({ nik: target.members[index]!.nik, ...ended })),
        ];
        action = 'MEMBERS_ENDED';
      }
    }
    const targetUpdate = updateOf(targetValues);
    const lockItem = (lock: IdentityLock, holder: string, update?: string): TransactItem =>
      update
        ? {
            Update: {
              TableName: this.tableName,
              Key: lockKey(lock),
              UpdateExpression: update,
              ConditionExpression: 'holderProposalId = :holder',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: { ':holder': holder, ':me': proposalId, ':registered': 'REGISTERED', ':at': completedAt },
            },
          }
        : { Delete: { TableName: this.tableName, Key: lockKey(lock), ConditionExpression: 'holderProposalId = :holder', ExpressionAttributeValues: { ':holder': holder } } };
    const registerLock = 'SET #state = :registered, registeredAt = :at, holderProposalId = :me';
    const items: TransactItem[] = [
      this.proposalUpdate(proposal, change, at, {
        ...completion(proposal, completedAt),
        // A correction is the registered record from now on; a removal only records an end.
        ...(proposal.type === 'UPDATE' ? registryIndex(proposal, completedAt) : {}),
      }),
      this.auditFor(proposal, change, at),
      {
        Update: {
          TableName: this.tableName,
          Key: proposalKey(target.id),
          UpdateExpression: targetUpdate.expression,
          ConditionExpression:
            '#status = :registered AND #openCase = :me AND attribute_not_exists(#registration) AND attribute_not_exists(#supersededBy)',
          ExpressionAttributeNames: {
            ...targetUpdate.names,
            '#status': 'status',
            '#openCase': 'openCase',
            '#registration': 'registration',
            '#supersededBy': 'supersededBy',
          },
          ExpressionAttributeValues: { ...targetUpdate.values, ':registered': 'REGISTERED', ':me': proposalId },
        },
      },
      this.targetAudit(target, change.audit.actor, action, {
        by: proposalId,
        type: proposal.type,
        endReason: ended.endReason,
        ...(targetValues.endedMembers ? { members: (targetValues.endedMembers as unknown[]).length } : {}),
      }),
      ...own.map((lock) => lockItem(lock, proposalId, registerLock)),
      ...inherited.map((lock) => lockItem(lock, target.id, registerLock)),
      ...released.map((lock) => lockItem(lock, target.id)),
    ];
    await this.transact(items, proposalId);
    return this.mustGet(proposalId);
  }

  /** An audit entry on a registered record another proposal acts on (its status does not change). */
  private targetAudit(target: StoredProposal, actor: Actor, action: string, detail: Record<string, unknown>): TransactItem {
    return auditPut(this.tableName, { proposalId: target.id, version: target.version, at: this.now().toISOString(), actor, action, detail });
  }

  async findPhotos(bandKeys: string[]): Promise<PhotoIndexEntry[]> {
    const pages = await Promise.all(
      bandKeys.map((band) =>
        this.queryAll({
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `PHASH#${band}` },
          ConsistentRead: true,
        }),
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
            Item: photoIndexItem(band, entry),
          }),
        ),
      ),
    );
  }

  async unindexPhoto(bandKeys: string[], entry: PhotoIndexEntry): Promise<void> {
    await Promise.all(
      bandKeys.map((band) => this.client.send(new DeleteCommand({ TableName: this.tableName, Key: photoIndexKey(band, entry) }))),
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
    // A decided task keeps its decision and takes the token it is sent with. A held one too; the status is part of
    // the condition, so a release that claims it meanwhile (HELD → DECIDED, sent with the old token) is seen.
    if (stored.status !== 'PENDING') {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: taskKey(task.taskId),
          UpdateExpression: 'SET #token = :token',
          ConditionExpression: '#token = :previous AND #status = :status',
          ExpressionAttributeNames: { '#token': 'token', '#status': 'status' },
          ExpressionAttributeValues: { ':token': token, ':previous': storedToken, ':status': stored.status },
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

  async listProposals(query: ProposalQuery): Promise<{ items: Proposal[]; cursor?: string }> {
    const { limit, status } = query;
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
    const scope = regionScope(query.region, query.villageCode);
    if (!scope) return { items: [] };
    let start: Record<string, unknown> | undefined = query.cursor === undefined ? undefined : decodeCursor(query.cursor, scope);
    const items: Record<string, any>[] = [];
    for (let read = 1; read <= MAX_LIST_READS; read++) {
      const remaining = limit - items.length;
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'byRegion',
          KeyConditionExpression: 'gsi4pk = :pk AND begins_with(gsi4sk, :prefix)',
          ...(status ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } } : {}),
          ExpressionAttributeValues: { ':pk': scope.pk, ':prefix': scope.prefix, ...(status ? { ':status': status } : {}) },
          // Unfiltered, every item read is returned; filtered, read ahead and cut the page at the last item taken.
          Limit: status ? Math.max(remaining, FILTERED_READ_SIZE) : remaining,
          ExclusiveStartKey: start,
        }),
      );
      const found = page.Items ?? [];
      if (found.length > remaining) {
        const taken = found.slice(0, remaining);
        items.push(...taken);
        return { items: items.map((item) => withoutStorageAttributes<Proposal>(item)), cursor: encodeCursor(taken.at(-1)!) };
      }
      items.push(...found);
      start = page.LastEvaluatedKey;
      if (!start || items.length === limit) break;
    }
    return {
      items: items.map((item) => withoutStorageAttributes<Proposal>(item)),
      ...(start ? { cursor: encodeCursor(start) } : {}),
    };
  }

  async proposalsInReview(villageCode: string): Promise<Proposal[]> {
    const items = await this.queryAll({
      IndexName: 'byVillage',
      KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
      FilterExpression: '#stage = :stage',
      ExpressionAttributeNames: { '#stage': 'stage' },
      ExpressionAttributeValues: { ':pk': `VILLAGE#${villageCode}`, ':prefix': 'IN_REVIEW#', ':stage': 'PUBLIC_REVIEW' },
    });
    return items.map((item) => withoutStorageAttributes<Proposal>(item));
  }

  async *summarizeProposals(region: string): AsyncGenerator<Proposal & ProposalTiming> {
    const scope = regionScope(region)!;
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'byRegion',
          KeyConditionExpression: 'gsi4pk = :pk AND begins_with(gsi4sk, :prefix)',
          ExpressionAttributeValues: { ':pk': scope.pk, ':prefix': scope.prefix },
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) yield withoutStorageAttributes<Proposal & ProposalTiming>(item);
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }

  async consumeRateLimit(subject: string, windowSeconds: number, limit: number): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
    if (!Number.isInteger(windowSeconds) || windowSeconds < 1) throw new RangeError('windowSeconds must be a positive integer');
    const nowMs = this.now().getTime();
    const windowStart = Math.floor(nowMs / 1000 / windowSeconds) * windowSeconds;
    const refused = { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(((windowStart + windowSeconds) * 1000 - nowMs) / 1000)) };
    if (limit < 1) return refused;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: rateKey(subject, windowStart),
          UpdateExpression: 'SET #entity = :entity, #expiresAt = :expiresAt ADD #hits :one',
          ConditionExpression: 'attribute_not_exists(#hits) OR #hits < :limit',
          ExpressionAttributeNames: { '#entity': 'entity', '#expiresAt': 'expiresAt', '#hits': 'hits' },
          ExpressionAttributeValues: {
            ':entity': 'RATE',
            // Kept a window past its end, then deleted by the TTL.
            ':expiresAt': windowStart + 2 * windowSeconds,
            ':one': 1,
            ':limit': limit,
          },
        }),
      );
      return { allowed: true, retryAfterSeconds: 0 };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return refused;
    }
  }

  async createImport(job: ImportJob): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...importKey(job.importId), entity: 'IMPORT', ...job },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw new ConflictError(`Import ${job.importId} already exists`, 'IMPORT_EXISTS');
    }
  }

  async getImport(importId: string): Promise<ImportJob | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: importKey(importId), ConsistentRead: true }),
    );
    return Item ? withoutStorageAttributes<ImportJob>(Item) : undefined;
  }

  async startImport(importId: string, totalRows: number): Promise<ImportJob> {
    return this.updateImport(importId, ['WAITING_FOR_UPLOAD', 'RUNNING'], { status: 'RUNNING', totalRows }, (job) => {
      throw new ConflictError(`Import ${importId} is ${job.status} and cannot start again`, 'IMPORT_FINISHED');
    });
  }

  async recordImportOutcome(importId: string, outcome: ImportOutcome): Promise<{ recorded: boolean }> {
    try {
      await this.client.send(new PutCommand(this.importOutcomePut(importId, outcome)));
      return { recorded: true };
    } catch (error) {
      if (isConditionFailure(error)) return { recorded: false };
      throw error;
    }
  }

  /** The outcome, written once: its key is the import and the household's first row. */
  private importOutcomePut(importId: string, outcome: ImportOutcome) {
    if (outcome.rows.length === 0) throw new RangeError('An import outcome covers at least one row');
    return {
      TableName: this.tableName,
      Item: { ...outcomeKey(importId, outcome.rows), entity: 'IMPORT_OUTCOME', ...outcome },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
  }

  async addImportProgress(importId: string, counts: ImportCounts): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: importKey(importId),
          UpdateExpression: 'SET #updatedAt = :now ADD #processedRows :processed, #acceptedRows :accepted, #rejectedRows :rejected',
          ConditionExpression: '#status = :running',
          ExpressionAttributeNames: {
            '#updatedAt': 'updatedAt',
            '#processedRows': 'processedRows',
            '#acceptedRows': 'acceptedRows',
            '#rejectedRows': 'rejectedRows',
            '#status': 'status',
          },
          ExpressionAttributeValues: {
            ':now': this.now().toISOString(),
            ':processed': counts.processedRows,
            ':accepted': counts.acceptedRows,
            ':rejected': counts.rejectedRows,
            ':running': 'RUNNING',
          },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw await this.importNotRunning(importId);
      throw error;
    }
  }

  /** Why a job refused progress: it is no longer RUNNING, or it does not exist. */
  private async importNotRunning(importId: string): Promise<ConflictError> {
    const job = await this.getImport(importId);
    return job
      ? new ConflictError(`Import ${importId} is ${job.status}, not RUNNING`, 'IMPORT_NOT_RUNNING')
      : new ConflictError(`Import ${importId} does not exist`, 'IMPORT_NOT_FOUND');
  }

  async finishImport(importId: string, status: 'DONE' | 'FAILED', error?: { code: string }): Promise<ImportJob> {
    const from: ImportJob['status'][] = status === 'DONE' ? ['RUNNING'] : ['WAITING_FOR_UPLOAD', 'RUNNING'];
    const values = {
      status,
      error: status === 'FAILED' && error ? { code: error.code } : null,
      ...(status === 'DONE' && importCounts(await this.importOutcomes(importId))),
    };
    return this.updateImport(importId, from, values, (job) => {
      // A retried finish finds its own result.
      if (job.status === status) return job;
      throw new ConflictError(`Import ${importId} is ${job.status} and cannot become ${status}`, 'IMPORT_NOT_RUNNING');
    });
  }

  async importOutcomes(importId: string): Promise<ImportOutcome[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `IMPORT#${importId}`, ':prefix': 'OUTCOME#' },
    });
    // Keys sort by first row, so the query's order is the file's.
    return items.map((item) => withoutStorageAttributes<ImportOutcome>(item));
  }

  /** Sets `values` on a job in one of the `from` statuses; otherwise `refused` decides with the job as it stands. */
  private async updateImport(
    importId: string,
    from: ImportJob['status'][],
    values: Record<string, unknown>,
    refused: (job: ImportJob) => ImportJob,
  ): Promise<ImportJob> {
    const update = updateOf({ ...values, updatedAt: this.now().toISOString() });
    const expected = from.map((_, index) => `:from${index}`);
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: importKey(importId),
          UpdateExpression: update.expression,
          ConditionExpression: `attribute_exists(pk) AND #status IN (${expected.join(', ')})`,
          ExpressionAttributeNames: { ...update.names, '#status': 'status' },
          ExpressionAttributeValues: { ...update.values, ...Object.fromEntries(from.map((status, index) => [expected[index], status])) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return withoutStorageAttributes<ImportJob>(Attributes!);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const job = await this.getImport(importId);
      if (!job) throw new ConflictError(`Import ${importId} does not exist`, 'IMPORT_NOT_FOUND');
      return refused(job);
    }
  }

  private villageIndex(proposal: Pick<Proposal, 'villageCode' | 'status' | 'updatedAt'>) {
    return villageIndex(proposal);
  }

  /** The change as an update of the record `current` was read from; stage times move when the stage does. */
  private proposalUpdate(current: StoredProposal, change: ProposalChange, at: Date, extra: Record<string, unknown> = {}): TransactItem {
    const updatedAt = at.toISOString();
    const times = stageTimes(current, change.stage, at);
    const values: Record<string, unknown> = {
      status: change.status,
      stage: change.stage,
      updatedAt,
      gsi1sk: `${change.status}#${updatedAt}`,
      // Also gives records written before the byRegion index their place in it.
      ...regionIndex(current),
      ...times.values,
      ...extra,
    };
    for (const field of ['tier', 'reasons', 'flags', 'review', 'locks', 'failure', 'appeal'] as const) {
      if (change[field] !== undefined) values[field] = change[field];
    }
    const update = updateOf(values);
    const names: Record<string, string> = { ...update.names, ...times.guard?.names, '#status': 'status', '#version': 'version' };
    const expressionValues: Record<string, unknown> = { ...update.values, ...times.guard?.values, ':version': change.expect.version };
    change.expect.status.forEach((status, index) => (expressionValues[`:expected${index}`] = status));
    const expected = change.expect.status.map((_, index) => `:expected${index}`).join(', ');
    return {
      Update: {
        TableName: this.tableName,
        Key: proposalKey(current.id),
        UpdateExpression: update.expression,
        ConditionExpression: `#version = :version AND #status IN (${expected})${times.guard ? ` AND ${times.guard.expression}` : ''}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: expressionValues,
      },
    };
  }

  /** The audit entry for a change, from the state read just before it (the change's condition checks its status). */
  private auditFor(current: Proposal, change: ProposalChange, at: Date): TransactItem {
    return auditPut(this.tableName, {
      proposalId: current.id,
      version: change.expect.version,
      at: at.toISOString(),
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

  private epochSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  private async queryAll(input: {
    IndexName?: string;
    KeyConditionExpression: string;
    FilterExpression?: string;
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues: Record<string, unknown>;
    ConsistentRead?: boolean;
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
