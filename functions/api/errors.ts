import type { Lang, Localized, ValidationIssue } from '../../domain/messages.ts';

/*
 * Errors the API answers with. Codes are stable identifiers clients branch on; texts are for people,
 * in Bahasa Indonesia by default and in English for `Accept-Language: en`.
 */
const API_ERRORS = {
  UNAUTHENTICATED: [401, { id: 'Silakan masuk terlebih dahulu.', en: 'Sign in first.' }],
  CLAIMS_INVALID: [
    403,
    {
      id: 'Akun Anda belum diberi peran, tingkat atau wilayah yang sah. Hubungi administrator.',
      en: 'Your account has no valid role, tier or region. Contact an administrator.',
    },
  ],
  FORBIDDEN_ROLE: [403, { id: 'Peran Anda tidak dapat melakukan tindakan ini.', en: 'Your role cannot do this.' }],
  FORBIDDEN_REGION: [
    403,
    { id: 'Data ini berada di luar wilayah tugas Anda.', en: 'This record is outside the region you serve.' },
  ],
  FORBIDDEN_TIER: [403, { id: 'Tugas ini bukan untuk tingkat Anda.', en: 'This task is not for your tier.' }],
  NOT_FOUND: [404, { id: 'Data tidak ditemukan.', en: 'Not found.' }],
  PROPOSAL_NOT_FOUND: [404, { id: 'Usulan tidak ditemukan.', en: 'The proposal does not exist.' }],
  TASK_NOT_FOUND: [404, { id: 'Tugas tidak ditemukan.', en: 'The task does not exist.' }],
  IMPORT_NOT_FOUND: [404, { id: 'Impor tidak ditemukan.', en: 'The import does not exist.' }],
  MALFORMED_JSON: [400, { id: 'Isi permintaan bukan JSON yang sah.', en: 'The request body is not valid JSON.' }],
  UNSUPPORTED_CONTENT_TYPE: [
    400,
    { id: 'Kirim isi permintaan sebagai application/json.', en: 'Send the request body as application/json.' },
  ],
  VALIDATION_FAILED: [
    400,
    { id: 'Ada isian yang tidak valid; lihat rinciannya.', en: 'Some fields are invalid; see the details.' },
  ],
  INVALID_CURSOR: [400, { id: 'Penanda halaman tidak valid.', en: 'The page cursor is not valid.' }],
  IDEMPOTENCY_KEY_INVALID: [
    400,
    {
      id: 'Idempotency-Key harus 8–128 karakter huruf, angka, titik, garis bawah atau tanda hubung.',
      en: 'Idempotency-Key must be 8–128 letters, digits, dots, underscores or hyphens.',
    },
  ],
  PAYLOAD_TOO_LARGE: [413, { id: 'Isi permintaan terlalu besar.', en: 'The request body is too large.' }],
  PROPOSAL_INVALID: [
    422,
    {
      id: 'Usulan belum memenuhi aturan (NIK, KK, wilayah); lihat rinciannya.',
      en: 'The proposal breaks the rules (NIK, KK, region); see the details.',
    },
  ],
  DECISION_NOT_FOR_TASK: [
    422,
    { id: 'Keputusan ini tidak berlaku untuk jenis tugas ini.', en: 'This decision does not apply to this kind of task.' },
  ],
  CONTENT_TYPE_NOT_ALLOWED: [
    422,
    { id: 'Jenis berkas ini tidak diterima untuk dokumen ini.', en: 'This file type is not accepted for this document.' },
  ],
  IDEMPOTENCY_KEY_REUSED: [
    409,
    {
      id: 'Idempotency-Key ini sudah dipakai untuk permintaan lain.',
      en: 'This Idempotency-Key was already used for a different request.',
    },
  ],
  ALREADY_SUBMITTED: [409, { id: 'Versi usulan ini sudah diajukan.', en: 'This version was already submitted.' }],
  NOT_A_DRAFT: [409, { id: 'Hanya draf yang dapat diubah di sini.', en: 'Only a draft can be changed here.' }],
  NOT_RETURNED: [
    409,
    { id: 'Hanya usulan yang dikembalikan yang dapat diperbaiki.', en: 'Only a returned proposal can be revised.' },
  ],
  VERSION_CONFLICT: [
    409,
    { id: 'Usulan telah berubah; muat ulang lalu coba lagi.', en: 'The proposal changed; reload and try again.' },
  ],
  TASK_ALREADY_DECIDED: [409, { id: 'Tugas ini sudah diputuskan.', en: 'This task was already decided.' }],
  NOT_IN_REVIEW: [
    409,
    { id: 'Usulan ini tidak sedang dalam uji publik.', en: 'This proposal is not in public review.' },
  ],
  RATE_LIMITED: [
    429,
    { id: 'Terlalu banyak permintaan; coba lagi sebentar lagi.', en: 'Too many requests; try again shortly.' },
  ],
  INTERNAL: [
    500,
    { id: 'Terjadi kesalahan pada server; coba lagi nanti.', en: 'Something went wrong on the server; try again later.' },
  ],
} as const satisfies Record<string, readonly [number, Localized]>;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    readonly details: readonly ValidationIssue[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
    this.status = API_ERRORS[code][0];
  }
}

export function isApiErrorCode(code: string): code is ApiErrorCode {
  return Object.hasOwn(API_ERRORS, code);
}

/** The JSON body of an error response, in the caller's language. */
export function errorBody(error: ApiError, lang: Lang) {
  return {
    error: {
      code: error.code,
      message: API_ERRORS[error.code][1][lang],
      details: error.details.map((detail) => ({ path: detail.path, code: detail.code, message: detail.message[lang] })),
      ...error.extra,
    },
  };
}
