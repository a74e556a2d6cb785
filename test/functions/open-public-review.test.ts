import { beforeAll, describe, expect, it } from 'vitest';
import { openPublicReview } from '../../functions/open-public-review.ts';
import { DAY_MS, type StageDeps } from '../../functions/shared/runtime.ts';
import { stageDeps } from '../support/stage-deps.ts';
import { inputOf, proposalAt } from './support/stage-fixtures.ts';

describe('openPublicReview', () => {
  let deps: StageDeps;
  let clock: { pinned?: Date };
  beforeAll(async () => {
    ({ deps, clock } = await stageDeps());
  });

  it('lists the proposal for review until now + reviewDays, and audits it', async () => {
    clock.pinned = new Date('2025-03-03T02:00:00.000Z');
    const proposal = await proposalAt(deps, 'PUBLIC_REVIEW');
    const endsAt = new Date(clock.pinned.getTime() + deps.config.reviewDays * DAY_MS).toISOString();
    expect(deps.config.reviewDays).toBe(10);

    await expect(openPublicReview(inputOf(proposal), deps)).resolves.toEqual({ endsAt });

    expect(await deps.store.getProposal(proposal.id)).toMatchObject({
      status: 'IN_REVIEW',
      stage: 'PUBLIC_REVIEW',
      review: { endsAt },
    });
    // Setup and stage share the pinned instant, so find the entry by its action rather than its position.
    const entries = (await deps.store.auditTrail(proposal.id)).filter((entry) => entry.action === 'REVIEW_OPENED');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'REVIEW_OPENED',
      actor: { type: 'system', id: 'open-public-review' },
      from: { status: 'SUBMITTED', stage: 'PUBLIC_REVIEW' },
      to: { status: 'IN_REVIEW', stage: 'PUBLIC_REVIEW' },
      detail: { endsAt, reviewDays: 10 },
    });
  });

  it('shortens the period by the time scale', async () => {
    clock.pinned = new Date('2025-03-03T02:00:00.000Z');
    const proposal = await proposalAt(deps, 'PUBLIC_REVIEW');

    const { endsAt } = await openPublicReview(inputOf(proposal), { ...deps, timeScale: 1 / 86_400 });

    // One simulated day is one second: ten days are ten seconds.
    expect(endsAt).toBe('2025-03-03T02:00:10.000Z');
    expect((await deps.store.getProposal(proposal.id))?.review).toEqual({ endsAt });
  });

  it('keeps the first end date when run again later', async () => {
    clock.pinned = new Date('2025-03-03T02:00:00.000Z');
    const proposal = await proposalAt(deps, 'PUBLIC_REVIEW');
    const first = await openPublicReview(inputOf(proposal), deps);
    const audit = await deps.store.auditTrail(proposal.id);
    clock.pinned = new Date('2025-03-04T02:00:00.000Z');

    await expect(openPublicReview(inputOf(proposal), deps)).resolves.toEqual(first);

    expect((await deps.store.getProposal(proposal.id))?.review).toEqual(first);
    expect(await deps.store.auditTrail(proposal.id)).toHaveLength(audit.length);
  });
});
