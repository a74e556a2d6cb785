import { describe, expect, it } from 'vitest';
import { findProvince, listProvinces, stackNameFor, UnknownProvinceError } from '../../infra/provinces.ts';

describe('listProvinces', () => {
  it('lists the 38 provinces idn-area-data ships, in code order', () => {
    const provinces = listProvinces();
    expect(provinces).toHaveLength(38);
    expect(provinces.map((p) => p.code)).toEqual([...provinces.map((p) => p.code)].sort());
    expect(provinces).toContainEqual({ code: '81', name: 'MALUKU' });
    expect(provinces).toContainEqual({ code: '96', name: 'PAPUA BARAT DAYA' });
  });
});

describe('findProvince', () => {
  it('finds a province by its two-digit code', () => {
    expect(findProvince('52')).toEqual({ code: '52', name: 'NUSA TENGGARA BARAT' });
  });

  it.each(['99', '8', '081', '', 'maluku'])('rejects %j with every valid code and name in the message', (code) => {
    const error = (() => {
      try {
        findProvince(code);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(UnknownProvinceError);
    const message = (error as Error).message;
    expect(message).toContain(`Unknown province code "${code}"`);
    for (const { code: valid, name } of listProvinces()) expect(message).toMatch(new RegExp(`\\b${valid}\\s+${name}\\b`));
  });
});

describe('stackNameFor', () => {
  it.each([
    ['81', 'MALUKU', 'Verval-81-Maluku'],
    ['52', 'NUSA TENGGARA BARAT', 'Verval-52-NusaTenggaraBarat'],
    ['31', 'DKI JAKARTA', 'Verval-31-DkiJakarta'],
    ['34', 'DAERAH ISTIMEWA YOGYAKARTA', 'Verval-34-DaerahIstimewaYogyakarta'],
    ['19', 'KEPULAUAN BANGKA BELITUNG', 'Verval-19-KepulauanBangkaBelitung'],
  ])('names province %s (%s) %s', (code, name, expected) => {
    expect(stackNameFor({ code, name })).toBe(expected);
  });

  it('drops accents and punctuation so the name stays ASCII', () => {
    expect(stackNameFor({ code: '99', name: 'Sulawesi  Tengah-Selatan (Baru) É' })).toBe(
      'Verval-99-SulawesiTengahSelatanBaruE',
    );
  });

  it('gives every province a unique, valid CloudFormation stack name', () => {
    const names = listProvinces().map(stackNameFor);
    expect(new Set(names).size).toBe(38);
    for (const name of names) expect(name).toMatch(/^[A-Za-z][A-Za-z0-9-]{0,127}$/);
  });
});
