import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ProvinceConfig } from '../domain/province-config.ts';
import type { StageFunctions as StageFunctionMap } from '../workflows/recipient-workflow.ts';
import { EVIDENCE_KEY_PREFIX } from './evidence-bucket.ts';
import { VervalFunction } from './verval-function.ts';

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
    const environment: Record<string, string> = {};
    if (spec.readsEvidence) environment.EVIDENCE_BUCKET = evidenceBucket.bucketName;
    if (spec.readsIdentitySecret) environment.IDENTITY_HASH_SECRET_ARN = identitySecret.secretArn;

    const stage = new VervalFunction(this, pascalCase(name), {
      config,
      file: spec.file,
      description: spec.description,
      ...(spec.memorySize && { memorySize: spec.memorySize }),
      ...(spec.timeout && { timeout: spec.timeout }),
      records: { table, access: 'read-write' },
      encryptionKey,
      ...(spec.needsRegions && { needsRegions: true }),
      environment,
    });
    if (spec.readsEvidence) {
      evidenceBucket.grantRead(stage.function, `${EVIDENCE_KEY_PREFIX}*`);
      const evidenceRead =
        'check-evidence lists and reads the documents of any proposal: read-only S3 actions on the evidence bucket, objects limited to the proposals/ prefix.';
      stage.acknowledgePolicyFinding('Action::s3:GetObject*', evidenceRead);
      stage.acknowledgePolicyFinding('Action::s3:GetBucket*', evidenceRead);
      stage.acknowledgePolicyFinding('Action::s3:List*', evidenceRead);
      stage.acknowledgePolicyFinding(
        `Resource::${stage.arnReference(evidenceBucket.bucketArn)}/${EVIDENCE_KEY_PREFIX}*`,
        evidenceRead,
      );
    }
    if (spec.readsIdentitySecret) identitySecret.grantRead(stage.function);
    return stage.function;
  }
}

function pascalCase(name: string): string {
  return name[0]!.toUpperCase() + name.slice(1);
}
