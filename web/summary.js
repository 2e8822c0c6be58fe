// The numbers per technique, in a small table: a column per technique, a row per figure.
const ROWS = [
  ["events received", "events"], ["latency p50", "p50"], ["latency p99", "p99"],
  ["HTTP requests", "requests"], ["streams and sockets opened", "connections"],
  ["bytes received (bodies and frames)", "bytes"], ["events lost (gaps in seq)", "gaps"],
  ["events repeated", "duplicates"],
];

export class Summary {
  constructor(table, techniques) {
    const head = table.querySelector("thead tr");
    const body = table.querySelector("tbody");
    for (const t of techniques) {
      const th = document.createElement("th");
      th.textContent = t.name;
      th.title = t.summary;
      th.style.color = t.color;
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
    this.cells = [...body.querySelectorAll("td")];
  }

  render(meters) {
    for (const cell of this.cells) {
      const meter = meters[cell.dataset.t];
      const metric = cell.dataset.m;
      if (metric === "p50" || metric === "p99") {
        cell.textContent = formatMs(meter.percentile(metric === "p50" ? 50 : 99));
      } else {
        cell.textContent = meter[metric].toLocaleString("en");
        cell.classList.toggle("bad", (metric === "gaps" || metric === "duplicates") && meter[metric] > 0);
      }
    }
  }
}

export const formatMs = (ms) => {
  if (ms === null) return "-";
  return ms < 10 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`;
};
