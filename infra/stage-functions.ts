import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, type IConstruct } from 'constructs';
import type { ProvinceConfig } from '../domain/province-config.ts';
import { loadRegionData } from '../domain/region-source.ts';
import type { StageFunctions as StageFunctionMap } from '../workflows/recipient-workflow.ts';
import { EVIDENCE_KEY_PREFIX } from './evidence-bucket.ts';

export type StageName = keyof StageFunctionMap;

type StageSpec = {
  /** Handler file in functions/, exporting `handler`. */
  file: string;
  description: string;
  memorySize?: number;
  timeout?: Duration;
  readsEvidence?: boolean;
  readsIdentitySecret?: boolean;
  needsRegions?: boolean;
};

export const STAGES: Record<StageName, StageSpec> = {
  validateSubmission: {
    file: 'validate-submission.ts',
    description: 'Schema, NIK, KK and village rules',
    needsRegions: true,
  },
  checkDuplicates: {
    file: 'check-duplicates.ts',
    description: 'Locks NIK and KK keyed hashes; finds duplicates',
    readsIdentitySecret: true,
  },
  checkEvidence: {
    file: 'check-evidence.ts',
    description: 'Checks documents in S3: type, size, photo date, position and reuse',
    // Decoding photos and hashing them is the heavy stage; more memory also means more CPU.
    memorySize: 1024,
    timeout: Duration.seconds(60),
    readsEvidence: true,
  },
  openPublicReview: { file: 'open-public-review.ts', description: 'Posts the proposal for public review (uji publik)' },
  closePublicReview: { file: 'close-public-review.ts', description: 'Closes the review and counts objections' },
  requestDecision: { file: 'request-decision.ts', description: 'Opens or escalates an approval task' },
  finalize: { file: 'finalize.ts', description: 'Records the outcome on the proposal' },
  recordFailure: { file: 'record-failure.ts', description: 'Records an unexpected failure on the proposal' },
};

/**
 * What the records store calls (functions/adapters/dynamodb-records-store.ts), and no more:
 * grantReadWriteData would add Scan, BatchWriteItem, DescribeTable and stream reads. TransactWriteItems
 * has no action of its own; each item in it is authorised as Put, Update, Delete or ConditionCheck.
 */
export const RECORDS_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
];

/** What DynamoDB needs of the table's key on the caller's behalf (as grantReadWriteData grants). */
const RECORDS_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** ESM, minified, everything (AWS SDK included) in one file: one pinned SDK, fast cold starts. */
const BUNDLING = {
  format: OutputFormat.ESM,
  minify: true,
  sourceMap: false,
  target: 'node22',
  bundleAwsSDK: true,
  externalModules: [],
  mainFields: ['module', 'main'],
  // Some CommonJS dependencies call require(); ESM output has none unless we make one.
  banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
  forceDockerBundling: false,
} satisfies BundlingOptions;

export interface StageFunctionsProps {
  config: ProvinceConfig;
  table: dynamodb.ITableV2;
  evidenceBucket: s3.IBucket;
  identitySecret: secretsmanager.ISecret;
  encryptionKey: kms.IKey;
}

/**
 * One Lambda per workflow stage (functions/<stage>.ts), each with its own role holding only what
 * that stage touches, and its own encrypted log group.
 */
export class StageFunctions extends Construct {
  readonly functions: Record<StageName, NodejsFunction>;

  constructor(scope: Construct, id: string, props: StageFunctionsProps) {
    super(scope, id);
    const entries = Object.entries(STAGES) as [StageName, StageSpec][];
    this.functions = Object.fromEntries(
      entries.map(([name, spec]) => [name, this.stageFunction(name, spec, props)]),
    ) as Record<StageName, NodejsFunction>;
  }

