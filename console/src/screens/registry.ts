import { REGISTRY_OBJECTION_LABELS } from '../../../domain/messages.ts';
import { OBJECTION_GROUPS, REGISTRY_OBJECTION_CATEGORIES, normalizeReceipt, type RegistryObjectionCategory } from '../../../domain/registry-objections.ts';
import { api } from '../api.ts';
import { lang, t } from '../i18n.ts';
import { errorMessage, notice } from '../nav.ts';
import { field, formatDate, h } from '../view.ts';
import { householdCard, householdList } from './household-objections.ts';

/*
 * The public board's registry tab: households on the register, each with a "Sanggah" form (the objection opens a
 * removal or correction case at the village), and the receipt lookup a reporter follows it with.
 */

const labelOf = (code: keyof typeof REGISTRY_OBJECTION_LABELS) => REGISTRY_OBJECTION_LABELS[code][lang];
const CODES = Object.keys(REGISTRY_OBJECTION_CATEGORIES) as RegistryObjectionCategory[];

export async function registrySection(villageCode: string): Promise<Node> {
  const list = await api('GET', `/public/registry/${encodeURIComponent(villageCode)}`, { auth: false });
  return householdList('h-registry', t('registryList'), list.items, registryItem);
}

function registryItem(item: any): Node {
  const hint = [`${t('registeredSince')}: ${formatDate(item.registeredAt, lang)}`, item.caseOpen ? ` · ${t('caseOpen')}` : ''];
  return householdCard(item, t('objectRegistered'), hint, () => ({
    category: h(
      'select',
      { name: 'category', required: true },
      OBJECTION_GROUPS.map((group) =>
        h(
          'optgroup',
          { label: labelOf(group) },
          CODES.filter((code) => REGISTRY_OBJECTION_CATEGORIES[code].group === group).map((code) => h('option', { value: code }, labelOf(code))),
        ),
      ),
    ),
    path: `/public/registry/${encodeURIComponent(item.proposalId)}/objections`,
    filed: (filed) => notice('ok', t('receiptIssued'), h('code', { class: 'receipt' }, filed.receipt)),
  }));
}

/** "Cek status sanggahan": typed as people type it (any case, O for 0), shown with its dates. */
export function receiptLookup(): Node {
  const input = h('input', { name: 'receipt', placeholder: 'SGH-7K2M9QXR', autocomplete: 'off', required: true, maxlength: '20' });
  const result = h('div', { 'aria-live': 'polite' });
  const receiptField = field(t('receipt'), input);
  return h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'h-receipt',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const receipt = normalizeReceipt(input.value);
        receiptField.error.textContent = receipt ? '' : `${t('receipt')}: SGH-7K2M9QXR`;
        if (!receipt) return;
        try {
          const found = await api('GET', `/public/objections/${encodeURIComponent(receipt)}`, { auth: false });
          const dates = (['receivedAt', 'inProcessAt', 'decidedAt'] as const).filter((key) => found[key]);
          result.replaceChildren(
            h('p', {}, h('code', {}, found.receipt), ` · ${labelOf(found.category)}`),
            h('p', { class: `status status-${found.status.toLowerCase()}` }, h('strong', {}, labelOf(found.status))),
            h('ul', {}, dates.map((key) => h('li', {}, `${t(key)}: ${formatDate(found[key], lang)}`))),
          );
        } catch (error) {
          result.replaceChildren(notice('error', errorMessage(error)));
        }
      },
    },
    h('h2', { id: 'h-receipt' }, t('checkStatus')),
    receiptField.wrap,
    h('button', { type: 'submit' }, t('checkStatus')),
    result,
  );
}
