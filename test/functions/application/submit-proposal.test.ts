import { beforeAll, describe, expect, it } from 'vitest';
import { issue } from '../../../domain/messages.ts';
import { ConflictError } from '../../../functions/adapters/records-store.ts';
import { submitProposal } from '../../../functions/application/submit-proposal.ts';
import type { StageDeps } from '../../../functions/shared/runtime.ts';
import { draftOf, householdProposal } from '../../support/proposals.ts';
import { stageDeps } from '../../support/stage-deps.ts';
import { createDraft, operator, recordingWorkflow, serviceError } from '../support/stage-fixtures.ts';

describe('submitProposal', () => {
  let deps: StageDeps;
  beforeAll(async () => {
    ({ deps } = await stageDeps());
  });

  it('moves a draft into the workflow and starts one execution named after the proposal version', async () => {
    const draft = await createDraft(deps);
    const { workflow, calls } = recordingWorkflow();

    const { executionArn } = await submitProposal({ store: deps.store, workflow }, draft.id, operator);

    expect(calls).toEqual([{ method: 'start', name: `${draft.id}-v1`, input: { proposalId: draft.id, version: 1 } }]);
    expect(executionArn).toContain(`${draft.id}-v1`);
    expect(await deps.store.getProposal(draft.id)).toMatchObject({ status: 'SUBMITTED', stage: 'VALIDATION', version: 1 });
    expect((await deps.store.auditTrail(draft.id)).at(-1)).toMatchObject({
      action: 'SUBMITTED',
      actor: operator,
      from: { status: 'DRAFT', stage: 'DRAFT' },
      to: { status: 'SUBMITTED', stage: 'VALIDATION' },
    });
  });

  it("clears a corrected version's old reasons and failure, and names the run after that version", async () => {
    const draft = { ...draftOf(householdProposal(), deps.now()), version: 2 };
    await deps.store.createProposal(draft, { actor: operator, action: 'CREATED' });
    await deps.store.changeProposal(draft.id, {
      expect: { version: 2, status: ['DRAFT'] },
      status: 'DRAFT',
      stage: 'DRAFT',
      reasons: [issue('documents.berita-acara', 'DOCUMENT_MISSING')],
      failure: { error: 'TypeError' },
      audit: { actor: operator, action: 'REVISED' },
    });
    const { workflow, calls } = recordingWorkflow();

    await submitProposal({ store: deps.store, workflow }, draft.id, operator);

    expect(calls).toEqual([{ method: 'start', name: `${draft.id}-v2`, input: { proposalId: draft.id, version: 2 } }]);
    const stored = await deps.store.getProposal(draft.id);
    expect(stored).toMatchObject({ status: 'SUBMITTED', reasons: [] });
    expect(stored).not.toHaveProperty('failure');
  });

  it('refuses a second submit with a ConflictError and starts nothing more', async () => {
    const draft = await createDraft(deps);
    const { workflow, calls } = recordingWorkflow();
    await submitProposal({ store: deps.store, workflow }, draft.id, operator);

    const again = await submitProposal({ store: deps.store, workflow }, draft.id, operator).catch((error: unknown) => error);

    expect(again).toBeInstanceOf(ConflictError);
    expect(again).toMatchObject({ code: 'ALREADY_SUBMITTED' });
    expect(calls).toHaveLength(1);
  });

  it('lets only one of two simultaneous submits start the workflow', async () => {
    const draft = await createDraft(deps);
    const { workflow, calls } = recordingWorkflow();

    const results = await Promise.allSettled([
      submitProposal({ store: deps.store, workflow }, draft.id, operator),
      submitProposal({ store: deps.store, workflow }, draft.id, operator),
    ]);

    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((result) => result.status === 'rejected')).toMatchObject({ reason: { name: 'ConflictError' } });
    expect(calls).toHaveLength(1);
    expect((await deps.store.auditTrail(draft.id)).filter((entry) => entry.action === 'SUBMITTED')).toHaveLength(1);
  });

  it('puts the proposal back to DRAFT when the workflow cannot be started, so it can be submitted again', async () => {
    const draft = await createDraft(deps);
    const { workflow, calls, failNext } = recordingWorkflow();
    const refused = serviceError('StateMachineDoesNotExist');
    failNext(refused);

    await expect(submitProposal({ store: deps.store, workflow }, draft.id, operator)).rejects.toBe(refused);

    expect(await deps.store.getProposal(draft.id)).toMatchObject({ status: 'DRAFT', stage: 'DRAFT' });
    expect((await deps.store.auditTrail(draft.id)).at(-1)).toMatchObject({
      action: 'SUBMIT_FAILED',
      from: { status: 'SUBMITTED', stage: 'VALIDATION' },
      to: { status: 'DRAFT', stage: 'DRAFT' },
      detail: { error: 'StateMachineDoesNotExist' },
    });
    await submitProposal({ store: deps.store, workflow }, draft.id, operator);
    expect(calls.map((call) => call.method)).toEqual(['start', 'start']);
    expect((await deps.store.getProposal(draft.id))?.status).toBe('SUBMITTED');
  });

  it('refuses a proposal that does not exist', async () => {
    const { workflow, calls } = recordingWorkflow();
    await expect(submitProposal({ store: deps.store, workflow }, '01JZZZZZZZZZZZZZZZZZZZZZZZ', operator)).rejects.toMatchObject({
      code: 'PROPOSAL_NOT_FOUND',
    });
    expect(calls).toEqual([]);
  });
});
