r"""
=================================================
Libraries that draw for you: SciPy, scikit-learn
=================================================

Your tasks seed nothing and share no generator, yet return the same
numbers: a library call left at ``random_state=None``, such as SciPy's
``norm.rvs()`` or scikit-learn's ``train_test_split``, draws from NumPy's
global state, and workers started as copies of one process get copies of
it. Measured, then fixed.
"""

# %%
# The same tasks, with and without a library
# ------------------------------------------
#
# Each row is a script run in a fresh interpreter, whose ``Pool`` of two
# workers runs six tasks, each drawing as shown. Only the script's top
# line changes from row to row, and nothing is seeded anywhere.

import multiprocessing
import sys
from importlib.metadata import version

import numpy as np

NP_DRAW = "np.random.randint(1000, size=4).tolist()"
CASES = [  # label, the script's top line, what each task returns
    ("np.random, no other import", "", NP_DRAW),
    ("np.random, import scipy.stats", "import scipy.stats", NP_DRAW),
    ("norm.rvs()", "from scipy.stats import norm",
     "norm.rvs(size=3).tolist()"),
    ("train_test_split(X)",
     "from sklearn.model_selection import train_test_split",
     "train_test_split(list(range(20)), test_size=3)[1]"),
]
METHODS = [method for method in ["fork", "forkserver", "spawn"]
           if method in multiprocessing.get_all_start_methods()]

# %%
# Each case is this script, its top line filled in; workers wait, then draw.

# Harness: the tasks' script, and what runs it and counts distinct results
import json
import subprocess
import tempfile
from pathlib import Path

SCRIPT = """
import json, multiprocessing, os, sys, time
import numpy as np
{top_line}

def task(_):
    # A duplicate shows only if both workers draw: wait for the other one.
    os.makedirs(os.path.join(sys.argv[2], str(os.getpid())), exist_ok=True)
    while len(os.listdir(sys.argv[2])) < 2:
        time.sleep(0.01)
    time.sleep(0.05)  # stands for real work
    return {draw}

if __name__ == "__main__":
    with multiprocessing.get_context(sys.argv[1]).Pool(2) as pool:
        print(json.dumps(pool.map(task, range(6), chunksize=1)))
"""


def distinct_results(top_line, draw, method):  # of the six tasks' results
    with tempfile.TemporaryDirectory() as folder:
        script, workers = Path(folder, "tasks.py"), Path(folder, "workers")
        script.write_text(SCRIPT.format(top_line=top_line, draw=draw))
        workers.mkdir()
        printed = subprocess.run(
            [sys.executable, str(script), method, str(workers)],
            capture_output=True, text=True, timeout=120, check=True).stdout
    return len({repr(result) for result in json.loads(printed)})


# %%
# Six tasks for each case, under each start method:

measured = {label: {method: distinct_results(top, draw, method)
                    for method in METHODS} for label, top, draw in CASES}
print(f"Python {sys.version.split()[0]}, NumPy {np.__version__}, "
      f"SciPy {version('scipy')}, scikit-learn {version('scikit-learn')}")
print(f"default start method: {multiprocessing.get_start_method()}")
print(f"{'distinct results of 6 tasks':31}"
      + "".join(f"{method:>12}" for method in METHODS))
for label, counts in measured.items():
    print(f"{label:31}" + "".join(f"{f'{n} of 6':>12}"
                                  for n in counts.values()))

# %%
# "3 of 6": the second worker returned what the first one did.

import matplotlib.pyplot as plt
from matplotlib.colors import ListedColormap

fig, ax = plt.subplots(figsize=(5.6, 3.4), layout="constrained")
counts = np.array([list(counts.values()) for counts in measured.values()])
# Dark orange with white text for duplicates, pale blue and black else.
ax.imshow(counts < 6, cmap=ListedColormap(["#e3eef8", "#b93a0b"]),
          vmin=0, vmax=1, aspect="auto")
for (row, column), count in np.ndenumerate(counts):
    ax.text(column, row, f"{count} of 6", ha="center", va="center",
            color="white" if count < 6 else "black",
            fontweight="bold" if count < 6 else "normal")
ax.set_xticks(range(len(METHODS)), METHODS)
ax.set_yticks(range(len(measured)), [r.replace(", ", ",\n") for r in measured])
ax.set_title(f"Distinct results, Python {sys.version.split()[0]}",
             loc="left", pad=24)
ax.xaxis.tick_top()  # last: a cell's last value would be printed on the page

