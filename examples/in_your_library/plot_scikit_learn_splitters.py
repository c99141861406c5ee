r"""
=============================================================================
KFold(shuffle=True), train_test_split, clone: random_state int vs RandomState
=============================================================================

Your ``KFold(shuffle=True)`` or ``train_test_split`` gives another split at
each call, or ``cross_val_score`` other scores the second time you run it
(with ``n_jobs=-1``, say): the splitter holds a ``RandomState`` instance or
``None``, and each ``split`` advances it. An int gives the same split at
every call. Estimators are another story: ``cross_val_score`` and
``GridSearchCV`` clone them, and ``clone`` copies an instance, so every
fold starts from the same state. Measured, with a recipe for each case.
"""

# %%
# An int repeats, an instance moves on
# ------------------------------------
#
# Pass an int to every splitter whose splits you compare. One
# ``RandomState`` instance gives a new split at each call:

from importlib.metadata import version

import numpy as np
from sklearn.model_selection import KFold, train_test_split

rows = np.arange(20)


def held_out(random_state):  # which 3 of 20 rows a split holds out
    return train_test_split(rows, test_size=3, random_state=random_state)[1]


instance = np.random.RandomState(7)
print(f"scikit-learn {version('scikit-learn')}, NumPy {np.__version__}")
print("train_test_split, random_state=7, two calls, same split:",
      np.array_equal(held_out(7), held_out(7)))
print("one RandomState, two calls, same split:",
      np.array_equal(held_out(instance), held_out(instance)))

# %%
# ``KFold(shuffle=True)`` shuffles with ``check_random_state(random_state)``
# at every ``split`` (`_split.py#L521
# <https://github.com/scikit-learn/scikit-learn/blob/1.9.1/
# sklearn/model_selection/_split.py#L521>`__), and ``cross_val_score``
# calls the splitter you give it, uncloned (`#L2776
# <https://github.com/scikit-learn/scikit-learn/blob/1.9.1/sklearn/
# model_selection/_split.py#L2776>`__). Three calls each:


def folds(cv):  # each row's test fold, in one call to cv.split
    fold_of = np.empty(len(rows), dtype=int)
    for fold, (_, test) in enumerate(cv.split(rows)):
        fold_of[test] = fold
    return fold_of


splitters = {
    "random_state=0": KFold(4, shuffle=True, random_state=0),
    "RandomState(0)": KFold(4, shuffle=True,
                            random_state=np.random.RandomState(0))}
calls = {label: np.array([folds(cv) for _ in range(3)])
         for label, cv in splitters.items()}
for label, assigned in calls.items():
    print(f"KFold(shuffle=True, {label}), 3 calls, same folds:",
          all(np.array_equal(assigned[0], again) for again in assigned))

# %%
# Each row of 20 samples is one call; the colour is the sample's test fold.

import matplotlib.pyplot as plt

fig, axes = plt.subplots(2, 1, figsize=(5.6, 3.8), sharex=True)
for ax, (label, assigned) in zip(axes, calls.items()):
    ax.imshow(assigned, cmap="Set2", aspect="auto")
    for (call, row), fold in np.ndenumerate(assigned):
        ax.text(row, call, fold, ha="center", va="center", fontsize=9)
    ax.set_yticks(range(3), [f"call {n}" for n in (1, 2, 3)])
    ax.set_title(f"KFold(4, shuffle=True, {label})", loc="left")
axes[1].set_xticks(range(0, 20, 5))
axes[1].set_xlabel("sample (its number: its test fold)")
fig.tight_layout()

# %%
# Estimators: clone copies the instance
# -------------------------------------
#
# ``cross_val_score`` and ``GridSearchCV`` fit a ``clone`` of your
# estimator for each fold, and ``clone`` deep-copies a ``RandomState``
# parameter (`base.py#L108-L110
# <https://github.com/scikit-learn/scikit-learn/blob/1.9.1/
# sklearn/base.py#L108-L110>`__, `#L127-L129
# <https://github.com/scikit-learn/scikit-learn/blob/1.9.1/
# sklearn/base.py#L127-L129>`__). The copy starts where the original
# stood, and the two never touch each other again.

from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import cross_validate

X, y = make_classification(n_samples=200, n_features=8, random_state=0)


def forest(random_state):
    return RandomForestClassifier(n_estimators=10, random_state=random_state)


def trees(model):  # every split of every tree: feature and threshold
    return np.concatenate([np.r_[t.tree_.feature, t.tree_.threshold]
                           for t in model.estimators_])


model = forest(np.random.RandomState(0))
copy = clone(model)
print("clone(m).random_state is m.random_state:",
      copy.random_state is model.random_state)
