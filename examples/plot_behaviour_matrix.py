r"""
===================================
The behaviour matrix, measured live
===================================

Which ways of getting random numbers are safe on which joblib backend? This
page answers with a table measured while the site was built, never typed by
hand. Each row is a backend (and, for ``multiprocessing``, a start method);
each column is a way for a task to get random numbers. Every cell says
whether the six tasks drew distinct numbers and whether two runs of the same
program gave identical results. Only one column is both, on every row.
"""

# %%
# The measuring program
# ---------------------
#
# Each row is measured by running a small program twice, each time in a
# fresh Python process, as a user would run a script twice. The program
# starts a pool of two workers with the row's backend and runs six tasks;
# each task returns four vectors, one per way of drawing. The parent draws
# from ``np.random`` once before the pool starts, as most programs have by
# then. The pool sits behind ``if __name__ == "__main__":``, which the
# ``spawn`` and ``forkserver`` start methods need.

import html
import json
import multiprocessing
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import joblib
import matplotlib.pyplot as plt
import numpy as np

PROGRAM = '''
import json
import multiprocessing
import random
import sys
import time

import numpy as np
from joblib import Parallel, delayed


def task(child_seed):
    time.sleep(0.05)  # long enough for both workers to take tasks
    return {
        "global np.random": np.random.randint(1000, size=4).tolist(),
        "Python random": [random.randrange(1000) for _ in range(4)],
        "default_rng() in the task": np.random.default_rng().integers(1000, size=4).tolist(),
        "spawned generator per task": np.random.default_rng(child_seed).integers(1000, size=4).tolist(),
    }


if __name__ == "__main__":
    backend, method = sys.argv[1:]
    np.random.random()  # the parent has used the global state
    if backend == "multiprocessing":
        backend = multiprocessing.get_context(method)
    seeds = np.random.SeedSequence(2024).spawn(6)
    n_jobs = 1 if backend == "sequential" else 2
    print(json.dumps(Parallel(n_jobs=n_jobs, backend=backend)(delayed(task)(s) for s in seeds)))
'''

COLUMNS = [
    "global np.random",
    "Python random",
    "default_rng() in the task",
    "spawned generator per task",
]
ROWS = [
    ("sequential", "-"),
    ("threading", "-"),
    ("loky", "-"),
    ("multiprocessing", "fork"),
    ("multiprocessing", "forkserver"),
    ("multiprocessing", "spawn"),
]


def run_program(backend, method):
    """One run of PROGRAM in a fresh interpreter: {column: [vector per task]}."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "measure.py"
        script.write_text(PROGRAM)
        result = subprocess.run(
            [sys.executable, str(script), backend, method],
            capture_output=True, text=True, timeout=300, check=True,
        )
    tasks = json.loads(result.stdout)
    return {column: [tuple(task[column]) for task in tasks] for column in COLUMNS}


def measure_row(backend, method):
    """Run the program twice; per column, are draws distinct and runs identical?"""
    first, second = run_program(backend, method), run_program(backend, method)
    return {
        column: {
            "distinct": all(len(set(run[column])) == len(run[column]) for run in (first, second)),
            "identical": first[column] == second[column],
        }
        for column in COLUMNS
    }


# %%
# Measuring every row
# -------------------
#
# A start method that this platform lacks (``fork`` and ``forkserver`` on
# Windows) is reported as skipped.

available = multiprocessing.get_all_start_methods()
matrix = {}
for backend, method in ROWS:
    if method != "-" and method not in available:
        print(f"{backend} ({method}): skipped, not available on this platform")
        continue
    matrix[(backend, method)] = measure_row(backend, method)

BUILT_WITH = (
    f"Measured with Python {platform.python_version()}, NumPy {np.__version__}, "
    f"joblib {joblib.__version__} on {platform.system()} {platform.machine()} "
    f"(default start method: {multiprocessing.get_start_method()})."
)
print(BUILT_WITH)


def verdict(cell):
    """The words of a cell."""
    streams = "distinct" if cell["distinct"] else "DUPLICATED"
    runs = "reproducible" if cell["identical"] else "not reproducible"
    return f"{streams}, {runs}"


def row_name(backend, method):
    return backend if method == "-" else f"{backend} ({method})"


for (backend, method), cells in matrix.items():
    print(f"{row_name(backend, method)}:")
    for column in COLUMNS:
        print(f"  {column:28s} {verdict(cells[column])}")

# %%
# The table
# ---------
#
# Rendered from the measurements above: green cells are distinct and
# reproducible, orange cells duplicate numbers between tasks.


class MatrixTable:
    """An HTML table of the matrix; notebooks and this page display it."""

    def __init__(self, matrix):
        self.matrix = matrix

    def _repr_html_(self):
        header = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in COLUMNS)
        rows = []
        for (backend, method), cells in self.matrix.items():
            tds = []
            for column in COLUMNS:
                cell = cells[column]
                kind = ("good" if cell["distinct"] and cell["identical"]
                        else "bad" if not cell["distinct"] else "meh")
                tds.append(f'<td class="matrix-{kind}">{html.escape(verdict(cell))}</td>')
            name = html.escape(row_name(backend, method))
            rows.append(f'<tr><th scope="row">{name}</th>{"".join(tds)}</tr>')
        return (
            '<table class="behaviour-matrix">'
            f"<caption>{html.escape(BUILT_WITH)}</caption>"
            f'<thead><tr><th scope="col">backend</th>{header}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>'
        )


MatrixTable(matrix)

# %%
# The same as a figure
# --------------------


def plot_matrix(matrix):
    labels = [row_name(*row) for row in matrix]
    fig, ax = plt.subplots(figsize=(9, 0.6 * len(labels) + 1.6), facecolor="white")
    palette = {"good": "#c7e9c0", "meh": "#e3e3e3", "bad": "#b93a0b"}
    for row, cells in enumerate(matrix.values()):
        for column, name in enumerate(COLUMNS):
            cell = cells[name]
            kind = ("good" if cell["distinct"] and cell["identical"]
                    else "bad" if not cell["distinct"] else "meh")
            ax.add_patch(plt.Rectangle((column, row), 1, 1, facecolor=palette[kind],
                                       edgecolor="white", linewidth=2))
            ax.text(column + 0.5, row + 0.5, verdict(cell).replace(", ", "\n"),
                    ha="center", va="center", fontsize=9.5,
                    color="white" if kind == "bad" else "black",
                    fontweight="bold" if kind != "meh" else "normal")
    ax.set_xlim(0, len(COLUMNS))
    ax.set_ylim(len(labels), 0)
    wrapped = [column.replace(" ", "\n", 1) for column in COLUMNS]
    ax.set_xticks(np.arange(len(COLUMNS)) + 0.5, wrapped, fontsize=10)
    ax.xaxis.tick_top()
    ax.set_yticks(np.arange(len(labels)) + 0.5, labels, fontsize=10)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    fig.tight_layout()
    return fig


plot_matrix(matrix)
plt.show()

# %%
# Reading the matrix
# ------------------
#
# * Only per-task spawned generators are distinct *and* reproducible on
#   every row: the numbers depend on the root seed and the task's index,
#   nothing else.
# * The global ``np.random`` duplicates numbers between forked workers,
#   because each worker starts with a copy of the parent's state.
# * Python's ``random`` and an unseeded ``default_rng()`` are distinct
#   everywhere but never reproducible: they draw fresh entropy.
#
# The examples before this one explain each cell: see
# :ref:`sphx_glr_auto_examples_plot_start_methods.py` for the start methods
# and :ref:`sphx_glr_auto_examples_plot_spawned_generators.py` for the fix.
