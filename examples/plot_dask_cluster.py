r"""
============================================
The same seeds on a dask.distributed cluster
============================================

When one machine is not enough, ``joblib.Parallel`` can hand its tasks to a
``dask.distributed`` cluster through joblib's ``dask`` backend. This example
starts a real cluster of separate worker processes, runs the same tasks on it
and on loky locally, and shows that per-task spawned generators give results
bit-for-bit identical to the local run, while drawing from the global state
gives numbers that change from run to run. The cluster is always shut down,
also when a task fails.

To run the downloaded script against a cluster you already have, set the
environment variable ``DASK_SCHEDULER_ADDRESS`` to its scheduler's address
(for example ``tcp://10.0.0.5:8786``); with nothing set, the script starts
its own ``LocalCluster`` on this machine.
"""

# %%
# A cluster, always closed
# ------------------------
#
# ``dask_client`` is a context manager: leaving the ``with`` block, normally
# or through an exception, closes the client and shuts down the cluster it
# started, worker processes included. The local cluster's workers are
# separate processes, started by forking this one so that the script needs
# no ``if __name__ == "__main__":`` guard (dask's default, ``spawn``, would
# run this whole script again in every worker). Windows cannot fork: there
# the local cluster uses threads instead, and says so.

import multiprocessing
import os
import time
from contextlib import contextmanager

import dask
import matplotlib.pyplot as plt
import numpy as np
from dask.distributed import Client, LocalCluster
from joblib import Parallel, delayed, parallel_config
from matplotlib.patches import Rectangle

ADDRESS_VARIABLE = "DASK_SCHEDULER_ADDRESS"
CAN_FORK = "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def dask_client():
    """A Client for the cluster at $DASK_SCHEDULER_ADDRESS, or for a new LocalCluster."""
    address = os.environ.get(ADDRESS_VARIABLE)
    if address:
        print(f"using the cluster at {address} ({ADDRESS_VARIABLE})")
        with Client(address) as client:
            yield client
        return
    if not CAN_FORK:
        print("No fork on this platform: the local cluster runs its workers as threads.")
    settings = {"distributed.worker.multiprocessing-method": "fork"} if CAN_FORK else {}
    with dask.config.set(settings):
        with LocalCluster(
            n_workers=2, threads_per_worker=1, processes=CAN_FORK, dashboard_address=None
        ) as cluster, Client(cluster) as client:
            yield client


# %%
# The tasks
# ---------
#
# ``simulate`` draws from the generator it is given; ``draw_from_global_state``
# is the anti-pattern, drawing from NumPy's global state. Both pause briefly,
# like real work, so that both workers take tasks.

ROOT_SEED = 8786
N_TASKS = 8
N_DRAWS = 6


def simulate(seed):
    time.sleep(0.02)
    return np.random.default_rng(seed).integers(100, size=N_DRAWS)


def draw_from_global_state(_):
    time.sleep(0.02)
    return np.random.randint(100, size=N_DRAWS)


def run(task, arguments, backend):
    with parallel_config(backend=backend, n_jobs=2):
        return np.array(Parallel()(delayed(task)(argument) for argument in arguments))


seeds = np.random.SeedSequence(ROOT_SEED).spawn(N_TASKS)

# %%
# Locally with loky, then on the cluster
# --------------------------------------
#
# ``parallel_config(backend="dask")`` sends every ``Parallel`` call inside it
# to the cluster of the active client. The global-state tasks run twice on
# the cluster, each time on a cluster of its own.

local = run(simulate, seeds, "loky")

start = time.perf_counter()
with dask_client() as client:
    started = time.perf_counter() - start
    workers = client.scheduler_info()["workers"]
    print(f"cluster with {len(workers)} workers ready in {started:.2f} s")
    on_cluster = run(simulate, seeds, "dask")
    global_first = run(draw_from_global_state, range(N_TASKS), "dask")
with dask_client() as client:
    global_second = run(draw_from_global_state, range(N_TASKS), "dask")
total = time.perf_counter() - start

same_as_local = on_cluster.tobytes() == local.tobytes()
global_changed = not np.array_equal(global_first, global_second)
print(f"spawned generators, cluster vs local loky, bit-identical: {same_as_local}")
print(f"global state, the second cluster run drew other numbers: {global_changed}")
print(f"both clusters started, used and shut down in {total:.2f} s")

# %%
# The figure puts the cluster's vectors next to the local ones, and the two
# global-state runs next to each other with the values that changed
# outlined.


def heatmap(ax, values, title, compare_with=None):
    ax.imshow(values, cmap="Blues", vmin=-40, vmax=200, aspect="auto")
    for (row, column), value in np.ndenumerate(values):
        ax.text(column, row, str(value), ha="center", va="center", fontsize=9.5)
        if compare_with is not None and value != compare_with[row, column]:
            ax.add_patch(Rectangle((column - 0.45, row - 0.45), 0.9, 0.9, fill=False,
                                   edgecolor="#b93a0b", linewidth=2))
    ax.set_xticks([])
    ax.set_yticks(range(len(values)), [f"task {i}" for i in range(len(values))], fontsize=9)
    ax.tick_params(length=0)
    ax.set_title(title, loc="left", fontsize=10.5)


def plot_cluster_and_local():
    fig, axes = plt.subplots(1, 4, figsize=(10, 3.8), facecolor="white")
    heatmap(axes[0], local, "spawned seeds\nlocal, loky")
    verdict = "identical" if same_as_local else "DIFFERENT"
    heatmap(axes[1], on_cluster, f"spawned seeds\ncluster: {verdict}", compare_with=local)
    heatmap(axes[2], global_first, "global state\ncluster, run 1")
    heatmap(axes[3], global_second, "global state\ncluster, run 2 (changes\noutlined)",
            compare_with=global_first)
    fig.tight_layout()
    return fig


plot_cluster_and_local()
plt.show()

# %%
# A failing task still shuts the cluster down
# -------------------------------------------
#
# The exception travels from the worker back to ``Parallel`` and out of the
# ``with`` block, which closes the client and the cluster on its way. The
# cluster's worker processes are noted while it runs, and checked after.


def fails(_):
    raise ValueError("this task fails on purpose")


def run_failing_task():
    """Run a failing task on a fresh cluster; return the cluster's processes."""
    before = set(multiprocessing.active_children())
    cluster_processes = []
    try:
        with dask_client():
            cluster_processes = [
                process for process in multiprocessing.active_children() if process not in before
            ]
            run(fails, range(2), "dask")
    except ValueError as error:
        print(f"the task raised: {error}")
    return cluster_processes


cluster_processes = run_failing_task()
still_alive = [process.name for process in cluster_processes if process.is_alive()]
print(f"worker processes the cluster started: {len(cluster_processes)}; "
      f"still alive after the failure: {still_alive}")
