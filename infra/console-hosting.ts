import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, type IConstruct } from 'constructs';
import type { ConsoleConfig } from '../console/build.ts';
import { AccessLogBucket } from './access-log-bucket.ts';
import { ABORT_INCOMPLETE_UPLOADS, PRIVATE_BUCKET } from './private-bucket.ts';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The console's build entry (written alongside the console itself): `buildConsole({ outdir, provinces })`. */
export const CONSOLE_BUILD_FILE = join(REPO_ROOT, 'console', 'build.ts');

/** `-c consoleDomain=verval.maluku.go.id -c certificateArn=arn:aws:acm:us-east-1:…`: both or neither. */
export interface ConsoleDomain {
  /** The console's own host name (DNS, a CNAME to the distribution, is managed outside the stack). */
  name: string;
  /** An ACM certificate in us-east-1 (CloudFront only takes certificates from there) covering `name`. */
  certificateArn: string;
}

export interface ConsoleHostingProps {
  provinceCode: string;
  /** The built console (index.html, app.js, styles.css, regions/): buildConsole's output, see consoleAssetDir. */
  assetDir: string;
  /** The HTTP API's base URL without a trailing slash (`https://<id>.execute-api.<region>.amazonaws.com`). */
  apiUrl: string;
  userPoolId: string;
  userPoolClientId: string;
  /** Presigned uploads (POST) and views (GET) go straight to it, so the CSP must name it. */
  evidenceBucket: s3.IBucket;
  /** The province key, for the deployment handler's log group. */
  encryptionKey: kms.IKey;
  /** A custom domain with a TLS 1.2 policy; without it the console is served on `<id>.cloudfront.net`. */
  domain?: ConsoleDomain;
}

/**
 * The web console: a private S3 bucket served only through CloudFront (origin access control), HTTPS only,
 * with security headers on every response, and the built console plus a generated `config.json` (the API URL
 * and sign-in settings, resolved at deploy time) uploaded by a BucketDeployment that invalidates the cache.
 */
