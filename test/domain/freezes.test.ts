import { describe, expect, it } from 'vitest';
import { activeFreezeFor, earlyEndAt, FreezeInputSchema, freezeState, frozenMsBetween, type Freeze } from '../../domain/freezes.ts';

const T = (minutes: number) => new Date(Date.UTC(2025, 10, 27, 0, minutes));
const freeze = (regionCode: string, from: number, to: number, freezeId = `${regionCode}-${from}`): Freeze => ({
  freezeId,
  regionCode,
  startsAt: T(from).toISOString(),
  endsAt: T(to).toISOString(),
  reason: 'Pilkada',
  declaredBy: 'admin',
  declaredAt: T(0).toISOString(),
});

describe('approval freezes', () => {
  it('is upcoming before its start, active from its start, and ended from its end', () => {
    const f = freeze('81.71', 10, 20);
    expect([9, 10, 19, 20].map((m) => freezeState(f, T(m)))).toEqual(['UPCOMING', 'ACTIVE', 'ACTIVE', 'ENDED']);
  });

  it('freezes a village through a freeze of the village or of any region above it, not of a neighbour', () => {
    const freezes = [freeze('81.71.02', 0, 60), freeze('81.71', 0, 30), freeze('81.71.01.1006', 0, 45)];
    expect(activeFreezeFor(freezes, '81.71.01.1006', T(10))?.regionCode).toBe('81.71.01.1006');
    expect(activeFreezeFor(freezes, '81.71.01.1007', T(10))?.regionCode).toBe('81.71');
    expect(activeFreezeFor(freezes, '81.71.01.1007', T(31))).toBeUndefined();
    expect(activeFreezeFor(freezes, '81.01.01.2001', T(10))).toBeUndefined();
    // Of two active ones, the one ending last says when work resumes.
    expect(activeFreezeFor(freezes, '81.71.02.1010', T(10))?.regionCode).toBe('81.71.02');
  });

  it('counts frozen time inside an interval once, however many freezes overlap', () => {
    const freezes = [freeze('81.71', 10, 30), freeze('81.71.01', 20, 40), freeze('81.71.02', 0, 100)];
    expect(frozenMsBetween(freezes, '81.71.01.1006', T(0), T(60))).toBe(30 * 60_000);
    expect(frozenMsBetween(freezes, '81.71.01.1006', T(25), T(35))).toBe(10 * 60_000);
    expect(frozenMsBetween(freezes, '81.71.01.1006', T(40), T(60))).toBe(0);
  });

  it('ends early now, or at its start when it never began; an ended freeze cannot end again', () => {
    const f = freeze('81.71', 10, 20);
    expect(earlyEndAt(f, T(15))).toBe(T(15).toISOString());
    expect(earlyEndAt(f, T(5))).toBe(T(10).toISOString());
    expect(earlyEndAt(f, T(20))).toBeUndefined();
  });

  it('accepts local time with an offset and refuses a window that ends first or lasts over 180 days', () => {
    const ok = FreezeInputSchema.safeParse({ regionCode: '81.71', startsAt: '2025-11-27T00:00:00+07:00', endsAt: '2025-11-28T00:00:00+07:00', reason: 'Pilkada serentak' });
    expect(ok.success).toBe(true);
    const backwards = FreezeInputSchema.safeParse({ regionCode: '81.71', startsAt: T(10).toISOString(), endsAt: T(10).toISOString(), reason: 'Pilkada serentak' });
    expect(backwards.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['endsAt']);
    const long = FreezeInputSchema.safeParse({ regionCode: '81.71', startsAt: '2025-01-01T00:00:00Z', endsAt: '2025-07-01T00:00:01Z', reason: 'Pilkada serentak' });
    expect(long.success).toBe(false);
  });
});
