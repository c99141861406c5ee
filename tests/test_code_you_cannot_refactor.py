"""The page on reseeding code you cannot refactor: its claims, checked with
its own functions and runs, against CPython's and NumPy's code, and on the
built page.

The page prints counts and verdicts only: whether draws repeat or a run
can be repeated does not depend on the fresh entropy the draws come from.
"""

import inspect
import json
import os
import random
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from joblib import Parallel, delayed, parallel_config

from conftest import captured_output, load_example, page_of, parse_html, printed_by

NAME = "plot_code_you_cannot_refactor"


def forkserver_imports_main(version):
    """CPython 3.14.1 and 3.13.8: the forkserver imports __main__ once, then forks."""
    return version >= (3, 14, 1) or (3, 13, 8) <= version < (3, 14)


def copied_into_workers(method):
    """Whether the page's pool workers start from a copy of NumPy's global
    state: only forked ones, from the parent, which made it in its main
    block. A forkserver (3.14.1 and 3.13.8 on) copies what importing the
    script made, and the script's top level does not touch np.random,
    which NumPy 2 loads on first use (measured on 3.14.10)."""
    return method == "fork"


def hook_runs(method, version=sys.version_info[:3]):
    """Whether a hook registered at the script's top level runs in the workers."""
    return method == "fork" or (method == "forkserver" and forkserver_imports_main(version))


def expected_column(method, version=sys.version_info[:3]):
    return {
        "random, nothing done": 4,  # CPython reseeds random after a fork
        "np.random, nothing done": 2 if copied_into_workers(method) else 4,
        "register_at_fork": 4,
        "  hook ran in workers": hook_runs(method, version),
        "  hook: 2 runs alike": False,
        "initializer, fresh": 4,
        "  fresh: 2 runs alike": False,
        "initializer, seed queue": 4,
        "  queue: 3 runs alike": True,
    }


@pytest.fixture(scope="module")
def page():
    return load_example(NAME)


def runs(page, method):
    return [future.result() for future in page.RUNS[method]]


def test_every_start_method_gives_what_the_page_says(page):
    assert list(page.table) == page.METHODS
    assert {"fork", "spawn"} <= set(page.METHODS) or sys.platform != "linux"
    for method, cells in page.table.items():
        assert cells == expected_column(method), method


def test_the_hook_and_the_initializers_reseed_each_worker_apart(page):
    for method in page.METHODS:
        off, on, again = runs(page, method)
        for run in (off, on, again):
            assert set(run) == {"nothing", "fresh", "queue"}
            assert all(len(tasks) == 4 for tasks in run.values())
        # The hook's flag is the same in every task of a run.
        assert len({task[2] for task in on["nothing"]}) == 1
        assert not any(task[2] for task in off["nothing"]), "no hook, no flag"
        if copied_into_workers(method):
            # Without a hook, the two workers draw the same two numbers.
            draws = sorted(task[0] for task in off["nothing"])
            assert draws[0] == draws[1] and draws[2] == draws[3]


def test_seeds_from_a_queue_give_the_first_draws_of_the_spawned_streams(page):
    expected = set()
    for seed in np.random.SeedSequence(2024).spawn(2):
        state = np.random.RandomState()
        state.seed(seed.generate_state(4))
        expected |= {int(state.randint(2**62)) for _ in range(2)}
    for method in page.METHODS:
        for run in runs(page, method):
            assert {task[0] for task in run["queue"]} == expected, method


def test_the_script_runs_the_snippet_the_page_offers(page, site):
    for line in ["os.register_at_fork(after_in_child=reseed_after_fork)",
                 "np.random.seed()", "np.random.seed(seeds.get().generate_state(4))"]:
        assert line in page.SCRIPT, line
    html = parse_html(site / page_of(NAME))
    snippet = html.select_one("div.highlight-python pre").get_text()
    for line in ["os.register_at_fork(after_in_child=np.random.seed)",
                 "Pool(2, initializer=np.random.seed)",
                 "ProcessPoolExecutor(2, initializer=np.random.seed)",
                 "np.random.seed(seeds.get().generate_state(4))"]:
        assert line in snippet, line


def test_numpy_reseeds_from_fresh_entropy_without_an_argument():
    saved = np.random.get_state()
    try:
        np.random.seed()
        first = np.random.get_state()[1].copy()
        np.random.seed()
        assert not np.array_equal(first, np.random.get_state()[1])
    finally:
        np.random.set_state(saved)


def test_cpython_reseeds_random_after_fork():
    source = inspect.getsource(random)
    assert "_os.register_at_fork(after_in_child=_inst.seed)" in source
    if sys.version_info[:3] == (3, 11, 7):  # the version the page links
        line = source.splitlines().index("    _os.register_at_fork(after_in_child=_inst.seed)") + 1
        assert line == 900


def test_a_hook_under_the_main_guard_never_runs_in_a_forkserver_worker(tmp_path):
    """The page: a hook under ``if __name__ == "__main__":`` never runs in the
    server (which, since 3.14.1 and 3.13.8, imports the script as __mp_main__)."""
    if "forkserver" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("no forkserver on this platform")
    script = tmp_path / "guarded.py"
    script.write_text(textwrap.dedent("""
        import json, multiprocessing, os
        ran = False
        def note():
            globals()["ran"] = True
        def task(_):
            return ran
        if __name__ == "__main__":
            os.register_at_fork(after_in_child=note)
            with multiprocessing.get_context("forkserver").Pool(2) as pool:
                print(json.dumps(pool.map(task, range(4))))
    """))
    printed = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                             timeout=120, check=True).stdout
    assert json.loads(printed) == [False] * 4


