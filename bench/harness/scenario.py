"""Scenario files (TOML): read, check every key and value before anything starts, expand the
matrix into points. Every error names the file, the key's path and what is wrong."""
import itertools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import fleet, techniques


class ScenarioError(Exception):
    pass


def parse_duration(text):
    """'500ms', '10s', '2m', '1h', '250us' or a number of seconds -> seconds."""
    if isinstance(text, bool):
        raise ValueError
    if isinstance(text, (int, float)):
        if text < 0:
            raise ValueError
        return float(text)
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)?", str(text))
    if not match:
        raise ValueError
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1, None: 1, "m": 60, "h": 3600}[match.group(2)]
    return float(match.group(1)) * scale


def parse_size(text):
    """64, '64B', '4KiB', '1MiB' -> bytes."""
    if isinstance(text, bool):
        raise ValueError
    if isinstance(text, int):
        if text < 0:
            raise ValueError
        return text
    match = re.fullmatch(r"(\d+)(B|KiB|MiB|GiB|KB|MB|GB)?", str(text))
    if not match:
        raise ValueError
    return int(match.group(1)) * {None: 1, "B": 1, "KiB": 1024, "MiB": 2**20, "GiB": 2**30, "KB": 1000,
                                  "MB": 10**6, "GB": 10**9}[match.group(2)]


def _number(kind, low, high):
    def check(value):
        wrong_kind = kind is int and not isinstance(value, int)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or wrong_kind:
            raise ValueError(f"{value!r} is not {'a whole number' if kind is int else 'a number'}")
        if not low <= value <= high:
            raise ValueError(f"{value!r} is out of range ({low} to {high})")
        return value
    return check


def _units(parser, what, low, high):
    def check(value):
        try:
            parsed = parser(value)
        except ValueError:
            raise ValueError(f"{value!r} is not {what}") from None
        if not low <= parsed <= high:
            raise ValueError(f"{value!r} is out of range")
        return parsed
    return check


def _choice(choices):
    """One of `choices`: a list, or a function that gives it (the technique table, read when needed)."""
    def check(value):
        allowed = choices() if callable(choices) else choices
        if value not in allowed:
            raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")
        return value
    return check


def _typed(kind, name):
    def check(value):
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ValueError(f"{value!r} is not {name}")
        return value
    return check


Duration = _units(parse_duration, "a duration (like 500ms, 10s, 2m)", 0, 86400)
Size = _units(parse_size, "a size (like 64, 4KiB, 1MiB)", 0, 16 * 2**20)
Bool = _typed(bool, "true or false")
Text = _typed(str, "a string")


def HostURL(value):
    """A host of [hosts]: `ssh://[user@]host[:port]` or `local`."""
    fleet.ssh_target(Text(value))
    return value


def AbsolutePath(value):
    if not Text(value).startswith("/"):
        raise ValueError(f"{value!r} is not an absolute path")
    return value


@dataclass
class ListOf:
    item: object


