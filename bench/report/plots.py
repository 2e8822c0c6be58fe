"""The report's figures. Each function writes one PNG into the run folder and returns its name,
or None when the run has no data for it. Failed points are left out of lines and named under
the figure; points whose client was saturated are drawn hollow."""
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from harness import hdr  # noqa: E402

from .table import MARKERS, STYLES, label, over, series  # noqa: E402


def _finish(fig, ax, out_dir, name, title, failed):
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    if failed:
        fig.text(0.01, 0.01, "failed, not shown: " + "; ".join(failed)[:200], fontsize=7, color="red")
    fig.tight_layout(rect=(0, 0.03 if failed else 0, 1, 1))
    fig.savefig(out_dir / name, dpi=90)
    plt.close(fig)
    return name


def _failed(rows):
    return [f"{r['technique']}/{r['backend']} {r['connections']} conns" for r in rows if r["status"] == "failed"]


def _line(ax, key, rows, x, y, scale=1.0, linestyle=None):
    ok = [r for r in rows if r["status"] != "failed" and r.get(y) is not None]
    if not ok:
        return
    backend = key[1]
    ax.plot([r[x] for r in ok], [r[y] * scale for r in ok], linestyle or STYLES.get(backend, "-"),
            color=ok[0]["colour"], marker="x" if ok[0]["tls"] else MARKERS.get(backend, "o"), label=label(ok[0]))
    # Rings on the points whose numbers need a caveat.
    for caveat, chosen, edge in (("client saturated", [r for r in ok if r["saturated"]], "black"),
                                 ("delivered < 90%", [r for r in ok if (r.get("delivery_ratio") or 1) < 0.9], "red")):
        if chosen:
            shown = caveat in ax.get_legend_handles_labels()[1]
            ax.plot([r[x] for r in chosen], [r[y] * scale for r in chosen], "o", markersize=12, markerfacecolor="none",
                    markeredgecolor=edge, label=None if shown else caveat)


def percentile_spectra(rows, out_dir):
    """One HdrHistogram-style spectrum per setting (connections, rate, payload), techniques overlaid."""
    names = []
    groups = {}
    for row in rows:
        setting = (row["connections"], row["rate"], row["payload"], row["poll_interval_s"], row["network"])
        groups.setdefault(setting, []).append(row)
    for (connections, rate, payload, interval, network), group in sorted(groups.items()):
        fig, ax = plt.subplots(figsize=(8, 4.5))
        for row in group:
            if row["histogram"] is None:
                continue
            spectrum = [(v, p) for v, p in hdr.Histogram(row["histogram"]).spectrum() if p < 100]
            if not spectrum:
                continue
            ax.plot([1 / (1 - p / 100) for _, p in spectrum], [v / 1e6 for v, _ in spectrum],
                    STYLES.get(row["backend"], "-"), color=row["colour"],
                    label=label(row) + (" (client saturated)" if row["saturated"] else ""))
        ax.set_xscale("log")
        ax.set_yscale("log")  # short polling's interval-sized latencies beside the others' milliseconds
        ticks = [1, 2, 10, 100, 1000, 10000, 100000]
        ax.set_xticks(ticks, ["0%", "50%", "90%", "99%", "99.9%", "99.99%", "99.999%"])
        ax.set_xlabel("percentile")
        ax.set_ylabel("latency (ms)")
        name = f"spectrum_{connections}c_{rate:g}r_{payload}b_{interval:g}i" + \
            (f"_{network}" if network != "lan" else "") + ".png"
        names.append(_finish(fig, ax, out_dir, name, f"Latency by percentile: {connections} connections, "
                             f"{rate:g} events/s, {payload} B{over(group[0])}", _failed(group)))
    return names


X_LABELS = {"connections": "connections", "rate": "publish rate (events/s)",
            "rtt_ms": "round trip of the network profile (ms)"}


def metric_against(rows, out_dir, x, metrics, ylabel, title, name, log_x=True, log_y=False, where=lambda r: True):
    """Each technique's metric(s) against x; None when x takes fewer than two values."""
    chosen = [r for r in rows if where(r)]
    if len({r[x] for r in chosen}) < 2:
        return None
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for key, group in series(chosen, x).items():
        for metric, style, scale in metrics:
            before = len(ax.lines)
            _line(ax, key, group, x, metric, scale, style)
            if len(metrics) > 1 and len(ax.lines) > before:
                ax.lines[before].set_label(f"{label(group[0])} {metric.split('_')[-2]}")
    if log_x:
        ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
    ax.set_xlabel(X_LABELS[x])
    ax.set_ylabel(ylabel)
    return _finish(fig, ax, out_dir, name, title, _failed(chosen))


