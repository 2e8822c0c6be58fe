// The live demo: the same event stream through every technique at once. Each technique's browser
// client (clients/short-poll.js, long-poll.js, sse.js, websocket.js; the docs quote them) reports
// what it sends and receives through its callbacks; this file counts it, draws it and wires up the
// controls. The server serves plain names only (/demo/NAME), so web/NAME.js links to clients/NAME.js.
import { createChat } from "./chat.js";
import { nowMs } from "./clock.js";
import { LatencyChart } from "./latency-chart.js";
import { LongPollClient } from "./clients/long-poll.js";
import { Meter } from "./meter.js";
import { RawPanel } from "./raw-panel.js";
import { ShortPollClient } from "./clients/short-poll.js";
import { SseClient } from "./clients/sse.js";
import { Summary, formatMs } from "./summary.js";
import { Timeline } from "./timeline.js";
import { WebSocketClient } from "./clients/websocket.js";

const FRAME_MS = 1000 / 30 - 2; // a little under a 30th of a second: every other frame at 60 Hz
const COLORS = { "short-poll": "#e4572e", "long-poll": "#d99a06", sse: "#159a8c", websocket: "#4c5fd5" };

// Each technique's client, by its name in the server's table (GET /techniques).
const CLIENTS = {
  "short-poll": (t, callbacks) => new ShortPollClient({ url: t.path, intervalMs: pollInterval(), ...callbacks }),
  "long-poll": (t, callbacks) => new LongPollClient({ url: t.path, timeoutMs: 25000, ...callbacks }),
  sse: (t, callbacks, eventNames) => new SseClient({ url: t.path, eventNames, ...callbacks }),
  websocket: (t, callbacks) => new WebSocketClient({ url: t.path, quietMs: 15000, ...callbacks }),
};

const meters = {}; // by technique: what the page received
const clients = {}; // by technique: its running client
const intervalInput = document.getElementById("interval");
const windowMs = () => Number(document.getElementById("window").value) * 1000; // what the drawings show
const pollInterval = () => Math.max(50, Number(intervalInput.value) || 1000);
const getJson = async (url) => (await fetch(url)).json();

// Listening before anything else, so that no change of the interval is missed.
intervalInput.addEventListener("input", () => {
  if (clients["short-poll"]) clients["short-poll"].intervalMs = pollInterval();
});

async function start() {
  const [publisher, table, stats] = await Promise.all(["/publisher", "/techniques", "/stats"].map(getJson));
  setUpRateControl(publisher.rate);
  const techniques = table.techniques.filter((t) => CLIENTS[t.name]).map((t) => ({ ...t, color: COLORS[t.name] }));
  const eventNames = Array.from({ length: stats.event_types }, (_, k) => `t${k}`); // --event-types
  const views = {
    timeline: new Timeline(document.getElementById("timeline"), techniques, { spanMs: windowMs() }),
    charts: buildLatencyCharts(document.getElementById("latency"), techniques),
    raw: new RawPanel(document.getElementById("raw"), techniques),
    summary: new Summary(document.getElementById("board"), techniques),
    chat: createChat(document.getElementById("chat-log"), (data) => clients.websocket?.send(data) ?? false),
  };
  for (const t of techniques) {
    meters[t.name] = new Meter(t.name);
    clients[t.name] = CLIENTS[t.name](t, callbacks(t.name, views), eventNames);
    clients[t.name].start();
  }
  setUpDropControl(views.timeline);
  setUpWindowControl(views);
  setUpChat(views.chat, techniques);
  animate(views);
  window.pushbenchChat = views.chat;
  window.pushbenchTimeline = { marks: (name) => views.timeline.marks(name) };
}

