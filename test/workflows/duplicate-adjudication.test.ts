import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityKey } from '../../domain/identity-hash.ts';
import { TIERS } from '../../domain/province-config.ts';
import { householdProposal } from '../support/proposals.ts';
import { TEST_IDENTITY_KEY } from '../support/stage-deps.ts';
import { unhurried, workflowHarness, type WorkflowHarness } from '../support/workflow-harness.ts';

describe.concurrent('a suspected duplicate, adjudicated by the regency', () => {
  let harness: WorkflowHarness;
  beforeAll(async () => {
    harness = await workflowHarness(unhurried());
  });
  afterAll(async () => harness?.close());

  /** A registered household, and a new proposal whose third member carries one of its NIKs, waiting for the regency. */
  async function duplicateOfRegistered() {
    const registered = await harness.draft();
    const run = await harness.submit(registered.id);
    await harness.approveThrough(registered.id, TIERS);
    await harness.finished(run.executionArn);
    const input = householdProposal();
    input.members[2] = { ...registered.members[1]! };
    const proposal = await harness.draft(input);
    const { executionArn } = await harness.submit(proposal.id);
    const taskId = await harness.pendingTask(proposal.id, 'regency', 'duplicate');
    return { registered, proposal, executionArn, taskId };
  }

  const lockItem = async (nik: string) =>
    (
      await harness.clients.documents.send(
        new GetCommand({ TableName: harness.tableName, Key: { pk: `NIK#${identityKey(TEST_IDENTITY_KEY, 'NIK', nik)}`, sk: 'LOCK' } }),
      )
    ).Item;

  it('goes on to registration when found unique, sharing the contested NIK as an adjudicated exception on its lock', async () => {
    const { registered, proposal, executionArn, taskId } = await duplicateOfRegistered();
    expect(await harness.deps.store.getProposal(proposal.id)).toMatchObject({ status: 'SUBMITTED', stage: 'DUPLICATE_ADJUDICATION' });
    await harness.decide(taskId, 'unique');
    await harness.approveThrough(proposal.id, TIERS);
    expect((await harness.finished(executionArn)).status).toBe('SUCCEEDED');

    const entered = await harness.statesEntered(executionArn);
    expect(entered.slice(0, 5)).toEqual(['Validate submission', 'Check duplicates', 'Adjudicate duplicate', 'Check duplicates', 'Check evidence']);
    const stored = await harness.deps.store.getProposal(proposal.id);
    expect(stored?.status).toBe('REGISTERED');
    expect(stored?.flags).toContainEqual(
      expect.objectContaining({ code: 'DUPLICATE_ADJUDICATED', path: 'members.2.nik', detail: expect.objectContaining({ decision: 'unique', sharedLock: true }) }),
    );
    expect(stored?.flags.some((flag) => flag.code === 'DUKCAPIL_CORRECTION_NEEDED')).toBe(false);
    // The lock stays with the registered record; the exception is recorded on it, and this proposal holds the rest.
    const shared = await lockItem(registered.members[1]!.nik);
    expect(shared).toMatchObject({ holderProposalId: registered.id, state: 'REGISTERED' });
    expect([...(shared!.sharedWith as Set<string>)]).toEqual([proposal.id]);
    expect(stored!.locks!.map((lock) => lock.path)).not.toContain('members.2.nik');
    expect(await lockItem(proposal.members[0]!.nik)).toMatchObject({ holderProposalId: proposal.id, state: 'REGISTERED' });
    const registeredActions = (await harness.deps.store.auditTrail(registered.id)).map((entry) => entry.action);
    expect(registeredActions).toContain('LOCK_SHARED');
  });

  it('goes on when not the same person, flagging the number for Dukcapil correction', async () => {
    const { proposal, executionArn, taskId } = await duplicateOfRegistered();
    await harness.decide(taskId, 'not_same_person', 'NIK sama, orang berbeda; lapor Dukcapil');
    await harness.pendingTask(proposal.id, 'village');
    const stored = await harness.deps.store.getProposal(proposal.id);
    expect(stored?.flags).toContainEqual(expect.objectContaining({ code: 'DUKCAPIL_CORRECTION_NEEDED', path: 'members.2.nik' }));
    await harness.decide(await harness.pendingTask(proposal.id, 'village'), 'reject', 'Berhenti di sini untuk uji');
    await harness.finished(executionArn);
  });

  it('ends MERGED into the registered record when found a duplicate to merge, audited on both', async () => {
    const { registered, proposal, executionArn, taskId } = await duplicateOfRegistered();
    await harness.decide(taskId, 'duplicate', 'Orang yang sama, sudah terdaftar', 'approver', 'merge');
    expect((await harness.finished(executionArn)).status).toBe('SUCCEEDED');

    const stored = await harness.deps.store.getProposal(proposal.id);
    expect(stored).toMatchObject({ status: 'MERGED', stage: 'FINALIZED' });
    expect(stored?.flags).toContainEqual({ code: 'MERGED_INTO', pointer: { proposalId: registered.id, registered: true } });
    expect(stored?.reasons).toContainEqual(expect.objectContaining({ code: 'MERGED_AS_DUPLICATE' }));
    const merged = (await harness.deps.store.auditTrail(proposal.id)).find((entry) => entry.action === 'MERGED');
    // The other household's members 0 and 1 are new to the record; member 2 is the shared person.
    expect(merged?.detail).toMatchObject({ mergedInto: registered.id, extraMembers: ['members.0', 'members.1'] });
    const mergedFrom = (await harness.deps.store.auditTrail(registered.id)).find((entry) => entry.action === 'MERGED_FROM');
    expect(mergedFrom?.detail).toMatchObject({ proposalId: proposal.id, extraMembers: ['members.0', 'members.1'] });
    expect(harness.events.map((entry) => JSON.parse(entry.Detail!))).toContainEqual(expect.objectContaining({ proposalId: proposal.id, outcome: 'MERGED' }));
    // The registered record keeps its numbers; the merged proposal holds none.
    expect(await lockItem(registered.members[1]!.nik)).toMatchObject({ holderProposalId: registered.id, state: 'REGISTERED' });
    expect(await lockItem(proposal.members[0]!.nik)).toBeUndefined();
  });

  it('ends REJECTED as a duplicate when found a duplicate to reject, and that rejection cannot be appealed', async () => {
    const { registered, proposal, executionArn, taskId } = await duplicateOfRegistered();
    await harness.decide(taskId, 'duplicate', 'Orang yang sama, sudah terdaftar', 'approver', 'reject');
    await harness.finished(executionArn);
    const stored = await harness.deps.store.getProposal(proposal.id);
    expect(stored?.status).toBe('REJECTED');
    expect(stored?.reasons).toContainEqual(expect.objectContaining({ code: 'REJECTED_AS_DUPLICATE' }));
    expect(JSON.stringify(stored?.reasons)).toContain(registered.id);
  });
});
