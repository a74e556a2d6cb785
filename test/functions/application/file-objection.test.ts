import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../../functions/adapters/records-store.ts';
import { fileObjection } from '../../../functions/application/file-objection.ts';
import { openPublicReview } from '../../../functions/open-public-review.ts';
import type { StageDeps } from '../../../functions/shared/runtime.ts';
import { stageDeps } from '../../support/stage-deps.ts';
import { inputOf, proposalAt } from '../support/stage-fixtures.ts';
import { sampleObjection } from '../../support/proposals.ts';

describe('fileObjection', () => {
  let deps: StageDeps;
  let clock: { pinned?: Date };
  beforeAll(async () => {
    ({ deps, clock } = await stageDeps());
  });

  /** A proposal whose review runs 2025-05-01T01:00Z .. 2025-05-11T01:00Z. */
  async function inReview() {
    clock.pinned = new Date('2025-05-01T01:00:00.000Z');
    const proposal = await proposalAt(deps, 'PUBLIC_REVIEW');
    const { endsAt } = await openPublicReview(inputOf(proposal), deps);
    return { proposal, endsAt };
  }
  const file = (proposalId: string) => fileObjection({ store: deps.store, now: deps.now }, proposalId, sampleObjection);

  it('stores an objection filed during the review and audits it without the reporter', async () => {
    const { proposal } = await inReview();
    clock.pinned = new Date('2025-05-10T23:00:00.000Z');

    const filed = await file(proposal.id);

    expect(filed).toMatchObject({ proposalId: proposal.id, ...sampleObjection, filedAt: '2025-05-10T23:00:00.000Z' });
    expect(await deps.store.listObjections(proposal.id)).toEqual([filed]);
    const last = (await deps.store.auditTrail(proposal.id)).at(-1);
    expect(last).toMatchObject({
      action: 'OBJECTION_FILED',
      actor: { type: 'user', id: 'public' },
      detail: { objectionId: filed.objectionId, category: 'INCLUSION_ERROR' },
    });
    expect(JSON.stringify(last)).not.toContain(sampleObjection.reporterContact);
  });

  it('refuses an objection once the review has ended, and stores nothing', async () => {
    const { proposal, endsAt } = await inReview();
    clock.pinned = new Date(endsAt);

    const refused = await file(proposal.id).catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(ConflictError);
    expect(refused).toMatchObject({ code: 'NOT_IN_REVIEW' });
    expect(await deps.store.listObjections(proposal.id)).toEqual([]);
  });

  it('refuses an objection to a proposal that is not in public review', async () => {
    clock.pinned = new Date('2025-05-01T01:00:00.000Z');
    const submitted = await proposalAt(deps, 'PUBLIC_REVIEW');
    await expect(file(submitted.id)).rejects.toMatchObject({ name: 'ConflictError', code: 'NOT_IN_REVIEW' });
    await expect(file('01JZZZZZZZZZZZZZZZZZZZZZZZ')).rejects.toMatchObject({ code: 'NOT_IN_REVIEW' });
  });
});
