import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_COLUMNS } from '../../domain/cutoff.ts';
import { parseCsv } from '../../domain/imports/csv.ts';
import type { Member, Proposal, ProposalInput } from '../../domain/proposal.ts';
import { localClients, type LocalClients } from '../../local/clients.ts';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime.ts';
import { clientsFor } from '../local/runtime/http-support.ts';
import { tempDataDir } from '../local/runtime/support.ts';
import { draftOf, householdProposal } from '../support/proposals.ts';

/*
 * A scripted month on the whole local stack: records registered, ended and corrected at known instants around the
 * March 2025 cut-off of Maluku (the 17th, WIT = UTC+9, so the window is 2025-02-16T15:00Z to 2025-03-16T15:00Z),
 * then the cut-off schedule fired as EventBridge Scheduler would, and the export downloaded as an admin does.
 */

const WINDOW = { from: '2025-02-16T15:00:00.000Z', to: '2025-03-16T15:00:00.000Z' };
/** 01:00 WIT on 17 March: when the schedule fires. */
const SCHEDULED = new Date('2025-03-16T16:00:00Z');
const setup = { type: 'system' as const, id: 'test-setup' };
const sha256 = (body: Buffer | string) => createHash('sha256').update(body).digest('hex');

describe('monthly cut-off after a scripted month (local runtime: DynamoDB Local, S3, scheduler, Lambda, API)', () => {
  let dataDir: string;
  let runtime: LocalRuntime;
  let clients: LocalClients;
  let as: ReturnType<typeof clientsFor>;
  const records: Record<string, Proposal & { completedAt: string }> = {};

  async function register(name: string, completedAt: string, input: ProposalInput = householdProposal()) {
    const draft = draftOf(input);
    await clients.store.createProposal(draft, { actor: setup, action: 'CREATED' });
    await clients.store.register(
      draft.id,
      { expect: { version: 1, status: ['DRAFT'] }, status: 'REGISTERED', stage: 'FINALIZED', audit: { actor: setup, action: 'REGISTERED' } },
      completedAt,
    );
    records[name] = { ...draft, completedAt };
  }

  /** A REMOVE or UPDATE of `target`, claimed and completed at `completedAt`, as the workflow's finalize does. */
  async function change(name: string, target: Proposal, completedAt: string, fields: Partial<Proposal>) {
    const proposal = { ...draftOf(householdProposal()), ...pick(target), target: { proposalId: target.id }, ...fields } as Proposal;
    await clients.store.createProposal(proposal, { actor: setup, action: 'CREATED' });
    expect(await clients.store.claimTarget(target.id, proposal.id, setup)).toEqual({ claimed: true });
    await clients.store.completeChange(
      proposal.id,
      { expect: { version: 1, status: ['DRAFT'] }, status: 'REGISTERED', stage: 'FINALIZED', audit: { actor: setup, action: 'COMPLETED' } },
      completedAt,
    );
    records[name] = { ...proposal, completedAt };
  }

  /** Every NIK and KK of the scripted month. (A pattern like /\d{16}/ would also match a checksum's or signature's hex.) */
  const identityNumbers = () =>
    Object.values(records).flatMap((record) => [record.household.kk, ...record.members.map((member) => member.nik)]);

  beforeAll(async () => {
    dataDir = tempDataDir();
    runtime = await startLocalRuntime({ dataDir });
    clients = localClients(runtime.endpoints);
    as = clientsFor(runtime);

    await register('before', '2025-02-10T03:00:00.000Z');
    await register('atStart', WINDOW.from);
    await register('lastInside', '2025-03-16T14:59:59.999Z');
    await register('atEnd', WINDOW.to);
    const before = records.before!;
    await change('removal', before, '2025-03-01T00:00:00.000Z', {
      type: 'REMOVE',
      removal: { reason: 'DECEASED', members: [before.members[1]!.nik], statement: 'Meninggal dunia, akta kematian terlampir' },
    });
    const atStart = records.atStart!;
    await change('correction', atStart, '2025-03-05T00:00:00.000Z', {
      type: 'UPDATE',
      household: { ...atStart.household, address: 'Jl. Dr. Latumeten No. 4' },
      previous: pick(atStart),
      correction: { statement: 'Alamat diperbarui sesuai KK terbaru' },
    });
  }, 900_000);

  afterAll(async () => {
    clients?.destroy();
    await runtime?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const cutoffSchedule = () => runtime.schedules.find((schedule) => schedule.logicalId.startsWith('Cutoff'))!;

  /** The CSV line the national submission gets for one member of one change. */
  function expectedRow(name: string, member: Member, action: string, reason = '', changedFields = '') {
    const record = records[name]!;
    const values: Record<(typeof EXPORT_COLUMNS)[number], string> = {
      action,
      reason,
      provinceCode: '81',
      regencyCode: '81.71',
      districtCode: '81.71.01',
      villageCode: '81.71.01.1006',
      kk: record.household.kk,
      nik: member.nik,
      fullName: member.fullName,
      sex: member.sex,
      birthDate: member.birthDate,
      relationship: member.relationship,
      programs: 'PKH|SEMBAKO',
      address: record.household.address,
      rt: '003',
      rw: '002',
      changedFields,
      proposalId: record.id,
      targetProposalId: record.target?.proposalId ?? '',
      completedAt: record.completedAt,
    };
    return EXPORT_COLUMNS.map((column) => values[column]);
  }

  let first: { outcome: string; manifestSha256: string; manifestKey: string };

  it('fires the schedule in the province time zone: the cut-off Lambda writes the export once', async () => {
    expect(cutoffSchedule()).toMatchObject({ timezone: 'Asia/Jayapura', expression: { kind: 'cron', days: [17], hours: [1], minutes: [0] } });
    first = (await runtime.runSchedule(cutoffSchedule().logicalId, SCHEDULED)) as typeof first;
    expect(first.outcome).toBe('CREATED');
    expect(first.manifestKey).toBe('exports/2025-03/verval-81-2025-03.manifest.json');
  }, 120_000);

  it('exports exactly the window’s changes, row by row, in completion order; the checksums verify', async () => {
    const admin = await as('admin-81');
    const listed = await admin.call('GET', '/exports');
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.exports.map((entry: { id: string }) => entry.id)).toEqual(['2025-03']);

    const view = await admin.call('GET', '/exports/2025-03');
    expect(view.status, view.text).toBe(200);
    const { manifest, links } = view.body as { manifest: any; links: { name: string; url: string }[] };
    expect(manifest).toMatchObject({ provinceCode: '81', cutoff: '2025-03', window: WINDOW, counts: { REGISTERED: 6, ENDED: 1, CORRECTED: 3 } });
    // No personal number in a link: keys are months and file names.
    for (const link of links) for (const number of identityNumbers()) expect(link.url).not.toContain(number);

    const download = async (name: string) => {
      const response = await fetch(links.find((link) => link.name === name)!.url);
      expect(response.status, name).toBe(200);
      return Buffer.from(await response.arrayBuffer());
    };
    const csv = await download('verval-81-2025-03.csv');
    const json = await download('verval-81-2025-03.json');
    const manifestBody = await download('manifest.json');

    const { atStart, removal, correction, lastInside, before } = records as Record<string, Proposal & { completedAt: string }>;
    const expected = [
      EXPORT_COLUMNS as readonly string[],
      ...atStart!.members.map((member) => expectedRow('atStart', member, 'REGISTERED')),
      expectedRow('removal', before!.members[1]!, 'ENDED', 'DECEASED'),
      ...correction!.members.map((member) => expectedRow('correction', member, 'CORRECTED', '', 'address')),
      ...lastInside!.members.map((member) => expectedRow('lastInside', member, 'REGISTERED')),
    ];
    expect(parseCsv(csv.toString('utf8')).map((row) => row.cells)).toEqual(expected);
    expect(removal!.target).toEqual({ proposalId: before!.id });

    const jsonRows = JSON.parse(json.toString('utf8')).rows as Record<string, unknown>[];
    expect(jsonRows.map((row) => EXPORT_COLUMNS.map((column) => (Array.isArray(row[column]) ? (row[column] as string[]).join('|') : row[column])))).toEqual(expected.slice(1));

    for (const [name, body] of [['verval-81-2025-03.csv', csv], ['verval-81-2025-03.json', json]] as const) {
      expect(manifest.files.find((file: { name: string }) => file.name === name)).toEqual({ name, rows: 10, bytes: body.length, sha256: sha256(body) });
    }
    expect(JSON.parse(manifestBody.toString('utf8'))).toEqual(manifest);
    expect(sha256(manifestBody)).toBe(first.manifestSha256);
    expect(view.body.manifestSha256).toBe(first.manifestSha256);
  }, 120_000);

  it('announces the export on the outcome bus with the manifest key and checksum, and nothing personal', () => {
    const events = readFileSync(runtime.endpoints.eventsFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const ready = events.filter((event) => event['detail-type'] === 'Cut-off export ready');
    expect(ready).toHaveLength(1);
    expect(ready[0]).toMatchObject({
      source: 'verval.province-81',
      eventBusName: runtime.endpoints.eventBusName,
      detail: { provinceCode: '81', cutoff: '2025-03', exportId: '2025-03', manifestKey: first.manifestKey, manifestSha256: first.manifestSha256 },
    });
    expect(identityNumbers().length).toBeGreaterThan(10);
    for (const number of identityNumbers()) expect(JSON.stringify(ready)).not.toContain(number);
  });

  it('running the cut-off again (a retry, a late delivery) returns the same export and announces nothing new', async () => {
    for (const at of [SCHEDULED, new Date(SCHEDULED.getTime() + 2 * 3_600_000)]) {
      const again = (await runtime.runSchedule(cutoffSchedule().logicalId, at)) as typeof first;
      expect(again).toEqual({ ...first, outcome: 'EXISTING' });
    }
    const admin = await as('admin-81');
    expect((await admin.call('GET', '/exports')).body.exports).toHaveLength(1);
    const events = readFileSync(runtime.endpoints.eventsFile, 'utf8').trim().split('\n');
    expect(events.filter((line) => line.includes('Cut-off export ready'))).toHaveLength(1);
  }, 120_000);

  it('keeps NIK and KK out of every function log', () => {
    const niks = Object.values(records).flatMap((record) => [record.household.kk, ...record.members.map((member) => member.nik)]);
    for (const file of readdirSync(runtime.endpoints.logsDir)) {
      const text = readFileSync(join(runtime.endpoints.logsDir, file), 'utf8');
      for (const number of niks) expect(text.includes(number), `${file} holds a NIK/KK`).toBe(false);
    }
  });

  it('refuses the exports to anyone but the province admin', async () => {
    for (const user of runtime.users.filter((candidate) => candidate.username !== 'admin-81').slice(0, 3)) {
      expect((await (await as(user.username)).call('GET', '/exports')).status, user.username).toBe(403);
    }
  });
});

function pick(record: Proposal): Pick<Proposal, 'household' | 'members' | 'programs' | 'criteria'> {
  return { household: record.household, members: record.members, programs: record.programs, criteria: record.criteria };
}
