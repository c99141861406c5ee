"""The core example's claims, checked with the example's own functions.

The example module is imported once (which runs it, as its page did); the
tests then call its functions again, so these checks do not depend on what
one run happened to draw.
"""

import copy as copy_module
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from conftest import stop_worker_threads

# Measured on a 2-core machine: with tasks sleeping 50 ms, both workers took
# tasks in 200 of 200 forked runs. Allow a couple of runs in which one worker
# took every task: such a run cannot show duplicates and is not a failure.
FORK_REPEATS = 20
MIN_RUNS_WITH_BOTH_WORKERS = 18


def distinct_rows(vectors):
    return len({tuple(row) for row in vectors}) == len(vectors)


def with_pid(task, argument):
    """Run task(argument) in a worker; return (worker's pid, result)."""
    return os.getpid(), task(argument)


def test_sequential_calls_give_distinct_vectors(core_example):
    assert distinct_rows(core_example.sequential)
    again = [core_example.draw_from_global_state(i) for i in range(5)]
    assert distinct_rows(again)


@pytest.mark.parametrize("backend", ["loky", "threading"])
def test_global_state_is_distinct_but_not_reproducible(core_example, backend):
    """loky's fresh interpreters and threads sharing one state never repeat."""
    runs = [core_example.run_tasks(core_example.draw_from_global_state, range(5), backend) for _ in range(3)]
    assert all(distinct_rows(run) for run in runs)
    assert runs[0].tobytes() != runs[1].tobytes() != runs[2].tobytes()
    assert distinct_rows(core_example.on_loky) and distinct_rows(core_example.on_threads)


def test_forked_workers_replay_the_same_draws(core_example):
    """The page: the second worker replays the first one's draws, in order."""
    from joblib import Parallel, delayed

    stop_worker_threads()
    runs_with_both_workers = 0
    for _ in range(FORK_REPEATS):
        results = Parallel(n_jobs=2, backend=core_example.FORK)(
            delayed(with_pid)(core_example.draw_from_global_state, i) for i in range(5)
        )
        draws = {}
        for pid, vector in results:
            draws.setdefault(pid, []).append(tuple(vector))
        assert len(draws) in (1, 2)
        if len(draws) == 1:
            continue
        runs_with_both_workers += 1
        first, second = draws.values()
        shared = min(len(first), len(second))
        assert first[:shared] == second[:shared]
    assert runs_with_both_workers >= MIN_RUNS_WITH_BOTH_WORKERS
    # The page's own runs: the first showed duplicates, and so did nearly
    # all of the ten repeats (allowing for runs where one worker took all).
    assert not distinct_rows(core_example.forked)
    assert core_example.n_duplicated >= 8
    assert core_example.n_duplicated == sum(not distinct_rows(run) for run in core_example.repeats)


def test_spawned_seeds_are_distinct_and_reproducible_everywhere(core_example):
    stop_worker_threads()
    seeds = np.random.SeedSequence(core_example.ROOT_SEED).spawn(core_example.N_TASKS)
    results = [
        core_example.run_tasks(core_example.draw_from_own_generator, seeds, backend)
        for backend in [core_example.FORK, "sequential", "loky", "threading", core_example.FORK]
    ]
    assert distinct_rows(results[0])
    for vectors in results[1:]:
        assert vectors.tobytes() == results[0].tobytes()
    # The page's own runs agree.
    assert core_example.first_run.tobytes() == results[0].tobytes()


def test_a_module_level_generator_is_copied_by_loky_and_shared_by_threads(core_example):
    """The page: every loky task unpickles its own copy of the module-level
    generator, in the state this process never advanced; threads share it."""
    n = core_example.N_TASKS
    # The page's run: every task drew the generator's first five numbers.
    copy = np.random.default_rng(12345).integers(100, size=5)
    assert all(np.array_equal(row, copy) for row in core_example.module_level["loky"])
    # Again now: every task draws what a copy of the current state draws.
    on_loky = core_example.run_tasks(core_example.draw_from_module_generator, range(n), "loky")
    copy = copy_module.deepcopy(core_example.rng).integers(100, size=5)
    assert all(np.array_equal(row, copy) for row in on_loky)
    # The page's threads shared the object: the module generator's first
    # five draws, in whatever order the threads took them.
    fresh = np.random.default_rng(12345)  # the page's seed
    expected = sorted(tuple(fresh.integers(100, size=5)) for _ in range(n))
    assert sorted(map(tuple, core_example.module_level["threading"])) == expected


