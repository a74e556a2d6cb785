import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryItemSchema, RegistryResponse } from '../../../functions/api/schemas.ts';
import { apiHarness, type ApiHarness } from '../../support/api-harness.ts';
import { householdProposal } from '../../support/proposals.ts';
import { expectLimitedPerClient, expectNoBoardOutsideTheProvince, expectNothingPersonal, publicFieldsOf } from './support/public-board.ts';
import { object, registeredHousehold } from './support/registry.ts';

const VILLAGE = '81.71.01.1006';

describe('GET /public/registry/{villageCode}', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await apiHarness();
  });
  afterAll(() => api?.close());

  const board = (villageCode: string, sourceIp?: string) =>
    api.call('listRegistry', { params: { villageCode }, ...(sourceIp ? { sourceIp } : {}) });
  const listed = (response: { body: { items: { proposalId: string }[] } }) => response.body.items.map((item) => item.proposalId);

  it('shows anyone the public fields of each registered household, never the KK, full NIKs or other members', async () => {
    const [first, second] = await Promise.all([registeredHousehold(api), registeredHousehold(api)]);
    const draft = await api.draft(undefined, false);

    const response = await board(VILLAGE);

    expect(response.status).toBe(200);
    expect(RegistryResponse.parse(response.body)).toEqual(response.body);
    const keys = Object.keys(RegistryItemSchema.shape);
    for (const item of response.body.items) expect(Object.keys(item)).toEqual(keys);
    expect(listed(response)).toEqual(expect.arrayContaining([first!.id, second!.id]));
    expect(listed(response)).not.toContain(draft.id);
    expect(response.body.items.find((item: { proposalId: string }) => item.proposalId === first!.id)).toEqual({
      ...publicFieldsOf(first!),
      registeredAt: first!.registeredAt,
      caseOpen: false,
    });
    expectNothingPersonal(response, [first!, second!]);
  });

  it('marks a household with an open case, and leaves out records whose registration ended or was corrected away', async () => {
    const [objected, ended, superseded] = await Promise.all([registeredHousehold(api), registeredHousehold(api), registeredHousehold(api)]);
    await object(api, objected.id);
    // What the REMOVE and UPDATE completions leave on a target (never deleted): written as they would.
    const set = (id: string, name: string, value: unknown) =>
      api.clients.documents.send(
        new UpdateCommand({
          TableName: api.tableName,
          Key: { pk: `PROPOSAL#${id}`, sk: 'PROPOSAL' },
          UpdateExpression: 'SET #name = :value',
          ExpressionAttributeNames: { '#name': name },
          ExpressionAttributeValues: { ':value': value },
        }),
      );
    await set(ended.id, 'registration', { endedAt: new Date().toISOString(), endReason: 'DECEASED', endedBy: '01JZZZZZZZZZZZZZZZZZZZZZZZ' });
    await set(superseded.id, 'supersededBy', '01JZZZZZZZZZZZZZZZZZZZZZZZ');

    const response = await board(VILLAGE);

    expect(response.body.items.find((item: { proposalId: string }) => item.proposalId === objected.id)?.caseOpen).toBe(true);
    expect(listed(response)).not.toContain(ended.id);
    expect(listed(response)).not.toContain(superseded.id);
  });

  it("lists only that village's households", async () => {
    const neighbour = await registeredHousehold(api, householdProposal({ villageCode: '81.71.01.1007' }));
    expect(listed(await board(VILLAGE))).not.toContain(neighbour.id);
    expect(listed(await board('81.71.01.1007'))).toEqual([neighbour.id]);
  });

  it('answers 404 NOT_FOUND for a village outside this province or a code that is not a village', async () => {
    await expectNoBoardOutsideTheProvince(board);
  });

  it('refuses the request after the limit from one client with 429 and Retry-After, while another client still gets through', async () => {
    await expectLimitedPerClient(api, (sourceIp) => board(VILLAGE, sourceIp), [200, 200]);
  });
});
