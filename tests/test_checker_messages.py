"""What the checker's messages say workers do, measured: RSP001 and RSP004
per global state (NumPy's, Python's ``random``) and per executor (fork,
forkserver and spawn pools, joblib's loky, a dask LocalCluster), and
RSP005's hash() per executor. Two workers each run one task, which waits
for the other worker, then draws from both states and hashes a str.

Sources (read for this file): dask's nanny runs
``dask.multiprocessing.default_initializer``, which reseeds NumPy where it
is imported (https://github.com/dask/distributed/blob/2026.8.0/distributed/nanny.py#L1030-L1032,
https://github.com/dask/dask/blob/2026.8.0/dask/multiprocessing.py#L255-L260),
starts workers with spawn (distributed.yaml, multiprocessing-method) and
sets PYTHONHASHSEED=6640 in them (nanny.py#L225-L228); CPython's random
reseeds itself after a fork (Lib/random.py, register_at_fork).
"""

import importlib.util
import json
import multiprocessing
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import CHECKER

spec = importlib.util.spec_from_file_location("rng_check", CHECKER)
checker = importlib.util.module_from_spec(spec)
spec.loader.exec_module(checker)

EXECUTORS = ["fork", "forkserver", "spawn", "loky", "dask"]
SEEDS = "np.random.seed(0); random.seed(0)"

SCRIPT = '''
import json, multiprocessing, os, random, sys, time
import numpy as np
{at_import}


def draw(_):  # each worker waits for the other, so that both draw
    folder = os.environ["WORKERS"]
    os.makedirs(os.path.join(folder, str(os.getpid())), exist_ok=True)
    while len(os.listdir(folder)) < 2:
        time.sleep(0.01)
    return [os.getpid(), int(np.random.randint(2**31)), random.random(),
            hash("seed")]


def run(executor):
    if executor in ("fork", "forkserver", "spawn"):
        with multiprocessing.get_context(executor).Pool(2) as pool:
            return pool.map(draw, range(2), chunksize=1)
    if executor == "loky":
        from joblib import Parallel, delayed
        return Parallel(n_jobs=2)(delayed(draw)(i) for i in range(2))
    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        with Client(cluster) as client:
            return client.gather(client.map(draw, range(2), pure=False))


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1])))
'''


@pytest.fixture(scope="module")
def alike(tmp_path_factory):
    """{(at_import, executor): (NumPy alike, random alike, hash alike)}."""
    found = {}
    for at_import in [SEEDS, ""]:
        for executor in EXECUTORS:
            if executor in ("fork", "forkserver", "spawn") and \
                    executor not in multiprocessing.get_all_start_methods():
                continue
            folder = tmp_path_factory.mktemp(executor)
            (folder / "workers").mkdir()
            (folder / "experiment.py").write_text(SCRIPT.format(at_import=at_import))
            env = {key: value for key, value in os.environ.items() if key != "PYTHONHASHSEED"}
            result = subprocess.run([sys.executable, "experiment.py", executor], cwd=folder, text=True,
                                    capture_output=True, timeout=300, env={**env, "WORKERS": str(folder / "workers")})
            assert result.returncode == 0, result.stderr
            draws = json.loads(result.stdout)
            assert len({pid for pid, *_ in draws}) == 2  # two workers drew
            found[at_import, executor] = tuple(len({d[i] for d in draws}) == 1 for i in (1, 2, 3))
    return found


TASKS_MODULE = '''
import os, random, time
import numpy as np
np.random.seed(0); random.seed(0)


def draw(_):  # each worker waits for the other, so that both draw
    folder = os.environ["WORKERS"]
    os.makedirs(os.path.join(folder, str(os.getpid())), exist_ok=True)
    while len(os.listdir(folder)) < 2:
        time.sleep(0.01)
    return [os.getpid(), int(np.random.randint(2**31)), random.random()]
'''
MAIN_OF_TASKS = SCRIPT.split("def run(")[0].format(at_import="") + "def run(" + \
    SCRIPT.split("def run(")[1].replace("__main__\":", "__main__\":\n    from tasks import draw")


