import { rmSync } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPORT_COLUMNS } from '../../../domain/imports/columns.ts';
import { toCsv } from '../../../domain/imports/csv.ts';
import { maskNik } from '../../../domain/masking.ts';
import { composeNik } from '../../../domain/nik.ts';
import type { ProposalInput } from '../../../domain/proposal.ts';
import { HOUSEHOLD_DOCUMENT_KINDS as DOCUMENT_KINDS, type Tier } from '../../../domain/province-config.ts';
import { ProposalViewSchema } from '../../../functions/api/schemas.ts';
import { startLocalRuntime, type LocalRuntime } from '../../../local/runtime.ts';
import { makeJpeg } from '../../support/evidence-fixtures.ts';
import { householdProposal } from '../../support/proposals.ts';
import {
  apiClient,
  clientsFor,
  pollUntil,
  postToSlot,
  signIn,
  uploadGoodEvidence,
  type ApiClient,
  type HttpResponse,
  type UploadSlot,
} from './http-support.ts';
import { tempDataDir, TIERS } from './support.ts';

/**
 * The whole province stack over HTTP only, as the web console and the village's phones will use it: demo users
 * sign in at the local issuer, call the HTTP API through the local API Gateway (JWT authorizer), and send their
 * files through the presigned POSTs to the local S3 store; the workflow runs on the local Step Functions host.
 * Nothing here touches DynamoDB, S3 or Step Functions directly, except one policy the test signs itself to show
 * that the store refuses an expired one.
 */

/** A day lasts 2 s: the default 10-day public review takes 20 s, long enough for a citizen to object over HTTP. */
const TIME_SCALE = 1 / 43_200;
/** The berita acara's size limit, made small so an oversize upload is cheap to send. */
const SMALL_PDF_LIMIT = 16 * 1024;
/** The default review; SLAs long enough (200 s here) that no task escalates while a test decides it. */
const CONFIG_OVERRIDES = {
  tiers: TIERS.map((tier) => ({ tier, slaDays: 100 })),
  documents: { 'berita-acara': { maxBytes: SMALL_PDF_LIMIT } },
};

/** householdProposal's village (Kota Ambon), which has demo users (local/demo-users.ts) at every tier. */
const VILLAGE = '81.71.01.1006';
const DISTRICT = '81.71.01';
const REGENCY = '81.71';
const USERS = {
  operator: `operator-${VILLAGE}`,
  otherOperator: 'operator-81.71.01.1009',
  village: `approver-village-${VILLAGE}`,
  district: `approver-district-${DISTRICT}`,
  regency: `approver-regency-${REGENCY}`,
  regent: `approver-regent-${REGENCY}`,
} as const;

const OBJECTION = {
  category: 'INCLUSION_ERROR',
  statement: 'Keluarga ini baru membangun rumah permanen dan memiliki dua sepeda motor.',
  reporterName: 'Warga RT 003',
  reporterContact: '081234567890',
};