def test_threads_start_where_the_forked_workers_started(core_example):
    """The page: forked workers never advanced this process's global state,
    so the threading panel's first rows hold numbers the forked run drew."""
    if core_example.FORK is None:
        pytest.skip("no fork on this platform: the page shows no forked run")
    forked_rows = {tuple(row) for row in core_example.forked}
    assert {tuple(row) for row in core_example.on_threads[:2]} <= forked_rows


def test_one_generator_is_copied_by_processes_and_shared_by_threads(core_example):
    generator = lambda: np.random.default_rng(core_example.ROOT_SEED)  # noqa: E731
    n = core_example.N_TASKS
    stop_worker_threads()
    for backend in [core_example.FORK, "loky"]:
        copied = core_example.run_tasks(core_example.draw_from_own_generator, [generator()] * n, backend)
        assert all(np.array_equal(row, copied[0]) for row in copied), backend
    assert all(np.array_equal(row, core_example.copied[0]) for row in core_example.copied)
    # Threads share the object: the rows are the generator's first five
    # draws of five, in whatever order the threads took them.
    shared = core_example.run_tasks(core_example.draw_from_own_generator, [generator()] * n, "threading")
    one = generator()
    expected = sorted(tuple(one.integers(100, size=5)) for _ in range(n))
    assert sorted(tuple(row) for row in shared) == expected


def test_heatmap_outlines_and_labels_repeated_rows(core_example):
    import matplotlib.pyplot as plt

    vectors = np.array([[1, 2, 3], [4, 5, 6], [1, 2, 3]])
    core_example.heatmaps([("test", vectors)], "title")
    ax = plt.gcf().axes[0]
    outlined = sorted(patch.get_y() + 0.45 for patch in ax.patches
                      if patch.get_edgecolor()[:3] == to_rgb(core_example.ORANGE))
    assert outlined == pytest.approx([0, 2])
    assert [text.get_text() for text in ax.texts if text.get_text().startswith("=")] == ["= task 0"]
    values = sorted(int(text.get_text()) for text in ax.texts if text.get_text().isdigit())
    assert values == sorted(vectors.ravel().tolist())
    plt.close("all")


def contrast_ratio(rgb_a, rgb_b):
    def luminance(rgb):
        channels = np.asarray(rgb[:3], dtype=float)
        linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
        return float(linear @ [0.2126, 0.7152, 0.0722])

    high, low = sorted([luminance(rgb_a), luminance(rgb_b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_cell_text_meets_wcag_aa_on_every_cell_colour(core_example):
    """The heatmaps' colour range keeps black text at 4.5:1 or more."""
    import matplotlib.pyplot as plt

    core_example.heatmaps([("test", np.arange(100).reshape(20, 5))], "title")
    ax = plt.gcf().axes[0]
    image = ax.images[0]
    text_colours = {text.get_color() for text in ax.texts if text.get_text().isdigit()}
    assert len(text_colours) == 1
    text = to_rgb(text_colours.pop())
    for value in range(100):
        assert contrast_ratio(image.cmap(image.norm(value)), text) >= 4.5, value
    # The orange outline and label stand out from the white background.
    assert contrast_ratio(to_rgb(core_example.ORANGE), (1, 1, 1)) >= 4.5
    plt.close("all")


def run_python(code, timeout=120):
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


FORK_DRAWS = """
    import multiprocessing, sys, time
    import numpy as np

    def draw(_):
        time.sleep(0.05)
        return tuple(np.random.randint(1000, size=5))

    {before_pool}
    with multiprocessing.get_context("fork").Pool(2) as pool:
        vectors = pool.map(draw, range(6), chunksize=1)
    print(len(set(vectors)) < len(vectors))
"""


def test_global_state_exists_once_numpy_random_is_imported():
    """The page: any np.random.<name> creates the state, before any draw."""
    untouched = run_python(FORK_DRAWS.format(before_pool="assert 'numpy.random' not in sys.modules"))
    imported = run_python(FORK_DRAWS.format(before_pool="np.random.SeedSequence"))
    assert (untouched, imported) == ("False", "True")
