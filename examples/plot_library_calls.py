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
# Each case is this script, its top line filled in; the two workers wait
# for each other, then each task draws.

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

fig, ax = plt.subplots(figsize=(7.5, 3.2))
counts = np.array([list(counts.values()) for counts in measured.values()])
# Dark orange with white text for duplicates, pale blue and black else.
ax.imshow(counts < 6, cmap=ListedColormap(["#e3eef8", "#b93a0b"]),
          vmin=0, vmax=1, aspect="auto")
for (row, column), count in np.ndenumerate(counts):
    ax.text(column, row, f"{count} of 6", ha="center", va="center",
            color="white" if count < 6 else "black",
            fontweight="bold" if count < 6 else "normal")
ax.set_xticks(range(len(METHODS)), METHODS)
ax.xaxis.tick_top()
ax.set_yticks(range(len(measured)), list(measured))
ax.set_title(f"Distinct results, Python {sys.version.split()[0]}",
             loc="left", pad=24)
fig.tight_layout()

# %%
# Why an import changes the answer
# --------------------------------
#
# ``import numpy`` alone does not create NumPy's global random state; the
# first use of ``numpy.random`` does, and SciPy and scikit-learn use it
# when they are imported. From then on, a process that starts workers as
# copies of itself copies that state too:
#
# * ``fork`` copies the parent, which ran the script's imports.
# * ``forkserver``, the default on Linux from Python 3.14, forks every
#   worker from one server process. Since Python 3.14.1 and 3.13.8 the
#   server imports the main script once before forking, so its imports are
#   copied too; before, each worker imported the script after the fork.
# * ``spawn`` starts fresh interpreters, each seeded from the operating
#   system's entropy: distinct, but no run can be repeated.
#
# The first row is distinct by luck: nothing had used ``numpy.random``
# before the workers started. One import ends that luck.

# %%
# .. _spawned-seed-for-scikit-learn:
#
# Giving scikit-learn a spawned seed
# ----------------------------------
#
# The fix is the one of every page here: pass each task a seed spawned
# from one root, and hand it to the library. scikit-learn takes an int, a
# ``RandomState`` or ``None``; it refuses NumPy's newer objects.

from joblib import Parallel, delayed
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state

for newer in [np.random.default_rng(0), np.random.SeedSequence(0)]:
    try:
        check_random_state(newer)
    except ValueError:
        print(f"random_state={type(newer).__name__}: ValueError")

# %%
# A ``RandomState`` built on an ``MT19937`` bit generator accepts a spawned
# ``SeedSequence``: the bridge is one line. Each task then splits its data
# with its own stream, on any backend.


def random_state_from(seed):  # one that scikit-learn takes, on seed's stream
    return np.random.RandomState(np.random.MT19937(seed))


def held_out(random_state):  # which 3 of 20 rows a split holds out
    return train_test_split(np.arange(20), test_size=3,
                            random_state=random_state)[1]


def split(seed):  # in the task: a stream of its own, from its seed
    return held_out(random_state_from(seed))


seeds = np.random.SeedSequence(2024).spawn(6)
splits = {backend: np.array(Parallel(n_jobs=2, backend=backend)(
    delayed(split)(seed) for seed in seeds))
    for backend in ["loky", "threading"]}
bridged_distinct = len(np.unique(splits["loky"], axis=0))
bridged_same = np.array_equal(splits["loky"], splits["threading"])
print(f"spawned seeds: {bridged_distinct} distinct splits of 6")
print(f"loky and threading gave the same splits: {bridged_same}")

# %%
# Ints and instances do not behave alike
# --------------------------------------
#
# An int gives the same numbers at every call. A ``RandomState`` instance
# is advanced by each call that uses it, so the second call differs.
# ``sklearn.base.clone`` deep-copies a ``RandomState`` parameter: every
# clone starts from the same state, as the pickled copies above did.

from sklearn.base import clone
from sklearn.linear_model import SGDClassifier

instance = np.random.RandomState(7)
int_repeats = np.array_equal(held_out(7), held_out(7))
instance_repeats = np.array_equal(held_out(instance), held_out(instance))
model = SGDClassifier(random_state=np.random.RandomState(7))
copies = [clone(model).random_state for _ in range(2)]
state = model.random_state.get_state()[1]
clones_alike = all(np.array_equal(c.get_state()[1], state) for c in copies)
print(f"random_state=7, two calls, same split: {int_repeats}")
print(f"one RandomState, two calls, same split: {instance_repeats}")
print(f"clone() copies the RandomState's state: {clones_alike}")

# %%
# What to remember
# ----------------
#
# * A library call with ``random_state=None`` draws from the global state,
#   and whether workers share it depends on the start method, the Python
#   version and what was imported first. Give every such call a
#   ``random_state`` built from the task's spawned seed.
# * Pass seeds, not instances, across processes: an instance is copied
#   into every task that receives it
#   (:ref:`sphx_glr_auto_examples_plot_batches_and_pools.py`). The start
#   methods: :ref:`sphx_glr_auto_examples_plot_start_methods.py`.

plt.show()
