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
  EXPORT_NOT_FOUND: [404, { id: 'Ekspor cut-off tidak ditemukan.', en: 'The cut-off export does not exist.' }],
  FREEZE_NOT_FOUND: [404, { id: 'Masa penangguhan tidak ditemukan.', en: 'The freeze does not exist.' }],
  FREEZE_ALREADY_ENDED: [409, { id: 'Masa penangguhan ini sudah berakhir.', en: 'This freeze has already ended.' }],
  BATCH_TIME_EXCEEDED: [
    503,
    {
      id: 'Tugas ini belum sempat diproses dalam batas waktu; tidak ada yang dicatat, kirim ulang.',
      en: 'This task was not reached within the time limit; nothing was recorded, send it again.',
    },
  ],
  RECEIPT_NOT_FOUND: [
    404,
    { id: 'Nomor tanda terima sanggahan tidak ditemukan.', en: 'No objection has this receipt code.' },
  ],
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
  NOT_REJECTED: [
    409,
    { id: 'Hanya usulan yang ditolak yang dapat diajukan banding.', en: 'Only a rejected proposal can be appealed.' },
  ],
  ALREADY_APPEALED: [
    409,
    { id: 'Usulan ini sudah pernah diajukan banding.', en: 'This proposal was already appealed.' },
  ],
  NOT_APPEALABLE: [
    422,
    {
      id: 'Penolakan ini tidak dapat dibanding: hanya penolakan oleh pejabat pada persetujuan atau sanggahan.',
      en: 'This rejection cannot be appealed: only an approver rejecting on approval or upholding an objection can be.',
    },
  ],
  APPEAL_WINDOW_CLOSED: [
    422,
    { id: 'Batas waktu banding sudah lewat.', en: 'The time to appeal has passed.' },
  ],
  APPEAL_IDENTITY_CONFLICT: [
    409,
    {
      id: 'NIK atau KK pada usulan ini kini dipakai usulan lain; banding tidak dapat diproses.',
      en: 'A NIK or KK of this proposal is now held by another proposal; the appeal cannot go ahead.',
    },
  ],
  NOT_RETURNED: [
    409,
    {
      id: 'Hanya draf atau usulan yang dikembalikan yang dapat diubah.',
      en: 'Only a draft or a returned proposal can be changed.',
    },
  ],
  REMOVAL_NOT_REVISABLE: [
    409,
    {
      id: 'Usulan penghapusan yang dikembalikan tidak diperbaiki; ajukan usulan penghapusan baru.',
      en: 'A returned removal is not revised; file a new removal instead.',
    },
  ],
  VERSION_CONFLICT: [
    409,
    { id: 'Usulan telah berubah; muat ulang lalu coba lagi.', en: 'The proposal changed; reload and try again.' },
  ],
  TASK_ALREADY_DECIDED: [409, { id: 'Tugas ini sudah diputuskan.', en: 'This task was already decided.' }],
  NOT_REGISTERED: [
    409,
    {
      id: 'Keluarga ini tidak (lagi) tercatat sebagai penerima.',
      en: 'This household is not (or no longer) on the register.',
    },
  ],
  NOT_A_CASE: [
    409,
    {
      id: 'Hanya usulan penghapusan atau perbaikan data yang dapat ditutup.',
      en: 'Only a removal or correction case can be withdrawn.',
    },
  ],
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
