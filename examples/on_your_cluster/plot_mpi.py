r"""
================================
MPI with mpi4py: a seed per rank
================================

Every rank that ``mpiexec -n 2 python script.py`` starts runs the same
script: a ``default_rng(seed)`` in it gives every rank of
``MPI.COMM_WORLD`` the same numbers. ``default_rng(seed + rank)`` makes
the ranks distinct, but a run with ``seed + 1`` repeats the run with
``seed``, shifted by one rank. The fix:
``SeedSequence(seed).spawn(size)[rank]``, or ``default_rng([rank, seed])``.
PySpark's ``rand(seed)`` does the same arithmetic per partition: the
recipe for it ends the page.
"""

# %%
# The fix to paste
# ----------------
#
# The script every rank runs: the fix, its shorter form, and the two
# mistakes, each drawing 4 numbers; rank 0 gathers what every rank drew
# and prints it (`mpi4py's tutorial
# <https://mpi4py.readthedocs.io/en/4.1.2/tutorial.html>`__).

SCRIPT = """
import json, os, sys
import numpy as np
import psutil
from mpi4py import MPI

comm = MPI.COMM_WORLD
rank, size, seed = comm.Get_rank(), comm.Get_size(), int(sys.argv[1])
# The fix: one child of one root seed per rank
rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(size)[rank])

streams = {"spawn(size)[rank]": rng,
           "[rank, seed]": np.random.default_rng([rank, seed]),
           "seed + rank": np.random.default_rng(seed + rank),  # mistake
           "same seed": np.random.default_rng(seed)}  # mistake
draws = {name: s.integers(1000, size=4).tolist()
         for name, s in streams.items()}
me, proxy = psutil.Process(), psutil.Process().parent()
processes = [(p.pid, p.create_time()) for p in (me, proxy)]
gathered = comm.gather({"draws": draws, "processes": processes}, root=0)
if rank == 0:
    print(json.dumps(gathered))
"""

# %%
# Three runs of two ranks each, with seeds 2024, 2025 and 2024 again:

# Harness: run the script with the venv's mpiexec, read what rank 0 printed
import json
import shutil
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
import psutil

# pip's mpich puts mpiexec next to the venv's python; it has no Windows
# wheel (MS-MPI's mpiexec would run the script there).
MPIEXEC = shutil.which("mpiexec", path=str(Path(sys.executable).parent))


