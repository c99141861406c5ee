r"""
=============================================
One root seed, one spawned generator per task
=============================================

NumPy's recommended way to give parallel tasks their own random numbers is
to start from one root seed and *spawn* a child seed per task with
``SeedSequence.spawn``. A child is derived from the root and its index,
not from the worker that runs it, so the results are the same to the last
bit whatever the number of workers and the joblib backend. This example
checks that, says what NumPy does and does not guarantee about the
children, shows a seeding scheme for workers that cannot coordinate, and
what to record so that a result can be reproduced later.
"""

# %%
# The same numbers on every backend
# ---------------------------------
#
# ``simulate`` receives a generator and draws from it; it never touches a
# global random state. The same eight tasks run in a plain loop and with
# two workers on loky and on threads.

import secrets
import sys
import threading

import matplotlib.pyplot as plt
import numpy as np
from joblib import Parallel, delayed

ROOT_SEED = 20240917
N_TASKS = 8


def simulate(generator):
    """A stand-in for a stochastic computation: six normal draws."""
    return generator.standard_normal(6)


def run_spawned(backend, n_jobs=2):
    children = np.random.SeedSequence(ROOT_SEED).spawn(N_TASKS)
    generators = [np.random.default_rng(child) for child in children]
    parallel = Parallel(n_jobs=n_jobs, backend=backend)
    return np.array(parallel(delayed(simulate)(g) for g in generators))


reference = run_spawned("sequential", n_jobs=1)
results = {name: run_spawned(name) for name in ["loky", "threading"]}
for name, values in results.items():
    same = values.tobytes() == reference.tobytes()
    print(f"{name}, two workers: bit-identical to the loop: {same}")

# %%
# The comparison is on the raw bytes of the results, not on rounded
# values. The ``multiprocessing`` backend, under each start method, is
# measured in fresh processes in
# :doc:`plot_behaviour_matrix`.

fig, axes = plt.subplots(3, 1, figsize=(5.6, 7.4), layout="constrained")
titles = ["a plain loop: the reference"] + [
    f"{name}, two workers: " + ("bit-identical to the loop" if
                                values.tobytes() == reference.tobytes()
                                else "DIFFERENT from the loop")
    for name, values in results.items()]
for ax, title, values in zip(axes, titles, [reference, *results.values()]):
    image = ax.imshow(values, cmap="RdBu_r", vmin=-3, vmax=3, aspect="auto")
    ax.set_yticks(range(N_TASKS), [f"task {i}" for i in range(N_TASKS)])
    ax.set_xticks(range(6), [f"draw {i}" for i in range(6)])
    ax.set_title(title, loc="left")
fig.suptitle("Every task's draws, on every backend", fontweight="bold")
fig.colorbar(image, ax=axes, orientation="horizontal", shrink=0.6,
             aspect=30).set_label("value")

# %%
# What NumPy guarantees about the children
# ----------------------------------------
#
# Each child carries a distinct *spawn key*, its index below the root.
# With one level of spawning, as here, NumPy guarantees that the children's
# states are all different. Deeper trees of spawns are independent "with
# very high probability": NumPy bounds the chance of a collision by about
# ``n**2 * 2**-128`` for ``n`` streams, far below anything a simulation
# could notice.

children = np.random.SeedSequence(ROOT_SEED).spawn(1000)
keys = {child.spawn_key for child in children}
states = {tuple(child.generate_state(4)) for child in children}
print(f"1000 children: {len(keys)} distinct spawn keys, "
      f"{len(states)} distinct states")

# %%
# That promise holds when one thread spawns. NumPy issue 32063 reports that
# several threads spawning from the *same* parent at once can receive the
# same spawn keys, and so identical streams. Here four threads each spawn
# 500 children from one parent; the count shows whether this NumPy does it.


