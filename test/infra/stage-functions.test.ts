import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provinceConfig } from '../../domain/province-config.ts';
import type { ProvinceStack } from '../../infra/province-stack.ts';
import { listProvinces } from '../../infra/provinces.ts';
import { STAGES, type StageName } from '../../infra/stage-functions.ts';
import { RECORDS_TABLE_ACTIONS } from '../../infra/verval-function.ts';
import { actionsOf, removeTempOutdirs, statementsOfRole, synthProvince } from './support.ts';

afterAll(removeTempOutdirs);

const STAGE_NAMES = Object.keys(STAGES) as StageName[];

describe('StageFunctions', () => {
  let template: Template;
  let stack: ProvinceStack;
  const idOf = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);
  const fnOf = (name: StageName) => template.toJSON().Resources[idOf(stack.stages.functions[name])];
  const roleIdOf = (name: StageName) => idOf(stack.stages.functions[name].role as never);

  beforeAll(() => {
    ({ template, stack } = synthProvince({ province: '81' }));
  });

  it('has one function per handler in functions/, each exporting handler', () => {
    expect(Object.keys(stack.stages.functions).sort()).toEqual([...STAGE_NAMES].sort());
    const ids = STAGE_NAMES.map((name) => idOf(stack.stages.functions[name]));
    expect(new Set(ids).size).toBe(STAGE_NAMES.length);
    for (const id of ids) expect(template.toJSON().Resources[id].Type).toBe('AWS::Lambda::Function');
    for (const { file } of Object.values(STAGES)) expect(existsSync(join('functions', file)), file).toBe(true);
    for (const name of STAGE_NAMES) expect(fnOf(name).Properties.Handler).toBe('index.handler');
  });

  it('runs every function on nodejs22.x, arm64, with active tracing and no reserved concurrency', () => {
    for (const name of STAGE_NAMES) {
      expect(fnOf(name).Properties, name).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
      expect(fnOf(name).Properties, name).not.toHaveProperty('ReservedConcurrentExecutions');
    }
  });

  it('gives check-evidence 1024 MB and 60 s, every other stage 512 MB and 30 s', () => {
    for (const name of STAGE_NAMES) {
      const expected = name === 'checkEvidence' ? { MemorySize: 1024, Timeout: 60 } : { MemorySize: 512, Timeout: 30 };
      expect(fnOf(name).Properties, name).toMatchObject(expected);
    }
  });

  it('passes the environment contract: table, province, config, and the bucket or secret only where needed', () => {
    const tableRef = { Ref: idOf(stack.recordsTable.table) };
    const config = provinceConfig('81');
    for (const name of STAGE_NAMES) {
      const env = fnOf(name).Properties.Environment.Variables;
      const expectedKeys = ['PROVINCE_CODE', 'PROVINCE_CONFIG', 'TABLE_NAME'];
      if (name === 'checkEvidence') expectedKeys.push('EVIDENCE_BUCKET');
      if (name === 'checkDuplicates') expectedKeys.push('IDENTITY_HASH_SECRET_ARN');
      expect(Object.keys(env).sort(), name).toEqual(expectedKeys.sort());
      expect(env.TABLE_NAME).toEqual(tableRef);
      expect(env.PROVINCE_CODE).toBe('81');
      expect(JSON.parse(env.PROVINCE_CONFIG)).toEqual(config);
    }
    expect(fnOf('checkEvidence').Properties.Environment.Variables.EVIDENCE_BUCKET).toEqual({
      Ref: idOf(stack.evidence.bucket),
    });
    expect(fnOf('checkDuplicates').Properties.Environment.Variables.IDENTITY_HASH_SECRET_ARN).toEqual({
      Ref: idOf(stack.identityHashSecret.secret),
    });
  });

  it("keeps every province's environment well under Lambda's 4 KB limit", () => {
    // Names and resolved values (ARNs, bucket names) add at most a few hundred bytes to the config.
    for (const { code } of listProvinces()) {
      expect(JSON.stringify(provinceConfig(code)).length + 600, code).toBeLessThan(4096);
    }
  });

  it('logs each function to its own log group, kept a year and encrypted with the province key', () => {
    const keyArn = { 'Fn::GetAtt': [idOf(stack.node.findChild('EncryptionKey').node.findChild('Key') as never), 'Arn'] };
    const logGroups = template.toJSON().Resources;
    const seen = new Set<string>();
    for (const name of STAGE_NAMES) {
      const logGroupId = fnOf(name).Properties.LoggingConfig.LogGroup.Ref as string;
      seen.add(logGroupId);
      expect(logGroups[logGroupId].Properties, name).toEqual({ RetentionInDays: 365, KmsKeyId: keyArn });
    }
    expect(seen.size).toBe(STAGE_NAMES.length);
  });

  it('gives each function its own role, with no AWS managed policies', () => {
    const roleIds = new Set(STAGE_NAMES.map(roleIdOf));
    expect(roleIds.size).toBe(STAGE_NAMES.length);
    for (const roleId of roleIds) {
      expect(template.toJSON().Resources[roleId].Properties).not.toHaveProperty('ManagedPolicyArns');
    }
  });

  it('grants S3 reads only to check-evidence and the identity secret only to check-duplicates', () => {
    for (const name of STAGE_NAMES) {
      const actions = actionsOf(statementsOfRole(template, roleIdOf(name)));
      expect(actions.some((a) => a.startsWith('s3:')), name).toBe(name === 'checkEvidence');
      expect(actions.some((a) => a.startsWith('secretsmanager:')), name).toBe(name === 'checkDuplicates');
      expect(actions.filter((a) => a.startsWith('dynamodb:')).sort(), name).toEqual([...RECORDS_TABLE_ACTIONS].sort());
      expect(actions.filter((a) => /^s3:(Put|Delete)/.test(a)), name).toEqual([]);
    }
  });

  it('grants every DynamoDB call the stage code makes', () => {
    // TransactWriteItems is authorised item by item; the adapter uses Put, Update, Delete and ConditionCheck in it.
    const actionsFor: Record<string, string[]> = {
      Get: ['GetItem'],
      GetItem: ['GetItem'],
      BatchGet: ['BatchGetItem'],
      BatchGetItem: ['BatchGetItem'],
      Query: ['Query'],
      Put: ['PutItem'],
      PutItem: ['PutItem'],
      Update: ['UpdateItem'],
      UpdateItem: ['UpdateItem'],
      Delete: ['DeleteItem'],
      DeleteItem: ['DeleteItem'],
      TransactWrite: ['PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
      TransactWriteItems: ['PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
      TransactGet: ['GetItem'],
      TransactGetItems: ['GetItem'],
    };
    const granted = new Set(RECORDS_TABLE_ACTIONS);
    const used = dynamoDbCommandsIn('functions');
    expect(used.length).toBeGreaterThan(0);
    for (const { file, command } of used) {
      const needed = actionsFor[command];
      expect(needed, `${file}: ${command}Command has no known IAM mapping; add it here and to RECORDS_TABLE_ACTIONS`).toBeDefined();
      for (const action of needed!) expect(granted.has(`dynamodb:${action}`), `${file}: ${command}Command`).toBe(true);
    }
  });

  it('lets only request-decision answer task tokens, of this state machine, through a policy apart from the default one', () => {
    const machineArn = { Ref: idOf(stack.workflow.stateMachine) };
    for (const name of STAGE_NAMES) {
      const states = actionsOf(statementsOfRole(template, roleIdOf(name))).filter((a) => a.startsWith('states:'));
      expect(states.sort(), name).toEqual(name === 'requestDecision' ? ['states:SendTaskFailure', 'states:SendTaskSuccess'] : []);
    }
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: roleIdOf('requestDecision') }], PolicyDocument: { Statement: [{ Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'], Resource: machineArn }] } },
    });
    expect(Object.keys(policies)).toHaveLength(1);
    // The function waits for its default policy only; waiting for this one would close a cycle through the machine.
    expect(fnOf('requestDecision').DependsOn).not.toContain(Object.keys(policies)[0]);
  });

  it('lets the stages use the key for the table only through DynamoDB', () => {
    const keyStatement = statementsOfRole(template, roleIdOf('finalize')).find((s) =>
      actionsOf([s]).includes('kms:GenerateDataKey*'),
    ) as { Condition?: unknown } | undefined;
    expect(keyStatement?.Condition).toEqual({ StringEquals: { 'kms:ViaService': 'dynamodb.ap-southeast-3.amazonaws.com' } });
  });

  it('reads evidence only under proposals/', () => {
    const bucketArn = { 'Fn::GetAtt': [idOf(stack.evidence.bucket), 'Arn'] };
    const s3Statement = statementsOfRole(template, roleIdOf('checkEvidence')).find((s) =>
      actionsOf([s]).some((a) => a.startsWith('s3:')),
    );
    expect(s3Statement?.Resource).toEqual([bucketArn, { 'Fn::Join': ['', [bucketArn, '/proposals/*']] }]);
    expect(actionsOf([s3Statement!]).every((a) => /^s3:(Get|List)/.test(a))).toBe(true);
  });

  it('uses Resource "*" only for X-Ray, which has no resource-level permissions', () => {
    for (const name of STAGE_NAMES) {
      const wildcard = statementsOfRole(template, roleIdOf(name)).filter((s) => s.Resource === '*');
      expect(actionsOf(wildcard).sort(), name).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    }
  });
});

/** `new XCommand(` calls in files under `dir` that import a DynamoDB SDK package. */
function dynamoDbCommandsIn(dir: string): { file: string; command: string }[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts'))
    .map((file) => ({ file: join(dir, file), source: readFileSync(join(dir, file), 'utf8') }))
    .filter(({ source }) => /from '@aws-sdk\/(lib|client)-dynamodb'/.test(source))
    .flatMap(({ file, source }) => [...source.matchAll(/new (\w+)Command\(/g)].map((match) => ({ file, command: match[1]! })));
}
