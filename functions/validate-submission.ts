import { validateProposal } from '../domain/validate-proposal.ts';
import { proposalInputOf } from '../domain/proposal.ts';
import { changeIssues } from './application/change-proposal.ts';
import { AppealRouted, ProposalReturned } from './shared/stage-errors.ts';
import { StageInput, stageHandler, systemActor, type StageDeps } from './shared/runtime.ts';
import { loadProposal } from './shared/proposals.ts';

const actor = systemActor('validate-submission');

/**
 * Applies the schema and the NIK, KK and village rules, and for a REMOVE or UPDATE its target's standing; a failing
 * proposal goes back with every reason.
 */
export async function validateSubmission(input: StageInput, deps: StageDeps) {
  const proposal = await loadProposal(deps, input);
  // An appeal's execution skips the checks the proposal passed before: the workflow routes it to the appeal tier.
  if (proposal.status === 'APPEALED' && proposal.appeal) throw new AppealRouted(proposal.appeal.tier);
  // A retry after this stage already passed finds the proposal further along: nothing to redo.
  if (proposal.stage !== 'VALIDATION') return { validated: true };

  const validation = validateProposal(proposalInputOf(proposal), {
    regions: deps.regions(),
    provinceCode: deps.provinceCode,
    today: deps.now().toISOString().slice(0, 10),
  });
  // A REMOVE or UPDATE also needs its target still registered and current, as it was when drafted.
  const targetProblems = await changeIssues(deps.store, proposal);
  const result = targetProblems.length > 0 ? { ok: false as const, issues: [...(validation.ok ? [] : validation.issues), ...targetProblems] } : validation;
  const expect = { version: proposal.version, status: ['SUBMITTED'] as const };
  if (!result.ok) {
    const codes = result.issues.map((issue) => issue.code);
    await deps.store.changeProposal(proposal.id, {
      expect,
      status: 'SUBMITTED',
      stage: 'VALIDATION',
      reasons: result.issues,
      audit: { actor, action: 'VALIDATION_FAILED', detail: { codes } },
    });
    throw new ProposalReturned(codes);
  }
  await deps.store.changeProposal(proposal.id, {
    expect,
    status: 'SUBMITTED',
    stage: 'DUPLICATE_CHECK',
    flags: result.flags,
    audit: { actor, action: 'VALIDATION_PASSED', detail: { flags: result.flags.map((flag) => flag.code) } },
  });
  return { validated: true };
}

export const handler = stageHandler('validate-submission', StageInput, validateSubmission);
