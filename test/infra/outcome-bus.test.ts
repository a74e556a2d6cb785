import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { OutcomeBus } from '../../infra/outcome-bus.ts';
import { constructStack, resourcesOfType } from './support.ts';

describe('OutcomeBus', () => {
  const { stack } = constructStack();
  const { bus } = new OutcomeBus(stack, 'Outcomes', { provinceCode: '81' });
  const template = Template.fromStack(stack);
  const busId = stack.getLogicalId(bus.node.defaultChild as never);

  it('is a custom bus named after the province', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'verval-81' });
  });

  it('archives every outcome on the bus for a year, for replay', () => {
    const [[, archive]] = resourcesOfType(template, 'AWS::Events::Archive') as [[string, any]];
    expect(archive.Properties.RetentionDays).toBe(365);
    expect(archive.Properties.SourceArn).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
  });
});
