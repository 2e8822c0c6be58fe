"""The machine and build a result was measured on, recorded with every run."""
import json
import os
import platform
import resource
import subprocess
import sys
from pathlib import Path


def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git(root, *args):
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10)
        return done.stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def capture(root, build):
    info_path = Path(build) / "build_info.json"
    info = json.loads(info_path.read_text()) if info_path.exists() else {}
    return {
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "kernel": f"{platform.system()} {platform.release()} {platform.version()}",
        "machine": platform.machine(),
        "memory_bytes": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"),
        "compiler": info.get("compiler", "unknown"),
        "openssl": info.get("openssl", "unknown"),  # what TLS runs on: its version changes the handshake's cost
        "build_type": info.get("build_type", "unknown"),
        "pushbench_version": info.get("version", "unknown"),
        "git_commit": _git(root, "rev-parse", "HEAD") or "unknown",
        "git_dirty": bool(_git(root, "status", "--porcelain", "--untracked-files=no")),
        "python": sys.version.split()[0],
        "open_files_limit": resource.getrlimit(resource.RLIMIT_NOFILE)[0],
    }


def server_versions(servers, root):
    """Each server's version (its profile's `version` command), for the servers that are not ours."""
    versions = {}
    for name, server in servers.items():
        if "version" not in server:
            continue
        try:
            done = subprocess.run([arg.format(root=root) for arg in server["version"]], capture_output=True, text=True,
                                  timeout=10)
            versions[name] = done.stdout.strip() if done.returncode == 0 else f"unknown ({done.stderr.strip()[:200]})"
        except (OSError, subprocess.TimeoutExpired) as error:
            versions[name] = f"unknown ({error})"
    return versions
