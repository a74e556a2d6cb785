/**
 * What the local issuer takes from the template: the audience of its tokens and the user pool's
 * pre-token-generation trigger.
 */
import { resolveResourceProperties, type CfnTemplate, type LocalStackContext } from '../template.ts';
import type { PreTokenGenerationTrigger } from './issuer.ts';

export interface TemplateIdentity {
  /** The user pool client id as Ref resolves it locally, `aud` of the local tokens. */
  audience: string;
  /** The user pool's pre-token-generation trigger, if it has one. */
  trigger: (Omit<PreTokenGenerationTrigger, 'invoke'> & { functionArn: string }) | undefined;
}

/**
 * What the local issuer needs from the template: the audience of its tokens (the user pool client's id, as
 * Ref resolves it locally; the one a JWT authorizer names if there are several) and the user pool's
 * pre-token-generation trigger. Without a client, a fixed local audience.
 */
export function identityFromTemplate(
  template: CfnTemplate,
  ctx: LocalStackContext,
  region: string,
): TemplateIdentity {
  const ids = (type: string) => Object.keys(template.Resources ?? {}).filter((id) => template.Resources![id]!.Type === type);
  const audiences = new Set(
    ids('AWS::ApiGatewayV2::Authorizer').flatMap((id) => {
      const audience = (resolveResourceProperties(template, id, ctx).JwtConfiguration as { Audience?: unknown } | undefined)?.Audience;
      return Array.isArray(audience) ? audience.map(String) : [];
    }),
  );
  const clients = ids('AWS::Cognito::UserPoolClient');
  const client = clients.find((id) => audiences.has(ctx.resources[id]!.ref)) ?? clients[0];
  const audience = client ? ctx.resources[client]!.ref : ([...audiences][0] ?? 'verval-local');
  const poolRef = client ? resolveResourceProperties(template, client, ctx).UserPoolId : undefined;
  const pool = ids('AWS::Cognito::UserPool').find((id) => ctx.resources[id]!.ref === poolRef) ?? ids('AWS::Cognito::UserPool')[0];
  if (!pool) return { audience, trigger: undefined };
  const lambdaConfig = (resolveResourceProperties(template, pool, ctx).LambdaConfig ?? {}) as {
    PreTokenGeneration?: unknown;
    PreTokenGenerationConfig?: { LambdaArn?: unknown; LambdaVersion?: unknown };
  };
  const arn = lambdaConfig.PreTokenGenerationConfig?.LambdaArn ?? lambdaConfig.PreTokenGeneration;
  if (typeof arn !== 'string') return { audience, trigger: undefined };
  const versions: Record<string, '1' | '2' | '3'> = { V1_0: '1', V2_0: '2', V3_0: '3' };
  const version = versions[String(lambdaConfig.PreTokenGenerationConfig?.LambdaVersion ?? 'V1_0')] ?? '1';
  return { audience, trigger: { version, userPoolId: ctx.resources[pool]!.ref, region, functionArn: arn } };
}
