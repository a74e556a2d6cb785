/**
 * The people who sign in to a local stack: for every village the demo proposals live in (local/demo-data.ts) an
 * operator and the village head, then the camat of each of their districts, the social office and the regent
 * or mayor of each of their regencies, and one provincial admin. Derived from the region data for any
 * province, so `npm start -- --province 73` has its own. Every one of them signs in with DEMO_PASSWORD at the
 * local issuer (local/identity/issuer.ts), whose tokens carry `role`, `tier` and `region` as the stack's
 * Cognito pre-token-generation trigger puts them.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { tierRegionCode, type Tier } from '../domain/province-config.ts';
import { parseCsv } from '../domain/regions.ts';
import { findProvince } from '../infra/provinces.ts';
import { demoVillages } from './demo-data.ts';

/** The one password of every demo user: a local stack is for trying things out, never for real data. */
export const DEMO_PASSWORD = 'verval-demo';

export type UserRole = 'village_operator' | 'approver' | 'admin';

export interface DemoUser {
  username: string;
  password: string;
  /** A person's name (the `name` claim). */
  name: string;
  /** Their office, in Indonesian: "Operator Desa Batu Merah", "Camat Sirimau", "Wali Kota Ambon". */
  title: string;
  role: UserRole;
  /** Approvers only. */
  tier?: Tier;
  /** The Kemendagri code of the region they act for: a village, district, regency or the province. */
  region: string;
}

const GIVEN_NAMES = [
  'Yohana', 'Abdul', 'Maria', 'Hasan', 'Petrus', 'Siti', 'Markus', 'Nurhayati', 'Samuel', 'Fatimah', 'Daniel', 'Ratna',
  'Yakobus', 'Aisyah', 'Stefanus', 'Dewi', 'Ahmad', 'Ester', 'Rahmat', 'Lusiana', 'Umar', 'Natalia', 'Ilham', 'Wulan',
];
const FAMILY_NAMES = [
  'Tanamal', 'Ohorella', 'Latumahina', 'Rumalutur', 'Tuasikal', 'Manuputty', 'Soulissa', 'Pelu', 'Matulessy', 'Rahawarin',
  'Siahaya', 'Kaliky', 'Nanlohy', 'Wakano', 'Tutupary', 'Marasabessy', 'Lekatompessy', 'Hehanussa', 'Talaohu',
];

/** Every demo user of the province, operators first, then approvers by tier, then the admin. */
export function demoUsers(province: string): DemoUser[] {
  const names = regionNames(province);
  const villages = [...new Set(demoVillages(province).map(({ villageCode }) => villageCode))];
  const districts = [...new Set(villages.map((code) => tierRegionCode('district', code)))];
  const regencies = [...new Set(villages.map((code) => tierRegionCode('regency', code)))];
  let nth = 0;
  const person = () => {
    const index = nth++;
    return `${GIVEN_NAMES[index % GIVEN_NAMES.length]} ${FAMILY_NAMES[(index * 7) % FAMILY_NAMES.length]}`;
  };
  const villageName = (code: string) => `${isKelurahan(code) ? 'Kelurahan' : 'Desa'} ${names.villages.get(code) ?? code}`;
  const regencyName = (code: string) => titleCase(names.regencies.get(code) ?? code);
  const users: DemoUser[] = [];
  for (const code of villages) {
    users.push({ username: `operator-${code}`, password: DEMO_PASSWORD, name: person(), title: `Operator ${villageName(code)}`, role: 'village_operator', region: code });
  }
  for (const code of villages) {
    const head = isKelurahan(code) ? `Lurah ${names.villages.get(code) ?? code}` : `Kepala ${villageName(code)}`;
    users.push(approver('village', code, person(), head));
  }
  for (const code of districts) users.push(approver('district', code, person(), `Camat ${names.districts.get(code) ?? code}`));
  for (const code of regencies) users.push(approver('regency', code, person(), `Kepala Dinas Sosial ${regencyName(code)}`));
  for (const code of regencies) {
    const name = regencyName(code);
    const head = name.startsWith('Kota ') ? `Wali Kota ${name.slice(5)}` : `Bupati ${name.replace(/^Kabupaten /, '')}`;
    users.push(approver('regent', code, person(), head));
  }
  users.push({
    username: `admin-${province}`,
    password: DEMO_PASSWORD,
    name: person(),
    title: `Admin Provinsi ${titleCase(findProvince(province).name)}`,
    role: 'admin',
    region: province,
  });
  return users;
}

function approver(tier: Tier, region: string, name: string, title: string): DemoUser {
  return { username: `approver-${tier}-${region}`, password: DEMO_PASSWORD, name, title, role: 'approver', tier, region };
}

/** Kemendagri numbers urban wards (kelurahan) 1xxx and villages (desa) 2xxx. */
function isKelurahan(villageCode: string): boolean {
  return villageCode.slice(9).startsWith('1');
}

/** "KABUPATEN MALUKU TENGAH" → "Kabupaten Maluku Tengah". */
function titleCase(text: string): string {
  return text.toLowerCase().replace(/(^|[\s(-])(\p{L})/gu, (_, before: string, letter: string) => before + letter.toUpperCase());
}

/** Village, district and regency names of one province from idn-area-data (domain/ keeps only the codes of the first two). */
function regionNames(province: string): { villages: Map<string, string>; districts: Map<string, string>; regencies: Map<string, string> } {
  const dataDir = join(dirname(createRequire(import.meta.url).resolve('idn-area-data/package.json')), 'data');
  const read = (name: string) => {
    // Only the header and this province's lines go through the CSV parser: the village list is national.
    const lines = readFileSync(join(dataDir, `${name}.csv`), 'utf8').split(/\r?\n/);
    const [header, ...rows] = parseCsv([lines[0], ...lines.filter((line) => line.startsWith(`${province}.`))].join('\n'));
    const code = header?.indexOf('code') ?? -1;
    const label = header?.indexOf('name') ?? -1;
    return new Map(rows.filter((row) => row[code]?.startsWith(`${province}.`)).map((row) => [row[code]!, row[label] ?? '']));
  };
  return { villages: read('villages'), districts: read('districts'), regencies: read('regencies') };
}
