"""What tools/rng_guard.py costs a clean task: 1 ms and 100 ms tasks,
called bare and guarded, one after the other, in this process.

Run by benchmarks/bench.py (in a process of its own, since the guard
watches the global random states of the process it runs in), or alone:
``python benchmarks/guard_overhead.py [RUNS]``. Prints one JSON object:
{task seconds: {"bare": [seconds per call, per run], "guarded": [...]}}.
Each task gets a seed spawned for it and draws from its own generator
until its time is up, so the guard does all it does for a clean task:
note the seed's state, and read the global states before and after.

``python benchmarks/guard_overhead.py --runner [RUNS]`` measures instead a
program nobody edited, run bare and under ``python -m rng_guard``: 500
clean 1 ms tasks handed to joblib's ``Parallel(n_jobs=1)``, each process
timing its own loop; start-up (the process's wall time less its loop) is
reported apart. Prints {"bare": [seconds per call, per run], "runner":
[...], "startup_bare": [seconds, per run], "startup_runner": [...]}.
"""

import inspect
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TOOLS = Path(__file__).resolve().parent.parent / "tools"
sys.path.insert(0, str(TOOLS))
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


# The same clean task as above, in a program of its own (its source is
# copied in, so that both measure one task).
PROGRAM = """
import json, sys, time
import numpy as np
from joblib import Parallel, delayed

""" + inspect.getsource(task) + """
if __name__ == "__main__":
    calls, seconds, root = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    seeds = np.random.SeedSequence(root).spawn(calls)
    start = time.perf_counter()
    Parallel(n_jobs=1)(delayed(task)(seed, seconds) for seed in seeds)
    print(json.dumps((time.perf_counter() - start) / calls))
"""


def runner(runs, calls=500, seconds=0.001):
    """The program run bare and under python -m rng_guard, in turn, runs
    times: seconds per call, and start-up seconds, of each run."""
    results = {"bare": [], "runner": [], "startup_bare": [],
               "startup_runner": []}
    env = {**os.environ, "PYTHONPATH": str(TOOLS)}
    with tempfile.TemporaryDirectory(prefix="guard-runner-") as folder:
        program = Path(folder, "clean_tasks.py")
        program.write_text(PROGRAM)
        for run in range(runs):
            for mode, prefix in (("bare", []), ("runner", ["-m", "rng_guard"])):
                command = [sys.executable, *prefix, program.name, str(calls),
                           str(seconds), str(run)]
                start = time.perf_counter()
                done = subprocess.run(command, cwd=folder, env=env, check=True,
                                      capture_output=True, text=True)
                wall = time.perf_counter() - start
                per_call = json.loads(done.stdout.splitlines()[-1])
                results[mode].append(per_call)
                results[f"startup_{mode}"].append(wall - per_call * calls)
    return results


if __name__ == "__main__":
    if sys.argv[1:2] == ["--runner"]:
        print(json.dumps(runner(int(sys.argv[2]) if len(sys.argv) > 2 else 3)))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
