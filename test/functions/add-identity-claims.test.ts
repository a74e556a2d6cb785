import type { PreTokenGenerationTriggerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { CallerSchema } from '../../domain/access.ts';
import { handler, identityClaims } from '../../functions/add-identity-claims.ts';

/** A pre-token-generation event as Cognito sends it with event version 1 (V1_0). */
function cognitoEvent(userAttributes: Record<string, string>): PreTokenGenerationTriggerEvent {
  return {
    version: '1',
    triggerSource: 'TokenGeneration_Authentication',
    region: 'ap-southeast-3',
    userPoolId: 'ap-southeast-3_Example1',
    userName: 'operator-1006',
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'exampleclientid' },
    request: { userAttributes, groupConfiguration: { groupsToOverride: [], iamRolesToOverride: [] } },
    response: { claimsOverrideDetails: {} },
  } as PreTokenGenerationTriggerEvent;
}

const SUB = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

describe('add-identity-claims (Cognito pre-token-generation trigger)', () => {
  it('copies custom:role, custom:tier and custom:region into the ID token as role, tier and region', async () => {
    const event = cognitoEvent({
      sub: SUB,
      'custom:role': 'approver',
      'custom:tier': 'district',
      'custom:region': '81.71.01',
      name: 'Ibu Camat',
    });
    const result = await handler(event);
    expect(result.response.claimsOverrideDetails.claimsToAddOrOverride).toEqual({
      role: 'approver',
      tier: 'district',
      region: '81.71.01',
    });
    // The rest of the event goes back to Cognito as it came.
    expect(result.request).toEqual(event.request);
    expect(result.userName).toBe('operator-1006');
  });

  it('leaves out a claim whose attribute is absent or empty: an operator has no tier', async () => {
    const result = await handler(cognitoEvent({ sub: SUB, 'custom:role': 'village_operator', 'custom:region': '81.71.01.1006', 'custom:tier': '' }));
    const claims = result.response.claimsOverrideDetails.claimsToAddOrOverride!;
    expect(claims).toEqual({ role: 'village_operator', region: '81.71.01.1006' });
    expect(claims).not.toHaveProperty('tier');
  });

  it('adds no claim for a user an administrator has not yet given a role, so the API answers CLAIMS_INVALID, not a guess', async () => {
    const result = await handler(cognitoEvent({ sub: SUB, email: 'baru@example.org' }));
    expect(result.response.claimsOverrideDetails.claimsToAddOrOverride).toEqual({});
  });

  it('copies only the three identity attributes, never other custom or standard ones', () => {
    expect(
      identityClaims({ 'custom:role': 'admin', 'custom:region': '81', 'custom:nik': '8171010101900001', email: 'a@example.org', role: 'admin-by-user' }),
    ).toEqual({ role: 'admin', region: '81' });
  });

  it('keeps claims another customisation already set, and lets the attributes win for the identity claims', async () => {
    const event = cognitoEvent({ sub: SUB, 'custom:role': 'admin', 'custom:region': '81.71' });
    event.response.claimsOverrideDetails = { claimsToAddOrOverride: { locale: 'id', role: 'stale' }, claimsToSuppress: ['email'] };
    const result = await handler(event);
    expect(result.response.claimsOverrideDetails).toEqual({
      claimsToAddOrOverride: { locale: 'id', role: 'admin', region: '81.71' },
      claimsToSuppress: ['email'],
    });
  });

  it("gives claims the API's Caller schema accepts for each role", async () => {
    const users: Record<string, string>[] = [
      { 'custom:role': 'village_operator', 'custom:region': '81.71.01.1006' },
      { 'custom:role': 'approver', 'custom:tier': 'village', 'custom:region': '81.71.01.1006' },
      { 'custom:role': 'approver', 'custom:tier': 'regent', 'custom:region': '81.71' },
      { 'custom:role': 'admin', 'custom:region': '81' },
    ];
    for (const attributes of users) {
      const { response } = await handler(cognitoEvent({ sub: SUB, ...attributes }));
      const parsed = CallerSchema.safeParse({ sub: SUB, ...response.claimsOverrideDetails.claimsToAddOrOverride });
      expect(parsed.success, JSON.stringify(attributes)).toBe(true);
    }
  });
});
