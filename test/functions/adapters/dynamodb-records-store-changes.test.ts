import { createHash } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Proposal, ProposalInput } from '../../../domain/proposal.ts';
import type { ChangeRequest, RemoveRequest } from '../../../domain/proposal-types.ts';
import { ConflictError, type IdentityLock, type RecordsStore } from '../../../functions/adapters/records-store.ts';
import { draftChangeProposal } from '../../../functions/application/change-proposal.ts';
import type { StageDeps } from '../../../functions/shared/runtime.ts';
import type { TestClients } from '../../support/aws-clients.ts';
import { householdProposal, nikFor } from '../../support/proposals.ts';
import { stageDeps } from '../../support/stage-deps.ts';
import { createDraft, locksHeldBy, operator, scanTable, setupActor } from '../support/stage-fixtures.ts';

/** Stand-ins for the keyed hashes: distinct per number, stable, never the number itself. */
const hashOf = (value: string) => createHash('sha256').update(`test#${value}`).digest('hex');
const locksOf = (input: Pick<ProposalInput, 'household' | 'members'>): IdentityLock[] => [
  { kind: 'KK', hash: hashOf(input.household.kk), path: 'household.kk' },
  ...input.members.map((member, index) => ({ kind: 'NIK' as const, hash: hashOf(member.nik), path: `members.${index}.nik` })),
];
const approver = { type: 'user' as const, id: 'approver-regent-81.71' };

