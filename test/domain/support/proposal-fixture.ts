import { RegionDirectory } from '../../../domain/regions.ts';
import { loadRegionData } from '../../../domain/region-source.ts';

/** All of Indonesia; districts are always national, villages too here. */
export const nationalRegions = new RegionDirectory(loadRegionData());
/** What a Maluku (81) Lambda sees: national districts, Maluku villages only. */
export const malukuRegions = new RegionDirectory(loadRegionData('81'));

export const TODAY = '2025-06-01';
export const malukuContext = { regions: malukuRegions, provinceCode: '81', today: TODAY };

/**
 * A valid proposal from Lelingluan (81.03.05.2001), Tanimbar Utara, Maluku.
 * NIKs are written out by hand, not composed by the code under test.
 */
export function validInput() {
  return {
    provinceCode: '81',
    regencyCode: '81.03',
    districtCode: '81.03.05',
    villageCode: '81.03.05.2001',
    household: {
      kk: '8103050101230001',
      address: 'Jl. Pantai Lelingluan No. 3',
      rt: '001',
      rw: '002',
      location: { latitude: -7.55, longitude: 131.4 },
    },
    members: [
      {
        nik: '8103051204800001', // L, 12-04-1980
        fullName: 'YOHANES LETSOIN',
        sex: 'L',
        birthDate: '1980-04-12',
        relationship: 'KEPALA_KELUARGA',
        occupation: 'Nelayan',
      },
      {
        nik: '8103054311840002', // P, 03-11-1984 (day + 40)
        fullName: "MARIA O'NEIL-BATLAYERI",
        sex: 'P',
        birthDate: '1984-11-03',
        relationship: 'ISTRI',
        disability: 'NONE',
      },
      {
        nik: '8103053001100003', // L, 30-01-2010
        fullName: 'Yosef Letsoin',
        sex: 'L',
        birthDate: '2010-01-30',
        relationship: 'ANAK',
      },
    ],
    programs: ['PKH', 'bpnt'],
    criteria: ['LANTAI_TANAH', 'TANPA_JAMBAN'],
  };
}

export type FixtureInput = ReturnType<typeof validInput>;
