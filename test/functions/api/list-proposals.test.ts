import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Proposal } from '../../../domain/proposal.ts';
import { ListProposalsResponse } from '../../../functions/api/schemas.ts';
import { callers, type ApiCall, type ApiHarness } from '../../support/api-harness.ts';
import { draftOf, householdProposal } from '../../support/proposals.ts';
import { proposalApiHarness } from './support/proposal-flow.ts';

const V1 = '81.71.01.1006';
const V2 = '81.71.01.1007';
const V3 = '81.71.02.1010';
const V4 = '81.01.01.2001';

describe('GET /proposals (listProposals)', () => {
  let harness: ApiHarness;
  /** Ids per village, in creation order. */
  const ids: Record<string, string[]> = { [V1]: [], [V2]: [], [V3]: [], [V4]: [] };
  const submitted: string[] = [];
  let headless: Proposal;
  let headSecond: Proposal;

  const store = () => harness.deps.store;
  const setup = { type: 'system' as const, id: 'test-setup' };
  async function stored(village: string, edit: (proposal: Proposal) => void = () => {}) {
    const [province, regency, district] = village.split('.');
    const proposal = draftOf(
      householdProposal({ villageCode: village, districtCode: `${province}.${regency}.${district}`, regencyCode: `${province}.${regency}` }),
    );
    edit(proposal);
    await store().createProposal(proposal, { actor: setup, action: 'CREATED' });
    ids[village]!.push(proposal.id);
    return proposal;
  }

  beforeAll(async () => {
    harness = await proposalApiHarness();
    // Stored directly (drafts need no workflow): five in the operator's village, others around it.
    for (let i = 0; i < 3; i++) await stored(V1);
    headSecond = await stored(V1, (proposal) => proposal.members.reverse());
    headless = await stored(V1, (proposal) => {
      proposal.members = proposal.members.filter((member) => member.relationship !== 'KEPALA_KELUARGA');
    });
    for (const id of ids[V1]!.slice(1, 3)) {
      await store().changeProposal(id, {
        expect: { version: 1, status: ['DRAFT'] },
        status: 'SUBMITTED',
        stage: 'VALIDATION',
        audit: { actor: setup, action: 'TEST_SETUP' },
      });
      submitted.push(id);
    }
    for (let i = 0; i < 2; i++) await stored(V2);
    await stored(V3);
    await stored(V4);
  });
  afterAll(async () => harness?.close());

  const list = (caller: ApiCall['caller'], query: Record<string, string> = {}) =>
    harness.call('listProposals', { caller, query });

  /** Every page of a query, following the cursor. */
  async function allPages(caller: Parameters<typeof list>[0], query: Record<string, string>) {
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const response = await list(caller, { ...query, ...(cursor ? { cursor } : {}) });
      expect(response.status, response.text).toBe(200);
      const page = ListProposalsResponse.parse(response.body);
      pages.push(page.items.map((item) => item.proposalId));
      cursor = page.cursor;
    } while (cursor);
    return pages;
  }

  it("lists the operator's own village by default, as summaries without identity numbers", async () => {
    const response = await list(callers.operator(V1));

    expect(response.status).toBe(200);
    const { items, cursor } = ListProposalsResponse.parse(response.body);
    expect(cursor).toBeUndefined();
    expect(items.map((item) => item.proposalId)).toEqual(ids[V1]);
    const first = (await store().getProposal(ids[V1]![0]!))!;
    expect(items[0]).toEqual({
      proposalId: first.id,
      version: 1,
      status: 'DRAFT',
      stage: 'DRAFT',
      villageCode: V1,
      householdHead: 'Yohanis Latuconsina',
      memberCount: 3,
      programs: ['PKH', 'SEMBAKO'],
      updatedAt: first.updatedAt,
    });
    expect(items.find((item) => item.proposalId === headSecond.id)?.householdHead).toBe('Yohanis Latuconsina');
    expect(items.find((item) => item.proposalId === headless.id)).toMatchObject({ householdHead: headless.members[0]!.fullName, memberCount: 2 });
    for (const nik of first.members.map((member) => member.nik)) expect(response.text).not.toContain(nik);
  });

  it('pages through a region with the cursor, each proposal once, in village then creation order', async () => {
    const pages = await allPages(callers.admin('81'), { region: '81.71', limit: '2' });

    expect(pages.every((page) => page.length <= 2)).toBe(true);
    expect(pages.flat()).toEqual([...ids[V1]!, ...ids[V2]!, ...ids[V3]!]);
  });

  it('filters by status, across pages', async () => {
    const pages = await allPages(callers.approver('district', '81.71.01'), { status: 'SUBMITTED', limit: '1' });

    expect(pages.flat()).toEqual(submitted);
  });

  it("narrows to a village inside the caller's region and defaults to the caller's region", async () => {
    const district = callers.approver('district', '81.71.01');

    expect((await allPages(district, {})).flat()).toEqual([...ids[V1]!, ...ids[V2]!]);
    expect((await allPages(district, { village: V2 })).flat()).toEqual(ids[V2]);
    expect((await allPages(callers.admin('81'), {})).flat().sort()).toEqual(Object.values(ids).flat().sort());
  });

  it("refuses a region or village outside the caller's region (403 FORBIDDEN_REGION)", async () => {
    for (const [caller, query] of [
      [callers.operator(V1), { region: '81.71.01' }],
      [callers.operator(V1), { village: V2 }],
      [callers.approver('district', '81.71.01'), { region: '81.71' }],
      [callers.approver('district', '81.71.01'), { village: V3 }],
      [callers.admin('81.71'), { region: '81.01' }],
      [callers.admin('81'), { region: '73' }],
    ] as const) {
      const response = await list(caller, query);
      expect([response.status, response.body.error?.code], JSON.stringify(query)).toEqual([403, 'FORBIDDEN_REGION']);
    }
  });

  it('refuses a cursor that was altered, made up, or handed out for another village (400 INVALID_CURSOR)', async () => {
    const first = await list(callers.operator(V1), { limit: '2' });
    const cursor: string = first.body.cursor;
    expect(cursor).toEqual(expect.any(String));
    const flipped = (cursor[0] === 'e' ? 'f' : 'e') + cursor.slice(1);
    // A well-formed cursor whose position lies in another regency.
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const elsewhere = Buffer.from(
      JSON.stringify({ ...key, pk: `PROPOSAL#${ids[V4]![0]}`, gsi4sk: `${V4}#${ids[V4]![0]}` }),
      'utf8',
    ).toString('base64url');
    const ofV2 = (await list(callers.approver('district', '81.71.01'), { village: V2, limit: '1' })).body.cursor as string;

    for (const bad of [flipped, 'not-a-cursor', elsewhere, ofV2]) {
      const response = await list(callers.operator(V1), { limit: '2', cursor: bad });
      expect([response.status, response.body.error.code]).toEqual([400, 'INVALID_CURSOR']);
    }
  });
});
