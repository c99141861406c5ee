r"""
==================================================
Ray: @ray.remote tasks and actors, seeds per task
==================================================

After ``ray.init()``, ``@ray.remote`` tasks that draw from a module-level
generator repeat each other's numbers: each worker unpickles a copy of it.
Draws from NumPy's global state never repeat a run: Ray seeds nothing.
The fix: a seed per task, spawned from one root, and an actor that owns a
generator made from its seed. Measured on a local Ray with 2 CPUs.
"""

# %%
# The fix to paste
# ----------------
#
# A task takes its seed as an argument; an actor owns a generator. Ray
# starts threads and processes, so this page runs this code, and the
# mistakes below, in a fresh interpreter, then calls ``ray.shutdown()``.

FIX = """
@ray.remote
def simulate(seed):  # one task, one seed: reproducible anywhere
    rng = np.random.default_rng(seed)
    return os.getpid(), rng.integers(1000, size=3).tolist()


@ray.remote
class Walker:  # an actor owns its generator
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def step(self):
        return self.rng.integers(1000, size=3).tolist()


seeds = np.random.SeedSequence(2024).spawn(10)  # 8 tasks, 2 actors
"""

# %%
# The mistakes: a module-level generator, and the global random states.

MISTAKES = """
gen = np.random.default_rng(0)  # module level: pickled with the task


@ray.remote
def draw_captured(task):
    time.sleep(0.05)
    return os.getpid(), gen.integers(1000, size=3).tolist()


@ray.remote
def draw_global(task):
    time.sleep(0.05)
    return (os.getpid(), np.random.randint(1000, size=3).tolist(),
            [random.randrange(1000) for _ in range(3)])
"""

# %%
# Both run in one Ray session, and so do the tasks of the fix:

# Harness: the script around them, run in a fresh interpreter, JSON back
import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
import psutil

MAIN = """
ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
         _temp_dir=sys.argv[1])
found = {"captured": ray.get([draw_captured.remote(i) for i in range(8)]),
         "global": ray.get([draw_global.remote(i) for i in range(8)]),
         "spawned": [ray.get([simulate.remote(seed) for seed in seeds[:8]])
                     for run in range(2)]}
found["actors"] = [[ray.get(walker.step.remote()) for _ in range(4)]
                   for walker in map(Walker.remote, seeds[8:])]
found["driver_gen"] = gen.integers(1000, size=3).tolist()
found["processes"] = [(process.pid, process.create_time()) for process
                      in psutil.Process().children(recursive=True)]
ray.shutdown()
print(json.dumps(found))
"""
HEADER = "import json, os, random, sys, time\nimport numpy as np, psutil, ray"
HAS_RAY = importlib.util.find_spec("ray") is not None


