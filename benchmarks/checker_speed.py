"""What reading a whole project costs the checker (issue 31, speed).

The installed sources of NumPy, SciPy and scikit-learn are checked two
ways, in turns: file by file (``check_file`` on each file alone, as the
checker did before it followed imports) and as one project
(``check_paths`` on the three folders: every file parsed, then every
task's imports followed). Each check runs in a fresh interpreter of its
own, which reports its time and its peak memory (ru_maxrss); the report
takes the median of the runs. Target: the project costs at most 1.5 times
the file by file check. Prints one JSON object.

    python benchmarks/checker_speed.py [RUNS]
"""

import importlib.util
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIBRARIES = ["numpy", "scipy", "sklearn"]
MODES = ["file_by_file", "project"]


def load_checker():
    spec = importlib.util.spec_from_file_location("rng_check", ROOT / "tools" / "rng_check.py")
    checker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(checker)
    return checker


def folders():
    return [Path(importlib.util.find_spec(name).origin).parent for name in LIBRARIES]


def one_check(mode):
    """In the child: check the sources one way; print time, findings, peak."""
    checker = load_checker()
    started = time.perf_counter()
    if mode == "project":
        found = len(checker.check_paths(folders())[0])
    else:
        found = 0
        for folder in folders():
            for path in checker.python_files(folder):
                try:
                    found += len(checker.check_file(path))
                except checker.CheckError:
                    found += 1
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    print(json.dumps({"seconds": seconds, "findings": found, "peak_bytes": peak}))


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--mode":
        return one_check(sys.argv[2])
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    checker = load_checker()
    files = [path for folder in folders() for path in checker.python_files(folder)]
    lines = sum(path.read_bytes().count(b"\n") for path in files)
    results = {mode: [] for mode in MODES}
    for _ in range(runs):
        for mode in MODES:
            child = subprocess.run([sys.executable, __file__, "--mode", mode], capture_output=True,
                                   text=True, timeout=3600)
            if child.returncode != 0:
                raise SystemExit(f"checker_speed.py --mode {mode} failed:\n{child.stderr}")
            results[mode].append(json.loads(child.stdout))
    medians = {mode: statistics.median(r["seconds"] for r in results[mode]) for mode in MODES}
    versions = {}
    for name in LIBRARIES:
        from importlib.metadata import version
        versions[name] = version({"sklearn": "scikit-learn"}.get(name, name))
    print(json.dumps({
        "libraries": versions, "files": len(files), "lines": lines,
        "runs": {mode: [r["seconds"] for r in results[mode]] for mode in MODES},
        "median": medians,
        "lines_per_second": {mode: lines / seconds for mode, seconds in medians.items()},
        "ratio": medians["project"] / medians["file_by_file"],
        "findings": {mode: results[mode][-1]["findings"] for mode in MODES},
        "peak_bytes": {mode: max(r["peak_bytes"] for r in results[mode]) for mode in MODES}}, indent=2))


if __name__ == "__main__":
    sys.exit(main())
