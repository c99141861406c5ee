"""The batches-and-pools and library-calls pages: their claims, checked with
their own functions and values, and against the rules of the running Python.

Both pages are unseeded (conftest.UNSEEDED_EXAMPLES): how many tasks a batch
or a worker took is up to joblib and the scheduler. What does not depend on
that is asserted exactly.
"""

import re
import subprocess
import sys
from importlib.metadata import version

import numpy as np
import pytest

from conftest import captured_output, load_example, page_of, parse_html, printed_by, stop_worker_threads

N_WORKERS = 2


@pytest.fixture(scope="module")
def batches():
    return load_example("plot_batches_and_pools")


@pytest.fixture(scope="module")
def libraries():
    return load_example("plot_library_calls")


def forkserver_imports_main(version):
    """CPython 3.14.1 and 3.13.8: the forkserver imports __main__ once, then forks."""
    return version >= (3, 14, 1) or (3, 13, 8) <= version < (3, 14)


# -- One generator, many tasks ------------------------------------------------------


def test_one_generator_repeats_batch_by_batch(batches):
    distinct = batches.distinct
    n = batches.N_TASKS
    # One copy per task: every task drew the same number.
    assert distinct["joblib (loky), batch_size=1"] == 1
    # Automatic batches: partial repeats, neither all nor none.
    assert 1 < distinct["joblib (loky), automatic batches"] < n
    # Threads share the one object.
    assert distinct["joblib, threading"] == n
    if batches.FORK is not None:
        assert distinct["ProcessPoolExecutor.map"] == 1
        # CPython's Pool.map: chunks of ceil(n / (4 * workers)) tasks.
        assert distinct["Pool.map, default chunks"] == -(-n // (4 * N_WORKERS))


def test_every_batch_starts_from_the_state_the_parent_never_advanced(batches):
    """The page: the values are the first draws of that state, as many as
    the largest batch holds."""
    fresh = np.random.default_rng(2024)
    first_draws = [batches.draw(fresh) for _ in range(batches.N_TASKS)]
    for way, values in batches.results.items():
        if way == "joblib, threading":
            assert sorted(values) == sorted(first_draws), "the shared object, each draw once"
            continue
        assert set(values) == set(first_draws[:len(set(values))]), way
    assert batches.from_first_draws


def test_spawned_seeds_fix_it_whatever_the_batching(batches):
    from joblib import Parallel, delayed

    seeds = np.random.SeedSequence(2024).spawn(batches.N_TASKS)
    again = Parallel(n_jobs=2, batch_size=7)(delayed(batches.draw_seeded)(seed) for seed in seeds)
    assert again == batches.seeded["joblib (threading)"]
    assert len(set(again)) == batches.N_TASKS
    assert batches.seeded_distinct and batches.seeded_same


def test_an_initializer_seeds_workers_apart_but_not_tasks(batches):
    if batches.FORK is None:
        pytest.skip("no fork on this platform: the page skips its pool runs")
    stop_worker_threads()  # the pools fork
    streams = {}
    for n_workers in (2, 3):
        for seed in np.random.SeedSequence(2024).spawn(n_workers):
            generator = np.random.default_rng(seed)
            streams.setdefault(n_workers, set()).update(batches.draw(generator) for _ in range(12))
    runs = {n: [batches.seeded_workers(n) for _ in range(3)] for n in (2, 3)}
    for n, results in runs.items():
        for values in results:
            assert len(set(values)) == len(values) == 12, "the workers are apart"
            assert set(values) <= streams[n], "every value comes from a worker's stream"
    # A task's number depends on the workers: 3 workers do not repeat 2.
    assert any(three != two for three in runs[3] for two in runs[2])
    assert batches.two != batches.three


# -- Libraries that draw for you ----------------------------------------------------


def expected_distinct(label, method, version):
    """Whether six tasks' results are all distinct, by the page's rules."""
    if label == "np.random, no other import":
        return True  # nothing used numpy.random before the workers started
    return {"fork": False, "forkserver": not forkserver_imports_main(version), "spawn": True}[method]


def test_library_imports_copy_the_global_state_as_the_page_says(libraries):
    version = sys.version_info[:3]
    assert set(libraries.measured) == {label for label, *_ in libraries.CASES}
    for label, counts in libraries.measured.items():
        assert list(counts) == libraries.METHODS
        for method, count in counts.items():
            assert (count == 6) == expected_distinct(label, method, version), (label, method)
            assert count >= 3, "two workers repeat each other at most pairwise"


def printed_library_table(text):
    """{label: {method: count}} and the Python version, as the page printed them."""
    version = tuple(map(int, re.search(r"^Python (\d+)\.(\d+)\.(\d+), NumPy", text, re.M).groups()))
    header = re.search(r"^distinct results of 6 tasks\s+(.*)$", text, re.M)[1].split()
    table = {}
    for line in text.splitlines():
        cells = re.findall(r"(\d) of 6", line)
        if cells and len(cells) == len(header):
            table[line[:31].strip()] = dict(zip(header, map(int, cells)))
    return version, table


def test_library_page_shows_this_pythons_outcome(site, libraries):
    page = parse_html(site / page_of("plot_library_calls"))
    version, table = printed_library_table(captured_output(page))
    assert version == sys.version_info[:3]
    assert set(table) == {label for label, *_ in libraries.CASES}
    for label, counts in table.items():
        for method, count in counts.items():
            assert (count == 6) == expected_distinct(label, method, version), (label, method)
    # The import of this module printed the same table for its own run.
    assert printed_library_table(printed_by("plot_library_calls"))[1] == libraries.measured


def test_scikit_learn_refuses_newer_objects_and_takes_the_bridge(libraries):
    from sklearn.utils import check_random_state

    for newer in [np.random.default_rng(1), np.random.SeedSequence(1)]:
        with pytest.raises(ValueError):
            check_random_state(newer)
    printed = printed_by("plot_library_calls").splitlines()
    assert "random_state=Generator: ValueError" in printed
    assert "random_state=SeedSequence: ValueError" in printed
    child = np.random.SeedSequence(9).spawn(1)[0]
    bridged = libraries.random_state_from(child)
    assert check_random_state(bridged) is bridged
    # The bridge follows the child's stream: what MT19937 seeded from it draws.
    expected = np.random.Generator(np.random.MT19937(child)).random(3)
    assert libraries.random_state_from(child).random_sample(3).tolist() == expected.tolist()


def test_bridged_splits_are_distinct_and_the_same_on_every_backend(libraries):
    seeds = np.random.SeedSequence(2024).spawn(6)
    sequential = np.array([libraries.split(seed) for seed in seeds])
    assert len(np.unique(sequential, axis=0)) == 6
    for values in libraries.splits.values():
        assert np.array_equal(values, sequential)
    assert libraries.bridged_distinct == 6 and libraries.bridged_same


def test_numpy_2_imports_numpy_random_lazily_as_the_page_says():
    """import numpy alone leaves numpy.random (and its global state) unloaded;
    the linked lines of NumPy's __init__ are the lazy import."""
    import inspect

    assert int(np.__version__.split(".")[0]) >= 2
    code = "import sys, numpy; print('numpy.random' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "False"
    code = "import sys, numpy, scipy.stats; print(numpy.random.mtrand._rand is not None)"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "True"
    linked = source_lines(inspect.getsourcefile(np), 704, 719)
    assert "def __getattr__(attr):" in linked and 'elif attr == "random":' in linked
    assert 'random' in source_lines(inspect.getsourcefile(np), 631, 631)


def source_lines(path, first, last):
    """Lines first..last (1-based) of an installed source file, as a link names them."""
    with open(path, encoding="utf-8") as file:
        return "".join(file.readlines()[first - 1:last])


def test_scipy_takes_a_generator_where_the_page_says():
    import inspect

    from scipy.stats import bootstrap, norm, permutation_test

    assert version("scipy") == "1.17.1"
    for function in (bootstrap, permutation_test):
        assert "rng" in inspect.signature(function).parameters
    with pytest.raises(TypeError):  # rvs has no rng= in SciPy 1.17.1
        norm.rvs(size=2, rng=np.random.default_rng(1))
    # random_state=Generator: rvs draws from that generator.
    drawn = norm.rvs(size=3, random_state=np.random.default_rng(1))
    assert drawn.tolist() == np.random.default_rng(1).standard_normal(3).tolist()
    data = (np.arange(10.0),)
    twice = [bootstrap(data, np.mean, n_resamples=50, rng=np.random.default_rng(5)).confidence_interval
             for _ in range(2)]
    assert twice[0] == twice[1]
    samples = (np.arange(5.0), np.arange(5.0) + 1)
    pvalues = [permutation_test(samples, lambda x, y: np.mean(x) - np.mean(y), n_resamples=50,
                                rng=np.random.default_rng(5)).pvalue for _ in range(2)]
    assert pvalues[0] == pvalues[1]


def test_scipy_left_out_draws_from_the_global_state():
    """Left out, rvs and bootstrap follow np.random.seed: the global state."""
    from scipy.stats import bootstrap, norm

    def after_global_seed(call):
        np.random.seed(3)
        return call()

    rvs = lambda: norm.rvs(size=3).tolist()  # noqa: E731
    ci = lambda: tuple(bootstrap((np.arange(10.0),), np.mean, n_resamples=50).confidence_interval)  # noqa: E731
    try:
        for call in (rvs, ci):
            assert after_global_seed(call) == after_global_seed(call)
            assert after_global_seed(call) != call(), "the global state moved on"
    finally:
        np.random.seed(None)
    # The linked lines are the documentation of that legacy behaviour.
    import scipy._lib._util as util

    linked = source_lines(util.__file__, 172, 186)
    assert "the `numpy.random.RandomState`" in linked and "singleton is used" in linked


def test_scipy_with_spawned_seeds_is_distinct_and_reproducible(libraries):
    seeds = np.random.SeedSequence(2024).spawn(6)
    sequential = [libraries.scipy_task(seed) for seed in seeds]
    assert len({repr(result) for result in sequential}) == 6
    assert all(run == sequential for run in libraries.scipy_runs)
    assert (libraries.scipy_distinct, libraries.scipy_same) == (6, True)
    printed = printed_by("plot_library_calls").splitlines()
    assert "SciPy, spawned seeds: 6 distinct results of 6" in printed
    assert "loky, threading, loky again: the same results: True" in printed


def test_scikit_learn_link_names_check_random_state():
    import inspect

    from sklearn.utils import check_random_state

    lines, first = inspect.getsourcelines(check_random_state)
    assert version("scikit-learn") == "1.9.1"
    assert (first, first + len(lines) - 1) == (1455, 1485)


def test_library_page_offers_scipy_before_the_scikit_learn_bridge(site):
    page = parse_html(site / page_of("plot_library_calls"))
    ids = [tag["id"] for tag in page.select("section[id], span[id]")]
    assert "giving-scipy-a-spawned-seed" in ids and "spawned-seed-for-scikit-learn" in ids
    assert ids.index("giving-scipy-a-spawned-seed") < ids.index("spawned-seed-for-scikit-learn")
    assert "ints-and-instances-do-not-behave-alike" not in ids, "that is plot_scikit_learn_n_jobs now"
    links = [a["href"] for a in page.select("a[href]")]
    assert any(href.split("#")[0].endswith("/in_your_library/plot_scikit_learn_n_jobs.html") for href in links)
    external = [href for href in links if href.startswith("http")]
    for needed in ("numpy/blob/v2.4.6/", "scipy-1.17.1/reference/generated/scipy.stats.bootstrap.html",
                   "scipy/blob/v1.17.1/", "spec-0007", "scikit-learn/blob/1.9.1/", "cpython/issues/126631"):
        assert any(needed in href for href in external), needed
    for href in external:
        assert not re.search(r"/(stable|latest|main|master)/", href), href
