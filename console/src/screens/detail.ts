import { DECISIONS_BY_TASK, reasonRequired, MIN_REASON_LENGTH, type Decision, type TaskKind } from '../../../domain/decisions.ts';
import { PROGRAM_LABELS, type Program } from '../../../domain/programs.ts';
import { api, ApiError } from '../api.ts';
import { disabilityLabel, flagLabel, lang, objectionLabel, pick, relationshipLabel, stageLabel, statusLabel, t, type TextKey } from '../i18n.ts';
import { errorMessage, navigate, notice, type ScreenContext } from '../nav.ts';
import { field, formatDate, h } from '../view.ts';
import { kindLabel } from './upload.ts';

type Doc = { kind: string; key: string; size: number; url: string };
type Flag = { code: string; path?: string; detail?: Record<string, string | number | boolean>; pointer?: { proposalId?: string; registered?: boolean } };

export const statusBadge = (status: string) => h('span', { class: `badge s-${status.toLowerCase()}` }, statusLabel(status));
export const programLabel = (code: string) => (code in PROGRAM_LABELS ? pick(PROGRAM_LABELS[code as Program]) : code);

/** A proposal for whoever may see it; approvers with the pending task decide here, operators revise or upload. */
export async function detailScreen({ params, session, query }: ScreenContext): Promise<Node> {
  const id = params.id!;
  const p = await api('GET', `/proposals/${encodeURIComponent(id)}`);
  const role = session!.claims.role;
  const task = p.pendingTask as null | { taskId: string; tier: string; kind: 'approval' | 'adjudication'; dueAt: string; overdue: boolean };
  const mayDecide = role === 'approver' && task && task.tier === session!.claims.tier;

  const dl = (pairs: [string, Node | string][]) => h('dl', { class: 'pairs' }, pairs.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
  const section = (key: TextKey, ...children: (Node | null)[]) => h('section', { 'aria-labelledby': `h-${key}` }, h('h2', { id: `h-${key}` }, t(key)), ...children);

  return h(
    'div',
    {},
    h('h1', { tabindex: '-1' }, `${t('detailTitle')}: ${p.members.find((m: any) => m.relationship === 'KEPALA_KELUARGA')?.fullName ?? id}`),
    query.get('submitted') ? notice('ok', t('submitted')) : null,
    dl([
      ['ID', h('code', {}, p.proposalId)],
      [t('version'), String(p.version)],
      [t('status'), statusBadge(p.status)],
      [t('stage'), stageLabel(p.stage)],
      [t('village'), p.villageCode],
      [t('programs'), p.programs.map(programLabel).join(', ')],
      ...(p.review ? ([[t('reviewEnds'), formatDate(p.review.endsAt, lang)]] as [string, string][]) : []),
      ...(task ? ([[t('pendingTask'), `${task.tier} · ${t(task.kind === 'approval' ? 'kindApproval' : 'kindAdjudication')} · ${t('due')} ${formatDate(task.dueAt, lang)}`]] as [string, string][]) : []),
    ]),
    role === 'village_operator' ? operatorActions(p) : null,
    p.reasons.length ? section('reasons', h('ul', { class: 'reasons' }, p.reasons.map((reason: { message: string }) => h('li', {}, reason.message)))) : null,
    mayDecide ? decisionForm(task!, id) : null,
    section(
      'household',
      dl([
        [t('kk'), h('code', {}, p.household.kkMasked)],
        [t('address'), `${p.household.address}, RT ${p.household.rt} / RW ${p.household.rw}`],
        [t('location'), `${p.household.location.latitude}, ${p.household.location.longitude}`],
      ]),
    ),
    section(
      'members',
      // Seven columns do not fit a phone: the table scrolls sideways (by keyboard too), not the whole page.
      h(
        'div',
        { class: 'scroll', tabindex: '0' },
        h(
          'table',
          {},
          h('thead', {}, h('tr', {}, [t('nik'), t('fullName'), t('sex'), t('birthDate'), t('relationship'), t('disability'), t('occupation')].map((c) => h('th', { scope: 'col' }, c)))),
          h(
            'tbody',
            {},
            p.members.map((m: any) =>
              h(
                'tr',
                {},
                h('td', {}, h('code', {}, m.nikMasked)),
                h('td', {}, m.fullName),
                h('td', {}, t(m.sex === 'L' ? 'sexL' : 'sexP')),
                h('td', {}, m.birthDate),
                h('td', {}, relationshipLabel(m.relationship)),
                h('td', {}, m.disability ? disabilityLabel(m.disability) : '—'),
                h('td', {}, m.occupation ?? '—'),
              ),
            ),
          ),
        ),
      ),
    ),
    p.flags.length ? section('flags', h('ul', { class: 'flags' }, p.flags.map((flag: Flag) => flagItem(flag, p.documents)))) : null,
    p.documents.length ? section('documents', h('ul', { class: 'docs' }, p.documents.map((doc: Doc) => docItem(doc)))) : null,
    section(
      'objections',
      p.objections.length
        ? h(
            'ul',
            {},
            p.objections.map((o: any) =>
              h('li', {}, h('strong', {}, objectionLabel(o.category)), ` · ${formatDate(o.filedAt, lang)}`, o.statement ? h('p', {}, o.statement) : null, o.reporterName ? h('p', { class: 'hint' }, `${o.reporterName} (${o.reporterContact ?? ''})`) : null),
            ),
          )
        : h('p', {}, t('none')),
    ),
    section(
      'history',
      h('ol', { class: 'history' }, p.history.map((entry: any) => h('li', {}, `${formatDate(entry.at, lang)} · v${entry.version} · ${entry.action}${entry.to ? ` → ${statusLabel(entry.to.status)} / ${stageLabel(entry.to.stage)}` : ''} · ${entry.actor.id}`))),
    ),
  );
}

function operatorActions(p: any): Node | null {
  if (p.status === 'RETURNED') return h('p', {}, h('a', { class: 'button primary', href: `#/proposals/${p.proposalId}/revise` }, t('revise')));
  if (p.status === 'DRAFT') return h('p', {}, h('a', { class: 'button primary', href: `#/proposals/${p.proposalId}/upload` }, t('uploadEvidence')));
  return null;
}

function docItem(doc: Doc): Node {
  const name = doc.key.slice(doc.key.lastIndexOf('/') + 1);
  const isImage = /\.(jpe?g|png)$/i.test(name) || !/\.pdf$/i.test(name);
  return h(
    'li',
    {},
    h('a', { href: doc.url, target: '_blank', rel: 'noopener' }, `${kindLabel(doc.kind)} (${name}, ${Math.round(doc.size / 1024)} KB)`),
    isImage && !/\.pdf$/i.test(name) ? h('img', { class: 'thumb', src: doc.url, alt: kindLabel(doc.kind), loading: 'lazy' }) : null,
  );
}

/** Duplicates link to the other proposal; a reused photo is shown beside the other household's; distance is a label. */
function flagItem(flag: Flag, documents: Doc[]): Node {
  const kind = flag.path?.startsWith('documents.') ? flag.path.slice('documents.'.length) : undefined;
  const other = flag.pointer?.proposalId;
  const item = h('li', { class: `flag f-${flag.code.toLowerCase()}` }, h('strong', {}, flagLabel(flag.code)));
  if (flag.code === 'PHOTO_DISTANCE') {
    const meters = Number(flag.detail?.distanceMeters);
    item.append(`: ${kind ? kindLabel(kind) : ''} — ${meters} ${t('meters')}`);
    return item;
  }
  if (other) item.append(' · ', t('duplicateOf'), ' ', h('a', { href: `#/proposals/${other}` }, other), flag.pointer?.registered ? ` (${statusLabel('REGISTERED')})` : '');
  if (flag.code === 'PHOTO_REUSED' && kind) {
    const mine = documents.find((doc) => doc.kind === kind && doc.key.endsWith(`/${flag.detail?.file}`)) ?? documents.find((doc) => doc.kind === kind);
    const pair = h('div', { class: 'side-by-side' }, mine ? figure(mine.url, t('thisPhoto')) : null);
    item.append(pair);
    if (other) {
      // The other proposal may lie outside the approver's region (403): the link stays, the picture does not.
      void api('GET', `/proposals/${encodeURIComponent(other)}`).then(
        (theirs) => {
          const doc = theirs.documents.find((d: Doc) => d.key === flag.detail?.otherKey) ?? theirs.documents.find((d: Doc) => d.kind === kind);
          if (doc) pair.append(figure(doc.url, `${t('otherPhoto')} (${other})`));
        },
        () => undefined,
      );
    }
  } else if (flag.path) item.append(` (${flag.path})`);
  return item;
}

const figure = (src: string, caption: string) => h('figure', {}, h('img', { src, alt: caption, loading: 'lazy' }), h('figcaption', {}, caption));

/** A duplicate needs its resolution as well, so it becomes two buttons. */
type Choice = { decision: Decision; resolution?: 'merge' | 'reject'; label: Parameters<typeof t>[0] };
const choicesFor = (kind: TaskKind): Choice[] =>
  DECISIONS_BY_TASK[kind].flatMap((decision): Choice[] =>
    decision === 'duplicate'
      ? [
          { decision, resolution: 'merge', label: 'duplicateMerge' },
          { decision, resolution: 'reject', label: 'duplicateReject' },
        ]
      : [{ decision, label: decision }],
  );

function decisionForm(task: { taskId: string; kind: TaskKind }, proposalId: string): Node {
  const reason = h('textarea', { name: 'reason', rows: '3', maxlength: '1000' });
  const { wrap, error } = field(t('reason'), reason, t('reasonHint'));
  const status = h('div', { 'aria-live': 'polite' });
  const buttons = choicesFor(task.kind).map(({ decision, resolution, label }) =>
    h(
      'button',
      {
        type: 'button',
        class: decision === 'approve' || decision === 'dismiss' || decision === 'unique' ? 'primary' : decision === 'return' ? '' : 'danger',
        'data-decision': decision,
        onclick: async () => {
          error.textContent = '';
          if (reasonRequired(decision) && reason.value.trim().length < MIN_REASON_LENGTH) {
            error.textContent = t('reasonHint');
            reason.setAttribute('aria-invalid', 'true');
            reason.focus();
            return;
          }
          buttons.forEach((b) => (b.disabled = true));
          try {
            await api('POST', `/tasks/${encodeURIComponent(task.taskId)}/decision`, {
              body: { decision, ...(resolution && { resolution }), ...(reason.value.trim() && { reason: reason.value.trim() }) },
            });
            status.replaceChildren(notice('ok', t('decided')));
            setTimeout(() => navigate(`#/inbox?decided=${encodeURIComponent(proposalId)}`), 600);
          } catch (failure) {
            buttons.forEach((b) => (b.disabled = false));
            const detail = failure instanceof ApiError ? failure.details.find((d) => d.path === 'reason') : undefined;
            if (detail) error.textContent = detail.message;
            status.replaceChildren(notice('error', errorMessage(failure)));
          }
        },
      },
      t(label),
    ),
  );
  return h('section', { class: 'card decide', 'aria-labelledby': 'h-decide' }, h('h2', { id: 'h-decide' }, t('decide')), wrap, h('div', { class: 'actions' }, buttons), status);
}