SCHEMA = {
    "name": Text,
    "description": Text,
    "run": {
        "warmup": Duration,
        "duration": Duration,
        "repetitions": _number(int, 1, 100),
        "pin": Bool,
        "client_threads": _number(int, 1, 64),
        "client_processes": _number(int, 1, 64),
        "connect_rate": _number(float, 0, 1e7),
        "point_timeout": Duration,
        "max_connections": _number(int, 1, 1_000_000),
        "micro": Bool,
        "relay_threads": _number(int, 1, 64),
        "reconnect_delay": Duration,  # clients' wait before reconnecting, and the SSE retry the server announces
        "drain": Duration,  # after the window: late events published in it still count (the client's --drain)
        "keep_alive": Bool,  # false: every poll on a new connection (and, over TLS, a handshake each)
        # The broadcast workload: `senders` of the connections each publish `send_rate` messages/s
        # of `send_size` bytes (through the technique's way up) and time their round trip.
        "send_rate": _number(float, 0, 1e5),
        "senders": _number(int, 0, 1_000_000),
        "send_size": _units(parse_size, "a size (like 65, 4KiB)", 65, 2**20),
    },
    "matrix": {
        "technique": ListOf(_choice(lambda: techniques.names() + techniques.peer_variants())),
        "backend": ListOf(Text),  # a built-in backend or a [servers.NAME]; checked in load()
        "connections": ListOf(_number(int, 1, 100_000)),
        "rate": ListOf(_number(float, 0, 1e6)),
        "payload": ListOf(Size),
        "payload_kind": ListOf(_choice(["text", "binary"])),  # binary: base64 in JSON, binary WebSocket frames
        "poll_interval": ListOf(Duration),
        "network": ListOf(Text),  # a built-in profile or a [network.NAME]; checked in load()
        "tls": ListOf(Bool),  # https and wss: pushbench-server with --tls self-signed, or a server's https URL
        "nodes": ListOf(_number(int, 1, 64)),  # serving nodes behind HAProxy, on [hosts]
        "backplane": ListOf(Bool),  # the nodes share one log over Redis; false: one node, its own log
    },
    "ramp": {
        "dimension": _choice(["connections", "rate"]),
        "steps": ListOf(_number(float, 0, 1e7)),
        "stop_p99_ms": _number(float, 0, 1e9),
        "stop_round_trip_p95_ms": _number(float, 0, 1e9),  # the broadcast workload's rule (websocket-shootout's)
        "stop_on_errors": Bool,
        "stop_delivery_below": _number(float, 0, 1),
    },
    "soak": {  # a soak instead of points: every technique of the matrix at once against one server
        "subscribers": _number(int, 1, 100_000),  # long-lived, per technique
        "churn_per_s": _number(float, 0.01, 10_000),  # connections opened and closed
        "bad_requests_per_s": _number(float, 0.01, 10_000),
        "sample_every": Duration,
        "rss_noise_floor": Size,  # the least RSS drift that counts (allocator granularity)
        "history": _number(int, 1, 1 << 24),  # the server's --history: full before the warm-up ends
    },
    "thresholds": dict,  # "metric{filter=value}" = "< 20"; checked by thresholds.parse
    "network": dict,  # NAME = {rtt, jitter, bandwidth, stall}; checked by network.parse_profile
    "faults": dict,  # reset_every, server_restart_at, stuck_readers, stuck_for; checked by network.parse_faults
    "servers": dict,  # NAME = {command = [...] | url = "...", techniques = [...], verify = true}
    # Where the programs run: hosts reached over SSH (ssh://user@host) or `local`, one agent each.
    "hosts": {
        "testhosts": _number(int, 1, 200),  # make the hosts for the run (scripts/testhosts.sh up N), remove after
        "ssh_options": ListOf(Text),
        "pushbench": AbsolutePath,  # where it is installed on the hosts (default: this tree, for hosts sharing it)
        "nodes": ListOf(HostURL),
        "balancer": HostURL,
        "balancer_processes": _number(int, 1, 64),  # HAProxy processes sharing the port (SO_REUSEPORT)
        "redis": HostURL,  # Redis, and the node that publishes into it
        "clients": ListOf(HostURL),  # run.client_processes client processes on each
    },
}
HOSTS_DEFAULTS = {"ssh_options": [], "balancer_processes": 1}

# A server that is not pushbench-server: a command that prints the SPEC's "listening on" line
# ({rate}, {payload} and {root} in it are replaced), or the URL of one already running. In a
# scenario's [servers.NAME], or in a server profile, servers/peers/NAME/profile.toml, that a
# matrix's backend names.
SERVER_SCHEMA = {
    "command": ListOf(Text),
    "url": Text,
    "techniques": ListOf(_choice(lambda: techniques.names() + techniques.peer_variants())),
    "verify": Bool,
    "verify_skips": dict,  # check name = why it does not apply to this server; checked in _server()
    "description": Text,
    "version": ListOf(Text),  # a command printing the server's version, recorded with the results
    # A server without a publisher of its own: pushbench-publisher POSTs the events to it.
    "publish": {
        "path": Text,
        "template": Text,  # a file of the body's text ($event, $event_string, $seq, $prev_seq)
        "content_type": Text,
        "connections": _number(int, 1, 64),
    },
    "client_args": dict,  # technique = [flags]: how the client speaks this server's dialect of it
}
PEERS = Path(__file__).resolve().parents[2] / "servers" / "peers"

