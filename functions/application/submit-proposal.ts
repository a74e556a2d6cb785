import type { Actor, RecordsStore } from '../adapters/records-store.ts';
import { ConflictError } from '../adapters/records-store.ts';
import { executionNameFor, type WorkflowEngine } from './workflow-engine.ts';

/**
 * Moves a DRAFT into the workflow. The status change is conditional, so a second submit of the same version
 * gets a conflict; if the workflow cannot be started the proposal goes back to DRAFT rather than hanging.
 */
export async function submitProposal(
  deps: { store: RecordsStore; workflow: WorkflowEngine },
  proposalId: string,
  actor: Actor,
): Promise<{ executionArn: string }> {
  const proposal = await deps.store.getProposal(proposalId);
  if (!proposal) throw new ConflictError(`Proposal ${proposalId} does not exist`, 'PROPOSAL_NOT_FOUND');
  if (proposal.status !== 'DRAFT') throw new ConflictError('Only a draft can be submitted', 'ALREADY_SUBMITTED');
  const { version } = proposal;
  await deps.store.changeProposal(proposalId, {
    expect: { version, status: ['DRAFT'] },
    status: 'SUBMITTED',
    stage: 'VALIDATION',
    reasons: [],
    failure: null,
    audit: { actor, action: 'SUBMITTED' },
  });
  try {
    return await deps.workflow.start(executionNameFor(proposalId, version), { proposalId, version });
  } catch (error) {
    await deps.store.changeProposal(proposalId, {
      expect: { version, status: ['SUBMITTED'] },
      status: 'DRAFT',
      stage: 'DRAFT',
      audit: { actor, action: 'SUBMIT_FAILED', detail: { error: (error as Error).name } },
    });
    throw error;
  }
}
