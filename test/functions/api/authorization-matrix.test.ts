import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller, OperationId } from '../../../domain/access.ts';
import { ROUTES } from '../../../functions/api/routes.ts';
import { apiHarness, callers, type ApiCall, type ApiHarness } from '../../support/api-harness.ts';
import { householdProposal } from '../../support/proposals.ts';

/*
 * Every role × every endpoint × inside or outside the region, against the real handlers and engines.
 * The records all live in village 81.71.01.1006 (Nusaniwe, Kota Ambon). Expected statuses are written out
 * here, independently of domain/access.ts, so a wrong rule there fails this test.
 */

const VILLAGE = '81.71.01.1006';

const CALLERS: Record<string, Caller | undefined> = {
  'operator of the village': callers.operator(VILLAGE),
  'operator of another village': callers.operator('81.71.01.1007'),
  'village approver of the village': callers.approver('village', VILLAGE),
  'village approver of another village': callers.approver('village', '81.71.01.1007'),
  'district approver of the district': callers.approver('district', '81.71.01'),
  'district approver of another district': callers.approver('district', '81.71.02'),
  'regency approver of the regency': callers.approver('regency', '81.71'),
  'regency approver of another regency': callers.approver('regency', '81.01'),
  'regent of the regency': callers.approver('regent', '81.71'),
  'regent of another regency': callers.approver('regent', '81.01'),
  'admin of the province': callers.admin('81'),
  'admin of another regency': callers.admin('81.01'),
  anonymous: undefined,
};
type CallerName = keyof typeof CALLERS;

const INSIDE_READERS: CallerName[] = [
  'operator of the village',
  'village approver of the village',
  'district approver of the district',
  'regency approver of the regency',
  'regent of the regency',
  'admin of the province',
];
const APPROVERS: CallerName[] = Object.keys(CALLERS).filter((name) => /approver|regent/.test(name));
const SIGNED_IN: CallerName[] = Object.keys(CALLERS).filter((name) => name !== 'anonymous');

type Fixtures = { draft: string; toSubmit: string; taskId: string; importId: string };

/** Per operation: the request, and the status of each caller who gets through; everyone else gets 403, anonymous 401. */
const MATRIX: Record<OperationId, { request: (f: Fixtures) => ApiCall; allowed: Partial<Record<CallerName, number>>; public?: number }> = {
  createProposal: { request: () => ({ body: householdProposal() }), allowed: { 'operator of the village': 201 } },
  requestUploads: { request: (f) => ({ params: { id: f.draft }, body: {} }), allowed: { 'operator of the village': 200 } },
  // A draft is edited in place (same version): its village's operator gets 200 and fresh upload slots.
  reviseProposal: {
    request: (f) => ({ params: { id: f.draft }, body: { ...householdProposal(), version: 1 } }),
    allowed: { 'operator of the village': 200 },
  },
  // A draft was never rejected: the operator of its village passes the access check and gets the stable refusal.
  appealProposal: {
    request: (f) => ({ params: { id: f.draft }, body: { statement: 'Keluarga ini sangat membutuhkan bantuan' } }),
    allowed: { 'operator of the village': 409 },
  },
  getProposal: { request: (f) => ({ params: { id: f.draft } }), allowed: each(INSIDE_READERS, 200) },
  listProposals: { request: () => ({ query: { village: VILLAGE } }), allowed: each(INSIDE_READERS, 200) },
  listTasks: { request: () => ({}), allowed: each(APPROVERS, 200) },
  decideTask: {
    request: (f) => ({ params: { taskId: f.taskId }, body: { decision: 'approve' } }),
    allowed: { 'village approver of the village': 200 },
  },
  // Every approver gets through to the per-task checks; an unknown task is that item's NOT_FOUND, in a 200.
  decideTasks: {
    request: () => ({ body: { decisions: [{ taskId: '01JZZZZZZZZZZZZZZZZZZZZZZZ-v1-village', decision: 'approve' }] } }),
    allowed: each(APPROVERS, 200),
  },
  // Upcoming (tomorrow), so it never holds the decisions the other rows take.
  declareFreeze: {
    request: () => ({
      body: {
        regionCode: VILLAGE,
        startsAt: new Date(Date.now() + 86_400_000).toISOString(),
        endsAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
        reason: 'Pilkada serentak',
      },
    }),
    allowed: { 'admin of the province': 201 },
  },
  listFreezes: { request: () => ({}), allowed: { 'admin of the province': 200, 'admin of another regency': 200 } },
  // An unknown freeze is 404 to any administrator (the region of a freeze is only known once it is found).
  endFreeze: {
    request: () => ({ params: { id: '01JZZZZZZZZZZZZZZZZZZZZZZZ' } }),
    allowed: { 'admin of the province': 404, 'admin of another regency': 404 },
  },
  listPublicReview: { request: () => ({ params: { villageCode: VILLAGE } }), allowed: {}, public: 200 },
  fileObjection: {
    request: (f) => ({
      params: { proposalId: f.draft },
      body: { category: 'INCLUSION_ERROR', statement: 'Keluarga ini sudah mampu.', reporterName: 'Warga', reporterContact: '0812345678' },
    }),
    allowed: {},
    public: 409,
  },
  listRegistry: { request: () => ({ params: { villageCode: VILLAGE } }), allowed: {}, public: 200 },
  // Anyone may object; a draft is not a registered household, so 409 proves the request got as far as the record.
  objectToRegistered: {
    request: (f) => ({
      params: { proposalId: f.draft },
      body: { category: 'DECEASED', statement: 'Kepala keluarga sudah meninggal.', reporterName: 'Warga', reporterContact: '0812345678' },
    }),
    allowed: {},
    public: 409,
  },
  getObjectionStatus: { request: () => ({ params: { receipt: 'SGH-0000ZZZZ' } }), allowed: {}, public: 404 },
  // Only the record's own village (operators, the kepala desa/lurah): an ADD draft is no case, so 409 past access.
  withdrawProposal: {
    request: (f) => ({ params: { id: f.draft }, body: { reason: 'Sanggahan tidak terbukti di lapangan.' } }),
    allowed: { 'operator of the village': 409, 'village approver of the village': 409 },
  },
  startImport: {
    request: () => ({ body: { format: 'csv' } }),
    allowed: { 'operator of the village': 201, 'operator of another village': 201 },
  },
  getImport: { request: (f) => ({ params: { id: f.importId } }), allowed: { 'operator of the village': 200 } },
  importTemplate: { request: () => ({}), allowed: each(SIGNED_IN, 200) },
  reportSummary: {
    request: () => ({ query: { region: VILLAGE } }),
    allowed: each(INSIDE_READERS.filter((name) => name !== 'operator of the village'), 200),
  },
  submitProposal: { request: (f) => ({ params: { id: f.toSubmit } }), allowed: { 'operator of the village': 202 } },
  // Province-wide exports with full NIK/KK: only the province's admin; an unknown month is 404 past the access check.
  listExports: { request: () => ({}), allowed: { 'admin of the province': 200 } },
  getExport: { request: () => ({ params: { id: '2020-01' } }), allowed: { 'admin of the province': 404 } },
  openApi: { request: () => ({}), allowed: {}, public: 200 },
};

