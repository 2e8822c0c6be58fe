#!/usr/bin/python3
"""The code blocks the docs quote from files the repository makes or keeps: trace excerpts and
the demo's browser clients. A page names the source in a comment just above the block:

    <!-- excerpt: traces/long-poll.txt
    `^\\[.*\\] >>> ` +1 the request         the lines to take, each `REGEX` [-B] [+N] [note]
    `^\\{"events":\\[\\{` -1 the answer with the event, and its time
    -->

    <!-- include: ../web/clients/sse.js -->

    <!-- headline: docs/figures/results.json.gz -->
    (a table)
    <!-- /headline -->

    <!-- cluster: figures/cluster/results.json.gz -->  (also: failover, acceptance)
    (a table)
    <!-- /cluster -->

Paths are relative to the page. An excerpt takes, for each recipe line, the next line of the file
(after the previous one taken) that REGEX finds, with B lines before it and N after. It may skip
lines of the same trace entry (headers), but skipping a whole entry needs a recipe line `...`
before it, which prints `...`. A note goes after `  ← ` on the line. An include takes the whole
file. A headline is the table of a kept run's largest points on the event loop: what the README
opens with. The cluster, failover and acceptance tables are those of runs on hosts ([hosts]):
each configuration of nodes, a node's death, and each client host's share.

    scripts/excerpts.py           rewrites every such block in docs/ and README.md
    scripts/excerpts.py --check   exits 1 naming each block that differs from its source
"""
import gzip
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from report import table  # noqa: E402  (a point's nodes, named as the report names them)
PAGES = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
NOTE = "  ← "  # what separates a quoted line from its note
NOTE_COLUMN = 44
# A source comment, then the fenced block that follows it (possibly empty).
BLOCK = re.compile(r"<!-- (excerpt|include): (\S+)\n?(.*?)-->\n+```(\w*)\n(.*?)```", re.S)
ENTRY = re.compile(r"^\[ *[\d.]+\] ")  # a trace entry's first line: [ms since start] ...
TABLE = re.compile(r"<!-- (headline|cluster|failover|acceptance): (\S+) -->\n.*?<!-- /\1 -->", re.S)
HEADLINE_COLUMNS = [  # (title, metric in a point's summary, format)
    ("latency p50", "latency_p50_ms", "{:.1f} ms"), ("p99", "latency_p99_ms", "{:.1f} ms"),
    ("delivered", "delivery_ratio", "{:.0%}"), ("requests/event", "requests_per_event", "{:.2f}"),
    ("bytes/event", "bytes_per_event", "{:.0f}"), ("server CPU/event", "server_cpu_us_per_event", "{:.1f} µs"),
    ("memory/connection", "memory_per_connection_bytes", "{:.1f} KiB", 1 / 1024)]
RECIPE_LINE = re.compile(r"`(?P<regex>[^`]+)`(?:\s+-(?P<before>\d+))?(?:\s+\+(?P<after>\d+))?(?:\s+(?P<note>.+))?")


def excerpt(lines, recipe, source):
    """The quoted lines that `recipe` picks from `lines`, in order."""
    out, at, may_skip = [], 0, True
    for step in filter(None, (r.strip() for r in recipe.splitlines())):
        if step == "...":
            out.append("...")
            may_skip = True
            continue
        parsed = RECIPE_LINE.fullmatch(step)
        if not parsed:
            raise ValueError(f"{source}: recipe line {step!r} is not `REGEX` [-B] [+N] [note]")
        found = next((i for i in range(at, len(lines)) if re.search(parsed["regex"], lines[i])), None)
        if found is None:
            raise ValueError(f"{source}: no line after line {at} matches `{parsed['regex']}`")
        first = max(at, found - int(parsed["before"] or 0))
        if not may_skip and any(ENTRY.match(line) for line in lines[at:first]):
            raise ValueError(f"{source}: `{parsed['regex']}` skips a trace entry: put `...` before it")
        may_skip = False
        taken = lines[first:found + 1 + int(parsed["after"] or 0)]
        if parsed["note"]:
            noted = found - first  # the note goes on the line the regex found
            taken[noted] = taken[noted].ljust(NOTE_COLUMN) + NOTE + parsed["note"]
        out += taken
        at = first + len(taken)
    return "\n".join(out) + "\n"


def kept_run(path):
    return json.loads(gzip.decompress(path.read_bytes()))


def markdown(header, rows):
    return [f"| {' | '.join(header)} |", "|" + " --- |" * len(header), *(f"| {' | '.join(r)} |" for r in rows)]


def cells(values, columns):
    """Each column's (title, key, format[, scale]) value formatted, "–" where it is missing."""
    out = []
    for _, key, form, *scale in columns:
        value = values.get(key)
        out.append("–" if value is None else form.format(value * (scale[0] if scale else 1)))
    return out


def medians(point):
    return {name: summary["median"] for name, summary in point["summary"].items()}


def spread(point, metric):
    """A metric's range over a point's runs ("0–6"), or its one value: resume times are medians of
    the runs that had any, so the range says how many there were."""
    low, high = (f"{point['summary'][metric][key]:,.0f}" for key in ("min", "max"))
    return low if low == high else f"{low}–{high}"


def provenance(run):
    env = run["environment"]
    return (f"run `{run['run_id']}` (`pushbench run {run['scenario']['name']}`, commit `{env['git_commit'][:10]}`) "
            f"on {env['cpu_model']}, {env['cores']} cores, {env['kernel'].split(' #')[0]}")