def running(pid, created):  # the same process, not ended (nor a zombie)
    try:
        process = psutil.Process(pid)
        return (process.create_time() == created
                and process.status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


def run_ray():  # what the script found; the processes Ray left running
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as folder:
        script = Path(folder, "ray_tasks.py")
        script.write_text("\n".join([HEADER, MISTAKES, FIX, MAIN]))
        env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
        ran = subprocess.run([sys.executable, str(script), folder], env=env,
                             capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, f"the Ray script failed:\n{ran.stderr}"
    found = json.loads(ran.stdout)
    deadline, left = time.monotonic() + 10, found["processes"]
    while left and time.monotonic() < deadline:  # up to 10 s to end
        left = [(pid, made) for pid, made in left if running(pid, made)]
        time.sleep(0.1 if left else 0)
    return found, [pid for pid, made in left]


seeds = np.random.SeedSequence(2024).spawn(10)  # 8 tasks, 2 actors
print(f"Python {sys.version.split()[0]}, NumPy {np.__version__}")
if HAS_RAY:
    found, left = run_ray()
    print(f"Ray {version('ray')}: 2 CPUs, one session")
else:  # the free-threaded build has no Ray wheel; see the end
    print("Skipping Ray: " + ("Ray 2.60.0 publishes no wheel for this "
          "free-threaded Python" if sysconfig.get_config_var("Py_GIL_DISABLED")
          else "it is not installed (pip install ray==2.60.0)") + ".")

# %%
# What each task drew
# -------------------
#
# The module-level generator: each worker draws the same numbers, in the
# same order, from its own copy, and the driver's ``gen`` never moves.

if HAS_RAY:
    reference = np.random.default_rng(0).integers(1000, size=(8, 3))
    pids, captured = map(np.array, zip(*found["captured"]))
    per_worker = [captured[pids == pid] for pid in dict.fromkeys(pids)]
    replays = all(np.array_equal(d, reference[:len(d)]) for d in per_worker)
    print(f"module-level gen: 8 tasks on {len(per_worker)} workers, "
          f"{len(np.unique(captured, axis=0))} distinct draws")
    print(f"  tasks per worker: {[len(d) for d in per_worker]}; each worker "
          f"replays gen's copy: {replays}\n  the driver's gen did not move: "
          f"{found['driver_gen'] == reference[0].tolist()}")

# %%
# NumPy's and Python's global state: Ray reuses its workers, so each task
# goes on from where the worker's previous task left the state. Every
# worker is a fresh interpreter, seeded from the operating system, and Ray
# seeds nothing: no ``random.seed`` or ``numpy.random.seed`` call in
# `Ray's core <https://github.com/ray-project/ray/tree/ray-2.60.0/
# python/ray/_private>`__. Distinct, and different at every run.

if HAS_RAY:
    pids, global_np, global_py = map(np.array, zip(*found["global"]))
    print(f"np.random, random in {len(set(pids))} reused workers: "
          f"{len(np.unique(global_np, axis=0))}, "
          f"{len(np.unique(global_py, axis=0))} distinct draws of 8")

# %%
# The fix: spawned seeds give what a plain loop gives, run after run; each
# actor replays its own seed's stream.

expected = np.array([np.random.default_rng(seed).integers(1000, size=3)
                     for seed in seeds[:8]])  # the fix without Ray
if HAS_RAY:
    runs = [np.array(list(zip(*run))[1]) for run in found["spawned"]]
    actors = np.array(found["actors"])
    alone = [np.random.default_rng(seed).integers(1000, size=(4, 3))
             for seed in seeds[8:]]
    print(f"spawned seeds: {len(np.unique(runs[0], axis=0))} distinct of 8; "
          f"as a plain loop: {np.array_equal(runs[0], expected)}; "
          f"run 2 identical: {np.array_equal(runs[0], runs[1])}")
    print(f"actors replay their seeds' streams: "
          f"{all(map(np.array_equal, actors, alone))}; the two differ: "
          f"{not np.array_equal(*actors)}\nRay processes left after "
          f"ray.shutdown(): {len(left)}")

# %%
# First draws; in orange, a task that drew what another in its row drew.

import matplotlib.pyplot as plt

rows = {"spawned seeds,\nplain loop": expected}
if HAS_RAY:
    rows = {"module-level gen": captured, "np.random": global_np,
            "spawned seeds": runs[0], **rows,
            "2 actors,\n4 calls each": actors.reshape(8, 3)}
fig, ax = plt.subplots(figsize=(5.6, 0.75 * len(rows) + 1.2))
repeated = np.array([[(row == draws).all(axis=1).sum() > 1 for draws in row]
                     for row in rows.values()])
ax.imshow(repeated, cmap=plt.matplotlib.colors.ListedColormap(
    ["#e3eef8", "#b93a0b"]), vmin=0, vmax=1, aspect="auto")
for (row, column), value in np.ndenumerate([r[:, 0] for r in rows.values()]):
    ax.text(column, row, value, ha="center", va="center", fontsize=11,
            color="white" if repeated[row, column] else "black")
ax.set_xticks(range(8), [f"task {i}" for i in range(8)], fontsize=9)
ax.set_yticks(range(len(rows)), list(rows), fontsize=10)
ax.set_title("First draw of each task" + ("" if HAS_RAY else ", no Ray"))
fig.tight_layout()

# %%
# Ray Data seeds for you
# ----------------------
#
# ``Dataset.random_shuffle``, ``randomize_block_order`` and
# ``random_sample`` take ``seed=``: an int gives the same result at every
# execution, ``RandomSeedConfig(seed, reseed_after_execution=True)`` a new
# one at each, such as each epoch (`docs <https://docs.ray.io/en/
# releases-2.60.0/data/api/doc/ray.data.RandomSeedConfig.html>`__).
# ``random_sample``'s tasks draw from ``default_rng((task_idx, seed))``
# (`source <https://github.com/ray-project/ray/blob/ray-2.60.0/python/ray/
# data/_internal/random_config.py>`__), the MPI page's recipe. Ray 2.60.0
# has no wheel for free-threaded Python (3.14t): there this page skips Ray.

plt.show()
