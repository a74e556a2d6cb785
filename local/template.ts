import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Resolves a synthesized CloudFormation template the way CloudFormation would, for a stack "deployed" on this
 * machine: every resource gets a deterministic local name/ARN, and intrinsics (Ref, Fn::GetAtt, Fn::Join,
 * Fn::Sub, ...) are evaluated against them. The local runtime reads the same template `cdk deploy` uses.
 */

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
  [key: string]: unknown;
}

export interface CfnTemplate {
  Resources?: Record<string, CfnResource>;
  Parameters?: Record<string, { Type?: string; Default?: unknown; [key: string]: unknown }>;
  Conditions?: Record<string, unknown>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Outputs?: Record<string, { Value: unknown; [key: string]: unknown }>;
  [key: string]: unknown;
}

/** What `Ref` and each `Fn::GetAtt` attribute give for one logical id. */
export interface PhysicalResource {
  type: string;
  ref: string;
  attributes: Record<string, unknown>;
}

export interface TemplateContext {
  region: string;
  stackName: string;
  /** Default '000000000000'. */
  accountId?: string;
  /** Default 'aws'. */
  partition?: string;
  /** Default 'amazonaws.com'. */
  urlSuffix?: string;
  stackId?: string;
  resources?: Record<string, PhysicalResource>;
  /** Parameter values by name (a template's Defaults are not read from here; see createTemplateContext). */
  parameters?: Record<string, unknown>;
  /** The template's Conditions section, evaluated on demand. */
  conditions?: Record<string, unknown>;
  mappings?: CfnTemplate['Mappings'];
  /** Values for Fn::ImportValue by export name. */
  imports?: Record<string, unknown>;
  /** Where the value sits in the template, for error messages (e.g. `Resources.Fn.Properties.Role`). */
  location?: string;
}

export type TemplateResolutionErrorCode =
  | 'UNRESOLVABLE_REF'
  | 'UNKNOWN_ATTRIBUTE'
  | 'UNSUPPORTED_INTRINSIC'
  | 'INVALID_INTRINSIC'
  | 'UNKNOWN_CONDITION'
  | 'TEMPLATE_NOT_FOUND';

export class TemplateResolutionError extends Error {
  readonly code: TemplateResolutionErrorCode;
  readonly logicalId: string | undefined;
  readonly intrinsic: string | undefined;
  readonly location: string | undefined;

  constructor(
    code: TemplateResolutionErrorCode,
    message: string,
    details: { logicalId?: string; intrinsic?: string; location?: string } = {},
  ) {
    super(message);
    this.name = 'TemplateResolutionError';
    this.code = code;
    this.logicalId = details.logicalId;
    this.intrinsic = details.intrinsic;
    this.location = details.location;
  }
}

export const LOCAL_ACCOUNT_ID = '000000000000';

/** Marks a value removed by `AWS::NoValue`; never escapes resolveTemplateValue. */
const NO_VALUE = Symbol('AWS::NoValue');

export function resolveTemplateValue(value: unknown, ctx: TemplateContext): unknown {
  const resolved = resolve(value, ctx, ctx.location ?? '$');
  return resolved === NO_VALUE ? undefined : resolved;
}

function resolve(value: unknown, ctx: TemplateContext, where: string): unknown {
  if (Array.isArray(value)) {
    return value.map((item, i) => resolve(item, ctx, `${where}[${i}]`)).filter((item) => item !== NO_VALUE);
  }
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  const only = keys.length === 1 ? keys[0]! : undefined;
  if (only !== undefined && isIntrinsic(only, value[only])) return resolveIntrinsic(only, value[only], ctx, where);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const item = resolve(value[key], ctx, `${where}.${key}`);
    if (item !== NO_VALUE) out[key] = item;
  }
  return out;
}

function isIntrinsic(key: string, argument: unknown): boolean {
  if (key === 'Ref' || key === 'Condition') return typeof argument === 'string';
  return key.startsWith('Fn::');
}

