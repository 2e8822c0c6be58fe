"""The technique table as the programs declare it (core/techniques.hpp), read once from
`pushbench-server --list-techniques --json`: names, endpoints, which backends serve each, and the
peer protocols the client speaks, whose scenario names are PROTOCOL-TRANSPORT (socketio-polling)."""
import functools
import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_build = None


class TableMissing(Exception):
    pass


def use_build(build):
    """Reads the table from this build's server from now on."""
    global _build
    _build = Path(build)
    table.cache_clear()


@functools.cache
def table():
    build = _build or Path(os.environ.get("PUSHBENCH_BUILD", ROOT / "build"))
    server = build / "bin" / "pushbench-server"
    try:
        done = subprocess.run([str(server), "--list-techniques", "--json"], capture_output=True, text=True,
                              timeout=10, check=True)
    except (OSError, subprocess.SubprocessError) as problem:
        raise TableMissing(f"cannot read the technique table from {server} ({problem}); build first: "
                           "scripts/setup.sh") from None
    return json.loads(done.stdout)


def _rows():
    return {t["name"]: t for t in table()["techniques"]}


def names():
    """The techniques pushbench-server serves, in the table's order."""
    return list(_rows())


def backends():
    return table()["backends"]


def peer_variants():
    return [f"{p['name']}-{transport}" for p in table()["peer_protocols"] for transport in p["transports"]]


def served_on(name, backend):
    row = _rows().get(name)
    return row is not None and backend in row["backends"]


def path(name):
    return _rows()[name]["path"]


def polls_on_interval(name):
    row = _rows().get(name)
    return row is not None and row["polls_on_interval"] == "yes"


def client_args(name):
    """socketio-websocket -> --technique socketio --transport websocket; a technique as it is."""
    for peer in table()["peer_protocols"]:
        for transport in peer["transports"]:
            if name == f"{peer['name']}-{transport}":
                return ["--technique", peer["name"], "--transport", transport]
    return ["--technique", name]
