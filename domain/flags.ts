import { z } from 'zod';
import type { Localized } from './messages.ts';

/**
 * A flag is not an error: it asks a person to look (e.g. a NIK issued in a
 * district that no longer exists) or records a fact (a pointer to another
 * proposal for the same person). `detail` must never hold a NIK or KK.
 */
export const FlagSchema = z.strictObject({
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  path: z.string().optional(),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  pointer: z.strictObject({ proposalId: z.string().optional(), registered: z.boolean().optional() }).optional(),
});
export type Flag = z.infer<typeof FlagSchema>;

/** Reviewer-facing texts of the flags the domain itself raises. */
export const DOMAIN_FLAG_TEXTS = {
  NIK_DISTRICT_RECODED: {
    id: 'NIK diterbitkan dengan kode kecamatan lama sebelum pemekaran wilayah; kode sekarang dicatat.',
    en: 'NIK was issued under a district code from before a region split; the current code is recorded.',
  },
  NIK_DISTRICT_UNKNOWN: {
    id: 'Kode kecamatan pada NIK tidak ada dalam daftar wilayah; perlu diperiksa petugas.',
    en: 'The district code in the NIK is not in the region list; needs a manual check.',
  },
} as const satisfies Record<string, Localized>;
export type DomainFlagCode = keyof typeof DOMAIN_FLAG_TEXTS;
