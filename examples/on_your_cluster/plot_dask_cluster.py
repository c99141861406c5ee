r"""
============================================
The same seeds on a dask.distributed cluster
============================================

When one machine is not enough, ``joblib.Parallel`` can hand its tasks to a
``dask.distributed`` cluster through joblib's ``dask`` backend. This example
runs the same tasks on a cluster of separate worker processes and on loky
locally: per-task spawned seeds give results identical to the last bit,
while draws from the global state change from run to run. It also explains
why the cluster's workers do not duplicate each other's global state.
"""

# %%
# The tasks
# ---------
#
# ``simulate`` draws from the seed it is given; ``draw_from_global_state``
# is the anti-pattern. Both pause, like real work, so that both workers
# take tasks; ``run`` hands them to ``Parallel`` on a given backend.

import time

import numpy as np
from joblib import Parallel, delayed, parallel_config

ROOT_SEED = 8786
N_TASKS = 8


def simulate(seed):
    time.sleep(0.02)
    return np.random.default_rng(seed).integers(100, size=6)


def draw_from_global_state(task_number):
    time.sleep(0.02)
    return np.random.randint(100, size=6)


def run(task, arguments, backend):
    with parallel_config(backend=backend, n_jobs=2):
        tasks = (delayed(task)(argument) for argument in arguments)
        return np.array(Parallel()(tasks))


seeds = np.random.SeedSequence(ROOT_SEED).spawn(N_TASKS)

# %%
# ``dask_client`` joins a cluster, or starts one of separate programs, and
# always closes what it started (click to see how):

# Harness: join the cluster that the environment names, or start one
#
# A context manager: leaving the ``with`` block, normally or through an
# exception, closes the client and shuts down the cluster it started. The
# cluster's scheduler and workers are separate programs (dask's
# SubprocessCluster), as on a real cluster: nothing forks this process, and
# no worker imports this script again. Windows cannot run them; there the
# cluster's workers are threads of this process instead. To use a cluster
# you already have, set DASK_SCHEDULER_ADDRESS to its scheduler's address
# (tcp://10.0.0.5:8786).
import os
import sys
from contextlib import contextmanager

from dask.distributed import Client, LocalCluster

ADDRESS_VARIABLE = "DASK_SCHEDULER_ADDRESS"


@contextmanager
def dask_client():
    """A client of the cluster at DASK_SCHEDULER_ADDRESS, or of a new one."""
    address = os.environ.get(ADDRESS_VARIABLE)
    if address:
        print(f"using the cluster at {address} ({ADDRESS_VARIABLE})")
        with Client(address) as client:
            yield client
        return
    if sys.platform == "win32":
        print("Windows: the local cluster's workers are threads.")
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
# Locally with loky, then on the cluster
# --------------------------------------
#
# ``parallel_config(backend="dask")`` sends every ``Parallel`` call inside
# it to the cluster of the active client. The global-state tasks run twice
# on the same cluster.

local = run(simulate, seeds, "loky")
start = time.perf_counter()
with dask_client() as client:
    print(f"{len(client.scheduler_info()['workers'])} workers ready in "
          f"{time.perf_counter() - start:.1f} s")
    on_cluster = run(simulate, seeds, "dask")
    global_first = run(draw_from_global_state, range(N_TASKS), "dask")
    global_second = run(draw_from_global_state, range(N_TASKS), "dask")

same_as_local = on_cluster.tobytes() == local.tobytes()
global_changed = not np.array_equal(global_first, global_second)
print(f"spawned seeds, cluster and loky bit-identical: {same_as_local}")
print(f"global state, second run drew other numbers: {global_changed}")

# %%
# The figure shows the cluster's vectors, each value compared with the
# same cell of another run: the local one for the spawned seeds, the first
# cluster run for the global state. A value that differs is orange.

import matplotlib.pyplot as plt
from matplotlib.colors import ListedColormap


def plot_runs(panels):
    fig, axes = plt.subplots(len(panels), 1, figsize=(5.6, 6.6))
    for ax, (title, values, other) in zip(axes, panels):
        changed = values != other
        ax.imshow(changed, cmap=ListedColormap(["#e3eef8", "#b93a0b"]),
                  vmin=0, vmax=1, aspect="auto")
        for (row, column), value in np.ndenumerate(values):
            ax.text(column, row, value, ha="center", va="center",
                    color="white" if changed[row, column] else "black")
        ax.set_xticks([])
        ax.set_yticks(range(len(values)),
                      [f"task {i}" for i in range(len(values))])
        ax.set_title(f"{title}: {changed.sum()} of {changed.size} differ",
                     loc="left")
    fig.tight_layout()


plot_runs([("spawned seeds, cluster vs loky", on_cluster, local),
           ("global state, run 2 vs run 1", global_second, global_first)])

# %%
# Why the workers do not duplicate the global state
# -------------------------------------------------
#
# The cluster's workers drew distinct numbers from the global state,
# because each one is a fresh interpreter: dask's nanny starts its worker
# with the ``multiprocessing`` method below, and a fresh interpreter seeds
# NumPy's global state from the operating system's entropy. The nanny also
# calls ``np.random.seed()`` in the new worker when NumPy is already
# imported there (``dask.multiprocessing.default_initializer``), which
# protects forked workers. Either way the numbers change at every run:
# only spawned seeds make them reproducible.

import dask

print("the nanny starts workers with: "
      + dask.config.get("distributed.worker.multiprocessing-method"))
n_distinct = len(np.unique(global_first, axis=0))
print(f"global state, run 1: {n_distinct} distinct vectors of {N_TASKS}")

plt.show()

# %%
# Sources, dask and distributed 2026.8.0: workers start with `spawn
# <https://github.com/dask/distributed/blob/2026.8.0/distributed/
# distributed.yaml#L90>`__; the nanny `runs default_initializer
# <https://github.com/dask/distributed/blob/2026.8.0/distributed/nanny.py
# #L1030-L1032>`__, which `reseeds NumPy where it is imported
# <https://github.com/dask/dask/blob/2026.8.0/dask/multiprocessing.py
# #L255-L260>`__.
