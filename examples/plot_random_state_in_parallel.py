r"""
=========================================
Random numbers inside ``joblib.Parallel``
=========================================

A function that draws from NumPy's global random state gives different
numbers each time it is called in a loop. Run the same calls with
``joblib.Parallel`` and the outcome depends on how the workers were started:
threads and loky's fresh worker processes draw distinct numbers, but worker
processes *forked* from the parent start with a copy of the parent's random
state and draw exactly the same numbers. This example shows the duplicates as
they happen, explains where they come from, and removes them by handing each
task its own seed, which also makes the results reproducible.
"""

# sphinx_gallery_thumbnail_number = 1

# %%
# A task that uses the global random state
# ----------------------------------------
#
# ``draw_from_global_state`` stands for any code that calls ``np.random``
# without being given a random state: many libraries do exactly this. Each
# call sleeps for 50 ms to stand in for real work. With tasks that finish in
# microseconds, one worker can grab every task before the other has started,
# and the problem shown below then comes and goes from run to run.
#
# The values go up to 99 so that a duplicate means something: among five
# independent vectors of five such values, the chance that two coincide is
# 10 pairs out of 100**5 possible vectors, about one in a billion.

import multiprocessing
import platform
import threading
import time

import matplotlib.pyplot as plt
import numpy as np
from joblib import Parallel, delayed
from matplotlib.patches import Rectangle

N_TASKS = 5
VECTOR_SIZE = 5
MAX_VALUE = 100
TASK_SECONDS = 0.05


def draw_from_global_state():
    """Return five integers below MAX_VALUE from NumPy's global state."""
    time.sleep(TASK_SECONDS)
    return np.random.randint(MAX_VALUE, size=VECTOR_SIZE)


# %%
# To see *why* some backends go wrong, each task also reports which worker
# ran it: the name of its process and of its thread. ``run_tasks`` runs the
# five calls, one after the other or with two workers, and numbers the
# workers in the order they first appear.


def run_and_name_worker(task, *args):
    """Call task(*args) and return (name of the worker, result)."""
    process = multiprocessing.current_process().name
    thread = threading.current_thread().name
    return f"{process}/{thread}", task(*args)


def run_tasks(task, backend=None, seeds=None):
    """Run N_TASKS calls of task; return (worker label per call, vectors).

    ``backend=None`` runs the calls one after the other in this process;
    anything else is handed to ``Parallel(n_jobs=2, backend=backend)``.
    ``seeds``, when given, holds the argument of each call.
    """
    if seeds is None:
        arguments = [()] * N_TASKS
    else:
        arguments = [(seed,) for seed in seeds]
    if backend is None:
        results = [run_and_name_worker(task, *args) for args in arguments]
    else:
        parallel = Parallel(n_jobs=2, backend=backend)
        results = parallel(
            delayed(run_and_name_worker)(task, *args) for args in arguments
        )
    worker_names, vectors = zip(*results)
    if backend is None:
        return ["main process"] * N_TASKS, np.array(vectors)
    numbers = {name: i for i, name in enumerate(dict.fromkeys(worker_names), 1)}
    return [f"worker {numbers[name]}" for name in worker_names], np.array(vectors)


def duplicated_rows(vectors):
    """Map each row that repeats an earlier row to the earlier row's index."""
    first_seen = {}
    duplicates = {}
    for row, vector in enumerate(vectors):
        key = vector.tobytes()
        if key in first_seen:
            duplicates[row] = first_seen[key]
        else:
            first_seen[key] = row
    return duplicates


def report(name, labels, vectors):
    """Print each vector with the worker that drew it, then the duplicates."""
    print(f"{name}:")
    for row, (label, vector) in enumerate(zip(labels, vectors)):
        print(f"  task {row} ({label}): {vector}")
    duplicates = duplicated_rows(vectors)
    if duplicates:
        pairs = ", ".join(
            f"task {row} = task {earlier}" for row, earlier in duplicates.items()
        )
        print(f"  DUPLICATED: {pairs}")
    else:
        print("  all vectors distinct")


# %%
# A sequential baseline
# ---------------------
#
# Five calls in a plain loop give five different vectors: each call moves the
# global random state forward. This cell also matters for what follows. Since
# NumPy 2, ``numpy.random`` is imported lazily and its global state is only
# created the first time a program uses it. From here on it exists in this
# process, so any worker forked later starts with a copy of it.

sequential = run_tasks(draw_from_global_state)
report("sequential loop", *sequential)

# %%
# Three parallel backends
# -----------------------
#
# joblib offers three backends for work on one machine. ``loky``, the
# default, starts fresh Python processes; ``threading`` runs the tasks in
# threads of this process; ``multiprocessing`` uses the standard library's
# process pool. Each runs the same five calls with two workers.

