// The executions of the account, newest first, filtered by the server (status, label, script,
// start time, free text, batch) and paged by its cursor. The filters live in the address, so a
// filtered list can be shared and reloaded.
//
// Live updates: the page polls the API (the WebSocket carries one execution's log lines, not the
// list). Every 2 s while the list changes; each unchanged (or failed) answer doubles the wait up
// to 30 s, and a change or the tab becoming visible again starts over at 2 s. A hidden tab does
// not poll.

import { api } from '../api.js';
import {
  duration, errorBox, h, labels, link, money, replace, showError, status, when,
} from '../dom.js';

const STATUSES = ['WAITING', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT',
  'CANCELLED', 'SKIPPED'];
const FIRST_MS = 2000;
const LONGEST_MS = 30000;
/** The filters of the address that go to the API as they are. */
const FILTERS = ['status', 'label', 'script', 'q', 'startedFrom', 'startedTo'];

export function render(main, { params }) {
  const value = (name) => params.get(name) || '';
  const before = value('before');
  document.title = 'Executions · RGrid console';

  const statusSelect = h('select', { id: 'filter-status', name: 'status' },
    h('option', { value: '' }, 'any'),
    STATUSES.map((s) => h('option', { value: s, selected: s === value('status') }, s)));
  const labelInput = h('input', {
    id: 'filter-label', name: 'label', value: value('label'), placeholder: 'key=value',
    pattern: '[^=]+=.*', title: 'a label as key=value',
  });
  const scriptInput = h('input', {
    id: 'filter-script', name: 'script', value: value('script'), placeholder: 'job.py',
    maxlength: 200, title: "the script's file name, exactly",
  });
  const textInput = h('input', {
    id: 'filter-text', name: 'q', type: 'search', value: value('q'), maxlength: 200,
    placeholder: 'id, script or label', title: 'a part of the id, script name or a label',
  });
  const fromInput = h('input', {
    id: 'filter-from', name: 'startedFrom', type: 'datetime-local',
    value: localInput(value('startedFrom')),
  });
  const toInput = h('input', {
    id: 'filter-to', name: 'startedTo', type: 'datetime-local',
    value: localInput(value('startedTo')),
  });
  const filtered = FILTERS.some((f) => value(f));
  const form = h('form', { class: 'filters', role: 'search', onsubmit: (event) => {
    event.preventDefault();
    const q = new URLSearchParams();
    const put = (name, v) => {
      if (v) {
        q.set(name, v);
      }
    };
    put('status', statusSelect.value);
    put('label', labelInput.value.trim());
    put('script', scriptInput.value.trim());
    put('q', textInput.value.trim());
    put('startedFrom', isoInstant(fromInput.value));
    put('startedTo', isoInstant(toInput.value));
    location.hash = '#/executions' + (q.toString() ? '?' + q : '');
  } },
  h('label', { for: 'filter-text' }, 'Search', textInput),
  h('label', { for: 'filter-status' }, 'Status', statusSelect),
  h('label', { for: 'filter-label' }, 'Label', labelInput),
  h('label', { for: 'filter-script' }, 'Script', scriptInput),
  h('label', { for: 'filter-from' }, 'Started from', fromInput),
  h('label', { for: 'filter-to' }, 'to', toInput),
  h('button', { type: 'submit', id: 'apply-filters' }, 'Filter'),
  filtered ? link('/executions', 'Clear filters') : null);

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
  for (const name of FILTERS) {
    if (value(name)) {
      q.set(name, value(name));
    }
  }
  if (before) {
    q.set('before', before);
  }
  q.set('limit', '50');
  let shown = null;
  let timer = null;
  let gone = false;
  let wait = FIRST_MS;

  async function load() {
    timer = null;
    let changed = false;
    try {
      const page = await api('GET', '/executions?' + q);
      replace(error);
      const fresh = JSON.stringify(page);
      if (fresh !== shown && !gone) {
        changed = true;
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
    wait = changed ? FIRST_MS : Math.min(wait * 2, LONGEST_MS);
    schedule();
  }
  function schedule() {
    if (!gone && !document.hidden && timer === null) {
      timer = setTimeout(load, wait);
    }
  }
  function visibility() {
    if (!document.hidden && timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    if (!document.hidden) {
      wait = FIRST_MS;
      load();
    }
  }
  document.addEventListener('visibilitychange', visibility);
  load();
  return () => {
    gone = true;
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', visibility);
  };
}

/** The value of a datetime-local input (the browser's local time) as an ISO instant, or ''. */
function isoInstant(local) {
  const d = local ? new Date(local) : null;
  return d && !Number.isNaN(d.getTime()) ? d.toISOString() : '';
}

/** An ISO instant of the address as a datetime-local value (local time), or '' if it is none. */
function localInput(iso) {
  const d = iso ? new Date(iso) : null;
  if (!d || Number.isNaN(d.getTime())) {
    return '';
  }
  const local = new Date(d.getTime() - d.getTimezoneOffset() * 60000);
  return local.toISOString().substring(0, 16);
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
