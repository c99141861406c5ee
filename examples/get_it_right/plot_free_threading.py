r"""
===================================================
Free-threaded Python: threads that draw at one time
===================================================

On a free-threaded CPython (3.13t, 3.14t, PEP 703), the threads of
joblib's ``threading`` backend run Python code at the same time. A
generator they share stays correct: NumPy locks it. Two races remain, with
the GIL or without: tasks that spawn from one shared parent can get the
same child, and a shared ``random.gauss()`` can give two threads the same
value. This page counts both, and times sharing, on each interpreter its
build names, saying which and whether the GIL was on. The rule that avoids
both: spawn every child, and make every source, before the tasks start.
"""

# %%
# Spawning from one parent in several threads
# -------------------------------------------
#
# Four tasks on four threads call ``parent.spawn(1)`` 500 times each on one
# shared parent, twenty times over: 40,000 children a row. A child with
# another's spawn key draws its stream. Last column: the fix, in one thread.

SPAWNING = """  # threads, N_TASKS and report() are COMMON's, below
def spawn_children(parent):
    return [parent.spawn(1) for _ in range(500)]

def race(make_parent, key):
    repeated = empty = 0
    for trial in range(20):
        parent = make_parent(trial)  # shared by the four tasks
        children = sum(threads(delayed(spawn_children)(parent)
                               for _ in range(N_TASKS)), [])
        keys = [key(got[0]) for got in children if got]
        empty += len(children) - len(keys)
        repeated += len(keys) - len(set(keys))
    return [repeated, empty]

def spawned_first(trial):  # the fix: 2,000 children in one thread
    children = np.random.SeedSequence(trial).spawn(N_TASKS * 500)
    return len(children) - len({child.spawn_key for child in children})

report(seed_sequence=race(np.random.SeedSequence, lambda s: s.spawn_key),
       generator=race(np.random.default_rng,
                      lambda g: g.bit_generator.seed_seq.spawn_key),
       spawned_first=sum(map(spawned_first, range(20))))
"""

# %%
# Each program runs in a fresh interpreter: this one, or those listed in
# ``RANDOM_STATE_PYTHONS`` (each with numpy and joblib). A free-threaded one
# runs twice: GIL off, and ``PYTHON_GIL=1``, the GIL back on in that binary.

# Harness: run a program on every interpreter, and read what it reports
import json
import os
import subprocess
import sys

COMMON = """  # each interpreter runs it, then a program that measures
import json, platform, random, statistics, sys, sysconfig, timeit
import joblib, numpy as np
from joblib import Parallel, delayed
N_TASKS = 4
threads = Parallel(n_jobs=N_TASKS, backend="threading")

def report(**found):  # one line of JSON: the build, then what was found
    build = "t" if sysconfig.get_config_var("Py_GIL_DISABLED") else ""
    versions = f"NumPy {np.__version__}, joblib {joblib.__version__}"
    print(json.dumps({"python": platform.python_version() + build,
                      "gil": getattr(sys, "_is_gil_enabled", lambda: True)(),
                      "versions": versions, **found}))
"""

PYTHONS = os.environ.get("RANDOM_STATE_PYTHONS", "").split() or [
    sys.executable]
IS_FREE_THREADED = ("import sysconfig; "
                    "print(sysconfig.get_config_var('Py_GIL_DISABLED'))")
BUILDS = []  # (python, its PYTHON_GIL, or "" where the GIL is not optional)
for python in PYTHONS:
    probe = subprocess.run([python, "-c", IS_FREE_THREADED], text=True,
                           capture_output=True, check=True, timeout=60)
    free = probe.stdout.strip() == "1"
    BUILDS += [(python, "0"), (python, "1")] if free else [(python, "")]


def measure(program):  # COMMON + program on every build: what each found
    found = []
    for python, gil in BUILDS:  # an empty PYTHON_GIL counts as unset
        run = subprocess.run([python, "-c", COMMON + program], text=True,
                             capture_output=True, timeout=600,
                             env=dict(os.environ, PYTHON_GIL=gil))
        if run.returncode:
            raise RuntimeError(f"{python} failed:\n{run.stderr}")
        found.append(json.loads(run.stdout))
    return found


def label(result):  # 3.14.2, or 3.13.5t GIL off: the GIL if optional
    gil = " GIL on" if result["gil"] else " GIL off"
    return result["python"] + (gil if result["python"][-1] == "t" else "")


# %%
# What the four threads spawned:

spawning = measure(SPAWNING)
print("in 40,000 spawn(1) calls from one parent shared by 4 threads:")
print(f"{'Python':16}{'SeedSequence':>19}{'Generator':>19}{'spawned':>10}")
print(f"{'':16}{'repeated  empty':>19}{'repeated  empty':>19}{'first':>10}")
for result in spawning:
    seeds, generators = result["seed_sequence"], result["generator"]
    print(f"{label(result):16}{seeds[0]:>12,}{seeds[1]:>7,}"
          f"{generators[0]:>12,}{generators[1]:>7,}"
          f"{result['spawned_first']:>10,}")
print("; ".join(sorted({result["versions"] for result in spawning})))
without_gil = [label(result) for result in spawning if not result["gil"]]
print("Measured without the GIL:", ", ".join(without_gil) or "none here")

