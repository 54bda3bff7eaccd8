// Small helpers to build the page. Text always goes in as text nodes, never as HTML: whatever an
// execution holds (labels, log lines, file names) cannot become markup.

/** An element: tag, attributes (on* keys become listeners), children (strings are text). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.substring(2), value);
    } else if (value === true) {
      el.setAttribute(key, '');
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) {
      continue;
    }
    if (Array.isArray(child)) {
      append(el, child);
    } else {
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
}

/** A link to a route of the console. */
export function link(route, text) {
  return h('a', { href: '#' + route }, text);
}

/** Replaces the content of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** A status, coloured by its kind. */
export function status(value) {
  return h('span', { class: 'status status-' + value }, value);
}

/** Labels as chips. */
export function labels(map) {
  return Object.entries(map || {}).map(([k, v]) => h('span', { class: 'label' }, k + '=' + v));
}

/** An instant as local date and time, or a dash. */
export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '–';
}

/** The time between two instants (the second: now when absent), or a dash. */
export function duration(fromIso, toIso) {
  if (!fromIso) {
    return '–';
  }
  const ms = (toIso ? new Date(toIso) : new Date()) - new Date(fromIso);
  return millis(ms);
}

/** Milliseconds as "850 ms", "12.3 s", "4 min 5 s", "2 h 3 min". */
export function millis(ms) {
  if (ms < 1000) {
    return Math.max(0, Math.round(ms)) + ' ms';
  }
  const s = ms / 1000;
  if (s < 60) {
    return s.toFixed(1) + ' s';
  }
  const m = Math.floor(s / 60);
  if (m < 60) {
    return m + ' min ' + Math.round(s % 60) + ' s';
  }
  return Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
}

/** Money in integer micros as euros, as the CLI shows it: €50.50, €0.000417. */
export function money(micros) {
  const m = micros || 0;
  if (m === 0 || Math.abs(m) >= 10000) {
    return '€' + (m / 1e6).toFixed(2);
  }
  return '€' + (m / 1e6).toFixed(6).replace(/0+$/, '');
}

/** A size in bytes, binary units. */
export function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return (i === 0 ? v : v.toFixed(1)) + ' ' + units[i];
}

/** A box for error messages, announced to screen readers. */
export function errorBox() {
  return h('div', { class: 'error', role: 'alert' });
}

/** Shows an API error (message and hint) in `box`. */
export function showError(box, e) {
  replace(box, e.message + (e.hint ? ' (' + e.hint + ')' : ''));
}
