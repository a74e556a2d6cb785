import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SubmitResponse } from '../../../functions/api/schemas.ts';
import { callers, type ApiHarness } from '../../support/api-harness.ts';
import { createDraft, proposalApiHarness, submittedProposal } from './support/proposal-flow.ts';

describe('POST /proposals/{id}/submit (submitProposal)', () => {
  let harness: ApiHarness;
  beforeAll(async () => {
    harness = await proposalApiHarness();
  });
  afterAll(async () => harness?.close());

  const operator = callers.operator();
  const submit = (id: string, caller = operator) => harness.call('submitProposal', { caller, params: { id } });
  const executionsOf = (proposalId: string) =>
    harness.invocations.filter((entry) => entry.stage === 'ValidateSubmission' && entry.payload.proposalId === proposalId);

  it('starts the workflow (202), which takes a draft with good evidence into public review', async () => {
    const { proposalId, executionArn } = await submittedProposal(harness);

    expect(SubmitResponse.parse({ executionArn })).toEqual({ executionArn });
    expect(executionArn).toContain(`${proposalId}-v1`);
    await harness.inReview(proposalId);
    const audit = (await harness.deps.store.auditTrail(proposalId)).find((entry) => entry.action === 'SUBMITTED');
    expect(audit).toMatchObject({ actor: { type: 'user', id: operator.sub }, version: 1 });
  });

  it('refuses a second submit of the same version (409 ALREADY_SUBMITTED) and starts no second run', async () => {
    const { proposalId } = await submittedProposal(harness);
    await harness.inReview(proposalId);

    const again = await submit(proposalId);

    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_SUBMITTED');
    expect(executionsOf(proposalId)).toHaveLength(1);
  });

  it('lets one of two simultaneous submits through and answers the other ALREADY_SUBMITTED', async () => {
    const { proposalId } = await createDraft(harness);

    const responses = await Promise.all([submit(proposalId), submit(proposalId)]);

    expect(responses.map((response) => response.status).sort()).toEqual([202, 409]);
    expect(responses.find((response) => response.status === 409)!.body.error.code).toBe('ALREADY_SUBMITTED');
    const audit = await harness.deps.store.auditTrail(proposalId);
    expect(audit.filter((entry) => entry.action === 'SUBMITTED')).toHaveLength(1);
  });

  it('answers 404 PROPOSAL_NOT_FOUND for an unknown proposal', async () => {
    const response = await submit('01J00000000000000000000000');

    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('PROPOSAL_NOT_FOUND');
  });

  it("refuses another village's operator and approvers, and leaves the draft as it was", async () => {
    const { proposalId } = await createDraft(harness);

    const foreign = await submit(proposalId, callers.operator('81.71.01.1007'));
    const approver = await submit(proposalId, callers.approver('village', '81.71.01.1006'));

    expect([foreign.status, foreign.body.error.code]).toEqual([403, 'FORBIDDEN_REGION']);
    expect([approver.status, approver.body.error.code]).toEqual([403, 'FORBIDDEN_ROLE']);
    expect(await harness.deps.store.getProposal(proposalId)).toMatchObject({ status: 'DRAFT', stage: 'DRAFT' });
    expect(executionsOf(proposalId)).toEqual([]);
  });
});
