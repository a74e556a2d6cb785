import { api } from '../api.ts';
import { lang, t } from '../i18n.ts';
import { errorMessage, notice } from '../nav.ts';
import { field, h } from '../view.ts';
import { programLabel } from './detail.ts';

/*
 * What the public board's two lists share (the households under review and the register): a titled list of
 * household cards, each opening an objection form in place. The lists differ only in the categories offered,
 * where the objection is sent and what the reporter is handed back.
 */

/** A titled section listing `items` as household cards, or "none". */
export function householdList(id: string, title: string, items: any[], card: (item: any) => Node): Node {
  return h(
    'section',
    { 'aria-labelledby': id },
    h('h2', { id }, title),
    items.length === 0 ? h('p', {}, t('none')) : h('ul', { class: 'review' }, items.map(card)),
  );
}

export interface ObjectionTarget {
  /** The category picker, required and named `category`. */
  category: HTMLSelectElement;
  /** Where the objection is POSTed. */
  path: string;
  /** What replaces the form once the objection is filed. */
  filed: (response: any) => Node;
}

/** A household's card: who, where, which programmes, a line of `hint`, and a button that opens its objection form. */
export function householdCard(item: any, action: string, hint: (string | Node)[], target: () => ObjectionTarget): Node {
  const slot = h('div', {});
  const open = h(
    'button',
    {
      type: 'button',
      'aria-expanded': 'false',
      onclick: () => {
        const expanded = open.getAttribute('aria-expanded') === 'true';
        open.setAttribute('aria-expanded', String(!expanded));
        slot.replaceChildren(expanded ? '' : objectionForm(target(), slot));
        slot.querySelector<HTMLElement>('select')?.focus();
      },
    },
    action,
  );
  return h(
    'li',
    { class: 'card' },
    h('h3', {}, item.householdHead),
    h('p', {}, h('code', {}, item.nikMasked), ` · RT ${item.rt} / RW ${item.rw} · ${item.programs.map(programLabel).join(', ')}`),
    h('p', { class: 'hint' }, ...hint),
    open,
    slot,
  );
}

function objectionForm({ category, path, filed }: ObjectionTarget, slot: HTMLElement): Node {
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
          const response = await api('POST', path, {
            auth: false,
            body: { category: category.value, statement: statement.value, reporterName: name.value, reporterContact: contact.value },
          });
          slot.replaceChildren(filed(response));
        } catch (error) {
          send.disabled = false;
          for (const detail of (error as { details?: { path: string; message: string }[] }).details ?? []) {
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