loky = run_tasks(draw_from_global_state, backend="loky")
report("loky", *loky)

threads = run_tasks(draw_from_global_state, backend="threading")
report("threading", *threads)

# %%
# Both give five distinct vectors. loky's workers are new interpreters, and
# each one seeds its own global state from the operating system; threads
# share this process's single global state, which hands out each number once.
#
# The ``multiprocessing`` backend behaves differently when its workers are
# started by *forking*: each worker is a copy of this process, global random
# state included. We ask for the ``fork`` start method explicitly rather than
# relying on the platform's default, which is ``spawn`` on macOS and Windows
# and, from Python 3.14, ``forkserver`` on Linux. joblib honours a start
# method when it is given a multiprocessing context as its backend. Windows
# cannot fork: there the demonstration is skipped, and the fix further down
# runs on loky instead.


def fork_context():
    """The 'fork' multiprocessing context, or None where there is none."""
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None


FORK = fork_context()
print(
    f"Python {platform.python_version()} on {platform.system()}; "
    f"default start method: {multiprocessing.get_start_method()}"
)

if FORK is not None:
    forked = run_tasks(draw_from_global_state, backend=FORK)
    report("multiprocessing (fork)", *forked)
else:
    forked = None
    print("multiprocessing (fork): skipped, this platform cannot fork.")

# %%
# The first vector drawn by worker 2 is the first vector drawn by worker 1,
# its second is the other's second, and so on: the two workers replay one
# sequence.
#
# Seeing it at a glance
# ---------------------
#
# The heatmaps draw each vector as a row of cells with its values written in
# them, and outline in orange every pair of rows that are the same. The text
# in a cell is black or white, whichever contrasts more with the cell, and
# the figures keep a white background so that they read the same in the
# site's light and dark modes.

DUPLICATE_COLOR = "#b93a0b"  # dark orange: stands out on every cell colour
CELL_COLORS = plt.get_cmap("Blues")


def cell_color(value):
    """Background colour of a cell; the top of the map stays mid-blue."""
    return CELL_COLORS(0.1 + 0.6 * value / (MAX_VALUE - 1))


def text_color(background):
    """Black or white, whichever contrasts more with background (WCAG)."""
    channels = np.asarray(background[:3])
    linear = np.where(
        channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4
    )
    luminance = linear @ [0.2126, 0.7152, 0.0722]
    on_black = (luminance + 0.05) / 0.05
    on_white = 1.05 / (luminance + 0.05)
    return "black" if on_black >= on_white else "white"


def plot_vectors(ax, labels, vectors, title):
    """Draw one heatmap panel; rows repeating an earlier row are outlined."""
    colors = np.array([[cell_color(value) for value in row] for row in vectors])
    ax.imshow(colors, aspect="auto")
    for (row, column), value in np.ndenumerate(vectors):
        ax.text(
            column, row, str(value), ha="center", va="center",
            color=text_color(colors[row, column]), fontsize=11,
        )
    ax.set_xticks([])
    ax.set_yticks(range(len(vectors)))
    ax.set_yticklabels([f"task {row} · {label}" for row, label in enumerate(labels)])
    ax.tick_params(length=0, labelsize=10)
    for spine in ax.spines.values():
        spine.set_visible(False)
    width = vectors.shape[1]
    for row, earlier in duplicated_rows(vectors).items():
        for outlined in (row, earlier):
            ax.add_patch(
                Rectangle(
                    (-0.45, outlined - 0.45), width - 0.1, 0.9, fill=False,
                    edgecolor=DUPLICATE_COLOR, linewidth=2.5, clip_on=False,
                )
            )
        ax.annotate(
            f"= task {earlier}", xy=(width - 0.35, row), va="center",
            color=DUPLICATE_COLOR, fontsize=11, fontweight="bold",
            annotation_clip=False,
        )
    ax.set_title(title, fontsize=11, loc="left")


def plot_panels(panels, title):
    """One figure with a heatmap per (title, labels, vectors) panel."""
    n_rows = -(-len(panels) // 2)
    fig, axes = plt.subplots(
        n_rows, 2, figsize=(7.6, 2.9 * n_rows), facecolor="white", squeeze=False
    )
    for ax, (panel_title, labels, vectors) in zip(axes.flat, panels):
        plot_vectors(ax, labels, vectors, panel_title)
    for ax in axes.flat[len(panels) :]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=12, fontweight="bold")
    fig.tight_layout()
    return fig


problem_panels = [
    ("sequential loop", *sequential),
    ("loky", *loky),
    ("threading", *threads),
]
if forked is not None:
    problem_panels.append(("multiprocessing (fork)", *forked))
plot_panels(problem_panels, "Draws from the global state: fork duplicates them")
plt.show()

