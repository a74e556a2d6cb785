/**
 * Which CloudFormation resource types the local runtime can stand up, and which it may skip because they
 * change nothing the application can observe on one machine. Anything else stops the start with a message
 * naming the resources, rather than a stack that silently lacks part of what the template declares.
 */
import { LocalRuntimeError } from './errors.ts';
import { BUCKET_NOTIFICATIONS_TYPE } from './s3/notifications.ts';
import { SCHEDULE_TYPE } from './scheduler.ts';
import type { CfnTemplate } from './template.ts';

/** Types with local behaviour, and what that behaviour is. */
export const SUPPORTED_RESOURCE_TYPES: Readonly<Record<string, string>> = {
  'AWS::DynamoDB::Table': 'a table in DynamoDB Local',
  'AWS::DynamoDB::GlobalTable': 'a table in DynamoDB Local (one region)',
  'AWS::S3::Bucket': 'a bucket in the local S3 store',
  'AWS::SecretsManager::Secret': 'a secret on the local Secrets Manager endpoint',
  'AWS::Lambda::Function': 'its bundled asset, run in worker threads',
  'AWS::StepFunctions::StateMachine': 'a state machine on the local Step Functions endpoint',
  'AWS::Events::EventBus': 'events put on it are appended to events.jsonl',
  'AWS::ApiGatewayV2::Api': 'an HTTP API served on 127.0.0.1 (one per template), with its CORS configuration',
  'AWS::ApiGatewayV2::Route': 'a route of the local HTTP API (JWT or no authorization)',
  'AWS::ApiGatewayV2::Integration': 'a Lambda proxy integration, payload format 2.0',
  'AWS::ApiGatewayV2::Authorizer': 'a JWT authorizer, checking tokens of the local issuer',
  'AWS::ApiGatewayV2::Stage': 'its throttling settings',
  'AWS::Cognito::UserPool': 'the local token issuer stands in for it, with demo users; its pre-token-generation trigger runs',
  'AWS::Cognito::UserPoolClient': 'its id is the audience of the local tokens',
  [BUCKET_NOTIFICATIONS_TYPE]: 'ObjectCreated notifications from the local S3 store to Lambda functions',
  [SCHEDULE_TYPE]: 'fires in real time (rate, at, cron in its time zone) and invokes its Lambda target (local/scheduler.ts)',
};

/** Types that need no local behaviour, and why. */
export const IGNORED_RESOURCE_TYPES: Readonly<Record<string, string>> = {
  'AWS::IAM::Role': 'no IAM locally: every local endpoint accepts the one local credential',
  'AWS::IAM::Policy': 'no IAM locally',
  'AWS::IAM::ManagedPolicy': 'no IAM locally',
  'AWS::KMS::Key': 'nothing is encrypted at rest locally',
  'AWS::KMS::Alias': 'nothing is encrypted at rest locally',
  'AWS::Logs::LogGroup': 'function output goes to <dataDir>/logs',
  'AWS::S3::BucketPolicy': 'the local S3 store allows every signed request',
  'AWS::Events::Archive': 'events.jsonl keeps every event',
  'AWS::CDK::Metadata': 'CDK bookkeeping',
  'AWS::Lambda::Permission': 'no IAM locally: API Gateway, S3 and Cognito may invoke any function',
  'AWS::Cognito::UserPoolGroup': 'demo users carry their role in token claims',
  'AWS::Cognito::UserPoolDomain': 'the local issuer has its own token endpoint',
  'AWS::ApiGatewayV2::Deployment': 'every route is live locally',
  // The console's hosting (infra/console-hosting.ts).
  'AWS::CloudFront::Distribution': 'not emulated offline; the console is served by npm start itself',
  'AWS::CloudFront::OriginAccessControl': 'not emulated offline; the console is served by npm start itself',
  'AWS::CloudFront::ResponseHeadersPolicy': 'not emulated offline; the console is served by npm start itself',
  'Custom::CDKBucketDeployment': 'not emulated offline; the console is served by npm start itself (its handler is not run)',
  'AWS::Lambda::LayerVersion': "not emulated offline: only the console deployment's handler uses one",
};

/** Custom resources handled natively: the Lambda function behind their ServiceToken (CDK's provider) is not run. */
const NATIVE_CUSTOM_RESOURCES: readonly string[] = [BUCKET_NOTIFICATIONS_TYPE];

/** Resource properties whose behaviour the local runtime does not have; present, they stop the start. */
const UNSUPPORTED_PROPERTIES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'AWS::S3::Bucket': {
    ReplicationConfiguration: 'there is one local store, nothing to replicate to',
    ObjectLockConfiguration: 'the local store has no object lock',
  },
  'AWS::Lambda::Function': {
    Layers: 'layers are not mounted locally',
    ImageConfig: 'container images are not run locally (no Docker)',
    FileSystemConfigs: 'EFS is not mounted locally',
  },
};

