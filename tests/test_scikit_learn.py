"""The scikit-learn pages: n_jobs (plot_scikit_learn_n_jobs) and the
splitters and clone (plot_scikit_learn_splitters). Every claim they make,
checked with their own values, recomputed here, and against the installed
scikit-learn's source, which the pages link at their pinned lines.

Both pages are seeded: what they print is the same at every run (a call
with random_state=None is only ever reported as "differs").
"""

import os
import re
import threading
from pathlib import Path

import numpy as np
import pytest
import sklearn

from conftest import (
    captured_output, example_path, import_sphinxext, load_example, page_of, parse_html, printed_by,
    stop_worker_threads)

N_JOBS_PAGE = "plot_scikit_learn_n_jobs"
SPLITTERS_PAGE = "plot_scikit_learn_splitters"
MAX_INT = np.iinfo(np.int32).max


# The threads that ran before each page was loaded: tests of other pages
# (dask's) leave theirs running, and a page is judged by what it adds.
THREADS_BEFORE = {}


def loaded_with_threads_noted(name):
    stop_worker_threads(check=False)
    THREADS_BEFORE[name] = (threads_now(), import_sphinxext("example_execution").settled_thread_count())
    return load_example(name)


def threads_now():
    return {thread.ident for thread in threading.enumerate()}


def assert_no_thread_left_by(name):
    """The page's joblib threads and loky workers are gone once loky's
    reusable executor is stopped, as the build stops it before each
    example: no thread, Python's or C's, is left beyond those before."""
    stop_worker_threads(check=False)
    before, settled = THREADS_BEFORE[name]
    for thread in threading.enumerate():
        if thread.ident not in before and thread is not threading.current_thread():
            thread.join(timeout=2)
    assert threads_now() <= before
    assert import_sphinxext("example_execution").settled_thread_count() <= settled


@pytest.fixture(scope="module")
def n_jobs_page():
    return loaded_with_threads_noted(N_JOBS_PAGE)


@pytest.fixture(scope="module")
def splitters_page():
    return loaded_with_threads_noted(SPLITTERS_PAGE)


def printed_flag(name, start):
    """The True/False a page printed at the end of the line starting with start."""
    lines = [line for line in printed_by(name).splitlines() if line.startswith(start)]
    assert len(lines) == 1, (start, lines)
    return {"True": True, "False": False}[lines[0].rsplit(" ", 1)[1]]


# -- The n_jobs page -----------------------------------------------------------------


def test_the_title_and_first_lines_use_the_readers_words():
    """The site's search ranks a page by its title and first lines:
    "cross_val_score n_jobs", "RandomForestClassifier n_jobs",
    "GridSearchCV random_state" must find this page first."""
    source = example_path(N_JOBS_PAGE).read_text()
    title, summary = source.split("\n")[2], source.split('"""')[1]
    for word in ("n_jobs", "RandomForestClassifier", "GridSearchCV", "cross_val_score"):
        assert word in title, word
    assert "random_state" in summary.split("\n\n")[1]
    splitters = example_path(SPLITTERS_PAGE).read_text().split("\n")[2]
    for word in ("KFold(shuffle=True)", "train_test_split", "clone", "random_state", "RandomState"):
        assert word in splitters, word


def test_the_int_recipe_gives_the_same_scores_for_any_n_jobs(n_jobs_page):
    from sklearn.model_selection import cross_val_score

    page = n_jobs_page
    assert np.array_equal(*page.scores)
    again = cross_val_score(page.forest, page.X, page.y, cv=page.cv, n_jobs=2)
    assert np.array_equal(again, page.scores[0])
    assert printed_flag(N_JOBS_PAGE, "cross_val_score, n_jobs=1 and n_jobs=2, same scores:")


def test_spawned_seeds_give_distinct_repeats_and_a_repeatable_run(n_jobs_page):
    page = n_jobs_page
    first, again = page.runs
    assert len(set(first)) == 3 and first == again
    assert page.repeated_scores(2024) == first
    assert page.repeated_scores(2025) != first, "another root, other repeats"
    for seed in np.random.SeedSequence(2024).spawn(3):
        ints = seed.generate_state(2).tolist()
        assert all(type(v) is int and 0 <= v < 2**32 for v in ints), "what random_state accepts"
    assert printed_flag(N_JOBS_PAGE, "3 repeats, all different:")
    assert printed_flag(N_JOBS_PAGE, "the whole run again, same scores:")


