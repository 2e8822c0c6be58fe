// Server-Sent Events with EventSource: one long GET answered with a text/event-stream, which the
// browser parses into one MessageEvent per event. GET /sse[?since=N]; each event comes as
// "id: SEQ", an optional "event: NAME" and "data: JSON" lines.
//
// Callbacks: onEvent(event, messageEvent) for each event; onWire({dir, kind, bytes, text}) for the
// request (dir "out", kind "request"), the stream's start (dir "in", kind "open") and each event
// (dir "in", kind "event"); onState(state, why) with state "connecting", "open", "closed",
// "waiting" or "stopped".
const READY_STATES = ["CONNECTING", "OPEN", "CLOSED"]; // EventSource.readyState 0, 1, 2

export class SseClient {
  constructor({
    url = "/sse", eventNames = [], withCredentials = false,
    backoffMs = 1000, maxBackoffMs = 30000,
    onEvent = () => {}, onWire = () => {}, onState = () => {},
  } = {}) {
    Object.assign(this, { url, eventNames, withCredentials, backoffMs, maxBackoffMs });
    Object.assign(this, { onEvent, onWire, onState });
    this.source = null;
    this.lastEventId = ""; // the last id: seen; where to resume
    this.browserReconnecting = false; // after a network error, until the browser's retry is open
    this.failures = 0; // failed streams in a row, for the backoff
    this.retryTimer = null;
  }

  get readyState() {
    return READY_STATES[this.source?.readyState ?? EventSource.CLOSED];
  }

  start() {
    this.open();
  }

  stop() {
    clearTimeout(this.retryTimer);
    this.source?.close(); // CLOSED for good: close() never fires error and never reconnects
    this.onState("stopped", `readyState ${this.readyState}`);
  }

  // Closes the stream and opens a new one after the last event seen. A new EventSource has no
  // Last-Event-ID to send, so the position goes in the URL: ?since=N.
  reconnect() {
    clearTimeout(this.retryTimer);
    this.source?.close();
    const resume = `resuming with ?since=${this.lastEventId}`;
    this.onState("closed", `closed by the page, readyState ${this.readyState}; ${resume}`);
    this.open();
  }

  open() {
    const url = this.lastEventId ? `${this.url}?since=${this.lastEventId}` : this.url;
    // withCredentials: on another origin, send the cookies too (the server must then allow
    // credentials for this exact origin); on the same origin they are always sent.
    const source = new EventSource(url, { withCredentials: this.withCredentials });
    this.source = source;
    this.browserReconnecting = false;
    this.onWire({ dir: "out", kind: "request", bytes: 0, text: `GET ${url}` });
    this.onState("connecting", `readyState ${this.readyState}`);

    source.onopen = () => {
      this.failures = 0;
      if (this.browserReconnecting) {
        // The browser sent this request itself; the page only sees that it was answered.
        const text = `GET ${url}, Last-Event-ID: ${this.lastEventId} (sent by the browser)`;
        this.onWire({ dir: "out", kind: "request", bytes: 0, text });
        this.browserReconnecting = false;
      }
      this.onWire({ dir: "in", kind: "open", bytes: 0, text: "200 text/event-stream" });
      this.onState("open", `readyState ${this.readyState}`);
    };

    // An event without an event: line arrives as "message", at onmessage...
    source.onmessage = (message) => this.receive(message);
    // ...one with "event: t0" only at the listeners for "t0": onmessage never sees it.
    for (const name of this.eventNames) {
      source.addEventListener(name, (message) => this.receive(message));
    }

    source.onerror = () => {
      if (source.readyState === EventSource.CONNECTING) {
        // A network error: the browser reconnects by itself after the stream's retry: delay,
        // sending the last id: as the Last-Event-ID header, so nothing is lost.
        this.browserReconnecting = true;
        const retry = `the browser retries with Last-Event-ID: ${this.lastEventId}`;
        this.onState("closed", `connection lost, readyState CONNECTING; ${retry}`);
        return;
      }
      // readyState CLOSED: a status other than 200 or a Content-Type other than
      // text/event-stream fails an EventSource for good. It will not retry, so we do.
      this.onState("closed", "failed for good, readyState CLOSED");
      this.failures += 1;
      const delay = backoffDelay(this.failures, this.backoffMs, this.maxBackoffMs);
      const seconds = (delay / 1000).toFixed(1);
      this.onState("waiting", `reopening with ?since=${this.lastEventId} in ${seconds} s`);
      this.retryTimer = setTimeout(() => this.open(), delay);
    };
  }

  receive(message) {
    // lastEventId is the latest id: line; type is the event: name ("message" without one).
    this.lastEventId = message.lastEventId;
    this.onWire({
      dir: "in", kind: "event", bytes: utf8Bytes(message.data),
      text: `lastEventId: ${message.lastEventId}\ntype: ${message.type}\ndata: ${message.data}`,
    });
    // Several data: lines arrive joined with "\n", which JSON.parse reads as white space.
    this.onEvent(JSON.parse(message.data), message);
  }
}

// Exponential backoff with jitter: base, 2 base, 4 base... up to max, each a random time between
// half and all of it, so that clients cut off together do not all come back at the same instant.
function backoffDelay(failures, baseMs, maxMs) {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (failures - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

const utf8Bytes = (text) => new TextEncoder().encode(text).length;
