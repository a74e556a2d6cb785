/**
 * The records store's methods for the HTTP API and imports, on DynamoDB Local: region listing and its cursor,
 * idempotent creation, revision, time per stage, rate limiting and import outcomes.
 */
import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { proposalInputOf, type Proposal, type ProposalInput } from '../../../domain/proposal.ts';
import type { Stage, Status } from '../../../domain/lifecycle.ts';
import {
  ConflictError,
  IdempotencyKeyUsed,
  ImportOutcomeRecorded,
  InvalidCursorError,
  importCounts,
  type ImportJob,
  type ImportOutcome,
  type RecordsStore,
} from '../../../functions/adapters/records-store.ts';
import type { TestClients } from '../../support/aws-clients.ts';
import { draftOf, householdProposal } from '../../support/proposals.ts';
import { stageDeps } from '../../support/stage-deps.ts';
import { createDraft, operator, scanTable, setupActor } from '../support/stage-fixtures.ts';

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');
const DAY = 86_400_000;

/** Each test gets regencies of its own, so region listings see only what the test wrote. */
let nextRegency = 10;
const freshRegency = () => `81.${String(nextRegency++).padStart(2, '0')}`;

const inVillage = (villageCode: string, overrides: Partial<ProposalInput> = {}): ProposalInput =>
  householdProposal({
    provinceCode: villageCode.slice(0, 2),
    regencyCode: villageCode.slice(0, 5),
    districtCode: villageCode.slice(0, 8),
    villageCode,
    ...overrides,
  });