def expected_outcome(kind, call):
    """(same with n_jobs=1 and 2 on fresh objects, same at a second call)."""
    if kind == "None":
        return False, False  # the global state (or a worker's) moves on
    if kind == "0":
        return True, True
    # An instance: copied by clone (cross_val_score, GridSearchCV), advanced
    # by a fit or by a splitter's split.
    return True, call in ("cross_val_score", "GridSearchCV")


def test_the_matrix_follows_the_rules(n_jobs_page):
    results = n_jobs_page.results
    assert list(results) == ["0", "RandomState(0)", "MT19937 bridge", "None"]
    for kind, row in results.items():
        assert list(row) == ["RF.fit", "cross_val_score", "GridSearchCV", "KFold(shuffle)"]
        for call, outcome in row.items():
            assert outcome == expected_outcome(kind, call), (kind, call)


def test_the_bridge_is_a_random_state_on_the_spawned_stream(n_jobs_page):
    from sklearn.utils import check_random_state

    bridge = n_jobs_page.KINDS["MT19937 bridge"]()
    assert check_random_state(bridge) is bridge
    child = np.random.SeedSequence(2024).spawn(1)[0]
    expected = np.random.Generator(np.random.MT19937(child)).random(3)
    assert bridge.random_sample(3).tolist() == expected.tolist()


def printed_matrix(text):
    """[(question, {kind: [same?, ...]})] as a page printed its two tables."""
    tables = []
    for block in re.split(r"\n\s*\n", text):
        lines = block.strip().splitlines()
        if len(lines) >= 2 and lines[1].startswith("random_state="):
            rows = {line[:15].strip(): [cell == "same" for cell in line[15:].split()]
                    for line in lines[2:6]}
            tables.append((lines[0], rows))
    return tables


def test_the_printed_tables_and_the_figure_show_the_results(n_jobs_page):
    tables = printed_matrix(printed_by(N_JOBS_PAGE))
    assert len(tables) == 2
    for index, (_, rows) in enumerate(tables):
        assert rows == {kind: [cell[index] for cell in row.values()]
                        for kind, row in n_jobs_page.results.items()}


def test_the_built_page_shows_the_same_tables(site, n_jobs_page):
    page = parse_html(site / page_of(N_JOBS_PAGE))
    assert printed_matrix(captured_output(page)) == printed_matrix(printed_by(N_JOBS_PAGE))
    assert "n_jobs" in page.title.get_text() and "cross_val_score" in page.title.get_text()


def test_the_built_splitters_page_shows_the_run(site, splitters_page):
    page = parse_html(site / page_of(SPLITTERS_PAGE))
    shown = [line for line in captured_output(page).splitlines() if line.strip()]
    assert shown == [line for line in printed_by(SPLITTERS_PAGE).splitlines() if line.strip()]


def test_n_jobs_does_not_change_the_trees(n_jobs_page):
    page = n_jobs_page
    one, two = page.one, page.two
    assert one.n_jobs == 1 and two.n_jobs == 2
    assert np.array_equal(page.trees(one), page.trees(two))
    assert np.array_equal(one.feature_importances_, two.feature_importances_)
    # The per-tree seeds are drawn in the calling thread, one randint each,
    # from random_state, before the trees are dispatched (the page's links).
    drawn = np.random.RandomState(0)
    seeds = [drawn.randint(MAX_INT) for _ in range(one.n_estimators)]
    assert [t.random_state for t in one.estimators_] == seeds
    assert [t.random_state for t in two.estimators_] == seeds
    assert printed_by(N_JOBS_PAGE).count("same tree seeds, same trees: True True") == 1
    assert printed_flag(N_JOBS_PAGE, "same feature_importances_:")


def test_predict_proba_differs_at_most_in_the_last_bits(n_jobs_page):
    page = n_jobs_page
    assert 0 < page.reordered < 1e-12, "another order of the same sum: last bits only"
    for _ in range(5):
        gap = np.abs(page.one.predict_proba(page.X) - page.two.predict_proba(page.X)).max()
        assert gap < 1e-12
    assert printed_flag(N_JOBS_PAGE, "n_jobs=2 predict_proba within 1e-12 of n_jobs=1:")
    assert f"reverse order: {page.reordered:.1e} off" in printed_by(N_JOBS_PAGE)


