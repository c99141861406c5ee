"""tools/rng_guard.py as a runner and a pytest plugin: unedited programs
and test files, their tasks guarded from outside.

Each program is written to tmp_path and run in a fresh interpreter, as
``python -m rng_guard script.py`` with tools/ on PYTHONPATH, from the
repository (the program's folder is not the working directory, as when a
reader points the runner at a script of theirs).
"""

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT, TOOLS

ENV = {**os.environ, "PYTHONPATH": str(TOOLS), "OPENBLAS_NUM_THREADS": "1"}
TIMEOUT = 600  # the machine may be loaded; several of these start pools

SKLEARN_SPLIT = """
    import sys
    from joblib import Parallel, delayed
    from sklearn.model_selection import train_test_split

    def split(i):
        return train_test_split(list(range(20)), test_size=5)[1]  # the task's line

    if __name__ == "__main__":
        print("arguments", sys.argv[1:])
        print(len(Parallel(n_jobs=2, backend=BACKEND)(delayed(split)(i) for i in range(4))))
"""

SPAWN_POOL = """
    import multiprocessing
    import numpy as np

    def draw(i):
        return float(np.random.rand())  # the task's line

    if __name__ == "__main__":
        with multiprocessing.get_context("spawn").Pool(2) as pool:
            print(len(pool.map(draw, range(4))))
"""

FUTURES_MODULE_GENERATOR = """
    import time
    from concurrent.futures import ProcessPoolExecutor
    import numpy as np

    rng = np.random.default_rng(0)

    def draw(i):
        time.sleep(0.05)
        return float(rng.random())

    if __name__ == "__main__":
        with ProcessPoolExecutor(2) as executor:
            print(len([f.result() for f in [executor.submit(draw, i) for i in range(4)]]))
"""

# The same programs, made right: each task its own spawned seed. They print
# numbers that the seeds fix, so the guarded run must print the same.
CORRECT = {
    "joblib and scikit-learn": """
        from joblib import Parallel, delayed
        import numpy as np
        from sklearn.model_selection import train_test_split

        def split(seed):
            rng = np.random.default_rng(seed)
            state = np.random.RandomState(rng.bit_generator)
            return train_test_split(list(range(20)), test_size=5, random_state=state)[1]

        if __name__ == "__main__":
            seeds = np.random.SeedSequence(4).spawn(4)
            for backend in ("loky", "threading", "multiprocessing"):
                print(backend, Parallel(n_jobs=2, backend=backend)(delayed(split)(s) for s in seeds))
    """,
    "spawn pool": """
        import multiprocessing
        import numpy as np

        def draw(seed):
            return float(np.random.default_rng(seed).random())

        if __name__ == "__main__":
            with multiprocessing.get_context("spawn").Pool(2) as pool:
                print(pool.map(draw, np.random.SeedSequence(5).spawn(4)))
    """,
    "process pool executor": """
        from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
        import numpy as np

        def draw(rng):
            return float(rng.random())

        if __name__ == "__main__":
            with ProcessPoolExecutor(2) as executor:
                print([f.result() for f in [executor.submit(draw, g)
                                            for g in np.random.default_rng(6).spawn(4)]])
                print(list(executor.map(draw, np.random.default_rng(7).spawn(4))))
            with ThreadPoolExecutor(2) as executor:
                print(list(executor.map(draw, np.random.default_rng(8).spawn(4))))
    """,
}


