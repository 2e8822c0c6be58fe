"""report.html (one self-contained page: plots inlined, key numbers, environment, scenario) and
summary.md (for a CI step summary)."""
import base64
import html
import json

from harness.results import describe_ramp

from .table import mark, over

COLUMNS = [  # (header, row key, format)
    ("connected", "connections_established", "{:.0f}"),
    ("delivered", "delivery_ratio", "{:.0%}"),
    ("events/s", "events_per_s", "{:.0f}"),
    ("p50 ms", "latency_p50_ms", "{:.2f}"),
    ("p99 ms", "latency_p99_ms", "{:.2f}"),
    ("p99.9 ms", "latency_p999_ms", "{:.2f}"),
    ("CPU µs/event", "server_cpu_us_per_event", "{:.1f}"),
    ("× floor", "server_cpu_x_floor", "{:.2f}"),
    ("bytes/event", "bytes_per_event", "{:.0f}"),
    ("req/event", "requests_per_event", "{:.3f}"),
    ("events/write", "events_per_write", "{:.2f}"),
    ("KiB/conn", "memory_per_connection_bytes", "{:.2f}"),
    ("connect p99 ms", "connect_p99_ms", "{:.2f}"),
    ("errors", "errors", "{:.0f}"),
    ("gaps", "gaps", "{:.0f}"),
]


def _cell(row, key, fmt):
    value = row.get(key)
    if value is None:
        return "-"
    return fmt.format(value / 1024 if key == "memory_per_connection_bytes" else value)


def _setting(row):
    text = f"{row['technique']} | {row['backend']} | {row['connections']} | {row['rate']:g} | {row['payload']}" + \
        (" binary" if row["payload_kind"] == "binary" else "")
    return text + (f" (poll {row['poll_interval_s']:g}s)" if row["polls_on_interval"] else "") + over(row)


def soak_lines(record):
    if record["status"] != "ok":
        return [f"FAILED: {record['reason']}"]
    lines = [f"- server RSS: {record['rss']['slope_per_s'] * 3600 / 2**20:+.2f} MiB/h after warm-up "
             f"(drift {record['rss']['drift_over_window'] / 2**20:+.2f} MiB against noise "
             f"{record['rss']['noise'] / 2**20:.2f} MiB): {'flat' if record['rss']['flat'] else 'NOT flat'}",
             f"- open descriptors: {record['fds']['slope_per_s'] * 3600:+.2f}/h "
             f"(drift {record['fds']['drift_over_window']:+.1f}): {'flat' if record['fds']['flat'] else 'NOT flat'}",
             f"- load: {record['load']['churned']} connections churned ({record['load']['churn_failed']} failed), "
             f"{record['load']['bad_requests']} bad requests ({record['load']['bad_not_refused']} not answered 4xx)",
             f"- every long-lived subscriber got every event: {record['every_event_delivered']} "
             f"({record['expected_events_per_subscriber']:g} expected each)", "",
             "| technique | subscribers | events | gaps | duplicates | errors | fewest per subscriber | p99 ms |",
             "|---|---|---|---|---|---|---|---|"]
    for name, r in record["clients"].items():
        lines.append(f"| {name} | {r['connections_established']} | {r['events_received']} | {r['gaps']} | "
                     f"{r['duplicates']} | {r['errors']} | {r['events_per_connection']['min']} | "
                     f"{r['latency_ns']['p99'] / 1e6:.1f} |")
    return lines


FAULT_COLUMNS = [  # (header, row key, format)
    ("resets", "resets", "{:.0f}"),
    ("restarts", "server_restarts", "{:.0f}"),
    ("reconnects", "reconnects", "{:.0f}"),
    ("resume p50 ms", "resume_p50_ms", "{:.0f}"),
    ("resume p99 ms", "resume_p99_ms", "{:.0f}"),
    ("gaps", "gaps", "{:.0f}"),
    ("duplicates", "duplicates", "{:.0f}"),
    ("lost", "events_lost", "{:.0f}"),
    ("stuck", "stuck_connections", "{:.0f}"),
    ("cut off slow", "slow_consumers_dropped", "{:.0f}"),
    ("relay µs/event", "relay_cpu_us_per_event", "{:.1f}"),
    ("relay late p99 ms", "relay_lateness_p99_ms", "{:.2f}"),
]


BROADCAST_COLUMNS = [  # (header, row key, format)
    ("round trip p50 ms", "round_trip_p50_ms", "{:.2f}"),
    ("p95 ms", "round_trip_p95_ms", "{:.2f}"),
    ("p99 ms", "round_trip_p99_ms", "{:.2f}"),
    ("messages", "messages_sent", "{:.0f}"),
    ("requests/message", "requests_per_message", "{:.2f}"),
    ("bytes up/message", "upstream_bytes_per_message", "{:.0f}"),
    ("lost", "messages_lost", "{:.0f}"),
    ("deliveries/s", "events_per_s", "{:.0f}"),
]


def point_table(rows, columns):
    """A markdown table of the rows' settings and `columns`."""
    lines = ["| technique | backend | connections | rate | payload | " + " | ".join(h for h, _, _ in columns) + " |",
             "|" + "---|" * (5 + len(columns))]
    for row in rows:
        lines.append(f"| {_setting(row)} | " + " | ".join(_cell(row, k, f) for _, k, f in columns) + " |")
    return lines


