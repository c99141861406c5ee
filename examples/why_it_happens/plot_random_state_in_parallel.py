r"""
=========================================
Random numbers inside ``joblib.Parallel``
=========================================

Parallel tasks that should draw different random numbers often draw the
same ones, because each worker gets a *copy* of a random state. Today the
likeliest copy is of a generator made once at the top of a script, which
joblib's default backend, loky, sends to its workers with every batch of
tasks. The classic one is NumPy's global state, copied into workers that
are *forked* from the parent. This page shows both, live, and removes them
by giving every task its own seed, spawned from one root seed, which also
makes the results the same on every run and every backend.
"""

# %%
# A generator made at module level
# --------------------------------
#
# NumPy's documentation suggests making one generator and using it
# everywhere. In a script that hands tasks to ``joblib.Parallel``, the
# tasks then draw from that module-level generator.

import multiprocessing
import os
import threading
import time

# Not needed in your code: this page forks, safe only with one thread.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
THREADS_AT_START = set(threading.enumerate())  # a notebook's: left alone

import matplotlib.pyplot as plt
import numpy as np
from joblib import Parallel, delayed
from joblib.externals.loky import get_reusable_executor

N_TASKS = 5
rng = np.random.default_rng(12345)  # one generator for the whole script


def draw_from_module_generator(task_number):
    time.sleep(0.05)  # stands for real work; lets both workers take tasks
    return rng.integers(100, size=5)


def run_tasks(task, arguments, backend):  # with two workers
    tasks = (delayed(task)(argument) for argument in arguments)
    return np.array(Parallel(n_jobs=2, backend=backend)(tasks))


module_level = {name: run_tasks(draw_from_module_generator, range(N_TASKS),
                                name) for name in ["loky", "threading"]}
print(f"module-level generator, loky:\n{module_level['loky']}")

# %%
# In the heatmaps, a row that repeats an earlier one is outlined in orange.
ORANGE = "#b93a0b"


def heatmaps(panels, title):
    fig, axes = plt.subplots(len(panels), 1, figsize=(5.6, 2.3 * len(panels)))
    for ax, (panel_title, vectors) in zip(np.atleast_1d(axes), panels):
        ax.imshow(vectors, cmap="Blues", vmin=-50, vmax=250, aspect="auto")
        for (row, column), value in np.ndenumerate(vectors):
            ax.text(column, row, value, ha="center", va="center")
        for row, vector in enumerate(vectors):
            twins = [r for r in range(row) if (vectors[r] == vector).all()]
            for outlined in twins[:1] + [row] if twins else []:
                ax.add_patch(plt.Rectangle(
                    (-0.45, outlined - 0.45), len(vector) - 0.1, 0.9,
                    fill=False, edgecolor=ORANGE, lw=2.5, clip_on=False))
            if twins:
                ax.text(len(vector) - 0.4, row, f"= task {twins[0]}",
                        color=ORANGE, fontweight="bold", va="center")
        ax.set_xticks([])
        ax.set_yticks(range(len(vectors)),
                      [f"task {i}" for i in range(len(vectors))])
        ax.set_title(panel_title, loc="left")
    fig.suptitle(title, fontweight="bold", fontsize=11)
    fig.tight_layout()


heatmaps(list(module_level.items()), "One generator made at module level")

# %%
# Every loky task drew the same numbers. loky pickles a function defined
# in the main script together with the globals it uses (with cloudpickle),
# so every batch of tasks unpickles its own copy of ``rng``, and every copy
# starts from the state that this process never advanced. Threads share
# the one object and draw distinct numbers, in an order that scheduling
# decides. The same copying happens to one generator passed as an argument
# to every task:

one_generator = np.random.default_rng(2024)


def draw_from_own_generator(seed):
    time.sleep(0.05)
    generator = np.random.default_rng(seed)  # passes a Generator through
    return generator.integers(100, size=5)


copied = run_tasks(draw_from_own_generator, [one_generator] * N_TASKS, "loky")
print(f"one generator passed to every task, loky:\n{copied}")