def running(pid, created):  # the same process, not ended (nor a zombie)
    try:
        process = psutil.Process(pid)
        return (process.create_time() == created
                and process.status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


def run_ranks(seed, n_ranks=2):
    """What each rank drew, by rank; and the rank and proxy processes
    that still run 10 s after mpiexec returned."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder, "ranks.py")
        script.write_text(SCRIPT)
        printed = subprocess.run(
            [MPIEXEC, "-n", str(n_ranks), sys.executable, str(script),
             str(seed)], capture_output=True, text=True, timeout=120,
            check=True).stdout
    # Rank 0's one line; MPI's transport may log lines of its own to stdout
    # (UCX does where /sys is not mounted).
    ranks = json.loads([line for line in printed.splitlines()
                        if line.startswith('[{"draws"')][-1])
    left = {tuple(p) for rank in ranks for p in rank["processes"]}
    deadline = time.monotonic() + 10
    while left and time.monotonic() < deadline:
        left = {(pid, made) for pid, made in left if running(pid, made)}
        time.sleep(0.1 if left else 0)
    return [rank["draws"] for rank in ranks], sorted(pid for pid, _ in left)


if MPIEXEC:
    runs = {"first": run_ranks(2024), "next seed": run_ranks(2025),
            "again": run_ranks(2024)}
    left = [pid for draws, pids in runs.values() for pid in pids]
    runs = {name: draws for name, (draws, pids) in runs.items()}
    print(f"mpi4py {version('mpi4py')}, MPICH {version('mpich')}, NumPy "
          f"{np.__version__}; mpiexec -n 2, three runs")
else:
    print("Skipping MPI: no mpiexec next to this Python" + (
        " (mpich has no Windows wheel)." if sys.platform == "win32" else
        " (pip install mpi4py==4.1.2 mpich==5.0.2)."))

# %%
# What each rank drew
# -------------------
#
# For each way of seeding: are the two ranks distinct, does a second run
# with seed 2024 repeat the first, and does the run with seed 2025 draw a
# stream that the run with seed 2024 drew too?


def verdicts(name):
    first, second, again = ([rank[name] for rank in runs[run]]
                            for run in ["first", "next seed", "again"])
    return {"ranks distinct": first[0] != first[1],
            "rerun identical": first == again,
            "overlaps seed + 1": any(s in first for s in second)}


if MPIEXEC:
    table = {name: verdicts(name) for name in runs["first"][0]}
    print(f"{'':18}  " + "  ".join(table["same seed"]))
    for name, verdict in table.items():
        print(f"{name:18}" + "".join(f"{str(v):>{len(column) + 2}}"
                                     for column, v in verdict.items()))
    print(f"rank processes left after mpiexec: {len(left)}")

# %%
# The draws, by run and rank: in orange, a rank that drew what another
# row drew in the same column. With ``seed + rank``, rank 1 of seed 2024
# is rank 0 of seed 2025 (`NumPy's page on parallel streams
# <https://numpy.org/doc/2.4/reference/random/parallel.html>`__ explains
# why spawned or list seeds cannot overlap that way).

import matplotlib.pyplot as plt

if MPIEXEC:
    names = list(runs["first"][0])
    rows = [(f"seed {seed}, rank {r}", runs[run][r]) for seed, run
            in [(2024, "first"), (2025, "next seed")] for r in (0, 1)]
    vectors = np.array([[drawn[name] for name in names] for _, drawn in rows])
    repeated = np.array([[(vectors[:, c] == vectors[r, c]).all(axis=1).sum()
                          > 1 for c in range(len(names))]
                         for r in range(len(rows))])
    fig, ax = plt.subplots(figsize=(5.6, 3.6))
    ax.imshow(repeated, cmap=plt.matplotlib.colors.ListedColormap(
        ["#e3eef8", "#b93a0b"]), vmin=0, vmax=1, aspect="auto")
    for (row, column), value in np.ndenumerate(vectors[:, :, 0]):
        ax.text(column, row, value, ha="center", va="center", fontsize=12,
                color="white" if repeated[row, column] else "black")
    ax.set_xticks(range(len(names)), [n.replace(" [", "\n[").replace(
        "(size)", "(size)\n") for n in names], fontsize=10)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(rows)), [label for label, _ in rows])
    ax.set_title("First of 4 draws, mpiexec -n 2", loc="left", pad=36)
    fig.tight_layout()

# %%
# PySpark: rand(seed) is seed + partition index
# ---------------------------------------------
#
# Not run by this site: PySpark needs a Java runtime, which pip does not
# install, and a system Java needs root to install, which ``make html``
# must not need. Spark's own seeding, in its source at v4.0.0:
#
# * ``pyspark.sql.functions.rand(seed)`` and ``randn(seed)`` seed the
#   generator of partition ``i`` with ``seed + i`` (`randomExpressions.scala
#   <https://github.com/apache/spark/blob/v4.0.0/sql/catalyst/src/main/
#   scala/org/apache/spark/sql/catalyst/expressions/
#   randomExpressions.scala>`__):
#   partition 1 of ``rand(0)`` draws what partition 0 of ``rand(1)`` draws.
# * ``randomSplit(weights, seed)`` samples partition ``i`` with
#   ``seed + i`` too; ``RDD.sample`` draws each partition's seed from a
#   ``java.util.Random(seed)`` (`RDD.scala <https://github.com/apache/
#   spark/blob/v4.0.0/core/src/main/scala/org/apache/spark/rdd/RDD.scala>`__).
#
# For your own draws, ``mapPartitionsWithIndex`` passes each partition its
# index: make its generator from ``[index, root]``, as for a rank above.


def with_draws(index, rows, root=2024):  # rdd.mapPartitionsWithIndex(...)
    rng = np.random.default_rng([index, root])
    for row in rows:
        yield row, rng.random()


partitions = [range(3), range(3, 6)]  # as Spark would call it, locally
drawn = [[x for _, x in with_draws(i, p)] for i, p in enumerate(partitions)]
again = [[x for _, x in with_draws(i, p)] for i, p in enumerate(partitions)]
print(f"with_draws on 2 partitions: distinct {drawn[0] != drawn[1]}, "
      f"the same again {drawn == again}")

plt.show()
