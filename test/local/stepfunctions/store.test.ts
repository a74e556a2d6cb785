import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExecutionStore, definitionHash, type ExecutionRecord } from '../../../local/stepfunctions/store.ts';
import { tempDir } from './fixtures.ts';

function record(name: string, status: ExecutionRecord['status'] = 'RUNNING'): ExecutionRecord {
  return {
    version: 1,
    executionArn: `arn:aws:states:ap-southeast-3:000000000000:execution:M:${name}`,
    stateMachineArn: 'arn:aws:states:ap-southeast-3:000000000000:stateMachine:M',
    name,
    definitionHash: 'h',
    status,
    input: '{}',
    startDate: 1,
    history: [],
    retiredTokens: {},
  };
}

describe('ExecutionStore', () => {
  it('reads back the last saved version of each execution and leaves no temporary files', () => {
    const dir = tempDir();
    const store = new ExecutionStore(dir);
    store.save(record('a'));
    store.save({ ...record('a'), status: 'SUCCEEDED', output: '{"ok":true}' });
    store.save(record('b'));

    const loaded = new ExecutionStore(dir).loadAll().sort((x, y) => x.name.localeCompare(y.name));
    expect(loaded.map((item) => [item.name, item.status, item.output])).toEqual([
      ['a', 'SUCCEEDED', '{"ok":true}'],
      ['b', 'RUNNING', undefined],
    ]);
    expect(readdirSync(join(dir, 'executions')).some((file) => file.endsWith('.tmp'))).toBe(false);
  });

  it('discards a temporary file left by a crash between write and rename', () => {
    const dir = tempDir();
    const store = new ExecutionStore(dir);
    store.save(record('a'));
    writeFileSync(join(dir, 'executions', 'abc.json.123.1.tmp'), '{"half":');

    expect(new ExecutionStore(dir).loadAll().map((item) => item.name)).toEqual(['a']);
    expect(readdirSync(join(dir, 'executions')).some((file) => file.endsWith('.tmp'))).toBe(false);
  });

  it('keeps definitions by content hash', () => {
    const store = new ExecutionStore(tempDir());
    const definition = { StartAt: 'Done', States: { Done: { Type: 'Succeed' } } };
    const hash = definitionHash(definition);
    store.saveDefinition(hash, definition);

    expect(store.loadDefinition(hash)).toEqual(definition);
    expect(store.loadDefinition('unknown')).toBeUndefined();
    expect(definitionHash({ ...definition, Comment: 'changed' })).not.toBe(hash);
  });
});
