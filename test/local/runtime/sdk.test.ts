import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, rmSync } from 'node:fs';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskSuccessCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClients, type LocalClients } from '../../../local/clients.ts';
import { DEMO_PASSWORD } from '../../../local/demo-users.ts';
import { decodeJwt, verifyJwt, type Jwks } from '../../../local/identity/jwt.ts';
import { startLocalRuntime, type LocalRuntime } from '../../../local/runtime.ts';
import { REGISTERED_PATH_STATES } from '../../support/workflow-states.ts';
import { approve, CONFIG_OVERRIDES, eventually, submitGoodProposal, tempDataDir, TIERS, TIME_SCALE } from './support.ts';

/**
 * The local stack as a client sees it: real SDK v3 clients (and the AWS CLI, when installed) against the
 * endpoints startLocalRuntime brings up from the synthesized template, with bundled functions in workers.
 */
describe('local runtime: the stack through the AWS SDK', () => {
  let dataDir: string;
  let runtime: LocalRuntime;
  let clients: LocalClients;
  let registered: { proposalId: string; executionArn: string };

  beforeAll(async () => {
    dataDir = tempDataDir();
    runtime = await startLocalRuntime({ dataDir, timeScale: TIME_SCALE, configOverrides: CONFIG_OVERRIDES });
    clients = localClients(runtime.endpoints);
  }, 240_000);

  afterAll(async () => {
    clients?.destroy();
    await runtime?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('takes a proposal from StartExecution through every approval tier to REGISTERED', async () => {
    registered = await submitGoodProposal(clients, runtime.endpoints.evidenceBucket, 100);
    for (const tier of TIERS) await approve(clients, registered.proposalId, tier);

    const execution = await eventually('the execution to finish', async () => {
      const described = await clients.sfn.send(new DescribeExecutionCommand({ executionArn: registered.executionArn }));
      return described.status === 'RUNNING' ? undefined : described;
    });
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.startDate).toBeInstanceOf(Date);
    expect(execution.stopDate!.getTime()).toBeGreaterThanOrEqual(execution.startDate!.getTime());
    const proposal = await clients.store.getProposal(registered.proposalId);
    expect(proposal).toMatchObject({ status: 'REGISTERED', stage: 'FINALIZED' });

    const { events } = await clients.sfn.send(new GetExecutionHistoryCommand({ executionArn: registered.executionArn, maxResults: 1000 }));
    const entered = events!.flatMap((event) => (event.type?.endsWith('StateEntered') ? [event.stateEnteredEventDetails!.name] : []));
    expect(entered).toEqual(REGISTERED_PATH_STATES);
    expect(events![0]).toMatchObject({ id: 1, type: 'ExecutionStarted' });
    expect(events!.at(-1)!.type).toBe('ExecutionSucceeded');
    expect(events![0]!.timestamp).toBeInstanceOf(Date);

    // Publish outcome went to the event log, as EventBridge would deliver it.
    const published = readFileSync(runtime.endpoints.eventsFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(published).toContainEqual(
      expect.objectContaining({
        source: 'verval.province-81',
        'detail-type': 'Proposal finalized',
        eventBusName: runtime.endpoints.eventBusName,
        detail: expect.objectContaining({ proposalId: registered.proposalId, outcome: 'REGISTERED' }),
      }),
    );
  }, 120_000);

  it('lists and describes the template state machine and its executions', async () => {
    const { stateMachines } = await clients.sfn.send(new ListStateMachinesCommand({}));
    expect(stateMachines!.map((machine) => machine.stateMachineArn)).toEqual([runtime.endpoints.stateMachineArn]);
    const described = await clients.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: runtime.endpoints.stateMachineArn }));
    expect(JSON.parse(described.definition!).StartAt).toBe('Validate submission');
    expect(described.tracingConfiguration).toEqual({ enabled: true });
    expect(described.loggingConfiguration).toMatchObject({ level: 'ALL', includeExecutionData: false });

    const { executions } = await clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: runtime.endpoints.stateMachineArn }));
    expect(executions!.map((execution) => execution.executionArn)).toContain(registered.executionArn);
  });

  it('answers with AWS error codes: a spent token, a wrong signature, an unknown key', async () => {
    const spent = await clients.sfn
      .send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' }))
      .catch((error: unknown) => error as Error & { $metadata: { httpStatusCode: number } });
    expect(spent).toMatchObject({ name: 'InvalidToken', $metadata: { httpStatusCode: 400 } });

    const endpoint = runtime.endpoints.stepfunctions;
    const region = runtime.endpoints.region;
    const forged = new SFNClient({ endpoint, region, maxAttempts: 1, credentials: { ...runtime.endpoints.credentials, secretAccessKey: 'another-secret' } });
    const stranger = new SFNClient({ endpoint, region, maxAttempts: 1, credentials: { accessKeyId: 'AKIASTRANGER', secretAccessKey: 'x' } });
    try {
      await expect(forged.send(new ListStateMachinesCommand({}))).rejects.toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
      await expect(stranger.send(new ListStateMachinesCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    } finally {
      forged.destroy();
      stranger.destroy();
    }
  });

  it('serves the template secret to signed requests only, the same value on every read', async () => {
    const secrets = JSON.parse(readFileSync(`${dataDir}/secrets.json`, 'utf8')) as Record<string, { secretString: string }>;
    const [arn, stored] = Object.entries(secrets)[0]!;
    const client = new SecretsManagerClient({ endpoint: runtime.endpoints.secretsmanager, region: runtime.endpoints.region, credentials: { ...runtime.endpoints.credentials } });
    try {
      const value = await client.send(new GetSecretValueCommand({ SecretId: arn }));
      expect(value.SecretString).toBe(stored.secretString);
      // GenerateSecretString in the template: 64 letters and digits.
      expect(value.SecretString).toMatch(/^[A-Za-z0-9]{64}$/);
      await expect(client.send(new GetSecretValueCommand({ SecretId: `${arn}-nope` }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    } finally {
      client.destroy();
    }
  });

  it('signs in a demo user at the issuer, and the HTTP API takes that token and refuses none', async () => {
    const { endpoints, users } = runtime;
    const approver = users.find((user) => user.role === 'approver' && user.tier === 'village')!;
    const signIn = await fetch(`${endpoints.issuer}/token`, { method: 'POST', body: JSON.stringify({ username: approver.username, password: DEMO_PASSWORD }) });
    expect(signIn.status).toBe(200);
    const { idToken } = (await signIn.json()) as { idToken: string };
    const jwks = (await (await fetch(`${endpoints.issuer}/.well-known/jwks.json`)).json()) as Jwks;
    const verified = await verifyJwt(idToken, { issuer: endpoints.issuer, audiences: [decodeJwt(idToken)!.claims.aud as string], jwks: () => jwks });
    expect(verified).toMatchObject({ valid: true, claims: { role: 'approver', tier: 'village', region: approver.region } });
    expect(JSON.parse(readFileSync(`${dataDir}/endpoints.json`, 'utf8'))).toMatchObject({ issuer: endpoints.issuer, api: endpoints.api, console: null });

    if (endpoints.api === null) return;
    // Any route behind the authorizer: 401 without the token, past the authorizer with it.
    const route = runtime.routes.find((candidate) => candidate.authorization === 'JWT' && candidate.routeKey.startsWith('GET ') && !candidate.routeKey.includes('{'));
    if (!route) return;
    const url = `${endpoints.api}${route.routeKey.slice(4)}`;
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ message: 'Unauthorized' });
    const signed = await fetch(url, { headers: { authorization: `Bearer ${idToken}` } });
    expect(signed.status).not.toBe(401);
    expect(signed.headers.get('apigw-requestid')).toBeTruthy();
  });

  it('gives the AWS CLI what the SDK sees', async (context) => {
    const version = spawnSync('aws', ['--version'], { encoding: 'utf8' });
    if (version.status !== 0) context.skip('the aws CLI is not on PATH (apt-get install awscli); skipped');
    const { endpoints } = runtime;
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      AWS_ACCESS_KEY_ID: endpoints.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: endpoints.credentials.secretAccessKey,
      AWS_REGION: endpoints.region,
      AWS_DEFAULT_REGION: endpoints.region,
      AWS_CONFIG_FILE: `${dataDir}/no-aws-config`,
      AWS_SHARED_CREDENTIALS_FILE: `${dataDir}/no-aws-config`,
      AWS_PAGER: '',
    };
    // Asynchronously: the endpoints answer from this very process.
    const run = (...args: string[]) => promisify(execFile)('aws', args, { env, encoding: 'utf8', timeout: 30_000 });
    const aws = async (...args: string[]) => {
      const { stdout } = await run(...args, '--output', 'json');
      return stdout.trim() === '' ? {} : JSON.parse(stdout);
    };

    const cliExecutions = await aws('stepfunctions', 'list-executions', '--endpoint-url', endpoints.stepfunctions, '--state-machine-arn', endpoints.stateMachineArn);
    const sdkExecutions = await clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: endpoints.stateMachineArn }));
    expect(cliExecutions.executions.map((e: { executionArn: string }) => e.executionArn)).toEqual(sdkExecutions.executions!.map((e) => e.executionArn));

    const cliScan = await aws('dynamodb', 'scan', '--endpoint-url', endpoints.dynamodb, '--table-name', endpoints.tableName, '--select', 'COUNT');
    const sdkScan = await clients.dynamodb.send(new ScanCommand({ TableName: endpoints.tableName, Select: 'COUNT' }));
    expect(cliScan.Count).toBe(sdkScan.Count);

    const prefix = `proposals/${registered.proposalId}/`;
    const cliObjects = await run('s3', 'ls', `s3://${endpoints.evidenceBucket}/${prefix}`, '--recursive', '--endpoint-url', endpoints.s3);
    const sdkObjects = await clients.s3.send(new ListObjectsV2Command({ Bucket: endpoints.evidenceBucket, Prefix: prefix }));
    const cliKeys = cliObjects.stdout.trim().split('\n').map((line) => line.trim().split(/\s+/).at(-1));
    expect(cliKeys.sort()).toEqual(sdkObjects.Contents!.map((object) => object.Key).sort());
  }, 60_000);
});
