import { api } from '../api.ts';
import { lang, objectionLabel, t } from '../i18n.ts';
import { errorMessage, notice, type ScreenContext } from '../nav.ts';
import { provinceRegions } from '../regions.ts';
import { field, formatDate, h } from '../view.ts';
import { programLabel } from './detail.ts';

const CATEGORIES = ['INCLUSION_ERROR', 'NOT_RESIDENT', 'DECEASED', 'DUPLICATE', 'WRONG_DATA', 'OTHER'] as const;
const VILLAGE = /^\d{2}\.\d{2}\.\d{2}\.\d{4}$/;

/** The uji publik board: no sign-in; pick a village (or type its code), read the list, file an objection. */
export async function publicScreen({ config, query }: ScreenContext): Promise<Node> {
  const regions = await provinceRegions(config.province);
  const select = (name: string) => h('select', { name });
  const province = h('select', { name: 'province', disabled: true }, h('option', { value: regions.province.code }, `${regions.province.name} (${regions.province.code})`));
  const regency = select('regency');
  const district = select('district');
  const village = select('village');
  const typed = h('input', { name: 'villageCode', inputmode: 'decimal', placeholder: '81.71.01.1006', pattern: '\\d{2}\\.\\d{2}\\.\\d{2}\\.\\d{4}' });
  const results = h('div', { 'aria-live': 'polite' });

  const fill = (target: HTMLSelectElement, items: [string, string][]) =>
    target.replaceChildren(h('option', { value: '' }, t('choose')), ...items.map(([code, name]) => h('option', { value: code }, `${name} (${code})`)));
  const under = (items: [string, string][], parent: string) => items.filter(([code]) => code.startsWith(`${parent}.`));
  fill(regency, regions.regencies);
  regency.addEventListener('change', () => {
    fill(district, under(regions.districts, regency.value));
    fill(village, []);
  });
  district.addEventListener('change', () => fill(village, under(regions.villages, district.value)));
  village.addEventListener('change', () => {
    typed.value = village.value;
  });

  const show = async (code: string) => {
    if (!VILLAGE.test(code)) {
      results.replaceChildren(notice('error', `${t('villageCode')}: 81.71.01.1006`));
      return;
    }
    results.replaceChildren(notice('info', t('loading')));
    try {
      const list = await api('GET', `/public/review/${encodeURIComponent(code)}`, { auth: false });
      const name = regions.villages.find(([c]) => c === code)?.[1] ?? code;
      results.replaceChildren(
        h(
          'section',
          { 'aria-labelledby': 'h-review' },
          h('h2', { id: 'h-review' }, `${t('reviewList')}: ${name}`),
          list.items.length === 0 ? h('p', {}, t('none')) : h('ul', { class: 'review' }, list.items.map((item: any) => reviewItem(item))),
        ),
      );
    } catch (error) {
      results.replaceChildren(notice('error', errorMessage(error)));
    }
  };
  const form = h(
    'form',
    {
      class: 'card',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const code = typed.value.trim() || village.value;
        history.replaceState(null, '', `#/public?village=${encodeURIComponent(code)}`);
        void show(code);
      },
    },
    h('div', { class: 'row' }, field(t('province'), province).wrap, field(t('regency'), regency).wrap),
    h('div', { class: 'row' }, field(t('district'), district).wrap, field(t('village'), village).wrap),
    field(t('villageCode'), typed).wrap,
    h('button', { type: 'submit', class: 'primary' }, t('show')),
  );
  const initial = query.get('village');
  if (initial) {
    typed.value = initial;
    void show(initial);
  }
  return h('div', {}, h('h1', { tabindex: '-1' }, t('publicTitle')), h('p', {}, t('publicIntro')), form, results);
}

function reviewItem(item: any): Node {
  const slot = h('div', {});
  const open = h(
    'button',
    {
      type: 'button',
      'aria-expanded': 'false',
      onclick: () => {
        const expanded = open.getAttribute('aria-expanded') === 'true';
        open.setAttribute('aria-expanded', String(!expanded));
        slot.replaceChildren(expanded ? '' : objectionForm(item.proposalId, slot));
        slot.querySelector<HTMLElement>('select')?.focus();
      },
    },
    t('fileObjection'),
  );
  return h(
    'li',
    { class: 'card' },
    h('h3', {}, item.householdHead),
    h('p', {}, h('code', {}, item.nikMasked), ` · RT ${item.rt} / RW ${item.rw} · ${item.programs.map(programLabel).join(', ')}`),
    h('p', { class: 'hint' }, `${t('reviewEnds')}: ${formatDate(item.reviewEndsAt, lang)}`),
    open,
    slot,
  );
}

function objectionForm(proposalId: string, slot: HTMLElement): Node {
  const category = h('select', { name: 'category', required: true }, CATEGORIES.map((c) => h('option', { value: c }, objectionLabel(c))));
  const statement = h('textarea', { name: 'statement', rows: '4', minlength: '10', maxlength: '2000', required: true });
  const name = h('input', { name: 'reporterName', autocomplete: 'name', required: true, maxlength: '100' });
  const contact = h('input', { name: 'reporterContact', autocomplete: 'tel', required: true, minlength: '5', maxlength: '100' });
  const status = h('div', { 'aria-live': 'polite' });
  const send = h('button', { type: 'submit', class: 'primary' }, t('send'));
  const fields = {
    category: field(t('category'), category),
    statement: field(t('statement'), statement, lang === 'en' ? 'At least 10 characters.' : 'Minimal 10 karakter.'),
    reporterName: field(t('reporterName'), name),
    reporterContact: field(t('reporterContact'), contact),
  };
  return h(
    'form',
    {
      class: 'objection',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        send.disabled = true;
        Object.values(fields).forEach((f) => (f.error.textContent = ''));
        try {
          const filed = await api('POST', `/public/review/${encodeURIComponent(proposalId)}/objections`, {
            auth: false,
            body: { category: category.value, statement: statement.value, reporterName: name.value, reporterContact: contact.value },
          });
          slot.replaceChildren(notice('ok', t('objectionFiled'), h('code', {}, filed.objectionId)));
        } catch (error) {
          send.disabled = false;
          const details = (error as { details?: { path: string; message: string }[] }).details ?? [];
          for (const detail of details) {
            const target = fields[detail.path as keyof typeof fields];
            if (target) target.error.textContent = detail.message;
          }
          status.replaceChildren(notice('error', errorMessage(error)));
        }
      },
    },
    Object.values(fields).map((f) => f.wrap),
    send,
    status,
  );
}
