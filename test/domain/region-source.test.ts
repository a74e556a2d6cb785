import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadRegionData } from '../../domain/region-source.ts';

const csvLines = (name: string) => {
  const path = createRequire(import.meta.url).resolve(`idn-area-data/data/${name}.csv`);
  return readFileSync(path, 'utf8').trim().split('\n').length - 1;
};

describe('loadRegionData', () => {
  it('reads every row of the installed idn-area-data', () => {
    const data = loadRegionData();
    expect(Object.keys(data.provinces)).toHaveLength(csvLines('provinces'));
    expect(Object.keys(data.regencies)).toHaveLength(csvLines('regencies'));
    expect(data.districts).toHaveLength(7277);
    expect(data.villages).toHaveLength(csvLines('villages'));
  });

  it('keeps national districts but only the chosen province\'s villages', () => {
    const maluku = loadRegionData('81');
    expect(maluku.districts).toHaveLength(7277);
    expect(maluku.villages.length).toBeGreaterThan(1000);
    expect(maluku.villages.every((code) => code.startsWith('81.'))).toBe(true);
    expect(maluku.villages).toContain('81.03.05.2001');
  });

  it('caches per argument', () => {
    expect(loadRegionData('81')).toBe(loadRegionData('81'));
    expect(loadRegionData('81')).not.toBe(loadRegionData());
  });
});
