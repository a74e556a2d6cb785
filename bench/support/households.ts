/**
 * Valid, distinct households for the figures, as many as asked: household `h` always gets the same members,
 * and no two households share a NIK or a KK, so the duplicate check never joins proposals the bench meant to
 * keep apart. All live in one village of Kota Ambon that has demo users at every tier (local/demo-users.ts),
 * at the spot the evidence fixtures stamp into photos.
 */
import { IMPORT_COLUMNS, type ImportColumn } from '../../domain/imports/columns.ts';
import { composeNik, type Sex } from '../../domain/nik.ts';
import type { ProposalInput } from '../../domain/proposal.ts';
import { tierRegionCode, type Tier } from '../../domain/province-config.ts';
import { houseLocation } from '../../local/evidence-fixtures.ts';

export const BENCH_VILLAGE = '81.71.01.1006';
const DISTRICT = '81.71.01';
const DAY_MS = 86_400_000;

/** The demo user who acts for the village at `tier` (or its operator). */
export function benchUser(role: Tier | 'operator'): string {
  return role === 'operator' ? `operator-${BENCH_VILLAGE}` : `approver-${role}-${tierRegionCode(role, BENCH_VILLAGE)}`;
}

const isoDate = (base: string, days: number) => new Date(Date.parse(`${base}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

type Member = ProposalInput['members'][number];

function member(fullName: string, sex: Sex, birthDate: string, serial: number, relationship: Member['relationship']): Member {
  return { nik: composeNik({ districtCode: DISTRICT, sex, birthDate, serial }), fullName, sex, birthDate, relationship } as Member;
}

/**
 * Household `h` (0 ≤ h < 79 million) of 2 to 4 members. A NIK is district, birth date, sex and serial: heads
 * (men born 1955–1982) and wives (women born 1960–1987) take the day from h mod 10,000 and the serial from
 * h div 10,000; sons and daughters (born 2000–2021) from h mod 8,000 and h div 8,000. Within a group the pair
 * (day, serial) is h itself, and the groups differ in sex or birth years, so every NIK is unique.
 */
export function benchHousehold(h: number): ProposalInput {
  const adults = { day: h % 10_000, serial: 1 + Math.floor(h / 10_000) };
  const children = { day: h % 8000, serial: 1 + Math.floor(h / 8000) };
  const family = ['Latuconsina', 'Pattinama', 'Tuhumury', 'Salampessy', 'Wattimena', 'Letsoin'][h % 6];
  const members: Member[] = [
    member(`Yohanis ${family}`, 'L', isoDate('1955-01-01', adults.day), adults.serial, 'KEPALA_KELUARGA'),
    member(`Maria ${family}`, 'P', isoDate('1960-01-01', adults.day), adults.serial, 'ISTRI'),
  ];
  if (h % 3 >= 1) members.push(member(`Daniel ${family}`, 'L', isoDate('2000-01-01', children.day), children.serial, 'ANAK'));
  if (h % 3 === 2) members.push(member(`Ester ${family}`, 'P', isoDate('2000-01-01', children.day), children.serial, 'ANAK'));
  return {
    provinceCode: '81',
    regencyCode: '81.71',
    districtCode: DISTRICT,
    villageCode: BENCH_VILLAGE,
    household: {
      kk: `${DISTRICT.replaceAll('.', '')}${String(h).padStart(10, '0')}`,
      address: `Jl. Pattimura No. ${1 + (h % 200)}`,
      rt: String(1 + (h % 9)).padStart(3, '0'),
      rw: String(1 + (h % 5)).padStart(3, '0'),
      location: { ...houseLocation },
    },
    members,
    programs: h % 2 === 0 ? ['PKH', 'SEMBAKO'] : ['PBI_JKN'],
    criteria: ['LANTAI_TANAH', 'PENGHASILAN_RENDAH'],
  } as ProposalInput;
}

/** The import template's rows (no header) for households from..from+count-1, one row per member. */
export function importRows(from: number, count: number): string[][] {
  const rows: string[][] = [];
  for (let h = from; h < from + count; h++) {
    const input = benchHousehold(h);
    for (const person of input.members) {
      const cells: Record<ImportColumn, string> = {
        household_ref: `KEL-${h}`,
        village_code: input.villageCode,
        kk: input.household.kk,
        address: input.household.address,
        rt: input.household.rt,
        rw: input.household.rw,
        latitude: String(input.household.location.latitude),
        longitude: String(input.household.location.longitude),
        programs: input.programs.join(';'),
        criteria: input.criteria.join(';'),
        nik: person.nik,
        full_name: person.fullName,
        sex: person.sex,
        birth_date: person.birthDate,
        relationship: person.relationship,
      };
      rows.push(IMPORT_COLUMNS.map((column) => cells[column]));
    }
  }
  return rows;
}
