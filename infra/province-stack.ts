import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ProvinceConfig } from '../domain/province-config.ts';
import { RecipientWorkflow } from '../workflows/recipient-workflow.ts';
import { consoleAssetDir, consoleDomainFrom, ConsoleHosting } from './console-hosting.ts';
import { EncryptionKey } from './encryption-key.ts';
import { CutoffExport } from './cutoff-export.ts';
import { EvidenceBucket } from './evidence-bucket.ts';
import { ExportsBucket } from './exports-bucket.ts';
import { VervalApi } from './http-api.ts';
import { IdentityHashSecret } from './identity-hash-secret.ts';
import { ImportProcessor } from './import-processor.ts';
import { FreezeRelease } from './freeze-release.ts';
import { OutcomeBus } from './outcome-bus.ts';
import type { Province } from './provinces.ts';
import { RecordsTable } from './records-table.ts';
import { StageFunctions } from './stage-functions.ts';
import { UserPool } from './user-pool.ts';

export interface ProvinceStackProps extends StackProps {
  province: Province;
  /** The resolved configuration; functions receive it verbatim as PROVINCE_CONFIG. */
  config: ProvinceConfig;
}

/**
 * Everything one province runs on: data, evidence, the identity key, the stage functions and the workflow,
 * its users and the HTTP API in front of it, and the bulk-import processor.
 */
export class ProvinceStack extends Stack {
  readonly recordsTable: RecordsTable;
  readonly evidence: EvidenceBucket;
  readonly exports: ExportsBucket;
  readonly cutoff: CutoffExport;
  readonly identityHashSecret: IdentityHashSecret;
  readonly outcomes: OutcomeBus;
  readonly stages: StageFunctions;
  readonly workflow: RecipientWorkflow;
  readonly users: UserPool;
  readonly api: VervalApi;
  readonly imports: ImportProcessor;
  readonly freezeRelease: FreezeRelease;
  readonly console: ConsoleHosting;

  constructor(scope: Construct, id: string, props: ProvinceStackProps) {
    super(scope, id, props);
    const { province, config } = props;
    this.templateOptions.description = `Verval ${province.code} ${province.name}: verification and validation of proposed social-assistance recipients`;
    this.tags.setTag('verval:province', province.code);

    const { key } = new EncryptionKey(this, 'EncryptionKey', { provinceCode: province.code });
    this.recordsTable = new RecordsTable(this, 'Records', { encryptionKey: key });
    this.evidence = new EvidenceBucket(this, 'Evidence', { encryptionKey: key });
    this.identityHashSecret = new IdentityHashSecret(this, 'IdentityHashSecret', { encryptionKey: key });
    this.outcomes = new OutcomeBus(this, 'Outcomes', { provinceCode: province.code });
    this.exports = new ExportsBucket(this, 'Exports', { encryptionKey: key, accessLogBucket: this.evidence.accessLogBucket });
    this.cutoff = new CutoffExport(this, 'Cutoff', {
      config,
      table: this.recordsTable.table,
      exportsBucket: this.exports.bucket,
      eventBus: this.outcomes.bus,
      encryptionKey: key,
    });
    this.stages = new StageFunctions(this, 'Stages', {
      config,
      table: this.recordsTable.table,
      evidenceBucket: this.evidence.bucket,
      identitySecret: this.identityHashSecret.secret,
      encryptionKey: key,
    });
    this.workflow = new RecipientWorkflow(this, 'RecipientWorkflow', {
      config,
      stages: this.stages.functions,
      eventBus: this.outcomes.bus,
      encryptionKey: key,
    });

    this.freezeRelease = new FreezeRelease(this, 'FreezeRelease', {
      config,
      table: this.recordsTable.table,
      stateMachine: this.workflow.stateMachine,
      encryptionKey: key,
    });

    this.users = new UserPool(this, 'Users', { config, encryptionKey: key });
    const consoleDomain = consoleDomainFrom(this.node.tryGetContext('consoleDomain'), this.node.tryGetContext('certificateArn'));
    this.api = new VervalApi(this, 'Api', {
      config,
      table: this.recordsTable.table,
      evidenceBucket: this.evidence.bucket,
      exportsBucket: this.exports.bucket,
      encryptionKey: key,
      stateMachine: this.workflow.stateMachine,
      issuer: this.users.issuer,
      audience: this.users.client.userPoolClientId,
      // Not the distribution's own domain: the console's CSP names the API, so the API cannot name the distribution.
      corsOrigins: corsOriginsFrom(this.node.tryGetContext('corsOrigins'), consoleDomain && [`https://${consoleDomain.name}`]),
    });
    this.imports = new ImportProcessor(this, 'Imports', {
      config,
      table: this.recordsTable.table,
      evidenceBucket: this.evidence.bucket,
      encryptionKey: key,
    });

    this.console = new ConsoleHosting(this, 'Console', {
      provinceCode: province.code,
      assetDir: consoleAssetDir(this, province.code),
      apiUrl: this.api.api.apiEndpoint,
      userPoolId: this.users.userPool.userPoolId,
      userPoolClientId: this.users.client.userPoolClientId,
      evidenceBucket: this.evidence.bucket,
      encryptionKey: key,
      ...(consoleDomain && { domain: consoleDomain }),
    });

    new CfnOutput(this, 'TableName', { value: this.recordsTable.table.tableName });
    new CfnOutput(this, 'EvidenceBucketName', { value: this.evidence.bucket.bucketName });
    new CfnOutput(this, 'ExportsBucketName', { value: this.exports.bucket.bucketName });
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'EventBusName', { value: this.outcomes.bus.eventBusName });
    new CfnOutput(this, 'ApiUrl', { value: this.api.url });
    new CfnOutput(this, 'UserPoolId', { value: this.users.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.users.client.userPoolClientId });
    new CfnOutput(this, 'Issuer', { value: this.users.issuer });
    new CfnOutput(this, 'ConsoleUrl', { value: this.console.url });
  }
}

/**
 * `-c corsOrigins=https://a.example,https://b.example`; unset, the fallback (the console's custom domain when one
 * is configured), else any origin (bearer tokens, no cookies).
 */
export function corsOriginsFrom(context: unknown, fallback: string[] = ['*']): string[] {
  const origins = String(context ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  return origins.length > 0 ? origins : fallback;
}
