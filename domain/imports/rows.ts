import type { Flag } from '../flags.ts';
import { zodIssues, type IssueCode, type IssueParams, type ValidationIssue } from '../messages.ts';
import { normalizeProgram } from '../programs.ts';
import { ProposalInputSchema, type ProposalInput } from '../proposal.ts';
import { REGION_CODE_PATTERNS, parentCodes } from '../regions.ts';
import { validateProposal, type ProposalContext } from '../validate-proposal.ts';
import {
  COLUMN_LABELS,
  HOUSEHOLD_COLUMNS,
  IMPORT_COLUMNS,
  isImportColumn,
  type HouseholdColumn,
  type ImportColumn,
} from './columns.ts';
import { importIssue, type ImportIssue, type SheetRow } from './issues.ts';
import { excelSerialToIsoDate } from './xlsx.ts';

export type AcceptedHousehold = {
  householdRef: string;
  /** Spreadsheet rows of the members, in member order. */
  rows: number[];
  input: ProposalInput;
  /** Flags from the domain validation (e.g. a NIK from a re-coded district); empty without a context. */
  flags: Flag[];
};
export type RejectedHousehold = { householdRef: string; rows: number[]; issues: ImportIssue[] };

/** A file whose header is wrong is not read at all: its rows could not be trusted to be in the right columns. */
export type ImportOutcome =
  | { ok: true; accepted: AcceptedHousehold[]; rejected: RejectedHousehold[] }
  | { ok: false; issues: ImportIssue[] };

export type RowsOptions = {
  /** Runs the full domain validation (regions, NIK against sex and birth date, one head). Without it, only the schema. */
  context?: ProposalContext;
  /** Spreadsheet row of the header, for header issues. */
  headerRow?: number;
};