function resolveIntrinsic(name: string, argument: unknown, ctx: TemplateContext, where: string): unknown {
  const fail = (code: TemplateResolutionErrorCode, message: string, logicalId?: string): never => {
    throw new TemplateResolutionError(code, `Cannot resolve ${name} at ${where}: ${message}`, {
      intrinsic: name,
      location: where,
      ...(logicalId !== undefined ? { logicalId } : {}),
    });
  };
  const args = (count: number): unknown[] => {
    if (!Array.isArray(argument) || argument.length < count) {
      return fail('INVALID_INTRINSIC', `expected a list of ${count} arguments, got ${JSON.stringify(argument)}`);
    }
    return argument;
  };
  const text = (item: unknown, what: string): string => {
    const resolved = resolve(item, ctx, where);
    if (typeof resolved === 'string') return resolved;
    if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
    return fail('INVALID_INTRINSIC', `${what} must be a string, got ${JSON.stringify(resolved)}`);
  };
  const list = (item: unknown, what: string): unknown[] => {
    const resolved = resolve(item, ctx, where);
    return Array.isArray(resolved) ? resolved : fail('INVALID_INTRINSIC', `${what} must be a list, got ${JSON.stringify(resolved)}`);
  };

  switch (name) {
    case 'Ref':
      return ref(argument as string, ctx, (message, logicalId) => fail('UNRESOLVABLE_REF', message, logicalId));
    case 'Fn::GetAtt': {
      let logicalId: string;
      let attribute: string;
      if (typeof argument === 'string') {
        const dot = argument.indexOf('.');
        if (dot < 1) return fail('INVALID_INTRINSIC', `expected "LogicalId.Attribute", got "${argument}"`);
        logicalId = argument.slice(0, dot);
        attribute = argument.slice(dot + 1);
      } else {
        const [id, attr] = args(2);
        logicalId = text(id, 'logical id');
        attribute = text(attr, 'attribute name');
      }
      return getAtt(logicalId, attribute, ctx, (code, message) => fail(code, message, logicalId));
    }
    case 'Fn::Join': {
      const [delimiter, items] = args(2);
      return list(items, 'Fn::Join values')
        .map((item) => text(item, 'each Fn::Join value'))
        .join(text(delimiter, 'delimiter'));
    }
    case 'Fn::Sub': {
      const [template, variables] = typeof argument === 'string' ? [argument, {}] : args(1);
      if (typeof template !== 'string') return fail('INVALID_INTRINSIC', 'the template must be a string');
      const bound = isRecord(variables) ? variables : {};
      return template.replace(/\$\{([^}]*)\}/g, (_match, variable: string) => {
        if (variable.startsWith('!')) return `\${${variable.slice(1)}}`;
        const key = variable.trim();
        if (key in bound) return text(bound[key], `variable ${key}`);
        const dot = key.indexOf('.');
        if (dot > 0) {
          const logicalId = key.slice(0, dot);
          return text(
            getAtt(logicalId, key.slice(dot + 1), ctx, (code, message) => fail(code, message, logicalId)),
            `\${${key}}`,
          );
        }
        return text(
          ref(key, ctx, (message, logicalId) => fail('UNRESOLVABLE_REF', message, logicalId)),
          `\${${key}}`,
        );
      });
    }
    case 'Fn::Select': {
      const [index, items] = args(2);
      const position = Number(resolve(index, ctx, where));
      const values = list(items, 'Fn::Select values');
      if (!Number.isInteger(position) || position < 0 || position >= values.length) {
        return fail('INVALID_INTRINSIC', `index ${JSON.stringify(index)} is outside a list of ${values.length}`);
      }
      return values[position];
    }
    case 'Fn::Split': {
      const [delimiter, source] = args(2);
      return text(source, 'source').split(text(delimiter, 'delimiter'));
    }
    case 'Fn::If': {
      const [condition, whenTrue, whenFalse] = args(3);
      const chosen = evaluateCondition(text(condition, 'condition name'), ctx, where) ? whenTrue : whenFalse;
      return resolve(chosen, ctx, where);
    }
    case 'Condition':
      return evaluateCondition(argument as string, ctx, where);
    case 'Fn::Equals': {
      const [a, b] = args(2);
      return JSON.stringify(resolve(a, ctx, where)) === JSON.stringify(resolve(b, ctx, where));
    }
    case 'Fn::And':
      return args(1).every((item) => truthy(resolve(item, ctx, where)));
    case 'Fn::Or':
      return args(1).some((item) => truthy(resolve(item, ctx, where)));
    case 'Fn::Not':
      return !truthy(resolve(args(1)[0], ctx, where));
    case 'Fn::FindInMap': {
      const [mapName, topKey, secondKey, fallback] = args(3);
      const map = ctx.mappings?.[text(mapName, 'map name')];
      const value = map?.[text(topKey, 'top-level key')]?.[text(secondKey, 'second-level key')];
      if (value !== undefined) return value;
      if (isRecord(fallback) && 'DefaultValue' in fallback) return resolve(fallback.DefaultValue, ctx, where);
      return fail('INVALID_INTRINSIC', `no entry ${JSON.stringify(argument)} in Mappings`);
    }
    case 'Fn::Base64':
      return Buffer.from(text(argument, 'value')).toString('base64');
    case 'Fn::GetAZs': {
      const region = resolve(argument, ctx, where) || ctx.region;
      return ['a', 'b', 'c'].map((zone) => `${String(region)}${zone}`);
    }
    case 'Fn::ImportValue': {
      const exportName = text(argument, 'export name');
      if (ctx.imports && exportName in ctx.imports) return ctx.imports[exportName];
      return fail('UNRESOLVABLE_REF', `no local value for export "${exportName}" (pass it in ctx.imports)`);
    }
    case 'Fn::ToJsonString':
      return JSON.stringify(resolve(argument, ctx, where));
    case 'Fn::Length':
      return list(argument, 'Fn::Length value').length;
    default:
      return fail('UNSUPPORTED_INTRINSIC', 'this intrinsic function is not supported locally');
  }
}

