import { describe, expect, it } from 'vitest';
import { LocalRuntimeError } from '../../local/errors.ts';
import { nextFireTime, parseScheduleExpression, readSchedules, scheduleInput, startScheduler, type LocalSchedule } from '../../local/scheduler.ts';
import { createTemplateContext, type CfnTemplate } from '../../local/template.ts';

const cutoff = parseScheduleExpression('cron(0 1 17 * ? *)');

describe('nextFireTime', () => {
  it('fires a monthly cron at 01:00 on the 17th in the schedule time zone (WIT is UTC+9)', () => {
    expect(nextFireTime(cutoff, 'Asia/Jayapura', new Date('2025-03-01T00:00:00Z'))).toEqual(new Date('2025-03-16T16:00:00Z'));
    // Just after one cut-off, the next is a month later; across the year end too.
    expect(nextFireTime(cutoff, 'Asia/Jayapura', new Date('2025-03-16T16:00:00Z'))).toEqual(new Date('2025-04-16T16:00:00Z'));
    expect(nextFireTime(cutoff, 'Asia/Jayapura', new Date('2025-12-20T00:00:00Z'))).toEqual(new Date('2026-01-16T16:00:00Z'));
    expect(nextFireTime(cutoff, 'UTC', new Date('2025-03-01T00:00:00Z'))).toEqual(new Date('2025-03-17T01:00:00Z'));
  });

  it('skips months without the day, as EventBridge does', () => {
    const last = parseScheduleExpression('cron(30 2 31 * ? *)');
    expect(nextFireTime(last, 'Asia/Jakarta', new Date('2025-04-01T00:00:00Z'))).toEqual(new Date('2025-05-30T19:30:00Z'));
  });

  it('reads lists and ranges, and stops after the last year named', () => {
    const twice = parseScheduleExpression('cron(0,30 8-9 1 1 ? 2026)');
    const after = new Date('2025-06-01T00:00:00Z');
    const first = nextFireTime(twice, 'UTC', after)!;
    expect(first).toEqual(new Date('2026-01-01T08:00:00Z'));
    expect(nextFireTime(twice, 'UTC', new Date('2026-01-01T09:30:00Z'))).toBeUndefined();
  });

  it('counts rates from the anchor and fires an at() expression once, in its zone', () => {
    const rate = parseScheduleExpression('rate(5 minutes)');
    const anchor = new Date('2025-01-01T00:00:00Z');
    expect(nextFireTime(rate, 'UTC', new Date('2025-01-01T00:07:00Z'), anchor)).toEqual(new Date('2025-01-01T00:10:00Z'));
    const at = parseScheduleExpression('at(2025-02-01T08:00:00)');
    expect(nextFireTime(at, 'Asia/Makassar', new Date('2025-01-01T00:00:00Z'))).toEqual(new Date('2025-02-01T00:00:00Z'));
    expect(nextFireTime(at, 'Asia/Makassar', new Date('2025-02-01T00:00:00Z'))).toBeUndefined();
  });

  it('refuses at start the cron forms it does not implement, naming them', () => {
    for (const text of ['cron(0 1 ? * MON *)', 'cron(0/5 * * * ? *)', 'cron(0 1 L * ? *)', 'rate(1 week)']) {
      expect(() => parseScheduleExpression(text)).toThrow(LocalRuntimeError);
    }
  });
});

describe('scheduleInput', () => {
  it('substitutes the scheduled time (UTC, second precision) and the schedule ARN', () => {
    const input = scheduleInput({ arn: 'arn:aws:scheduler:r:a:schedule/default/s', input: '{"job":"x","scheduledTime":"<aws.scheduler.scheduled-time>","by":"<aws.scheduler.schedule-arn>"}' }, new Date('2025-03-16T16:00:00.000Z'));
    expect(input).toEqual({ job: 'x', scheduledTime: '2025-03-16T16:00:00Z', by: 'arn:aws:scheduler:r:a:schedule/default/s' });
  });
});

describe('readSchedules', () => {
  const template: CfnTemplate = {
    Resources: {
      Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
      Job: {
        Type: 'AWS::Scheduler::Schedule',
        Properties: {
          ScheduleExpression: 'cron(0 1 17 * ? *)',
          ScheduleExpressionTimezone: 'Asia/Jakarta',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] }, RoleArn: 'r', Input: '{"scheduledTime":"<aws.scheduler.scheduled-time>"}' },
        },
      },
    },
  };

  it('finds the Lambda target by its ARN, the zone and the input', () => {
    const ctx = createTemplateContext(template, { region: 'ap-southeast-3', stackName: 'S' });
    const [schedule] = readSchedules(template, ctx);
    expect(schedule).toMatchObject({ logicalId: 'Job', functionName: ctx.resources.Fn!.ref, timezone: 'Asia/Jakarta', enabled: true });
  });

  it('refuses a target that is not a function of the template', () => {
    const other = structuredClone(template);
    (other.Resources!.Job!.Properties!.Target as Record<string, unknown>).Arn = 'arn:aws:sqs:ap-southeast-3:1:queue';
    expect(() => readSchedules(other, createTemplateContext(other, { region: 'ap-southeast-3', stackName: 'S' }))).toThrow(/only Lambda functions/);
  });
});

describe('startScheduler', () => {
  const schedule = (expression: string): LocalSchedule => ({
    logicalId: 'Job',
    name: 'job',
    arn: 'arn:aws:scheduler:r:a:schedule/default/job',
    expression: parseScheduleExpression(expression),
    timezone: 'UTC',
    enabled: true,
    functionName: 'fn',
    input: '{"scheduledTime":"<aws.scheduler.scheduled-time>"}',
  });

  it('invokes the target in real time with each due time, until closed', async () => {
    const calls: unknown[] = [];
    const at = new Date(Math.ceil((Date.now() + 300) / 1000) * 1000);
    const iso = at.toISOString().replace(/\.\d{3}Z$/, '');
    const scheduler = startScheduler([schedule(`at(${iso})`)], { invoke: async (name, payload) => void calls.push({ name, payload }), onError: () => undefined });
    await new Promise((resolveWait) => setTimeout(resolveWait, at.getTime() - Date.now() + 200));
    scheduler.close();
    expect(calls).toEqual([{ name: 'fn', payload: { scheduledTime: `${iso}Z` } }]);
  });

  it('runs a schedule on demand with a given scheduled time and returns the result', async () => {
    const scheduler = startScheduler([schedule('cron(0 1 17 * ? *)')], { invoke: async (_name, payload) => payload, onError: () => undefined });
    try {
      await expect(scheduler.run('job', new Date('2025-03-17T01:00:00Z'))).resolves.toEqual({ scheduledTime: '2025-03-17T01:00:00Z' });
      expect(() => scheduler.run('nope', new Date())).toThrow(/No schedule named nope/);
    } finally {
      scheduler.close();
    }
  });

  it('reports a failing invocation instead of crashing', async () => {
    const errors: string[] = [];
    const at = new Date(Math.ceil((Date.now() + 300) / 1000) * 1000);
    const scheduler = startScheduler([schedule(`at(${at.toISOString().replace(/\.\d{3}Z$/, '')})`)], {
      invoke: async () => {
        throw new Error('boom');
      },
      onError: (message) => errors.push(message),
    });
    await new Promise((resolveWait) => setTimeout(resolveWait, at.getTime() - Date.now() + 200));
    scheduler.close();
    expect(errors).toEqual(['schedule job → fn failed: boom']);
  });
});
