"""The core example's claims, checked with the example's own functions.

The example module is imported once (which runs it); every test then calls its
functions again, so these checks are independent of what the page shows.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from matplotlib.patches import Rectangle

# How many times the forked run is repeated. Measured on a 2-core machine:
# both workers took tasks in 200 of 200 runs (tasks sleep 50 ms each).
FORK_REPEATS = 20
# Scheduling is up to the OS, so allow a couple of runs where one worker
# took every task; such a run cannot show duplicates and is not a failure.
MIN_RUNS_WITH_BOTH_WORKERS = 18


def per_worker(labels, vectors):
    """Map each worker label to the vectors it drew, in the order it drew them."""
    draws = {}
    for label, vector in zip(labels, vectors):
        draws.setdefault(label, []).append(tuple(vector))
    return draws


def test_sequential_calls_give_distinct_vectors(core_example):
    for _ in range(3):
        labels, vectors = core_example.run_tasks(core_example.draw_from_global_state)
        assert core_example.duplicated_rows(vectors) == {}
        assert set(labels) == {"main process"}


@pytest.mark.parametrize("backend", ["loky", "threading"])
def test_loky_and_threading_give_distinct_vectors(core_example, backend):
    for _ in range(5):
        labels, vectors = core_example.run_tasks(core_example.draw_from_global_state, backend=backend)
        assert vectors.shape == (core_example.N_TASKS, core_example.VECTOR_SIZE)
        assert core_example.duplicated_rows(vectors) == {}


def test_forked_workers_replay_the_same_draws(core_example):
    fork = core_example.FORK
    assert fork is not None, "Linux always offers the fork start method"
    runs_with_both_workers = 0
    for _ in range(FORK_REPEATS):
        labels, vectors = core_example.run_tasks(core_example.draw_from_global_state, backend=fork)
        draws = per_worker(labels, vectors)
        assert len(draws) in (1, 2)
        if len(draws) == 1:
            continue
        runs_with_both_workers += 1
        # The claim on the page: the k-th draw of one worker is the k-th draw
        # of the other, so there are duplicates every time both took tasks.
        first, second = draws.values()
        shared = min(len(first), len(second))
        assert first[:shared] == second[:shared]
        assert core_example.duplicated_rows(vectors)
    assert runs_with_both_workers >= MIN_RUNS_WITH_BOTH_WORKERS


def test_count_on_page_matches_duplicates(core_example):
    both_workers, with_duplicates = core_example.count_forked_duplicates(n_repeats=5)
    assert both_workers == with_duplicates
    assert both_workers >= 4


@pytest.mark.parametrize("backend", ["fork", "loky", "threading"])
def test_seed_none_gives_distinct_vectors(core_example, backend):
    backend = core_example.FORK if backend == "fork" else backend
    for _ in range(5):
        _, vectors = core_example.run_tasks(
            core_example.draw_from_own_generator, backend=backend, seeds=[None] * core_example.N_TASKS
        )
        assert core_example.duplicated_rows(vectors) == {}


def test_fixed_seeds_are_reproducible_on_every_backend(core_example):
    seeds = np.random.default_rng(core_example.ROOT_SEED).integers(2**32, size=core_example.N_TASKS)
    np.testing.assert_array_equal(seeds, core_example.seeds)
    results = []
    for backend in [None, "loky", "threading", core_example.FORK, None, core_example.FORK]:
        _, vectors = core_example.run_tasks(core_example.draw_from_own_generator, backend=backend, seeds=seeds)
        results.append(vectors)
    for vectors in results[1:]:
        assert vectors.tobytes() == results[0].tobytes()
    assert core_example.duplicated_rows(results[0]) == {}
    # The page's own comparisons came out the same way.
    assert core_example.same_twice and core_example.same_on_loky


def test_duplicated_rows_maps_each_repeat_to_its_first_occurrence(core_example):
    vectors = np.array([[1, 2], [3, 4], [1, 2], [5, 6], [3, 4], [1, 2]])
    assert core_example.duplicated_rows(vectors) == {2: 0, 4: 1, 5: 0}


def test_heatmap_outlines_and_labels_duplicated_rows(core_example):
    import matplotlib.pyplot as plt

    vectors = np.array([[1, 2, 3], [4, 5, 6], [1, 2, 3]])
    fig, ax = plt.subplots()
    core_example.plot_vectors(ax, ["worker 1", "worker 2", "worker 1"], vectors, "test")
    outlines = [
        patch for patch in ax.patches
        if isinstance(patch, Rectangle) and patch.get_edgecolor()[:3] == plt.matplotlib.colors.to_rgb(core_example.DUPLICATE_COLOR)
    ]
    assert sorted(patch.get_y() + 0.45 for patch in outlines) == pytest.approx([0, 2])
    labels = [text.get_text() for text in ax.texts if text.get_text().startswith("=")]
    assert labels == ["= task 0"]
    cell_values = sorted(int(text.get_text()) for text in ax.texts if text.get_text().isdigit())
    assert cell_values == sorted(vectors.ravel().tolist())
    plt.close(fig)


def contrast_ratio(rgb_a, rgb_b):
    def luminance(rgb):
        channels = np.asarray(rgb[:3], dtype=float)
        linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
        return float(linear @ [0.2126, 0.7152, 0.0722])

    high, low = sorted([luminance(rgb_a), luminance(rgb_b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_cell_text_meets_wcag_contrast(core_example):
    from matplotlib.colors import to_rgb

    for value in range(core_example.MAX_VALUE):
        background = core_example.cell_color(value)
        text = to_rgb(core_example.text_color(background))
        assert contrast_ratio(background, text) >= 4.5, value
    # The duplicate outline and label stand out from the figure's white background.
    assert contrast_ratio(to_rgb(core_example.DUPLICATE_COLOR), (1, 1, 1)) >= 4.5


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
        return tuple(np.random.randint(10, size=5))

    {before_pool}
    with multiprocessing.get_context("fork").Pool(2) as pool:
        vectors = pool.map(draw, range(6), chunksize=1)
    print(len(set(vectors)) < len(vectors))
"""


def test_numpy_creates_global_state_on_first_use():
    """The page's note: forked workers share the state only once the parent used it."""
    untouched = run_python(FORK_DRAWS.format(before_pool="assert 'numpy.random' not in sys.modules"))
    touched = run_python(FORK_DRAWS.format(before_pool="np.random.randint(10)"))
    assert (untouched, touched) == ("False", "True")


@pytest.mark.parametrize("backend", ["loky", "threading"])
def test_global_state_draws_are_not_reproducible(core_example, backend):
    """The landing page: loky and threading give numbers no one can reproduce."""
    _, first = core_example.run_tasks(core_example.draw_from_global_state, backend=backend)
    _, second = core_example.run_tasks(core_example.draw_from_global_state, backend=backend)
    assert first.tobytes() != second.tobytes()