# %%
# Here every task is a batch of its own (joblib 1.6.0 `starts so
# <https://github.com/joblib/joblib/blob/1.6.0/joblib/parallel.py
# #L1062-L1077>`__). Many short tasks share batches, and a batch shares
# one copy: then only *some* results repeat, which is harder to notice
# (:doc:`plot_batches_and_pools`).
#
# The global state, copied by ``fork``
# ------------------------------------
#
# ``draw_from_global_state`` stands for any code that calls ``np.random``
# without being handed a random state, as libraries do when their
# ``random_state`` is ``None`` (:doc:`plot_library_calls`). Workers forked
# from this process start with a copy of that state: the second worker
# replays the first one's draws. Windows cannot fork, and Python 3.12+
# warns against forking a process that runs threads (a hidden
# ``DeprecationWarning``: run with ``-W default`` or ``-X dev`` to see it).


def draw_from_global_state(task_number):
    time.sleep(0.05)
    return np.random.randint(100, size=5)


sequential = np.array([draw_from_global_state(i) for i in range(N_TASKS)])
# Fork only while no other thread runs: stop loky's, and joblib's, threads.
get_reusable_executor().shutdown(wait=True)
for thread in set(threading.enumerate()) - THREADS_AT_START:
    thread.join(timeout=10)
FORK = None
if "fork" in multiprocessing.get_all_start_methods():
    FORK = multiprocessing.get_context("fork")
    forked = run_tasks(draw_from_global_state, range(N_TASKS), FORK)
    repeats = [run_tasks(draw_from_global_state, range(N_TASKS), FORK)
               for _ in range(10)]
    n_duplicated = sum(len(np.unique(vectors, axis=0)) < N_TASKS
                       for vectors in repeats)
    print(f"forked workers:\n{forked}")
    print(f"{n_duplicated} of 10 more forked runs drew duplicated vectors")
    heatmaps([("sequential loop", sequential), ("forked workers", forked)],
             "Draws from the global random state")
else:
    print("This platform cannot fork: the forked runs are skipped.")

# %%
# The fix: a seed for every task, spawned from one root
# -----------------------------------------------------
#
# Each task builds its own generator from the seed it receives.
# ``SeedSequence(ROOT_SEED).spawn(n)`` derives ``n`` child seeds from the
# root and each child's index: the streams are independent and depend on
# the root alone (`NumPy 2.4 <https://numpy.org/doc/2.4/reference/random/
# parallel.html>`__). This page fixes the root; for real work, draw it with
# ``secrets.randbits(128)``, as `NumPy advises <https://numpy.org/doc/2.4/
# reference/random/generated/numpy.random.Generator.spawn.html>`__.

ROOT_SEED = 2024
seeds = np.random.SeedSequence(ROOT_SEED).spawn(N_TASKS)
runs = {name: run_tasks(draw_from_own_generator, seeds, backend)
        for name, backend in [("fork", FORK), ("threading", "threading"),
                              ("loky", "loky")] if backend is not None}
(first_name, first_run), *others = runs.items()
print(f"spawned seeds, {first_name}:\n{first_run}")
for name, again in others:
    print(f"{name}, identical: {np.array_equal(again, first_run)}")

# %%
# Without seeds, loky's fresh workers and the threads draw distinct but
# unrepeatable numbers from the global state. The threads draw from this
# process's own state, which the forked workers never advanced: the
# threading panel's first rows hold numbers that the forked workers drew.

on_loky = run_tasks(draw_from_global_state, range(N_TASKS), "loky")
on_threads = run_tasks(draw_from_global_state, range(N_TASKS), "threading")
heatmaps([("global state, loky", on_loky),
          ("global state, threading", on_threads),
          ("spawned seeds, any backend", first_run)],
         "Distinct numbers everywhere; reproducible only with seeds")

# %%
# What to remember
# ----------------
#
# * Never let a task draw from a random state it was not given: spawn one
#   seed per task from a single root, and make its generator from it.
# * Keep random state out of module level. loky copies it with the task;
#   ``spawn`` workers run the line that made it again, and ``forkserver``
#   ones (since Python 3.14.1 and 3.13.8) copy what their server made: a
#   seeded one is the same in every worker
#   (:doc:`../get_it_right/plot_start_methods`).
# * Random integer seeds per task can collide:
#   :doc:`../get_it_right/plot_seed_collisions`.

plt.show()
