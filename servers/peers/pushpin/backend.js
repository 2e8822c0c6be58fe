// The application behind Pushpin, as GRIP wants one: it keeps the event log (bounded), answers
// each request with what the client has missed or with a GRIP hold, and publishes each event it
// is given (POST /publish, from pushbench-publisher) to Pushpin's control API in the three
// formats Pushpin delivers. Pushpin holds the connections; this process is its backend.
//   node backend.js --port P --control-port C [--history N]
'use strict';
const http = require('http');

const flag = (name, fallback) => {
  const at = process.argv.indexOf('--' + name);
  const value = Number(at > 0 ? process.argv[at + 1] : fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name}: a positive integer, not ${process.argv[at + 1]}`);
  return value;
};
const port = flag('port');
const controlPort = flag('control-port');
const history = flag('history', 65536);  // as pushbench-server's --history
const CHANNEL = 'events';
const LONG_POLL_TIMEOUT_MS = 30000;  // the SPEC's default timeout_ms
const MAX_BODY_BYTES = 1 << 20;
const MAX_EARLY = 10000;
const REORDER_WAIT_MS = 1000;
const LISTEN_BACKLOG = 4096;
const KEEP_ALIVE_MS = 600000;  // zurl opens a connection per request: 1,000 subscribers connect at once

const log = [];  // the last `history` events, as JSON text, by seq
let latest = 0;  // seq of the newest event
const after = (since) => log.slice(Math.max(0, log.length - (latest - since)));
const sse = (seq, json) => `id: ${seq}\ndata: ${json}\n\n`;
const pollBody = (events, next) => `{"events":[${events.join(',')}],"next":${next}}`;
const control = new http.Agent({keepAlive: true, maxSockets: 1});  // one at a time: Pushpin orders items by prev-id
const stats = {published: 0, control_failures: 0};

// Events from publishers on several connections may come out of order: one that comes early
// waits for those before it, at most REORDER_WAIT_MS, then the hole is left (a gap the clients
// count). The first event received sets where the log begins.
const early = new Map();  // seq -> json
let holeTimer = null;
let chained = true;  // false after a hole: Pushpin would hold every later item waiting for the missing one

function receive(json) {
  const seq = JSON.parse(json).seq;
  if (!Number.isInteger(seq) || seq <= latest || early.has(seq)) throw new Error(`seq ${seq} is not new (at ${latest})`);
  if (early.size >= MAX_EARLY) throw new Error(`${MAX_EARLY} events wait for seq ${latest + 1}`);
  early.set(seq, json);
  if (latest === 0 && early.size === 1) latest = seq - 1;
  flush();
}

function flush() {
  while (early.has(latest + 1)) {
    const json = early.get(latest + 1);
    early.delete(latest + 1);
    publish(latest + 1, json);
  }
  clearTimeout(holeTimer);
  holeTimer = early.size ? setTimeout(() => {
    latest = Math.min(...early.keys()) - 1;  // give up on the hole
    log.length = 0;  // what came before it cannot be served with what follows
    chained = false;
    flush();
  }, REORDER_WAIT_MS) : null;
}

function publish(seq, json) {
  log.push(json);
  if (log.length > history) log.shift();
  const prev = latest;
  latest = seq;
  ++stats.published;
  const item = {channel: CHANNEL, id: String(seq), ...(chained ? {'prev-id': String(prev)} : {}), formats: {
    'http-response': {body: pollBody([json], seq)},
    'http-stream': {content: sse(seq, json)},
    'ws-message': {content: json},
  }};
  chained = true;
  const request = http.request({host: '127.0.0.1', port: controlPort, path: '/publish/', method: 'POST', agent: control,
    headers: {'Content-Type': 'application/json'}}, (answer) => {
    if (answer.statusCode !== 200) ++stats.control_failures;
    answer.resume();
  });
  request.on('error', () => ++stats.control_failures);
  request.end(JSON.stringify({items: [item]}));
}

function cursor(url, req) {
  const since = url.searchParams.get('since') ?? req.headers['last-event-id'];
  if (since === undefined || since === null) return {ok: true, value: latest};
  return /^[0-9]+$/.test(since) ? {ok: true, value: Number(since)} : {ok: false};
}

function reply(res, status, body, headers = {}) {
  res.writeHead(status, {'Content-Type': 'application/json', ...headers});
  res.end(body);
}

function longPoll(url, req, res) {
  const since = cursor(url, req);
  if (!since.ok) return reply(res, 400, '{"error":"since must be a number"}');
  const missed = after(since.value);
  const wait = Number(url.searchParams.get('timeout_ms') ?? LONG_POLL_TIMEOUT_MS);
  if (missed.length || !(wait > 0)) return reply(res, 200, pollBody(missed, latest > since.value ? latest : since.value));
  // Held by Pushpin until an event whose prev-id is this cursor; any other makes it ask again.
  reply(res, 200, pollBody([], since.value), {'Grip-Hold': 'response', 'Grip-Timeout': String(Math.ceil(wait / 1000)),
    'Grip-Channel': `${CHANNEL}; prev-id=${since.value}`});
}

function sseStream(url, req, res) {
  const since = cursor(url, req);
  if (!since.ok) return reply(res, 400, '{"error":"since must be a number"}');
  const missed = after(since.value).map((json) => sse(JSON.parse(json).seq, json)).join('');
  res.writeHead(200, {'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'Grip-Hold': 'stream',
    'Grip-Channel': CHANNEL, 'Grip-Keep-Alive': ':\\n\\n; format=cstring; timeout=15'});
  res.end('retry: 1000\n\n' + missed);
}

// WebSocket-over-HTTP: OPEN is answered with OPEN and a subscription (a GRIP control message),
// then what the client missed; Pushpin answers pings itself; CLOSE is answered with CLOSE.
const wsEvent = (type, content) =>
  content === undefined ? `${type}\r\n` : `${type} ${Buffer.byteLength(content).toString(16)}\r\n${content}\r\n`;

function webSocket(url, req, res, body) {
  if (req.headers['content-type'] !== 'application/websocket-events') return reply(res, 426, '{"error":"WebSocket only"}');
  const since = cursor(url, req);
  let out = '';
  if (body.startsWith('OPEN\r\n')) {
    if (!since.ok) return reply(res, 400, '{"error":"since must be a number"}');
    out = wsEvent('OPEN') + wsEvent('TEXT', 'c:' + JSON.stringify({type: 'subscribe', channel: CHANNEL})) +
      after(since.value).map((json) => wsEvent('TEXT', 'm:' + json)).join('');  // m: marks a message with grip on
  } else if (body.includes('CLOSE')) {
    out = wsEvent('CLOSE');
  }
  res.writeHead(200, {'Content-Type': 'application/websocket-events', 'Sec-WebSocket-Extensions': 'grip'});
  res.end(out);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  let body = '';
  req.on('data', (part) => {
    body += part;
    if (body.length > MAX_BODY_BYTES) req.destroy();
  });
  req.on('end', () => {
    try {
      if (url.pathname === '/healthz') return reply(res, 200, 'ok', {'Content-Type': 'text/plain'});
      if (url.pathname === '/stats') return reply(res, 200, JSON.stringify({...stats, latest}));
      if (url.pathname === '/publish' && req.method === 'POST') {
        receive(body);
        return reply(res, 200, JSON.stringify({seq: JSON.parse(body).seq}));
      }
      if (url.pathname === '/long-poll') return longPoll(url, req, res);
      if (url.pathname === '/sse') return sseStream(url, req, res);
      if (url.pathname === '/ws') return webSocket(url, req, res, body);
      reply(res, 404, '{"error":"no such path"}');
    } catch (error) {
      reply(res, 400, JSON.stringify({error: String(error.message)}));
    }
  });
});
server.keepAliveTimeout = KEEP_ALIVE_MS;  // zurl keeps its connections longer than Node's 5 s: a retry on a closed one is a 502
server.headersTimeout = KEEP_ALIVE_MS + 1000;
server.listen({port, host: '127.0.0.1', backlog: LISTEN_BACKLOG}, () => console.log(`backend on http://127.0.0.1:${port}`));