// What a technique's client reports, counted in its meter and shown in every view.
function callbacks(name, { timeline, charts, raw, chat }) {
  const meter = meters[name];
  return {
    onWire(wire) {
      if (wire.dir === "out" && wire.kind === "request") meter.requests += 1;
      if (wire.dir === "in" && wire.kind === "open") meter.connections += 1;
      if (wire.dir === "in") meter.bytes += wire.bytes;
      timeline.wire(name, wire);
      raw.add(name, wire.dir, wire.text);
    },
    onEvent(event, carrier) {
      const arrived = nowMs();
      const latency = arrived - event.ts / 1e6;
      // An SSE event's event: name must be its JSON "type" (unnamed ones arrive as "message").
      const named = carrier instanceof MessageEvent && carrier.type !== "message";
      if (named && carrier.type !== event.type) meter.misnamed += 1;
      if (!meter.event(event, latency)) return;
      timeline.delivered(name, event.ts / 1e6, arrived);
      charts[name].chart.add(arrived, latency);
      chat.receive(name, event);
    },
    onState(state, why) {
      timeline.state(name, state);
      raw.add(name, "state", `${state}: ${why}`);
    },
  };
}

// The numbers are redrawn four times a second; the drawings scroll, so 30 times a second.
function animate({ timeline, charts, raw, summary }) {
  const percentiles = {};
  setInterval(() => {
    for (const [name, { caption }] of Object.entries(charts)) {
      percentiles[name] = [meters[name].percentile(50), meters[name].percentile(99)];
      caption.textContent = `p50 ${formatMs(percentiles[name][0])} · p99 ${formatMs(percentiles[name][1])}`;
    }
    summary.render(meters);
    raw.render();
  }, 250);
  // Drawing takes the main thread, where arriving events wait until it is done (and are measured
  // late): 30 frames a second rather than 60 scroll smoothly enough and take half the time.
  let drawn = 0;
  const draw = (time) => {
    if (time - drawn >= FRAME_MS) {
      drawn = time;
      timeline.draw();
      for (const [name, { chart }] of Object.entries(charts)) chart.draw(...(percentiles[name] ?? [null, null]));
    }
    requestAnimationFrame(draw);
  };
  requestAnimationFrame(draw);
}

function buildLatencyCharts(container, techniques) {
  return Object.fromEntries(techniques.map((t) => {
    const figure = document.createElement("figure");
    figure.style.setProperty("--technique", t.color);
    const title = document.createElement("figcaption");
    const name = document.createElement("strong");
    name.textContent = t.name;
    const caption = document.createElement("span");
    title.append(name, caption);
    const canvas = document.createElement("canvas");
    figure.append(title, canvas);
    container.append(figure);
    return [t.name, { chart: new LatencyChart(canvas, t.color, { spanMs: windowMs() }), caption }];
  }));
}

function setUpRateControl(rate) {
  const input = document.getElementById("rate");
  const status = document.getElementById("status");
  input.value = rate;
  status.textContent = `publishing ${rate}/s`;
  input.addEventListener("change", async () => {
    const response = await fetch(`/publisher?rate=${Number(input.value)}`, { method: "POST" });
    status.textContent = response.ok ? `publishing ${Number(input.value)}/s` : "rate refused";
  });
}

function setUpWindowControl({ timeline, charts }) {
  document.getElementById("window").addEventListener("change", () => {
    timeline.spanMs = windowMs();
    for (const { chart } of Object.values(charts)) chart.spanMs = windowMs();
  });
}

// Every client closes what it has open and resumes its own way, from the last event it saw.
function setUpDropControl(timeline) {
  document.getElementById("drop").addEventListener("click", () => {
    timeline.drop();
    for (const client of Object.values(clients)) client.reconnect();
  });
}

function setUpChat(chat, techniques) {
  const via = document.getElementById("chat-via");
  via.replaceChildren(...techniques.map((t) => new Option(t.name, t.name)));
  via.value = "websocket";
  document.getElementById("chat-send").addEventListener("click",
    () => chat.send(via.value, document.getElementById("chat-text").value));
}

window.pushbenchMeters = meters; // for the browser test, with pushbenchChat and pushbenchTimeline
start();
