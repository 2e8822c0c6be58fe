"""Fixtures: one real tiny run, made once, and per-test copies of it."""
import json
import shutil
import subprocess

import pytest

from run_fixture import BUILD, TINY


@pytest.fixture(scope="session")
def measured_run(tmp_path_factory):
    """One real run of a tiny scenario, made once for all the tests here."""
    base = tmp_path_factory.mktemp("measured")
    (base / "s.toml").write_text(TINY)
    done = subprocess.run([str(BUILD / "bin" / "pushbench"), "run", str(base / "s.toml"), "--out", str(base / "out"),
                           "--no-report"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (run_dir,) = (base / "out").iterdir()
    return run_dir


@pytest.fixture
def run_copy(measured_run, tmp_path):
    """A fresh copy of the measured run that a test may edit: copy("name") -> (folder, document)."""
    def make(name):
        target = tmp_path / name
        shutil.copytree(measured_run, target)
        return target, json.loads((target / "results.json").read_text())
    return make
