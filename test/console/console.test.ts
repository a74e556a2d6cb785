import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeNik } from '../../domain/nik.ts';
import { parentCodes } from '../../domain/regions.ts';
import { DEMO_PASSWORD } from '../../local/demo-users.ts';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime.ts';
import { tempDataDir } from '../local/runtime/support.ts';
import { apiClient, goodEvidence, pollUntil, signIn, uploadGoodEvidence } from '../local/runtime/http-support.ts';
import { AXE_PATH, browserMissing, checkAccessibility, launchChromium, screenshot, type Browser, type Locator, type Page } from './support.ts';

/*
 * The web console in a real browser against a whole local stack: an operator fills the form (live NIK checks),
 * uploads the evidence and submits; the public files an objection on the review board; the camat dismisses it;
 * every tier approves from its inbox until the proposal is REGISTERED; the admin reads the dashboard and exports
 * the recipients; a returned proposal is revised and resubmitted; a bulk import shows its report. Every screen
 * is photographed into test-artifacts/console and checked with axe-core.
 */

const missing = browserMissing();
if (missing) console.warn(`[console tests] skipped: ${missing}`);
if (!missing && !AXE_PATH) console.warn('[console tests] axe-core is not installed: the accessibility checks do not run (add axe-core to devDependencies)');

/** A day lasts 10 s: the 6-day public review a minute, long enough to file an objection through the browser. */
const TIME_SCALE = 1 / 8640;
const CONFIG_OVERRIDES = {
  reviewDays: 6,
  tiers: [
    { tier: 'village' as const, slaDays: 500 },
    { tier: 'district' as const, slaDays: 500 },
    { tier: 'regency' as const, slaDays: 500 },
    { tier: 'regent' as const, slaDays: 500 },
  ],
};
const LOCATION = { latitude: -3.6954, longitude: 128.1814 };
const TYPES: Record<string, { mimeType: string; ext: string }> = {
  'house-front': { mimeType: 'image/jpeg', ext: 'jpg' },
  'house-interior': { mimeType: 'image/jpeg', ext: 'jpg' },
  'id-scan': { mimeType: 'image/jpeg', ext: 'jpg' },
  'berita-acara': { mimeType: 'application/pdf', ext: 'pdf' },
};

