import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { OperationId } from '../domain/access.ts';
import type { ProvinceConfig } from '../domain/province-config.ts';
import { ROUTES, type Route, type RouteNeeds } from '../functions/api/routes.ts';
import { EVIDENCE_KEY_PREFIX, IMPORT_KEY_PREFIX } from './evidence-bucket.ts';
import { EXPORT_KEY_PREFIX } from './exports-bucket.ts';
import { VervalFunction } from './verval-function.ts';

/** Every route together, per second: a province's operators and approvers are a few thousand people. */
export const DEFAULT_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;
/** Each public route (no token), per second, before the per-client limit in the function applies. */
export const PUBLIC_ROUTE_THROTTLE = { rateLimit: 10, burstLimit: 20 } as const;
/** Requests per client (source IP) per minute on rate-limited public routes (functions/api/http.ts). */
export const PUBLIC_RATE_LIMIT_PER_MINUTE = 30;

/**
 * One access-log line per request, as JSON. Never the Authorization header, the query string or the body:
 * tokens and proposal contents stay out of the logs; the caller is named by their `sub` only.
 */
export const ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  routeKey: '$context.routeKey',
  status: '$context.status',
  latency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  responseLength: '$context.responseLength',
  sub: '$context.authorizer.claims.sub',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integrationErrorMessage',
} as const;

/** Headers a browser may send: the bearer token, JSON bodies, retries, and the language of messages. */
export const CORS_ALLOW_HEADERS = ['authorization', 'content-type', 'idempotency-key', 'accept-language'];

export interface VervalApiProps {
  config: ProvinceConfig;
  table: dynamodb.ITableV2;
  evidenceBucket: s3.IBucket;
  /** The cut-off exports, for the routes that presign their downloads (`needs.readsExports`). */
  exportsBucket?: s3.IBucket;
  encryptionKey: kms.IKey;
  stateMachine: sfn.IStateMachine;
  /** The ID-token issuer (the user pool's URL) and audience (the app client id) the JWT authorizer accepts. */
  issuer: string;
  audience: string;
  /** Origins allowed by CORS; `['*']` by default: tokens travel as bearer headers, never as cookies. */
  corsOrigins?: string[];
}

const isPublic = (route: Route) => route.access.audience === 'public';
const routeKey = (route: Route) => `${route.method} ${route.path}`;

/**
 * The province's HTTP API: one Lambda, one integration and one route per entry of ROUTES
 * (functions/api/routes.ts), each function holding only what its `needs` name. Routes for a role sit
 * behind the Cognito JWT authorizer (the ID token); public routes have none and a lower throttle.
 */
