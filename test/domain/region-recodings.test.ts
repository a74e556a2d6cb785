import { describe, expect, it } from 'vitest';
import { DISTRICT_RECODINGS, REGENCY_RECODINGS } from '../../domain/region-recodings.ts';
import { nationalRegions } from './support/proposal-fixture.ts';

describe('REGENCY_RECODINGS against idn-area-data', () => {
  it.each(REGENCY_RECODINGS)('$from → $to is the current $name', ({ from, to, name }) => {
    expect(nationalRegions.regencyName(to)).toBe(name);
    // The old code is retired: it must not name a current regency.
    expect(nationalRegions.regencyName(from)).toBeUndefined();
    // Regions only moved to a new province.
    expect(to.slice(0, 2)).not.toBe(from.slice(0, 2));
  });

  it('maps each old code once and to a distinct target', () => {
    const froms = REGENCY_RECODINGS.map((r) => r.from);
    const tos = REGENCY_RECODINGS.map((r) => r.to);
    expect(new Set(froms).size).toBe(froms.length);
    expect(new Set(tos).size).toBe(tos.length);
  });

  it('covers every regency of the new provinces that came from a split', () => {
    const targets = new Set(REGENCY_RECODINGS.map((r) => r.to));
    for (const province of ['93', '94', '95', '96', '65']) {
      for (const regency of regenciesOf(province)) {
        expect(targets.has(regency), regency).toBe(true);
      }
    }
    // Sulawesi Barat, except Mamuju Tengah (76.06), carved out of Mamuju in 2012.
    for (const regency of regenciesOf('76').filter((r) => r !== '76.06')) {
      expect(targets.has(regency), regency).toBe(true);
    }
  });

  it.each([
    ['91.01.01', '93.01.01'], // Merauke
    ['92.71.01', '96.71.01'], // Kota Sorong
    ['64.73.01', '65.71.01'], // Tarakan Barat
    ['73.19.01', '76.04.01'], // Tinambung, Polewali Mandar
  ])('classifies old district %s as re-coded to %s', (old, current) => {
    expect(nationalRegions.classifyDistrict(old)).toEqual({ kind: 'recoded', current });
  });

  it('has district exceptions only where the current district exists', () => {
    for (const { to } of DISTRICT_RECODINGS) expect(nationalRegions.isDistrict(to)).toBe(true);
  });
});

function regenciesOf(province: string): string[] {
  const codes: string[] = [];
  for (let n = 1; n <= 99; n++) {
    const code = `${province}.${String(n).padStart(2, '0')}`;
    if (nationalRegions.regencyName(code) !== undefined) codes.push(code);
  }
  return codes;
}
