r"""
================================================
A Monte Carlo estimate, identical on any backend
================================================

A real workload: estimate π by throwing random points at a square and
counting those that land inside the quarter circle. The work is split into
chunks, every chunk gets its own generator spawned from one root seed, and
the chunks run under ``joblib.Parallel``. The estimate is then the same to
the last bit for any number of workers and any backend, as long as three
more things hold, which this example names and breaks one by one. It also
plots how the estimate converges and times each backend.
"""

# %%
# One chunk of work
# -----------------
#
# A chunk draws ``n_points`` points uniformly in the unit square and counts
# those inside the quarter circle of radius 1. The fraction inside tends to
# π/4.

import functools
import operator
import time

import matplotlib.pyplot as plt
import numpy as np
from joblib import Parallel, delayed

ROOT_SEED = 31415
N_CHUNKS = 24
POINTS_PER_CHUNK = 1_000_000


def count_inside(seed, n_points=POINTS_PER_CHUNK):
    """How many random points of the unit square fall in the circle."""
    x, y = np.random.default_rng(seed).random((2, n_points))
    return int(np.count_nonzero(x * x + y * y <= 1.0))


def estimate_pi(n_jobs, backend):
    """Run every chunk with its own spawned seed; return each chunk's count."""
    seeds = np.random.SeedSequence(ROOT_SEED).spawn(N_CHUNKS)
    parallel = Parallel(n_jobs=n_jobs, backend=backend)
    return np.array(parallel(delayed(count_inside)(seed) for seed in seeds))


def pi_from(counts):
    return 4 * counts.sum() / (len(counts) * POINTS_PER_CHUNK)


# %%
# Every backend, every number of workers
# --------------------------------------
#
# Each run is timed; the first loky run also pays for starting its workers.
# The ``multiprocessing`` backend is measured, start method by start
# method, in :doc:`plot_behaviour_matrix`.

CONFIGURATIONS = [(1, "sequential"), (2, "loky"), (4, "loky"),
                  (2, "threading")]
estimates, seconds = {}, {}
for n_jobs, backend in CONFIGURATIONS:
    start = time.perf_counter()
    estimates[n_jobs, backend] = pi_from(estimate_pi(n_jobs, backend))
    seconds[n_jobs, backend] = time.perf_counter() - start

reference = estimates[1, "sequential"]
for (n_jobs, backend), value in estimates.items():
    print(f"n_jobs={n_jobs}, {backend:10} {value.hex()}, same bits as "
          f"sequential: {value.hex() == reference.hex()}")

# %%
# ``float.hex`` shows the estimate's exact binary value: "the same" means
# the same to the last bit.
#
# What that takes
# ---------------
#
# Spawned seeds make every chunk's numbers independent of the worker that
# draws them. Three more conditions make the *total* independent too:
#
# 1. each chunk returns an integer, so adding the counts is exact in any
#    order;
# 2. joblib returns the results in the order the tasks were submitted;
# 3. the chunks, and so the seeds, do not depend on ``n_jobs``.
#
# Break any one and the bits change. Partial results as floats (each
# chunk's own estimate), added up one by one in the order the tasks happen
# to finish, as ``return_as="generator_unordered"`` yields them: a few
# orders of the same 24 floats already give different totals. (Python's
# ``sum()`` compensates rounding since 3.12, which can hide this; a running
# total over results as they arrive does not.)

partials = 4 * estimate_pi(1, "sequential") / POINTS_PER_CHUNK
shuffler = np.random.default_rng(0)
orders = [shuffler.permutation(N_CHUNKS) for _ in range(20)]
totals = {functools.reduce(operator.add, partials[order].tolist())
          for order in orders}
print(f"float partials, 20 completion orders: {len(totals)} different sums")

# %%
# And chunks cut by worker, one per worker, with one seed each: the seeds,
# and so the estimate, change with ``n_jobs``.


def estimate_per_worker(n_jobs):
    n_points = N_CHUNKS * POINTS_PER_CHUNK // n_jobs
    seeds = np.random.SeedSequence(ROOT_SEED).spawn(n_jobs)
    counts = Parallel(n_jobs=n_jobs)(
        delayed(count_inside)(seed, n_points) for seed in seeds)
    return 4 * sum(counts) / (n_jobs * n_points)


by_worker = {n_jobs: estimate_per_worker(n_jobs) for n_jobs in (1, 2)}
for n_jobs, value in by_worker.items():
    print(f"one chunk per worker, n_jobs={n_jobs}: {value!r}")

# %%
# How the estimate converges
# --------------------------
#
# Adding the chunks one at a time shows the estimate settling towards π.
# The band is the 95% interval of a binomial proportion: its half-width
# shrinks like one over the square root of the number of points.

counts = estimate_pi(1, "sequential")
points = POINTS_PER_CHUNK * np.arange(1, N_CHUNKS + 1)
running = 4 * np.cumsum(counts) / points
half_width = 4 * 1.96 * np.sqrt(running / 4 * (1 - running / 4) / points)
inside_band = bool(abs(running[-1] - np.pi) <= half_width[-1])
print(f"final estimate {running[-1]:.5f} from {points[-1]:,} points")
print(f"pi lies within the 95% interval: {inside_band}")

fig, ax = plt.subplots(figsize=(5.6, 4.2))
ax.fill_between(points, running - half_width, running + half_width,
                color="#9ecae1", label="95% interval")
ax.plot(points, running, "o-", color="#2f7ebc", label="estimate")
ax.axhline(np.pi, color="#b93a0b", linestyle="--", label="π")
ax.set(xscale="log", xlabel="number of random points",
       ylabel="estimate of π")
ax.legend(loc="upper right")
ax.grid(True, color="#dddddd")
ax.set_title(f"{N_CHUNKS} chunks of {POINTS_PER_CHUNK:,} points",
             loc="left")
fig.tight_layout()

# %%
# Wall time per backend
# ---------------------
#
# Measured once, while this page was built, on whatever machine built it
# (the site's CI has 2 shared cores). They include starting the workers,
# which weighs heavily on work this small, and they vary from run to run.
# Measure your own workload before choosing a backend; whichever you
# choose, the estimate above does not change.

for (n_jobs, backend), value in seconds.items():
    print(f"n_jobs={n_jobs}, {backend:10} {value:6.3f} s")

plt.show()

# %%
# Sources: joblib 1.6.0's ``return_as`` `returns results in the order the
# tasks were submitted, except "generator_unordered"
# <https://github.com/joblib/joblib/blob/1.6.0/joblib/parallel.py
# #L1033-L1042>`__; CPython's `compensated sum() of floats
# <https://github.com/python/cpython/issues/100425>`__, from 3.12.
