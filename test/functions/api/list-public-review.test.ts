import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskNik } from '../../../domain/masking.ts';
import { TIERS } from '../../../domain/province-config.ts';
import { PublicReviewItemSchema, PublicReviewResponse } from '../../../functions/api/schemas.ts';
import { apiHarness, type ApiHarness } from '../../support/api-harness.ts';
import { householdProposal } from '../../support/proposals.ts';

/** One simulated day lasts one real second. */
const DAY = 1 / 86_400;
const VILLAGE = '81.71.01.1006';

describe('GET /public/review/{villageCode}', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    // A review of 600 days (ten minutes here) keeps the proposals on the notice board for the whole file.
    api = await apiHarness({
      timeScale: DAY,
      configOverrides: { reviewDays: 600, tiers: TIERS.map((tier) => ({ tier, slaDays: 600 })) },
    });
  });
  afterAll(() => api?.close());

  /** A proposal the workflow has put on its village's notice board. */
  async function inReview(input = householdProposal()) {
    const proposal = await api.draft(input);
    await api.submit(proposal.id);
    await api.inReview(proposal.id);
    return (await api.deps.store.getProposal(proposal.id))!;
  }

  const board = (villageCode: string, sourceIp?: string) =>
    api.call('listPublicReview', { params: { villageCode }, ...(sourceIp ? { sourceIp } : {}) });

  it('shows anyone, without a token, exactly the public fields of each proposal in review, and nothing else personal', async () => {
    const [first, second] = await Promise.all([inReview(), inReview()]);
    const draft = await api.draft();

    const response = await board(VILLAGE);

    expect(response.status).toBe(200);
    expect(PublicReviewResponse.parse(response.body)).toEqual(response.body);
    expect(response.body.villageCode).toBe(VILLAGE);
    const keys = Object.keys(PublicReviewItemSchema.shape);
    for (const item of response.body.items) expect(Object.keys(item)).toEqual(keys);
    const listed = response.body.items.map((item: { proposalId: string }) => item.proposalId);
    expect(listed).toEqual(expect.arrayContaining([first!.id, second!.id]));
    expect(listed).not.toContain(draft.id);

    const head = first!.members.find((member) => member.relationship === 'KEPALA_KELUARGA')!;
    expect(response.body.items.find((item: { proposalId: string }) => item.proposalId === first!.id)).toEqual({
      proposalId: first!.id,
      householdHead: head.fullName,
      nikMasked: maskNik(head.nik),
      rt: first!.household.rt,
      rw: first!.household.rw,
      programs: first!.programs,
      reviewEndsAt: first!.review!.endsAt,
    });
    expect(maskNik(head.nik)).toMatch(/^\d{6}\*{10}$/);

    for (const proposal of [first!, second!]) {
      expect(response.text).not.toContain(proposal.household.kk);
      expect(response.text).not.toContain(proposal.household.address);
      expect(response.text).not.toContain(String(proposal.household.location.latitude));
      for (const member of proposal.members) {
        expect(response.text).not.toContain(member.nik);
        expect(response.text).not.toContain(member.birthDate);
        // The full digits of any NIK past the district part, anywhere.
        expect(response.text).not.toContain(member.nik.slice(6));
      }
      for (const member of proposal.members.filter((member) => member.relationship !== 'KEPALA_KELUARGA')) {
        expect(response.text).not.toContain(member.fullName);
      }
    }
    expect(response.text).not.toMatch(/proposals\/|https?:/);
  });

  it("lists only that village's proposals", async () => {
    const neighbour = await inReview(householdProposal({ villageCode: '81.71.01.1007' }));

    const own = await board(VILLAGE);
    const theirs = await board('81.71.01.1007');

    expect(own.body.items.map((item: { proposalId: string }) => item.proposalId)).not.toContain(neighbour.id);
    expect(theirs.status).toBe(200);
    expect(theirs.body.items.map((item: { proposalId: string }) => item.proposalId)).toEqual([neighbour.id]);
  });

  it('stops listing a proposal once its review period has ended', async () => {
    const proposal = await inReview();
    try {
      api.clock.pinned = new Date(proposal.review!.endsAt);
      const response = await board(VILLAGE);
      expect(response.status).toBe(200);
      expect(response.body.items.map((item: { proposalId: string }) => item.proposalId)).not.toContain(proposal.id);
    } finally {
      delete api.clock.pinned;
    }
  });

  it('answers 404 NOT_FOUND for a village outside this province or a code that is not a village', async () => {
    for (const villageCode of ['73.71.01.1001', '81.71.01', 'desa-amahusu']) {
      const response = await board(villageCode);
      expect(response.status, villageCode).toBe(404);
      expect(response.body.error.code).toBe('NOT_FOUND');
    }
  });

  it('refuses the request after the limit from one client with 429 and Retry-After, while another client still gets through', async () => {
    const limit = api.apiDeps.publicRateLimit;
    // Pinned, so every request falls in the same rate window.
    api.clock.pinned = new Date();
    api.apiDeps.publicRateLimit = 3;
    try {
      for (let i = 0; i < 3; i++) expect((await board(VILLAGE, '198.51.100.7')).status).toBe(200);

      const refused = await board(VILLAGE, '198.51.100.7');
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('RATE_LIMITED');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);

      expect((await board(VILLAGE, '198.51.100.8')).status).toBe(200);
    } finally {
      api.apiDeps.publicRateLimit = limit;
      delete api.clock.pinned;
    }
  });
});
