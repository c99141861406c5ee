r"""
=====================================================
One root seed, one spawned generator per task
=====================================================

NumPy's recommended way to give parallel tasks their own random numbers is
to start from a single root seed and *spawn* one child generator per task
with ``SeedSequence.spawn``. Each child's stream is derived from the root
seed and the child's position, not from the worker that runs it, so the
results are bit-for-bit the same whatever the number of workers and whatever
joblib backend runs them, and the children's streams are kept apart by
construction. This example checks both claims on every backend, and compares
the spawned seeds with the 32-bit integer seeds drawn in the first example.
"""

# %%
# The task and the configurations to compare
# ------------------------------------------
#
# ``simulate`` receives a generator and draws from it; it never touches a
# global random state. The same eight tasks run sequentially, and with two
# workers on each of joblib's three local backends.

import multiprocessing

import matplotlib.pyplot as plt
import numpy as np
from joblib import Parallel, delayed

ROOT_SEED = 20240917
N_TASKS = 8
N_DRAWS = 6


def simulate(generator):
    """A stand-in for a stochastic computation: six standard normal draws."""
    return generator.standard_normal(N_DRAWS)


def run_with_spawned_generators(n_jobs, backend):
    """Spawn one generator per task from ROOT_SEED and run all tasks."""
    children = np.random.SeedSequence(ROOT_SEED).spawn(N_TASKS)
    generators = [np.random.default_rng(child) for child in children]
    return np.array(
        Parallel(n_jobs=n_jobs, backend=backend)(delayed(simulate)(g) for g in generators)
    )


# %%
# joblib's ``multiprocessing`` backend is asked for ``fork`` explicitly
# where the platform has it: in a plain script, ``spawn`` and
# ``forkserver`` would re-run this file in every worker.

CONFIGURATIONS = [(1, "sequential"), (2, "loky"), (2, "threading")]
if "fork" in multiprocessing.get_all_start_methods():
    CONFIGURATIONS.append((2, "multiprocessing (fork)"))
else:
    print("multiprocessing (fork): skipped, this platform cannot fork.")


def backend_for(name):
    if name == "multiprocessing (fork)":
        return multiprocessing.get_context("fork")
    return name


results = {
    (n_jobs, name): run_with_spawned_generators(n_jobs, backend_for(name))
    for n_jobs, name in CONFIGURATIONS
}
reference = results[(1, "sequential")]
for (n_jobs, name), values in results.items():
    same = values.tobytes() == reference.tobytes()
    print(f"n_jobs={n_jobs}, {name:24s} bit-identical to sequential: {same}")

# %%
# Every configuration printed ``True``: the comparison is on the raw bytes
# of the floating-point results, not on rounded values. The figure shows the
# reference values and, for each configuration, the largest difference from
# them.


def plot_reference_and_differences(reference, results):
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(8.5, 3.8), facecolor="white", width_ratios=[3, 2]
    )
    image = left.imshow(reference, cmap="RdBu_r", vmin=-3, vmax=3, aspect="auto")
    left.set_yticks(range(N_TASKS), [f"task {i}" for i in range(N_TASKS)])
    left.set_xticks(range(N_DRAWS), [f"draw {i}" for i in range(N_DRAWS)], rotation=45)
    left.set_title("Sequential run: values drawn by each task", loc="left", fontsize=11)
    fig.colorbar(image, ax=left, shrink=0.8, label="value")

    names = [f"{name}\nn_jobs={n_jobs}" for n_jobs, name in results]
    largest = [np.max(np.abs(values - reference)) for values in results.values()]
    right.barh(names, largest, color="#2f7ebc")
    for row, difference in enumerate(largest):
        right.text(0.02, row, f"max |difference| = {difference:g}", va="center", fontsize=10)
    right.set_xlim(0, 1)
    right.invert_yaxis()
    right.set_xlabel("largest difference from the sequential run")
    right.set_title("Every configuration: no difference", loc="left", fontsize=11)
    fig.tight_layout()
    return fig


plot_reference_and_differences(reference, results)
plt.show()

# %%
# The streams are distinct
# ------------------------
#
# Reproducible is not enough: the tasks must not share numbers. No value
# appears in two tasks' draws, and the children's internal states, derived
# from the root seed and each child's index, are all different.

values_per_task = [set(row) for row in reference]
shared_values = sum(
    len(values_per_task[i] & values_per_task[j])
    for i in range(N_TASKS)
    for j in range(i + 1, N_TASKS)
)
children = np.random.SeedSequence(ROOT_SEED).spawn(N_TASKS)
states = {tuple(child.generate_state(4)) for child in children}
print(f"values shared between two tasks: {shared_values}")
print(f"distinct child states: {len(states)} of {N_TASKS}")
print(f"spawn keys: {[child.spawn_key for child in children]}")

# %%
# Spawned seeds versus drawn integer seeds
# ----------------------------------------
#
# The first example drew one 32-bit integer seed per task from a seeded
# generator. That is reproducible too, but the seeds are drawn independently
# from only 2**32 values: two tasks can receive the same seed, and then they
# draw exactly the same numbers (see
# :ref:`sphx_glr_auto_examples_plot_seed_collisions.py`). A spawned child is
# identified by its root *and* its index, its spawn key: children of one root
# never share a key, so they never share a seed, however many there are.
#
# The root seed itself can be a memorable integer, as here, for
# reproducibility. Leave it out, ``np.random.SeedSequence()``, and NumPy draws
# 128 bits of fresh entropy, which you can print (its ``entropy`` attribute)
# and keep to replay the run.

spawn_keys = [child.spawn_key for child in np.random.SeedSequence(ROOT_SEED).spawn(1000)]
print(f"1000 children of one root: {len(set(spawn_keys))} distinct spawn keys")

# %%
# Two more ways to spawn
# ----------------------
#
# A ``Generator`` can spawn children itself (NumPy 1.25 and later), and
# ``np.random.default_rng`` accepts a ``SeedSequence`` directly. Both give
# the same children as spawning the ``SeedSequence`` by hand.

by_generator = np.random.default_rng(ROOT_SEED).spawn(N_TASKS)
by_seed_sequence = [
    np.random.default_rng(child)
    for child in np.random.SeedSequence(ROOT_SEED).spawn(N_TASKS)
]
same_children = all(
    a.standard_normal(N_DRAWS).tobytes() == b.standard_normal(N_DRAWS).tobytes()
    for a, b in zip(by_generator, by_seed_sequence)
)
print(f"Generator.spawn gives the same streams as SeedSequence.spawn: {same_children}")