def write(tmp_path, source, name="script.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source).lstrip())
    return path


def guard(*arguments, timeout=TIMEOUT):
    """python -m rng_guard ARGUMENTS, from the repository."""
    return subprocess.run([sys.executable, "-m", "rng_guard", *map(str, arguments)], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=timeout)


def line_of(path, text):
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.mark.parametrize("backend", ["loky", "threading", "multiprocessing"])
def test_a_library_call_at_random_state_none_under_joblib_fails_the_run(tmp_path, backend):
    """train_test_split left at random_state=None in a Parallel task: the
    run exits 3 with a report naming scikit-learn's line and the task's;
    the program's arguments reach it."""
    script = write(tmp_path, f"BACKEND = {backend!r}\n" + textwrap.dedent(SKLEARN_SPLIT))
    result = guard(script, "--first", "2")
    assert result.returncode == 3, result.stderr
    assert "arguments ['--first', '2']" in result.stdout
    report = result.stderr[result.stderr.index("rng_guard: RandomStateMisuse: 1 misuse"):]
    assert re.search(r"^1\. NumPy's global random state: drawn from by [1-4] tasks?, through "
                     rf"joblib\.Parallel \({backend.capitalize()}Backend\)$", report, re.M), report
    assert re.search(r"^   in the library: np\.random\.permutation\(\) at "
                     r"sklearn/model_selection/_split\.py:\d+ in _iter_indices$", report, re.M), report
    task_line = line_of(script, "# the task's line")
    assert re.search(rf"^   in the task: \S*script\.py:{task_line} in split$", report, re.M), report


def test_a_spawn_pool_drawing_from_numpys_global_state_fails_the_run(tmp_path):
    """Spawned workers import the script again, as __mp_main__, and run
    their tasks guarded; all four tasks are counted."""
    script = write(tmp_path, SPAWN_POOL)
    result = guard(script)
    assert result.returncode == 3, result.stderr
    assert "RandomStateMisuse" in result.stderr
    assert re.search(r"^1\. NumPy's global random state: drawn from by 4 tasks, through multiprocessing\.Pool\.map$",
                     result.stderr, re.M), result.stderr
    task_line = line_of(script, "# the task's line")
    assert re.search(rf"^   in the task: np\.random\.rand\(\) at \S*script\.py:{task_line} in draw$",
                     result.stderr, re.M), result.stderr


def test_a_module_level_generator_in_a_process_pool_executor_fails_the_run(tmp_path):
    script = write(tmp_path, FUTURES_MODULE_GENERATOR)
    result = guard(script)
    assert result.returncode == 3, result.stderr
    assert re.search(r"^1\. a Generator \(module-level rng\): copied from another task by [1-3] tasks?, "
                     r"through ProcessPoolExecutor\.submit$", result.stderr, re.M), result.stderr
    assert "RandomStateMisuse: draw(" in result.stderr  # the error, as it reached the program


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_programs_pass_with_their_own_output(tmp_path, name):
    script = write(tmp_path, CORRECT[name])
    plain = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=ENV, capture_output=True, text=True,
                           timeout=TIMEOUT)
    guarded = guard(script)
    assert plain.returncode == 0, plain.stderr
    assert guarded.returncode == 0, guarded.stderr
    assert guarded.stdout == plain.stdout and plain.stdout.count("\n") >= 1
    assert guarded.stderr == ""


def test_the_programs_own_exit_status_and_errors_pass_through(tmp_path):
    exits = write(tmp_path, """
        import sys
        print("before")
        sys.exit(7)
    """, "exits.py")
    fails = write(tmp_path, """
        def broken():
            raise ValueError("the program's own error")
        broken()
    """, "fails.py")
    says = write(tmp_path, """
        raise SystemExit("a message")
    """, "says.py")
    result = guard(exits)
    assert (result.returncode, result.stdout, result.stderr) == (7, "before\n", "")
    result = guard(fails)
    assert result.returncode == 1
    assert re.search(r'fails\.py", line 2, in broken\n.*\nValueError: the program\'s own error\n$',
                     result.stderr, re.S), result.stderr
    result = guard(says)
    assert (result.returncode, result.stderr) == (1, "a message\n")
    missing = guard(tmp_path / "nowhere.py")
    assert missing.returncode == 2 and "can't open file" in missing.stderr


