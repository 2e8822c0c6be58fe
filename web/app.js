// The live demo: the same event stream through every technique at once, measured here. The
// techniques, their endpoints and summaries come from the server's table (GET /techniques); each
// has a browser client below, under its name.
"use strict";

const WINDOW = 500; // latencies kept per technique for the percentiles

class Meter {
  constructor(name) {
    this.name = name;
    this.events = 0;
    this.requests = 0;
    this.bytes = 0;
    this.latencies = [];
    this.lastSeq = 0;
    this.byType = {}; // events by name, when the server names them (--event-types)
  }
  // One event as the server encoded it: {"seq":N,"ts":ns,"data":"..."[,"type":"tK"]}.
  event(e) {
    if (e.seq <= this.lastSeq) return; // a poll may see an event again after a reconnect
    this.lastSeq = e.seq;
    this.events += 1;
    if (e.type) this.byType[e.type] = (this.byType[e.type] ?? 0) + 1;
    chat.receive(this.name, e);
    this.latencies.push(Date.now() - e.ts / 1e6);
    if (this.latencies.length > WINDOW) this.latencies.shift();
  }
  percentile(p) {
    if (!this.latencies.length) return null;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  }
}

const meters = {};
const sockets = {}; // the open WebSocket by technique name: the chat sends up it

// The chat: a message is the event's data, {"chat":text,"tab":id,"sent":ms} as JSON; every tab
// receives it through every technique, and the tab that sent it times each technique's round trip.
const chat = {
  tab: Math.random().toString(36).slice(2, 8),
  messages: new Map(), // seq -> {text, tab, via, up, arrivals: {technique: ms}}
  pending: new Map(), // sent here, by its JSON: how it went up
  send(via, text) {
    const data = JSON.stringify({ chat: text, tab: this.tab, sent: Date.now() });
    if (via === "websocket") {
      sockets.websocket.send(data);
      this.pending.set(data, { via, up: `one frame, ${new Blob([data]).size + 6} bytes` });
    } else {
      fetch(`/publish?from=${this.tab}`, { method: "POST", body: data });
      this.pending.set(data, { via, up: `one POST, ${new Blob([data]).size} body bytes + headers` });
    }
  },
  receive(technique, e) {
    let body;
    try { body = JSON.parse(e.data); } catch { return; }
    if (typeof body?.chat !== "string") return;
    if (!this.messages.has(e.seq)) {
      const sent = this.pending.get(e.data);
      this.messages.set(e.seq, { text: body.chat, tab: body.tab, via: sent?.via, up: sent?.up, arrivals: {} });
    }
    const message = this.messages.get(e.seq);
    message.arrivals[technique] = body.tab === this.tab ? Date.now() - body.sent : null;
    this.render();
  },
  render() {
    const log = document.getElementById("chat-log");
    log.replaceChildren(...[...this.messages.values()].slice(-20).reverse().map((m) => {
      const li = document.createElement("li");
      const times = Object.entries(m.arrivals).map(([t, ms]) => (ms === null ? t : `${t} ${ms} ms`)).join(", ");
      li.textContent = m.tab === this.tab
        ? `you (${m.via}, ${m.up}): ${m.text} — back through ${times}`
        : `tab ${m.tab}: ${m.text} — received through ${times}`;
      return li;
    }));
  },
};
const pollInterval = () => Math.max(50, Number(document.getElementById("interval").value) || 1000);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function poll(meter, url) {
  meter.requests += 1;
  const response = await fetch(url, { cache: "no-store" });
  const text = await response.text();
  meter.bytes += text.length;
  const body = JSON.parse(text);
  body.events.forEach((e) => meter.event(e));
  return body.next;
}

async function shortPolling(meter, path) {
  let cursor = await poll(meter, path);
  for (;;) {
    await sleep(pollInterval());
    try { cursor = await poll(meter, `${path}?since=${cursor}`); } catch { await sleep(1000); }
  }
}

