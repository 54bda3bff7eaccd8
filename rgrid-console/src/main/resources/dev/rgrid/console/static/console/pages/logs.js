// Live logs over the API's WebSocket (authenticated by the session cookie). Lines are added in
// batches, at most one per display frame, so a script that prints fast does not freeze the page; a dropped
// connection resumes after the last line received, so every line shows once.

const MAX_BACKOFF_MS = 10000;

export class LogView {
  constructor() {
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
    const fragment = document.createDocumentFragment();
    let run = null;
    let runStream = null;
    for (const line of this.pending) {
      if (line.stream !== runStream) {
        run = document.createElement('span');
        run.className = line.stream;
        fragment.append(run);
        runStream = line.stream;
      }
      run.append(line.text + '\n');
    }
    this.pending = [];
    this.element.append(fragment);
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