export class VervalApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly authorizer: HttpJwtAuthorizer;
  readonly accessLogs: logs.LogGroup;
  readonly functions: Record<OperationId, VervalFunction>;
  readonly routes: Record<OperationId, apigwv2.HttpRoute>;

  constructor(scope: Construct, id: string, props: VervalApiProps) {
    super(scope, id);
    const { config } = props;

    this.api = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: `verval-${config.provinceCode}`,
      description: `Verval ${config.provinceCode}: proposals, approvals, public review and imports`,
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: props.corsOrigins ?? ['*'],
        allowHeaders: CORS_ALLOW_HEADERS,
        allowMethods: [
          apigwv2.CorsHttpMethod.GET,
          apigwv2.CorsHttpMethod.POST,
          apigwv2.CorsHttpMethod.PUT,
          apigwv2.CorsHttpMethod.OPTIONS,
        ],
        // A rate-limited client reads when to try again.
        exposeHeaders: ['retry-after'],
        allowCredentials: false,
        maxAge: Duration.hours(1),
      },
    });
    this.authorizer = new HttpJwtAuthorizer('CognitoIdToken', props.issuer, {
      authorizerName: 'cognito-id-token',
      jwtAudience: [props.audience],
      identitySource: ['$request.header.Authorization'],
    });

    this.functions = {} as Record<OperationId, VervalFunction>;
    this.routes = {} as Record<OperationId, apigwv2.HttpRoute>;
    for (const route of ROUTES) {
      const name = pascalCase(route.operationId);
      const fn = this.routeFunction(name, route, props);
      this.functions[route.operationId] = fn;
      this.routes[route.operationId] = new apigwv2.HttpRoute(this, `${name}Route`, {
        httpApi: this.api,
        routeKey: apigwv2.HttpRouteKey.with(route.path, route.method as apigwv2.HttpMethod),
        integration: new HttpLambdaIntegration(`${name}Integration`, fn.function, {
          payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
        }),
        authorizer: isPublic(route) ? new apigwv2.HttpNoneAuthorizer() : this.authorizer,
      });
      if (isPublic(route)) {
        Validations.of(this.routes[route.operationId].node.defaultChild!).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: publicReason(route),
        });
      }
    }

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: DEFAULT_THROTTLE,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: apigw.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FORMAT)),
      },
    });
    const publicRoutes = ROUTES.filter(isPublic);
    const cfnStage = this.stage.node.defaultChild as apigwv2.CfnStage;
    cfnStage.routeSettings = Object.fromEntries(
      publicRoutes.map((route) => [
        routeKey(route),
        { ThrottlingRateLimit: PUBLIC_ROUTE_THROTTLE.rateLimit, ThrottlingBurstLimit: PUBLIC_ROUTE_THROTTLE.burstLimit },
      ]),
    );
    // Route settings name route keys that must already exist when the stage is created or updated.
    for (const route of publicRoutes) this.stage.node.addDependency(this.routes[route.operationId]);
  }

  /** The API's base URL: `https://<api id>.execute-api.<region>.amazonaws.com/` ($default stage). */
  get url(): string {
    return this.stage.url;
  }

  private routeFunction(name: string, route: Route, props: VervalApiProps): VervalFunction {
    const { config, table, evidenceBucket, encryptionKey, stateMachine } = props;
    const needs: RouteNeeds = route.needs;
    const touchesBucket = Boolean(needs.signsUploads || needs.readsEvidence || needs.readsImports);
    const environment: Record<string, string> = {
      ...(touchesBucket && { EVIDENCE_BUCKET: evidenceBucket.bucketName }),
      ...((needs.startsWorkflow || needs.resumesWorkflow) && { STATE_MACHINE_ARN: stateMachine.stateMachineArn }),
      ...(needs.rateLimited && { PUBLIC_RATE_LIMIT_PER_MINUTE: String(PUBLIC_RATE_LIMIT_PER_MINUTE) }),
    };
    const spec = route as { memorySize?: number; timeoutSeconds?: number };
    const fn = new VervalFunction(this, name, {
      config,
      file: `api/${route.handler}`,
      description: `${routeKey(route)}: ${route.summary.en}`,
      ...(spec.memorySize && { memorySize: spec.memorySize }),
      // Interactive: API Gateway gives up after 30 s anyway; a hung call should not hold a container that long.
      timeout: Duration.seconds(spec.timeoutSeconds ?? 15),
      records: { table, access: needs.writesRecords ? 'read-write' : 'read' },
      encryptionKey,
      ...(needs.needsRegions && { needsRegions: true }),
      environment,
    });
    const s3Via = { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } };
    const bucketObjects = (prefix: string) => `${evidenceBucket.bucketArn}/${prefix}*`;

    if (needs.signsUploads) {
      const prefix = needs.signsUploads === 'imports' ? IMPORT_KEY_PREFIX : EVIDENCE_KEY_PREFIX;
      // A presigned POST is signed with this role: S3 authorises the browser's upload as this role.
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucketObjects(prefix)] }),
      );
      // SSE-KMS with the province key: S3 asks KMS for a data key on the uploader's behalf.
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [encryptionKey.keyArn], conditions: s3Via }),
      );
      fn.acknowledgePolicyFinding(
        `Resource::${fn.arnReference(evidenceBucket.bucketArn)}/${prefix}*`,
        `${route.handler} presigns uploads whose POST policy pins one exact key; the role may only put objects under ${prefix} of the evidence bucket, where those keys live.`,
      );
    }
    const readPrefixes = [...(needs.readsEvidence ? [EVIDENCE_KEY_PREFIX] : []), ...(needs.readsImports ? [IMPORT_KEY_PREFIX] : [])];
    if (readPrefixes.length > 0) {
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: readPrefixes.map(bucketObjects) }),
      );
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [evidenceBucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': readPrefixes.map((prefix) => `${prefix}*`) } },
        }),
      );
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [encryptionKey.keyArn], conditions: s3Via }),
      );
      for (const prefix of readPrefixes) {
        fn.acknowledgePolicyFinding(
          `Resource::${fn.arnReference(evidenceBucket.bucketArn)}/${prefix}*`,
          `${route.handler} reads (GetObject, and ListBucket limited by s3:prefix) the files under ${prefix} of the evidence bucket; it authorizes the record first, and nothing outside that prefix is readable.`,
        );
      }
    }
    if (needs.readsExports) {
      const { exportsBucket } = props;
      if (!exportsBucket) throw new Error(`${route.handler} reads exports, and the API was given no exports bucket`);
      fn.function.addEnvironment('EXPORTS_BUCKET', exportsBucket.bucketName);
      // A presigned GET is signed with this role: S3 authorises the admin's download as this role.
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`${exportsBucket.bucketArn}/${EXPORT_KEY_PREFIX}*`] }),
      );
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [encryptionKey.keyArn], conditions: s3Via }),
      );
      fn.acknowledgePolicyFinding(
        `Resource::${fn.arnReference(exportsBucket.bucketArn)}/${EXPORT_KEY_PREFIX}*`,
        `${route.handler} presigns downloads of cut-off exports, which are all under ${EXPORT_KEY_PREFIX}; GetObject only.`,
      );
    }
    if (needs.startsWorkflow) stateMachine.grantStartExecution(fn.role);
    if (needs.resumesWorkflow) {
      // The Service Authorization Reference lists no resource type for SendTaskSuccess/SendTaskFailure, yet
      // Step Functions authorizes them against the ARN of the state machine that issued the token (its
      // AccessDenied names that ARN; CDK's grantTaskResponse scopes to it too): this one state machine.
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
          resources: [stateMachine.stateMachineArn],
        }),
      );
    }
    return fn;
  }
}

function publicReason(route: Route): string {
  if (route.operationId === 'openApi') {
    return 'The OpenAPI document is the published contract of the API; it holds no data and is throttled as a public route.';
  }
  return `${routeKey(route)} is public review (uji publik): anyone in the village may read the list and object without an account, as the verval process requires. It is throttled per route at the stage and rate-limited per client in the function, and reveals only masked data.`;
}

function pascalCase(name: string): string {
  return name[0]!.toUpperCase() + name.slice(1);
}
