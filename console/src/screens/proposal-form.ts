import { DISABILITIES, RELATIONSHIPS } from '../../../domain/proposal.ts';
import { CRITERIA, CRITERION_LABELS, PROGRAMS, PROGRAM_LABELS } from '../../../domain/programs.ts';
import { parentCodes } from '../../../domain/regions.ts';
import { validateProposal } from '../../../domain/validate-proposal.ts';
import { api, ApiError, idempotencyKey, type UploadSlot } from '../api.ts';
import { disabilityLabel, lang, pick, relationshipLabel, t } from '../i18n.ts';
import { errorMessage, navigate, notice, type ScreenContext } from '../nav.ts';
import { regionDirectory, villageName } from '../regions.ts';
import { rememberSlots } from '../slots.ts';
import { field, h, setError, uid } from '../view.ts';

type Control = HTMLInputElement | HTMLSelectElement;
type Binding = { control: Control; error: HTMLElement; kind?: 'nik' };
type MemberRow = {
  element: HTMLElement;
  legend: HTMLElement;
  controls: Record<'nik' | 'fullName' | 'sex' | 'birthDate' | 'relationship' | 'disability' | 'occupation', Control>;
  errors: Record<string, HTMLElement>;
};

/**
 * The proposal form (new, or the revision of a returned one). Every keystroke runs validateProposal, the same
 * rules the server applies, so NIK and KK problems show while the operator types; messages appear once a field
 * has been touched, and all of them on an attempt to save.
 */
