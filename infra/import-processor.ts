import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';
import type { ProvinceConfig } from '../domain/province-config.ts';
import { IMPORT_KEY_PREFIX } from './evidence-bucket.ts';
import { VervalFunction } from './verval-function.ts';

export interface ImportProcessorProps {
  config: ProvinceConfig;
  table: dynamodb.ITableV2;
  evidenceBucket: s3.Bucket;
  encryptionKey: kms.IKey;
}

/**
 * Bulk imports: a CSV/XLSX uploaded under imports/ (through the slot POST /imports hands out) starts
 * functions/process-import.ts, which reads the file and writes one draft per household into the records
 * table. Big files take minutes, hence 15 minutes and 1 GB (more memory is also more CPU for XLSX).
 */
export class ImportProcessor extends Construct {
  readonly processor: VervalFunction;

  constructor(scope: Construct, id: string, props: ImportProcessorProps) {
    super(scope, id);
    const { config, table, evidenceBucket, encryptionKey } = props;

    this.processor = new VervalFunction(this, 'Processor', {
      config,
      file: 'process-import.ts',
      description: 'Reads an uploaded import file and creates its drafts',
      memorySize: 1024,
      timeout: Duration.minutes(15),
      records: { table, access: 'read-write' },
      encryptionKey,
      needsRegions: true,
      environment: { EVIDENCE_BUCKET: evidenceBucket.bucketName },
    });
    const { role } = this.processor;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`${evidenceBucket.bucketArn}/${IMPORT_KEY_PREFIX}*`] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
    this.processor.acknowledgePolicyFinding(
      `Resource::${this.processor.arnReference(evidenceBucket.bucketArn)}/${IMPORT_KEY_PREFIX}*`,
      'process-import reads the uploaded file named by the S3 event, which is always under imports/; GetObject only, nothing outside that prefix.',
    );

    evidenceBucket.addEventNotification(
      s3.EventType.OBJECT_CREATED,
      new LambdaDestination(this.processor.function),
      { prefix: IMPORT_KEY_PREFIX },
    );
    acknowledgeNotificationsHandler(Stack.of(this));
  }
}

/**
 * addEventNotification configures the bucket through a CDK-provided custom resource (one per stack, its
 * code inline in the template), whose role CDK builds with AWSLambdaBasicExecutionRole; its other
 * permission, s3:PutBucketNotification, names the evidence bucket. It runs only during deployment.
 */
function acknowledgeNotificationsHandler(stack: Stack) {
  const handler = stack.node
    .findAll()
    .find((construct) => construct.node.id.startsWith('BucketNotificationsHandler') && construct.node.scope === stack);
  if (!handler) throw new Error('The S3 notifications handler CDK adds was not found');
  const role = handler.node.findChild('Role');
  Validations.of(role.node.defaultChild!).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      "CDK's S3 bucket-notifications custom resource creates its role with AWSLambdaBasicExecutionRole; it runs only while CloudFormation deploys, and its only other permission is s3:PutBucketNotification on the evidence bucket.",
  });
}