def test_json_writes_the_report_and_warn_lets_the_tasks_go_on(tmp_path):
    """--json: one entry for the four tasks' one misuse. --warn: the tasks
    run to the end, the report is still printed, the program's exit status
    is kept."""
    script = write(tmp_path, SPAWN_POOL)
    report = tmp_path / "report.json"
    result = guard("--json", report, script)
    assert result.returncode == 3
    written = json.loads(report.read_text())
    assert written["program_status"] == 1 and written["warn"] is False  # the error reached the program
    [misuse] = written["misuses"]
    task_line = line_of(script, "# the task's line")
    assert misuse["misuse"] == "drew from" and misuse["state"] == "NumPy's global random state"
    assert misuse["call"] == "np.random.rand()" and misuse["library"] is None
    assert re.fullmatch(rf"\S*script\.py:{task_line} in draw", misuse["task_line"])
    assert misuse["tasks"] == 4 and misuse["executors"] == ["multiprocessing.Pool.map"]
    assert misuse["example"].startswith("draw(")

    warned = guard("--warn", "--json", report, script)
    assert warned.returncode == 0, warned.stderr
    assert warned.stdout == "4\n"
    assert "rng_guard: RandomStateMisuse: 1 misuse of random state in parallel tasks (--warn" in warned.stderr
    written = json.loads(report.read_text())
    assert written["program_status"] == 0 and written["warn"] is True
    assert [m["tasks"] for m in written["misuses"]] == [4]


def test_a_process_target_and_a_dask_client_are_guarded(tmp_path):
    """multiprocessing.Process(target=...) made by the program, and dask's
    Client.submit and Client.map: one generator copied into each."""
    script = write(tmp_path, """
        import multiprocessing
        import numpy as np

        rng = np.random.default_rng(0)

        def draw(i):
            return float(rng.random())

        if __name__ == "__main__":
            processes = [multiprocessing.get_context("spawn").Process(target=draw, args=(i,)) for i in range(2)]
            for process in processes:
                process.start()
            for process in processes:
                process.join()
            print("exit codes", [process.exitcode for process in processes])
            from dask.distributed import Client, LocalCluster
            with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, \\
                    Client(cluster) as client:
                for name, send in [("submit", lambda: [client.submit(draw, i, pure=False) for i in range(4)]),
                                   ("map", lambda: client.map(draw, range(4), pure=False))]:
                    try:
                        client.gather(send())
                        print(name, "returned")
                    except Exception as error:
                        print(name, type(error).__name__)
    """)
    result = guard("--json", tmp_path / "report.json", script)
    assert result.returncode == 3, result.stderr
    assert "exit codes [0, 1]" in result.stdout or "exit codes [1, 0]" in result.stdout
    assert "submit RandomStateMisuse" in result.stdout and "map RandomStateMisuse" in result.stdout
    [misuse] = json.loads((tmp_path / "report.json").read_text())["misuses"]
    assert misuse["state"] == "a Generator (module-level rng)"
    assert set(misuse["executors"]) == {"multiprocessing.Process", "dask Client.submit", "dask Client.map"}


# -- The pytest plugin ----------------------------------------------------------

TEST_FILE = """
    import numpy as np
    from joblib import Parallel, delayed

    def draw(i):
        return float(np.random.rand())

    def seeded(seed):
        return float(np.random.default_rng(seed).random())

    def test_global_draws():
        assert len(Parallel(n_jobs=2)(delayed(draw)(i) for i in range(4))) == 4

    def test_global_draws_whose_error_the_test_swallows():
        try:
            Parallel(n_jobs=2, backend="threading")(delayed(draw)(i) for i in range(4))
        except Exception:
            pass

    def test_spawned_seeds():
        seeds = np.random.SeedSequence(1).spawn(4)
        assert len(set(Parallel(n_jobs=2)(delayed(seeded)(s) for s in seeds))) == 4
"""


def run_pytest(tmp_path, *options):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # not the repository's
    write(tmp_path, TEST_FILE, "test_tasks.py")
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options,
                           "test_tasks.py"], cwd=tmp_path, env=ENV, capture_output=True, text=True,
                          timeout=TIMEOUT)


def test_the_pytest_plugin_fails_the_tests_whose_tasks_misuse_a_state(tmp_path):
    result = run_pytest(tmp_path, "-p", "rng_guard")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "2 failed, 1 passed" in result.stdout
    failed = set(re.findall(r"^FAILED test_tasks\.py::(\w+)", result.stdout, re.M))
    assert failed == {"test_global_draws", "test_global_draws_whose_error_the_test_swallows"}
    assert re.search(r"^E +1\. NumPy's global random state: drawn from by \d tasks?, through "
                     r"joblib\.Parallel \(ThreadingBackend\)$", result.stdout, re.M), result.stdout
    assert re.search(r"^E +in the task: np\.random\.rand\(\) at test_tasks\.py:5 in draw$", result.stdout, re.M)


