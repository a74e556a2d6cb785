import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * The HMAC key for NIK/KK lookups lives in Secrets Manager and is read once per Lambda container.
 */
export function secretsManagerKeySource(client: SecretsManagerClient, secretArn: string): () => Promise<string> {
  let key: Promise<string> | undefined;
  return () => {
    key ??= client.send(new GetSecretValueCommand({ SecretId: secretArn })).then(({ SecretString }) => {
      if (!SecretString) throw new Error('The identity hash secret has no value');
      return SecretString;
    });
    key.catch(() => (key = undefined));
    return key;
  };
}

/** The identity hash key named by a Lambda's environment. */
export function identityKeyFromEnvironment(env: NodeJS.ProcessEnv): () => Promise<string> {
  const secretArn = env.IDENTITY_HASH_SECRET_ARN;
  if (!secretArn) throw new Error('IDENTITY_HASH_SECRET_ARN is not configured for this function');
  return secretsManagerKeySource(new SecretsManagerClient({}), secretArn);
}
