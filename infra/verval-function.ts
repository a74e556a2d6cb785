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
import { Construct, type IConstruct } from 'constructs';
import type { ProvinceConfig } from '../domain/province-config.ts';
import { loadRegionData } from '../domain/region-source.ts';

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

/** The reads among RECORDS_TABLE_ACTIONS: what a function that only looks gets. */
export const RECORDS_TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];

/** What DynamoDB needs of the table's key on the caller's behalf (as grantReadWriteData grants). */
const RECORDS_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];
/** Reading items only decrypts (as grantReadData grants). */
const RECORDS_KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];

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

/** `read-write`: RECORDS_TABLE_ACTIONS; `read`: Get, BatchGet, Query. */
export type RecordsAccess = 'read-write' | 'read';

export interface VervalFunctionProps {
  config: ProvinceConfig;
  /** Handler file under functions/, exporting `handler`: `finalize.ts`, `api/get-proposal.ts`. */
  file: string;
  description: string;
  memorySize?: number;
  timeout?: Duration;
  /** The records table and how the function uses it; without it, no grant and no TABLE_NAME/PROVINCE_CONFIG. */
  records?: { table: dynamodb.ITableV2; access: RecordsAccess };
  /** The province key: log group encryption, and the table's items through DynamoDB. */
  encryptionKey: kms.IKey;
  /** Ships `regions.json` (national districts, this province's villages) beside the bundle. */
  needsRegions?: boolean;
  /** Added to the common environment (TABLE_NAME, PROVINCE_CODE, PROVINCE_CONFIG). */
  environment?: Record<string, string>;
}

/**
 * One Verval Lambda, the same way for workflow stages, API routes, the import processor and the Cognito
 * trigger: nodejs22.x on arm64 with active tracing, bundled by esbuild; its own role (not
 * AWSLambdaBasicExecutionRole, whose log permissions span every log group) and its own log group, kept a
 * year and encrypted with the province key; records-table access as asked, only through DynamoDB.
 * Callers add what else the function touches to `role` and acknowledge their own wildcards.
 */
export class VervalFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: VervalFunctionProps) {
    super(scope, id);
    const { config, records, encryptionKey } = props;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Verval ${config.provinceCode} ${props.file}`,
    });
    this.logGroup.grantWrite(this.role);

    const environment: Record<string, string> = {
      ...(records && { TABLE_NAME: records.table.tableName }),
      PROVINCE_CODE: config.provinceCode,
      ...(records && { PROVINCE_CONFIG: JSON.stringify(config) }),
      ...props.environment,
    };

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(REPO_ROOT, 'functions', props.file),
      handler: 'handler',
      description: `Verval ${config.provinceCode}: ${props.description}`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      role: this.role,
      environment,
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      bundling: {
        ...BUNDLING,
        ...(props.needsRegions && {
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

    if (records) {
      const write = records.access === 'read-write';
      records.table.grant(this.function, ...(write ? RECORDS_TABLE_ACTIONS : RECORDS_TABLE_READ_ACTIONS));
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: write ? RECORDS_KEY_ACTIONS : RECORDS_KEY_READ_ACTIONS,
          resources: [encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
    }
    this.acknowledgeCommonFindings(props);
  }

  /**
   * cdk-nag v3 acknowledges one finding at a time (`AwsSolutions-IAM5[<finding>]`), which scopes each reason
   * to the exact wildcard it covers. The grants all land in the role's DefaultPolicy; acknowledging there
   * leaves the role itself checked.
   */
  acknowledgePolicyFinding(finding: string, reason: string): void {
    const policy = this.role.node.findChild('DefaultPolicy').node.defaultChild!;
    Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  }

  /** How cdk-nag names an ARN attribute of another resource in a finding: `<LogicalId.Arn>`. */
  arnReference(arn: string): string {
    return arnReference(arn, this);
  }

  private acknowledgeCommonFindings(props: VervalFunctionProps) {
    this.acknowledgePolicyFinding(
      'Resource::*',
      'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions, so active tracing needs Resource "*".',
    );
    if (props.records) {
      this.acknowledgePolicyFinding(
        `Resource::${this.arnReference(props.records.table.tableArn)}/index/*`,
        'The function queries the table GSIs (byVillage, inbox, registry, byRegion); <table>/index/* names exactly the indexes of this one table.',
      );
    }
    if (props.records?.access === 'read-write') {
      const dataKeys =
        'DynamoDB encrypts items with data keys from the province key; GenerateDataKey*/ReEncrypt* are the variants of those calls, on this one key and only via DynamoDB (kms:ViaService).';
      this.acknowledgePolicyFinding('Action::kms:GenerateDataKey*', dataKeys);
      this.acknowledgePolicyFinding('Action::kms:ReEncrypt*', dataKeys);
    }
    acknowledge(
      this.function.node.defaultChild!,
      'AwsSolutions-L1',
      'The project pins Node 22 (package.json engines, esbuild target node22, local runtime); moving to a newer Lambda runtime is a deliberate upgrade of the whole toolchain.',
    );
  }
}

function acknowledge(scope: IConstruct, id: string, reason: string) {
  Validations.of(scope).acknowledge({ id, reason });
}

/** How cdk-nag names an ARN attribute in a finding: `<LogicalId.Arn>`. */
export function arnReference(arn: string, scope: Construct): string {
  const resolved = Stack.of(scope).resolve(arn) as { 'Fn::GetAtt'?: [string, string] };
  if (!resolved['Fn::GetAtt']) throw new Error(`Expected an ARN attribute, got ${JSON.stringify(resolved)}`);
  return `<${resolved['Fn::GetAtt'].join('.')}>`;
}

/**
 * The region data a function needs (national districts, this province's villages), written at synth time
 * for the afterBundling hook to copy beside the bundle: the Lambda never parses CSVs. Named by content, so
 * concurrent and repeated synths share one file per province and data version.
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
