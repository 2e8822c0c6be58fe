// Ajax short polling: ask "anything after N?" on a fixed schedule and get an answer at once,
// often an empty one. GET /poll?since=N answers {"events":[...],"next":M}; M is the next cursor.
//
// Callbacks: onEvent(event, bodyText) for each event; onWire({dir, kind, bytes, text}) for each
// request sent (dir "out", kind "request") and answer received (dir "in", kind "response", or
// "empty" when it carried no event); onState(state, why) when a poll fails ("closed") and when
// reconnect() finds no poll in flight ("idle").
export class ShortPollClient {
  constructor({
    url = "/poll", intervalMs = 1000,
    onEvent = () => {}, onWire = () => {}, onState = () => {},
  } = {}) {
    // intervalMs is read before each wait, so it can be changed while polling.
    Object.assign(this, { url, intervalMs, onEvent, onWire, onState });
    this.cursor = null; // the last answer's "next"; null asks for the events from now on
    this.inFlight = null; // the AbortController of the poll waiting for its answer
    this.timer = null;
    this.stopped = true;
  }

  start() {
    this.stopped = false;
    this.due = performance.now();
    this.tick();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.inFlight?.abort(new Error("stopped"));
    this.onState("stopped", "polling stopped");
  }

  // Abandons the poll in flight, if any: the next poll asks again from the same cursor.
  reconnect() {
    if (this.inFlight) this.inFlight.abort(new Error("abandoned by reconnect()"));
    else this.onState("idle", `nothing open between polls; next asks from since=${this.cursor}`);
  }

  async tick() {
    await this.poll();
    if (this.stopped) return;
    // The next slot is counted from this poll's due time, not from its answer, so a slow answer
    // does not shift the schedule; slots it overran are skipped rather than sent in a burst.
    const now = performance.now();
    this.due += this.intervalMs * (Math.floor((now - this.due) / this.intervalMs) + 1);
    this.timer = setTimeout(() => this.tick(), this.due - now);
  }

  async poll() {
    const url = this.cursor === null ? this.url : `${this.url}?since=${this.cursor}`;
    this.inFlight = new AbortController();
    this.onWire({ dir: "out", kind: "request", bytes: 0, text: `GET ${url}` });
    try {
      // no-store: an answer from the HTTP cache would be an old one.
      const response = await fetch(url, { cache: "no-store", signal: this.inFlight.signal });
      const text = await response.text();
      if (!response.ok) throw new Error(`HTTP ${response.status}: ${text}`);
      const answer = JSON.parse(text);
      const kind = answer.events.length ? "response" : "empty";
      this.onWire({ dir: "in", kind, bytes: utf8Bytes(text), text });
      for (const event of answer.events) this.onEvent(event, text);
      this.cursor = answer.next;
    } catch (error) {
      // Nothing is lost: the cursor did not move, so the next poll asks for the same events.
      if (this.stopped) return;
      this.onState("closed", `poll failed (${error.message}); next asks from since=${this.cursor}`);
    } finally {
      this.inFlight = null;
    }
  }
}

const utf8Bytes = (text) => new TextEncoder().encode(text).length;
