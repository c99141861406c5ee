r"""
======================================================================
Distributed training: seeds per rank, DistributedSampler and set_epoch
======================================================================

With ``torch.distributed``, a ``DistributedSampler`` whose ``set_epoch`` is
never called gives "the same data order every epoch", and
``torch.manual_seed(0)`` on every ``rank`` gives "every rank (every GPU) the
same augmentation and the same dropout mask". The fix: seed the weights alike,
then each rank apart from one root, and call ``sampler.set_epoch(epoch)`` every
epoch. Measured on two gloo ranks.
"""

# %%
# The fix to paste
# ----------------
#
# Build the model after ``torch.manual_seed(root)`` on every rank, then
# call ``seed_this_rank(root)``: a seed per rank, spawned from the root by
# NumPy's ``SeedSequence``. Call ``sampler.set_epoch(epoch)`` every epoch.


def seed_this_rank(root):  # after init_process_group and the model
    import numpy as np
    import torch
    import torch.distributed as dist

    seeds = np.random.SeedSequence(root).spawn(dist.get_world_size())
    words = seeds[dist.get_rank()].generate_state(2)  # two 32-bit words
    torch.manual_seed(int(words[0]))
    np.random.seed(words)


def train(loader, epochs, set_epoch=True):  # returns the order it read
    order = []
    for epoch in range(epochs):
        if set_epoch:
            loader.sampler.set_epoch(epoch)  # before iterating the loader
        order.append([i for batch in loader for i in batch.tolist()])
    return order


# %%
# Seeds: the same on every rank, seed + rank, or spawned
# ------------------------------------------------------
#
# Two ranks run the fix, in a fresh interpreter: this one never imports torch.

# Harness: what each rank does, and the program that runs two ranks
import inspect
import json
import os
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

N_SAMPLES, EPOCHS = 12, 3
SCHEMES = ["manual_seed(root)", "manual_seed(root + rank)",
           "seed_this_rank(root)"]


def one_rank(rank, folder):  # in a fresh process: imports torch
    import numpy as np
    import torch
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel as DDP
    from torch.utils.data import DataLoader, DistributedSampler

    loopback = {"linux": "lo", "darwin": "lo0"}.get(sys.platform)
    if loopback:  # gloo talks on the loopback only
        os.environ["GLOO_SOCKET_IFNAME"] = loopback
    dist.init_process_group("gloo", init_method=Path(folder, "rdv").as_uri(),
                            rank=rank, world_size=2)
    seen = {"pid": os.getpid(), "backend": dist.get_backend()}
    for key, seed in [("0", 0), ("rank", rank)]:  # the same seed, then not
        torch.manual_seed(seed)
        model = torch.nn.Linear(4, 2)
        seen[f"weights, seed {key}"] = model.weight.tolist()
    DDP(model)  # after seed `rank`: does rank 1 keep its own weights?
    seen["weights after DDP"] = model.weight.tolist()

    def seed_both(seed):  # what many training scripts do
        torch.manual_seed(seed)
        np.random.seed(seed)
    seeders = [seed_both, lambda root: seed_both(root + rank), seed_this_rank]
    for scheme, seed in zip(SCHEMES, seeders):
        seen[scheme] = []
        for root in [0, 1, 0]:  # three runs, one after the other
            seed(root)  # then a dropout mask and a NumPy draw
            mask = torch.nn.functional.dropout(torch.ones(8), p=0.5) > 0
            seen[scheme].append("".join("01"[kept] for kept in mask)
                                + f" {np.random.randint(10**6):06}")
    for seed, set_epoch in [(0, False), (0, True)]:
        sampler = DistributedSampler(range(N_SAMPLES), shuffle=True, seed=seed)
        loader = DataLoader(range(N_SAMPLES), batch_size=3, sampler=sampler)
        seen[f"{seed} {set_epoch}"] = train(loader, EPOCHS, set_epoch)
    everyone = [None, None] if rank == 0 else None
    dist.gather_object(seen, everyone, dst=0)  # rank 0 gets what all saw
    dist.destroy_process_group()
    if rank:  # rank 1 ends by os._exit, skipping the interpreter's teardown:
        os._exit(0)  # there, gloo's threads once aborted it (SIGABRT)
    return everyone


HEADER = f"""import json, multiprocessing, os, sys
from pathlib import Path
N_SAMPLES, EPOCHS, SCHEMES = {N_SAMPLES}, {EPOCHS}, {SCHEMES}"""
MAIN = """
if __name__ == "__main__":  # rank 0 here, rank 1 in a spawned process
    rank_1 = multiprocessing.get_context("spawn").Process(
        target=one_rank, args=(1, sys.argv[1]), daemon=True)
    rank_1.start()  # a daemon: stopped at exit if it still runs
    everyone = one_rank(0, sys.argv[1])
    rank_1.join(timeout=60)
    assert rank_1.exitcode == 0, rank_1.exitcode
    print(json.dumps(everyone), flush=True)
    os._exit(0)  # as rank 1 does
"""


def run_two_ranks():  # one torch.distributed run: what each rank saw
    code = [inspect.getsource(f) for f in (seed_this_rank, train, one_rank)]
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "ranks.py").write_text("\n\n".join([HEADER, *code, MAIN]))
        ran = subprocess.run([sys.executable, "ranks.py", folder], cwd=folder,
                             capture_output=True, text=True, timeout=180)
    assert ran.returncode == 0, f"the two ranks failed:\n{ran.stderr}"
    return json.loads(ran.stdout)


