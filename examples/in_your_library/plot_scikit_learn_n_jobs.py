r"""
===============================================================================
scikit-learn with n_jobs: RandomForestClassifier, GridSearchCV, cross_val_score
===============================================================================

Does ``n_jobs`` change your results? In scikit-learn 1.9, no: with
``random_state`` an int, ``RandomForestClassifier(n_jobs=2)`` grows the same
trees as ``n_jobs=1``, and ``cross_val_score`` and ``GridSearchCV`` give the
same scores for any ``n_jobs``. What changes results from one call to the
next is ``random_state=None``, or one ``RandomState`` instance that each
``fit`` or ``split`` advances. The recipes first, then the measurements.
"""

# %%
# Reproducible whatever n_jobs: an int everywhere
# -----------------------------------------------
#
# Give the estimator and the shuffling splitter an int. Then ``n_jobs=-1``
# and ``n_jobs=1`` return the same scores, run after run.

from importlib.metadata import version

import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import KFold, cross_val_score

X, y = make_classification(n_samples=200, n_features=8, random_state=0)
forest = RandomForestClassifier(n_estimators=10, random_state=0)
cv = KFold(n_splits=3, shuffle=True, random_state=0)
scores = [cross_val_score(forest, X, y, cv=cv, n_jobs=n) for n in [1, 2]]
print(f"scikit-learn {version('scikit-learn')}, joblib {version('joblib')}, "
      f"NumPy {np.__version__}")
print("cross_val_score, n_jobs=1 and n_jobs=2, same scores:",
      np.array_equal(*scores))

# %%
# Many models or many CV repeats: spawn one seed each
# ---------------------------------------------------
#
# One int for every repeat gives the same forest in every repeat. Spawn a
# seed per repeat from one root and pass its ints: repeats differ, and the
# whole run repeats. To pass a stream rather than an int, see
# :ref:`spawned-seed-for-scikit-learn`.


def repeated_scores(root, repeats=3):  # one CV run per spawned seed
    scores = []
    for seed in np.random.SeedSequence(root).spawn(repeats):
        forest_seed, split_seed = seed.generate_state(2).tolist()  # ints
        model = RandomForestClassifier(n_estimators=10,
                                       random_state=forest_seed)
        splits = KFold(n_splits=3, shuffle=True, random_state=split_seed)
        scores.append(tuple(cross_val_score(model, X, y, cv=splits)))
    return scores


runs = [repeated_scores(2024) for _ in range(2)]
print("3 repeats, all different:", len(set(runs[0])) == 3)
print("the whole run again, same scores:", runs[0] == runs[1])

# %%
# What each random_state does, with n_jobs 1 and 2
# ------------------------------------------------
#
# Four calls, each given four kinds of ``random_state``: the forest's, or
# the ``KFold(shuffle=True)``'s in the last column. Each runs with
# ``n_jobs=1`` and with ``n_jobs=2`` on fresh objects, then a second time
# on the same objects. ``same`` means bit for bit: every tree's splits, or
# every fold's score.

# Harness: the four calls, and what is compared (trees or scores)
from functools import partial

from sklearn.model_selection import GridSearchCV

child = np.random.SeedSequence(2024).spawn(1)[0]
KINDS = {"0": lambda: 0, "RandomState(0)": lambda: np.random.RandomState(0),
         "MT19937 bridge": lambda: np.random.RandomState(
             np.random.MT19937(child)), "None": lambda: None}


def trees(model):  # every split of every tree: feature and threshold
    return np.concatenate([np.r_[t.tree_.feature, t.tree_.threshold]
                           for t in model.estimators_])


forest_of = partial(RandomForestClassifier, n_estimators=5)


def scored(cv, random_state):  # cross_val_score, log loss: fine-grained
    model = forest_of(random_state=random_state)
    return lambda n_jobs: cross_val_score(
        model, X, y, cv=cv, scoring="neg_log_loss", n_jobs=n_jobs)


def searched(random_state):  # GridSearchCV, every fold's score
    search = GridSearchCV(forest_of(random_state=random_state),
                          {"max_features": [2, 4]}, cv=2,
                          scoring="neg_log_loss", refit=False)
    return lambda n_jobs: np.array([search.set_params(n_jobs=n_jobs).fit(
        X, y).cv_results_[f"split{i}_test_score"] for i in range(2)])


def fitted(random_state):  # RandomForestClassifier.fit, threads
    model = forest_of(random_state=random_state)
    return lambda n_jobs: trees(model.set_params(n_jobs=n_jobs).fit(X, y))


CALLS = {
    "RF.fit": fitted,
    "cross_val_score": lambda rs: scored(2, rs),
    "GridSearchCV": searched,
    "KFold(shuffle)": lambda rs: scored(KFold(2, shuffle=True,
                                              random_state=rs), 0),
}


def outcomes(call, kind):  # (n_jobs=1 == n_jobs=2, first == second call)
    first = call(KINDS[kind]())(1)
    again = call(KINDS[kind]())
    second = again(2)
    return np.array_equal(first, second), np.array_equal(second, again(2))


results = {kind: {name: outcomes(call, kind) for name, call in CALLS.items()}
           for kind in KINDS}