def summary_md(doc, rows):
    lines = [f"# pushbench: {doc['scenario']['name']} ({doc['status']})", "",
             f"Run `{doc['run_id']}` on {doc['environment']['cpu_model']} ({doc['environment']['cores']} cores), "
             f"commit `{doc['environment']['git_commit'][:10]}`, {doc['environment']['build_type']} build.", "",
             "| technique | backend | connections | rate | payload | "
             + " | ".join(h for h, _, _ in COLUMNS) + " | notes |",
             "|" + "---|" * (6 + len(COLUMNS))]
    for row in rows:
        cells = [_cell(row, key, fmt) for _, key, fmt in COLUMNS]
        lines.append(f"| {_setting(row)} | " + " | ".join(cells) + f" | {mark(row)} |")
    if any(row["network"] != "lan" or row["faults"] for row in rows):
        lines += ["", "## Networks and faults", ""] + point_table(rows, FAULT_COLUMNS)
    sending = [row for row in rows if row.get("messages_sent")]
    if sending:
        lines += ["", "## Broadcast: each sender's round trip", ""] + point_table(sending, BROADCAST_COLUMNS)
    if doc.get("soak"):
        lines += ["", "## Soak", ""] + soak_lines(doc["soak"])
    if doc.get("ramps"):
        lines += ["", "## Ramps", ""]
        lines += [f"- {describe_ramp(ramp)}" for ramp in doc["ramps"]]
    if doc.get("thresholds"):
        failed = [v for v in doc["thresholds"] if not v["pass"]]
        lines += ["", f"## Thresholds: {len(doc['thresholds']) - len(failed)} passed, {len(failed)} failed", ""]
        for v in failed:
            lines.append(f"- FAIL `{v['threshold']} {v['condition']}`: {v['measured']} at {v['point']} {v['note']}")
    return "\n".join(lines) + "\n"


def report_html(doc, rows, figures, run_dir):
    esc = html.escape
    env_rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(str(v))}</td></tr>" for k, v in doc["environment"].items())
    head = "".join(f"<th>{esc(h)}</th>" for h in ["technique", "backend", "connections", "rate", "payload", "network"]
                   + [h for h, _, _ in COLUMNS] + ["notes"])
    body = ""
    for row in rows:
        css = ' class="failed"' if row["status"] == "failed" else ' class="saturated"' if row["saturated"] else ""
        cells = [row["technique"], row["backend"], row["connections"], f"{row['rate']:g}", row["payload"],
                 row["network"]]
        cells += [_cell(row, key, fmt) for _, key, fmt in COLUMNS] + [mark(row)]
        body += f"<tr{css}>" + "".join(f"<td>{esc(str(c))}</td>" for c in cells) + "</tr>"
    faults = ""
    if any(row["network"] != "lan" or row["faults"] for row in rows):
        faults = "<h2>Networks and faults</h2><table><tr>" + "".join(
            f"<th>{esc(h)}</th>" for h in ["point"] + [h for h, _, _ in FAULT_COLUMNS]) + "</tr>"
        for row in rows:
            faults += f"<tr><td>{esc(_setting(row).replace(' | ', ' '))}</td>" + "".join(
                f"<td>{esc(_cell(row, k, f))}</td>" for _, k, f in FAULT_COLUMNS) + "</tr>"
        faults += "</table>"
    images = ""
    for name in figures:
        data = base64.b64encode((run_dir / name).read_bytes()).decode()
        images += (f'<figure><img alt="{esc(name)}" src="data:image/png;base64,{data}">'
                   f'<figcaption>{esc(name)}</figcaption></figure>')
    verdicts = "".join(f"<li class=\"{'pass' if v['pass'] else 'fail'}\">{'PASS' if v['pass'] else 'FAIL'} "
                       f"<code>{esc(v['threshold'])} {esc(v['condition'])}</code>: {esc(str(v['measured']))} "
                       f"{esc(v['point'] or '')} {esc(v['note'])}</li>" for v in doc.get("thresholds", []))
    ramps = "".join(f"<li>{esc(describe_ramp(r))}</li>" for r in doc.get("ramps", []))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pushbench: {esc(doc['scenario']['name'])}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; max-width: 1300px; }}
table {{ border-collapse: collapse; font-size: 0.85em; }} td, th {{ border: 1px solid #ccc; padding: 2px 6px; }}
tr.failed td {{ background: #fdd; }} tr.saturated td {{ background: #ffd; }}
li.fail {{ color: #b00; }} figure {{ display: inline-block; margin: 0.5em; }} img {{ max-width: 620px; }}
pre {{ background: #f4f4f4; padding: 1em; overflow: auto; }}
</style></head><body>
<h1>pushbench: {esc(doc['scenario']['name'])}</h1>
<p>Run <code>{esc(doc['run_id'])}</code>, status <b>{esc(doc['status'])}</b>, started {esc(doc['started'])}.
{esc(doc['scenario'].get('description', ''))}</p>
<p>Rows in red failed (the reason is in the notes); rows in yellow saturated the client, so their figures measure the
client, not the server.</p>
<h2>Key numbers (median of repetitions)</h2>
<table><tr>{head}</tr>{body}</table>
{faults}
{'<h2>Ramps</h2><ul>' + ramps + '</ul>' if ramps else ''}
{'<h2>Thresholds</h2><ul>' + verdicts + '</ul>' if verdicts else ''}
<h2>Plots</h2>{images}
<h2>Environment</h2><table>{env_rows}</table>
<h2>Scenario</h2><pre>{esc(json.dumps(doc['scenario'], indent=1))}</pre>
</body></html>
"""