/**
 * The Lambda functions that only serve custom resources the runtime handles itself (CDK's bucket notifications
 * handler, a Python function with inline code) or ignores (CDK's bucket deployment handler): they are neither
 * checked nor started.
 */
export function customResourceProviders(template: CfnTemplate): Set<string> {
  const providers = new Set<string>();
  for (const resource of Object.values(template.Resources ?? {})) {
    const ignored = resource.Type.startsWith('Custom::') && resource.Type in IGNORED_RESOURCE_TYPES;
    if (!NATIVE_CUSTOM_RESOURCES.includes(resource.Type) && !ignored) continue;
    const token = resource.Properties?.ServiceToken as { 'Fn::GetAtt'?: unknown } | undefined;
    const target = Array.isArray(token?.['Fn::GetAtt']) ? token['Fn::GetAtt'][0] : undefined;
    if (typeof target === 'string' && template.Resources?.[target]?.Type === 'AWS::Lambda::Function') providers.add(target);
  }
  return providers;
}

/**
 * Schedules' dead-letter queues and their policies: local schedules do not retry into a queue, so these need no
 * behaviour. Any other queue is still refused, since a queue something reads from would silently do nothing.
 */
export function scheduleDeadLetterQueues(template: CfnTemplate): Set<string> {
  const resources = template.Resources ?? {};
  const queues = new Set<string>();
  for (const resource of Object.values(resources)) {
    if (resource.Type !== SCHEDULE_TYPE) continue;
    const target = resource.Properties?.Target as { DeadLetterConfig?: { Arn?: { 'Fn::GetAtt'?: unknown } } } | undefined;
    const arn = target?.DeadLetterConfig?.Arn?.['Fn::GetAtt'];
    if (Array.isArray(arn) && typeof arn[0] === 'string' && resources[arn[0]]?.Type === 'AWS::SQS::Queue') queues.add(arn[0]);
  }
  const skipped = new Set(queues);
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::SQS::QueuePolicy') continue;
    const refs = ((resource.Properties?.Queues as { Ref?: unknown }[] | undefined) ?? []).map((queue) => queue?.Ref);
    if (refs.length > 0 && refs.every((ref) => typeof ref === 'string' && queues.has(ref))) skipped.add(logicalId);
  }
  return skipped;
}

export function checkResourceTypes(template: CfnTemplate): void {
  const problems: string[] = [];
  const providers = customResourceProviders(template);
  const deadLetters = scheduleDeadLetterQueues(template);
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const type = resource.Type;
    if (type in IGNORED_RESOURCE_TYPES || providers.has(logicalId) || deadLetters.has(logicalId)) continue;
    if (!(type in SUPPORTED_RESOURCE_TYPES)) {
      problems.push(`  ${logicalId} (${type}): this type has no local implementation`);
      continue;
    }
    const properties = resource.Properties ?? {};
    for (const [property, why] of Object.entries(UNSUPPORTED_PROPERTIES[type] ?? {})) {
      if (property in properties) problems.push(`  ${logicalId} (${type}) sets ${property}: ${why}`);
    }
    if (type === 'AWS::S3::Bucket' && properties.NotificationConfiguration !== undefined) {
      const configuration = properties.NotificationConfiguration as Record<string, unknown>;
      for (const other of Object.keys(configuration).filter((key) => key !== 'LambdaConfigurations')) {
        problems.push(`  ${logicalId} (${type}) sets NotificationConfiguration.${other}: only notifications to Lambda functions are delivered locally`);
      }
    }
    if (type === 'AWS::ApiGatewayV2::Api' && properties.ProtocolType !== 'HTTP') {
      problems.push(`  ${logicalId} (${type}) is a ${String(properties.ProtocolType)} API: only HTTP APIs run locally`);
    }
    if (type === 'AWS::Lambda::Function') {
      const runtime = properties.Runtime;
      if (properties.PackageType === 'Image') problems.push(`  ${logicalId} (${type}) is a container image: not run locally (no Docker)`);
      else if (typeof runtime !== 'string' || !runtime.startsWith('nodejs')) {
        problems.push(`  ${logicalId} (${type}) uses runtime ${String(runtime)}: only Node.js functions run locally`);
      }
    }
  }
  if (problems.length === 0) return;
  const list = (types: Readonly<Record<string, string>>) =>
    Object.entries(types)
      .map(([type, what]) => `  ${type}: ${what}`)
      .join('\n');
  throw new LocalRuntimeError(
    'UNSUPPORTED_RESOURCE',
    `The template has resources the local runtime cannot run:\n${problems.join('\n')}\n\n` +
      `Supported locally:\n${list(SUPPORTED_RESOURCE_TYPES)}\n\nIgnored locally (no behaviour needed):\n${list(IGNORED_RESOURCE_TYPES)}\n\n` +
      'Add local support for the type in local/runtime.ts, or keep the resource out of the local stack.',
  );
}
