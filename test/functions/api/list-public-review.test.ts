import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIERS } from '../../../domain/province-config.ts';
import { PublicReviewItemSchema, PublicReviewResponse } from '../../../functions/api/schemas.ts';
import { apiHarness, type ApiHarness } from '../../support/api-harness.ts';
import type { Proposal } from '../../../domain/proposal.ts';
import { draftOf, householdProposal } from '../../support/proposals.ts';
import { expectLimitedPerClient, expectNoBoardOutsideTheProvince, expectNothingPersonal, publicFieldsOf } from './support/public-board.ts';

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

    const item = response.body.items.find((item: { proposalId: string }) => item.proposalId === first!.id);
    expect(item).toEqual({ ...publicFieldsOf(first!), proposes: { type: 'ADD' }, reviewEndsAt: first!.review!.endsAt });
    expect(item.nikMasked).toMatch(/^\d{6}\*{10}$/);
    expectNothingPersonal(response, [first!, second!]);
  });

  it('says what each listing proposes: an addition, a removal with its reason and how many leave, or a correction', async () => {
    const added = await inReview();
    /** A REMOVE or UPDATE on the board, written through the store: the board's wording is under test, not the workflow. */
    const onBoard = async (change: Partial<Proposal>) => {
      const proposal: Proposal = {
        ...draftOf(householdProposal()),
        target: { proposalId: added.id },
        ...change,
        status: 'IN_REVIEW',
        stage: 'PUBLIC_REVIEW',
        review: { endsAt: added.review!.endsAt },
      };
      await api.deps.store.createProposal(proposal, { actor: { type: 'system', id: 'test-setup' }, action: 'CREATED' });
      return proposal;
    };
    const statement = 'Alasan penghapusan.';
    const leaving = '8171010901120001';
    const household = await onBoard({ type: 'REMOVE', removal: { reason: 'MOVED', statement } });
    const member = await onBoard({ type: 'REMOVE', removal: { reason: 'DECEASED', members: [leaving], statement } });
    const corrected = await onBoard({ type: 'UPDATE', correction: { statement: 'NIK anak diperbaiki.' } });

    const response = await board(VILLAGE);
    const proposes = (id: string) => response.body.items.find((item: { proposalId: string }) => item.proposalId === id)?.proposes;

    expect(PublicReviewResponse.parse(response.body)).toEqual(response.body);
    expect(proposes(added.id)).toEqual({ type: 'ADD' });
    expect(proposes(household.id)).toEqual({ type: 'REMOVE', reason: 'MOVED' });
    expect(proposes(member.id)).toEqual({ type: 'REMOVE', reason: 'DECEASED', membersLeaving: 1 });
    expect(proposes(corrected.id)).toEqual({ type: 'UPDATE' });
    // Neither the village's statements nor the leaving member's NIK reach the board.
    expect(response.text).not.toMatch(new RegExp(`${statement}|diperbaiki|${leaving}`));
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
    await expectNoBoardOutsideTheProvince(board);
  });

  it('refuses the request after the limit from one client with 429 and Retry-After, while another client still gets through', async () => {
    await expectLimitedPerClient(api, (sourceIp) => board(VILLAGE, sourceIp), [200, 200, 200]);
  });
});
