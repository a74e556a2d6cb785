import { STAGES, STATUSES } from '../../../domain/lifecycle.ts';
import { api } from '../api.ts';
import { lang, stageLabel, statusLabel, t } from '../i18n.ts';
import { errorMessage, notice, type ScreenContext } from '../nav.ts';
import { download, formatDate, h, svg } from '../view.ts';

/** Counts per status and stage per regency, overdue tasks, median days per stage as bars, and the CSV export. */
export async function adminScreen({ session }: ScreenContext): Promise<Node> {
  const summary = await api('GET', `/reports/summary?region=${encodeURIComponent(session!.claims.region)}`);
  const status = h('div', { 'aria-live': 'polite' });
  const exportButton = h('button', { type: 'button', class: 'primary' }, t('exportCsv'));
  exportButton.addEventListener('click', async () => {
    exportButton.disabled = true;
    try {
      const rows = await registered(session!.claims.region);
      download(`penerima-terdaftar-${session!.claims.region}.csv`, toCsv(rows), 'text/csv;charset=utf-8');
      status.replaceChildren(notice('ok', `${rows.length} ${t('exported')}`));
    } catch (error) {
      status.replaceChildren(notice('error', errorMessage(error)));
    } finally {
      exportButton.disabled = false;
    }
  });

  const medians = STAGES.filter((stage) => summary.medianDaysPerStage[stage] !== undefined).map((stage) => [stageLabel(stage), summary.medianDaysPerStage[stage] as number] as [string, number]);
  const statusTotals = STATUSES.map((s) => [statusLabel(s), summary.totals.byStatus[s] ?? 0] as [string, number]).filter(([, n]) => n > 0);
  const table = (key: 'byStatus' | 'byStage', codes: readonly string[], label: (code: string) => string) => {
    const used = codes.filter((code) => (summary.totals[key][code] ?? 0) > 0);
    return h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        {},
        h('caption', {}, `${t(key)} · ${t('perRegency')}`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('regency')), used.map((code) => h('th', { scope: 'col' }, label(code))))),
        h(
          'tbody',
          {},
          summary.regencies.map((r: any) => h('tr', {}, h('th', { scope: 'row' }, `${r.name} (${r.code})`), used.map((code) => h('td', { class: 'num' }, String(r[key][code] ?? 0))))),
          h('tr', { class: 'total' }, h('th', { scope: 'row' }, t('total')), used.map((code) => h('td', { class: 'num' }, String(summary.totals[key][code] ?? 0)))),
        ),
      ),
    );
  };
  return h(
    'div',
    {},
    h('h1', { tabindex: '-1' }, t('dashboardTitle')),
    h('p', { class: 'hint' }, `${summary.region} · ${t('generatedAt')} ${formatDate(summary.generatedAt, lang)}`),
    h('div', { class: 'tiles' }, h('div', { class: 'tile' }, h('span', { class: 'big' }, String(summary.overdueTasks)), h('span', {}, t('overdueTasks')))),
    h('section', { 'aria-labelledby': 'h-status' }, h('h2', { id: 'h-status' }, t('byStatus')), barChart(statusTotals, '')),
    table('byStatus', STATUSES, statusLabel),
    table('byStage', STAGES, stageLabel),
    h('section', { 'aria-labelledby': 'h-median' }, h('h2', { id: 'h-median' }, t('medianDays')), medians.length ? barChart(medians, ` ${t('days')}`) : h('p', {}, t('none'))),
    h('section', { 'aria-labelledby': 'h-export' }, h('h2', { id: 'h-export' }, t('exportCsv')), exportButton, status),
  );
}

/** A horizontal bar chart in inline SVG, with the numbers written out (and a text alternative) for screen readers. */
function barChart(data: [string, number][], unit: string): Node {
  const max = Math.max(1, ...data.map(([, value]) => value));
  const rowHeight = 26;
  const labelWidth = 190;
  const width = 560;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${data.length * rowHeight + 4}`, role: 'img', 'aria-label': data.map(([l, v]) => `${l}: ${v}${unit}`).join('; '), class: 'chart' });
  data.forEach(([label, value], i) => {
    const y = i * rowHeight + 2;
    const barWidth = ((width - labelWidth - 80) * value) / max;
    chart.append(
      svg('text', { x: labelWidth - 8, y: y + 17, 'text-anchor': 'end', class: 'chart-label' }, label),
      svg('rect', { x: labelWidth, y: y + 3, width: Math.max(barWidth, 1), height: rowHeight - 8, class: 'bar', rx: 2 }),
      svg('text', { x: labelWidth + barWidth + 6, y: y + 17, class: 'chart-value' }, `${value}${unit}`),
    );
  });
  return h('figure', { class: 'chart-wrap' }, chart);
}

async function registered(region: string): Promise<any[]> {
  const rows: any[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ status: 'REGISTERED', limit: '100', region, ...(cursor && { cursor }) });
    const page = await api('GET', `/proposals?${query}`);
    rows.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return rows;
}

/** RFC 4180, with a BOM so Excel opens names with accents correctly. */
function toCsv(rows: any[]): string {
  const quote = (value: unknown) => {
    const text = String(value ?? '');
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const header = ['proposalId', 'version', 'villageCode', 'householdHead', 'memberCount', 'programs', 'updatedAt'];
  const lines = rows.map((r) => [r.proposalId, r.version, r.villageCode, r.householdHead, r.memberCount, r.programs.join(';'), r.updatedAt].map(quote).join(','));
  return `\uFEFF${[header.join(','), ...lines].join('\r\n')}\r\n`;
}