def bars(rows, out_dir, metric, ylabel, title, name, scale=1.0):
    """One bar per point: for runs with a single setting per technique (and as a table in pictures)."""
    ok = [r for r in rows if r["status"] != "failed" and r.get(metric) is not None]
    if not ok:
        return None
    fig, ax = plt.subplots(figsize=(max(6, 0.6 * len(ok)), 4.5))
    labels = [f"{r['technique']}\n{r['backend']}\n{r['connections']}c{over(r)}" for r in ok]
    ax.bar(range(len(ok)), [r[metric] * scale for r in ok], color=[r["colour"] for r in ok],
           hatch=None, edgecolor=["black" if r["saturated"] else "none" for r in ok])
    ax.set_xticks(range(len(ok)), labels, fontsize=7)
    ax.set_ylabel(ylabel)
    return _finish(fig, ax, out_dir, name, title, _failed(rows))


def bytes_split(rows, out_dir):
    """Bytes per event, split into the payload, pushbench's JSON envelope around it, and the
    technique's framing (headers, requests, frame headers, SSE fields)."""
    ok = [r for r in rows if r["status"] != "failed" and r.get("bytes_per_event") is not None]
    if not ok:
        return None
    fig, ax = plt.subplots(figsize=(max(6, 0.6 * len(ok)), 4.5))
    positions = range(len(ok))
    payload = [min(r["payload"], r["bytes_per_event"]) for r in ok]
    envelope = [r.get("envelope_bytes_per_event") or 0 for r in ok]
    framing = [r["bytes_per_event"] - p - e for r, p, e in zip(ok, payload, envelope)]
    ax.bar(positions, payload, color="#999999", label="payload (the event's data)")
    ax.bar(positions, envelope, bottom=payload, color="#c6dbef", label='JSON envelope ({"seq":..,"ts":..})')
    ax.bar(positions, framing, bottom=[p + e for p, e in zip(payload, envelope)], color="#e6550d",
           label="the technique: framing, requests, headers")
    ax.set_xticks(positions, [f"{r['technique']}\n{r['backend']}\n{r['connections']}c {r['payload']}B"
                              + (" bin" if r["payload_kind"] == "binary" else "") for r in ok], fontsize=7)
    ax.set_ylabel("bytes on the wire per event")
    return _finish(fig, ax, out_dir, "bytes_per_event.png", "Bytes per event: payload, envelope, framing",
                   _failed(rows))


def short_poll_interval(rows, out_dir):
    """Latency of the techniques that poll on an interval (short polling) against the interval,
    with the expected interval/2."""
    polls = [r for r in rows if r["polls_on_interval"] and r["status"] != "failed"
             and r.get("latency_mean_ms") is not None]
    if not polls:
        return None
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for key, group in series(polls, "poll_interval_s", key=lambda r: (r["technique"], r["backend"])).items():
        xs = [r["poll_interval_s"] * 1000 for r in group]
        colour, name = group[0]["colour"], label(group[0])
        ax.plot(xs, [r["latency_mean_ms"] for r in group], "o-", color=colour, label=f"{name} mean")
        ax.plot(xs, [r["latency_p99_ms"] for r in group], "s:", color=colour, label=f"{name} p99")
    intervals = sorted({r["poll_interval_s"] * 1000 for r in polls})
    ax.plot(intervals, [i / 2 for i in intervals], "k--", label="interval / 2 (expected mean)")
    ax.set_xlabel("poll interval (ms)")
    ax.set_ylabel("latency (ms)")
    return _finish(fig, ax, out_dir, "short_poll_interval.png", "Short polling: latency against poll interval", [])


def soak(doc, out_dir):
    """A soak's server RSS and open descriptors over time, with the fitted lines after warm-up."""
    record = doc.get("soak") or {}
    samples = record.get("samples")
    if not samples:
        return []
    warmup = doc["scenario"]["run"]["warmup"]
    fig, (mem, fds) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    ts = [s["t"] / 60 for s in samples]
    for ax, key, scale, unit, fit in ((mem, "rss_bytes", 1 / 2**20, "server RSS (MiB)", record["rss"]),
                                      (fds, "fds", 1, "open descriptors", record["fds"])):
        ax.plot(ts, [s[key] * scale for s in samples], "-", color="#1b9e77", label=unit)
        warm = [s for s in samples if s["t"] >= warmup]
        if warm:
            mean_t = sum(s["t"] for s in warm) / len(warm)
            mean_y = sum(s[key] for s in warm) / len(warm)
            ends = [warm[0]["t"], warm[-1]["t"]]
            ax.plot([t / 60 for t in ends], [(mean_y + fit["slope_per_s"] * (t - mean_t)) * scale for t in ends], "k--",
                    label=f"fit after warm-up: {fit['slope_per_s'] * scale * 3600:+.3g}/h "
                          f"({'flat' if fit['flat'] else 'NOT flat'})")
        ax.axvline(warmup / 60, color="grey", linestyle=":", label="end of warm-up")
        ax.set_ylabel(unit)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    fds.set_xlabel("minutes")
    load = record["load"]
    mem.set_title(f"Soak: {', '.join(record['clients'])} at once; {load['churned']} connections churned, "
                  f"{load['bad_requests']} bad requests", fontsize=9)
    fig.tight_layout()
    fig.savefig(out_dir / "soak.png", dpi=90)
    plt.close(fig)
    return ["soak.png"]


