r"""
=============================================
One generator, many tasks: batches and pools
=============================================

Passing one generator to every task looks like sharing it. A process pool
does not share objects: it pickles the tasks in batches, and each batch
unpickles its own copy of the generator, all from the same state. So some
results repeat, and how many depends on how the tasks were batched. This
page counts the repeats with joblib and with ``multiprocessing`` and
``concurrent.futures`` used directly, then compares the fix, a seed for
every task, with an initializer that seeds each worker once.
"""

# %%
# 2,000 tasks, one generator
# --------------------------
#
# Each task draws one number from the generator it is given, from a range
# so wide that two equal draws can only come from equal states. The tasks
# go to ``multiprocessing.Pool.map``, which cuts them into chunks, to
# ``ProcessPoolExecutor.map``, which sends one task at a time unless told
# otherwise (both on forked workers, where the platform has them), and to
# ``joblib.Parallel``.

import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import matplotlib.pyplot as plt
import numpy as np
from joblib import Parallel, delayed
from joblib.externals.loky import get_reusable_executor

N_TASKS = 2000
THREADS_AT_START = set(threading.enumerate())  # a notebook's: left alone


def draw(generator):
    return int(generator.integers(2**62))


one_generator = np.random.default_rng(2024)
copies = [one_generator] * N_TASKS  # 2,000 references to one object
results = {}
if "fork" in multiprocessing.get_all_start_methods():
    FORK = multiprocessing.get_context("fork")
    with FORK.Pool(2) as pool:
        results["Pool.map, default chunks"] = pool.map(draw, copies)
    with ProcessPoolExecutor(2, mp_context=FORK) as executor:
        results["ProcessPoolExecutor.map"] = list(executor.map(draw, copies))
else:
    FORK = None
    print("This platform cannot fork: the pool runs are skipped.")
results["joblib (loky), automatic batches"] = Parallel(n_jobs=2)(
    delayed(draw)(generator) for generator in copies)
results["joblib (loky), batch_size=1"] = Parallel(n_jobs=2, batch_size=1)(
    delayed(draw)(generator) for generator in copies)
results["joblib, threading"] = Parallel(n_jobs=2, backend="threading")(
    delayed(draw)(generator) for generator in copies)

distinct = {way: len(set(values)) for way, values in results.items()}
for way, count in distinct.items():
    print(f"{way:34} {count:>5,} of {N_TASKS:,} values distinct")

fig, ax = plt.subplots(figsize=(5.6, 3.4))
bars = ax.barh(list(distinct), list(distinct.values()), color="#4a7fb0")
ax.bar_label(bars, [f"{count:,}" for count in distinct.values()],
             padding=3)
ax.set_xscale("log")
ax.set_xlim(0.8, 2 * N_TASKS)
ax.invert_yaxis()
ax.set_xlabel(f"distinct values among {N_TASKS:,} tasks (log scale)")
ax.set_title("One generator passed to every task", loc="left")
fig.tight_layout()

# %%
# Why the count is the size of the largest batch
# ----------------------------------------------
#
# Pickling a batch copies the generator once, however many of its tasks
# refer to it, so the tasks of one batch draw one after another from their
# copy. Every batch starts from the state ``one_generator`` had, which the
# parent never advances. So all the values are the first draws of that
# state, and their number is the size of the largest batch: joblib grows
# its batches while tasks are fast, ``Pool.map`` makes chunks of about
# ``n_tasks / (4 * n_workers)``, and ``batch_size=1`` or the executor's
# ``chunksize=1`` copy the generator for every single task. Only threads
# share the object, which keeps draws distinct but not their order
# (:doc:`../get_it_right/plot_shared_generator_threads`).

fresh_copy = np.random.default_rng(2024)
first_draws = [draw(fresh_copy) for _ in range(N_TASKS)]
from_first_draws = all(
    set(values) == set(first_draws[:distinct[way]])
    for way, values in results.items() if way != "joblib, threading")
print(f"every process run drew only the first draws: {from_first_draws}")

# %%
# The fix: a seed for every task
# ------------------------------
#
# Seeds spawned from one root, one per task, give every task its own
# stream, however the tasks are batched and whichever worker runs them.


def draw_seeded(seed):
    return draw(np.random.default_rng(seed))


def stop_other_threads():
    """Forking, as the pools below do, is safe only while no other thread
    runs: stop loky's workers and the thread that manages them, and wait
    for joblib's finished thread pools to end."""
    get_reusable_executor().shutdown(wait=True)
    for thread in set(threading.enumerate()) - THREADS_AT_START:
        thread.join(timeout=10)


seeds = np.random.SeedSequence(2024).spawn(N_TASKS)
stop_other_threads()
seeded = {}
if FORK is not None:
    with FORK.Pool(2) as pool:
        seeded["Pool.map"] = pool.map(draw_seeded, seeds)
seeded["joblib (threading)"] = Parallel(n_jobs=2, backend="threading")(
    delayed(draw_seeded)(seed) for seed in seeds)
seeded_distinct = all(len(set(v)) == N_TASKS for v in seeded.values())
seeded_same = all(v == seeded["joblib (threading)"]
                  for v in seeded.values())
print(f"spawned seeds: all {N_TASKS:,} distinct: {seeded_distinct}; "
      f"the same everywhere: {seeded_same}")

# %%
# An initializer that seeds each worker once
# ------------------------------------------
#
# ``Pool(initializer=...)`` runs once in every worker. Handing each worker
# its own spawned seed there keeps the workers apart, but a task's numbers
# now depend on which worker ran it, and after how many other tasks: the
# results change with the number of workers, and with scheduling.


def seed_this_worker(worker_seeds):
    global worker_generator
    worker_generator = np.random.default_rng(worker_seeds.get())


def draw_in_worker(_):
    time.sleep(0.01)  # stands for real work
    return draw(worker_generator)


def seeded_workers(n_workers, n_tasks=12):
    stop_other_threads()
    worker_seeds = FORK.SimpleQueue()
    for seed in np.random.SeedSequence(2024).spawn(n_workers):
        worker_seeds.put(seed)
    with FORK.Pool(n_workers, seed_this_worker, (worker_seeds,)) as pool:
        return pool.map(draw_in_worker, range(n_tasks), chunksize=1)


if FORK is not None:
    two, again, three = (seeded_workers(n) for n in (2, 2, 3))
    print(f"seeded workers: 2 workers twice, same results: {two == again}")
    print(f"2 workers against 3, same results: {two == three}")

# %%
# What to remember
# ----------------
#
# * Never pass one generator, or one ``RandomState``, to many tasks of a
#   process pool: pass each task a seed spawned from one root.
# * Partial repeats are the common case: with joblib's automatic batches,
#   a few hundred distinct values among thousands of tasks are easy to
#   miss. Count the distinct results when in doubt.
# * A worker-level seed is reproducible only while the number of workers
#   and the scheduling stay the same; a task-level seed always is.

plt.show()

# %%
# Sources: joblib 1.6.0 `pre-dispatches 2 * n_jobs batches, the first of
# one task each, then grows them <https://github.com/joblib/joblib/blob/
# 1.6.0/joblib/parallel.py#L1062-L1077>`__; CPython's ``Pool.map`` `cuts
# chunks of len / (4 * workers) <https://github.com/python/cpython/blob/
# v3.11.7/Lib/multiprocessing/pool.py#L481>`__.
