import { z } from 'zod';
import { isInside } from './access.ts';
import { REGION_CODE_PATTERNS } from './regions.ts';

/*
 * Approval freezes: an administrator stops decisions in a region for a window (for example during regional
 * elections). Decisions taken inside the window are recorded and held; SLAs do not run while it lasts.
 */

/** A window longer than this is almost certainly a typo (2205 for 2025); a real one can be declared again. */
export const MAX_FREEZE_DAYS = 180;
/**
 * Lapses of an SLA that a freeze may pause, per task: the workflow's retry budget for timeouts is the escalations
 * plus these. Generous (a 180-day freeze over a 1-day SLA pauses 180 times), only there to end a runaway loop.
 */
export const MAX_PAUSED_LAPSES = 500;
const DAY_MS = 86_400_000;

export type Freeze = {
  freezeId: string;
  /** Kemendagri code of a province, regency, district or village; the freeze covers everything inside it. */
  regionCode: string;
  /** ISO instants; the freeze is active from startsAt (inclusive) until endsAt (exclusive). */
  startsAt: string;
  endsAt: string;
  /** The administrator's own words, shown to approvers as they are. */
  reason: string;
  declaredBy: string;
  declaredAt: string;
  /** Set when an administrator ended it before its planned end; endsAt then holds the actual end. */
  endedEarly?: { at: string; by: string; plannedEndsAt: string };
};

export const FREEZE_STATES = ['UPCOMING', 'ACTIVE', 'ENDED'] as const;
export type FreezeState = (typeof FREEZE_STATES)[number];

/** Administrators may write local time with its offset (2025-11-27T00:00:00+07:00); stored as UTC. */
const instant = z.iso.datetime({ offset: true });

export const FreezeInputSchema = z
  .strictObject({
    regionCode: z.string().refine((code) => Object.values(REGION_CODE_PATTERNS).some((pattern) => pattern.test(code)), {
      params: { code: 'INVALID_FORMAT', example: '81.71' },
    }),
    startsAt: instant,
    endsAt: instant,
    reason: z.string().trim().min(5).max(500),
  })
  .superRefine((value, ctx) => {
    const length = Date.parse(value.endsAt) - Date.parse(value.startsAt);
    if (length <= 0) ctx.addIssue({ code: 'custom', path: ['endsAt'], params: { code: 'FREEZE_ENDS_BEFORE_START' } });
    else if (length > MAX_FREEZE_DAYS * DAY_MS) {
      ctx.addIssue({ code: 'custom', path: ['endsAt'], params: { code: 'FREEZE_TOO_LONG', max: MAX_FREEZE_DAYS } });
    }
  });
export type FreezeInput = z.infer<typeof FreezeInputSchema>;

/** Whether a freeze of `freeze.regionCode` covers `code` (the region itself or anything inside it). */
export const covers = (freeze: Pick<Freeze, 'regionCode'>, code: string) => isInside(freeze.regionCode, code);

export function freezeState(freeze: Pick<Freeze, 'startsAt' | 'endsAt'>, at: Date): FreezeState {
  const t = at.getTime();
  if (t < Date.parse(freeze.startsAt)) return 'UPCOMING';
  return t < Date.parse(freeze.endsAt) ? 'ACTIVE' : 'ENDED';
}

/** The freeze holding decisions on `code` at `at`: of those active, the one ending last (it decides when work resumes). */
export function activeFreezeFor<F extends Freeze>(freezes: readonly F[], code: string, at: Date): F | undefined {
  return freezes
    .filter((freeze) => covers(freeze, code) && freezeState(freeze, at) === 'ACTIVE')
    .reduce<F | undefined>((last, freeze) => (!last || freeze.endsAt > last.endsAt ? freeze : last), undefined);
}

/**
 * Milliseconds of [from, to) during which `code` was frozen. Overlapping freezes count once, so two freezes of the
 * same week (a regency's and a village's) pause an SLA by one week, not two.
 */
export function frozenMsBetween(freezes: readonly Freeze[], code: string, from: Date, to: Date): number {
  const windows = freezes
    .filter((freeze) => covers(freeze, code))
    .map((freeze) => [Math.max(Date.parse(freeze.startsAt), from.getTime()), Math.min(Date.parse(freeze.endsAt), to.getTime())] as const)
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let reached = -Infinity;
  for (const [start, end] of windows) {
    const counted = Math.max(start, reached);
    if (end > counted) total += end - counted;
    reached = Math.max(reached, end);
  }
  return total;
}

/** Whether a freeze matters to an administrator of `region`: it covers the region, or lies inside it. */
export const concerns = (freeze: Pick<Freeze, 'regionCode'>, region: string) =>
  isInside(freeze.regionCode, region) || isInside(region, freeze.regionCode);

/** The instant an early end takes effect: now, or the start for a freeze that never began (it then never holds anything). */
export function earlyEndAt(freeze: Pick<Freeze, 'startsAt' | 'endsAt'>, at: Date): string | undefined {
  if (freezeState(freeze, at) === 'ENDED') return undefined;
  return new Date(Math.max(at.getTime(), Date.parse(freeze.startsAt))).toISOString();
}
