/**
 * Creates the DynamoDB tables of a synthesized CloudFormation template in a
 * local DynamoDB (DynamoDB Local), so the offline runtime uses the same keys,
 * indexes and TTL as the deployed stack.
 *
 * Honoured: KeySchema, AttributeDefinitions, GlobalSecondaryIndexes and
 * LocalSecondaryIndexes (keys and projection), StreamSpecification,
 * TimeToLiveSpecification. Tables are always PAY_PER_REQUEST. TableName is
 * replaced by options.nameFor(logicalId).
 *
 * Ignored, because locally they change nothing an application can observe:
 *  - BillingMode, ProvisionedThroughput, Read/Write(Provisioned|OnDemand)ThroughputSettings,
 *    OnDemandThroughput, WarmThroughput: capacity; DynamoDB Local never throttles.
 *  - Replicas (region, PITR, deletion protection, SSE, tags, table class,
 *    contributor insights, replica read settings, resource policy, replica
 *    stream policy), MultiRegionConsistency, GlobalTableWitnesses: there is one
 *    local region and no IAM.
 *  - SSESpecification, PointInTimeRecoverySpecification, DeletionProtectionEnabled,
 *    ContributorInsightsSpecification, TableClass, Tags, ResourcePolicy:
 *    encryption, backups, billing class, metrics and access policies are
 *    invisible to the data-plane API (deletion protection would only make
 *    resetting local state harder).
 * Refused with a LocalRuntimeError naming the resource, because the local table
 * would behave differently: KinesisStreamSpecification (items would have to
 * reach a Kinesis stream), ImportSourceSpecification (initial data from S3),
 * GlobalTableSourceArn (data from an existing table), VectorIndexes, TableType,
 * unresolved intrinsic functions, and any property not listed here.
 *
 * Tables that already exist (a persistent DynamoDB Local) are kept: their key
 * schema must match, missing GSIs are added, GSIs no longer in the template
 * are removed, and TTL is brought in line.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type LocalSecondaryIndex,
  type Projection,
  type StreamViewType,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { LocalRuntimeError } from './errors.ts';

export interface CloudFormationTemplate {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  Resources: Record<string, any>;
}

export interface CreateTablesOptions {
  /** The local table name for a template resource, e.g. `${stackName}-${logicalId}`. */
  nameFor(logicalId: string): string;
}

const TABLE_TYPES = new Set(['AWS::DynamoDB::GlobalTable', 'AWS::DynamoDB::Table']);

const HONOURED = new Set([
  'TableName',
  'KeySchema',
  'AttributeDefinitions',
  'GlobalSecondaryIndexes',
  'LocalSecondaryIndexes',
  'StreamSpecification',
  'TimeToLiveSpecification',
]);

const IGNORED = new Set([
  'BillingMode',
  'ProvisionedThroughput',
  'ReadProvisionedThroughputSettings',
  'WriteProvisionedThroughputSettings',
  'ReadOnDemandThroughputSettings',
  'WriteOnDemandThroughputSettings',
  'OnDemandThroughput',
  'WarmThroughput',
  'Replicas',
  'MultiRegionConsistency',
  'GlobalTableWitnesses',
  'SSESpecification',
  'PointInTimeRecoverySpecification',
  'DeletionProtectionEnabled',
  'ContributorInsightsSpecification',
  'TableClass',
  'Tags',
  'ResourcePolicy',
]);

const REFUSED_REASONS: Record<string, string> = {
  KinesisStreamSpecification: 'item changes would have to be delivered to a Kinesis data stream, which does not exist locally',
  ImportSourceSpecification: 'the table would start with data imported from S3, which the local runtime cannot do',
  GlobalTableSourceArn: 'the table would be created from an existing table whose data is not available locally',
  VectorIndexes: 'DynamoDB Local does not support vector indexes',
  TableType: 'DynamoDB Local has only standard tables',
};

/** Per-index properties that only concern capacity or metrics. */
const INDEX_KEYS = new Set(['IndexName', 'KeySchema', 'Projection']);
const INDEX_IGNORED = new Set([
  'ProvisionedThroughput',
  'ReadProvisionedThroughputSettings',
  'WriteProvisionedThroughputSettings',
  'ReadOnDemandThroughputSettings',
  'WriteOnDemandThroughputSettings',
  'OnDemandThroughput',
  'WarmThroughput',
  'ContributorInsightsSpecification',
]);

