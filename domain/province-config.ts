import { z } from 'zod';
import { LocalizedSchema, fieldLabel, zodIssues, type Localized, type ValidationIssue } from './messages.ts';
import { PROGRAMS, type Program } from './programs.ts';
import { REGION_CODE_PATTERNS, parentCodes } from './regions.ts';

/** Approval tiers, lowest first. `regent` is the bupati/wali kota's ratification. */
export const TIERS = ['village', 'district', 'regency', 'regent'] as const;
export type Tier = (typeof TIERS)[number];

/** Pass `TIER_LABELS[tier]` as the `tier` parameter of an issue to name a tier in both languages. */
export const TIER_LABELS: Readonly<Record<Tier, Localized>> = {
  village: { id: 'desa/kelurahan', en: 'the village' },
  district: { id: 'kecamatan', en: 'the district' },
  regency: { id: 'Dinas Sosial kabupaten/kota', en: 'the regency social office' },
  regent: { id: 'bupati/wali kota', en: 'the regent or mayor' },
};

/** What an ADD proposal is backed by: the house, the KK/KTP and the village deliberation's minutes. */
export const HOUSEHOLD_DOCUMENT_KINDS = ['house-front', 'house-interior', 'id-scan', 'berita-acara'] as const;
/** Besides those, what a removal can rest on (domain/proposal-types.ts says which reason needs which). */
export const DOCUMENT_KINDS = [...HOUSEHOLD_DOCUMENT_KINDS, 'death-certificate', 'village-letter', 'transfer-letter', 'appeal-evidence'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export type DocumentRule = { contentTypes: string[]; maxBytes: number; photo: boolean; label: Localized };

export type ProvinceConfig = {
  provinceCode: string;
  /** Length of the public review (uji publik) in days. */
  reviewDays: number;
  tiers: { tier: Tier; slaDays: number }[];
  maxEscalations: number;
  adjudicationTier: Tier;
  documents: Record<DocumentKind, DocumentRule>;
  requiredDocuments: Record<Program, DocumentKind[]>;
  /** utcOffset: the local time photos are stamped in when their EXIF carries no offset (WIB, WITA or WIT). */
  photo: { maxDistanceMeters: number; maxAgeDays: number; reuseMaxHammingDistance: number; utcOffset: string };
  /** Days a citizen has to appeal a decision. */
  appealDays: number;
  /** Day of the month after which proposals roll into the next cycle. */
  cutoffDay: number;
};

/** Objects merge field by field; arrays (tiers, content types, document lists) replace. */
export type ProvinceConfigOverrides = Partial<
  Omit<ProvinceConfig, 'provinceCode' | 'documents' | 'requiredDocuments' | 'photo'>
> & {
  documents?: Partial<Record<DocumentKind, Partial<DocumentRule>>>;
  requiredDocuments?: Partial<Record<Program, DocumentKind[]>>;
  photo?: Partial<ProvinceConfig['photo']>;
};

const MB = 1024 * 1024;
const PHOTO_TYPES = ['image/jpeg', 'image/png'];

/** Labels come from the message catalogue, which also names these documents in issues. */
function documentRule(kind: DocumentKind, contentTypes: string[], maxBytes: number, photo: boolean): DocumentRule {
  return { contentTypes, maxBytes, photo, label: fieldLabel(kind) };
}

const DEFAULTS: Omit<ProvinceConfig, 'provinceCode'> = {
  // No source fixes the length of the public review; 10 days follows the
  // 7–10 days of the Philippines' Listahanan (see domain primer).
  reviewDays: 10,
  tiers: [
    { tier: 'village', slaDays: 5 },
    { tier: 'district', slaDays: 5 },
    { tier: 'regency', slaDays: 10 },
    { tier: 'regent', slaDays: 10 },
  ],
  maxEscalations: 2,
  adjudicationTier: 'district',
  documents: {
    'house-front': documentRule('house-front', PHOTO_TYPES, 10 * MB, true),
    'house-interior': documentRule('house-interior', PHOTO_TYPES, 10 * MB, true),
    'id-scan': documentRule('id-scan', [...PHOTO_TYPES, 'application/pdf'], 10 * MB, false),
    'berita-acara': documentRule('berita-acara', ['application/pdf'], 20 * MB, false),
    'death-certificate': documentRule('death-certificate', [...PHOTO_TYPES, 'application/pdf'], 10 * MB, false),
    'village-letter': documentRule('village-letter', [...PHOTO_TYPES, 'application/pdf'], 10 * MB, false),
    'transfer-letter': documentRule('transfer-letter', [...PHOTO_TYPES, 'application/pdf'], 10 * MB, false),
    // New evidence for an appeal (domain/appeals.ts): a letter, a photo, a statement, uploaded with the appeal.
    'appeal-evidence': documentRule('appeal-evidence', ['application/pdf', ...PHOTO_TYPES], 20 * MB, false),
  },
  requiredDocuments: Object.fromEntries(PROGRAMS.map((program) => [program, [...HOUSEHOLD_DOCUMENT_KINDS]])) as Record<
    Program,
    DocumentKind[]
  >,
  photo: { maxDistanceMeters: 500, maxAgeDays: 180, reuseMaxHammingDistance: 6, utcOffset: '+07:00' },
  appealDays: 30,
  cutoffDay: 17,
};

/**
 * Per-province departures from the defaults. Keep each one explained.
 */
const PROVINCE_OVERRIDES: Readonly<Record<string, ProvinceConfigOverrides>> = {
  // Papua Pegunungan: most villages in the central highlands are reached only
  // by small aircraft or on foot and have little or no mobile signal, so the
  // posted list, objections and signed minutes travel slowly. A three-week
  // public review and longer village and district SLAs keep proposals from
  // escalating just because paper could not arrive in time.
  '95': {
    reviewDays: 21,
    tiers: [
      { tier: 'village', slaDays: 10 },
      { tier: 'district', slaDays: 10 },
      { tier: 'regency', slaDays: 10 },
      { tier: 'regent', slaDays: 10 },
    ],
  },
};

const positiveInt = z.number().int().positive();

function sameForEach<K extends string, V>(keys: readonly K[], value: V): Record<K, V> {
  return Object.fromEntries(keys.map((key) => [key, value])) as Record<K, V>;
}

const DocumentRuleSchema = z.strictObject({
  contentTypes: z.array(z.string().regex(/^[a-z]+\/[a-z0-9.+-]+$/)).min(1),
  maxBytes: positiveInt,
  photo: z.boolean(),
  label: LocalizedSchema,
});

const ProvinceConfigSchema = z
  .strictObject({
    provinceCode: z.string().regex(REGION_CODE_PATTERNS.province),
    reviewDays: positiveInt,
    tiers: z.array(z.strictObject({ tier: z.enum(TIERS), slaDays: positiveInt })).min(1),
    maxEscalations: z.number().int().nonnegative(),
    adjudicationTier: z.enum(TIERS),
    documents: z.strictObject(sameForEach(DOCUMENT_KINDS, DocumentRuleSchema)),
    requiredDocuments: z.strictObject(sameForEach(PROGRAMS, z.array(z.enum(DOCUMENT_KINDS)))),
    photo: z.strictObject({
      maxDistanceMeters: z.number().positive(),
      maxAgeDays: positiveInt,
      reuseMaxHammingDistance: z.number().int().nonnegative(),
      utcOffset: z.string().regex(/^[+-]\d{2}:\d{2}$/),
    }),
    appealDays: positiveInt,
    // 28 so that the cut-off exists in every month.
    cutoffDay: z.number().int().min(1).max(28),
  })
  .superRefine((config, ctx) => {
    const order = config.tiers.map(({ tier }) => TIERS.indexOf(tier));
    // Strictly increasing also means unique: a proposal only ever moves up.
    order.forEach((position, i) => {
      if (i > 0 && position <= (order[i - 1] ?? -1)) {
        ctx.addIssue({ code: 'custom', path: ['tiers', i, 'tier'], params: { code: 'TIER_ORDER' } });
      }
    });
    if (!config.tiers.some(({ tier }) => tier === config.adjudicationTier)) {
      ctx.addIssue({ code: 'custom', path: ['adjudicationTier'], params: { code: 'TIER_NOT_CONFIGURED' } });
    }
  });

export class ProvinceConfigError extends Error {
  readonly code = 'PROVINCE_CONFIG_INVALID';
  constructor(
    readonly provinceCode: string,
    readonly issues: ValidationIssue[],
  ) {
    super(
      `Invalid province config for ${provinceCode}: ` +
        issues.map((i) => `${i.path || '(root)'} ${i.code}: ${i.message.en}`).join('; '),
    );
    this.name = 'ProvinceConfigError';
  }
}

function merge(base: Omit<ProvinceConfig, 'provinceCode'>, overrides: ProvinceConfigOverrides = {}) {
  const { documents, requiredDocuments, photo, ...scalars } = overrides;
  return {
    ...base,
    ...scalars,
    documents: Object.fromEntries(
      DOCUMENT_KINDS.map((kind) => [kind, { ...base.documents[kind], ...documents?.[kind] }]),
    ) as Record<DocumentKind, DocumentRule>,
    requiredDocuments: { ...base.requiredDocuments, ...requiredDocuments },
    photo: { ...base.photo, ...photo },
  };
}

/** Provinces on WITA (UTC+8) and WIT (UTC+9); every other province keeps WIB (UTC+7). */
const WITA = new Set(['51', '52', '53', '63', '64', '65', '71', '72', '73', '74', '75', '76']);
const WIT = new Set(['81', '82', '91', '92', '93', '94', '95', '96']);

export function localUtcOffset(provinceCode: string): string {
  return WIT.has(provinceCode) ? '+09:00' : WITA.has(provinceCode) ? '+08:00' : '+07:00';
}

/** Defaults, the province's time zone, then the province's own overrides, then `overrides` (e.g. from a stack prop). */
export function provinceConfig(code: string, overrides?: ProvinceConfigOverrides): ProvinceConfig {
  const zoned = merge(DEFAULTS, { photo: { utcOffset: localUtcOffset(code) } });
  return parseProvinceConfig({ provinceCode: code, ...merge(merge(zoned, PROVINCE_OVERRIDES[code]), overrides) });
}

/** Checks a complete config, e.g. one a Lambda received as JSON from its stack. */
export function parseProvinceConfig(value: unknown): ProvinceConfig {
  const result = ProvinceConfigSchema.safeParse(value);
  if (!result.success) {
    const code = (value as { provinceCode?: unknown } | null)?.provinceCode;
    throw new ProvinceConfigError(typeof code === 'string' ? code : '?', zodIssues(result.error, value));
  }
  // A deep copy, so that callers cannot change the shared defaults.
  return structuredClone(result.data);
}

/** The tier that supervises `tier` (escalation target); the top tier supervises itself. */
export function supervisorTier(config: ProvinceConfig, tier: Tier): Tier {
  const index = config.tiers.findIndex((t) => t.tier === tier);
  if (index === -1) throw new Error(`Tier ${tier} is not configured for province ${config.provinceCode}`);
  return config.tiers[index + 1]?.tier ?? tier;
}

/** The region a tier's officials are responsible for, for a given village. */
export function tierRegionCode(tier: Tier, villageCode: string): string {
  const parents = parentCodes(villageCode);
  switch (tier) {
    case 'village':
      return villageCode;
    case 'district':
      return parents.district;
    case 'regency':
    case 'regent':
      return parents.regency;
  }
}

/** Documents needed for a set of programs: their union, in DOCUMENT_KINDS order. */
export function requiredDocumentKinds(config: ProvinceConfig, programs: readonly Program[]): DocumentKind[] {
  return DOCUMENT_KINDS.filter((kind) => programs.some((program) => config.requiredDocuments[program].includes(kind)));
}
