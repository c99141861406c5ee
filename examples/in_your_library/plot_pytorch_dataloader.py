r"""
===========================================================================
PyTorch DataLoader: num_workers, worker_init_fn and identical augmentations
===========================================================================

Your ``DataLoader`` with ``num_workers=2`` gives its workers identical
augmentations (the same random crops), or they repeat every epoch. Since
PyTorch 1.9 each worker's NumPy, ``random`` and ``torch`` are seeded anew
per worker and epoch; repeats typically come from a ``worker_init_fn``
seeding fixed numbers, a NumPy ``Generator`` made in the dataset's
``__init__``, or PyTorch < 1.9. The fix: seed from ``torch.initial_seed()``
in each worker, as PyTorch's `notes on randomness
<https://docs.pytorch.org/docs/2.14/notes/randomness.html#dataloader>`__
do (but NumPy apart from ``torch``: why below), and pass a seeded
``generator`` to repeat a run::

    def seed_worker(worker_id):  # torch.initial_seed(): per worker, epoch
        seed = np.random.SeedSequence(torch.initial_seed())
        np.random.seed(seed.generate_state(4))

    loader = DataLoader(dataset, num_workers=2, worker_init_fn=seed_worker,
                        generator=torch.Generator().manual_seed(0))
"""

# %%
# Nine loaders, three epochs each
# -------------------------------
#
# Each row: a ``DataLoader(num_workers=2)``, three epochs of six samples
# drawing from ``np.random`` (or the dataset's ``rng``), ``random``, ``torch``,
# in a fresh interpreter, as ``import torch`` starts threads.

# Harness: the nine loaders, their script, and what runs it
import json
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

CASES = {  # worker_init_fn, generator seed, persistent_workers, rng
    "defaults, no generator": ("none", None, False, False),
    "generator=g, no worker_init_fn": ("none", 0, False, False),
    "np.random.seed(worker_id)": ("seed_worker_id", None, False, False),
    "default_rng(0) in __init__": ("none", None, False, True),
    "forked, before 1.9 (re-enacted)": ("restore", None, False, False),
    "seed_worker, PyTorch's notes": ("seed_worker_notes", 0, False, False),
    "seed_worker above, generator=g": ("seed_worker", 0, False, False),
    "default_rng([worker_id, seed])": ("rng_per_worker", 0, False, False),
    "persistent, seed_worker above": ("seed_worker", 0, True, False),
}

SCRIPT = '''
import functools, json, multiprocessing, random, sys
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, get_worker_info
from torch.utils.data._utils.worker import _generate_state

class Draws(Dataset):  # six samples: each draws from every generator
    rng = None  # or a NumPy Generator of the dataset's own
    def __len__(self): return 6
    def __getitem__(self, index):
        info, rng = get_worker_info(), self.rng
        return dict(worker=info.id, seed=info.seed,
                    initial_seed=torch.initial_seed(),
                    numpy=int(rng.integers(2**31) if rng is not None
                              else np.random.randint(2**31)),
                    random=random.getrandbits(31),
                    torch=int(torch.randint(2**31, ())))

def seed_worker(worker_id):  # torch.initial_seed(): per worker, epoch
    seed = np.random.SeedSequence(torch.initial_seed())
    np.random.seed(seed.generate_state(4))
def seed_worker_notes(worker_id):  # as in PyTorch's notes
    worker_seed = torch.initial_seed() % 2**32
    np.random.seed(worker_seed)
    random.seed(worker_seed)
def seed_worker_id(worker_id):
    np.random.seed(worker_id)
def rng_per_worker(worker_id):  # a NumPy Generator for each worker
    get_worker_info().dataset.rng = np.random.default_rng(
        [worker_id, torch.initial_seed()])
def restore(state, worker_id):  # the parent's state, as fork copied it
    np.random.set_state(state)

def epochs(init, seed, persistent, rng_in_init):  # samples by index
    init = (functools.partial(restore, np.random.get_state())
            if init == "restore" else globals().get(init))
    dataset = Draws()  # a Generator made in __init__, in the main process:
    dataset.rng = np.random.default_rng(0) if rng_in_init else None
    generator = None if seed is None else torch.Generator().manual_seed(seed)
    loader = DataLoader(dataset, batch_size=None, num_workers=2,
                        worker_init_fn=init, generator=generator,
                        persistent_workers=persistent)
    samples = [list(loader) for _ in range(3)]
    return {k: [[s[k] for s in epoch] for epoch in samples] for k in
            ("worker", "seed", "initial_seed", "numpy", "random", "torch")}

def first_draws(seed, worker):  # of the states PyTorch seeds a worker with
    numpy = np.random.RandomState(_generate_state(seed - worker, worker))
    own = torch.Generator().manual_seed(seed)
    return [numpy.randint(2**31), random.Random(seed).getrandbits(31),
            int(torch.randint(2**31, (), generator=own))]

if __name__ == "__main__":
    runs = [epochs(*case) for case in json.loads(sys.argv[1])]
    row = runs[1]  # "generator=g, no worker_init_fn": epoch 1, samples 0, 1
    print(json.dumps(dict(from_seed=all(
        [row[k][0][i] for k in ("numpy", "random", "torch")]
        == first_draws(row["seed"][0][i], row["worker"][0][i])
        for i in (0, 1)),
        start_method=torch.multiprocessing.get_start_method(), runs=runs,
        left=len(multiprocessing.active_children()))))
'''