function ref(name: string, ctx: TemplateContext, fail: (message: string, logicalId?: string) => never): unknown {
  switch (name) {
    case 'AWS::Region':
      return ctx.region;
    case 'AWS::AccountId':
      return accountOf(ctx);
    case 'AWS::Partition':
      return partitionOf(ctx);
    case 'AWS::URLSuffix':
      return ctx.urlSuffix ?? 'amazonaws.com';
    case 'AWS::StackName':
      return ctx.stackName;
    case 'AWS::StackId':
      return ctx.stackId ?? localStackId(ctx);
    case 'AWS::NoValue':
      return NO_VALUE;
    case 'AWS::NotificationARNs':
      return [];
  }
  if (ctx.parameters && name in ctx.parameters) return ctx.parameters[name];
  const resource = ctx.resources?.[name];
  if (resource) return resource.ref;
  return fail(`"${name}" is not a pseudo parameter, parameter or resource of this stack`, name);
}

function getAtt(
  logicalId: string,
  attribute: string,
  ctx: TemplateContext,
  fail: (code: TemplateResolutionErrorCode, message: string) => never,
): unknown {
  const resource = ctx.resources?.[logicalId];
  if (!resource) return fail('UNRESOLVABLE_REF', `"${logicalId}" is not a resource of this stack`);
  if (attribute in resource.attributes) return resource.attributes[attribute];
  const known = Object.keys(resource.attributes);
  return fail(
    'UNKNOWN_ATTRIBUTE',
    `${logicalId} (${resource.type}) has no attribute "${attribute}" locally` +
      (known.length ? ` (known: ${known.join(', ')})` : ''),
  );
}

function evaluateCondition(name: string, ctx: TemplateContext, where: string): boolean {
  const definition = ctx.conditions?.[name];
  if (definition === undefined) {
    throw new TemplateResolutionError('UNKNOWN_CONDITION', `Cannot resolve condition "${name}" at ${where}: not in Conditions`, {
      intrinsic: 'Condition',
      location: where,
    });
  }
  return truthy(resolve(definition, ctx, `Conditions.${name}`));
}

function truthy(value: unknown): boolean {
  return value === true || value === 'true';
}

// ---------------------------------------------------------------- physical ids

/** Properties that name a resource explicitly; without one, CloudFormation generates a name. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::Events::EventBus': 'Name',
  'AWS::Events::Rule': 'Name',
  'AWS::Events::Archive': 'ArchiveName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::Policy': 'PolicyName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::KMS::Alias': 'AliasName',
};

/** Service name limits, so generated names are valid where code checks them. */
const NAME_LIMIT: Record<string, number> = {
  'AWS::Lambda::Function': 64,
  'AWS::StepFunctions::StateMachine': 80,
  'AWS::S3::Bucket': 63,
  'AWS::SQS::Queue': 80,
  'AWS::IAM::Role': 64,
  'AWS::Events::Rule': 64,
  'AWS::Events::Archive': 48,
};

export interface LocalPhysicalIdOptions {
  region: string;
  stackName: string;
  accountId?: string;
  partition?: string;
  /** Parameter values; a parameter not given here takes its Default. */
  parameters?: Record<string, unknown>;
  imports?: Record<string, unknown>;
}

/** A TemplateContext for one locally "deployed" stack, with a physical id for every resource. */
export interface LocalStackContext extends TemplateContext {
  resources: Record<string, PhysicalResource>;
}