def test_the_forest_fits_in_threads_and_cross_val_score_in_processes(n_jobs_page, monkeypatch):
    from sklearn.ensemble import _forest
    from sklearn.model_selection import cross_val_score

    page = n_jobs_page
    seen = []
    build = _forest._parallel_build_trees

    def recording(*args, **kwargs):
        seen.append((os.getpid(), threading.current_thread() is threading.main_thread()))
        return build(*args, **kwargs)

    monkeypatch.setattr(_forest, "_parallel_build_trees", recording)
    page.forest_of(random_state=0, n_jobs=2).fit(page.X, page.y)
    assert seen and all(pid == os.getpid() and not main for pid, main in seen), "threads"

    def pid(estimator, X, y):  # a "score": the process that fitted this fold
        return os.getpid()

    for n_jobs in (1, 2):
        pids = cross_val_score(page.forest, page.X, page.y, cv=3, scoring=pid, n_jobs=n_jobs)
        assert all((p == os.getpid()) == (n_jobs == 1) for p in pids), "loky processes"


def test_the_page_leaves_no_thread_behind(n_jobs_page):
    assert_no_thread_left_by(N_JOBS_PAGE)


# -- Pinned links: the lines they point at say what the pages say ---------------------

# path#Lnn-Lmm on the pages -> a piece of code each linked range contains
LINKED = {
    "sklearn/ensemble/_forest.py#L431": "random_state = check_random_state(self.random_state)",
    "sklearn/ensemble/_base.py#L81": "random_state.randint(np.iinfo(np.int32).max)",
    "sklearn/ensemble/_forest.py#L468-L472": 'prefer="threads"',
    "sklearn/ensemble/_forest.py#L95-L103": "random_instance.randint(0, n_samples, n_samples_bootstrap)",
    "sklearn/ensemble/_forest.py#L704-L717": "out[0] += prediction",
    "sklearn/model_selection/_validation.py#L375-L378": "clone(estimator)",
    "sklearn/model_selection/_search.py#L1083-L1085": "clone(base_estimator)",
    "sklearn/base.py#L108-L110": "copy.deepcopy(estimator)",
    "sklearn/base.py#L127-L129": "clone(param, safe=False)",
    "sklearn/model_selection/_split.py#L521": "check_random_state(self.random_state).shuffle(indices)",
    "sklearn/model_selection/_split.py#L2776": "return cv  # New style cv objects",
    "sklearn/utils/validation.py#L1477-L1485": "cannot be used to seed a numpy.random.RandomState",
}
PREFIX = "https://github.com/scikit-learn/scikit-learn/blob/"


def page_links(name):
    """Every link of an example, its URI's line breaks and comment marks removed."""
    source = example_path(name).read_text()
    return [re.sub(r"\n# ?", "", uri) for uri in re.findall(r"<(https://[^>]+)>", source)]


def test_links_are_pinned_and_point_at_the_code_they_describe():
    assert sklearn.__version__ == "1.9.1"
    installed = Path(sklearn.__file__).parent.parent
    pinned = [uri for name in (N_JOBS_PAGE, SPLITTERS_PAGE) for uri in page_links(name)
              if uri.startswith(PREFIX)]
    code = {uri[len(PREFIX) + len("1.9.1/"):] for uri in pinned if "/sklearn/" in uri}
    assert code == set(LINKED)
    for uri in pinned:
        assert uri.startswith(PREFIX + "1.9.1/"), uri
    for link, piece in LINKED.items():
        path, lines = link.split("#")
        first, _, last = lines.replace("L", "").partition("-")
        text = (installed / path).read_text().splitlines()[int(first) - 1:int(last or first)]
        assert piece in "\n".join(text), link
    for name in (N_JOBS_PAGE, SPLITTERS_PAGE):
        for uri in page_links(name):
            assert not re.search(r"/(stable|latest|main|master|dev)/", uri), uri


def test_the_guide_is_linked_in_its_versioned_form():
    links = page_links(SPLITTERS_PAGE)
    assert "https://scikit-learn.org/1.9/common_pitfalls.html#controlling-randomness" in links
    for number in ("issues/26148", "pull/32844", "issues/16988", "pull/23962"):
        assert any(uri.endswith(number) for uri in links), number


# -- The splitters page ---------------------------------------------------------------


def test_an_int_repeats_the_split_and_an_instance_moves_on(splitters_page):
    from sklearn.model_selection import train_test_split

    page = splitters_page
    data = np.arange(20)
    by_int = [train_test_split(data, test_size=3, random_state=7)[1] for _ in range(2)]
    assert np.array_equal(*by_int)
    state = np.random.RandomState(7)
    by_instance = [train_test_split(data, test_size=3, random_state=state)[1] for _ in range(2)]
    assert not np.array_equal(*by_instance)
    assert np.array_equal(page.held_out(7), by_int[0])
    assert printed_flag(SPLITTERS_PAGE, "train_test_split, random_state=7, two calls, same split:")
    assert not printed_flag(SPLITTERS_PAGE, "one RandomState, two calls, same split:")


