r"""
============================================================
Seeded, yet different with n_jobs: LightGBM, optuna, gensim
============================================================

"I set the seed, but LightGBM gives different results with another
``num_threads``"; "optuna with ``n_jobs>1`` is not reproducible"; "gensim's
Word2Vec with several ``workers`` is not reproducible". A seed fixes the
random draws, not the order in which threads add numbers or finish tasks.
LightGBM's ``deterministic=True`` fixes the order; for optuna and gensim,
one thread (``n_jobs=1``, ``workers=1``) does. The fix, then the proof.
"""

# %%
# The fix, per library
# --------------------
#
# .. code-block:: python
#
#    # LightGBM: the same bits with 1 or 2 threads (its docs: any number)
#    params = {"seed": 7, "deterministic": True, "force_row_wise": True,
#              "num_threads": 2}
#    # optuna: a seeded sampler, one trial at a time
#    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=7))
#    study.optimize(objective, n_trials=50, n_jobs=1)
#    # gensim: one worker thread, and the hash seed fixed before Python
#    # starts (PYTHONHASHSEED=0 python train.py)
#    model = Word2Vec(sentences, seed=7, workers=1)
#
# Their documentation says so. LightGBM 4.7.0's `deterministic
# <https://lightgbm.readthedocs.io/en/v4.7.0/Parameters.html#deterministic>`__
# "should ensure the stable results when using the same data and the same
# parameters (and different ``num_threads``)", with ``force_row_wise`` or
# ``force_col_wise`` set. optuna's `FAQ <https://github.com/optuna/optuna/
# blob/v4.9.0/docs/source/faq.rst#how-can-i-obtain-reproducible-optimization-
# results>`__ finds "inherent non-determinism" in parallel mode and
# recommends running trials sequentially. gensim's `Word2Vec docstring
# <https://github.com/piskvorky/gensim/blob/4.4.0/gensim/models/
# word2vec.py#L306-L311>`__ asks for ``workers=1`` "to eliminate ordering
# jitter from OS thread scheduling", and for ``PYTHONHASHSEED``.
#
# Adding in another order
# -----------------------
#
# Floating-point addition rounds, so a sum depends on its order. Threads
# split a sum: each adds its block in order, then the blocks' sums are
# added. Here 2000 labels of many magnitudes, as prices are, that LightGBM
# learns below:

import math

import numpy as np

rng = np.random.default_rng(0)
features = rng.standard_normal((2000, 5))
labels = np.float32(np.exp(4 * rng.standard_normal(2000))
                    * (1 + features[:, 0] ** 2))


def threaded_sum(values, n_threads):  # one block per thread, in order
    blocks = np.array_split(np.float64(values), n_threads)
    partials = [np.add.accumulate(block)[-1] for block in blocks]
    return float(np.add.accumulate(partials)[-1])


THREADS = [1, 2, 3, 4, 8]
sums = {n: threaded_sum(labels, n) for n in THREADS}
exact = math.fsum(np.float64(labels))
ulp = math.ulp(exact)  # the gap between two neighbouring doubles there
print(f"NumPy {np.__version__}; exact sum {exact!r}")
for n, total in sums.items():
    print(f"{n} thread(s): {total!r}, {(total - exact) / ulp:+.0f} ulp")

# %%
# The thread count moves the last digits. LightGBM starts a
# regression from the mean label, summed this way over its threads unless
# ``deterministic`` is set (`regression_objective.hpp <https://github.com/
# microsoft/LightGBM/blob/v4.7.0/src/objective/regression_objective.hpp
# #L173-L190>`__), and it sums gradients over threads too.

import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(5.6, 3.2), layout="constrained")
off = [(sums[n] - exact) / ulp for n in THREADS]
bars = ax.barh([f"{n} thread{'s' * (n > 1)}" for n in THREADS], off,
               color=["#1f5fa0" if v == off[0] else "#b93a0b" for v in off])
ax.bar_label(bars, fmt="%+.0f", padding=4, fontsize=13)
ax.set_xlim(0, max(off) * 1.2)
ax.invert_yaxis()
ax.set_title("Same 2000 numbers; orange: not the 1-thread sum", loc="left")
ax.set_xlabel("distance from the exact sum (ulp)", fontsize=13)
ax.tick_params(labelsize=13)

# %%
# LightGBM: one seed, two thread counts
# -------------------------------------
#
# Each model learns these labels with ``seed=7`` and bagging, in a fresh
# interpreter (OpenMP's threads outlive the call), with ``num_threads`` 1,
# 2, then 2 again; their 2000 predictions are compared bit for bit.

CONFIGS = {"seed=7": {},  # label: parameters added to the seed
           "seed=7, deterministic": {"deterministic": True,
                                     "force_row_wise": True}}
