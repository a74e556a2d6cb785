/*
 * The monthly cut-off (issue 7): on each province's cut-off day the register's changes since the last cut-off
 * are exported for the national submission (DTSEN). The window ends at 00:00 local time on the cut-off day and
 * starts at 00:00 local time on the previous month's cut-off day, so every completed change falls in exactly one
 * window. Rows, their order and the file bytes depend on the changes only: the same window always gives the same
 * files, which is what makes a retried or repeated run harmless.
 */
import { createHash } from 'node:crypto';
import { toCsv } from './imports/csv.ts';
import type { Member, Proposal } from './proposal.ts';
import type { ProvinceConfig } from './province-config.ts';

export const EXPORT_ACTIONS = ['REGISTERED', 'ENDED', 'CORRECTED'] as const;
export type ExportAction = (typeof EXPORT_ACTIONS)[number];

/** A proposal that completed approved: the registration, removal or correction the cut-off reports. */
export type CompletedChange = Proposal & { completedAt: string };

/** `2025-03`: the month whose cut-off day closes the window. */
export type CutoffId = string;
export const CUTOFF_ID = /^\d{4}-(0[1-9]|1[0-2])$/;

export interface CutoffWindow {
  cutoff: CutoffId;
  /** Inclusive, ISO UTC. */
  from: string;
  /** Exclusive, ISO UTC. */
  to: string;
}

/** Indonesia's zones have no daylight saving, so the configured offset names exactly one IANA zone. */
const ZONES: Readonly<Record<string, string>> = { '+07:00': 'Asia/Jakarta', '+08:00': 'Asia/Makassar', '+09:00': 'Asia/Jayapura' };

/** The province's IANA time zone (WIB, WITA or WIT), from the offset its config carries. */
export function provinceTimeZone(config: Pick<ProvinceConfig, 'photo'>): string {
  const zone = ZONES[config.photo.utcOffset];
  if (!zone) throw new Error(`No Indonesian time zone has the offset ${config.photo.utcOffset}`);
  return zone;
}

/** When the cut-off job runs: 01:00 local time on the cut-off day, after the window has closed. */
export function cutoffSchedule(config: Pick<ProvinceConfig, 'cutoffDay' | 'photo'>): { expression: string; timezone: string } {
  return { expression: `cron(0 1 ${config.cutoffDay} * ? *)`, timezone: provinceTimeZone(config) };
}

/**
 * The window of the latest cut-off at or before `at`: a run delivered late (a retry, an hour later) still
 * exports the month it was scheduled for.
 */
export function cutoffWindowAt(config: Pick<ProvinceConfig, 'cutoffDay' | 'photo'>, at: Date): CutoffWindow {
  const offsetMs = offsetMinutes(config.photo.utcOffset) * 60_000;
  const local = new Date(at.getTime() + offsetMs);
  let year = local.getUTCFullYear();
  let month = local.getUTCMonth() + 1;
  if (local.getUTCDate() < config.cutoffDay) [year, month] = previousMonth(year, month);
  return cutoffWindow(config, `${year}-${String(month).padStart(2, '0')}`);
}

/** The window that the cut-off of month `cutoff` closes. */
export function cutoffWindow(config: Pick<ProvinceConfig, 'cutoffDay' | 'photo'>, cutoff: CutoffId): CutoffWindow {
  if (!CUTOFF_ID.test(cutoff)) throw new Error(`Not a cut-off month: ${cutoff}`);
  const [year, month] = cutoff.split('-').map(Number) as [number, number];
  const offsetMs = offsetMinutes(config.photo.utcOffset) * 60_000;
  const startOfDay = (y: number, m: number) => new Date(Date.UTC(y, m - 1, config.cutoffDay) - offsetMs).toISOString();
  return { cutoff, from: startOfDay(...previousMonth(year, month)), to: startOfDay(year, month) };
}

function previousMonth(year: number, month: number): [number, number] {
  return month === 1 ? [year - 1, 12] : [year, month - 1];
}

