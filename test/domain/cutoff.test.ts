import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  cutoffSchedule,
  cutoffWindow,
  cutoffWindowAt,
  EXPORT_COLUMNS,
  exportFiles,
  exportManifest,
  exportRows,
  provinceTimeZone,
  type CompletedChange,
} from '../../domain/cutoff.ts';
import { parseCsv } from '../../domain/imports/csv.ts';
import { provinceConfig } from '../../domain/province-config.ts';
import { draftOf, householdProposal } from '../support/proposals.ts';

const maluku = provinceConfig('81'); // WIT, UTC+9
const jakarta = provinceConfig('31', { cutoffDay: 25 }); // WIB, UTC+7

function completed(type: 'ADD' | 'REMOVE' | 'UPDATE', completedAt: string, extra: Partial<CompletedChange> = {}): CompletedChange {
  return { ...draftOf(householdProposal()), type, status: 'REGISTERED', stage: 'DONE', completedAt, ...extra } as CompletedChange;
}

describe('cut-off window', () => {
  it('runs at 01:00 local time on the cut-off day, in the province zone', () => {
    expect(cutoffSchedule(maluku)).toEqual({ expression: 'cron(0 1 17 * ? *)', timezone: 'Asia/Jayapura' });
    expect(cutoffSchedule(jakarta)).toEqual({ expression: 'cron(0 1 25 * ? *)', timezone: 'Asia/Jakarta' });
    expect(provinceTimeZone(provinceConfig('73'))).toBe('Asia/Makassar');
  });

  it('spans local midnight of the previous cut-off day to local midnight of this one', () => {
    expect(cutoffWindow(maluku, '2025-03')).toEqual({ cutoff: '2025-03', from: '2025-02-16T15:00:00.000Z', to: '2025-03-16T15:00:00.000Z' });
    expect(cutoffWindow(jakarta, '2025-01')).toEqual({ cutoff: '2025-01', from: '2024-12-24T17:00:00.000Z', to: '2025-01-24T17:00:00.000Z' });
  });

  it('belongs to the latest cut-off at or before the run, so a late or retried run exports the same month', () => {
    expect(cutoffWindowAt(maluku, new Date('2025-03-16T16:00:00Z')).cutoff).toBe('2025-03'); // 01:00 WIT on the 17th
    expect(cutoffWindowAt(maluku, new Date('2025-03-18T09:00:00Z')).cutoff).toBe('2025-03');
    expect(cutoffWindowAt(maluku, new Date('2025-03-16T14:59:59Z')).cutoff).toBe('2025-02'); // 23:59 WIT on the 16th
    expect(cutoffWindowAt(maluku, new Date('2025-01-10T00:00:00Z')).cutoff).toBe('2024-12');
  });

  it('refuses what is not a month', () => {
    expect(() => cutoffWindow(maluku, '2025-13')).toThrow();
  });
});

