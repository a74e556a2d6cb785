import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskNik } from '../../../domain/masking.ts';
import { proposalInputOf } from '../../../domain/proposal.ts';
import { CreateProposalResponse, ProposalViewSchema } from '../../../functions/api/schemas.ts';
import { callers, type ApiHarness, type ApiResponse } from '../../support/api-harness.ts';
import { nikFor } from '../../support/proposals.ts';
import { createDraft, proposalApiHarness, type Slot } from './support/proposal-flow.ts';
import { caseOf, object, objectionBody, registeredHousehold } from './support/registry.ts';

/**
 * PUT /proposals/{id} on a DRAFT: edited in place, same version, with the body of its type. This is how the village
 * completes the case a citizen's objection opened before submitting it.
 */
describe('PUT /proposals/{id} on a DRAFT (edited in place)', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await proposalApiHarness();
  });
  afterAll(() => api?.close());

  const operator = callers.operator();
  const setup = { type: 'system' as const, id: 'test-setup' };
  const edit = (id: string, body: Record<string, unknown>, version = 1) =>
    api.call('reviseProposal', { caller: operator, params: { id }, body: { ...body, version }, headers: { 'accept-language': 'en' } });
  const kinds = (response: ApiResponse) => response.body.uploads.map((slot: Slot) => slot.kind);
  const details = (response: ApiResponse) =>
    response.body.error.details.map((detail: { path: string; code: string }) => `${detail.path} ${detail.code}`);
  const lastAudit = async (id: string) => (await api.deps.store.auditTrail(id)).at(-1);

  /** The DRAFT case a citizen's objection of `category` opened against a freshly registered household. */
  async function objectionCase(category: string) {
    const target = await registeredHousehold(api);
    const receipt = await object(api, target.id, objectionBody(category));
    return { target, receipt, draft: await caseOf(api, target.id) };
  }

  const recordOf = ({ household, members, programs, criteria }: Awaited<ReturnType<typeof registeredHousehold>>) => ({
    household,
    members,
    programs,
    criteria,
  });

  it('edits an ADD draft in place: same version, audited with what changed, fresh slots', async () => {
    const draft = await createDraft(api);
    const moved = { ...draft.input, household: { ...draft.input.household, address: 'Jl. Pattimura No. 14' } };

    const response = await edit(draft.proposalId, moved);

    expect(response.status, response.text).toBe(200);
    expect(CreateProposalResponse.parse(response.body)).toMatchObject({ proposalId: draft.proposalId, version: 1, status: 'DRAFT' });
    expect(kinds(response)).toEqual(['house-front', 'house-interior', 'id-scan', 'berita-acara']);
    const stored = await api.deps.store.getProposal(draft.proposalId);
    expect(stored).toMatchObject({ type: 'ADD', version: 1, status: 'DRAFT', stage: 'DRAFT' });
    expect(stored!.household.address).toBe('Jl. Pattimura No. 14');
    expect(await lastAudit(draft.proposalId)).toMatchObject({
      action: 'DRAFT_EDITED',
      version: 1,
      actor: { type: 'user', id: operator.sub },
      detail: { changed: ['household'] },
    });
  });

  it('refuses an edit based on an older read of the draft (updatedAt) with 409, keeping the first edit', async () => {
    const draft = await createDraft(api);
    const seen = (await api.deps.store.getProposal(draft.proposalId))!.updatedAt;
    const first = { ...draft.input, household: { ...draft.input.household, address: 'Jl. Pattimura No. 14' } };
    const second = { ...draft.input, household: { ...draft.input.household, address: 'Jl. Sam Ratulangi No. 2' } };

    expect((await edit(draft.proposalId, { ...first, updatedAt: seen })).status).toBe(200);
    const stale = await edit(draft.proposalId, { ...second, updatedAt: seen });

    expect([stale.status, stale.body.error.code]).toEqual([409, 'VERSION_CONFLICT']);
    expect((await api.deps.store.getProposal(draft.proposalId))!.household.address).toBe('Jl. Pattimura No. 14');
  });

  it("completes an objection's UPDATE case with the corrected NIK; target, origin and the registered values stay", async () => {
    const { target, receipt, draft } = await objectionCase('WRONG_NIK');
    const child = target.members[2]!;
    const fixedNik = nikFor('81.71.01', child.birthDate, 'L', 9997);
    const members = [target.members[0], target.members[1], { ...child, nik: fixedNik }];
    const statement = 'NIK anak disesuaikan dengan KK terbaru dari Dukcapil.';

    const response = await edit(draft.id, { type: 'UPDATE', ...recordOf(target), members, correction: { statement } });

    expect(response.status, response.text).toBe(200);
    expect(kinds(response)).toEqual(['id-scan', 'berita-acara']);
    const stored = await api.deps.store.getProposal(draft.id);
    expect(stored).toMatchObject({
      type: 'UPDATE',
      version: 1,
      status: 'DRAFT',
      target: { proposalId: target.id },
      origin: { kind: 'OBJECTION', receipt, category: 'WRONG_NIK' },
      correction: { statement },
      previous: recordOf(target),
      submittedBy: operator.sub,
    });
    expect(stored!.members[2]!.nik).toBe(fixedNik);
    expect((await api.deps.store.getProposal(target.id))?.openCase).toBe(draft.id);
    expect(await lastAudit(draft.id)).toMatchObject({ action: 'DRAFT_EDITED', detail: { changed: ['members', 'correction'] } });
    const view = await api.call('getProposal', { caller: operator, params: { id: draft.id } });
    expect(ProposalViewSchema.parse(view.body).changes).toEqual([{ path: 'members.2.nik', old: maskNik(child.nik), new: maskNik(fixedNik) }]);
  });

  it('completes a DUPLICATE case with its original, and narrows a DECEASED case to the member who died', async () => {
    const duplicate = await objectionCase('DUPLICATE');
    const original = await registeredHousehold(api);
    const named = await edit(duplicate.draft.id, {
      type: 'REMOVE',
      removal: { reason: 'DUPLICATE_RECORD', duplicateOf: original.id, statement: 'Keluarga yang sama tercatat dua kali.' },
    });
    expect(named.status, named.text).toBe(200);
    expect(kinds(named)).toEqual(['berita-acara']);
    expect(await api.deps.store.getProposal(duplicate.draft.id)).toMatchObject({
      type: 'REMOVE',
      version: 1,
      status: 'DRAFT',
      target: { proposalId: duplicate.target.id },
      origin: { kind: 'OBJECTION', category: 'DUPLICATE' },
      removal: { reason: 'DUPLICATE_RECORD', duplicateOf: original.id },
      household: duplicate.target.household,
      members: duplicate.target.members,
    });

    const deceased = await objectionCase('DECEASED');
    const wife = deceased.target.members[1]!;
    const removal = { reason: 'DECEASED', members: [wife.nik], statement: 'Yang meninggal hanya istri; keluarga tetap terdaftar.' };
    const narrowed = await edit(deceased.draft.id, { type: 'REMOVE', removal });
    expect(narrowed.status, narrowed.text).toBe(200);
    expect(kinds(narrowed)).toEqual(['death-certificate', 'village-letter']);
    expect((await api.deps.store.getProposal(deceased.draft.id))!.removal).toEqual(removal);
    expect(await lastAudit(deceased.draft.id)).toMatchObject({ action: 'DRAFT_EDITED', detail: { changed: ['removal'] } });
  });

  it("refuses, field by field, an edit that breaks its type's rules or changes its type, and keeps the draft", async () => {
    const update = await objectionCase('WRONG_ADDRESS');
    const duplicate = await objectionCase('DUPLICATE');
    const removal = (extra: Record<string, unknown>) => ({
      type: 'REMOVE',
      removal: { reason: 'DUPLICATE_RECORD', statement: 'Tercatat ganda di desa ini.', ...extra },
    });

    const cases = {
      unchangedCorrection: await edit(update.draft.id, { type: 'UPDATE', ...recordOf(update.target), correction: { statement: 'Tidak ada perubahan.' } }),
      typeChanged: await edit(update.draft.id, proposalInputOf(update.target)),
      duplicateWithoutOriginal: await edit(duplicate.draft.id, removal({})),
      duplicateOfItself: await edit(duplicate.draft.id, removal({ duplicateOf: duplicate.target.id })),
      strangerMember: await edit(duplicate.draft.id, removal({ reason: 'DECEASED', members: [update.target.members[0]!.nik] })),
    };

    expect(Object.fromEntries(Object.entries(cases).map(([name, response]) => [name, [response.status, ...details(response)]]))).toEqual({
      unchangedCorrection: [422, ' CORRECTION_UNCHANGED'],
      typeChanged: [422, 'type TYPE_CHANGED'],
      duplicateWithoutOriginal: [422, 'removal.duplicateOf REQUIRED'],
      duplicateOfItself: [422, 'removal.duplicateOf DUPLICATE_OF_INVALID'],
      strangerMember: [422, 'removal.members.0 REMOVAL_MEMBER_UNKNOWN'],
    });
    expect(cases.typeChanged.body.error.details[0].message).toBe("A proposal's type cannot change; send the fields of type UPDATE.");
    expect(await api.deps.store.getProposal(update.draft.id)).toEqual(update.draft);
    expect(await api.deps.store.getProposal(duplicate.draft.id)).toEqual(duplicate.draft);
  });

  it('refuses an edit from a stale form (409 VERSION_CONFLICT)', async () => {
    const { draft } = await objectionCase('MOVED');

    const stale = await edit(draft.id, { type: 'REMOVE', removal: { reason: 'MOVED', statement: 'Pindah ke Kota Tual.' } }, 2);

    expect([stale.status, stale.body.error.code]).toEqual([409, 'VERSION_CONFLICT']);
    expect(await api.deps.store.getProposal(draft.id)).toEqual(draft);
  });

  it('revises a RETURNED UPDATE with the body of its type into version 2, record and statement replaced', async () => {
    const { target, draft } = await objectionCase('WRONG_NAME');
    await api.deps.store.changeProposal(draft.id, {
      expect: { version: 1, status: ['DRAFT'] },
      status: 'RETURNED',
      stage: 'FINALIZED',
      audit: { actor: setup, action: 'TEST_SETUP' },
    });
    const head = { ...target.members[0]!, fullName: 'Yohanes Latuconsina' };
    const statement = 'Nama kepala keluarga sesuai KTP elektronik.';

    const response = await edit(draft.id, { type: 'UPDATE', ...recordOf(target), members: [head, ...target.members.slice(1)], correction: { statement } });

    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({ proposalId: draft.id, version: 2, status: 'DRAFT' });
    const stored = await api.deps.store.getProposal(draft.id);
    expect(stored).toMatchObject({ type: 'UPDATE', version: 2, status: 'DRAFT', correction: { statement }, target: { proposalId: target.id } });
    expect(stored!.members[0]!.fullName).toBe('Yohanes Latuconsina');
    expect(await lastAudit(draft.id)).toMatchObject({ action: 'REVISED', version: 2 });
  });
});
