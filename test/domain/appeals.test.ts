import { describe, expect, it } from 'vitest';
import { appealTier, appealVerdict, appealWindowEndsAt, AppealInputSchema } from '../../domain/appeals.ts';
import { provinceConfig } from '../../domain/province-config.ts';

const config = provinceConfig('81');
const rejectedAt = '2026-03-01T00:00:00.000Z';
const daysAfter = (days: number) => new Date(Date.parse(rejectedAt) + days * 86_400_000);
const verdict = (overrides: Partial<Parameters<typeof appealVerdict>[0]> = {}) =>
  appealVerdict({
    status: 'REJECTED',
    appealed: false,
    rejection: { kind: 'approval', tier: 'district', at: rejectedAt },
    config,
    now: daysAfter(29),
    ...overrides,
  });

describe('appeals', () => {
  it('go to the tier above the one that rejected, and the top tier hears its own', () => {
    expect(appealTier(config, 'village')).toBe('district');
    expect(appealTier(config, 'district')).toBe('regency');
    expect(appealTier(config, 'regency')).toBe('regent');
    expect(appealTier(config, 'regent')).toBe('regent');
  });

  it('are allowed within appealDays of a rejection by an approver or an upheld objection', () => {
    expect(config.appealDays).toBe(30);
    expect(verdict()).toMatchObject({ ok: true, tier: 'regency' });
    expect(verdict({ now: daysAfter(30) })).toMatchObject({ ok: true });
    expect(verdict({ rejection: { kind: 'adjudication', tier: 'district', at: rejectedAt } })).toMatchObject({ ok: true, tier: 'regency' });
  });

  it('are refused with a stable code: once only, only rejections, only by an approver, only in time', () => {
    expect(verdict({ appealed: true })).toEqual({ ok: false, code: 'ALREADY_APPEALED' });
    expect(verdict({ appealed: true, status: 'REGISTERED' })).toEqual({ ok: false, code: 'ALREADY_APPEALED' });
    expect(verdict({ status: 'RETURNED' })).toEqual({ ok: false, code: 'NOT_REJECTED' });
    expect(verdict({ status: 'FAILED' })).toEqual({ ok: false, code: 'NOT_REJECTED' });
    expect(verdict({ rejection: undefined })).toEqual({ ok: false, code: 'NOT_APPEALABLE' });
    expect(verdict({ rejection: { kind: 'duplicate', tier: 'regency', at: rejectedAt } })).toEqual({ ok: false, code: 'NOT_APPEALABLE' });
    expect(verdict({ now: daysAfter(30.001) })).toEqual({ ok: false, code: 'APPEAL_WINDOW_CLOSED' });
  });

  it('scale their window with the local time scale, as SLAs do', () => {
    expect(appealWindowEndsAt(rejectedAt, 30, 1 / 86_400).toISOString()).toBe('2026-03-01T00:00:30.000Z');
  });

  it('need a statement of ten characters and at most five evidence files', () => {
    expect(AppealInputSchema.safeParse({ statement: 'Terlalu' }).success).toBe(false);
    expect(AppealInputSchema.safeParse({ statement: 'Kondisi keluarga berubah' }).success).toBe(true);
    expect(AppealInputSchema.safeParse({ statement: 'Kondisi keluarga berubah', evidence: Array(6).fill({}) }).success).toBe(false);
    expect(AppealInputSchema.safeParse({ statement: 'Kondisi keluarga berubah', note: 'x' }).success).toBe(false);
  });
});
