import { t } from '../i18n.ts';
import { navigate, notice, type ScreenContext } from '../nav.ts';
import { signIn, SignInError } from '../session.ts';
import { field, h } from '../view.ts';

const HOME = { village_operator: '#/proposals', approver: '#/inbox', admin: '#/dashboard' } as const;

export function signInScreen({ config, query }: ScreenContext): Node {
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const status = h('div', { 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', class: 'primary' }, t('signIn'));
  const form = h(
    'form',
    {
      class: 'card narrow',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        button.disabled = true;
        status.replaceChildren();
        try {
          const session = await signIn(config, username.value.trim(), password.value);
          const next = query.get('next');
          navigate(next && next.startsWith('#/') ? next : HOME[session.claims.role]);
        } catch (error) {
          const code = error instanceof SignInError ? error.code : 'WRONG_CREDENTIALS';
          status.replaceChildren(notice('error', t(code === 'CHALLENGE' ? 'signInChallenge' : code === 'NETWORK' ? 'networkError' : 'signInFailed')));
          button.disabled = false;
        }
      },
    },
    field(t('username'), username).wrap,
    field(t('password'), password).wrap,
    button,
    status,
  );
  // Locally the issuer's demo users are offered as a list: nobody has to remember verval-demo usernames.
  const users = config.auth.kind === 'local' ? config.auth.users ?? [] : [];
  const demo = users.length
    ? (() => {
        const select = h(
          'select',
          {
            name: 'demo-user',
            onchange: () => {
              username.value = select.value;
              password.value = select.value ? 'verval-demo' : '';
            },
          },
          h('option', { value: '' }, t('choose')),
          users.map((user) => h('option', { value: user.username }, `${user.username} — ${user.title}`)),
        );
        return h('section', { class: 'card narrow', 'aria-labelledby': 'demo-heading' }, h('h2', { id: 'demo-heading' }, t('demoUsers')), field(t('demoUser'), select, t('demoPasswordHint')).wrap);
      })()
    : null;
  return h(
    'div',
    {},
    h('h1', { tabindex: '-1' }, t('signIn')),
    query.get('expired') ? notice('info', t('sessionExpired')) : null,
    form,
    demo,
    h('p', {}, h('a', { href: '#/public' }, t('navPublic'))),
  );
}
