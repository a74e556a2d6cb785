import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { expect } from 'vitest';

/*
 * The browser side of the console tests: playwright-core driving the system's Chromium (Debian's `chromium`
 * package; no browser download), and axe-core for the accessibility check. Either may be missing on a developer
 * machine: the suite then skips and says why, rather than failing.
 */

const require = createRequire(import.meta.url);

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'console');

function resolvable(name: string): string | undefined {
  try {
    return require.resolve(name);
  } catch {
    return undefined;
  }
}

/** Minimal types of the playwright-core API used here, so the typecheck does not need the package installed. */
export interface Locator {
  click(): Promise<void>;
  fill(value: string): Promise<void>;
  check(): Promise<void>;
  selectOption(value: string | { label: string }): Promise<unknown>;
  setInputFiles(files: { name: string; mimeType: string; buffer: Buffer } | { name: string; mimeType: string; buffer: Buffer }[]): Promise<void>;
  textContent(): Promise<string | null>;
  count(): Promise<number>;
  nth(index: number): Locator;
  first(): Locator;
  locator(selector: string): Locator;
  getByLabel(text: string | RegExp, options?: { exact?: boolean }): Locator;
  getByRole(role: string, options?: { name?: string | RegExp; exact?: boolean; level?: number }): Locator;
  getByText(text: string | RegExp, options?: { exact?: boolean }): Locator;
  waitFor(options?: { state?: 'visible' | 'attached' | 'hidden'; timeout?: number }): Promise<void>;
  isVisible(): Promise<boolean>;
}
export interface Page extends Pick<Locator, 'locator' | 'getByLabel' | 'getByRole' | 'getByText'> {
  goto(url: string): Promise<unknown>;
  reload(): Promise<unknown>;
  url(): string;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  addScriptTag(options: { path: string }): Promise<unknown>;
  evaluate<T>(fn: () => T | Promise<T>): Promise<T>;
  waitForURL(url: RegExp, options?: { timeout?: number }): Promise<void>;
  waitForEvent(event: 'download', options?: { timeout?: number }): Promise<{ suggestedFilename(): string; path(): Promise<string | null> }>;
  on(event: 'console' | 'pageerror', handler: (value: any) => void): void;
  close(): Promise<void>;
}
export interface BrowserContext {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
export interface Browser {
  newContext(options?: { acceptDownloads?: boolean; viewport?: { width: number; height: number }; locale?: string }): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserMissing(): string | undefined {
  if (!resolvable('playwright-core')) return 'playwright-core is not installed (add it to devDependencies)';
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  return undefined;
}

export const AXE_PATH = (() => {
  const main = resolvable('axe-core');
  return main ? join(main, '..', 'axe.min.js') : undefined;
})();

export async function launchChromium(): Promise<Browser> {
  // A variable specifier: the typecheck must not need playwright-core's types.
  const name = 'playwright-core';
  const { chromium } = (await import(name)) as { chromium: { launch(options: Record<string, unknown>): Promise<Browser> } };
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

/** axe-core on the current screen: no serious or critical violation. Without axe-core, says so once and passes. */
export async function checkAccessibility(page: Page, screen: string): Promise<void> {
  if (!AXE_PATH) return;
  await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context?: unknown, options?: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious, `accessibility of ${screen}: ${JSON.stringify(serious, null, 2)}`).toEqual([]);
}
