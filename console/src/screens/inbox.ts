import { api } from '../api.ts';
import { lang, t } from '../i18n.ts';
import { errorMessage, navigate, notice, type ScreenContext } from '../nav.ts';
import { formatDate, h } from '../view.ts';

const KIND_LABELS = {
  approval: 'kindApproval',
  adjudication: 'kindAdjudication',
  duplicate: 'kindDuplicate',
  appeal: 'kindAppeal',
} as const;

/** Outcomes of a batch that mean the task was not decided now. */
const NOT_APPLIED = new Set(['ALREADY_DECIDED', 'NOT_FOUND', 'FORBIDDEN', 'INVALID', 'FAILED']);

/**
 * The approver's pending tasks, oldest due first (as the API sorts them), overdue ones badged, frozen ones with
 * the freeze's reason. Approval tasks can be ticked and approved together (one batch call, one outcome per task).
 */
export async function inboxScreen({ query }: ScreenContext): Promise<Node> {
  const items: any[] = [];
  let cursor: string | undefined;
  do {
    const page = await api('GET', `/tasks?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor && items.length < 500);
  items.sort((a, b) => a.dueAt.localeCompare(b.dueAt));

  const selected = new Set<string>();
  const status = h('div', { 'aria-live': 'polite' });
  const approveSelected = h('button', { type: 'button', class: 'primary', disabled: true }, t('approveSelected'));
  approveSelected.addEventListener('click', async () => {
    approveSelected.disabled = true;
    try {
      const { items: outcomes } = await api('POST', '/tasks/decisions', {
        body: { decisions: [...selected].map((taskId) => ({ taskId, decision: 'approve' })) },
      });
      const failed = outcomes.filter((item: { outcome: string }) => NOT_APPLIED.has(item.outcome));
      const text = `${t('batchApplied')}: ${outcomes.length - failed.length}/${outcomes.length}`;
      const problems = h('ul', {}, failed.map((item: any) => h('li', {}, `${item.taskId}: ${item.error?.message ?? item.outcome}`)));
      status.replaceChildren(notice(failed.length ? 'error' : 'ok', text), problems);
      if (failed.length === 0) setTimeout(() => navigate(`#/inbox?decided=batch&t=${Date.now()}`), 600);
    } catch (failure) {
      status.replaceChildren(notice('error', errorMessage(failure)));
      approveSelected.disabled = selected.size === 0;
    }
  });

  const row = (task: any) => {
    const pick =
      task.kind === 'approval' && !task.held
        ? h('input', {
            type: 'checkbox',
            'aria-label': `${t('select')} ${task.proposalId}`,
            onchange: (event: Event) => {
              if ((event.target as HTMLInputElement).checked) selected.add(task.taskId);
              else selected.delete(task.taskId);
              approveSelected.disabled = selected.size === 0;
            },
          })
        : null;
    return h(
      'li',
      { class: task.overdue ? 'task overdue' : 'task' },
      pick,
      ' ',
      h('a', { href: `#/proposals/${task.proposalId}` }, `${t(KIND_LABELS[task.kind as keyof typeof KIND_LABELS] ?? 'kindApproval')} · ${task.villageCode}`),
      ' ',
      task.overdue ? h('span', { class: 'badge overdue' }, t('overdue')) : null,
      task.held ? h('span', { class: 'badge' }, t('decisionHeld')) : null,
      h('p', { class: 'hint' }, `${t('due')}: ${formatDate(task.dueAt, lang)} · ${task.tier}${task.escalations ? ` · ${t('escalations')}: ${task.escalations}` : ''}`),
      task.frozen ? h('p', { class: 'hint' }, `${t('frozenUntil')} ${formatDate(task.frozen.endsAt, lang)}: ${task.frozen.reason}`) : null,
    );
  };

  return h(
    'div',
    {},
    h('h1', { tabindex: '-1' }, t('inboxTitle')),
    query.get('decided') ? notice('ok', t('decided')) : null,
    items.length === 0
      ? h('p', {}, t('none'))
      : [h('ol', { class: 'tasks' }, items.map(row)), items.some((task) => task.kind === 'approval') ? h('div', { class: 'actions' }, approveSelected) : null, status],
  );
}
