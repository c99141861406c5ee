r"""
===================================
The behaviour matrix, measured live
===================================

Which ways of getting random numbers are safe on which joblib backend?
Measured while the site was built: each row is a backend (for
``multiprocessing``, with a start method), each column a way for a task to
get random numbers, and each cell says whether six tasks drew distinct
numbers and whether two runs gave identical results. One column is both.
"""

# %%
# The measuring program
# ---------------------
#
# Each row runs a small program twice, in fresh Python processes, as a user
# runs a script twice: six tasks on two workers, each returning one vector
# per way of drawing. Like most scripts, the program makes a generator at
# module level (which imports ``numpy.random``, as SciPy would), and the
# parent draws from ``np.random`` first. Two rows also seed at import.

# sphinx_gallery_thumbnail_path = "_static/thumbnails/behaviour_matrix.png"
COLUMNS = ["global np.random", "Python random", "default_rng() in the task",
           "generator at module level", "one generator for all tasks",
           "spawned seed per task"]
SEEDS = "np.random.seed(0); random.seed(0)"
ROWS = [  # name, joblib backend, start method, line run at import
    ("sequential", "sequential", "-", ""),
    ("threading", "threading", "-", ""),
    ("loky", "loky", "-", ""),
    ("multiprocessing (fork)", "multiprocessing", "fork", ""),
    ("multiprocessing (forkserver)", "multiprocessing", "forkserver", ""),
    ("multiprocessing (spawn)", "multiprocessing", "spawn", ""),
    ("forkserver, seeds at import", "multiprocessing", "forkserver", SEEDS),
    ("spawn, seeds at import", "multiprocessing", "spawn", SEEDS),
]


# %%
# Each row runs the program below twice, in fresh interpreters; a cell
# compares the six tasks' vectors within each run, and the two runs.

# Harness: the measuring program, and what runs it for a row
import json
import os
import subprocess
import tempfile
from pathlib import Path

PROGRAM = """
import json, multiprocessing, os, platform, random, sys, sysconfig
import threading, time
import joblib
import numpy as np
MODULE_RNG = np.random.default_rng(7)  # at module level, as many scripts do
{at_import}

def task(child_seed, one_generator):  # one vector per column, in order
    # A duplicate shows only if both workers draw: wait for the other one.
    folder = os.environ["WORKERS"]
    worker = f"{{os.getpid()}}-{{threading.get_ident()}}"
    os.makedirs(os.path.join(folder, worker), exist_ok=True)
    while len(os.listdir(folder)) < int(os.environ["N_JOBS"]):
        time.sleep(0.01)
    fresh, own = np.random.default_rng(), np.random.default_rng(child_seed)
    return [np.random.randint(1000, size=4).tolist(),
            [random.randrange(1000) for _ in range(4)],
            fresh.integers(1000, size=4).tolist(),
            MODULE_RNG.integers(1000, size=4).tolist(),
            one_generator.integers(1000, size=4).tolist(),
            own.integers(1000, size=4).tolist()]

if __name__ == "__main__":
    backend, method = sys.argv[1:]
    np.random.random()  # the parent has used the global state
    if method != "-":
        backend = multiprocessing.get_context(method)
    seeds = np.random.SeedSequence(2024).spawn(6)
    one = np.random.default_rng(2024)  # one generator, passed to every task
    tasks = (joblib.delayed(task)(seed, one) for seed in seeds)
    parallel = joblib.Parallel(int(os.environ["N_JOBS"]), backend=backend)
    build = "t" if sysconfig.get_config_var("Py_GIL_DISABLED") else ""
    versions = [platform.python_version() + build, np.__version__,
                joblib.__version__]
    print(json.dumps({{"versions": versions, "tasks": parallel(tasks)}}))
"""

def run_program(python, backend, method, at_import):
    """One run in a fresh interpreter: (versions, {column: vectors})."""
    n_jobs = "1" if backend == "sequential" else "2"
    with tempfile.TemporaryDirectory() as folder:
        script, workers = Path(folder, "measure.py"), Path(folder, "workers")
        script.write_text(PROGRAM.format(at_import=at_import))
        workers.mkdir()
        env = {**os.environ, "WORKERS": str(workers), "N_JOBS": n_jobs}
        result = subprocess.run([python, str(script), backend, method],
                                capture_output=True, text=True, env=env,
                                timeout=120, check=True)
    found = json.loads(result.stdout)
    return found["versions"], {
        column: [tuple(task[i]) for task in found["tasks"]]
        for i, column in enumerate(COLUMNS)}


