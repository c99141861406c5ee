"""The Ray page: its claims, checked with its own functions and on the built page.

The page is unseeded (conftest.UNSEEDED_EXAMPLES): how many tasks each Ray
worker takes is up to Ray's scheduler, so the number of distinct draws from
the module-level generator changes from run to run (4 or 5 of 8 here), and
NumPy's global state in the workers is seeded from the operating system.
What does not depend on that is asserted exactly.

Ray 2.60.0 has no wheel for free-threaded Python: there requirements-gil.txt
is not installed, the tests that need Ray are skipped, and the page must say
that it skipped Ray, and why.
"""

import importlib.util
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import psutil
import pytest

from conftest import ROOT, captured_output, example_path, load_example, page_of, parse_html, printed_by

HAS_RAY = importlib.util.find_spec("ray") is not None
needs_ray = pytest.mark.skipif(not HAS_RAY, reason="Ray 2.60.0 has no wheel for this (free-threaded) Python")
N_TASKS = 8


def ray_processes_started_since(start):
    """Ray's own processes (raylet, gcs_server, ray::...) made after start."""
    found = []
    for process in psutil.process_iter(["name", "create_time", "status"]):
        name = process.info["name"] or ""
        if (name in {"raylet", "gcs_server"} or name.startswith("ray::")) \
                and process.info["create_time"] >= start and process.info["status"] != psutil.STATUS_ZOMBIE:
            found.append((process.pid, name))
    return found


@pytest.fixture(scope="module")
def ray_page():
    start = time.time()
    page = load_example("plot_ray")
    page.started_at = start
    return page


@pytest.fixture(scope="module")
def second_run(ray_page):
    """A second Ray session, as a reader's second run would start."""
    if not ray_page.HAS_RAY:
        pytest.skip("Ray is not installed")
    return ray_page.run_ray()


def test_title_and_first_lines_name_the_calls():
    source = example_path("plot_ray").read_text()
    title = source.splitlines()[2]
    assert "@ray.remote" in title and "actors" in title and "seeds" in title
    summary = source.split('"""')[1]
    for words in ["ray.init()", "@ray.remote", "module-level", "actor", "seed", "2 CPUs"]:
        assert words in summary, words


def test_ray_is_pinned_for_pythons_with_the_gil_only():
    gil_pins = (ROOT / "requirements-gil.txt").read_text()
    assert re.search(r"^ray==2\.60\.0$", gil_pins, re.M)
    assert "ray==" not in (ROOT / "requirements.txt").read_text()
    if HAS_RAY:
        from importlib.metadata import version

        assert version("ray") == "2.60.0"


@needs_ray
def test_each_worker_replays_its_copy_of_the_module_level_generator(ray_page):
    pids = np.array([pid for pid, draws in ray_page.found["captured"]])
    captured = np.array([draws for pid, draws in ray_page.found["captured"]])
    reference = np.random.default_rng(0).integers(1000, size=(N_TASKS, 3))
    workers = list(dict.fromkeys(pids))
    assert len(workers) == 2, "both workers took tasks"
    draws = [captured[pids == pid] for pid in workers]
    # Each worker's j-th task drew the generator's j-th draw: a copy each.
    for drawn in draws:
        assert np.array_equal(drawn, reference[:len(drawn)])
    # So the distinct draws are as many as the busiest worker's tasks.
    assert len(np.unique(captured, axis=0)) == max(map(len, draws)) < N_TASKS
    # The driver's own generator was pickled, never advanced.
    assert ray_page.found["driver_gen"] == reference[0].tolist()


@needs_ray
def test_global_states_are_distinct_in_reused_workers_and_change_from_run_to_run(ray_page, second_run):
    for results in [ray_page.found["global"], second_run[0]["global"]]:
        pids = [pid for pid, *_ in results]
        assert len(set(pids)) < N_TASKS, "Ray reuses its workers across tasks"
        for column in (1, 2):  # NumPy's global state, Python's random
            assert len({tuple(result[column]) for result in results}) == N_TASKS
    # Nothing seeds them: the second session drew other numbers.
    first = {tuple(result[1]) for result in ray_page.found["global"]}
    again = {tuple(result[1]) for result in second_run[0]["global"]}
    assert first != again
    first_py = {tuple(result[2]) for result in ray_page.found["global"]}
    again_py = {tuple(result[2]) for result in second_run[0]["global"]}
    assert first_py != again_py


@needs_ray
def test_ray_core_never_seeds_random_or_numpy():
    """The page: no random.seed or numpy.random.seed call in Ray's core."""
    import ray

    core = Path(ray.__file__).parent / "_private"
    sources = list(core.rglob("*.py"))
    assert len(sources) > 50
    seeding = re.compile(r"\b(random\.seed|np\.random\.seed|numpy\.random\.seed)\(")
    assert [path for path in sources if seeding.search(path.read_text(errors="replace"))] == []