const REPLICA_REFUSED: Record<string, string> = {
  KinesisStreamSpecification: REFUSED_REASONS.KinesisStreamSpecification as string,
};

function fail(code: 'UNSUPPORTED_TABLE_PROPERTY' | 'INVALID_TABLE_DEFINITION', logicalId: string, message: string): never {
  throw new LocalRuntimeError(code, `DynamoDB table ${logicalId}: ${message}`);
}

function isIntrinsic(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || (keys[0] as string).startsWith('Fn::'));
}

function requireLiteral(logicalId: string, path: string, value: unknown): void {
  if (isIntrinsic(value)) {
    fail('INVALID_TABLE_DEFINITION', logicalId, `${path} is a CloudFormation function (${JSON.stringify(value)}); the local runtime needs literal values.`);
  }
}

function stringAt(logicalId: string, path: string, value: unknown): string {
  requireLiteral(logicalId, path, value);
  if (typeof value !== 'string' || value === '') fail('INVALID_TABLE_DEFINITION', logicalId, `${path} must be a non-empty string.`);
  return value;
}

function arrayAt(logicalId: string, path: string, value: unknown): unknown[] {
  requireLiteral(logicalId, path, value);
  if (!Array.isArray(value)) fail('INVALID_TABLE_DEFINITION', logicalId, `${path} must be a list.`);
  return value;
}

function keySchema(logicalId: string, path: string, value: unknown): KeySchemaElement[] {
  const elements = arrayAt(logicalId, path, value).map((element, i) => {
    const e = element as Record<string, unknown>;
    const keyType = stringAt(logicalId, `${path}[${i}].KeyType`, e.KeyType);
    if (keyType !== 'HASH' && keyType !== 'RANGE') fail('INVALID_TABLE_DEFINITION', logicalId, `${path}[${i}].KeyType must be HASH or RANGE.`);
    return { AttributeName: stringAt(logicalId, `${path}[${i}].AttributeName`, e.AttributeName), KeyType: keyType } satisfies KeySchemaElement;
  });
  if (elements.length === 0) fail('INVALID_TABLE_DEFINITION', logicalId, `${path} is empty.`);
  return elements;
}

function projection(logicalId: string, path: string, value: unknown): Projection {
  requireLiteral(logicalId, path, value);
  const p = (value ?? {}) as Record<string, unknown>;
  const type = p.ProjectionType === undefined ? 'KEYS_ONLY' : stringAt(logicalId, `${path}.ProjectionType`, p.ProjectionType);
  if (type !== 'ALL' && type !== 'KEYS_ONLY' && type !== 'INCLUDE') {
    fail('INVALID_TABLE_DEFINITION', logicalId, `${path}.ProjectionType must be ALL, KEYS_ONLY or INCLUDE.`);
  }
  const out: Projection = { ProjectionType: type };
  if (p.NonKeyAttributes !== undefined) {
    out.NonKeyAttributes = arrayAt(logicalId, `${path}.NonKeyAttributes`, p.NonKeyAttributes).map((a, i) =>
      stringAt(logicalId, `${path}.NonKeyAttributes[${i}]`, a),
    );
  }
  return out;
}

function indexes<T extends GlobalSecondaryIndex | LocalSecondaryIndex>(logicalId: string, property: string, value: unknown): T[] {
  return arrayAt(logicalId, property, value).map((raw, i) => {
    const index = raw as Record<string, unknown>;
    const path = `${property}[${i}]`;
    for (const key of Object.keys(index)) {
      if (!INDEX_KEYS.has(key) && !INDEX_IGNORED.has(key)) {
        fail('UNSUPPORTED_TABLE_PROPERTY', logicalId, `${path}.${key} is not supported by the local runtime.`);
      }
    }
    return {
      IndexName: stringAt(logicalId, `${path}.IndexName`, index.IndexName),
      KeySchema: keySchema(logicalId, `${path}.KeySchema`, index.KeySchema),
      Projection: projection(logicalId, `${path}.Projection`, index.Projection),
    } as T;
  });
}

interface TableDefinition {
  logicalId: string;
  input: CreateTableCommandInput;
  ttl?: { attributeName: string; enabled: boolean };
}

