r"""
=====================================================
Guard your tasks: catch, as they run, what code hides
=====================================================

A task that calls ``train_test_split(X, y)`` seeds nothing and shares no
generator, so :doc:`the checker <plot_check_your_code>` passes it; yet
scikit-learn then draws from NumPy's global state, as
:doc:`plot_library_calls` shows. Download
:download:`rng_guard.py <../../tools/rng_guard.py>` (one file, standard
library, NumPy when installed) and wrap each task where you hand it out:
``delayed(guarded(fit_one))(X, y)``, ``pool.map(guarded(f), xs)``,
``executor.submit(guarded(f), x)``. Inside the worker, the guard raises
an error that names the call (or warns, with ``on_misuse="warn"``) when a
task draws from a global state or starts in the same state as another.
Below: three versions of one task, what the checker says of each, and
what the guard says.
"""
# sphinx_gallery_thumbnail_path = "_static/thumbnails/guard_your_tasks.png"

# %%
# What the checker and the guard say
# ----------------------------------
#
# Each version scores a decision tree on a random split, in four tasks on
# two loky workers. The first leaves ``random_state`` at ``None``; the
# second hands one generator to every task; the third gives each task a
# seed spawned for it, and bridges it to scikit-learn's ``random_state``.

import numpy as np
from joblib import Parallel, delayed
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

# sphinx_gallery_start_ignore
# In a clone of the site the tools are in tools/, not beside this script.
import sys
from pathlib import Path

if "__file__" in globals():
    sys.path.append(str(Path(__file__).resolve().parents[1] / "tools"))
# sphinx_gallery_end_ignore
from rng_guard import RandomStateMisuse, guarded

X, y = make_classification(n_samples=300, random_state=0)


def fit_one(X, y):
    X_train, X_test, y_train, y_test = train_test_split(X, y)
    tree = DecisionTreeClassifier(max_features=3).fit(X_train, y_train)
    return tree.score(X_test, y_test)


def fit_seeded(X, y, seed):
    rng = np.random.default_rng(seed)
    random_state = np.random.RandomState(rng.bit_generator)  # for sklearn
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, random_state=random_state)
    tree = DecisionTreeClassifier(max_features=3, random_state=random_state)
    return tree.fit(X_train, y_train).score(X_test, y_test)


def library_defaults():
    return Parallel(n_jobs=2)(delayed(guarded(fit_one))(X, y)
                              for task in range(4))


def one_generator():
    rng = np.random.default_rng(2026)
    return Parallel(n_jobs=2)(delayed(guarded(fit_seeded))(X, y, rng)
                              for task in range(4))


def spawned_seeds():
    seeds = np.random.SeedSequence(2026).spawn(4)
    return Parallel(n_jobs=2)(delayed(guarded(fit_seeded))(X, y, seed)
                              for seed in seeds)


# %%
# Each version, read by the checker and run under the guard:

# Harness: run each version through the checker and the guard, and tabulate
import tempfile
from inspect import getsource
from pathlib import Path

import rng_check  # the checker, beside this script in its zip


def checker_says(task, run):
    """The codes rng_check finds in the task and the call that runs it."""
    source = "\n".join([
        "import numpy as np", "from joblib import Parallel, delayed",
        "from rng_guard import guarded", getsource(task), getsource(run)])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "tasks.py")
        path.write_text(source)
        return [finding.code for finding in rng_check.check_file(path)]


def guard_says(run):
    try:
        scores = run()
    except RandomStateMisuse as misuse:
        return "RandomStateMisuse", str(misuse)
    return "passes", f"scores {np.round(scores, 3).tolist()}"


VERSIONS = [(fit_one, library_defaults), (fit_seeded, one_generator),
            (fit_seeded, spawned_seeds)]
verdicts = {run.__name__: (checker_says(task, run), *guard_says(run))
            for task, run in VERSIONS}
print(f"{'version':<18} {'checker':<10} guard")
for name, (codes, guard, _) in verdicts.items():
    print(f"{name:<18} {', '.join(codes) or 'nothing':<10} {guard}")

# %%
# The checker cannot see that ``train_test_split`` and the tree draw when
# ``random_state`` is ``None``: that happens inside scikit-learn. The guard
# sees it happen, and names the first such call, in scikit-learn, and the
# task's line that led there:

import textwrap

for name, (_, _, said) in verdicts.items():
    print(f"{name}:")
    print(textwrap.fill(said, 79, initial_indent="  ",
                        subsequent_indent="  "), end="\n\n")

# %%
# Both catch the one generator handed to every task: each task gets a copy
# of it, in the same state, and the four splits repeat in pairs, batch by
# batch (:doc:`plot_batches_and_pools`). The spawned seeds pass, and, as
# seeds should, give the same scores when the run is repeated: running
# again is not a repeat across tasks.

again = spawned_seeds()
print("The same scores again:", again == spawned_seeds())

# %%
# What the guard does not see
# ---------------------------
#
# It watches NumPy's legacy global state (``np.random.*`` and the
# ``RandomState`` behind ``random_state=None``) and Python's ``random``
# module, and the NumPy generators, bit generators, ``RandomState``\ s,
# ``SeedSequence``\ s and ``random.Random``\ s that a task starts with:
# its arguments, a ``partial``'s, and the module-level and closed-over
# names its code uses. It does not watch PyTorch's or other libraries'
# own global states, a generator made in a task without a seed (that is
# independent, only not reproducible), nor an integer seed given to every
# task, which ``default_rng([seed, task_id])`` makes right.
#
# With threads, the tasks share one generator rather than copies of it:
# that is a race (:doc:`plot_shared_generator_threads`), not a repeat, and
# the guard lets it pass. A name bound before the task started, such as
# ``from numpy.random import rand``, is seen only when one guarded task
# runs at a time, and without its call site. Repeats are found across
# the processes of one machine, not across the machines of a cluster.

rng = np.random.default_rng(2026)
shared = guard_says(lambda: Parallel(n_jobs=2, backend="threading")(
    delayed(guarded(fit_seeded))(X, y, rng) for task in range(4)))
print("One generator shared by threads:", shared[0])

# %%
# What a clean task pays: the guard reads the task's arguments and the
# global states before and after it. Measured here, on a task that does
# nothing, in this process (``make bench`` times 1 ms and 100 ms tasks):

import time


def nothing(seed):
    return seed


def per_call(task):
    seeds = np.random.SeedSequence(1).spawn(2000)
    start = time.perf_counter()
    for seed in seeds:
        task(seed)
    return (time.perf_counter() - start) / len(seeds)


bare, wrapped = per_call(nothing), per_call(guarded(nothing))
added = (wrapped - bare) * 1e6
print(f"The guard adds {added:.0f} microseconds to each task.")