export class ConsoleHosting extends Construct {
  readonly bucket: s3.Bucket;
  /** CloudFront standard logs (`cloudfront/`) and the console bucket's S3 server access logs (`console-bucket/`). */
  readonly logBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly responseHeaders: cloudfront.ResponseHeadersPolicy;
  readonly deployment: s3deploy.BucketDeployment;
  /** What the console reads from `/config.json`. */
  readonly config: ConsoleConfig;
  /** `https://<id>.cloudfront.net`, or `https://<consoleDomain>` when one is configured. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.logBucket = new AccessLogBucket(this, 'Logs', { cloudFrontLogs: true }).bucket;
    // No S1 finding to acknowledge: cdk-nag recognises a bucket other buckets log into as a log destination.

    // SSE-S3, not the province key: the objects are the public console, served to anyone through CloudFront, so
    // a CMK protects nothing. OAC over SSE-KMS needs a key-policy grant to cloudfront.amazonaws.com; naming this
    // distribution would be a cycle (key -> distribution -> bucket -> key), so CDK grants every distribution in the
    // account (`distribution/*`) instead: on the key that guards the records, evidence and identity secret.
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      ...PRIVATE_BUCKET,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'console-bucket/',
      lifecycleRules: [
        // Each deployment replaces the files; the previous release stays recoverable for a month.
        { id: 'ExpireReplacedVersions', noncurrentVersionExpiration: Duration.days(30) },
        ABORT_INCOMPLETE_UPLOADS,
      ],
    });

    this.responseHeaders = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: `Verval ${props.provinceCode} console: CSP, HSTS, nosniff, no framing, no referrer`,
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: contentSecurityPolicy({
            apiUrl: props.apiUrl,
            cognitoUrl: `https://cognito-idp.${stack.region}.${stack.urlSuffix}`,
            evidenceUrl: `https://${props.evidenceBucket.bucketRegionalDomainName}`,
          }),
          override: true,
        },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        // The console's routes live in the fragment, which browsers never send; other sites learn nothing.
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    const certificate = props.domain
      ? acm.Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn)
      : undefined;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Verval ${props.provinceCode} web console`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        // OAC (SigV4) with s3:GetObject only, granted to this distribution in the bucket policy. No SPA fallback:
        // the console routes with the URL fragment, so every request CloudFront sees names a real file.
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeaders,
        compress: true,
      },
      // PriceClass_200 includes the Indonesian edges (and the rest of South-East Asia) at lower cost than All.
      priceClass: cloudfront.PriceClass.PRICE_CLASS_200,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      ...(props.domain && {
        domainNames: [props.domain.name],
        certificate,
        minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
        sslSupportMethod: cloudfront.SSLMethod.SNI,
      }),
    });
    this.acknowledgeDistributionFindings(Boolean(props.domain));
    this.url = `https://${props.domain?.name ?? this.distribution.distributionDomainName}`;

    // The console's own settings; tokens (API id, pool and client ids) are filled in by the deployment.
    const auth = { kind: 'cognito' as const, region: stack.region, clientId: props.userPoolClientId, userPoolId: props.userPoolId };
    this.config = { apiUrl: props.apiUrl, province: props.provinceCode, auth };

    const deploymentLogs = new logs.LogGroup(this, 'DeploymentLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.deployment = new s3deploy.BucketDeployment(this, 'Deployment', {
      destinationBucket: this.bucket,
      sources: [s3deploy.Source.asset(props.assetDir), s3deploy.Source.jsonData('config.json', this.config)],
      // Browsers revalidate every file (file names carry no content hash; ETags make it a 304); the edges keep
      // them a day, and the deployment invalidates them when a release or config.json changes.
      cacheControl: [
        s3deploy.CacheControl.setPublic(),
        s3deploy.CacheControl.maxAge(Duration.seconds(0)),
        s3deploy.CacheControl.sMaxAge(Duration.days(1)),
      ],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
      logGroup: deploymentLogs,
    });
    this.acknowledgeDeploymentFindings();
  }

  private acknowledgeDistributionFindings(customDomain: boolean) {
    const cfn = this.distribution.node.defaultChild!;
    acknowledge(
      cfn,
      'AwsSolutions-CFR1',
      'The console includes the public review board (uji publik): every citizen must be able to reach it, including Indonesians abroad and anyone using a VPN, so no country is blocked.',
    );
    acknowledge(
      cfn,
      'AwsSolutions-CFR2',
      'No WAF yet: a web ACL for CloudFront must live in us-east-1, outside this single-region stack. The distribution serves only static files (GET/HEAD); the API behind the console is throttled per route and rate-limited per client. A us-east-1 WAFv2 web ACL with the AWS managed rules is the recommended next addition.',
    );
    if (!customDomain) {
      acknowledge(
        cfn,
        'AwsSolutions-CFR4',
        'Without -c consoleDomain/-c certificateArn the console is served on the default *.cloudfront.net certificate, whose security policy CloudFront fixes at TLSv1; browsers negotiate TLS 1.2 or 1.3 regardless. Configure a custom domain to enforce TLSv1.2_2021.',
      );
    }
  }

  /**
   * BucketDeployment brings CDK's own handler (a Python Lambda with the AWS CLI layer) as a singleton at the
   * stack root; its findings are acknowledged there, on the handler's role, policy and function.
   */
  private acknowledgeDeploymentFindings() {
    const stack = Stack.of(this);
    const handler = stack.node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!handler) throw new Error('BucketDeployment handler not found at the stack root');
    const role = this.deployment.handlerRole.node;
    acknowledge(
      role.defaultChild!,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "CDK's BucketDeployment creates its handler's role so; the handler runs only during deployments, and its other grants are the console bucket, the CDK asset bucket and this distribution's invalidations.",
    );
    const policy = role.findChild('DefaultPolicy').node.defaultChild!;
    const copy =
      'The BucketDeployment handler (CDK) copies the console release from the CDK asset bucket into the console bucket and prunes files the release no longer has: it reads the staged asset objects and reads, writes and deletes objects in the console bucket only.';
    for (const finding of [
      'Action::s3:GetObject*',
      'Action::s3:GetBucket*',
      'Action::s3:List*',
      'Action::s3:DeleteObject*',
      'Action::s3:Abort*',
      `Resource::${arnReference(this.bucket.bucketArn, this)}/*`,
      `Resource::${assetBucketArnPattern(stack)}/*`,
    ]) {
      acknowledge(policy, `AwsSolutions-IAM5[${finding}]`, copy);
    }
    acknowledge(
      policy,
      'AwsSolutions-IAM5[Resource::*]',
      'cloudfront:CreateInvalidation/GetInvalidation: CDK grants them on "*" for the BucketDeployment handler, which invalidates only this distribution (DistributionId is fixed in the custom resource), after each release.',
    );
    acknowledge(
      handler.node.defaultChild!,
      'AwsSolutions-L1',
      "CDK's BucketDeployment handler pins its own Python runtime (and AWS CLI layer), tested with that CDK release; it moves with aws-cdk-lib upgrades, not with this project.",
    );
  }
}

/**
 * The CSP: the console's own files only (no inline script or style, no eval), plus the three origins it talks to:
 * the API, Cognito (SRP sign-in, token refresh) and the evidence bucket (presigned uploads and photo views).
 */
