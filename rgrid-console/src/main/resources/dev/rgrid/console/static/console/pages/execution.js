// One execution: what it runs (environment values are not shown, as they may hold secrets; the
// API names secrets, never their values), where it stands, its live logs, its outputs, and the
// retry and cancel actions (none for a read-only session).

import { api, socketUrl } from '../api.js';
import {
  bytes, duration, errorBox, h, labels, link, money, replace, showError, status, when,
} from '../dom.js';
import { LogView } from './logs.js';

const REFRESH_MS = 2000;

export function render(main, { id, readOnly }) {
  document.title = id + ' · RGrid console';
  const error = errorBox();
  const heading = h('h1', { class: 'mono' }, id);
  const retry = h('button', { type: 'button', id: 'retry', disabled: true }, 'Retry');
  const cancel = h('button', { type: 'button', id: 'cancel', disabled: true }, 'Cancel');
  const facts = h('dl', { class: 'facts', id: 'facts' });
  const timeline = h('ol', { id: 'timeline' });
  const outputs = h('tbody', { id: 'outputs' });
  const logs = new LogView(id);
  replace(main, link('/executions', '← Executions'), heading, error,
    readOnly ? null : h('div', { class: 'actions' }, retry, cancel), facts,
    h('h2', {}, 'Logs'), logs.element,
    h('h2', {}, 'Outputs'),
    h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'File'), h('th', { scope: 'col' }, 'Size'))), outputs)),
    h('h2', {}, 'Status history'), timeline);

  let record = null;
  let timer = null;
  let gone = false;

  retry.addEventListener('click', async () => {
    retry.disabled = true;
    try {
      const again = await api('POST', '/executions/' + id + '/retry');
      location.hash = '#/executions/' + again.id;
    } catch (e) {
      showError(error, e);
      retry.disabled = false;
    }
  });
  cancel.addEventListener('click', async () => {
    cancel.disabled = true;
    try {
      show(await api('POST', '/executions/' + id + '/cancel'));
    } catch (e) {
      showError(error, e);
    }
  });

  function show(r) {
    record = r;
    const ended = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CANCELLED', 'SKIPPED'].includes(r.status);
    // A skipped run is run again by running its parents again, not by a retry of its own.
    retry.disabled = !ended || r.status === 'SKIPPED' || Boolean(r.retriedBy);
    cancel.disabled = ended || r.cancelRequested;
    replace(facts, fact('Status', status(r.status), r.cancelRequested && !ended
      ? ' (cancel requested)' : null),
    fact('Script', h('span', { class: 'mono' }, r.script)),
    fact('Runtime', r.runtime),
    fact('Arguments', h('span', { class: 'mono' }, (r.args || []).join(' ') || '–')),
    fact('Environment', Object.keys(r.env || {}).length
      ? Object.keys(r.env).join(', ') + ' (values not shown)' : '–'),
    fact('Secrets', Object.entries(r.secrets || {}).map(([variable, name]) => variable
      + ' from secret ' + name).join(', ') || '–'),
    fact('Inputs', (r.inputs || []).map((f) => f.path + ' (' + bytes(f.size) + ')')
      .join(', ') || '–'),
    fact('Labels', labels(r.labels)),
    fact('Created', when(r.createdAt)),
    fact('Started', when(r.startedAt)),
    fact('Duration', duration(r.startedAt, r.finishedAt)),
    fact('Attempt', String(r.attempt)),
    r.exitCode !== undefined ? fact('Exit code', String(r.exitCode)) : null,
    r.failure ? fact('Failure', r.failure.message + (r.failure.hint ? ' (' + r.failure.hint + ')'
      : '')) : null,
    fact('Cost', money(r.costMicros)),
    r.batchId ? fact('Batch', link('/batches/' + r.batchId, r.batchId)) : null,
    r.parents ? fact('Waits for', parents(r.parents)) : null,
    r.cachedFrom ? fact('Cached from', link('/executions/' + r.cachedFrom, r.cachedFrom)) : null,
    r.retryOf ? fact('Retry of', link('/executions/' + r.retryOf, r.retryOf)) : null,
    r.retriedBy ? fact('Retried by', link('/executions/' + r.retriedBy, r.retriedBy)) : null,
    fact('Limits', r.timeoutSeconds + ' s timeout' + (r.network ? ', network' : ', no network')));
    replace(timeline, (r.transitions || []).map((t) => h('li', {}, status(t.status), ' at ',
      when(t.at), t.attempt > 1 ? ' (attempt ' + t.attempt + ')' : '')));
    return ended;
  }

  async function loadOutputs() {
    const list = (await api('GET', '/executions/' + id + '/outputs')).outputs;
    replace(outputs, list.length === 0
      ? h('tr', {}, h('td', { colspan: 2, class: 'muted' }, 'No output files.'))
      : list.map((o) => h('tr', {},
        h('td', {}, h('a', {
          href: '/api/v1/executions/' + encodeURIComponent(id) + '/outputs/'
            + o.path.split('/').map(encodeURIComponent).join('/'),
          download: o.path.substring(o.path.lastIndexOf('/') + 1), class: 'output',
        }, o.path)),
        h('td', {}, bytes(o.size)))));
  }

  async function refresh() {
    try {
      const ended = show(await api('GET', '/executions/' + id));
      if (ended) {
        await loadOutputs();
        return;
      }
    } catch (e) {
      showError(error, e);
    }
    if (!gone) {
      timer = setTimeout(refresh, REFRESH_MS);
    }
  }

  refresh().then(() => {
    if (!gone) {
      logs.follow(socketUrl('/executions/' + encodeURIComponent(id) + '/logs/stream'), () => {
        // The stream ended with the execution: its final state and outputs.
        if (!gone && record) {
          clearTimeout(timer);
          refresh();
        }
      });
    }
  });
  return () => {
    gone = true;
    clearTimeout(timer);
    logs.close();
  };
}

/** The runs an execution waits for, each linked, with the outputs it takes from them. */
function parents(list) {
  return list.map((p, i) => [i > 0 ? ', ' : null,
    p.execution ? link('/executions/' + p.execution, p.execution)
      : link('/batches/' + p.batch, p.batch),
    p.glob ? h('span', { class: 'mono' }, ' (' + p.glob + ')') : null]);
}

function fact(name, ...value) {
  return [h('dt', {}, name), h('dd', {}, ...value)];
}
