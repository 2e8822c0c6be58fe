"""scripts/report.py renders every promised file from a results.json; failures are marked."""
import subprocess
import sys

from run_fixture import ROOT, save

REPORT = ROOT / "scripts" / "report.py"
PROMISED = ["report.html", "summary.md", "latency_vs_connections.png", "events_vs_connections.png",
            "cpu_per_event.png", "cpu_x_floor.png", "bytes_per_event.png", "requests_per_event.png",
            "memory_per_connection.png", "connect_time.png", "cpu_per_connection.png", "short_poll_interval.png",
            "spectrum_2c_20r_64b_0.1i.png", "spectrum_8c_20r_64b_0.1i.png"]


def render(run_dir):
    return subprocess.run([sys.executable, str(REPORT), str(run_dir)], capture_output=True, text=True, timeout=120)


def test_report_renders_every_promised_file(run_copy):
    run_dir, _ = run_copy("ok")
    done = render(run_dir)
    assert done.returncode == 0, done.stderr
    for name in PROMISED:
        path = run_dir / name
        assert path.exists() and path.stat().st_size > 0, name
        if name.endswith(".png"):
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    page = (run_dir / "report.html").read_text()
    assert page.count("data:image/png;base64,") == len([n for n in PROMISED if n.endswith(".png")])
    assert "src=\"http" not in page, "self-contained: nothing loaded from elsewhere"
    cpu = "AMD" if "AMD" in page else "cpu_model"
    for text in ("Key numbers", "Environment", "Scenario", "short-poll", "sse", cpu):
        assert text in page
    summary = (run_dir / "summary.md").read_text()
    assert summary.startswith("# pushbench: fixture") and "| sse | beast | 8 | 20 | 64" in summary


def test_a_run_with_a_failed_point_still_renders_and_marks_it(run_copy):
    run_dir, doc = run_copy("failed")
    point = doc["points"][0]
    point["status"] = "failed"
    point["failures"] = ["server did not start: simulated"]
    point["summary"] = {}
    for run in point["runs"]:
        run.update(status="failed", reason="server did not start: simulated")
        run.pop("metrics", None)
    doc["points"][1]["client_saturated"] = True
    save(run_dir, doc)
    done = render(run_dir)
    assert done.returncode == 0, done.stderr
    page = (run_dir / "report.html").read_text()
    assert 'class="failed"' in page and "FAILED: server did not start: simulated" in page
    assert 'class="saturated"' in page and "client saturated" in page
    assert "FAILED: server did not start" in (run_dir / "summary.md").read_text()


def test_report_refuses_a_folder_without_results(tmp_path):
    done = render(tmp_path)
    assert done.returncode == 2 and "no results.json" in done.stderr
