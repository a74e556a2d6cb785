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
