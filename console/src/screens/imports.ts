import { api, uploadToSlot } from '../api.ts';
import { t } from '../i18n.ts';
import { errorMessage, notice, type ScreenContext } from '../nav.ts';
import { download, field, h } from '../view.ts';

/** Template, upload with a progress bar, then the row-by-row report, polled until the import is done. */
export function importScreen({ onLeave }: ScreenContext): Node {
  const file = h('input', { type: 'file', name: 'import', accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  const progress = h('progress', { max: '100', value: '0', 'aria-label': t('uploadProgress') });
  const status = h('div', { 'aria-live': 'polite' });
  const report = h('div', { 'aria-live': 'polite' });
  let timer: ReturnType<typeof setTimeout> | undefined;
  onLeave(() => clearTimeout(timer));

  const poll = async (importId: string) => {
    try {
      const view = await api('GET', `/imports/${importId}`);
      renderReport(report, view);
      if (view.status !== 'DONE' && view.status !== 'FAILED') timer = setTimeout(() => void poll(importId), 1500);
    } catch (error) {
      report.replaceChildren(notice('error', errorMessage(error)));
    }
  };
  const start = h(
    'button',
    {
      type: 'submit',
      class: 'primary',
    },
    t('startImport'),
  );
  const { wrap } = field(t('importFile'), file);
  const form = h(
    'form',
    {
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const chosen = file.files?.[0];
        if (!chosen) return;
        start.disabled = true;
        clearTimeout(timer);
        report.replaceChildren();
        try {
          const format = /\.xlsx$/i.test(chosen.name) ? 'xlsx' : 'csv';
          const created = await api('POST', '/imports', { body: { format } });
          await uploadToSlot(created.upload, chosen, (fraction) => (progress.value = Math.round(fraction * 100)));
          status.replaceChildren(notice('ok', `${t('uploaded')}: ${chosen.name}`));
          await poll(created.importId);
        } catch (error) {
          status.replaceChildren(notice('error', errorMessage(error)));
        } finally {
          start.disabled = false;
        }
      },
    },
    wrap,
    progress,
    start,
  );
  return h(
    'div',
    {},
    h('h1', { tabindex: '-1' }, t('importTitle')),
    h('p', {}, t('importIntro')),
    h(
      'p',
      {},
      h(
        'button',
        {
          type: 'button',
          onclick: async () => {
            try {
              download('template.csv', await api('GET', '/imports/template.csv', { raw: true }), 'text/csv');
            } catch (error) {
              status.replaceChildren(notice('error', errorMessage(error)));
            }
          },
        },
        t('template'),
      ),
    ),
    form,
    status,
    report,
  );
}

function renderReport(target: HTMLElement, view: any): void {
  const total = view.totalRows ?? 0;
  target.replaceChildren(
    h(
      'section',
      { 'aria-labelledby': 'h-import', class: 'card' },
      h('h2', { id: 'h-import' }, `${t('importStatus')}: `, h('span', { class: 'import-status' }, view.status)),
      h('p', {}, `${t('processed')}: ${view.processedRows}${total ? ` / ${total}` : ''} · ${t('accepted')}: ${view.acceptedRows} · ${t('rejected')}: ${view.rejectedRows}`),
      total ? h('progress', { max: String(total), value: String(view.processedRows), 'aria-label': t('processed') }) : null,
      view.error ? notice('error', view.error.message) : null,
      view.accepted.length
        ? h('ul', { class: 'accepted' }, view.accepted.map((a: any) => h('li', {}, `${t('row')} ${a.rows.join(', ')} · ${a.householdRef} → `, h('a', { href: `#/proposals/${a.proposalId}` }, a.proposalId))))
        : null,
      view.rejected.length
        ? h(
            'table',
            {},
            h('caption', {}, t('rejected')),
            h('thead', {}, h('tr', {}, [t('row'), t('column'), t('reasons')].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', {}, view.rejected.flatMap((r: any) => r.issues.map((i: any) => h('tr', {}, h('td', {}, String(i.row)), h('td', {}, i.column), h('td', {}, i.message))))),
          )
        : null,
    ),
  );
}
