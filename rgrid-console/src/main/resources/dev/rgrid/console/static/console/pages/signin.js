// Sign-in: the API key is sent once, exchanged for an HttpOnly session cookie, and forgotten. It
// is never kept in the page's storage.

import { api } from '../api.js';
import { errorBox, h, replace, showError } from '../dom.js';

export function render(main, { onSignedIn }) {
  const key = h('input', {
    id: 'api-key', type: 'password', name: 'key', autocomplete: 'off', required: true,
    spellcheck: 'false', placeholder: 'rgk_…',
  });
  const error = errorBox();
  const submit = h('button', { type: 'submit', class: 'primary', id: 'sign-in' }, 'Sign in');
  const form = h('form', { class: 'signin', onsubmit: async (event) => {
    event.preventDefault();
    submit.disabled = true;
    replace(error);
    try {
      const session = await api('POST', '/session', { key: key.value.trim() });
      key.value = '';
      onSignedIn(session);
    } catch (e) {
      showError(error, e.status === 401
        ? { message: 'That key was not accepted.', hint: 'check it, or ask for a new one '
            + '(rgrid admin key create ACCOUNT)' }
        : e);
      submit.disabled = false;
      key.focus();
    }
  } },
  h('label', { for: 'api-key' }, 'API key', key),
  submit, error);
  replace(main, h('h1', {}, 'Sign in to the RGrid console'),
    h('p', { class: 'muted' }, 'Use an API key of your account. The console keeps only a '
      + 'session cookie, which ends when you sign out or after a few hours.'),
    form);
  key.focus();
}