export async function proposalFormScreen({ params, session, config }: ScreenContext): Promise<Node> {
  const revising = params.id;
  const existing = revising ? await api('GET', `/proposals/${encodeURIComponent(revising)}`) : undefined;
  const villageCode = existing?.villageCode ?? session!.claims.region;
  const regions = await regionDirectory(config.province);
  const name = await villageName(config.province, villageCode);
  const touched = new Set<string>();
  const bindings = new Map<string, Binding>();
  const today = localToday();

  const input = (attrs: Record<string, string | boolean> = {}) => h('input', attrs);
  const bind = (path: string, label: string, control: Control, hint?: string, kind?: 'nik') => {
    const { wrap, error } = field(label, control, hint);
    bindings.set(path, { control, error, ...(kind && { kind }) });
    const touch = () => {
      touched.add(path);
      check();
    };
    control.addEventListener('input', touch);
    control.addEventListener('change', touch);
    return wrap;
  };

  // Household
  const kk = input({ inputmode: 'numeric', maxlength: '16', autocomplete: 'off', ...(existing && { placeholder: existing.household.kkMasked }) });
  const address = input({ autocomplete: 'street-address', value: existing?.household.address ?? '' });
  const rt = input({ inputmode: 'numeric', maxlength: '3', value: existing?.household.rt ?? '', class: 'short' });
  const rw = input({ inputmode: 'numeric', maxlength: '3', value: existing?.household.rw ?? '', class: 'short' });
  const latitude = input({ inputmode: 'decimal', value: existing ? String(existing.household.location.latitude) : '' });
  const longitude = input({ inputmode: 'decimal', value: existing ? String(existing.household.location.longitude) : '' });
  const locate = h(
    'button',
    {
      type: 'button',
      onclick: () =>
        navigator.geolocation?.getCurrentPosition((position) => {
          latitude.value = position.coords.latitude.toFixed(6);
          longitude.value = position.coords.longitude.toFixed(6);
          touched.add('household.location.latitude').add('household.location.longitude');
          check();
        }),
    },
    t('useLocation'),
  );

  // Members
  const memberList = h('div', { class: 'members' });
  const membersError = h('p', { class: 'error', id: uid('members-error'), 'aria-live': 'polite' });
  const rows: MemberRow[] = [];
  const addMember = (initial?: Record<string, string | undefined>) => {
    const options = (values: readonly string[], label: (value: string) => string, optional = false) => [
      optional ? h('option', { value: '' }, '—') : h('option', { value: '' }, t('choose')),
      values.map((value) => h('option', { value }, label(value))),
    ];
    const controls: MemberRow['controls'] = {
      nik: input({ inputmode: 'numeric', maxlength: '16', autocomplete: 'off', ...(initial?.nikMasked && { placeholder: initial.nikMasked }) }),
      fullName: input({ autocomplete: 'off', value: initial?.fullName ?? '' }),
      sex: h('select', {}, options(['L', 'P'], (value) => t(value === 'L' ? 'sexL' : 'sexP'))),
      birthDate: input({ type: 'date', max: today, value: initial?.birthDate ?? '' }),
      relationship: h('select', {}, options(RELATIONSHIPS, relationshipLabel)),
      disability: h('select', {}, options(DISABILITIES, disabilityLabel, true)),
      occupation: input({ value: initial?.occupation ?? '' }),
    };
    if (initial?.sex) controls.sex.value = initial.sex;
    if (initial?.relationship) controls.relationship.value = initial.relationship;
    controls.disability.value = initial?.disability ?? '';
    const legend = h('legend', {});
    const element = h('fieldset', { class: 'member' }, legend);
    const row: MemberRow = { element, legend, controls, errors: {} };
    rows.push(row);
    for (const key of Object.keys(controls) as (keyof MemberRow['controls'])[]) {
      const control = controls[key];
      const { wrap, error } = field(t(key), control, key === 'nik' ? (lang === 'en' ? '16 digits, as on the KTP' : '16 digit, sesuai KTP') : undefined);
      row.errors[key] = error;
      const touch = () => {
        touched.add(`members.${rows.indexOf(row)}.${key}`);
        check();
      };
      control.addEventListener('input', touch);
      control.addEventListener('change', touch);
      element.appendChild(wrap);
    }
    element.appendChild(
      h(
        'button',
        {
          type: 'button',
          class: 'link danger',
          onclick: () => {
            if (rows.length === 1) return;
            rows.splice(rows.indexOf(row), 1);
            element.remove();
            relabel();
            check();
          },
        },
        t('removeMember'),
      ),
    );
    memberList.appendChild(element);
    relabel();
  };
  const relabel = () => rows.forEach((row, i) => (row.legend.textContent = `${t('member')} ${i + 1}`));

  // Programs and criteria: checkbox groups.
  const checks = <T extends string>(name: string, values: readonly T[], label: (value: T) => string, chosen: readonly string[]) => {
    const boxes = values.map((value) => {
      const id = uid(name);
      const box = h('input', { type: 'checkbox', id, name, value, ...(chosen.includes(value) && { checked: true }) });
      box.addEventListener('change', () => {
        touched.add(name);
        check();
      });
      return { box, wrap: h('div', { class: 'check' }, box, h('label', { for: id }, label(value))) };
    });
    const error = h('p', { class: 'error', id: uid(`${name}-error`), 'aria-live': 'polite' });
    return { boxes: boxes.map((b) => b.box), wraps: boxes.map((b) => b.wrap), error };
  };
  const programs = checks('programs', PROGRAMS, (p) => pick(PROGRAM_LABELS[p]), existing?.programs ?? []);
  const criteria = checks('criteria', CRITERIA, (c) => pick(CRITERION_LABELS[c]), existing?.criteria ?? []);

  const numberOrUndefined = (value: string) => (value.trim() === '' || Number.isNaN(Number(value)) ? value.trim() || undefined : Number(value));
  const optional = (value: string) => (value.trim() === '' ? undefined : value.trim());
  const collect = () => {
    const parents = parentCodes(villageCode);
    return {
      provinceCode: parents.province,
      regencyCode: parents.regency,
      districtCode: parents.district,
      villageCode,
      household: {
        kk: kk.value.trim(),
        address: address.value,
        rt: rt.value.trim(),
        rw: rw.value.trim(),
        location: { latitude: numberOrUndefined(latitude.value), longitude: numberOrUndefined(longitude.value) },
      },
      members: rows.map(({ controls }) => ({
        nik: controls.nik.value.trim(),
        fullName: controls.fullName.value,
        sex: optional(controls.sex.value),
        birthDate: optional(controls.birthDate.value),
        relationship: optional(controls.relationship.value),
        ...(controls.disability.value && { disability: controls.disability.value }),
        ...(controls.occupation.value.trim() && { occupation: controls.occupation.value.trim() }),
      })),
      programs: programs.boxes.filter((box) => box.checked).map((box) => box.value),
      criteria: criteria.boxes.filter((box) => box.checked).map((box) => box.value),
    };
  };

  const summary = h('div', { 'aria-live': 'polite' });
  /** Shows each issue beside its field; returns those with no field of their own. */
  const show = (issues: { path: string; message: string }[], all: boolean) => {
    const byPath = new Map<string, string>();
    for (const item of issues) if (!byPath.has(item.path)) byPath.set(item.path, item.message);
    const homeless: string[] = [];
    const visible = (path: string) => all || touched.has(path);
    for (const [path, binding] of bindings) {
      const message = visible(path) ? byPath.get(path) : undefined;
      setError(binding.control, binding.error, message);
    }
    rows.forEach((row, i) => {
      for (const key of Object.keys(row.controls) as (keyof MemberRow['controls'])[]) {
        const path = `members.${i}.${key}`;
        const message = visible(path) ? byPath.get(path) : undefined;
        setError(row.controls[key], row.errors[key]!, message);
        if (key === 'nik') {
          const ok = !message && /^\d{16}$/.test(row.controls.nik.value) && !byPath.has(path);
          row.errors[key]!.classList.toggle('ok', ok);
          if (ok) row.errors[key]!.textContent = t('nikOk');
        }
      }
    });
    const group = (name: 'programs' | 'criteria', target: ReturnType<typeof checks>) => {
      const message = [...byPath].find(([path]) => path === name || path.startsWith(`${name}.`))?.[1];
      target.error.textContent = visible(name) && message ? message : '';
    };
    group('programs', programs);
    group('criteria', criteria);
    membersError.textContent = (all || rows.every((_, i) => touched.has(`members.${i}.relationship`))) ? byPath.get('members') ?? '' : '';
    for (const [path, message] of byPath) {
      const known = bindings.has(path) || /^members\.\d+\.\w+$/.test(path) || path === 'members' || /^(programs|criteria)(\.|$)/.test(path);
      if (!known) homeless.push(message);
    }
    return homeless;
  };
  const check = (all = false) => {
    const result = validateProposal(collect(), { regions, provinceCode: config.province, today });
    const issues = result.ok ? [] : result.issues.map((item) => ({ path: item.path, message: pick(item.message) }));
    const homeless = show(issues, all);
    return { ok: result.ok, homeless };
  };

  const save = h('button', { type: 'submit', class: 'primary' }, t(revising ? 'saveRevision' : 'saveDraft'));
  const key = idempotencyKey();
  const form = h(
    'form',
    {
      novalidate: true,
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const { ok, homeless } = check(true);
        if (!ok) {
          summary.replaceChildren(notice('error', t('fixErrors')), homeless.length ? h('ul', {}, homeless.map((m) => h('li', {}, m))) : '');
          form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
          return;
        }
        save.disabled = true;
        summary.replaceChildren(notice('info', t('loading')));
        try {
          const body = collect();
          const created: { proposalId: string; uploads: UploadSlot[] } = revising
            ? await api('PUT', `/proposals/${encodeURIComponent(revising)}`, { body: { ...body, version: existing.version } })
            : await api('POST', '/proposals', { body, headers: { 'idempotency-key': key } });
          rememberSlots(created.proposalId, created.uploads);
          navigate(`#/proposals/${created.proposalId}/upload`);
        } catch (error) {
          save.disabled = false;
          const details = error instanceof ApiError ? error.details : [];
          const homeless = show(details.map((d) => ({ path: d.path, message: d.message })), true);
          summary.replaceChildren(notice('error', errorMessage(error)), homeless.length ? h('ul', {}, homeless.map((m) => h('li', {}, m))) : '');
        }
      },
    },
    h(
      'fieldset',
      {},
      h('legend', {}, t('household')),
      h('p', {}, `${t('village')}: `, h('strong', {}, name ?? villageCode), ` (${villageCode})`),
      bind('household.kk', t('kk'), kk, lang === 'en' ? '16 digits, as on the family card' : '16 digit, sesuai kartu keluarga'),
      bind('household.address', t('address'), address),
      h('div', { class: 'row' }, bind('household.rt', t('rt'), rt), bind('household.rw', t('rw'), rw)),
      h('div', { class: 'row' }, bind('household.location.latitude', t('latitude'), latitude), bind('household.location.longitude', t('longitude'), longitude)),
      locate,
    ),
    h('section', { 'aria-labelledby': 'members-heading' }, h('h2', { id: 'members-heading' }, t('members')), membersError, memberList, h('button', { type: 'button', onclick: () => (addMember(), check()) }, t('addMember'))),
    h('fieldset', {}, h('legend', {}, t('programs')), programs.wraps, programs.error),
    h('fieldset', {}, h('legend', {}, t('criteria')), criteria.wraps, criteria.error),
    summary,
    save,
  );
  if (existing) for (const member of existing.members) addMember(member);
  else addMember();
  check();
  return h(
    'div',
    {},
    h('h1', { tabindex: '-1' }, t(revising ? 'reviseTitle' : 'formTitle')),
    revising ? notice('info', t('reviseHint')) : null,
    existing?.reasons?.length ? h('ul', { class: 'reasons' }, existing.reasons.map((reason: { message: string }) => h('li', {}, reason.message))) : null,
    form,
  );
}

/** Today in the browser's time zone, as YYYY-MM-DD (birth dates after it are refused). */
function localToday(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}
