import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DOCUMENT_KINDS,
  HOUSEHOLD_DOCUMENT_KINDS,
  ProvinceConfigError,
  TIERS,
  TIER_LABELS,
  parseProvinceConfig,
  provinceConfig,
  requiredDocumentKinds,
  supervisorTier,
  tierRegionCode,
  type Tier,
} from '../../domain/province-config.ts';
import { PROGRAMS } from '../../domain/programs.ts';

const MB = 1024 * 1024;

describe('provinceConfig defaults', () => {
  const config = provinceConfig('81');

  it('uses the documented defaults', () => {
    expect(config).toMatchObject({
      provinceCode: '81',
      reviewDays: 10,
      tiers: [
        { tier: 'village', slaDays: 5 },
        { tier: 'district', slaDays: 5 },
        { tier: 'regency', slaDays: 10 },
        { tier: 'regent', slaDays: 10 },
      ],
      maxEscalations: 2,
      adjudicationTier: 'district',
      photo: { maxDistanceMeters: 500, maxAgeDays: 180, reuseMaxHammingDistance: 6 },
      appealDays: 30,
      cutoffDay: 17,
    });
  });

  it('limits document types and sizes', () => {
    const photos = ['image/jpeg', 'image/png'];
    expect(config.documents['house-front']).toMatchObject({ contentTypes: photos, maxBytes: 10 * MB, photo: true });
    expect(config.documents['house-interior']).toMatchObject({ contentTypes: photos, maxBytes: 10 * MB, photo: true });
    expect(config.documents['id-scan']).toMatchObject({
      contentTypes: [...photos, 'application/pdf'],
      maxBytes: 10 * MB,
      photo: false,
    });
    expect(config.documents['berita-acara']).toMatchObject({
      contentTypes: ['application/pdf'],
      maxBytes: 20 * MB,
      photo: false,
    });
    for (const kind of DOCUMENT_KINDS) expect(config.documents[kind].label.id).not.toBe('');
  });

  it('requires all four documents for every program', () => {
    for (const program of PROGRAMS) expect(config.requiredDocuments[program]).toEqual([...HOUSEHOLD_DOCUMENT_KINDS]);
  });
});

describe('provinceConfig overrides', () => {
  it('gives Papua Pegunungan a longer review and longer lower-tier SLAs', () => {
    const config = provinceConfig('95');
    expect(config.reviewDays).toBe(21);
    expect(config.tiers.find((t) => t.tier === 'village')?.slaDays).toBe(10);
    expect(config.appealDays).toBe(30);
  });

  it('merges nested overrides field by field and replaces arrays', () => {
    const config = provinceConfig('81', {
      documents: { 'berita-acara': { maxBytes: 5 * MB } },
      photo: { maxDistanceMeters: 1000 },
      requiredDocuments: { BLT_DD: ['berita-acara'] },
      tiers: [{ tier: 'village', slaDays: 3 }, { tier: 'regency', slaDays: 7 }],
      adjudicationTier: 'regency',
    });
    expect(config.documents['berita-acara']).toMatchObject({ maxBytes: 5 * MB, contentTypes: ['application/pdf'] });
    expect(config.photo).toEqual({ maxDistanceMeters: 1000, maxAgeDays: 180, reuseMaxHammingDistance: 6, utcOffset: '+09:00' });
    expect(config.requiredDocuments.BLT_DD).toEqual(['berita-acara']);
    expect(config.requiredDocuments.PKH).toHaveLength(4);
    expect(config.tiers.map((t) => t.tier)).toEqual(['village', 'regency']);
  });

  it('applies explicit overrides on top of the province\'s own', () => {
    const config = provinceConfig('95', { reviewDays: 14 });
    expect(config.reviewDays).toBe(14);
    expect(config.tiers.find((t) => t.tier === 'district')?.slaDays).toBe(10);
  });

  it('takes any valid scalar override and leaves the rest at its default', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            reviewDays: fc.integer({ min: 1, max: 90 }),
            maxEscalations: fc.integer({ min: 0, max: 5 }),
            appealDays: fc.integer({ min: 1, max: 120 }),
            cutoffDay: fc.integer({ min: 1, max: 28 }),
            adjudicationTier: fc.constantFrom<Tier>(...TIERS),
          },
          { requiredKeys: [] },
        ),
        (overrides) => {
          const config = provinceConfig('81', overrides);
          const defaults = provinceConfig('81');
          expect(config).toEqual({ ...defaults, ...overrides });
        },
      ),
    );
  });

  it('cannot be changed through a returned config', () => {
    const first = provinceConfig('81');
    first.documents['house-front'].contentTypes.push('image/gif');
    first.tiers.pop();
    const second = provinceConfig('81');
    expect(second.documents['house-front'].contentTypes).toEqual(['image/jpeg', 'image/png']);
    expect(second.tiers).toHaveLength(4);
  });
});