for index, question in enumerate(["n_jobs=1 vs n_jobs=2, fresh objects",
                                  "one object, called a second time"]):
    print(f"\n{question}:\n{'random_state=':15}" + "".join(
        f"{name:>16}" for name in CALLS))
    for kind, row in results.items():
        print(f"{kind:15}" + "".join(
            f"{'same' if cell[index] else 'DIFFERS':>16}"
            for cell in row.values()))

# %%
# Only ``None`` differs with ``n_jobs`` (it differs with ``n_jobs=1`` too:
# it draws from NumPy's global state, or a worker's). A second call differs
# where the object holds an instance that the call advances.

import matplotlib.pyplot as plt
from matplotlib.colors import ListedColormap

fig, axes = plt.subplots(2, 1, figsize=(5.6, 5.6), sharex=True)
for index, (ax, title) in enumerate(zip(axes, [
        "n_jobs=1 vs 2, fresh objects", "the same object, called twice"])):
    same = np.array([[cell[index] for cell in row.values()]
                     for row in results.values()])
    ax.imshow(~same, cmap=ListedColormap(["#e3eef8", "#b93a0b"]),
              vmin=0, vmax=1, aspect="auto")
    for (row, column), alike in np.ndenumerate(same):
        ax.text(column, row, "same" if alike else "differs", ha="center",
                va="center", color="black" if alike else "white")
    ax.set_yticks(range(len(KINDS)), list(KINDS))
    ax.set_ylabel("random_state=")
    ax.set_title(title, loc="left")
axes[1].set_xticks(range(len(CALLS)), [name.replace("_score", "\n_score")
                                       .replace("(", "\n(") for name in CALLS])
fig.tight_layout()

# %%
# Why n_jobs does not change the trees
# ------------------------------------
#
# ``fit`` draws one seed per tree from ``random_state`` in the calling
# thread (`_forest.py#L431 <https://github.com/scikit-learn/scikit-learn/
# blob/1.9.1/sklearn/ensemble/_forest.py#L431>`__, `_base.py#L81
# <https://github.com/scikit-learn/scikit-learn/blob/1.9.1/sklearn/
# ensemble/_base.py#L81>`__), then grows the trees in joblib threads
# (``prefer="threads"``, `#L468-L472 <https://github.com/scikit-learn/
# scikit-learn/blob/1.9.1/sklearn/ensemble/_forest.py#L468-L472>`__), each
# drawing its bootstrap rows from its own seed (`#L95-L103
# <https://github.com/scikit-learn/scikit-learn/blob/1.9.1/sklearn/
# ensemble/_forest.py#L95-L103>`__): which thread grows a tree cannot
# change it. ``predict_proba`` adds the trees' probabilities in the order
# the threads finish (`#L704-L717 <https://github.com/scikit-learn/
# scikit-learn/blob/1.9.1/sklearn/ensemble/_forest.py#L704-L717>`__); a
# floating-point sum taken in another order can differ in its last bits.

one, two = (RandomForestClassifier(n_estimators=10, min_samples_leaf=5,
                                   random_state=0, n_jobs=n).fit(X, y)
            for n in [1, 2])
per_tree = np.array([tree.predict_proba(X) for tree in one.estimators_])
print("n_jobs=1 vs 2: same tree seeds, same trees:",
      [t.random_state for t in one.estimators_]
      == [t.random_state for t in two.estimators_],
      np.array_equal(trees(one), trees(two)))
print("same feature_importances_:",
      np.array_equal(one.feature_importances_, two.feature_importances_))
reordered = np.abs(per_tree.sum(0) - per_tree[::-1].sum(0)).max()
print(f"trees' probabilities summed in reverse order: {reordered:.1e} off")
print("n_jobs=2 predict_proba within 1e-12 of n_jobs=1:",
      np.abs(one.predict_proba(X) - two.predict_proba(X)).max() < 1e-12)

# %%
# ``cross_validate`` (which ``cross_val_score`` calls) and ``GridSearchCV``
# fit in joblib's default backend, loky worker processes, each fit on a
# ``clone(estimator)`` (`_validation.py#L375-L378
# <https://github.com/scikit-learn/scikit-learn/blob/1.9.1/sklearn/
# model_selection/_validation.py#L375-L378>`__, `_search.py#L1083-L1085
# <https://github.com/scikit-learn/scikit-learn/blob/1.9.1/sklearn/
# model_selection/_search.py#L1083-L1085>`__), which copies a
# ``RandomState``: every fold starts from the same state, in any process.
# :doc:`plot_scikit_learn_splitters` measures
# it, and where scikit-learn's guide says otherwise.

# %%
# What to remember
# ----------------
#
# * In these calls ``n_jobs`` changes no tree and no split; ``None`` and
#   instances change them from call to call, whatever ``n_jobs``.
# * Reproducible and independent: an int per estimator and splitter, or
#   one spawned per repeat. Don't pass one ``RandomState`` expecting folds
#   or workers to share its stream: each clone gets a copy. A NumPy
#   ``Generator`` is refused:
#   :doc:`plot_scikit_learn_splitters`.

plt.show()
