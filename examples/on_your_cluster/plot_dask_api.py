r"""
=========================================================================
dask's own API: client.submit, client.map, delayed and dask.array.random
=========================================================================

With ``client.submit`` or ``client.map``, every task draws the same from
a generator made at the top of your script, and the ``seed`` given to
``np.random.seed`` never reaches the workers; equal calls, such as
``client.map(f, [0] * 6)`` or a reused ``delayed`` object, run once and
share one draw. With ``dask.array.random``, one seed gives other numbers
when the chunks change. Measured on a cluster of two worker processes;
the fixes: a spawned seed per task, passed as an argument; fixed chunks.
"""

# %%
# ``dask_client`` starts two worker processes and always stops them:

# Harness: two workers as separate programs, as on a real cluster
# (SubprocessCluster; on Windows, threads, sharing a module generator).
import sys
from contextlib import contextmanager

from dask.distributed import Client, LocalCluster


@contextmanager
def dask_client():
    if sys.platform == "win32":
        cluster = LocalCluster(n_workers=2, threads_per_worker=1,
                               processes=False, dashboard_address=None)
    else:
        from distributed.deploy.subprocess import SubprocessCluster

        cluster = SubprocessCluster(n_workers=2, threads_per_worker=1,
                                    dashboard_address=":0")
    with cluster, Client(cluster) as client:
        client.wait_for_workers(2)
        yield client


# %%
# The fix to paste
# ----------------
#
# One ``SeedSequence`` child per task, passed as the task's argument; the
# task makes its own generator from it. For ``dask.array``, keep the
# chunks with the seed: they are part of what it means.

from importlib.metadata import version

import numpy as np

ROOT_SEED = 8786
N_TASKS = 6


def simulate(seed):  # a task: its own generator, from the seed it is given
    return np.random.default_rng(seed).integers(1000, size=4)


seeds = np.random.SeedSequence(ROOT_SEED).spawn(N_TASKS)  # one per task
with dask_client() as client:
    mapped = np.array(client.gather(client.map(simulate, seeds)))
    submitted = np.array(client.gather(
        [client.submit(simulate, seed) for seed in seeds]))
# x = da.random.default_rng(ROOT_SEED).random(n, chunks=FIXED_CHUNKS)

local = np.array([simulate(seed) for seed in seeds])
print(f"dask {version('dask')}, distributed {version('distributed')}, "
      f"NumPy {np.__version__}")
print(f"spawned seeds: {len(np.unique(mapped, axis=0))} distinct of "
      f"{N_TASKS}; map, submit, a local loop bit-identical: "
      f"{mapped.tobytes() == submitted.tobytes() == local.tobytes()}")

# %%
# What goes wrong without it
# --------------------------
#
# A generator made at import, the global state seeded by the script, and
# calls with equal arguments, six tasks each, on a new cluster
# (joblib's dask backend: :doc:`plot_dask_cluster`).

import dask

MODULE_RNG = np.random.default_rng(ROOT_SEED)  # made once, in this process
np.random.seed(ROOT_SEED)  # seeds this process's global state only


def from_module_generator(task):
    return MODULE_RNG.integers(1000, size=4)


def from_global_state(task):
    return np.random.randint(1000, size=4)


def draw_unseeded(_=None):
    return np.random.default_rng().integers(1000, size=4)


tasks, zeros = range(N_TASKS), [0] * N_TASKS
with dask_client() as client:
    futures = {
        "generator made at import": client.map(from_module_generator, tasks),
        "np.random.seed in script": client.map(from_global_state, tasks),
        "map(f, [0] * 6)": client.map(draw_unseeded, zeros),
        "map(f, [0] * 6, pure=False)": client.map(draw_unseeded, zeros,
                                                  pure=False),
    }
    results = {label: np.array(values)
               for label, values in client.gather(futures).items()}
    reused = dask.delayed(draw_unseeded)()
    results["one delayed, computed 6x"] = np.array(
        dask.compute(*[reused] * N_TASKS))

distinct = {label: len(np.unique(values, axis=0))
            for label, values in results.items()}
for label, count in distinct.items():
    print(f"{label:28} {count} distinct of {N_TASKS}")
first = np.random.default_rng(ROOT_SEED).integers(1000, size=4)
seeded = np.random.RandomState(ROOT_SEED).randint(1000, size=4)
print("import-time generator: every task drew its first numbers: "
      f"{bool((results['generator made at import'] == first).all())}")
print("global state: a task drew what np.random.seed gave here: " + str(
    (results["np.random.seed in script"] == seeded).all(axis=1).any()))

