import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ACCESS_LOG_FORMAT,
  CORS_ALLOW_HEADERS,
  DEFAULT_THROTTLE,
  PUBLIC_RATE_LIMIT_PER_MINUTE,
  PUBLIC_ROUTE_THROTTLE,
} from '../../infra/http-api.ts';
import { corsOriginsFrom } from '../../infra/province-stack.ts';
import { RECORDS_TABLE_ACTIONS, RECORDS_TABLE_READ_ACTIONS } from '../../infra/verval-function.ts';
import { ROUTES, type Route } from '../../functions/api/routes.ts';
import { provinceTemplate, type Template as ProvinceTemplate } from '../support/province-template.ts';
import { removeTempOutdirs, synthProvince, tempOutdir } from './support.ts';
import { actionsOfStatements, idAt, logicalIdOfType, resourceAt, resourcesOfType, statementsOf } from './template-queries.ts';

afterAll(removeTempOutdirs);

const { template } = provinceTemplate('81');
const resources = template.Resources;
const outputs = (template as { Outputs?: Record<string, { Value: unknown }> }).Outputs ?? {};

const pascal = (name: string) => name[0]!.toUpperCase() + name.slice(1);
const isPublic = (route: Route) => route.access.audience === 'public';
const routeKey = (route: Route) => `${route.method} ${route.path}`;
const functionOf = (route: Route) => resourceAt(template, `/Api/${pascal(route.operationId)}/Function/Resource`);
const statementsFor = (route: Route) => statementsOf(template, idAt(template, `/Api/${pascal(route.operationId)}/Role/Resource`));
const actionsFor = (route: Route) => actionsOfStatements(statementsFor(route));
const byOperation = (operationId: Route['operationId']) => ROUTES.find((route) => route.operationId === operationId)!;

const apiId = logicalIdOfType(template, 'AWS::ApiGatewayV2::Api');
const authorizerId = logicalIdOfType(template, 'AWS::ApiGatewayV2::Authorizer');
const stageId = logicalIdOfType(template, 'AWS::ApiGatewayV2::Stage');
const poolId = logicalIdOfType(template, 'AWS::Cognito::UserPool');
const clientId = logicalIdOfType(template, 'AWS::Cognito::UserPoolClient');
const bucketRef = { 'Fn::GetAtt': [idAt(template, '/Evidence/Bucket/Resource'), 'Arn'] };
const stateMachineRef = { Ref: logicalIdOfType(template, 'AWS::StepFunctions::StateMachine') };
const keyArn = { 'Fn::GetAtt': [logicalIdOfType(template, 'AWS::KMS::Key'), 'Arn'] };

const routesByKey = new Map(
  resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([id, route]) => [route.Properties.RouteKey as string, { id, route }]),
);

