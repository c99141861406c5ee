"""The page on dask's own API (client.submit, client.map, delayed,
dask.array.random): its claims, checked with its own functions, against
dask's source, and on the built page.
"""

import inspect
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import captured_output, example_path, load_example, page_of, parse_html, plain_run, printed_by

NAME = "plot_dask_api"
SITE_PACKAGES = Path(np.__file__).parent.parent


@pytest.fixture(scope="module")
def example():
    return load_example(NAME, as_main=True)


def test_title_and_first_lines_name_the_calls_readers_type():
    docstring = example_path(NAME).read_text().split('"""')[1]
    title = docstring.strip().splitlines()[1]
    for word in ["client.submit", "client.map", "delayed", "dask.array.random"]:
        assert word in title
    for word in ["seed", "np.random.seed", "chunks", "spawned seed"]:
        assert word in docstring


def test_distinct_results_on_the_cluster(example):
    n = example.N_TASKS
    assert example.distinct == {
        "generator made at import": 1,
        "np.random.seed in script": n,
        "map(f, [0] * 6)": 1,
        "map(f, [0] * 6, pure=False)": n,
        "one delayed, computed 6x": 1,
    }


def test_every_task_unpickles_the_import_time_generator_before_any_draw(example):
    first = np.random.default_rng(example.ROOT_SEED).integers(1000, size=4)
    assert (example.results["generator made at import"] == first).all()


def test_the_scripts_seed_never_reaches_the_workers(example):
    seeded = np.random.RandomState(example.ROOT_SEED).randint(1000, size=4)
    drawn = example.results["np.random.seed in script"]
    assert not (drawn == seeded).all(axis=1).any()
    # And the global state is not reproducible: a second cluster run differs.
    with example.dask_client() as client:
        again = np.array(client.gather(client.map(example.from_global_state, example.tasks)))
    assert not np.array_equal(drawn, again)


def test_spawned_seeds_are_bit_identical_on_the_cluster_and_locally(example):
    local = np.array([example.simulate(seed) for seed in example.seeds])
    assert example.mapped.tobytes() == local.tobytes()
    assert example.submitted.tobytes() == local.tobytes()
    assert len(np.unique(local, axis=0)) == example.N_TASKS


def test_equal_calls_share_one_key_and_delayed_objects_are_one_key(example):
    import dask
    from dask.base import tokenize

    with example.dask_client() as client:
        same = client.map(example.draw_unseeded, [0] * 3)
        impure = client.map(example.draw_unseeded, [0] * 3, pure=False)
        submitted = [client.submit(example.simulate, example.seeds[0]) for _ in range(2)]
        assert len({future.key for future in same}) == 1
        assert len({future.key for future in impure}) == 3
        assert submitted[0].key == submitted[1].key
        # submit's key: the function's name and a hash of it and its arguments
        assert submitted[0].key == f"simulate-{tokenize(example.simulate, {}, example.seeds[0])}"
        # While a future holds the key, an equal call gets the same result back.
        held = client.submit(example.draw_unseeded, 1)
        first = held.result()
        assert np.array_equal(client.submit(example.draw_unseeded, 1).result(), first)
    # delayed: pure=False by default (new keys), but one object is one key.
    assert dask.delayed(example.draw_unseeded)().key != dask.delayed(example.draw_unseeded)().key
    reused = dask.delayed(example.draw_unseeded)()
    assert len({tuple(v) for v in dask.compute(reused, reused, scheduler="synchronous")}) == 1


def run_script(script):
    """What examples' SCRIPT prints: each worker's random and NumPy draws."""
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "seeded.py").write_text(script)
        printed = subprocess.run([sys.executable, "seeded.py"], cwd=folder, capture_output=True,
                                 check=True, timeout=200).stdout
    return json.loads(printed)


def test_workers_that_import_the_script_repeat_random_but_not_numpy(example):
    import dask

    assert dask.config.get("distributed.worker.multiprocessing-method") == "spawn"
    # Both workers replay random.seed(42)'s stream, so they share numbers
    # (two independent 5,000 draws of 32 bits share 0.006 on average).
    assert set(example.random_1) <= example.random_42 and set(example.random_2) <= example.random_42
    assert len(set(example.random_1) & set(example.random_2)) > 1000
    # NumPy was reseeded in each worker: neither replays np.random.seed(42)
    # (by chance, 5,000 draws meet about 116 of its first 10**5 numbers).
    for draws in [example.numpy_1, example.numpy_2]:
        assert len(set(draws) & example.numpy_42) < 1000
    assert len(set(example.numpy_1) & set(example.numpy_2)) < 10
    # Without the seeding at import, random does not repeat either.
    unseeded = example.SCRIPT.replace("\nrandom.seed(42)\n", "\n")
    assert unseeded != example.SCRIPT
    (random_1, _), (random_2, _) = run_script(unseeded)
    assert len(set(random_1) & set(random_2)) < 10
    assert len(set(random_1 + random_2) & example.random_42) < 2000