  private stageFunction(name: StageName, spec: StageSpec, props: StageFunctionsProps): NodejsFunction {
    const { config, table, evidenceBucket, identitySecret, encryptionKey } = props;
    const scope = new Construct(this, pascalCase(name));

    const logGroup = new logs.LogGroup(scope, 'Logs', {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // An own role instead of AWSLambdaBasicExecutionRole, whose log permissions span every log group.
    const role = new iam.Role(scope, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Verval ${config.provinceCode} ${spec.file}`,
    });
    logGroup.grantWrite(role);

    const environment: Record<string, string> = {
      TABLE_NAME: table.tableName,
      PROVINCE_CODE: config.provinceCode,
      PROVINCE_CONFIG: JSON.stringify(config),
    };
    if (spec.readsEvidence) environment.EVIDENCE_BUCKET = evidenceBucket.bucketName;
    if (spec.readsIdentitySecret) environment.IDENTITY_HASH_SECRET_ARN = identitySecret.secretArn;

    const fn = new NodejsFunction(scope, 'Function', {
      entry: join(REPO_ROOT, 'functions', spec.file),
      handler: 'handler',
      description: `Verval ${config.provinceCode}: ${spec.description}`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memorySize ?? 512,
      timeout: spec.timeout ?? Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      role,
      environment,
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      bundling: {
        ...BUNDLING,
        ...(spec.needsRegions && {
          commandHooks: {
            beforeInstall: () => [],
            beforeBundling: () => [],
            afterBundling: (_inputDir: string, outputDir: string) => [
              `cp "${regionsFile(config.provinceCode)}" "${join(outputDir, 'regions.json')}"`,
            ],
          },
        }),
      },
    });

    table.grant(fn, ...RECORDS_TABLE_ACTIONS);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: RECORDS_KEY_ACTIONS,
        resources: [encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
    if (spec.readsEvidence) evidenceBucket.grantRead(fn, `${EVIDENCE_KEY_PREFIX}*`);
    if (spec.readsIdentitySecret) identitySecret.grantRead(fn);

    acknowledgeStageFindings(role, fn, { table, evidenceBucket, spec });
    return fn;
  }
}

/**
 * cdk-nag v3 acknowledges one finding at a time (`Rule[finding]`), which scopes each reason to the
 * exact wildcard it covers; each goes on the one CloudFormation resource that raises it.
 */
function acknowledgeStageFindings(
  role: iam.Role,
  fn: NodejsFunction,
  { table, evidenceBucket, spec }: { table: dynamodb.ITableV2; evidenceBucket: s3.IBucket; spec: StageSpec },
) {
  const acknowledge = (scope: IConstruct, id: string, reason: string) =>
    Validations.of(scope).acknowledge({ id, reason });
  // The grants all land in the role's DefaultPolicy; acknowledging there leaves the role itself checked.
  const policy = role.node.findChild('DefaultPolicy').node.defaultChild!;
  const iam5 = (finding: string, reason: string) => acknowledge(policy, `AwsSolutions-IAM5[${finding}]`, reason);

  iam5(
    'Resource::*',
    'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions, so active tracing needs Resource "*".',
  );
  iam5(
    `Resource::${arnReference(table.tableArn, fn)}/index/*`,
    'The stage queries the table GSIs (byVillage, inbox, registry); <table>/index/* names exactly the indexes of this one table.',
  );
  const dataKeys =
    'DynamoDB encrypts items with data keys from the province key; GenerateDataKey*/ReEncrypt* are the variants of those calls, on this one key and only via DynamoDB (kms:ViaService).';
  iam5('Action::kms:GenerateDataKey*', dataKeys);
  iam5('Action::kms:ReEncrypt*', dataKeys);
  if (spec.readsEvidence) {
    const evidenceRead =
      'check-evidence lists and reads the documents of any proposal: read-only S3 actions on the evidence bucket, objects limited to the proposals/ prefix.';
    iam5('Action::s3:GetObject*', evidenceRead);
    iam5('Action::s3:GetBucket*', evidenceRead);
    iam5('Action::s3:List*', evidenceRead);
    iam5(`Resource::${arnReference(evidenceBucket.bucketArn, fn)}/${EVIDENCE_KEY_PREFIX}*`, evidenceRead);
  }
  acknowledge(
    fn.node.defaultChild!,
    'AwsSolutions-L1',
    'The project pins Node 22 (package.json engines, esbuild target node22, local runtime); moving to a newer Lambda runtime is a deliberate upgrade of the whole toolchain.',
  );
}

/** How cdk-nag names an ARN attribute in a finding: `<LogicalId.Arn>`. */
function arnReference(arn: string, scope: Construct): string {
  const resolved = Stack.of(scope).resolve(arn) as { 'Fn::GetAtt'?: [string, string] };
  if (!resolved['Fn::GetAtt']) throw new Error(`Expected an ARN attribute, got ${JSON.stringify(resolved)}`);
  return `<${resolved['Fn::GetAtt'].join('.')}>`;
}

/**
 * The region data validate-submission needs (national districts, this province's villages), written
 * at synth time for the afterBundling hook to copy beside the bundle: the Lambda never parses CSVs.
 * Named by content, so concurrent and repeated synths share one file per province and data version.
 */
function regionsFile(provinceCode: string): string {
  const content = JSON.stringify(loadRegionData(provinceCode));
  const digest = createHash('sha256').update(content).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'verval-regions');
  const file = join(dir, `${provinceCode}-${digest}.json`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    // Write then rename, so another synth never copies a half-written file.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, content);
    renameSync(partial, file);
  }
  return file;
}

function pascalCase(name: string): string {
  return name[0]!.toUpperCase() + name.slice(1);
}
