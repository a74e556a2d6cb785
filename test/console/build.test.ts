import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole, MAX_GZIPPED_JS_BYTES } from '../../console/build.ts';
import { startConsoleServer, type ConsoleServer } from '../../local/console-server.ts';

describe('console build', () => {
  let outdir: string;
  let server: ConsoleServer;

  beforeAll(async () => {
    outdir = await buildConsole({
      outdir: mkdtempSync(join(tmpdir(), 'verval-console-')),
      provinces: ['81'],
      config: { apiUrl: 'http://127.0.0.1:1', province: '81', auth: { kind: 'local', issuer: 'http://127.0.0.1:2' } },
    });
    server = await startConsoleServer({ dir: outdir });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    rmSync(outdir, { recursive: true, force: true });
  });

  it('keeps the JavaScript one ES module under the 150 KB gzipped budget, free of Node and the AWS SDK', () => {
    const js = readFileSync(join(outdir, 'app.js'));
    expect(gzipSync(js).length).toBeLessThan(MAX_GZIPPED_JS_BYTES);
    const text = js.toString('utf8');
    expect(text).not.toMatch(/from\s*["']node:|require\(["']|@aws-sdk|\bBuffer\.from\b/);
    // The shared domain rules are in it: the NIK messages the server gives.
    expect(text).toContain('tidak sesuai dengan jenis kelamin yang diisi');
  });

  it('writes the region lists and the config', () => {
    const province = JSON.parse(readFileSync(join(outdir, 'regions', '81.json'), 'utf8'));
    expect(province.province).toEqual({ code: '81', name: 'MALUKU' });
    expect(province.villages).toContainEqual(['81.71.01.1006', expect.any(String)]);
    const national = JSON.parse(readFileSync(join(outdir, 'regions', 'national.json'), 'utf8'));
    expect(national.districts.length).toBeGreaterThan(7000);
    expect(JSON.parse(readFileSync(join(outdir, 'config.json'), 'utf8'))).toMatchObject({ province: '81', auth: { kind: 'local' } });
  });

  it('serves the files with their types, and nothing outside the folder', async () => {
    const index = await fetch(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await index.text()).toContain('<main id="main"');
    expect((await fetch(`${server.url}/app.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${server.url}/config.json`)).status).toBe(200);
    expect((await fetch(`${server.url}/%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404);
    expect((await fetch(`${server.url}/nope.js`)).status).toBe(404);
    expect((await fetch(`${server.url}/`, { method: 'POST' })).status).toBe(405);
  });
});
