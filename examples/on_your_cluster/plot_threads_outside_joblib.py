r"""
============================================================================
Threads outside joblib: ThreadPoolExecutor, random.seed and completion order
============================================================================

With ``ThreadPoolExecutor``, tasks that share a generator or the
``random`` module draw distinct numbers, but which task gets which depends
on timing: on how long each task works, and often on the run. Tasks that
call ``random.seed(task_seed)`` in the thread overwrite each other's seed
before they draw. And ``as_completed`` or ``imap_unordered`` hand results
back in the order the tasks finish, not the order you sent them.
Measured, with the fix: one ``random.Random`` or NumPy ``Generator`` per
task, from spawned seeds, and results kept in task order.
"""

# %%
# The fix to paste
# ----------------
#
# Each task builds its own generator from a seed spawned for it, and
# ``executor.map`` returns the results in task order.

from concurrent.futures import ThreadPoolExecutor

import numpy as np

N_TASKS = 8
seeds = np.random.SeedSequence(2024).spawn(N_TASKS)  # one per task


def task(seed):  # a NumPy Generator of its own: nothing shared
    return np.random.default_rng(seed).integers(1000, size=3)


with ThreadPoolExecutor(4) as executor:
    results = list(executor.map(task, seeds))  # task i's result at i
print(f"{len(np.unique(results, axis=0))} distinct results of {N_TASKS}; "
      "in task order, as a loop gives them: "
      f"{np.array_equal(results, [task(seed) for seed in seeds])}")

# %%
# The same with the ``random`` module: a ``random.Random`` per task,
# seeded with an int drawn from the task's ``SeedSequence``.

import random


def random_seed_of(seed):
    return int(seed.generate_state(1)[0])


def task_random(seed):  # a random.Random of its own
    return random.Random(random_seed_of(seed)).randrange(1000)


# %%
# Sharing: distinct numbers, dealt out by the scheduler
# -----------------------------------------------------
#
# Eight tasks share one seeded generator, or the ``random`` module seeded
# once; each draws three numbers, with a short pause (work) between draws.
# The same seeded run, twenty times, then once with the pauses reversed:

import sys
import time


def draw_shared(task_number, draw, pauses):
    values = []
    for _ in range(3):
        values.append(draw())
        time.sleep(0.001 * pauses[task_number % 3])
    return values


def run_shared(make_draw, pauses=(1, 2, 3)):  # milliseconds
    draw = make_draw()
    with ThreadPoolExecutor(4) as executor:
        return np.array(list(executor.map(
            lambda task: draw_shared(task, draw, pauses), range(N_TASKS))))


def one_generator():  # seeded once, shared by every task
    return np.random.default_rng(2024).random


def random_module():  # random.seed once, shared by every task
    random.seed(2024)
    return random.random


print(f"Python {sys.version.split()[0]}, NumPy {np.__version__}")
for name, make_draw in [("one Generator", one_generator),
                        ("random module", random_module)]:
    first, *others = [run_shared(make_draw) for _ in range(20)]
    same = all(np.array_equal(np.sort(first, None), np.sort(other, None))
               for other in others)
    dealt = sum(not np.array_equal(first, other) for other in others)
    print(f"{name}: {len(np.unique(first))} distinct of {first.size}, "
          f"the same 24 in every run: {same}")
    print(f"  runs that gave a task other numbers than run 1: {dealt} of 19")
    reversed_pauses = run_shared(make_draw, pauses=(3, 2, 1))
    print("  pauses reversed, a task got other numbers: "
          f"{not np.array_equal(first, reversed_pauses)}")

# %%
# ``random.seed`` inside the tasks: a race
# ----------------------------------------
#
# ``random.seed`` seeds the one hidden ``random.Random`` instance that the
# module's functions share (`random, 3.14
# <https://docs.python.org/3.14/library/random.html>`__). A task that
# seeds it and then works before it draws finds another task's seed. A
# barrier makes each wave of four tasks seed before any draws:

import threading

barrier = threading.Barrier(4)


def reseed_and_draw(seed):  # the anti-pattern
    random.seed(random_seed_of(seed))
    barrier.wait()  # the work between seeding and drawing
    return random.random()