describe('DynamoDbRecordsStore: REMOVE and UPDATE against registered records', () => {
  let deps: StageDeps;
  let store: RecordsStore;
  let clients: TestClients;
  let tableName: string;
  beforeAll(async () => {
    const env = await stageDeps();
    ({ deps, clients, tableName } = env);
    store = deps.store;
  });

  /** A proposal taken through the lock and registration steps the workflow takes. */
  async function submitWithLocks(proposal: Pick<Proposal, 'id' | 'household' | 'members'>, locks = locksOf(proposal)) {
    await store.changeProposal(proposal.id, {
      expect: { version: 1, status: ['DRAFT'] },
      status: 'SUBMITTED',
      stage: 'DUPLICATE_CHECK',
      locks,
      audit: { actor: setupActor, action: 'LOCKS_REQUESTED' },
    });
    expect((await store.acquireLocks(proposal.id, locks)).conflicts).toEqual([]);
  }

  const approved = { expect: { version: 1, status: ['SUBMITTED'] as const }, status: 'REGISTERED', stage: 'FINALIZED', audit: { actor: approver, action: 'REGISTERED' } } as const;

  async function registeredHousehold(input = householdProposal()) {
    const draft = await createDraft(deps, input);
    await submitWithLocks(draft);
    await store.register(draft.id, approved, deps.now().toISOString());
    return (await store.getProposal(draft.id))!;
  }

  /** A submitted REMOVE or UPDATE of `target`, drafted as POST /proposals drafts it. */
  async function submittedChange(request: ChangeRequest) {
    const draft = await draftChangeProposal(deps, request, operator.id);
    if (!draft.ok) throw new Error(JSON.stringify(draft.issues));
    await store.createProposal(draft.proposal, { actor: operator, action: 'CREATED' });
    return draft.proposal;
  }

  const region = (input: ProposalInput) => ({
    provinceCode: input.provinceCode,
    regencyCode: input.regencyCode,
    districtCode: input.districtCode,
    villageCode: input.villageCode,
  });

  async function submitted(proposal: Proposal, locks?: IdentityLock[]) {
    if (locks) return submitWithLocks(proposal, locks);
    await store.changeProposal(proposal.id, {
      expect: { version: 1, status: ['DRAFT'] },
      status: 'SUBMITTED',
      stage: 'EVIDENCE_CHECK',
      audit: { actor: setupActor, action: 'TARGET_CLAIMED' },
    });
  }

  /** `input` registered, and a submitted REMOVE of it (not yet claiming it). */
  async function registeredThenRemoval(input: ProposalInput, removal: RemoveRequest['removal']) {
    const target = await registeredHousehold(input);
    const change = await submittedChange({ type: 'REMOVE', ...region(input), target: { proposalId: target.id }, removal });
    await submitted(change);
    return { target, removal: change };
  }

  describe('claimTarget and releaseTarget', () => {
    it('lets one case at a time claim a record, audited on the record; the holder may claim again', async () => {
      const target = await registeredHousehold();
      expect(await store.claimTarget(target.id, 'CASE-A', setupActor)).toEqual({ claimed: true });
      expect(await store.claimTarget(target.id, 'CASE-A', setupActor)).toEqual({ claimed: true });
      const refused = await store.claimTarget(target.id, 'CASE-B', setupActor);
      expect(refused).toMatchObject({ claimed: false, target: { id: target.id, openCase: 'CASE-A' } });

      await store.releaseTarget(target.id, 'CASE-B', setupActor);
      expect((await store.getProposal(target.id))?.openCase).toBe('CASE-A');
      await store.releaseTarget(target.id, 'CASE-A', setupActor);
      expect((await store.getProposal(target.id))?.openCase).toBeUndefined();
      expect(await store.claimTarget(target.id, 'CASE-B', setupActor)).toEqual({ claimed: true });
      expect((await store.auditTrail(target.id)).map((entry) => `${entry.action} ${String(entry.detail?.proposalId ?? '')}`)).toEqual([
        'CREATED ',
        'LOCKS_REQUESTED ',
        'REGISTERED ',
        'CASE_OPENED CASE-A',
        'CASE_CLOSED CASE-A',
        'CASE_OPENED CASE-B',
      ]);
    });

    it('claims a record registered before proposal types, which has no `type` attribute (an ADD)', async () => {
      const target = await registeredHousehold();
      await clients.documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: `PROPOSAL#${target.id}`, sk: 'PROPOSAL' },
          UpdateExpression: 'REMOVE #type',
          ExpressionAttributeNames: { '#type': 'type' },
        }),
      );
      const key = { pk: `PROPOSAL#${target.id}`, sk: 'PROPOSAL' };
      const stored = await clients.documents.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      expect(stored.Item).not.toHaveProperty('type');

      expect(await store.claimTarget(target.id, 'CASE-A', setupActor)).toEqual({ claimed: true });
      expect((await store.getProposal(target.id))?.openCase).toBe('CASE-A');
    });

    it('refuses records that are not current registrations: not registered, or a removal itself', async () => {
      const draft = await createDraft(deps);
      expect(await store.claimTarget(draft.id, 'CASE-A', setupActor)).toMatchObject({ claimed: false });
      expect(await store.claimTarget('01JNOSUCHPROPOSAL000000000', 'CASE-A', setupActor)).toEqual({ claimed: false });
    });
  });

  describe('completeChange', () => {
    it('ends the whole household in one transaction: reason and date kept, its locks released, nothing deleted', async () => {
      const input = householdProposal();
      const { target, removal } = await registeredThenRemoval(input, { reason: 'NOT_FOUND', statement: 'Tidak ditemukan saat verifikasi lapangan.' });
      expect(await store.claimTarget(target.id, removal.id, setupActor)).toEqual({ claimed: true });
      const completedAt = deps.now().toISOString();

      const done = await store.completeChange(removal.id, approved, completedAt);

      expect(done).toMatchObject({ status: 'REGISTERED', stage: 'FINALIZED', type: 'REMOVE', completedAt });
      const ended = await store.getProposal(target.id);
      expect(ended).toMatchObject({ status: 'REGISTERED', registration: { endedAt: completedAt, endReason: 'NOT_FOUND', endedBy: removal.id } });
      expect(ended?.openCase).toBeUndefined();
      expect(await locksHeldBy(clients, tableName, target.id)).toEqual([]);
      expect((await store.auditTrail(target.id)).at(-1)).toMatchObject({
        action: 'REGISTRATION_ENDED',
        actor: approver,
        detail: { by: removal.id, type: 'REMOVE', endReason: 'NOT_FOUND' },
      });
      expect((await store.auditTrail(removal.id)).at(-1)).toMatchObject({ action: 'REGISTERED', to: { status: 'REGISTERED', stage: 'FINALIZED' } });
      // The cut-off finds the completion; the registry keeps the ended household and lists no removal as a household.
      const item = (await scanTable(clients, tableName)).find((row) => row.pk === `PROPOSAL#${removal.id}` && row.sk === 'PROPOSAL');
      expect(item).toMatchObject({ gsi5pk: 'CHANGES#81', gsi5sk: `${completedAt}#${removal.id}` });
      const registry = await store.registryOf(input.villageCode);
      expect(registry).toContainEqual({
        proposalId: target.id,
        registeredAt: target.registeredAt,
        ended: { endedAt: completedAt, endReason: 'NOT_FOUND' },
      });
      expect(registry.map((entry) => entry.proposalId)).not.toContain(removal.id);
    });

    it('ends named members only: their NIK locks go, the household and its other locks stay', async () => {
      const input = householdProposal();
      const mother = input.members[1]!;
      const { target, removal } = await registeredThenRemoval(input, { reason: 'DECEASED', members: [mother.nik], statement: 'Meninggal dunia.' });
      await store.claimTarget(target.id, removal.id, setupActor);
      const completedAt = deps.now().toISOString();

      await store.completeChange(removal.id, approved, completedAt);

      const after = await store.getProposal(target.id);
      expect(after?.registration).toBeUndefined();
      expect(after?.endedMembers).toEqual([{ nik: mother.nik, endedAt: completedAt, endReason: 'DECEASED', endedBy: removal.id }]);
      expect(after?.locks?.map((lock) => lock.path)).toEqual(['household.kk', 'members.0.nik', 'members.2.nik']);
      const held = (await locksHeldBy(clients, tableName, target.id)).map((lock) => lock.pk).sort();
      expect(held).toEqual(locksOf(input).filter((lock) => lock.path !== 'members.1.nik').map((lock) => `${lock.kind}#${lock.hash}`).sort());
    });

    it('makes an UPDATE the registered record: own locks registered, the target\u2019s taken over, dropped ones released', async () => {
      const input = householdProposal();
      const target = await registeredHousehold(input);
      const [head, mother, child] = input.members;
      const fixedNik = nikFor('81.71.01', child!.birthDate, 'L', 9997);
      const corrected = { ...input, members: [head!, { ...child!, nik: fixedNik }] };
      const update = await submittedChange({
        type: 'UPDATE',
        ...corrected,
        target: { proposalId: target.id },
        correction: { statement: 'NIK anak diperbaiki; ibu tercatat di KK lain.' },
      });
      expect(update.previous?.members).toEqual(input.members);
      const targetLocks = new Set(locksOf(input).map((lock) => lock.hash));
      const ownLocks = locksOf(corrected).filter((lock) => !targetLocks.has(lock.hash));
      await submitWithLocks(update, ownLocks);
      await store.changeProposal(update.id, {
        expect: { version: 1, status: ['SUBMITTED'] },
        status: 'SUBMITTED',
        stage: 'EVIDENCE_CHECK',
        locks: locksOf(corrected),
        audit: { actor: setupActor, action: 'LOCKS_ACQUIRED' },
      });
      await store.claimTarget(target.id, update.id, setupActor);
      const completedAt = deps.now().toISOString();

      await store.completeChange(update.id, approved, completedAt);

      expect(await store.getProposal(target.id)).toMatchObject({
        supersededBy: update.id,
        registration: { endedAt: completedAt, endReason: 'CORRECTED', endedBy: update.id },
      });
      const held = await locksHeldBy(clients, tableName, update.id);
      expect(held.map((lock) => lock.pk).sort()).toEqual(locksOf(corrected).map((lock) => `${lock.kind}#${lock.hash}`).sort());
      expect(held.every((lock) => lock.state === 'REGISTERED')).toBe(true);
      expect(await locksHeldBy(clients, tableName, target.id)).toEqual([]);
      const all = await scanTable(clients, tableName);
      expect(all.find((row) => row.pk === `NIK#${hashOf(mother!.nik)}`)).toBeUndefined();
      expect(await store.registryOf(input.villageCode)).toEqual(
        expect.arrayContaining([
          { proposalId: target.id, registeredAt: target.registeredAt, ended: { endedAt: completedAt, endReason: 'CORRECTED' } },
          { proposalId: update.id, registeredAt: completedAt },
        ]),
      );
      expect((await store.auditTrail(target.id)).at(-1)).toMatchObject({ action: 'SUPERSEDED', detail: { by: update.id, endReason: 'CORRECTED' } });
    });

    it('writes nothing without the claim on its target', async () => {
      const input = householdProposal();
      const { target, removal } = await registeredThenRemoval(input, { reason: 'MOVED', statement: 'Pindah ke luar provinsi.' });
      const before = await store.getProposal(target.id);

      const refused = await store.completeChange(removal.id, approved, deps.now().toISOString()).catch((error: unknown) => error);

      expect(refused).toBeInstanceOf(ConflictError);
      expect(await store.getProposal(target.id)).toEqual(before);
      expect((await store.getProposal(removal.id))?.status).toBe('SUBMITTED');
      expect(await locksHeldBy(clients, tableName, target.id)).toHaveLength(locksOf(input).length);
    });
  });
});