function tableDefinition(logicalId: string, resource: { Type: string; Properties?: Record<string, unknown> }, tableName: string): TableDefinition {
  const props = resource.Properties ?? {};
  for (const key of Object.keys(props)) {
    const reason = REFUSED_REASONS[key];
    if (reason !== undefined) fail('UNSUPPORTED_TABLE_PROPERTY', logicalId, `${key} cannot be honoured locally: ${reason}.`);
    if (!HONOURED.has(key) && !IGNORED.has(key)) {
      fail('UNSUPPORTED_TABLE_PROPERTY', logicalId, `the property ${key} is not supported by the local runtime, which would otherwise silently behave differently from AWS.`);
    }
  }
  if (props.Replicas !== undefined) {
    arrayAt(logicalId, 'Replicas', props.Replicas).forEach((replica, i) => {
      for (const key of Object.keys((replica ?? {}) as object)) {
        const reason = REPLICA_REFUSED[key];
        if (reason !== undefined) fail('UNSUPPORTED_TABLE_PROPERTY', logicalId, `Replicas[${i}].${key} cannot be honoured locally: ${reason}.`);
      }
    });
  }

  const input: CreateTableCommandInput = {
    TableName: tableName,
    KeySchema: keySchema(logicalId, 'KeySchema', props.KeySchema),
    AttributeDefinitions: arrayAt(logicalId, 'AttributeDefinitions', props.AttributeDefinitions ?? []).map((raw, i) => {
      const a = raw as Record<string, unknown>;
      const type = stringAt(logicalId, `AttributeDefinitions[${i}].AttributeType`, a.AttributeType);
      if (type !== 'S' && type !== 'N' && type !== 'B') fail('INVALID_TABLE_DEFINITION', logicalId, `AttributeDefinitions[${i}].AttributeType must be S, N or B.`);
      return { AttributeName: stringAt(logicalId, `AttributeDefinitions[${i}].AttributeName`, a.AttributeName), AttributeType: type } satisfies AttributeDefinition;
    }),
    BillingMode: 'PAY_PER_REQUEST',
  };
  if (props.GlobalSecondaryIndexes !== undefined) {
    const gsis = indexes<GlobalSecondaryIndex>(logicalId, 'GlobalSecondaryIndexes', props.GlobalSecondaryIndexes);
    if (gsis.length > 0) input.GlobalSecondaryIndexes = gsis;
  }
  if (props.LocalSecondaryIndexes !== undefined) {
    const lsis = indexes<LocalSecondaryIndex>(logicalId, 'LocalSecondaryIndexes', props.LocalSecondaryIndexes);
    if (lsis.length > 0) input.LocalSecondaryIndexes = lsis;
  }
  if (props.StreamSpecification !== undefined) {
    requireLiteral(logicalId, 'StreamSpecification', props.StreamSpecification);
    const spec = props.StreamSpecification as Record<string, unknown>;
    const viewType = stringAt(logicalId, 'StreamSpecification.StreamViewType', spec.StreamViewType);
    input.StreamSpecification = { StreamEnabled: true, StreamViewType: viewType as StreamViewType };
  }
  const definition: TableDefinition = { logicalId, input };
  if (props.TimeToLiveSpecification !== undefined) {
    requireLiteral(logicalId, 'TimeToLiveSpecification', props.TimeToLiveSpecification);
    const ttl = props.TimeToLiveSpecification as Record<string, unknown>;
    const enabled = ttl.Enabled === true || ttl.Enabled === 'true';
    if (enabled) {
      definition.ttl = { attributeName: stringAt(logicalId, 'TimeToLiveSpecification.AttributeName', ttl.AttributeName), enabled };
    }
  }
  return definition;
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

function sameKeys(a: readonly KeySchemaElement[] | undefined, b: readonly KeySchemaElement[] | undefined): boolean {
  const norm = (k: readonly KeySchemaElement[] | undefined) => JSON.stringify((k ?? []).map((e) => [e.AttributeName, e.KeyType]));
  return norm(a) === norm(b);
}

function sameProjection(a: Projection | undefined, b: Projection | undefined): boolean {
  const norm = (p: Projection | undefined) => JSON.stringify([p?.ProjectionType ?? 'KEYS_ONLY', [...(p?.NonKeyAttributes ?? [])].sort()]);
  return norm(a) === norm(b);
}

function schemaChanged(definition: TableDefinition, why: string): never {
  throw new LocalRuntimeError(
    'TABLE_SCHEMA_CHANGED',
    `DynamoDB table ${definition.logicalId}: the local table ${definition.input.TableName} already exists with a different schema (${why}). ` +
      'DynamoDB cannot change this in place; delete the local table (or the local data directory) and start again.',
  );
}

/**
 * DynamoDB Local builds an added index in the background (IndexStatus
 * CREATING); queries on it fail with InternalFailure until it is ACTIVE.
 * On a busy machine (a whole test suite sharing two cores) that has taken
 * over a minute even for a small table, hence the generous wait.
 */
async function waitForIndexes(client: DynamoDBClient, tableName: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const table = await describe(client, tableName);
    const pending = (table?.GlobalSecondaryIndexes ?? []).filter((g) => g.IndexStatus !== 'ACTIVE');
    if (table?.TableStatus === 'ACTIVE' && pending.length === 0) return;
    if (Date.now() > deadline) {
      throw new LocalRuntimeError(
        'INVALID_TABLE_DEFINITION',
        `The local table ${tableName} did not finish building its indexes (${pending.map((g) => g.IndexName).join(', ')}) within ${Math.round(timeoutMs / 1000)} s.`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function reconcileExisting(client: DynamoDBClient, definition: TableDefinition, existing: TableDescription): Promise<void> {
  const { input } = definition;
  const tableName = input.TableName as string;
  if (!sameKeys(existing.KeySchema, input.KeySchema)) schemaChanged(definition, 'its key schema differs');
  const wanted = new Map((input.GlobalSecondaryIndexes ?? []).map((g) => [g.IndexName as string, g]));
  const present = new Map((existing.GlobalSecondaryIndexes ?? []).map((g) => [g.IndexName as string, g]));
  for (const [name, gsi] of present) {
    const target = wanted.get(name);
    if (target && (!sameKeys(gsi.KeySchema, target.KeySchema) || !sameProjection(gsi.Projection, target.Projection))) {
      schemaChanged(definition, `index ${name} has different keys or projection`);
    }
  }
  // One index change per UpdateTable, as DynamoDB requires.
  for (const name of present.keys()) {
    if (!wanted.has(name)) {
      await client.send(new UpdateTableCommand({ TableName: tableName, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: name } }] }));
      await waitForIndexes(client, tableName);
    }
  }
  for (const [name, gsi] of wanted) {
    if (present.has(name)) continue;
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: input.AttributeDefinitions,
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: name, KeySchema: gsi.KeySchema, Projection: gsi.Projection } }],
      }),
    );
    await waitForIndexes(client, tableName);
  }
}

