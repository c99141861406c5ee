r"""
=======================================================================
States copied by pickling: np.random functions, bound methods, closures
=======================================================================

After ``from numpy.random import permutation``, every ``joblib.Parallel``
task that calls ``permutation(n)`` returns the same permutation: loky
pickles a task from your script with the names it uses, and
``permutation`` is a bound method of NumPy's global ``RandomState``, whose
state travels with every batch. So does a bound method of an object that
holds a generator, and a closure over one. Symptom, fix, then why.
"""

# %%
# Four tasks, four ways to reach a random state
# ---------------------------------------------
#
# Each task shuffles 20 numbers; only the way it reaches a state changes.

import cloudpickle
import joblib
import numpy as np
from joblib import Parallel, delayed
from numpy.random import permutation


def shuffled(n):  # the name imported above
    return permutation(n).tolist()


def shuffled_np(n):  # the same function, looked up in the module
    return np.random.permutation(n).tolist()


class Shuffler:  # an object that holds a generator
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def shuffled(self, n):
        return self.rng.permutation(n).tolist()


def closure_over(rng):  # a function that keeps a generator
    def shuffled(n):
        return rng.permutation(n).tolist()
    return shuffled


TASKS = {"imported permutation": shuffled,
         "np.random.permutation": shuffled_np,
         "bound method": Shuffler(0).shuffled,
         "closure": closure_over(np.random.default_rng(0))}
on_loky = {label: Parallel(n_jobs=2)(delayed(task)(20) for _ in range(4))
           for label, task in TASKS.items()}
print(f"NumPy {np.__version__}, joblib {joblib.__version__}, "
      f"cloudpickle {cloudpickle.__version__}; Parallel(n_jobs=2):")
for label, results in on_loky.items():
    print(f"  {label:22} {len(set(map(tuple, results)))} of 4 distinct")

# %%
# The fix: pass a seed, build the generator in the task
# -----------------------------------------------------
#
# Three gave one permutation, four times. Send each task a seed spawned
# from one root, and let the task make its generator: a seed has no state.


def shuffled_seeded(seed, n):
    return np.random.default_rng(seed).permutation(n).tolist()


seeds = np.random.SeedSequence(2024).spawn(4)
fixed = {backend: Parallel(n_jobs=2, backend=backend)(
    delayed(shuffled_seeded)(seed, 20) for seed in seeds)
    for backend in ["loky", "threading"]}
print(f"spawned seeds: {len(set(map(tuple, fixed['loky'])))} of 4 distinct; "
      f"loky == threading: {fixed['loky'] == fixed['threading']}")

# %%
# Why: the task carries a copy of the state
# -----------------------------------------
#
# ``numpy.random.permutation`` is no plain function: NumPy binds it to its
# global ``RandomState``, ``_rand`` (`mtrand.pyx, lines 4762 and 4788
# <https://github.com/numpy/numpy/blob/v2.4.6/numpy/random/
# mtrand.pyx#L4762-L4788>`__). loky pickles a function of the main script
# by value, with cloudpickle, and takes along the globals its code names
# (`_function_getstate <https://github.com/cloudpipe/cloudpickle/blob/
# v3.1.3/cloudpickle/cloudpickle.py#L734-L735>`__): ``np``, a module, by
# name; ``permutation``, a bound method, as its function and its object
# (`_method_reduce <https://github.com/cloudpipe/cloudpickle/blob/v3.1.3/
# cloudpickle/cloudpickle.py#L1036-L1037>`__); and a ``RandomState``
# pickles its whole state (`RandomState.__reduce__
# <https://github.com/numpy/numpy/blob/v2.4.6/numpy/random/
# mtrand.pyx#L207-L214>`__). Unpickle the task here, as a worker does:

unpickled = cloudpickle.loads(cloudpickle.dumps(shuffled)).__globals__
travelled = unpickled["permutation"].__self__
drawn = travelled.permutation(20).tolist()
print("permutation.__self__ is np.random.mtrand._rand: "
      f"{permutation.__self__ is np.random.mtrand._rand}"
      f"\nthe unpickled task's RandomState is a copy: "
      f"{travelled is not np.random.mtrand._rand}\nit draws this process's "
      f"next permutation: {drawn == np.random.permutation(20).tolist()}; "
      f"loky's: {on_loky['imported permutation'] == [drawn] * 4}")

