/** What the public routes' tests check alike: the fields a board shows, what it never shows, the per-client limit. */
import { expect } from 'vitest';
import { maskNik } from '../../../../domain/masking.ts';
import type { Proposal } from '../../../../domain/proposal.ts';
import type { ApiHarness, ApiResponse } from '../../../support/api-harness.ts';

/** The household's fields on a public board, worked out here from the proposal: head's name, masked NIK, RT/RW, programs. */
export function publicFieldsOf(proposal: Proposal) {
  const head = proposal.members.find((member) => member.relationship === 'KEPALA_KELUARGA')!;
  return {
    proposalId: proposal.id,
    householdHead: head.fullName,
    nikMasked: maskNik(head.nik),
    rt: proposal.household.rt,
    rw: proposal.household.rw,
    programs: proposal.programs,
  };
}

/** Nothing personal of `proposals` beyond the public fields: no KK, address, location, full NIK, birth date, other members, links. */
export function expectNothingPersonal(response: ApiResponse, proposals: Proposal[]): void {
  for (const proposal of proposals) {
    expect(response.text).not.toContain(proposal.household.kk);
    expect(response.text).not.toContain(proposal.household.address);
    expect(response.text).not.toContain(String(proposal.household.location.latitude));
    for (const member of proposal.members) {
      expect(response.text).not.toContain(member.nik);
      expect(response.text).not.toContain(member.birthDate);
      // The full digits of any NIK past the district part, anywhere.
      expect(response.text).not.toContain(member.nik.slice(6));
    }
    for (const member of proposal.members.filter((member) => member.relationship !== 'KEPALA_KELUARGA')) {
      expect(response.text).not.toContain(member.fullName);
    }
  }
  expect(response.text).not.toMatch(/proposals\/|https?:/);
}

/** A village outside this province, and codes that are no village: 404 NOT_FOUND for each. */
export async function expectNoBoardOutsideTheProvince(board: (villageCode: string) => Promise<ApiResponse>): Promise<void> {
  for (const villageCode of ['73.71.01.1001', '81.71.01', 'desa-amahusu']) {
    const response = await board(villageCode);
    expect(response.status, villageCode).toBe(404);
    expect(response.body.error.code).toBe('NOT_FOUND');
  }
}

/** An id nobody holds: 404 PROPOSAL_NOT_FOUND; text that cannot be an id: 404 NOT_FOUND. */
export async function expectNoSuchProposal(request: (proposalId: string) => Promise<ApiResponse>): Promise<void> {
  const unknown = await request('01JZZZZZZZZZZZZZZZZZZZZZZZ');
  expect(unknown.status).toBe(404);
  expect(unknown.body.error.code).toBe('PROPOSAL_NOT_FOUND');
  const malformed = await request('not-a-proposal');
  expect(malformed.status).toBe(404);
  expect(malformed.body.error.code).toBe('NOT_FOUND');
}

/**
 * The public routes' per-client limit, set to `statuses.length` within one pinned rate window: one client's
 * requests (`request(sourceIp, attempt)`) get `statuses` in turn (each counts whatever the answer), its next is
 * refused with 429 RATE_LIMITED and a Retry-After within the minute, and another client's first still gets `statuses[0]`.
 */
export async function expectLimitedPerClient(
  api: ApiHarness,
  request: (sourceIp: string, attempt: number) => Promise<ApiResponse>,
  statuses: number[],
): Promise<void> {
  const limit = api.apiDeps.publicRateLimit;
  api.clock.pinned = new Date();
  api.apiDeps.publicRateLimit = statuses.length;
  try {
    for (const [attempt, status] of statuses.entries()) expect((await request('198.51.100.7', attempt)).status).toBe(status);

    const refused = await request('198.51.100.7', 0);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);

    expect((await request('198.51.100.8', 0)).status).toBe(statuses[0]);
  } finally {
    api.apiDeps.publicRateLimit = limit;
    delete api.clock.pinned;
  }
}