RUN_DEFAULTS = {"warmup": 2.0, "duration": 10.0, "repetitions": 1, "pin": True, "client_threads": 1,
                "client_processes": 1, "connect_rate": 0.0, "point_timeout": 300.0, "max_connections": 20000,
                "micro": False, "relay_threads": 1,
                "reconnect_delay": 1.0, "drain": 0.0, "keep_alive": True, "send_rate": 0.0, "senders": 0,
                "send_size": 65}
SOAK_DEFAULTS = {"subscribers": 100, "churn_per_s": 20.0, "bad_requests_per_s": 5.0, "sample_every": 1.0,
                 "rss_noise_floor": 1 << 20, "history": 1024}
MATRIX_DEFAULTS = {"technique": None, "backend": ["beast"], "connections": [100], "rate": [10.0],
                   "payload": [64], "payload_kind": ["text"],
                   "poll_interval": [1.0], "network": ["lan"], "tls": [False], "nodes": [1], "backplane": [False]}


def _check(table, schema, path, errors):
    out = {}
    for key, value in table.items():
        where = f"{path}.{key}" if path else key
        if key not in schema:
            errors.append(f"{where}: unknown key (known: {', '.join(schema)})")
            continue
        rule = schema[key]
        if rule is dict:
            if not isinstance(value, dict):
                errors.append(f"{where}: must be a table")
            else:
                out[key] = value
        elif isinstance(rule, dict):
            if not isinstance(value, dict):
                errors.append(f"{where}: must be a table")
            else:
                out[key] = _check(value, rule, where, errors)
        elif isinstance(rule, ListOf):
            if not isinstance(value, list):
                errors.append(f"{where}: must be a list")
                continue
            if not value:
                errors.append(f"{where}: empty list" + (": the matrix would have no points" if path == "matrix"
                                                        else ": give at least one"))
            items = []
            for i, item in enumerate(value):
                try:
                    items.append(rule.item(item))
                except ValueError as problem:
                    errors.append(f"{where}[{i}]: {problem}")
            out[key] = items
        else:
            try:
                out[key] = rule(value)
            except ValueError as problem:
                errors.append(f"{where}: {problem}")
    return out


@dataclass
class Scenario:
    name: str
    path: str
    description: str
    run: dict
    matrix: dict
    ramp: dict | None
    thresholds: list = field(default_factory=list)
    soak: dict | None = None
    servers: dict = field(default_factory=dict)
    networks: dict = field(default_factory=dict)  # every profile the matrix names, by name
    faults: dict = field(default_factory=dict)
    source: dict = field(default_factory=dict)
    hosts: dict | None = None

    def points(self):
        """Every point of the matrix (for a ramp: every point but the ramped dimension)."""
        keys = [k for k in MATRIX_DEFAULTS if not (self.ramp and k == self.ramp["dimension"])]
        for values in itertools.product(*(self.matrix[k] for k in keys)):
            point = dict(zip(keys, values))
            server = self.servers.get(point["backend"])
            if server is not None and point["technique"] not in server["techniques"]:
                continue
            if server is not None and point["tls"] != server.get("url", "").startswith("https://"):
                continue  # a server not ours speaks TLS when its URL says so, and only then
            if server is None and not techniques.served_on(point["technique"], point["backend"]):
                continue  # a peer protocol, or a technique this backend does not serve
            if point["nodes"] > 1 and not point["backplane"]:
                continue  # nodes with a log each would number events each their own way
            yield point


