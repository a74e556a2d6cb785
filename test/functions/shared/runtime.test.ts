import { beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { DecisionRequest, requestDecision } from '../../../functions/request-decision.ts';
import { daysFromNow, runStage, StageInput, type StageDeps } from '../../../functions/shared/runtime.ts';
import { TransientFailure } from '../../../functions/shared/stage-errors.ts';
import { validateSubmission } from '../../../functions/validate-submission.ts';
import { householdProposal } from '../../support/proposals.ts';
import { stageDeps } from '../../support/stage-deps.ts';
import { inputOf, proposalAt, serviceError, storeWithFault } from '../support/stage-fixtures.ts';

describe('runStage', () => {
  let deps: StageDeps;
  beforeAll(async () => {
    ({ deps } = await stageDeps());
  });

  const run = (event: unknown, stageDeps: StageDeps) => runStage('validate-submission', StageInput, validateSubmission, event, stageDeps);

  it('turns a throttled store call into Verval.Transient, and the retry then passes', async () => {
    const proposal = await proposalAt(deps, 'VALIDATION');
    const { store, counts } = storeWithFault(deps.store, 'changeProposal', serviceError('ThrottlingException', 'Rate of requests exceeds the allowed throughput'));
    const faulty = { ...deps, store };

    const error = await run(inputOf(proposal), faulty).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(TransientFailure);
    expect(error).toMatchObject({ name: 'Verval.Transient', message: 'ThrottlingException: Rate of requests exceeds the allowed throughput' });
    expect(counts.changeProposal).toBe(1);
    expect((await deps.store.getProposal(proposal.id))?.stage).toBe('VALIDATION');
    await expect(run(inputOf(proposal), faulty)).resolves.toEqual({ validated: true });
    expect((await deps.store.getProposal(proposal.id))?.stage).toBe('DUPLICATE_CHECK');
  });

  it('lets a programming error surface unchanged', async () => {
    const proposal = await proposalAt(deps, 'VALIDATION');
    const bug = new TypeError("Cannot read properties of undefined (reading 'household')");
    const { store } = storeWithFault(deps.store, 'getProposal', bug);

    await expect(run(inputOf(proposal), { ...deps, store })).rejects.toBe(bug);
  });

  it('lets a return to the village surface unchanged, as the business outcome it is', async () => {
    const input = householdProposal();
    input.members[1]!.sex = 'L';
    const proposal = await proposalAt(deps, 'VALIDATION', 'SUBMITTED', input);

    await expect(run(inputOf(proposal), deps)).rejects.toMatchObject({ name: 'Verval.Returned' });
  });

  it('fails invalid input with a zod error before touching the store', async () => {
    const { store, counts } = storeWithFault(deps.store, 'getProposal');

    await expect(run({ version: 1 }, { ...deps, store })).rejects.toBeInstanceOf(ZodError);
    await expect(run({ proposalId: '01JZZZZZZZZZZZZZZZZZZZZZZZ', version: 0 }, { ...deps, store })).rejects.toBeInstanceOf(ZodError);
    await expect(
      runStage('request-decision', DecisionRequest, requestDecision, { proposalId: 'x', version: 1, kind: 'approval', tier: 'village' }, { ...deps, store }),
    ).rejects.toBeInstanceOf(ZodError);

    expect(counts).toEqual({});
  });
});

describe('daysFromNow', () => {
  it('adds whole days, shortened by the time scale', () => {
    const now = () => new Date('2025-01-31T00:00:00.000Z');
    expect(daysFromNow({ now, timeScale: 1 }, 10)).toBe('2025-02-10T00:00:00.000Z');
    expect(daysFromNow({ now, timeScale: 1 / 86_400 }, 10)).toBe('2025-01-31T00:00:10.000Z');
  });
});
