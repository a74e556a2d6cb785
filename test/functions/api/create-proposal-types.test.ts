import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskNik } from '../../../domain/masking.ts';
import type { ProposalInput } from '../../../domain/proposal.ts';
import { ProposalViewSchema } from '../../../functions/api/schemas.ts';
import { callers, type ApiHarness } from '../../support/api-harness.ts';
import { draftOf, householdProposal, nikFor } from '../../support/proposals.ts';
import { proposalApiHarness } from './support/proposal-flow.ts';

/** POST /proposals with `type` REMOVE or UPDATE, and what GET /proposals/{id} then shows of it. */
describe('POST /proposals for REMOVE and UPDATE', () => {
  let harness: ApiHarness;
  beforeAll(async () => {
    harness = await proposalApiHarness();
  });
  afterAll(async () => harness?.close());

  const operator = callers.operator();
  const setup = { type: 'system' as const, id: 'test-setup' };

  /** A registered household, as finalize leaves it. */
  async function registered(input: ProposalInput = householdProposal()) {
    const proposal = { ...draftOf(input), status: 'SUBMITTED' as const, stage: 'APPROVAL' as const };
    await harness.deps.store.createProposal(proposal, { actor: setup, action: 'CREATED' });
    await harness.deps.store.register(
      proposal.id,
      { expect: { version: 1, status: ['SUBMITTED'] }, status: 'REGISTERED', stage: 'FINALIZED', audit: { actor: setup, action: 'REGISTERED' } },
      harness.deps.now().toISOString(),
    );
    return { id: proposal.id, input };
  }

  const regionOf = ({ provinceCode, regencyCode, districtCode, villageCode }: ProposalInput) => ({ provinceCode, regencyCode, districtCode, villageCode });
  const create = (body: unknown) => harness.call('createProposal', { caller: operator, body, headers: { 'accept-language': 'en' } });
  const details = (response: { body: any }) => response.body.error.details.map((detail: { path: string; code: string }) => `${detail.path} ${detail.code}`);

  it('drafts a REMOVE as a copy of the registered record, with one slot for each document a death may rest on', async () => {
    const target = await registered();
    const mother = target.input.members[1]!;
    const response = await create({
      type: 'REMOVE',
      ...regionOf(target.input),
      target: { proposalId: target.id },
      removal: { reason: 'DECEASED', members: [mother.nik], statement: 'Meninggal dunia pada bulan lalu.' },
    });

    expect(response.status, response.text).toBe(201);
    expect(response.body.uploads.map((slot: { kind: string }) => slot.kind)).toEqual(['death-certificate', 'village-letter']);
    const stored = await harness.deps.store.getProposal(response.body.proposalId);
    expect(stored).toMatchObject({
      type: 'REMOVE',
      status: 'DRAFT',
      target: { proposalId: target.id },
      household: target.input.household,
      members: target.input.members,
      programs: target.input.programs,
    });

    const view = await harness.call('getProposal', { caller: operator, params: { id: response.body.proposalId } });
    expect(ProposalViewSchema.parse(view.body)).toMatchObject({
      type: 'REMOVE',
      target: { proposalId: target.id },
      removal: { reason: 'DECEASED', membersMasked: [maskNik(mother.nik)], statement: 'Meninggal dunia pada bulan lalu.' },
    });
    expect(view.text).not.toContain(mother.nik);
  });

  it('drafts an UPDATE and shows every approver the old values beside the new, masked', async () => {
    const target = await registered();
    const child = target.input.members[2]!;
    const fixedNik = nikFor('81.71.01', child.birthDate, 'L', 9998);
    const response = await create({
      type: 'UPDATE',
      ...target.input,
      household: { ...target.input.household, address: 'Jl. Pattimura No. 14' },
      members: [target.input.members[0], target.input.members[1], { ...child, nik: fixedNik }],
      target: { proposalId: target.id },
      correction: { statement: 'NIK anak sesuai KK baru; nomor rumah diperbaiki.' },
    });

    expect(response.status, response.text).toBe(201);
    expect(response.body.uploads.map((slot: { kind: string }) => slot.kind)).toEqual(['id-scan', 'berita-acara']);
    const approver = callers.approver('regency', '81.71');
    const view = await harness.call('getProposal', { caller: approver, params: { id: response.body.proposalId } });
    expect(view.status).toBe(200);
    expect(ProposalViewSchema.parse(view.body).changes).toEqual([
      { path: 'household.address', old: 'Jl. Pattimura No. 12', new: 'Jl. Pattimura No. 14' },
      { path: 'members.2.nik', old: maskNik(child.nik), new: maskNik(fixedNik) },
    ]);
    expect(view.text).not.toContain(fixedNik);
    expect(view.text).not.toContain(child.nik);
  });

  it('answers 422 with a pointer for each rule the change breaks, and stores nothing', async () => {
    const target = await registered();
    const draft = draftOf(householdProposal());
    await harness.deps.store.createProposal(draft, { actor: setup, action: 'CREATED' });
    const remove = (removal: Record<string, unknown>, proposalId = target.id) =>
      create({ type: 'REMOVE', ...regionOf(target.input), target: { proposalId }, removal: { statement: 'Alasan penghapusan.', ...removal } });

    const cases = {
      unknownTarget: await remove({ reason: 'MOVED' }, '01JABCDEFGHJKMNPQRSTVWXYZ0'),
      notRegistered: await remove({ reason: 'MOVED' }, draft.id),
      strangerMember: await remove({ reason: 'DECEASED', members: [target.input.members[0]!.nik, '8171015705800001'] }),
      duplicateWithoutOriginal: await remove({ reason: 'DUPLICATE_RECORD' }),
      unchangedCorrection: await create({ type: 'UPDATE', ...target.input, target: { proposalId: target.id }, correction: { statement: 'Tidak ada perubahan.' } }),
    };
    expect(Object.fromEntries(Object.entries(cases).map(([name, response]) => [name, [response.status, ...details(response)]]))).toEqual({
      unknownTarget: [422, 'target.proposalId TARGET_NOT_FOUND'],
      notRegistered: [422, 'target.proposalId TARGET_NOT_REGISTERED'],
      strangerMember: [422, 'removal.members.1 REMOVAL_MEMBER_UNKNOWN'],
      duplicateWithoutOriginal: [422, 'removal.duplicateOf REQUIRED'],
      unchangedCorrection: [422, ' CORRECTION_UNCHANGED'],
    });
    expect(cases.strangerMember.body.error.details[0].message).toBe('Household members #2 is not a registered member of this household.');
    const stored = (await harness.deps.store.listProposals({ region: target.input.villageCode, limit: 100 })).items;
    expect(stored.filter((proposal) => proposal.target?.proposalId === target.id)).toEqual([]);
  });

  it('refuses an unknown type and a REMOVE without its removal with 400, field by field', async () => {
    const target = await registered();
    const unknown = await create({ type: 'MERGE', ...target.input });
    expect([unknown.status, ...details(unknown)]).toEqual([400, 'type INVALID_VALUE']);
    const incomplete = await create({ type: 'REMOVE', ...regionOf(target.input), target: { proposalId: target.id } });
    expect([incomplete.status, ...details(incomplete)]).toEqual([400, 'removal REQUIRED']);
  });
});
