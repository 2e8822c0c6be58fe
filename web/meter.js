// What one technique delivered to this page: counts, latencies, and the holes and repeats in the
// events' seq (every technique resumes after a lost connection; none may lose or repeat an event).
const WINDOW = 500; // latencies kept for the percentiles

export class Meter {
  constructor(name) {
    this.name = name;
    this.events = 0;
    this.requests = 0; // HTTP requests sent: a poll, a stream or a WebSocket upgrade is one
    this.connections = 0; // streams and sockets opened (a poll's connection is invisible to a page)
    this.bytes = 0; // answer bodies, event data and frames received
    this.gaps = 0; // events missing from the seq sequence
    this.duplicates = 0; // events received twice
    this.byType = {}; // events by name, when the server names them (--event-types)
    this.misnamed = 0; // SSE events whose event: name is not their JSON "type"
    this.lastSeq = 0;
    this.latencies = [];
  }

  // Counts an event; false when it is a repeat, which is counted and not measured.
  event(e, latencyMs) {
    if (e.seq <= this.lastSeq) {
      this.duplicates += 1;
      return false;
    }
    if (this.lastSeq) this.gaps += e.seq - this.lastSeq - 1;
    this.lastSeq = e.seq;
    this.events += 1;
    if (e.type) this.byType[e.type] = (this.byType[e.type] ?? 0) + 1;
    this.latencies.push(latencyMs);
    if (this.latencies.length > WINDOW) this.latencies.shift();
    return true;
  }

  // The p-th percentile of the last WINDOW latencies, in ms; null before any event.
  percentile(p) {
    if (!this.latencies.length) return null;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
  }
}
