import { z } from 'zod';
import type { Localized } from './messages.ts';

export const PROGRAMS = ['PKH', 'SEMBAKO', 'PBI_JKN', 'BLT_DD'] as const;
export type Program = (typeof PROGRAMS)[number];

export const PROGRAM_LABELS: Readonly<Record<Program, Localized>> = {
  PKH: { id: 'Program Keluarga Harapan (PKH)', en: 'Family Hope Program (PKH, conditional cash transfer)' },
  SEMBAKO: { id: 'Program Sembako (BPNT)', en: 'Sembako food assistance (BPNT)' },
  PBI_JKN: { id: 'Penerima Bantuan Iuran JKN (PBI-JKN)', en: 'State-paid health insurance (PBI-JKN)' },
  BLT_DD: { id: 'Bantuan Langsung Tunai Dana Desa (BLT-DD)', en: 'Village-fund cash transfer (BLT-DD)' },
};

/** Names still used in the field for the same programs (keys upper-case). */
const PROGRAM_ALIASES: Readonly<Record<string, Program>> = {
  BPNT: 'SEMBAKO',
  'BPNT/SEMBAKO': 'SEMBAKO',
  'PBI-JKN': 'PBI_JKN',
  'BLT-DD': 'BLT_DD',
};

/** Canonical program for a name or alias (case-insensitive), or the input unchanged. */
export function normalizeProgram(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const upper = value.trim().toUpperCase();
  return PROGRAM_ALIASES[upper] ?? upper;
}

export const ProgramSchema = z.preprocess(normalizeProgram, z.enum(PROGRAMS));

/** Modelled on the BPS/Kemensos criteria of a poor household (14 kriteria rumah tangga miskin). */
export const CRITERIA = [
  'LUAS_LANTAI_SEMPIT',
  'LANTAI_TANAH',
  'DINDING_BAMBU',
  'TANPA_JAMBAN',
  'TANPA_LISTRIK',
  'AIR_TIDAK_LAYAK',
  'BAHAN_BAKAR_KAYU',
  'MAKAN_DAGING_JARANG',
  'PAKAIAN_SETAHUN_SEKALI',
  'MAKAN_SEKALI_DUA_SEHARI',
  'TIDAK_MAMPU_BEROBAT',
  'PENGHASILAN_RENDAH',
  'PENDIDIKAN_RENDAH',
  'TANPA_ASET',
] as const;
export type Criterion = (typeof CRITERIA)[number];

export const CRITERION_LABELS: Readonly<Record<Criterion, Localized>> = {
  LUAS_LANTAI_SEMPIT: {
    id: 'Luas lantai bangunan kurang dari 8 m² per orang',
    en: 'Floor area under 8 m² per person',
  },
  LANTAI_TANAH: {
    id: 'Lantai dari tanah, bambu, atau kayu murahan',
    en: 'Floor of earth, bamboo or cheap wood',
  },
  DINDING_BAMBU: {
    id: 'Dinding dari bambu, rumbia, kayu berkualitas rendah, atau tembok tanpa plester',
    en: 'Walls of bamboo, thatch, low-grade wood or unplastered brick',
  },
  TANPA_JAMBAN: {
    id: 'Tidak memiliki fasilitas buang air besar atau berbagi dengan rumah tangga lain',
    en: 'No toilet, or one shared with other households',
  },
  TANPA_LISTRIK: { id: 'Penerangan rumah tidak menggunakan listrik', en: 'No electric lighting' },
  AIR_TIDAK_LAYAK: {
    id: 'Air minum dari sumur/mata air tidak terlindung, sungai, atau air hujan',
    en: 'Drinking water from an unprotected well or spring, a river or rain',
  },
  BAHAN_BAKAR_KAYU: {
    id: 'Memasak dengan kayu bakar, arang, atau minyak tanah',
    en: 'Cooks with firewood, charcoal or kerosene',
  },
  MAKAN_DAGING_JARANG: {
    id: 'Hanya makan daging, susu, atau ayam satu kali seminggu',
    en: 'Eats meat, milk or chicken only once a week',
  },
  PAKAIAN_SETAHUN_SEKALI: {
    id: 'Hanya membeli satu stel pakaian baru dalam setahun',
    en: 'Buys only one new set of clothes a year',
  },
  MAKAN_SEKALI_DUA_SEHARI: {
    id: 'Hanya sanggup makan satu atau dua kali sehari',
    en: 'Can afford only one or two meals a day',
  },
  TIDAK_MAMPU_BEROBAT: {
    id: 'Tidak sanggup membayar biaya pengobatan di puskesmas atau poliklinik',
    en: 'Cannot pay for treatment at a community health centre or clinic',
  },
  PENGHASILAN_RENDAH: {
    id: 'Kepala keluarga petani gurem, buruh, atau pekerja lain berpenghasilan di bawah Rp600.000 per bulan',
    en: 'Head of household is a smallholder, labourer or other worker earning under Rp600,000 a month',
  },
  PENDIDIKAN_RENDAH: {
    id: 'Pendidikan tertinggi kepala keluarga tidak sekolah, tidak tamat SD, atau hanya SD',
    en: 'Head of household has no schooling or at most primary school',
  },
  TANPA_ASET: {
    id: 'Tidak memiliki tabungan atau barang yang mudah dijual senilai minimal Rp500.000',
    en: 'No savings or saleable goods worth at least Rp500,000',
  },
};

export const CriterionSchema = z.enum(CRITERIA);
