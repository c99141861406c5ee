"""The page on states copied by pickling: its claims, checked with its own
functions and values, against the libraries' code, and on the built page.

The page is seeded in what it prints: counts and verdicts, which do not
depend on the unseeded states they come from (a copy per batch, a copy per
worker, or fresh states).
"""

import pickle
import re
import subprocess
import sys
import textwrap
import types

import cloudpickle
import numpy as np
import pytest
from joblib import Parallel, delayed

from conftest import captured_output, load_example, page_of, parse_html, printed_by

NAME = "plot_copied_by_pickling"
COPIED = ["imported permutation", "bound method", "closure"]


def forkserver_imports_main(version):
    """CPython 3.14.1 and 3.13.8: the forkserver imports __main__ once, then forks."""
    return version >= (3, 14, 1) or (3, 13, 8) <= version < (3, 14)


@pytest.fixture(scope="module")
def page():
    return load_example(NAME)


def distinct(results):
    return len({tuple(result) for result in results})


# -- The symptom under loky ----------------------------------------------------------


def test_loky_copies_the_state_into_every_task(page):
    assert list(page.TASKS) == ["imported permutation", "np.random.permutation", "bound method", "closure"]
    for label, results in page.on_loky.items():
        assert len(results) == 4
        assert distinct(results) == (1 if label in COPIED else 4), label
        assert all(sorted(result) == list(range(20)) for result in results), "permutations of 20"


def test_one_batch_per_task_and_the_same_copy_again(page):
    """With a batch per task, every call repeats: the parent never advances."""
    for label in COPIED:
        task = page.TASKS[label]
        again = Parallel(n_jobs=2, batch_size=1)(delayed(task)(20) for _ in range(4))
        assert distinct(again) == 1, label
    # The parent's state did not move: the next call gives what the last one did.
    once = Parallel(n_jobs=2)(delayed(page.shuffled)(20) for _ in range(2))
    twice = Parallel(n_jobs=2)(delayed(page.shuffled)(20) for _ in range(2))
    assert once == twice


def test_tasks_in_one_batch_share_one_copy(page):
    """A batch is pickled once: its tasks draw one after another from one
    copy of the parent's state, and every batch starts from that state."""
    parent = np.random.RandomState()
    parent.set_state(np.random.get_state())
    next_ones = [parent.permutation(20).tolist() for _ in range(4)]
    results = Parallel(n_jobs=2, batch_size=4)(delayed(page.shuffled)(20) for _ in range(4))
    assert distinct(results) > 1, "tasks of one batch draw in turn"
    assert results[0] == next_ones[0]
    assert all(result in next_ones for result in results)


def test_the_fix_is_distinct_and_the_same_on_every_backend_and_run(page):
    assert distinct(page.fixed["loky"]) == 4
    assert page.fixed["loky"] == page.fixed["threading"]
    seeds = np.random.SeedSequence(2024).spawn(4)
    again = Parallel(n_jobs=2, batch_size=1)(delayed(page.shuffled_seeded)(seed, 20) for seed in seeds)
    assert again == page.fixed["loky"]
    sequential = [page.shuffled_seeded(seed, 20) for seed in seeds]
    assert sequential == again


# -- Why: what cloudpickle and NumPy do ----------------------------------------------


def test_permutation_is_a_bound_method_of_the_global_state():
    from numpy.random import permutation

    assert isinstance(permutation, types.MethodType)
    assert permutation.__self__ is np.random.mtrand._rand
    assert np.random.permutation.__self__ is np.random.mtrand._rand


def test_cloudpickle_reduces_a_bound_method_to_its_function_and_object():
    from cloudpickle import cloudpickle as source
    from numpy.random import permutation

    assert source.Pickler.dispatch_table[types.MethodType] is source._method_reduce
    function, (func, obj) = source._method_reduce(permutation)
    assert function is types.MethodType and obj is np.random.mtrand._rand


def test_a_random_state_and_a_generator_pickle_their_state():
    state = np.random.mtrand._rand.__reduce__()[2]
    assert np.array_equal(state["state"]["key"], np.random.get_state()[1])
    generator = np.random.default_rng(7)
    copy = pickle.loads(pickle.dumps(generator))
    assert copy is not generator and copy.integers(2**62) == generator.integers(2**62)


def test_the_unpickled_task_carries_a_copy_of_the_global_state(page):
    unpickled = cloudpickle.loads(cloudpickle.dumps(page.shuffled)).__globals__
    travelled = unpickled["permutation"].__self__
    assert travelled is not np.random.mtrand._rand
    mine, parents = travelled.get_state(), np.random.get_state()
    assert np.array_equal(mine[1], parents[1]) and mine[2] == parents[2]
    # np is sent by name: the worker uses its own module and global state.
    assert cloudpickle.loads(cloudpickle.dumps(page.shuffled_np)).__globals__["np"] is np
    printed = printed_by(NAME).splitlines()
    for line in ["permutation.__self__ is np.random.mtrand._rand: True",
                 "the unpickled task's RandomState is a copy: True",
                 "it draws this process's next permutation: True; loky's: True"]:
        assert line in printed


def test_np_random_permutation_is_distinct_but_never_the_same_twice(page):
    """Each loky worker draws from its own global state, seeded afresh."""
    first = Parallel(n_jobs=2, batch_size=1)(delayed(page.shuffled_np)(20) for _ in range(4))
    again = Parallel(n_jobs=2, batch_size=1)(delayed(page.shuffled_np)(20) for _ in range(4))
    assert distinct(first) == distinct(again) == 4
    assert not set(map(tuple, first)) & set(map(tuple, again))
    assert not set(map(tuple, first)) & set(map(tuple, page.on_loky["np.random.permutation"]))