/**
 * Deterministic local names and ARNs for every resource, returned as the context to resolve the template
 * with (`resolveTemplateValue(value, localPhysicalIds(template, options))`). A resource is named by its explicit
 * name property when the template sets one (resolved, as it may use Ref/Sub), otherwise `<stack>-<logicalId>-<hash>`
 * like CloudFormation's generated names. Same template and options, same ids, so a restart finds its tables,
 * buckets and executions again.
 */
export function localPhysicalIds(template: CfnTemplate, options: LocalPhysicalIdOptions): LocalStackContext {
  const resources: Record<string, PhysicalResource> = {};
  const ctx: LocalStackContext = {
    region: options.region,
    stackName: options.stackName,
    accountId: options.accountId ?? LOCAL_ACCOUNT_ID,
    partition: options.partition ?? 'aws',
    resources,
    parameters: { ...parameterDefaults(template), ...options.parameters },
    conditions: template.Conditions ?? {},
    mappings: template.Mappings ?? {},
    ...(options.imports ? { imports: options.imports } : {}),
  };
  let pending = Object.entries(template.Resources ?? {});
  // Explicit names may refer to other resources (Ref, Fn::Sub); resolve in rounds until nothing changes.
  while (pending.length > 0) {
    const unresolved: typeof pending = [];
    for (const [logicalId, resource] of pending) {
      const nameProperty = NAME_PROPERTY[resource.Type];
      const explicit = nameProperty ? resource.Properties?.[nameProperty] : undefined;
      let name: string | undefined;
      if (explicit !== undefined) {
        try {
          const resolved = resolveTemplateValue(explicit, { ...ctx, location: `Resources.${logicalId}.Properties.${nameProperty}` });
          if (typeof resolved === 'string') name = resolved;
        } catch (error) {
          if (error instanceof TemplateResolutionError && error.code === 'UNRESOLVABLE_REF') {
            unresolved.push([logicalId, resource]);
            continue;
          }
          throw error;
        }
      }
      resources[logicalId] = physicalResource(logicalId, resource, name ?? generatedName(logicalId, resource.Type, options.stackName), ctx);
    }
    if (unresolved.length === pending.length) {
      // No progress: a cycle or a dangling reference. Resolving the first again throws its error.
      const [logicalId, resource] = unresolved[0]!;
      const nameProperty = NAME_PROPERTY[resource.Type]!;
      resolveTemplateValue(resource.Properties?.[nameProperty], { ...ctx, location: `Resources.${logicalId}.Properties.${nameProperty}` });
    }
    pending = unresolved;
  }
  return ctx;
}

function generatedName(logicalId: string, type: string, stackName: string): string {
  const suffix = createHash('sha256').update(`${stackName}/${logicalId}`).digest('hex').slice(0, 12).toUpperCase();
  const limit = NAME_LIMIT[type] ?? 255;
  const room = limit - suffix.length - 2;
  let prefix = `${stackName}-${logicalId}`;
  if (prefix.length > room) prefix = `${stackName.slice(0, Math.floor(room / 2))}-${logicalId.slice(0, room - Math.floor(room / 2) - 1)}`;
  const name = `${prefix}-${suffix}`;
  return type === 'AWS::S3::Bucket' ? name.toLowerCase().replace(/[^a-z0-9.-]/g, '-') : name;
}

