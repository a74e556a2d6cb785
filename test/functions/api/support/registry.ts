/** Registered households and objections against them, for the public registry routes' tests. */
import { expect } from 'vitest';
import type { ProposalInput } from '../../../../domain/proposal.ts';
import { callers, type ApiHarness } from '../../../support/api-harness.ts';
import { householdProposal } from '../../../support/proposals.ts';

/**
 * A household on the register, written through the store's own `register` (the workflow that normally gets it
 * there is exercised end to end in registry-objection-to-removal.test.ts).
 */
export async function registeredHousehold(api: ApiHarness, input: ProposalInput = householdProposal()) {
  const draft = await api.draft(input, false);
  await api.deps.store.register(
    draft.id,
    {
      expect: { version: 1, status: ['DRAFT'] },
      status: 'REGISTERED',
      stage: 'FINALIZED',
      audit: { actor: { type: 'system', id: 'test-setup' }, action: 'REGISTERED' },
    },
    api.deps.now().toISOString(),
  );
  return (await api.deps.store.getProposal(draft.id))!;
}

export const objectionBody = (category = 'DECEASED') => ({
  category,
  statement: 'Bapak kepala keluarga sudah meninggal bulan lalu.',
  reporterName: 'Ibu Tetangga RT 003',
  reporterContact: '081299887766',
});

/** POST /public/registry/{proposalId}/objections; fails the test unless a receipt comes back. */
export async function object(api: ApiHarness, proposalId: string, body: unknown = objectionBody(), sourceIp?: string) {
  const response = await api.call('objectToRegistered', { params: { proposalId }, body, ...(sourceIp ? { sourceIp } : {}) });
  expect(response.status, response.text).toBe(201);
  return response.body.receipt as string;
}

/** The village submits a draft case (written through the store: the submit route's checks are not under test). */
export async function submitCase(api: ApiHarness, caseId: string) {
  await api.deps.store.changeProposal(caseId, {
    expect: { version: 1, status: ['DRAFT'] },
    status: 'SUBMITTED',
    stage: 'VALIDATION',
    audit: { actor: { type: 'user', id: callers.operator().sub }, action: 'SUBMITTED' },
  });
}

/** The case an objection opened against a target (the claim the target carries). */
export async function caseOf(api: ApiHarness, targetId: string) {
  const target = await api.deps.store.getProposal(targetId);
  expect(target?.openCase, 'the target is claimed by a case').toBeDefined();
  return (await api.deps.store.getProposal(target!.openCase!))!;
}
