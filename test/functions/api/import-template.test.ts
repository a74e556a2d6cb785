import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPORT_COLUMNS } from '../../../domain/imports/columns.ts';
import { parseCsv } from '../../../domain/imports/csv.ts';
import { householdsFromSheet } from '../../../domain/imports/rows.ts';
import { regionDirectory } from '../../../functions/shared/regions.ts';
import { apiHarness, callers, type ApiHarness } from '../../support/api-harness.ts';

let api: ApiHarness;
beforeAll(async () => {
  api = await apiHarness();
});
afterAll(async () => {
  await api?.close();
});

/** The columns as the import guide documents them, in this order. */
const DOCUMENTED_COLUMNS = [
  'household_ref',
  'village_code',
  'kk',
  'address',
  'rt',
  'rw',
  'latitude',
  'longitude',
  'programs',
  'criteria',
  'nik',
  'full_name',
  'sex',
  'birth_date',
  'relationship',
];

describe('GET /imports/template.csv', () => {
  it('downloads a CSV whose header is exactly the documented column list', async () => {
    const response = await api.call('importTemplate', { caller: callers.operator() });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="[\w.-]+\.csv"$/);
    const [header] = parseCsv(response.text);
    expect(header?.cells).toEqual(DOCUMENTED_COLUMNS);
    expect(header?.cells).toEqual([...IMPORT_COLUMNS]);
    expect(response.text.split('\r\n')[0]).toBe(DOCUMENTED_COLUMNS.join(','));
  });

  it('carries an example row that imports as a valid household', async () => {
    const response = await api.call('importTemplate', { caller: callers.operator() });
    const outcome = householdsFromSheet(parseCsv(response.text), {
      context: { regions: regionDirectory('81'), provinceCode: '81', today: '2026-01-01' },
    });
    expect(outcome).toMatchObject({ ok: true, rejected: [] });
    expect(outcome.ok && outcome.accepted).toHaveLength(1);
  });

  it('is there for every signed-in role, and not without a token', async () => {
    for (const caller of [callers.approver('district', '81.71.01'), callers.admin('81')]) {
      expect((await api.call('importTemplate', { caller })).status).toBe(200);
    }
    expect((await api.call('importTemplate')).status).toBe(401);
  });
});