# %%
# Each rank seeds by each scheme with roots 0, 1 and 0 (three runs in turn),
# then draws a dropout mask of 8 units (1: kept) and ``np.random.randint``.
# "Runs overlap": rank 1 with root 0 draws what rank 0 with root 1 draws.

import numpy as np

ranks = run_two_ranks()
print(f"torch {version('torch')}, {ranks[0]['backend']}, 2 ranks, CPU")
draws = {scheme: np.array([seen[scheme] for seen in ranks]).T
         for scheme in SCHEMES}  # draws[scheme][run][rank]
print("dropout masks of rank 0 and rank 1, in the runs of roots 0 and 1:")
for s, d in draws.items():  # the masks, without the NumPy draws
    m = [mask.split()[0] for mask in d[:2].ravel()]
    print(f"{s:24} root 0: {m[0]} {m[1]}  root 1: {m[2]} {m[3]}")
same = {s: all(run[0] == run[1] for run in d) for s, d in draws.items()}
overlap = {s: d[0][1] == d[1][0] for s, d in draws.items()}
repeats = {s: list(d[2]) == list(d[0]) for s, d in draws.items()}
print(f"{'(masks and np.random)':24} ranks alike  runs overlap  repeatable")
for s in SCHEMES:
    print(f"{s:24} {same[s]!s:12} {overlap[s]!s:13} {repeats[s]}")

# %%
# The same seed on every rank is right for the weights, and
# ``DistributedDataParallel`` copies rank 0's weights to all ranks anyway.

alike, own, after = ([seen[key] for seen in ranks] for key in [
    "weights, seed 0", "weights, seed rank", "weights after DDP"])
print(f"manual_seed(0) on both ranks, same weights: {alike[0] == alike[1]}")
print(f"seeds 0 and 1, same weights: {own[0] == own[1]}; after DDP(model): "
      f"{after[0] == after[1] == own[0]}")

# %%
# Data order, with and without set_epoch
# ---------------------------------------
#
# Each rank read its 6 of 12 samples for three epochs with ``train``
# above, through ``DistributedSampler(shuffle=True, seed=0)``; a row is one
# rank's epoch, in orange if that rank read the same order before.

import matplotlib.pyplot as plt
from matplotlib.colors import ListedColormap

orders = {key: np.array([seen[key] for seen in ranks]).transpose(1, 0, 2)
          for key in ["0 False", "0 True"]}  # [epoch][rank]
fig, axes = plt.subplots(1, 2, figsize=(5.6, 3.6), sharey=True)
for ax, key in zip(axes, ["0 False", "0 True"]):
    rows = orders[key].reshape(2 * EPOCHS, -1)  # rows: (epoch, rank)
    again = [[(row == rows[i % 2:i:2]).all(axis=1).any()] * len(row)
             for i, row in enumerate(rows)]
    ax.imshow(again, cmap=ListedColormap(["#e3eef8", "#b93a0b"]), vmin=0,
              vmax=1, aspect="auto")
    for (row, column), sample in np.ndenumerate(rows):
        ax.text(column, row, sample, ha="center", va="center", fontsize=12,
                color="white" if again[row][column] else "black")
    ax.set(title=("" if key == "0 True" else "no ") + "set_epoch", xticks=[])
axes[0].set_yticks(range(2 * EPOCHS), [
    f"epoch {e}, rank {k}" for e in range(EPOCHS) for k in (0, 1)])
fig.tight_layout()

same_order = all((e == orders["0 False"][0]).all() for e in orders["0 False"])
differ = len({str(epoch) for epoch in orders["0 True"]}) == EPOCHS
apart = all(not set(mine) & set(yours) and len({*mine, *yours}) == 12
            for mine, yours in orders["0 True"])
print(f"no set_epoch, every epoch in epoch 0's order: {same_order}")
print(f"set_epoch, epochs differ: {differ}; ranks split the data: {apart}")

# %%
# Why
# ---
#
# * ``DistributedSampler`` shuffles with a generator seeded by ``seed +
#   epoch`` and gives each rank every second index; ``set_epoch`` only sets
#   ``epoch`` (`distributed.py, lines 107-157 <https://github.com/pytorch/
#   pytorch/blob/v2.14.1/torch/utils/data/distributed.py#L107-L157>`__), as
#   its `documentation <https://docs.pytorch.org/docs/2.14/data.html#torch.
#   utils.data.distributed.DistributedSampler>`__ warns (issues `#31771
#   <https://github.com/pytorch/pytorch/issues/31771>`__, `#11324
#   <https://github.com/pytorch/pytorch/issues/11324>`__). Ranks split the
#   data only if all share ``seed`` and epoch.
# * ``DistributedDataParallel`` broadcasts rank 0's parameters and buffers
#   as it wraps the model (`lines 1065-1073 <https://github.com/pytorch/
#   pytorch/blob/v2.14.1/torch/nn/parallel/distributed.py#L1065-L1073>`__).
# * ``SeedSequence(root).spawn(n)[rank]`` hashes root and rank as a pair:
#   the sum ``root + rank`` is shared across runs, the pair is not
#   (:doc:`../get_it_right/plot_spawned_generators`).

plt.show()
