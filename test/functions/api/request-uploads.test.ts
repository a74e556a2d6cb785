import { randomBytes } from 'node:crypto';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3UploadSigner } from '../../../functions/adapters/s3-upload-signer.ts';
import { RequestUploadsResponse } from '../../../functions/api/schemas.ts';
import { callers, postToSlot, type ApiHarness } from '../../support/api-harness.ts';
import { makeJpeg, makePdf } from '../../support/evidence-fixtures.ts';
import { householdProposal } from '../../support/proposals.ts';
import { createDraft, goodEvidenceFor, proposalApiHarness, type Slot } from './support/proposal-flow.ts';

/** A small limit for the front photo, so an oversize upload is quick to send; good photos are ~10 KB. */
const FRONT_MAX_BYTES = 64 * 1024;

describe('POST /proposals/{id}/uploads (requestUploads)', () => {
  let harness: ApiHarness;
  beforeAll(async () => {
    harness = await proposalApiHarness({ documents: { 'house-front': { maxBytes: FRONT_MAX_BYTES } } });
  });
  afterAll(async () => harness?.close());

  const operator = callers.operator();
  const requestUploads = (id: string, body?: unknown, caller = operator) =>
    harness.call('requestUploads', { caller, params: { id }, ...(body === undefined ? {} : { body }) });

  /** A fresh draft with no documents and one front-photo slot for it. */
  async function frontSlot() {
    const { proposalId } = await createDraft(harness);
    const response = await requestUploads(proposalId, { documents: [{ kind: 'house-front' }] });
    expect(response.status, response.text).toBe(200);
    return { proposalId, slot: response.body.uploads[0] as Slot };
  }

  /** The store kept nothing: not under the slot's key, not anywhere under the proposal. */
  async function expectNothingStored(proposalId: string, key: string) {
    const head = await harness.clients.s3.send(new HeadObjectCommand({ Bucket: harness.bucket, Key: key })).catch((error: Error) => error);
    expect(head).toMatchObject({ name: 'NotFound' });
    expect(await harness.deps.evidence.listDocuments(proposalId)).toEqual([]);
  }

  it("hands out one slot per required document by default, and the slots accept the village's files", async () => {
    const { proposalId } = await createDraft(harness);

    const response = await requestUploads(proposalId);

    expect(response.status).toBe(200);
    const { uploads } = RequestUploadsResponse.parse(response.body);
    expect(uploads.map((slot) => slot.kind)).toEqual(['house-front', 'house-interior', 'id-scan', 'berita-acara']);
    expect(uploads[0]).toMatchObject({ maxBytes: FRONT_MAX_BYTES, contentTypes: ['image/jpeg'] });
    for (const slot of uploads) {
      const upload = await postToSlot(slot, goodEvidenceFor(slot));
      expect(upload.status).toBe(204);
    }
    const stored = await harness.deps.evidence.listDocuments(proposalId);
    expect(stored.map((document) => document.key).sort()).toEqual(uploads.map((slot) => slot.fields.key).sort());
  });

  it('hands out the documents asked for, in another accepted type, and refuses a type the document does not take', async () => {
    const { proposalId } = await createDraft(harness);

    const asked = await requestUploads(proposalId, {
      documents: [{ kind: 'id-scan', contentType: 'application/pdf' }, { kind: 'house-interior' }, { kind: 'house-interior' }],
    });
    const refused = await requestUploads(proposalId, { documents: [{ kind: 'berita-acara', contentType: 'image/jpeg' }] });

    expect(asked.status).toBe(200);
    expect(asked.body.uploads.map((slot: Slot) => [slot.kind, slot.fields['Content-Type']])).toEqual([
      ['id-scan', 'application/pdf'],
      ['house-interior', 'image/jpeg'],
      ['house-interior', 'image/jpeg'],
    ]);
    expect(new Set(asked.body.uploads.map((slot: Slot) => slot.fields.key)).size).toBe(3);
    expect((await postToSlot(asked.body.uploads[0], makePdf())).status).toBe(204);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('CONTENT_TYPE_NOT_ALLOWED');
  });

  it('still hands out slots for a returned proposal, to be revised', async () => {
    const { proposalId } = await createDraft(harness);
    await harness.deps.store.changeProposal(proposalId, {
      expect: { version: 1, status: ['DRAFT'] },
      status: 'RETURNED',
      stage: 'FINALIZED',
      audit: { actor: { type: 'system', id: 'test-setup' }, action: 'TEST_SETUP' },
    });

    const response = await requestUploads(proposalId, { documents: [{ kind: 'house-front' }] });

    expect(response.status).toBe(200);
    expect(response.body.uploads).toHaveLength(1);
  });

  it('refuses once the proposal is submitted (409 NOT_A_DRAFT)', async () => {
    const { proposalId } = await createDraft(harness);
    expect((await harness.call('submitProposal', { caller: operator, params: { id: proposalId } })).status).toBe(202);

    const response = await requestUploads(proposalId);

    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('NOT_A_DRAFT');
  });

  it("refuses another village's operator, approvers, and an unknown proposal", async () => {
    const { proposalId } = await createDraft(harness);

    const foreign = await requestUploads(proposalId, undefined, callers.operator('81.71.01.1007'));
    const approver = await requestUploads(proposalId, undefined, callers.approver('village', '81.71.01.1006'));
    const unknown = await requestUploads('01J00000000000000000000000');

    expect([foreign.status, foreign.body.error.code]).toEqual([403, 'FORBIDDEN_REGION']);
    expect([approver.status, approver.body.error.code]).toEqual([403, 'FORBIDDEN_ROLE']);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'PROPOSAL_NOT_FOUND']);
  });

  describe('the S3 store refuses an upload that breaks the slot', () => {
    const photo = () => goodEvidenceFor({ kind: 'house-front', contentTypes: ['image/jpeg'] });

    it('of another Content-Type', async () => {
      const { proposalId, slot } = await frontSlot();

      const response = await postToSlot(slot, makePdf(), { fields: { 'Content-Type': 'application/pdf' } });

      expect(response.status).toBe(403);
      expect(await response.text()).toContain('Content-Type');
      await expectNothingStored(proposalId, slot.fields.key!);
    });

    it('larger than the document allows', async () => {
      const { proposalId, slot } = await frontSlot();

      const response = await postToSlot(slot, new Uint8Array(randomBytes(FRONT_MAX_BYTES + 1)));

      expect(response.status).toBe(400);
      expect(await response.text()).toContain('EntityTooLarge');
      await expectNothingStored(proposalId, slot.fields.key!);
    });

    it('after the policy expired', async () => {
      const { proposalId } = await createDraft(harness);
      const key = `proposals/${proposalId}/house-front/expired.jpg`;
      const signer = new S3UploadSigner(harness.clients.s3, harness.bucket);
      const slot = await signer.presignUpload({ key, contentType: 'image/jpeg', maxBytes: FRONT_MAX_BYTES, expiresInSeconds: 1 });
      // The slot states the expiry the policy carries; wait until it has certainly passed.
      await new Promise((resolve) => setTimeout(resolve, Date.parse(slot.expiresAt) - Date.now() + 1500));

      const response = await postToSlot(slot, photo());

      expect(response.status).toBe(403);
      expect(await response.text()).toContain('Policy expired');
      await expectNothingStored(proposalId, key);
    });

    it('with a tampered signature', async () => {
      const { proposalId, slot } = await frontSlot();
      const signature = slot.fields['X-Amz-Signature']!;
      const tampered = (signature[0] === '0' ? '1' : '0') + signature.slice(1);

      const response = await postToSlot(slot, photo(), { fields: { 'X-Amz-Signature': tampered } });

      expect(response.status).toBe(403);
      expect(await response.text()).toContain('SignatureDoesNotMatch');
      await expectNothingStored(proposalId, slot.fields.key!);
    });

    it("to a key outside the proposal's prefix", async () => {
      const { proposalId, slot } = await frontSlot();
      const other = await createDraft(harness);
      const key = `proposals/${other.proposalId}/house-front/planted.jpg`;

      const response = await postToSlot(slot, photo(), { fields: { key } });

      expect(response.status).toBe(403);
      expect(await response.text()).toContain('Policy Condition failed');
      await expectNothingStored(proposalId, slot.fields.key!);
      await expectNothingStored(other.proposalId, key);
    });

    it('while the same slot still takes a file that keeps to it', async () => {
      const { proposalId, slot } = await frontSlot();

      expect((await postToSlot(slot, makeJpeg({ seed: 7 }))).status).toBe(204);
      expect(await harness.deps.evidence.listDocuments(proposalId)).toEqual([
        { key: slot.fields.key, kind: 'house-front', size: expect.any(Number) },
      ]);
    });
  });
});
