import { fieldLabel } from '../../../domain/messages.ts';
import { api, ApiError, uploadToSlot, type UploadSlot } from '../api.ts';
import { lang, t } from '../i18n.ts';
import { errorMessage, navigate, notice, type ScreenContext } from '../nav.ts';
import { takeSlots } from '../slots.ts';
import { field, h } from '../view.ts';

/** Document names come from the domain's catalogue, so a new document kind is named once. */
export const kindLabel = (kind: string) => fieldLabel(kind)[lang];

/**
 * One row per required document: pick a file (the camera on a phone), see a thumbnail, watch the progress bar
 * while it goes straight to S3 through the presigned POST, then submit once everything is up.
 */
export async function uploadScreen({ params }: ScreenContext): Promise<Node> {
  const id = params.id!;
  const slots: UploadSlot[] = takeSlots(id) ?? (await api('POST', `/proposals/${encodeURIComponent(id)}/uploads`, { body: {} })).uploads;
  const done = new Set<string>();
  const status = h('div', { 'aria-live': 'polite' });

  const rows = slots.map((initial) => {
    let slot = initial;
    const fileInput = h('input', {
      type: 'file',
      name: slot.kind,
      accept: slot.contentTypes.join(','),
      ...(slot.contentTypes.every((type) => type.startsWith('image/')) && { capture: 'environment' }),
    });
    const progress = h('progress', { max: '100', value: '0', 'aria-label': `${kindLabel(slot.kind)} %` });
    const state = h('span', { class: 'state' });
    const preview = h('div', { class: 'thumb' });
    const { wrap, error } = field(kindLabel(slot.kind), fileInput, `${slot.contentTypes.join(', ')} · max ${Math.round(slot.maxBytes / 1048576)} MB`);
    fileInput.addEventListener('change', async () => {
      const file = fileInput.files?.[0];
      error.textContent = '';
      state.textContent = '';
      progress.value = 0;
      done.delete(slot.kind);
      preview.replaceChildren();
      if (!file) return;
      if (file.type.startsWith('image/')) {
        const url = URL.createObjectURL(file);
        preview.appendChild(h('img', { src: url, alt: `${kindLabel(slot.kind)}: ${file.name}`, onload: () => URL.revokeObjectURL(url) }));
      } else preview.appendChild(h('span', { class: 'file' }, file.name));
      if (file.size > slot.maxBytes) {
        error.textContent = t('tooLarge');
        return;
      }
      try {
        // Each slot takes one content type: ask for one matching this file when it differs.
        if (file.type !== slot.fields['Content-Type']) {
          if (!slot.contentTypes.includes(file.type)) {
            error.textContent = `${t('typeNotAccepted')} (${slot.contentTypes.join(', ')})`;
            return;
          }
          const fresh = await api('POST', `/proposals/${encodeURIComponent(id)}/uploads`, { body: { documents: [{ kind: slot.kind, contentType: file.type }] } });
          slot = fresh.uploads[0];
        }
        await uploadToSlot(slot, file, (fraction) => (progress.value = Math.round(fraction * 100)));
        done.add(slot.kind);
        state.textContent = `✓ ${t('uploaded')}`;
      } catch (failure) {
        error.textContent = `${t('uploadFailed')}: ${failure instanceof ApiError ? failure.code : errorMessage(failure)}`;
      }
    });
    return h('li', { class: 'upload' }, wrap, h('div', { class: 'progress' }, progress, state), preview);
  });

  const submit = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      onclick: async () => {
        const missing = slots.filter((slot) => !done.has(slot.kind));
        if (missing.length) {
          status.replaceChildren(notice('error', `${t('missingUploads')} (${missing.map((slot) => kindLabel(slot.kind)).join(', ')})`));
          return;
        }
        submit.disabled = true;
        try {
          await api('POST', `/proposals/${encodeURIComponent(id)}/submit`);
          navigate(`#/proposals/${id}?submitted=1`);
        } catch (error) {
          submit.disabled = false;
          status.replaceChildren(notice('error', errorMessage(error)));
        }
      },
    },
    t('submit'),
  );
  return h(
    'div',
    {},
    h('h1', { tabindex: '-1' }, t('uploadTitle')),
    h('p', {}, t('uploadHint')),
    h('p', {}, h('a', { href: `#/proposals/${id}` }, `${t('detailTitle')} ${id}`)),
    h('ul', { class: 'uploads' }, rows),
    status,
    submit,
  );
}
