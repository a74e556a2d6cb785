import { Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { cutoffSchedule } from '../domain/cutoff.ts';
import type { ProvinceConfig } from '../domain/province-config.ts';
import { EXPORT_KEY_PREFIX } from './exports-bucket.ts';
import { ScheduledJob } from './scheduled-job.ts';
import { VervalFunction } from './verval-function.ts';

export interface CutoffExportProps {
  config: ProvinceConfig;
  table: dynamodb.ITableV2;
  exportsBucket: s3.IBucket;
  eventBus: events.IEventBus;
  encryptionKey: kms.IKey;
}

/**
 * The monthly cut-off: functions/run-cutoff.ts, started by a schedule at 01:00 local time on the province's
 * cut-off day, writes the window's changes to the exports bucket and announces them on the outcome bus.
 */
export class CutoffExport extends Construct {
  readonly runner: VervalFunction;
  readonly job: ScheduledJob;

  constructor(scope: Construct, id: string, props: CutoffExportProps) {
    super(scope, id);
    const { config, table, exportsBucket, eventBus, encryptionKey } = props;
    this.runner = new VervalFunction(this, 'Runner', {
      config,
      file: 'run-cutoff.ts',
      description: 'Writes the monthly cut-off export and announces it',
      memorySize: 1024,
      // A province's month of changes is thousands of rows, read from one index and written as two files.
      timeout: Duration.minutes(5),
      records: { table, access: 'read-write' },
      encryptionKey,
      environment: { EXPORTS_BUCKET: exportsBucket.bucketName, EVENT_BUS_NAME: eventBus.eventBusName },
    });
    const { role } = this.runner;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [`${exportsBucket.bucketArn}/${EXPORT_KEY_PREFIX}*`] }));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey'],
        resources: [encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [eventBus.eventBusArn] }));
    this.runner.acknowledgePolicyFinding(
      `Resource::${this.runner.arnReference(exportsBucket.bucketArn)}/${EXPORT_KEY_PREFIX}*`,
      'run-cutoff writes each cut-off into its own folder under exports/ (named by the month); PutObject only, nothing outside that prefix.',
    );

    this.job = new ScheduledJob(this, 'Schedule', {
      target: this.runner.function,
      ...cutoffSchedule(config),
      description: `Verval ${config.provinceCode}: monthly cut-off export on day ${config.cutoffDay}`,
      encryptionKey,
    });
  }
}
