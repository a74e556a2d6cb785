import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIERS } from '../../../domain/province-config.ts';
import { apiHarness, type ApiHarness } from '../../support/api-harness.ts';
import { sampleObjection } from '../../support/proposals.ts';
import { expectLimitedPerClient, expectNoSuchProposal } from './support/public-board.ts';

/** One simulated day lasts one real second. */
const DAY = 1 / 86_400;
/** Long enough to file during it on a loaded machine, short enough to see it end. */
const REVIEW_DAYS = 15;

const objection = sampleObjection;

describe('POST /public/review/{proposalId}/objections', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await apiHarness({
      timeScale: DAY,
      configOverrides: { reviewDays: REVIEW_DAYS, tiers: TIERS.map((tier) => ({ tier, slaDays: 600 })) },
    });
  });
  afterAll(() => api?.close());

  const file = (proposalId: string, body: unknown = objection, sourceIp?: string) =>
    api.call('fileObjection', { params: { proposalId }, body, ...(sourceIp ? { sourceIp } : {}) });

  it('accepts an objection during the review (201), the adjudicator gets it, and refuses one after the review (409)', async () => {
    const proposal = await api.draft();
    await api.submit(proposal.id);
    await api.inReview(proposal.id);

    const response = await file(proposal.id);

    expect(response.status).toBe(201);
    expect(Object.keys(response.body)).toEqual(['objectionId']);
    expect(await api.deps.store.listObjections(proposal.id)).toEqual([
      expect.objectContaining({ objectionId: response.body.objectionId, proposalId: proposal.id, ...objection }),
    ]);

    // The review ends with an objection on file: the district adjudicates it.
    await api.pendingTask(proposal.id, api.config.adjudicationTier, 'adjudication');
    const late = await file(proposal.id, { ...objection, reporterName: 'Warga lain' });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('NOT_IN_REVIEW');
    expect(await api.deps.store.listObjections(proposal.id)).toHaveLength(1);
  }, 120_000);

  it('refuses an objection before the review starts (409 NOT_IN_REVIEW) and stores nothing', async () => {
    const draft = await api.draft();

    const response = await file(draft.id);

    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('NOT_IN_REVIEW');
    expect(await api.deps.store.listObjections(draft.id)).toEqual([]);
  });

  it('answers 404 PROPOSAL_NOT_FOUND for a proposal that does not exist, and 404 NOT_FOUND for an id that cannot be one', async () => {
    await expectNoSuchProposal((proposalId) => file(proposalId));
  });

  it('refuses an incomplete objection with 400 and the fields at fault', async () => {
    const draft = await api.draft();
    const response = await file(draft.id, { category: 'GOSSIP', statement: 'Pendek', reporterName: 'Warga' });

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect(response.body.error.details.map((detail: { path: string }) => detail.path).sort()).toEqual(
      ['category', 'reporterContact', 'statement'].sort(),
    );
  });

  it('refuses the request after the limit from one client with 429 and Retry-After, while another client still gets through', async () => {
    const draft = await api.draft();
    // Counted whatever the answer: a flood of refused objections is still a flood.
    const ids = [draft.id, '01JZZZZZZZZZZZZZZZZZZZZZZZ'];
    await expectLimitedPerClient(api, (sourceIp, attempt) => file(ids[attempt]!, objection, sourceIp), [409, 404]);
  });
});