@needs_ray
def test_ray_data_seeds_as_the_page_says():
    """random_sample's tasks draw from default_rng((task_idx, seed)), and
    RandomSeedConfig reseeds at each execution when asked (Ray 2.60.0)."""
    import ray

    data = Path(ray.__file__).parent / "data"
    config = (data / "_internal" / "random_config.py").read_text()
    assert "return (task_idx, self.seed)" in config
    assert "reseed_after_execution: bool = True" in config
    dataset = (data / "dataset.py").read_text()
    assert "np.random.default_rng(seed_result.to_rng_args(ctx.task_idx))" in dataset
    for method in ["random_shuffle", "randomize_block_order", "random_sample"]:
        assert re.search(rf"def {method}\(", dataset), method


@needs_ray
def test_spawned_seeds_and_actors_are_reproducible_and_distinct(ray_page, second_run):
    expected = ray_page.expected
    assert len(np.unique(expected, axis=0)) == N_TASKS
    for found in [ray_page.found, second_run[0]]:
        for run in found["spawned"]:
            assert np.array_equal([draws for pid, draws in run], expected)
        streams = [np.random.default_rng(seed).integers(1000, size=(4, 3)) for seed in ray_page.seeds[8:]]
        assert np.array_equal(found["actors"], streams)
        assert not np.array_equal(*found["actors"])


@needs_ray
def test_no_ray_process_is_left(ray_page, second_run):
    assert ray_page.left == [] and second_run[1] == []
    for found in [ray_page.found, second_run[0]]:
        assert len(found["processes"]) >= 4  # gcs_server, raylet, 2 workers at least
        assert not any(ray_page.running(pid, made) for pid, made in found["processes"])
    assert ray_processes_started_since(ray_page.started_at) == []


def test_the_page_shows_what_it_measured(site):
    page = parse_html(site / page_of("plot_ray"))
    shown = captured_output(page)
    assert page.select("img.sphx-glr-single-img")
    if "Skipping Ray" in shown:
        assert re.search(r"Skipping Ray: (Ray 2\.60\.0 publishes no wheel for this free-threaded Python"
                         r"|it is not installed \(pip install ray==2\.60\.0\))\.", shown)
        return
    assert "Ray 2.60.0: 2 CPUs, one session" in shown
    match = re.search(r"8 tasks on 2 workers, (\d) distinct draws\n  tasks per worker: \[(\d), (\d)\]", shown)
    assert match, shown
    distinct, *per_worker = map(int, match.groups())
    assert sum(per_worker) == N_TASKS and distinct == max(per_worker)
    for claim in ["each worker replays gen's copy: True", "the driver's gen did not move: True",
                  "in 2 reused workers: 8, 8 distinct draws of 8",
                  "spawned seeds: 8 distinct of 8; as a plain loop: True; run 2 identical: True",
                  "actors replay their seeds' streams: True; the two differ: True",
                  "Ray processes left after ray.shutdown(): 0"]:
        assert claim in shown, claim


# A branch or a moving alias where a version, tag or commit should be
UNPINNED = re.compile(r"/(blob|tree)/(main|master)/|/(stable|latest|dev)/|/en/(main|master)/")


def test_the_page_links_pinned_sources(site):
    page = parse_html(site / page_of("plot_ray"))
    links = [a["href"] for a in page.select("article a.reference.external")
             if "sphinx-gallery" not in a["href"]]
    assert len(links) >= 3
    for link in links:
        assert " " not in link and not UNPINNED.search(link), link
        assert "ray-2.60.0" in link or "releases-2.60.0" in link, link


WITHOUT_RAY = """
import runpy, sys, sysconfig
sys.modules["ray"] = None  # as if Ray were not installed
free_threaded = sys.argv[2] == "free-threaded"
real = sysconfig.get_config_var
sysconfig.get_config_var = lambda name: 1 if free_threaded and name == "Py_GIL_DISABLED" else real(name)
runpy.run_path(sys.argv[1], run_name="__main__")
"""


@pytest.mark.parametrize("build, why", [
    ("free-threaded", "Skipping Ray: Ray 2.60.0 publishes no wheel for this free-threaded Python."),
    ("with the GIL", "Skipping Ray: it is not installed (pip install ray==2.60.0)."),
])
def test_without_ray_a_plain_run_says_what_it_skips_and_why(build, why):
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(WITHOUT_RAY), str(example_path("plot_ray")), build],
        capture_output=True, text=True, timeout=120, env={**os.environ, "MPLBACKEND": "Agg"}, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert why in lines
    assert not any(line.startswith(("Ray 2", "module-level", "spawned seeds")) for line in lines)


def test_the_page_says_what_free_threaded_builds_leave_out(site):
    text = " ".join(parse_html(site / page_of("plot_ray")).get_text().split())
    assert "Ray 2.60.0 has no wheel for free-threaded Python (3.14t): there this page skips Ray" in text


@needs_ray
def test_what_the_example_printed_holds(ray_page):
    printed = printed_by("plot_ray")
    assert "Ray processes left after ray.shutdown(): 0" in printed
    assert max(map(len, printed.splitlines())) <= 79