def _server(name, table, where, errors):
    """A server that is not ours, from a scenario's [servers.NAME] (`where` is that key) or from a
    profile (`where` is empty), checked."""
    def key(inner):
        return f"{where}.{inner}" if where else inner

    if not isinstance(table, dict):
        errors.append(f"{where}: must be a table")
        return {}
    server = _check(table, SERVER_SCHEMA, where, errors)
    if ("command" in server) == ("url" in server):
        errors.append(f"{where or 'the profile'}: give either command or url")
    if "techniques" not in server:
        errors.append(f"{key('techniques')}: required (which techniques it serves)")
    if name in techniques.backends():
        errors.append(f"{where or 'the profile'}: {name!r} is the name of a built-in backend")
    for technique, args in server.get("client_args", {}).items():
        if technique not in server.get("techniques", []) or not isinstance(args, list) \
                or not all(isinstance(a, str) for a in args):
            errors.append(f"{key('client_args.' + technique)}: must be a list of strings, for one of its techniques")
    for check, why in server.get("verify_skips", {}).items():
        if not isinstance(why, str) or not why:
            errors.append(f"{key('verify_skips')}.{check!r}: give the reason the check does not apply")
    if "publish" in server and "path" not in server["publish"]:
        errors.append(f"{key('publish.path')}: required (where the events are POSTed)")
    return {"verify": True, **server}


def load_profile(name):
    """A server profile by name, checked: raises ScenarioError naming the file and the problems."""
    if not (PEERS / name / "profile.toml").is_file():
        raise ScenarioError(f"no server profile {name!r} (servers/peers/{name}/profile.toml)")
    errors = []
    server = _profile(name, errors)
    if errors:
        raise ScenarioError("\n".join(errors))
    return server


def _profile(name, errors):
    """The server profile servers/peers/NAME/profile.toml, checked; its errors name the file."""
    path = PEERS / name / "profile.toml"
    try:
        table = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        errors.append(f"{path}: not valid TOML: {error}")
        return {}
    found = []
    server = _server(name, table, "", found)
    errors += [f"{path}: {problem}" for problem in found]
    return server


def load(path):
    from . import network, thresholds  # they parse their own syntax

    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text())
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{path}: not valid TOML: {error}") from None
    errors = []
    checked = _check(raw, SCHEMA, "", errors)
    matrix = {**MATRIX_DEFAULTS, "technique": techniques.names(), **checked.get("matrix", {})}
    ramp = checked.get("ramp")
    soak = checked.get("soak")
    if soak is not None:
        soak = {**SOAK_DEFAULTS, **soak}
        if ramp is not None:
            errors.append("soak: a soak has no ramp")
        between_polls = max(matrix["rate"]) * max(matrix["poll_interval"])
        if soak["history"] < 2 * between_polls:
            errors.append(f"soak.history: {soak['history']} events would drop what short polls have not fetched "
                          f"yet ({between_polls:g} are published between two polls); give at least twice that")
    if ramp is not None:
        for key in ("dimension", "steps"):
            if key not in ramp:
                errors.append(f"ramp.{key}: required in a ramp")
        if "dimension" in ramp and ramp["dimension"] in checked.get("matrix", {}):
            errors.append(f"matrix.{ramp['dimension']}: also the ramp's dimension; give its values in ramp.steps")
    servers = {}
    for name, table in checked.get("servers", {}).items():
        servers[name] = _server(name, table, f"servers.{name}", errors)
    for i, backend in enumerate(matrix["backend"]):
        if backend in techniques.backends() or backend in servers:
            continue
        if not (PEERS / backend / "profile.toml").is_file():
            built_in = ", ".join(techniques.backends())
            errors.append(f"matrix.backend[{i}]: {backend!r} is neither a built-in backend ({built_in}), "
                          f"a [servers] entry nor a server profile (servers/peers/{backend}/profile.toml)")
            continue
        servers[backend] = _profile(backend, errors)
    run = {**RUN_DEFAULTS, **checked.get("run", {})}
    profiles = dict(network.BUILT_IN)
    for name, table in checked.get("network", {}).items():
        if name in network.BUILT_IN:
            errors.append(f"network.{name}: the name of a built-in profile ({', '.join(network.BUILT_IN)})")
        else:
            profiles[name] = network.parse_profile(name, table, errors)
    for i, name in enumerate(matrix["network"]):
        if name not in profiles:
            errors.append(f"matrix.network[{i}]: {name!r} is neither a built-in profile "
                          f"({', '.join(network.BUILT_IN)}) nor a [network] entry")
    faults = network.parse_faults(checked["faults"], run, errors) if "faults" in checked else {}
    if "reset_every" in faults and run["duration"] <= network.RESETS_MARGIN + max(matrix["poll_interval"]):
        errors.append(f"faults.reset_every: resets need a window (run.duration, {run['duration']:g} s) longer than "
                      f"{network.RESETS_MARGIN:g} s plus the longest poll interval, to be seen inside it")
    if soak is not None and faults:
        errors.append("faults: a soak runs without faults")
    if soak is not None and matrix["network"] != ["lan"]:
        errors.append("matrix.network: a soak runs on loopback as it is (lan)")
    hosts = _hosts(checked.get("hosts"), raw.get("hosts"), matrix, faults or {}, servers, soak, errors)
    parsed_thresholds = []
    for name, condition in checked.get("thresholds", {}).items():
        try:
            parsed_thresholds.append(thresholds.parse(name, condition))
        except ValueError as problem:
            errors.append(f"thresholds.{name}: {problem}")
    if errors:
        raise ScenarioError("\n".join(f"{path}: {e}" for e in errors))
    return Scenario(name=checked.get("name", path.stem), path=str(path), description=checked.get("description", ""),
                    run=run, matrix=matrix, ramp=ramp, thresholds=parsed_thresholds, servers=servers, source=raw,
                    soak=soak, networks={name: profiles[name] for name in matrix["network"] if name in profiles},
                    faults=faults or {}, hosts=hosts)


