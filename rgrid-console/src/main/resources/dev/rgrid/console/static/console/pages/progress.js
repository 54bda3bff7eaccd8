// A batch's progress: a bar of the ended inputs and the counts per status.

import { h } from '../dom.js';

export function progress(p) {
  const ended = p.succeeded + p.failed + p.cancelled;
  return h('span', { class: 'progress' },
    h('progress', { max: Math.max(1, p.total), value: ended,
      'aria-label': ended + ' of ' + p.total + ' inputs ended' }),
    ' ' + ended + '/' + p.total,
    h('span', { class: 'muted' }, ' · ' + [
      p.running ? p.running + ' running' : null,
      p.queued ? p.queued + ' queued' : null,
      p.succeeded ? p.succeeded + ' succeeded' : null,
      p.failed ? p.failed + ' failed' : null,
      p.cancelled ? p.cancelled + ' cancelled' : null,
    ].filter(Boolean).join(', ')));
}