@pytest.fixture(scope="module")
def alike_when_imported(tmp_path_factory):
    """{executor: (NumPy alike, random alike)} where the task lives in a
    module seeded at its top, which the main script imports under its
    guard: the workers import it to unpickle the task."""
    found = {}
    for executor in EXECUTORS:
        if executor in ("fork", "forkserver", "spawn") and \
                executor not in multiprocessing.get_all_start_methods():
            continue
        folder = tmp_path_factory.mktemp(f"imported-{executor}")
        (folder / "workers").mkdir()
        (folder / "tasks.py").write_text(TASKS_MODULE)
        (folder / "experiment.py").write_text(MAIN_OF_TASKS)
        result = subprocess.run([sys.executable, "experiment.py", executor], cwd=folder, text=True,
                                capture_output=True, timeout=300,
                                env={**os.environ, "WORKERS": str(folder / "workers")})
        assert result.returncode == 0, result.stderr
        draws = json.loads(result.stdout)
        assert len({pid for pid, *_ in draws}) == 2  # two workers drew
        found[executor] = tuple(len({d[i] for d in draws}) == 1 for i in (1, 2))
    return found


def test_a_seed_in_the_module_a_task_lives_in_repeats_wherever_workers_import_it(alike_when_imported, tmp_path):
    """RSP004 for a module that another module's pool runs: the workers
    that import it seed again (NumPy's state: all five; random's: all but
    fork, after which CPython reseeds random)."""
    assert alike_when_imported == {executor: (True, executor != "fork") for executor in alike_when_imported}
    (tmp_path / "tasks.py").write_text(TASKS_MODULE)
    (tmp_path / "main.py").write_text(textwrap.dedent("""
        import multiprocessing

        if __name__ == "__main__":
            from tasks import draw
            with multiprocessing.Pool(2) as pool:
                pool.map(draw, range(2))
    """))
    said = {f.message.split()[0]: f.message for f in checker.check_paths([tmp_path])[0] if f.code == "RSP004"}
    assert set(said) == {"np.random.seed", "random.seed"}
    assert "seeds it again (spawn, forkserver, loky, Ray, and dask, whose nanny reseeds NumPy only " \
           "before that import), and forked workers copy the state it leaves" in said["np.random.seed"]
    assert "seeds it again (spawn, forkserver, loky, dask, Ray)" in said["random.seed"]
    assert "(forked workers reseed random)" in said["random.seed"]


def message(source, code):
    """The message of the one finding with that code in source."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "snippet.py")
        path.write_text(textwrap.dedent(source).lstrip())
        [found] = [f.message for f in checker.check_file(path) if f.code == code]
    return found


def forkserver_runs_main_in_each_worker():
    """Up to 3.13.7 and 3.14.0 each forkserver worker imported the main
    script; since 3.13.8 and 3.14.1 the server imports it once (gh-137996)."""
    return sys.version_info < (3, 13, 8) or (3, 14) <= sys.version_info < (3, 14, 1)


SEEDED_AT_IMPORT = """
    import multiprocessing
    import random
    import numpy as np

    {seed}

    def work(x):
        return x + {draw}

    if __name__ == "__main__":
        with multiprocessing.Pool(2) as pool:
            pool.map(work, range(4))
