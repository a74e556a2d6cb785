import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, type IdentityLock, type RecordsStore } from '../../../functions/adapters/records-store.ts';
import type { TestClients } from '../../support/aws-clients.ts';
import { draftOf, householdProposal } from '../../support/proposals.ts';
import { stageDeps } from '../../support/stage-deps.ts';
import { createDraft, locksHeldBy, operator, scanTable } from '../support/stage-fixtures.ts';

const hash = (n: number) => n.toString(16).padStart(64, '0');

describe('DynamoDbRecordsStore', () => {
  let store: RecordsStore;
  let clients: TestClients;
  let tableName: string;
  let clock: { pinned?: Date };
  let now: () => Date;
  beforeAll(async () => {
    const env = await stageDeps();
    ({ clients, tableName, clock } = env);
    store = env.deps.store;
    now = env.deps.now;
  });

  describe('changeProposal', () => {
    const submit = (proposalId: string, version: number, status: 'DRAFT' | 'SUBMITTED' = 'DRAFT') =>
      store.changeProposal(proposalId, {
        expect: { version, status: [status] },
        status: 'SUBMITTED',
        stage: 'VALIDATION',
        audit: { actor: operator, action: 'SUBMITTED' },
      });

    it('applies the change and writes its audit entry with where it came from', async () => {
      const draft = await createDraft({ store, now });

      const changed = await submit(draft.id, 1);

      expect(changed).toMatchObject({ id: draft.id, status: 'SUBMITTED', stage: 'VALIDATION', version: 1 });
      expect((await store.auditTrail(draft.id)).at(-1)).toMatchObject({
        proposalId: draft.id,
        version: 1,
        action: 'SUBMITTED',
        from: { status: 'DRAFT', stage: 'DRAFT' },
        to: { status: 'SUBMITTED', stage: 'VALIDATION' },
      });
    });

    it('refuses a stale version with a ConflictError and writes nothing, audit included', async () => {
      const draft = await createDraft({ store, now });
      const before = await store.getProposal(draft.id);
      const audit = await store.auditTrail(draft.id);

      const refused = await submit(draft.id, 2).catch((error: unknown) => error);

      expect(refused).toBeInstanceOf(ConflictError);
      expect(refused).toMatchObject({ code: 'PROPOSAL_STATE_CHANGED' });
      expect(await store.getProposal(draft.id)).toEqual(before);
      expect(await store.auditTrail(draft.id)).toEqual(audit);
    });

    it('refuses an unexpected status with a ConflictError and writes nothing, audit included', async () => {
      const draft = await createDraft({ store, now });
      const before = await store.getProposal(draft.id);
      const audit = await store.auditTrail(draft.id);

      await expect(submit(draft.id, 1, 'SUBMITTED')).rejects.toMatchObject({ name: 'ConflictError', code: 'PROPOSAL_STATE_CHANGED' });

      expect(await store.getProposal(draft.id)).toEqual(before);
      expect(await store.auditTrail(draft.id)).toEqual(audit);
    });

    it('refuses a proposal that does not exist', async () => {
      await expect(submit('01JZZZZZZZZZZZZZZZZZZZZZZZ', 1)).rejects.toMatchObject({ code: 'PROPOSAL_NOT_FOUND' });
      const items = await scanTable(clients, tableName);
      expect(items.filter((item) => String(item.pk).includes('01JZZZZZZZZZZZZZZZZZZZZZZZ'))).toEqual([]);
    });

    it('lets exactly one of two concurrent changes from the same version through', async () => {
      const draft = await createDraft({ store, now });

      const results = await Promise.allSettled([submit(draft.id, 1), submit(draft.id, 1)]);

      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      expect((await store.auditTrail(draft.id)).filter((entry) => entry.action === 'SUBMITTED')).toHaveLength(1);
    });

    it('removes a field set to null and keeps the others', async () => {
      const draft = await createDraft({ store, now });
      await store.changeProposal(draft.id, {
        expect: { version: 1, status: ['DRAFT'] },
        status: 'AWAITING_APPROVAL',
        stage: 'APPROVAL',
        tier: 'village',
        failure: { error: 'TypeError' },
        audit: { actor: operator, action: 'TEST' },
      });

      const changed = await store.changeProposal(draft.id, {
        expect: { version: 1, status: ['AWAITING_APPROVAL'] },
        status: 'REGISTERED',
        stage: 'FINALIZED',
        tier: null,
        failure: null,
        audit: { actor: operator, action: 'TEST' },
      });

      expect(changed).not.toHaveProperty('tier');
      expect(changed).not.toHaveProperty('failure');
      expect(changed.members).toEqual(draft.members);
    });
  });

  it('refuses to create the same proposal twice, without a second audit entry', async () => {
    const draft = draftOf(householdProposal(), now());
    await store.createProposal(draft, { actor: operator, action: 'CREATED' });

    await expect(store.createProposal({ ...draft, programs: ['PBI_JKN'] } as never, { actor: operator, action: 'CREATED' })).rejects.toMatchObject({
      code: 'PROPOSAL_EXISTS',
    });

    expect(await store.getProposal(draft.id)).toMatchObject({ programs: draft.programs });
    expect(await store.auditTrail(draft.id)).toHaveLength(1);
  });

  it('returns the audit trail in time order, whatever order it was written in', async () => {
    clock.pinned = new Date('2025-08-01T10:00:00.000Z');
    const draft = await createDraft({ store, now });
    clock.pinned = new Date('2025-08-03T10:00:00.000Z');
    await store.changeProposal(draft.id, {
      expect: { version: 1, status: ['DRAFT'] },
      status: 'SUBMITTED',
      stage: 'VALIDATION',
      audit: { actor: operator, action: 'SUBMITTED' },
    });
    const entry = (at: string, action: string) => ({ proposalId: draft.id, version: 1, at, actor: operator, action });
    await store.appendAudit(entry('2025-08-05T00:00:00.000Z', 'FIFTH'));
    await store.appendAudit(entry('2025-08-02T00:00:00.000Z', 'SECOND'));
    await store.appendAudit(entry('2025-08-04T00:00:00.000Z', 'FOURTH'));
    clock.pinned = undefined;

    const trail = await store.auditTrail(draft.id);

    expect(trail.map((item) => item.action)).toEqual(['CREATED', 'SECOND', 'SUBMITTED', 'FOURTH', 'FIFTH']);
    expect(trail.map((item) => item.at)).toEqual([...trail.map((item) => item.at)].sort());
    expect(trail[0]).not.toHaveProperty('pk');
  });

  describe('identity locks', () => {
    const lock = (n: number, kind: 'NIK' | 'KK' = 'NIK'): IdentityLock => ({ kind, hash: hash(n), path: `members.${n}.nik` });
    let base = Date.now() % 1_000_000;
    const fresh = () => (base += 10);

    it('takes every lock or none, and names the holder of each conflict', async () => {
      const n = fresh();
      await store.acquireLocks('holder', [lock(n)]);

      const { conflicts } = await store.acquireLocks('late', [lock(n + 1, 'KK'), lock(n), lock(n + 2)]);

      expect(conflicts).toEqual([{ ...lock(n), holder: { proposalId: 'holder', state: 'ACTIVE' } }]);
      expect(await locksHeldBy(clients, tableName, 'late')).toEqual([]);
      expect(await store.acquireLocks('holder', [lock(n), lock(n + 1)])).toEqual({ conflicts: [] });
    });

    it("releases only the proposal's own active locks", async () => {
      const n = fresh();
      await store.acquireLocks('mine', [lock(n)]);
      await store.acquireLocks('theirs', [lock(n + 1)]);

      await store.releaseLocks('mine', [lock(n), lock(n + 1), lock(n + 2)]);

      expect(await locksHeldBy(clients, tableName, 'mine')).toEqual([]);
      expect(await locksHeldBy(clients, tableName, 'theirs')).toHaveLength(1);
    });
  });

  describe('tasks', () => {
    it('records a decision once and tells a missing task from a decided one', async () => {
      const draft = await createDraft({ store, now });
      const taskId = `${draft.id}-v1-village`;
      await store.openOrEscalateTask(
        {
          taskId,
          proposalId: draft.id,
          version: 1,
          kind: 'approval',
          tier: 'village',
          regionCode: draft.villageCode,
          villageCode: draft.villageCode,
          createdAt: '2025-08-01T00:00:00.000Z',
          dueAt: '2025-08-06T00:00:00.000Z',
        },
        'token-1',
        'district',
      );
      const decision = { decision: 'approve' as const, decidedBy: 'kades', decidedAt: '2025-08-02T00:00:00.000Z' };

      await expect(store.recordDecision(taskId, decision)).resolves.toMatchObject({ status: 'DECIDED', decision, token: 'token-1' });
      await expect(store.recordDecision(taskId, { ...decision, decision: 'reject' })).rejects.toMatchObject({ code: 'TASK_ALREADY_DECIDED' });
      await expect(store.recordDecision(`${draft.id}-v1-regent`, decision)).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
      expect((await store.getTask(taskId))?.decision).toEqual(decision);
      const raw = await scanTable(clients, tableName);
      expect(raw.filter((item) => item.pk === `TASK#${draft.id}-v1-regent`)).toEqual([]);
    });
  });
});