describe('export rows', () => {
  const add = completed('ADD', '2025-03-01T02:00:00.000Z');
  const registered = completed('ADD', '2025-01-01T00:00:00.000Z');
  const [head, wife, child] = registered.members as [CompletedChange['members'][number], CompletedChange['members'][number], CompletedChange['members'][number]];
  const removeOne = completed('REMOVE', '2025-02-20T00:00:00.000Z', {
    ...registered,
    id: '01JQ0000000000000000000002',
    type: 'REMOVE',
    completedAt: '2025-02-20T00:00:00.000Z',
    target: { proposalId: registered.id },
    removal: { reason: 'DECEASED', members: [wife.nik], statement: 'Meninggal dunia, akta kematian terlampir' },
  });
  const fixedNik = `${head.nik.slice(0, 12)}9999`;
  const update = completed('UPDATE', '2025-02-20T00:00:00.000Z', {
    ...registered,
    id: '01JQ0000000000000000000001',
    type: 'UPDATE',
    completedAt: '2025-02-20T00:00:00.000Z',
    target: { proposalId: registered.id },
    household: { ...registered.household, address: 'Jl. Baru No. 1' },
    members: [{ ...head, nik: fixedNik }, child, { ...child, nik: `${child.nik.slice(0, 12)}8888`, fullName: 'Bayi Baru', birthDate: '2025-01-05' }],
    previous: { household: registered.household, members: registered.members, programs: registered.programs, criteria: registered.criteria },
    correction: { statement: 'NIK diperbaiki sesuai Dukcapil' },
  });

  it('orders by completion, then proposal id, then the members of each record', () => {
    const rows = exportRows([add, removeOne, update]);
    expect(rows.map((row) => [row.proposalId, row.nik])).toEqual([
      [update.id, fixedNik],
      [update.id, child.nik],
      [update.id, update.members[2]!.nik],
      [removeOne.id, wife.nik],
      ...add.members.map((member) => [add.id, member.nik]),
    ]);
    expect(exportRows([update, add, removeOne])).toEqual(rows);
  });

  it('registers every member of an ADD, with region, KK and programs', () => {
    const rows = exportRows([add]);
    expect(rows[0]).toEqual({
      action: 'REGISTERED',
      reason: '',
      provinceCode: '81',
      regencyCode: '81.71',
      districtCode: '81.71.01',
      villageCode: '81.71.01.1006',
      kk: add.household.kk,
      nik: add.members[0]!.nik,
      fullName: 'Yohanis Latuconsina',
      sex: 'L',
      birthDate: '1980-05-17',
      relationship: 'KEPALA_KELUARGA',
      programs: ['PKH', 'SEMBAKO'],
      address: 'Jl. Pattimura No. 12',
      rt: '003',
      rw: '002',
      changedFields: [],
      proposalId: add.id,
      targetProposalId: '',
      completedAt: '2025-03-01T02:00:00.000Z',
    });
    expect(rows.map((row) => row.action)).toEqual(['REGISTERED', 'REGISTERED', 'REGISTERED']);
  });

  it('ends only the members a removal names, with its reason; all of them when it names none', () => {
    expect(exportRows([removeOne]).map((row) => [row.action, row.nik, row.reason, row.targetProposalId])).toEqual([['ENDED', wife.nik, 'DECEASED', registered.id]]);
    const household = { ...removeOne, removal: { reason: 'MOVED' as const, statement: 'Pindah ke luar provinsi' } };
    expect(exportRows([household]).map((row) => [row.nik, row.reason])).toEqual(registered.members.map((member) => [member.nik, 'MOVED']));
  });

  it('says for each corrected member what changed: a fixed NIK, a household field, a new member', () => {
    expect(exportRows([update]).map((row) => [row.action, row.changedFields])).toEqual([
      ['CORRECTED', ['address', 'nik']],
      ['CORRECTED', ['address']],
      ['CORRECTED', ['address', 'member']],
    ]);
  });

  describe('files and manifest', () => {
    const window = cutoffWindow(maluku, '2025-03');
    const rows = exportRows([add, removeOne]);
    const files = exportFiles('81', window, rows);
    const manifest = exportManifest('81', window, rows, files, new Date('2025-03-16T16:00:05Z'));

    it('writes an RFC 4180 CSV with a header and one line per row, lists joined with |', () => {
      const [csv] = files;
      expect(csv!.name).toBe('verval-81-2025-03.csv');
      const text = csv!.body.toString('utf8');
      expect(text.endsWith('\r\n')).toBe(true);
      const parsed = parseCsv(text).map((row) => row.cells);
      expect(parsed[0]).toEqual([...EXPORT_COLUMNS]);
      expect(parsed[1]).toEqual(['ENDED', 'DECEASED', '81', '81.71', '81.71.01', '81.71.01.1006', registered.household.kk, wife.nik, 'Maria Latuconsina', 'P', '1984-11-02', 'ISTRI', 'PKH|SEMBAKO', 'Jl. Pattimura No. 12', '003', '002', '', removeOne.id, registered.id, '2025-02-20T00:00:00.000Z']);
      expect(parsed).toHaveLength(1 + 4);
    });

    it('writes the same rows as JSON, with the window', () => {
      const json = JSON.parse(files[1]!.body.toString('utf8'));
      expect(json).toEqual({ provinceCode: '81', cutoff: '2025-03', window: { from: window.from, to: window.to }, rows });
    });

    it('lists each file with its rows, bytes and SHA-256, and counts per action', () => {
      expect(manifest).toEqual({
        provinceCode: '81',
        cutoff: '2025-03',
        window: { from: '2025-02-16T15:00:00.000Z', to: '2025-03-16T15:00:00.000Z' },
        files: files.map((file) => ({ name: file.name, rows: 4, bytes: file.body.length, sha256: createHash('sha256').update(file.body).digest('hex') })),
        counts: { REGISTERED: 3, ENDED: 1, CORRECTED: 0 },
        generatedAt: '2025-03-16T16:00:05.000Z',
      });
    });

    it('gives the same bytes for the same changes in any order', () => {
      const again = exportFiles('81', window, exportRows([removeOne, add]));
      expect(again.map((file) => file.body.equals(files.find((other) => other.name === file.name)!.body))).toEqual([true, true]);
    });
  });
});