/** `A`, `B`, … `Z`, `AA` for a 0-based column index, as a spreadsheet labels it. */
export function columnLetter(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/** Header cells are matched leniently: case, surrounding space, and spaces or hyphens for `_`. */
function headerName(cell: string): string {
  return cell.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

const at = (row: number | null, column: ImportColumn | null, code: IssueCode, params: IssueParams = {}): ImportIssue =>
  importIssue(row, column, code, column === null ? params : { field: COLUMN_LABELS[column], ...params });

/** Column positions, or the header's problems. */
function readHeader(header: readonly string[], row: number): { positions: Map<ImportColumn, number>; width: number } | ImportIssue[] {
  const names = header.map(headerName);
  let width = names.length;
  while (width > 0 && names[width - 1] === '') width--;
  if (!names.some(isImportColumn)) return [at(row, null, 'IMPORT_HEADER_MISSING')];

  const issues: ImportIssue[] = [];
  const positions = new Map<ImportColumn, number>();
  names.slice(0, width).forEach((name, i) => {
    if (name === '') return; // an empty spare column is harmless
    // The text of an unknown header cell is not echoed: it may be data (a NIK) in a file without a header.
    if (!isImportColumn(name)) issues.push(at(row, null, 'IMPORT_COLUMN_UNKNOWN', { position: columnLetter(i) }));
    else if (positions.has(name)) issues.push(at(row, name, 'IMPORT_COLUMN_DUPLICATE', { name }));
    else positions.set(name, i);
  });
  for (const column of IMPORT_COLUMNS) {
    if (!positions.has(column)) issues.push(at(row, column, 'IMPORT_COLUMN_MISSING', { name: column }));
  }
  return issues.length > 0 ? issues : { positions, width };
}

type Row = { row: number; values: Record<ImportColumn, string>; extraCells: boolean };

// ---------------------------------------------------------------- cell values

const blankToUndefined = (text: string): string | undefined => (text === '' ? undefined : text);

/** A number as typed, with a decimal comma accepted (Indonesian locale); anything else stays text for the schema to reject. */
function numberOf(text: string): number | string | undefined {
  if (text === '') return undefined;
  const dotted = /^[+-]?\d+,\d+$/.test(text) ? text.replace(',', '.') : text;
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(dotted) ? Number(dotted) : text;
}

/** `;` per the template; `,` too, which is what people type in a `;`-separated file. */
function listOf(text: string, normalize: (item: string) => string): string[] | undefined {
  const items = text.split(/[;,]/).map((item) => normalize(item.trim())).filter((item) => item !== '');
  return items.length === 0 ? undefined : items;
}

const enumText = (item: string) => item.trim().toUpperCase().replace(/[\s-]+/g, '_');
const programText = (item: string) => String(normalizeProgram(item));

/** A NIK or KK as typed: spaces and Excel's leading apostrophe (force-text) removed. */
const identityNumber = (text: string) => text.replace(/^'/, '').replace(/\s+/g, '');
// What a spreadsheet shows for a 16-digit number it has rounded (8.10305E+15).
const ROUNDED_NUMBER = /^\d(\.\d+)?e\+\d+$/i;

const VILLAGE_DIGITS = /^(\d{2})(\d{2})(\d{2})(\d{4})$/;
const villageCodeOf = (text: string) => text.replace(VILLAGE_DIGITS, '$1.$2.$3.$4');

const SEX_WORDS: Readonly<Record<string, string>> = { LAKI_LAKI: 'L', LAKI: 'L', PRIA: 'L', PEREMPUAN: 'P', WANITA: 'P' };
const sexOf = (text: string) => {
  const word = enumText(text);
  return Object.hasOwn(SEX_WORDS, word) ? (SEX_WORDS[word] as string) : word;
};

/**
 * A birth date as YYYY-MM-DD. Also read: an Excel date serial (a date cell
 * saved as General), and D/M/YYYY or D-M-YYYY, day first as written in
 * Indonesia. A wrong day/month order would still disagree with the NIK.
 */
export function birthDateOf(text: string): string {
  const padded = (y: string, m: string, d: string) => `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  if (/^\d+$/.test(text)) return excelSerialToIsoDate(Number(text)) ?? text;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  if (iso !== null) return padded(iso[1] ?? '', iso[2] ?? '', iso[3] ?? '');
  const dayFirst = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  if (dayFirst !== null) return padded(dayFirst[3] ?? '', dayFirst[2] ?? '', dayFirst[1] ?? '');
  return text;
}

/** The form two household cells are compared in, so `PKH;bpnt` agrees with `SEMBAKO;PKH`. */
function comparable(column: HouseholdColumn, text: string): string {
  switch (column) {
    case 'latitude':
    case 'longitude':
      return String(numberOf(text));
    case 'programs':
      return (listOf(text, programText) ?? []).sort().join(';');
    case 'criteria':
      return (listOf(text, enumText) ?? []).sort().join(';');
    case 'kk':
      return identityNumber(text);
    case 'village_code':
      return villageCodeOf(text);
    default:
      return text;
  }
}

// ---------------------------------------------------------------- issue paths

const MEMBER_FIELD_COLUMNS: Readonly<Record<string, ImportColumn>> = {
  nik: 'nik',
  fullName: 'full_name',
  sex: 'sex',
  birthDate: 'birth_date',
  relationship: 'relationship',
};
const HOUSEHOLD_FIELD_COLUMNS: Readonly<Record<string, HouseholdColumn>> = {
  kk: 'kk',
  address: 'address',
  rt: 'rt',
  rw: 'rw',
  location: 'latitude',
  latitude: 'latitude',
  longitude: 'longitude',
};
// Derived from village_code here, so their issues only repeat one about village_code.
const DERIVED_PATHS = new Set(['provinceCode', 'regencyCode', 'districtCode']);

type Household = {
  ref: string;
  rows: Row[];
  /** Where each household-level value was read from. */
  sourceRow: Record<HouseholdColumn, number>;
};

/** The spreadsheet cell a proposal path comes from. */
function locate(path: string, code: string, household: Household): { row: number; column: ImportColumn | null } {
  const [head = '', second = '', third = '', fourth = ''] = path.split('.');
  const firstRow = household.rows[0]?.row ?? 0;
  switch (head) {
    case 'villageCode':
      return { row: household.sourceRow.village_code, column: 'village_code' };
    case 'programs':
    case 'criteria':
      return { row: household.sourceRow[head], column: head };
    case 'household': {
      const column = HOUSEHOLD_FIELD_COLUMNS[fourth || third || second];
      return column === undefined ? { row: firstRow, column: null } : { row: household.sourceRow[column], column };
    }
    case 'members': {
      if (second === '') {
        // The count of heads is about relationships; too many members is about how rows were grouped.
        return { row: firstRow, column: code === 'HEAD_OF_HOUSEHOLD_COUNT' ? 'relationship' : 'household_ref' };
      }
      const row = household.rows[Number(second)]?.row ?? firstRow;
      return { row, column: MEMBER_FIELD_COLUMNS[third] ?? null };
    }
    default:
      return { row: firstRow, column: null };
  }
}

// ---------------------------------------------------------------- households

type Claims = Map<string, number>;

function buildHousehold(household: Household, claims: { nik: Claims; kk: Claims }, context: ProposalContext | undefined) {
  const issues: ImportIssue[] = [];
  const hv = {} as Record<HouseholdColumn, string>;
  for (const column of HOUSEHOLD_COLUMNS) {
    let value = '';
    let sourceRow = household.rows[0]?.row ?? 0;
    for (const { row, values } of household.rows) {
      const text = values[column];
      if (text === '') continue; // a blank repeats the household's value (e.g. filled in on the first row only)
      if (value === '') {
        value = text;
        sourceRow = row;
      } else if (comparable(column, text) !== comparable(column, value)) {
        issues.push(at(row, column, 'IMPORT_HOUSEHOLD_FIELD_MISMATCH', { first: sourceRow }));
      }
    }
    hv[column] = value;
    household.sourceRow[column] = sourceRow;
  }

  // Paths whose problem is already told better than the schema would.
  const explained = new Set<string>();
  const identity = (text: string, path: string, row: number, column: 'nik' | 'kk'): string | undefined => {
    const value = identityNumber(text);
    if (!ROUNDED_NUMBER.test(value)) return blankToUndefined(value);
    issues.push(at(row, column, 'IMPORT_NUMBER_LOST_DIGITS'));
    explained.add(path);
    return value;
  };

  for (const { row } of household.rows.filter((r) => r.extraCells)) issues.push(at(row, null, 'IMPORT_ROW_TOO_MANY_CELLS'));

  const villageCode = villageCodeOf(hv.village_code);
  const parents = REGION_CODE_PATTERNS.village.test(villageCode) ? parentCodes(villageCode) : undefined;
  const input = {
    provinceCode: parents?.province,
    regencyCode: parents?.regency,
    districtCode: parents?.district,
    villageCode: blankToUndefined(villageCode),
    household: {
      kk: identity(hv.kk, 'household.kk', household.sourceRow.kk, 'kk'),
      address: blankToUndefined(hv.address),
      rt: blankToUndefined(hv.rt),
      rw: blankToUndefined(hv.rw),
      location: { latitude: numberOf(hv.latitude), longitude: numberOf(hv.longitude) },
    },
    members: household.rows.map(({ row, values }, i) => ({
      nik: identity(values.nik, `members.${i}.nik`, row, 'nik'),
      fullName: blankToUndefined(values.full_name),
      sex: blankToUndefined(sexOf(values.sex)),
      birthDate: blankToUndefined(birthDateOf(values.birth_date)),
      relationship: blankToUndefined(enumText(values.relationship)),
    })),
    programs: listOf(hv.programs, programText),
    criteria: listOf(hv.criteria, enumText),
  };

  // The same person or family twice in one file: the first household keeps it.
  const claim = (map: Claims, value: string | undefined, row: number, column: 'nik' | 'kk') => {
    if (value === undefined || !/^\d{16}$/.test(value)) return;
    const first = map.get(value);
    if (first === undefined) map.set(value, row);
    else if (!household.rows.some((r) => r.row === first)) issues.push(at(row, column, 'IMPORT_DUPLICATE_IN_FILE', { first }));
  };
  claim(claims.kk, input.household.kk, household.sourceRow.kk, 'kk');
  input.members.forEach((member, i) => claim(claims.nik, member.nik, household.rows[i]?.row ?? 0, 'nik'));

  let validated: { ok: true; proposal: ProposalInput; flags: Flag[] } | { ok: false; issues: ValidationIssue[] };
  if (context !== undefined) {
    validated = validateProposal(input, context);
  } else {
    const parsed = ProposalInputSchema.safeParse(input);
    validated = parsed.success ? { ok: true, proposal: parsed.data, flags: [] } : { ok: false, issues: zodIssues(parsed.error, input) };
  }
  if (!validated.ok) {
    for (const problem of validated.issues) {
      if (DERIVED_PATHS.has(problem.path) || explained.has(problem.path)) continue;
      const { row, column } = locate(problem.path, problem.code, household);
      issues.push({ row, column, code: problem.code as IssueCode, message: problem.message });
    }
  }
  return { issues: dedupe(issues), validated };
}

function dedupe(issues: ImportIssue[]): ImportIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.row}|${i.column}|${i.code}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Turns the rows of an import file into proposal inputs, one per household
 * (rows sharing `household_ref`, in order of first appearance). Each
 * household is accepted or rejected as a whole; a rejection names the
 * spreadsheet row and template column of every problem. Issues never carry
 * cell values.
 */
export function householdsFromRows(
  header: readonly string[],
  rows: readonly SheetRow[],
  options: RowsOptions = {},
): ImportOutcome {
  const headerRow = options.headerRow ?? 1;
  const layout = readHeader(header, headerRow);
  if (Array.isArray(layout)) return { ok: false, issues: layout };

  const dataRows: Row[] = [];
  for (const { row, cells } of rows) {
    if (cells.every((cell) => cell.trim() === '')) continue; // Excel keeps formatted empty rows
    const values = Object.fromEntries(
      [...layout.positions].map(([column, i]) => [column, (cells[i] ?? '').trim()]),
    ) as Record<ImportColumn, string>;
    dataRows.push({ row, values, extraCells: cells.slice(layout.width).some((cell) => cell.trim() !== '') });
  }
  if (dataRows.length === 0) return { ok: false, issues: [at(null, null, 'IMPORT_NO_ROWS')] };

  // A row without a reference cannot be grouped, so it stands alone.
  const groups: Household[] = [];
  const byRef = new Map<string, Household>();
  for (const row of dataRows) {
    const ref = row.values.household_ref;
    let household = ref === '' ? undefined : byRef.get(ref);
    if (household === undefined) {
      household = { ref, rows: [], sourceRow: {} as Record<HouseholdColumn, number> };
      groups.push(household);
      if (ref !== '') byRef.set(ref, household);
    }
    household.rows.push(row);
  }

  const accepted: AcceptedHousehold[] = [];
  const rejected: RejectedHousehold[] = [];
  const claims = { nik: new Map<string, number>(), kk: new Map<string, number>() };
  for (const household of groups) {
    const rowNumbers = household.rows.map((r) => r.row);
    if (household.ref === '') {
      const issues = [at(rowNumbers[0] ?? null, 'household_ref', 'REQUIRED')];
      if (household.rows[0]?.extraCells) issues.push(at(rowNumbers[0] ?? null, null, 'IMPORT_ROW_TOO_MANY_CELLS'));
      rejected.push({ householdRef: '', rows: rowNumbers, issues });
      continue;
    }
    const { issues, validated } = buildHousehold(household, claims, options.context);
    if (issues.length === 0 && validated.ok) {
      accepted.push({ householdRef: household.ref, rows: rowNumbers, input: validated.proposal, flags: validated.flags });
    } else {
      rejected.push({ householdRef: household.ref, rows: rowNumbers, issues });
    }
  }
  return { ok: true, accepted, rejected };
}

/** The same, for a whole sheet whose first non-blank row is the header. */
export function householdsFromSheet(sheet: readonly SheetRow[], options: Omit<RowsOptions, 'headerRow'> = {}): ImportOutcome {
  const [header, ...rows] = sheet;
  if (header === undefined) return { ok: false, issues: [at(null, null, 'IMPORT_NO_ROWS')] };
  return householdsFromRows(header.cells, rows, { ...options, headerRow: header.row });
}