def test_the_plugin_is_off_unless_asked_for(tmp_path):
    """Without -p rng_guard the same tests pass; importing the guard
    patches nothing; the tools declare no pytest11 entry point."""
    result = run_pytest(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout
    imported = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import sys, rng_guard
        import joblib, multiprocessing.pool, concurrent.futures.process
        patched = [getattr(method, "_rng_guard_patch", False) for method in (
            joblib.Parallel.__call__, multiprocessing.pool.Pool.map,
            concurrent.futures.process.ProcessPoolExecutor.submit)]
        print(patched, any(isinstance(f, rng_guard._PatchOnImport) for f in sys.meta_path))
    """)], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=TIMEOUT)
    assert imported.stdout == "[False, False, False] False\n", imported.stderr
    import tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "pytest11" not in declared.get("entry-points", {})


# -- Reseeding in a task ----------------------------------------------------------

RESEEDING = """
    import random, sys
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
    import numpy as np
    from joblib import Parallel, delayed

    def own_seed(seed):
        np.random.seed(seed)  # own seed
        return float(np.random.rand())

    def fresh_entropy(i):
        np.random.seed()  # fresh entropy
        random.seed()
        return float(np.random.rand()) + random.random()

    def same_seed(i):
        np.random.seed(2026)  # same seed
        return float(np.random.rand())

    TASKS = {"own": own_seed, "fresh": fresh_entropy, "same": same_seed}

    def run(how, task):
        if how in ("loky", "multiprocessing", "threading"):
            return Parallel(n_jobs=2, backend=how)(delayed(task)(i) for i in range(4))
        if how == "spawn pool":
            with multiprocessing.get_context("spawn").Pool(2) as pool:
                return pool.map(task, range(4))
        executor = {"processes": ProcessPoolExecutor, "threads": ThreadPoolExecutor}[how]
        with executor(2) as running:
            return list(running.map(task, range(4)))

    if __name__ == "__main__":
        for pair in sys.argv[1:]:
            how, task = pair.split(":")
            print(pair, len(set(run(how, TASKS[task]))))
"""


def test_a_task_that_reseeds_with_its_own_seed_or_fresh_entropy_passes_in_a_process_pool(tmp_path):
    """Each worker process runs one task at a time: a seed of the task's
    own, or fresh entropy, sets a state no other task draws from."""
    script = write(tmp_path, RESEEDING)
    runs = [f"{how}:{task}" for how in ("loky", "multiprocessing", "spawn pool", "processes")
            for task in ("own", "fresh")]
    result = guard(script, *runs)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "".join(f"{run} 4\n" for run in runs)
    assert "RandomStateMisuse" not in result.stderr


def test_a_task_that_reseeds_in_threads_or_with_the_seed_of_another_fails(tmp_path):
    script = write(tmp_path, RESEEDING)
    report = tmp_path / "report.json"
    result = guard("--warn", "--json", report, script, "threading:own", "threads:fresh", "loky:same")
    assert result.returncode == 0, result.stderr
    misuses = {misuse["task_line"].split(" in ")[1]: misuse
               for misuse in json.loads(report.read_text())["misuses"]}
    assert set(misuses) == {"own_seed", "fresh_entropy", "same_seed"}
    assert all(misuse["misuse"] == "reseeded" for misuse in misuses.values())
    assert misuses["own_seed"]["executors"] == ["joblib.Parallel (ThreadingBackend)"]
    assert misuses["own_seed"]["tasks"] == 4
    assert "share it and race for it" in misuses["own_seed"]["example"]
    assert misuses["fresh_entropy"]["executors"] == ["ThreadPoolExecutor.map"]
    assert misuses["fresh_entropy"]["call"] == "np.random.seed()"
    assert misuses["same_seed"]["executors"] == ["joblib.Parallel (LokyBackend)"]
    assert misuses["same_seed"]["tasks"] == 3  # all but the first to note the seed
    assert re.search(r"same_seed\(\d\) reseeded it with the same seed, so the tasks start alike",
                     misuses["same_seed"]["example"])
