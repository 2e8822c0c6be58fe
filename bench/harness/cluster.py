"""One run of one point on the hosts of [hosts]: Redis and a publishing node (the backplane),
the serving nodes, HAProxy in front of them, client processes spread over the client hosts; every
program sampled like a server, the client hosts' clocks measured against the publishing host's
before and after the window, a node killed mid-window when [faults] says so, and each host's
results merged into the point's."""
import json
import time
from urllib.parse import urlsplit

from . import processes, runner
from .fleet import FleetError, clock_between

STREAM = "events"
SAMPLE_EVERY_S = 2.0  # each sample walks /proc on its host: rarely, not to load the hosts


class Program:
    """A program the point started on a host, sampled there through the host's agent."""

    def __init__(self, role, host, answer):
        self.role, self.host, self.id = role, host, answer["id"]
        self.line, self.port = answer.get("line", ""), answer.get("port")
        self.cpu_begin = self.cpu_end = self.rss_begin = self.rss_max = None

    @property
    def url(self):
        if not self.line.startswith("listening on "):
            raise runner.RunFailed(f"{self.role} on {self.host.url} did not start: {self.line or 'no ready line'}")
        return self.line.split()[2]

    def sample(self):
        answer = self.host.call(sample=self.id)
        self.rss_max = max(self.rss_max or 0, answer["rss"])
        return answer

    def window_begins(self):
        answer = self.sample()
        self.cpu_begin, self.rss_begin = answer["cpu_s"], answer["rss"]

    def window_ends(self):
        self.cpu_end = self.sample()["cpu_s"]

    def record(self):
        return {"role": self.role, "host": self.host.url, "cpu_s": self.cpu_end - self.cpu_begin,
                "rss_window_begin": self.rss_begin, "rss_window_max": self.rss_max}


def server_argv(build, point, run, host, rate, backplane):
    return [build / "bin" / "pushbench-server", "--technique", point["technique"] if rate == 0 or not backplane
            else "all", "--backend", point["backend"], "--bind", host.address, "--port", "{port}",
            "--rate", rate, "--payload", point["payload"], "--payload-kind", point.get("payload_kind", "text"),
            "--max-connections", run["max_connections"], "--sse-retry", f"{run['reconnect_delay']}s",
            *(["--backplane", backplane] if backplane else []), *point.get("server_args", [])]


def start_side(fleet, point, run, core, programs):
    """Redis, the publisher, the nodes and HAProxy, each added to `programs` once started (to be
    stopped whatever happens next); returns (the publishing program, the balancer's URL). Without
    a backplane the one node publishes itself."""
    hosts, build = fleet.spec, fleet.build

    def start(role, url, argv, **ready):
        host = fleet[url]
        programs.append(Program(role, host, host.start(argv, core, **ready)))
        return programs[-1]

    backplane, publisher = None, None
    if point["backplane"]:
        redis_host = fleet[hosts["redis"]]
        redis = start("redis", hosts["redis"], ["redis-server", "--port", "{port}", "--bind", redis_host.address,
                                                "--save", "", "--appendonly", "no", "--protected-mode", "no"],
                      ready="port")
        backplane = f"redis://{redis_host.address}:{redis.port}/{STREAM}"
        publisher = start("publisher", hosts["redis"],
                          server_argv(build, point, run, redis_host, point["rate"], backplane), ready="line")
    nodes = [start("node", url, server_argv(build, point, run, fleet[url], 0 if backplane else point["rate"],
                                            backplane), ready="line") for url in hosts["nodes"][:point["nodes"]]]
    balancer = start("balancer", hosts["balancer"],
                     [fleet.tree / "servers" / "cluster" / "haproxy.sh", "--instances", hosts["balancer_processes"],
                      "--bind", f"{fleet[hosts['balancer']].address}:{{port}}",
                      *(urlsplit(n.url).netloc for n in nodes)], ready="line")
    return publisher or nodes[0], balancer.url


def start_clients(fleet, point, run, url, tag, clients):
    """The point's connections split over the client hosts, and on each over run.client_processes
    processes; each added to `clients` once started, as (host url, program, result file, connections)."""
    per_host = run["client_processes"]
    everywhere = {**run, "client_processes": per_host * len(fleet.spec["clients"])}  # connect_rate split over all
    share = runner.shares(point["connections"], everywhere["client_processes"])
    _, cores = processes.pin_plan(run["pin"], per_host)
    for h, host_url in enumerate(fleet.spec["clients"]):
        host = fleet[host_url]
        for i in range(per_host):
            connections = share[h * per_host + i]
            if connections:
                out = f"client-{tag}-{h}-{i}.json"
                answer = host.start(runner.client_argv(fleet.build, point, everywhere, url, connections, out), cores[i])
                clients.append((host_url, Program("client", host, answer), out, connections))


def wait_clients(clients, deadline):
    """Each client's result once it has exited, or RunFailed."""
    results = []
    for host_url, client, out, connections in clients:
        while True:
            answer = client.host.call(poll=client.id)
            if answer["exit"] is not None:
                break
            if time.monotonic() > deadline:
                raise runner.RunFailed(f"a client on {host_url} hung past the point's timeout; killed")
            time.sleep(0.1)
        if answer["exit"] != 0:
            raise runner.RunFailed(f"a client on {host_url} exited {answer['exit']}: {answer['tail']}")
        results.append((host_url, connections, json.loads(client.host.call(read=out)["text"])))
    return results


PUBLISHER_COUNTERS = ("publish_failed",)  # events Redis did not take from the publishing node
HOST_FIELDS = ("connections_established", "events_received", "events_per_connection", "gaps", "duplicates", "errors",
               "reconnects", "client_saturated", "latency_ns")