def test_the_script_s_top_level_leaves_numpy_random_unloaded(page, tmp_path):
    """What a forkserver (3.14.1 and 3.13.8 on) gives its workers is what
    importing the script made: the page's script, imported as the server
    imports it, loads no numpy.random (NumPy 2 loads it on first use)."""
    (tmp_path / "tasks.py").write_text(page.SCRIPT)
    printed = subprocess.run(
        [sys.executable, "-c", "import runpy, sys; runpy.run_path('tasks.py', run_name='__mp_main__'); "
         "print('numpy' in sys.modules, 'numpy.random' in sys.modules)"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=True).stdout
    assert printed.split() == ["True", "False"]


def test_a_forkserver_copies_a_seed_set_at_import_from_3_14_1(tmp_path):
    """The page: a script that seeds at import gives every forkserver worker
    that state, since the server imports it (3.14.1 and 3.13.8 on); before,
    each worker ran the import itself, and seeded alike too. Its workers
    repeat each other either way; only where the seed came from changed."""
    if "forkserver" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("no forkserver on this platform")
    script = tmp_path / "seeded.py"
    script.write_text(textwrap.dedent("""
        import json, multiprocessing, os, sys, time
        import numpy as np
        np.random.seed(0)
        def task(folder):  # waits for the other worker: one task each
            open(os.path.join(folder, str(os.getpid())), "w").close()
            while len(os.listdir(folder)) < 2:
                time.sleep(0.01)
            return os.getpid(), int(np.random.randint(2**62))
        if __name__ == "__main__":
            with multiprocessing.get_context("forkserver").Pool(2) as pool:
                print(json.dumps(pool.map(task, [sys.argv[1]] * 2, chunksize=1)))
    """))
    (tmp_path / "workers").mkdir()
    printed = subprocess.run([sys.executable, str(script), str(tmp_path / "workers")], cwd=tmp_path,
                             capture_output=True, text=True, timeout=120, check=True).stdout
    drawn = json.loads(printed)
    assert len({pid for pid, _ in drawn}) == 2
    assert len({draw for _, draw in drawn}) == 1


# -- loky ----------------------------------------------------------------------------


def test_loky_reuses_its_workers_and_their_streams(page):
    printed = printed_by(NAME).splitlines()
    assert "loky, 2 calls: same workers: True" in printed
    assert "call 2 continues call 1's stream in each worker: True" in printed
    assert page.continued
    assert {p for p, *_ in page.call_1} == {p for p, *_ in page.call_2}


def test_a_loky_initializer_runs_once_per_worker_not_per_call(page):
    """Seeded alike by the initializer, the workers start on one stream; a
    second call does not start it again."""
    def first_draw(_):
        import time
        time.sleep(0.05)
        return os.getpid(), int(np.random.randint(2**62))

    start = np.random.RandomState(0)
    stream = [int(start.randint(2**62)) for _ in range(12)]
    with parallel_config(backend="loky", initializer=np.random.seed, initargs=(0,)):
        call_1 = Parallel(n_jobs=2, batch_size=1)(delayed(first_draw)(i) for i in range(6))
        call_2 = Parallel(n_jobs=2, batch_size=1)(delayed(first_draw)(i) for i in range(6))
    for pid in {p for p, _ in call_1}:
        mine_1 = [d for p, d in call_1 if p == pid]
        mine_2 = [d for p, d in call_2 if p == pid]
        assert mine_1 == stream[:len(mine_1)], "seeded once, at the start"
        assert mine_1 + mine_2 == stream[:len(mine_1) + len(mine_2)], "continued, not seeded again"


# -- The built page ------------------------------------------------------------------


def printed_table(text):
    header = re.search(r"^ +((?:fork|forkserver|spawn)(?: +\S+)*)$", text, re.M)[1].split()
    table = {method: {} for method in header}
    for row in expected_column("spawn"):
        cells = re.search(rf"^{re.escape(row)} +(.*)$", text, re.M)[1].split()
        for method, cell in zip(header, cells):
            table[method][row] = int(cell) if cell.isdigit() else cell == "true"
    return header, table


def test_built_page_shows_this_pythons_outcome(site, page):
    html = parse_html(site / page_of(NAME))
    text = captured_output(html)
    version = tuple(map(int, re.search(r"^Python (\d+)\.(\d+)\.(\d+), NumPy", text, re.M).groups()))
    assert version == sys.version_info[:3]
    header, table = printed_table(text)
    assert header == page.METHODS
    for method in header:
        assert table[method] == expected_column(method, version), method
    assert "call 2 continues call 1's stream in each worker: True" in text
    assert html.select("img.sphx-glr-single-img"), "the figure"


def test_built_page_names_the_readers_words_and_links_pinned_sources(site):
    html = parse_html(site / page_of(NAME))
    title = html.select_one("h1").get_text()
    opening = title + html.select_one("h1").find_next("p").get_text()
    for words in ["register_at_fork", "initializer", "eseed"]:
        assert words in opening, words
    assert "os.register_at_fork" in opening
    github = [a["href"] for a in html.select("a.reference.external") if a["href"].startswith("https://github.com/")]
    assert len(github) >= 3
    for link in github:
        assert re.search(r"/blob/v\d+\.\d+\.\d+/|/issues/\d+$", link), link
    assert "https://github.com/python/cpython/blob/v3.11.7/Lib/random.py#L900" in github
    internal = {a["href"].split("#")[0].rsplit("/", 1)[-1] for a in html.select("a.reference.internal")}
    assert {"plot_batches_and_pools.html", "plot_library_calls.html"} <= internal
