// The shared timeline: a lane per technique, scrolling right to left, where every request,
// answer, frame and event is drawn when it happens, with a line from each event's publish time
// (its ts) down to its arrival. What a technique costs is seen rather than told.
import { fitCanvas, line, withAlpha } from "./canvas.js";
import { nowMs } from "./clock.js";

const LANE_HEIGHT = 66;
const LABEL_WIDTH = 138;
const AXIS_HEIGHT = 22;
const MAX_MARKS = 4000; // per lane: a high rate, or a hidden page that draws nothing, is bounded
const CLOSED_COLOR = "#d62839";
const KINDS = ["request", "sent", "open", "response", "empty", "frame", "event", "publish", "closed"];

export class Timeline {
  constructor(canvas, lanes, { spanMs = 10000 } = {}) {
    this.canvas = canvas;
    this.spanMs = spanMs;
    this.drops = []; // when the page dropped every connection
    this.lanes = new Map(lanes.map(({ name, color }, index) => [name, {
      name, color, index, state: "starting",
      marks: [], // {kind, at[, arrived]}: at is the wall clock in ms
      spans: [], // {from, to}: a request or a connection open, to is null while it is
      counts: Object.fromEntries(KINDS.map((kind) => [kind, 0])),
    }]));
    canvas.style.height = `${lanes.length * LANE_HEIGHT + AXIS_HEIGHT}px`;
  }

  // A client's onWire: a request or frame sent, an answer, a stream's start, a frame or event.
  wire(name, { dir, kind }) {
    const lane = this.lanes.get(name);
    const at = nowMs();
    const mark = dir === "out" ? (kind === "request" ? "request" : "sent") : kind;
    this.add(lane, { kind: mark, at });
    if (mark === "request" && !openSpan(lane)) lane.spans.push({ from: at, to: null });
    if (dir === "in") lane.state = "receiving";
    if (mark === "response" || mark === "empty") this.endSpan(lane, at); // a poll is over
  }

  // A client's onState: a lost or closed connection ends its span and is marked.
  state(name, state) {
    const lane = this.lanes.get(name);
    lane.state = state;
    if (state === "closed") this.add(lane, { kind: "closed", at: nowMs() });
    if (["closed", "waiting", "stopped"].includes(state)) this.endSpan(lane, nowMs());
  }

  // An event that reached this lane: published at publishedMs (its ts), received at arrivedMs.
  delivered(name, publishedMs, arrivedMs) {
    this.add(this.lanes.get(name), { kind: "publish", at: publishedMs, arrived: arrivedMs });
  }

  // The page dropped every connection: a line across all lanes.
  drop() {
    this.drops.push(nowMs());
  }

  // The marks made so far in a lane, by kind (what the browser test reads).
  marks(name) {
    return { ...this.lanes.get(name).counts };
  }

  add(lane, mark) {
    lane.counts[mark.kind] += 1;
    lane.marks.push(mark);
    if (lane.marks.length > MAX_MARKS) lane.marks.splice(0, lane.marks.length - MAX_MARKS);
  }

  endSpan(lane, at) {
    const span = openSpan(lane);
    if (span) span.to = at;
  }

  draw() {
    const context = fitCanvas(this.canvas);
    const width = this.canvas.clientWidth;
    const now = nowMs();
    const since = now - this.spanMs;
    const plotWidth = width - LABEL_WIDTH - 10;
    const x = (t) => LABEL_WIDTH + ((t - since) / this.spanMs) * plotWidth;
    const lanesHeight = this.lanes.size * LANE_HEIGHT;

    this.drawAxis(context, x, now, lanesHeight);
    for (const lane of this.lanes.values()) {
      prune(lane, since - 2000); // a publish line may start just off the left edge
      this.drawLane(context, lane, x, since, width);
    }
    context.save();
    context.strokeStyle = CLOSED_COLOR;
    context.fillStyle = CLOSED_COLOR;
    context.setLineDash([4, 3]);
    context.font = "11px system-ui, sans-serif";
    this.drops = this.drops.filter((at) => at > since);
    for (const at of this.drops) {
      line(context, x(at), 0, x(at), lanesHeight);
      context.fillText("dropped", x(at) + 4, 10);
    }
    context.restore();
  }

  drawAxis(context, x, now, lanesHeight) {
    context.font = "11px system-ui, sans-serif";
    context.textAlign = "center";
    context.fillStyle = "#8a8f98";
    const labelEvery = Math.max(1, Math.round(this.spanMs / 5000)); // seconds between labels
    for (let ago = 1; ago * 1000 < this.spanMs; ago += 1) {
      const t = now - ago * 1000;
      context.strokeStyle = "#eef0f4";
      line(context, x(t), 0, x(t), lanesHeight);
      if (ago % labelEvery === 0) context.fillText(`${ago} s ago`, x(t), lanesHeight + 15);
    }
    context.fillText("now", x(now) - 8, lanesHeight + 15);
    context.textAlign = "start";
  }