def per_host(results, build, clocks):
    """Each client host's share of the point: its processes' results merged, with its clock."""
    hosts = []
    for host_url in dict.fromkeys(url for url, _, _ in results):
        mine = [(n, r) for url, n, r in results if url == host_url]
        merged = runner.merge_clients([r for _, r in mine], build)
        hosts.append({"host": host_url, "connections": sum(n for n, _ in mine), "processes": len(mine),
                      **{key: merged[key] for key in HOST_FIELDS}, "clock": clocks[host_url]})
    return hosts


def measure(fleet, point, run, deadline):
    """Runs the point once on the fleet; returns (merged client result, samples). Raises RunFailed."""
    core, _ = processes.pin_plan(run["pin"], 1)
    programs, clients = [], []
    try:
        publishing, url = start_side(fleet, point, run, core, programs)
        nodes = [p for p in programs if p.role == "node"]
        client_hosts = [fleet[u] for u in fleet.spec["clients"]]
        clocks = {h.url: {"before": clock_between(h, publishing.host)} for h in client_hosts}
        begin, end = runner.window_times(run, point["connections"])
        at_start = {p: p.sample() for p in nodes}
        started = time.monotonic()
        start_clients(fleet, point, run, url, int(time.time() * 1000), clients)
        killed = _window(programs, nodes, started, begin, end, (point.get("faults") or {}).get("kill_node_at"))
        results = wait_clients(clients, deadline)
        for host in client_hosts:
            clocks[host.url]["after"] = clock_between(host, publishing.host)
        for program in programs:
            if program is not killed and program.host.call(poll=program.id)["exit"] is not None:
                raise runner.RunFailed(f"the {program.role} on {program.host.url} died during the run")
        hosts = per_host(results, fleet.local_build, clocks)  # the client's schema, read on this machine
        merged = runner.merge_clients([r for _, _, r in results], fleet.local_build)
        return merged, _samples(programs, nodes, at_start, begin, end, hosts, killed)
    except FleetError as error:
        raise runner.RunFailed(str(error)) from None
    finally:
        for _, client, _, _ in clients:
            _quietly(client.host, kill=client.id)
        for program in reversed(programs):  # SIGTERM: haproxy.sh removes its folder
            _quietly(program.host, stop=program.id)


def _quietly(host, **request):
    try:
        host.call(**request)
    except FleetError:
        pass  # the host's agent kills what is left when it closes


def _window(programs, nodes, started, begin, end, kill_at):
    """Samples every program over the window; kills the last node `kill_at` into it (and returns it)."""
    def wait_until(offset):
        time.sleep(max(0.0, started + offset - time.monotonic()))

    wait_until(begin)
    for program in programs:
        program.window_begins()
        program.counters_begin = window_counters(program)
    killed, kill_due = None, None if kill_at is None else begin + kill_at
    while time.monotonic() < started + end:
        if kill_due is not None and killed is None and time.monotonic() >= started + kill_due:
            killed = nodes[-1]
            killed.window_ends()
            killed.counters_end = window_counters(killed)
            killed.host.call(kill=killed.id)  # SIGKILL: no goodbye, its subscribers find a dead connection
            killed.killed_at_s = time.monotonic() - started - begin
        pending_kill = [kill_due] if kill_due is not None and killed is None else []
        wait_until(min(end, time.monotonic() - started + SAMPLE_EVERY_S, *pending_kill))
        for program in programs:
            if program is not killed:
                program.sample()
    for program in programs:
        if program is not killed:
            program.window_ends()
            program.counters_end = window_counters(program)
    return killed


def window_counters(program):
    """A node's counters, the publishing node's count of what it could not publish; none of others'."""
    keys = {"node": runner.COUNTERS, "publisher": PUBLISHER_COUNTERS}.get(program.role)
    return runner.server_counters(program.url, keys) if keys else None


def _samples(programs, nodes, at_start, begin, end, hosts, killed):
    """The nodes' samples summed, in the shape of one server's (derive reads them alike), with each
    program's, each client host's and the failure's under `cluster`."""
    growth = [runner.add_growth(dict.fromkeys(runner.COUNTERS, 0), n.counters_begin, n.counters_end) for n in nodes]
    counters = {key: None if any(g[key] is None for g in growth) else sum(g[key] for g in growth)
                for key in runner.COUNTERS}
    cpu_at_start = sum(at_start[n]["cpu_s"] for n in nodes)
    (publisher,) = [p for p in programs if p.role == "publisher"] or [None]
    failed = runner.add_growth(dict.fromkeys(PUBLISHER_COUNTERS, 0), publisher.counters_begin,
                               publisher.counters_end)["publish_failed"] if publisher else 0
    return {"cpu_s": sum(n.cpu_end - n.cpu_begin for n in nodes), "window_s": end - begin,
            "cpu_before_window_s": sum(n.cpu_begin for n in nodes) - cpu_at_start, "before_window_s": begin,
            "rss_baseline": sum(at_start[n]["rss"] for n in nodes),
            "rss_window_begin": sum(n.rss_begin for n in nodes), "rss_window_max": sum(n.rss_max for n in nodes),
            "rss_peak": sum(n.rss_max for n in nodes), "verified": False, "server_restarts": 0,
            **{f"server_{key}": value for key, value in counters.items()},
            "cluster": {"programs": [p.record() for p in programs], "client_hosts": hosts, "publish_failed": failed,
                        "killed_node": {"host": killed.host.url, "at_s": killed.killed_at_s} if killed else None}}