RUNS = [1, 2, 2]  # num_threads of each run

# %%
# Harness: train in a fresh interpreter, read predictions back as JSON
import json
import subprocess
import sys
import tempfile
from pathlib import Path

SCRIPT = """
import json, sys, lightgbm as lgb, numpy as np
features, labels, configs, runs = json.loads(sys.stdin.read())
data = lgb.Dataset(np.array(features), np.array(labels))
base = {"objective": "regression", "seed": 7, "verbose": -1,
        "bagging_fraction": 0.8, "bagging_freq": 1}
out = {name: [lgb.train({**base, "num_threads": n, **extra}, data, 50)
              .predict(np.array(features)).tolist() for n in runs]
       for name, extra in configs.items()}
print(json.dumps([lgb.__version__, out]))
"""


def train_in_fresh_python():  # LightGBM's version, {config: predictions}
    given = json.dumps([features.tolist(), labels.tolist(), CONFIGS, RUNS])
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "train.py").write_text(SCRIPT)
        printed = subprocess.run(
            [sys.executable, "train.py"], cwd=folder, input=given,
            capture_output=True, text=True, timeout=120, check=True).stdout
    lightgbm_version, out = json.loads(printed)
    return lightgbm_version, {k: np.array(v) for k, v in out.items()}


# %%
# Trained, then compared:

lightgbm_version, predictions = train_in_fresh_python()
same_bits = {name: (np.array_equal(one, two), np.array_equal(two, again))
             for name, (one, two, again) in predictions.items()}
print(f"LightGBM {lightgbm_version}, same predictions, bit for bit:")
for name, (one_two, two_two) in same_bits.items():
    print(f"{name:22} threads 1 vs 2: {one_two!s:5}  2 vs 2: {two_two}")
plain = predictions["seed=7"]
differ = int(np.sum(plain[0] != plain[1]))
relative = float(np.max(np.abs(plain[0] - plain[1]) / np.abs(plain[0])))
print(f"seed=7: {differ} of 2000 predictions differ, by at most "
      f"{relative:.0e} relative")

# %%
# The same ``num_threads`` repeated its bits; another moved the last
# digits. With ``deterministic`` and ``force_row_wise``, it did not.
#
# optuna: which trial sees which result
# -------------------------------------
#
# A sampler such as TPE suggests from the trials finished so far. With
# ``n_jobs=2`` two trials run at once, so the second is suggested before
# the first reports, and later ones see whatever has finished by then:
# timing. A seeded sampler of that kind, simulated with threads:

import threading
import time
from concurrent.futures import ThreadPoolExecutor


def study(n_jobs, n_trials=8):  # [(x suggested, finished trials seen)]
    sampler, lock = np.random.default_rng(7), threading.Lock()
    started, done, asked = threading.Barrier(n_jobs), [], []

    def trial(number):
        with lock:  # ask: near the best x so far, or anywhere at first
            best = min(done)[1] if done else 0.0
            x = best + sampler.normal()
            asked.append((round(x, 6), len(done)))
        if number < n_jobs:  # the first n_jobs trials run at once
            started.wait()
        time.sleep(0.01)  # stands for training
        with lock:  # tell: report the loss
            done.append(((x - 2) ** 2, x))

    with ThreadPoolExecutor(n_jobs) as pool:
        list(pool.map(trial, range(n_trials)))
    return asked


sequential, parallel = study(1), study(2)
print(f"n_jobs=1, twice, same trials: {study(1) == sequential}")
print(f"finished trials the 2nd suggestion saw: n_jobs=1: "
      f"{sequential[1][1]}, n_jobs=2: {parallel[1][1]}")
print(f"n_jobs=2, same trials as n_jobs=1: {parallel == sequential}")

# %%
# gensim: workers and the hash seed
# ---------------------------------
#
# gensim's Word2Vec threads update one set of weights in whatever order
# the system runs them; only ``workers=1`` fixes it. Its default
# ``hashfxn`` is Python's ``hash``, salted anew at each launch unless
# ``PYTHONHASHSEED`` is set to a number (``random`` is as if unset):

import os


def launch_hash(hash_seed):  # hash("king7") in a new interpreter
    return subprocess.run([sys.executable, "-c", "print(hash('king7'))"],
                          env=dict(os.environ, PYTHONHASHSEED=hash_seed),
                          capture_output=True, text=True, check=True).stdout


salted = launch_hash("random") != launch_hash("random")
fixed = launch_hash("0") == launch_hash("0")
print(f"two launches: hash differs: {salted}; "
      f"with PYTHONHASHSEED=0, same: {fixed}")

plt.show()
