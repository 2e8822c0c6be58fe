#!/usr/bin/python3
"""One event, four techniques: what crosses the wire around it. Writes docs/figures/timeline.png.

Reads docs/traces/{short-poll,long-poll,sse,websocket}.txt (pushbench-client --trace, written by
scripts/docs.sh): one connection each, all at once, to one server publishing an event every 2 s.
Each trace's header gives its start on the events' clock, so every read and write is placed on
one time axis, with t = 0 at the publish time (`ts`) of an event that every lane carried.

  /usr/bin/python3 scripts/timeline.py
"""
import re
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

DOCS = Path(__file__).resolve().parents[1] / "docs"
LANES = [("short-poll", "short polling\nevery 1 s"), ("long-poll", "long polling"),
         ("sse", "Server-Sent\nEvents"), ("websocket", "WebSocket")]
WINDOW = (-2.5, 1.5)  # seconds around the event's publish
STAMP = re.compile(rb"^\[\s*([\d.]+)\] (>>>|<<<) (\d+) bytes$")
NOTE = re.compile(rb"^(\[\s*[\d.]+\] --- |# )")  # '--- connect' and the header comments
ESCAPE = re.compile(rb"\\x([0-9a-f]{2})|\\r")
EVENT = re.compile(rb'"seq":(\d+),"ts":(\d+)')
STARTED = re.compile(rb"^# started at (\d+) ns")
CAPTION = ("From docs/traces/*.txt (pushbench-client --trace: four clients at once, one server, an event every 2 s, "
           "short polls every 1 s). Every read and write is placed by the client's clock, which is the server's on "
           "this machine; t = 0 is the publish time (ts) of one event that all four carried, and the others' "
           "publish times are marked. Made by scripts/timeline.py.")
OPCODES = {0x1: "text", 0x2: "binary", 0x8: "close", 0x9: "ping", 0xA: "pong"}


def read_trace(path):
    """The trace's transfers: [ns since the Unix epoch, outgoing, bytes]."""
    transfers, start = [], None
    for line in path.read_bytes().splitlines(keepends=True):
        stamp = STAMP.match(line.rstrip(b"\n"))
        if STARTED.match(line):
            start = int(STARTED.match(line)[1])
        elif stamp:
            transfers.append([start + float(stamp[1]) * 1e6, stamp[2] == b">>>", int(stamp[3]), b""])
        elif transfers and not NOTE.match(line):
            transfers[-1][3] += line
    for transfer in transfers:  # unescape; the trace ends a chunk with a line break it may not have had
        unescaped = ESCAPE.sub(lambda m: bytes([int(m[1], 16)]) if m[1] else b"\r", transfer[3])
        transfer[3] = unescaped[:transfer[2]]
    return transfers


def carried(transfers):
    """The publish times (ts) of the events these transfers carried."""
    return {int(ts) for *_, data in transfers for _, ts in EVENT.findall(data)}


def describe(data):
    """A short label: a request's path and cursor, a status, a frame's type, an SSE line."""
    seqs = ",".join(seq.decode() for seq, _ in EVENT.findall(data))
    if not data:
        return "closed"
    if data.startswith(b"GET "):
        return data.split(b" ")[1].split(b"&")[0].decode()
    if data.startswith(b"HTTP/1.1 "):
        return data[9:12].decode() + (f" seq {seqs}" if seqs else " empty" if b'"events":[]' in data else "")
    if data[0] & 0x80:  # a WebSocket frame: FIN and the opcode
        return OPCODES.get(data[0] & 0x0F, "frame") + (f" seq {seqs}" if seqs else "")
    return f"id: {seqs}" if seqs else "heartbeat" if data.startswith(b":") else data.split(b"\n")[0].decode()


