r"""
=============================================
Start methods: fork, forkserver and spawn
=============================================

How a process pool starts its workers decides what they inherit from the
parent, NumPy's global random state included. ``fork`` copies the parent,
``spawn`` starts fresh interpreters, and ``forkserver`` forks each worker
from a small server process started fresh. This example asks joblib for each
start method explicitly, and measures, in fresh Python processes, whether
the workers draw duplicated numbers from NumPy's global state and from
Python's ``random`` module. It also shows two traps: NumPy 2 creates its
global state on first use, and joblib ignores a ``context=`` keyword.
"""

# %%
# Why each experiment runs in a fresh process
# -------------------------------------------
#
# What workers inherit depends on what the parent did before the pool
# started, so every measurement below runs in a new Python process that does
# exactly one thing. The experiment is a small script, written to a
# temporary folder and run with this interpreter. It guards its pool behind
# ``if __name__ == "__main__":``, which ``spawn`` and ``forkserver`` require:
# their workers import the main script again.

import json
import multiprocessing
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

EXPERIMENT = '''
import json
import multiprocessing
import random
import sys
import time


def draw(_):
    import numpy as np

    time.sleep(0.05)  # long enough for both workers to take tasks
    return (multiprocessing.current_process().name,
            np.random.randint(1000, size=4).tolist(), random.random())


if __name__ == "__main__":
    method, parent_uses_numpy, preload, ask_with = sys.argv[1:]
    import numpy as np  # imported, but numpy.random is not used yet
    from joblib import Parallel, delayed

    if parent_uses_numpy == "yes":
        np.random.random()
    context = multiprocessing.get_context(method)
    if preload != "-":
        context.set_forkserver_preload([preload])
    if ask_with == "context backend":
        parallel = Parallel(n_jobs=2, backend=context)
    else:  # the keyword that joblib silently ignores
        parallel = Parallel(n_jobs=2, backend="multiprocessing", context=context)
    print(json.dumps(parallel(delayed(draw)(i) for i in range(6))))
'''


def run_experiment(method, parent_uses_numpy, preload="-", ask_with="context backend"):
    """Run the experiment in a fresh interpreter; return what the workers drew."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "experiment.py"
        script.write_text(EXPERIMENT)
        arguments = [method, "yes" if parent_uses_numpy else "no", preload, ask_with]
        result = subprocess.run(
            [sys.executable, str(script), *arguments],
            capture_output=True, text=True, timeout=300, check=True,
        )
    draws = json.loads(result.stdout)
    workers = sorted({name.rsplit("-", 1)[0] for name, _, _ in draws})
    numpy_vectors = [tuple(vector) for _, vector, _ in draws]
    python_values = [value for _, _, value in draws]
    return {
        "workers": ", ".join(workers),
        "numpy duplicated": len(set(numpy_vectors)) < len(numpy_vectors),
        "random duplicated": len(set(python_values)) < len(python_values),
    }


# %%
# The experiments
# ---------------
#
# Each row asks for a start method through
# ``Parallel(n_jobs=2, backend=multiprocessing.get_context(method))``, the
# form joblib honours, and varies what the parent does first. The last row
# asks for ``spawn`` through the ``context=`` keyword instead.

EXPERIMENTS = [
    ("fork, parent used np.random", dict(method="fork", parent_uses_numpy=True)),
    ("fork, parent did not", dict(method="fork", parent_uses_numpy=False)),
    ("forkserver", dict(method="forkserver", parent_uses_numpy=True)),
    ("forkserver, server preloads numpy.random",
     dict(method="forkserver", parent_uses_numpy=True, preload="numpy.random")),
    ("spawn", dict(method="spawn", parent_uses_numpy=True)),
    ("spawn asked with context= (ignored)",
     dict(method="spawn", parent_uses_numpy=True, ask_with="context keyword")),
]
AVAILABLE = multiprocessing.get_all_start_methods()

measured = {}
for label, settings in EXPERIMENTS:
    if settings["method"] not in AVAILABLE:
        print(f"{label}: skipped, this platform has no {settings['method']!r}")
        continue
    measured[label] = run_experiment(**settings)

print(f"Python {platform.python_version()} on {platform.system()}, NumPy {np.__version__}")
print(f"{'experiment':43s} {'workers':24s} {'np.random':11s} random")
for label, outcome in measured.items():
    numpy_word = "DUPLICATED" if outcome["numpy duplicated"] else "distinct"
    random_word = "DUPLICATED" if outcome["random duplicated"] else "distinct"
    print(f"{label:43s} {outcome['workers']:24s} {numpy_word:11s} {random_word}")

# %%
# Reading the table
# -----------------
#
# * **fork** copies the parent. If the parent had already used
#   ``np.random``, every worker starts from the same global state and the
#   workers draw the same numbers. If it had not, NumPy 2 creates the state
#   in each worker on first use, from fresh entropy, and the duplicates
#   disappear: an accident of ordering, not a fix.
# * **forkserver** forks workers from a server process that never saw the
#   parent's state, so they are distinct, unless the server imported
#   ``numpy.random`` itself (here through ``set_forkserver_preload``): then
#   all workers are forked from the server's single state.
# * **spawn** starts every worker as a new interpreter: always distinct.
# * Python's ``random`` module is distinct everywhere: since Python 3.7 it
#   reseeds itself in every forked child.
# * ``context=`` is not a ``Parallel`` option that joblib checks: the last
#   row's workers are started with the platform's default method, whatever
#   was asked, as their process names show.
#
# The figure shows the same outcomes.


def plot_outcomes(measured):
    labels = list(measured)
    columns = ["NumPy global state", "Python random"]
    keys = ["numpy duplicated", "random duplicated"]
    grid = np.array([[measured[label][key] for key in keys] for label in labels])
    colors = np.where(grid[..., None], [0.73, 0.23, 0.04], [0.78, 0.86, 0.94])
    fig, ax = plt.subplots(figsize=(7.6, 0.55 * len(labels) + 1.4), facecolor="white")
    ax.imshow(colors, aspect="auto")
    for (row, column), duplicated in np.ndenumerate(grid):
        ax.text(column, row, "duplicated" if duplicated else "distinct",
                ha="center", va="center", fontsize=11,
                color="white" if duplicated else "black",
                fontweight="bold" if duplicated else "normal")
    ax.set_xticks(range(2), columns, fontsize=11)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(labels)), labels, fontsize=10)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title("What two workers draw, by start method", loc="left", fontsize=12, pad=28)
    fig.tight_layout()
    return fig


plot_outcomes(measured)
plt.show()

# %%
# The default start method, by platform
# -------------------------------------
#
# Code that relies on the default inherits whatever the platform picks:
#
# ============  ==========================================
# Platform      Default start method
# ============  ==========================================
# Linux         ``fork`` up to Python 3.13, ``forkserver``
#               from Python 3.14
# macOS         ``spawn`` since Python 3.8
# Windows       ``spawn`` (the only method available)
# ============  ==========================================
#
# This interpreter's default and available methods:

print(f"default: {multiprocessing.get_start_method()}; available: {AVAILABLE}")

# %%
# Whatever the method, the cure is the same: hand every task its own
# generator, spawned from one root seed, as in
# :ref:`sphx_glr_auto_examples_plot_spawned_generators.py`.