def test_a_task_from_an_importable_module_is_pickled_by_name(tmp_path):
    """The page: such a task reaches each worker's own permutation."""
    (tmp_path / "shuffling_tasks.py").write_text(textwrap.dedent("""
        from numpy.random import permutation

        def shuffled(n):
            return permutation(n).tolist()
    """))
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import cloudpickle
        from joblib import Parallel, delayed
        from shuffling_tasks import shuffled
        assert b"RandomState" not in cloudpickle.dumps(shuffled)
        results = Parallel(n_jobs=2, batch_size=1)(delayed(shuffled)(20) for _ in range(4))
        print(len({{tuple(r) for r in results}}))
    """)
    printed = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                             timeout=120, check=True).stdout
    assert printed.split() == ["4"]


# -- multiprocessing: pickled or forked ----------------------------------------------


def expected_pool_count(label, method, version):
    if label == "bound method":
        return 1  # pickled with its object, a copy per task
    if label == "closure":
        return None  # the standard pickle refuses it
    forked = method == "fork" or (method == "forkserver" and forkserver_imports_main(version))
    return 2 if forked else 4  # a copy per worker, two tasks each; or fresh states


def test_pool_runs_say_which_copy_is_which(page):
    version = sys.version_info[:3]
    assert list(page.measured) == ["loky", *page.METHODS]
    assert {"fork", "spawn"} <= set(page.METHODS) or sys.platform != "linux"
    for method in page.METHODS:
        for label, count in page.measured[method].items():
            expected = expected_pool_count(label, method, version)
            if expected is None:
                assert count in {"AttributeError", "PicklingError"}, count
            else:
                assert count == expected, (label, method)
    assert page.measured["loky"] == {label: distinct(results) for label, results in page.on_loky.items()}


def test_the_standard_pickle_refuses_a_closure_and_takes_a_bound_method(page):
    with pytest.raises((pickle.PicklingError, AttributeError)):
        pickle.dumps(page.closure_over(np.random.default_rng(0)))
    copy = pickle.loads(pickle.dumps(page.Shuffler(0).shuffled))
    assert copy(20) == page.Shuffler(0).shuffled(20), "the object, state and all"


def test_the_figure_colours_match_the_verdicts(page):
    for row, label in enumerate(page.TASKS):
        for column, counts in enumerate(page.measured.values()):
            count = counts[label]
            kind = page.KINDS[page.kinds[row, column]]
            expected = ("cannot\npickle" if not isinstance(count, int) else
                        {1: "pickled\ncopy", 4: "distinct"}.get(count, "forked\ncopy"))
            assert kind == expected


# -- The built page ------------------------------------------------------------------


def printed_pool_table(text):
    header = re.search(r"^ +(loky(?: +\S+)+)$", text, re.M)[1].split()
    table = {}
    for label in ["imported permutation", "np.random.permutation", "bound method", "closure"]:
        cells = re.search(rf"^{re.escape(label)} +(.*)$", text, re.M)[1].split()
        table[label] = dict(zip(header, [int(c) if c.isdigit() else None for c in cells]))
    return header, table


def test_built_page_shows_this_pythons_outcome(site, page):
    html = parse_html(site / page_of(NAME))
    text = captured_output(html)
    version = tuple(map(int, re.search(r"^Python (\d+)\.(\d+)\.(\d+);", text, re.M).groups()))
    assert version == sys.version_info[:3]
    header, table = printed_pool_table(text)
    assert header == ["loky", *page.METHODS]
    for label, counts in table.items():
        assert counts["loky"] == (1 if label in COPIED else 4)
        for method in page.METHODS:
            assert counts[method] == expected_pool_count(label, method, version), (label, method)
    for label in page.TASKS:
        expected = 1 if label in COPIED else 4
        assert re.search(rf"^ +{re.escape(label)} +{expected} of 4 distinct$", text, re.M), label
    assert "spawned seeds: 4 of 4 distinct; loky == threading: True" in text
    assert "it draws this process's next permutation: True; loky's: True" in text
    assert html.select("img.sphx-glr-single-img"), "the figure"


def test_built_page_names_the_readers_words_and_links_pinned_sources(site):
    html = parse_html(site / page_of(NAME))
    title = html.select_one("h1").get_text()
    opening = title + html.select_one("h1").find_next("p").get_text()
    for words in ["from numpy.random import", "pickle", "loky", "bound method", "closure"]:
        assert words in opening, words
    links = [a["href"] for a in html.select("a.reference.external")]
    github = [link for link in links if link.startswith("https://github.com/")]
    assert len(github) >= 5
    for link in github:
        assert re.search(r"/blob/v\d+\.\d+\.\d+/|/issues/\d+$", link), link
    for pinned in ["numpy/numpy/blob/v2.4.6/numpy/random/mtrand.pyx#L4762-L4788",
                   "cloudpipe/cloudpickle/blob/v3.1.3/cloudpickle/cloudpickle.py#L1036-L1037"]:
        assert any(pinned in link for link in github), pinned
    internal = {a["href"].split("#")[0] for a in html.select("a.reference.internal")}
    assert {"plot_random_state_in_parallel.html", "plot_batches_and_pools.html"} <= internal
