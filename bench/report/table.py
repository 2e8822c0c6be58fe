"""A run's points as rows: the point's settings, its median metrics and what to mark."""
import json
from pathlib import Path

# A colour per technique, in the order of the technique table the run recorded (ColorBrewer Dark2).
PALETTE = ["#d95f02", "#7570b3", "#1b9e77", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"]
STYLES = {"beast": "-", "httplib": "--", "websocketd": ":"}
MARKERS = {"beast": "o", "httplib": "s", "websocketd": "^", "socketio": "D"}


def load(run_dir):
    return json.loads((Path(run_dir) / "results.json").read_text())


def technique_order(doc):
    """The run's techniques in the table's order (then peer variants and anything else as met),
    and which of them poll on an interval."""
    table = doc.get("techniques") or {"techniques": [], "peer_protocols": []}
    order = [t["name"] for t in table["techniques"]]
    order += [f"{p['name']}-{transport}" for p in table["peer_protocols"] for transport in p["transports"]]
    order += [p["technique"] for p in doc["points"] if p["technique"] not in order]
    interval = {t["name"] for t in table["techniques"] if t.get("polls_on_interval") == "yes"}
    return list(dict.fromkeys(order)), interval


def rows(doc):
    out = []
    order, interval = technique_order(doc)
    for p in doc["points"]:
        row = {k: p[k] for k in ("technique", "backend", "connections", "rate", "payload", "poll_interval_s", "status")}
        row["order"] = order.index(p["technique"])
        row["colour"] = PALETTE[row["order"] % len(PALETTE)]
        row["polls_on_interval"] = p["technique"] in interval
        row["failures"] = p.get("failures", [])
        row["saturated"] = bool(p.get("client_saturated"))
        row["network"] = p.get("network", "lan")
        row["tls"] = p.get("tls", False)
        row["payload_kind"] = p.get("payload_kind", "text")
        row["rtt_ms"] = (p.get("network_profile") or {}).get("rtt", 0) * 1000
        row["faults"] = p.get("faults") or {}
        row["nodes"] = nodes_label(p) if doc["scenario"].get("hosts") else ""
        row.update({name: value["median"] for name, value in p.get("summary", {}).items()})
        row["histogram"] = _median_histogram(p)
        out.append(row)
    return out


def _median_histogram(point):
    ok = [r for r in point["runs"] if r["status"] == "ok"]
    if not ok:
        return None
    ok.sort(key=lambda r: r["metrics"]["latency_p99_ms"] or 0)
    return ok[len(ok) // 2]["client"]["latency_histogram"]


SERVER_SATURATED = 0.9  # of its core: beyond this, its queues grow and latency is the backlog's
PUBLISHER_LATE_MS = 5.0  # beyond this, events reached the server late because of the publisher


def nodes_label(point):
    """A point on [hosts]: its nodes, over Redis or one with its own log."""
    if not point.get("backplane"):
        return "1 node, its own log"
    return f"{point['nodes']} node{'s' if point['nodes'] > 1 else ''} over Redis"


def label(row):
    extras = [row["backend"], *(["TLS"] if row["tls"] else []), *([row["nodes"]] if row["nodes"] else [])]
    return f"{row['technique']} ({', '.join(extras)})"


def over(row):
    """' over NETWORK' for a point behind a network profile, ' TLS' for one over TLS, its nodes on
    [hosts]; nothing on loopback as it is."""
    return (f" over {row['network']}" if row["network"] != "lan" else "") + (" TLS" if row["tls"] else "") + \
        (f", {row['nodes']}" if row["nodes"] else "")


def mark(row):
    """What a reader must know about a row's numbers."""
    if row["status"] == "failed":
        return "FAILED: " + "; ".join(row["failures"])[:120]
    notes = []
    if row.get("delivery_ratio") is not None and row["delivery_ratio"] < 0.9:
        notes.append(f"delivered only {row['delivery_ratio']:.0%} of the events published to its connections")
    if row["status"] == "partial":
        notes.append("some repetitions failed")
    if row["saturated"]:
        notes.append("client saturated: measures the client")
    if (row.get("server_cpu_fraction") or 0) >= SERVER_SATURATED:
        notes.append(f"server saturated: its core was busy {row['server_cpu_fraction']:.0%} of the window")
    if row.get("publisher_lateness_p99_ms") is not None and row["publisher_lateness_p99_ms"] > PUBLISHER_LATE_MS:
        notes.append(f"the publisher was late (p99 {row['publisher_lateness_p99_ms']:.1f} ms): it limited the run")
    return ", ".join(notes)


def series(rows, x, key=lambda r: (r["technique"], r["backend"], r["tls"]), where=lambda r: True):
    """{(technique, backend, tls): [row, ...] sorted by x} over the rows that pass `where`."""
    groups = {}
    for row in rows:
        if where(row):
            groups.setdefault(key(row), []).append(row)
    ordered = sorted(groups.items(), key=lambda kv: (kv[1][0]["order"], kv[0][1]))
    return {k: sorted(v, key=lambda r: r[x]) for k, v in ordered}