describe('local runtime: the proposal lifecycle over HTTP', () => {
  let dataDir: string;
  let runtime: LocalRuntime;
  let as: (username: string) => Promise<ApiClient>;
  let anonymous: ApiClient;
  let seed = 5000;
  /** The registered proposal of the first test, for the access checks. */
  let registeredId: string | undefined;

  beforeAll(async () => {
    dataDir = tempDataDir();
    runtime = await startLocalRuntime({ dataDir, timeScale: TIME_SCALE, configOverrides: CONFIG_OVERRIDES });
    as = clientsFor(runtime);
    anonymous = apiClient(runtime);
    for (const username of Object.values(USERS)) expect(runtime.users.map((user) => user.username)).toContain(username);
  }, 600_000);

  afterAll(async () => {
    await runtime?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  // ------------------------------------------------------------ steps a client takes

  const ok = (response: HttpResponse, status: number) => {
    expect(response.status, response.text).toBe(status);
    return response.body;
  };

  async function createDraft(input: ProposalInput = householdProposal()) {
    const operator = await as(USERS.operator);
    const created = ok(await operator.call('POST', '/proposals', { body: input }), 201) as { proposalId: string; version: number; uploads: UploadSlot[] };
    return { input, ...created };
  }

  /** A DRAFT with good evidence for every required document, submitted (202). */
  async function submitGoodProposal(input: ProposalInput = householdProposal()) {
    const draft = await createDraft(input);
    seed += 10;
    await uploadGoodEvidence(draft.uploads, seed, input.household.location);
    const operator = await as(USERS.operator);
    const submitted = ok(await operator.call('POST', `/proposals/${draft.proposalId}/submit`), 202);
    expect(submitted.executionArn).toEqual(expect.any(String));
    return draft;
  }

  async function view(proposalId: string, username: string = USERS.operator, headers?: Record<string, string>) {
    const client = await as(username);
    return ProposalViewSchema.parse(ok(await client.call('GET', `/proposals/${proposalId}`, headers ? { headers } : {}), 200));
  }

  /** Polls GET /proposals/{id} until `done` holds. */
  async function waitForProposal(proposalId: string, what: string, done: (proposal: Awaited<ReturnType<typeof view>>) => boolean) {
    let last: unknown;
    return pollUntil(
      `${proposalId} ${what}`,
      async () => {
        const proposal = await view(proposalId);
        last = { status: proposal.status, stage: proposal.stage, tier: proposal.tier, version: proposal.version, reasons: proposal.reasons };
        return done(proposal) ? proposal : undefined;
      },
      { last: () => last },
    );
  }

  const inPublicReview = (proposalId: string, version = 1) =>
    waitForProposal(proposalId, `in public review (v${version})`, (p) => p.version === version && p.status === 'IN_REVIEW' && p.stage === 'PUBLIC_REVIEW');

  /** Polls the approver's inbox (GET /tasks) until it holds the proposal's task of that kind. */
  async function taskInInbox(username: string, proposalId: string, kind: 'approval' | 'adjudication' = 'approval') {
    const approver = await as(username);
    return pollUntil(`a ${kind} task for ${proposalId} in ${username}'s inbox`, async () => {
      const inbox = ok(await approver.call('GET', '/tasks'), 200) as { items: { taskId: string; proposalId: string; kind: string; tier: Tier }[] };
      return inbox.items.find((task) => task.proposalId === proposalId && task.kind === kind);
    });
  }

  async function decide(username: string, proposalId: string, decision: string, reason?: string, kind: 'approval' | 'adjudication' = 'approval') {
    const task = await taskInInbox(username, proposalId, kind);
    const approver = await as(username);
    const decided = ok(await approver.call('POST', `/tasks/${encodeURIComponent(task.taskId)}/decision`, { body: { decision, ...(reason ? { reason } : {}) } }), 200);
    expect(decided).toMatchObject({ taskId: task.taskId, decision, decidedBy: approver.sub });
    return task;
  }

  const approverOf = (tier: Tier) => USERS[tier];

  // ------------------------------------------------------------ the tests

  it('takes a proposal from POST /proposals through uploads, public review and every tier to REGISTERED', async () => {
    const operator = await as(USERS.operator);
    const draft = await createDraft();
    expect(draft).toMatchObject({ version: 1, uploads: expect.any(Array) });
    expect(draft.uploads.map((slot) => slot.kind).sort()).toEqual([...DOCUMENT_KINDS].sort());
    for (const slot of draft.uploads) expect(slot.fields.key).toMatch(new RegExp(`^proposals/${draft.proposalId}/${slot.kind}/v1-`));

    await uploadGoodEvidence(draft.uploads, seed, draft.input.household.location);
    const uploaded = await view(draft.proposalId);
    expect(uploaded).toMatchObject({ status: 'DRAFT', stage: 'DRAFT', version: 1 });
    expect(uploaded.documents.map((document) => document.key).sort()).toEqual(draft.uploads.map((slot) => slot.fields.key).sort());

    ok(await operator.call('POST', `/proposals/${draft.proposalId}/submit`), 202);
    const again = await operator.call('POST', `/proposals/${draft.proposalId}/submit`);
    expect([again.status, again.body.error.code]).toEqual([409, 'ALREADY_SUBMITTED']);

    // The village's notice board, for anyone: only the head's name, the masked NIK, RT/RW, programs and the end date.
    const inReview = await inPublicReview(draft.proposalId);
    const board = ok(await anonymous.call('GET', `/public/review/${VILLAGE}`), 200);
    const head = draft.input.members[0]!;
    expect(board.items).toContainEqual({
      proposalId: draft.proposalId,
      householdHead: head.fullName,
      nikMasked: maskNik(head.nik),
      rt: draft.input.household.rt,
      rw: draft.input.household.rw,
      programs: draft.input.programs,
      reviewEndsAt: inReview.review!.endsAt,
      proposes: { type: 'ADD' },
    });
    for (const member of draft.input.members) expect(JSON.stringify(board)).not.toContain(member.nik);

    const deciders: Record<string, string> = {};
    for (const tier of TIERS) {
      const task = await decide(approverOf(tier), draft.proposalId, 'approve');
      expect(task.tier).toBe(tier);
      deciders[tier] = (await as(approverOf(tier))).sub!;
    }

    const registered = await waitForProposal(draft.proposalId, 'registered', (p) => p.status === 'REGISTERED');
    registeredId = draft.proposalId;
    expect(registered).toMatchObject({ stage: 'FINALIZED', version: 1, pendingTask: null, reasons: [] });
    expect(registered.documents).toHaveLength(DOCUMENT_KINDS.length);

    // The history of every stage, oldest first, each with who did it.
    const history = registered.history.map((entry) => `${entry.action}${entry.detail?.tier ? ` ${String(entry.detail.tier)}` : ''}`);
    expect(history).toEqual([
      'CREATED',
      'SUBMITTED',
      'VALIDATION_PASSED',
      'LOCKS_REQUESTED',
      'LOCKS_ACQUIRED',
      'EVIDENCE_ACCEPTED',
      'REVIEW_OPENED',
      'REVIEW_CLOSED',
      ...TIERS.flatMap((tier) => [`TASK_OPENED ${tier}`, `DECISION_RECORDED ${tier}`]),
      'REGISTERED',
    ]);
    const actorOf = (action: string, tier?: Tier) =>
      registered.history.find((entry) => entry.action === action && (tier === undefined || entry.detail?.tier === tier))!.actor;
    expect(actorOf('CREATED')).toEqual({ type: 'user', id: operator.sub });
    expect(actorOf('SUBMITTED')).toEqual({ type: 'user', id: operator.sub });
    for (const tier of TIERS) expect(actorOf('DECISION_RECORDED', tier)).toEqual({ type: 'user', id: deciders[tier] });
    expect(actorOf('REGISTERED').type).toBe('system');
    expect(registered.history.every((entry, i, all) => i === 0 || all[i - 1]!.at <= entry.at)).toBe(true);
  }, 180_000);

  it('ends REJECTED with the reason when the social office rejects it', async () => {
    const draft = await submitGoodProposal();
    await decide(USERS.village, draft.proposalId, 'approve');
    await decide(USERS.district, draft.proposalId, 'approve');
    const reason = 'Keluarga memiliki usaha toko dengan penghasilan di atas batas.';
    await decide(USERS.regency, draft.proposalId, 'reject', reason);

    const rejected = await waitForProposal(draft.proposalId, 'rejected', (p) => p.status === 'REJECTED');
    expect(rejected).toMatchObject({ stage: 'FINALIZED', pendingTask: null });
    expect(rejected.reasons).toEqual([
      { path: '', code: 'REJECTED_BY_APPROVER', message: `Ditolak oleh Dinas Sosial kabupaten/kota: ${reason}` },
    ]);
    const inEnglish = await view(draft.proposalId, USERS.operator, { 'accept-language': 'en' });
    expect(inEnglish.reasons[0]!.message).toBe(`Rejected by the regency social office: ${reason}`);
    expect(rejected.history.at(-1)).toMatchObject({ action: 'REJECTED', to: { status: 'REJECTED', stage: 'FINALIZED' } });
    expect(rejected.history.find((entry) => entry.action === 'DECISION_RECORDED' && entry.detail?.tier === 'regency')?.detail).toMatchObject({
      decision: 'reject',
      reason,
    });
    // The regent never got it.
    const regentInbox = ok(await (await as(USERS.regent)).call('GET', '/tasks'), 200);
    expect(regentInbox.items.map((task: { proposalId: string }) => task.proposalId)).not.toContain(draft.proposalId);
  }, 180_000);

  it('returns to the village, is revised into version 2 and comes back to public review', async () => {
    const draft = await submitGoodProposal();
    const reason = 'Foto rumah bagian dalam kurang jelas; alamat tidak lengkap.';
    await decide(USERS.village, draft.proposalId, 'return', reason);

    const returned = await waitForProposal(draft.proposalId, 'returned', (p) => p.status === 'RETURNED');
    expect(returned).toMatchObject({ version: 1, stage: 'FINALIZED' });
    expect(returned.reasons).toEqual([{ path: '', code: 'RETURNED_BY_APPROVER', message: `Dikembalikan oleh desa/kelurahan: ${reason}` }]);

    const operator = await as(USERS.operator);
    const revisedInput = { ...draft.input, household: { ...draft.input.household, address: 'Jl. Pattimura No. 12, Lorong Masjid' } };
    const revised = ok(await operator.call('PUT', `/proposals/${draft.proposalId}`, { body: { ...revisedInput, version: 1 } }), 200);
    expect(revised).toMatchObject({ proposalId: draft.proposalId, version: 2, status: 'DRAFT' });
    expect(revised.uploads.map((slot: UploadSlot) => slot.fields.key)).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`^proposals/${draft.proposalId}/house-front/v2-`))]),
    );
    const asDraft = await view(draft.proposalId);
    expect(asDraft).toMatchObject({ version: 2, status: 'DRAFT', stage: 'DRAFT', household: { address: revisedInput.household.address } });

    // A clearer photo of the inside; the other documents of version 1 still count.
    const interior = (revised.uploads as UploadSlot[]).find((slot) => slot.kind === 'house-interior')!;
    seed += 10;
    const replaced = await postToSlot(interior, makeJpeg({ seed, takenAt: new Date(Date.now() - 86_400_000), gps: revisedInput.household.location }));
    expect(replaced.status, replaced.text).toBe(204);
    ok(await operator.call('POST', `/proposals/${draft.proposalId}/submit`), 202);

    // A second revision of version 1 is stale now.
    const stale = await operator.call('PUT', `/proposals/${draft.proposalId}`, { body: { ...revisedInput, version: 1 } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('VERSION_CONFLICT');

    await inPublicReview(draft.proposalId, 2);
    const board = ok(await anonymous.call('GET', `/public/review/${VILLAGE}`), 200);
    expect(board.items.map((item: { proposalId: string }) => item.proposalId)).toContain(draft.proposalId);
    const history = (await view(draft.proposalId)).history;
    expect(history.map((entry) => `v${entry.version} ${entry.action}`)).toEqual(
      expect.arrayContaining(['v1 RETURNED', 'v2 REVISED', 'v2 SUBMITTED', 'v2 EVIDENCE_ACCEPTED', 'v2 REVIEW_OPENED']),
    );
  }, 180_000);

  it('takes a citizen objection during public review to the district, who dismisses one and upholds another', async () => {
    const [dismissed, upheld] = await Promise.all([submitGoodProposal(), submitGoodProposal()]);
    for (const { proposalId } of [dismissed, upheld]) {
      await inPublicReview(proposalId);
      const filed = ok(await anonymous.call('POST', `/public/review/${proposalId}/objections`, { body: OBJECTION }), 201);
      expect(filed.objectionId).toEqual(expect.any(String));
    }

    // After the review: the district adjudicates the objections.
    await decide(USERS.district, dismissed.proposalId, 'dismiss', undefined, 'adjudication');
    const upholdReason = 'Terbukti memiliki rumah permanen dan kendaraan.';
    const task = await decide(USERS.district, upheld.proposalId, 'uphold', upholdReason, 'adjudication');
    expect(task.tier).toBe('district');

    const rejected = await waitForProposal(upheld.proposalId, 'rejected by the objection', (p) => p.status === 'REJECTED');
    expect(rejected.reasons).toEqual([{ path: '', code: 'REJECTED_BY_APPROVER', message: `Ditolak oleh kecamatan: ${upholdReason}` }]);

    const waiting = await waitForProposal(dismissed.proposalId, 'at the village head', (p) => p.status === 'AWAITING_APPROVAL' && p.tier === 'village');
    expect(waiting.pendingTask).toMatchObject({ kind: 'approval', tier: 'village', proposalId: dismissed.proposalId });
    // The operator sees that there was an objection, not who filed it; the adjudicator sees all of it.
    expect(waiting.objections).toEqual([{ objectionId: expect.any(String), category: OBJECTION.category, filedAt: expect.any(String) }]);
    expect((await view(dismissed.proposalId, USERS.district)).objections).toEqual([expect.objectContaining(OBJECTION)]);
    expect(waiting.history.map((entry) => entry.action)).toEqual(expect.arrayContaining(['OBJECTION_FILED', 'REVIEW_CLOSED', 'DECISION_RECORDED']));

    // The review is over: no more objections.
    const late = await anonymous.call('POST', `/public/review/${dismissed.proposalId}/objections`, { body: OBJECTION });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('NOT_IN_REVIEW');
  }, 180_000);

  it('has the S3 store refuse uploads outside the presigned policy, and keeps nothing of them', async () => {
    const draft = await createDraft();
    const other = await createDraft();
    const slot = (kind: string) => draft.uploads.find((candidate) => candidate.kind === kind)!;
    const front = slot('house-front');
    const minutes = slot('berita-acara');
    expect(minutes).toMatchObject({ maxBytes: SMALL_PDF_LIMIT, contentTypes: ['application/pdf'] });
    const photo = makeJpeg({ seed: 9001, takenAt: new Date(Date.now() - 86_400_000), gps: draft.input.household.location });

    const refusals = {
      wrongContentType: await postToSlot(front, photo, { fields: { 'Content-Type': 'image/png' } }),
      oversize: await postToSlot(minutes, Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(SMALL_PDF_LIMIT + 1 - 9, 0x20)])),
      tamperedSignature: await postToSlot(front, photo, {
        fields: { 'X-Amz-Signature': flipLastHex(front.fields['X-Amz-Signature']!) },
      }),
      tamperedPolicy: await postToSlot(front, photo, { fields: { Policy: widenedPolicy(front.fields.Policy!) } }),
      keyOutsideProposal: await postToSlot(front, photo, { fields: { key: `proposals/${other.proposalId}/house-front/v1-planted.jpg` } }),
      expiredPolicy: await postToSlot(await expiredSlot(front.fields.key!), photo),
    };
    expect(Object.fromEntries(Object.entries(refusals).map(([name, result]) => [name, `${result.status} ${result.code}`]))).toEqual({
      wrongContentType: '403 AccessDenied',
      oversize: '400 EntityTooLarge',
      tamperedSignature: '403 SignatureDoesNotMatch',
      tamperedPolicy: '403 SignatureDoesNotMatch',
      keyOutsideProposal: '403 AccessDenied',
      expiredPolicy: '403 AccessDenied',
    });
    expect(refusals.expiredPolicy.text).toContain('Policy expired');
    expect(refusals.keyOutsideProposal.text).toContain('$key');

    expect((await view(draft.proposalId)).documents).toEqual([]);
    expect((await view(other.proposalId)).documents).toEqual([]);

    // The same slot takes the file it was made for.
    const accepted = await postToSlot(front, photo);
    expect(accepted.status, accepted.text).toBe(204);
    expect((await view(draft.proposalId)).documents).toEqual([
      expect.objectContaining({ kind: 'house-front', key: front.fields.key, size: photo.length }),
    ]);

    /** Signed by the test with the stack's credentials (what the API's functions sign with), expired a minute ago. */
    async function expiredSlot(key: string) {
      const { endpoints } = runtime;
      const client = new S3Client({ endpoint: endpoints.s3, region: endpoints.region, credentials: { ...endpoints.credentials }, forcePathStyle: true });
      try {
        return await createPresignedPost(client, {
          Bucket: endpoints.evidenceBucket,
          Key: key,
          Conditions: [['eq', '$key', key], ['eq', '$Content-Type', 'image/jpeg'], ['content-length-range', 1, 10 * 1024 * 1024]],
          Fields: { 'Content-Type': 'image/jpeg' },
          Expires: -60,
        });
      } finally {
        client.destroy();
      }
    }
  }, 120_000);

  it('answers 401 at the gateway without a token, 403 FORBIDDEN_REGION to another village, in English when asked', async () => {
    const proposalId = registeredId ?? (await createDraft()).proposalId;
    for (const [method, path] of [['GET', `/proposals/${proposalId}`], ['GET', '/tasks'], ['POST', '/proposals']] as const) {
      const response = await anonymous.call(method, path, method === 'POST' ? { body: householdProposal() } : {});
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(response.body).toEqual({ message: 'Unauthorized' });
    }
    // Another village's operator rewriting their token's region: the signature no longer holds.
    const [header, payload, signature] = (await signIn(runtime, USERS.otherOperator)).split('.');
    const claims = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')), region: VILLAGE };
    const forged = apiClient(runtime, [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.'));
    const refused = await forged.call('GET', `/proposals/${proposalId}`);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ message: 'Unauthorized' });
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');

    const stranger = await as(USERS.otherOperator);
    const indonesian = await stranger.call('GET', `/proposals/${proposalId}`);
    expect(indonesian.status).toBe(403);
    expect(indonesian.headers.get('content-type')).toMatch(/^application\/json/);
    expect(indonesian.body).toEqual({ error: { code: 'FORBIDDEN_REGION', message: 'Data ini berada di luar wilayah tugas Anda.', details: [] } });
    const english = await stranger.call('GET', `/proposals/${proposalId}`, { headers: { 'accept-language': 'en' } });
    expect(english.status).toBe(403);
    expect(english.body).toEqual({ error: { code: 'FORBIDDEN_REGION', message: 'This record is outside the region you serve.', details: [] } });
    // Nor may they propose a household of the other village.
    const created = await stranger.call('POST', '/proposals', { body: householdProposal(), headers: { 'accept-language': 'en' } });
    expect(created.status).toBe(403);
    expect(created.body.error.code).toBe('FORBIDDEN_REGION');

    // Validation problems come back in the caller's language, field by field.
    const operator = await as(USERS.operator);
    const good = householdProposal();
    const wrongSex = { ...good, members: [{ ...good.members[0]!, sex: 'P' as const }, ...good.members.slice(1)] };
    const [id, en] = await Promise.all([
      operator.call('POST', '/proposals', { body: wrongSex }),
      operator.call('POST', '/proposals', { body: wrongSex, headers: { 'accept-language': 'en' } }),
    ]);
    expect([id.status, en.status]).toEqual([422, 422]);
    expect(en.body.error).toMatchObject({ code: 'PROPOSAL_INVALID', message: 'The proposal breaks the rules (NIK, KK, region); see the details.' });
    expect(id.body.error.message).toBe('Usulan belum memenuhi aturan (NIK, KK, wilayah); lihat rinciannya.');
    expect(en.body.error.details.map((detail: { code: string }) => detail.code)).toContain('NIK_SEX_MISMATCH');
    expect(en.body.error.details.map((detail: { path: string }) => detail.path)).toEqual(id.body.error.details.map((detail: { path: string }) => detail.path));
    expect(en.body.error.details[0].message).not.toBe(id.body.error.details[0].message);
  }, 120_000);

  it('imports a CSV through its presigned POST: the S3 notification runs the processor and the report is exact', async () => {
    const operator = await as(USERS.operator);
    const started = ok(await operator.call('POST', '/imports', { body: { format: 'csv' } }), 201);
    expect(started.upload).toMatchObject({ kind: 'import', contentTypes: ['text/csv'], fields: { key: `imports/${started.importId}/batch.csv` } });
    expect(ok(await operator.call('GET', `/imports/${started.importId}`), 200)).toMatchObject({ status: 'WAITING_FOR_UPLOAD', processedRows: 0 });

    const csv = importCsv();
    const uploaded = await postToSlot(started.upload, new TextEncoder().encode(csv));
    expect(uploaded.status, uploaded.text).toBe(204);

    const report = await pollUntil(`import ${started.importId} to finish`, async () => {
      const current = ok(await operator.call('GET', `/imports/${started.importId}`, { headers: { 'accept-language': 'en' } }), 200);
      return current.status === 'DONE' || current.status === 'FAILED' ? current : undefined;
    });
    expect(report).toEqual({
      importId: started.importId,
      status: 'DONE',
      format: 'csv',
      createdAt: expect.any(String),
      totalRows: 7,
      processedRows: 7,
      acceptedRows: 5,
      rejectedRows: 2,
      accepted: [
        { householdRef: 'KEL-A', rows: [2, 3, 4], proposalId: expect.any(String) },
        { householdRef: 'KEL-B', rows: [5, 6], proposalId: expect.any(String) },
      ],
      rejected: [{ householdRef: 'KEL-C', rows: [7, 8], issues: [{ row: 8, column: 'nik', code: 'NIK_FORMAT', message: 'NIK of member 2 must be 16 digits.' }] }],
    });
    for (const { householdRef, proposalId } of report.accepted as { householdRef: string; proposalId: string }[]) {
      const draft = await view(proposalId);
      expect(draft).toMatchObject({ status: 'DRAFT', version: 1, villageCode: VILLAGE });
      expect(draft.members).toHaveLength(householdRef === 'KEL-A' ? 3 : 2);
      expect(draft.history[0]).toMatchObject({ action: 'CREATED', actor: { type: 'user', id: operator.sub } });
    }
  }, 120_000);
});

