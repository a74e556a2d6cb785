/**
 * Demo proposals for a fresh local stack: households in villages of two regencies of the province, created
 * and submitted the way the API does (records store in DynamoDB, evidence in S3, StartExecution on the Step
 * Functions endpoint), then moved along by scripted approvers through decideTask, so that the stack shows
 * proposals at every stage: returned by validation, in public review, with an objection to adjudicate,
 * waiting at each approval tier, and registered. Each step is recorded as done by the demo user who would take
 * it (local/demo-users.ts): the village's operator creates and submits, its approvers decide.
 *
 * The plan is kept in `<dataDir>/demo-<province>.json`: a restart continues an unfinished plan instead of
 * seeding again. Only ids are printed, never a NIK or KK.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { composeNik, type Sex } from '../domain/nik.ts';
import type { Proposal, ProposalInput } from '../domain/proposal.ts';
import { tierRegionCode, type ProvinceConfig, type Tier } from '../domain/province-config.ts';
import { loadRegionData } from '../domain/region-source.ts';
import type { Actor } from '../functions/adapters/records-store.ts';
import { decideTask } from '../functions/application/decide-task.ts';
import { fileObjection } from '../functions/application/file-objection.ts';
import { submitProposal } from '../functions/application/submit-proposal.ts';
import { DAY_MS } from '../functions/shared/runtime.ts';
import { taskIdFor } from '../functions/shared/tasks.ts';
import { ulid } from 'ulid';
import { localClients, type LocalClients } from './clients.ts';
import { DEMO_PASSWORD } from './demo-users.ts';
import { makeJpeg, makePdf, type LatLon } from './evidence-fixtures.ts';
import type { LocalEndpoints } from './runtime.ts';

export type DemoTarget = 'returned' | 'review' | 'objection' | { approvals: number };

export interface DemoProposal {
  proposalId: string;
  villageCode: string;
  target: DemoTarget;
  /** What the proposal shows once the demo is done with it, for people. */
  description: string;
}

interface DemoPlan {
  province: string;
  createdAt: string;
  complete: boolean;
  proposals: DemoProposal[];
}

export interface DemoOptions {
  endpoints: LocalEndpoints;
  config: ProvinceConfig;
  timeScale: number;
  dataDir: string;
  log: (line: string) => void;
  signal?: AbortSignal;
  /** How people run local/decide.ts against this stack; default `npx tsx local/decide.ts`. */
  decideCommand?: string;
}

export interface DemoRun {
  /** Seeded now, an unfinished plan from an earlier start continued, or nothing left to do. */
  state: 'seeded' | 'continued' | 'complete';
  proposals: DemoProposal[];
  /** Settles when the scripted approvers are done (or stopped by the signal). */
  done: Promise<void>;
}

const TIER_LABELS: Record<Tier, string> = {
  village: 'village head',
  district: 'district',
  regency: 'social office',
  regent: 'regent',
};

