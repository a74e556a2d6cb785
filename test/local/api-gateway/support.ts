import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import { LocalFunctions } from '../../../local/lambda/functions.ts';
import { customResourceProviders } from '../../../local/resource-types.ts';
import { functionSpec } from '../../../local/runtime.ts';
import { createTemplateContext, loadSynthesizedTemplate, type CfnTemplate, type LocalStackContext } from '../../../local/template.ts';

export const REGION = 'ap-southeast-3';
export const STACK = 'ApiTest';
export const ORIGIN = 'http://localhost:5173';
const ECHO_ASSET = fileURLToPath(new URL('./fixtures/echo', import.meta.url));

export interface SynthesizedTestStack {
  dir: string;
  cdkOutDir: string;
  template: CfnTemplate;
  ctx: LocalStackContext;
}

/**
 * A small stack shaped like the province stack's API: a Cognito user pool and client, an HTTP API with CORS, a
 * JWT authorizer whose issuer is the user pool, routes to an echo function (JWT and public, literal, `{param}`
 * and greedy), a `$default` stage throttled by default and tighter on one route, and `imports/` uploads to the
 * evidence bucket notifying an import function. Synthesized as the CLI does, with asset metadata; the echo
 * function is a plain module, so there is nothing to bundle.
 */
export function synthesizeTestStack(): SynthesizedTestStack {
  const dir = mkdtempSync(join(tmpdir(), 'verval-api-'));
  const cdkOutDir = join(dir, 'cdk.out');
  const app = new App({ outdir: cdkOutDir, context: { 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:enable-path-metadata': true } });
  const stack = new Stack(app, STACK, { env: { region: REGION } });
  const echo = new lambda.Function(stack, 'Echo', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(ECHO_ASSET),
    timeout: Duration.seconds(10),
  });
  const processImport = new lambda.Function(stack, 'ProcessImport', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(ECHO_ASSET),
  });
  const pool = new cognito.UserPool(stack, 'Users');
  const client = pool.addClient('Console');
  const api = new apigw.HttpApi(stack, 'Api', {
    createDefaultStage: false,
    corsPreflight: {
      allowOrigins: [ORIGIN],
      allowMethods: [apigw.CorsHttpMethod.GET, apigw.CorsHttpMethod.POST],
      allowHeaders: ['authorization', 'content-type'],
      exposeHeaders: ['x-echo'],
      maxAge: Duration.hours(1),
    },
  });
  const stage = new apigw.HttpStage(stack, 'DefaultStage', { httpApi: api, stageName: '$default', autoDeploy: true, throttle: { rateLimit: 100, burstLimit: 200 } });
  (stage.node.defaultChild as apigw.CfnStage).routeSettings = { 'GET /burst': { ThrottlingBurstLimit: 5, ThrottlingRateLimit: 0.5 } };
  const authorizer = new HttpJwtAuthorizer('Cognito', `https://cognito-idp.${REGION}.amazonaws.com/${pool.userPoolId}`, {
    jwtAudience: [client.userPoolClientId],
  });
  const integration = new HttpLambdaIntegration('Echo', echo);
  const slow = new HttpLambdaIntegration('Slow', echo, { timeout: Duration.seconds(1) });
  const add = (path: string, methods: apigw.HttpMethod[], secured: boolean, via = integration) =>
    api.addRoutes({ path, methods, integration: via, ...(secured ? { authorizer } : {}) });
  add('/proposals/{id}/submit', [apigw.HttpMethod.POST], true);
  add('/proposals/{id}', [apigw.HttpMethod.GET], true);
  add('/proposals/mine', [apigw.HttpMethod.GET], true);
  add('/uploads', [apigw.HttpMethod.POST], true);
  add('/public/review/{villageCode}', [apigw.HttpMethod.GET], false);
  add('/public/files/{proxy+}', [apigw.HttpMethod.ANY], false);
  add('/public/fail', [apigw.HttpMethod.GET], false);
  add('/public/binary', [apigw.HttpMethod.GET], false);
  add('/public/slow', [apigw.HttpMethod.GET], false, slow);
  add('/burst', [apigw.HttpMethod.GET], false);
  add('/openapi.json', [apigw.HttpMethod.GET], false);
  api.addRoutes({ path: '/scoped', methods: [apigw.HttpMethod.GET], integration, authorizer, authorizationScopes: ['verval/admin'] });

  const evidence = new s3.Bucket(stack, 'Evidence');
  evidence.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(processImport), { prefix: 'imports/' });

  app.synth();
  const template = loadSynthesizedTemplate(cdkOutDir, STACK);
  return { dir, cdkOutDir, template, ctx: createTemplateContext(template, { region: REGION, stackName: STACK }) };
}

/** The stack's functions in local sandboxes, as the runtime starts them (the notifications handler left out). */
export function startTestFunctions(stack: SynthesizedTestStack): Promise<LocalFunctions> {
  const providers = customResourceProviders(stack.template);
  const ids = Object.entries(stack.template.Resources ?? {})
    .filter(([id, resource]) => resource.Type === 'AWS::Lambda::Function' && !providers.has(id))
    .map(([id]) => id);
  const nowhere = 'http://127.0.0.1:9';
  const specs = ids.map((id) =>
    functionSpec(stack.template, stack.ctx, id, {
      cdkOutDir: stack.cdkOutDir,
      dataDir: stack.dir,
      credentials: { accessKeyId: 'vervallocal', secretAccessKey: 'test-secret' },
      region: REGION,
      timeScale: 1,
      endpoints: { dynamodb: nowhere, s3: nowhere, secretsmanager: nowhere, stepfunctions: nowhere },
    }),
  );
  return LocalFunctions.start(specs, { logDir: join(stack.dir, 'logs') });
}

/** The logical id of the one resource of a type whose id starts with `prefix`. */
export function logicalIdOf(template: CfnTemplate, type: string, prefix: string): string {
  const found = Object.entries(template.Resources ?? {}).find(([id, resource]) => resource.Type === type && id.startsWith(prefix));
  if (!found) throw new Error(`No ${type} ${prefix}* in the template`);
  return found[0];
}
