"""Instructions per micro-benchmark: pushbench-micro run once under valgrind's callgrind, every
benchmark for a single iteration, and each BM_ function's inclusive instruction count (its setup
and that iteration, all its arguments together) read with callgrind_annotate. A count that the
same code makes on any machine, where a time differs from runner to runner."""
import re
import subprocess
import tempfile
from pathlib import Path

ONE_ITERATION = "--benchmark_min_time=0.000000001"  # the first batch, of one iteration, is enough
TIMEOUT_S = 900
# "  2,017,108 ( 0.18%)  ???:pushbench::(anonymous namespace)::BM_EncodeEvent(benchmark::State&) [...]"
LINE = re.compile(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+.*?\b(BM_\w+)\(benchmark::State&\)")


class CountFailed(Exception):
    pass


def parse(annotated):
    """{benchmark function: inclusive instructions} from callgrind_annotate --inclusive=yes."""
    counts = {}
    for line in annotated.splitlines():
        match = LINE.match(line)
        if match:
            counts[match.group(2)] = counts.get(match.group(2), 0) + int(match.group(1).replace(",", ""))
    return counts


def per_benchmark(build):
    """{BM_ function: instructions} of the build's pushbench-micro."""
    with tempfile.TemporaryDirectory(prefix="pushbench-callgrind-") as tmp:
        out = Path(tmp) / "callgrind.out"
        try:
            done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                                   str(Path(build) / "bin" / "pushbench-micro"), ONE_ITERATION],
                                  capture_output=True, text=True, timeout=TIMEOUT_S)
            if done.returncode != 0:
                raise CountFailed(f"pushbench-micro under callgrind exited {done.returncode}")
            annotated = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", str(out)],
                                       capture_output=True, text=True, timeout=120, check=True).stdout
        except (OSError, subprocess.SubprocessError) as problem:
            raise CountFailed(str(problem)) from None
    counts = parse(annotated)
    if not counts:
        raise CountFailed("callgrind_annotate named no BM_ function")
    return counts
