/**
 * EventBridge Scheduler for the local runtime: each `AWS::Scheduler::Schedule` of the template that targets one of
 * its Lambda functions fires in real time (the time scale does not apply: a cut-off on the 17th is a calendar date,
 * not a period) and invokes the function asynchronously with the target's Input, its context attributes
 * (`<aws.scheduler.scheduled-time>`, `-schedule-arn`, `-execution-id`, `-attempt-number`) substituted.
 *
 * Expressions served: `rate(<n> minute|minutes|hour|hours|day|days)`, counted from the start of the runtime;
 * `at(yyyy-mm-ddThh:mm:ss)`; and `cron(minutes hours day-of-month month day-of-week year)` where each field is
 * `*`, a number, a range `a-b` or a list of those, `?` (or `*`) for the day of the week (named days, `L`, `W`, `#`
 * and steps are refused at start). cron and at are read in ScheduleExpressionTimezone (IANA; default UTC).
 * A failed invocation is reported, not retried.
 */
import { randomUUID } from 'node:crypto';
import { LocalRuntimeError } from './errors.ts';
import { resolveResourceProperties, type CfnTemplate, type LocalStackContext } from './template.ts';

export const SCHEDULE_TYPE = 'AWS::Scheduler::Schedule';

export interface LocalSchedule {
  logicalId: string;
  name: string;
  arn: string;
  expression: ScheduleExpression;
  timezone: string;
  enabled: boolean;
  functionName: string;
  /** The target's Input, with the context attributes still in it. */
  input: string | undefined;
}

export type ScheduleExpression =
  | { kind: 'rate'; everyMs: number }
  | { kind: 'at'; wallTime: WallTime }
  | { kind: 'cron'; minutes: number[]; hours: number[]; days: number[]; months: number[]; years: number[] | null };

/** A local date and time in a zone, without the zone. */
interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const unsupported = (message: string) => new LocalRuntimeError('UNSUPPORTED_RESOURCE', message);

export function readSchedules(template: CfnTemplate, ctx: LocalStackContext): LocalSchedule[] {
  const functionNames = new Set(
    Object.entries(template.Resources ?? {})
      .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
      .map(([id]) => ctx.resources[id]!.ref),
  );
  const schedules: LocalSchedule[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== SCHEDULE_TYPE) continue;
    const properties = resolveResourceProperties(template, logicalId, ctx);
    for (const property of ['StartDate', 'EndDate']) {
      if (properties[property] !== undefined) throw unsupported(`${logicalId} (${SCHEDULE_TYPE}) sets ${property}: not supported locally`);
    }
    const target = (properties.Target ?? {}) as { Arn?: unknown; Input?: unknown };
    const functionName = /:function:([^:]+)(?::\$LATEST)?$/.exec(String(target.Arn))?.[1];
    if (!functionName || !functionNames.has(functionName)) {
      throw unsupported(`${logicalId} (${SCHEDULE_TYPE}) targets ${String(target.Arn)}: only Lambda functions of this template are invoked locally`);
    }
    const timezone = typeof properties.ScheduleExpressionTimezone === 'string' ? properties.ScheduleExpressionTimezone : 'UTC';
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    } catch {
      throw unsupported(`${logicalId} (${SCHEDULE_TYPE}) has an unknown time zone ${timezone}`);
    }
    const name = ctx.resources[logicalId]!.ref;
    const group = typeof properties.GroupName === 'string' ? properties.GroupName : 'default';
    schedules.push({
      logicalId,
      name,
      arn: `arn:aws:scheduler:${ctx.region}:${ctx.accountId}:schedule/${group}/${name}`,
      expression: parseScheduleExpression(String(properties.ScheduleExpression), logicalId),
      timezone,
      enabled: properties.State !== 'DISABLED',
      functionName,
      input: typeof target.Input === 'string' ? target.Input : undefined,
    });
  }
  return schedules;
}