"""


def test_numpy_seeded_at_import_repeats_in_multiprocessing_not_in_dask_or_loky(alike):
    numpy = {executor: alike[SEEDS, executor][0] for executor in EXECUTORS if (SEEDS, executor) in alike}
    assert numpy == {"fork": True, "forkserver": True, "spawn": True, "loky": False, "dask": False}
    said = message(SEEDED_AT_IMPORT.format(seed="np.random.seed(0)", draw="np.random.rand()"), "RSP004")
    assert "forked workers start from copies" in said
    assert "spawn and older forkserver workers run it again" in said
    assert "dask's workers reseed NumPy after the import" in said
    assert "loky's do not run the main script" in said


def test_random_seeded_at_import_repeats_in_spawn_and_dask_not_in_fork_or_loky(alike):
    python = {executor: alike[SEEDS, executor][1] for executor in EXECUTORS if (SEEDS, executor) in alike}
    assert python == {"fork": False, "forkserver": forkserver_runs_main_in_each_worker(), "spawn": True,
                      "loky": False, "dask": True}
    said = message(SEEDED_AT_IMPORT.format(seed="random.seed(0)", draw="random.random()"), "RSP004")
    assert "spawn and dask workers run it again" in said
    assert "as forkserver workers did before Python 3.14.1 and 3.13.8" in said
    assert "forked workers reseed random" in said and "loky's do not run the main script" in said
    # RSP001 for the same draw says the same of random, not "workers differ".
    drawn = [f.message for f in check_source(SEEDED_AT_IMPORT.format(seed="", draw="random.random()"))
             if f.code == "RSP001"]
    assert drawn and "a random.seed at import runs again in each worker, as in spawn and dask workers" in drawn[0]


def test_unseeded_global_states_differ_in_every_worker(alike):
    """No seed at import: nothing repeats (the parent drew nothing), so a
    draw from random at import is not RSP004."""
    for executor in EXECUTORS:
        if ("", executor) in alike:
            assert alike["", executor][:2] == (False, False), executor
    assert not [f for f in check_source(SEEDED_AT_IMPORT.format(seed="random.random()", draw="random.random()"))
                if f.code == "RSP004"]


def test_hash_of_a_str_is_the_same_in_forked_and_dask_workers_and_differs_in_fresh_ones(alike):
    hashed = {executor: alike["", executor][2] for executor in EXECUTORS if ("", executor) in alike}
    assert hashed == {"fork": True, "forkserver": True, "spawn": False, "loky": False, "dask": True}
    said = message("""
        import numpy as np
        from joblib import Parallel, delayed

        def task(name):
            return np.random.default_rng(hash(name)).random()

        Parallel(n_jobs=2)(delayed(task)(n) for n in "ab")
    """, "RSP005")
    assert "forked and forkserver workers share and dask's workers fix, PYTHONHASHSEED=6640" in said
    assert "spawn and loky workers draw a new salt unless PYTHONHASHSEED is set" in said


def check_source(source):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "snippet.py")
        path.write_text(textwrap.dedent(source).lstrip())
        return checker.check_file(path)


DRAWN_IN_A_KNOWN_POOL = """
    import multiprocessing
    import random
    import numpy as np
    from joblib import Parallel, delayed

    def work(x):
        return x + {draw}

    if __name__ == "__main__":
        {run}
"""
RUNS = {
    "fork": 'multiprocessing.get_context("fork").Pool(2).map(work, range(4))',
    "spawn": 'multiprocessing.get_context("spawn").Pool(2).map(work, range(4))',
    "loky": "Parallel(n_jobs=2)(delayed(work)(x) for x in range(4))",
}


@pytest.mark.parametrize("executor", RUNS)
def test_a_draw_in_workers_whose_start_the_code_names_gets_that_starts_message(alike, executor):
    """Where the code names how the workers start, RSP001 says what happens
    there alone, and what it says is measured: nothing seeded at import,
    the workers differ; a seed at import makes spawn workers alike (NumPy's
    and random's), forked ones alike in NumPy's state only, loky's in
    neither."""
    if (SEEDS, executor) not in alike:
        pytest.skip(f"{executor} cannot start workers on this platform")
    assert alike["", executor][:2] == (False, False)  # the workers differ
    numpy, python = (message(DRAWN_IN_A_KNOWN_POOL.format(draw=draw, run=RUNS[executor]), "RSP001")
                     for draw in ["np.random.rand()", "random.random()"])
    assert "so they differ, but no run can be repeated" in python
    others = {"fork", "spawn", "loky"} - {executor}
    for said in (numpy, python):
        assert not [other for other in others if other in said.replace("forked", "fork")], said
    seeded_alike = alike[SEEDS, executor][:2]
    if executor == "fork":
        assert seeded_alike == (True, False)
        assert "forked workers start from copies of it and repeat each other" in numpy
        assert "forked workers reseed it" in python
    elif executor == "spawn":
        assert seeded_alike == (True, True)
        for said, seeding in [(numpy, "np.random.seed"), (python, "random.seed")]:
            assert f"a {seeding} at import would run again in each and make them alike" in said
    else:
        assert seeded_alike == (False, False)
        assert "so they differ, but no run can be repeated" in numpy and "loky" in numpy
