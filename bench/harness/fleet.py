"""The hosts of a scenario's [hosts]: each reached over SSH (`ssh://user@host`, or `local` for this
machine) through a host agent (hostagent.py) that starts, samples and stops the programs placed
there. With `testhosts = N` the harness makes the hosts itself (scripts/testhosts.sh) and removes
them when the run ends, however it ends."""
import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
TESTHOSTS = ROOT / "scripts" / "testhosts.sh"
TESTHOSTS_STATE = Path(os.environ.get("PUSHBENCH_TESTHOSTS", "/run/pushbench-testhosts"))
ANSWER_TIMEOUT_S = 30.0
CLOCK_PROBES = 16  # the exchange with the shortest round trip is kept, as NTP does


class FleetError(Exception):
    pass


def ssh_target(url):
    """`ssh://user@host[:port]` -> (ssh's arguments for it, its name); `local` -> ([], 'local')."""
    if url == "local":
        return [], "local"
    parts = urlsplit(url)
    if parts.scheme != "ssh" or not parts.hostname or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"{url!r} is neither local nor ssh://[user@]host[:port]")
    target = f"{parts.username}@{parts.hostname}" if parts.username else parts.hostname
    return [*(["-p", str(parts.port)] if parts.port else []), target], parts.hostname


class Host:
    """One host's agent, over SSH or as a child of the harness; every request waits for its answer."""

    def __init__(self, url, tree, ssh_options):
        self.url = url
        target, self.name = ssh_target(url)
        agent = [sys.executable if not target else "/usr/bin/python3", str(Path(tree) / "bench" / "harness" /
                                                                           "hostagent.py")]
        command = agent if not target else ["ssh", *ssh_options, "-o", "ServerAliveInterval=5", *target, "--",
                                            *agent]
        self.address = "127.0.0.1" if not target else resolve(target[-1], ssh_options)
        # A session of its own: Ctrl-C reaches the harness, which then closes every agent in order.
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     start_new_session=True)
        try:
            hello = self._answer()
        except BaseException:  # Ctrl-C too: an agent not yet in the fleet is closed here
            self.close()
            raise
        if not hello.get("ready"):
            self.proc.kill()
            raise FleetError(f"{url}: the host agent did not start: {hello}")

    def _answer(self, timeout=ANSWER_TIMEOUT_S):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else b""
        if not line:
            self.proc.kill()
            self.proc.wait()
            error = self.proc.stderr.read().decode(errors="replace").strip()[-300:]
            raise FleetError(f"{self.url}: the host agent {'did not answer' if not ready else 'is gone'}"
                             f"{': ' + error if error else ''}")
        return json.loads(line)

    def call(self, **request):
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
        except OSError:  # the agent, or its SSH connection, is gone
            raise FleetError(f"{self.url}: the host agent is gone") from None
        answer = self._answer()
        if "error" in answer:
            raise FleetError(f"{self.url}: {answer['error']}")
        return answer

    def start(self, argv, core=None, ready=None, address=None):
        """Starts argv on the host; `ready`: wait for its first stdout line ("line") or for its
        {port} to accept at `address` ("port")."""
        return self.call(start=[str(a) for a in argv], core=core, ready=ready, address=address or self.address)

    def clock_offset(self):
        """(offset, uncertainty) in ns of this host's clock against the harness's: the probe with the
        shortest round trip, its offset from the midpoint, its uncertainty half the round trip."""
        best = None
        for _ in range(CLOCK_PROBES):
            sent = time.time_ns()
            remote = self.call(clock=True)["ns"]
            back = time.time_ns()
            if best is None or back - sent < best[1] - best[0]:
                best = (sent, back, remote)
        sent, back, remote = best
        return remote - (sent + back) / 2, (back - sent) / 2

    def close(self):
        """Stdin closed: the agent stops what it started and removes its folder, then exits."""
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=15)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()


def resolve(target, ssh_options):
    """The address ssh connects to for `target` (an ssh_config alias resolves to its HostName)."""
    done = subprocess.run(["ssh", *ssh_options, "-G", target], capture_output=True, text=True, timeout=10)
    for line in done.stdout.splitlines():
        key, _, value = line.partition(" ")
        if key == "hostname":
            return value
    return target.rpartition("@")[2]


def clock_between(client, server):
    """A client host's clock against the server host's: both measured from the harness, so the
    uncertainty is the sum of both probes'."""
    client_offset, client_error = client.clock_offset()
    server_offset, server_error = server.clock_offset()
    return {"offset_ms": (client_offset - server_offset) / 1e6, "uncertainty_ms": (client_error + server_error) / 1e6}


class Fleet:
    """Every host of [hosts], each with one agent, by role; made (and removed) with the test hosts
    when [hosts] asks for them. `local_build` is this machine's build, `build` the hosts'."""

    def __init__(self, hosts, build):
        self.spec, self.made_testhosts, self.agents = hosts, False, {}
        self.local_build = Path(build)
        options = list(hosts.get("ssh_options", []))
        # Where pushbench is on the hosts: installed (lib/pushbench), or this tree, when they share its files.
        self.tree = Path(hosts.get("pushbench") or ROOT)
        self.build = self.tree / "build" if hosts.get("pushbench") else Path(build)
        try:
            if hosts.get("testhosts"):
                # Test hosts already up (someone else's) are used and left; those made here are removed.
                up = [line for line in testhosts("status").splitlines() if line.startswith("pbh")]
                if 0 < len(up) < hosts["testhosts"]:
                    raise FleetError(f"{len(up)} test hosts are up, made by someone else, and the scenario needs "
                                     f"{hosts['testhosts']}: scripts/testhosts.sh down, or up {hosts['testhosts']}")
                self.made_testhosts = not up
                testhosts("up", str(hosts["testhosts"]))
                options += ["-F", str(TESTHOSTS_STATE / "ssh_config")]
            for url in dict.fromkeys([*hosts["nodes"], hosts["balancer"], hosts["redis"], *hosts["clients"]]):
                self.agents[url] = Host(url, self.tree, options)
        except BaseException:  # Ctrl-C too, while the hosts are made: none is left behind
            self.close()
            raise

    def __getitem__(self, url):
        return self.agents[url]

    def close(self):
        for agent in self.agents.values():
            agent.close()
        self.agents = {}
        if self.made_testhosts:
            testhosts("down")
            self.made_testhosts = False


def testhosts(*args):
    """scripts/testhosts.sh ARGS; its output. On Ctrl-C it is waited for: it cleans up after itself."""
    with subprocess.Popen([str(TESTHOSTS), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env={**os.environ, "PUSHBENCH_TESTHOSTS": str(TESTHOSTS_STATE)}) as script:
        try:
            out, err = script.communicate(timeout=120)
        except KeyboardInterrupt:  # a terminal's Ctrl-C reached it too; else it finishes and is undone after
            try:
                script.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                script.kill()
            raise
        except subprocess.TimeoutExpired:
            script.kill()
            raise FleetError(f"scripts/testhosts.sh {' '.join(args)}: no answer in 120 s") from None
    if script.returncode != 0:
        raise FleetError(f"scripts/testhosts.sh {' '.join(args)}: {err.strip()[-300:]}")
    return out