# %%
# Why an import changes the answer
# --------------------------------
#
# Since NumPy 2.0, ``import numpy`` alone does not create NumPy's global
# random state: it imports ``numpy.random`` at first use (`2.4.6 <https://
# github.com/numpy/numpy/blob/v2.4.6/numpy/__init__.py#L704-L719>`__; `1.26.4
# <https://github.com/numpy/numpy/blob/v1.26.4/numpy/__init__.py#L157>`__
# did at once). SciPy and scikit-learn use it on import, and workers
# started as copies of a process copy it:
#
# * ``fork`` copies the parent, which ran the script's imports.
# * ``forkserver``, the default on Linux from Python 3.14, forks every
#   worker from one server process. Since Python 3.14.1 and 3.13.8 the
#   server imports the main script once before forking, so its imports are
#   copied too (`gh-126631 <https://github.com/python/cpython/issues/
#   126631>`__); before, each worker imported it after the fork.
# * ``spawn`` starts fresh interpreters seeded from the system's entropy:
#   distinct, but no run can be repeated.
#
# The first row is distinct by luck, and only since NumPy 2.0: nothing had
# used ``numpy.random`` before the workers started. One import ends that.

# %%
# Giving SciPy a spawned seed
# ---------------------------
#
# SciPy 1.17.1 takes a generator made from the task's spawned seed, as
# ``random_state=`` in `rvs <https://docs.scipy.org/doc/scipy-1.17.1/
# reference/generated/scipy.stats.rv_continuous.rvs.html>`__ and as
# ``rng=`` (`SPEC 7 <https://scientific-python.org/specs/spec-0007/>`__) in
# `bootstrap <https://docs.scipy.org/doc/scipy-1.17.1/reference/generated/
# scipy.stats.bootstrap.html>`__ and ``permutation_test``. Left out, both
# draw from NumPy's global state, as the legacy ``random_state`` did
# (`source <https://github.com/scipy/scipy/blob/v1.17.1/scipy/_lib/
# _util.py#L172-L186>`__).

from joblib import Parallel, delayed
from scipy.stats import bootstrap, norm


def scipy_task(seed):  # in the task: a generator of its own, from its seed
    rng = np.random.default_rng(seed)
    sample = norm.rvs(size=20, random_state=rng)
    ci = bootstrap((sample,), np.mean, n_resamples=200, rng=rng)
    return [*sample[:2], *ci.confidence_interval]


seeds = np.random.SeedSequence(2024).spawn(6)
scipy_runs = [Parallel(n_jobs=2, backend=backend)(delayed(scipy_task)(
    seed) for seed in seeds) for backend in ["loky", "threading", "loky"]]
scipy_distinct = len({repr(result) for result in scipy_runs[0]})
scipy_same = all(run == scipy_runs[0] for run in scipy_runs)
print(f"SciPy, spawned seeds: {scipy_distinct} distinct results of 6")
print(f"loky, threading, loky again: the same results: {scipy_same}")

# %%
# .. _spawned-seed-for-scikit-learn:
#
# Giving scikit-learn a spawned seed
# ----------------------------------
#
# scikit-learn takes an int, a ``RandomState`` or ``None``; its
# `check_random_state <https://github.com/scikit-learn/scikit-learn/blob/
# 1.9.1/sklearn/utils/validation.py#L1455-L1485>`__ refuses the rest. A
# ``RandomState`` on an ``MT19937`` bit generator takes a spawned
# ``SeedSequence``: that one-line bridge gives each task its own stream.

from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state

for newer in [np.random.default_rng(0), np.random.SeedSequence(0)]:
    try:
        check_random_state(newer)
    except ValueError:
        print(f"random_state={type(newer).__name__}: ValueError")


def random_state_from(seed):  # one that scikit-learn takes, on seed's stream
    return np.random.RandomState(np.random.MT19937(seed))


def split(seed):  # in the task: which 3 of 20 rows its split holds out
    return train_test_split(np.arange(20), test_size=3,
                            random_state=random_state_from(seed))[1]


splits = {backend: np.array(Parallel(n_jobs=2, backend=backend)(
    delayed(split)(seed) for seed in seeds))
    for backend in ["loky", "threading"]}
bridged_distinct = len(np.unique(splits["loky"], axis=0))
bridged_same = np.array_equal(splits["loky"], splits["threading"])
print(f"spawned seeds: {bridged_distinct} distinct splits of 6")
print(f"loky and threading gave the same splits: {bridged_same}")

# %%
# What to remember
# ----------------
#
# * A call left at ``random_state=None`` draws from the global state, which
#   workers share or not by start method, Python version and imports. Give
#   it a generator (SciPy) or a ``RandomState`` (sklearn) from a task seed.
# * Pass seeds, not instances: each task gets a copy of an instance
#   (:doc:`plot_batches_and_pools`). Ints, instances and ``clone`` in
#   scikit-learn: :doc:`../in_your_library/plot_scikit_learn_n_jobs`.

plt.show()
