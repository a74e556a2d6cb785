import { api } from '../api.ts';
import { lang, objectionLabel, t } from '../i18n.ts';
import { errorMessage, notice, type ScreenContext } from '../nav.ts';
import { provinceRegions } from '../regions.ts';
import { field, formatDate, h } from '../view.ts';
import { householdCard, householdList } from './household-objections.ts';
import { receiptLookup, registrySection } from './registry.ts';

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
        householdList('h-review', `${t('reviewList')}: ${name}`, list.items, reviewItem),
        // The same village's register, to object to a household already receiving assistance.
        await registrySection(code),
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
  return h('div', {}, h('h1', { tabindex: '-1' }, t('publicTitle')), h('p', {}, t('publicIntro')), form, results, receiptLookup());
}

function reviewItem(item: any): Node {
  return householdCard(item, t('fileObjection'), [`${t('reviewEnds')}: ${formatDate(item.reviewEndsAt, lang)}`], () => ({
    category: h('select', { name: 'category', required: true }, CATEGORIES.map((c) => h('option', { value: c }, objectionLabel(c)))),
    path: `/public/review/${encodeURIComponent(item.proposalId)}/objections`,
    filed: (filed) => notice('ok', t('objectionFiled'), h('code', {}, filed.objectionId)),
  }));
}
