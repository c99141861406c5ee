r"""
=========================================
Random numbers inside ``joblib.Parallel``
=========================================

A function that draws from NumPy's global random state gives new numbers
each time a loop calls it. Hand the same calls to ``joblib.Parallel`` and
the answer depends on how the workers were started: workers *forked* from
the parent begin with a copy of its random state, and draw the very same
numbers. This example shows the duplicates, explains them, and removes them
by giving every task its own seed, spawned from one root seed, which also
makes the results the same on every run and every backend.
"""

# %%
# A task that draws from the global random state
# ----------------------------------------------
#
# ``draw_from_global_state`` stands for any code that calls ``np.random``
# without being handed a random state, as many libraries do. It ignores the
# task's number: nothing it is given decides what it draws. In a loop, each
# call moves the global state on, so the five vectors differ.

import multiprocessing
import os
import time

# Forking (below) is safe only in a process with one thread, and NumPy's
# BLAS starts a pool of threads when NumPy is imported: keep it to one.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import matplotlib.pyplot as plt
import numpy as np
from joblib import Parallel, delayed

N_TASKS = 5


def draw_from_global_state(task_number):
    time.sleep(0.05)  # stands for real work; lets both workers take tasks
    return np.random.randint(100, size=5)


def run_tasks(task, arguments, backend):  # with two workers
    tasks = (delayed(task)(argument) for argument in arguments)
    return np.array(Parallel(n_jobs=2, backend=backend)(tasks))


sequential = np.array([draw_from_global_state(i) for i in range(N_TASKS)])
print(f"sequential loop:\n{sequential}")

# %%
# The same tasks on forked workers
# --------------------------------
#
# joblib's ``multiprocessing`` backend runs tasks in a pool of processes.
# Given the ``fork`` start method, it makes each worker a copy of this
# process. Fork is here to show the problem, not to fix anything: Windows
# has none, Python's documentation calls it unsafe on macOS, and Python
# 3.12+ warns against forking a process that runs several threads.

FORK = None
if "fork" in multiprocessing.get_all_start_methods():
    FORK = multiprocessing.get_context("fork")
    forked = run_tasks(draw_from_global_state, range(N_TASKS), FORK)
    print(f"forked workers:\n{forked}")
else:
    print("This platform cannot fork: the forked runs are skipped.")

# %%
# In the heatmaps, a row that repeats an earlier one is outlined in orange.

ORANGE = "#b93a0b"


def heatmaps(panels, title):
    fig, axes = plt.subplots(1, len(panels), figsize=(3.8 * len(panels), 3))
    for ax, (panel_title, vectors) in zip(np.atleast_1d(axes), panels):
        # Pale cells: black text stays readable on every one of them.
        ax.imshow(vectors, cmap="Blues", vmin=-50, vmax=250, aspect="auto")
        for (row, column), value in np.ndenumerate(vectors):
            ax.text(column, row, value, ha="center", va="center")
        width = vectors.shape[1]
        for row, vector in enumerate(vectors):
            twins = [r for r in range(row) if (vectors[r] == vector).all()]
            if not twins:
                continue
            for outlined in (twins[0], row):
                ax.add_patch(plt.Rectangle(
                    (-0.45, outlined - 0.45), width - 0.1, 0.9, fill=False,
                    edgecolor=ORANGE, linewidth=2.5, clip_on=False))
            ax.text(width - 0.4, row, f"= task {twins[0]}", color=ORANGE,
                    fontweight="bold", va="center")
        ax.set_xticks([])
        ax.set_yticks(range(len(vectors)),
                      [f"task {i}" for i in range(len(vectors))])
        ax.set_title(panel_title, loc="left")
    fig.suptitle(title, fontweight="bold")
    fig.tight_layout()


panels = [("sequential loop", sequential)]
if FORK is not None:
    panels.append(("forked workers", forked))
heatmaps(panels, "Draws from the global random state")

