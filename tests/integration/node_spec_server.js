// A SPEC server (SSE, short and long polling, /publish, /healthz, /stats) on Node.js's own http
// module, as most servers stream: to test that `pushbench verify` reads HTTP as it is sent.
//   node node_spec_server.js --framing chunked|close|length --line-end crlf|lf|cr
// framing: how bodies are delimited (Node's default is chunked; `length` applies to the poll
// answers, a stream cannot have one); line-end: how the SSE lines end.
'use strict';
const http = require('http');

const option = (name, choices) => {
  const at = process.argv.indexOf('--' + name);
  const value = at > 0 ? process.argv[at + 1] : choices[0];
  if (!choices.includes(value)) throw new Error(`--${name}: ${value} is not one of ${choices}`);
  return value;
};
const framing = option('framing', ['chunked', 'close', 'length']);
const eol = {crlf: '\r\n', lf: '\n', cr: '\r'}[option('line-end', ['crlf', 'lf', 'cr'])];

const log = [];
const streams = new Set();
const waiting = new Set();  // held long polls: {since, answer}

const sseEvent = (e) => `id: ${e.seq}${eol}data: ${JSON.stringify(e)}${eol}${eol}`;
const after = (since) => log.filter((e) => e.seq > since);

function begin(res, status, type) {
  if (framing === 'close') {
    res.useChunkedEncodingByDefault = false;
    res.shouldKeepAlive = false;
  }
  res.writeHead(status, {'content-type': type, 'cache-control': 'no-cache'});
}

// A whole answer: with Content-Length, or written in two parts so that it goes chunked (or
// close-delimited) the way a streaming framework would send it.
function answer(res, status, body) {
  const text = JSON.stringify(body);
  if (framing === 'length') {
    res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)});
    return res.end(text);
  }
  begin(res, status, 'application/json');
  res.write(text.slice(0, 5));
  res.end(text.slice(5));
}

function publish(data) {
  const e = {seq: log.length + 1, ts: Number(process.hrtime.bigint() - start.mono + start.real), data};
  log.push(e);
  for (const res of streams) res.write(sseEvent(e));
  for (const poll of waiting) poll.answer();
  return e.seq;
}
const start = {mono: process.hrtime.bigint(), real: BigInt(Date.now()) * 1000000n};

function cursor(query, res) {
  const since = query.get('since');
  if (since !== null && !/^[0-9]+$/.test(since)) {
    answer(res, 400, {error: 'since must be a number'});
    return undefined;
  }
  return since === null ? null : Number(since);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const query = url.searchParams;
  if (url.pathname === '/healthz') return res.end('ok');
  if (url.pathname === '/stats') {
    return answer(res, 200, {connections: streams.size + waiting.size, published: log.length, delivered: 0, bytes_out: 0});
  }
  if (url.pathname === '/publish') {
    if (req.method !== 'POST') return answer(res, 405, {error: 'POST only'});
    let body = '';
    req.on('data', (part) => { body += part; });
    return req.on('end', () => answer(res, 200, {seq: publish(body)}));
  }
  if (url.pathname === '/poll' || url.pathname === '/long-poll') {
    const since = cursor(query, res);
    if (since === undefined) return;
    const from = since === null ? log.length : since;
    const reply = () => {
      const events = after(from);
      answer(res, 200, {events, next: events.length ? events[events.length - 1].seq : from});
    };
    if (url.pathname === '/poll' || after(from).length) return reply();
    const poll = {answer: () => { waiting.delete(poll); clearTimeout(poll.timer); reply(); }};
    poll.timer = setTimeout(poll.answer, Number(query.get('timeout_ms') ?? 30000));
    waiting.add(poll);
    return req.on('close', () => { waiting.delete(poll); clearTimeout(poll.timer); });
  }
  if (url.pathname === '/sse') {
    const since = cursor(query, res);
    if (since === undefined) return;
    const resume = since ?? (req.headers['last-event-id'] ? Number(req.headers['last-event-id']) : null);
    begin(res, 200, 'text/event-stream');
    res.write(`retry: 1000${eol}${eol}`);
    if (resume !== null) for (const e of after(resume)) res.write(sseEvent(e));
    streams.add(res);
    return req.on('close', () => streams.delete(res));
  }
  answer(res, 404, {error: 'no such path'});
});
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
