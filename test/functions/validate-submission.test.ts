import { beforeAll, describe, expect, it } from 'vitest';
import { validateSubmission } from '../../functions/validate-submission.ts';
import type { StageDeps } from '../../functions/shared/runtime.ts';
import { householdProposal, nikFor } from '../support/proposals.ts';
import { stageDeps } from '../support/stage-deps.ts';
import { inputOf, proposalAt } from './support/stage-fixtures.ts';

describe('validateSubmission', () => {
  let deps: StageDeps;
  beforeAll(async () => {
    ({ deps } = await stageDeps());
  });

  it('moves a valid proposal on to the duplicate check and audits it', async () => {
    const proposal = await proposalAt(deps, 'VALIDATION');

    await expect(validateSubmission(inputOf(proposal), deps)).resolves.toEqual({ validated: true });

    const stored = await deps.store.getProposal(proposal.id);
    expect(stored).toMatchObject({ status: 'SUBMITTED', stage: 'DUPLICATE_CHECK', reasons: [], flags: [] });
    const last = (await deps.store.auditTrail(proposal.id)).at(-1);
    expect(last).toMatchObject({
      action: 'VALIDATION_PASSED',
      actor: { type: 'system', id: 'validate-submission' },
      from: { status: 'SUBMITTED', stage: 'VALIDATION' },
      to: { status: 'SUBMITTED', stage: 'DUPLICATE_CHECK' },
      detail: { flags: [] },
    });
  });

  it('keeps an invalid proposal at validation with every reason stored, and throws Verval.Returned naming codes only', async () => {
    const input = householdProposal({
      provinceCode: '82',
      regencyCode: '82.71',
      districtCode: '82.71.01',
      villageCode: '82.71.01.1001', // Ternate, Maluku Utara: not this stack's province
    });
    input.members[1]!.sex = 'L'; // her NIK encodes a woman (day + 40)
    input.household.kk = `819999${input.household.kk.slice(6)}`; // district 81.99.99 does not exist
    const proposal = await proposalAt(deps, 'VALIDATION', 'SUBMITTED', input);

    const error = await validateSubmission(inputOf(proposal), deps).then(
      () => undefined,
      (thrown: Error) => thrown,
    );

    expect(error?.name).toBe('Verval.Returned');
    expect(error?.message).toBe('Returned to the village: VILLAGE_OUTSIDE_PROVINCE, KK_DISTRICT_UNKNOWN, NIK_SEX_MISMATCH');
    for (const number of [input.household.kk, ...input.members.map((member) => member.nik)]) {
      expect(error?.message).not.toContain(number);
    }
    expect(error?.message).not.toMatch(/\d{6,}/);

    const stored = await deps.store.getProposal(proposal.id);
    expect(stored).toMatchObject({ status: 'SUBMITTED', stage: 'VALIDATION' });
    expect(stored!.reasons.map(({ path, code }) => ({ path, code }))).toEqual([
      { path: 'villageCode', code: 'VILLAGE_OUTSIDE_PROVINCE' },
      { path: 'household.kk', code: 'KK_DISTRICT_UNKNOWN' },
      { path: 'members.1.nik', code: 'NIK_SEX_MISMATCH' },
    ]);
    for (const reason of stored!.reasons) {
      expect(reason.message.id.length).toBeGreaterThan(10);
      expect(reason.message.en.length).toBeGreaterThan(10);
      expect(reason.message.id).not.toBe(reason.message.en);
    }
    expect(stored!.reasons[0]!.message.en).toContain('MALUKU');
    const last = (await deps.store.auditTrail(proposal.id)).at(-1);
    expect(last).toMatchObject({
      action: 'VALIDATION_FAILED',
      detail: { codes: ['VILLAGE_OUTSIDE_PROVINCE', 'KK_DISTRICT_UNKNOWN', 'NIK_SEX_MISMATCH'] },
    });
  });

  it('does nothing when run again after the proposal passed', async () => {
    const proposal = await proposalAt(deps, 'VALIDATION');
    await validateSubmission(inputOf(proposal), deps);
    const before = await deps.store.getProposal(proposal.id);
    const auditBefore = await deps.store.auditTrail(proposal.id);

    await expect(validateSubmission(inputOf(proposal), deps)).resolves.toEqual({ validated: true });

    expect(await deps.store.getProposal(proposal.id)).toEqual(before);
    expect(await deps.store.auditTrail(proposal.id)).toHaveLength(auditBefore.length);
  });

  it("accepts a NIK issued under Merauke's pre-2022 code and flags it as re-coded", async () => {
    const input = householdProposal();
    input.members[0]!.nik = nikFor('91.01.01', input.members[0]!.birthDate, 'L', 4321);
    const proposal = await proposalAt(deps, 'VALIDATION', 'SUBMITTED', input);

    await validateSubmission(inputOf(proposal), deps);

    const stored = await deps.store.getProposal(proposal.id);
    expect(stored?.stage).toBe('DUPLICATE_CHECK');
    expect(stored?.flags).toEqual([
      { code: 'NIK_DISTRICT_RECODED', path: 'members.0.nik', detail: { currentDistrictCode: '93.01.01' } },
    ]);
    expect((await deps.store.auditTrail(proposal.id)).at(-1)?.detail).toEqual({ flags: ['NIK_DISTRICT_RECODED'] });
  });

  it('refuses to run for a version the proposal is no longer at', async () => {
    const proposal = await proposalAt(deps, 'VALIDATION');
    await expect(validateSubmission({ proposalId: proposal.id, version: 2 }, deps)).rejects.toMatchObject({
      name: 'Verval.ProposalMissing',
    });
    expect((await deps.store.getProposal(proposal.id))?.stage).toBe('VALIDATION');
  });
});
