import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ProvinceConfig } from '../domain/province-config.ts';
import { ScheduledJob } from './scheduled-job.ts';
import { VervalFunction } from './verval-function.ts';

export interface FreezeReleaseProps {
  config: ProvinceConfig;
  table: dynamodb.ITableV2;
  stateMachine: sfn.IStateMachine;
  encryptionKey: kms.IKey;
}

/**
 * functions/release-held-decisions.ts every five minutes: decisions held by an approval freeze go to the workflow
 * once the freeze has run out. A held decision waits at most that long after its freeze ends.
 */
export class FreezeRelease extends Construct {
  readonly releaser: VervalFunction;
  readonly job: ScheduledJob;

  constructor(scope: Construct, id: string, props: FreezeReleaseProps) {
    super(scope, id);
    const { config, table, stateMachine, encryptionKey } = props;
    this.releaser = new VervalFunction(this, 'Releaser', {
      config,
      file: 'release-held-decisions.ts',
      description: 'Sends decisions held by ended approval freezes to the workflow',
      timeout: Duration.seconds(60),
      records: { table, access: 'read-write' },
      encryptionKey,
      environment: { STATE_MACHINE_ARN: stateMachine.stateMachineArn },
    });
    // As the decide-task route (infra/http-api.ts): task responses are authorized against the issuing state machine.
    this.releaser.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: [stateMachine.stateMachineArn] }),
    );
    this.job = new ScheduledJob(this, 'Schedule', {
      target: this.releaser.function,
      expression: 'rate(5 minutes)',
      description: `Verval ${config.provinceCode}: send decisions held by ended approval freezes`,
      encryptionKey,
      // A missed run is covered by the next one five minutes later.
      retryAttempts: 2,
      maxEventAge: Duration.minutes(5),
    });
  }
}
