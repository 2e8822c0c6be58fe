// One technique's latency, live: each event's delay from its publish time to this page, over the
// same window as the timeline, with its p50 and p99. The charts share one log scale (0.1 ms to
// 10 s), so four orders of magnitude between techniques fit side by side and compare.
import { fitCanvas, line, withAlpha } from "./canvas.js";
import { nowMs } from "./clock.js";

const DECADES = [0.1, 1, 10, 100, 1000, 10000]; // ms, bottom to top
const AXIS_WIDTH = 44;
const PAD = 8;
const MAX_POINTS = 4000; // at most: a hidden page does not draw, and drawing prunes the old ones

export class LatencyChart {
  constructor(canvas, color, { spanMs = 10000 } = {}) {
    this.canvas = canvas;
    this.color = color;
    this.spanMs = spanMs;
    this.points = []; // {at, ms}: arrival on the wall clock, latency
  }

  add(at, ms) {
    this.points.push({ at, ms });
    if (this.points.length > MAX_POINTS) this.points.splice(0, this.points.length - MAX_POINTS);
  }

  draw(p50, p99) {
    const context = fitCanvas(this.canvas);
    const width = this.canvas.clientWidth;
    const height = this.canvas.clientHeight;
    const now = nowMs();
    const since = now - this.spanMs;
    this.points = this.points.filter((point) => point.at >= since);
    const x = (t) => AXIS_WIDTH + ((t - since) / this.spanMs) * (width - AXIS_WIDTH - PAD);
    const low = Math.log10(DECADES[0]);
    const high = Math.log10(DECADES.at(-1));
    const y = (ms) => {
      const clamped = Math.min(DECADES.at(-1), Math.max(DECADES[0], ms)); // a clock step can go below 0
      return height - PAD - ((Math.log10(clamped) - low) / (high - low)) * (height - 2 * PAD);
    };

    context.font = "10px system-ui, sans-serif";
    context.textAlign = "right";
    for (const ms of DECADES) {
      context.strokeStyle = "#eef0f4";
      line(context, AXIS_WIDTH, y(ms), width - PAD, y(ms));
      context.fillStyle = "#8a8f98";
      context.fillText(ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`, AXIS_WIDTH - 4, y(ms) + 3);
    }
    context.textAlign = "start";

    context.fillStyle = withAlpha(this.color, 0.75);
    context.beginPath(); // one path for all the points: far cheaper than a fill each
    for (const point of this.points) context.rect(x(point.at) - 1.5, y(point.ms) - 1.5, 3, 3);
    context.fill();

    for (const [label, value, dash] of [["p50", p50, [5, 3]], ["p99", p99, [1, 3]]]) {
      if (value === null) continue;
      context.strokeStyle = this.color;
      context.setLineDash(dash);
      line(context, AXIS_WIDTH, y(value), width - PAD, y(value));
      context.setLineDash([]);
      context.fillStyle = this.color;
      context.fillText(label, width - PAD - 22, y(value) - 3);
    }
  }
}
