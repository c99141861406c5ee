r"""
========================================================================
Code you cannot refactor: reseed with register_at_fork or an initializer
========================================================================

Code you cannot change calls ``np.random`` and forked workers repeat each
other. Reseed NumPy's global state in one place: with
``os.register_at_fork(after_in_child=...)`` after every fork, or a pool's
``initializer`` in every worker, as CPython does for ``random``. Either
gives something up: fresh entropy is never repeated, a seed per worker
ties results to scheduling. Measured per start method and with loky.
"""

# %%
# Reseed in one place
# -------------------
#
# Paste one into the script that starts the workers: a hook run after each
# ``fork``, an initializer run in each worker, or one that takes a seed.
#
# .. code-block:: python
#
#    os.register_at_fork(after_in_child=np.random.seed)  # not on Windows
#    Pool(2, initializer=np.random.seed)
#    ProcessPoolExecutor(2, initializer=np.random.seed)
#    def reseed_from(seeds):  # a queue holding SeedSequence(...).spawn(n)
#        np.random.seed(seeds.get().generate_state(4))
#
# ``np.random.seed()`` without an argument reseeds from fresh entropy
# (`_mt19937.pyx <https://github.com/numpy/numpy/blob/v2.4.6/numpy/random/
# _mt19937.pyx#L170-L171>`__); CPython's ``random`` registers such a hook
# (`random.py <https://github.com/python/cpython/blob/v3.11.7/Lib/
# random.py#L900>`__).
#
# Four tasks, two workers, each start method
# ------------------------------------------
#
# A column runs one script in fresh interpreters, once plain, twice with
# the hook at its top level: 4 tasks, 2 per worker, draw from both states.
# A count is the number of distinct draws among the four tasks.

# Harness: the script, and what runs it under each start method
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

SCRIPT = """
import json, multiprocessing, os, random, sys
from concurrent.futures import ProcessPoolExecutor
import numpy as np
hook_ran = False
def reseed_after_fork():  # np.random.seed, and a note that it ran
    np.random.seed()
    globals()["hook_ran"] = True
if os.environ.get("RESEED_AT_FORK") and hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=reseed_after_fork)
def start(barrier, how, seeds):  # in every worker: keep the barrier, reseed
    globals()["pair"] = barrier
    if how == "fresh":
        np.random.seed()
    elif how == "queue":
        np.random.seed(seeds.get().generate_state(4))
def task(_):  # waits for a task of the other worker: two tasks each
    pair.wait(timeout=60)
    return int(np.random.randint(2**62)), random.getrandbits(62), hook_ran
if __name__ == "__main__":
    context, drawn = multiprocessing.get_context(sys.argv[1]), {}
    for how in ["nothing", "fresh", "queue"]:
        seeds = context.SimpleQueue()  # a spawned seed for each worker
        list(map(seeds.put, np.random.SeedSequence(2024).spawn(2)))
        args = (context.Barrier(2), how, seeds)
        if how == "queue":
            with ProcessPoolExecutor(2, context, start, args) as pool:
                drawn[how] = list(pool.map(task, range(4)))
        else:
            with context.Pool(2, start, args) as pool:
                drawn[how] = pool.map(task, range(4), chunksize=1)
    print(json.dumps(drawn))
"""


def run(method, hook):  # {how: [[np draw, random draw, hook ran]] * 4}
    with tempfile.TemporaryDirectory() as folder:
        with open(f"{folder}/tasks.py", "w") as script:
            script.write(SCRIPT)
        printed = subprocess.run(
            [sys.executable, "tasks.py", method], cwd=folder, check=True,
            env={**os.environ, "RESEED_AT_FORK": "1" if hook else ""},
            capture_output=True, text=True, timeout=120).stdout
    return json.loads(printed)


METHODS = [method for method in ["fork", "forkserver", "spawn"]
           if method in multiprocessing.get_all_start_methods()]
with ThreadPoolExecutor(3) as runner:  # the scripts wait, mostly
    RUNS = {method: [runner.submit(run, method, hook) for hook in (0, 1, 1)]
            for method in METHODS}

import numpy as np


def draws(run, how, index=0):  # index 0: np.random, 1: random, 2: hook ran
    return [task[index] for task in run[how]]


def column(off, on, again):  # runs without the hook, with it, with it
    return {"random, nothing done": len(set(draws(off, "nothing", 1))),
            "np.random, nothing done": len(set(draws(off, "nothing"))),
            "register_at_fork": len(set(draws(on, "nothing"))),
            "  hook ran in workers": all(draws(on, "nothing", 2)),
            "  hook: 2 runs alike": draws(on, "nothing") == draws(
                again, "nothing"),
            "initializer, fresh": len(set(draws(off, "fresh"))),
            "  fresh: 2 runs alike": draws(off, "fresh") == draws(
                on, "fresh"),
            "initializer, seed queue": len(set(draws(off, "queue"))),
            "  queue: 3 runs alike": sorted(draws(off, "queue")) == sorted(
                draws(on, "queue")) == sorted(draws(again, "queue"))}


