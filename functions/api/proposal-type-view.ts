import { maskNik } from '../../domain/masking.ts';
import { correctionDiff, type RegisteredRecord } from '../../domain/proposal-types.ts';

/**
 * What a proposal's type adds to its view: what it acts on and why, for an UPDATE each changed field with the
 * registered value beside the corrected one, and for a registered record whether and how its registration ended.
 * Built field by field with NIKs and KKs masked, like the rest of the view.
 */
export function proposalTypeView(proposal: RegisteredRecord) {
  const { removal, registration } = proposal;
  return {
    type: proposal.type ?? 'ADD',
    ...(proposal.target ? { target: { proposalId: proposal.target.proposalId } } : {}),
    ...(removal
      ? {
          removal: {
            reason: removal.reason,
            ...(removal.members ? { membersMasked: removal.members.map(maskNik) } : {}),
            ...(removal.duplicateOf ? { duplicateOf: removal.duplicateOf } : {}),
            statement: removal.statement,
          },
        }
      : {}),
    ...(proposal.correction ? { correction: { statement: proposal.correction.statement } } : {}),
    ...(proposal.type === 'UPDATE' && proposal.previous ? { changes: correctionDiff(proposal.previous, proposal) } : {}),
    ...(proposal.registeredAt ? { registeredAt: proposal.registeredAt } : {}),
    ...(proposal.completedAt ? { completedAt: proposal.completedAt } : {}),
    ...(registration
      ? { registration: { endedAt: registration.endedAt, endReason: registration.endReason, endedBy: registration.endedBy } }
      : {}),
    ...(proposal.endedMembers?.length
      ? {
          endedMembers: proposal.endedMembers.map((member) => ({
            nikMasked: maskNik(member.nik),
            endedAt: member.endedAt,
            endReason: member.endReason,
            endedBy: member.endedBy,
          })),
        }
      : {}),
    ...(proposal.supersededBy ? { supersededBy: proposal.supersededBy } : {}),
  };
}
