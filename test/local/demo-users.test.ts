import { describe, expect, it } from 'vitest';
import { provinceConfig, TIERS } from '../../domain/province-config.ts';
import { REGION_CODE_PATTERNS } from '../../domain/regions.ts';
import { loadRegionData } from '../../domain/region-source.ts';
import { demoHouseholds } from '../../local/demo-data.ts';
import { DEMO_PASSWORD, demoUsers } from '../../local/demo-users.ts';

describe('demo users', () => {
  it('has an operator and a village head for every demo village, and approvers above them up to the regent', () => {
    const users = demoUsers('81');
    const villages = [...new Set(demoHouseholds('81', provinceConfig('81')).map((household) => household.input.villageCode))];
    const of = (role: string, tier?: string) => users.filter((user) => user.role === role && user.tier === tier).map((user) => user.region);
    expect(of('village_operator').sort()).toEqual([...villages].sort());
    expect(of('approver', 'village').sort()).toEqual([...villages].sort());
    expect(of('approver', 'district').sort()).toEqual([...new Set(villages.map((code) => code.slice(0, 8)))].sort());
    expect(of('approver', 'regency').sort()).toEqual([...new Set(villages.map((code) => code.slice(0, 5)))].sort());
    expect(of('approver', 'regent')).toEqual(of('approver', 'regency'));
    expect(users.filter((user) => user.role === 'admin')).toEqual([expect.objectContaining({ username: 'admin-81', region: '81' })]);
    expect(new Set(users.map((user) => user.tier).filter(Boolean))).toEqual(new Set(TIERS));
  });

  it('names real regions, in Indonesian, with one shared password and unique usernames', () => {
    const users = demoUsers('81');
    const regions = loadRegionData('81');
    expect(new Set(users.map((user) => user.username)).size).toBe(users.length);
    for (const user of users) {
      expect(user.password).toBe(DEMO_PASSWORD);
      expect(user.name).toMatch(/^\p{Lu}\p{Ll}+ \p{Lu}\p{Ll}+$/u);
      if (REGION_CODE_PATTERNS.village.test(user.region)) expect(regions.villages).toContain(user.region);
      if (REGION_CODE_PATTERNS.district.test(user.region)) expect(regions.districts).toContain(user.region);
      if (REGION_CODE_PATTERNS.regency.test(user.region)) expect(Object.keys(regions.regencies)).toContain(user.region);
    }
    expect(users.find((user) => user.username === 'approver-regent-81.71')?.title).toBe('Wali Kota Ambon');
    expect(users.find((user) => user.username === 'admin-81')?.title).toBe('Admin Provinsi Maluku');
    expect(users.filter((user) => user.role === 'village_operator').every((user) => /^Operator (Desa|Kelurahan) \S/.test(user.title))).toBe(true);
  });

  it('is derived for any province', () => {
    const users = demoUsers('73');
    expect(users.every((user) => user.region.startsWith('73'))).toBe(true);
    expect(users.find((user) => user.role === 'admin')?.username).toBe('admin-73');
    expect(users.some((user) => user.title.startsWith('Bupati '))).toBe(true);
  });
});
