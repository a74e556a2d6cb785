import { api } from '../api.ts';
import { lang, stageLabel, t } from '../i18n.ts';
import type { ScreenContext } from '../nav.ts';
import { formatDate, h } from '../view.ts';
import { programLabel, statusBadge } from './detail.ts';

const WITH_REASONS = new Set(['RETURNED', 'REJECTED', 'FAILED']);

/** The proposals of the caller's region (an operator's village), newest pages on demand, with reasons where there are any. */
export async function operatorScreen({ session }: ScreenContext): Promise<Node> {
  const region = session!.claims.region;
  const village = session!.claims.role === 'village_operator';
  const body = h('tbody', {});
  const more = h('button', { type: 'button' }, t('more'));
  let cursor: string | undefined;
  const load = async () => {
    const query = new URLSearchParams({ limit: '25', ...(village ? { village: region } : { region }), ...(cursor && { cursor }) });
    const page = await api('GET', `/proposals?${query}`);
    cursor = page.cursor;
    more.hidden = !cursor;
    for (const item of page.items) {
      const reasons = h('td', {});
      body.append(
        h(
          'tr',
          {},
          h('td', {}, h('a', { href: `#/proposals/${item.proposalId}` }, item.householdHead)),
          h('td', {}, statusBadge(item.status)),
          h('td', {}, stageLabel(item.stage)),
          h('td', {}, String(item.memberCount)),
          h('td', {}, item.programs.map(programLabel).join(', ')),
          h('td', {}, formatDate(item.updatedAt, lang)),
          reasons,
        ),
      );
      // The list has no reasons; a returned or rejected proposal's are worth one more request.
      if (WITH_REASONS.has(item.status)) {
        void api('GET', `/proposals/${item.proposalId}`).then(
          (full) => reasons.append(h('ul', { class: 'reasons' }, full.reasons.map((r: { message: string }) => h('li', {}, r.message)))),
          () => undefined,
        );
      }
    }
    if (!body.children.length) body.append(h('tr', {}, h('td', { colspan: '7' }, t('none'))));
  };
  more.addEventListener('click', () => void load());
  await load();
  return h(
    'div',
    {},
    h('h1', { tabindex: '-1' }, t('proposalsTitle')),
    village ? h('p', {}, h('a', { class: 'button primary', href: '#/proposals/new' }, t('navNew')), ' ', h('a', { class: 'button', href: '#/imports' }, t('navImport'))) : null,
    h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        {},
        h('caption', { class: 'sr-only' }, t('proposalsTitle')),
        h('thead', {}, h('tr', {}, [t('head'), t('status'), t('stage'), t('members'), t('programs'), t('updated'), t('reasons')].map((c) => h('th', { scope: 'col' }, c)))),
        body,
      ),
    ),
    more,
  );
}