def faults(rows, out_dir):
    """Under faults: how long each technique took to get events again after a lost connection, and
    what it lost or received twice."""
    ok = [r for r in rows if r["status"] != "failed" and r["faults"]]
    if not ok:
        return None
    fig, (left, right) = plt.subplots(1, 2, figsize=(max(9, 1.2 * len(ok)), 4.5))
    positions = range(len(ok))
    labels = [f"{r['technique']}\n{r['backend']}{over(r)}" for r in ok]
    width = 0.4
    for shift, metric, hatch in ((-width / 2, "resume_p50_ms", None), (width / 2, "resume_p99_ms", "//")):
        left.bar([p + shift for p in positions], [r.get(metric) or 0 for r in ok], width,
                 color=[r["colour"] for r in ok], hatch=hatch, label=metric.split("_")[1])
    left.set_ylabel("ms from a lost connection to the next event")
    left.set_xticks(positions, labels, fontsize=7)
    left.legend(fontsize=8)
    for shift, metric, hatch in ((-width / 2, "lost", None), (width / 2, "duplicates", "//")):
        values = [(r.get("gaps") or 0) + (r.get("events_lost") or 0) if metric == "lost" else r.get("duplicates") or 0
                  for r in ok]
        right.bar([p + shift for p in positions], values, width, color=[r["colour"] for r in ok], hatch=hatch,
                  label="lost (gaps + unreceived after a restart)" if metric == "lost" else "duplicates")
    right.set_ylabel("events")
    right.set_ylim(0, max(1, *right.get_ylim()))  # none lost shows as an empty axis from 0, not around it
    right.set_xticks(positions, labels, fontsize=7)
    right.legend(fontsize=8)
    described = ", ".join(f"{k} {v:g}" + ("" if k == "stuck_readers" else " s") for k, v in ok[0]["faults"].items())
    fig.suptitle(f"Under faults ({described})")
    return _finish(fig, right, out_dir, "faults.png", "Lost and repeated events", _failed(rows))


def payload_kinds(rows, out_dir):
    """Text against binary data (base64 in JSON; binary WebSocket frames): bytes and server CPU per
    event against the payload size, a line per technique and kind (dashed: binary)."""
    ok = [r for r in rows if r["status"] != "failed" and r.get("bytes_per_event")]
    if len({r["payload_kind"] for r in ok}) < 2 or len({r["payload"] for r in ok}) < 2:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for ax, metric, ylabel in ((axes[0], "bytes_per_event", "bytes on the wire per event"),
                               (axes[1], "server_cpu_us_per_event", "server CPU µs per event")):
        by_kind = series(ok, "payload", key=lambda r: (r["technique"], r["payload_kind"]))
        for (technique, kind), group in by_kind.items():
            shown = [r for r in group if r.get(metric) is not None]
            ax.plot([r["payload"] for r in shown], [r[metric] for r in shown], "--" if kind == "binary" else "-",
                    color=shown[0]["colour"], marker="o", label=f"{technique} {kind}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("payload (bytes)")
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=7)
    return _finish(fig, axes[1], out_dir, "payload_kinds.png", "Text (solid) and binary (dashed) data",
                   _failed(rows))


TLS_PANELS = (("connect_p50_ms", "connect time, p50 (ms)", 1),
              ("server_cpu_us_per_connect", "server CPU per connect (µs)", 1),
              ("memory_per_connection_bytes", "server RSS per connection (KiB)", 1 / 1024),
              ("server_cpu_us_per_event", "server CPU per event (µs)", 1))


