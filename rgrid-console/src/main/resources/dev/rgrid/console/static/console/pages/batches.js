// The account's batches, newest first, with their progress.

import { api } from '../api.js';
import { errorBox, h, labels, link, money, replace, showError, when } from '../dom.js';
import { progress } from './progress.js';

const REFRESH_MS = 3000;

export function render(main, { params }) {
  document.title = 'Batches · RGrid console';
  const before = params.get('before') || '';
  const error = errorBox();
  const body = h('tbody', { id: 'batches' });
  const pager = h('div', { class: 'pager' });
  replace(main, h('h1', {}, 'Batches'), error,
    h('div', { class: 'table-wrap' }, h('table', {},
      h('caption', { class: 'visually-hidden' }, 'Batches, newest first'),
      h('thead', {}, h('tr', {}, ['Id', 'Script', 'Progress', 'Labels', 'Created', 'Cost']
        .map((c) => h('th', { scope: 'col' }, c)))),
      body)), pager);
  let shown = null;
  let timer = null;
  let gone = false;

  async function load() {
    try {
      const page = await api('GET', '/batches?limit=50' + (before ? '&before='
        + encodeURIComponent(before) : ''));
      replace(error);
      const fresh = JSON.stringify(page);
      if (fresh !== shown && !gone) {
        shown = fresh;
        replace(body, page.items.length === 0
          ? h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No batches yet.'))
          : page.items.map((b) => h('tr', { 'data-id': b.id },
            h('td', { class: 'mono' }, link('/batches/' + b.id, b.id)),
            h('td', {}, b.script),
            h('td', {}, progress(b.progress)),
            h('td', {}, labels(b.labels)),
            h('td', {}, when(b.createdAt)),
            h('td', {}, money(b.progress.costMicros)))));
        replace(pager, before ? link('/batches', 'Newest') : null,
          page.next ? link('/batches?before=' + encodeURIComponent(page.next), 'Older') : null);
      }
    } catch (e) {
      showError(error, e);
    }
    if (!gone) {
      timer = setTimeout(load, REFRESH_MS);
    }
  }
  load();
  return () => {
    gone = true;
    clearTimeout(timer);
  };
}