def draw_lane(ax, y, transfers, ts0, holds):
    """Draws one technique's transfers around the event published at ts0, at height y (`holds`:
    its requests are held by the server); returns its bytes in the window."""
    seconds = lambda ns: (ns - ts0) / 1e9
    ax.axhline(y, color="0.85", lw=1, zorder=0)
    for (sent, out, _, _), (answered, back, _, _) in zip(transfers, transfers[1:]):
        if holds and out and not back:
            ax.plot([seconds(sent), seconds(answered)], [y + 0.07] * 2, color="tab:blue", lw=3, alpha=0.25)
    for t in [seconds(ts) for ts in carried(transfers) - {ts0}]:
        if WINDOW[0] <= t <= WINDOW[1]:
            ax.plot(t, y, "|", color="tab:orange", ms=14, mew=1.5)
    shown = [(seconds(ns), out, n, data) for ns, out, n, data in transfers if WINDOW[0] <= seconds(ns) <= WINDOW[1]]
    last_label = {True: WINDOW[0] - 1, False: WINDOW[0] - 1}  # per side: labels closer than 50 ms move apart
    for t, out, n, data in shown:
        events = {int(ts) for _, ts in EVENT.findall(data)}
        colour = "tab:red" if ts0 in events else "tab:orange" if events else "tab:blue" if out else "0.3"
        dy = 0.1 if out else -0.1
        ax.plot(t, y + dy, "^" if out else "v", color=colour, ms=6)
        last_label[out] = max(t + 0.012, last_label[out] + 0.05)
        ax.text(last_label[out], y + 2 * dy, f"{describe(data)} · {n} B", rotation=90, ha="left",
                va="bottom" if out else "top", fontsize=7, color=colour)
    return sum(n for _, _, n, _ in shown)


def main():
    traces = [read_trace(DOCS / "traces" / f"{technique}.txt") for technique, _ in LANES]
    common = sorted(set.intersection(*map(carried, traces)))
    if not common:
        raise SystemExit("timeline: no event is in every trace (were the clients run at once?)")
    ts0 = common[len(common) // 2]
    fig, ax = plt.subplots(figsize=(12, 11))
    ys = [2 * (len(LANES) - 1 - lane) for lane in range(len(LANES))]
    span = f"{WINDOW[1] - WINDOW[0]:g} s"
    titles = [f"{title}\n{draw_lane(ax, y, transfers, ts0, technique == 'long-poll'):,} bytes\nin these {span}"
              for y, transfers, (technique, title) in zip(ys, traces, LANES)]
    ax.set_yticks(ys, titles, fontsize=10)
    ax.tick_params(axis="y", length=0)
    ax.axvline(0, color="tab:red", ls="--", lw=1, zorder=0)
    ax.set_xlim(WINDOW[0] - 0.03, WINDOW[1] + 0.08)
    ax.set_ylim(-1, 2 * len(LANES) - 1)
    ax.set_xlabel("seconds from the event's publish (t = 0, dashed)")
    ax.legend(handles=[
        Line2D([], [], ls="", marker="^", color="tab:blue", label="client to server: request, pong, close"),
        Line2D([], [], ls="", marker="v", color="0.3", label="server to client: answer, heartbeat, ping"),
        Line2D([], [], ls="", marker="v", color="tab:red", label="what carries the event published at t = 0"),
        Line2D([], [], ls="", marker="v", color="tab:orange", label="what carries another event"),
        Line2D([], [], ls="", marker="|", color="tab:orange", ms=10, label="another event's publish (its ts)"),
        Line2D([], [], color="tab:blue", lw=3, alpha=0.25, label="a long poll held by the server"),
    ], loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3, fontsize=8, frameon=False)
    fig.text(0.01, 0.01, textwrap.fill(CAPTION, 190), fontsize=7, color="0.3")
    ax.set_title("One event, four techniques: what crosses the wire around it")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    out = DOCS / "figures" / "timeline.png"
    fig.savefig(out, dpi=130)
    print(f"timeline: {out.relative_to(DOCS.parent)}")


if __name__ == "__main__":
    main()