# %%
# ``spawn`` reads the parent's count of the children it has spawned, builds
# the new children, and only then adds to the count, with no lock around
# the three steps (`NumPy issue 32063
# <https://github.com/numpy/numpy/issues/32063>`__, open for NumPy 2.4):
# two tasks that spawn at once can build the same child. With the GIL that
# takes a thread switch at the wrong moment; without it, the threads run
# at once. The table counts repeats, and ``spawn(1)`` calls that returned
# no child ("empty"), on each build named; its last line says which ran
# without the GIL. Children spawned in one thread first never repeat.
#
# Sharing one source between threads
# -----------------------------------
#
# ``random.gauss()`` makes normal values two at a time and keeps the second
# for the next call: two threads can both take the kept one, as `CPython's
# documentation <https://docs.python.org/3.14/library/random.html
# #random.gauss>`__ warns. NumPy's generators lock while they draw: tasks
# sharing one take turns and draw the seed's numbers, each once, in an
# order that changes from run to run. Four tasks draw 250,000 ``gauss()``
# values each, then 100,000 from a shared ``Generator``.

SHARING = """
def draw(source, n_draws=100_000, how="random"):
    return [getattr(source, how)() for _ in range(n_draws)]

def gauss_repeats(sources):
    values = sum(threads(delayed(draw)(source, 250_000, "gauss")
                         for source in sources), [])
    return len(values) - len(set(values))

def rate(sources):  # draws per second, the median of three runs
    run = lambda: threads(delayed(draw)(source) for source in sources)
    if len(sources) == 1:  # one thread: this one, with no pool to start
        run = lambda: draw(sources[0])
    seconds = timeit.repeat(run, number=1, repeat=3)
    return len(sources) * 100_000 / statistics.median(seconds)

shared_runs = [threads(delayed(draw)(shared) for _ in range(N_TASKS))
               for shared in [np.random.default_rng(0) for _ in range(2)]]
one_thread = sorted(draw(np.random.default_rng(0), N_TASKS * 100_000))
report(shared=gauss_repeats([random.Random(1)] * N_TASKS),
       own=gauss_repeats([random.Random(task) for task in range(N_TASKS)]),
       rates=[rate([np.random.default_rng(0)]),
              rate([np.random.default_rng(0)] * N_TASKS),
              rate([np.random.default_rng(task) for task in range(N_TASKS)])],
       right=all(sorted(sum(run, [])) == one_thread for run in shared_runs),
       same_order=shared_runs[0] == shared_runs[1])
"""

sharing = measure(SHARING)
print("repeated values in 1,000,000 gauss() draws by 4 threads:")
print(f"{'Python':16}{'one shared Random':>22}{'one Random a task':>22}")
for result in sharing:
    print(f"{label(result):16}{result['shared']:>22,}{result['own']:>22,}")
print("\nGenerator: millions of draws a second | shared, two runs, one seed:")
print(f"{'Python':16}{'1 thread':>8}{'shared':>8}{'own':>8}  |"
      f"{'numbers right':>15}{'same order':>12}")
for result in sharing:
    print(f"{label(result):16}"
          + "".join(f"{rate / 1e6:>8.2f}" for rate in result["rates"])
          + f"  |{str(result['right']):>15}{str(result['same_order']):>12}")

# %%
# The spawning race as a figure: the share of children repeating a key.

import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(5.6, 1.8 + 1.3 * len(spawning)))
height = 0.8 / len(spawning)  # a bar per build for each way to spawn
for index, r in enumerate(spawning):
    counts = [r["seed_sequence"][0], r["generator"][0], r["spawned_first"]]
    bars = ax.barh([way + index * height for way in range(3)],
                   [count / 40_000 for count in counts], height,
                   label=label(r), color=f"C{index}")
    ax.bar_label(bars, [f" {count:,} repeated" for count in counts])
ax.set_yticks([way + (len(spawning) - 1) * height / 2 for way in range(3)],
              ["SeedSequence.spawn(1)", "Generator.spawn(1)", "spawned first"])
ax.invert_yaxis()
ax.set(xlim=(0, max(0.002, 1.8 * ax.get_xlim()[1])),  # room for labels
       xlabel="share of 40,000 children a row, 4 threads")
ax.xaxis.set_major_formatter("{x:.2%}")
fig.suptitle(f"{len(spawning)} build(s) measured, without the GIL: "
             f"{len(without_gil) or 'none'}", x=0.02, ha="left")
ax.legend(loc="lower right")
fig.tight_layout()

# %%
# What to take from it
# --------------------
#
# * Spawn every child before the tasks start, in one thread, and pass each
#   task its own (:doc:`plot_spawned_generators`); :doc:`the checker
#   <../check_your_code/plot_check_your_code>` reports RSP006 otherwise.
# * Give each thread its own generator and ``random.Random``. A shared
#   generator drew the right numbers on every build above, not reproducibly,
#   and its `lock <https://numpy.org/doc/2.4/reference/random/bit_generators/
#   generated/numpy.random.BitGenerator.lock.html>`__ makes tasks wait (see
#   also :doc:`plot_shared_generator_threads`).

plt.show()
