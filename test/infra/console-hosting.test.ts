import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnResource, Stack } from 'aws-cdk-lib';
import { Template as TemplateAssertions, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONSOLE_BUILD_FILE,
  consoleAssetDir,
  consoleDomainFrom,
  contentSecurityPolicy,
} from '../../infra/console-hosting.ts';
import { buildProvinceApp } from '../../infra/province-app.ts';
import type { ProvinceStack } from '../../infra/province-stack.ts';
import { checkResourceTypes, customResourceProviders } from '../../local/resource-types.ts';
import type { CfnTemplate } from '../../local/template.ts';
import { removeTempOutdirs, resourcesOfType, synthProvince, tempOutdir } from './support.ts';

afterAll(removeTempOutdirs);

const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:111122223333:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

type Synthesized = ReturnType<typeof synthProvince>;

/** A province 81 synth (no bundling) with this CDK context, e.g. `{ consoleDomain, certificateArn }`. */
function synthWith(context: Record<string, string> = {}): Synthesized {
  return synthProvince({ app: new App({ outdir: tempOutdir('console'), context }) });
}

const idOf = (stack: Stack, construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);
const resources = (template: Template) => template.toJSON().Resources as Record<string, { Type: string; Properties: any; Metadata?: any; DependsOn?: unknown }>;
/** The one resource of this type, as [logical id, resource]. */
function onlyOfType(template: Template, type: string) {
  const found = resourcesOfType(template, type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
}
const acknowledged = (resource: { Metadata?: any }) =>
  ((resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) as { id: string; reason: string }[]).map((rule) => rule.id);

describe('ConsoleHosting in the province stack', () => {
  let synthesized: Synthesized;
  let template: Template;
  let stack: ProvinceStack;
  let bucketId: string;
  let logBucketId: string;
  let distributionId: string;
  let distribution: any;

  beforeAll(() => {
    // Synthesis runs the AwsSolutions plugin: it would throw on any unacknowledged finding.
    synthesized = synthWith();
    ({ template } = synthesized);
    stack = synthesized.stack as ProvinceStack;
    bucketId = idOf(stack, stack.console.bucket);
    logBucketId = idOf(stack, stack.console.logBucket);
    distributionId = idOf(stack, stack.console.distribution);
    distribution = resources(template)[distributionId]!.Properties.DistributionConfig;
  });

  const policyOf = (id: string) =>
    resourcesOfType(template, 'AWS::S3::BucketPolicy').find(([, policy]) => policy.Properties.Bucket.Ref === id)?.[1].Properties
      .PolicyDocument.Statement as any[];

  it('keeps the console bucket private: public access blocked, ACLs off, TLS only, versioned, SSE-S3', () => {
    const bucket = resources(template)[bucketId]!.Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'AES256' });
    expect(bucket.WebsiteConfiguration).toBeUndefined();
    expect(bucket.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: logBucketId }, LogFilePrefix: 'console-bucket/' });
    expect(policyOf(bucketId)).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('lets only this distribution read the bucket, through origin access control', () => {
    const allows = policyOf(bucketId).filter((statement) => statement.Effect === 'Allow');
    expect(allows).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] },
        Condition: {
          StringEquals: {
            'AWS:SourceArn': {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/', { Ref: distributionId }]],
            },
          },
        },
      },
    ]);
    const [oacId, oac] = onlyOfType(template, 'AWS::CloudFront::OriginAccessControl');
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    expect(distribution.Origins).toEqual([
      expect.objectContaining({
        DomainName: { 'Fn::GetAtt': [bucketId, 'RegionalDomainName'] },
        OriginAccessControlId: { 'Fn::GetAtt': [oacId, 'Id'] },
        // No legacy origin access identity.
        S3OriginConfig: { OriginAccessIdentity: '' },
      }),
    ]);
  });

  it('serves HTTPS only (HTTP redirects), compressed, GET/HEAD, index.html at the root, no SPA fallback', () => {
    expect(distribution.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      Compress: true,
      AllowedMethods: ['GET', 'HEAD'],
    });
    expect(distribution.CacheBehaviors).toBeUndefined();
    expect(distribution.DefaultRootObject).toBe('index.html');
    // The console routes with the URL fragment: a missing file is an error, not the app.
    expect(distribution.CustomErrorResponses).toBeUndefined();
    expect(distribution.PriceClass).toBe('PriceClass_200');
    expect(distribution.HttpVersion).toBe('http2and3');
    expect(distribution.Restrictions).toBeUndefined();
  });

  it('logs every request to the log bucket, which keeps ACLs for CloudFront log delivery and stays private', () => {
    expect(distribution.Logging).toEqual({ Bucket: { 'Fn::GetAtt': [logBucketId, 'RegionalDomainName'] }, Prefix: 'cloudfront/' });
    const logs = resources(template)[logBucketId]!.Properties;
    expect(logs.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] });
    expect(logs.PublicAccessBlockConfiguration).toMatchObject({ BlockPublicAcls: true, RestrictPublicBuckets: true });
    expect(logs.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'AES256' });
    expect(policyOf(logBucketId)).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    // S3 server access logs of the console bucket, granted by bucket policy (not the log-delivery ACL).
    expect(policyOf(logBucketId)).toContainEqual(
      expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' }),
    );
  });

  it('adds the security headers to every response: CSP, HSTS, nosniff, no framing, no referrer', () => {
    const [policyId, policy] = onlyOfType(template, 'AWS::CloudFront::ResponseHeadersPolicy');
    expect(distribution.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: policyId });
    const headers = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(headers.StrictTransportSecurity).toEqual({ AccessControlMaxAgeSec: 730 * 86400, IncludeSubdomains: true, Override: true });
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(headers.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
    expect(headers.ContentSecurityPolicy.Override).toBe(true);

    const csp = JSON.stringify(headers.ContentSecurityPolicy.ContentSecurityPolicy);
    const apiId = idOf(stack, stack.api.api);
    const evidenceId = idOf(stack, stack.evidence.bucket);
    const directive = (name: string) => new RegExp(`${name} [^;]*`).exec(csp)?.[0] ?? '';
    expect(directive('frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(directive('script-src')).toBe("script-src 'self'");
    expect(directive('object-src')).toBe("object-src 'none'");
    // connect-src: this API (its endpoint attribute), Cognito in the stack's region, and the evidence bucket.
    expect(directive('connect-src')).toContain("connect-src 'self' ");
    expect(csp).toContain(`{"Fn::GetAtt":["${apiId}","ApiEndpoint"]}`);
    expect(csp).toContain('https://cognito-idp.ap-southeast-3.');
    expect(csp).toContain(`{"Fn::GetAtt":["${evidenceId}","RegionalDomainName"]}`);
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
  });

  it('uploads the built console and a config.json naming this API, user pool and client, then invalidates', () => {
    const [, deployment] = onlyOfType(template, 'Custom::CDKBucketDeployment');
    const props = deployment.Properties;
    expect(props.DestinationBucketName).toEqual({ Ref: bucketId });
    expect(props.DistributionId).toEqual({ Ref: distributionId });
    expect(props.DistributionPaths).toEqual(['/*']);
    expect(props.Prune).toBe(true);
    expect(props.SourceObjectKeys).toHaveLength(2);
    expect(props.SystemMetadata['cache-control']).toBe('public, max-age=0, s-maxage=86400');

    // The second source is the generated config.json: staged in the cloud assembly with deploy-time markers.
    const [, configKey] = props.SourceObjectKeys as string[];
    const staged = join(synthesized.assembly.directory, `asset.${configKey!.replace(/\.zip$/, '')}`);
    expect(readdirSync(staged)).toEqual(['config.json']);
    const config = JSON.parse(readFileSync(join(staged, 'config.json'), 'utf8'));
    const markers = props.SourceMarkers[1] as Record<string, unknown>;
    const valueOf = (text: string) => markers[text];
    expect(config).toMatchObject({ province: '81', auth: { kind: 'cognito', region: 'ap-southeast-3' } });
    expect(valueOf(config.apiUrl)).toEqual({ 'Fn::GetAtt': [idOf(stack, stack.api.api), 'ApiEndpoint'] });
    expect(valueOf(config.auth.clientId)).toEqual({ Ref: idOf(stack, stack.users.client) });
    expect(valueOf(config.auth.userPoolId)).toEqual({ Ref: idOf(stack, stack.users.userPool) });
  });

  it('outputs ConsoleUrl, the distribution domain over HTTPS', () => {
    expect(template.toJSON().Outputs.ConsoleUrl.Value).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]],
    });
  });

  it('keeps CORS at * without a custom domain: naming the distribution would close a dependency cycle', () => {
    const api = resources(template)[idOf(stack, stack.api.api)]!.Properties;
    expect(api.CorsConfiguration.AllowOrigins).toEqual(['*']);
    // Pinning CORS to the distribution's domain would close a cycle: API -> distribution -> headers policy (its
    // CSP names the API) -> API. CDK's Template refuses an undeployable template; the one above loaded fine.
    const { app, stack: pinned } = buildProvinceApp({ province: '81', bundle: false, outdir: tempOutdir('console-cycle') });
    (pinned.api.api.node.defaultChild as CfnResource).addPropertyOverride('CorsConfiguration.AllowOrigins', [pinned.console.url]);
    const json = app.synth().getStackByName(pinned.stackName).template as Record<string, unknown>;
    const [apiId, distributionId, headersId] = [pinned.api.api, pinned.console.distribution, pinned.console.responseHeaders].map((c) =>
      idOf(pinned, c),
    );
    expect(() => TemplateAssertions.fromJSON(json)).toThrow(
      `dependency cycle: ${apiId} -> ${distributionId} -> ${headersId} -> ${apiId}`,
    );
  });

  it('acknowledges CFR1, CFR2 and CFR4 on the distribution and the deployment handler findings, each with a reason', () => {
    expect(acknowledged(resources(template)[distributionId]!).sort()).toEqual(['AwsSolutions-CFR1', 'AwsSolutions-CFR2', 'AwsSolutions-CFR4']);
    const handler = Object.entries(resources(template)).filter(([id]) => id.startsWith('CustomCDKBucketDeployment'));
    const ids = handler.flatMap(([, resource]) => acknowledged(resource));
    expect(ids).toEqual(
      expect.arrayContaining([
        'AwsSolutions-L1',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'AwsSolutions-IAM5[Resource::*]',
        `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
      ]),
    );
    // The AwsSolutions plugin ran during synthesis; a fresh run over the app finds nothing either.
    expect(new AwsSolutionsChecks(undefined).validateScope(synthesized.app).violations).toEqual([]);
  });

  it('leaves a template the local runtime starts: CloudFront and the deployment are ignored, its handler is not run', () => {
    const cfn = template.toJSON() as CfnTemplate;
    expect(() => checkResourceTypes(cfn)).not.toThrow();
    const [, deployment] = onlyOfType(template, 'Custom::CDKBucketDeployment');
    expect(customResourceProviders(cfn)).toContain(deployment.Properties.ServiceToken['Fn::GetAtt'][0]);
  });
});

describe('ConsoleHosting with a custom domain (-c consoleDomain -c certificateArn)', () => {
  let synthesized: Synthesized;
  let distribution: any;

  beforeAll(() => {
    synthesized = synthWith({ consoleDomain: 'verval.malukuprov.go.id', certificateArn: CERTIFICATE_ARN });
    const stack = synthesized.stack as ProvinceStack;
    distribution = resources(synthesized.template)[idOf(stack, stack.console.distribution)]!;
  });

  it('serves the domain with the certificate and TLS 1.2 at least, so CFR4 holds without an acknowledgment', () => {
    expect(distribution.Properties.DistributionConfig.Aliases).toEqual(['verval.malukuprov.go.id']);
    expect(distribution.Properties.DistributionConfig.ViewerCertificate).toEqual({
      AcmCertificateArn: CERTIFICATE_ARN,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    expect(acknowledged(distribution).sort()).toEqual(['AwsSolutions-CFR1', 'AwsSolutions-CFR2']);
    expect(synthesized.template.toJSON().Outputs.ConsoleUrl.Value).toBe('https://verval.malukuprov.go.id');
  });

  it('limits CORS to the console origin (a literal, so no cycle), unless corsOrigins says otherwise', () => {
    const stack = synthesized.stack as ProvinceStack;
    const api = resources(synthesized.template)[idOf(stack, stack.api.api)]!.Properties;
    // A literal origin: no reference to the distribution, no cycle (Template would have refused to load it).
    expect(api.CorsConfiguration.AllowOrigins).toEqual(['https://verval.malukuprov.go.id']);

    const explicit = synthWith({ consoleDomain: 'verval.malukuprov.go.id', certificateArn: CERTIFICATE_ARN, corsOrigins: 'http://localhost:5173' });
    const explicitStack = explicit.stack as ProvinceStack;
    expect(resources(explicit.template)[idOf(explicitStack, explicitStack.api.api)]!.Properties.CorsConfiguration.AllowOrigins).toEqual([
      'http://localhost:5173',
    ]);
  });
});

describe('consoleDomainFrom', () => {
  it('takes both or neither, and only a us-east-1 certificate', () => {
    expect(consoleDomainFrom(undefined, undefined)).toBeUndefined();
    expect(consoleDomainFrom(' verval.example.go.id ', CERTIFICATE_ARN)).toEqual({ name: 'verval.example.go.id', certificateArn: CERTIFICATE_ARN });
    expect(() => consoleDomainFrom('verval.example.go.id', undefined)).toThrow(/both/);
    expect(() => consoleDomainFrom(undefined, CERTIFICATE_ARN)).toThrow(/both/);
    expect(() => consoleDomainFrom('verval.example.go.id', CERTIFICATE_ARN.replace('us-east-1', 'ap-southeast-3'))).toThrow(/us-east-1/);
  });
});

describe('contentSecurityPolicy', () => {
  it('allows the console its own files and exactly the API, Cognito and evidence origins', () => {
    const csp = contentSecurityPolicy({
      apiUrl: 'https://abc123.execute-api.ap-southeast-3.amazonaws.com',
      cognitoUrl: 'https://cognito-idp.ap-southeast-3.amazonaws.com',
      evidenceUrl: 'https://evidence.s3.ap-southeast-3.amazonaws.com',
    });
    const directives = Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    expect(directives['default-src']).toBe("'self'");
    expect(directives['connect-src']).toBe(
      "'self' https://abc123.execute-api.ap-southeast-3.amazonaws.com https://cognito-idp.ap-southeast-3.amazonaws.com https://evidence.s3.ap-southeast-3.amazonaws.com",
    );
    expect(directives['img-src']).toBe("'self' data: blob: https://evidence.s3.ap-southeast-3.amazonaws.com");
    expect(directives['frame-ancestors']).toBe("'none'");
    // CloudFront's limit for the header value.
    expect(csp.length).toBeLessThan(1783);
  });
});

describe('consoleAssetDir', () => {
  it('is a placeholder page when the stack skips bundling', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'NoBundling');
    const dir = consoleAssetDir(stack, '81');
    expect(readdirSync(dir)).toEqual(['index.html']);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('without bundling');
  });

  it('builds the console with buildConsole (console/build.ts), with only this province\'s regions, when bundling', { timeout: 120_000 }, () => {
    expect(existsSync(CONSOLE_BUILD_FILE)).toBe(true);
    const dir = consoleAssetDir(new Stack(new App(), 'Bundling'), '81');
    expect(readdirSync(dir).sort()).toEqual(expect.arrayContaining(['app.js', 'index.html', 'styles.css', 'regions']));
    expect(readdirSync(dir)).not.toContain('config.json');
    expect(readdirSync(join(dir, 'regions')).sort()).toEqual(['81.json', 'national.json']);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('app.js');
  });
});
