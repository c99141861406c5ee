r"""
=========================================
Start methods: fork, forkserver and spawn
=========================================

How a process pool starts its workers decides what they inherit, NumPy's
global random state included. ``fork`` copies the parent; ``spawn`` starts
fresh interpreters that import the main script again; ``forkserver`` forks
each worker from a server which, since Python 3.14.1 and 3.13.8, imports
the main script once. Measured here: when two workers draw the same numbers
from NumPy's global state and from ``random``. State set at import is no
new trap: ``fork``, Linux's default up to 3.13, copied it; the forkserver,
the default from 3.14, copies it too, but no longer what the parent drew.
"""

# %%
# One experiment, one fresh process
# ---------------------------------
#
# What workers inherit depends on what the script did before the pool
# started, so each experiment is a small script run in a new interpreter.
# Two things vary: a line at module level, run on import, and whether the
# parent draws from ``np.random`` before starting the pool, behind ``if
# __name__ == "__main__":`` as spawn and forkserver require.

DRAW = "np.random.random()"
SEEDS = "np.random.seed(0); random.seed(0)"
ROOT = "ROOT = np.random.SeedSequence(2024)"
# The backend: a context, which joblib honours, or context=, overwritten.
AS_BACKEND = "backend=multiprocessing.get_context({method!r})"
AS_KEYWORD = ("backend='multiprocessing', "
              "context=multiprocessing.get_context({keyword!r})")
EXPERIMENTS = [  # label, start method, at import, before the pool, backend
    ("fork, parent drew from np.random", "fork", "", DRAW),
    ("fork, parent only imported numpy", "fork", "", ""),
    ("fork, seeds at import", "fork", SEEDS, ""),
    ("forkserver, parent drew from np.random", "forkserver", "", DRAW),
    ("forkserver, seeds at import", "forkserver", SEEDS, ""),
    ("forkserver, SeedSequence at import", "forkserver", ROOT, ""),
    ("forkserver, preloads numpy.random", "forkserver", "",
     "multiprocessing.set_forkserver_preload(['numpy.random'])"),
    ("spawn, parent drew from np.random", "spawn", "", DRAW),
    ("spawn, seeds at import", "spawn", SEEDS, ""),
    ("context=spawn keyword (overwritten)", "spawn", "", DRAW,
     AS_KEYWORD.format(keyword="spawn")),
    ("set_start_method spawn, context=fork", "spawn", "",
     f"multiprocessing.set_start_method('spawn'); {DRAW}",
     AS_KEYWORD.format(keyword="fork")),
]

# %%
# Each experiment is this script, with its line at import and its line
# before the pool filled in; two workers each wait for the other, then draw.

# Harness: the experiment's script, and what runs it in a fresh interpreter
import json
import os
import subprocess
import tempfile
from pathlib import Path

SCRIPT = """
import json, multiprocessing, os, platform, random, sys, sysconfig, time
import joblib
import numpy as np
{at_import}

def draw(_):
    # A duplicate shows only if both workers draw: wait for the other one.
    folder = os.environ["WORKERS"]
    os.makedirs(os.path.join(folder, str(os.getpid())), exist_ok=True)
    while len(os.listdir(folder)) < 2:
        time.sleep(0.01)
    return (multiprocessing.current_process().name,
            np.random.randint(1000, size=4).tolist(), random.random())

if __name__ == "__main__":
    {before_pool}
    print(json.dumps({{
        "versions": [platform.python_version() + "t" * bool(
                         sysconfig.get_config_var("Py_GIL_DISABLED")),
                     np.__version__, joblib.__version__],
        "draws": joblib.Parallel(n_jobs=2, {backend})(
            joblib.delayed(draw)(i) for i in range(6))}}))
"""


def run_experiment(python, method, at_import, before_pool, backend=None):
    backend = backend or AS_BACKEND.format(method=method)
    script = SCRIPT.format(at_import=at_import, before_pool=before_pool,
                           backend=backend)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "experiment.py"
        path.write_text(script)
        (Path(folder) / "workers").mkdir()
        env = {**os.environ, "WORKERS": str(Path(folder) / "workers")}
        result = subprocess.run([python, str(path)], capture_output=True,
                                text=True, timeout=120, check=True, env=env)
    found = json.loads(result.stdout)
    names, vectors, values = zip(*found["draws"])
    return {"versions": found["versions"],
            "workers": sorted({name.rsplit("-", 1)[0] for name in names}),
            "numpy duplicated": len(set(map(tuple, vectors))) < len(vectors),
            "random duplicated": len(set(values)) < len(values)}


# %%
# The interpreters to measure
# ---------------------------
#
# By default, the experiments run with this interpreter. To compare
# Pythons, list more in ``RANDOM_STATE_PYTHONS`` (separated by spaces),
# each with numpy and joblib. The tables name the interpreters measured.

# Harness: run every experiment on every interpreter, and print the tables
import multiprocessing
import sys