# %%
# The four tasks went in four batches, each pickled on its own: four copies
# of a state this process never advanced. A ``Generator`` pickles its bit
# generator, state included (`Generator.__reduce__
# <https://github.com/numpy/numpy/blob/v2.4.6/numpy/random/
# _generator.pyx#L224-L227>`__): the ``Shuffler`` and the closure are
# copied alike. ``np.random.permutation`` draws from each loky worker's
# own global state, seeded afresh: distinct, never the same twice. So does
# a task from a module the workers import: it is pickled by name.
#
# Pickled or forked: ``multiprocessing``
# --------------------------------------
#
# The standard pickle sends a module-level function by name; a bound
# method, with its object; a closure, not at all. Each column: a script in
# a fresh interpreter, whose ``Pool(2)`` runs the four tasks, two a worker
# (start methods: :doc:`../get_it_right/plot_start_methods`). A copy per
# task (1 of 4) was made by pickling, in orange; a copy per worker (2 of 4: a
# worker repeats the other's draws) by ``fork``, in purple.

# Harness: the same tasks in a script, run under each start method
import json
import multiprocessing
import subprocess
import sys
import tempfile

SCRIPT = """
import functools, json, multiprocessing, sys
import numpy as np
from numpy.random import permutation
def shuffled(n): return permutation(n).tolist()
def shuffled_np(n): return np.random.permutation(n).tolist()
class Shuffler:
    def __init__(self, seed): self.rng = np.random.default_rng(seed)
    def shuffled(self, n): return self.rng.permutation(n).tolist()
def closure_over(rng):
    def shuffled(n): return rng.permutation(n).tolist()
    return shuffled
def keep(pair): globals()["barrier"] = pair  # the workers' barrier
def in_turn(task, n):  # each worker waits for the other: two tasks each
    barrier.wait()
    return task(n)
def distinct(pool, task):
    try:
        return len({tuple(r) for r in pool.map(
            functools.partial(in_turn, task), [20] * 4, chunksize=1)})
    except Exception as error:  # a closure cannot be pickled
        return type(error).__name__
if __name__ == "__main__":
    context = multiprocessing.get_context(sys.argv[1])
    with context.Pool(2, keep, (context.Barrier(2),)) as pool:
        print(json.dumps([distinct(pool, task) for task in [
            shuffled, shuffled_np, Shuffler(0).shuffled,
            closure_over(np.random.default_rng(0))]]))
"""


def pool_counts(method):  # {label: distinct results of 4, or the error}
    with tempfile.TemporaryDirectory() as folder:
        with open(f"{folder}/tasks.py", "w") as script:
            script.write(SCRIPT)
        printed = subprocess.run([sys.executable, "tasks.py", method],
                                 cwd=folder, capture_output=True, text=True,
                                 timeout=120, check=True).stdout
    return dict(zip(TASKS, json.loads(printed)))


# %%
METHODS = [method for method in ["fork", "forkserver", "spawn"]
           if method in multiprocessing.get_all_start_methods()]
measured = {"loky": {label: len(set(map(tuple, results)))
                     for label, results in on_loky.items()}}
measured.update({method: pool_counts(method) for method in METHODS})
print(f"Python {sys.version.split()[0]}; distinct results of 4 tasks:")
print(" " * 22 + "".join(f"{column:>11}" for column in measured))
for label in TASKS:
    print(f"{label:22}" + "".join(
        f"{count if isinstance(count, int) else '-':>11}"
        for count in (counts[label] for counts in measured.values())))
print("-: the closure cannot be pickled:", measured[METHODS[0]]["closure"])

import matplotlib.pyplot as plt
from matplotlib.colors import ListedColormap

KINDS = ["distinct", "pickled\ncopy", "forked\ncopy", "cannot\npickle"]
kinds = np.array([[{4: 0, 1: 1}.get(c, 2 if isinstance(c, int) else 3)
                   for c in (counts[label] for counts in measured.values())]
                  for label in TASKS])
plt.rcParams["font.size"] = 11
fig, ax = plt.subplots(figsize=(5.6, 3.6))
ax.imshow(kinds, cmap=ListedColormap(["#e3eef8", "#b93a0b", "#5b3a8c",
                                      "#d9d9d9"]), vmin=0, vmax=3,
          aspect="auto")
for (row, column), kind in np.ndenumerate(kinds):
    ax.text(column, row, KINDS[kind], ha="center", va="center",
            color="white" if kind in (1, 2) else "black")
ax.set_xticks(range(len(measured)), list(measured))
ax.xaxis.tick_top()
ax.set_yticks(range(len(TASKS)), [t.replace("d p", "d\np") for t in TASKS])
ax.set_title("4 tasks on 2 workers", loc="left", pad=26)
fig.tight_layout()

# %%
# What to remember
# ----------------
#
# * Whatever a task reaches that holds a random state is copied with it:
#   a name imported from ``numpy.random``, a bound method's object, a
#   closure's generator, a generator made at module level or passed as an
#   argument (:doc:`plot_random_state_in_parallel`; per batch:
#   :doc:`plot_batches_and_pools`). Send seeds; build generators in tasks.

plt.show()
