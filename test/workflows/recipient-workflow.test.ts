import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIERS } from '../../domain/province-config.ts';
import { householdProposal } from '../support/proposals.ts';
import { makeJpeg } from '../support/evidence-fixtures.ts';
import { unhurried, workflowHarness, type WorkflowHarness } from '../support/workflow-harness.ts';
import { REGISTERED_PATH_STATES, TIER_STATES } from '../support/workflow-states.ts';
import { decideTask } from '../../functions/application/decide-task.ts';

/** One simulated day lasts one real second. */
const DAY = 1 / 86_400;

describe.concurrent('the synthesized recipient workflow', () => {
  let harness: WorkflowHarness;
  beforeAll(async () => {
    harness = await workflowHarness(unhurried());
  });
  afterAll(async () => harness?.close());

  it('registers a proposal that passes every stage, and the history shows each stage in order', async () => {
    const proposal = await harness.draft();
    const { executionArn } = await harness.submit(proposal.id);
    await harness.approveThrough(proposal.id, TIERS);
    const execution = await harness.finished(executionArn);

    expect(execution.status).toBe('SUCCEEDED');
    expect(await harness.statesEntered(executionArn)).toEqual(REGISTERED_PATH_STATES);
    const stored = await harness.deps.store.getProposal(proposal.id);
    expect(stored).toMatchObject({ status: 'REGISTERED', stage: 'FINALIZED' });
    expect(stored!.flags.filter((flag) => flag.code === 'PHOTO_DISTANCE')).toHaveLength(2);

    const published = harness.events.map((entry) => JSON.parse(entry.Detail!)).find((detail) => detail.proposalId === proposal.id);
    expect(published).toMatchObject({ outcome: 'REGISTERED', villageCode: proposal.villageCode, members: 3 });
    expect(JSON.stringify(published)).not.toContain(proposal.members[0]!.nik);

    const actions = (await harness.deps.store.auditTrail(proposal.id)).map((entry) => entry.action);
    expect(actions).toEqual(
      expect.arrayContaining(['SUBMITTED', 'VALIDATION_PASSED', 'LOCKS_ACQUIRED', 'EVIDENCE_ACCEPTED', 'REVIEW_OPENED', 'REVIEW_CLOSED', 'TASK_OPENED', 'DECISION_RECORDED', 'REGISTERED']),
    );
    expect(actions.filter((action) => action === 'DECISION_RECORDED')).toHaveLength(TIERS.length);
    expect(await harness.deps.store.registryOf(proposal.villageCode)).toContainEqual(
      expect.objectContaining({ proposalId: proposal.id }),
    );
  });

  it('returns a proposal whose NIK contradicts the declared sex, with the field and reason, before any lock', async () => {
    const input = householdProposal();
    input.members[1]!.sex = 'L';
    const proposal = await harness.draft(input);
    const { executionArn } = await harness.submit(proposal.id);
    expect((await harness.finished(executionArn)).status).toBe('SUCCEEDED');

    expect(await harness.statesEntered(executionArn)).toEqual(['Validate submission', 'Finalize', 'Publish outcome', 'Decided']);
    const stored = await harness.deps.store.getProposal(proposal.id);
    expect(stored?.status).toBe('RETURNED');
    expect(stored?.reasons).toContainEqual(expect.objectContaining({ path: 'members.1.nik', code: 'NIK_SEX_MISMATCH' }));
    expect(stored?.reasons[0]?.message.id).toBeTruthy();
    expect(stored?.reasons[0]?.message.en).toBeTruthy();
  });

  it('sends a proposal whose member is already in another proposal in flight to the duplicate tier, pointing at it', async () => {
    const first = await harness.draft();
    const firstRun = await harness.submit(first.id);
    await harness.pendingTask(first.id, 'village');

    const input = householdProposal();
    input.members[2] = { ...first.members[2]! };
    const second = await harness.draft(input);
    const { executionArn } = await harness.submit(second.id);
    const duplicateTask = await harness.pendingTask(second.id, 'regency', 'duplicate');

    const stored = await harness.deps.store.getProposal(second.id);
    expect(stored).toMatchObject({ status: 'SUBMITTED', stage: 'DUPLICATE_ADJUDICATION', tier: 'regency' });
    expect(stored?.flags).toContainEqual(
      expect.objectContaining({ code: 'DUPLICATE_NIK', path: 'members.2.nik', pointer: { proposalId: first.id, registered: false } }),
    );
    // All or none: the second proposal's own numbers stay free while it waits, and after it ends.
    await harness.decide(duplicateTask, 'duplicate', 'Orang yang sama dengan usulan lain', 'approver', 'reject');
    expect((await harness.finished(executionArn)).status).toBe('SUCCEEDED');
    expect((await harness.deps.store.getProposal(second.id))?.status).toBe('REJECTED');
    const third = await harness.draft({ ...householdProposal(), members: second.members.slice(0, 2) } as never);
    const thirdRun = await harness.submit(third.id);
    await harness.pendingTask(third.id, 'village');
    expect((await harness.deps.store.getProposal(third.id))?.status).toBe('AWAITING_APPROVAL');

    await harness.decide(await harness.pendingTask(first.id, 'village'), 'reject', 'Tidak memenuhi kriteria miskin');
    await harness.decide(await harness.pendingTask(third.id, 'village'), 'reject', 'Tidak memenuhi kriteria miskin');
    await Promise.all([harness.finished(firstRun.executionArn), harness.finished(thirdRun.executionArn)]);
  });

  it('flags a NIK that is already registered, pointing at the registration, for the duplicate tier', async () => {
    const registered = await harness.draft();
    const run = await harness.submit(registered.id);
    await harness.approveThrough(registered.id, TIERS);
    await harness.finished(run.executionArn);

    const input = householdProposal();
    input.members[0] = { ...registered.members[0]! };
    const again = await harness.draft(input);
    const againRun = await harness.submit(again.id);
    await harness.decide(await harness.pendingTask(again.id, 'regency', 'duplicate'), 'duplicate', 'Sudah terdaftar', 'approver', 'reject');
    await harness.finished(againRun.executionArn);
    expect((await harness.deps.store.getProposal(again.id))?.flags).toContainEqual(
      expect.objectContaining({ code: 'DUPLICATE_NIK', pointer: { proposalId: registered.id, registered: true } }),
    );
  });

  it('returns a proposal without the berita acara and releases its locks', async () => {
    const proposal = await harness.draft(householdProposal(), false);
    const takenAt = new Date(Date.now() - 86_400_000);
    await harness.upload(proposal.id, 'house-front', 'a.jpg', makeJpeg({ seed: 900_001, takenAt }), 'image/jpeg');
    await harness.upload(proposal.id, 'house-interior', 'b.jpg', makeJpeg({ seed: 900_002, takenAt }), 'image/jpeg');
    await harness.upload(proposal.id, 'id-scan', 'c.jpg', makeJpeg({ seed: 900_003, takenAt }), 'image/jpeg');
    const { executionArn } = await harness.submit(proposal.id);
    await harness.finished(executionArn);

    const stored = await harness.deps.store.getProposal(proposal.id);
    expect(stored?.status).toBe('RETURNED');
    expect(stored?.reasons).toContainEqual(expect.objectContaining({ path: 'documents.berita-acara', code: 'DOCUMENT_MISSING' }));
    const retaken = await harness.deps.store.acquireLocks('someone-else', stored!.locks!);
    expect(retaken.conflicts).toEqual([]);
  });

  it('returns a proposal whose house photo was already used by another household', async () => {
    const original = await harness.draft();
    const originalRun = await harness.submit(original.id);
    await harness.pendingTask(original.id, 'village');

    const copy = await harness.draft();
    const { Body } = await harness.clients.s3.send(
      new (await import('@aws-sdk/client-s3')).GetObjectCommand({ Bucket: harness.bucket, Key: `proposals/${original.id}/house-front/front.jpg` }),
    );
    await harness.upload(copy.id, 'house-front', 'front.jpg', await Body!.transformToByteArray(), 'image/jpeg');
    await harness.finished((await harness.submit(copy.id)).executionArn);

    const stored = await harness.deps.store.getProposal(copy.id);
    expect(stored?.status).toBe('RETURNED');
    expect(stored?.flags).toContainEqual(expect.objectContaining({ code: 'PHOTO_REUSED', pointer: { proposalId: original.id } }));
    await harness.decide(await harness.pendingTask(original.id, 'village'), 'reject', 'Data tidak lengkap');
    await harness.finished(originalRun.executionArn);
  });

  it('rejects a proposal when the adjudicator upholds an objection filed during the review', async () => {
    const proposal = await harness.draft();
    const { executionArn } = await harness.submit(proposal.id);
    await harness.inReview(proposal.id);
    await harness.object(proposal.id);
    const taskId = await harness.pendingTask(proposal.id, harness.config.adjudicationTier, 'adjudication');
    await harness.decide(taskId, 'uphold', 'Terbukti memiliki mobil pribadi');
    await harness.finished(executionArn);

    expect(await harness.statesEntered(executionArn)).toContain('Adjudicate objections');
    const stored = await harness.deps.store.getProposal(proposal.id);
    expect(stored?.status).toBe('REJECTED');
    expect(stored?.reasons).toContainEqual(expect.objectContaining({ code: 'REJECTED_BY_APPROVER' }));
  });

  it('lets a proposal go on to the approvals when the adjudicator dismisses the objection', async () => {
    const proposal = await harness.draft();
    const { executionArn } = await harness.submit(proposal.id);
    await harness.inReview(proposal.id);
    await harness.object(proposal.id);
    await harness.decide(await harness.pendingTask(proposal.id, harness.config.adjudicationTier, 'adjudication'), 'dismiss');
    await harness.approveThrough(proposal.id, TIERS);
    expect((await harness.finished(executionArn)).status).toBe('SUCCEEDED');
    expect((await harness.deps.store.getProposal(proposal.id))?.status).toBe('REGISTERED');
  });

  for (const [index, tier] of TIERS.entries()) {
    it(`rejects at the ${tier} tier with the approver's reason, and frees the NIKs`, async () => {
      const proposal = await harness.draft();
      const { executionArn } = await harness.submit(proposal.id);
      await harness.approveThrough(proposal.id, TIERS.slice(0, index));
      await harness.decide(await harness.pendingTask(proposal.id, tier), 'reject', `Ditolak di tingkat ${tier}`);
      await harness.finished(executionArn);

      const entered = await harness.statesEntered(executionArn);
      expect(entered).toContain(TIER_STATES[tier]);
      for (const later of TIERS.slice(index + 1)) expect(entered).not.toContain(TIER_STATES[later]);
      const stored = await harness.deps.store.getProposal(proposal.id);
      expect(stored?.status).toBe('REJECTED');
      expect(JSON.stringify(stored?.reasons)).toContain(`Ditolak di tingkat ${tier}`);
      expect((await harness.deps.store.acquireLocks('another', stored!.locks!)).conflicts).toEqual([]);
    });
  }

  it('returns a proposal for revision with the reason, so the village can fix it', async () => {
    const proposal = await harness.draft();
    const { executionArn } = await harness.submit(proposal.id);
    await harness.approveThrough(proposal.id, ['village']);
    await harness.decide(await harness.pendingTask(proposal.id, 'district'), 'return', 'Foto rumah kurang jelas');
    await harness.finished(executionArn);
    const stored = await harness.deps.store.getProposal(proposal.id);
    expect(stored?.status).toBe('RETURNED');
    expect(stored?.reasons).toContainEqual(expect.objectContaining({ code: 'RETURNED_BY_APPROVER' }));
  });

  it('lets exactly one of two concurrent decisions on the same task win', async () => {
    const proposal = await harness.draft();
    const { executionArn } = await harness.submit(proposal.id);
    const taskId = await harness.pendingTask(proposal.id, 'village');
    const results = await Promise.allSettled([
      harness.decide(taskId, 'approve', undefined, 'kepala-desa-a'),
      harness.decide(taskId, 'reject', 'Tidak layak menerima bantuan', 'kepala-desa-b'),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((result) => result.status === 'rejected')).toMatchObject({ reason: { code: 'TASK_ALREADY_DECIDED' } });
    const task = await harness.deps.store.getTask(taskId);
    if (task?.decision?.decision === 'approve') {
      await harness.approveThrough(proposal.id, TIERS.slice(1));
    }
    await harness.finished(executionArn);
  });

  it('retries a transient Lambda service error and goes on', async () => {
    const proposal = await harness.draft();
    harness.injectFault(proposal.id, (stage, invocation) => {
      if (stage === 'CheckEvidence' && invocation === 1) {
        throw Object.assign(new Error('Rate exceeded'), { name: 'Lambda.ServiceException' });
      }
    });
    const { executionArn } = await harness.submit(proposal.id);
    await harness.pendingTask(proposal.id, 'village');
    const attempts = harness.invocations.filter((entry) => entry.stage === 'CheckEvidence' && entry.payload.proposalId === proposal.id);
    expect(attempts).toHaveLength(2);
    await harness.decide(await harness.pendingTask(proposal.id, 'village'), 'reject', 'Bukan warga desa ini');
    expect((await harness.finished(executionArn)).status).toBe('SUCCEEDED');
  });

  it('records a permanent stage failure on the proposal and fails the execution visibly', async () => {
    const proposal = await harness.draft();
    harness.injectFault(proposal.id, (stage) => {
      if (stage === 'CheckEvidence') throw new TypeError('Cannot read properties of undefined');
    });
    const { executionArn } = await harness.submit(proposal.id);
    const execution = await harness.finished(executionArn);

    expect(execution.status).toBe('FAILED');
    expect(await harness.statesEntered(executionArn)).toContain('Record failure');
    const stored = await harness.deps.store.getProposal(proposal.id);
    expect(stored).toMatchObject({ status: 'FAILED', failure: { error: 'TypeError' } });
    expect((await harness.deps.store.acquireLocks('another', stored!.locks!)).conflicts).toEqual([]);
  });
});

describe('an approval whose SLA lapses', () => {
  let harness: WorkflowHarness;
  beforeAll(async () => {
    harness = await workflowHarness({
      timeScale: DAY,
      configOverrides: {
        reviewDays: 1,
        maxEscalations: 2,
        tiers: TIERS.map((tier) => ({ tier, slaDays: 1 })),
      },
    });
  });
  afterAll(async () => harness?.close());

  it('is escalated with a new token each time, and after the last escalation ends in a recorded failure', async () => {
    const proposal = await harness.draft();
    const { executionArn } = await harness.submit(proposal.id);
    const execution = await harness.finished(executionArn);

    expect(execution.status).toBe('FAILED');
    // Asked three times (opened, escalated twice); the fourth ask, after the last escalation, is refused.
    const requests = harness.invocations.filter((entry) => entry.stage === 'RequestDecision' && entry.payload.proposalId === proposal.id);
    expect(requests).toHaveLength(4);
    expect(new Set(requests.map((entry) => entry.payload.taskToken)).size).toBe(4);
    const task = await harness.deps.store.getTask(`${proposal.id}-v1-village`);
    expect(task).toMatchObject({ status: 'PENDING', escalations: 2, overdue: true, escalatedTo: 'district' });
    const stored = await harness.deps.store.getProposal(proposal.id);
    expect(stored).toMatchObject({ status: 'FAILED', failure: { error: 'Verval.SlaExhausted' } });
    const actions = (await harness.deps.store.auditTrail(proposal.id)).map((entry) => entry.action);
    expect(actions.filter((action) => action === 'TASK_ESCALATED')).toHaveLength(2);
    expect(actions).toContain('WORKFLOW_FAILED');
  });

  it('still takes a decision after an escalation, through the new token', async () => {
    const proposal = await harness.draft();
    const { executionArn } = await harness.submit(proposal.id);
    const taskId = await harness.pendingTask(proposal.id, 'village');
    const deadline = Date.now() + 10_000;
    while (((await harness.deps.store.getTask(taskId))?.escalations ?? 0) < 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await harness.decide(taskId, 'reject', 'Terlambat tetapi tetap diputuskan');
    expect((await harness.finished(executionArn)).status).toBe('SUCCEEDED');
    expect((await harness.deps.store.getProposal(proposal.id))?.status).toBe('REJECTED');
  });

  it('delivers a decision whose token lapsed while it was being sent with the token of the re-ask, without the approver waiting for it', async () => {
    const proposal = await harness.draft();
    const { executionArn } = await harness.submit(proposal.id);
    const taskId = await harness.pendingTask(proposal.id, 'village');
    let lapsed = false;
    // The first send meets a token the SLA just ended; the escalation's new token must carry the decision.
    const workflow = {
      ...harness.workflow,
      sendTaskFailure: async (token: string, error: string, cause: string) => {
        if (!lapsed) {
          lapsed = true;
          throw Object.assign(new Error('Task Timed Out'), { name: 'TaskTimedOut' });
        }
        return harness.workflow.sendTaskFailure(token, error, cause);
      },
    };
    const asked = () => harness.invocations.filter((entry) => entry.stage === 'RequestDecision' && entry.payload.proposalId === proposal.id).length;
    await decideTask(
      { store: harness.deps.store, freezes: harness.deps.freezes, workflow, now: harness.deps.now },
      { taskId, decision: 'reject', reason: 'Rumah permanen dan memiliki kendaraan', actor: { type: 'user', id: 'kades' } },
    );
    expect(lapsed).toBe(true);
    expect(asked()).toBe(1);
    expect((await harness.finished(executionArn)).status).toBe('SUCCEEDED');
    expect(asked()).toBe(2);
    expect((await harness.deps.store.getProposal(proposal.id))?.status).toBe('REJECTED');
    expect((await harness.deps.store.getTask(taskId))?.escalations).toBe(0);
  });
});