PYTHONS = os.environ.get("RANDOM_STATE_PYTHONS", "").split() or [
    sys.executable]
available = multiprocessing.get_all_start_methods()
measured = {}  # {label: [outcome per interpreter]}
for label, method, *lines in EXPERIMENTS:
    if method not in available:
        print(f"{label}: skipped, this platform has no {method!r}")
        continue
    measured[label] = [run_experiment(python, method, *lines)
                       for python in PYTHONS]


def word(duplicated):
    return "DUPLICATED" if duplicated else "distinct"


for column in range(len(PYTHONS)):
    found = next(iter(measured.values()))[column]["versions"]
    print("\nPython {}, NumPy {}, joblib {}".format(*found))
    print(f"{'experiment':38} {'np.random':11} {'random':11} workers")
    for label, outcomes in measured.items():
        outcome = outcomes[column]
        kinds = [n.removesuffix("PoolWorker") for n in outcome["workers"]]
        print(f"{label:38} {word(outcome['numpy duplicated']):11} "
              f"{word(outcome['random duplicated']):11} {', '.join(kinds)}")

# %%
# The same outcomes as a figure, one pair of columns per interpreter.

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap


def plot_outcomes(measured):
    pairs = [(column, key) for column in range(len(PYTHONS))
             for key in ("numpy duplicated", "random duplicated")]
    grid = np.array([[outcomes[column][key] for column, key in pairs]
                     for outcomes in measured.values()])
    width, height = 5.6, 0.45 * len(grid) + 2
    fig, ax = plt.subplots(figsize=(width, height))
    # Dark orange with white text for duplicates, pale blue and black else.
    ax.imshow(grid, cmap=ListedColormap(["#e3eef8", "#b93a0b"]), vmin=0,
              vmax=1, aspect="auto")
    for (row, column), duplicated in np.ndenumerate(grid):
        ax.text(column, row, word(duplicated).lower(), ha="center",
                va="center", color="white" if duplicated else "black",
                fontweight="bold" if duplicated else "normal")
    first = next(iter(measured.values()))
    heads = [f"Python {first[column]['versions'][0]}\n"
             + ("np.random" if key.startswith("numpy") else "random")
             for column, key in pairs]
    ax.set_xticks(range(len(pairs)), heads)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(grid)), list(measured))
    ax.tick_params(length=0)
    fig.suptitle("What two workers draw, by start method")
    fig.tight_layout()


plot_outcomes(measured)

# %%
# Reading the table
# -----------------
#
# * **fork** copies the parent. Once ``numpy.random`` is imported, as any
#   ``np.random.<name>`` does, every worker starts from the same global
#   state and draws the same numbers. From NumPy 2.0, ``import numpy``
#   alone does not import it (`lazy in 2.4.6 <https://github.com/numpy/
#   numpy/blob/v2.4.6/numpy/__init__.py#L717-L719>`__; `1.26.4 imported it
#   <https://github.com/numpy/numpy/blob/v1.26.4/numpy/__init__.py#L157>`__).
#   Python's ``random`` `reseeds itself <https://github.com/python/cpython/
#   blob/v3.11.7/Lib/random.py#L900>`__ in every forked child.
# * **forkserver** forks every worker from one server process. Up to
#   Python 3.14.0 and 3.13.7, each worker imported the main script again,
#   as spawn does; since 3.14.1 and 3.13.8 (`gh-137996 <https://github.com/
#   python/cpython/issues/137996>`__), the server imports it once and every
#   worker inherits what that import did: a module-level ``SeedSequence``
#   imports ``numpy.random``, so every worker gets the same global state.
#   Seeds set at import duplicate NumPy's draws on every version, and
#   ``random``'s where each worker runs the import; so does a server told
#   to preload ``numpy.random``.
# * **spawn** starts fresh interpreters. Each imports the main script
#   again, so module-level seeds, NumPy's or ``random``'s, are set again,
#   identically, in every worker.
# * ``context=`` does not choose the start method: joblib 1.6.0 `replaces
#   it <https://github.com/joblib/joblib/blob/1.6.0/joblib/parallel.py
#   #L1301-L1304>`__ with the method that ``JOBLIB_START_METHOD`` named
#   when joblib was imported, or else ``multiprocessing.get_context()``,
#   `Python's default <https://docs.python.org/3.14/library/
#   multiprocessing.html#contexts-and-start-methods>`__: ``fork`` on Linux
#   up to 3.13, ``forkserver`` from 3.14, ``spawn`` on macOS and Windows,
#   or what ``set_start_method`` set, whatever ``context=`` says. To
#   choose: that function, that variable, or a context as the backend.
#
# The rule that holds everywhere: nothing random at module level. Create
# seeds under ``if __name__ == "__main__":`` and pass one to every task,
# as in :doc:`plot_spawned_generators`.

print(f"\ndefault start method here: {multiprocessing.get_start_method()}")
plt.show()
