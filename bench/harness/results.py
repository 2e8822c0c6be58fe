"""A run's folder and its results.json: created new for every run (never overwriting an earlier
one), rewritten atomically after every point so that an interrupted run keeps what it measured."""
import json
import os
import time
from pathlib import Path


def new_run_dir(out, scenario_name):
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    base = Path(out) / f"{stamp}-{scenario_name}"
    for attempt in range(1, 1000):
        candidate = base if attempt == 1 else base.with_name(f"{base.name}-{attempt}")
        try:
            candidate.mkdir(parents=True)
            return candidate
        except FileExistsError:
            continue
    raise RuntimeError(f"no free run folder next to {base}")


def write(run_dir, document):
    path = Path(run_dir) / "results.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(document, indent=1))
    os.replace(tmp, path)
    return path


def describe_ramp(ramp):
    """One line on what a ramp found, for the console and the reports."""
    whose = f", the {ramp['limited_by']}'s limit" if ramp.get("limited_by") else ""
    ceiling = ramp.get("server_ceiling_events_per_s")
    return (f"{ramp['base']['technique']} ({ramp['base']['backend']}): last passing {ramp['dimension']} = "
            f"{ramp['last_passing']}; stopped by {ramp['stopped_by'] or 'end of steps'}{whose}"
            + (f"; server ceiling {ceiling:,.0f} deliveries/s from its CPU per event" if ceiling else ""))
