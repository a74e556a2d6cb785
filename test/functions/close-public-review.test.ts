import { beforeAll, describe, expect, it } from 'vitest';
import { fileObjection } from '../../functions/application/file-objection.ts';
import { closePublicReview } from '../../functions/close-public-review.ts';
import { openPublicReview } from '../../functions/open-public-review.ts';
import type { StageDeps } from '../../functions/shared/runtime.ts';
import { stageDeps } from '../support/stage-deps.ts';
import { inputOf, proposalAt } from './support/stage-fixtures.ts';
import { sampleObjection } from '../support/proposals.ts';

describe('closePublicReview', () => {
  let deps: StageDeps;
  let clock: { pinned?: Date };
  beforeAll(async () => {
    ({ deps, clock } = await stageDeps());
  });

  async function inReview() {
    clock.pinned = new Date('2025-05-01T01:00:00.000Z');
    const proposal = await proposalAt(deps, 'PUBLIC_REVIEW');
    await openPublicReview(inputOf(proposal), deps);
    return proposal;
  }
  const afterReview = () => (clock.pinned = new Date('2025-05-20T01:00:00.000Z'));

  it('leaves a proposal without objections at public review, ready for approval, and audits the close', async () => {
    const proposal = await inReview();
    afterReview();

    await expect(closePublicReview(inputOf(proposal), deps)).resolves.toEqual({ objections: 0 });

    expect(await deps.store.getProposal(proposal.id)).toMatchObject({ status: 'IN_REVIEW', stage: 'PUBLIC_REVIEW' });
    expect((await deps.store.auditTrail(proposal.id)).at(-1)).toMatchObject({
      action: 'REVIEW_CLOSED',
      actor: { type: 'system', id: 'close-public-review' },
      detail: { objections: 0 },
    });
  });

  it('counts the objections filed during the review and sends the proposal to adjudication', async () => {
    const proposal = await inReview();
    const other = await inReview();
    clock.pinned = new Date('2025-05-05T01:00:00.000Z');
    const store = { store: deps.store, now: deps.now };
    await fileObjection(store, proposal.id, sampleObjection);
    await fileObjection(store, proposal.id, { ...sampleObjection, category: 'NOT_RESIDENT' });
    await fileObjection(store, other.id, sampleObjection);
    afterReview();

    await expect(closePublicReview(inputOf(proposal), deps)).resolves.toEqual({ objections: 2 });

    expect(await deps.store.getProposal(proposal.id)).toMatchObject({ status: 'IN_REVIEW', stage: 'ADJUDICATION' });
    expect((await deps.store.auditTrail(proposal.id)).at(-1)).toMatchObject({
      action: 'REVIEW_CLOSED',
      to: { status: 'IN_REVIEW', stage: 'ADJUDICATION' },
      detail: { objections: 2 },
    });
  });

  it('changes nothing when run again after the proposal went to adjudication', async () => {
    const proposal = await inReview();
    await fileObjection({ store: deps.store, now: deps.now }, proposal.id, sampleObjection);
    afterReview();
    await closePublicReview(inputOf(proposal), deps);
    const before = await deps.store.getProposal(proposal.id);
    const audit = await deps.store.auditTrail(proposal.id);

    await expect(closePublicReview(inputOf(proposal), deps)).resolves.toEqual({ objections: 1 });

    expect(await deps.store.getProposal(proposal.id)).toEqual(before);
    expect(await deps.store.auditTrail(proposal.id)).toHaveLength(audit.length);
  });
});
