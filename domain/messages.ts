import { z } from 'zod';
import type { ObjectionGroup, RegistryObjectionCategory, ReporterStatus } from './registry-objections.ts';

/** User-facing text in Bahasa Indonesia (the operators' language) and English. */
export type Localized = { id: string; en: string };
export type Lang = keyof Localized;

export type ValidationIssue = { path: string; code: string; message: Localized };

export const LocalizedSchema = z.strictObject({ id: z.string(), en: z.string() });
export const ValidationIssueSchema = z.strictObject({
  path: z.string(),
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  message: LocalizedSchema,
});

/** A parameter may itself be localized (e.g. a field label). */
export type ParamValue = string | number | Localized;
export type IssueParams = Readonly<Record<string, ParamValue>>;
type ResolvedParams = Readonly<Record<string, string | number | undefined>>;
type Template = (p: ResolvedParams) => string;

/*
 * Every issue code the domain emits. Codes are stable API identifiers; texts
 * may be reworded freely. `field` is filled in from the issue path unless the
 * caller passes it. Texts never include the offending value: it may be a NIK.
 */
const CATALOGUE = {
  // Generic shape problems (mostly from zod).
  REQUIRED: { id: (p) => `${p.field} wajib diisi.`, en: (p) => `${p.field} is required.` },
  INVALID_TYPE: {
    id: (p) => `${p.field} harus berupa ${p.expected}.`,
    en: (p) => `${p.field} must be a ${p.expected}.`,
  },
  TOO_SHORT: {
    id: (p) => `${p.field} minimal ${p.min} karakter.`,
    en: (p) => `${p.field} must have at least ${p.min} characters.`,
  },
  TOO_LONG: {
    id: (p) => `${p.field} maksimal ${p.max} karakter.`,
    en: (p) => `${p.field} must have at most ${p.max} characters.`,
  },
  TOO_SMALL: {
    id: (p) => `${p.field} tidak boleh kurang dari ${p.min}.`,
    en: (p) => `${p.field} must be at least ${p.min}.`,
  },
  TOO_BIG: {
    id: (p) => `${p.field} tidak boleh lebih dari ${p.max}.`,
    en: (p) => `${p.field} must be at most ${p.max}.`,
  },
  TOO_FEW_ITEMS: {
    id: (p) => `${p.field} minimal berisi ${p.min} butir.`,
    en: (p) => `${p.field} must have at least ${p.min} item(s).`,
  },
  TOO_MANY_ITEMS: {
    id: (p) => `${p.field} maksimal berisi ${p.max} butir.`,
    en: (p) => `${p.field} must have at most ${p.max} item(s).`,
  },
  INVALID_FORMAT: {
    id: (p) => `Format ${lower(p.field)} tidak valid${ifGiven(p.example, ` (contoh: ${p.example})`)}.`,
    en: (p) => `${p.field} has an invalid format${ifGiven(p.example, ` (example: ${p.example})`)}.`,
  },
  INVALID_ENUM_VALUE: {
    id: (p) => `${p.field} harus salah satu dari: ${p.options}.`,
    en: (p) => `${p.field} must be one of: ${p.options}.`,
  },
  INVALID_VALUE: { id: (p) => `${p.field} tidak valid.`, en: (p) => `${p.field} is not valid.` },
  UNKNOWN_FIELD: {
    id: (p) => `Kolom "${p.name}" tidak dikenal.`,
    en: (p) => `Unknown field "${p.name}".`,
  },
  INVALID_DATE: {
    id: (p) => `${p.field} harus tanggal yang benar dengan format TTTT-BB-HH.`,
    en: (p) => `${p.field} must be a real date in the form YYYY-MM-DD.`,
  },
  INVALID_DATETIME: {
    id: (p) => `${p.field} harus waktu ISO 8601 (UTC).`,
    en: (p) => `${p.field} must be an ISO 8601 timestamp (UTC).`,
  },
  DUPLICATE_ITEM: {
    id: (p) => `${p.field} sudah disebut sebelumnya.`,
    en: (p) => `${p.field} is listed more than once.`,
  },
  FREEZE_ENDS_BEFORE_START: {
    id: () => 'Akhir masa penangguhan harus sesudah awalnya.',
    en: () => 'The freeze must end after it starts.',
  },
  FREEZE_TOO_LONG: {
    id: (p) => `Masa penangguhan paling lama ${p.max} hari.`,
    en: (p) => `A freeze lasts at most ${p.max} days.`,
  },
  FREEZE_ALREADY_OVER: {
    id: () => 'Masa penangguhan ini sudah lewat.',
    en: () => 'This freeze would already be over.',
  },
  NAME_FORMAT: {
    id: (p) => `${p.field} hanya boleh berisi huruf, spasi, titik, apostrof, dan tanda hubung.`,
    en: (p) => `${p.field} may only contain letters, spaces, full stops, apostrophes and hyphens.`,
  },

  // Identity numbers.
  NIK_FORMAT: { id: (p) => `${p.field} harus 16 digit angka.`, en: (p) => `${p.field} must be 16 digits.` },
  NIK_PROVINCE_INVALID: {
    id: (p) => `Kode provinsi pada ${lower(p.field)} tidak ada.`,
    en: (p) => `The province code in ${lower(p.field)} does not exist.`,
  },
  NIK_BIRTH_DATE_INVALID: {
    id: (p) => `Tanggal lahir pada ${lower(p.field)} (digit 7–12) bukan tanggal yang benar.`,
    en: (p) => `The birth date in ${lower(p.field)} (digits 7–12) is not a real date.`,
  },
  NIK_SEX_MISMATCH: {
    id: (p) => `${p.field} tidak sesuai dengan jenis kelamin yang diisi.`,
    en: (p) => `${p.field} does not match the declared sex.`,
  },
  NIK_BIRTH_DATE_MISMATCH: {
    id: (p) => `${p.field} tidak sesuai dengan tanggal lahir yang diisi.`,
    en: (p) => `${p.field} does not match the declared date of birth.`,
  },
  NIK_SERIAL_ZERO: {
    id: (p) => `Nomor urut pada ${lower(p.field)} (digit 13–16) tidak boleh 0000.`,
    en: (p) => `The serial in ${lower(p.field)} (digits 13–16) cannot be 0000.`,
  },
  NIK_REPEATED_IN_HOUSEHOLD: {
    id: (p) => `${p.field} sama dengan NIK anggota ke-${p.first}.`,
    en: (p) => `${p.field} is the same as the NIK of member ${p.first}.`,
  },
  KK_FORMAT: { id: (p) => `${p.field} harus 16 digit angka.`, en: (p) => `${p.field} must be 16 digits.` },
  KK_DISTRICT_UNKNOWN: {
    id: (p) => `Kode kecamatan pada ${lower(p.field)} (digit 1–6) tidak dikenal.`,
    en: (p) => `The district code in ${lower(p.field)} (digits 1–6) is unknown.`,
  },

  // Regions and household.
  VILLAGE_UNKNOWN: {
    id: (p) => `${p.field} tidak ada dalam daftar wilayah Kemendagri.`,
    en: (p) => `${p.field} is not in the Kemendagri region list.`,
  },
  VILLAGE_OUTSIDE_PROVINCE: {
    id: (p) => `${p.field} tidak berada di provinsi ${p.province}.`,
    en: (p) => `${p.field} is not in province ${p.province}.`,
  },
  REGION_MISMATCH: {
    id: (p) => `${p.field} harus ${p.expected}, sesuai kode desa/kelurahan.`,
    en: (p) => `${p.field} must be ${p.expected} to match the village code.`,
  },
  HEAD_OF_HOUSEHOLD_COUNT: {
    id: (p) => `Harus ada tepat satu kepala keluarga; ditemukan ${p.count}.`,
    en: (p) => `There must be exactly one head of household; found ${p.count}.`,
  },
  BIRTH_DATE_IN_FUTURE: {
    id: (p) => `${p.field} tidak boleh setelah hari ini.`,
    en: (p) => `${p.field} cannot be later than today.`,
  },

  // Removals and corrections of a registered record (domain/proposal-types.ts).
  TARGET_NOT_FOUND: {
    id: () => 'Data terdaftar yang dituju tidak ditemukan di desa/kelurahan ini.',
    en: () => 'The registered record is not found in this village.',
  },
  TARGET_NOT_REGISTERED: {
    id: () => 'Data yang dituju belum terdaftar sebagai penerima.',
    en: () => 'The record acted on is not a registered recipient.',
  },
  TARGET_ENDED: {
    id: (p) => `Pendaftaran data ini sudah berakhir${ifGiven(p.date, ` pada ${p.date}`)}.`,
    en: (p) => `This record's registration has already ended${ifGiven(p.date, ` on ${p.date}`)}.`,
  },
  TARGET_SUPERSEDED: {
    id: (p) => `Data ini sudah diganti oleh perbaikan${ifGiven(p.proposalId, ` ${p.proposalId}`)}; gunakan data terbaru.`,
    en: (p) => `This record was replaced by a correction${ifGiven(p.proposalId, ` (${p.proposalId})`)}; act on the current one.`,
  },
  TARGET_CASE_OPEN: {
    id: (p) => `Data ini sedang diproses dalam usulan lain${ifGiven(p.proposalId, ` (${p.proposalId})`)}.`,
    en: (p) => `Another proposal is already open for this record${ifGiven(p.proposalId, ` (${p.proposalId})`)}.`,
  },
  REMOVAL_MEMBER_UNKNOWN: {
    id: (p) => `${p.field} bukan anggota terdaftar dari keluarga ini.`,
    en: (p) => `${p.field} is not a registered member of this household.`,
  },
  DUPLICATE_OF_INVALID: {
    id: (p) => `${p.field} harus data terdaftar lain yang masih berlaku.`,
    en: (p) => `${p.field} must be another registered record that is still current.`,
  },
  CORRECTION_UNCHANGED: {
    id: () => 'Perbaikan tidak mengubah data apa pun.',
    en: () => 'The correction does not change anything.',
  },
  TYPE_CHANGED: {
    id: (p) => `Jenis usulan tidak dapat diubah; kirim isian untuk jenis ${p.type}.`,
    en: (p) => `A proposal's type cannot change; send the fields of type ${p.type}.`,
  },

  // Province configuration.
  TIER_ORDER: {
    id: () => 'Tingkatan persetujuan harus unik dan berurutan dari desa sampai bupati/wali kota.',
    en: () => 'Approval tiers must be unique and ordered from village up to regent.',
  },
  TIER_NOT_CONFIGURED: {
    id: (p) => `${p.field} harus salah satu tingkatan yang dikonfigurasi.`,
    en: (p) => `${p.field} must be one of the configured tiers.`,
  },

  // Duplicates across proposals.
  DUPLICATE_NIK: {
    id: (p) => `${p.field} sudah ada dalam usulan lain${ifGiven(p.proposalId, ` (${p.proposalId})`)}.`,
    en: (p) => `${p.field} is already in another proposal${ifGiven(p.proposalId, ` (${p.proposalId})`)}.`,
  },
  DUPLICATE_KK: {
    id: (p) => `${p.field} sudah ada dalam usulan lain${ifGiven(p.proposalId, ` (${p.proposalId})`)}.`,
    en: (p) => `${p.field} is already in another proposal${ifGiven(p.proposalId, ` (${p.proposalId})`)}.`,
  },

  // Evidence (documents.<kind>).
  DOCUMENT_MISSING: { id: (p) => `${p.field} belum diunggah.`, en: (p) => `${p.field} has not been uploaded.` },
  DOCUMENT_ONE_OF_MISSING: {
    id: (p) => `Unggah salah satu: ${p.options}.`,
    en: (p) => `Upload one of: ${p.options}.`,
  },
  DOCUMENT_KIND_UNKNOWN: {
    id: () => 'Jenis dokumen ini tidak dikenal.',
    en: () => 'This kind of document is not known.',
  },
  DOCUMENT_EMPTY: {
    id: (p) => `Berkas ${lower(p.field)} kosong.`,
    en: (p) => `The file for ${lower(p.field)} is empty.`,
  },
  DOCUMENT_TYPE_NOT_ALLOWED: {
    id: (p) => `Jenis berkas ${lower(p.field)} tidak diterima${ifGiven(p.allowedTypes, `; gunakan ${p.allowedTypes}`)}.`,
    en: (p) => `The file type of ${lower(p.field)} is not accepted${ifGiven(p.allowedTypes, `; use ${p.allowedTypes}`)}.`,
  },
  DOCUMENT_TOO_LARGE: {
    id: (p) => `Berkas ${lower(p.field)} terlalu besar${ifGiven(p.maxBytes, ` (maksimal ${megabytes(p.maxBytes)} MB)`)}.`,
    en: (p) => `The file for ${lower(p.field)} is too large${ifGiven(p.maxBytes, ` (at most ${megabytes(p.maxBytes)} MB)`)}.`,
  },
  PHOTO_UNREADABLE: {
    id: (p) => `${p.field} tidak dapat dibaca sebagai foto.`,
    en: (p) => `${p.field} cannot be read as a photo.`,
  },
  PHOTO_DATE_MISSING: {
    id: (p) => `${p.field} tidak memiliki tanggal pengambilan; ambil ulang dengan kamera ponsel.`,
    en: (p) => `${p.field} has no capture date; take it again with a phone camera.`,
  },
  PHOTO_TOO_OLD: {
    id: (p) => `${p.field} diambil lebih dari ${p.maxAgeDays} hari yang lalu.`,
    en: (p) => `${p.field} was taken more than ${p.maxAgeDays} days ago.`,
  },
  PHOTO_DATE_IN_FUTURE: {
    id: (p) => `Tanggal pengambilan ${lower(p.field)} berada di masa depan; periksa jam ponsel.`,
    en: (p) => `The capture date of ${lower(p.field)} is in the future; check the phone's clock.`,
  },
  PHOTO_TOO_FAR: {
    id: (p) => `${p.field} diambil lebih dari ${p.maxDistanceMeters} m dari lokasi rumah.`,
    en: (p) => `${p.field} was taken more than ${p.maxDistanceMeters} m from the house location.`,
  },
  PHOTO_REUSED: {
    id: (p) => `${p.field} sama dengan foto pada usulan lain${ifGiven(p.proposalId, ` (${p.proposalId})`)}.`,
    en: (p) => `${p.field} matches a photo in another proposal${ifGiven(p.proposalId, ` (${p.proposalId})`)}.`,
  },

  // Workflow.
  RETURNED_BY_APPROVER: {
    id: (p) => `Dikembalikan oleh ${p.tier}${p.reason ? `: ${p.reason}` : '.'}`,
    en: (p) => `Returned by ${p.tier}${p.reason ? `: ${p.reason}` : '.'}`,
  },
  REJECTED_BY_APPROVER: {
    id: (p) => `Ditolak oleh ${p.tier}${p.reason ? `: ${p.reason}` : '.'}`,
    en: (p) => `Rejected by ${p.tier}${p.reason ? `: ${p.reason}` : '.'}`,
  },
  WITHDRAWN_BY_VILLAGE: {
    id: (p) => `Ditutup oleh desa/kelurahan tanpa proses lanjut: ${p.reason}`,
    en: (p) => `Closed by the village without further process: ${p.reason}`,
  },
  INVALID_TRANSITION: {
    id: (p) => `Status usulan tidak dapat diubah dari ${p.from} ke ${p.to}.`,
    en: (p) => `A proposal cannot move from ${p.from} to ${p.to}.`,
  },
  REASON_REQUIRED: {
    id: (p) => `Alasan wajib diisi (minimal ${p.min} karakter) untuk keputusan ini.`,
    en: (p) => `A reason of at least ${p.min} characters is required for this decision.`,
  },
  DECISION_NOT_ALLOWED: {
    id: (p) => `Keputusan ini tidak berlaku untuk tugas ${p.task}.`,
    en: (p) => `This decision is not available for ${p.task} tasks.`,
  },
  RESOLUTION_REQUIRED: {
    id: () => 'Pilih penyelesaian data ganda: merge (digabung) atau reject (ditolak).',
    en: () => 'Choose how to resolve the duplicate: merge or reject.',
  },
  RESOLUTION_NOT_ALLOWED: {
    id: () => 'Penyelesaian hanya diisi untuk keputusan duplicate.',
    en: () => 'A resolution is only given with the duplicate decision.',
  },
  REJECTED_AS_DUPLICATE: {
    id: (p) => `Ditolak sebagai data ganda dari ${p.proposalId} oleh ${p.tier}${p.reason ? `: ${p.reason}` : '.'}`,
    en: (p) => `Rejected as a duplicate of ${p.proposalId} by ${p.tier}${p.reason ? `: ${p.reason}` : '.'}`,
  },
  MERGED_AS_DUPLICATE: {
    id: (p) => `Digabungkan ke data ${p.proposalId} sebagai data ganda oleh ${p.tier}${p.reason ? `: ${p.reason}` : '.'}`,
    en: (p) => `Merged into ${p.proposalId} as a duplicate by ${p.tier}${p.reason ? `: ${p.reason}` : '.'}`,
  },
  APPEAL_REJECTED: {
    id: (p) => `Banding ditolak oleh ${p.tier}${p.reason ? `: ${p.reason}` : '.'}`,
    en: (p) => `Appeal rejected by ${p.tier}${p.reason ? `: ${p.reason}` : '.'}`,
  },

  // Bulk import (CSV/XLSX). `field` is the template column's label; rows are spreadsheet rows.
  IMPORT_FORMAT_NOT_SUPPORTED: {
    id: () => 'Format berkas tidak didukung; simpan sebagai .xlsx (tanpa kata sandi) atau CSV.',
    en: () => 'This file format is not supported; save it as .xlsx (without a password) or CSV.',
  },
  IMPORT_XLSX_INVALID: {
    id: () => 'Berkas tidak dapat dibaca sebagai buku kerja Excel (.xlsx); simpan ulang atau gunakan CSV.',
    en: () => 'The file cannot be read as an Excel workbook (.xlsx); save it again or use CSV.',
  },
  IMPORT_XLSX_TOO_MANY_ENTRIES: {
    id: (p) => `Berkas Excel berisi terlalu banyak bagian${ifGiven(p.max, ` (maksimal ${p.max})`)}.`,
    en: (p) => `The Excel file has too many parts${ifGiven(p.max, ` (at most ${p.max})`)}.`,
  },
  IMPORT_FILE_TOO_LARGE: {
    id: (p) => `Berkas terlalu besar${ifGiven(p.maxBytes, ` (maksimal ${megabytes(p.maxBytes)} MB setelah diekstrak)`)}.`,
    en: (p) => `The file is too large${ifGiven(p.maxBytes, ` (at most ${megabytes(p.maxBytes)} MB uncompressed)`)}.`,
  },
  IMPORT_UNTERMINATED_QUOTE: {
    id: (p) => `Tanda kutip yang dibuka${ifGiven(p.row, ` pada baris ${p.row}`)} tidak pernah ditutup.`,
    en: (p) => `A quote opened${ifGiven(p.row, ` on row ${p.row}`)} is never closed.`,
  },
  IMPORT_NO_ROWS: {
    id: () => 'Berkas tidak berisi baris data di bawah judul kolom.',
    en: () => 'The file has no data rows below the header.',
  },
  IMPORT_HEADER_MISSING: {
    id: () => 'Baris pertama harus berisi judul kolom sesuai templat.',
    en: () => 'The first row must hold the column names of the template.',
  },
  IMPORT_COLUMN_MISSING: {
    id: (p) => `Kolom "${p.name}" tidak ada pada baris judul.`,
    en: (p) => `Column "${p.name}" is missing from the header.`,
  },
  IMPORT_COLUMN_UNKNOWN: {
    id: (p) => `Kolom${ifGiven(p.position, ` ${p.position}`)} pada baris judul tidak ada dalam templat.`,
    en: (p) => `Header column${ifGiven(p.position, ` ${p.position}`)} is not a column of the template.`,
  },
  IMPORT_COLUMN_DUPLICATE: {
    id: (p) => `Kolom "${p.name}" muncul lebih dari sekali pada baris judul.`,
    en: (p) => `Column "${p.name}" appears more than once in the header.`,
  },
  IMPORT_ROW_TOO_MANY_CELLS: {
    id: () => 'Baris ini berisi lebih banyak sel daripada judul kolom; apit teks yang mengandung pemisah dengan tanda kutip.',
    en: () => 'This row has more cells than the header; put text that contains the separator in quotes.',
  },
  IMPORT_HOUSEHOLD_FIELD_MISMATCH: {
    id: (p) => `${p.field} berbeda dengan baris ${p.first} dari keluarga yang sama.`,
    en: (p) => `${p.field} differs from row ${p.first} of the same household.`,
  },
  IMPORT_DUPLICATE_IN_FILE: {
    id: (p) => `${p.field} sudah dipakai keluarga lain pada baris ${p.first} dalam berkas ini.`,
    en: (p) => `${p.field} is already used by another household on row ${p.first} of this file.`,
  },
  // An operator imports for their own village only.
  VILLAGE_OUTSIDE_REGION: {
    id: (p) => `Kode desa/kelurahan berada di luar wilayah tugas Anda; impor ini hanya untuk desa ${p.village}.`,
    en: (p) => `The village code is outside the region you serve; this import is for village ${p.village} only.`,
  },
  IMPORT_NUMBER_LOST_DIGITS: {
    id: (p) => `${p.field} tersimpan sebagai angka sehingga digit terakhirnya hilang; format kolom sebagai Teks lalu ketik ulang.`,
    en: (p) => `${p.field} was saved as a number and lost its last digits; format the column as Text and type it again.`,
  },
} satisfies Record<string, { id: Template; en: Template }>;

