import type { Stage, Status } from '../../domain/lifecycle.ts';
import type { Lang, Localized } from '../../domain/messages.ts';

/*
 * The console's own texts. Bahasa Indonesia is the default (village operators' language); English on request,
 * remembered in localStorage. Issue texts from the domain already come in both languages.
 */
const KEY = 'verval.lang';

export let lang: Lang = readLang();

function readLang(): Lang {
  try {
    return localStorage.getItem(KEY) === 'en' ? 'en' : 'id';
  } catch {
    return 'id';
  }
}

export function setLang(next: Lang): void {
  lang = next;
  try {
    localStorage.setItem(KEY, next);
  } catch {
    // Private browsing: the switch still works for this page.
  }
  document.documentElement.lang = next;
}

export const pick = (text: Localized): string => text[lang];

const TEXTS = {
  appName: { id: 'Verval Bansos', en: 'Verval social assistance' },
  skip: { id: 'Lompat ke isi utama', en: 'Skip to main content' },
  switchLang: { id: 'English', en: 'Bahasa Indonesia' },
  switchLangLabel: { id: 'Switch to English', en: 'Ganti ke Bahasa Indonesia' },
  signIn: { id: 'Masuk', en: 'Sign in' },
  signOut: { id: 'Keluar', en: 'Sign out' },
  username: { id: 'Nama pengguna', en: 'Username' },
  password: { id: 'Kata sandi', en: 'Password' },
  demoUsers: { id: 'Pengguna demo', en: 'Demo users' },
  demoPasswordHint: { id: 'Semua pengguna demo memakai kata sandi verval-demo.', en: 'Every demo user has the password verval-demo.' },
  demoUser: { id: 'Pilih pengguna demo', en: 'Pick a demo user' },
  signInFailed: { id: 'Gagal masuk: nama pengguna atau kata sandi salah.', en: 'Sign-in failed: wrong username or password.' },
  signInChallenge: {
    id: 'Akun ini harus menyelesaikan langkah tambahan (mis. kata sandi baru) yang belum didukung konsol; hubungi admin.',
    en: 'This account must complete an extra step (e.g. a new password) the console does not support yet; contact the admin.',
  },
  navProposals: { id: 'Usulan desa', en: 'Village proposals' },
  navNew: { id: 'Usulan baru', en: 'New proposal' },
  navImport: { id: 'Impor massal', en: 'Bulk import' },
  navInbox: { id: 'Kotak masuk', en: 'Inbox' },
  navPublic: { id: 'Uji publik', en: 'Public review' },
  navDashboard: { id: 'Dasbor', en: 'Dashboard' },
  loading: { id: 'Memuat…', en: 'Loading…' },
  notFound: { id: 'Halaman tidak ditemukan.', en: 'Page not found.' },
  error: { id: 'Terjadi kesalahan', en: 'Something went wrong' },
  networkError: { id: 'Tidak dapat menghubungi server. Periksa sambungan lalu coba lagi.', en: 'Cannot reach the server. Check the connection and try again.' },
  sessionExpired: { id: 'Sesi berakhir; silakan masuk lagi.', en: 'Your session has ended; please sign in again.' },
  more: { id: 'Muat lebih banyak', en: 'Load more' },
  none: { id: 'Tidak ada data.', en: 'Nothing here.' },
  // Proposal form
  formTitle: { id: 'Usulan penerima bansos', en: 'Assistance proposal' },
  reviseTitle: { id: 'Perbaiki usulan yang dikembalikan', en: 'Revise a returned proposal' },
  reviseHint: {
    id: 'NIK dan nomor KK disimpan tersamar; ketik ulang lengkap (16 digit). Enam digit pertama ditampilkan sebagai petunjuk.',
    en: 'NIK and KK numbers are stored masked; type them again in full (16 digits). The first six digits are shown as a hint.',
  },
  household: { id: 'Data keluarga', en: 'Household' },
  village: { id: 'Desa/kelurahan', en: 'Village' },
  kk: { id: 'Nomor KK', en: 'KK number' },
  address: { id: 'Alamat', en: 'Address' },
  rt: { id: 'RT', en: 'RT' },
  rw: { id: 'RW', en: 'RW' },
  latitude: { id: 'Garis lintang', en: 'Latitude' },
  longitude: { id: 'Garis bujur', en: 'Longitude' },
  useLocation: { id: 'Pakai lokasi saya', en: 'Use my location' },
  members: { id: 'Anggota keluarga', en: 'Household members' },
  member: { id: 'Anggota', en: 'Member' },
  addMember: { id: 'Tambah anggota', en: 'Add member' },
  removeMember: { id: 'Hapus anggota', en: 'Remove member' },
  nik: { id: 'NIK', en: 'NIK' },
  fullName: { id: 'Nama lengkap', en: 'Full name' },
  sex: { id: 'Jenis kelamin', en: 'Sex' },
  sexL: { id: 'Laki-laki', en: 'Male' },
  sexP: { id: 'Perempuan', en: 'Female' },
  birthDate: { id: 'Tanggal lahir', en: 'Date of birth' },
  relationship: { id: 'Hubungan dalam keluarga', en: 'Relationship' },
  disability: { id: 'Disabilitas', en: 'Disability' },
  occupation: { id: 'Pekerjaan', en: 'Occupation' },
  programs: { id: 'Program', en: 'Programs' },
  criteria: { id: 'Kriteria kemiskinan', en: 'Poverty criteria' },
  saveDraft: { id: 'Simpan draf', en: 'Save draft' },
  saveRevision: { id: 'Simpan perbaikan', en: 'Save revision' },
  fixErrors: { id: 'Periksa kembali isian yang ditandai.', en: 'Check the marked fields.' },
  nikOk: { id: 'NIK sesuai aturan.', en: 'NIK passes the checks.' },
  // Uploads
  uploadTitle: { id: 'Unggah dokumen pendukung', en: 'Upload evidence' },
  uploadHint: {
    id: 'Ambil foto rumah di lokasi dengan kamera ponsel (lokasi dan tanggal tersimpan pada foto).',
    en: 'Take the house photos on site with a phone camera (the photo keeps the location and date).',
  },
  chooseFile: { id: 'Pilih berkas', en: 'Choose file' },
  uploaded: { id: 'Terunggah', en: 'Uploaded' },
  uploadFailed: { id: 'Gagal mengunggah', en: 'Upload failed' },
  tooLarge: { id: 'Berkas terlalu besar', en: 'File too large' },
  typeNotAccepted: { id: 'Jenis berkas tidak diterima', en: 'File type not accepted' },
  submit: { id: 'Ajukan usulan', en: 'Submit proposal' },
  submitted: { id: 'Usulan diajukan; pemeriksaan otomatis berjalan.', en: 'Proposal submitted; the automatic checks are running.' },
  missingUploads: { id: 'Masih ada dokumen yang belum diunggah.', en: 'Some documents are not uploaded yet.' },
  // Lists and detail
  proposalsTitle: { id: 'Usulan desa', en: "The village's proposals" },
  head: { id: 'Kepala keluarga', en: 'Head of household' },
  status: { id: 'Status', en: 'Status' },
  stage: { id: 'Tahap', en: 'Stage' },
  updated: { id: 'Diperbarui', en: 'Updated' },
  reasons: { id: 'Alasan', en: 'Reasons' },
  open: { id: 'Buka', en: 'Open' },
  detailTitle: { id: 'Detail usulan', en: 'Proposal' },
  version: { id: 'Versi', en: 'Version' },
  location: { id: 'Lokasi', en: 'Location' },
  flags: { id: 'Catatan pemeriksaan', en: 'Flags' },
  documents: { id: 'Dokumen', en: 'Documents' },
  objections: { id: 'Sanggahan', en: 'Objections' },
  history: { id: 'Riwayat', en: 'History' },
  reviewEnds: { id: 'Uji publik berakhir', en: 'Public review ends' },
  pendingTask: { id: 'Menunggu keputusan', en: 'Waiting for a decision by' },
  revise: { id: 'Perbaiki usulan', en: 'Revise proposal' },
  uploadEvidence: { id: 'Unggah dokumen', en: 'Upload evidence' },
  duplicateOf: { id: 'Sama dengan usulan', en: 'Same as proposal' },
  reusedPhoto: { id: 'Foto dipakai ulang dari usulan lain', en: 'Photo reused from another proposal' },
  thisPhoto: { id: 'Foto usulan ini', en: 'This proposal' },
  otherPhoto: { id: 'Foto usulan lain', en: 'The other proposal' },
  distance: { id: 'Jarak foto dari rumah', en: 'Photo distance from the house' },
  meters: { id: 'm', en: 'm' },
  // Decisions
  decide: { id: 'Keputusan', en: 'Decision' },
  reason: { id: 'Alasan', en: 'Reason' },
  reasonHint: { id: 'Wajib untuk menolak, mengembalikan atau menerima sanggahan (minimal 5 karakter).', en: 'Required to reject, return or uphold (at least 5 characters).' },
  approve: { id: 'Setujui', en: 'Approve' },
  reject: { id: 'Tolak', en: 'Reject' },
  return: { id: 'Kembalikan', en: 'Return' },
  uphold: { id: 'Terima sanggahan', en: 'Uphold objection' },
  dismiss: { id: 'Tolak sanggahan', en: 'Dismiss objection' },
  unique: { id: 'Bukan data ganda', en: 'Not a duplicate' },
  not_same_person: { id: 'Orang berbeda (perlu koreksi Dukcapil)', en: 'Different people (needs a Dukcapil fix)' },
  duplicateMerge: { id: 'Data ganda: gabungkan', en: 'Duplicate: merge' },
  duplicateReject: { id: 'Data ganda: tolak', en: 'Duplicate: reject' },
  decided: { id: 'Keputusan tercatat.', en: 'Decision recorded.' },
  inboxTitle: { id: 'Tugas menunggu keputusan', en: 'Tasks waiting for a decision' },
  due: { id: 'Batas waktu', en: 'Due' },
  overdue: { id: 'Terlambat', en: 'Overdue' },
  kind: { id: 'Jenis', en: 'Kind' },
  kindApproval: { id: 'Persetujuan', en: 'Approval' },
  kindAdjudication: { id: 'Sanggahan', en: 'Objection' },
  kindDuplicate: { id: 'Dugaan data ganda', en: 'Suspected duplicate' },
  kindAppeal: { id: 'Banding', en: 'Appeal' },
  select: { id: 'Pilih', en: 'Select' },
  approveSelected: { id: 'Setujui yang dipilih', en: 'Approve selected' },
  batchApplied: { id: 'Keputusan tercatat', en: 'Decisions recorded' },
  decisionHeld: { id: 'Keputusan ditahan (pembekuan)', en: 'Decision held (freeze)' },
  frozenUntil: { id: 'Persetujuan dibekukan sampai', en: 'Approvals frozen until' },
  escalations: { id: 'Eskalasi', en: 'Escalations' },
  // Public board
  publicTitle: { id: 'Papan uji publik', en: 'Public review board' },
  publicIntro: {
    id: 'Daftar keluarga yang diusulkan menerima bantuan. Jika ada yang tidak layak, ajukan sanggahan sebelum uji publik berakhir.',
    en: 'Households proposed for assistance. If one is not eligible, file an objection before the review ends.',
  },
  province: { id: 'Provinsi', en: 'Province' },
  regency: { id: 'Kabupaten/kota', en: 'Regency/city' },
  district: { id: 'Kecamatan', en: 'District' },
  villageCode: { id: 'atau ketik kode desa', en: 'or type a village code' },
  choose: { id: '— pilih —', en: '— choose —' },
  show: { id: 'Tampilkan', en: 'Show' },
  reviewList: { id: 'Usulan dalam uji publik', en: 'Proposals in public review' },
  fileObjection: { id: 'Ajukan sanggahan', en: 'File an objection' },
  category: { id: 'Kategori', en: 'Category' },
  statement: { id: 'Uraian sanggahan', en: 'Statement' },
  reporterName: { id: 'Nama pelapor', en: 'Your name' },
  reporterContact: { id: 'Kontak (telepon/email)', en: 'Contact (phone or email)' },
  send: { id: 'Kirim', en: 'Send' },
  objectionFiled: { id: 'Sanggahan tercatat. Nomor:', en: 'Objection recorded. Number:' },
  registryList: { id: 'Daftar penerima terdaftar', en: 'Registered recipients' },
  registeredSince: { id: 'Terdaftar sejak', en: 'Registered since' },
  objectRegistered: { id: 'Sanggah', en: 'Object' },
  caseOpen: { id: 'Sedang ditangani desa', en: 'Already being handled by the village' },
  receiptIssued: { id: 'Sanggahan tercatat. Simpan nomor tanda terima ini untuk cek status:', en: 'Objection recorded. Keep this receipt code to check its status:' },
  checkStatus: { id: 'Cek status sanggahan', en: 'Check an objection' },
  receipt: { id: 'Nomor tanda terima', en: 'Receipt code' },
  receivedAt: { id: 'Diterima', en: 'Received' },
  inProcessAt: { id: 'Diproses sejak', en: 'In process since' },
  decidedAt: { id: 'Diputuskan', en: 'Decided' },
  // Imports
  importTitle: { id: 'Impor massal', en: 'Bulk import' },
  importIntro: { id: 'Unduh templat, isi satu baris per anggota keluarga, lalu unggah sebagai CSV atau XLSX.', en: 'Download the template, fill one row per household member, then upload it as CSV or XLSX.' },
  template: { id: 'Unduh templat CSV', en: 'Download the CSV template' },
  importFile: { id: 'Berkas impor (CSV/XLSX)', en: 'Import file (CSV/XLSX)' },
  uploadProgress: { id: 'Kemajuan unggah', en: 'Upload progress' },
  startImport: { id: 'Unggah dan proses', en: 'Upload and process' },
  importStatus: { id: 'Status impor', en: 'Import status' },
  processed: { id: 'Baris diproses', en: 'Rows processed' },
  accepted: { id: 'Diterima', en: 'Accepted' },
  rejected: { id: 'Ditolak', en: 'Rejected' },
  row: { id: 'Baris', en: 'Row' },
  column: { id: 'Kolom', en: 'Column' },
  // Dashboard
  dashboardTitle: { id: 'Dasbor provinsi', en: 'Province dashboard' },
  total: { id: 'Jumlah', en: 'Total' },
  byStatus: { id: 'Per status', en: 'By status' },
  byStage: { id: 'Per tahap', en: 'By stage' },
  overdueTasks: { id: 'Tugas terlambat', en: 'Overdue tasks' },
  medianDays: { id: 'Median hari per tahap', en: 'Median days per stage' },
  days: { id: 'hari', en: 'days' },
  perRegency: { id: 'Per kabupaten/kota', en: 'Per regency/city' },
  exportCsv: { id: 'Ekspor penerima terdaftar (CSV)', en: 'Export registered recipients (CSV)' },
  exported: { id: 'baris diekspor', en: 'rows exported' },
  generatedAt: { id: 'Dibuat', en: 'Generated' },
} satisfies Record<string, Localized>;