print("clone copies the instance's state:", np.array_equal(
    copy.random_state.get_state()[1], model.random_state.get_state()[1]))
first, second = trees(model.fit(X, y)), trees(model.fit(X, y))
print("one instance, two fits, same trees:", np.array_equal(first, second))
print("then the clone's fit, same trees as the first fit:",
      np.array_equal(trees(copy.fit(X, y)), first))
sharing = forest(model.random_state)  # the same object, not a clone
print("an estimator given that same instance, same trees as the first:",
      np.array_equal(trees(sharing.fit(X, y)), first))


def fold_seeds(random_state):  # cross_val_score's engine, fold by fold
    fitted = cross_validate(forest(random_state), X, y, cv=5,
                            return_estimator=True)["estimator"]
    return [tuple(t.random_state for t in f.estimators_) for f in fitted]


for label, random_state in [("RandomState(0)", np.random.RandomState(0)),
                            ("None", None)]:
    print(f"cross_validate, {label}: folds with distinct tree seeds:",
          len(set(fold_seeds(random_state))), "of 5")

# %%
# What scikit-learn's guide says
# ------------------------------
#
# Its `Controlling randomness
# <https://scikit-learn.org/1.9/common_pitfalls.html#controlling-randomness>`__
# guide says three things the code above contradicts
# (`common_pitfalls.rst#L393-L395
# <https://github.com/scikit-learn/scikit-learn/blob/1.9.1/
# doc/common_pitfalls.rst#L393-L395>`__, `#L424-L431
# <https://github.com/scikit-learn/scikit-learn/blob/1.9.1/
# doc/common_pitfalls.rst#L424-L431>`__). "Each call to fit starts from a
# different RNG" in ``cross_val_score`` with an instance: all five folds
# drew the same tree seeds. A clone ``b`` of ``a`` "will still be
# different models" on the same data: ``b``'s fit grew ``a``'s first
# trees. They "share the same internal RNG", so "calling a.fit will consume
# b's RNG": ``b``'s fit ignored ``a``'s two fits. What holds is that
# estimators given one instance without a clone share
# it. The gap is scikit-learn issue `#26148
# <https://github.com/scikit-learn/scikit-learn/issues/26148>`__; PR `#32844
# <https://github.com/scikit-learn/scikit-learn/pull/32844>`__ proposes
# to rewrite the guide to match.
#
# Different but reproducible randomness in each fold
# --------------------------------------------------
#
# What the guide wants from an instance, a seed spawned per fold gives,
# reproducibly: loop over the splits yourself.


def per_fold_seeds(root):  # one forest per fold, one spawned seed each
    cv = KFold(5, shuffle=True, random_state=0)
    seeds = np.random.SeedSequence(root).spawn(cv.get_n_splits())
    return [forest(int(seed.generate_state(1)[0])).fit(
        X[train], y[train]).score(X[test], y[test])
        for (train, test), seed in zip(cv.split(X), seeds)]


print("spawned seeds per fold, same scores at every run:",
      per_fold_seeds(2024) == per_fold_seeds(2024))

# %%
# What scikit-learn refuses
# -------------------------
#
# A NumPy ``Generator`` or ``SeedSequence`` as ``random_state`` raises
# ``InvalidParameterError``, a ``ValueError``, as ``check_random_state``
# does (`validation.py#L1477-L1485 <https://github.com/scikit-learn/
# scikit-learn/blob/1.9.1/sklearn/utils/validation.py#L1477-L1485>`__).
# Support is scikit-learn issue `#16988 <https://github.com/scikit-learn/
# scikit-learn/issues/16988>`__ (work-in-progress PR `#23962
# <https://github.com/scikit-learn/scikit-learn/pull/23962>`__; SLEP022,
# `enhancement_proposals#88 <https://github.com/scikit-learn/
# enhancement_proposals/pull/88>`__). Meanwhile pass an int from
# ``generate_state``, or the MT19937 bridge
# (:ref:`spawned-seed-for-scikit-learn`).

for newer in [np.random.default_rng(0), np.random.SeedSequence(0)]:
    try:
        forest(newer).fit(X, y)
    except ValueError as error:
        print(f"random_state={type(newer).__name__}: {type(error).__name__}")

# %%
# What to remember
# ----------------
#
# * Splitters: an int, always. An instance (or ``None``) gives each call,
#   and each ``cross_val_score`` run, other splits, whatever ``n_jobs``.
# * Estimators: an instance passed to ``cross_val_score`` or
#   ``GridSearchCV`` is copied into every fold, not shared. For other
#   randomness in each fold, spawn a seed per fold. ``n_jobs`` itself:
#   :doc:`plot_scikit_learn_n_jobs`.

plt.show()