def _hosts(hosts, given, matrix, faults, servers, soak, errors):
    """[hosts] (`given` as written, `hosts` its checked values), checked with what it allows:
    nodes, a backplane and a node's death need it."""
    if hosts is None:
        for key, value in (("nodes", [1]), ("backplane", [False])):
            if matrix[key] != value:
                errors.append(f"matrix.{key}: {matrix[key]} needs [hosts] (nodes behind HAProxy)")
        if "kill_node_at" in faults:
            errors.append("faults.kill_node_at: needs [hosts] (nodes behind HAProxy)")
        return None
    hosts = {**HOSTS_DEFAULTS, **hosts}
    for key in ("nodes", "balancer", "redis", "clients"):
        if key not in given:
            errors.append(f"hosts.{key}: required")
    if "testhosts" in hosts:
        for key in ("nodes", "balancer", "redis", "clients"):
            urls = hosts.get(key, [])
            for i, url in enumerate(urls if isinstance(urls, list) else [urls]):
                number = re.fullmatch(r"pbh(\d+)", fleet.ssh_target(url)[1])
                if number and int(number.group(1)) > hosts["testhosts"]:
                    where = f"hosts.{key}[{i}]" if isinstance(urls, list) else f"hosts.{key}"
                    errors.append(f"{where}: {url!r} is not one of the {hosts['testhosts']} test hosts "
                                  f"(pbh1..pbh{hosts['testhosts']}, hosts.testhosts)")
    if matrix["nodes"] and max(matrix["nodes"]) > len(hosts.get("nodes", [])):
        errors.append(f"matrix.nodes: {max(matrix['nodes'])} nodes, but hosts.nodes names "
                      f"{len(hosts.get('nodes', []))} hosts")
    if "kill_node_at" in faults and matrix["nodes"] and (min(matrix["nodes"]) < 2 or not all(matrix["backplane"])):
        errors.append("faults.kill_node_at: every point needs 2 nodes or more over a backplane (matrix.nodes, "
                      "matrix.backplane), for the subscribers to have somewhere to resume")
    for key in sorted(set(faults) - {"kill_node_at"}):
        errors.append(f"faults.{key}: not on [hosts] (only kill_node_at)")
    if matrix["network"] != ["lan"]:
        errors.append("matrix.network: on [hosts] the hosts' own network (lan)")
    if soak is not None or servers:
        errors.append("hosts: only pushbench-server's points run on hosts (no soak, no [servers] or profiles)")
    return hosts