# %%
# Each task unpickles its own copy of ``MODULE_RNG``, made before any
# draw. With ``pure=True``, the default of ``client.submit`` and
# ``client.map``, a call's key is a hash of the function and its arguments
# (`client.py <https://github.com/dask/distributed/blob/2026.8.0/
# distributed/client.py#L2119-L2122>`__, `Pure functions by default
# <https://github.com/dask/distributed/blob/2026.8.0/docs/source/
# client.rst#pure-functions-by-default>`__): equal calls are one task and
# one draw, reused while a future holds it. One ``Delayed`` object is one
# key too: make a new ``delayed`` call for every draw you want.
#
# Where ``random`` repeats: workers that import your script
# ---------------------------------------------------------
#
# The workers above never import your script. A ``LocalCluster`` of
# processes does: its nanny starts workers with ``spawn``, which imports
# the main module. This script seeds ``random`` and NumPy at import; each
# worker then draws from both (``client.run``), in a fresh interpreter:

SCRIPT = """
import json, random
import numpy as np
random.seed(42)
np.random.seed(42)
def draw():
    return [[random.getrandbits(32) for _ in range(5000)],
            np.random.randint(2**32, size=5000).tolist()]
if __name__ == "__main__":
    from dask.distributed import Client, LocalCluster
    with LocalCluster(n_workers=2, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            print(json.dumps(list(client.run(draw).values())))
"""

# Harness: run SCRIPT in a fresh interpreter, and read what it printed
import json
import random
import subprocess
import tempfile
from pathlib import Path

with tempfile.TemporaryDirectory() as folder:
    Path(folder, "seeded.py").write_text(SCRIPT)
    printed = subprocess.run([sys.executable, "seeded.py"], cwd=folder,
                             capture_output=True, check=True).stdout
(random_1, numpy_1), (random_2, numpy_2) = json.loads(printed)
random_42 = set(map(random.Random(42).getrandbits, [32] * 10**5))
numpy_42 = set(np.random.RandomState(42).randint(2**32, size=10**5).tolist())
print("random: both workers replay random.seed(42)'s stream: "
      f"{set(random_1 + random_2) <= random_42}")
print("NumPy: a worker replays np.random.seed(42)'s stream: "
      f"{set(numpy_1) <= numpy_42 or set(numpy_2) <= numpy_42}")

# %%
# The nanny runs ``dask.multiprocessing.default_initializer`` in each
# worker (`nanny.py <https://github.com/dask/distributed/blob/2026.8.0/
# distributed/nanny.py#L1030-L1032>`__), which calls ``np.random.seed()``
# if NumPy is already imported (`multiprocessing.py
# <https://github.com/dask/dask/blob/2026.8.0/dask/multiprocessing.py
# #L255-L260>`__): NumPy's global state only, never ``random``. Each
# worker's ``random`` numbers are the other's, shifted by those that
# dask itself draws (retry jitter, sampling before compression).
#
# Arrays: the chunks are part of the seed
# ---------------------------------------
#
# ``dask.array.random`` spawns one child of the seed per block, and draws
# block ``i`` from child ``i`` (`random.py <https://github.com/dask/dask/
# blob/2026.8.0/dask/array/random.py#L794-L797>`__): the numbers move
# with the block edges, so other chunks give others. The fix: explicit chunks,
# never ``"auto"`` (whose blocks follow the ``array.chunk-size``
# setting), kept with the seed. Changes against ``chunks=12`` outlined:

import dask.array as da
import matplotlib.pyplot as plt

CHUNKS = [12, 6, 4, 4]
arrays = np.array([da.random.default_rng(ROOT_SEED).integers(
    100, size=12, chunks=chunks).compute(scheduler="synchronous")
    for chunks in CHUNKS])  # the synchronous scheduler starts no thread
print(f"chunks=12 and 6 equal: {np.array_equal(arrays[0], arrays[1])}")
print(f"chunks=4, twice, equal: {np.array_equal(arrays[2], arrays[3])}")
fig, ax = plt.subplots(figsize=(5.6, 2.6))
ax.imshow(arrays, cmap="Blues", vmin=-40, vmax=200, aspect="auto")
for (row, column), value in np.ndenumerate(arrays):
    ax.text(column, row, value, ha="center", va="center", fontsize=11)
    if value != arrays[0, column]:
        ax.add_patch(plt.Rectangle((column - .45, row - .45), .9, .9,
                                   fill=False, edgecolor="#b93a0b", lw=2))
ax.set_yticks(range(len(CHUNKS)), [f"chunks={c}" for c in CHUNKS])
ax.set_title(f"da.random.default_rng({ROOT_SEED}).integers(100, size=12)",
             loc="left", fontsize=11)
fig.tight_layout()
plt.show()
