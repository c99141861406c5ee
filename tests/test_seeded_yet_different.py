"""The page on LightGBM, optuna and gensim, seeded yet different with n_jobs:
its claims, checked with its own functions and on the built page.

The page prints the same thing at every run: the sums and LightGBM's bits
depend on the thread count, not on timing, and the simulated study pins the
one moment that does not depend on timing (the second trial is suggested
before the first reports). LightGBM runs only in fresh interpreters.
"""

import math
import re
from importlib.metadata import version

import numpy as np
import pytest

from conftest import captured_output, load_example, page_of, parse_html, printed_by

NAME = "plot_seeded_yet_different"


@pytest.fixture(scope="module")
def page():
    return load_example(NAME)


# -- Adding in another order --------------------------------------------------------


def test_threaded_sum_is_a_sum_in_blocks(page):
    values = np.float32([1e8, 1.0, -1e8, 1.0, 0.5, 3.0])
    # One thread: the plain left-to-right sum in doubles.
    running = 0.0
    for value in np.float64(values):
        running += value
    assert page.threaded_sum(values, 1) == running
    # Two threads: each half in order, then the two partial sums.
    first, second = 0.0, 0.0
    for value in np.float64(values[:3]):
        first += value
    for value in np.float64(values[3:]):
        second += value
    assert page.threaded_sum(values, 2) == first + second


def test_the_thread_count_moves_the_last_digits(page):
    sums = page.sums
    assert list(sums) == page.THREADS and page.THREADS[:2] == [1, 2]
    assert sums[1] != sums[2], "one thread and two disagree"
    assert len(set(sums.values())) >= 3
    assert page.exact == math.fsum(np.float64(page.labels))
    for n_threads, total in sums.items():
        assert total == page.threaded_sum(page.labels, n_threads), "the same order, the same sum"
        assert abs(total - page.exact) <= 64 * page.ulp, "the last digits only"
    # The labels span many orders of magnitude, so rounding happens.
    assert page.labels.max() / page.labels.min() > 1e12
    assert page.labels.dtype == np.float32, "LightGBM keeps labels as float32"


# -- LightGBM -----------------------------------------------------------------------


def test_lightgbm_differs_with_num_threads_unless_deterministic(page):
    assert page.lightgbm_version == version("lightgbm") == "4.7.0"
    assert page.RUNS == [1, 2, 2]
    plain, fixed = page.same_bits["seed=7"], page.same_bits["seed=7, deterministic"]
    assert plain == (False, True), "1 vs 2 threads differ; 2 threads repeat"
    assert fixed == (True, True), "deterministic + force_row_wise: any thread count"
    assert page.CONFIGS["seed=7, deterministic"] == {"deterministic": True, "force_row_wise": True}
    # Differ in the last digits only, as the page says.
    one, two, _ = page.predictions["seed=7"]
    assert 0 < page.differ <= len(one) == 2000
    assert 0 < page.relative < 1e-9
    assert np.allclose(one, two, rtol=1e-9, atol=0)


def test_lightgbm_gives_the_same_bits_in_another_fresh_interpreter(page):
    """A second run, in a new process: the page's predictions repeat bit for bit."""
    lightgbm_version, again = page.train_in_fresh_python()
    assert lightgbm_version == page.lightgbm_version
    for name, runs in page.predictions.items():
        assert np.array_equal(again[name], runs), name


# -- optuna -------------------------------------------------------------------------


def test_the_simulated_study_repeats_only_with_one_job(page):
    sequential = page.study(1)
    assert sequential == page.sequential == page.study(1)
    assert [seen for _, seen in sequential] == list(range(8)), "each sees all before it"
    for _ in range(3):
        parallel = page.study(2)
        assert parallel[0] == sequential[0], "the first suggestion sees nothing either way"
        assert parallel[1][1] == 0, "the second is suggested before the first reports"
        assert parallel != sequential
        assert all(seen <= number for number, (_, seen) in enumerate(parallel))


# -- gensim -------------------------------------------------------------------------


def test_python_hash_changes_between_launches_unless_pythonhashseed_is_set(page):
    assert page.launch_hash("random") != page.launch_hash("random")
    assert page.launch_hash("0") == page.launch_hash("0")
    assert page.launch_hash("0") != page.launch_hash("1")
    assert (page.salted, page.fixed) == (True, True)


# -- What the page shows ------------------------------------------------------------


def test_the_page_prints_what_its_functions_measured(page):
    printed = printed_by(NAME).splitlines()
    assert f"NumPy {np.__version__}; exact sum {page.exact!r}" in printed
    assert f"LightGBM {version('lightgbm')}, same predictions, bit for bit:" in printed
    assert any(re.fullmatch(r"seed=7 +threads 1 vs 2: False +2 vs 2: True", line) for line in printed)
    assert any(re.fullmatch(r"seed=7, deterministic +threads 1 vs 2: True +2 vs 2: True", line)
               for line in printed)
    assert "n_jobs=1, twice, same trials: True" in printed
    assert "finished trials the 2nd suggestion saw: n_jobs=1: 1, n_jobs=2: 0" in printed
    assert "n_jobs=2, same trials as n_jobs=1: False" in printed
    assert "two launches: hash differs: True; with PYTHONHASHSEED=0, same: True" in printed


def test_built_page_answers_first_and_links_pinned_sources(site, page):
    html = parse_html(site / page_of(NAME))
    title = html.select_one("h1").get_text()
    for word in ["n_jobs", "LightGBM", "optuna", "gensim"]:
        assert word in title
    first_lines = html.select_one("section p").get_text()
    for word in ["num_threads", "n_jobs", "workers", "deterministic", "LightGBM", "optuna", "gensim"]:
        assert word in first_lines
    # The recipe to paste comes before any output.
    text = html.get_text()
    assert text.index('"deterministic": True, "force_row_wise": True') < text.index("exact sum")
    assert "TPESampler(seed=7)" in text and "n_jobs=1)" in text and "workers=1)" in text
    # The built page shows this build's measurements.
    shown = [line for line in captured_output(html).splitlines() if line.strip()]
    assert shown == [line for line in printed_by(NAME).splitlines() if line.strip()]
    assert len(html.select("img.sphx-glr-single-img")) == 1
    links = [a["href"] for a in html.select("a[href^='http']")]
    for needed in ["lightgbm.readthedocs.io/en/v4.7.0/Parameters.html#deterministic",
                   "optuna/optuna/blob/v4.9.0/docs/source/faq.rst#how-can-i-obtain-reproducible",
                   "piskvorky/gensim/blob/4.4.0/gensim/models/word2vec.py#L306-L311",
                   "LightGBM/blob/v4.7.0/src/objective/regression_objective.hpp#L173-L190"]:
        assert any(needed in href for href in links), needed
    for href in links:
        assert not re.search(r"/(stable|latest|main|master)/", href), href
