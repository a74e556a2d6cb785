import { ApiError } from './api.ts';
import type { ConsoleConfig } from './config.ts';
import { t } from './i18n.ts';
import type { Session } from './session.ts';
import { h } from './view.ts';

/** What every screen gets: the route's parameters, the session (if any), and a way to stop its timers. */
export type ScreenContext = {
  params: Record<string, string>;
  query: URLSearchParams;
  session: Session | undefined;
  config: ConsoleConfig;
  onLeave(cleanup: () => void): void;
};

export function navigate(hash: string): void {
  // The same hash fires no hashchange; re-rendering is still what the caller wants (e.g. after a decision).
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.status === 0 ? t('networkError') : error.message;
  return error instanceof Error ? error.message : String(error);
}

/** An error as a screen: a heading (so focus lands somewhere) and the API's message and details. */
export function errorBox(error: unknown): HTMLElement {
  const details = error instanceof ApiError ? error.details : [];
  return h(
    'div',
    { class: 'alert', role: 'alert' },
    h('h1', { tabindex: '-1' }, t('error')),
    h('p', {}, errorMessage(error)),
    details.length ? h('ul', {}, details.map((detail) => h('li', {}, detail.message))) : null,
  );
}

/** A status line announced to screen readers. */
export function notice(kind: 'ok' | 'error' | 'info', text: string, extra?: Node): HTMLElement {
  return h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text, extra ? ' ' : null, extra ?? null);
}
