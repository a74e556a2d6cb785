import { loadRegionData } from '../domain/region-source.ts';

export type Province = { code: string; name: string };

/** The provinces idn-area-data ships (38 since the 2022 Papua splits), in code order. */
export function listProvinces(): Province[] {
  return Object.entries(loadRegionData().provinces)
    .map(([code, name]) => ({ code, name }))
    .sort((a, b) => a.code.localeCompare(b.code));
}

export class UnknownProvinceError extends Error {
  constructor(
    readonly given: string,
    readonly valid: Province[],
  ) {
    super(
      `Unknown province code "${given}". Pass one of these with -c province=<code>:\n` +
        valid.map(({ code, name }) => `  ${code}  ${name}`).join('\n'),
    );
    this.name = 'UnknownProvinceError';
  }
}

export function findProvince(code: string): Province {
  const provinces = listProvinces();
  const province = provinces.find((candidate) => candidate.code === code);
  if (!province) throw new UnknownProvinceError(code, provinces);
  return province;
}

/**
 * `Verval-<code>-<Name>`: the official name split on anything that is not a letter or digit, accents
 * dropped, each word capitalised and the rest lower-cased ("DKI JAKARTA" → "DkiJakarta"). The code
 * keeps names unique; the name is there for people reading the console. Always a valid stack name
 * (letters, digits, hyphens, starting with a letter, at most 128 characters).
 */
export function stackNameFor({ code, name }: Province): string {
  const pascal = name
    .normalize('NFKD')
    .replace(/[^\x00-\x7f]/g, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1).toLowerCase())
    .join('');
  return `Verval-${code}-${pascal}`.slice(0, 128);
}
