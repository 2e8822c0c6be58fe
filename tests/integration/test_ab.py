"""`pushbench ab` against a planted regression: this source built again with a 200 µs sleep in the
event encoding, compared on a tiny scenario with the build under test, is reported as a
regression of what the sleep changes (delivery latency, and the server's system calls per event:
a sleep is one) and exits 1; the build against itself exits 0 with identical counts. A 50 µs
sleep added about 40 % to a p50 of a quarter of a millisecond, which once fell inside a CI
runner's noise ("inconclusive")."""
import json
import os
import shutil
import subprocess

import pytest

from server_process import BUILD, ROOT, SANITIZED

pytestmark = pytest.mark.skipif(SANITIZED, reason="measures timing: not under a sanitizer")

PUSHBENCH = BUILD / "bin" / "pushbench"
TINY = """name = "ab-tiny"
description = "one SSE point, short: pushbench ab's own test"

[run]
warmup = "500ms"
duration = "1500ms"

[matrix]
technique = ["sse"]
connections = [10]
rate = [200]
payload = [64]
"""
ENCODING = "core/event.cpp"
ANCHOR = "  auto event = std::make_shared<EncodedEvent>();\n"
PLANTED = ANCHOR + "  std::this_thread::sleep_for(std::chrono::microseconds(200));  // planted by test_ab.py\n"


@pytest.fixture(scope="module")
def planted_build(tmp_path_factory):
    """A build folder whose pushbench-server is this source with the sleep planted; the other
    programs are the build under test's."""
    source = tmp_path_factory.mktemp("planted-src")
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True,
                             check=True).stdout.split()
    for name in tracked:
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    encoding = (source / ENCODING).read_text()
    assert ANCHOR in encoding, f"{ENCODING} changed: move the planted sleep"
    (source / ENCODING).write_text("#include <thread>\n" + encoding.replace(ANCHOR, PLANTED))
    build = source / "build"
    subprocess.run(["cmake", "-S", str(source), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release", "-DBUILD_TESTING=OFF"],
                   check=True, capture_output=True)
    subprocess.run(["cmake", "--build", str(build), "-j", str(os.cpu_count() or 1), "--target", "pushbench-server"],
                   check=True, capture_output=True)
    planted = tmp_path_factory.mktemp("planted-build")
    (planted / "bin").mkdir()
    for program in (BUILD / "bin").iterdir():
        (planted / "bin" / program.name).symlink_to(program.resolve())
    (planted / "bin" / "pushbench-server").unlink()
    shutil.copy2(build / "bin" / "pushbench-server", planted / "bin" / "pushbench-server")
    return planted


def ab(tmp_path, base, head, *flags):
    scenario = tmp_path / "ab-tiny.toml"
    scenario.write_text(TINY)
    done = subprocess.run([str(PUSHBENCH), "ab", str(base), str(head), str(scenario), "--rounds", "4",
                           "--out", str(tmp_path / "results"), "--markdown", str(tmp_path / "summary.md"), *flags],
                          capture_output=True, text=True, timeout=900)
    verdicts = list((tmp_path / "results").glob("*-ab-ab-tiny/verdict.json"))
    assert len(verdicts) == 1, done.stderr[-2000:]
    document = json.loads(verdicts[0].read_text())
    return done, {row["metric"]: row for row in document["rows"]}, document


def test_a_planted_sleep_in_the_encoding_is_a_regression(tmp_path, planted_build):
    done, rows, document = ab(tmp_path, BUILD, planted_build)
    assert done.returncode == 1, done.stdout + done.stderr[-2000:]
    assert document["verdict"] == "regression"
    assert rows["latency_p50_ms"]["verdict"] == "regression", rows["latency_p50_ms"]
    assert rows["latency_p50_ms"]["ratio"] > 1.1 and rows["latency_p50_ms"]["p_worse"] <= document["alpha"]
    assert rows["syscalls_per_event"]["verdict"] == "regression", rows["syscalls_per_event"]
    assert rows["bytes_per_event"]["verdict"] == "same", "the sleep sends no byte more"
    assert "| sse (beast) | latency_p50_ms |" in (tmp_path / "summary.md").read_text()
    for side in document["runs"]:  # both run folders are kept, as any run's
        assert len(json.loads((ROOT / side / "results.json").read_text())["points"]) == 1


def test_the_same_build_against_itself_is_no_regression(tmp_path):
    done, rows, document = ab(tmp_path, BUILD, BUILD)
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    assert document["verdict"] in ("no regression", "inconclusive")
    for metric in ("bytes_per_event", "requests_per_event", "syscalls_per_event", "errors", "gaps"):
        assert rows[metric]["verdict"] == "same", rows[metric]


def test_bad_arguments_are_refused(tmp_path):
    done = subprocess.run([str(PUSHBENCH), "ab", "no-such-revision", "HEAD", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "'no-such-revision' is neither a git revision nor a build folder" in done.stderr
    done = subprocess.run([str(PUSHBENCH), "ab", str(BUILD), "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "expected BASE HEAD [SCENARIO]" in done.stderr
    done = subprocess.run([str(PUSHBENCH), "ab", str(BUILD), str(BUILD), "--rounds", "0"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--rounds" in done.stderr
