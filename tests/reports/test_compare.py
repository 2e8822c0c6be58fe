"""pushbench compare: an unchanged run passes; a planted regression exits 1."""
import subprocess

from run_fixture import BUILD, save, worsen


def compare(base, new, *extra):
    return subprocess.run([str(BUILD / "bin" / "pushbench"), "compare", str(base), str(new), *extra],
                          capture_output=True, text=True, timeout=120)


def test_an_unchanged_run_passes(run_copy):
    base, _ = run_copy("base")
    new, _ = run_copy("new")
    done = compare(base, new)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no change beyond 10%" in done.stdout


def test_a_planted_regression_exits_1(run_copy, tmp_path):
    base, _ = run_copy("base")
    new, doc = run_copy("new")
    save(new, worsen(doc, "server_cpu_us_per_event", 3.0))
    markdown = tmp_path / "compare.md"
    done = compare(base, new, "--markdown", markdown)
    assert done.returncode == 1, done.stdout
    assert "server_cpu_us_per_event" in done.stdout and "regression" in done.stdout
    assert "| point | metric | base | new | change | verdict |" in markdown.read_text()


def test_an_improvement_is_not_a_regression(run_copy):
    base, _ = run_copy("base")
    new, doc = run_copy("new")
    save(new, worsen(doc, "latency_p99_ms", 0.2))
    done = compare(base, new)
    assert done.returncode == 0 and "improvement" in done.stdout


def test_changes_within_the_spread_of_repetitions_are_not_regressions(run_copy):
    base, doc = run_copy("base")
    for point in doc["points"]:  # a base whose repetitions spread widely
        summary = point["summary"]["latency_p99_ms"]
        summary["min"], summary["max"] = summary["median"] * 0.5, summary["median"] * 3
    save(base, doc)
    new, new_doc = run_copy("new")
    save(new, worsen(new_doc, "latency_p99_ms", 1.5))
    assert compare(base, new).returncode == 0


def test_a_point_that_fails_now_is_a_regression(run_copy):
    base, _ = run_copy("base")
    new, doc = run_copy("new")
    doc["points"][0]["status"] = "failed"
    save(new, doc)
    done = compare(base, new)
    assert done.returncode == 1 and "status" in done.stdout


def test_bad_run_folder_is_a_clear_error(tmp_path, run_copy):
    base, _ = run_copy("base")
    done = compare(base, tmp_path / "nothing")
    assert done.returncode == 2 and "not a run folder" in done.stderr