  drawLane(context, lane, x, since, width) {
    const top = lane.index * LANE_HEIGHT;
    const rows = { publish: top + 9, baseline: top + 38 }; // the server's row, then this page's
    context.fillStyle = lane.index % 2 ? "#fbfbfd" : "#f5f6fa";
    context.fillRect(0, top, width, LANE_HEIGHT);
    drawLabel(context, lane, since, top);
    context.save();
    context.beginPath();
    context.rect(LABEL_WIDTH, top, width - LABEL_WIDTH, LANE_HEIGHT);
    context.clip();
    context.fillStyle = withAlpha(lane.color, 0.2);
    for (const span of lane.spans) {
      const from = x(span.from);
      context.fillRect(from, rows.baseline - 4, x(span.to ?? nowMs()) - from, 8);
    }
    drawPublishLines(context, lane, x, rows);
    drawMarks(context, lane, x, rows.baseline);
    context.restore();
  }
}

// The technique's name, its client's state, and what it cost in the window.
function drawLabel(context, lane, since, top) {
  context.fillStyle = lane.color;
  context.font = "600 14px system-ui, sans-serif";
  context.fillText(lane.name, 12, top + 26);
  context.fillStyle = "#6b7280";
  context.font = "12px system-ui, sans-serif";
  context.fillText(lane.state, 12, top + 46);
  const shown = lane.marks.filter((mark) => mark.at >= since);
  const requests = shown.filter((mark) => mark.kind === "request").length;
  const events = shown.filter((mark) => mark.kind === "publish").length;
  context.fillText(`${requests} req, ${events} events`, 12, top + 60);
}

// Each event: a tick when the server published it, and a line down to when it arrived here.
function drawPublishLines(context, lane, x, rows) {
  const publishes = lane.marks.filter((mark) => mark.kind === "publish");
  context.lineWidth = 1;
  context.strokeStyle = withAlpha(lane.color, 0.35);
  strokePath(context, publishes, (mark) => {
    context.moveTo(x(mark.at), rows.publish);
    context.lineTo(x(mark.arrived), rows.baseline);
  });
  context.strokeStyle = "#9aa0aa";
  strokePath(context, publishes, (mark) => {
    context.moveTo(x(mark.at), rows.publish - 4);
    context.lineTo(x(mark.at), rows.publish + 2);
  });
}

// The shapes, as the page's legend shows them: ▲ a request sent, △ a frame sent, ■ a stream or
// socket open, ● events received, ○ an empty answer, ✕ a connection or request ended. One path
// per kind, filled or stroked once: a path per mark would take so long to draw that the events
// waiting behind it would be measured late.
function drawMarks(context, lane, x, baseline) {
  const ofKind = (...kinds) => lane.marks.filter((mark) => kinds.includes(mark.kind));
  const dot = (mark) => circle(context, x(mark.at), baseline, 3.5);
  context.fillStyle = lane.color;
  context.strokeStyle = lane.color;
  context.lineWidth = 1.5;
  fillPath(context, ofKind("request"), (mark) => triangle(context, x(mark.at), baseline + 13, 5));
  strokePath(context, ofKind("sent"), (mark) => triangle(context, x(mark.at), baseline + 13, 5));
  fillPath(context, ofKind("open"), (mark) => context.rect(x(mark.at) - 4, baseline - 4, 8, 8));
  fillPath(context, ofKind("response", "frame", "event"), dot);
  const empties = ofKind("empty");
  context.fillStyle = "#fff";
  fillPath(context, empties, dot);
  strokePath(context, empties, dot);
  context.strokeStyle = CLOSED_COLOR;
  context.lineWidth = 2;
  strokePath(context, ofKind("closed"), (mark) => cross(context, x(mark.at), baseline, 4));
  context.lineWidth = 1;
}

function fillPath(context, marks, trace) {
  context.beginPath();
  marks.forEach(trace);
  context.fill();
}

function strokePath(context, marks, trace) {
  context.beginPath();
  marks.forEach(trace);
  context.stroke();
}

const openSpan = (lane) => lane.spans.find((span) => span.to === null);

function prune(lane, before) {
  const firstKept = lane.marks.findIndex((mark) => Math.max(mark.at, mark.arrived ?? 0) >= before);
  lane.marks.splice(0, firstKept === -1 ? lane.marks.length : firstKept);
  lane.spans = lane.spans.filter((span) => span.to === null || span.to >= before);
}

function triangle(context, x, y, size) {
  context.moveTo(x, y - size);
  context.lineTo(x + size, y + size * 0.8);
  context.lineTo(x - size, y + size * 0.8);
  context.closePath();
}

function circle(context, x, y, radius) {
  context.moveTo(x + radius, y);
  context.arc(x, y, radius, 0, 2 * Math.PI);
}

function cross(context, x, y, size) {
  context.moveTo(x - size, y - size);
  context.lineTo(x + size, y + size);
  context.moveTo(x - size, y + size);
  context.lineTo(x + size, y - size);
}
