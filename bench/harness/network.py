"""Network profiles and faults: what a scenario's `[network.NAME]` and `[faults]` tables mean, the
built-in profiles (each with its published source), and the pushbench-relay command that applies
them between the clients and the server. The relay runs on the load cores: its CPU is the load
side's, never the server's. Loopback has no round trip, so `lan` applies nothing."""
import re

from .scenario import Duration

KBIT = 1000 / 8  # bytes/s in a kbit/s

# name: profile. Bandwidths in bytes/s per direction and per connection (each client is its own
# device on its own link); 0 = not limited.
BUILT_IN = {
    "lan": {"rtt": 0.0, "jitter": 0.0, "down": 0.0, "up": 0.0, "stall_length": 0.0, "stall_every": 0.0,
            "source": "loopback as it is: nothing applied"},
    "wifi": {"rtt": 0.040, "jitter": 0.0, "down": 10240 * KBIT, "up": 10240 * KBIT, "stall_length": 0.0,
             "stall_every": 0.0,
             "source": "Lighthouse's desktop throttling (rttMs 40, throughputKbps 10 * 1024): a good home link"},
    "lte": {"rtt": 0.070, "jitter": 0.0, "down": 12000 * KBIT, "up": 12000 * KBIT, "stall_length": 0.0,
            "stall_every": 0.0, "source": "WebPageTest's LTE connectivity profile (12/12 Mbit/s, 70 ms)"},
    "mobile": {"rtt": 0.150, "jitter": 0.0, "down": 1638.4 * KBIT, "up": 750 * KBIT, "stall_length": 0.0,
               "stall_every": 0.0,
               "source": "Lighthouse's mobile throttling, 'Slow 4G' (rttMs 150, 1.6 * 1024 kbit/s down, "
                         "750 kbit/s up), the same as WebPageTest's '3G Fast'"},
    "slow-3g": {"rtt": 0.400, "jitter": 0.0, "down": 400 * KBIT, "up": 400 * KBIT, "stall_length": 0.0,
                "stall_every": 0.0, "source": "WebPageTest's '3G Slow' connectivity profile (400/400 kbit/s, 400 ms)"},
}

BANDWIDTH_UNITS = {"bit": 1 / 8, "kbit": KBIT, "Mbit": 1000 * KBIT, "Gbit": 10**6 * KBIT,
                   "B": 1, "KB": 1000, "MB": 10**6, "KiB": 1024, "MiB": 2**20}


def parse_bandwidth(text):
    """'1.6Mbit', '750kbit/s', '100KiB/s' -> bytes/s, above 0."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(bit|kbit|Mbit|Gbit|B|KB|MB|KiB|MiB)(?:/s)?", str(text))
    if isinstance(text, bool) or not match:
        raise ValueError(f"{text!r} is not a bandwidth (like 750kbit, 1.6Mbit, 100KiB/s)")
    value = float(match.group(1)) * BANDWIDTH_UNITS[match.group(2)]
    if value <= 0:
        raise ValueError(f"{text!r}: a bandwidth must be above 0 (leave it out for no limit)")
    return value


def _duration(where, value, errors, low=0.0):
    try:
        seconds = Duration(value)
    except ValueError as problem:
        errors.append(f"{where}: {problem}")
        return None
    if seconds < low:
        errors.append(f"{where}: {value!r} is below {low:g} s")
        return None
    return seconds


PROFILE_KEYS = ("rtt", "jitter", "bandwidth", "stall", "description")


def parse_profile(name, table, errors):
    """A `[network.NAME]` table as a profile like BUILT_IN's; problems go to `errors`, naming the key."""
    where = f"network.{name}"
    if not isinstance(table, dict):
        errors.append(f"{where}: must be a table")
        return None
    profile = {**BUILT_IN["lan"], "source": table.get("description", "the scenario")}
    for key, value in table.items():
        if key not in PROFILE_KEYS:
            errors.append(f"{where}.{key}: unknown key (known: {', '.join(PROFILE_KEYS)})")
        elif key in ("rtt", "jitter"):
            profile[key] = _duration(f"{where}.{key}", value, errors)
        elif key == "bandwidth":  # one value for both directions, or {down = ..., up = ...}
            sides = value if isinstance(value, dict) else {"": value}
            for side, amount in sides.items():
                if side not in ("down", "up", ""):
                    errors.append(f"{where}.bandwidth.{side}: unknown key (known: down, up)")
                    continue
                try:
                    rate = parse_bandwidth(amount)
                except ValueError as problem:
                    errors.append(f"{where}.bandwidth{'.' + side if side else ''}: {problem}")
                    continue
                profile.update({side: rate} if side else {"down": rate, "up": rate})
        elif key == "stall":  # {length = "300ms", every = "5s"}
            if not isinstance(value, dict) or set(value) != {"length", "every"}:
                errors.append(f"{where}.stall: must be a table with length and every (like "
                              "{length = \"300ms\", every = \"5s\"})")
                continue
            profile["stall_length"] = _duration(f"{where}.stall.length", value["length"], errors)
            profile["stall_every"] = _duration(f"{where}.stall.every", value["every"], errors)
            if profile["stall_length"] == 0 or profile["stall_every"] == 0:
                errors.append(f"{where}.stall: length and every must be above 0")
        elif not isinstance(value, str):
            errors.append(f"{where}.{key}: {value!r} is not a string")
    if None not in (profile["rtt"], profile["jitter"]) and profile["jitter"] > profile["rtt"] / 2:
        errors.append(f"{where}.jitter: {table.get('jitter')!r} is more than half the rtt (a one-way delay "
                      "would go below 0)")
    return profile