# %%
# Why forked workers repeat each other
# ------------------------------------
#
# Forking copies the parent's memory, NumPy's global random state
# included: the second worker replays the first one's draws. The state
# exists as soon as ``numpy.random`` is imported, which any
# ``np.random.<name>`` does, ``np.random.SeedSequence`` included; it does
# not wait for a first draw. Nor is this a fluke: ten more forked runs.

if FORK is not None:
    repeats = [run_tasks(draw_from_global_state, range(N_TASKS), FORK)
               for _ in range(10)]
    n_duplicated = sum(len(np.unique(vectors, axis=0)) < N_TASKS
                       for vectors in repeats)
    print(f"{n_duplicated} of 10 forked runs drew duplicated vectors")

# %%
# The fix: a seed for every task, spawned from one root
# -----------------------------------------------------
#
# Each task builds its own generator from the seed it receives.
# ``SeedSequence(ROOT_SEED).spawn(n)`` derives ``n`` child seeds from the
# root and each child's index: the tasks' streams are independent and
# depend on the root alone. This page fixes the root; for real work, draw
# it with ``secrets.randbits(128)``, as NumPy advises, and save it.

ROOT_SEED = 2024


def draw_from_own_generator(seed):
    time.sleep(0.05)
    generator = np.random.default_rng(seed)
    return generator.integers(100, size=5)


seeds = np.random.SeedSequence(ROOT_SEED).spawn(N_TASKS)
backend = FORK if FORK is not None else "loky"
first_run = run_tasks(draw_from_own_generator, seeds, backend)
second_run = run_tasks(draw_from_own_generator, seeds, backend)
print(f"spawned seeds, first run:\n{first_run}")
print("second run identical:", np.array_equal(first_run, second_run))

# %%
# Other backends
# --------------
#
# loky, joblib's default, starts fresh interpreters; ``threading`` shares
# this process's one global state between threads. Both draw distinct but
# unrepeatable numbers from the global state, and, with spawned seeds, the
# forked run's numbers exactly.

on_loky = run_tasks(draw_from_global_state, range(N_TASKS), "loky")
on_threads = run_tasks(draw_from_global_state, range(N_TASKS), "threading")
for name in ["loky", "threading"]:
    seeded = run_tasks(draw_from_own_generator, seeds, name)
    print(f"{name}, spawned seeds, identical to the first run: "
          f"{np.array_equal(seeded, first_run)}")

heatmaps([("global state, loky", on_loky),
          ("global state, threading", on_threads),
          ("spawned seeds, any backend", first_run)],
         "Distinct numbers everywhere; reproducible only with seeds")

# %%
# One generator object for every task
# -----------------------------------
#
# A common mistake with NumPy's newer API: one generator, passed to every
# task. A process backend sends each task a pickled *copy* of it, so every
# task draws the same numbers. Threads share the object: the numbers
# differ, but which task gets which depends on scheduling
# (:ref:`sphx_glr_auto_examples_plot_shared_generator_threads.py`).
# scikit-learn's ``random_state`` is alike: an int gives the same numbers
# at every call, a ``RandomState`` instance is advanced by each use, and
# ``None`` means NumPy's global state.

one_generator = np.random.default_rng(ROOT_SEED)  # default_rng passes it on
copied = run_tasks(draw_from_own_generator, [one_generator] * N_TASKS, "loky")
print(f"one generator, loky:\n{copied}")

# %%
# What to remember
# ----------------
#
# * Never let a task draw from a random state it was not given. Spawn one
#   seed per task from a single root, and build the task's generator from
#   it: the results then depend on the root alone.
# * Keep random state out of module level: ``spawn`` and ``forkserver``
#   workers run the main script again, so a module-level
#   ``np.random.seed(0)`` seeds them all alike
#   (:ref:`sphx_glr_auto_examples_plot_start_methods.py`).
# * Integer seeds drawn at random, one per task, can collide
#   (:ref:`sphx_glr_auto_examples_plot_seed_collisions.py`).
