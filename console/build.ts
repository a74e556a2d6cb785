/**
 * Builds the web console into a folder of static files: index.html, styles.css, app.js (one minified ES module
 * bundled by esbuild from console/src and the domain rules it shares with the server), and region lists under
 * regions/ written from idn-area-data. Local runs serve the folder with local/console-server.ts; the stack
 * uploads it to S3 behind CloudFront. config.json (API and sign-in settings) is written only when `config` is
 * given: the cloud knows its API URL only at deploy time.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { loadRegionData } from '../domain/region-source.ts';
import { parseCsv } from '../domain/regions.ts';
import type { ConsoleConfig } from './src/config.ts';

export type { ConsoleConfig } from './src/config.ts';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The budget for the JavaScript a phone downloads. */
export const MAX_GZIPPED_JS_BYTES = 150 * 1024;

export interface BuildConsoleOptions {
  /** Where the static files go; created if missing. */
  outdir: string;
  /** Provinces to write region lists for; default every province in idn-area-data. */
  provinces?: readonly string[];
  /** Written as config.json when given. */
  config?: ConsoleConfig;
}

export async function buildConsole({ outdir, provinces, config }: BuildConsoleOptions): Promise<string> {
  const out = resolve(outdir);
  mkdirSync(join(out, 'regions'), { recursive: true });
  await build({
    entryPoints: [join(HERE, 'src', 'main.ts')],
    outfile: join(out, 'app.js'),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    // Phones a few years old: Android Chrome 80+, iOS Safari 14+.
    target: ['es2020'],
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
    plugins: [zodForBrowser],
  });
  copyFileSync(join(HERE, 'index.html'), join(out, 'index.html'));
  copyFileSync(join(HERE, 'styles.css'), join(out, 'styles.css'));
  writeRegions(join(out, 'regions'), provinces);
  if (config) writeFileSync(join(out, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  return out;
}

/**
 * `import { z } from 'zod'` is a namespace holding every locale and the JSON Schema converters, which no bundler
 * can shake out (about 80 KB gzipped). The domain uses only the classic schema builders and `z.iso`, so the
 * browser build gets a `z` made of just those.
 */
const zodForBrowser: Plugin = {
  name: 'zod-for-browser',
  setup(builder) {
    const classic = join(dirname(createRequire(import.meta.url).resolve('zod/package.json')), 'v4', 'classic');
    builder.onResolve({ filter: /^zod$/ }, () => ({ path: 'zod', namespace: 'zod-for-browser' }));
    builder.onLoad({ filter: /.*/, namespace: 'zod-for-browser' }, () => ({
      contents: [
        "import * as schemas from './schemas.js';",
        "import * as iso from './iso.js';",
        'export const z = { ...schemas, iso };',
      ].join('\n'),
      loader: 'js',
      resolveDir: classic,
    }));
  },
};

/**
 * `national.json`: province and regency names and every district code (a NIK or KK may come from anywhere), for
 * the same RegionDirectory the server checks with. `<province>.json`: that province's regencies, districts and
 * villages with names, for the public board's pickers and the form's village check.
 */
function writeRegions(dir: string, only?: readonly string[]): void {
  const national = loadRegionData();
  writeFileSync(join(dir, 'national.json'), JSON.stringify({ provinces: national.provinces, regencies: national.regencies, districts: national.districts }));
  const names = regionNames();
  const codes = only ?? Object.keys(national.provinces);
  for (const province of codes) {
    const inside = (code: string) => code.startsWith(`${province}.`);
    const pick = (map: Map<string, string>) => [...map].filter(([code]) => inside(code)).sort(([a], [b]) => a.localeCompare(b));
    writeFileSync(
      join(dir, `${province}.json`),
      JSON.stringify({
        province: { code: province, name: national.provinces[province] ?? province },
        regencies: pick(names.regencies),
        districts: pick(names.districts),
        villages: pick(names.villages),
      }),
    );
  }
}

function regionNames() {
  const data = join(dirname(fileURLToPath(import.meta.resolve('idn-area-data/package.json'))), 'data');
  const read = (file: string) => {
    const [header, ...rows] = parseCsv(readFileSync(join(data, `${file}.csv`), 'utf8'));
    const code = header?.indexOf('code') ?? -1;
    const name = header?.indexOf('name') ?? -1;
    return new Map(rows.map((row) => [row[code] ?? '', row[name] ?? ''] as [string, string]));
  };
  return { regencies: read('regencies'), districts: read('districts'), villages: read('villages') };
}

/** `npx tsx console/build.ts [outdir]`: builds and prints the size of app.js gzipped. */
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { gzipSync } = await import('node:zlib');
  const out = await buildConsole({ outdir: process.argv[2] ?? join(HERE, 'dist') });
  const js = readFileSync(join(out, 'app.js'));
  console.log(`${out}: app.js ${js.length} bytes, ${gzipSync(js).length} bytes gzipped`);
}