export type TextKey = keyof typeof TEXTS;
export const t = (key: TextKey): string => TEXTS[key][lang];

// Typed by the domain's lists, so a new status or stage cannot go unnamed here.
const STATUS: Record<Status, Localized> = {
  DRAFT: { id: 'Draf', en: 'Draft' },
  SUBMITTED: { id: 'Diajukan', en: 'Submitted' },
  IN_REVIEW: { id: 'Uji publik', en: 'In public review' },
  AWAITING_APPROVAL: { id: 'Menunggu persetujuan', en: 'Awaiting approval' },
  REGISTERED: { id: 'Terdaftar', en: 'Registered' },
  RETURNED: { id: 'Dikembalikan', en: 'Returned' },
  REJECTED: { id: 'Ditolak', en: 'Rejected' },
  FAILED: { id: 'Gagal', en: 'Failed' },
  APPEALED: { id: 'Banding', en: 'Appealed' },
  MERGED: { id: 'Digabung (data ganda)', en: 'Merged (duplicate)' },
};
const STAGE: Record<Stage, Localized> = {
  DRAFT: { id: 'Draf', en: 'Draft' },
  VALIDATION: { id: 'Validasi', en: 'Validation' },
  DUPLICATE_CHECK: { id: 'Cek ganda', en: 'Duplicate check' },
  DUPLICATE_ADJUDICATION: { id: 'Penetapan data ganda', en: 'Duplicate adjudication' },
  EVIDENCE_CHECK: { id: 'Cek dokumen', en: 'Evidence check' },
  PUBLIC_REVIEW: { id: 'Uji publik', en: 'Public review' },
  ADJUDICATION: { id: 'Penanganan sanggahan', en: 'Adjudication' },
  APPROVAL: { id: 'Persetujuan', en: 'Approval' },
  APPEAL: { id: 'Banding', en: 'Appeal' },
  FINALIZED: { id: 'Selesai', en: 'Finalized' },
};
const OBJECTION: Record<string, Localized> = {
  INCLUSION_ERROR: { id: 'Tidak layak menerima', en: 'Not eligible' },
  NOT_RESIDENT: { id: 'Bukan warga setempat', en: 'Not a resident' },
  DECEASED: { id: 'Sudah meninggal', en: 'Deceased' },
  DUPLICATE: { id: 'Terdaftar ganda', en: 'Listed twice' },
  WRONG_DATA: { id: 'Data salah', en: 'Wrong data' },
  OTHER: { id: 'Lainnya', en: 'Other' },
};
const RELATIONSHIP: Record<string, Localized> = {
  KEPALA_KELUARGA: { id: 'Kepala keluarga', en: 'Head of household' },
  SUAMI: { id: 'Suami', en: 'Husband' },
  ISTRI: { id: 'Istri', en: 'Wife' },
  ANAK: { id: 'Anak', en: 'Child' },
  ORANG_TUA: { id: 'Orang tua', en: 'Parent' },
  LAINNYA: { id: 'Lainnya', en: 'Other' },
};
const DISABILITY: Record<string, Localized> = {
  NONE: { id: 'Tidak ada', en: 'None' },
  FISIK: { id: 'Fisik', en: 'Physical' },
  INTELEKTUAL: { id: 'Intelektual', en: 'Intellectual' },
  MENTAL: { id: 'Mental', en: 'Mental' },
  SENSORIK: { id: 'Sensorik', en: 'Sensory' },
  GANDA: { id: 'Ganda', en: 'Multiple' },
};
const FLAG: Record<string, Localized> = {
  DUPLICATE_NIK: { id: 'NIK sudah ada di usulan lain', en: 'NIK already in another proposal' },
  DUPLICATE_KK: { id: 'Nomor KK sudah ada di usulan lain', en: 'KK already in another proposal' },
  PHOTO_REUSED: { id: 'Foto dipakai ulang', en: 'Photo reused' },
  PHOTO_DISTANCE: { id: 'Jarak foto dari rumah', en: 'Photo distance from the house' },
  DOCUMENT_MISSING: { id: 'Dokumen belum ada', en: 'Document missing' },
  NIK_DISTRICT_RECODED: { id: 'NIK dengan kode kecamatan lama', en: 'NIK with a former district code' },
  NIK_DISTRICT_UNKNOWN: { id: 'Kode kecamatan NIK tidak dikenal', en: 'Unknown district code in NIK' },
};

const label = (table: Record<string, Localized>, code: string) => table[code]?.[lang] ?? code;
export const statusLabel = (code: string) => label(STATUS, code);
export const stageLabel = (code: string) => label(STAGE, code);
export const objectionLabel = (code: string) => label(OBJECTION, code);
export const relationshipLabel = (code: string) => label(RELATIONSHIP, code);
export const disabilityLabel = (code: string) => label(DISABILITY, code);
export const flagLabel = (code: string) => label(FLAG, code);
