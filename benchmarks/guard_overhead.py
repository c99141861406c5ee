"""What tools/rng_guard.py costs a clean task: 1 ms and 100 ms tasks,
called bare and guarded, one after the other, in this process.

Run by benchmarks/bench.py (in a process of its own, since the guard
watches the global random states of the process it runs in), or alone:
``python benchmarks/guard_overhead.py [RUNS]``. Prints one JSON object:
{task seconds: {"bare": [seconds per call, per run], "guarded": [...]}}.
Each task gets a seed spawned for it and draws from its own generator
until its time is up, so the guard does all it does for a clean task:
note the seed's state, and read the global states before and after.
"""

import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from rng_guard import guarded  # noqa: E402

CALLS = {0.001: 500, 0.1: 10}  # calls per run, for each task's duration


def task(seed, seconds):
    rng = np.random.default_rng(seed)
    end = time.perf_counter() + seconds
    total = 0.0
    while time.perf_counter() < end:
        total += rng.random()
    return total


def per_call(function, seconds, calls, root):
    seeds = np.random.SeedSequence(root).spawn(calls)  # distinct roots
    start = time.perf_counter()
    for seed in seeds:
        function(seed, seconds)
    return (time.perf_counter() - start) / calls


def main(runs):
    results = {seconds: {"bare": [], "guarded": []} for seconds in CALLS}
    wrapped = guarded(task)
    for run in range(runs):
        for seconds, calls in CALLS.items():
            root = [run, calls]
            results[seconds]["bare"].append(
                per_call(task, seconds, calls, root + [0]))
            results[seconds]["guarded"].append(
                per_call(wrapped, seconds, calls, root + [1]))
    print(json.dumps(results))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