describe('DynamoDbRecordsStore for the API', () => {
  let store: RecordsStore;
  let clients: TestClients;
  let tableName: string;
  let clock: { pinned?: Date };
  let now: () => Date;
  beforeAll(async () => {
    const env = await stageDeps();
    ({ clients, tableName, clock } = env);
    store = env.deps.store;
    now = env.deps.now;
  });
  afterEach(() => {
    clock.pinned = undefined;
  });

  /** A stored proposal in `villageCode`, created straight at `status`/`stage`. */
  const stored = async (villageCode: string, status: Status = 'DRAFT', stage: Stage = 'DRAFT') => {
    const proposal = { ...draftOf(inVillage(villageCode), now()), status, stage } as Proposal;
    await store.createProposal(proposal, { actor: operator, action: 'CREATED' });
    return proposal;
  };
  const storedMany = async (count: number, villageCode: string, status?: Status, stage?: Stage) => {
    const proposals: Proposal[] = [];
    for (let i = 0; i < count; i += 20) {
      proposals.push(...(await Promise.all(Array.from({ length: Math.min(20, count - i) }, () => stored(villageCode, status, stage)))));
    }
    return proposals;
  };
  /** Every page of a listing, following cursors. */
  const allPages = async (query: Parameters<RecordsStore['listProposals']>[0]) => {
    const pages: { items: Proposal[]; cursor?: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listProposals({ ...query, ...(cursor ? { cursor } : {}) });
      pages.push(page);
      cursor = page.cursor;
    } while (cursor && pages.length < 50);
    return pages;
  };
  const ids = (proposals: Pick<Proposal, 'id'>[]) => proposals.map((proposal) => proposal.id).sort();

  describe('listProposals', () => {
    it('pages through a region, each page at most `limit`, every proposal once, without index attributes', async () => {
      const regency = freshRegency();
      const created = [...(await storedMany(3, `${regency}.01.2001`)), ...(await storedMany(2, `${regency}.02.2001`))];

      const pages = await allPages({ region: regency, limit: 2 });

      expect(pages.map((page) => page.items.length)).toEqual([2, 2, 1]);
      expect(pages.at(-1)!.cursor).toBeUndefined();
      const listed = pages.flatMap((page) => page.items);
      expect(ids(listed)).toEqual(ids(created));
      // By village, then creation.
      expect(listed.map((item) => item.villageCode)).toEqual([...listed.map((item) => item.villageCode)].sort());
      for (const item of listed) {
        for (const name of ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi4pk', 'gsi4sk', 'entity']) expect(item).not.toHaveProperty(name);
      }
    });

    it('fills a filtered page from further reads, so filtered-out proposals do not leave it empty', async () => {
      const regency = freshRegency();
      // 120 drafts sort before the submitted ones (an earlier village): more than one read evaluates.
      await storedMany(120, `${regency}.01.1001`);
      const submitted = await storedMany(3, `${regency}.01.1002`, 'SUBMITTED', 'VALIDATION');

      const pages = await allPages({ region: regency, status: 'SUBMITTED', limit: 2 });

      expect(pages.map((page) => page.items.length)).toEqual([2, 1]);
      expect(pages[0]!.cursor).toEqual(expect.any(String));
      expect(pages[1]!.cursor).toBeUndefined();
      expect(ids(pages.flatMap((page) => page.items))).toEqual(ids(submitted));
      expect(pages.flatMap((page) => page.items).every((item) => item.status === 'SUBMITTED')).toBe(true);

      const drafts = await allPages({ region: regency, status: 'DRAFT', limit: 50 });
      expect(drafts.map((page) => page.items.length)).toEqual([50, 50, 20]);
    });

    it('scopes by region prefix: a regency, a district, a village, and a village filter inside the region', async () => {
      const regency = freshRegency();
      const other = freshRegency();
      const a = await stored(`${regency}.05.2001`);
      const b = await stored(`${regency}.05.2002`);
      const c = await stored(`${regency}.06.2001`);
      await stored(`${other}.05.2001`);

      const list = async (region: string, villageCode?: string) =>
        ids((await store.listProposals({ region, limit: 100, ...(villageCode ? { villageCode } : {}) })).items);

      expect(await list(regency)).toEqual(ids([a, b, c]));
      expect(await list(`${regency}.05`)).toEqual(ids([a, b]));
      expect(await list(`${regency}.05.2001`)).toEqual(ids([a]));
      expect(await list(regency, `${regency}.05.2002`)).toEqual(ids([b]));
      // A village outside the region lists nothing, rather than widening the scope.
      expect(await list(`${regency}.06`, `${regency}.05.2001`)).toEqual([]);
      expect(await list(`${regency}.05.2001`, `${regency}.05.2002`)).toEqual([]);
      expect((await list('81')).length).toBeGreaterThanOrEqual(4);
      await expect(store.listProposals({ region: '81.3', limit: 10 })).rejects.toThrow(RangeError);
      await expect(store.listProposals({ region: regency, limit: 0 })).rejects.toThrow(RangeError);
    });

    it('refuses a cursor that is malformed, forged or from another region', async () => {
      const regency = freshRegency();
      const other = freshRegency();
      await storedMany(3, `${regency}.01.2001`);
      await storedMany(3, `${other}.01.2001`);
      const foreign = (await store.listProposals({ region: other, limit: 1 })).cursor!;
      const own = (await store.listProposals({ region: regency, limit: 1 })).cursor!;
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const decoded = JSON.parse(Buffer.from(own, 'base64url').toString()) as Record<string, string>;

      const refused = async (cursor: string, region = regency, villageCode?: string) =>
        store.listProposals({ region, limit: 1, cursor, ...(villageCode ? { villageCode } : {}) }).catch((error: unknown) => error);

      expect(await refused(foreign)).toBeInstanceOf(InvalidCursorError);
      expect(await refused('not a cursor')).toBeInstanceOf(InvalidCursorError);
      expect(await refused('')).toBeInstanceOf(InvalidCursorError);
      expect(await refused(Buffer.from('{not json').toString('base64url'))).toBeInstanceOf(InvalidCursorError);
      expect(await refused(encode([1, 2]))).toBeInstanceOf(InvalidCursorError);
      expect(await refused(encode({ ...decoded, extra: 'x' }))).toBeInstanceOf(InvalidCursorError);
      expect(await refused(encode({ ...decoded, pk: 'TASK#x' }))).toBeInstanceOf(InvalidCursorError);
      expect(await refused(encode({ ...decoded, gsi4pk: 'REGION#82' }))).toBeInstanceOf(InvalidCursorError);
      // A cursor from one village's range does not fit a listing of another village.
      expect(await refused(own, regency, `${regency}.02.2001`)).toBeInstanceOf(InvalidCursorError);
      expect(await refused(own)).not.toBeInstanceOf(Error);
      expect(await refused(own)).toMatchObject({ items: [expect.objectContaining({ regencyCode: regency })] });
    });
  });

  it('lists the proposals of a village in public review, and only those', async () => {
    const village = `${freshRegency()}.01.2001`;
    const inReview = await stored(village, 'IN_REVIEW', 'PUBLIC_REVIEW');
    await stored(village, 'IN_REVIEW', 'ADJUDICATION');
    await stored(village, 'SUBMITTED', 'EVIDENCE_CHECK');
    await stored(village, 'AWAITING_APPROVAL', 'APPROVAL');
    await stored(`${village.slice(0, 8)}.2002`, 'IN_REVIEW', 'PUBLIC_REVIEW');

    const listed = await store.proposalsInReview(village);

    expect(ids(listed)).toEqual([inReview.id]);
    expect(listed[0]).not.toHaveProperty('gsi1pk');
  });

  it('streams every proposal of a region for reports, with its stage times', async () => {
    const regency = freshRegency();
    const created = [...(await storedMany(4, `${regency}.01.2001`)), ...(await storedMany(2, `${regency}.03.2001`))];
    await stored(`${freshRegency()}.01.2001`);

    const streamed: Proposal[] = [];
    for await (const proposal of store.summarizeProposals(regency)) {
      expect(proposal).toHaveProperty('stageDays');
      expect(proposal).not.toHaveProperty('gsi4sk');
      streamed.push(proposal);
    }

    expect(ids(streamed)).toEqual(ids(created));
  });

  describe('idempotent createProposal', () => {
    const idempotency = (key: string, requestHash: string, expiresAt = Math.floor(now().getTime() / 1000) + 86_400) => ({
      idempotency: { key, requestHash, expiresAt },
    });

    it('writes the proposal and the key together, then answers the same key with the first request and writes nothing', async () => {
      const key = `operator-sub#${ulid()}`;
      const first = draftOf(householdProposal(), now());
      await store.createProposal(first, { actor: operator, action: 'CREATED' }, idempotency(key, 'hash-1'));
      const second = draftOf(householdProposal(), now());

      const refused = await store
        .createProposal(second, { actor: operator, action: 'CREATED' }, idempotency(key, 'hash-2'))
        .catch((error: unknown) => error);

      expect(refused).toBeInstanceOf(IdempotencyKeyUsed);
      expect(refused).toMatchObject({ requestHash: 'hash-1', proposalId: first.id, first: { requestHash: 'hash-1', proposalId: first.id } });
      expect(await store.getProposal(second.id)).toBeUndefined();
      expect(await store.auditTrail(second.id)).toEqual([]);
      expect(await store.idempotentProposal(key)).toEqual({ requestHash: 'hash-1', proposalId: first.id });
      expect(await store.idempotentProposal(`${key}-other`)).toBeUndefined();
      const raw = (await scanTable(clients, tableName)).filter((item) => item.entity === 'IDEMPOTENCY' && item.proposalId === first.id);
      expect(raw).toEqual([expect.objectContaining({ pk: `IDEMPOTENCY#${sha256(key)}`, requestHash: 'hash-1' })]);
      expect(JSON.stringify(raw)).not.toContain(key);
    });

    it('lets exactly one of concurrent creates with the same key through', async () => {
      const key = `import#${ulid()}#household-7`;
      const drafts = Array.from({ length: 5 }, () => draftOf(householdProposal(), now()));

      const results = await Promise.allSettled(
        drafts.map((draft, i) => store.createProposal(draft, { actor: operator, action: 'CREATED' }, idempotency(key, `hash-${i}`))),
      );

      const winners = results.flatMap((result, i) => (result.status === 'fulfilled' ? [drafts[i]!] : []));
      expect(winners).toHaveLength(1);
      for (const result of results) {
        if (result.status === 'rejected') {
          expect(result.reason).toBeInstanceOf(IdempotencyKeyUsed);
          expect(result.reason).toMatchObject({ proposalId: winners[0]!.id });
        }
      }
      const existing = await Promise.all(drafts.map((draft) => store.getProposal(draft.id)));
      expect(existing.filter(Boolean).map((proposal) => proposal!.id)).toEqual([winners[0]!.id]);
    });

    it('writes no key when the proposal itself is refused', async () => {
      const draft = draftOf(householdProposal(), now());
      await store.createProposal(draft, { actor: operator, action: 'CREATED' });
      const key = `operator-sub#${ulid()}`;

      await expect(store.createProposal(draft, { actor: operator, action: 'CREATED' }, idempotency(key, 'h'))).rejects.toMatchObject({
        code: 'PROPOSAL_EXISTS',
      });

      expect(await store.idempotentProposal(key)).toBeUndefined();
    });

    it('treats an expired key, not yet deleted by the TTL, as unused', async () => {
      clock.pinned = new Date('2025-09-01T00:00:00.000Z');
      const key = `operator-sub#${ulid()}`;
      const first = draftOf(householdProposal(), now());
      await store.createProposal(first, { actor: operator, action: 'CREATED' }, idempotency(key, 'h1', now().getTime() / 1000 + 60));

      clock.pinned = new Date('2025-09-01T00:02:00.000Z');
      expect(await store.idempotentProposal(key)).toBeUndefined();
      const second = draftOf(householdProposal(), now());
      await store.createProposal(second, { actor: operator, action: 'CREATED' }, idempotency(key, 'h2'));

      expect(await store.idempotentProposal(key)).toEqual({ requestHash: 'h2', proposalId: second.id });
    });
  });

  describe('reviseProposal', () => {
    const returned = async (villageCode = `${freshRegency()}.01.2001`) => {
      const draft = await createDraft({ store, now }, inVillage(villageCode));
      return store.changeProposal(draft.id, {
        expect: { version: 1, status: ['DRAFT'] },
        status: 'RETURNED',
        stage: 'FINALIZED',
        tier: 'district',
        reasons: [{ path: 'members.0.nik', code: 'NIK_FORMAT', message: { id: 'NIK salah', en: 'Wrong NIK' } }],
        flags: [{ code: 'DUPLICATE_NIK', pointer: { proposalId: 'other' } }],
        review: { endsAt: '2025-09-10T00:00:00.000Z' },
        failure: { error: 'Verval.Returned' },
        audit: { actor: setupActor, action: 'RETURNED' },
      });
    };

    it('makes a returned proposal the draft of its next version with the new input, audited as REVISED', async () => {
      clock.pinned = new Date('2025-09-01T08:00:00.000Z');
      const proposal = await returned();
      clock.pinned = new Date('2025-09-02T08:00:00.000Z');
      const village = `${freshRegency()}.02.2002`;
      const input = inVillage(village, { programs: ['PBI_JKN'] });
      input.household.address = 'Jl. Baru No. 1';

      const revised = await store.reviseProposal(proposal.id, input, { version: 1 }, { actor: operator });

      expect(revised).toMatchObject({
        ...input,
        id: proposal.id,
        version: 2,
        status: 'DRAFT',
        stage: 'DRAFT',
        reasons: [],
        flags: [],
        createdAt: proposal.createdAt,
        updatedAt: '2025-09-02T08:00:00.000Z',
        submittedBy: operator.id,
      });
      for (const name of ['review', 'tier', 'failure', 'gsi1pk', 'gsi4sk']) expect(revised).not.toHaveProperty(name);
      expect((await store.auditTrail(proposal.id)).at(-1)).toMatchObject({
        action: 'REVISED',
        version: 2,
        actor: operator,
        from: { status: 'RETURNED', stage: 'FINALIZED' },
        to: { status: 'DRAFT', stage: 'DRAFT' },
        detail: { previousVersion: 1 },
      });
      // The indexes follow the new village and status.
      const raw = (await scanTable(clients, tableName)).find((item) => item.pk === `PROPOSAL#${proposal.id}` && item.sk === 'PROPOSAL')!;
      expect(raw).toMatchObject({
        gsi1pk: `VILLAGE#${village}`,
        gsi1sk: 'DRAFT#2025-09-02T08:00:00.000Z',
        gsi4pk: 'REGION#81',
        gsi4sk: `${village}#${proposal.id}`,
      });
      expect(ids((await store.listProposals({ region: village, limit: 10 })).items)).toEqual([proposal.id]);
      expect((await store.listProposals({ region: proposal.villageCode, limit: 10 })).items).toEqual([]);
    });

    it('revises once per version, and only a returned proposal', async () => {
      const proposal = await returned();
      const input = inVillage(proposal.villageCode);
      await store.reviseProposal(proposal.id, input, { version: 1 }, { actor: operator });

      await expect(store.reviseProposal(proposal.id, input, { version: 1 }, { actor: operator })).rejects.toMatchObject({
        name: 'ConflictError',
        code: 'PROPOSAL_STATE_CHANGED',
      });
      await expect(store.reviseProposal(proposal.id, input, { version: 2 }, { actor: operator })).rejects.toMatchObject({
        code: 'NOT_RETURNED',
      });
      const draft = await createDraft({ store, now });
      await expect(store.reviseProposal(draft.id, input, { version: 1 }, { actor: operator })).rejects.toMatchObject({ code: 'NOT_RETURNED' });
      await expect(store.reviseProposal(ulid(), input, { version: 1 }, { actor: operator })).rejects.toMatchObject({
        code: 'PROPOSAL_NOT_FOUND',
      });
      expect((await store.auditTrail(proposal.id)).filter((entry) => entry.action === 'REVISED')).toHaveLength(1);
      expect(await store.getProposal(proposal.id)).toMatchObject({ version: 2, status: 'DRAFT' });
    });

    it('lets exactly one of two concurrent revisions of a version through', async () => {
      const proposal = await returned();
      const revise = (programs: ProposalInput['programs']) =>
        store.reviseProposal(proposal.id, inVillage(proposal.villageCode, { programs }), { version: 1 }, { actor: operator });

      const results = await Promise.allSettled([revise(['PKH']), revise(['SEMBAKO'])]);

      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      const [rejected] = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
      expect(rejected!.reason).toBeInstanceOf(ConflictError);
      expect(rejected!.reason).toMatchObject({ code: 'PROPOSAL_STATE_CHANGED' });
      expect(await store.getProposal(proposal.id)).toMatchObject({ version: 2 });
      expect((await store.auditTrail(proposal.id)).filter((entry) => entry.action === 'REVISED')).toHaveLength(1);
    });
  });

  describe('time per stage', () => {
    const at = (days: number) => new Date(Date.parse('2025-09-01T00:00:00.000Z') + days * DAY);
    const change = (proposal: Pick<Proposal, 'id'>, version: number, from: Status, status: Status, stage: Stage) =>
      store.changeProposal(proposal.id, {
        expect: { version, status: [from] },
        status,
        stage,
        audit: { actor: setupActor, action: 'TEST' },
      });

    it('adds the days spent in each stage when the stage changes, across changes, revision and registration', async () => {
      clock.pinned = at(0);
      const draft = await createDraft({ store, now });
      expect(await store.getProposal(draft.id)).toMatchObject({ stageEnteredAt: at(0).toISOString(), stageDays: {} });

      clock.pinned = at(1.5);
      await change(draft, 1, 'DRAFT', 'SUBMITTED', 'VALIDATION');
      clock.pinned = at(1.75);
      // The stage stays: nothing moves.
      await change(draft, 1, 'SUBMITTED', 'SUBMITTED', 'VALIDATION');
      expect(await store.getProposal(draft.id)).toMatchObject({ stageEnteredAt: at(1.5).toISOString(), stageDays: { DRAFT: 1.5 } });

      clock.pinned = at(2);
      await change(draft, 1, 'SUBMITTED', 'RETURNED', 'FINALIZED');
      clock.pinned = at(3.25);
      await store.reviseProposal(draft.id, proposalInputOf(draft), { version: 1 }, { actor: operator });
      clock.pinned = at(4);
      await change(draft, 2, 'DRAFT', 'SUBMITTED', 'VALIDATION');
      clock.pinned = at(4 + 1 / 3);
      await change(draft, 2, 'SUBMITTED', 'AWAITING_APPROVAL', 'APPROVAL');
      clock.pinned = at(6.5);
      await store.register(
        draft.id,
        { expect: { version: 2, status: ['AWAITING_APPROVAL'] }, status: 'REGISTERED', stage: 'FINALIZED', audit: { actor: setupActor, action: 'REGISTERED' } },
        at(6.5).toISOString(),
      );

      expect(await store.getProposal(draft.id)).toMatchObject({
        stageEnteredAt: at(6.5).toISOString(),
        stageDays: { DRAFT: 2.25, VALIDATION: 0.833, FINALIZED: 1.25, APPROVAL: 2.167 },
      });
    });

    it('never counts negative time when clocks disagree', async () => {
      clock.pinned = at(10);
      const draft = await createDraft({ store, now });
      clock.pinned = at(9);

      await change(draft, 1, 'DRAFT', 'SUBMITTED', 'VALIDATION');

      expect(await store.getProposal(draft.id)).toMatchObject({ stageDays: { DRAFT: 0 }, stageEnteredAt: at(9).toISOString() });
    });
  });

  describe('consumeRateLimit', () => {
    it('allows exactly `limit` hits per window, then says when the window ends', async () => {
      const subject = `user-${ulid()}`;
      clock.pinned = new Date('2025-09-01T00:00:15.000Z');

      const results = [];
      for (let i = 0; i < 4; i++) results.push(await store.consumeRateLimit(subject, 60, 3));

      expect(results).toEqual([
        { allowed: true, retryAfterSeconds: 0 },
        { allowed: true, retryAfterSeconds: 0 },
        { allowed: true, retryAfterSeconds: 0 },
        { allowed: false, retryAfterSeconds: 45 },
      ]);
      expect(await store.consumeRateLimit(`other-${subject}`, 60, 3)).toMatchObject({ allowed: true });
      clock.pinned = new Date('2025-09-01T00:01:00.000Z');
      expect(await store.consumeRateLimit(subject, 60, 3)).toEqual({ allowed: true, retryAfterSeconds: 0 });

      const windowStart = Date.parse('2025-09-01T00:00:00.000Z') / 1000;
      const raw = (await scanTable(clients, tableName)).filter((item) => item.pk === `RATE#${sha256(subject)}#${windowStart}`);
      expect(raw).toEqual([expect.objectContaining({ hits: 3, expiresAt: windowStart + 120 })]);
      expect(JSON.stringify(await scanTable(clients, tableName))).not.toContain(subject);
    });

    it('allows exactly `limit` of many concurrent hits', async () => {
      const subject = `user-${ulid()}`;
      clock.pinned = new Date('2025-09-01T00:10:05.000Z');

      const results = await Promise.all(Array.from({ length: 20 }, () => store.consumeRateLimit(subject, 60, 5)));

      expect(results.filter((result) => result.allowed)).toHaveLength(5);
      expect(results.filter((result) => !result.allowed).every((result) => result.retryAfterSeconds === 55)).toBe(true);
    });

    it('refuses everything with a limit below one', async () => {
      expect(await store.consumeRateLimit(`user-${ulid()}`, 60, 0)).toMatchObject({ allowed: false });
    });
  });

  describe('imports', () => {
    const job = (overrides: Partial<ImportJob> = {}): ImportJob => ({
      importId: ulid(),
      villageCode: '81.71.01.1006',
      createdBy: operator.id,
      format: 'csv',
      key: 'imports/x/households.csv',
      status: 'WAITING_FOR_UPLOAD',
      createdAt: '2025-09-01T00:00:00.000Z',
      updatedAt: '2025-09-01T00:00:00.000Z',
      processedRows: 0,
      acceptedRows: 0,
      rejectedRows: 0,
      ...overrides,
    });
    const issue = (row: number) => ({ row, column: 'nik', code: 'NIK_FORMAT', message: { id: 'NIK salah', en: 'Wrong NIK' } });

    it('records each household once, adds progress only while running, and counts every outcome once when done', async () => {
      const created = job();
      await store.createImport(created);
      expect(await store.getImport(created.importId)).toEqual(created);
      await expect(store.createImport(created)).rejects.toMatchObject({ code: 'IMPORT_EXISTS' });
      const accepted: ImportOutcome = { householdRef: 'H-05', rows: [5, 6], proposalId: ulid() };
      const rejected: ImportOutcome = { householdRef: 'H-02', rows: [2, 3, 4], issues: [issue(3)] };
      const last: ImportOutcome = { householdRef: 'H-07', rows: [7], proposalId: ulid() };

      await expect(store.addImportProgress(created.importId, importCounts([accepted]))).rejects.toMatchObject({ code: 'IMPORT_NOT_RUNNING' });
      expect(await store.startImport(created.importId, 6)).toMatchObject({ status: 'RUNNING', totalRows: 6 });

      expect(await store.recordImportOutcome(created.importId, accepted)).toEqual({ recorded: true });
      expect(await store.recordImportOutcome(created.importId, accepted)).toEqual({ recorded: false });
      await store.addImportProgress(created.importId, importCounts([accepted]));
      // A retried run starts again and keeps the progress; writing the same households again records nothing.
      expect(await store.startImport(created.importId, 6)).toMatchObject({ status: 'RUNNING', processedRows: 2, acceptedRows: 2 });
      const results = await Promise.all([
        store.recordImportOutcome(created.importId, rejected),
        store.recordImportOutcome(created.importId, last),
        store.recordImportOutcome(created.importId, rejected),
        store.recordImportOutcome(created.importId, accepted),
        store.recordImportOutcome(created.importId, last),
      ]);
      expect(results.filter((result) => result.recorded)).toHaveLength(2);
      // The run that recorded `last` crashed before adding it: progress lags behind the outcomes.
      await store.addImportProgress(created.importId, importCounts([rejected]));
      expect(await store.getImport(created.importId)).toMatchObject({ processedRows: 5, acceptedRows: 2, rejectedRows: 3 });

      expect(await store.importOutcomes(created.importId)).toEqual([rejected, accepted, last]);
      const raw = (await scanTable(clients, tableName)).filter((item) => item.pk === `IMPORT#${created.importId}`);
      // Outcomes are keyed by the household's first row, never by its reference (which may be a KK).
      expect(raw.map((item) => item.sk).sort()).toEqual(['IMPORT', 'OUTCOME#00000002', 'OUTCOME#00000005', 'OUTCOME#00000007']);

      // Done: the counters are the outcomes' own, whatever progress was added.
      const done = await store.finishImport(created.importId, 'DONE');
      expect(done).toMatchObject({ status: 'DONE', processedRows: 6, acceptedRows: 3, rejectedRows: 3 });
      expect(done).not.toHaveProperty('error');
      expect(await store.finishImport(created.importId, 'DONE')).toMatchObject({ status: 'DONE', processedRows: 6 });
      await expect(store.finishImport(created.importId, 'FAILED', { code: 'X' })).rejects.toMatchObject({ code: 'IMPORT_NOT_RUNNING' });
      await expect(store.startImport(created.importId, 6)).rejects.toMatchObject({ code: 'IMPORT_FINISHED' });
      await expect(store.addImportProgress(created.importId, importCounts([last]))).rejects.toMatchObject({ code: 'IMPORT_NOT_RUNNING' });
      expect(await store.getImport(created.importId)).toMatchObject({ processedRows: 6 });
    });

    it("creates an imported household's draft and its outcome in one write, and a repeat writes nothing", async () => {
      const running = job();
      await store.createImport(running);
      await store.startImport(running.importId, 5);
      const villageCode = `${freshRegency()}.01.2001`;
      const draft = () => draftOf(inVillage(villageCode), now());
      const household = { importId: running.importId, householdRef: 'H-01', rows: [1, 2, 3] };
      const create = (proposal: Proposal) => store.createProposal(proposal, { actor: operator, action: 'CREATED' }, { importOutcome: household });
      const written = async (proposal: Proposal) =>
        (await scanTable(clients, tableName)).filter((item) => item.pk === `PROPOSAL#${proposal.id}`);

      const first = draft();
      await create(first);
      expect(await store.getProposal(first.id)).toMatchObject({ status: 'DRAFT', stage: 'DRAFT' });
      expect((await written(first)).map((item) => item.entity).sort()).toEqual(['AUDIT', 'PROPOSAL']);
      expect(await store.importOutcomes(running.importId)).toEqual([{ householdRef: 'H-01', rows: [1, 2, 3], proposalId: first.id }]);
      // The job item stays out of the household's write (see addImportProgress).
      expect(await store.getImport(running.importId)).toMatchObject({ processedRows: 0 });

      // Another run's draft of the same household: refused whole, proposal and audit alike.
      const repeat = draft();
      await expect(create(repeat)).rejects.toBeInstanceOf(ImportOutcomeRecorded);
      expect(await written(repeat)).toEqual([]);
      expect(await store.importOutcomes(running.importId)).toHaveLength(1);
      expect(await store.finishImport(running.importId, 'DONE')).toMatchObject({ processedRows: 3, acceptedRows: 3, rejectedRows: 0 });
    });

    it('fails a job waiting for its upload with a code, and tells a missing job apart', async () => {
      const waiting = job({ format: 'xlsx' });
      await store.createImport(waiting);

      expect(await store.finishImport(waiting.importId, 'FAILED', { code: 'UPLOAD_MISSING' })).toMatchObject({
        status: 'FAILED',
        error: { code: 'UPLOAD_MISSING' },
      });
      await expect(store.finishImport(waiting.importId, 'DONE')).rejects.toMatchObject({ code: 'IMPORT_NOT_RUNNING' });

      const missing = ulid();
      expect(await store.getImport(missing)).toBeUndefined();
      await expect(store.startImport(missing, 1)).rejects.toMatchObject({ code: 'IMPORT_NOT_FOUND' });
      await expect(store.finishImport(missing, 'DONE')).rejects.toMatchObject({ code: 'IMPORT_NOT_FOUND' });
      await expect(store.addImportProgress(missing, importCounts([{ householdRef: 'H-1', rows: [1] }]))).rejects.toMatchObject({
        code: 'IMPORT_NOT_FOUND',
      });
      expect(await store.importOutcomes(missing)).toEqual([]);
    });
  });
});