export type IssueCode = keyof typeof CATALOGUE;
export const ISSUE_CODES = Object.keys(CATALOGUE) as IssueCode[];

export function isIssueCode(code: unknown): code is IssueCode {
  return typeof code === 'string' && Object.hasOwn(CATALOGUE, code);
}

/** Text that only makes sense when an optional parameter was passed. */
function ifGiven(value: string | number | undefined, text: string): string {
  return value === undefined ? '' : text;
}

function megabytes(bytes: string | number | undefined): number {
  return Math.round((Number(bytes) / (1024 * 1024)) * 10) / 10;
}

function lower(value: string | number | undefined): string {
  const text = String(value);
  // Keep acronyms such as NIK and KK as they are.
  return /^[A-Z]{2,}\b/.test(text) ? text : text.charAt(0).toLowerCase() + text.slice(1);
}

/** Builds an issue; `field` defaults to a readable label of `path`. */
export function issue(path: string, code: IssueCode, params: IssueParams = {}): ValidationIssue {
  const withField: IssueParams = { field: fieldLabel(path), ...params };
  const template = CATALOGUE[code];
  return {
    path,
    code,
    message: { id: template.id(resolve(withField, 'id')), en: template.en(resolve(withField, 'en')) },
  };
}

export function localize(message: Localized, lang: Lang): string {
  return message[lang];
}

