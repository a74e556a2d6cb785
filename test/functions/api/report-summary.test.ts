import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, callers, type ApiHarness } from '../../support/api-harness.ts';
import { householdProposal } from '../../support/proposals.ts';

const DAY = 86_400_000;

describe('GET /reports/summary (reportSummary)', () => {
  let api: ApiHarness;
  const start = new Date('2026-11-02T01:00:00Z');

  beforeAll(async () => {
    api = await apiHarness();
    api.clock.pinned = start;
    await api.draft(householdProposal(), false);
    await api.draft(householdProposal(), false);
    await api.draft(householdProposal({ districtCode: '81.71.02', villageCode: '81.71.02.1010' }), false);
    const submitted = await api.draft();
    // Two days as a draft before it is submitted; everything after happens at that pinned moment.
    api.clock.pinned = new Date(start.getTime() + 2 * DAY);
    await api.submit(submitted.id);
    await api.pendingTask(submitted.id, 'village');
    // A month later the village head still has not decided.
    api.clock.pinned = new Date(start.getTime() + 32 * DAY);
  }, 120_000);
  afterAll(() => api?.close());

  it('counts per status and stage for the region, per regency and per district, with overdue tasks and median days', async () => {
    const response = await api.call('reportSummary', { caller: callers.admin('81'), query: { region: '81.71' } });
    expect(response.status).toBe(200);
    const report = response.body;
    expect(report.region).toBe('81.71');
    expect(report.totals).toEqual({
      byStatus: { DRAFT: 3, AWAITING_APPROVAL: 1 },
      byStage: { DRAFT: 3, APPROVAL: 1 },
    });
    expect(report.regencies).toHaveLength(1);
    const [ambon] = report.regencies;
    expect(ambon).toMatchObject({ code: '81.71', name: 'KOTA AMBON' });
    expect(ambon.districts).toEqual([
      { code: '81.71.01', byStatus: { DRAFT: 2, AWAITING_APPROVAL: 1 }, byStage: { DRAFT: 2, APPROVAL: 1 } },
      { code: '81.71.02', byStatus: { DRAFT: 1 }, byStage: { DRAFT: 1 } },
    ]);
    expect(report.overdueTasks).toBe(1);
    expect(report.medianDaysPerStage.DRAFT).toBe(2);
  });

  it("defaults to the caller's region and narrows to a district inside it", async () => {
    const own = await api.call('reportSummary', { caller: callers.approver('district', '81.71.02') });
    expect(own.status).toBe(200);
    expect(own.body.region).toBe('81.71.02');
    expect(own.body.totals.byStatus).toEqual({ DRAFT: 1 });
    expect(own.body.overdueTasks).toBe(0);
  });

  it('refuses a region outside the caller’s, and operators', async () => {
    const outside = await api.call('reportSummary', { caller: callers.approver('regency', '81.01'), query: { region: '81.71' } });
    const operator = await api.call('reportSummary', { caller: callers.operator('81.71.01.1006') });
    expect([outside.status, outside.body.error.code]).toEqual([403, 'FORBIDDEN_REGION']);
    expect([operator.status, operator.body.error.code]).toEqual([403, 'FORBIDDEN_ROLE']);
  });
});