# %%
# How often does this happen?
# ---------------------------
#
# The duplicates are not a fluke of one run. Here the forked run is repeated
# ten times, counting the runs in which both workers took tasks and the runs
# with duplicated vectors.

N_REPEATS = 10


def count_forked_duplicates(n_repeats=N_REPEATS):
    """Repeat the forked run; count runs with both workers, with duplicates."""
    both_workers = with_duplicates = 0
    for _ in range(n_repeats):
        labels, vectors = run_tasks(draw_from_global_state, backend=FORK)
        both_workers += len(set(labels)) == 2
        with_duplicates += bool(duplicated_rows(vectors))
    return both_workers, with_duplicates


if FORK is not None:
    both_workers, with_duplicates = count_forked_duplicates()
    print(
        f"{N_REPEATS} forked runs: both workers took tasks in {both_workers}, "
        f"duplicated vectors appeared in {with_duplicates}."
    )

# %%
# Why forked workers repeat each other
# ------------------------------------
#
# Forking copies the whole memory of the parent, and NumPy's global random
# state is a few kilobytes of that memory. Each forked worker therefore starts
# from the same state and produces the same sequence: whenever both workers
# take tasks, their draws coincide.
#
# .. note::
#
#    Because NumPy 2 creates the global state on first use, a program whose
#    main process never touched ``np.random`` before starting a fork pool
#    would see each worker create its own state, from fresh entropy, and no
#    duplicates. Do not rely on that: any earlier use of ``np.random``, by
#    your code or by a library, brings the problem back.
#
# The fix: give each task its own random state
# --------------------------------------------
#
# ``draw_from_own_generator`` builds a generator from the seed it is given.
# With ``seed=None`` every task asks the operating system for fresh entropy,
# so the forked workers no longer repeat each other.


def draw_from_own_generator(seed):
    """Return five integers below MAX_VALUE from a generator made from seed.

    ``seed=None`` asks the operating system for fresh entropy; an integer
    gives the same numbers every time.
    """
    time.sleep(TASK_SECONDS)
    generator = np.random.default_rng(seed)
    return generator.integers(MAX_VALUE, size=VECTOR_SIZE)


seed_backend = FORK if FORK is not None else "loky"
backend_name = "multiprocessing (fork)" if FORK is not None else "loky"

fresh = run_tasks(draw_from_own_generator, seed_backend, [None] * N_TASKS)
report(f"{backend_name}, seed=None per task", *fresh)

# %%
# Fresh entropy is independent but not reproducible. Passing known seeds
# instead gives the same vectors on every run and on any backend, however the
# tasks are shared out between the workers. The seeds themselves come from a
# generator with a fixed seed, so the whole script is reproducible.

ROOT_SEED = 2024
seeds = np.random.default_rng(ROOT_SEED).integers(2**32, size=N_TASKS)
print(f"seeds: {seeds}")

first_run = run_tasks(draw_from_own_generator, seed_backend, seeds)
second_run = run_tasks(draw_from_own_generator, seed_backend, seeds)
on_loky = run_tasks(draw_from_own_generator, "loky", seeds)
report(f"{backend_name}, fixed seeds, first run", *first_run)
report(f"{backend_name}, fixed seeds, second run", *second_run)

same_twice = np.array_equal(first_run[1], second_run[1])
same_on_loky = np.array_equal(first_run[1], on_loky[1])
print(f"second run identical to the first: {same_twice}")
print(f"loky run identical to the first: {same_on_loky}")

# %%
# In the figure, the panel titles state what the comparisons found.


def compared(same):
    return "identical to the first run" if same else "DIFFERS from the first run"


second_title = f"fixed seeds, {backend_name}\nsecond run: {compared(same_twice)}"
plot_panels(
    [
        (f"seed=None, {backend_name}", *fresh),
        (f"fixed seeds, {backend_name}\nfirst run", *first_run),
        (second_title, *second_run),
        (f"fixed seeds, loky\n{compared(same_on_loky)}", *on_loky),
    ],
    "A seed per task: distinct vectors, reproducible runs",
)
plt.show()

# %%
# What to remember
# ----------------
#
# * Never let parallel tasks draw from a random state they share implicitly:
#   with forked workers it silently duplicates the random numbers.
# * Pass each task its own seed. ``None`` gives independent but unrepeatable
#   streams; explicit seeds give the same results whatever the backend, the
#   number of workers or the scheduling.
# * Drawing integer seeds from one generator is fine for a handful of tasks.
#   For many tasks, NumPy recommends deriving the tasks' seeds with
#   ``np.random.SeedSequence(root_seed).spawn(n_tasks)``, which keeps their
#   streams apart where independently drawn integer seeds can collide: see
#   :ref:`sphx_glr_auto_examples_plot_spawned_generators.py` and
#   :ref:`sphx_glr_auto_examples_plot_seed_collisions.py`.
