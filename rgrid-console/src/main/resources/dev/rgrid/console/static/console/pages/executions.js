// The executions of the account, newest first, filtered by the server (status, label, batch) and
// paged by its cursor. The filters live in the address, so a filtered list can be shared and
// reloaded. The page refreshes itself while it is shown.

import { api } from '../api.js';
import {
  duration, errorBox, h, labels, link, money, replace, showError, status, when,
} from '../dom.js';

const STATUSES = ['WAITING', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT',
  'CANCELLED', 'SKIPPED'];
const REFRESH_MS = 2000;

export function render(main, { params }) {
  const statusFilter = params.get('status') || '';
  const labelFilter = params.get('label') || '';
  const before = params.get('before') || '';
  document.title = 'Executions · RGrid console';

  const statusSelect = h('select', { id: 'filter-status', name: 'status' },
    h('option', { value: '' }, 'any'),
    STATUSES.map((s) => h('option', { value: s, selected: s === statusFilter }, s)));
  const labelInput = h('input', {
    id: 'filter-label', name: 'label', value: labelFilter, placeholder: 'key=value',
    pattern: '[^=]+=.*', title: 'a label as key=value',
  });
  const form = h('form', { class: 'filters', role: 'search', onsubmit: (event) => {
    event.preventDefault();
    const q = new URLSearchParams();
    if (statusSelect.value) {
      q.set('status', statusSelect.value);
    }
    if (labelInput.value.trim()) {
      q.set('label', labelInput.value.trim());
    }
    location.hash = '#/executions' + (q.toString() ? '?' + q : '');
  } },
  h('label', { for: 'filter-status' }, 'Status', statusSelect),
  h('label', { for: 'filter-label' }, 'Label', labelInput),
  h('button', { type: 'submit', id: 'apply-filters' }, 'Filter'),
  (statusFilter || labelFilter) ? link('/executions', 'Clear filters') : null);

  const error = errorBox();
  const body = h('tbody', { id: 'executions' });
  const pager = h('div', { class: 'pager' });
  replace(main, h('h1', {}, 'Executions'), form, error,
    h('div', { class: 'table-wrap' }, h('table', {},
      h('caption', { class: 'visually-hidden' }, 'Executions, newest first'),
      h('thead', {}, h('tr', {},
        ['Id', 'Script', 'Status', 'Runtime', 'Labels', 'Started', 'Duration', 'Cost']
          .map((c, i) => h('th', { scope: 'col', class: i === 3 || i === 4 ? 'hide-narrow' : null },
            c)))),
      body)), pager);

  const q = new URLSearchParams();
  if (statusFilter) {
    q.set('status', statusFilter);
  }
  if (labelFilter) {
    q.set('label', labelFilter);
  }
  if (before) {
    q.set('before', before);
  }
  q.set('limit', '50');
  let shown = null;
  let timer = null;
  let gone = false;

  async function load() {
    try {
      const page = await api('GET', '/executions?' + q);
      replace(error);
      const fresh = JSON.stringify(page);
      if (fresh !== shown && !gone) {
        shown = fresh;
        replace(body, page.items.length === 0
          ? h('tr', {}, h('td', { colspan: 8, class: 'muted' }, 'No executions match.'))
          : page.items.map(row));
        const next = new URLSearchParams(params);
        next.set('before', page.next || '');
        replace(pager, before ? link('/executions' + filtersOnly(params), 'Newest') : null,
          page.next ? link('/executions?' + next, 'Older') : null);
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

function filtersOnly(params) {
  const q = new URLSearchParams(params);
  q.delete('before');
  return q.toString() ? '?' + q : '';
}

function row(e) {
  return h('tr', { 'data-id': e.id },
    h('td', { class: 'mono' }, link('/executions/' + e.id, e.id)),
    h('td', {}, e.script),
    h('td', {}, status(e.status)),
    h('td', { class: 'hide-narrow' }, e.runtime),
    h('td', { class: 'hide-narrow' }, labels(e.labels)),
    h('td', {}, when(e.startedAt)),
    h('td', {}, duration(e.startedAt, e.finishedAt)),
    h('td', {}, money(e.costMicros)));
}
