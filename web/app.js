// The live demo: the same event stream through all four techniques at once, measured here.
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
  }
  // One event as the server encoded it: {"seq":N,"ts":ns,"data":"..."}.
  event(e) {
    if (e.seq <= this.lastSeq) return; // a poll may see an event again after a reconnect
    this.lastSeq = e.seq;
    this.events += 1;
    this.latencies.push(Date.now() - e.ts / 1e6);
    if (this.latencies.length > WINDOW) this.latencies.shift();
  }
  percentile(p) {
    if (!this.latencies.length) return null;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  }
}

const meters = Object.fromEntries(["short-poll", "long-poll", "sse", "websocket"].map((n) => [n, new Meter(n)]));
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

async function shortPolling(meter) {
  let cursor = await poll(meter, "/poll");
  for (;;) {
    await sleep(pollInterval());
    try { cursor = await poll(meter, `/poll?since=${cursor}`); } catch { await sleep(1000); }
  }
}

async function longPolling(meter) {
  let cursor = await poll(meter, "/long-poll?timeout_ms=0");
  for (;;) {
    try { cursor = await poll(meter, `/long-poll?since=${cursor}&timeout_ms=25000`); } catch { await sleep(1000); }
  }
}

function serverSentEvents(meter) {
  meter.requests += 1;
  const source = new EventSource("/sse");
  source.onmessage = (message) => {
    meter.bytes += message.data.length;
    meter.event(JSON.parse(message.data));
  };
  source.onerror = () => { meter.requests += 1; }; // EventSource reconnects by itself, with Last-Event-ID
}

function webSocket(meter) {
  meter.requests += 1;
  const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
  socket.onmessage = (message) => {
    meter.bytes += message.data.length;
    meter.event(JSON.parse(message.data));
  };
  socket.onclose = () => setTimeout(() => webSocket(meter), 1000);
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
  shortPolling(meters["short-poll"]);
  longPolling(meters["long-poll"]);
  serverSentEvents(meters.sse);
  webSocket(meters.websocket);
  setInterval(render, 250);
}

start();
window.pushbenchMeters = meters; // for the browser test
