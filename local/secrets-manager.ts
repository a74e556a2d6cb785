/**
 * The template's AWS::SecretsManager::Secret resources, served by a minimal Secrets Manager endpoint (AWS JSON 1.1,
 * GetSecretValue only). A GenerateSecretString value is generated once, as CloudFormation does at stack creation,
 * and kept in `<dataDir>/secrets.json` so keyed hashes made with it stay valid across restarts.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  endpointOptions,
  JsonProtocolError,
  optionalString,
  requiredString,
  startJsonProtocolServer,
  type JsonEndpointOptions,
  type JsonProtocolServer,
} from './json-protocol.ts';

export interface LocalSecret {
  arn: string;
  name: string;
  secretString: string;
  versionId: string;
  createdDate: number;
}

export interface GenerateSecretString {
  PasswordLength?: number;
  ExcludeCharacters?: string;
  ExcludeLowercase?: boolean;
  ExcludeUppercase?: boolean;
  ExcludeNumbers?: boolean;
  ExcludePunctuation?: boolean;
  IncludeSpace?: boolean;
  RequireEachIncludedType?: boolean;
  SecretStringTemplate?: string;
  GenerateStringKey?: string;
}

/** Secrets Manager's punctuation set for generated passwords. */
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** GetRandomPassword's rules: the included character classes, minus exclusions, each present at least once by default. */
export function generatePassword(options: GenerateSecretString = {}): string {
  const length = options.PasswordLength ?? 32;
  if (!Number.isInteger(length) || length < 1 || length > 4096) throw new RangeError('PasswordLength must be 1 to 4096');
  const excluded = new Set(options.ExcludeCharacters ?? '');
  const keep = (chars: string) => [...chars].filter((c) => !excluded.has(c)).join('');
  const classes = [
    options.ExcludeLowercase ? '' : keep('abcdefghijklmnopqrstuvwxyz'),
    options.ExcludeUppercase ? '' : keep('ABCDEFGHIJKLMNOPQRSTUVWXYZ'),
    options.ExcludeNumbers ? '' : keep('0123456789'),
    options.ExcludePunctuation ? '' : keep(PUNCTUATION),
    options.IncludeSpace ? keep(' ') : '',
  ].filter((chars) => chars.length > 0);
  const alphabet = classes.join('');
  if (alphabet.length === 0) throw new RangeError('GenerateSecretString excludes every character');
  const requireEach = (options.RequireEachIncludedType ?? true) && classes.length <= length;
  for (;;) {
    let password = '';
    for (let i = 0; i < length; i += 1) password += alphabet[randomInt(alphabet.length)];
    if (!requireEach || classes.every((chars) => [...password].some((c) => chars.includes(c)))) return password;
  }
}

function secretStringFrom(properties: Record<string, unknown>): string {
  if (typeof properties.SecretString === 'string') return properties.SecretString;
  const generate = (properties.GenerateSecretString ?? {}) as GenerateSecretString;
  const password = generatePassword(generate);
  if (generate.SecretStringTemplate === undefined) return password;
  const template = JSON.parse(generate.SecretStringTemplate) as Record<string, unknown>;
  return JSON.stringify({ ...template, [generate.GenerateStringKey ?? 'password']: password });
}

/** The name part of a secret ARN: `arn:...:secret:<name>-AbCdEf` → `<name>`. */
function nameFromArn(arn: string): string {
  return arn.slice(arn.indexOf(':secret:') + ':secret:'.length).replace(/-[A-Za-z0-9]{6}$/, '');
}

/**
 * One value per secret ARN, made on first use and then read back. `secrets` gives each secret's ARN and
 * its resolved template Properties.
 */
export function loadSecrets(file: string, secrets: readonly { arn: string; properties: Record<string, unknown> }[]): LocalSecret[] {
  const stored: Record<string, Omit<LocalSecret, 'arn' | 'name'>> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  let changed = false;
  const result = secrets.map(({ arn, properties }) => {
    let entry = stored[arn];
    if (!entry) {
      entry = { secretString: secretStringFrom(properties), versionId: randomUUID(), createdDate: Date.now() };
      stored[arn] = entry;
      changed = true;
    }
    const name = typeof properties.Name === 'string' ? properties.Name : nameFromArn(arn);
    return { arn, name, ...entry };
  });
  if (changed) {
    mkdirSync(dirname(file), { recursive: true });
    const partial = `${file}.partial`;
    writeFileSync(partial, JSON.stringify(stored, null, 2), { mode: 0o600 });
    chmodSync(partial, 0o600);
    renameSync(partial, file);
  }
  return result;
}

export function startSecretsManagerEndpoint(options: JsonEndpointOptions & { secrets: readonly LocalSecret[] }): Promise<JsonProtocolServer> {
  const find = (secretId: string): LocalSecret | undefined =>
    options.secrets.find(
      // By full ARN, name, or partial ARN (without the six random characters), as Secrets Manager accepts.
      (secret) => secret.arn === secretId || secret.name === secretId || secret.arn.replace(/-[A-Za-z0-9]{6}$/, '') === secretId,
    );
  return startJsonProtocolServer({
    label: 'Secrets Manager',
    signingName: 'secretsmanager',
    targetPrefix: 'secretsmanager',
    protocolVersion: '1.1',
    ...endpointOptions(options),
    operations: {
      GetSecretValue: async (input) => {
        const secretId = requiredString(input, 'SecretId', 2048);
        const versionId = optionalString(input, 'VersionId', 64);
        const versionStage = optionalString(input, 'VersionStage', 256);
        const secret = find(secretId);
        const notFound = () => new JsonProtocolError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
        if (!secret) throw notFound();
        if (versionId !== undefined && versionId !== secret.versionId) throw notFound();
        if (versionStage !== undefined && versionStage !== 'AWSCURRENT') throw notFound();
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: secret.versionId,
          SecretString: secret.secretString,
          VersionStages: ['AWSCURRENT'],
          CreatedDate: new Date(secret.createdDate),
        };
      },
    },
  });
}
