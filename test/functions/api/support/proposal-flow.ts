/**
 * The village operator's path through the API, on the real engines: create a draft, upload its evidence
 * through the presigned POST slots the API handed out, submit, and wait for the workflow.
 */
import { expect } from 'vitest';
import type { Caller } from '../../../../domain/access.ts';
import type { ProposalInput } from '../../../../domain/proposal.ts';
import type { ProvinceConfigOverrides } from '../../../../domain/province-config.ts';
import { apiHarness, callers, postToSlot, type ApiHarness } from '../../../support/api-harness.ts';
import { houseLocation, makeJpeg, makePdf, type LatLon } from '../../../support/evidence-fixtures.ts';
import { householdProposal } from '../../../support/proposals.ts';
import { unhurried } from '../../../support/workflow-harness.ts';

/** The unhurried settings of the workflow harness, through the API. */
export function proposalApiHarness(configOverrides: ProvinceConfigOverrides = {}) {
  return apiHarness(unhurried(configOverrides));
}

export type Slot = { kind: string; url: string; fields: Record<string, string>; expiresAt: string; maxBytes: number; contentTypes: string[] };

/** POST /proposals as the village's operator; fails the test unless it is created. */
export async function createDraft(
  harness: ApiHarness,
  input: ProposalInput = householdProposal(),
  options: { caller?: Caller; headers?: Record<string, string> } = {},
) {
  const response = await harness.call('createProposal', {
    caller: options.caller ?? callers.operator(input.villageCode),
    body: input,
    ...(options.headers ? { headers: options.headers } : {}),
  });
  expect(response.status, response.text).toBe(201);
  return { input, proposalId: response.body.proposalId as string, uploads: response.body.uploads as Slot[] };
}

// Photos must differ between households, or the evidence check calls them reused.
let seed = Math.floor(Math.random() * 1_000_000);

/** Fresh photos taken at the house (distinct pictures) and a PDF, in the content type each slot pins. */
export function goodEvidenceFor(slot: Pick<Slot, 'kind' | 'contentTypes'>, now = new Date(), location: LatLon = houseLocation) {
  const takenAt = new Date(now.getTime() - 3 * 86_400_000);
  if (slot.contentTypes[0] === 'application/pdf') return makePdf();
  seed += 1;
  return slot.kind === 'id-scan' ? makeJpeg({ seed, takenAt }) : makeJpeg({ seed, takenAt, gps: location });
}

/** Uploads a good file through every slot, as a browser would; returns the bytes by object key. */
export async function uploadThrough(slots: readonly Slot[], file: (slot: Slot) => Uint8Array = (slot) => goodEvidenceFor(slot)) {
  const uploaded = new Map<string, Uint8Array>();
  for (const slot of slots) {
    const bytes = file(slot);
    const response = await postToSlot(slot, bytes);
    expect(response.status, await response.text()).toBe(204);
    uploaded.set(slot.fields.key!, bytes);
  }
  return uploaded;
}

/** Created, evidence uploaded and submitted through the API; the workflow is running. */
export async function submittedProposal(harness: ApiHarness, input: ProposalInput = householdProposal()) {
  const draft = await createDraft(harness, input);
  const uploaded = await uploadThrough(draft.uploads);
  const response = await harness.call('submitProposal', { caller: callers.operator(input.villageCode), params: { id: draft.proposalId } });
  expect(response.status, response.text).toBe(202);
  return { ...draft, uploaded, executionArn: response.body.executionArn as string };
}

/** A proposal the village approver sent back, its workflow finished. */
export async function returnedProposal(harness: ApiHarness, input: ProposalInput = householdProposal()) {
  const submitted = await submittedProposal(harness, input);
  const taskId = await harness.pendingTask(submitted.proposalId, 'village');
  await harness.decide(taskId, 'return', 'Foto rumah kurang jelas, mohon dilengkapi.');
  await harness.finished(submitted.executionArn);
  expect(await harness.deps.store.getProposal(submitted.proposalId)).toMatchObject({ status: 'RETURNED', version: 1 });
  return submitted;
}