def tls_costs(rows, out_dir):
    """What TLS costs each technique: its points without and with TLS side by side, four measures."""
    ok = [r for r in rows if r["status"] != "failed"]
    pairs = {}
    for row in ok:
        setting = tuple(row[k] for k in ("order", "technique", "backend", "connections", "rate", "payload",
                                         "poll_interval_s", "network"))
        pairs.setdefault(setting, {})[row["tls"]] = row
    pairs = [(both[False], both[True]) for _, both in sorted(pairs.items()) if len(both) == 2]
    if not pairs:
        return None
    fig, axes = plt.subplots(1, len(TLS_PANELS), figsize=(max(12, 1.2 * len(pairs) * len(TLS_PANELS)), 4.5))
    positions = range(len(pairs))
    for ax, (metric, ylabel, scale) in zip(axes, TLS_PANELS):
        for offset, side, hatch in ((-0.2, 0, None), (0.2, 1, "//")):
            ax.bar([p + offset for p in positions], [(pair[side].get(metric) or 0) * scale for pair in pairs], 0.4,
                   color=[pair[side]["colour"] for pair in pairs], hatch=hatch, edgecolor="black",
                   label="TLS" if side else "plain")
        if metric == "connect_p50_ms":  # of the TLS bars, the handshake's share
            ax.bar([p + 0.2 for p in positions], [pair[1].get("tls_handshake_p50_ms") or 0 for pair in pairs], 0.4,
                   fill=False, edgecolor="red", linewidth=1.5, label="of it, the TLS handshake")
        ax.set_xticks(positions, [f"{a['technique']}\n{a['backend']}\n{a['connections']}c" for a, _ in pairs],
                      fontsize=7)
        ax.set_ylabel(ylabel)
        ax.grid(True, axis="y", alpha=0.3)
    axes[0].legend(fontsize=7)
    return _finish(fig, axes[-1], out_dir, "tls_costs.png", "Plain (left) and TLS (right, hatched)", _failed(rows))


def all_figures(rows, out_dir):
    several_counts = len({r["connections"] for r in rows}) > 1
    figures = percentile_spectra(rows, out_dir) + [
        metric_against(rows, out_dir, "connections", [("latency_p50_ms", "-", 1), ("latency_p99_ms", ":", 1)],
                       "latency (ms)", "p50 (solid) and p99 (dotted) latency against connections",
                       "latency_vs_connections.png", log_y=True),
        metric_against(rows, out_dir, "connections", [("events_per_s", None, 1)], "events/s delivered",
                       "Delivered events/s against connections", "events_vs_connections.png", log_y=True),
        metric_against(rows, out_dir, "rate", [("events_per_s", None, 1)], "events/s delivered",
                       "Delivered events/s against publish rate", "events_vs_rate.png", log_y=True),
        metric_against(rows, out_dir, "connections", [("server_cpu_us_per_event", None, 1)], "µs per event",
                       "Server CPU per delivered event", "cpu_per_event.png") if several_counts else
        bars(rows, out_dir, "server_cpu_us_per_event", "µs per event", "Server CPU per delivered event",
             "cpu_per_event.png"),
        metric_against(rows, out_dir, "connections", [("server_cpu_x_floor", None, 1)],
                       "× pushbench-floor's CPU per event", "Server CPU per event over the kernel's floor",
                       "cpu_x_floor.png") if several_counts else
        bars(rows, out_dir, "server_cpu_x_floor", "× pushbench-floor's CPU per event",
             "Server CPU per event over the kernel's floor", "cpu_x_floor.png"),
        bytes_split(rows, out_dir),
        bars(rows, out_dir, "requests_per_event", "HTTP requests per event", "HTTP requests per event",
             "requests_per_event.png"),
        metric_against(rows, out_dir, "connections", [("memory_per_connection_bytes", None, 1 / 1024)],
                       "KiB per connection", "Server memory per connection", "memory_per_connection.png")
        if several_counts else bars(rows, out_dir, "memory_per_connection_bytes", "KiB per connection",
                                    "Server memory per connection", "memory_per_connection.png", 1 / 1024),
        bars(rows, out_dir, "connect_p99_ms", "ms", "Connect time, p99 (until events can arrive)", "connect_time.png"),
        bars(rows, out_dir, "server_cpu_us_per_connection_s", "µs of server CPU per connection per second",
             "Server CPU per open connection", "cpu_per_connection.png"),
        short_poll_interval(rows, out_dir),
        metric_against(rows, out_dir, "rtt_ms", [("latency_p50_ms", "-", 1), ("latency_p99_ms", ":", 1)],
                       "latency (ms)", "p50 (solid) and p99 (dotted) latency against the round trip",
                       "latency_vs_rtt.png", log_x=False, log_y=True),
        faults(rows, out_dir),
        metric_against(rows, out_dir, "connections", [("round_trip_p50_ms", "-", 1), ("round_trip_p95_ms", ":", 1)],
                       "round trip (ms)", "Broadcast: a sender's message back to it, p50 (solid) and p95 (dotted)",
                       "round_trip_vs_connections.png", log_y=True, where=lambda r: r.get("round_trip_p95_ms")),
        payload_kinds(rows, out_dir),
        tls_costs(rows, out_dir),
    ]
    return [f for f in figures if f]