function resolve(params: IssueParams, lang: Lang): ResolvedParams {
  return Object.fromEntries(
    Object.entries(params).map(([key, value]) => [key, typeof value === 'object' ? value[lang] : value]),
  );
}

const FIELD_LABELS: Readonly<Record<string, Localized>> = {
  provinceCode: { id: 'Kode provinsi', en: 'Province code' },
  regencyCode: { id: 'Kode kabupaten/kota', en: 'Regency/city code' },
  districtCode: { id: 'Kode kecamatan', en: 'District code' },
  villageCode: { id: 'Kode desa/kelurahan', en: 'Village code' },
  household: { id: 'Data keluarga', en: 'Household' },
  kk: { id: 'Nomor KK', en: 'KK number' },
  address: { id: 'Alamat', en: 'Address' },
  rt: { id: 'RT', en: 'RT' },
  rw: { id: 'RW', en: 'RW' },
  location: { id: 'Lokasi', en: 'Location' },
  latitude: { id: 'Garis lintang', en: 'Latitude' },
  longitude: { id: 'Garis bujur', en: 'Longitude' },
  members: { id: 'Anggota keluarga', en: 'Household members' },
  nik: { id: 'NIK', en: 'NIK' },
  fullName: { id: 'Nama lengkap', en: 'Full name' },
  sex: { id: 'Jenis kelamin', en: 'Sex' },
  birthDate: { id: 'Tanggal lahir', en: 'Date of birth' },
  relationship: { id: 'Hubungan dalam keluarga', en: 'Relationship' },
  disability: { id: 'Jenis disabilitas', en: 'Disability' },
  occupation: { id: 'Pekerjaan', en: 'Occupation' },
  programs: { id: 'Program', en: 'Program' },
  criteria: { id: 'Kriteria kemiskinan', en: 'Poverty criterion' },
  documents: { id: 'Dokumen', en: 'Documents' },
  'house-front': { id: 'Foto rumah tampak depan', en: 'Photo of the house front' },
  'house-interior': { id: 'Foto bagian dalam rumah', en: 'Photo of the house interior' },
  'id-scan': { id: 'Foto/pindaian KK dan KTP', en: 'Photo or scan of the KK and KTP' },
  'berita-acara': { id: 'Berita acara musyawarah desa/kelurahan', en: 'Signed minutes of the village deliberation' },
  'death-certificate': { id: 'Akta kematian', en: 'Death certificate' },
  'village-letter': { id: 'Surat keterangan kematian dari desa/kelurahan', en: "The village's letter certifying the death" },
  'transfer-letter': { id: 'Surat keterangan pindah', en: 'Transfer letter (change of residence)' },
  'appeal-evidence': { id: 'Bukti baru untuk banding', en: 'New evidence for an appeal' },
  target: { id: 'Data terdaftar', en: 'Registered record' },
  proposalId: { id: 'Nomor usulan', en: 'Proposal id' },
  removal: { id: 'Penghapusan', en: 'Removal' },
  duplicateOf: { id: 'Data asli (duplikat dari)', en: 'Original record (duplicate of)' },
  correction: { id: 'Perbaikan', en: 'Correction' },
  statement: { id: 'Keterangan', en: 'Statement' },
  decision: { id: 'Keputusan', en: 'Decision' },
  reason: { id: 'Alasan', en: 'Reason' },
};

