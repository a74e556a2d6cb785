import { beforeAll, describe, expect, it } from 'vitest';
import { checkDuplicates } from '../../functions/check-duplicates.ts';
import { finalize } from '../../functions/finalize.ts';
import { recordFailure } from '../../functions/record-failure.ts';
import type { StageDeps } from '../../functions/shared/runtime.ts';
import type { TestClients } from '../support/aws-clients.ts';
import { stageDeps } from '../support/stage-deps.ts';
import { inputOf, locksHeldBy, moveTo, proposalAt } from './support/stage-fixtures.ts';

describe('recordFailure', () => {
  let deps: StageDeps;
  let clients: TestClients;
  let tableName: string;
  beforeAll(async () => {
    ({ deps, clients, tableName } = await stageDeps());
  });

  async function lockedAtEvidenceCheck() {
    const proposal = await proposalAt(deps, 'DUPLICATE_CHECK');
    await checkDuplicates(inputOf(proposal), deps);
    expect(await locksHeldBy(clients, tableName, proposal.id)).toHaveLength(4);
    return proposal;
  }

  it('marks an in-flight proposal FAILED with the error, keeps its stage, releases its locks and audits it', async () => {
    const proposal = await lockedAtEvidenceCheck();
    const cause = `Cannot read properties of undefined ${'x'.repeat(2000)}`;

    await expect(recordFailure({ ...inputOf(proposal), error: { Error: 'TypeError', Cause: cause } }, deps)).resolves.toEqual({
      code: 'STAGE_FAILED',
    });

    const stored = await deps.store.getProposal(proposal.id);
    expect(stored).toMatchObject({ status: 'FAILED', stage: 'EVIDENCE_CHECK', failure: { error: 'TypeError', cause: cause.slice(0, 1000) } });
    expect(await locksHeldBy(clients, tableName, proposal.id)).toEqual([]);
    expect((await deps.store.auditTrail(proposal.id)).at(-1)).toMatchObject({
      action: 'WORKFLOW_FAILED',
      actor: { type: 'system', id: 'record-failure' },
      from: { status: 'SUBMITTED', stage: 'EVIDENCE_CHECK' },
      to: { status: 'FAILED', stage: 'EVIDENCE_CHECK' },
      detail: { code: 'STAGE_FAILED', error: 'TypeError' },
    });
  });

  it('names an exhausted SLA as such', async () => {
    const proposal = await lockedAtEvidenceCheck();
    await moveTo(deps.store, proposal.id, 'AWAITING_APPROVAL', 'APPROVAL', { tier: 'village' });

    await expect(recordFailure({ ...inputOf(proposal), error: { Error: 'States.Timeout' } }, deps)).resolves.toEqual({
      code: 'SLA_EXHAUSTED',
    });

    const stored = await deps.store.getProposal(proposal.id);
    expect(stored).toMatchObject({ status: 'FAILED', stage: 'APPROVAL', failure: { error: 'States.Timeout' } });
    expect(stored).not.toHaveProperty('failure.cause');
    expect((await deps.store.auditTrail(proposal.id)).at(-1)?.detail).toEqual({ code: 'SLA_EXHAUSTED', error: 'States.Timeout' });
  });

  it('leaves a proposal that is already final alone, registrations included', async () => {
    const proposal = await lockedAtEvidenceCheck();
    await moveTo(deps.store, proposal.id, 'AWAITING_APPROVAL', 'APPROVAL', { tier: 'regent' });
    await finalize(inputOf(proposal), deps);
    const before = await deps.store.getProposal(proposal.id);
    const audit = await deps.store.auditTrail(proposal.id);

    await recordFailure({ ...inputOf(proposal), error: { Error: 'Lambda.Unknown' } }, deps);

    expect(await deps.store.getProposal(proposal.id)).toEqual(before);
    expect(await deps.store.auditTrail(proposal.id)).toHaveLength(audit.length);
    const locks = await locksHeldBy(clients, tableName, proposal.id);
    expect(locks).toHaveLength(4);
    for (const lock of locks) expect(lock.state).toBe('REGISTERED');
  });

  it('only logs a failure for a proposal that does not exist', async () => {
    await expect(
      recordFailure({ proposalId: '01JZZZZZZZZZZZZZZZZZZZZZZZ', version: 1, error: { Error: 'Verval.ProposalMissing' } }, deps),
    ).resolves.toEqual({ code: 'STAGE_FAILED' });
  });
});
