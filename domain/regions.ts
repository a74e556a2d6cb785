import { parseCsv as parseSheet } from './imports/csv.ts';
import { DISTRICT_RECODINGS, REGENCY_RECODINGS } from './region-recodings.ts';

/**
 * Kemendagri region codes in dotted form (`81`, `81.03`, `81.03.05`,
 * `81.03.05.2001`). `districts` is always national because a NIK may come
 * from anywhere; `villages` may hold one province only (Lambda bundles).
 */
export type RegionData = {
  provinces: Record<string, string>;
  regencies: Record<string, string>;
  districts: string[];
  villages: string[];
};

export type RegionCsv = { provinces: string; regencies: string; districts: string; villages: string };

export type DistrictClass = { kind: 'current' } | { kind: 'recoded'; current: string } | { kind: 'unknown' };

export const REGION_CODE_PATTERNS = {
  province: /^\d{2}$/,
  regency: /^\d{2}\.\d{2}$/,
  district: /^\d{2}\.\d{2}\.\d{2}$/,
  village: /^\d{2}\.\d{2}\.\d{2}\.\d{4}$/,
} as const;

/** `810305` (as in a NIK or KK) → `81.03.05`. */
export function districtCodeFromDigits(digits: string): string {
  return `${digits.slice(0, 2)}.${digits.slice(2, 4)}.${digits.slice(4, 6)}`;
}

/** The province, regency and district codes a village code starts with. */
export function parentCodes(villageCode: string): { province: string; regency: string; district: string } {
  return { province: villageCode.slice(0, 2), regency: villageCode.slice(0, 5), district: villageCode.slice(0, 8) };
}

/**
 * Region files are comma CSV read by the same RFC 4180 reader as bulk imports, which keeps a quote inside
 * an unquoted field literal: idn-area-data has names like `Soka"an`.
 */
export function parseCsv(text: string): string[][] {
  return parseSheet(text, ',').map((row) => row.cells);
}

/** Rows as objects keyed by column, checking the expected columns are there. */
function records<C extends string>(text: string, columns: readonly C[], file: string): Record<C, string>[] {
  const [header, ...rows] = parseCsv(text);
  const positions = columns.map((column) => header?.indexOf(column) ?? -1);
  if (positions.includes(-1)) {
    throw new Error(`Region CSV ${file}: expected columns ${columns.join(',')}, got ${header?.join(',') ?? 'nothing'}`);
  }
  return rows.map(
    (cells) =>
      Object.fromEntries(columns.map((column, i) => [column, cells[positions[i] ?? -1] ?? ''])) as Record<C, string>,
  );
}

export function buildRegionData(csv: RegionCsv, onlyProvince?: string): RegionData {
  const nameByCode = (rows: Record<'code' | 'name', string>[]) =>
    Object.fromEntries(rows.map((r) => [r.code, r.name]));
  return {
    provinces: nameByCode(records(csv.provinces, ['code', 'name'], 'provinces')),
    regencies: nameByCode(records(csv.regencies, ['code', 'province_code', 'name'], 'regencies')),
    districts: records(csv.districts, ['code', 'regency_code', 'name'], 'districts').map((r) => r.code),
    villages: records(csv.villages, ['code', 'district_code', 'name'], 'villages')
      .map((r) => r.code)
      .filter((code) => onlyProvince === undefined || code.startsWith(`${onlyProvince}.`)),
  };
}

const regencyRecodings = new Map(REGENCY_RECODINGS.map((r) => [r.from, r.to]));
const districtRecodings = new Map(DISTRICT_RECODINGS.map((r) => [r.from, r.to]));
const recodedProvinces = new Set(REGENCY_RECODINGS.map((r) => r.from.slice(0, 2)));

export class RegionDirectory {
  readonly #provinces: ReadonlyMap<string, string>;
  readonly #regencies: ReadonlyMap<string, string>;
  readonly #districts: ReadonlySet<string>;
  readonly #villages: ReadonlySet<string>;

  constructor(data: RegionData) {
    this.#provinces = new Map(Object.entries(data.provinces));
    this.#regencies = new Map(Object.entries(data.regencies));
    this.#districts = new Set(data.districts);
    this.#villages = new Set(data.villages);
  }

  provinceName(code: string): string | undefined {
    return this.#provinces.get(code);
  }

  regencyName(code: string): string | undefined {
    return this.#regencies.get(code);
  }

  isDistrict(code: string): boolean {
    return this.#districts.has(code);
  }

  /** False for villages outside the province this directory was built for. */
  isVillage(code: string): boolean {
    return this.#villages.has(code);
  }

  provinceCodes(): string[] {
    return [...this.#provinces.keys()];
  }

  /** A current province, or one whose old codes appear in the re-coding table. */
  isKnownProvince(code: string): boolean {
    return this.#provinces.has(code) || recodedProvinces.has(code);
  }

  classifyDistrict(code: string): DistrictClass {
    if (this.#districts.has(code)) return { kind: 'current' };
    const explicit = districtRecodings.get(code);
    if (explicit !== undefined && this.#districts.has(explicit)) return { kind: 'recoded', current: explicit };
    const newRegency = regencyRecodings.get(code.slice(0, 5));
    if (newRegency !== undefined) {
      const candidate = newRegency + code.slice(5);
      if (this.#districts.has(candidate)) return { kind: 'recoded', current: candidate };
    }
    return { kind: 'unknown' };
  }
}