def test_dask_itself_draws_from_random():
    """The page: the workers' streams are shifted by what dask draws."""
    import distributed.comm.core
    import distributed.protocol.compression

    assert "random.uniform(" in inspect.getsource(distributed.comm.core)
    assert "randint(" in inspect.getsource(distributed.protocol.compression)


def test_the_nanny_reseeds_numpy_only():
    import dask.multiprocessing
    import distributed.nanny

    source = inspect.getsource(dask.multiprocessing.default_initializer)
    assert "np.random.seed()" in source
    assert "random.seed(" not in source.replace("np.random.seed(", "")
    assert "default_initializer()" in inspect.getsource(distributed.nanny)


def test_pinned_links_point_at_the_lines_the_page_describes():
    source = example_path(NAME).read_text()
    # The page's links are split over comment lines: join them back.
    text = re.sub(r"\n# ?", "", source)
    expected = {
        "distributed/client.py": "tokenize(func, kwargs, *args)",
        "distributed/nanny.py": "default_initializer()",
        "dask/multiprocessing.py": "np.random.seed()",
        "dask/array/random.py": "_seed_seq.spawn(",
    }
    for path, needle in expected.items():
        match = re.search(rf"/blob/2026\.8\.0/{re.escape(path)}#L(\d+)-L(\d+)", text)
        assert match, path
        lines = (SITE_PACKAGES / path).read_text().splitlines()[int(match[1]) - 1:int(match[2])]
        assert needle in "\n".join(lines), path
    from importlib.metadata import version

    assert version("dask") == version("distributed") == "2026.8.0"


def test_dask_array_draws_block_i_from_child_i_so_chunks_change_the_numbers(example):
    arrays = example.arrays
    assert not np.array_equal(arrays[0], arrays[1])
    assert np.array_equal(arrays[2], arrays[3])
    for values, chunks in zip(arrays, example.CHUNKS):
        children = np.random.SeedSequence(example.ROOT_SEED).spawn(-(-12 // chunks))
        by_hand = np.concatenate([np.random.default_rng(child).integers(100, size=chunks)
                                  for child in children])
        assert np.array_equal(values, by_hand)
    # Only the first block's start stays.
    smallest = min(example.CHUNKS)
    assert all(np.array_equal(row[:smallest], arrays[0][:smallest]) for row in arrays)


def test_auto_chunks_follow_the_chunk_size_setting(example):
    import dask
    import dask.array as da

    auto = da.random.default_rng(example.ROOT_SEED).random(10**6)
    with dask.config.set({"array.chunk-size": "1MiB"}):
        small = da.random.default_rng(example.ROOT_SEED).random(10**6)
    assert auto.numblocks != small.numblocks
    assert not np.array_equal(*dask.compute(auto, small, scheduler="synchronous"))


def test_built_page_shows_what_the_script_prints(site, example):
    page = parse_html(site / page_of(NAME))
    shown = [line.strip() for line in captured_output(page).splitlines() if line.strip()]
    printed = [line.strip() for line in printed_by(NAME).splitlines() if line.strip()]
    assert shown == printed
    for label, count in example.distinct.items():
        assert re.search(rf"^{re.escape(label)}\s+{count} distinct of 6$", "\n".join(shown), re.M)
    assert "random: both workers replay random.seed(42)'s stream: True" in shown
    assert "NumPy: a worker replays np.random.seed(42)'s stream: False" in shown
    assert len(page.select("img.sphx-glr-single-img, img.sphx-glr-multi-img")) >= 1


def test_downloaded_script_leaves_no_process():
    # The plain run tests/test_examples.py checks too (conftest.plain_run):
    # the processes it started carry its EXAMPLE_MARKER, looked for once it ended.
    result, left = plain_run(example_path(NAME))
    assert result.returncode == 0, result.stderr
    assert "spawned seeds: 6 distinct of 6; map, submit, a local loop bit-identical: True" in \
        result.stdout.splitlines()

    assert left == []