def test_kfold_with_an_int_repeats_and_with_an_instance_does_not(splitters_page):
    from sklearn.model_selection import KFold

    calls = splitters_page.calls
    by_int, by_instance = calls["random_state=0"], calls["RandomState(0)"]
    assert all(np.array_equal(by_int[0], row) for row in by_int)
    assert len({tuple(row) for row in by_instance}) == 3, "each call, other folds"
    # The first call of a fresh RandomState(0) is the int's split.
    assert np.array_equal(by_instance[0], by_int[0])
    assert np.array_equal(splitters_page.folds(KFold(4, shuffle=True, random_state=0)), by_int[0])
    for assigned in (by_int, by_instance):  # every call is a partition in 4 folds
        assert all(sorted(np.bincount(row)) == [5, 5, 5, 5] for row in assigned)
    assert printed_flag(SPLITTERS_PAGE, "KFold(shuffle=True, random_state=0), 3 calls, same folds:")
    assert not printed_flag(SPLITTERS_PAGE, "KFold(shuffle=True, RandomState(0)), 3 calls, same folds:")


def test_clone_copies_the_instance_and_its_state(splitters_page):
    from sklearn.base import clone

    page = splitters_page
    model = page.forest(np.random.RandomState(3))
    copy = clone(model)
    assert copy.random_state is not model.random_state
    assert copy.random_state.randint(10**9) == model.random_state.randint(10**9)
    assert not printed_flag(SPLITTERS_PAGE, "clone(m).random_state is m.random_state:")
    assert printed_flag(SPLITTERS_PAGE, "clone copies the instance's state:")


def test_fits_advance_the_instance_but_not_the_clone(splitters_page):
    from sklearn.base import clone

    page = splitters_page
    model = page.forest(np.random.RandomState(0))
    copy = clone(model)
    sharing = page.forest(model.random_state)
    first, second = page.trees(model.fit(page.X, page.y)), page.trees(model.fit(page.X, page.y))
    assert not np.array_equal(first, second)
    assert np.array_equal(page.trees(copy.fit(page.X, page.y)), first)
    assert not np.array_equal(page.trees(sharing.fit(page.X, page.y)), first)
    assert np.array_equal(first, page.first)
    assert not printed_flag(SPLITTERS_PAGE, "one instance, two fits, same trees:")
    assert printed_flag(SPLITTERS_PAGE, "then the clone's fit, same trees as the first fit:")
    assert not printed_flag(SPLITTERS_PAGE, "an estimator given that same instance, same trees")


def test_every_fold_starts_from_the_same_state(splitters_page):
    """What the guide says otherwise: with an instance, every fold of
    cross_val_score draws the same tree seeds; with None, each its own."""
    page = splitters_page
    drawn = np.random.RandomState(0)
    seeds = tuple(drawn.randint(MAX_INT) for _ in range(10))
    assert page.fold_seeds(np.random.RandomState(0)) == [seeds] * 5
    assert len(set(page.fold_seeds(None))) == 5
    printed = printed_by(SPLITTERS_PAGE).splitlines()
    assert "cross_validate, RandomState(0): folds with distinct tree seeds: 1 of 5" in printed
    assert "cross_validate, None: folds with distinct tree seeds: 5 of 5" in printed


def test_spawned_seeds_per_fold_are_distinct_and_repeat(splitters_page):
    page = splitters_page
    assert page.per_fold_seeds(2024) == page.per_fold_seeds(2024)
    ints = [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(2024).spawn(5)]
    assert len(set(ints)) == 5
    assert printed_flag(SPLITTERS_PAGE, "spawned seeds per fold, same scores at every run:")


def test_scikit_learn_refuses_newer_objects(splitters_page):
    from sklearn.utils import check_random_state
    from sklearn.utils._param_validation import InvalidParameterError

    assert issubclass(InvalidParameterError, ValueError)
    for newer in [np.random.default_rng(1), np.random.SeedSequence(1)]:
        with pytest.raises(ValueError):
            check_random_state(newer)
        with pytest.raises(InvalidParameterError):
            splitters_page.forest(newer).fit(splitters_page.X, splitters_page.y)
    printed = printed_by(SPLITTERS_PAGE).splitlines()
    assert "random_state=Generator: InvalidParameterError" in printed
    assert "random_state=SeedSequence: InvalidParameterError" in printed


def test_the_splitters_page_leaves_no_thread_behind(splitters_page):
    assert_no_thread_left_by(SPLITTERS_PAGE)