// ---------------------------------------------------------------- pieces

/** Another valid hex signature of the same length. */
function flipLastHex(signature: string): string {
  const last = signature.at(-1)!;
  return signature.slice(0, -1) + (last === '0' ? '1' : '0');
}

/** The slot's policy with a far larger size limit, still under the original signature. */
function widenedPolicy(base64: string): string {
  const policy = JSON.parse(Buffer.from(base64, 'base64').toString('utf8')) as { conditions: unknown[] };
  policy.conditions = policy.conditions.map((condition) =>
    Array.isArray(condition) && condition[0] === 'content-length-range' ? ['content-length-range', 1, 1024 * 1024 * 1024] : condition,
  );
  return Buffer.from(JSON.stringify(policy)).toString('base64');
}

/** Three households of the operator's village as the template lays them out; the third has a 15-digit NIK on row 8. */
function importCsv(): string {
  const district = DISTRICT;
  const row = (ref: string, serial: number, member: { nth: number; name: string; sex: 'L' | 'P'; birthDate: string; relationship: string; nik?: string }) => {
    const values: Record<(typeof IMPORT_COLUMNS)[number], string> = {
      household_ref: ref,
      village_code: VILLAGE,
      kk: `${district.replaceAll('.', '')}150320${String(serial).padStart(4, '0')}`,
      address: `Jl. Dr. Siwabessy No. ${serial % 100}`,
      rt: '004',
      rw: '001',
      latitude: '-3.6960',
      longitude: '128.1820',
      programs: 'PKH;SEMBAKO',
      criteria: 'LANTAI_TANAH;PENGHASILAN_RENDAH',
      nik: member.nik ?? composeNik({ districtCode: district, sex: member.sex, birthDate: member.birthDate, serial: serial + member.nth }),
      full_name: member.name,
      sex: member.sex,
      birth_date: member.birthDate,
      relationship: member.relationship,
    };
    return IMPORT_COLUMNS.map((column) => values[column]);
  };
  return toCsv([
    [...IMPORT_COLUMNS],
    row('KEL-A', 9101, { nth: 0, name: 'Abdul Ohorella', sex: 'L', birthDate: '1975-03-14', relationship: 'KEPALA_KELUARGA' }),
    row('KEL-A', 9101, { nth: 1, name: 'Siti Ohorella', sex: 'P', birthDate: '1978-07-21', relationship: 'ISTRI' }),
    row('KEL-A', 9101, { nth: 2, name: 'Rahmat Ohorella', sex: 'L', birthDate: '2009-12-01', relationship: 'ANAK' }),
    row('KEL-B', 9201, { nth: 0, name: 'Petrus Manuputty', sex: 'L', birthDate: '1968-01-30', relationship: 'KEPALA_KELUARGA' }),
    row('KEL-B', 9201, { nth: 1, name: 'Ester Manuputty', sex: 'P', birthDate: '1970-10-05', relationship: 'ISTRI' }),
    row('KEL-C', 9301, { nth: 0, name: 'Markus Soulissa', sex: 'L', birthDate: '1982-06-18', relationship: 'KEPALA_KELUARGA' }),
    row('KEL-C', 9301, { nth: 1, name: 'Debora Soulissa', sex: 'P', birthDate: '1985-02-11', relationship: 'ISTRI', nik: '817101510285000' }),
  ]);
}
