import { ulid } from 'ulid';
import type { Proposal, ProposalInput } from '../../domain/proposal.ts';
import { composeNik } from '../../domain/nik.ts';

/** A NIK that passes every rule for this person: issued in `district`, birth date and sex encoded. */
export const nikFor = (districtCode: string, birthDate: string, sex: 'L' | 'P', serial: number) =>
  composeNik({ districtCode, birthDate, sex, serial });

let household = 0;

/**
 * A valid household in Nusaniwe, Kota Ambon (Maluku). Each call gets fresh NIKs and a fresh KK,
 * so tests never collide on duplicate locks unless they mean to.
 */
export function householdProposal(overrides: Partial<ProposalInput> = {}): ProposalInput {
  household += 1;
  // Serials stay within 0001..9999 and never repeat inside one test file (one process).
  const serial = 1 + ((process.pid % 1000) + household * 3) % 9990;
  const kk = `817101${'150320'}${String(serial % 10000).padStart(4, '0')}`;
  return {
    provinceCode: '81',
    regencyCode: '81.71',
    districtCode: '81.71.01',
    villageCode: '81.71.01.1006',
    household: {
      kk,
      address: 'Jl. Pattimura No. 12',
      rt: '003',
      rw: '002',
      location: { latitude: -3.6954, longitude: 128.1814 },
    },
    members: [
      {
        nik: nikFor('81.71.01', '1980-05-17', 'L', serial),
        fullName: 'Yohanis Latuconsina',
        sex: 'L',
        birthDate: '1980-05-17',
        relationship: 'KEPALA_KELUARGA',
        occupation: 'Nelayan',
      },
      {
        nik: nikFor('81.71.01', '1984-11-02', 'P', serial + 1),
        fullName: 'Maria Latuconsina',
        sex: 'P',
        birthDate: '1984-11-02',
        relationship: 'ISTRI',
      },
      {
        nik: nikFor('81.71.01', '2012-01-09', 'L', serial + 2),
        fullName: 'Daniel Latuconsina',
        sex: 'L',
        birthDate: '2012-01-09',
        relationship: 'ANAK',
      },
    ],
    programs: ['PKH', 'SEMBAKO'],
    criteria: ['LANTAI_TANAH', 'PENGHASILAN_RENDAH'],
    ...overrides,
  } as ProposalInput;
}

/** A stored DRAFT for the given input, as the API would create it. */
export function draftOf(input: ProposalInput, now = new Date()): Proposal {
  const at = now.toISOString();
  return {
    ...input,
    type: 'ADD',
    id: ulid(),
    version: 1,
    status: 'DRAFT',
    stage: 'DRAFT',
    submittedBy: 'operator-81.71.01.1006',
    createdAt: at,
    updatedAt: at,
    reasons: [],
    flags: [],
  } as Proposal;
}

/** An objection as a neighbour files it during the public review. */
export const sampleObjection = {
  category: 'INCLUSION_ERROR',
  statement: 'Keluarga ini memiliki mobil dan rumah permanen.',
  reporterName: 'Warga RT 003',
  reporterContact: '081234567890',
};
