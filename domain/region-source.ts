import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { buildRegionData, type RegionCsv, type RegionData } from './regions.ts';

/*
 * Dev, test and synth path: reads the CSVs of the installed idn-area-data
 * package. Lambdas get a prebuilt JSON instead, so this module must stay out
 * of their bundles.
 */
const cache = new Map<string, RegionData>();

function readCsv(): RegionCsv {
  const dataDir = join(dirname(createRequire(import.meta.url).resolve('idn-area-data/package.json')), 'data');
  const read = (name: string) => readFileSync(join(dataDir, `${name}.csv`), 'utf8');
  return {
    provinces: read('provinces'),
    regencies: read('regencies'),
    districts: read('districts'),
    villages: read('villages'),
  };
}

export function loadRegionData(onlyProvince?: string): RegionData {
  const key = onlyProvince ?? '';
  let data = cache.get(key);
  if (data === undefined) {
    data = buildRegionData(readCsv(), onlyProvince);
    cache.set(key, data);
  }
  return data;
}
