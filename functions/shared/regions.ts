import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RegionDirectory, type RegionData } from '../../domain/regions.ts';
import { loadRegionData } from '../../domain/region-source.ts';

/**
 * Deployed bundles carry `regions.json` (national districts, the province's villages) beside them;
 * from source (tests, local runs) the data comes straight from idn-area-data.
 */
export function regionDirectory(provinceCode: string): RegionDirectory {
  const bundled = fileURLToPath(new URL('./regions.json', import.meta.url));
  const data: RegionData = existsSync(bundled)
    ? JSON.parse(readFileSync(bundled, 'utf8'))
    : loadRegionData(provinceCode);
  return new RegionDirectory(data);
}
