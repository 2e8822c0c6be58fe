// The Socket.IO reference peer: publishes the SPEC's events with io.emit("event", E) at --rate,
// on the default path /socket.io/, over both transports (websocket and polling). Prints the
// SPEC's "listening on" line so the harness can run it as an external server.
//   node server.js [--port P] [--rate R] [--payload B]
"use strict";
const http = require("node:http");
const { Server } = require("socket.io");

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value < 0) {
    process.stderr.write(`socketio/server.js: --${name}: '${process.argv[at + 1]}' is not a number\n`);
    process.exit(2);
  }
  return value;
}

const port = option("port", 0);
const rate = option("rate", 10);
const payload = "x".repeat(option("payload", 64));
const httpServer = http.createServer();
const io = new Server(httpServer, { serveClient: false, maxHttpBufferSize: 1e6 });

// Open loop, as pushbench-server's publisher: event i at t0 + i/rate, ts its scheduled time.
const t0Mono = process.hrtime.bigint();
const t0Real = BigInt(Date.now()) * 1000000n;
let next = 0;
function publishDue() {
  if (rate <= 0) return;
  const now = process.hrtime.bigint() - t0Mono;
  for (;;) {
    const due = BigInt(Math.round((next * 1e9) / rate));
    if (due > now) {
      setTimeout(publishDue, Math.max(0, Number(due - now) / 1e6));
      return;
    }
    next += 1;
    // ts as a double: nanoseconds since 1970 exceed 2^53, so it is rounded to 256 ns, far below
    // the latencies measured.
    io.emit("event", { seq: next, ts: Number(t0Real + due), data: payload });
  }
}

httpServer.listen(port, "127.0.0.1", () => {
  process.stdout.write(`listening on http://127.0.0.1:${httpServer.address().port}\n`);
  publishDue();
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => io.close(() => process.exit(0)));
}
