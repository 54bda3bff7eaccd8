// The queue and its workers: how many executions wait, run or were lost with their worker, and
// each live worker with its last heartbeat and what it runs now. Shared by every account, so it
// shows ids and counts only.

import { api } from '../api.js';
import { errorBox, h, replace, showError, when } from '../dom.js';

const REFRESH_MS = 3000;

export function render(main) {
  document.title = 'Queue and workers · RGrid console';
  const error = errorBox();
  const facts = h('dl', { class: 'facts', id: 'queue' });
  const body = h('tbody', { id: 'workers' });
  replace(main, h('h1', {}, 'Queue and workers'), error,
    h('h2', {}, 'Queue'), facts,
    h('h2', {}, 'Live workers'),
    h('div', { class: 'table-wrap' }, h('table', {},
      h('caption', { class: 'visually-hidden' }, 'Live workers, by id'),
      h('thead', {}, h('tr', {}, ['Worker', 'Running', 'Last heartbeat', 'Alive until']
        .map((c) => h('th', { scope: 'col' }, c)))),
      body)));
  let shown = null;
  let timer = null;
  let gone = false;

  async function load() {
    try {
      const view = await api('GET', '/workers');
      replace(error);
      const fresh = JSON.stringify(view);
      if (fresh !== shown && !gone) {
        shown = fresh;
        const q = view.queue;
        replace(facts, fact('Ready', q.ready), fact('Delayed (retry backoff)', q.delayed),
          fact('Running', q.running), fact('Lost with their worker', q.lapsed));
        replace(body, view.workers.length === 0
          ? h('tr', {}, h('td', { colspan: 4, class: 'muted' },
            'No live worker: queued work waits until one starts.'))
          : view.workers.map((w) => h('tr', { 'data-id': w.id },
            h('td', { class: 'mono' }, w.id),
            h('td', {}, String(w.running)),
            h('td', {}, w.lastHeartbeat ? when(w.lastHeartbeat) : '–'),
            h('td', {}, when(w.aliveUntil)))));
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

function fact(name, value) {
  return [h('dt', {}, name), h('dd', {}, String(value))];
}