describe('the HTTP API (province 81)', () => {
  it('is one HTTP API with one route per ROUTES entry, and no other route', () => {
    expect(resources[apiId]!.Properties.ProtocolType).toBe('HTTP');
    expect(new Set(ROUTES.map(routeKey)).size).toBe(ROUTES.length);
    expect([...routesByKey.keys()].sort()).toEqual(ROUTES.map(routeKey).sort());
    for (const [, { route }] of routesByKey) expect(route.Properties.ApiId).toEqual({ Ref: apiId });
  });

  it('puts every route for a role behind the JWT authorizer, and no public route', () => {
    for (const route of ROUTES) {
      const { Properties } = routesByKey.get(routeKey(route))!.route;
      if (isPublic(route)) {
        expect(Properties.AuthorizationType, routeKey(route)).toBe('NONE');
        expect(Properties, routeKey(route)).not.toHaveProperty('AuthorizerId');
      } else {
        expect(Properties.AuthorizationType, routeKey(route)).toBe('JWT');
        expect(Properties.AuthorizerId, routeKey(route)).toEqual({ Ref: authorizerId });
      }
    }
    expect(ROUTES.filter(isPublic).map((route) => route.operationId).sort()).toEqual([
      'fileObjection',
      'getObjectionStatus',
      'listPublicReview',
      'listRegistry',
      'objectToRegistered',
      'openApi',
    ]);
  });

  it("trusts ID tokens of the province's user pool and web client only, from the Authorization header", () => {
    const { Properties } = resources[authorizerId]!;
    expect(Properties).toMatchObject({ ApiId: { Ref: apiId }, AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'] });
    expect(Properties.JwtConfiguration.Audience).toEqual([{ Ref: clientId }]);
    expect(Properties.JwtConfiguration.Issuer).toEqual({
      'Fn::Join': ['', ['https://cognito-idp.ap-southeast-3.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: poolId }]],
    });
    expect(outputs.Issuer?.Value).toEqual(Properties.JwtConfiguration.Issuer);
  });

  it("sends each route to its own function (functions/api/<handler>) through a payload 2.0 Lambda proxy integration", () => {
    const targets = new Set<string>();
    for (const route of ROUTES) {
      const { id, route: cfnRoute } = routesByKey.get(routeKey(route))!;
      const integrationId = cfnRoute.Properties.Target['Fn::Join'][1][1].Ref as string;
      const integration = resources[integrationId]!;
      const functionId = idAt(template, `/Api/${pascal(route.operationId)}/Function/Resource`);
      expect(integration.Properties, id).toMatchObject({
        ApiId: { Ref: apiId },
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [functionId, 'Arn'] },
      });
      targets.add(functionId);
      const role = resourceAt(template, `/Api/${pascal(route.operationId)}/Role/Resource`);
      expect(role.Properties.Description).toBe(`Verval 81 api/${route.handler}`);
      // API Gateway may invoke it, from this API only.
      const permission = resourcesOfType(template, 'AWS::Lambda::Permission').find(
        ([, p]) => p.Properties.FunctionName['Fn::GetAtt']?.[0] === functionId,
      )?.[1];
      expect(permission?.Properties.Principal).toBe('apigateway.amazonaws.com');
      expect(JSON.stringify(permission?.Properties.SourceArn)).toContain(apiId);
    }
    expect(targets.size).toBe(ROUTES.length);
  });

  it('runs every function the factory way: nodejs22.x, arm64, traced, own role and encrypted log group', () => {
    const logGroups = new Set<string>();
    for (const route of ROUTES) {
      const fn = functionOf(route);
      expect(fn.Properties, route.operationId).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
        MemorySize: ('memorySize' in route && route.memorySize) || 512,
        Timeout: ('timeoutSeconds' in route && route.timeoutSeconds) || 15,
      });
      expect(fn.Properties.Timeout, route.operationId).toBeLessThanOrEqual(29);
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
      logGroups.add(logGroupId);
      expect(resources[logGroupId]!.Properties).toEqual({ RetentionInDays: 365, KmsKeyId: keyArn });
      expect(resources[fn.Properties.Role['Fn::GetAtt'][0]]!.Properties).not.toHaveProperty('ManagedPolicyArns');
    }
    expect(logGroups.size).toBe(ROUTES.length);
  });

  it('gives each function the environment its needs name, and nothing more', () => {
    for (const route of ROUTES) {
      const env = functionOf(route).Properties.Environment.Variables as Record<string, unknown>;
      const expected = ['PROVINCE_CODE', 'PROVINCE_CONFIG', 'TABLE_NAME'];
      const { needs } = route as { needs: Record<string, unknown> };
      if (needs.signsUploads || needs.readsEvidence || needs.readsImports) expected.push('EVIDENCE_BUCKET');
      if (needs.startsWorkflow || needs.resumesWorkflow) expected.push('STATE_MACHINE_ARN');
      if (needs.rateLimited) expected.push('PUBLIC_RATE_LIMIT_PER_MINUTE');
      if (needs.readsExports) expected.push('EXPORTS_BUCKET');
      expect(Object.keys(env).sort(), route.operationId).toEqual(expected.sort());
      expect(env.PROVINCE_CODE).toBe('81');
      if (env.STATE_MACHINE_ARN) expect(env.STATE_MACHINE_ARN).toEqual(stateMachineRef);
      if (env.EVIDENCE_BUCKET) expect(env.EVIDENCE_BUCKET).toEqual({ Ref: idAt(template, '/Evidence/Bucket/Resource') });
      if (env.EXPORTS_BUCKET) expect(env.EXPORTS_BUCKET).toEqual({ Ref: idAt(template, '/Exports/Bucket/Resource') });
      if (env.PUBLIC_RATE_LIMIT_PER_MINUTE) expect(env.PUBLIC_RATE_LIMIT_PER_MINUTE).toBe(String(PUBLIC_RATE_LIMIT_PER_MINUTE));
    }
  });

  it('grants each function exactly what its needs name: table writes, uploads, reads, workflow', () => {
    for (const route of ROUTES) {
      const { needs } = route as { needs: Record<string, unknown> };
      const actions = actionsFor(route);
      const name = route.operationId;
      expect(actions.filter((a) => a.startsWith('dynamodb:')).sort(), name).toEqual(
        [...(needs.writesRecords ? RECORDS_TABLE_ACTIONS : RECORDS_TABLE_READ_ACTIONS)].sort(),
      );
      expect(actions.includes('s3:PutObject'), name).toBe(Boolean(needs.signsUploads));
      expect(actions.includes('s3:GetObject'), name).toBe(Boolean(needs.readsEvidence || needs.readsImports || needs.readsExports));
      expect(actions.includes('states:StartExecution'), name).toBe(Boolean(needs.startsWorkflow));
      expect(actions.includes('states:SendTaskSuccess'), name).toBe(Boolean(needs.resumesWorkflow));
      expect(actions.includes('states:SendTaskFailure'), name).toBe(Boolean(needs.resumesWorkflow));
      // Nothing else of S3 or Step Functions, and never a service-wide wildcard.
      for (const action of actions) {
        expect(action, name).not.toMatch(/^(s3|states|dynamodb|kms):\*$/);
        if (action.startsWith('s3:')) expect(['s3:PutObject', 's3:GetObject', 's3:ListBucket'], name).toContain(action);
        if (action.startsWith('states:')) {
          expect(['states:StartExecution', 'states:SendTaskSuccess', 'states:SendTaskFailure'], name).toContain(action);
        }
      }
      expect(actions.some((a) => a.startsWith('secretsmanager:')), name).toBe(false);
    }
  });

  it('keeps the public review list to reading and counting: no workflow, no uploads', () => {
    const actions = actionsFor(byOperation('listPublicReview'));
    expect(actions.filter((a) => a.startsWith('states:'))).toEqual([]);
    expect(actions).not.toContain('s3:PutObject');
    expect(actions.filter((a) => a.startsWith('s3:'))).toEqual([]);
  });

  it('lets get-proposal read the table and the evidence, and write neither', () => {
    const actions = actionsFor(byOperation('getProposal'));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 's3:GetObject', 's3:ListBucket']));
    for (const write of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem', 's3:PutObject']) {
      expect(actions).not.toContain(write);
    }
    // Reading the table's items needs the key only to decrypt, and only through DynamoDB.
    const kms = statementsFor(byOperation('getProposal')).filter((s) => actionsOfStatements([s]).some((a) => a.startsWith('kms:')));
    expect(actionsOfStatements(kms).sort()).toEqual(['kms:Decrypt', 'kms:Decrypt', 'kms:DescribeKey']);
  });

  it('lets decide-task resume this state machine (SendTaskSuccess/Failure) but not start one', () => {
    const statements = statementsFor(byOperation('decideTask'));
    const actions = actionsOfStatements(statements);
    expect(actions).toEqual(expect.arrayContaining(['states:SendTaskSuccess', 'states:SendTaskFailure']));
    expect(actions).not.toContain('states:StartExecution');
    expect(actions).not.toContain('states:SendTaskHeartbeat');
    const resume = statements.find((s) => actionsOfStatements([s]).includes('states:SendTaskSuccess'))!;
    expect(resume.Resource).toEqual(stateMachineRef);
  });

  it('lets submit-proposal start this state machine only', () => {
    const statements = statementsFor(byOperation('submitProposal'));
    const start = statements.filter((s) => actionsOfStatements([s]).includes('states:StartExecution'));
    expect(start.map((s) => s.Resource)).toEqual([stateMachineRef]);
    expect(actionsOfStatements(statements)).not.toContain('states:SendTaskSuccess');
  });

  it('scopes uploads to the prefix the route signs for, with the key only through S3', () => {
    for (const route of ROUTES.filter((r) => (r.needs as { signsUploads?: string }).signsUploads)) {
      const prefix = `${(route.needs as { signsUploads: string }).signsUploads}/*`;
      const statements = statementsFor(route);
      const put = statements.filter((s) => actionsOfStatements([s]).includes('s3:PutObject'));
      expect(put.map((s) => s.Resource), route.operationId).toEqual([{ 'Fn::Join': ['', [bucketRef, `/${prefix}`]] }]);
      const dataKey = statements.find((s) => actionsOfStatements([s]).includes('kms:GenerateDataKey'));
      expect(dataKey, route.operationId).toMatchObject({
        Resource: keyArn,
        Condition: { StringEquals: { 'kms:ViaService': 's3.ap-southeast-3.amazonaws.com' } },
      });
    }
    expect(statementsFor(byOperation('startImport')).some((s) => JSON.stringify(s.Resource).includes('/imports/*'))).toBe(true);
    expect(statementsFor(byOperation('createProposal')).some((s) => JSON.stringify(s.Resource).includes('/imports/'))).toBe(false);
  });

  it('reads evidence only under proposals/: objects by prefix, listing by s3:prefix, decryption through S3', () => {
    const statements = statementsFor(byOperation('getProposal'));
    const get = statements.find((s) => actionsOfStatements([s]).includes('s3:GetObject'));
    expect(get?.Resource).toEqual({ 'Fn::Join': ['', [bucketRef, '/proposals/*']] });
    const list = statements.find((s) => actionsOfStatements([s]).includes('s3:ListBucket'));
    expect(list).toMatchObject({ Resource: bucketRef, Condition: { StringLike: { 's3:prefix': ['proposals/*'] } } });
    const decrypt = statements.filter((s) => (s.Condition as any)?.StringEquals?.['kms:ViaService']?.startsWith('s3.'));
    expect(decrypt.map((s) => s.Action)).toEqual(['kms:Decrypt']);
  });

  it('uses Resource "*" only for X-Ray, which has no resource-level permissions', () => {
    for (const route of ROUTES) {
      const wildcard = statementsFor(route).filter((s) => s.Resource === '*');
      expect(actionsOfStatements(wildcard).sort(), route.operationId).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    }
  });

  it('allows CORS from any origin by default, with the headers the API reads and no credentials', () => {
    expect(resources[apiId]!.Properties.CorsConfiguration).toMatchObject({
      AllowOrigins: ['*'],
      AllowHeaders: CORS_ALLOW_HEADERS,
      AllowMethods: expect.arrayContaining(['GET', 'POST', 'PUT', 'OPTIONS']),
      ExposeHeaders: ['retry-after'],
      AllowCredentials: false,
    });
    expect(CORS_ALLOW_HEADERS).toEqual(['authorization', 'content-type', 'idempotency-key', 'accept-language']);
  });

  it('takes the allowed origins from the corsOrigins context, a comma list', () => {
    expect(corsOriginsFrom(undefined)).toEqual(['*']);
    expect(corsOriginsFrom('')).toEqual(['*']);
    expect(corsOriginsFrom('https://verval.example.go.id, http://localhost:5173')).toEqual([
      'https://verval.example.go.id',
      'http://localhost:5173',
    ]);
    const { template: restricted } = provinceTemplateWithContext({ corsOrigins: 'https://verval.example.go.id' });
    const api = resourcesOfType(restricted, 'AWS::ApiGatewayV2::Api')[0]![1];
    expect(api.Properties.CorsConfiguration.AllowOrigins).toEqual(['https://verval.example.go.id']);
  });

  it('serves everything from the auto-deployed $default stage, the ApiUrl output', () => {
    expect(resources[stageId]!.Properties).toMatchObject({ ApiId: { Ref: apiId }, StageName: '$default', AutoDeploy: true });
    expect(JSON.stringify(outputs.ApiUrl?.Value)).toContain(apiId);
    expect(resourcesOfType(template, 'AWS::ApiGatewayV2::Stage')).toHaveLength(1);
  });

  it('writes a JSON access log line per request to an encrypted log group, without tokens or bodies', () => {
    const { AccessLogSettings } = resources[stageId]!.Properties;
    const logGroup = resources[AccessLogSettings.DestinationArn['Fn::GetAtt'][0]]!;
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties).toEqual({ RetentionInDays: 365, KmsKeyId: keyArn });
    const format = JSON.parse(AccessLogSettings.Format) as Record<string, string>;
    expect(format).toEqual(ACCESS_LOG_FORMAT);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      routeKey: '$context.routeKey',
      status: '$context.status',
      latency: '$context.responseLatency',
    });
    const variables = Object.values(format).join(' ');
    expect(variables).not.toMatch(/header|authorization|body|querystring|\$input|\$request/i);
    // The caller is named by the token's sub alone, no other claim.
    expect(variables.match(/\$context\.authorizer\.claims\.\w+/g)).toEqual(['$context.authorizer.claims.sub']);
  });

  it('throttles the stage, and each public route lower, by route key', () => {
    const { DefaultRouteSettings, RouteSettings } = resources[stageId]!.Properties;
    expect(DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: DEFAULT_THROTTLE.rateLimit,
      ThrottlingBurstLimit: DEFAULT_THROTTLE.burstLimit,
    });
    expect(Object.keys(RouteSettings).sort()).toEqual(ROUTES.filter(isPublic).map(routeKey).sort());
    for (const settings of Object.values(RouteSettings) as Record<string, number>[]) {
      expect(settings).toEqual({
        ThrottlingRateLimit: PUBLIC_ROUTE_THROTTLE.rateLimit,
        ThrottlingBurstLimit: PUBLIC_ROUTE_THROTTLE.burstLimit,
      });
      expect(settings.ThrottlingRateLimit).toBeLessThan(DEFAULT_THROTTLE.rateLimit);
    }
    // Route settings may only name routes that exist when the stage is deployed.
    const dependsOn = (resources[stageId] as { DependsOn?: string[] }).DependsOn ?? [];
    for (const route of ROUTES.filter(isPublic)) expect(dependsOn).toContain(routesByKey.get(routeKey(route))!.id);
  });

  it('acknowledges the missing authorization (APIG4) on exactly the public routes, each with its reason', () => {
    for (const route of ROUTES) {
      const { route: cfnRoute } = routesByKey.get(routeKey(route))!;
      const acknowledged = ((cfnRoute.Metadata?.cdk_nag?.rules_to_suppress ?? []) as { id: string; reason: string }[]).filter(
        (rule) => rule.id === 'AwsSolutions-APIG4',
      );
      expect(acknowledged.length, routeKey(route)).toBe(isPublic(route) ? 1 : 0);
      if (isPublic(route)) expect(acknowledged[0]!.reason).toMatch(route.operationId === 'openApi' ? /contract/ : /uji publik/);
    }
  });
});

/** A province 81 template synthesized with CLI context (`-c key=value`). */
function provinceTemplateWithContext(context: Record<string, string>) {
  const { template } = synthProvince({ app: new App({ outdir: tempOutdir('context'), context }) });
  return { template: template.toJSON() as ProvinceTemplate };
}