async function longPolling(meter, path) {
  let cursor = await poll(meter, `${path}?timeout_ms=0`);
  for (;;) {
    try { cursor = await poll(meter, `${path}?since=${cursor}&timeout_ms=25000`); } catch { await sleep(1000); }
  }
}

// A named event (an SSE `event: tK` line) reaches only the listeners of its name, not onmessage.
function serverSentEvents(meter, path, eventTypes) {
  meter.requests += 1;
  const source = new EventSource(path);
  const receive = (message) => {
    meter.bytes += message.data.length;
    const e = JSON.parse(message.data); // several data: lines arrive joined by line breaks
    if (message.type !== "message" && message.type !== e.type) meter.misnamed = (meter.misnamed ?? 0) + 1;
    meter.event(e);
  };
  source.onmessage = receive;
  for (let k = 0; k < eventTypes; k += 1) source.addEventListener(`t${k}`, receive);
  source.onerror = () => { meter.requests += 1; }; // EventSource reconnects by itself, with Last-Event-ID
}

function webSocket(meter, path) {
  meter.requests += 1;
  const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`);
  sockets.websocket = socket;
  socket.onmessage = (message) => {
    meter.bytes += message.data.length;
    meter.event(JSON.parse(message.data));
  };
  socket.onclose = () => setTimeout(() => webSocket(meter, path), 1000);
}

// Each technique's browser client, by its name in the table.
const browserClients = {
  "short-poll": shortPolling,
  "long-poll": longPolling,
  sse: serverSentEvents,
  websocket: webSocket,
};

const ROWS = [["events received", "events"], ["latency p50", "p50"], ["latency p99", "p99"],
  ["HTTP requests", "requests"], ["bytes received (event bodies and frames)", "bytes"]];

// A column per technique of the table that this page has a client for.
function buildBoard(techniques) {
  const head = document.querySelector("#board thead tr");
  const body = document.querySelector("#board tbody");
  for (const t of techniques) {
    const th = document.createElement("th");
    th.textContent = t.name;
    th.title = t.summary;
    head.append(th);
  }
  for (const [title, metric] of ROWS) {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.textContent = title;
    tr.append(th);
    for (const t of techniques) {
      const td = document.createElement("td");
      td.dataset.t = t.name;
      td.dataset.m = metric;
      tr.append(td);
    }
    body.append(tr);
  }
}

function render() {
  for (const cell of document.querySelectorAll("td[data-t]")) {
    const meter = meters[cell.dataset.t];
    const metric = cell.dataset.m;
    if (metric === "p50" || metric === "p99") {
      const value = meter.percentile(metric === "p50" ? 50 : 99);
      cell.textContent = value === null ? "-" : `${value.toFixed(1)} ms`;
    } else {
      cell.textContent = meter[metric].toLocaleString("en");
    }
  }
}

async function setRate(rate) {
  const response = await fetch(`/publisher?rate=${rate}`, { method: "POST" });
  document.getElementById("status").textContent = response.ok ? `publishing ${rate}/s` : "rate refused";
}

async function start() {
  const current = await (await fetch("/publisher")).json();
  const rateInput = document.getElementById("rate");
  rateInput.value = current.rate;
  rateInput.addEventListener("change", () => setRate(Number(rateInput.value)));
  document.getElementById("status").textContent = `publishing ${current.rate}/s`;
  const table = await (await fetch("/techniques")).json();
  const { event_types: eventTypes } = await (await fetch("/stats")).json();
  const techniques = table.techniques.filter((t) => browserClients[t.name]);
  buildBoard(techniques);
  for (const t of techniques) {
    meters[t.name] = new Meter(t.name);
    browserClients[t.name](meters[t.name], t.path, eventTypes);
  }
  const via = document.getElementById("chat-via");
  via.replaceChildren(...techniques.map((t) => new Option(t.name, t.name)));
  via.value = "websocket";
  document.getElementById("chat-send").addEventListener("click",
    () => chat.send(via.value, document.getElementById("chat-text").value));
  render();
  setInterval(render, 250);
}

start();
window.pushbenchMeters = meters; // for the browser test
window.pushbenchChat = chat;
