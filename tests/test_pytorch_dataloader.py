"""The PyTorch DataLoader page: every claim, checked with its own functions
and values.

torch is never imported here (it starts threads, and other tests fork):
the page's own run_loaders() runs the loaders in fresh interpreters, and
what NumPy's draws should be is recomputed here from the seeds the workers
reported, with NumPy alone.
"""

import importlib.util
import json
import multiprocessing
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import numpy as np
import psutil
import pytest

from conftest import example_path, load_example, printed_by

NAME = "plot_pytorch_dataloader"
N_WORKERS, N_EPOCHS, N_SAMPLES = 2, 3, 6


@pytest.fixture(scope="module")
def page():
    return load_example(NAME)


@pytest.fixture(scope="module")
def runs(page):
    return page.runs


def by_worker(row, kind, worker):
    """[epoch][k]: what worker drew for its k-th sample (samples alternate)."""
    assert all(epoch == [0, 1] * 3 for epoch in row["worker"])
    return [epoch[worker::N_WORKERS] for epoch in row[kind]]


def worker_seeds(row, worker):
    """The seed each epoch gave the worker (torch.initial_seed() there)."""
    return [epoch[worker] for epoch in row["initial_seed"]]


def legacy_draws(seed, n):
    """What np.random.randint(2**31) draws n times after np.random.seed(seed)."""
    return [int(v) for v in np.random.RandomState(seed).randint(2**31, size=n)]


# -- What the page says first ------------------------------------------------


def test_title_and_first_lines_name_the_call_and_the_symptom():
    lines = example_path(NAME).read_text().splitlines()
    assert all(word in lines[2] for word in ("DataLoader", "num_workers", "worker_init_fn"))
    opening = " ".join(lines[5:10])
    assert "identical" in opening and "random crops" in opening and "repeat every" in opening


def test_the_snippet_to_paste_is_the_code_that_was_measured(page):
    doc = page.__doc__
    snippet = doc[doc.index("    def seed_worker"):doc.index("\n\n    loader")]
    measured = [line[4:] for line in snippet.splitlines()]
    assert "\n".join(measured) in page.SCRIPT
    assert "worker_init_fn=seed_worker" in doc and "generator=torch.Generator().manual_seed(0)" in doc
    # The recipe from PyTorch's notes, as the row "seed_worker, PyTorch's notes" runs it.
    assert ("    worker_seed = torch.initial_seed() % 2**32\n    np.random.seed(worker_seed)\n"
            "    random.seed(worker_seed)\n") in page.SCRIPT


