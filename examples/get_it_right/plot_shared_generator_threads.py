r"""
=========================================================
Threads sharing one generator: right numbers, wrong order
=========================================================

With joblib's ``threading`` backend, all tasks run in one process and can
share a single seeded ``Generator``. NumPy serialises the draws, so no number
is handed out twice and the tasks never duplicate each other. But which task
gets which numbers depends on how the operating system schedules the
threads, so two runs with the same seed give different results. This example
measures how often that happens, shows that the numbers drawn are still the
same ones, and fixes the order with one spawned generator per task.
"""

# %%
# Tasks that share a generator
# ----------------------------
#
# Each task draws its numbers one at a time and works between draws. Tasks
# do different amounts of work, as real ones do: task ``i`` pauses 1, 2 or
# 3 ms between draws. The other thread draws in the meantime.

import time

import numpy as np
from joblib import Parallel, delayed

SEED = 7
N_TASKS = 6
N_DRAWS = 5
N_RUNS = 50
PAUSES = [0.001 * (1 + task % 3) for task in range(N_TASKS)]  # seconds


def draw_one_at_a_time(generator, pause):
    """Draw N_DRAWS integers below 100, pausing between draws."""
    values = []
    for _ in range(N_DRAWS):
        values.append(int(generator.integers(100)))
        time.sleep(pause)
    return values


def run_on_threads(generators):
    """Task i draws from generators[i], pausing PAUSES[i]; two threads."""
    tasks = (delayed(draw_one_at_a_time)(generator, pause)
             for generator, pause in zip(generators, PAUSES))
    return np.array(Parallel(n_jobs=2, backend="threading")(tasks))


def run_shared(seed=SEED):
    """Every task draws from one generator seeded with seed."""
    return run_on_threads([np.random.default_rng(seed)] * N_TASKS)


def run_spawned(seed=SEED):
    """Each task draws from its own generator, spawned from seed."""
    return run_on_threads(np.random.default_rng(seed).spawn(N_TASKS))


# %%
# Repeating the run
# -----------------
#
# Each pattern runs fifty times with the same seed. A run "differs" when any
# task's vector is not the one it got in the first run.

# Harness: run a pattern fifty times, and count the runs that differ
def repeat(run, n_runs=N_RUNS):
    """The first run, the other runs, and the fraction that differ."""
    first, *others = [run() for _ in range(n_runs)]
    differing = [not np.array_equal(first, other) for other in others]
    return first, others, sum(differing) / len(others)


# %%
# Fifty runs of each, from the same seed:

shared_first, shared_runs, shared_fraction = repeat(run_shared)
spawned_first, spawned_runs, spawned_fraction = repeat(run_spawned)
print(f"one shared generator: {shared_fraction:.0%} of runs differ")
print(f"one generator a task: {spawned_fraction:.0%} of runs differ")

# %%
# The numbers are right, their order is not
# -----------------------------------------
#
# Sorted, the thirty numbers of every shared run are the first thirty
# numbers that the seeded generator produces: the draws are neither lost nor
# repeated, only dealt out differently.

reference = np.random.default_rng(SEED).integers(100, size=N_TASKS * N_DRAWS)
all_shared = [shared_first, *shared_runs]
same_numbers = all(np.array_equal(np.sort(run.ravel()), np.sort(reference))
                   for run in all_shared)
no_repeats = all(len(np.unique(run, axis=0)) == N_TASKS for run in all_shared)
print(f"every shared run drew the same numbers: {same_numbers}")
print(f"no task's vector repeats another's: {no_repeats}")

# %%
# The figure shows the first shared run above the first one that differs
# from it, with the changed values in orange, and the fraction of differing
# runs for both patterns.

import matplotlib.pyplot as plt
from matplotlib.colors import ListedColormap

differing = [run for run in shared_runs
             if not np.array_equal(run, shared_first)]
second_shared = differing[0] if differing else shared_runs[0]
changed = second_shared != shared_first

fig, axes = plt.subplots(3, 1, figsize=(5.6, 8.4),
                         height_ratios=[1, 1, 0.7])  # stacked, for phones
titles = ["shared generator, first run",
          f"a later run: {changed.sum()} of {changed.size} values changed"]
for ax, values, title, is_changed in zip(
        axes, [shared_first, second_shared], titles,
        [np.zeros_like(changed), changed]):
    ax.imshow(is_changed, cmap=ListedColormap(["#e3eef8", "#b93a0b"]),
              vmin=0, vmax=1, aspect="auto")
    for (row, column), value in np.ndenumerate(values):
        ax.text(column, row, value, ha="center", va="center",
                color="white" if is_changed[row, column] else "black")
    ax.set_xticks([])
    ax.set_yticks(range(N_TASKS), [f"task {i}" for i in range(N_TASKS)])
    ax.set_title(title, loc="left")
fractions = [shared_fraction, spawned_fraction]
bars = axes[2].barh(["one shared\ngenerator", "one generator\nper task"],
                    fractions, color=["#b93a0b", "#2f7ebc"])
axes[2].bar_label(bars, labels=[f" {value:.0%}" for value in fractions])
axes[2].set_xlim(0, 1.15)
axes[2].invert_yaxis()
axes[2].set_title(f"runs differing from run 1 ({N_RUNS} runs)", loc="left")
axes[2].set_xticks([0, 0.5, 1], ["0%", "50%", "100%"])
fig.tight_layout()

# %%
# What to take from it
# --------------------
#
# Sharing one generator between threads is safe, in that nothing is drawn
# twice, but it is not reproducible. Spawn one generator per task, as in
# :doc:`plot_spawned_generators`: each task then
# owns its stream, and the scheduling no longer matters. Spawn them before
# the tasks start: tasks that spawn from one shared parent race, above all
# on a free-threaded Python, where the threads draw at the same time
# (:doc:`plot_free_threading`).

plt.show()

# %%
# Sources: a NumPy bit generator `holds a lock
# <https://numpy.org/doc/2.4/reference/random/bit_generators/generated/
# numpy.random.BitGenerator.lock.html>`__ (NumPy 2.4) that its generators
# take while they draw; joblib 1.6.0's `threading backend dispatches one
# task at a time <https://github.com/joblib/joblib/blob/1.6.0/joblib/
# parallel.py#L1078-L1081>`__.