def run_loaders():  # the script, in a fresh interpreter: what it printed
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "loaders.py").write_text(SCRIPT)
        printed = subprocess.run(
            [sys.executable, "loaders.py", json.dumps(list(CASES.values()))],
            cwd=folder, capture_output=True, text=True, timeout=120,
            check=True).stdout
    return json.loads(printed)

# %%
# Distinct draws among the 18 (3 epochs of 6 samples), per generator;
# "shared": torch draws that NumPy drew too; "rerun": NumPy's in run 2.

import numpy as np

first, second = run_loaders(), run_loaders()
runs = dict(zip(CASES, first["runs"]))
print(f"torch {version('torch')}, NumPy {np.__version__}, Python "
      f"{sys.version.split()[0]}, start method: {first['start_method']}")
print(f"{'distinct of 18':31}{'NumPy':>7}{'random':>7}{'torch':>7}"
      f"{'shared':>7}{'rerun':>7}")
for (label, epochs), again in zip(runs.items(), second["runs"]):
    counts = [len(np.unique(epochs[kind]))
              for kind in ("numpy", "random", "torch")]
    shared = sum(len(set(t[w::2]) & set(n[w::2])) for w in (0, 1)
                 for t, n in zip(epochs["torch"], epochs["numpy"]))
    same = epochs["numpy"] == again["numpy"]
    print(f"{label:31}" + "".join(f"{n:>7}" for n in counts)
          + f"{shared:>7}{'same' if same else 'new':>7}")
repeat = runs["np.random.seed(worker_id)"]["numpy"]
print(f"np.random.seed(worker_id): epoch 1 == epoch 2: "
      f"{repeat[0] == repeat[1]}")
print(f"worker processes left: {first['left'] + second['left']}")

# %%
# What NumPy drew, sample by sample (last 4 digits; repeats are dark):

import matplotlib.pyplot as plt
from matplotlib.colors import ListedColormap

SHOWN = ["np.random.seed(worker_id)", "default_rng(0) in __init__",
         "seed_worker above, generator=g"]
fig, axes = plt.subplots(3, 1, figsize=(5.6, 6.6))
for ax, label in zip(axes, SHOWN):
    values = np.array(runs[label]["numpy"])
    repeated = np.vectorize(lambda v: (values == v).sum() > 1)(values)
    ax.imshow(repeated, cmap=ListedColormap(["#e3eef8", "#b93a0b"]),
              vmin=0, vmax=1, aspect="auto")
    for (row, column), value in np.ndenumerate(values):
        ax.text(column, row, f"{value % 10000:04d}", ha="center",
                va="center", fontsize=12,
                color="white" if repeated[row, column] else "black")
    ax.set_xticks(range(6), [f"worker {i % 2}" for i in range(6)])
    ax.set_yticks(range(3), ["epoch 1", "epoch 2", "epoch 3"])
    ax.set_title(label, loc="left", fontsize=12)
fig.tight_layout()

# %%
# Where the seeds come from
# -------------------------
#
# Each epoch's iterator draws a ``base_seed`` from the loader's
# ``generator`` or torch's global one (`dataloader.py#L690
# <https://github.com/pytorch/pytorch/blob/v2.14.1/torch/utils/data/
# dataloader.py#L690-L694>`__). Worker ``i`` runs ``random.seed`` and
# ``torch.manual_seed`` with ``base_seed + i``, then, if NumPy imports,
# ``np.random.seed(_generate_state(base_seed, i))`` (`worker.py#L275
# <https://github.com/pytorch/pytorch/blob/v2.14.1/torch/utils/data/
# _utils/worker.py#L275-L282>`__), and only then ``worker_init_fn``:

seeded = runs["generator=g, no worker_init_fn"]
seeds = [epoch[:2] for epoch in seeded["seed"]]
kept = [epoch[:2] for epoch in runs["persistent, seed_worker above"]["seed"]]
print(f"first draws from those seeds: {first['from_seed']}; worker_info"
      f" seed == initial_seed(): {seeded['seed'] == seeded['initial_seed']}")
print(f"worker 1's seed - worker 0's: {[b - a for a, b in seeds]}; "
      f"epochs with a new base_seed: {len({a for a, _ in seeds})} of 3")
print(f"persistent_workers, epochs with the first seeds: "
      f"{kept.count(kept[0])} of 3")

# %%
# What the rows show
# ------------------
#
# * ``np.random.seed(worker_id)`` undoes PyTorch's seeding: every epoch
#   and run repeats NumPy's draws (top panel). A ``Generator`` made in
#   ``__init__`` is copied into each worker, afresh every epoch (middle).
# * Before 1.9, PyTorch left NumPy alone: forked workers kept the parent's
#   state and repeated, as re-enacted here. `PR #56488
#   <https://github.com/pytorch/pytorch/pull/56488>`__ (issue #5059) added
#   the seeding in 1.9, PR #56797 the ``_generate_state`` hash.
# * PyTorch's notes seed NumPy with ``torch.initial_seed() % 2**32``, the
#   32 bits torch's own Mersenne Twister was seeded with (`MT19937RNGEngine
#   <https://github.com/pytorch/pytorch/blob/v2.14.1/aten/src/ATen/core/
#   MT19937RNGEngine.h#L156-L165>`__): both draw one stream ("shared").
# * ``generator=g`` repeats a run. ``persistent_workers=True`` seeds
#   workers once: later epochs go on where the last stopped.
# * A NumPy ``Generator`` in a worker: in ``worker_init_fn``, set
#   ``get_worker_info().dataset.rng = default_rng([worker_id,
#   torch.initial_seed()])``. A fixed root there (``[task_id, root]`` is
#   right for tasks) is a fixed seed per worker: it repeats, as on top.

plt.show()