async function applyTtl(client: DynamoDBClient, tableName: string, ttl: TableDefinition['ttl']): Promise<void> {
  const current = (await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }))).TimeToLiveDescription;
  const enabled = current?.TimeToLiveStatus === 'ENABLED' || current?.TimeToLiveStatus === 'ENABLING';
  if (!ttl) {
    if (enabled && current?.AttributeName) {
      await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: current.AttributeName, Enabled: false } }));
    }
    return;
  }
  if (enabled && current?.AttributeName === ttl.attributeName) return;
  if (enabled && current?.AttributeName) {
    await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: current.AttributeName, Enabled: false } }));
  }
  await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: ttl.attributeName, Enabled: true } }));
}

/**
 * Creates (or brings in line) every AWS::DynamoDB::GlobalTable and
 * AWS::DynamoDB::Table of the template. Returns logicalId → local table name.
 */
export async function createTablesFromTemplate(
  template: CloudFormationTemplate,
  client: DynamoDBClient,
  options: CreateTablesOptions,
): Promise<Record<string, string>> {
  const definitions = Object.entries(template.Resources ?? {})
    .filter(([, resource]) => TABLE_TYPES.has(resource?.Type))
    .map(([logicalId, resource]) => tableDefinition(logicalId, resource, options.nameFor(logicalId)));

  const names: Record<string, string> = {};
  for (const definition of definitions) {
    const tableName = definition.input.TableName as string;
    const existing = await describe(client, tableName);
    if (existing) {
      await reconcileExisting(client, definition, existing);
    } else {
      try {
        await client.send(new CreateTableCommand(definition.input));
      } catch (error) {
        if ((error as { name?: string }).name === 'ResourceInUseException') {
          // Created meanwhile by another process sharing this DynamoDB Local.
        } else {
          throw new LocalRuntimeError(
            'INVALID_TABLE_DEFINITION',
            // The SDK error is left out as cause: printed, it is pages of HTTP internals.
            `DynamoDB table ${definition.logicalId}: DynamoDB Local refused to create ${tableName}: ${(error as Error).message}`,
          );
        }
      }
      await waitForIndexes(client, tableName);
    }
    await applyTtl(client, tableName, definition.ttl);
    names[definition.logicalId] = tableName;
  }
  return names;
}