FAULT_KEYS = ("reset_every", "server_restart_at", "stuck_readers", "stuck_for", "kill_node_at")


def parse_faults(table, run, errors):
    """`[faults]`: reset_every (mean interval between TCP resets of a random connection),
    server_restart_at and kill_node_at (one node of several on [hosts] killed; both from the
    window's begin), stuck_readers (a fraction of the connections
    stop reading, from a third of the window, for stuck_for, a third of it by default)."""
    if not isinstance(table, dict):
        errors.append("faults: must be a table")
        return None
    faults = {}
    for key, value in table.items():
        where = f"faults.{key}"
        if key not in FAULT_KEYS:
            errors.append(f"{where}: unknown key (known: {', '.join(FAULT_KEYS)})")
        elif key == "stuck_readers":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
                errors.append(f"{where}: {value!r} is not a fraction above 0 and at most 1")
            else:
                faults[key] = float(value)
        else:
            seconds = _duration(where, value, errors)
            if seconds is not None and seconds <= 0:
                errors.append(f"{where}: {value!r} must be above 0")
            elif seconds is not None:
                faults[key] = seconds
    for key in ("server_restart_at", "kill_node_at"):
        if faults.get(key, 0) >= run["duration"]:
            errors.append(f"faults.{key}: {table[key]!r} is not inside the measured window "
                          f"(run.duration {run['duration']:g} s)")
    if "stuck_for" in faults and "stuck_readers" not in faults:
        errors.append("faults.stuck_for: without stuck_readers")
    if "stuck_readers" in faults:
        faults.setdefault("stuck_for", run["duration"] / 3)
    return faults


def needs_relay(profile, faults):
    applied = any(profile[k] for k in ("rtt", "jitter", "down", "up", "stall_every"))
    return applied or bool(faults and ("reset_every" in faults or "stuck_readers" in faults))


RESETS_MARGIN = 0.5  # s: more than the clients take to start after the relay


def relay_argv(build, profile, faults, target, window_begin, window_length, out, noticed_within=0.0):
    """pushbench-relay's command for a point: `target` is the server's HOST:PORT. The relay starts
    just before the clients, so its clock runs a little ahead of theirs: resets begin RESETS_MARGIN
    into the window and end early enough that the clients notice them inside it (an idle poll
    connection notices at its next poll, `noticed_within`), so every one is counted; stuck readers
    stop a third into the window."""
    argv = [str(build / "bin" / "pushbench-relay"), "--target", target, "--out", str(out),
            "--rtt", f"{profile['rtt']}s", "--jitter", f"{profile['jitter']}s",
            "--down-bytes-per-s", f"{profile['down']}", "--up-bytes-per-s", f"{profile['up']}"]
    if profile["stall_every"]:
        argv += ["--stall-length", f"{profile['stall_length']}s", "--stall-every", f"{profile['stall_every']}s"]
    faults = faults or {}
    if "reset_every" in faults:
        argv += ["--reset-every", f"{faults['reset_every']}s", "--resets-from", f"{window_begin + RESETS_MARGIN}s",
                 "--resets-until", f"{window_begin + window_length - noticed_within}s"]
    if "stuck_readers" in faults:
        argv += ["--stuck-readers", str(faults["stuck_readers"]), "--stuck-after",
                 f"{window_begin + window_length / 3}s", "--stuck-for", f"{faults['stuck_for']}s"]
    return argv
