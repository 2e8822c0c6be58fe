"""docs/spec.md stays true to the code: every flag, endpoint, technique, result field and harness
command it lists exists, and every flag the programs accept is listed."""
import json
import re
import socket
import subprocess

import pytest

from server_process import BUILD, ROOT, TABLE, served_on

SPEC = (ROOT / "docs" / "spec.md").read_text()


def section(title):
    """The lines under a heading, up to the next heading of the same or a higher level."""
    lines = SPEC.splitlines()
    starts = [i for i, line in enumerate(lines) if re.fullmatch(rf"#+ {re.escape(title)}", line)]
    assert starts, f"docs/spec.md has no section '{title}'"
    level = lines[starts[0]].index(" ")
    out = []
    for line in lines[starts[0] + 1:]:
        heading = re.match(r"(#+) ", line)
        if heading and len(heading.group(1)) <= level:
            break
        out.append(line)
    return "\n".join(out)


def first_cells(text):
    """The first cell of each table row, without the header and the rule."""
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    return [row.split("|")[1].strip() for row in rows[1:] if not row.startswith("| ---")]


def listed_flags(title):
    return {m for cell in first_cells(section(title)) for m in re.findall(r"`(--[a-z-]+)`", cell)}


def help_flags(program):
    done = subprocess.run([str(BUILD / "bin" / program), "--help"], capture_output=True, text=True, check=True)
    return set(re.findall(r"^  (--[a-z-]+)$", done.stdout, re.M)) - {"--help"}


@pytest.mark.parametrize("program", ["pushbench-server", "pushbench-client", "pushbench-relay", "pushbench-publisher"])
def test_every_flag_is_listed_and_exists(program):
    listed, accepted = listed_flags(program), help_flags(program)
    assert listed, f"no flags listed for {program}"
    assert listed - accepted == set(), f"docs/spec.md lists flags {program} does not have"
    assert accepted - listed == set(), f"{program} has flags docs/spec.md does not list"


def test_techniques_match_the_table():
    done = subprocess.run([str(BUILD / "bin" / "pushbench-server"), "--list-techniques", "--json"],
                          capture_output=True, text=True, check=True)
    table = json.loads(done.stdout)["techniques"]
    rows = [line.split("|")[1:5] for line in section("The techniques").splitlines() if line.startswith("| `")]
    listed = {name.strip(" `"): (endpoint, backends) for name, endpoint, backends, _ in rows}
    assert set(listed) == {t["name"] for t in table}
    for technique in table:
        endpoint, backends = listed[technique["name"]]
        assert f"`GET {technique['path']}" in endpoint, technique
        assert {b.strip() for b in backends.split(",")} == set(technique["backends"]), technique


@pytest.mark.parametrize("backend", ["beast", "httplib"], indirect=True)
def test_every_listed_endpoint_is_served(start_server, backend):
    server = start_server("--technique", "all", "--rate", "1")
    paths = {t["path"]: t["name"] for t in TABLE}
    requests = []
    for cell in first_cells(section("Endpoints")):
        for method, target in re.findall(r"`(GET|POST) (/[^`\s\[]*)", cell):
            path = target.replace("NAME", "app.js").split("?")[0]
            if path not in paths or served_on(paths[path], backend):
                requests.append((method, path))
    assert len(requests) >= 10, requests
    for method, path in requests:
        # Only the status line: streams stay open, timeout_ms=0 keeps a long poll from waiting, and
        # rate=1 is the publisher control's value; the other endpoints ignore both.
        with socket.create_connection((server.host, server.port), timeout=10) as sock:
            sock.sendall(f"{method} {path}?timeout_ms=0&rate=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                         "\r\nspec".encode())
            status_line = sock.makefile("rb").readline().decode()
        expected = 426 if method == "GET" and path == "/ws" else 200  # /ws without an upgrade
        assert int(status_line.split()[1]) == expected, f"{method} {path}: {status_line}"


def test_every_result_field_is_listed_and_exists():
    done = subprocess.run([str(BUILD / "bin" / "pushbench-client"), "--list-metrics", "--json"],
                          capture_output=True, text=True, check=True)
    written = {f["name"].split(".")[0] for f in json.loads(done.stdout)["fields"]}
    listed = {name for cell in first_cells(section("Result fields")) for name in re.findall(r"`([a-z_]+)`", cell)}
    assert listed == written


def test_every_harness_command_exists():
    commands = [re.match(r"`pushbench (\w+)", cell).group(1) for cell in first_cells(section("pushbench"))]
    assert commands
    for command in commands:
        done = subprocess.run([str(BUILD / "bin" / "pushbench"), command, "--help"], capture_output=True, text=True)
        assert done.returncode == 0, (command, done.stderr)