function physicalResource(logicalId: string, resource: CfnResource, name: string, ctx: TemplateContext): PhysicalResource {
  const partition = partitionOf(ctx);
  const account = accountOf(ctx);
  const region = ctx.region;
  const arn = (service: string, path: string, scope: { regional?: boolean; account?: boolean } = {}) =>
    `arn:${partition}:${service}:${scope.regional === false ? '' : region}:${scope.account === false ? '' : account}:${path}`;
  const short = (length: number, alphabet: string) => hashed(`${ctx.stackName}/${logicalId}`, length, alphabet);
  const type = resource.Type;
  const make = (ref: string, attributes: Record<string, unknown> = {}): PhysicalResource => ({ type, ref, attributes });
  switch (type) {
    case 'AWS::Lambda::Function':
      return make(name, { Arn: arn('lambda', `function:${name}`) });
    case 'AWS::StepFunctions::StateMachine': {
      const stateMachineArn = arn('states', `stateMachine:${name}`);
      return make(stateMachineArn, { Arn: stateMachineArn, Name: name, StateMachineRevisionId: stateMachineArn });
    }
    case 'AWS::DynamoDB::Table':
    case 'AWS::DynamoDB::GlobalTable': {
      const tableArn = arn('dynamodb', `table/${name}`);
      return make(name, { Arn: tableArn, StreamArn: `${tableArn}/stream/1970-01-01T00:00:00.000` });
    }
    case 'AWS::S3::Bucket':
      return make(name, {
        Arn: arn('s3', name, { regional: false, account: false }),
        DomainName: `${name}.s3.${ctx.urlSuffix ?? 'amazonaws.com'}`,
        RegionalDomainName: `${name}.s3.${region}.${ctx.urlSuffix ?? 'amazonaws.com'}`,
        DualStackDomainName: `${name}.s3.dualstack.${region}.${ctx.urlSuffix ?? 'amazonaws.com'}`,
        WebsiteURL: `http://${name}.s3-website-${region}.${ctx.urlSuffix ?? 'amazonaws.com'}`,
      });
    case 'AWS::Events::EventBus':
      return make(name, { Arn: arn('events', `event-bus/${name}`), Name: name });
    case 'AWS::Events::Rule': {
      const bus = resource.Properties?.EventBusName;
      const busName = typeof bus === 'string' && bus !== 'default' && !bus.startsWith('arn:') ? `${bus}/` : '';
      return make(name, { Arn: arn('events', `rule/${busName}${name}`) });
    }
    case 'AWS::Events::Archive':
      return make(name, { Arn: arn('events', `archive/${name}`), ArchiveName: name });
    case 'AWS::SecretsManager::Secret': {
      // Secrets Manager appends six random characters to secret ARNs.
      const secretArn = arn('secretsmanager', `secret:${name}-${short(6, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')}`);
      return make(secretArn, { Id: secretArn });
    }
    case 'AWS::SQS::Queue': {
      const url = `https://sqs.${region}.${ctx.urlSuffix ?? 'amazonaws.com'}/${account}/${name}`;
      return make(url, { Arn: arn('sqs', name), QueueName: name, QueueUrl: url });
    }
    case 'AWS::SNS::Topic': {
      const topicArn = arn('sns', name);
      return make(topicArn, { TopicArn: topicArn, TopicName: name });
    }
    case 'AWS::IAM::Role':
      return make(name, {
        Arn: arn('iam', `role/${name}`, { regional: false }),
        RoleId: `AROA${short(17, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`,
      });
    case 'AWS::IAM::ManagedPolicy': {
      const policyArn = arn('iam', `policy/${name}`, { regional: false });
      return make(policyArn, { PolicyArn: policyArn });
    }
    case 'AWS::Logs::LogGroup':
      return make(name, { Arn: arn('logs', `log-group:${name}:*`) });
    case 'AWS::KMS::Key': {
      const hex = hashed(`${ctx.stackName}/${logicalId}`, 32, '0123456789abcdef');
      const keyId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      return make(keyId, { Arn: arn('kms', `key/${keyId}`), KeyId: keyId });
    }
    case 'AWS::ApiGateway::RestApi': {
      const id = short(10, 'abcdefghijklmnopqrstuvwxyz0123456789');
      return make(id, { RestApiId: id, RootResourceId: hashed(`${id}/root`, 10, 'abcdefghijklmnopqrstuvwxyz0123456789') });
    }
    case 'AWS::ApiGatewayV2::Api': {
      const id = short(10, 'abcdefghijklmnopqrstuvwxyz0123456789');
      return make(id, { ApiId: id, ApiEndpoint: `https://${id}.execute-api.${region}.${ctx.urlSuffix ?? 'amazonaws.com'}` });
    }
    case 'AWS::Cognito::UserPool': {
      const id = `${region}_${short(9, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}`;
      return make(id, {
        UserPoolId: id,
        Arn: arn('cognito-idp', `userpool/${id}`),
        ProviderName: `cognito-idp.${region}.${ctx.urlSuffix ?? 'amazonaws.com'}/${id}`,
        ProviderURL: `https://cognito-idp.${region}.${ctx.urlSuffix ?? 'amazonaws.com'}/${id}`,
      });
    }
    case 'AWS::Cognito::UserPoolClient': {
      const id = short(26, 'abcdefghijklmnopqrstuvwxyz0123456789');
      return make(id, { ClientId: id });
    }
    default:
      // Anything else still has a stable physical id for Ref; its attributes are unknown locally.
      return make(name);
  }
}