def measure_row(python, *row):  # per column: distinct draws? same runs?
    (versions, first), (_, second) = [run_program(python, *row)
                                      for _ in range(2)]
    return versions, {column: {
        "distinct": all(len(set(run[column])) == 6 for run in (first, second)),
        "identical": first[column] == second[column]} for column in COLUMNS}


# %%
# Every row, on this interpreter or those that ``RANDOM_STATE_PYTHONS``
# names (each with numpy and joblib); missing start methods are skipped.

# Harness: measure every row on every interpreter
import multiprocessing
import sys


def caption(versions):
    return "Measured with Python {}, NumPy {}, joblib {}".format(*versions)


PYTHONS = os.environ.get("RANDOM_STATE_PYTHONS", "").split() or [
    sys.executable]
available = multiprocessing.get_all_start_methods()
matrices = []  # one (versions, {row name: cells}) per interpreter
for python in PYTHONS:
    matrix = {}
    for name, backend, method, at_import in ROWS:
        if method != "-" and method not in available:
            print(f"{name}: skipped, not available on this platform")
            continue
        versions, matrix[name] = measure_row(python, backend, method,
                                             at_import)
    matrices.append((versions, matrix))
    print(caption(versions))


def verdict(cell):
    streams = "distinct" if cell["distinct"] else "DUPLICATED"
    runs = "reproducible" if cell["identical"] else "not reproducible"
    return f"{streams}, {runs}"


def kind(cell):  # a cell's colour: green, grey or orange
    return "bad" if not cell["distinct"] else (
        "good" if cell["identical"] else "meh")


# %%
# The tables
# ----------
#
# One table per interpreter, rendered from the measurements above: green
# cells are distinct and reproducible, orange cells duplicate numbers.

# Harness: render the measurements as HTML tables (as text in a script)
import html


class MatrixTables:  # notebooks and this page show its HTML
    def _repr_html_(self):
        head = "".join(f'<th scope="col">{html.escape(c)}</th>'
                       for c in ["backend", *COLUMNS])
        tables = []
        for versions, matrix in matrices:
            rows = "".join(
                f'<tr><th scope="row">{html.escape(name)}</th>'
                + "".join(f'<td class="matrix-{kind(cells[c])}">'
                          f"{verdict(cells[c])}</td>" for c in COLUMNS)
                + "</tr>" for name, cells in matrix.items())
            tables.append(  # scrolls sideways on its own on a phone
                f'<div class="matrix-scroll" tabindex="0" role="region" '
                f'aria-label="{html.escape(caption(versions))}">'
                f'<table class="behaviour-matrix"><caption>'
                f"{html.escape(caption(versions))}</caption><thead><tr>"
                f"{head}</tr></thead><tbody>{rows}</tbody></table></div>")
        return "".join(tables)

    def __str__(self):  # the same tables as text, a row per paragraph
        width = max(map(len, COLUMNS))
        return "\n\n".join(caption(versions) + "".join(
            f"\n{name}:" + "".join(f"\n  {c:<{width}}  {verdict(cells[c])}"
                                   for c in COLUMNS)
            for name, cells in matrix.items())
            for versions, matrix in matrices)


# sphinx_gallery_start_ignore
if "__file__" in globals():  # a plain script shows no HTML: print the text
    print(MatrixTables())
# sphinx_gallery_end_ignore
MatrixTables()  # the last line of its cell: the page and notebooks show it

# %%
# Reading the matrix
# ------------------
#
# * Only spawned seeds, one per task, are distinct *and* reproducible on
#   every row: the numbers depend on the root seed and the task's index
#   (:doc:`plot_spawned_generators`).
# * The global ``np.random`` repeats itself in forked workers, copies of
#   the parent; in ``forkserver`` workers on Python 3.14.1+ and 3.13.8+
#   (`gh-137996 <https://github.com/python/cpython/issues/137996>`__),
#   copies of a server that imported the script and ``numpy.random``; and
#   wherever a module-level ``np.random.seed(0)`` seeded every worker
#   alike. ``random`` repeats only where each ``spawn`` (or older
#   ``forkserver``) worker runs ``random.seed(0)``: forked ones `reseed it
#   <https://github.com/python/cpython/blob/v3.11.7/Lib/random.py#L900>`__.
# * A generator made at module level, and one generator handed to every
#   task, are duplicated on every process backend: loky pickles the first
#   with the task, ``spawn`` workers make it again from the same seed, and
#   forked workers copy it. In one process the tasks share and advance it
#   (but see :doc:`plot_shared_generator_threads`).
# * Unseeded, ``random`` and ``default_rng()`` draw fresh entropy: no run
#   repeats another; see :doc:`plot_start_methods`.