def own_random_and_draw(seed):  # the fix: a Random of its own
    generator = random.Random(random_seed_of(seed))
    barrier.wait()
    return generator.random()


def mismatches(task_function):  # tasks that did not draw their seed's
    with ThreadPoolExecutor(4) as executor:
        drawn = list(executor.map(task_function, seeds))
    expected = [random.Random(random_seed_of(s)).random() for s in seeds]
    return sum(d != e for d, e in zip(drawn, expected)), drawn


RACE = {"random.seed in the task": mismatches(reseed_and_draw),
        "random.Random per task": mismatches(own_random_and_draw)}
for name, (count, _) in RACE.items():
    print(f"{name}: {count} of {N_TASKS} tasks drew another seed's number")
again = mismatches(own_random_and_draw)[1]
print("random.Random per task, run 2 identical: "
      f"{again == RACE['random.Random per task'][1]}")
with ThreadPoolExecutor(4) as executor:
    from_threads = list(executor.map(task_random, seeds))
print("task_random: threads and a loop identical: "
      f"{from_threads == [task_random(seed) for seed in seeds]}")

# %%
# Completion order
# ----------------
#
# ``as_completed`` yields each future when it finishes
# (`concurrent.futures, 3.14 <https://docs.python.org/3.14/library/
# concurrent.futures.html#concurrent.futures.as_completed>`__), and
# ``imap_unordered`` of ``multiprocessing``'s ``Pool`` does the same
# (here on ``ThreadPool``, its subclass with threads). Here later tasks
# are shorter, as in a real run where durations vary. The figure: left,
# the race above; right, the order in which results came back.

from concurrent.futures import as_completed
from multiprocessing.pool import ThreadPool


def timed_task(task_number):
    time.sleep(0.02 * (N_TASKS - task_number))
    return task_number, task(seeds[task_number])


with ThreadPoolExecutor(4) as executor:
    futures = [executor.submit(timed_task, i) for i in range(N_TASKS)]
    completed = [future.result() for future in as_completed(futures)]
    mapped = list(executor.map(timed_task, range(N_TASKS)))
with ThreadPool(4) as pool:
    unordered = list(pool.imap_unordered(timed_task, range(N_TASKS)))
by_index = sorted(completed, key=lambda result: result[0])  # the fix
ORDERS = {"as_completed": [i for i, _ in completed],
          "imap_unordered": [i for i, _ in unordered],
          "executor.map": [i for i, _ in mapped],
          "sorted by index": [i for i, _ in by_index]}
for name, order in ORDERS.items():
    print(f"{name:16} task order: {order}")
back = np.array([values for _, values in by_index])
print(f"carried index, sorted: equal to executor.map: "
      f"{np.array_equal(back, np.array([v for _, v in mapped]))}")

import matplotlib.pyplot as plt

fig, (left, right) = plt.subplots(2, 1, figsize=(5.6, 6.4))  # stacked
counts = [count for count, _ in RACE.values()]
bars = left.bar(["random.seed\nin the task", "Random\nper task"], counts,
                color=["#b93a0b", "#2f7ebc"])
left.bar_label(bars, labels=[f"{c} of {N_TASKS}" for c in counts])
left.set_ylim(0, N_TASKS + 1.5)
left.set_title("tasks drawing another seed's number", loc="left")
for (name, order), marker in zip(list(ORDERS.items())[:3], "os^"):
    right.plot(range(N_TASKS), order, marker=marker, label=name)
right.set_xlabel("position in the results")
right.set_ylabel("task")
right.set_title("results, in the order they came back", loc="left")
right.legend(fontsize=9)
fig.tight_layout()

# %%
# What to take from it
# --------------------
#
# * Give every task its own generator, made from a seed spawned for it:
#   ``random.Random`` or ``np.random.default_rng``. Never reseed a shared
#   one inside a task, and do not share one if runs must repeat.
# * Keep results in task order: ``executor.map``, or carry the task's
#   index and sort.
# * joblib's threading backend:
#   :doc:`../get_it_right/plot_shared_generator_threads`;
#   a free-threaded Python: :doc:`../get_it_right/plot_free_threading`.

plt.show()
