import { issue, type ValidationIssue } from './messages.ts';
import { districtCodeFromDigits, type RegionDirectory } from './regions.ts';

/** L = laki-laki (male), P = perempuan (female), as on the KTP. */
export const SEXES = ['L', 'P'] as const;
export type Sex = (typeof SEXES)[number];

export type ParsedNik = {
  /** Dotted district code where the NIK was first issued, e.g. `81.03.05`. */
  districtCode: string;
  birthDay: number;
  birthMonth: number;
  birthYearTwoDigits: number;
  sex: Sex;
  serial: number;
};

export type NikFlag =
  | { code: 'NIK_DISTRICT_RECODED'; path: string; detail: { currentDistrictCode: string } }
  | { code: 'NIK_DISTRICT_UNKNOWN'; path: string; detail: { districtCode: string } };

/** Women's NIKs carry the birth day plus 40 (41–71). */
const WOMEN_DAY_OFFSET = 40;
const SIXTEEN_DIGITS = /^\d{16}$/;

export function isSixteenDigits(value: string): boolean {
  return SIXTEEN_DIGITS.test(value);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * A NIK only carries the year mod 100, so 29 February is possible when the
 * year is a leap year in either century (both 19YY and 20YY are candidates).
 */
function isPossibleDate(day: number, month: number, yearTwoDigits: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return [1900, 2000].some((century) => day <= daysInMonth(century + yearTwoDigits, month));
}

/** The NIK's parts, or null if it is not 16 digits or its date part is impossible. */
export function parseNik(nik: string): ParsedNik | null {
  if (!isSixteenDigits(nik)) return null;
  const encodedDay = Number(nik.slice(6, 8));
  const sex: Sex = encodedDay > WOMEN_DAY_OFFSET ? 'P' : 'L';
  const birthDay = sex === 'P' ? encodedDay - WOMEN_DAY_OFFSET : encodedDay;
  const birthMonth = Number(nik.slice(8, 10));
  const birthYearTwoDigits = Number(nik.slice(10, 12));
  if (!isPossibleDate(birthDay, birthMonth, birthYearTwoDigits)) return null;
  return {
    districtCode: districtCodeFromDigits(nik),
    birthDay,
    birthMonth,
    birthYearTwoDigits,
    sex,
    serial: Number(nik.slice(12, 16)),
  };
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Checks a NIK on its own and against the member's declared sex and birth
 * date. District codes that are merely unknown are flagged, not rejected:
 * the region list lags behind Dukcapil and a person should decide.
 */
export function validateNik(
  nik: string,
  member: { sex: Sex; birthDate: string },
  regions: RegionDirectory,
  path: string,
): { issues: ValidationIssue[]; flags: NikFlag[] } {
  if (!isSixteenDigits(nik)) return { issues: [issue(path, 'NIK_FORMAT')], flags: [] };
  const issues: ValidationIssue[] = [];
  const flags: NikFlag[] = [];

  const districtCode = districtCodeFromDigits(nik);
  if (!regions.isKnownProvince(districtCode.slice(0, 2))) {
    issues.push(issue(path, 'NIK_PROVINCE_INVALID'));
  } else {
    const district = regions.classifyDistrict(districtCode);
    if (district.kind === 'recoded') {
      flags.push({ code: 'NIK_DISTRICT_RECODED', path, detail: { currentDistrictCode: district.current } });
    } else if (district.kind === 'unknown') {
      flags.push({ code: 'NIK_DISTRICT_UNKNOWN', path, detail: { districtCode } });
    }
  }

  const parsed = parseNik(nik);
  if (parsed === null) {
    issues.push(issue(path, 'NIK_BIRTH_DATE_INVALID'));
  } else {
    if (parsed.sex !== member.sex) issues.push(issue(path, 'NIK_SEX_MISMATCH'));
    const declared = ISO_DATE.exec(member.birthDate);
    if (
      declared !== null &&
      (parsed.birthDay !== Number(declared[3]) ||
        parsed.birthMonth !== Number(declared[2]) ||
        parsed.birthYearTwoDigits !== Number(declared[1]) % 100)
    ) {
      issues.push(issue(path, 'NIK_BIRTH_DATE_MISMATCH'));
    }
  }

  if (nik.endsWith('0000')) issues.push(issue(path, 'NIK_SERIAL_ZERO'));
  return { issues, flags };
}

/** Builds a NIK from its parts (for tests, fixtures and seed data). */
export function composeNik(parts: {
  districtCode: string;
  sex: Sex;
  birthDate: string;
  serial: number;
}): string {
  const [year = '', month = '', day = ''] = parts.birthDate.split('-');
  const encodedDay = Number(day) + (parts.sex === 'P' ? WOMEN_DAY_OFFSET : 0);
  return (
    parts.districtCode.replaceAll('.', '') +
    String(encodedDay).padStart(2, '0') +
    month +
    year.slice(-2) +
    String(parts.serial).padStart(4, '0')
  );
}