CLUSTER_COLUMNS = [
    ("latency p50", "latency_p50_ms", "{:.1f} ms"), ("p99", "latency_p99_ms", "{:.1f} ms"),
    ("delivered", "delivery_ratio", "{:.1%}"), ("nodes' CPU/event", "server_cpu_us_per_event", "{:.1f} µs"),
    ("HAProxy's", "balancer_cpu_us_per_event", "{:.1f} µs"),
    ("backplane's", "backplane_cpu_us_per_event", "{:.2f} µs"),
    ("memory/connection", "memory_per_connection_bytes", "{:.1f} KiB", 1 / 1024)]
FAILOVER_COLUMNS = [
    ("resumed, p50", "resume_p50_ms", "{:.0f} ms"),
    ("slowest", "recovery_ms", "{:.0f} ms"), ("lost (gaps)", "gaps", "{:,.0f}"),
    ("repeated", "duplicates", "{:,.0f}"), ("delivered", "delivery_ratio", "{:.2%}"),
    ("not published", "publish_failed", "{:,.0f}")]


def cluster(path):
    """Each technique on each configuration of nodes."""
    run = kept_run(path)
    rows = [[p["technique"], table.nodes_label(p), *cells(medians(p), CLUSTER_COLUMNS)] for p in run["points"]]
    first = run["points"][0]
    return "\n".join([f"{first['connections']:,} subscribers, {first['rate']:g} events/s, medians of "
                      f"{provenance(run)}:", "",
                      *markdown(["technique", "nodes", *(c[0] for c in CLUSTER_COLUMNS)], rows)])


def failover(path):
    """What a node's death cost each technique."""
    run = kept_run(path)
    points = sorted(run["points"], key=lambda p: p["rate"])  # each rate's techniques together
    rows = [[p["technique"], f"{p['rate']:g}", spread(p, "reconnects"), *cells(medians(p), FAILOVER_COLUMNS)]
            for p in points]
    first = run["points"][0]
    return "\n".join([f"{first['connections']:,} subscribers over {first['nodes']} nodes, one node killed "
                      f"{first['faults']['kill_node_at']:g} s into the window, medians of {len(first['runs'])} "
                      f"runs; {provenance(run)}:",
                      "", *markdown(["technique", "events/s", "reconnected (runs' range)",
                                     *(c[0] for c in FAILOVER_COLUMNS)], rows)])


def acceptance(path):
    """Each client host's share of each point, and the merged result."""
    run = kept_run(path)
    rows = []
    for point in run["points"]:
        (record,) = point["runs"]
        for share in [*record["server"]["cluster"]["client_hosts"], {**record["client"], "host": "merged"}]:
            rows.append([point["technique"], share["host"], f"{share['connections_established']:,}",
                         f"{share['events_received']:,}", f"{share['gaps']:,}", f"{share['duplicates']:,}",
                         f"{share['errors']:,}", f"{share['latency_ns']['p50'] / 1e6:,.0f} ms",
                         f"{share['latency_ns']['p99'] / 1e6:,.0f} ms", "yes" if share["client_saturated"] else "no"])
    first = run["points"][0]
    return "\n".join([f"{first['connections']:,} subscribers, {first['rate']:g} event/s, {first['nodes']} nodes; "
                      f"{provenance(run)}:", "",
                      *markdown(["technique", "client host", "connections", "events", "gaps", "duplicates", "errors",
                                 "latency p50", "p99", "client saturated"], rows)])


def headline(path):
    """The README's table: each technique at the run's most connections on the event loop."""
    run = kept_run(path)
    points = [p for p in run["points"] if p["backend"] == "beast" and p["status"] != "failed"]
    most = max(p["connections"] for p in points)
    rows = [[p["technique"], *cells(medians(p), HEADLINE_COLUMNS)] for p in points if p["connections"] == most]
    first = points[0]
    return "\n".join([
        f"{most:,} subscribers, {first['rate']:g} events/s of {first['payload']} bytes, the event-loop server "
        f"(short polling every {first['poll_interval_s']:g} s); medians of {provenance(run)}, server and client "
        "pinned to a core each:", "", *markdown(["technique", *(c[0] for c in HEADLINE_COLUMNS)], rows)])


def render(page):
    """The page's text with every block made again from its source."""
    def block(match):
        kind, path, recipe, language, _ = match.groups()
        source = (page.parent / path).resolve()
        text = source.read_text()
        body = text if kind == "include" else excerpt(text.splitlines(), recipe, f"{page.name}: {path}")
        head = f"<!-- {kind}: {path}\n{recipe}-->" if kind == "excerpt" else f"<!-- {kind}: {path} -->"
        return f"{head}\n```{language}\n{body}```"

    def table(match):
        kind, path = match.groups()
        made = TABLES[kind]((ROOT / path) if kind == "headline" else (page.parent / path))
        return f"<!-- {kind}: {path} -->\n{made}\n<!-- /{kind} -->"
    return TABLE.sub(table, BLOCK.sub(block, page.read_text()))


TABLES = {"headline": headline, "cluster": cluster, "failover": failover, "acceptance": acceptance}


def quoted_lines(page):
    """(source path, the block's lines without their notes) of each excerpt in the page as it is."""
    for kind, path, _, _, body in BLOCK.findall(page.read_text()):
        if kind == "excerpt":
            yield (page.parent / path).resolve(), [line.split(NOTE)[0].rstrip() for line in body.splitlines()]


def main(argv):
    check = argv[1:] == ["--check"]
    stale = []
    for page in PAGES:
        made = render(page)
        if made != page.read_text():
            stale.append(page.relative_to(ROOT))
            if not check:
                page.write_text(made)
    if check and stale:
        print("excerpts: out of date with their sources (run scripts/excerpts.py): "
              + ", ".join(map(str, stale)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
