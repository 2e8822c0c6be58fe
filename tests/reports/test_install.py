"""`cmake --install`: an installed tree runs on its own, from wherever it is put (relocatable),
with nothing of the source or build trees (scripts/package_test.sh does the same with the Debian
package on a fresh Debian 12)."""
import json
import os
import shutil
import subprocess
import urllib.request

import pytest

from run_fixture import BUILD, ROOT

SCENARIO = """
name = "installed"
[run]
warmup = "300ms"
duration = "1s"
[matrix]
technique = ["long-poll", "websocket"]
connections = [4]
rate = [20]
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The build installed under a prefix, then moved elsewhere: it must not care."""
    first = tmp_path_factory.mktemp("prefix")
    done = subprocess.run(["cmake", "--install", str(BUILD), "--prefix", str(first)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    moved = tmp_path_factory.mktemp("moved") / "usr"
    shutil.move(str(first), str(moved))
    return moved


def test_every_program_is_linked_from_bin(installed):
    programs = sorted(p.name for p in (installed / "bin").iterdir())
    assert programs == sorted(["pushbench", "pushbench-server", "pushbench-client", "pushbench-floor",
                               "pushbench-relay", "pushbench-publisher", "pushbench-emitter", "pushbench-micro"])
    assert not any(str(ROOT) in p.read_text(errors="ignore") for p in (installed / "bin").iterdir()
                   if p.name == "pushbench"), "the launcher names no source tree"


def test_the_installed_server_serves_the_installed_demo(installed):
    page = installed / "lib/pushbench/web/clients/sse.js"
    page.write_text(page.read_text() + "// the installed copy\n")  # not the source tree's
    server = subprocess.Popen([str(installed / "bin" / "pushbench-server"), "--technique", "all", "--port", "0"],
                              stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().split()[2]
        with urllib.request.urlopen(url + "/demo/clients/sse.js", timeout=5) as answer:
            assert answer.read().endswith(b"// the installed copy\n")
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_installed_harness_runs_a_scenario_from_installed_paths(installed, tmp_path):
    (tmp_path / "s.toml").write_text(SCENARIO)
    done = subprocess.run([str(installed / "bin" / "pushbench"), "run", str(tmp_path / "s.toml")],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (run_dir,) = (tmp_path / "results").iterdir()  # installed, results/ is where it runs, not in the tree
    assert not (installed / "lib" / "pushbench" / "results").exists()
    results = json.loads((run_dir / "results.json").read_text())
    assert [p["status"] for p in results["points"]] == ["ok", "ok"]
    assert (run_dir / "summary.md").exists(), "the report, from the installed scripts/report.py"
    listed = subprocess.run([str(installed / "bin" / "pushbench"), "list"], capture_output=True, text=True)
    names = [line.split()[0] for line in listed.stdout.splitlines() if line.strip()]
    assert {"default", "ci", "cluster", "cluster-50k"} <= set(names), listed.stdout


@pytest.mark.skipif(os.geteuid() != 0, reason="test hosts are network namespaces: root only")
def test_the_installed_harness_runs_a_point_on_hosts_from_the_installed_tree(installed, tmp_path):
    """[hosts] with `pushbench` naming the installed tree: the agents, servers, HAProxy's script
    and clients on the test hosts all come from it."""
    tree = installed / "lib" / "pushbench"
    (tmp_path / "s.toml").write_text(f"""
[run]
warmup = "300ms"
duration = "1s"
client_processes = 2
[hosts]
testhosts = 2
pushbench = "{tree}"
nodes = ["ssh://root@pbh1"]
balancer = "ssh://root@pbh2"
redis = "ssh://root@pbh2"
clients = ["ssh://root@pbh2"]
[matrix]
technique = ["sse"]
connections = [4]
rate = [20]
backplane = [true]
""")
    testhosts = tree / "scripts" / "testhosts.sh"
    subprocess.run([str(testhosts), "down"], check=True)
    try:
        done = subprocess.run([str(installed / "bin" / "pushbench"), "run", str(tmp_path / "s.toml"), "--out",
                               str(tmp_path / "out"), "--no-report"], capture_output=True, text=True, timeout=300,
                              cwd=tmp_path)
    finally:
        subprocess.run([str(testhosts), "down"], check=True)
    assert done.returncode == 0, done.stderr
    (run_dir,) = (tmp_path / "out").iterdir()
    (point,) = json.loads((run_dir / "results.json").read_text())["points"]
    assert point["status"] == "ok" and point["gaps"] == 0, point["failures"]
    assert {p["role"] for p in point["runs"][0]["server"]["cluster"]["programs"]} == \
        {"node", "balancer", "redis", "publisher"}
