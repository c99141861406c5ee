r"""
===========================================
Check your own code for these mistakes
===========================================

Does *your* code have the bugs this site shows? Download
:download:`rng_check.py <../../tools/rng_check.py>`
(one file, standard library only, Python 3.11 or later) and run it on
your project: ``python rng_check.py src/``. It reads the code
without running it and reports six mistakes, each with a code, a line and
a link back here. Below, it runs on a wrong and a right version of each.
"""
# sphinx_gallery_thumbnail_path = "_static/thumbnails/check_your_code.png"

# %%
# Running the checker
# -------------------
#
# Each finding is one line, ``path:line:column: CODE message``, the format
# editors and CI systems read (a notebook's cells count from 1:
# ``analysis.ipynb:cell 3:2:12``). It exits with 1 when something is found,
# 0 when nothing is, 2 on a usage error. ``--select`` and ``--ignore`` take
# codes; ``# noqa: RSP001`` silences one code on its line. With the
# repository's ``.pre-commit-hooks.yaml`` it is a pre-commit hook.

# Harness: save a snippet, run the checker on it, print its findings
import subprocess
import sys
import tempfile
from pathlib import Path
from textwrap import dedent, fill

# sphinx_gallery_start_ignore
# In a clone of the site the checker is in tools/, not beside this script.
if "__file__" in globals():
    sys.path.append(str(Path(__file__).resolve().parents[1] / "tools"))
# sphinx_gallery_end_ignore
try:  # beside this script in its zip, or downloaded from this page
    import rng_check
except ModuleNotFoundError:
    sys.exit("Save rng_check.py, from this page, next to this script.")

reports = {}  # (code, "wrong" or "right") -> the codes the checker found


def check(code, **versions):
    for version, source in versions.items():
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "snippet.py").write_text(dedent(source).lstrip())
            result = subprocess.run(
                [sys.executable, rng_check.__file__, "snippet.py"],
                cwd=folder, capture_output=True, text=True)
        findings = result.stdout.splitlines()
        reports[code, version] = [line.split()[1] for line in findings]
        print(f"{code}, {version}: exit status {result.returncode}")
        for line in findings:  # wrapped to fit the page
            print(fill(line, 79, subsequent_indent="    "))


# %%
# .. _rsp001:
#
# RSP001: a task draws from a global random state
# -----------------------------------------------
#
# The mistake of :ref:`the core example
# <sphx_glr_auto_examples_plot_random_state_in_parallel.py>`: the numbers
# come from whatever state the worker holds. The checker also looks into
# the functions of the file that the task calls. The fix: a seed per task.

draws_globally, seeds_each_task = """
    import numpy as np
    from joblib import Parallel, delayed

    def task(i):
        return np.random.randint(100, size=5)

    if __name__ == "__main__":
        print(Parallel(n_jobs=2)(delayed(task)(i) for i in range(5)))
""", """
    import numpy as np
    from joblib import Parallel, delayed

    def task(seed):
        return np.random.default_rng(seed).integers(100, size=5)

    if __name__ == "__main__":
        seeds = np.random.SeedSequence(2024).spawn(5)
        print(Parallel(n_jobs=2)(delayed(task)(s) for s in seeds))
"""
check("RSP001", wrong=draws_globally, right=seeds_each_task)

# %%
# .. _rsp002:
#
# RSP002: one generator object for every task
# -------------------------------------------
#
# Processes receive copies of the one generator and repeat each other
# (:ref:`sphx_glr_auto_examples_plot_batches_and_pools.py`); threads race
# for it. The fix spawns one generator per task.

one_for_all = """
    import numpy as np
    from concurrent.futures import ProcessPoolExecutor

    def task(generator):
        return generator.integers(100, size=5)

    if __name__ == "__main__":
        generator = np.random.default_rng(2024)
        with ProcessPoolExecutor(2) as pool:
            print(list(pool.map(task, [generator] * 5)))
"""
check("RSP002", wrong=one_for_all,
      right=one_for_all.replace("[generator] * 5", "generator.spawn(5)"))

