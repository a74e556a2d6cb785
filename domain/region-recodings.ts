/**
 * Region codes re-coded when provinces split.
 *
 * A NIK keeps the district code where it was first issued, so a person from
 * Merauke registered before 2022 still has a NIK starting 9101xx although
 * Merauke is now 93.01. We map old regency codes to their current codes;
 * a district `91.01.xx` then counts as re-coded when `93.01.xx` exists today.
 *
 * Sources: the split laws named per group below; the old codes are those of
 * Kemendagri's code lists in force before each split, cross-checked against
 * two independent copies of an older list that still carried the old and new
 * entries side by side. The test suite checks every target against the
 * current idn-area-data names.
 *
 * Deliberately left out: regencies created inside a province by splitting a
 * regency (e.g. Mahakam Ulu 64.11 from Kutai Barat 64.07 in 2012, Mamuju
 * Tengah 76.06 from Mamuju 76.02 in 2012), because the districts that moved
 * were renumbered one by one and we do not have that district-level table.
 * NIKs from those districts are flagged NIK_DISTRICT_UNKNOWN for a person to
 * look at, which is the safe outcome.
 */
export type RegencyRecoding = {
  /** Regency code before the split. */
  readonly from: string;
  /** Current regency code. */
  readonly to: string;
  /** Current name as in idn-area-data, so the table can be checked against it. */
  readonly name: string;
  readonly year: number;
};

export type DistrictRecoding = { readonly from: string; readonly to: string };

export const REGENCY_RECODINGS: readonly RegencyRecoding[] = [
  // UU 14/2022: Papua Selatan (93) from Papua (91).
  { from: '91.01', to: '93.01', name: 'KABUPATEN MERAUKE', year: 2022 },
  { from: '91.16', to: '93.02', name: 'KABUPATEN BOVEN DIGOEL', year: 2022 },
  { from: '91.17', to: '93.03', name: 'KABUPATEN MAPPI', year: 2022 },
  { from: '91.18', to: '93.04', name: 'KABUPATEN ASMAT', year: 2022 },

  // UU 15/2022: Papua Tengah (94) from Papua (91).
  { from: '91.04', to: '94.01', name: 'KABUPATEN NABIRE', year: 2022 },
  { from: '91.07', to: '94.02', name: 'KABUPATEN PUNCAK JAYA', year: 2022 },
  { from: '91.08', to: '94.03', name: 'KABUPATEN PANIAI', year: 2022 },
  { from: '91.09', to: '94.04', name: 'KABUPATEN MIMIKA', year: 2022 },
  { from: '91.25', to: '94.05', name: 'KABUPATEN PUNCAK', year: 2022 },
  { from: '91.26', to: '94.06', name: 'KABUPATEN DOGIYAI', year: 2022 },
  { from: '91.27', to: '94.07', name: 'KABUPATEN INTAN JAYA', year: 2022 },
  { from: '91.28', to: '94.08', name: 'KABUPATEN DEIYAI', year: 2022 },

  // UU 16/2022: Papua Pegunungan (95) from Papua (91).
  { from: '91.02', to: '95.01', name: 'KABUPATEN JAYAWIJAYA', year: 2022 },
  { from: '91.12', to: '95.02', name: 'KABUPATEN PEGUNUNGAN BINTANG', year: 2022 },
  { from: '91.13', to: '95.03', name: 'KABUPATEN YAHUKIMO', year: 2022 },
  { from: '91.14', to: '95.04', name: 'KABUPATEN TOLIKARA', year: 2022 },
  { from: '91.21', to: '95.05', name: 'KABUPATEN MAMBERAMO TENGAH', year: 2022 },
  { from: '91.22', to: '95.06', name: 'KABUPATEN YALIMO', year: 2022 },
  { from: '91.23', to: '95.07', name: 'KABUPATEN LANNY JAYA', year: 2022 },
  { from: '91.24', to: '95.08', name: 'KABUPATEN NDUGA', year: 2022 },

  // UU 29/2022: Papua Barat Daya (96) from Papua Barat (92).
  { from: '92.01', to: '96.01', name: 'KABUPATEN SORONG', year: 2022 },
  { from: '92.04', to: '96.02', name: 'KABUPATEN SORONG SELATAN', year: 2022 },
  { from: '92.05', to: '96.03', name: 'KABUPATEN RAJA AMPAT', year: 2022 },
  { from: '92.09', to: '96.04', name: 'KABUPATEN TAMBRAUW', year: 2022 },
  { from: '92.10', to: '96.05', name: 'KABUPATEN MAYBRAT', year: 2022 },
  { from: '92.71', to: '96.71', name: 'KOTA SORONG', year: 2022 },

  // UU 20/2012: Kalimantan Utara (65) from Kalimantan Timur (64).
  // Note the old order: Nunukan was 64.05 and Malinau 64.06.
  { from: '64.04', to: '65.01', name: 'KABUPATEN BULUNGAN', year: 2012 },
  { from: '64.06', to: '65.02', name: 'KABUPATEN MALINAU', year: 2012 },
  { from: '64.05', to: '65.03', name: 'KABUPATEN NUNUKAN', year: 2012 },
  { from: '64.10', to: '65.04', name: 'KABUPATEN TANA TIDUNG', year: 2012 },
  { from: '64.73', to: '65.71', name: 'KOTA TARAKAN', year: 2012 },

  // UU 26/2004: Sulawesi Barat (76) from Sulawesi Selatan (73).
  // Polewali Mamasa (73.19) was renamed Polewali Mandar after Mamasa left it in 2002.
  { from: '73.25', to: '76.01', name: 'KABUPATEN PASANGKAYU', year: 2004 },
  { from: '73.21', to: '76.02', name: 'KABUPATEN MAMUJU', year: 2004 },
  { from: '73.23', to: '76.03', name: 'KABUPATEN MAMASA', year: 2004 },
  { from: '73.19', to: '76.04', name: 'KABUPATEN POLEWALI MANDAR', year: 2004 },
  { from: '73.20', to: '76.05', name: 'KABUPATEN MAJENE', year: 2004 },
];

/** District-level exceptions to the regency rule above (none known yet). */
export const DISTRICT_RECODINGS: readonly DistrictRecoding[] = [];
