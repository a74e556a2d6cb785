import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskKk, maskNik } from '../../../domain/masking.ts';
import type { ProposalInput } from '../../../domain/proposal.ts';
import type { Tier } from '../../../domain/province-config.ts';
import { ProposalViewSchema } from '../../../functions/api/schemas.ts';
import { localClients, type LocalClients } from '../../../local/clients.ts';
import { startLocalRuntime, type LocalRuntime } from '../../../local/runtime.ts';
import { makePdf } from '../../support/evidence-fixtures.ts';
import { householdProposal, nikFor } from '../../support/proposals.ts';
import { clientsFor, apiClient, goodEvidence, pollUntil, postToSlot, type ApiClient, type HttpResponse, type UploadSlot } from './http-support.ts';
import { tempDataDir, TIERS } from './support.ts';

/**
 * Every proposal type through the whole workflow on the local stack, over HTTP as the village and its approvers
 * use it: a household is added, its child's NIK is corrected (UPDATE), the mother dies (REMOVE of a member, with a
 * death certificate) and the family moves away (REMOVE of the household, with a transfer letter). Each change is
 * publicly reviewed and approved at every tier from the approvers' inboxes; the registry keeps every end.
 */

/** A day lasts 2 s: the 1-day public review takes 2 s; SLAs of 100 days (200 s) never lapse while a test decides. */
const TIME_SCALE = 1 / 43_200;
const CONFIG_OVERRIDES = { reviewDays: 1, tiers: TIERS.map((tier) => ({ tier, slaDays: 100 })) };

const VILLAGE = '81.71.01.1006';
const USERS = {
  operator: `operator-${VILLAGE}`,
  village: `approver-village-${VILLAGE}`,
  district: 'approver-district-81.71.01',
  regency: 'approver-regency-81.71',
  regent: 'approver-regent-81.71',
} as const;

type View = ReturnType<typeof ProposalViewSchema.parse>;

