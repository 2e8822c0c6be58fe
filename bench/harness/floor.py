"""The kernel's floor (pushbench-floor) for a point's connections, rate and payload, measured on
this machine at the start of the run, once per setting: what one write() per subscriber per
event costs with no server around it. Every point's server CPU per event is then also given as
a multiple of it ("x floor"), so a reader sees how much of a cost is the kernel's and how much
the server's."""
import json
import subprocess

from . import processes

# pushbench-floor holds both ends of every connection: two descriptors each, under the
# process's limit of 20,000.
MOST_CONNECTIONS = 9000
WINDOW_S = 3.0


def measure(build, point, run_cfg):
    """The floor's result for the point's setting, or None when it has nothing to measure."""
    if not point["rate"]:
        return None
    server_core, client_cores = processes.pin_plan(run_cfg["pin"], 1)
    connections = min(point["connections"], MOST_CONNECTIONS)
    argv = [str(build / "bin" / "pushbench-floor"), "--connections", str(connections), "--rate", str(point["rate"]),
            "--payload", str(point["payload"]), "--warmup", "500ms", "--duration", f"{WINDOW_S}s",
            "--writer-core", server_core or "0", "--reader-core", client_cores[0] or "1"]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=WINDOW_S + 60)
    except (OSError, subprocess.TimeoutExpired) as problem:
        return {"error": str(problem)}
    if done.returncode != 0:
        return {"error": done.stderr.strip()[-300:]}
    result = json.loads(done.stdout)
    result["for_connections"] = point["connections"]
    return result
