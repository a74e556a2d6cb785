import { maskNik } from '../../domain/masking.ts';
import type { Proposal } from '../../domain/proposal.ts';

/**
 * What a public board shows of a household, as the notice shows it on paper: head's name, NIK masked to its
 * district digits, RT/RW, programs. Built field by field, never by spreading a record, so nothing personal can
 * slip in unnoticed.
 */
export function publicHousehold(proposal: Proposal) {
  const head = proposal.members.find((member) => member.relationship === 'KEPALA_KELUARGA') ?? proposal.members[0]!;
  return {
    proposalId: proposal.id,
    householdHead: head.fullName,
    nikMasked: maskNik(head.nik),
    rt: proposal.household.rt,
    rw: proposal.household.rw,
    programs: [...proposal.programs],
  };
}