/** Seeds on the first start, continues an unfinished plan on later ones, and does nothing once it is complete. */
export async function runDemoData(options: DemoOptions): Promise<DemoRun> {
  const file = join(options.dataDir, `demo-${options.endpoints.province}.json`);
  let plan: DemoPlan | undefined = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DemoPlan) : undefined;
  if (plan?.complete) return { state: 'complete', proposals: plan.proposals, done: Promise.resolve() };
  const state = plan ? 'continued' : 'seeded';

  const clients = localClients(options.endpoints);
  const actorOf = demoActors(options.endpoints.issuer);
  const save = (next: DemoPlan) => writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`);
  try {
    if (!plan) {
      plan = { province: options.endpoints.province, createdAt: new Date().toISOString(), complete: false, proposals: [] };
      const households = demoHouseholds(options.endpoints.province, options.config);
      for (const [index, household] of households.entries()) {
        const operator = await actorOf(`operator-${household.input.villageCode}`);
        const proposal = draft(household.input, operator);
        await clients.store.createProposal(proposal, { actor: operator, action: 'CREATED' });
        await uploadEvidence(clients, options.endpoints.evidenceBucket, proposal.id, 1000 + index * 10, household.input.household.location);
        plan.proposals.push({ proposalId: proposal.id, villageCode: household.input.villageCode, target: household.target, description: household.description });
        save(plan);
        await submitProposal({ store: clients.store, workflow: clients.workflow }, proposal.id, operator);
      }
    }
  } catch (error) {
    clients.destroy();
    throw error;
  }
  const seeded = plan;
  const done = direct(clients, actorOf, seeded, options)
    .then(() => {
      if (!options.signal?.aborted) save({ ...seeded, complete: true });
    })
    .finally(() => clients.destroy());
  return { state, proposals: seeded.proposals, done };
}

// ---------------------------------------------------------------- the scripted approvers

async function direct(clients: LocalClients, actorOf: (username: string) => Promise<Actor>, plan: DemoPlan, options: DemoOptions): Promise<void> {
  const tiers = options.config.tiers.map(({ tier }) => tier);
  // Long enough for the public review plus every SLA, at this time scale, with room for a slow machine.
  const patienceMs = (options.config.reviewDays + options.config.tiers.reduce((sum, { slaDays }) => sum + slaDays, 0)) * DAY_MS * options.timeScale + 120_000;
  const work = plan.proposals.map(async (demo) => {
    const target = demo.target;
    if (target === 'objection') {
      const proposal = await until(options, patienceMs, async () => {
        const current = await clients.store.getProposal(demo.proposalId);
        return current?.status === 'IN_REVIEW' && current.stage === 'PUBLIC_REVIEW' ? current : undefined;
      });
      if (!proposal) return;
      const objections = await clients.store.listObjections(demo.proposalId);
      if (objections.length === 0) {
        await fileObjection({ store: clients.store, now: clients.now }, demo.proposalId, {
          category: 'INCLUSION_ERROR',
          statement: 'Keluarga ini baru membangun rumah permanen dan memiliki sepeda motor.',
          reporterName: 'Warga RT 002',
          reporterContact: '081200000000',
        });
        options.log(`demo: objection filed against ${demo.proposalId} during its public review`);
      }
      return;
    }
    if (typeof target !== 'object') return;
    for (const tier of tiers.slice(0, target.approvals)) {
      const taskId = taskIdFor({ proposalId: demo.proposalId, version: 1, kind: 'approval', tier });
      const task = await until(options, patienceMs, async () => {
        const current = await clients.store.getTask(taskId);
        if (current?.status === 'DECIDED') return current;
        return current?.status === 'PENDING' ? current : undefined;
      });
      if (!task) return;
      if (task.status === 'PENDING') {
        await decideTask(
          { store: clients.store, freezes: clients.freezes, workflow: clients.workflow, now: clients.now },
          { taskId, decision: 'approve', actor: await actorOf(`approver-${tier}-${tierRegionCode(tier, demo.villageCode)}`) },
        );
        options.log(`demo: ${demo.proposalId} approved by the ${TIER_LABELS[tier]}`);
      }
    }
    const next = tiers[target.approvals];
    if (next !== undefined) {
      const taskId = taskIdFor({ proposalId: demo.proposalId, version: 1, kind: 'approval', tier: next });
      const waiting = await until(options, patienceMs, async () => ((await clients.store.getTask(taskId))?.status === 'PENDING' ? true : undefined));
      if (waiting) options.log(`demo: ${demo.proposalId} waits for the ${TIER_LABELS[next]}: ${options.decideCommand ?? 'npx tsx local/decide.ts'} ${taskId} approve`);
    }
  });
  const results = await Promise.allSettled(work);
  for (const result of results) {
    if (result.status === 'rejected' && !options.signal?.aborted) {
      options.log(`demo: a scripted step failed: ${result.reason instanceof Error ? `${result.reason.name}: ${result.reason.message}` : String(result.reason)}`);
    }
  }
}

/**
 * The demo users as the API records them: the `sub` of the ID token each gets at the local issuer, so what the
 * demo did reads in a proposal's history as done by the village's operator and its approvers (local/demo-users.ts).
 */
function demoActors(issuer: string): (username: string) => Promise<Actor> {
  const actors = new Map<string, Promise<Actor>>();
  const signIn = async (username: string): Promise<Actor> => {
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: DEMO_PASSWORD }),
    });
    if (!response.ok) throw new Error(`The demo user ${username} could not sign in at ${issuer} (${response.status})`);
    const { idToken } = (await response.json()) as { idToken: string };
    const { sub } = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: unknown };
    if (typeof sub !== 'string') throw new Error(`The issuer's token for ${username} has no sub`);
    return { type: 'user', id: sub };
  };
  return (username) => {
    let actor = actors.get(username);
    if (!actor) {
      actor = signIn(username);
      // A failed sign-in is tried again next time rather than remembered.
      actor.catch(() => actors.delete(username));
      actors.set(username, actor);
    }
    return actor;
  };
}

