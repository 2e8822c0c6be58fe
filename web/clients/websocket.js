// WebSocket: one HTTP Upgrade, then a full-duplex connection; the server sends one text frame per
// event. GET /ws[?since=N] with Upgrade: websocket; text the page sends is published to everyone.
//
// Callbacks: onEvent(event, messageEvent) for each event; onWire({dir, kind, bytes, text}) for the
// upgrade request (dir "out", kind "request"), its 101 answer (dir "in", kind "open"), each frame
// received (dir "in", kind "frame") and each one sent (dir "out", kind "frame"); onState(state,
// why) with state "connecting", "open", "closed", "waiting" or "stopped".
export class WebSocketClient {
  constructor({
    url = "/ws", quietMs = 30000, backoffMs = 500, maxBackoffMs = 30000,
    onEvent = () => {}, onWire = () => {}, onState = () => {},
  } = {}) {
    Object.assign(this, { url, quietMs, backoffMs, maxBackoffMs, onEvent, onWire, onState });
    this.socket = null;
    this.lastSeq = null; // the last event's seq; where to resume
    this.failures = 0; // connections lost in a row, for the backoff
    this.retryTimer = null;
    this.watchdog = null;
    this.stopped = true;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.watchdog);
    this.socket?.close(1000, "bye"); // a page may send 1000 or 3000-4999
    this.onState("stopped", "closed by the page");
  }

  // Closes the connection; onclose then connects again after the last event seen.
  reconnect() {
    this.socket?.close(4000, "reconnect");
  }

  // Sends a text frame (this server publishes it to every subscriber); false when there is no
  // open connection to send it on.
  send(text) {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(text);
    this.onWire({ dir: "out", kind: "frame", bytes: utf8Bytes(text), text });
    return true;
  }

  connect() {
    const since = this.lastSeq === null ? "" : `?since=${this.lastSeq}`;
    // wss: from an https page (a secure page may not open a plain ws: socket), ws: otherwise.
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}${this.url}${since}`);
    this.socket = socket;
    const text = `GET ${this.url}${since} (Upgrade: websocket)`;
    this.onWire({ dir: "out", kind: "request", bytes: 0, text });
    this.onState("connecting", "upgrade sent");

    socket.onopen = () => {
      this.failures = 0;
      this.onWire({ dir: "in", kind: "open", bytes: 0, text: "101 Switching Protocols" });
      this.onState("open", "connected");
      this.watch(socket);
    };

    socket.onmessage = (message) => {
      this.watch(socket);
      const event = JSON.parse(message.data);
      this.lastSeq = event.seq;
      const text = message.data;
      this.onWire({ dir: "in", kind: "frame", bytes: utf8Bytes(text), text });
      this.onEvent(event, message);
    };

    // onerror tells nothing about the cause (on purpose); onclose always follows it.
    socket.onerror = () => {};

    socket.onclose = (close) => {
      clearTimeout(this.watchdog);
      // code and reason come from the peer's close frame (ours echoes the code, not the reason).
      // 1006 is never sent on the wire: the browser reports it when the connection ended without
      // a close frame (wasClean false).
      this.onState("closed", `close ${close.code} "${close.reason}", wasClean ${close.wasClean}`);
      if (!this.stopped) this.retry();
    };
  }

  // Browsers cannot send WebSocket pings, and the server's pings never reach the page (the
  // browser answers them), so silence is all a page can notice of a dead connection: after
  // quietMs without a frame, drop this socket and connect again. Choose quietMs above the longest
  // quiet the application expects: with nothing published, this reconnects for nothing (cheaply).
  // Do not send a heartbeat message instead: this server publishes every text message a client
  // sends to every subscriber.
  watch(socket) {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      // A dead connection would hold close() in its closing handshake, so leave it behind.
      socket.onclose = null;
      socket.onmessage = null;
      socket.close(4001, "quiet too long");
      this.onState("closed", `nothing for ${this.quietMs / 1000} s: connecting again`);
      this.retry();
    }, this.quietMs);
  }

  retry() {
    this.failures += 1;
    const delay = backoffDelay(this.failures, this.backoffMs, this.maxBackoffMs);
    const seconds = (delay / 1000).toFixed(1);
    this.onState("waiting", `reconnecting with ?since=${this.lastSeq ?? ""} in ${seconds} s`);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }
}

// Exponential backoff with jitter: base, 2 base, 4 base... up to max, each a random time between
// half and all of it, so that clients cut off together do not all come back at the same instant.
function backoffDelay(failures, baseMs, maxMs) {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (failures - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

const utf8Bytes = (text) => new TextEncoder().encode(text).length;
