r"""
=====================================================
Guard your tasks: catch, as they run, what code hides
=====================================================

A task that calls ``train_test_split(X, y)`` seeds nothing and shares no
generator, yet scikit-learn draws from NumPy's global state
(:doc:`../why_it_happens/plot_library_calls`). :doc:`The checker
<plot_check_your_code>` knows only the calls on its list; the guard sees
every draw. Wrap each
task with :download:`rng_guard.py <../../../tools/rng_guard.py>`,
``delayed(guarded(fit_one))(X, y)``: it raises an error naming the call
(or warns) when a task draws from a global state or starts in another's
state. Or run a program unedited: ``python -m rng_guard``.
"""

# %%
# What the checker and the guard say
# ----------------------------------
#
# Each version scores a decision tree on a random split, in four tasks on
# two loky workers. The first leaves ``random_state`` at ``None``; the
# second hands one generator to every task; the third gives each task a
# seed spawned for it, and bridges it to scikit-learn's ``random_state``.

# sphinx_gallery_thumbnail_path = "_static/thumbnails/guard_your_tasks.png"
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
    sys.path.append(str(Path(__file__).resolve().parents[2] / "tools"))
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
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from inspect import getsource
from pathlib import Path

import rng_check  # the checker, beside this script in its zip
import rng_guard


def checker_says(task, run):
    """The codes rng_check finds in the task and the call that runs it."""
    source = "\n".join([
        "import numpy as np", "from joblib import Parallel, delayed",
        "from sklearn.model_selection import train_test_split",
        "from sklearn.tree import DecisionTreeClassifier",
        "from rng_guard import guarded", getsource(task), getsource(run)])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "tasks.py")
        path.write_text(source)
        return sorted({finding.code for finding in rng_check.check_file(path)})


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
# The checker reports ``train_test_split`` because it is on its list, made
# from scikit-learn's and SciPy's signatures (RSP008); other libraries'
# calls are on none. The guard needs no list: it sees the draw in
# scikit-learn, and names the first such call and the task's line:

for name, (_, _, said) in verdicts.items():
    print(f"{name}:")
    print(textwrap.indent(textwrap.fill(said, 77), "  "), end="\n\n")

# %%
# Both catch the one generator handed to every task: each gets a copy, in
# one state. Unguarded, it gives the four tasks these splits:


def split_of(y, seed):  # the test rows of fit_seeded's split
    rng = np.random.default_rng(seed)
    random_state = np.random.RandomState(rng.bit_generator)
    return tuple(train_test_split(np.arange(len(y)),
                                  random_state=random_state)[1])


shared_rng = np.random.default_rng(2026)
splits = Parallel(n_jobs=2)(delayed(split_of)(y, shared_rng)
                            for task in range(4))
print(f"distinct splits among the 4 tasks: {len(set(splits))}")
print(f"first test row of each task: {[int(rows[0]) for rows in splits]}")

# %%
# One split, four times: joblib's first dispatch sends each of the first
# ``2 * n_jobs`` tasks in a batch of its own, so every task unpickles its
# own copy of the generator, in the state it had when ``Parallel`` began
# (with many short tasks, batches grow and only some results repeat:
# :doc:`../why_it_happens/plot_batches_and_pools`). The spawned seeds
# pass, and give the same scores when the run is repeated.

print("The same scores again:", spawned_seeds() == spawned_seeds())

# %%
# A program nobody edited
# -----------------------
#
# ``python -m rng_guard script.py`` runs it with every task guarded, and
# exits 3 with a report if one misused a state. As the site was built:

SCRIPT = """from joblib import Parallel, delayed
from sklearn.model_selection import train_test_split
def split(i):
    return train_test_split(range(20), test_size=5)[1]
print(Parallel(n_jobs=2)(delayed(split)(i) for i in range(4)))
"""
with tempfile.TemporaryDirectory() as folder:
    Path(folder, "script.py").write_text(SCRIPT)
    tools = str(Path(rng_guard.__file__).parent)  # where rng_guard.py is
    run = subprocess.run([sys.executable, "-m", "rng_guard", "script.py"],
                         cwd=folder, env={**os.environ, "PYTHONPATH": tools},
                         capture_output=True, text=True)
report = run.stderr[run.stderr.index("rng_guard: RandomStateMisuse"):]
for line in [f"exit status {run.returncode}", *report.splitlines()]:
    print(textwrap.fill(line, 79, subsequent_indent="     "))

# %%
# What the guard does not see
# ---------------------------
#
# Not PyTorch's global state, a generator made unseeded in a task, one
# seed given to every task, repeats across a cluster's machines, nor
# threads sharing one generator: a race, not a repeat.

shared = guard_says(lambda: Parallel(n_jobs=2, backend="threading")(
    delayed(guarded(fit_seeded))(X, y, shared_rng) for task in range(4)))
print("One generator shared by threads:", shared[0])

# %%
# What a clean task pays, measured here on a task that does nothing
# (``make bench`` times 1 ms and 100 ms tasks, and the runner):


def nothing(seed):
    return seed


def per_call(task, seeds=np.random.SeedSequence(1).spawn(2000)):
    start = time.perf_counter()
    list(map(task, seeds))
    return (time.perf_counter() - start) / len(seeds)


added = (per_call(guarded(nothing)) - per_call(nothing)) * 1e6
print(f"The guard adds {added:.0f} microseconds to each task.")

# %%
# Sources: scikit-learn 1.9.1's `check_random_state(None) returns NumPy's
# global RandomState <https://github.com/scikit-learn/scikit-learn/blob/
# 1.9.1/sklearn/utils/validation.py#L1477-L1478>`__; joblib 1.6.0's
# `first batches hold one task each <https://github.com/joblib/joblib/
# blob/1.6.0/joblib/parallel.py#L1062-L1077>`__.