/** What one item of a list is called, for "NIK anggota ke-2" / "NIK of member 2". */
const ITEM_NOUNS: Readonly<Record<string, Localized>> = {
  members: { id: 'anggota', en: 'member' },
};

const isIndex = (segment: string): boolean => /^\d+$/.test(segment);

// Own properties only: a path segment may be any key a client sent, e.g. "constructor".
const lookup = <T>(table: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined;

function labelOf(segment: string): Localized {
  return lookup(FIELD_LABELS, segment) ?? { id: segment, en: segment };
}

/**
 * A readable label for a dot path: `members.1.nik` → "NIK anggota ke-2" /
 * "NIK of member 2"; `programs.0` → "Program ke-1" / "Program #1".
 */
export function fieldLabel(path: string): Localized {
  if (path === '') return { id: 'Data', en: 'Record' };
  const segments = path.split('.');
  let end = segments.length - 1;
  const last = segments[end] ?? '';
  let label: Localized;
  if (isIndex(last) && end > 0) {
    const base = labelOf(segments[end - 1] ?? '');
    const n = Number(last) + 1;
    label = { id: `${base.id} ke-${n}`, en: `${base.en} #${n}` };
    end -= 1;
  } else {
    label = labelOf(last);
  }
  // Qualify by the list items that own the field, innermost first.
  for (let i = end - 1; i > 0; i--) {
    const segment = segments[i] ?? '';
    if (!isIndex(segment)) continue;
    const noun = lookup(ITEM_NOUNS, segments[i - 1] ?? '') ?? { id: 'butir', en: 'item' };
    const n = Number(segment) + 1;
    label = { id: `${label.id} ${noun.id} ke-${n}`, en: `${label.en} of ${noun.en} ${n}` };
  }
  return label;
}

const TYPE_NAMES: Readonly<Record<string, Localized>> = {
  string: { id: 'teks', en: 'text' },
  number: { id: 'angka', en: 'number' },
  int: { id: 'bilangan bulat', en: 'whole number' },
  boolean: { id: 'nilai benar/salah', en: 'true/false value' },
  array: { id: 'daftar', en: 'list' },
  object: { id: 'objek', en: 'object' },
};

const FORMAT_CODES: Readonly<Record<string, IssueCode>> = {
  date: 'INVALID_DATE',
  datetime: 'INVALID_DATETIME',
};

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * Maps zod issues to stable codes. Pass the parsed `input` so a missing value
 * is reported as REQUIRED rather than INVALID_TYPE (zod issues do not carry
 * the input, on purpose: it may hold a NIK).
 */
export function zodIssues(error: z.ZodError, input?: unknown): ValidationIssue[] {
  // Without the input, only zod's own wording tells a missing value apart.
  const isMissing = (zi: z.core.$ZodIssue): boolean =>
    input === undefined ? /received undefined$/.test(zi.message) : valueAt(input, zi.path) === undefined;
  return error.issues.flatMap((zi): ValidationIssue[] => {
    const path = zi.path.map(String).join('.');
    switch (zi.code) {
      case 'invalid_type':
        if (isMissing(zi)) return [issue(path, 'REQUIRED')];
        return [issue(path, 'INVALID_TYPE', { expected: lookup(TYPE_NAMES, zi.expected) ?? zi.expected })];
      case 'too_small': {
        const min = Number(zi.minimum);
        if (zi.origin === 'string') return [issue(path, min <= 1 ? 'REQUIRED' : 'TOO_SHORT', { min })];
        if (zi.origin === 'array' || zi.origin === 'set') return [issue(path, 'TOO_FEW_ITEMS', { min })];
        return [issue(path, 'TOO_SMALL', { min })];
      }
      case 'too_big': {
        const max = Number(zi.maximum);
        if (zi.origin === 'string') return [issue(path, 'TOO_LONG', { max })];
        if (zi.origin === 'array' || zi.origin === 'set') return [issue(path, 'TOO_MANY_ITEMS', { max })];
        return [issue(path, 'TOO_BIG', { max })];
      }
      case 'invalid_format':
        return [issue(path, lookup(FORMAT_CODES, zi.format) ?? 'INVALID_FORMAT')];
      case 'invalid_value':
        if (isMissing(zi)) return [issue(path, 'REQUIRED')];
        return [issue(path, 'INVALID_ENUM_VALUE', { options: zi.values.map(String).join(', ') })];
      case 'unrecognized_keys':
        return zi.keys.map((key) => issue(path === '' ? key : `${path}.${key}`, 'UNKNOWN_FIELD', { name: key }));
      case 'custom': {
        const { code, ...params } = (zi.params ?? {}) as Record<string, ParamValue>;
        return [issue(path, isIssueCode(code) ? code : 'INVALID_VALUE', params)];
      }
      default:
        return [issue(path, 'INVALID_VALUE')];
    }
  });
}

/** Labels of the objection categories against a registered household and of what the reporter sees. */
export const REGISTRY_OBJECTION_LABELS: Readonly<Record<RegistryObjectionCategory | ObjectionGroup | ReporterStatus, Localized>> = {
  EXCLUSION: { id: 'Kesalahan eksklusi', en: 'Exclusion error' },
  INCLUSION: { id: 'Kesalahan inklusi', en: 'Inclusion error' },
  DATA_ERROR: { id: 'Kesalahan data', en: 'Data error' },
  MEMBER_MISSING: { id: 'Ada anggota keluarga yang belum tercatat', en: 'A household member is missing' },
  DECEASED: { id: 'Penerima sudah meninggal dunia', en: 'The recipient has died' },
  MOVED: { id: 'Keluarga sudah pindah domisili', en: 'The household has moved away' },
  NOT_ELIGIBLE: { id: 'Keluarga sudah mampu / tidak layak lagi', en: 'The household is no longer poor or eligible' },
  DUPLICATE: { id: 'Keluarga tercatat ganda', en: 'The household is listed twice' },
  NOT_FOUND_AT_ADDRESS: { id: 'Keluarga tidak ditemukan di alamat', en: 'The household is not found at the address' },
  WRONG_NAME: { id: 'Nama salah', en: 'Wrong name' },
  WRONG_NIK: { id: 'NIK salah', en: 'Wrong NIK' },
  WRONG_ADDRESS: { id: 'Alamat salah', en: 'Wrong address' },
  WRONG_MEMBER_DATA: { id: 'Data anggota lain salah (tanggal lahir, hubungan, dll.)', en: 'Other member data is wrong (birth date, relationship, etc.)' },
  RECEIVED: { id: 'Diterima', en: 'Received' },
  IN_PROCESS: { id: 'Sedang diproses', en: 'In process' },
  UPHELD: { id: 'Sanggahan diterima (data sudah diubah)', en: 'Upheld (the record was changed)' },
  NOT_UPHELD: { id: 'Sanggahan tidak diterima', en: 'Not upheld' },
};
