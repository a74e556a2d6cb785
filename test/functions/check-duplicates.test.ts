import { beforeAll, describe, expect, it } from 'vitest';
import { identityKey } from '../../domain/identity-hash.ts';
import { checkDuplicates } from '../../functions/check-duplicates.ts';
import { finalize } from '../../functions/finalize.ts';
import { taskIdFor } from '../../functions/shared/tasks.ts';
import type { StageDeps } from '../../functions/shared/runtime.ts';
import type { TestClients } from '../support/aws-clients.ts';
import { householdProposal } from '../support/proposals.ts';
import { stageDeps, TEST_IDENTITY_KEY } from '../support/stage-deps.ts';
import { inputOf, locksHeldBy, moveTo, proposalAt, scanTable } from './support/stage-fixtures.ts';

describe('checkDuplicates', () => {
  let deps: StageDeps;
  let clients: TestClients;
  let tableName: string;
  beforeAll(async () => {
    ({ deps, clients, tableName } = await stageDeps());
  });

  const atDuplicateCheck = (input = householdProposal()) => proposalAt(deps, 'DUPLICATE_CHECK', 'SUBMITTED', input);

  it('locks every NIK and the KK under keyed hashes, never the numbers, and moves on to the evidence check', async () => {
    const input = householdProposal();
    const proposal = await atDuplicateCheck(input);

    await expect(checkDuplicates(inputOf(proposal), deps)).resolves.toEqual({ duplicates: 0 });

    const stored = await deps.store.getProposal(proposal.id);
    expect(stored).toMatchObject({ status: 'SUBMITTED', stage: 'EVIDENCE_CHECK' });
    const expectedKeys = [
      `KK#${identityKey(TEST_IDENTITY_KEY, 'KK', input.household.kk)}`,
      ...input.members.map((member) => `NIK#${identityKey(TEST_IDENTITY_KEY, 'NIK', member.nik)}`),
    ];
    const locks = await locksHeldBy(clients, tableName, proposal.id);
    expect(locks.map((lock) => lock.pk).sort()).toEqual([...expectedKeys].sort());
    for (const lock of locks) {
      expect(lock.pk).toMatch(/^(NIK|KK)#[0-9a-f]{64}$/);
      expect(lock).toMatchObject({ sk: 'LOCK', state: 'ACTIVE', holderProposalId: proposal.id });
    }
    expect(stored!.locks?.map((lock) => lock.path)).toEqual(['household.kk', 'members.0.nik', 'members.1.nik', 'members.2.nik']);

    const numbers = [input.household.kk, ...input.members.map((member) => member.nik)];
    for (const item of await scanTable(clients, tableName)) {
      const keys = [item.pk, item.sk, item.gsi1pk, item.gsi1sk, item.gsi2pk, item.gsi2sk, item.gsi3pk, item.gsi3sk, ...Object.keys(item)];
      for (const number of numbers) {
        expect(keys.join(' ')).not.toContain(number);
        // Only the proposal record itself may hold the numbers (KMS-encrypted table); locks and audit never.
        if (item.entity !== 'PROPOSAL') expect(JSON.stringify(item)).not.toContain(number);
      }
    }
    expect((await deps.store.auditTrail(proposal.id)).map((entry) => entry.action).slice(-2)).toEqual([
      'LOCKS_REQUESTED',
      'LOCKS_ACQUIRED',
    ]);
  });

  it('sends a second proposal sharing one NIK to adjudication with a pointer to the holder, and takes none of its locks', async () => {
    const first = await atDuplicateCheck();
    await checkDuplicates(inputOf(first), deps);
    const input = householdProposal();
    input.members[2] = { ...first.members[2]! };
    const second = await atDuplicateCheck(input);

    await expect(checkDuplicates(inputOf(second), deps)).rejects.toMatchObject({
      name: 'Verval.NeedsAdjudication',
      message: `Suspected duplicate, to be adjudicated: members.2.nik->${first.id}`,
    });

    const stored = await deps.store.getProposal(second.id);
    expect(stored).toMatchObject({ status: 'SUBMITTED', stage: 'DUPLICATE_CHECK' });
    expect(stored!.flags).toEqual([
      { code: 'DUPLICATE_NIK', path: 'members.2.nik', pointer: { proposalId: first.id, registered: false } },
    ]);
    // A suspicion, not a reason: the regency decides whether it is one.
    expect(stored!.reasons).toEqual([]);
    expect(await locksHeldBy(clients, tableName, second.id)).toEqual([]);
    // The shared NIK still belongs to the first proposal.
    expect(await locksHeldBy(clients, tableName, first.id)).toHaveLength(4);
    expect((await deps.store.auditTrail(second.id)).at(-1)).toMatchObject({
      action: 'DUPLICATES_FOUND',
      detail: { duplicates: [`members.2.nik->${first.id}`] },
    });
  });

  it('sends a proposal whose KK is held by another one to adjudication', async () => {
    const first = await atDuplicateCheck();
    await checkDuplicates(inputOf(first), deps);
    const second = await atDuplicateCheck(householdProposal({ household: { ...first.household } }));

    await expect(checkDuplicates(inputOf(second), deps)).rejects.toMatchObject({ name: 'Verval.NeedsAdjudication' });

    const stored = await deps.store.getProposal(second.id);
    expect(stored!.flags).toEqual([
      { code: 'DUPLICATE_KK', path: 'household.kk', pointer: { proposalId: first.id, registered: false } },
    ]);
    expect(await locksHeldBy(clients, tableName, second.id)).toEqual([]);
  });

  it('points at a registered recipient as registered', async () => {
    const registered = await atDuplicateCheck();
    await checkDuplicates(inputOf(registered), deps);
    await moveTo(deps.store, registered.id, 'AWAITING_APPROVAL', 'APPROVAL', { tier: 'regent' });
    await finalize(inputOf(registered), deps);
    const input = householdProposal();
    input.members[0] = { ...registered.members[0]! };
    const again = await atDuplicateCheck(input);

    await expect(checkDuplicates(inputOf(again), deps)).rejects.toMatchObject({ name: 'Verval.NeedsAdjudication' });

    expect((await deps.store.getProposal(again.id))!.flags).toEqual([
      { code: 'DUPLICATE_NIK', path: 'members.0.nik', pointer: { proposalId: registered.id, registered: true } },
    ]);
  });

  /** A second proposal sharing the first's third NIK, adjudicated with `decision` by the regency. */
  async function adjudicated(decision: 'unique' | 'not_same_person') {
    const first = await atDuplicateCheck();
    await checkDuplicates(inputOf(first), deps);
    const input = householdProposal();
    input.members[2] = { ...first.members[2]! };
    const second = await atDuplicateCheck(input);
    await checkDuplicates(inputOf(second), deps).catch(() => undefined);
    await moveTo(deps.store, second.id, 'SUBMITTED', 'DUPLICATE_ADJUDICATION', { tier: 'regency' });
    const taskId = taskIdFor({ proposalId: second.id, version: 1, kind: 'duplicate', tier: 'regency' });
    const now = new Date().toISOString();
    await deps.store.openOrEscalateTask(
      { taskId, proposalId: second.id, version: 1, kind: 'duplicate', tier: 'regency', regionCode: '81.71', villageCode: second.villageCode, createdAt: now, dueAt: now },
      'token',
      'regent',
    );
    await deps.store.recordDecision(taskId, { decision, decidedBy: 'dinsos', decidedAt: now });
    return { first, second, taskId };
  }

  it('after a unique decision, takes every other lock and shares the contested one, recorded on its lock', async () => {
    const { first, second, taskId } = await adjudicated('unique');

    await expect(checkDuplicates(inputOf(second), deps)).resolves.toEqual({ duplicates: 1 });

    const stored = await deps.store.getProposal(second.id);
    expect(stored).toMatchObject({ status: 'SUBMITTED', stage: 'EVIDENCE_CHECK' });
    expect(stored!.locks!.map((lock) => lock.path)).toEqual(['household.kk', 'members.0.nik', 'members.1.nik']);
    expect(await locksHeldBy(clients, tableName, second.id)).toHaveLength(3);
    const [shared] = (await locksHeldBy(clients, tableName, first.id)).filter((lock) => lock.sharedWith);
    expect([...shared!.sharedWith]).toEqual([second.id]);
    expect(stored!.flags).toContainEqual({
      code: 'DUPLICATE_ADJUDICATED',
      path: 'members.2.nik',
      pointer: { proposalId: first.id, registered: false },
      detail: { decision: 'unique', taskId, sharedLock: true },
    });
    expect((await deps.store.auditTrail(first.id)).map((entry) => entry.action)).toContain('LOCK_SHARED');
  });

  it('after the adjudication, returns the proposal if a number is held by a record the adjudicator did not see', async () => {
    const { second } = await adjudicated('not_same_person');
    const third = await atDuplicateCheck(householdProposal({ household: { ...second.household } }));
    await checkDuplicates(inputOf(third), deps);

    await expect(checkDuplicates(inputOf(second), deps)).rejects.toMatchObject({ name: 'Verval.Returned' });
    const stored = await deps.store.getProposal(second.id);
    expect(stored!.reasons).toEqual([expect.objectContaining({ path: 'household.kk', code: 'DUPLICATE_KK' })]);
    expect(await locksHeldBy(clients, tableName, second.id)).toEqual([]);
  });

  it('is idempotent when the same proposal runs again, including after a run that took its locks and stopped', async () => {
    const proposal = await atDuplicateCheck();
    // A first attempt that recorded and took the locks, then died before moving the stage on.
    const hash = identityKey(TEST_IDENTITY_KEY, 'KK', proposal.household.kk);
    await deps.store.acquireLocks(proposal.id, [{ kind: 'KK', hash, path: 'household.kk' }]);

    await expect(checkDuplicates(inputOf(proposal), deps)).resolves.toEqual({ duplicates: 0 });
    const locks = await locksHeldBy(clients, tableName, proposal.id);
    const audit = await deps.store.auditTrail(proposal.id);

    await expect(checkDuplicates(inputOf(proposal), deps)).resolves.toEqual({ duplicates: 0 });

    expect((await deps.store.getProposal(proposal.id))?.stage).toBe('EVIDENCE_CHECK');
    expect(locks).toHaveLength(4);
    expect(await locksHeldBy(clients, tableName, proposal.id)).toEqual(locks);
    expect(await deps.store.auditTrail(proposal.id)).toHaveLength(audit.length);
  });
});