describe('local runtime: ADD, UPDATE and REMOVE through the whole workflow', () => {
  let dataDir: string;
  let runtime: LocalRuntime;
  let clients: LocalClients;
  let as: (username: string) => Promise<ApiClient>;
  let anonymous: ApiClient;
  let seed = 7000;

  beforeAll(async () => {
    dataDir = tempDataDir();
    runtime = await startLocalRuntime({ dataDir, timeScale: TIME_SCALE, configOverrides: CONFIG_OVERRIDES });
    clients = localClients(runtime.endpoints);
    as = clientsFor(runtime);
    anonymous = apiClient(runtime);
  }, 600_000);

  afterAll(async () => {
    clients?.destroy();
    await runtime?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const ok = (response: HttpResponse, status: number) => {
    expect(response.status, response.text).toBe(status);
    return response.body;
  };

  async function view(proposalId: string, username: string = USERS.operator): Promise<View> {
    return ProposalViewSchema.parse(ok(await (await as(username)).call('GET', `/proposals/${proposalId}`), 200));
  }

  async function waitFor(proposalId: string, what: string, done: (proposal: View) => boolean) {
    let last: unknown;
    return pollUntil(
      `${proposalId} ${what}`,
      async () => {
        const proposal = await view(proposalId);
        last = { status: proposal.status, stage: proposal.stage, tier: proposal.tier, reasons: proposal.reasons };
        return done(proposal) ? proposal : undefined;
      },
      { last: () => last },
    );
  }

  /** Creates the draft, uploads a file through every slot it got (or only `kinds`), submits it. */
  async function propose(body: Record<string, unknown>, location: ProposalInput['household']['location'], kinds?: string[]) {
    const operator = await as(USERS.operator);
    const created = ok(await operator.call('POST', '/proposals', { body }), 201) as { proposalId: string; uploads: UploadSlot[] };
    seed += 10;
    for (const slot of created.uploads.filter((candidate) => !kinds || kinds.includes(candidate.kind))) {
      const file = ['death-certificate', 'village-letter', 'transfer-letter'].includes(slot.kind) ? makePdf() : goodEvidence(slot.kind, seed, location);
      const uploaded = await postToSlot(slot, file);
      expect(uploaded.status, `upload of ${slot.kind}: ${uploaded.text}`).toBeLessThan(300);
    }
    ok(await operator.call('POST', `/proposals/${created.proposalId}/submit`), 202);
    return created;
  }

  /**
   * Public review (the board lists it, masked), then an approval at every tier from that tier's inbox;
   * `beforeApproving` looks at the proposal as each approver sees it while their task waits.
   */
  async function throughReviewAndApprovals(proposalId: string, headNik: string, beforeApproving?: (seen: View) => void) {
    await waitFor(proposalId, 'in public review', (p) => p.status === 'IN_REVIEW' && p.stage === 'PUBLIC_REVIEW');
    const board = ok(await anonymous.call('GET', `/public/review/${VILLAGE}`), 200) as { items: { proposalId: string; nikMasked: string }[] };
    expect(board.items.find((item) => item.proposalId === proposalId)?.nikMasked).toBe(maskNik(headNik));
    expect(JSON.stringify(board)).not.toContain(headNik);
    for (const tier of TIERS) {
      const approver = await as(USERS[tier]);
      const task = await pollUntil(`${tier} task for ${proposalId}`, async () => {
        const inbox = ok(await approver.call('GET', '/tasks'), 200) as { items: { taskId: string; proposalId: string; tier: Tier }[] };
        return inbox.items.find((item) => item.proposalId === proposalId);
      });
      expect(task.tier).toBe(tier);
      beforeApproving?.(await view(proposalId, USERS[tier]));
      ok(await approver.call('POST', `/tasks/${encodeURIComponent(task.taskId)}/decision`, { body: { decision: 'approve' } }), 200);
    }
    return waitFor(proposalId, 'registered', (p) => p.status === 'REGISTERED');
  }

  it('adds a household, corrects a NIK, ends a member who died and then the household that moved', async () => {
    // ADD.
    const input = householdProposal();
    const [head, mother, child] = input.members as [ProposalInput['members'][number], ProposalInput['members'][number], ProposalInput['members'][number]];
    const added = await propose(input, input.household.location);
    const registered = await throughReviewAndApprovals(added.proposalId, head.nik);
    expect(registered).toMatchObject({ type: 'ADD', registeredAt: expect.any(String) });

    // UPDATE: Dukcapil issued the child's NIK with another serial.
    const serial = Number(child.nik.slice(-4));
    const fixedNik = nikFor('81.71.01', child.birthDate, 'L', serial > 5000 ? serial - 4000 : serial + 4000);
    const corrected = { ...input, members: [head, mother, { ...child, nik: fixedNik }] };
    const update = await propose(
      { type: 'UPDATE', ...corrected, target: { proposalId: added.proposalId }, correction: { statement: 'NIK anak diperbaiki sesuai KK terbaru dari Dukcapil.' } },
      input.household.location,
    );
    expect(update.uploads.map((slot) => slot.kind).sort()).toEqual(['berita-acara', 'id-scan']);
    // Every approver sees the old value beside the new one, masked.
    const updated = await throughReviewAndApprovals(update.proposalId, head.nik, (seen) => {
      expect(seen.correction).toEqual({ statement: 'NIK anak diperbaiki sesuai KK terbaru dari Dukcapil.' });
      expect(seen.changes).toEqual([{ path: 'members.2.nik', old: maskNik(child.nik), new: maskNik(fixedNik) }]);
      expect(JSON.stringify(seen)).not.toContain(fixedNik);
      expect(JSON.stringify(seen)).not.toContain(child.nik);
    });
    expect(updated).toMatchObject({ type: 'UPDATE', target: { proposalId: added.proposalId }, registeredAt: expect.any(String) });
    expect(updated.members[2]!.nikMasked).toBe(maskNik(fixedNik));
    const replaced = await view(added.proposalId);
    expect(replaced).toMatchObject({
      supersededBy: update.proposalId,
      registration: { endReason: 'CORRECTED', endedBy: update.proposalId, endedAt: updated.registeredAt },
    });
    expect(replaced.history.at(-1)).toMatchObject({ action: 'SUPERSEDED', detail: { by: update.proposalId, type: 'UPDATE' } });
    expect(updated.history.map((entry) => entry.action)).toContain('REGISTERED');

    // The corrected record, not the replaced one, is what can be acted on now.
    const operator = await as(USERS.operator);
    const stale = await operator.call('POST', '/proposals', {
      body: { type: 'REMOVE', ...regionOf(input), target: { proposalId: added.proposalId }, removal: { reason: 'MOVED', statement: 'Pindah ke Kota Tual.' } },
    });
    expect(stale.status).toBe(422);
    expect(stale.body.error.details).toEqual([expect.objectContaining({ path: 'target.proposalId', code: 'TARGET_SUPERSEDED' })]);

    // REMOVE of a member: the mother died; any one of a death certificate or a village letter will do.
    const death = await propose(
      {
        type: 'REMOVE',
        ...regionOf(input),
        target: { proposalId: update.proposalId },
        removal: { reason: 'DECEASED', members: [mother.nik], statement: 'Meninggal dunia pada bulan lalu.' },
      },
      input.household.location,
      ['death-certificate'],
    );
    expect(death.uploads.map((slot) => slot.kind).sort()).toEqual(['death-certificate', 'village-letter']);
    const removedMember = await throughReviewAndApprovals(death.proposalId, head.nik);
    expect(removedMember).toMatchObject({ type: 'REMOVE', removal: { reason: 'DECEASED', membersMasked: [maskNik(mother.nik)] } });
    const afterDeath = await view(update.proposalId);
    expect(afterDeath.registration).toBeUndefined();
    expect(afterDeath.endedMembers).toEqual([
      { nikMasked: maskNik(mother.nik), endedAt: removedMember.completedAt, endReason: 'DECEASED', endedBy: death.proposalId },
    ]);

    // REMOVE of the household: it moved away, with the transfer letter.
    const moved = await propose(
      { type: 'REMOVE', ...regionOf(input), target: { proposalId: update.proposalId }, removal: { reason: 'MOVED', statement: 'Seluruh keluarga pindah ke Kota Tual.' } },
      input.household.location,
    );
    expect(moved.uploads.map((slot) => slot.kind)).toEqual(['transfer-letter']);
    const removal = await throughReviewAndApprovals(moved.proposalId, head.nik);
    const ended = await view(update.proposalId, USERS.regency);
    expect(removal.completedAt).toEqual(expect.any(String));
    expect(ended.registration).toEqual({ endedAt: removal.completedAt, endReason: 'MOVED', endedBy: moved.proposalId });
    expect(ended.status).toBe('REGISTERED');
    expect(ended.history.map((entry) => entry.action)).toEqual(expect.arrayContaining(['MEMBERS_ENDED', 'REGISTRATION_ENDED']));

    // The registry keeps every record with how it ended; the removals are not registry entries themselves.
    const registry = await clients.store.registryOf(VILLAGE);
    const ours = registry.filter((entry) => [added.proposalId, update.proposalId, death.proposalId, moved.proposalId].includes(entry.proposalId));
    expect(ours.sort((a, b) => a.registeredAt.localeCompare(b.registeredAt))).toEqual([
      { proposalId: added.proposalId, registeredAt: registered.registeredAt, ended: { endedAt: updated.registeredAt, endReason: 'CORRECTED' } },
      { proposalId: update.proposalId, registeredAt: updated.registeredAt, ended: { endedAt: removal.completedAt!, endReason: 'MOVED' }, endedMembers: 1 },
    ]);
    expect(ended.household.kkMasked).toBe(maskKk(input.household.kk));
  }, 300_000);
});

function regionOf(input: ProposalInput) {
  const { provinceCode, regencyCode, districtCode, villageCode } = input;
  return { provinceCode, regencyCode, districtCode, villageCode };
}