# %%
# .. _rsp003:
#
# RSP003: a seed made by arithmetic
# ---------------------------------
#
# ``root + task_id`` gives distinct seeds in one run, but runs with nearby
# roots share streams, as NumPy's documentation warns and
# :ref:`sphx_glr_auto_examples_plot_spawned_generators.py` measures. A
# loop counter as the seed repeats the same streams in every loop seeded
# that way, and so does a PyTorch ``DataLoader``'s ``worker_init_fn`` that
# seeds with the worker id. Hash the pair: ``default_rng([task_id, root])``.

added_seeds = """
    import numpy as np

    def task(root, task_id):
        return np.random.default_rng(root + task_id).random()
"""
check("RSP003", wrong=added_seeds,
      right=added_seeds.replace("root + task_id", "[task_id, root]"))

# %%
# .. _rsp004:
#
# RSP004: random state made at import
# -----------------------------------
#
# ``spawn`` workers run the main module again; ``forkserver`` workers copy
# a server that ran it (:ref:`sphx_glr_auto_examples_plot_start_methods.py`).
# It is reported where such processes start (``multiprocessing``, process
# executors, joblib's ``multiprocessing`` backend, dask's local cluster)
# and a task draws from that state, as RSP001 is. The fix is RSP001's.

seeded_at_import = draws_globally.replace(
    "delayed\n", "delayed\n\n    np.random.seed(0)\n").replace(
    "n_jobs=2", 'n_jobs=2, backend="multiprocessing"')
check("RSP004", wrong=seeded_at_import, right=seeds_each_task.replace(
    "n_jobs=2", 'n_jobs=2, backend="multiprocessing"'))

# %%
# .. _rsp005:
#
# RSP005: a task seeds with the time, a process id, a uuid or hash()
# ------------------------------------------------------------------
#
# Tasks started in the same clock tick, or in one reused worker, get the
# same seed, and no run can be repeated; a uuid never repeats, and a
# string's ``hash()`` differs between processes. The checker reports such
# a seed inside a task. A seed derived from a root has neither flaw.

seeded_by_pid = """
    import os
    import numpy as np
    from joblib import Parallel, delayed

    def task(i):
        return np.random.default_rng(os.getpid()).random()

    Parallel(n_jobs=2)(delayed(task)(i) for i in range(5))
"""
check("RSP005", wrong=seeded_by_pid,
      right=seeded_by_pid.replace("os.getpid()", "[i, 2024]"))

# %%
# .. _rsp006:
#
# RSP006: a task spawns from a parent that every task shares
# ----------------------------------------------------------
#
# Threads that spawn from one parent at once can get the same child, above
# all without the GIL (:ref:`sphx_glr_auto_examples_plot_free_threading.py`);
# processes spawn from copies, which give the same children. The checker
# reports a task that spawns from a parent made at module level, or from
# one object passed to every task. The fix: a seed from the task's number.

spawned_in_task = """
    import numpy as np
    from joblib import Parallel, delayed

    ROOT = np.random.SeedSequence(2024)

    def task(i):
        return np.random.default_rng(ROOT.spawn(1)[0]).random()

    Parallel(n_jobs=4, backend="threading")(delayed(task)(i) for i in range(8))
"""
check("RSP006", wrong=spawned_in_task,
      right=spawned_in_task.replace("ROOT.spawn(1)[0]", "[i, 2024]"))

# %%
# What it cannot see
# ------------------
#
# It reads one file at a time and never runs it: it misses a task imported
# from another module, a generator in a dict or an attribute, names bound
# other than by a plain assignment or ``with``, and every library call that
# draws from a global state, such as ``scipy.stats.norm.rvs()`` or
# scikit-learn with ``random_state=None``
# (:ref:`sphx_glr_auto_examples_plot_library_calls.py`). It prefers
# silence to a false alarm: a clean run is no proof. For what it cannot
# see, wrap the tasks in :doc:`the guard <plot_guard_your_tasks>`, which
# watches them run.
