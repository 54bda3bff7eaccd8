// What the account's executions cost: this month against its limit, and a report over a range
// grouped by day, runtime, label or batch. The range and grouping live in the address.

import { api } from '../api.js';
import { errorBox, h, money, replace, showError } from '../dom.js';

const GROUPINGS = ['day', 'runtime', 'label', 'batch'];
const RANGES = ['7d', '30d', '90d'];

export function render(main, { params }) {
  document.title = 'Costs · RGrid console';
  const by = GROUPINGS.includes(params.get('by')) ? params.get('by') : 'day';
  const since = RANGES.includes(params.get('since')) ? params.get('since') : '30d';
  const error = errorBox();
  const month = h('p', { id: 'month' }, 'Loading…');
  const bySelect = h('select', { id: 'cost-by', name: 'by' },
    GROUPINGS.map((g) => h('option', { value: g, selected: g === by }, g)));
  const sinceSelect = h('select', { id: 'cost-since', name: 'since' },
    RANGES.map((r) => h('option', { value: r, selected: r === since }, 'last ' + r)));
  const form = h('form', { class: 'filters', onsubmit: (event) => {
    event.preventDefault();
    location.hash = '#/costs?by=' + bySelect.value + '&since=' + sinceSelect.value;
  } },
  h('label', { for: 'cost-by' }, 'Group by', bySelect),
  h('label', { for: 'cost-since' }, 'Range', sinceSelect),
  h('button', { type: 'submit' }, 'Show'));
  const body = h('tbody', { id: 'cost-lines' });
  const total = h('p', { id: 'cost-total' });
  replace(main, h('h1', {}, 'Costs'), error, month, form,
    h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {},
      [by, 'Executions', 'Cost', ''].map((c) => h('th', { scope: 'col' }, c)))), body)), total);

  Promise.all([api('GET', '/limits'), api('GET', '/cost?by=' + by + '&since=' + since)])
    .then(([spending, report]) => {
      replace(month, 'This month (' + spending.month + '): ' + money(spending.spentMicros),
        spending.limitMicros !== undefined
          ? [' of a ' + money(spending.limitMicros) + ' limit ',
            h('meter', { min: 0, max: spending.limitMicros, value: spending.spentMicros,
              high: spending.limitMicros * 0.8, 'aria-label': 'share of the limit spent' }),
            ' (' + money(spending.remainingMicros) + ' left; alerts at '
              + (spending.thresholds || []).join(', ') + ' %)']
          : ' (no monthly limit)');
      const most = Math.max(1, ...report.lines.map((l) => l.micros));
      replace(body, report.lines.length === 0
        ? h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'Nothing ran in this range.'))
        : report.lines.map((l) => h('tr', {}, h('td', {}, l.key), h('td', {}, String(l.executions)),
          h('td', {}, money(l.micros)),
          h('td', {}, h('meter', { min: 0, max: most, value: l.micros,
            'aria-label': 'share of the largest group' })))));
      replace(total, 'Total: ' + report.executions + ' executions, ' + money(report.totalMicros));
    })
    .catch((e) => showError(error, e));
}
