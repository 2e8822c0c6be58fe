// HTTP long polling: ask "anything after N?" and the server holds the request until there is, or
// until timeout_ms passes; then ask again at once. GET /long-poll?since=N&timeout_ms=T answers
// {"events":[...],"next":M} (an empty list after T); M is the next cursor.
//
// Callbacks: onEvent(event, bodyText) for each event; onWire({dir, kind, bytes, text}) for each
// request sent (dir "out", kind "request") and answer received (dir "in", kind "response", or
// "empty" after the timeout); onState(state, why) when a request fails ("closed") and while
// waiting to retry ("waiting").
export class LongPollClient {
  constructor({
    url = "/long-poll", timeoutMs = 25000, backoffMs = 500, maxBackoffMs = 30000,
    onEvent = () => {}, onWire = () => {}, onState = () => {},
  } = {}) {
    Object.assign(this, { url, timeoutMs, backoffMs, maxBackoffMs, onEvent, onWire, onState });
    this.cursor = null; // the last answer's "next"; null asks for the events from now on
    this.request = null; // the AbortController of the request being held
    this.abandoned = false; // set by reconnect(): the request in flight was dropped on purpose
    this.stopped = true;
  }

  start() {
    this.stopped = false;
    this.loop();
  }

  stop() {
    this.stopped = true;
    this.request?.abort(new Error("stopped"));
    this.onState("stopped", "long polling stopped");
  }

  // Abandons the request being held and asks again at once, from the same cursor.
  reconnect() {
    this.abandoned = true; // not a failure: the loop asks again without backing off
    this.request?.abort(new Error("abandoned by reconnect()"));
  }

  async loop() {
    let failures = 0;
    while (!this.stopped) {
      if (await this.poll()) {
        failures = 0; // a success resets the backoff
      } else if (!this.abandoned && !this.stopped) {
        failures += 1;
        const delay = backoffDelay(failures, this.backoffMs, this.maxBackoffMs);
        this.onState("waiting", `retrying in ${(delay / 1000).toFixed(1)} s`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  // One request: true when it was answered, false when it failed (the cursor then stays put).
  async poll() {
    const since = this.cursor === null ? "" : `since=${this.cursor}&`;
    const url = `${this.url}?${since}timeout_ms=${this.timeoutMs}`;
    const request = new AbortController();
    this.request = request;
    this.abandoned = false;
    // The server answers within timeout_ms; a little longer without an answer means it is lost.
    const lost = () => request.abort(new Error("no answer in time"));
    const deadline = setTimeout(lost, this.timeoutMs + 5000);
    this.onWire({ dir: "out", kind: "request", bytes: 0, text: `GET ${url}` });
    try {
      // no-store: an answer from the HTTP cache would be an old one.
      const response = await fetch(url, { cache: "no-store", signal: request.signal });
      const text = await response.text();
      if (!response.ok) throw new Error(`HTTP ${response.status}: ${text}`);
      const answer = JSON.parse(text);
      const kind = answer.events.length ? "response" : "empty";
      this.onWire({ dir: "in", kind, bytes: utf8Bytes(text), text });
      for (const event of answer.events) this.onEvent(event, text);
      this.cursor = answer.next;
      return true;
    } catch (error) {
      if (this.stopped) return false;
      const failed = `request failed (${error.message})`;
      this.onState("closed", `${failed}; next asks from since=${this.cursor}`);
      return false;
    } finally {
      clearTimeout(deadline);
    }
  }
}

// Exponential backoff with jitter: base, 2 base, 4 base... up to max, each a random time between
// half and all of it, so that clients cut off together do not all come back at the same instant.
function backoffDelay(failures, baseMs, maxMs) {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (failures - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

const utf8Bytes = (text) => new TextEncoder().encode(text).length;