table = {method: column(*(future.result() for future in futures))
         for method, futures in RUNS.items()}
print(f"Python {sys.version.split()[0]}, NumPy {np.__version__}; "
      "4 tasks on 2 workers")
print(" " * 24 + "".join(f"{method:>11}" for method in table))
for row in table[METHODS[0]]:
    print(f"{row:24}" + "".join(f"{str(cells[row]).lower():>11}"
                                for cells in table.values()))

import matplotlib.pyplot as plt
from matplotlib.colors import ListedColormap

counted = [row for row in table[METHODS[0]] if not row.startswith(" ")]
counts = np.array([[table[method][row] for method in METHODS]
                   for row in counted])
plt.rcParams["font.size"] = 11
fig, ax = plt.subplots(figsize=(5.6, 4.2))
ax.imshow(counts < 4, cmap=ListedColormap(["#e3eef8", "#b93a0b"]), vmin=0,
          vmax=1, aspect="auto")
ALIKE = {"register_at_fork": "  hook: 2 runs alike",  # run to run
         "initializer, fresh": "  fresh: 2 runs alike",
         "initializer, seed queue": "  queue: 3 runs alike"}
for (i, j), count in np.ndenumerate(counts):
    alike = table[METHODS[j]].get(ALIKE.get(counted[i]))
    ax.text(j, i, f"{count} of 4" + {True: "\nsame each run", False:
                                     "\nnew each run"}.get(alike, ""),
            ha="center", va="center", color="w" if count < 4 else "k")
ax.set_xticks(range(len(METHODS)), METHODS)
ax.xaxis.tick_top()
ax.set_yticks(range(len(counted)), [c.replace(", ", ",\n") for c in counted])
ax.set_title("Distinct draws (orange: repeats)", loc="left", pad=24)
fig.tight_layout()

# %%
# ``fork`` runs the hook in every child. ``spawn`` starts fresh
# interpreters: nothing to reseed, and the hook never fires. ``forkserver``
# forks workers from a server, and the hook runs if the server registered
# it: since Python 3.14.1 and 3.13.8 the server imports the main script
# (`cpython#126631 <https://github.com/python/cpython/issues/126631>`__),
# so a hook at its top level covers the workers. Without it they copy only
# what that import made: this script's top level touches no ``np.random``
# (NumPy 2 loads it on first use), so its workers differ, but one that
# seeds or draws at import gives every worker that state. Before, each
# worker imported the script after the fork: no hook, no copied state. A
# hook under ``if __name__ == "__main__":`` never runs in the server.
#
# loky keeps its workers from one call to the next
# ------------------------------------------------
#
# loky's workers are fresh interpreters, reused from call to call: an
# ``initializer`` (through ``parallel_config``) runs once per worker.

import time

from joblib import Parallel, delayed, parallel_config


def fingerprint():  # of this process's global state, for this process
    key, position = np.random.get_state()[1:3]
    return hash((key.tobytes(), position))


def draw_and_note(folder):  # once both workers are in: draw, note state
    os.makedirs(folder, exist_ok=True)
    open(os.path.join(folder, str(os.getpid())), "w").close()
    while len(os.listdir(folder)) < 2:
        time.sleep(0.01)
    before = fingerprint()
    np.random.randint(100)
    return os.getpid(), before, fingerprint()


with tempfile.TemporaryDirectory() as folder, parallel_config(
        backend="loky", initializer=np.random.seed):
    call_1, call_2 = (Parallel(n_jobs=2)(delayed(draw_and_note)(
        f"{folder}/{call}") for _ in range(6)) for call in (1, 2))
pids = {pid for pid, *_ in call_1}
continued = all(any(after in {b for p, b, _ in call_2 if p == pid}
                    for p, _, after in call_1 if p == pid) for pid in pids)
print(f"loky, 2 calls: same workers: {pids == {p for p, *_ in call_2}}")
print(f"call 2 continues call 1's stream in each worker: {continued}")

# %%
# What each one gives up
# ----------------------
#
# * Fresh entropy (the hook, ``initializer=np.random.seed``): distinct
#   draws, never the same twice; no help with a bug you must reproduce.
# * A seed per worker from a queue: the same draws at every run, but which
#   task gets which depends on scheduling and on the number of workers
#   (:doc:`../why_it_happens/plot_batches_and_pools`). Under loky, calls
#   share the stream. Where the code takes a seed, pass one spawned seed
#   per task (:doc:`../why_it_happens/plot_library_calls`).

plt.show()