def spawn_from_threads(parent, n_threads=4, per_thread=500):
    keys, barrier = [], threading.Barrier(n_threads)

    def spawn():
        barrier.wait()
        for _ in range(per_thread // 10):
            keys.extend(child.spawn_key for child in parent.spawn(10))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, as a busy one would
    threads = [threading.Thread(target=spawn) for _ in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sys.setswitchinterval(interval)
    return keys


keys = spawn_from_threads(np.random.SeedSequence(ROOT_SEED))
repeated = len(set(keys)) < len(keys)
print(f"NumPy {np.__version__}, four threads spawning from one parent:")
print(f"{'some' if repeated else 'no'} spawn keys handed out twice")

# %%
# The safe habit: spawn every task's seed in the main thread, before the
# tasks start, as ``run_spawned`` does. Without the GIL, the race is far
# more common: :doc:`plot_free_threading`.
#
# Workers that cannot coordinate
# ------------------------------
#
# Sometimes tasks start independently, say as jobs of a cluster scheduler,
# and each knows only the shared root seed and its own number. Then seed
# each with both, ``default_rng([task_id, root_seed])``: the pair is hashed
# by ``SeedSequence``, so every task gets its own stream. Adding them,
# ``default_rng(root_seed + task_id)``, is what NumPy's documentation warns
# against: two experiments with consecutive roots then share streams.


def added_seeds(root):  # what NumPy's documentation warns against
    return [np.random.default_rng(root + task_id).integers(1000, size=3)
            for task_id in range(4)]


def paired_seeds(root):
    return [np.random.default_rng([task_id, root]).integers(1000, size=3)
            for task_id in range(4)]


def shared_streams(run_a, run_b):
    return sum(np.array_equal(a, b) for a in run_a for b in run_b)


added = shared_streams(added_seeds(2024), added_seeds(2025))
paired = shared_streams(paired_seeds(2024), paired_seeds(2025))
print(f"roots 2024 and 2025, root + task_id: {added} streams shared")
print(f"roots 2024 and 2025, [task_id, root]: {paired} streams shared")

# %%
# Reproducing a result later
# --------------------------
#
# A fixed root makes a run repeatable; for real work, let Python draw a
# 128-bit root and save it with the results, as NumPy recommends. The
# numbers also depend on the software: NumPy promises the same stream
# only for the same bit generator and seed, the same calls, and the same
# build of NumPy on the same machine. Its legacy ``RandomState`` is kept
# stable instead: its algorithms no longer change from version to version,
# which is why old results and some test suites still use it, though the
# same caveats about machines and builds apply to it. So record the
# versions along with the root.

root_entropy = secrets.randbits(128)
record = {
    "root_entropy": root_entropy,
    "bit_generator": type(np.random.default_rng().bit_generator).__name__,
    "numpy": np.__version__,
    "python": sys.version.split()[0],
}
print(f"keep with the results: {sorted(record)}")
replayed = np.random.SeedSequence(record["root_entropy"]).spawn(2)
again = np.random.SeedSequence(root_entropy).spawn(2)
same = all(
    np.array_equal(simulate(np.random.default_rng(a)),
                   simulate(np.random.default_rng(b)))
    for a, b in zip(replayed, again))
print(f"the saved root replays the run: {same}")

# %%
# Resuming a job
# --------------
#
# A job that stops after three tasks and starts again must not spawn the
# same children again. ``SeedSequence`` records how many it has spawned:
# rebuilt with ``n_children_spawned``, it continues where it stopped. A
# generator itself can be saved mid-stream, as its ``bit_generator.state``
# dictionary or with ``pickle``, and resumed later.

first_three = np.random.SeedSequence(2024).spawn(3)
resumed = np.random.SeedSequence(2024, n_children_spawned=3).spawn(3)
print("spawn keys, first run:", [child.spawn_key for child in first_three])
print("spawn keys, resumed:  ", [child.spawn_key for child in resumed])

generator = np.random.default_rng(resumed[0])
generator.random(10)  # the job stops here, and saves the state
saved = generator.bit_generator.state
later = np.random.default_rng()
later.bit_generator.state = saved
resumes_stream = np.array_equal(later.random(3), generator.random(3))
print(f"the saved state resumes the stream: {resumes_stream}")

plt.show()

# %%
# Sources: NumPy 2.4's `parallel random number generation
# <https://numpy.org/doc/2.4/reference/random/parallel.html>`__ (spawning,
# and why nearby seeds are a poor choice) and `SeedSequence
# <https://numpy.org/doc/2.4/reference/random/bit_generators/generated/
# numpy.random.SeedSequence.html>`__ (its 128-bit pool, and logging the
# entropy); the race of concurrent spawns, `NumPy issue 32063
# <https://github.com/numpy/numpy/issues/32063>`__.