describe.skipIf(missing !== undefined)('web console in Chromium', () => {
  let dataDir: string;
  let runtime: LocalRuntime;
  let browser: Browser;
  let base: string;
  let operator: string;
  let village: string;
  let district: string;
  let regency: string;
  let proposalId: string;
  const errors: string[] = [];

  beforeAll(async () => {
    dataDir = tempDataDir();
    runtime = await startLocalRuntime({ dataDir, timeScale: TIME_SCALE, configOverrides: CONFIG_OVERRIDES, console: true });
    base = runtime.endpoints.console!;
    const op = runtime.users.find((user) => user.role === 'village_operator')!;
    operator = op.username;
    village = op.region;
    ({ district, regency } = parentCodes(village));
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await runtime?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** A fresh browser context (its own sessionStorage) on `hash`, signed in as `username` through the form. */
  async function pageAs(username: string | undefined, hash: string): Promise<Page> {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    page.on('pageerror', (error: Error) => errors.push(error.message));
    if (username) {
      await page.goto(`${base}/#/signin`);
      await page.getByLabel('Nama pengguna').fill(username);
      await page.getByLabel('Kata sandi', { exact: true }).fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Masuk', exact: true }).click();
      await page.waitForURL(/#\/(proposals|inbox|dashboard)/);
    }
    await page.goto(`${base}/${hash}`);
    return page;
  }

  /** Opens the approver's inbox and reloads it until the proposal's task shows there (as `find` locates it). */
  async function inboxShowing(username: string, find: (inbox: Page) => Locator): Promise<{ page: Page; target: Locator }> {
    const page = await pageAs(username, '#/inbox');
    const target = find(page);
    await pollUntil(`${username}'s task`, async () => {
      if ((await target.count()) > 0) return true;
      await page.reload();
      await page.getByRole('heading', { level: 1 }).waitFor();
      return undefined;
    }, { timeoutMs: 180_000, intervalMs: 1000 });
    return { page, target };
  }

  /** Waits in the approver's inbox until the proposal's task shows, opens it and decides. */
  async function decideFromInbox(username: string, decision: string, shot?: string, reason?: string): Promise<void> {
    const { page, target: link } = await inboxShowing(username, (inbox) => inbox.locator(`a[href="#/proposals/${proposalId}"]`));
    if (shot) {
      await screenshot(page, `${shot}-inbox`);
      await checkAccessibility(page, `${shot} inbox`);
    }
    await link.first().click();
    const button = page.getByRole('button', { name: decision, exact: true });
    await button.waitFor();
    if (shot) {
      await screenshot(page, `${shot}-detail`);
      await checkAccessibility(page, `${shot} detail`);
    }
    if (reason) await page.getByLabel('Alasan').fill(reason);
    await button.click();
    await page.getByText('Keputusan tercatat.').first().waitFor();
    await page.close();
  }

  it('signs an operator in, checks NIKs as they are typed, saves, uploads with progress and submits', async () => {
    const signin = await pageAs(undefined, '#/signin');
    await signin.getByLabel('Nama pengguna').waitFor();
    await screenshot(signin, '01-signin');
    await checkAccessibility(signin, 'sign-in');
    await signin.close();

    const page = await pageAs(operator, '#/proposals/new');
    await page.getByLabel('Nomor KK').waitFor();
    const head = { birthDate: '1980-05-17', sex: 'L' };
    const wife = { birthDate: '1984-11-02', sex: 'P' };
    const serial = 4000 + (process.pid % 1000);
    await page.getByLabel('Nomor KK').fill(`${district.replaceAll('.', '')}150320${String(serial).padStart(4, '0')}`);
    await page.getByLabel('Alamat').fill('Jl. Pattimura No. 12');
    await page.getByLabel('RT', { exact: true }).fill('003');
    await page.getByLabel('RW', { exact: true }).fill('002');
    await page.getByLabel('Garis lintang').fill(String(LOCATION.latitude));
    await page.getByLabel('Garis bujur').fill(String(LOCATION.longitude));

    const member = (i: number) => page.locator('fieldset.member').nth(i);
    await member(0).getByLabel('Jenis kelamin').selectOption(head.sex);
    await member(0).getByLabel('Tanggal lahir').fill(head.birthDate);
    // A woman's birth day (+40) in a man's NIK: the shared domain rule says so while typing.
    await member(0).getByLabel('NIK', { exact: true }).fill(composeNik({ districtCode: district, sex: 'P', birthDate: head.birthDate, serial }));
    await member(0).getByText(/jenis kelamin/i).first().waitFor();
    await screenshot(page, '02-form-live-nik-check');
    await member(0).getByLabel('NIK', { exact: true }).fill(composeNik({ districtCode: district, sex: 'L', birthDate: head.birthDate, serial }));
    await member(0).getByText('NIK sesuai aturan.').waitFor();
    await member(0).getByLabel('Nama lengkap').fill('Yohanis Latuconsina');
    await member(0).getByLabel('Hubungan dalam keluarga').selectOption('KEPALA_KELUARGA');

    await page.getByRole('button', { name: 'Tambah anggota' }).click();
    await member(1).getByLabel('Jenis kelamin').selectOption(wife.sex);
    await member(1).getByLabel('Tanggal lahir').fill(wife.birthDate);
    await member(1).getByLabel('NIK', { exact: true }).fill(composeNik({ districtCode: district, sex: 'P', birthDate: wife.birthDate, serial: serial + 1 }));
    await member(1).getByLabel('Nama lengkap').fill('Maria Latuconsina');
    await member(1).getByLabel('Hubungan dalam keluarga').selectOption('ISTRI');
    await page.getByLabel('Program Keluarga Harapan (PKH)').check();
    await page.getByLabel('Lantai dari tanah, bambu, atau kayu murahan').check();
    await screenshot(page, '03-form');
    await checkAccessibility(page, 'proposal form');

    await page.getByRole('button', { name: 'Simpan draf' }).click();
    await page.waitForURL(/#\/proposals\/[0-9A-Z]{26}\/upload$/);
    proposalId = /proposals\/([0-9A-Z]{26})\/upload/.exec(page.url())![1]!;

    for (const [i, kind] of Object.keys(TYPES).entries()) {
      const { mimeType, ext } = TYPES[kind]!;
      await page.locator(`input[type=file][name="${kind}"]`).setInputFiles({ name: `${kind}.${ext}`, mimeType, buffer: Buffer.from(goodEvidence(kind, 500 + i * 3, LOCATION)) });
    }
    await pollUntil('every upload to finish', async () => ((await page.getByText('✓ Terunggah').count()) === 4 ? true : undefined), { timeoutMs: 30_000 });
    expect(await page.locator('progress').count()).toBe(4);
    expect(await page.locator('.thumb img').count()).toBeGreaterThanOrEqual(3);
    await screenshot(page, '04-upload');
    await checkAccessibility(page, 'evidence upload');

    await page.getByRole('button', { name: 'Ajukan usulan' }).click();
    await page.waitForURL(new RegExp(`#/proposals/${proposalId}\\?submitted=1$`));
    await page.getByText('Usulan diajukan; pemeriksaan otomatis berjalan.').waitFor();
    await screenshot(page, '05-detail-submitted');
    await checkAccessibility(page, 'proposal detail (operator)');
    await page.close();
  }, 240_000);

  it('shows the proposal on the public review board and takes an objection without sign-in', async () => {
    const operatorApi = apiClient(runtime, await signIn(runtime, operator));
    await pollUntil('the public review', async () => {
      const { body } = await operatorApi.call('GET', `/proposals/${proposalId}`);
      return body.status === 'IN_REVIEW' && body.stage === 'PUBLIC_REVIEW' ? true : undefined;
    }, { timeoutMs: 120_000, last: () => proposalId });

    const page = await pageAs(undefined, '#/public');
    await page.getByLabel('atau ketik kode desa').fill(village);
    await page.getByRole('button', { name: 'Tampilkan' }).click();
    await page.getByText('Yohanis Latuconsina').waitFor();
    await screenshot(page, '06-public-board');
    await checkAccessibility(page, 'public review board');
    await page.getByRole('button', { name: 'Ajukan sanggahan' }).first().click();
    await page.getByLabel('Kategori').selectOption('NOT_RESIDENT');
    await page.getByLabel('Uraian sanggahan').fill('Keluarga ini sudah pindah ke Ambon sejak tahun lalu.');
    await page.getByLabel('Nama pelapor').fill('Warga RT 003');
    await page.getByLabel('Kontak (telepon/email)').fill('081234567890');
    await screenshot(page, '07-objection-form');
    await checkAccessibility(page, 'objection form');
    await page.getByRole('button', { name: 'Kirim' }).click();
    await page.getByText('Sanggahan tercatat. Nomor:').waitFor();
    await page.close();
  }, 180_000);

  /** Ticks the proposal's task in the approver's inbox and approves it with "approve selected" (the batch call). */
  async function approveSelectedFromInbox(username: string): Promise<void> {
    const { page, target: box } = await inboxShowing(username, (inbox) => inbox.getByRole('checkbox', { name: `Pilih ${proposalId}` }));
    await box.check();
    await screenshot(page, '09b-inbox-batch');
    await checkAccessibility(page, 'inbox with a task selected');
    await page.getByRole('button', { name: 'Setujui yang dipilih' }).click();
    await page.getByText('Keputusan tercatat: 1/1').waitFor();
    await page.close();
  }

  it('lets the camat dismiss the objection and every tier approve from its inbox until REGISTERED', async () => {
    await decideFromInbox(`approver-district-${district}`, 'Tolak sanggahan', '08-adjudication');
    await decideFromInbox(`approver-village-${village}`, 'Setujui', '09-approver');
    await decideFromInbox(`approver-district-${district}`, 'Setujui');
    await approveSelectedFromInbox(`approver-regency-${regency}`);
    await decideFromInbox(`approver-regent-${regency}`, 'Setujui');

    const page = await pageAs(operator, '#/proposals');
    await pollUntil('REGISTERED in the operator list', async () => {
      await page.reload();
      await page.locator('table').first().waitFor();
      return (await page.getByText('Terdaftar').count()) > 0 ? true : undefined;
    }, { timeoutMs: 60_000, intervalMs: 1000 });
    await screenshot(page, '10-operator-list');
    await checkAccessibility(page, 'operator proposal list');
    await page.close();
  }, 600_000);

  it('shows the admin dashboard and exports the registered recipients as CSV', async () => {
    const page = await pageAs(`admin-${runtime.endpoints.province}`, '#/dashboard');
    await page.getByText('Median hari per tahap').waitFor();
    expect(await page.locator('svg.chart').count()).toBeGreaterThanOrEqual(1);
    await screenshot(page, '11-dashboard');
    await checkAccessibility(page, 'admin dashboard');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Ekspor penerima terdaftar (CSV)' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/\.csv$/);
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync((await file.path())!, 'utf8');
    expect(csv).toContain(proposalId);
    await page.close();
  }, 120_000);

  it('lists a returned proposal with its reasons, revises it and resubmits', async () => {
    // Returned by the evidence check: the house photos were taken 7 km from the declared location. The NIK is
    // well formed (the API refuses a NIK whose encoded sex disagrees with the member's).
    const token = await signIn(runtime, operator);
    const operatorApi = apiClient(runtime, token);
    const serial = 6000 + (process.pid % 1000);
    const parents = parentCodes(village);
    const kk = `${district.replaceAll('.', '')}150320${String(serial).padStart(4, '0')}`;
    const elsewhere = { latitude: LOCATION.latitude, longitude: LOCATION.longitude + 0.07 };
    const created = await operatorApi.call('POST', '/proposals', {
      body: {
        provinceCode: parents.province,
        regencyCode: parents.regency,
        districtCode: parents.district,
        villageCode: village,
        household: { kk, address: 'Jl. Sultan Hairun 3', rt: '001', rw: '004', location: LOCATION },
        members: [{ nik: composeNik({ districtCode: district, sex: 'L', birthDate: '1975-03-01', serial }), fullName: 'Abdul Tuasikal', sex: 'L', birthDate: '1975-03-01', relationship: 'KEPALA_KELUARGA' }],
        programs: ['SEMBAKO'],
        criteria: ['TANPA_ASET'],
      },
    });
    expect(created.status, created.text).toBe(201);
    const returnedId: string = created.body.proposalId;
    await uploadGoodEvidence(created.body.uploads, 900, elsewhere);
    expect((await operatorApi.call('POST', `/proposals/${returnedId}/submit`)).status).toBe(202);
    const returned = await pollUntil('RETURNED', async () => {
      const { body } = await operatorApi.call('GET', `/proposals/${returnedId}`);
      return body.status === 'RETURNED' ? body : undefined;
    }, { timeoutMs: 120_000 });
    expect(returned.reasons.map((reason: { code: string }) => reason.code)).toContain('PHOTO_TOO_FAR');

    const page = await pageAs(operator, '#/proposals');
    await page.locator('ul.reasons li').first().waitFor();
    await page.goto(`${base}/#/proposals/${returnedId}`);
    await page.getByRole('link', { name: 'Perbaiki usulan' }).click();
    // The form comes back with version 1 (KK and NIKs masked, so typed again); the operator corrects the address.
    await page.getByLabel('Nomor KK').fill(kk);
    await page.getByLabel('Alamat').fill('Jl. Sultan Hairun No. 3');
    const member = page.locator('fieldset.member').nth(0);
    await member.getByLabel('NIK', { exact: true }).fill(composeNik({ districtCode: district, sex: 'L', birthDate: '1975-03-01', serial }));
    await member.getByText('NIK sesuai aturan.').waitFor();
    await screenshot(page, '12-revise');
    await checkAccessibility(page, 'revision form');
    await page.getByRole('button', { name: 'Simpan perbaikan' }).click();
    await page.waitForURL(/\/upload$/);
    for (const [i, kind] of Object.keys(TYPES).entries()) {
      const { mimeType, ext } = TYPES[kind]!;
      await page.locator(`input[type=file][name="${kind}"]`).setInputFiles({ name: `${kind}.${ext}`, mimeType, buffer: Buffer.from(goodEvidence(kind, 950 + i * 3, LOCATION)) });
    }
    await pollUntil('the uploads', async () => ((await page.getByText('✓ Terunggah').count()) === 4 ? true : undefined), { timeoutMs: 30_000 });
    await page.getByRole('button', { name: 'Ajukan usulan' }).click();
    await page.getByText('Usulan diajukan; pemeriksaan otomatis berjalan.').waitFor();
    const detail = await operatorApi.call('GET', `/proposals/${returnedId}`);
    expect(detail.body.version).toBe(2);
    await page.close();
  }, 240_000);

  it('downloads the import template, uploads a file and shows the live report', async () => {
    const page = await pageAs(operator, '#/imports');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Unduh templat CSV' }).click();
    const template = await download;
    const { readFileSync } = await import('node:fs');
    const templateCsv = readFileSync((await template.path())!, 'utf8');
    // The template as downloaded (its header and one example row): the import runs and reports on that row.
    await page.getByLabel('Berkas impor (CSV/XLSX)').setInputFiles({ name: 'templat.csv', mimeType: 'text/csv', buffer: Buffer.from(templateCsv) });
    await page.getByRole('button', { name: 'Unggah dan proses' }).click();
    const status = await pollUntil('the import report', async () => {
      const shown = await page.locator('.import-status').first().textContent().catch(() => null);
      return shown === 'DONE' || shown === 'FAILED' ? shown : undefined;
    }, { timeoutMs: 60_000 });
    expect(status).toBe('DONE');
    await screenshot(page, '13-import');
    await checkAccessibility(page, 'bulk import');
    await page.close();
  }, 120_000);

  it('switches to English and back, and had no script errors', async () => {
    const page = await pageAs(undefined, '#/public');
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { name: 'Public review board' }).waitFor();
    await screenshot(page, '14-public-english');
    await page.getByRole('button', { name: 'Ganti ke Bahasa Indonesia' }).click();
    await page.getByRole('heading', { name: 'Papan uji publik' }).waitFor();
    await page.close();
    expect(errors).toEqual([]);
  }, 60_000);
});
