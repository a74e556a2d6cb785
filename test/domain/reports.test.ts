import { describe, expect, it } from 'vitest';
import { median, SummaryBuilder } from '../../domain/reports.ts';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });
});

describe('SummaryBuilder', () => {
  it('counts per status and stage for the region, each regency and each district', () => {
    const summary = new SummaryBuilder();
    summary.add({ villageCode: '81.71.01.1006', status: 'DRAFT', stage: 'DRAFT' });
    summary.add({ villageCode: '81.71.01.1007', status: 'IN_REVIEW', stage: 'PUBLIC_REVIEW' });
    summary.add({ villageCode: '81.71.02.1001', status: 'IN_REVIEW', stage: 'PUBLIC_REVIEW' });
    summary.add({ villageCode: '81.01.01.2001', status: 'REGISTERED', stage: 'FINALIZED' });
    expect(summary.totals.byStatus).toEqual({ DRAFT: 1, IN_REVIEW: 2, REGISTERED: 1 });
    const regencies = summary.regencies((code) => (code === '81.71' ? 'KOTA AMBON' : undefined));
    expect(regencies.map((r) => [r.code, r.name])).toEqual([
      ['81.01', '81.01'],
      ['81.71', 'KOTA AMBON'],
    ]);
    const ambon = regencies[1]!;
    expect(ambon.byStage).toEqual({ DRAFT: 1, PUBLIC_REVIEW: 2 });
    expect(ambon.districts.map((d) => [d.code, d.byStatus])).toEqual([
      ['81.71.01', { DRAFT: 1, IN_REVIEW: 1 }],
      ['81.71.02', { IN_REVIEW: 1 }],
    ]);
  });

  it('gives the median days per stage over the proposals that spent time in it', () => {
    const summary = new SummaryBuilder();
    summary.add({ villageCode: '81.71.01.1006', status: 'REGISTERED', stage: 'DRAFT', stageDays: { PUBLIC_REVIEW: 10, APPROVAL: 2 } });
    summary.add({ villageCode: '81.71.01.1006', status: 'REGISTERED', stage: 'DRAFT', stageDays: { PUBLIC_REVIEW: 12, APPROVAL: 0 } });
    summary.add({ villageCode: '81.71.01.1006', status: 'DRAFT', stage: 'DRAFT' });
    expect(summary.medianDaysPerStage()).toEqual({ PUBLIC_REVIEW: 11, APPROVAL: 2 });
  });
});
