"""scripts/testhosts.sh: network namespaces as hosts, each with its own address and an sshd; gone
after `down`, and after an `up` that is interrupted."""
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from server_process import SERVER_BIN

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "testhosts.sh"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")


@pytest.fixture
def state(tmp_path):
    env = {**os.environ, "PUSHBENCH_TESTHOSTS": str(tmp_path / "hosts")}
    yield env
    subprocess.run([str(SCRIPT), "down"], env=env, timeout=60)


def run(env, *args, check=True):
    return subprocess.run([str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=60, check=check)


def ssh(env, host, command):
    config = Path(env["PUSHBENCH_TESTHOSTS"]) / "ssh_config"
    return subprocess.run(["ssh", "-F", str(config), host, command], capture_output=True, text=True, timeout=30)


def leftovers(env):
    namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split()
    bridge = subprocess.run(["ip", "link", "show", "pbbr0"], capture_output=True).returncode == 0
    sshds = subprocess.run(["pgrep", "-f", env["PUSHBENCH_TESTHOSTS"]], capture_output=True, text=True).stdout
    veths = subprocess.run(["ip", "-br", "link", "show", "type", "veth"], capture_output=True, text=True).stdout
    return {"namespaces": [n for n in namespaces if n.startswith("pbh")], "bridge": bridge, "sshd": sshds.split(),
            "veths": [line.split("@")[0] for line in veths.splitlines() if line.startswith("pbv")],
            "state": Path(env["PUSHBENCH_TESTHOSTS"]).exists()}


NOTHING = {"namespaces": [], "bridge": False, "sshd": [], "veths": [], "state": False}


def test_hosts_have_their_own_addresses_reach_each_other_and_are_removed(state):
    run(state, "up", "2")
    run(state, "up", "2")  # again: nothing changes
    assert run(state, "status").stdout.splitlines() == ["pbh1 10.200.0.11 sshd up", "pbh2 10.200.0.12 sshd up"]
    for host, address in (("pbh1", "10.200.0.11"), ("pbh2", "10.200.0.12")):
        shown = ssh(state, host, "ip -4 -o addr show eth0")
        assert shown.returncode == 0 and f"inet {address}/24" in shown.stdout, shown.stderr
    started = ssh(state, "pbh1", f"{SERVER_BIN} --technique all --bind 10.200.0.11 --port 8080 >/dev/null 2>&1 & "
                                 "sleep 0.5; echo started")
    assert started.stdout.strip() == "started", started.stderr
    assert ssh(state, "pbh2", "curl -s --max-time 5 http://10.200.0.11:8080/healthz").stdout == "ok"
    alone = ssh(state, "pbh2", "curl -s --max-time 2 http://127.0.0.1:8080/healthz")
    assert alone.returncode != 0, "each host has a loopback of its own"
    run(state, "down")
    assert leftovers(state) == NOTHING
    assert subprocess.run(["pgrep", "-f", "--", "--bind 10.200.0.11"], capture_output=True).returncode == 1, \
        "what ran on a host is gone with it"
    run(state, "down")  # again: nothing to do, no error


def test_an_interrupted_up_leaves_nothing(state):
    up = subprocess.Popen([str(SCRIPT), "up", "6"], env=state, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not leftovers(state)["namespaces"] and time.monotonic() < deadline:
        time.sleep(0.02)
    made = leftovers(state)["namespaces"]
    up.send_signal(signal.SIGINT)  # part-way through making the hosts
    assert up.wait(timeout=60) == 130
    assert made and len(made) < 6, f"interrupted after it made a host and before the last: {made}"
    assert leftovers(state) == NOTHING


def test_an_up_that_fails_leaves_nothing(state):
    """A host that cannot be made (the name of its link taken) fails the up, which removes the rest."""
    subprocess.run(["ip", "link", "add", "pbv2", "type", "bridge"], check=True)
    try:
        done = run(state, "up", "3", check=False)
    finally:
        subprocess.run(["ip", "link", "delete", "pbv2"], check=True)
    assert done.returncode != 0 and "removing the hosts" in done.stderr, done.stderr
    assert leftovers(state) == NOTHING


def test_down_removes_the_link_of_a_namespace_the_kernel_still_holds(state):
    """A namespace outlives its name while something holds it (a closing socket in it; here an open
    file, the same for the kernel), and its veth pair with it: down removes the pair itself."""
    run(state, "up", "1")
    with open("/run/netns/pbh1") as held:
        holder = subprocess.Popen(["sleep", "60"], pass_fds=[held.fileno()])
    try:
        run(state, "down")
        assert leftovers(state) == NOTHING
        run(state, "up", "1")  # and the next up can make the host again
        run(state, "down")
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("args", [["up"], ["up", "0"], ["up", "x"], ["sideways"]])
def test_bad_arguments_are_refused(state, args):
    done = run(state, *args, check=False)
    assert done.returncode == 2 and done.stderr.startswith("testhosts: "), done.stderr
