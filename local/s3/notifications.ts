/**
 * S3 event notifications to Lambda functions, from the template: the `Custom::S3BucketNotifications` resource
 * CDK's `bucket.addEventNotification(...)` makes (NotificationConfiguration.LambdaFunctionConfigurations) and a
 * bucket's own `NotificationConfiguration.LambdaConfigurations`. Each object the local store writes is matched
 * against them (event name, key prefix and suffix), and the function is invoked asynchronously, as S3 does,
 * with `{ Records: [record] }`.
 */
import type { S3EventRecord } from 'aws-lambda';
import { LocalRuntimeError } from '../errors.ts';
import { resolveResourceProperties, type CfnTemplate, type LocalStackContext } from '../template.ts';
import type { ObjectCreatedListener } from './events.ts';

export const BUCKET_NOTIFICATIONS_TYPE = 'Custom::S3BucketNotifications';

export interface NotificationTarget {
  /** The resource it comes from. */
  logicalId: string;
  bucket: string;
  functionName: string;
  /** `s3:ObjectCreated:*`, `s3:ObjectCreated:Put`, ... */
  events: string[];
  prefix: string | undefined;
  suffix: string | undefined;
  /** `s3.configurationId` in the records. */
  configurationId: string;
}

type FilterRule = { Name?: unknown; Value?: unknown };

const unsupported = (message: string) => new LocalRuntimeError('UNSUPPORTED_RESOURCE', message);

export function readBucketNotifications(template: CfnTemplate, ctx: LocalStackContext): NotificationTarget[] {
  const targets: NotificationTarget[] = [];
  const functionNames = new Map(
    Object.entries(template.Resources ?? {})
      .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
      .map(([id]) => [ctx.resources[id]!.ref, id]),
  );
  const functionNameOf = (logicalId: string, arn: unknown): string => {
    const name = /:function:([^:]+)(?::\$LATEST)?$/.exec(String(arn))?.[1] ?? String(arn);
    if (!functionNames.has(name)) throw unsupported(`${logicalId} notifies ${String(arn)}, which is not a Lambda function of this template.`);
    return name;
  };
  const add = (logicalId: string, bucket: string, index: number, id: unknown, events: unknown[], rules: FilterRule[], arn: unknown) => {
    const rule = (name: string) => rules.find((candidate) => String(candidate.Name).toLowerCase() === name)?.Value;
    const prefix = rule('prefix');
    const suffix = rule('suffix');
    targets.push({
      logicalId,
      bucket,
      functionName: functionNameOf(logicalId, arn),
      events: events.map(String),
      prefix: prefix === undefined ? undefined : String(prefix),
      suffix: suffix === undefined ? undefined : String(suffix),
      configurationId: typeof id === 'string' && id !== '' ? id : `${logicalId}-${index + 1}`,
    });
  };

  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type === BUCKET_NOTIFICATIONS_TYPE) {
      const properties = resolveResourceProperties(template, logicalId, ctx);
      const configuration = (properties.NotificationConfiguration ?? {}) as Record<string, unknown>;
      for (const other of ['TopicConfigurations', 'QueueConfigurations', 'EventBridgeConfiguration']) {
        if (configuration[other] !== undefined && !(Array.isArray(configuration[other]) && configuration[other].length === 0)) {
          throw unsupported(`${logicalId} sends S3 notifications through ${other}: only notifications to Lambda functions are delivered locally.`);
        }
      }
      const configs = (configuration.LambdaFunctionConfigurations ?? []) as Record<string, unknown>[];
      configs.forEach((config, index) => {
        const rules = ((config.Filter as { Key?: { FilterRules?: FilterRule[] } } | undefined)?.Key?.FilterRules ?? []) as FilterRule[];
        add(logicalId, String(properties.BucketName), index, config.Id, (config.Events ?? []) as unknown[], rules, config.LambdaFunctionArn);
      });
    } else if (resource.Type === 'AWS::S3::Bucket' && resource.Properties?.NotificationConfiguration !== undefined) {
      const properties = resolveResourceProperties(template, logicalId, ctx);
      const configuration = (properties.NotificationConfiguration ?? {}) as Record<string, unknown>;
      const configs = (configuration.LambdaConfigurations ?? []) as Record<string, unknown>[];
      configs.forEach((config, index) => {
        const rules = ((config.Filter as { S3Key?: { Rules?: FilterRule[] } } | undefined)?.S3Key?.Rules ?? []) as FilterRule[];
        add(logicalId, ctx.resources[logicalId]!.ref, index, undefined, [config.Event], rules, config.Function);
      });
    }
  }
  return targets;
}

/** The key as it was written: records carry it form-URL-encoded. */
function objectKeyOf(record: S3EventRecord): string {
  try {
    return decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
  } catch {
    return record.s3.object.key;
  }
}

function eventMatches(pattern: string, eventName: string): boolean {
  const full = `s3:${eventName}`;
  return pattern === full || (pattern.endsWith('*') && full.startsWith(pattern.slice(0, -1)));
}

export function targetsFor(targets: readonly NotificationTarget[], record: S3EventRecord): NotificationTarget[] {
  const key = objectKeyOf(record);
  return targets.filter(
    (target) =>
      target.bucket === record.s3.bucket.name &&
      target.events.some((pattern) => eventMatches(pattern, record.eventName)) &&
      (target.prefix === undefined || key.startsWith(target.prefix)) &&
      (target.suffix === undefined || key.endsWith(target.suffix)),
  );
}

export interface NotificationDelivery {
  invoke: (functionName: string, event: unknown) => Promise<unknown>;
  /** A function failed on a notification (S3 invokes asynchronously: nobody else hears of it). */
  onError: (message: string) => void;
}

/** The listener to give the S3 store's onObjectCreated. */
export function notificationListener(targets: readonly NotificationTarget[], delivery: NotificationDelivery): ObjectCreatedListener {
  return (record) => {
    for (const target of targetsFor(targets, record)) {
      const event = { Records: [{ ...record, s3: { ...record.s3, configurationId: target.configurationId } }] };
      delivery.invoke(target.functionName, event).catch((error: unknown) => {
        const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        delivery.onError(`${target.functionName} failed on s3://${record.s3.bucket.name}/${objectKeyOf(record)} (${record.eventName}): ${what}`);
      });
    }
  };
}