export function parseScheduleExpression(text: string, where = 'the schedule'): ScheduleExpression {
  const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(text);
  if (rate) {
    const unit = { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[rate[2]!.replace(/s$/, '') as 'minute' | 'hour' | 'day'];
    const count = Number(rate[1]);
    if (count < 1) throw unsupported(`${where}: ${text} is not a valid rate`);
    return { kind: 'rate', everyMs: count * unit };
  }
  const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(text);
  if (at) {
    const [year, month, day, hour, minute, second] = at.slice(1).map(Number) as [number, number, number, number, number, number];
    return { kind: 'at', wallTime: { year, month, day, hour, minute, second } };
  }
  const cron = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(text);
  if (!cron) throw unsupported(`${where}: the expression ${text} is not supported locally (rate, at and cron are)`);
  const [minutes, hours, days, months, weekdays, years] = cron.slice(1) as [string, string, string, string, string, string];
  if (weekdays !== '?' && weekdays !== '*') {
    throw unsupported(`${where}: ${text} names days of the week; only "?" is supported locally there`);
  }
  const field = (value: string, min: number, max: number, label: string): number[] => {
    if (value === '*' || (value === '?' && label === 'day-of-month')) return range(min, max);
    const values = new Set<number>();
    for (const part of value.split(',')) {
      const match = /^(\d+)(?:-(\d+))?$/.exec(part);
      const from = Number(match?.[1]);
      const to = match?.[2] === undefined ? from : Number(match[2]);
      if (!match || from < min || to > max || from > to) {
        throw unsupported(`${where}: the ${label} field "${value}" of ${text} is not supported locally (numbers, ranges and lists are)`);
      }
      for (const item of range(from, to)) values.add(item);
    }
    return [...values].sort((a, b) => a - b);
  };
  return {
    kind: 'cron',
    minutes: field(minutes, 0, 59, 'minutes'),
    hours: field(hours, 0, 23, 'hours'),
    days: field(days, 1, 31, 'day-of-month'),
    months: field(months, 1, 12, 'month'),
    years: years === '*' ? null : field(years, 1970, 2199, 'year'),
  };
}

/**
 * The first time strictly after `after` the expression fires; undefined when it never will again. `rate` counts
 * from `anchor`.
 */
export function nextFireTime(expression: ScheduleExpression, timezone: string, after: Date, anchor: Date = after): Date | undefined {
  if (expression.kind === 'rate') {
    const periods = Math.floor((after.getTime() - anchor.getTime()) / expression.everyMs) + 1;
    return new Date(anchor.getTime() + Math.max(periods, 1) * expression.everyMs);
  }
  if (expression.kind === 'at') {
    const time = zonedToUtc(expression.wallTime, timezone);
    return time > after ? time : undefined;
  }
  const start = utcToZoned(after, timezone);
  const lastYear = expression.years ? Math.max(...expression.years) : start.year + 10;
  for (let year = start.year; year <= lastYear; year += 1) {
    if (expression.years && !expression.years.includes(year)) continue;
    for (const month of expression.months) {
      if (year === start.year && month < start.month) continue;
      for (const day of expression.days) {
        // The 31st of a 30-day month never fires, as in EventBridge.
        if (day > daysInMonth(year, month)) continue;
        if (year === start.year && month === start.month && day < start.day) continue;
        for (const hour of expression.hours) {
          for (const minute of expression.minutes) {
            const time = zonedToUtc({ year, month, day, hour, minute, second: 0 }, timezone);
            if (time > after) return time;
          }
        }
      }
    }
  }
  return undefined;
}

/** The target's Input as the function receives it: context attributes replaced. */
export function scheduleInput(schedule: Pick<LocalSchedule, 'arn' | 'input'>, scheduledTime: Date, attempt = 1): unknown {
  if (schedule.input === undefined) return {};
  const text = schedule.input
    .replaceAll('<aws.scheduler.scheduled-time>', scheduledTime.toISOString().replace(/\.\d{3}Z$/, 'Z'))
    .replaceAll('<aws.scheduler.schedule-arn>', schedule.arn)
    .replaceAll('<aws.scheduler.execution-id>', randomUUID())
    .replaceAll('<aws.scheduler.attempt-number>', String(attempt));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export interface LocalScheduler {
  schedules: readonly LocalSchedule[];
  /** Invokes a schedule's target now, as if it fired at `scheduledTime`, and returns what the function returned. */
  run(nameOrLogicalId: string, scheduledTime: Date): Promise<unknown>;
  close(): void;
}

/** setTimeout's longest delay; a monthly schedule waits in hops of this. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function startScheduler(
  schedules: readonly LocalSchedule[],
  options: { invoke: (functionName: string, payload: unknown) => Promise<unknown>; onError: (message: string) => void; now?: () => Date },
): LocalScheduler {
  const now = options.now ?? (() => new Date());
  const anchor = now();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const run = (schedule: LocalSchedule, scheduledTime: Date) => options.invoke(schedule.functionName, scheduleInput(schedule, scheduledTime));
  const arm = (schedule: LocalSchedule, after: Date) => {
    const due = nextFireTime(schedule.expression, schedule.timezone, after, anchor);
    if (!due || closed) return;
    const wait = (at: Date) => {
      const delay = Math.max(0, at.getTime() - now().getTime());
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (closed) return;
        if (delay > MAX_TIMER_MS) return wait(at);
        run(schedule, due).catch((error: unknown) =>
          options.onError(`schedule ${schedule.name} → ${schedule.functionName} failed: ${error instanceof Error ? error.message : String(error)}`),
        );
        arm(schedule, due);
      }, Math.min(delay, MAX_TIMER_MS));
      timer.unref();
      timers.add(timer);
    };
    wait(due);
  };
  for (const schedule of schedules) if (schedule.enabled) arm(schedule, anchor);

  return {
    schedules,
    run: (nameOrLogicalId, scheduledTime) => {
      const schedule = schedules.find((candidate) => candidate.name === nameOrLogicalId || candidate.logicalId === nameOrLogicalId);
      if (!schedule) throw new LocalRuntimeError('INVALID_ARGUMENT', `No schedule named ${nameOrLogicalId} in the template.`);
      return run(schedule, scheduledTime);
    },
    close: () => {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

// ---------------------------------------------------------------- time zones

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const formats = new Map<string, Intl.DateTimeFormat>();

function utcToZoned(time: Date, timezone: string): WallTime {
  let format = formats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timezone, format);
  }
  const parts = Object.fromEntries(
    format
      .formatToParts(time)
      .filter((part) => part.type !== 'literal')
      .map((part) => [part.type, Number(part.value)]),
  ) as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number>;
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

/** The instant a wall time in `timezone` names (the zone's offset found by asking twice, for DST edges). */
function zonedToUtc(wall: WallTime, timezone: string): Date {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  const offsetAt = (time: number) => {
    const zoned = utcToZoned(new Date(time), timezone);
    return Date.UTC(zoned.year, zoned.month - 1, zoned.day, zoned.hour, zoned.minute, zoned.second) - time;
  };
  const first = asUtc - offsetAt(asUtc);
  return new Date(asUtc - offsetAt(first));
}