export function contentSecurityPolicy(origins: { apiUrl: string; cognitoUrl: string; evidenceUrl: string }): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: blob: ${origins.evidenceUrl}`,
    `connect-src 'self' ${origins.apiUrl} ${origins.cognitoUrl} ${origins.evidenceUrl}`,
    "font-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    'upgrade-insecure-requests',
  ].join('; ');
}

/** `-c consoleDomain` and `-c certificateArn`, both or neither; the certificate must be in us-east-1. */
export function consoleDomainFrom(domain: unknown, certificateArn: unknown): ConsoleDomain | undefined {
  const name = String(domain ?? '').trim();
  const arn = String(certificateArn ?? '').trim();
  if (!name && !arn) return undefined;
  if (!name || !arn) {
    throw new Error('Give both -c consoleDomain=<host name> and -c certificateArn=<ACM certificate ARN in us-east-1>, or neither.');
  }
  if (!/^arn:aws[\w-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/.test(arn)) {
    throw new Error(`certificateArn must be an ACM certificate in us-east-1 (CloudFront takes certificates only from there): ${arn}`);
  }
  return { name, certificateArn: arn };
}

const built = new Map<string, string>();

/**
 * The directory to upload for a province's console. When the stack is bundled (cdk synth/deploy, the local
 * runtime, the bundled test) this runs console/build.ts's buildConsole with only that province's region lists,
 * once per process. When bundling is skipped (`bundle: false`: fast test synths) it is a placeholder page, as
 * skipped Lambda bundles are placeholders, and the template is the same but for the asset hash.
 */
export function consoleAssetDir(scope: IConstruct, provinceCode: string): string {
  if (!Stack.of(scope).bundlingRequired) return placeholderDir();
  if (!existsSync(CONSOLE_BUILD_FILE)) {
    throw new Error(`The console build (${CONSOLE_BUILD_FILE}) is missing: the stack uploads what it builds.`);
  }
  let dir = built.get(provinceCode);
  if (!dir) {
    const outdir = mkdtempSync(join(tmpdir(), `verval-console-${provinceCode}-`));
    // Asset staging copies the directory into the cloud assembly when the asset is created; the build can go.
    process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
    dir = buildConsoleSync(outdir, provinceCode);
    built.set(provinceCode, dir);
  }
  return dir;
}

/**
 * buildConsole is async and a construct is not, so it runs in a child Node (with tsx, as cdk.json runs the
 * app), which also keeps its esbuild run out of the synth's process. Output is shown only if it fails.
 */
function buildConsoleSync(outdir: string, provinceCode: string): string {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const script = [
    'const { buildConsole } = await import(process.argv[1]);',
    'const out = await buildConsole(JSON.parse(process.argv[2]));',
    "process.stdout.write('\\nVERVAL_CONSOLE_OUT=' + out + '\\n');",
  ].join('\n');
  const request = JSON.stringify({ outdir, provinces: [provinceCode] });
  let output: string;
  try {
    output = execFileSync(
      process.execPath,
      ['--import', tsx, '--input-type=module', '-e', script, pathToFileURL(CONSOLE_BUILD_FILE).href, request],
      { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`Building the console (console/build.ts) failed:\n${`${stdout}\n${stderr}`.trim().slice(-4000)}`, { cause: error });
  }
  const out = /VERVAL_CONSOLE_OUT=(.+)\n/.exec(output)?.[1];
  return out && existsSync(join(out, 'index.html')) ? out : outdir;
}

/** A one-page stand-in for synths that skip bundling; named by content, so every synth shares it. */
function placeholderDir(): string {
  const html = '<!doctype html><title>Verval</title><p>Placeholder: this stack was synthesized without bundling.</p>\n';
  const digest = createHash('sha256').update(html).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'verval-console-placeholder', digest);
  if (!existsSync(join(dir, 'index.html'))) {
    mkdirSync(dir, { recursive: true });
    const partial = join(dir, `index.html.${process.pid}.partial`);
    writeFileSync(partial, html);
    renameSync(partial, join(dir, 'index.html'));
  }
  return dir;
}

function acknowledge(scope: IConstruct, id: string, reason: string) {
  Validations.of(scope).acknowledge({ id, reason });
}

/** How cdk-nag names an ARN attribute in a finding: `<LogicalId.Arn>`. */
function arnReference(arn: string, scope: IConstruct): string {
  const resolved = Stack.of(scope).resolve(arn) as { 'Fn::GetAtt'?: [string, string] };
  if (!resolved['Fn::GetAtt']) throw new Error(`Expected an ARN attribute, got ${JSON.stringify(resolved)}`);
  return `<${resolved['Fn::GetAtt'].join('.')}>`;
}

/** The CDK asset bucket's ARN as cdk-nag prints it: `${AWS::AccountId}` placeholders become `<AWS::AccountId>`. */
function assetBucketArnPattern(stack: Stack): string {
  const name = (stack.synthesizer as { bucketName?: string }).bucketName;
  if (!name) throw new Error('BucketDeployment needs a synthesizer with an asset bucket (DefaultStackSynthesizer)');
  return `arn:<AWS::Partition>:s3:::${name.replace(/\$\{(AWS::\w+)\}/g, '<$1>')}`;
}
