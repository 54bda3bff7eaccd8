// One batch: its progress, its executions, the download of all its outputs as one zip, and the
// actions on all of them (cancel the unfinished ones, retry the failed ones; none for a read-only
// session).

import { api } from '../api.js';
import {
  duration, errorBox, h, labels, link, money, replace, showError, status, when,
} from '../dom.js';
import { progress } from './progress.js';

const REFRESH_MS = 2000;

export function render(main, { id, readOnly }) {
  document.title = id + ' · RGrid console';
  const error = errorBox();
  const facts = h('dl', { class: 'facts', id: 'facts' });
  const cancel = h('button', { type: 'button', id: 'cancel-batch' }, 'Cancel unfinished');
  const retry = h('button', { type: 'button', id: 'retry-batch' }, 'Retry failed');
  const body = h('tbody', { id: 'batch-executions' });
  // A plain link: the browser downloads the archive with the session cookie, streamed by the
  // server (a GET, so a read-only session may too).
  const zip = h('a', {
    id: 'download-outputs', class: 'button', download: '',
    href: '/api/v1/batches/' + encodeURIComponent(id) + '/outputs.zip',
  }, 'Download all outputs (zip)');
  replace(main, link('/batches', '← Batches'), h('h1', { class: 'mono' }, id), error,
    h('div', { class: 'actions' }, readOnly ? null : [retry, cancel], zip), facts,
    h('h2', {}, 'Executions'),
    h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {},
      ['Id', 'Status', 'Labels', 'Started', 'Duration', 'Cost']
        .map((c) => h('th', { scope: 'col' }, c)))), body)));
  let timer = null;
  let gone = false;
  let shown = null;

  async function act(button, path) {
    button.disabled = true;
    try {
      await api('POST', '/batches/' + id + path);
      await load(false);
    } catch (e) {
      showError(error, e);
    }
    button.disabled = false;
  }
  cancel.addEventListener('click', () => act(cancel, '/cancel'));
  retry.addEventListener('click', () => act(retry, '/retry?failedOnly=true'));

  async function load(again = true) {
    try {
      const [b, page] = await Promise.all([api('GET', '/batches/' + id),
        api('GET', '/executions?limit=200&batch=' + encodeURIComponent(id))]);
      replace(error);
      const fresh = JSON.stringify([b, page]);
      if (fresh !== shown && !gone) {
        shown = fresh;
        const p = b.progress;
        replace(facts, fact('Script', b.script), fact('Runtime', b.runtime),
          fact('Progress', progress(p)), fact('Parallel', String(b.parallel)),
          fact('Labels', labels(b.labels)), fact('Created', when(b.createdAt)),
          fact('Cost', money(p.costMicros)));
        cancel.disabled = p.queued + p.running === 0;
        retry.disabled = p.failed === 0;
        replace(body, page.items.map((e) => h('tr', { 'data-id': e.id },
          h('td', { class: 'mono' }, link('/executions/' + e.id, e.id)),
          h('td', {}, status(e.status)), h('td', {}, labels(e.labels)),
          h('td', {}, when(e.startedAt)), h('td', {}, duration(e.startedAt, e.finishedAt)),
          h('td', {}, money(e.costMicros)))));
      }
    } catch (e) {
      showError(error, e);
    }
    if (again && !gone) {
      timer = setTimeout(load, REFRESH_MS);
    }
  }
  load();
  return () => {
    gone = true;
    clearTimeout(timer);
  };
}

function fact(name, ...value) {
  return [h('dt', {}, name), h('dd', {}, ...value)];
}
