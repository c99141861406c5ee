"""tools/rng_guard.py and SciPy's distributions, which draw from the
RandomState they were given: scipy.stats.norm, and a frozen norm(), keep
NumPy's global state as it was when they were made (check_random_state(None)
is np.random.mtrand._rand). Each script runs in a fresh interpreter, as in
tests/test_rng_guard.py; each repeats its runs, so that a guard that caught
them by luck of timing would fail."""

import re

from test_rng_guard import line_of, run_script

RUNS = 3

TASKS = """
    import numpy as np
    from scipy.stats import norm

    frozen = norm()  # made before any task: it holds the global state

    def draw_norm(i):
        return norm.rvs(size=3).tolist()  # norm's line

    def draw_frozen(i):
        return frozen.rvs(size=3).tolist()  # frozen's line
"""


def test_threads_whose_tasks_overlap_each_name_the_distributions_call(tmp_path):
    """Four threads, held together by a barrier so that their tasks run
    side by side: every task is caught, with NumPy's draw in SciPy, the
    distribution's rvs the task called, and the task's line, at every run."""
    source = f"""
    import threading
    import numpy as np
    from scipy.stats import norm

    frozen = norm()
    barrier = threading.Barrier(4, timeout=60)  # the four threads go together

    def draw_norm(i):
        barrier.wait()
        return norm.rvs(size=3).tolist()  # norm's line

    def draw_frozen(i):
        barrier.wait()
        return frozen.rvs(size=3).tolist()  # frozen's line

    def overlapping(task):
        results = [None] * 4
        def thread(i):
            results[i] = attempt(lambda: guarded(task)(i))
        threads = [threading.Thread(target=thread, args=(i,)) for i in range(4)]
        for each in threads:
            each.start()
        for each in threads:
            each.join()
        return results

    print(json.dumps({{name: [overlapping(task) for run in range({RUNS})]
                      for name, task in [("norm", draw_norm), ("frozen", draw_frozen)]}}))
    """
    found = run_script(tmp_path, source)
    for name, called in [("norm", "norm_gen.rvs"), ("frozen", "rv_continuous_frozen.rvs")]:
        line = line_of(source, f"# {name}'s line")
        for results in found[name]:
            assert [outcome for outcome, _ in results] == ["raised"] * 4, results
            for _, message in results:
                assert re.search(
                    r"drew from NumPy's global random state: np\.random\.standard_normal\(\) at "
                    rf"scipy/stats/_continuous_distns\.py:\d+ in _rvs, called by {re.escape(called)}\(\), "
                    rf"reached from script\.py:{line} in draw_{name}\. ", message), message


def test_loky_workers_name_the_call_or_the_copied_state(tmp_path):
    """Under loky, tasks imported from a module draw from the worker's global
    state through SciPy, and are named as in threads; the same tasks defined
    in the script are sent by value, each with a copy of the parent's
    distribution and its state, and are caught as copies of one state."""
    source = f"""
    import numpy as np
    from joblib import Parallel, delayed
    import tasks
    {TASKS}
    if __name__ == "__main__":
        print(json.dumps([[attempt(lambda: Parallel(n_jobs=2)(delayed(guarded(task))(i) for i in range(4)))
                           for task in (tasks.draw_norm, tasks.draw_frozen, draw_norm, draw_frozen)]
                          for run in range({RUNS})]))
    """
    for imported_norm, imported_frozen, here_norm, here_frozen in run_script(
            tmp_path, source, modules={"tasks": TASKS}):
        for (outcome, message), called in [(imported_norm, "norm_gen.rvs"),
                                           (imported_frozen, "rv_continuous_frozen.rvs")]:
            assert outcome == "raised"
            assert re.search(r"drew from NumPy's global random state: np\.random\.standard_normal\(\) at "
                             rf"scipy/stats/_continuous_distns\.py:\d+ in _rvs, called by {re.escape(called)}"
                             r"\(\), reached from tasks\.py:\d+ in draw_", message), message
        for (outcome, message), held in [(here_norm, "norm._random_state"),
                                         (here_frozen, "frozen.dist._random_state")]:
            assert outcome == "raised"
            assert re.search(rf"draw_\w+\(\d\) starts with a RandomState \(module-level {re.escape(held)}\) "
                             r"in the state that draw_\w+\(\d\) started with", message), message
