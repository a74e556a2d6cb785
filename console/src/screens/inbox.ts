import { api } from '../api.ts';
import { lang, t } from '../i18n.ts';
import { notice, type ScreenContext } from '../nav.ts';
import { formatDate, h } from '../view.ts';

/** The approver's pending tasks, oldest due first (as the API sorts them), overdue ones badged. */
export async function inboxScreen({ query }: ScreenContext): Promise<Node> {
  const items: any[] = [];
  let cursor: string | undefined;
  do {
    const page = await api('GET', `/tasks?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor && items.length < 500);
  items.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  return h(
    'div',
    {},
    h('h1', { tabindex: '-1' }, t('inboxTitle')),
    query.get('decided') ? notice('ok', t('decided')) : null,
    items.length === 0
      ? h('p', {}, t('none'))
      : h(
          'ol',
          { class: 'tasks' },
          items.map((task) =>
            h(
              'li',
              { class: task.overdue ? 'task overdue' : 'task' },
              h('a', { href: `#/proposals/${task.proposalId}` }, `${t(task.kind === 'approval' ? 'kindApproval' : 'kindAdjudication')} · ${task.villageCode}`),
              ' ',
              task.overdue ? h('span', { class: 'badge overdue' }, t('overdue')) : null,
              h('p', { class: 'hint' }, `${t('due')}: ${formatDate(task.dueAt, lang)} · ${task.tier}${task.escalations ? ` · ${t('escalations')}: ${task.escalations}` : ''}`),
            ),
          ),
        ),
  );
}
