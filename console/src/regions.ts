import { RegionDirectory } from '../../domain/regions.ts';

/** The region lists console/build.ts writes: names for pickers, codes for the same checks the server runs. */
export type ProvinceRegions = {
  province: { code: string; name: string };
  regencies: [string, string][];
  districts: [string, string][];
  villages: [string, string][];
};
type National = { provinces: Record<string, string>; regencies: Record<string, string>; districts: string[] };

let province: Promise<ProvinceRegions> | undefined;
let directory: Promise<RegionDirectory> | undefined;

export function provinceRegions(code: string): Promise<ProvinceRegions> {
  return (province ??= fetchJson<ProvinceRegions>(`regions/${code}.json`));
}

/** Fetched on first use only: the operator form needs it, the public board does not. */
export function regionDirectory(code: string): Promise<RegionDirectory> {
  return (directory ??= Promise.all([fetchJson<National>('regions/national.json'), provinceRegions(code)]).then(
    ([national, own]) => new RegionDirectory({ ...national, villages: own.villages.map(([village]) => village) }),
  ));
}

export async function villageName(provinceCode: string, villageCode: string): Promise<string | undefined> {
  try {
    const regions = await provinceRegions(provinceCode);
    return regions.villages.find(([code]) => code === villageCode)?.[1];
  } catch {
    return undefined;
  }
}

async function fetchJson<T>(path: string): Promise<T> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}