/** Polls until `probe` gives a value, the patience runs out, or the demo is stopped (undefined). */
async function until<T>(options: DemoOptions, patienceMs: number, probe: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + patienceMs;
  while (!options.signal?.aborted && Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return undefined;
}

// ---------------------------------------------------------------- the households

interface DemoHousehold {
  input: ProposalInput;
  target: DemoTarget;
  description: string;
}

const FAMILIES = [
  { surname: 'Latuconsina', head: 'Yohanis', spouse: 'Maria', child: 'Daniel' },
  { surname: 'Pattinama', head: 'Abdul', spouse: 'Siti', child: 'Rahmat' },
  { surname: 'Tuhumury', head: 'Petrus', spouse: 'Ester', child: 'Yakobus' },
  { surname: 'Wattimena', head: 'Samuel', spouse: 'Rut', child: 'Natalia' },
  { surname: 'Sopacua', head: 'Hasan', spouse: 'Nurul', child: 'Fatimah' },
  { surname: 'Huwae', head: 'Markus', spouse: 'Debora', child: 'Stefanus' },
  { surname: 'Leimena', head: 'Umar', spouse: 'Aisyah', child: 'Ilham' },
];

/** A plausible spot for the houses: Kota Ambon for Maluku, the middle of the archipelago elsewhere. */
const BASE_LOCATION: Record<string, LatLon> = { '81': { latitude: -3.6954, longitude: 128.1814 } };
const DEFAULT_LOCATION: LatLon = { latitude: -2.5, longitude: 118.0 };

/** Two regencies with villages: the province's first city (x.71) if it has one, and its first regency. */
export function demoRegencies(province: string): { code: string; name: string; villages: string[] }[] {
  const data = loadRegionData(province);
  const byRegency = new Map<string, string[]>();
  for (const village of [...data.villages].sort()) {
    const regency = village.slice(0, 5);
    byRegency.set(regency, [...(byRegency.get(regency) ?? []), village]);
  }
  const codes = [...byRegency.keys()].sort();
  const city = codes.find((code) => code.endsWith('.71'));
  const chosen = [...new Set([city, ...codes].filter((code): code is string => code !== undefined))].slice(0, 2);
  return chosen.map((code) => ({ code, name: data.regencies[code] ?? code, villages: byRegency.get(code)! }));
}

/** Which of the two demo regencies each demo household lives in, in the order of the plan in demoHouseholds. */
const PLAN_REGENCIES = [0, 0, 0, 1, 1, 0, 1] as const;

export interface DemoVillage {
  villageCode: string;
  regency: { code: string; name: string };
}

/**
 * The village of each demo household, in plan order (a village may come twice if a regency is small): every
 * third village of its regency. The demo users (local/demo-users.ts) get an operator for each of these.
 */
export function demoVillages(province: string): DemoVillage[] {
  const [first, second = first] = demoRegencies(province);
  if (!first || !second) throw new Error(`Province ${province} has no villages in the region data`);
  const used = new Map<string, number>();
  return PLAN_REGENCIES.map((which) => {
    const regency = which === 0 ? first : second;
    const nth = used.get(regency.code) ?? 0;
    used.set(regency.code, nth + 1);
    return { villageCode: regency.villages[Math.min(nth * 3, regency.villages.length - 1)]!, regency: { code: regency.code, name: regency.name } };
  });
}

export function demoHouseholds(province: string, config: ProvinceConfig): DemoHousehold[] {
  const tiers = config.tiers.map(({ tier }) => tier);
  const villages = demoVillages(province);
  const label = (tier: Tier | undefined) => (tier ? `waiting for the ${TIER_LABELS[tier]}` : 'registered');
  const plan: { target: DemoTarget; description: string }[] = [
    { target: 'returned', description: 'returned by validation: a NIK does not match the declared sex' },
    { target: 'review', description: 'in public review, then waiting for the village head' },
    { target: 'objection', description: 'objection filed in public review, then waiting for adjudication' },
    { target: { approvals: 0 }, description: `after public review, ${label(tiers[0])}` },
    { target: { approvals: 1 }, description: `approved by the ${TIER_LABELS[tiers[0]!]}, ${label(tiers[1])}` },
    { target: { approvals: tiers.length - 1 }, description: `approved up to the ${TIER_LABELS[tiers.at(-2) ?? tiers[0]!]}, ${label(tiers.at(-1))}` },
    { target: { approvals: tiers.length }, description: 'approved at every tier, registered' },
  ];
  const base = BASE_LOCATION[province] ?? DEFAULT_LOCATION;
  return plan.map(({ target, description }, index) => {
    const { villageCode, regency } = villages[index]!;
    const districtCode = villageCode.slice(0, 8);
    const family = FAMILIES[index % FAMILIES.length]!;
    const serial = 1001 + index * 10;
    const nik = (sex: Sex, birthDate: string, offset: number, nikSex: Sex = sex) =>
      composeNik({ districtCode, sex: nikSex, birthDate, serial: serial + offset });
    const location = { latitude: base.latitude - index * 0.002, longitude: base.longitude + index * 0.002 };
    // The returned demo: the head's NIK encodes a woman's birth day, but he is declared male.
    const headNikSex: Sex = target === 'returned' ? 'P' : 'L';
    return {
      target,
      description: `${regency.name}: ${description}`,
      input: {
        provinceCode: province,
        regencyCode: villageCode.slice(0, 5),
        districtCode,
        villageCode,
        household: {
          kk: `${districtCode.replaceAll('.', '')}150320${String(serial).padStart(4, '0')}`,
          address: `Jl. Pattimura No. ${index + 3}`,
          rt: `00${(index % 5) + 1}`,
          rw: '002',
          location,
        },
        members: [
          {
            nik: nik('L', '1979-04-12', 0, headNikSex),
            fullName: `${family.head} ${family.surname}`,
            sex: 'L',
            birthDate: '1979-04-12',
            relationship: 'KEPALA_KELUARGA',
            occupation: 'Nelayan',
          },
          { nik: nik('P', '1983-09-25', 1), fullName: `${family.spouse} ${family.surname}`, sex: 'P', birthDate: '1983-09-25', relationship: 'ISTRI' },
          { nik: nik('L', '2011-02-03', 2), fullName: `${family.child} ${family.surname}`, sex: 'L', birthDate: '2011-02-03', relationship: 'ANAK' },
        ],
        programs: index % 2 === 0 ? ['PKH', 'SEMBAKO'] : ['SEMBAKO', 'PBI_JKN'],
        criteria: ['LANTAI_TANAH', 'PENGHASILAN_RENDAH', 'TANPA_ASET'],
      },
    };
  });
}

function draft(input: ProposalInput, operator: Actor): Proposal {
  const at = new Date().toISOString();
  return {
    ...input,
    type: 'ADD',
    id: ulid(),
    version: 1,
    status: 'DRAFT',
    stage: 'DRAFT',
    submittedBy: operator.id,
    createdAt: at,
    updatedAt: at,
    reasons: [],
    flags: [],
  };
}

/** Every default document, as a village operator uploads them: photos taken at the house days ago, and a PDF. */
async function uploadEvidence(clients: LocalClients, bucket: string, proposalId: string, seed: number, location: LatLon): Promise<void> {
  const takenAt = new Date(Date.now() - 3 * DAY_MS);
  const put = (kind: string, file: string, body: Uint8Array, contentType: string) =>
    clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `proposals/${proposalId}/${kind}/${file}`, Body: body, ContentType: contentType }));
  await put('house-front', 'front.jpg', makeJpeg({ seed, takenAt, gps: location }), 'image/jpeg');
  await put('house-interior', 'inside.jpg', makeJpeg({ seed: seed + 1, takenAt, gps: location }), 'image/jpeg');
  await put('id-scan', 'kk.jpg', makeJpeg({ seed: seed + 2, takenAt }), 'image/jpeg');
  await put('berita-acara', 'musdes.pdf', makePdf(), 'application/pdf');
}