function offsetMinutes(offset: string): number {
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (!match) throw new Error(`Not a UTC offset: ${offset}`);
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

// ---------------------------------------------------------------- rows

/** One person's change, as the national submission takes it. */
export interface ExportRow {
  action: ExportAction;
  /** ENDED: the removal reason. */
  reason: string;
  provinceCode: string;
  regencyCode: string;
  districtCode: string;
  villageCode: string;
  kk: string;
  nik: string;
  fullName: string;
  sex: string;
  birthDate: string;
  relationship: string;
  programs: string[];
  address: string;
  rt: string;
  rw: string;
  /** CORRECTED: which fields of this person's record changed (`nik`, `fullName`, `address`, `programs`, ...). */
  changedFields: string[];
  proposalId: string;
  /** The registered record a removal or correction acted on. */
  targetProposalId: string;
  completedAt: string;
}

export const EXPORT_COLUMNS: readonly (keyof ExportRow)[] = [
  'action',
  'reason',
  'provinceCode',
  'regencyCode',
  'districtCode',
  'villageCode',
  'kk',
  'nik',
  'fullName',
  'sex',
  'birthDate',
  'relationship',
  'programs',
  'address',
  'rt',
  'rw',
  'changedFields',
  'proposalId',
  'targetProposalId',
  'completedAt',
];

const ACTION_OF = { ADD: 'REGISTERED', REMOVE: 'ENDED', UPDATE: 'CORRECTED' } as const satisfies Record<Proposal['type'], ExportAction>;

/**
 * The rows of a window's changes: by completion time, then proposal id, then the members in their record's
 * order. ADD: every member registered. REMOVE: the members who leave (all of them when the household does), with
 * the reason. UPDATE: every member of the corrected record, with what changed against the record it replaced.
 */
export function exportRows(changes: readonly CompletedChange[]): ExportRow[] {
  const ordered = [...changes].sort((a, b) => compare(a.completedAt, b.completedAt) || compare(a.id, b.id));
  return ordered.flatMap((change) => {
    const action = ACTION_OF[change.type];
    const leaving = change.type === 'REMOVE' && change.removal?.members ? new Set(change.removal.members) : undefined;
    const members = leaving ? change.members.filter((member) => leaving.has(member.nik)) : change.members;
    const changed = change.type === 'UPDATE' ? changedFieldsOf(change) : () => [];
    return members.map(
      (member, index): ExportRow => ({
        action,
        reason: change.type === 'REMOVE' ? (change.removal?.reason ?? '') : '',
        provinceCode: change.provinceCode,
        regencyCode: change.regencyCode,
        districtCode: change.districtCode,
        villageCode: change.villageCode,
        kk: change.household.kk,
        nik: member.nik,
        fullName: member.fullName,
        sex: member.sex,
        birthDate: member.birthDate,
        relationship: member.relationship,
        programs: [...change.programs],
        address: change.household.address,
        rt: change.household.rt,
        rw: change.household.rw,
        changedFields: changed(member, index),
        proposalId: change.id,
        targetProposalId: change.target?.proposalId ?? '',
        completedAt: change.completedAt,
      }),
    );
  });
}

const HOUSEHOLD_FIELDS = ['kk', 'address', 'rt', 'rw', 'location'] as const;
const MEMBER_FIELDS = ['nik', 'fullName', 'sex', 'birthDate', 'relationship', 'disability', 'occupation'] as const;

/**
 * What changed for each member of a corrected record. A member is matched to the previous record by NIK, or else
 * (a NIK fixed with Dukcapil) to the previous member at the same position whose NIK is gone; a member with
 * neither is new (`member`).
 */
function changedFieldsOf(change: CompletedChange): (member: Member, index: number) => string[] {
  const previous = change.previous;
  if (!previous) return () => [];
  const household = [
    ...HOUSEHOLD_FIELDS.filter((field) => !same(change.household[field], previous.household[field])),
    ...(['programs', 'criteria'] as const).filter((field) => !same([...change[field]].sort(), [...previous[field]].sort())),
  ];
  const currentNiks = new Set(change.members.map((member) => member.nik));
  return (member, index) => {
    const byNik = previous.members.find((candidate) => candidate.nik === member.nik);
    const atPosition = previous.members[index];
    const before = byNik ?? (atPosition && !currentNiks.has(atPosition.nik) ? atPosition : undefined);
    const own = before ? MEMBER_FIELDS.filter((field) => !same(member[field], before[field])) : ['member'];
    return [...household, ...own];
  };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------- files

export interface ExportFile {
  name: string;
  contentType: string;
  body: Buffer;
  rows: number;
}

export interface ManifestFile {
  name: string;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface ExportManifest {
  provinceCode: string;
  cutoff: CutoffId;
  window: { from: string; to: string };
  files: ManifestFile[];
  counts: Record<ExportAction, number>;
  generatedAt: string;
}

/** `verval-81-2025-03`: the files' base name. */
export function exportBaseName(provinceCode: string, cutoff: CutoffId): string {
  return `verval-${provinceCode}-${cutoff}`;
}

/**
 * The CSV (RFC 4180, UTF-8, CRLF; lists joined with `|`) and the JSON (the window and the rows) of a window's rows.
 * CSV cells that a spreadsheet would read as a formula are not altered: the file is for the national system, and
 * a NIK must arrive exactly as recorded.
 */
export function exportFiles(provinceCode: string, window: CutoffWindow, rows: readonly ExportRow[]): ExportFile[] {
  const base = exportBaseName(provinceCode, window.cutoff);
  const cell = (value: ExportRow[keyof ExportRow]) => (Array.isArray(value) ? value.join('|') : value);
  const csv = toCsv([[...EXPORT_COLUMNS], ...rows.map((row) => EXPORT_COLUMNS.map((column) => cell(row[column])))]);
  const json = `${JSON.stringify({ provinceCode, cutoff: window.cutoff, window: { from: window.from, to: window.to }, rows }, null, 2)}\n`;
  return [
    { name: `${base}.csv`, contentType: 'text/csv; charset=utf-8', body: Buffer.from(csv, 'utf8'), rows: rows.length },
    { name: `${base}.json`, contentType: 'application/json', body: Buffer.from(json, 'utf8'), rows: rows.length },
  ];
}

export function exportManifest(
  provinceCode: string,
  window: CutoffWindow,
  rows: readonly ExportRow[],
  files: readonly ExportFile[],
  generatedAt: Date,
): ExportManifest {
  const counts = Object.fromEntries(EXPORT_ACTIONS.map((action) => [action, rows.filter((row) => row.action === action).length])) as Record<
    ExportAction,
    number
  >;
  return {
    provinceCode,
    cutoff: window.cutoff,
    window: { from: window.from, to: window.to },
    files: files.map((file) => ({ name: file.name, rows: file.rows, bytes: file.body.length, sha256: sha256(file.body) })),
    counts,
    generatedAt: generatedAt.toISOString(),
  };
}

export function sha256(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('hex');
}