describe('provinceConfig validation', () => {
  const errorOf = (f: () => unknown): ProvinceConfigError => {
    try {
      f();
    } catch (error) {
      if (error instanceof ProvinceConfigError) return error;
      throw error;
    }
    throw new Error('expected a ProvinceConfigError');
  };

  const lowTiers = { adjudicationTier: 'village' } as const;
  it.each([
    [{ tiers: [] }, [['tiers', 'TOO_FEW_ITEMS'], ['adjudicationTier', 'TIER_NOT_CONFIGURED']]],
    [
      { ...lowTiers, tiers: [{ tier: 'village', slaDays: 5 }, { tier: 'village', slaDays: 5 }] },
      [['tiers.1.tier', 'TIER_ORDER']],
    ],
    [{ tiers: [{ tier: 'regency', slaDays: 5 }, { tier: 'district', slaDays: 5 }] }, [['tiers.1.tier', 'TIER_ORDER']]],
    [{ tiers: [{ tier: 'village', slaDays: 5 }] }, [['adjudicationTier', 'TIER_NOT_CONFIGURED']]],
    [{ tiers: [{ tier: 'village', slaDays: 0 }], ...lowTiers }, [['tiers.0.slaDays', 'TOO_SMALL']]],
    [{ reviewDays: 0 }, [['reviewDays', 'TOO_SMALL']]],
    [{ appealDays: -3 }, [['appealDays', 'TOO_SMALL']]],
    [{ cutoffDay: 31 }, [['cutoffDay', 'TOO_BIG']]],
    [{ photo: { maxDistanceMeters: 0 } }, [['photo.maxDistanceMeters', 'TOO_SMALL']]],
    [{ documents: { 'id-scan': { maxBytes: 1.5 } } }, [['documents.id-scan.maxBytes', 'INVALID_TYPE']]],
    [{ documents: { 'id-scan': { contentTypes: [] } } }, [['documents.id-scan.contentTypes', 'TOO_FEW_ITEMS']]],
  ] as const)('rejects %j', (overrides, expected) => {
    const error = errorOf(() => provinceConfig('81', overrides as never));
    expect(error.code).toBe('PROVINCE_CONFIG_INVALID');
    expect(error.issues.map((i) => [i.path, i.code])).toEqual(expected);
    expect(error.message).toContain(expected[0]![0]);
  });

  it('rejects a malformed province code', () => {
    expect(errorOf(() => provinceConfig('8')).issues[0]?.path).toBe('provinceCode');
  });
});

describe('parseProvinceConfig', () => {
  it('accepts a config that travelled as JSON', () => {
    const config = provinceConfig('95');
    expect(parseProvinceConfig(JSON.parse(JSON.stringify(config)))).toEqual(config);
  });

  it('rejects an incomplete or altered config', () => {
    const { photo: _photo, ...withoutPhoto } = provinceConfig('81');
    expect(() => parseProvinceConfig(withoutPhoto)).toThrow(ProvinceConfigError);
    expect(() => parseProvinceConfig({ ...provinceConfig('81'), extra: true })).toThrow(/extra/);
    expect(() => parseProvinceConfig(null)).toThrow(ProvinceConfigError);
  });
});

describe('tier helpers', () => {
  it('labels every tier in both languages', () => {
    for (const tier of TIERS) expect(TIER_LABELS[tier].id).not.toBe(TIER_LABELS[tier].en);
  });

  const config = provinceConfig('81');

  it('finds the supervising tier, the top tier supervising itself', () => {
    expect(supervisorTier(config, 'village')).toBe('district');
    expect(supervisorTier(config, 'district')).toBe('regency');
    expect(supervisorTier(config, 'regency')).toBe('regent');
    expect(supervisorTier(config, 'regent')).toBe('regent');
  });

  it('skips tiers a province does not use', () => {
    const short = provinceConfig('81', {
      tiers: [{ tier: 'village', slaDays: 5 }, { tier: 'regency', slaDays: 5 }],
      adjudicationTier: 'village',
    });
    expect(supervisorTier(short, 'village')).toBe('regency');
    expect(() => supervisorTier(short, 'district')).toThrow(/district/);
  });

  it('maps each tier to the region its officials cover', () => {
    expect(tierRegionCode('village', '81.03.05.2001')).toBe('81.03.05.2001');
    expect(tierRegionCode('district', '81.03.05.2001')).toBe('81.03.05');
    expect(tierRegionCode('regency', '81.03.05.2001')).toBe('81.03');
    expect(tierRegionCode('regent', '81.03.05.2001')).toBe('81.03');
  });
});

describe('requiredDocumentKinds', () => {
  const config = provinceConfig('81', {
    requiredDocuments: { PKH: ['id-scan', 'house-front'], BLT_DD: ['berita-acara', 'id-scan'], SEMBAKO: [] },
  });

  it('returns the union in a stable order', () => {
    expect(requiredDocumentKinds(config, ['BLT_DD', 'PKH'])).toEqual(['house-front', 'id-scan', 'berita-acara']);
    expect(requiredDocumentKinds(config, ['PKH', 'BLT_DD'])).toEqual(['house-front', 'id-scan', 'berita-acara']);
    expect(requiredDocumentKinds(config, ['SEMBAKO'])).toEqual([]);
    expect(requiredDocumentKinds(config, [])).toEqual([]);
  });
});

describe('local time of photos', () => {
  it('stamps photos without an EXIF offset in the province time zone: WIT for Maluku, WITA for Bali, WIB for Aceh', async () => {
    const { provinceConfig } = await import('../../domain/province-config.ts');
    expect(provinceConfig('81').photo.utcOffset).toBe('+09:00');
    expect(provinceConfig('51').photo.utcOffset).toBe('+08:00');
    expect(provinceConfig('11').photo.utcOffset).toBe('+07:00');
    expect(provinceConfig('81', { photo: { utcOffset: '+08:00' } }).photo.utcOffset).toBe('+08:00');
  });
});
