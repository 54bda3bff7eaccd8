// Live logs over the API's WebSocket (authenticated by the session cookie). Lines are added in
// batches, at most one per display frame, so a script that prints fast does not freeze the page; a
// dropped connection resumes after the last line received, so every line shows once. The page keeps
// the last MAX_LINES lines only: a browser lays a <pre> of 100,000 lines out again on every append
// (seconds of frozen page each time), so older lines are dropped from the page, and a note at the
// top says how many and where the whole log is (`rgrid logs ID`, the API).

const MAX_BACKOFF_MS = 10000;
const MAX_LINES = 5000;

export class LogView {
  /** `id`: the execution's, named in the note on lines no longer shown. */
  constructor(id) {
    this.id = id;
    this.element = document.createElement('pre');
    this.element.className = 'logs';
    this.element.id = 'logs';
    this.element.setAttribute('aria-live', 'off');
    this.element.tabIndex = 0;
    this.after = 0;
    this.pending = [];
    this.closed = false;
    this.socket = null;
    this.backoff = 500;
    this.frame = 0;
    this.chunks = [];
    this.shown = 0;
    this.hidden = 0;
    this.note = document.createElement('span');
    this.note.className = 'trimmed';
  }

  /** Follows the stream at `url`; `onEnd` runs once the execution has ended. */
  follow(url, onEnd) {
    if (this.closed) {
      return;
    }
    const socket = new WebSocket(url + '?after=' + this.after);
    this.socket = socket;
    let ended = false;
    socket.onmessage = (message) => {
      const frame = JSON.parse(message.data);
      if (frame.end) {
        ended = true;
        onEnd(frame.status);
        return;
      }
      this.backoff = 500;
      this.after = frame.seq;
      this.pending.push(frame);
      if (!this.frame) {
        this.frame = setTimeout(() => this.flush(), 16);
      }
    };
    socket.onclose = () => {
      if (!ended && !this.closed) {
        setTimeout(() => this.follow(url, onEnd), this.backoff);
        this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
      }
    };
  }

  flush() {
    this.frame = 0;
    const stick = this.element.scrollTop + this.element.clientHeight
      >= this.element.scrollHeight - 4;
    let lines = this.pending;
    this.pending = [];
    if (lines.length > MAX_LINES) {
      this.hidden += lines.length - MAX_LINES;
      lines = lines.slice(lines.length - MAX_LINES);
    }
    // One element per run of a stream within this batch: the unit dropped from the top later.
    const fragment = document.createDocumentFragment();
    let run = null;
    let text = [];
    const close = () => {
      if (run) {
        run.append(text.join(''));
        fragment.append(run);
        this.chunks.push({ element: run, lines: text.length });
      }
    };
    for (const line of lines) {
      if (!run || line.stream !== run.className) {
        close();
        run = document.createElement('span');
        run.className = line.stream;
        text = [];
      }
      text.push(line.text + '\n');
    }
    close();
    this.shown += lines.length;
    this.element.append(fragment);
    while (this.shown > MAX_LINES && this.chunks.length > 1) {
      const first = this.chunks.shift();
      first.element.remove();
      this.shown -= first.lines;
      this.hidden += first.lines;
    }
    if (this.hidden > 0) {
      this.note.textContent = '\u2026 ' + this.hidden.toLocaleString() + ' earlier lines are not'
        + ' shown here (the page keeps the last ' + MAX_LINES.toLocaleString() + '): `rgrid logs '
        + this.id + '` or the API has them all.\n';
      if (!this.note.isConnected) {
        this.element.prepend(this.note);
      }
    }
    if (stick) {
      this.element.scrollTop = this.element.scrollHeight;
    }
  }

  close() {
    this.closed = true;
    if (this.frame) {
      clearTimeout(this.frame);
    }
    if (this.socket) {
      this.socket.close();
    }
  }
}