function each(names: CallerName[], status: number): Partial<Record<CallerName, number>> {
  return Object.fromEntries(names.map((name) => [name, status]));
}

function expectedStatus(operationId: OperationId, callerName: CallerName): number {
  const entry = MATRIX[operationId];
  if (entry.public !== undefined) return entry.public;
  return entry.allowed[callerName] ?? (callerName === 'anonymous' ? 401 : 403);
}

// Refusals first: the one allowed call of a state-changing operation (submit, decide) must come last.
const CASES = ROUTES.flatMap((route) =>
  (Object.keys(CALLERS) as CallerName[])
    .map((callerName) => ({ operationId: route.operationId, callerName, status: expectedStatus(route.operationId, callerName) }))
    .sort((a, b) => Number(a.status < 300) - Number(b.status < 300)),
);

describe('authorization matrix: every role × every endpoint × inside/outside the region', () => {
  let api: ApiHarness;
  let fixtures: Fixtures;

  beforeAll(async () => {
    api = await apiHarness({ timeScale: 1 / 86_400 });
    const operator = { caller: callers.operator(VILLAGE) };
    const draft = await api.draft();
    const toSubmit = await api.draft();
    const inWorkflow = await api.draft();
    await api.submit(inWorkflow.id);
    const taskId = await api.pendingTask(inWorkflow.id, 'village');
    const started = await api.call('startImport', { ...operator, body: { format: 'csv' } });
    expect(started.status).toBe(201);
    fixtures = { draft: draft.id, toSubmit: toSubmit.id, taskId, importId: started.body.importId };
  }, 120_000);

  afterAll(() => api?.close());

  it('covers every route of the contract', () => {
    expect(Object.keys(MATRIX).sort()).toEqual(ROUTES.map((route) => route.operationId).sort());
  });

  it.each(CASES)('$operationId by $callerName → $status', async ({ operationId, callerName, status }) => {
    const caller = CALLERS[callerName];
    const response = await api.call(operationId, { ...MATRIX[operationId].request(fixtures), ...(caller && { caller }) });
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    if (status === 401 || status === 403) expect(response.body.error.code).toMatch(/^(UNAUTHENTICATED|FORBIDDEN_\w+)$/);
  });

  it('refuses a token whose claims are inconsistent (an operator claiming a regency)', async () => {
    const response = await api.call('listProposals', { caller: { sub: 'x', role: 'village_operator', region: '81.71' } });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('CLAIMS_INVALID');
  });
});