def test_versions_and_start_method_are_printed(page):
    printed = printed_by(NAME)
    assert f"torch {version('torch')}, NumPy {np.__version__}" in printed
    default = subprocess.run([sys.executable, "-c", "import multiprocessing as m; print(m.get_start_method())"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert page.first["start_method"] == page.second["start_method"] == default
    assert f"start method: {default}" in printed
    assert default in multiprocessing.get_all_start_methods()


# -- The rows ----------------------------------------------------------------------


def test_np_random_seed_worker_id_repeats_every_epoch_and_every_run(page, runs):
    row = runs["np.random.seed(worker_id)"]
    assert page.CASES["np.random.seed(worker_id)"][1] is None, "no generator: nothing else seeded"
    for worker in range(N_WORKERS):
        # Each epoch restarts from np.random.seed(worker_id): the first draws of that state.
        expected = legacy_draws(worker, N_SAMPLES // N_WORKERS)
        assert by_worker(row, "numpy", worker) == [expected] * N_EPOCHS
    assert row["numpy"][0] == row["numpy"][1] == row["numpy"][2]
    again = dict(zip(page.CASES, page.second["runs"]))["np.random.seed(worker_id)"]
    assert again["numpy"] == row["numpy"]
    # torch and random are still seeded by PyTorch: they change.
    assert len(np.unique(row["torch"])) == len(np.unique(row["random"])) == N_EPOCHS * N_SAMPLES
    assert "np.random.seed(worker_id): epoch 1 == epoch 2: True" in printed_by(NAME)


def test_a_generator_made_in_init_is_copied_into_every_worker_and_epoch(runs):
    row = runs["default_rng(0) in __init__"]
    expected = [int(v) for v in np.random.default_rng(0).integers(2**31, size=N_SAMPLES // N_WORKERS)]
    for worker in range(N_WORKERS):
        assert by_worker(row, "numpy", worker) == [expected] * N_EPOCHS
    assert len(np.unique(row["numpy"])) == 3


def test_before_1_9_reenacted_workers_and_epochs_repeat(page, runs):
    row = runs["forked, before 1.9 (re-enacted)"]
    assert by_worker(row, "numpy", 0) == by_worker(row, "numpy", 1)
    assert row["numpy"][0] == row["numpy"][1] == row["numpy"][2]
    again = dict(zip(page.CASES, page.second["runs"]))["forked, before 1.9 (re-enacted)"]
    assert again["numpy"] != row["numpy"], "the parent's state was unseeded"


def test_pytorchs_default_seeds_per_worker_and_epoch(page, runs):
    """PyTorch's seeding, with and without a generator: all distinct; the
    seeds are base_seed + worker_id, a new base_seed every epoch."""
    assert page.first["from_seed"] is page.second["from_seed"] is True
    for label in ["defaults, no generator", "generator=g, no worker_init_fn"]:
        row = runs[label]
        for kind in ("numpy", "random", "torch"):
            assert len(np.unique(row[kind])) == N_EPOCHS * N_SAMPLES, (label, kind)
        assert row["seed"] == row["initial_seed"]
        seeds = [epoch[:2] for epoch in row["seed"]]
        assert [b - a for a, b in seeds] == [1] * N_EPOCHS
        assert len({a for a, _ in seeds}) == N_EPOCHS
    # Without a generator, base_seed comes from torch's unseeded global one.
    second = dict(zip(page.CASES, page.second["runs"]))
    for kind in ("numpy", "random", "torch", "seed"):
        assert second["defaults, no generator"][kind] != runs["defaults, no generator"][kind]
    printed = printed_by(NAME)
    assert "first draws from those seeds: True; worker_info seed == initial_seed(): True" in printed
    assert "worker 1's seed - worker 0's: [1, 1, 1]; epochs with a new base_seed: 3 of 3" in printed


def test_the_fix_is_distinct_across_workers_and_epochs_and_repeats_a_run(page, runs):
    label = "seed_worker above, generator=g"
    row, again = runs[label], dict(zip(page.CASES, page.second["runs"]))[label]
    assert len(np.unique(row["numpy"])) == N_EPOCHS * N_SAMPLES
    assert row == again, "generator=g: the second run drew the same, everywhere"
    assert row["numpy"][0] != row["numpy"][1]
    # NumPy's draws are those of np.random.seed(SeedSequence(initial_seed).generate_state(4)).
    for worker in range(N_WORKERS):
        expected = [legacy_draws(np.random.SeedSequence(seed).generate_state(4), 3)
                    for seed in worker_seeds(row, worker)]
        assert by_worker(row, "numpy", worker) == expected
    # The same generator seed gives the same base seeds as PyTorch's own seeding.
    assert row["seed"] == runs["generator=g, no worker_init_fn"]["seed"]


def test_pytorchs_notes_recipe_makes_numpy_and_torch_draw_one_stream(runs):
    notes, fix = runs["seed_worker, PyTorch's notes"], runs["seed_worker above, generator=g"]
    assert len(np.unique(notes["numpy"])) == N_EPOCHS * N_SAMPLES
    for worker in range(N_WORKERS):
        for seed, numpy, drawn in zip(worker_seeds(notes, worker), by_worker(notes, "numpy", worker),
                                      by_worker(notes, "torch", worker)):
            stream = legacy_draws(seed % 2**32, 2 * len(drawn))
            assert numpy == stream[:len(numpy)]
            assert drawn == stream[1::2], "torch draws every other output of NumPy's stream"
    assert shared(notes) == N_EPOCHS * N_WORKERS  # one per worker and epoch with 3 draws each
    assert shared(fix) == 0


def shared(row):
    return sum(len(set(t) & set(n)) for w in range(N_WORKERS)
               for t, n in zip(by_worker(row, "torch", w), by_worker(row, "numpy", w)))


def test_a_numpy_generator_per_worker_from_initial_seed(page, runs):
    row = runs["default_rng([worker_id, seed])"]
    assert len(np.unique(row["numpy"])) == N_EPOCHS * N_SAMPLES
    for worker in range(N_WORKERS):
        expected = [[int(v) for v in np.random.default_rng([worker, seed]).integers(2**31, size=3)]
                    for seed in worker_seeds(row, worker)]
        assert by_worker(row, "numpy", worker) == expected
    # torch.initial_seed() differs per worker and per epoch: the roots all differ.
    assert len(set(sum(row["initial_seed"], []))) == N_EPOCHS * N_WORKERS


def test_persistent_workers_are_seeded_once_and_go_on(runs):
    row = runs["persistent, seed_worker above"]
    first_seeds = [epoch[:2] for epoch in row["seed"]]
    assert first_seeds == [first_seeds[0]] * N_EPOCHS
    # Epoch 1 is the non-persistent loader's epoch 1 (same generator seed).
    assert row["numpy"][0] == runs["seed_worker above, generator=g"]["numpy"][0]
    for worker in range(N_WORKERS):
        seed = np.random.SeedSequence(worker_seeds(row, worker)[0]).generate_state(4)
        stream = legacy_draws(seed, N_EPOCHS * 3)
        assert sum(by_worker(row, "numpy", worker), []) == stream, "one stream across epochs"
    assert len(np.unique(row["numpy"])) == N_EPOCHS * N_SAMPLES
    assert "persistent_workers, epochs with the first seeds: 3 of 3" in printed_by(NAME)


def test_the_table_prints_what_was_measured(page, runs):
    printed = printed_by(NAME).splitlines()
    second = dict(zip(page.CASES, page.second["runs"]))
    for label, row in runs.items():
        [line] = [line for line in printed if line.startswith(label + " ")]
        counts = [len(np.unique(row[k])) for k in ("numpy", "random", "torch")]
        rerun = "same" if row["numpy"] == second[label]["numpy"] else "new"
        assert line.split()[-5:] == [*map(str, counts), str(shared(row)), rerun], line
    assert max(map(len, printed)) <= 79


def test_the_figure_digits_show_exactly_the_repeats(page, runs):
    """The panels print the last 4 digits: no two different draws may look alike."""
    for label in ["np.random.seed(worker_id)", "default_rng(0) in __init__", "seed_worker above, generator=g"]:
        values = sum(runs[label]["numpy"], [])
        assert len({v % 10000 for v in values}) == len(set(values)), label


# -- No process left, and the sources the page links to -----------------------------


def test_no_worker_process_is_left(page):
    assert page.first["left"] == page.second["left"] == 0
    assert "worker processes left: 0" in printed_by(NAME)
    leftovers = []
    for process in psutil.process_iter(["cmdline"]):
        command = " ".join(process.info["cmdline"] or ())
        if "loaders.py" in command and "seed_worker_notes" in command:  # this page's, or its workers
            leftovers.append(process.pid)
    assert leftovers == []


TORCH = Path(importlib.util.find_spec("torch").submodule_search_locations[0])  # not imported


def linked_lines(path_in_repo):
    """The line range the page links to in pytorch's file at the tag."""
    source = example_path(NAME).read_text()
    joined = re.sub(r"/\n#\s+", "/", source)  # the links' URLs are split across comment lines
    match = re.search(rf"/blob/v([\d.]+)/{re.escape(path_in_repo)}#L(\d+)-L(\d+)>", joined)
    assert match, path_in_repo
    assert match[1] == version("torch"), "links name the installed version's tag"
    return int(match[2]), int(match[3])


@pytest.mark.parametrize("path_in_repo, installed, expected", [
    ("torch/utils/data/dataloader.py", "utils/data/dataloader.py",
     [r"self\._base_seed = \(", r"\.random_\(generator=loader\.generator\)"]),
    ("torch/utils/data/_utils/worker.py", "utils/data/_utils/worker.py",
     [r"seed = base_seed \+ worker_id", r"random\.seed\(seed\)", r"torch\.manual_seed\(seed\)",
      r"if HAS_NUMPY:", r"np_seed = _generate_state\(base_seed, worker_id\)", r"np\.random\.seed\(np_seed\)"]),
    ("aten/src/ATen/core/MT19937RNGEngine.h", "include/ATen/core/MT19937RNGEngine.h",
     [r"init_with_uint32\(uint64_t seed\)", r"state_\[0\] = seed & 0xffffffff"]),
])
def test_the_linked_lines_say_what_the_page_says(path_in_repo, installed, expected):
    start, end = linked_lines(path_in_repo)
    lines = (TORCH / installed).read_text().splitlines()[start - 1:end]
    text = "\n".join(lines)
    for pattern in expected:
        assert re.search(pattern, text), (pattern, text)


def test_numpy_is_seeded_only_where_it_imports():
    source = (TORCH / "utils" / "data" / "_utils" / "__init__.py").read_text()
    assert re.search(r"try:\n\s+import numpy\n\n?\s+HAS_NUMPY = True\nexcept ModuleNotFoundError:\n"
                     r"\s+HAS_NUMPY = False", source)


def test_a_third_run_with_the_generator_repeats_the_first(page, runs):
    """generator=g reproduces across runs, not only across the two the page made."""
    third = dict(zip(page.CASES, page.run_loaders()["runs"]))
    for label, (_, seed, _, rng_in_init) in page.CASES.items():
        if seed is not None:
            assert third[label] == runs[label], label
    assert json.dumps(third["defaults, no generator"]) != json.dumps(runs["defaults, no generator"])
