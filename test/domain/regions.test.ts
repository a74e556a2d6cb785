import { describe, expect, it } from 'vitest';
import {
  RegionDirectory,
  buildRegionData,
  districtCodeFromDigits,
  parentCodes,
  parseCsv,
} from '../../domain/regions.ts';
import { nationalRegions } from './support/proposal-fixture.ts';

describe('parseCsv', () => {
  it('reads quoted fields containing commas, newlines and doubled quotes', () => {
    expect(parseCsv('code,name\n1,"Kota, Utara"\n2,"Say ""hi""\nthere"\n')).toEqual([
      ['code', 'name'],
      ['1', 'Kota, Utara'],
      ['2', 'Say "hi"\nthere'],
    ]);
  });

  it('keeps a quote inside an unquoted field literally (idn-area-data has Soka"an)', () => {
    expect(parseCsv('35.13.15.2017,35.13.15,Soka"an\n94.04.10.2004,94.04.10,T"Singa')).toEqual([
      ['35.13.15.2017', '35.13.15', 'Soka"an'],
      ['94.04.10.2004', '94.04.10', 'T"Singa'],
    ]);
  });

  it('accepts CRLF line ends, a byte-order mark and a missing final newline', () => {
    expect(parseCsv('\uFEFFcode,name\r\n11,ACEH\r\n12,"SUMATERA UTARA"')).toEqual([
      ['code', 'name'],
      ['11', 'ACEH'],
      ['12', 'SUMATERA UTARA'],
    ]);
  });

  it('keeps empty fields', () => {
    expect(parseCsv('a,,c\n,,\n')).toEqual([
      ['a', '', 'c'],
      ['', '', ''],
    ]);
  });
});

const sampleCsv = {
  provinces: 'code,name\n81,MALUKU\n93,PAPUA SELATAN\n',
  regencies: 'code,province_code,name\n81.03,81,"KABUPATEN KEPULAUAN TANIMBAR"\n93.01,93,KABUPATEN MERAUKE\n',
  districts: 'code,regency_code,name\n81.03.05,81.03,Tanimbar Utara\n93.01.01,93.01,Merauke\n',
  villages: 'code,district_code,name\n81.03.05.2001,81.03.05,Lelingluan\n93.01.01.1001,93.01.01,"Kelapa Lima, Kota"\n',
};

describe('buildRegionData', () => {
  it('turns the four CSVs into codes and names', () => {
    expect(buildRegionData(sampleCsv)).toEqual({
      provinces: { '81': 'MALUKU', '93': 'PAPUA SELATAN' },
      regencies: { '81.03': 'KABUPATEN KEPULAUAN TANIMBAR', '93.01': 'KABUPATEN MERAUKE' },
      districts: ['81.03.05', '93.01.01'],
      villages: ['81.03.05.2001', '93.01.01.1001'],
    });
  });

  it('restricts only the villages to one province', () => {
    const data = buildRegionData(sampleCsv, '81');
    expect(data.villages).toEqual(['81.03.05.2001']);
    expect(data.districts).toEqual(['81.03.05', '93.01.01']);
    expect(Object.keys(data.provinces)).toEqual(['81', '93']);
  });

  it('rejects a file without the expected columns', () => {
    expect(() => buildRegionData({ ...sampleCsv, districts: 'id,name\n1,x\n' })).toThrow(/districts/);
  });
});

describe('code helpers', () => {
  it('dots the six NIK/KK digits into a district code', () => {
    expect(districtCodeFromDigits('810305')).toBe('81.03.05');
    expect(districtCodeFromDigits('8103051204800001')).toBe('81.03.05');
  });

  it('derives the parents of a village code', () => {
    expect(parentCodes('81.03.05.2001')).toEqual({ province: '81', regency: '81.03', district: '81.03.05' });
  });
});

describe('RegionDirectory (idn-area-data)', () => {
  it('knows names of provinces and regencies', () => {
    expect(nationalRegions.provinceName('81')).toBe('MALUKU');
    expect(nationalRegions.regencyName('93.01')).toBe('KABUPATEN MERAUKE');
    expect(nationalRegions.provinceName('99')).toBeUndefined();
    expect(nationalRegions.provinceCodes()).toHaveLength(38);
  });

  it('recognises districts and villages', () => {
    expect(nationalRegions.isDistrict('81.03.05')).toBe(true);
    expect(nationalRegions.isDistrict('81.03')).toBe(false);
    expect(nationalRegions.isVillage('81.03.05.2001')).toBe(true);
    expect(nationalRegions.isVillage('81.03.05.9999')).toBe(false);
  });

  it('classifies current, re-coded and unknown districts', () => {
    expect(nationalRegions.classifyDistrict('81.03.05')).toEqual({ kind: 'current' });
    expect(nationalRegions.classifyDistrict('91.01.01')).toEqual({ kind: 'recoded', current: '93.01.01' });
    expect(nationalRegions.classifyDistrict('81.03.99')).toEqual({ kind: 'unknown' });
    // Old Merauke regency, but no such district today.
    expect(nationalRegions.classifyDistrict('91.01.99')).toEqual({ kind: 'unknown' });
  });

  it('knows current provinces and only those', () => {
    expect(nationalRegions.isKnownProvince('81')).toBe(true);
    expect(nationalRegions.isKnownProvince('96')).toBe(true);
    expect(nationalRegions.isKnownProvince('20')).toBe(false);
    expect(nationalRegions.isKnownProvince('99')).toBe(false);
  });

  it('treats an old province from the re-coding table as known even if it no longer exists', () => {
    const withoutPapua = new RegionDirectory({
      provinces: { '93': 'PAPUA SELATAN' },
      regencies: {},
      districts: ['93.01.01'],
      villages: [],
    });
    expect(withoutPapua.isKnownProvince('91')).toBe(true);
    expect(withoutPapua.classifyDistrict('91.01.01')).toEqual({ kind: 'recoded', current: '93.01.01' });
  });
});
