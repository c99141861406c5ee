"""tools/rng_guard.py: what guarded(task) reports, inside real workers.

Each case is a script run in a fresh interpreter, as a reader runs one,
with the guard importable beside it: the guard changes NumPy's and
Python's global functions for the process it runs in, which must not be
this one. A script prints one JSON line: what each run returned or raised.
"""

import json
import os
import pickle
import re
import subprocess
import sys
import textwrap

import pytest

from conftest import GUARD, TOOLS, example_path, page_of

RUNNER = """
    import json, sys, warnings
    from rng_guard import RandomStateMisuse, RandomStateWarning, guarded

    def attempt(run):
        try:
            return ["returned", run()]
        except RandomStateMisuse as misuse:
            return ["raised", str(misuse)]
"""


def run_script(tmp_path, source, modules=None, timeout=240):
    """Run source as a script in tmp_path; return its last printed line,
    parsed as JSON."""
    for name, text in (modules or {}).items():
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(text))
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(RUNNER) + textwrap.dedent(source))
    env = {**os.environ, "PYTHONPATH": str(TOOLS), "OPENBLAS_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, script.name], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def line_of(source, text):
    """The line number, in the script, of the line of source holding text."""
    body = textwrap.dedent(RUNNER) + textwrap.dedent(source)
    return next(number for number, line in enumerate(body.splitlines(), 1) if text in line)


LIBRARY_TASK = """
    import numpy as np
    from joblib import Parallel, delayed
    from sklearn.model_selection import train_test_split

    def split(i):
        return train_test_split(list(range(20)), test_size=5)[1]  # the task's line

    if __name__ == "__main__":
        print(json.dumps(attempt(lambda: Parallel(n_jobs=2, backend=BACKEND)(
            delayed(guarded(split))(i) for i in range(4)))))
"""


@pytest.mark.parametrize("backend", ["loky", "multiprocessing", "threading", "sequential"])
def test_a_library_call_at_random_state_none_is_named_in_the_library_and_the_task(tmp_path, backend):
    """The first draw is scikit-learn's, in the file and line where it
    draws; the task's line that led there is named too."""
    source = f"BACKEND = {backend!r}\n" + textwrap.dedent(LIBRARY_TASK)
    outcome, message = run_script(tmp_path, source)
    assert outcome == "raised"
    import sklearn.model_selection._split as split_module

    with open(split_module.__file__) as file:
        permutation_lines = [number for number, line in enumerate(file, 1)
                             if "rng.permutation(n_samples)" in line]
    assert re.search(r"^split\(\d\) drew from NumPy's global random state: np\.random\.permutation\(\) "
                     r"at sklearn/model_selection/_split\.py:(\d+) in _iter_indices, ", message)
    drawn_at = int(re.search(r"_split\.py:(\d+)", message)[1])
    assert drawn_at in permutation_lines
    task_line = line_of("BACKEND = 0\n" + textwrap.dedent(LIBRARY_TASK), "# the task's line")
    assert f"reached from script.py:{task_line} in split. " in message


def test_each_executor_reports_one_generator_for_every_task_and_passes_spawned_ones(tmp_path):
    """joblib's loky, a multiprocessing pool under each start method,
    concurrent.futures and dask.distributed: the error reaches the caller
    through the executor; spawned generators pass."""
    source = """
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        import numpy as np
        from joblib import Parallel, delayed

        def draw(rng):
            return float(rng.random())

        def runs(rng, generators):
            task = guarded(draw)
            yield "loky", lambda: Parallel(n_jobs=2)(delayed(guarded(draw))(g) for g in generators)
            # Python's own start methods: on 3.14, once loky has run, the list
            # also holds loky's, whose pools cannot load tasks from __main__.
            for method in [m for m in ("fork", "spawn", "forkserver")
                           if m in multiprocessing.get_all_start_methods()]:
                def pool_map(generators, method=method):
                    with multiprocessing.get_context(method).Pool(2) as pool:
                        return pool.map(guarded(draw), generators)
                yield method, lambda pool_map=pool_map: pool_map(generators)
            def futures():
                with ProcessPoolExecutor(2) as executor:
                    return [f.result() for f in [executor.submit(task, g) for g in generators]]
            yield "concurrent.futures", futures

        if __name__ == "__main__":
            from dask.distributed import Client, LocalCluster
            shared, spawned = {}, {}
            rng = np.random.default_rng(3)
            for name, run in runs(rng, [rng] * 4):
                shared[name] = attempt(run)
            for name, run in runs(rng, rng.spawn(4)):
                spawned[name] = attempt(run)
            with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, \\
                    Client(cluster) as client:
                task = guarded(draw)
                for results, generators in [(shared, [rng] * 4), (spawned, rng.spawn(4))]:
                    results["dask"] = attempt(lambda: client.gather(
                        [client.submit(task, g, pure=False) for g in generators]))
            print(json.dumps([shared, spawned]))
    """
    shared, spawned = run_script(tmp_path, source)
    assert set(shared) >= {"loky", "fork", "spawn", "forkserver", "concurrent.futures", "dask"}
    for name, (outcome, message) in shared.items():
        assert outcome == "raised", name
        assert re.match(r"draw\(Generator\) starts with a Generator \(argument 1\) in the state "
                        r"that draw\(Generator\) started with: copies of one Generator", message), name
    for name, (outcome, values) in spawned.items():
        assert outcome == "returned", (name, values)
        assert len(set(values)) == 4, name


def test_a_module_level_generator_is_a_copy_in_every_worker(tmp_path):
    """In an imported module or in the script itself (which cloudpickle
    copies with the task), loky workers each start from the same state."""
    # A task waits (5 s at most) for a task in the other worker to start,
    # so that one worker cannot run all six: the other's first task then
    # starts from the module's state too, and the guard raises there.
    module = """
        import os, time
        import numpy as np
        rng = np.random.default_rng(0)

        def wait_for_the_other_worker():
            os.makedirs(os.path.join("started", str(os.getpid())), exist_ok=True)
            deadline = time.monotonic() + 5
            while len(os.listdir("started")) < 2 and time.monotonic() < deadline:
                time.sleep(0.01)

        def draw_imported(i):
            wait_for_the_other_worker()
            return float(rng.random())
    """
    source = """
        import time
        import numpy as np
        from joblib import Parallel, delayed
        from tasks import draw_imported, wait_for_the_other_worker
        rng = np.random.default_rng(1)

        def draw_here(i):
            wait_for_the_other_worker()
            return float(rng.random())

        if __name__ == "__main__":
            print(json.dumps([attempt(lambda: Parallel(n_jobs=2)(delayed(guarded(task))(i) for i in range(6)))
                              for task in (draw_imported, draw_here)]))
    """
    imported, here = run_script(tmp_path, source, modules={"tasks": module})
    assert imported[0] == here[0] == "raised"
    assert "starts with a Generator (module-level rng) in the state that draw_imported(" in imported[1]
    assert "starts with a Generator (module-level rng) in the state that draw_here(" in here[1]


def test_reseeding_python_random_a_partial_and_a_name_bound_before(tmp_path):
    """Each global-state misuse is named for what it is; a draw through a
    name imported before the task ran is named too; one the guard cannot
    rewrite (in a tuple) is still caught, without a site."""
    source = """
        import functools, random
        import numpy as np
        from numpy.random import standard_normal
        from joblib import Parallel, delayed

        def reseed(seed):
            np.random.seed(2026)  # the same seed in every task
            return float(np.random.rand())

        def python_random(i):
            return random.random()

        def bound_before(i):
            return float(standard_normal())

        KEPT = (standard_normal,)  # in a tuple, which the guard cannot rewrite

        def kept_in_a_tuple(i):
            return float(KEPT[0]())

        def scaled(i, rng):
            return float(rng.random())

        if __name__ == "__main__":
            rng = np.random.default_rng(5)
            runs = [(reseed, "loky"), (python_random, "loky"), (bound_before, "sequential"),
                    (kept_in_a_tuple, "sequential")]
            found = [attempt(lambda: Parallel(n_jobs=2, backend=backend)(
                         delayed(guarded(task))(i) for i in range(4))) for task, backend in runs]
            found.append(attempt(lambda: Parallel(n_jobs=2)(
                delayed(guarded(functools.partial(scaled, rng=rng)))(i) for i in range(4))))
            print(json.dumps(found))
    """
    reseed, python_random, bound_before, kept, partial = run_script(tmp_path, source)
    assert reseed[0] == python_random[0] == bound_before[0] == kept[0] == partial[0] == "raised"
    assert re.match(r"reseed\(\d\) reseeded NumPy's global random state: np\.random\.seed\(\) at "
                    r"script\.py:\d+ in reseed\. reseed\(\d\) reseeded it with the same seed, so the tasks "
                    r"start alike", reseed[1])
    assert re.match(r"python_random\(\d\) drew from Python's random module: random\.random\(\) at "
                    r"script\.py:\d+ in python_random\. Python reseeds it in each worker process", python_random[1])
    # The guard points the names bound before it began at the state it watches.
    assert re.match(r"bound_before\(0\) drew from NumPy's global random state: "
                    r"np\.random\.standard_normal\(\) at script\.py:\d+ in bound_before\. ", bound_before[1])
    assert kept[1].startswith("kept_in_a_tuple(0) drew from a global random state through a name "
                              "bound before the task started")
    assert "starts with a Generator (a partial's rng=) in the state that scaled(" in partial[1]


def test_warn_runs_the_tasks_and_reruns_of_a_seeded_run_pass(tmp_path):
    """on_misuse="warn" returns the results and warns; running the same
    seeded tasks again, in a loop, by any of the ways to hand them out, is
    not a repeat; threads sharing one generator hold one object, not
    copies, and pass."""
    source = """
        import multiprocessing
        import numpy as np
        from joblib import Parallel, delayed

        def draw(rng):
            return float(rng.random())

        def global_draw(i):
            return float(np.random.rand())

        if __name__ == "__main__":
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                warned = Parallel(n_jobs=2, backend="threading")(
                    delayed(guarded(global_draw, on_misuse="warn"))(i) for i in range(3))
            outcomes = []
            for run in range(2):
                rng = np.random.default_rng(11)
                outcomes.append(attempt(lambda: Parallel(n_jobs=2)(
                    delayed(guarded(draw))(g) for g in rng.spawn(3))))
                calls = [delayed(guarded(draw))(g) for g in np.random.default_rng(11).spawn(3)]
                outcomes.append(attempt(lambda: Parallel(n_jobs=2)(calls)))
                with multiprocessing.get_context("spawn").Pool(2) as pool:
                    outcomes.append(attempt(lambda: pool.map(
                        guarded(draw), np.random.default_rng(11).spawn(3))))
            shared = np.random.default_rng(12)
            threads = attempt(lambda: Parallel(n_jobs=2, backend="threading")(
                delayed(guarded(draw))(shared) for i in range(8)))
            print(json.dumps([len(warned), [(w.category.__name__, str(w.message)) for w in caught],
                              outcomes, threads]))
    """
    warned, caught, outcomes, threads = run_script(tmp_path, source)
    assert warned == 3 and len(caught) == 3
    assert all(category == "RandomStateWarning" and "global_draw(" in message
               and "drew from NumPy's global random state" in message for category, message in caught)
    assert [outcome for outcome, _ in outcomes] == ["returned"] * 6
    assert outcomes[0][1] == outcomes[3][1]  # the same seed, the same numbers
    assert threads[0] == "returned"


def test_threads_charge_a_draw_to_the_task_that_made_it(tmp_path):
    """A task drawing from the global state in one thread is reported; a
    clean task running beside it, in another thread, is not."""
    source = """
        import threading, time
        import numpy as np

        started = threading.Barrier(2)

        def clean(seed):
            started.wait()
            time.sleep(0.05)
            return float(np.random.default_rng(seed).random())

        def dirty(i):
            started.wait()
            return float(np.random.rand())

        if __name__ == "__main__":
            results = {}
            def run(name, task):
                results[name] = attempt(lambda: guarded(task)(1))
            threads = [threading.Thread(target=run, args=pair) for pair in [("clean", clean), ("dirty", dirty)]]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            print(json.dumps(results))
    """
    results = run_script(tmp_path, source)
    assert results["clean"][0] == "returned"
    assert results["dirty"][0] == "raised" and results["dirty"][1].startswith("dirty(1) drew from NumPy's")


def test_the_guard_changes_no_number(tmp_path):
    """Draws from the global states inside a warned task are the numbers an
    unguarded task draws, normal draws (which NumPy caches in pairs) and
    scikit-learn's included; the watched RandomState pickles."""
    source = """
        import pickle, random
        import numpy as np
        from sklearn.utils import shuffle

        def draws(i):
            return [np.random.rand(2).tolist(), np.random.randn(3).tolist(), float(np.random.normal()),
                    shuffle(list(range(8))), random.random(), np.random.randint(100, size=3).tolist()]

        if __name__ == "__main__":
            outcomes = []
            for wrap in (lambda task: task, lambda task: guarded(task, on_misuse="warn")):
                np.random.seed(42)
                random.seed(42)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RandomStateWarning)
                    outcomes.append([wrap(draws)(i) for i in range(2)] + [np.random.rand()])
            copy = pickle.loads(pickle.dumps(np.random.mtrand._rand))
            print(json.dumps(outcomes + [type(copy).__name__, copy.rand() == np.random.rand()]))
    """
    bare, watched, copied_type, same_next = run_script(tmp_path, source)
    assert bare == watched
    assert copied_type == "RandomState" and same_next


def test_without_numpy_python_random_is_still_watched(tmp_path):
    source = """
        import random
        def draw(i):
            return random.random()
        if __name__ == "__main__":
            import rng_guard
            print(json.dumps([attempt(lambda: guarded(draw)(0)), rng_guard.numpy is None]))
    """
    (tmp_path / "sitecustomize.py").write_text("import sys\nsys.modules['numpy'] = None\n")
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(RUNNER) + textwrap.dedent(source))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(TOOLS)])}
    result = subprocess.run([sys.executable, script.name], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    (outcome, message), without_numpy = json.loads(result.stdout)
    assert outcome == "raised" and "drew from Python's random module: random.random()" in message
    assert without_numpy


def test_clear_errors_for_bad_arguments_and_errors_that_travel():
    sys.path.insert(0, str(TOOLS))
    try:
        import rng_guard
    finally:
        sys.path.remove(str(TOOLS))
    with pytest.raises(TypeError, match="guarded\\(\\) needs a callable task, not 3"):
        rng_guard.guarded(3)
    with pytest.raises(ValueError, match='on_misuse must be "raise" or "warn", not \'ignore\''):
        rng_guard.guarded(print, on_misuse="ignore")
    misuse = pickle.loads(pickle.dumps(rng_guard.RandomStateMisuse("a message")))
    assert isinstance(misuse, RuntimeError) and str(misuse) == "a message"
    assert GUARD.read_text().count("import numpy") == 1  # inside try: NumPy only when present


# -- The guard's page ------------------------------------------------------------


def test_the_page_shows_what_the_checker_lists_and_the_guard_catches(site):
    """The page's table, its messages and its claims, as built."""
    from conftest import captured_output, parse_html

    page = parse_html(site / page_of("plot_guard_your_tasks"))
    printed = captured_output(page)
    table = dict(re.findall(r"^(library_defaults|one_generator|spawned_seeds) +(.+?)$", printed, re.M))
    verdicts = {name: row.split() for name, row in table.items()}
    assert verdicts == {"library_defaults": ["RSP008", "RandomStateMisuse"],
                        "one_generator": ["RSP002", "RandomStateMisuse"],
                        "spawned_seeds": ["nothing", "passes"]}
    prose = " ".join(page.select_one("article").get_text().split())
    assert "knows only the calls on its list; the guard sees every draw" in prose
    assert "because it is on its list" in prose and "Both catch the one generator" in prose

    said = " ".join(printed.split())
    script = example_path("plot_guard_your_tasks").read_text().splitlines()
    task_line = script.index("    X_train, X_test, y_train, y_test = train_test_split(X, y)") + 1
    import sklearn.model_selection._split as split_module

    with open(split_module.__file__) as file:
        permutation_lines = {number for number, line in enumerate(file, 1) if "rng.permutation(n_samples)" in line}
    library = re.search(r"library_defaults: (fit_one\(ndarray, ndarray\) drew from NumPy's global random state: "
                        r"np\.random\.permutation\(\) at sklearn/model_selection/_split\.py:(\d+) in _iter_indices, "
                        r"called by train_test_split\(\), reached from plot_guard_your_tasks\.py:(\d+) in fit_one\.)",
                        said)
    assert library and int(library[2]) in permutation_lines and int(library[3]) == task_line
    assert re.search(r"one_generator: fit_seeded\(ndarray, ndarray, Generator\) starts with a Generator "
                     r"\(argument 3\) in the state that fit_seeded\(ndarray, ndarray, Generator\) started with", said)
    scores = re.search(r"spawned_seeds: scores \[([\d., ]+)\]", said)
    assert scores and len(scores[1].split(",")) == 4
    assert "The same scores again: True" in printed
    assert "One generator shared by threads: passes" in printed
    added = re.search(r"^The guard adds (\d+) microseconds to each task\.$", printed, re.M)
    assert added and int(added[1]) > 0


def test_the_page_shows_the_runner_failing_an_unedited_script(site):
    """The page runs a script nobody edited under python -m rng_guard, as
    the site is built, and shows its exit status and its report."""
    from conftest import captured_output, parse_html

    page = parse_html(site / page_of("plot_guard_your_tasks"))
    printed = captured_output(page)
    assert re.search(r"^exit status 3$", printed, re.M), printed
    report = " ".join(printed[printed.index("rng_guard: RandomStateMisuse: 1 misuse"):].split())
    assert re.search(r"^rng_guard: RandomStateMisuse: 1 misuse of random state in parallel tasks 1\. "
                     r"NumPy's global random state: drawn from by [1-4] tasks?, through joblib\.Parallel "
                     r"\(LokyBackend\) in the library: np\.random\.permutation\(\) at "
                     r"sklearn/model_selection/_split\.py:\d+ in _iter_indices "
                     r"called by the task: train_test_split\(\) in the task: script\.py:4 in split ", report)
    source = example_path("plot_guard_your_tasks").read_text()
    assert '[sys.executable, "-m", "rng_guard", "script.py"]' in source


def test_one_generator_gives_all_four_tasks_one_split(site):
    """joblib's first dispatch sends each of the first 2 * n_jobs tasks in a
    batch of its own (pre_dispatch="2 * n_jobs", first batch size 1), so the
    4 tasks on 2 loky workers unpickle 4 copies of the generator in one
    state: one split, four times. The page prints the count and its prose
    follows it; the example's own function gives the same count."""
    from conftest import captured_output, load_example, parse_html

    page = parse_html(site / page_of("plot_guard_your_tasks"))
    printed = captured_output(page)
    count = re.search(r"^distinct splits among the 4 tasks: (\d+)$", printed, re.M)
    rows = re.search(r"^first test row of each task: \[([\d, ]+)\]$", printed, re.M)
    assert count and int(count[1]) == 1
    assert rows and len(set(rows[1].split(", "))) == 1 and len(rows[1].split(", ")) == 4
    prose = " ".join(page.select_one("article").get_text().split())
    assert "One split, four times" in prose and "in pairs" not in prose
    import matplotlib.pyplot  # noqa: F401  (load_example closes the example's figures)

    sys.path.insert(0, str(TOOLS))
    try:
        example = load_example("plot_guard_your_tasks")
    finally:
        sys.path.remove(str(TOOLS))
    assert len(example.splits) == 4 and len(set(example.splits)) == 1
    source = example_path("plot_guard_your_tasks").read_text()
    assert "One split, four times" in source


def test_the_landing_page_offers_the_guard_beside_the_checker(site):
    from conftest import parse_html

    index = parse_html(site / "index.html")
    checker, guard = (page_of(name).as_posix() for name in ("plot_check_your_code", "plot_guard_your_tasks"))
    [entry] = [item for item in index.select("article ul")
               if item.select_one(f'a[href="{checker}"]')]
    assert entry.select_one(f'a[href="{guard}"]')
    assert "random_state=None" in entry.get_text()


def test_the_old_checker_command_still_works(tmp_path):
    """python examples/check_random_state.py, the command before the move
    to tools/rng_check.py: the same findings and exit status."""
    from checker_corpus import BUGGY
    from conftest import CHECKER, OLD_CHECKER

    (tmp_path / "work.py").write_text(textwrap.dedent(BUGGY["joblib task draws from np.random"]).lstrip())
    old, new = (subprocess.run([sys.executable, str(path), "work.py"], cwd=tmp_path, capture_output=True,
                               text=True, timeout=60) for path in (OLD_CHECKER, CHECKER))
    assert old.returncode == new.returncode == 1
    assert old.stdout == new.stdout and "work.py:5:12: RSP001 " in old.stdout


def test_a_forked_worker_that_guards_its_own_tasks_keeps_its_parents_notes(tmp_path):
    """A worker forked from a process that guards tasks makes its own notes
    folder: wrapping tasks there does not remove the parent's notes."""
    source = """
        import multiprocessing
        import numpy as np
        import rng_guard

        def draw(rng):
            return float(rng.random())

        def guards_its_own(i):  # runs in the forked worker, unguarded
            results = [guarded(draw)(g) for g in np.random.default_rng(i).spawn(2)]
            return rng_guard._notes_folder()

        if __name__ == "__main__":
            task = guarded(draw)
            first = attempt(lambda: task(np.random.default_rng(0)))
            with multiprocessing.get_context("fork").Pool(1) as pool:
                [worker_folder] = pool.map(guards_its_own, [1])
            again = attempt(lambda: task(np.random.default_rng(0)))
            print(json.dumps([first[0], worker_folder != rng_guard._notes_folder(), again[0]]))
    """
    first, own_folder, again = run_script(tmp_path, source)
    assert first == "returned" and own_folder
    assert again == "raised"  # the parent still knows its run's first state
