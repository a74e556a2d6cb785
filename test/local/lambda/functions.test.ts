import { describe, expect, it } from 'vitest';
import { sandboxExecArgv } from '../../../local/lambda/functions.ts';

describe('Lambda sandboxes', () => {
  it("start without the parent's TypeScript loader, in either spelling, and keep every other Node option", () => {
    const parent = [
      '--require',
      '/work/node_modules/tsx/dist/preflight.cjs',
      '--import',
      'file:///work/node_modules/tsx/dist/loader.mjs',
      '--enable-source-maps',
      '--import=file:///work/node_modules/tsx/dist/esm/index.mjs',
      '--require',
      '/work/test/setup.cjs',
      '--max-old-space-size=512',
      '--import',
      'tsx',
      '--import=tsx/esm',
      '--import',
      '/work/tsx-free/hooks.mjs',
    ];
    expect(sandboxExecArgv(parent)).toEqual(['--enable-source-maps', '--require', '/work/test/setup.cjs', '--max-old-space-size=512', '--import', '/work/tsx-free/hooks.mjs']);
    expect(sandboxExecArgv([])).toEqual([]);
  });
});
