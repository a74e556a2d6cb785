import { beforeAll, describe, expect, it } from 'vitest';
import { checkDuplicates } from '../../functions/check-duplicates.ts';
import { finalize } from '../../functions/finalize.ts';
import { requestDecision } from '../../functions/request-decision.ts';
import type { StageDeps } from '../../functions/shared/runtime.ts';
import type { TestClients } from '../support/aws-clients.ts';
import { householdProposal } from '../support/proposals.ts';
import { stageDeps } from '../support/stage-deps.ts';
import { inputOf, locksHeldBy, moveTo, proposalAt } from './support/stage-fixtures.ts';

describe('finalize', () => {
  let deps: StageDeps;
  let clients: TestClients;
  let tableName: string;
  let clock: { pinned?: Date };
  beforeAll(async () => {
    ({ deps, clients, tableName, clock } = await stageDeps());
  });

  /** A proposal holding its NIK/KK locks, waiting at an approval tier. */
  async function awaitingApproval(input = householdProposal()) {
    clock.pinned = new Date('2025-07-01T00:00:00.000Z');
    const proposal = await proposalAt(deps, 'DUPLICATE_CHECK', 'SUBMITTED', input);
    await checkDuplicates(inputOf(proposal), deps);
    await moveTo(deps.store, proposal.id, 'IN_REVIEW', 'PUBLIC_REVIEW');
    await requestDecision({ ...inputOf(proposal), kind: 'approval', tier: 'district', taskToken: 'token-1' }, deps);
    clock.pinned = new Date('2025-07-03T00:00:00.000Z');
    return { proposal, taskId: `${proposal.id}-v1-district` };
  }

  it('registers a proposal with no outcome: its locks become registrations and the registry lists it', async () => {
    const { proposal } = await awaitingApproval();

    const event = await finalize(inputOf(proposal), deps);

    expect(event).toEqual({
      proposalId: proposal.id,
      version: 1,
      outcome: 'REGISTERED',
      provinceCode: '81',
      regencyCode: '81.71',
      villageCode: '81.71.01.1006',
      programs: ['PKH', 'SEMBAKO'],
      members: 3,
      at: '2025-07-03T00:00:00.000Z',
    });
    const stored = await deps.store.getProposal(proposal.id);
    expect(stored).toMatchObject({ status: 'REGISTERED', stage: 'FINALIZED' });
    expect(stored).not.toHaveProperty('tier');
    const locks = await locksHeldBy(clients, tableName, proposal.id);
    expect(locks).toHaveLength(4);
    for (const lock of locks) expect(lock).toMatchObject({ state: 'REGISTERED', registeredAt: '2025-07-03T00:00:00.000Z' });
    expect(await deps.store.registryOf(proposal.villageCode)).toContainEqual({
      proposalId: proposal.id,
      registeredAt: '2025-07-03T00:00:00.000Z',
    });
    expect((await deps.store.auditTrail(proposal.id)).at(-1)).toMatchObject({
      action: 'REGISTERED',
      to: { status: 'REGISTERED', stage: 'FINALIZED' },
    });
  });

  it('is idempotent when run again after registering', async () => {
    const { proposal } = await awaitingApproval();
    const first = await finalize(inputOf(proposal), deps);
    const audit = await deps.store.auditTrail(proposal.id);
    clock.pinned = new Date('2025-07-04T00:00:00.000Z');

    await expect(finalize(inputOf(proposal), deps)).resolves.toEqual(first);

    expect(await deps.store.auditTrail(proposal.id)).toHaveLength(audit.length);
    const registry = await deps.store.registryOf(proposal.villageCode);
    expect(registry.filter((entry) => entry.proposalId === proposal.id)).toEqual([
      { proposalId: proposal.id, registeredAt: '2025-07-03T00:00:00.000Z' },
    ]);
    for (const lock of await locksHeldBy(clients, tableName, proposal.id)) expect(lock.state).toBe('REGISTERED');
  });

  it('returns a proposal on Verval.Returned and releases its locks for a corrected resubmission', async () => {
    const { proposal } = await awaitingApproval();

    const event = await finalize({ ...inputOf(proposal), outcome: { Error: 'Verval.Returned', Cause: 'Returned to the village: PHOTO_TOO_FAR' } }, deps);

    expect(event.outcome).toBe('RETURNED');
    expect(await deps.store.getProposal(proposal.id)).toMatchObject({ status: 'RETURNED', stage: 'FINALIZED', reasons: [] });
    expect(await locksHeldBy(clients, tableName, proposal.id)).toEqual([]);
    expect(await deps.store.registryOf(proposal.villageCode)).not.toContainEqual(expect.objectContaining({ proposalId: proposal.id }));
    const again = await proposalAt(deps, 'DUPLICATE_CHECK', 'SUBMITTED', { ...householdProposal(), household: proposal.household, members: proposal.members });
    await expect(checkDuplicates(inputOf(again), deps)).resolves.toEqual({ duplicates: 0 });
    expect((await deps.store.auditTrail(proposal.id)).at(-1)).toMatchObject({ action: 'RETURNED', detail: { error: 'Verval.Returned' } });
  });

  it("rejects on Verval.Rejected naming a decided task, with the approver's own reason", async () => {
    const { proposal, taskId } = await awaitingApproval();
    await deps.store.recordDecision(taskId, {
      decision: 'reject',
      reason: 'Memiliki sepeda motor dan usaha toko',
      decidedBy: 'camat-nusaniwe',
      decidedAt: '2025-07-02T09:00:00.000Z',
    });

    const event = await finalize({ ...inputOf(proposal), outcome: { Error: 'Verval.Rejected', Cause: JSON.stringify({ taskId }) } }, deps);

    expect(event.outcome).toBe('REJECTED');
    const stored = await deps.store.getProposal(proposal.id);
    expect(stored).toMatchObject({ status: 'REJECTED', stage: 'FINALIZED' });
    expect(stored!.reasons).toEqual([
      {
        path: '',
        code: 'REJECTED_BY_APPROVER',
        message: {
          id: 'Ditolak oleh kecamatan: Memiliki sepeda motor dan usaha toko',
          en: 'Rejected by the district: Memiliki sepeda motor dan usaha toko',
        },
      },
    ]);
    expect(await locksHeldBy(clients, tableName, proposal.id)).toEqual([]);
  });

  it("keeps the approver's reason when a decided task returns the proposal", async () => {
    const { proposal, taskId } = await awaitingApproval();
    await deps.store.recordDecision(taskId, {
      decision: 'return',
      reason: 'Foto rumah kurang jelas',
      decidedBy: 'camat-nusaniwe',
      decidedAt: '2025-07-02T09:00:00.000Z',
    });

    await finalize({ ...inputOf(proposal), outcome: { Error: 'Verval.Returned', Cause: JSON.stringify({ taskId }) } }, deps);

    expect((await deps.store.getProposal(proposal.id))!.reasons).toEqual([
      expect.objectContaining({ code: 'RETURNED_BY_APPROVER', message: expect.objectContaining({ en: 'Returned by the district: Foto rumah kurang jelas' }) }),
    ]);
  });

  it('rejects without an approver reason when the cause names no decided task', async () => {
    const { proposal, taskId } = await awaitingApproval();

    await finalize({ ...inputOf(proposal), outcome: { Error: 'Verval.Rejected', Cause: JSON.stringify({ taskId }) } }, deps);
    const stored = await deps.store.getProposal(proposal.id);
    expect(stored).toMatchObject({ status: 'REJECTED', reasons: [] });

    const other = await awaitingApproval();
    await finalize({ ...inputOf(other.proposal), outcome: { Error: 'Verval.Rejected', Cause: 'not json' } }, deps);
    expect(await deps.store.getProposal(other.proposal.id)).toMatchObject({ status: 'REJECTED', reasons: [] });
  });
});
