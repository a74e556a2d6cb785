import { describe, expect, it } from 'vitest';
import { IDENTITY_ATTRIBUTES } from '../../infra/user-pool.ts';
import { provinceTemplate } from '../support/province-template.ts';
import { actionsOfStatements, idAt, logicalIdOfType, resourceAt, statementsOf } from './template-queries.ts';

const { template } = provinceTemplate('81');
const resources = template.Resources;
const outputs = (template as { Outputs?: Record<string, { Value: unknown }> }).Outputs ?? {};
const poolId = logicalIdOfType(template, 'AWS::Cognito::UserPool');
const clientId = logicalIdOfType(template, 'AWS::Cognito::UserPoolClient');
const pool = resources[poolId] as { Properties: any; DeletionPolicy?: string; UpdateReplacePolicy?: string; Metadata?: any };
const client = resources[clientId]!.Properties;
const triggerId = idAt(template, '/Users/AddIdentityClaims/Function/Resource');

describe('the user pool (province 81)', () => {
  it('lets only administrators create accounts: no self sign-up', () => {
    expect(pool.Properties.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
    expect(pool.Properties.UserPoolName).toBe('verval-81');
  });

  it('survives stack deletion and accidental deletes', () => {
    expect(pool.Properties.DeletionProtection).toBe('ACTIVE');
    expect(pool).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('requires strong passwords', () => {
    expect(pool.Properties.Policies.PasswordPolicy).toMatchObject({
      MinimumLength: 12,
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
    });
  });

  it('offers TOTP as an optional second factor, and says why it is not required (COG2)', () => {
    expect(pool.Properties.MfaConfiguration).toBe('OPTIONAL');
    expect(pool.Properties.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    const acknowledged = (pool.Metadata?.cdk_nag?.rules_to_suppress ?? []) as { id: string; reason: string }[];
    expect(acknowledged).toEqual([{ id: 'AwsSolutions-COG2', reason: expect.stringMatching(/share phones and SIMs.*poor signal/) }]);
  });

  it('is on the Plus plan with threat protection enforced', () => {
    expect(pool.Properties.UserPoolTier).toBe('PLUS');
    expect(pool.Properties.UserPoolAddOns).toEqual({ AdvancedSecurityMode: 'ENFORCED' });
  });

  it('has the role, tier and region custom attributes', () => {
    const custom = (pool.Properties.Schema as { Name: string; AttributeDataType?: string; Mutable?: boolean }[]).filter(
      (attribute) => attribute.AttributeDataType === 'String',
    );
    expect(custom.map((attribute) => attribute.Name).sort()).toEqual([...IDENTITY_ATTRIBUTES].sort());
    // Mutable so an administrator can move someone to another village or tier.
    for (const attribute of custom) expect(attribute.Mutable).toBe(true);
  });

  it('has one web client: no secret, password (over TLS), SRP and refresh tokens only, no OAuth, a one-hour ID token', () => {
    expect(client.UserPoolId).toEqual({ Ref: poolId });
    expect(client.GenerateSecret).toBe(false);
    expect([...client.ExplicitAuthFlows].sort()).toEqual(['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH']);
    expect(client.AllowedOAuthFlowsUserPoolClient).toBe(false);
    expect(client).not.toHaveProperty('CallbackURLs');
    expect(client.IdTokenValidity).toBe(60);
    expect(client.TokenValidityUnits.IdToken).toBe('minutes');
    expect(client.PreventUserExistenceErrors).toBe('ENABLED');
  });

  it('lets the client read the identity attributes but never write them', () => {
    const write = client.WriteAttributes as string[];
    expect(write.length).toBeGreaterThan(0);
    for (const name of IDENTITY_ATTRIBUTES) {
      expect(write).not.toContain(`custom:${name}`);
      expect(client.ReadAttributes).toContain(`custom:${name}`);
    }
    expect(write.filter((attribute) => attribute.startsWith('custom:'))).toEqual([]);
  });

  it('runs the add-identity-claims trigger before each token, with permission for this pool only', () => {
    expect(pool.Properties.LambdaConfig).toEqual({ PreTokenGeneration: { 'Fn::GetAtt': [triggerId, 'Arn'] } });
    const permission = Object.values(resources).find(
      (resource) => resource.Type === 'AWS::Lambda::Permission' && resource.Properties.FunctionName['Fn::GetAtt']?.[0] === triggerId,
    );
    expect(permission?.Properties).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Principal: 'cognito-idp.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [poolId, 'Arn'] },
    });
  });

  it('builds the trigger with the shared factory, touching nothing but its own logs and traces', () => {
    const fn = resources[triggerId]!.Properties;
    expect(fn).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
    expect(Object.keys(fn.Environment.Variables)).toEqual(['PROVINCE_CODE']);
    const role = resourceAt(template, '/Users/AddIdentityClaims/Role/Resource');
    expect(role.Properties.Description).toBe('Verval 81 add-identity-claims.ts');
    const actions = actionsOfStatements(statementsOf(template, idAt(template, '/Users/AddIdentityClaims/Role/Resource')));
    expect(actions.sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });

  it('outputs the pool, the client and the issuer URL', () => {
    expect(outputs.UserPoolId?.Value).toEqual({ Ref: poolId });
    expect(outputs.UserPoolClientId?.Value).toEqual({ Ref: clientId });
    expect(outputs.Issuer?.Value).toEqual({
      'Fn::Join': ['', ['https://cognito-idp.ap-southeast-3.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: poolId }]],
    });
  });
});
