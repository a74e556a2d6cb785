import { ApiError, useConfig } from './api.ts';
import { errorBox, navigate, type ScreenContext } from './nav.ts';
import { loadConfig, type ConsoleConfig } from './config.ts';
import { lang, setLang, t } from './i18n.ts';
import { adminScreen } from './screens/admin.ts';
import { detailScreen } from './screens/detail.ts';
import { importScreen } from './screens/imports.ts';
import { inboxScreen } from './screens/inbox.ts';
import { operatorScreen } from './screens/operator.ts';
import { proposalFormScreen } from './screens/proposal-form.ts';
import { publicScreen } from './screens/public.ts';
import { signInScreen } from './screens/signin.ts';
import { uploadScreen } from './screens/upload.ts';
import { currentSession, signOut, type Session } from './session.ts';
import { h, replace } from './view.ts';

type Screen = (ctx: ScreenContext) => Promise<Node> | Node;

/** Hash routes, so any static host (S3, the local server) serves the console without rewrite rules. */
const ROUTES: { pattern: RegExp; keys: string[]; screen: Screen; needs?: Session['claims']['role'][] }[] = [
  { pattern: /^\/signin$/, keys: [], screen: signInScreen },
  { pattern: /^\/public$/, keys: [], screen: publicScreen },
  { pattern: /^\/proposals$/, keys: [], screen: operatorScreen, needs: ['village_operator', 'approver', 'admin'] },
  { pattern: /^\/proposals\/new$/, keys: [], screen: proposalFormScreen, needs: ['village_operator'] },
  { pattern: /^\/proposals\/([^/]+)\/upload$/, keys: ['id'], screen: uploadScreen, needs: ['village_operator'] },
  { pattern: /^\/proposals\/([^/]+)\/revise$/, keys: ['id'], screen: proposalFormScreen, needs: ['village_operator'] },
  { pattern: /^\/proposals\/([^/]+)$/, keys: ['id'], screen: detailScreen, needs: ['village_operator', 'approver', 'admin'] },
  { pattern: /^\/imports$/, keys: [], screen: importScreen, needs: ['village_operator'] },
  { pattern: /^\/inbox$/, keys: [], screen: inboxScreen, needs: ['approver'] },
  { pattern: /^\/dashboard$/, keys: [], screen: adminScreen, needs: ['admin', 'approver'] },
];

const HOME: Record<Session['claims']['role'], string> = { village_operator: '#/proposals', approver: '#/inbox', admin: '#/dashboard' };

let config: ConsoleConfig;
let cleanups: (() => void)[] = [];
const main = () => document.getElementById('main')!;

function header(session: Session | undefined): Node {
  const links: [string, string][] = [];
  const role = session?.claims.role;
  if (role === 'village_operator') links.push(['#/proposals', t('navProposals')], ['#/proposals/new', t('navNew')], ['#/imports', t('navImport')]);
  if (role === 'approver') links.push(['#/inbox', t('navInbox')], ['#/dashboard', t('navDashboard')]);
  if (role === 'admin') links.push(['#/dashboard', t('navDashboard')], ['#/proposals', t('navProposals')]);
  links.push(['#/public', t('navPublic')]);
  const current = location.hash || '#/';
  return h(
    'div',
    { class: 'bar' },
    h('a', { class: 'brand', href: session ? HOME[session.claims.role] : '#/public' }, t('appName')),
    h('nav', { 'aria-label': t('appName') }, h('ul', {}, links.map(([href, text]) => h('li', {}, h('a', { href, ...(current === href && { 'aria-current': 'page' }) }, text))))),
    h(
      'div',
      { class: 'who' },
      session ? h('span', { class: 'user' }, session.claims.name ?? session.claims.sub, ' · ', session.claims.region) : null,
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          lang: lang === 'id' ? 'en' : 'id',
          'aria-label': t('switchLangLabel'),
          onclick: () => {
            setLang(lang === 'id' ? 'en' : 'id');
            void render();
          },
        },
        t('switchLang'),
      ),
      session
        ? h('button', { type: 'button', class: 'link', onclick: () => (signOut(), navigate('#/signin')) }, t('signOut'))
        : h('a', { href: '#/signin' }, t('signIn')),
    ),
  );
}

async function render(): Promise<void> {
  for (const cleanup of cleanups.splice(0)) cleanup();
  const [path = '/', search = ''] = (location.hash.replace(/^#/, '') || '/').split('?');
  const session = currentSession();
  document.documentElement.lang = lang;
  replace(document.getElementById('header')!, header(session));
  document.getElementById('skip')!.textContent = t('skip');
  if (path === '/') return navigate(session ? HOME[session.claims.role] : '#/signin');
  const route = ROUTES.find((candidate) => candidate.pattern.test(path));
  const target = main();
  if (!route) {
    replace(target, h('h1', { tabindex: '-1' }, t('notFound')));
    return;
  }
  if (route.needs && (!session || !route.needs.includes(session.claims.role))) {
    return navigate(session ? HOME[session.claims.role] : `#/signin?next=${encodeURIComponent(`#${path}`)}`);
  }
  const match = route.pattern.exec(path)!;
  const params = Object.fromEntries(route.keys.map((key, i) => [key, decodeURIComponent(match[i + 1] ?? '')]));
  target.setAttribute('aria-busy', 'true');
  replace(target, h('p', { class: 'loading' }, t('loading')));
  const mine: (() => void)[] = [];
  cleanups = mine;
  let node: Node;
  try {
    node = await route.screen({ params, query: new URLSearchParams(search), session, config, onLeave: (cleanup) => mine.push(cleanup) });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      signOut();
      return navigate('#/signin?expired=1');
    }
    node = errorBox(error);
  }
  // A newer navigation won: its screen owns <main> now.
  if (cleanups !== mine) return;
  target.removeAttribute('aria-busy');
  replace(target, node);
  // Moves focus to the new screen's heading so screen readers announce the page change.
  target.querySelector<HTMLElement>('h1')?.focus();
  document.title = `${target.querySelector('h1')?.textContent ?? ''} · ${t('appName')}`;
}

async function start(): Promise<void> {
  document.documentElement.lang = lang;
  try {
    config = await loadConfig();
  } catch (error) {
    replace(main(), errorBox(error));
    return;
  }
  useConfig(config);
  window.addEventListener('hashchange', () => void render());
  await render();
}

void start();