function hashed(seed: string, length: number, alphabet: string): string {
  const bytes = createHash('sha256').update(seed).digest();
  let out = '';
  for (let i = 0; out.length < length; i += 1) {
    const byte = bytes[i % bytes.length]! ^ Math.floor(i / bytes.length);
    out += alphabet[byte % alphabet.length];
  }
  return out;
}

function parameterDefaults(template: CfnTemplate): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, parameter] of Object.entries(template.Parameters ?? {})) {
    if (parameter.Default !== undefined) values[name] = parameter.Default;
  }
  return values;
}

function accountOf(ctx: TemplateContext): string {
  return ctx.accountId ?? LOCAL_ACCOUNT_ID;
}

function partitionOf(ctx: TemplateContext): string {
  return ctx.partition ?? 'aws';
}

function localStackId(ctx: TemplateContext): string {
  const hex = hashed(ctx.stackName, 32, '0123456789abcdef');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return `arn:${partitionOf(ctx)}:cloudformation:${ctx.region}:${accountOf(ctx)}:stack/${ctx.stackName}/${id}`;
}

// ---------------------------------------------------------------- whole templates

/** The context to resolve a stack's template with; the same as `localPhysicalIds`, by the name callers look for. */
export function createTemplateContext(template: CfnTemplate, options: LocalPhysicalIdOptions): LocalStackContext {
  return localPhysicalIds(template, options);
}

/** A resource's Properties with every intrinsic resolved. */
export function resolveResourceProperties(template: CfnTemplate, logicalId: string, ctx: TemplateContext): Record<string, unknown> {
  const resource = template.Resources?.[logicalId];
  if (!resource) {
    throw new TemplateResolutionError('UNRESOLVABLE_REF', `No resource "${logicalId}" in the template`, { logicalId });
  }
  return (resolveTemplateValue(resource.Properties ?? {}, { ...ctx, location: `Resources.${logicalId}.Properties` }) ?? {}) as Record<
    string,
    unknown
  >;
}

/**
 * The ASL definition of an AWS::StepFunctions::StateMachine, parsed: `Definition` or `DefinitionString`
 * resolved, then `DefinitionSubstitutions` applied as CloudFormation does (`${key}` in the definition text).
 */
export function resolveStateMachineDefinition(template: CfnTemplate, logicalId: string, ctx: TemplateContext): Record<string, unknown> {
  const properties = resolveResourceProperties(template, logicalId, ctx);
  let text: string;
  if (typeof properties.DefinitionString === 'string') text = properties.DefinitionString;
  else if (isRecord(properties.Definition)) text = JSON.stringify(properties.Definition);
  else {
    throw new TemplateResolutionError('INVALID_INTRINSIC', `${logicalId} has neither DefinitionString nor Definition`, { logicalId });
  }
  const substitutions = isRecord(properties.DefinitionSubstitutions) ? properties.DefinitionSubstitutions : {};
  text = text.replace(/\$\{([^}]+)\}/g, (whole, key: string) => (key in substitutions ? String(substitutions[key]) : whole));
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * The template of `stackName` from a cloud assembly (`cdk synth` output): found through manifest.json,
 * including stacks inside stages (nested assemblies), by artifact id, stack name or display name.
 */
export function loadSynthesizedTemplate(cdkOutDir: string, stackName: string): CfnTemplate {
  const seen: string[] = [];
  const found = findTemplateFile(cdkOutDir, stackName, seen);
  const file = found ?? join(cdkOutDir, `${stackName}.template.json`);
  if (!existsSync(file)) {
    throw new TemplateResolutionError(
      'TEMPLATE_NOT_FOUND',
      `No stack "${stackName}" in ${cdkOutDir}` + (seen.length ? ` (stacks there: ${seen.join(', ')})` : ' (run cdk synth first)'),
    );
  }
  return JSON.parse(readFileSync(file, 'utf8')) as CfnTemplate;
}

interface ManifestArtifact {
  type?: string;
  displayName?: string;
  properties?: { templateFile?: string; stackName?: string; directoryName?: string };
}

function findTemplateFile(directory: string, stackName: string, seen: string[]): string | undefined {
  const manifestFile = join(directory, 'manifest.json');
  if (!existsSync(manifestFile)) return undefined;
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { artifacts?: Record<string, ManifestArtifact> };
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      const names = [id, artifact.properties.stackName, artifact.displayName];
      seen.push(artifact.properties.stackName ?? id);
      if (names.includes(stackName)) return join(directory, artifact.properties.templateFile);
    } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      const nested = findTemplateFile(join(directory, artifact.properties.directoryName), stackName, seen);
      if (nested) return nested;
    }
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
