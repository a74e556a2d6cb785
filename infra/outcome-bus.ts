import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

/**
 * Where finalized outcomes go, for the downstream national submission (DTSEN) to pick up.
 * The archive lets a consumer that was down or added later replay a year of outcomes.
 */
export class OutcomeBus extends Construct {
  readonly bus: events.EventBus;

  constructor(scope: Construct, id: string, props: { provinceCode: string }) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: `verval-${props.provinceCode}`,
      description: `Verval ${props.provinceCode}: finalized proposal outcomes`,
    });
    this.bus.archive('Archive', {
      description: `Every outcome published on verval-${props.provinceCode}`,
      eventPattern: { account: [this.bus.env.account] },
      retention: Duration.days(365),
    });
  }
}
