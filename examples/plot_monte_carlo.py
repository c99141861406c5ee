r"""
================================================
A Monte Carlo estimate, identical on any backend
================================================

A real workload: estimate π by throwing random points at a square and
counting those that land inside the quarter circle. The work is split into
chunks, every chunk gets its own generator spawned from one root seed, and
the chunks run under ``joblib.Parallel``. Because each chunk's numbers depend
only on the root seed and the chunk's index, the estimate is the same to the
last bit for any number of workers and any backend. The example plots how
the estimate converges and times each backend, with a caveat about what such
timings mean.
"""

# %%
# One chunk of work
# -----------------
#
# A chunk draws ``n_points`` points uniformly in the unit square and counts
# those inside the quarter circle of radius 1. The fraction inside tends to
# π/4.

import multiprocessing
import time

import matplotlib.pyplot as plt
import numpy as np
from joblib import Parallel, delayed

ROOT_SEED = 31415
N_CHUNKS = 24
POINTS_PER_CHUNK = 1_000_000


def count_inside(seed, n_points=POINTS_PER_CHUNK):
    """Number of random points of the unit square inside the quarter circle."""
    generator = np.random.default_rng(seed)
    x, y = generator.random((2, n_points))
    return int(np.count_nonzero(x * x + y * y <= 1.0))


def estimate_pi(n_jobs, backend):
    """Run every chunk with its own spawned seed; return the counts per chunk."""
    seeds = np.random.SeedSequence(ROOT_SEED).spawn(N_CHUNKS)
    parallel = Parallel(n_jobs=n_jobs, backend=backend)
    return np.array(parallel(delayed(count_inside)(seed) for seed in seeds))


def pi_from(counts):
    return 4 * counts.sum() / (len(counts) * POINTS_PER_CHUNK)


# %%
# Every backend, every number of workers
# --------------------------------------
#
# The ``multiprocessing`` backend is asked for ``fork`` where the platform
# has it (``spawn`` would re-run this script in every worker). Each run is
# timed; the first loky run also pays for starting its workers.

CONFIGURATIONS = [(1, "sequential"), (2, "loky"), (2, "threading")]
if "fork" in multiprocessing.get_all_start_methods():
    CONFIGURATIONS.append((2, "multiprocessing (fork)"))
else:
    print("multiprocessing (fork): skipped, this platform cannot fork.")


def backend_for(name):
    if name == "multiprocessing (fork)":
        return multiprocessing.get_context("fork")
    return name


estimates = {}
seconds = {}
for n_jobs, name in CONFIGURATIONS:
    start = time.perf_counter()
    counts = estimate_pi(n_jobs, backend_for(name))
    seconds[(n_jobs, name)] = time.perf_counter() - start
    estimates[(n_jobs, name)] = pi_from(counts)

reference = estimates[(1, "sequential")]
for (n_jobs, name), value in estimates.items():
    print(f"n_jobs={n_jobs}, {name:24s} estimate {float(value)!r} ({value.hex()}); "
          f"same bits as sequential: {value.hex() == reference.hex()}")

# %%
# The comparison uses the estimate's exact binary representation
# (``float.hex``), so "the same" means the same to the last bit.
#
# How the estimate converges
# --------------------------
#
# Adding the chunks one at a time shows the estimate settling towards π.
# The band is the 95% interval of a binomial proportion: its half-width
# shrinks like one over the square root of the number of points.

counts = estimate_pi(1, "sequential")
points = POINTS_PER_CHUNK * np.arange(1, N_CHUNKS + 1)
running = 4 * np.cumsum(counts) / points
fraction = running / 4
half_width = 4 * 1.96 * np.sqrt(fraction * (1 - fraction) / points)
inside_band = bool(abs(running[-1] - np.pi) <= half_width[-1])
print(f"final estimate {running[-1]:.5f} from {points[-1]:,} points; "
      f"pi lies within the 95% interval: {inside_band}")


def plot_convergence():
    fig, ax = plt.subplots(figsize=(7.6, 4.2), facecolor="white")
    ax.fill_between(points, running - half_width, running + half_width,
                    color="#9ecae1", label="95% interval")
    ax.plot(points, running, "o-", color="#2f7ebc", linewidth=2, label="estimate")
    ax.axhline(np.pi, color="#b93a0b", linestyle="--", linewidth=2, label="π")
    ax.set_xscale("log")
    ax.set_xlabel("number of random points")
    ax.set_ylabel("estimate of π")
    ax.legend(loc="upper right", fontsize=10)
    ax.grid(True, color="#dddddd")
    ax.set_title(f"Estimating π with {N_CHUNKS} chunks of {POINTS_PER_CHUNK:,} points",
                 loc="left", fontsize=12)
    fig.tight_layout()
    return fig


plot_convergence()
plt.show()

# %%
# Wall time per backend
# ---------------------
#
# A caveat before reading these numbers: they were measured once, while this
# page was built, on whatever machine built it (the site's CI uses 2 cores,
# shared with other jobs). They include starting the workers, which weighs
# heavily on work this small, and they vary from run to run. Measure your
# own workload before choosing a backend; whatever you choose, the estimate
# above does not change.

for (n_jobs, name), value in seconds.items():
    print(f"n_jobs={n_jobs}, {name:24s} {value:6.3f} s")
