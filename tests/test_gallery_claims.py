"""The gallery's claims, checked with each example's own functions.

Each example module is imported once (which runs it); the tests then call its
functions again and check what its page says.
"""

import math
import re
import sys
from fractions import Fraction

import numpy as np
import pytest

from conftest import EXAMPLES, captured_output, example_paths, import_sphinxext, load_example, parse_html

FORK = "multiprocessing (fork)"


def example_fixture(name):
    """A module-scoped fixture giving examples/NAME.py as a module (run once)."""

    @pytest.fixture(scope="module")
    def fixture():
        return load_example(name)

    return fixture


spawned = example_fixture("plot_spawned_generators")
collisions = example_fixture("plot_seed_collisions")
start_methods = example_fixture("plot_start_methods")
threads = example_fixture("plot_shared_generator_threads")
monte_carlo = example_fixture("plot_monte_carlo")
matrix_example = example_fixture("plot_behaviour_matrix")
dask_example = example_fixture("plot_dask_cluster")


# -- The gallery as a whole ------------------------------------------------------


def test_every_example_has_its_place_in_the_reading_order():
    gallery_hooks = import_sphinxext("gallery_hooks")
    assert sorted(gallery_hooks.GALLERY_ORDER) == sorted(path.name for path in example_paths())
    assert gallery_hooks.GALLERY_ORDER[0] == "plot_random_state_in_parallel.py"


def test_gallery_index_follows_the_reading_order(site):
    gallery_hooks = import_sphinxext("gallery_hooks")
    index = parse_html(site / "auto_examples" / "index.html")
    shown = [a["href"] for a in index.select("div.sphx-glr-thumbcontainer a.reference")]
    assert shown == [name.replace(".py", ".html") for name in gallery_hooks.GALLERY_ORDER]


def test_no_printed_check_on_any_page_is_false(site):
    """Pages print their checks as 'claim: True'; none may print False."""
    checks = {}
    for example in example_paths():
        text = captured_output(parse_html(site / "auto_examples" / f"{example.stem}.html"))
        checks[example.stem] = re.findall(r"^.*: (True|False)\)?$", text, flags=re.MULTILINE)
    assert {name: found for name, found in checks.items() if "False" in found} == {}
    # The pattern does find the checks: five pages print some.
    assert sum(bool(found) for found in checks.values()) >= 5, checks


@pytest.mark.parametrize("example", example_paths(), ids=lambda path: path.name)
def test_every_example_page_has_a_figure_and_output(site, example):
    page = parse_html(site / "auto_examples" / f"{example.stem}.html")
    assert page.select("img.sphx-glr-single-img, img.sphx-glr-multi-img")
    assert captured_output(page).strip()


# -- Spawned generators ----------------------------------------------------------


def test_spawned_results_are_bit_identical_everywhere(spawned):
    reference = spawned.run_with_spawned_generators(1, "sequential")
    for n_jobs in (1, 2):
        for name in ["loky", "threading", FORK]:
            values = spawned.run_with_spawned_generators(n_jobs, spawned.backend_for(name))
            assert values.tobytes() == reference.tobytes(), (n_jobs, name)
    # And the page's own runs agreed.
    assert len(spawned.results) == 4
    assert all(values.tobytes() == spawned.reference.tobytes() for values in spawned.results.values())


def test_spawned_streams_are_distinct(spawned):
    children = np.random.SeedSequence(spawned.ROOT_SEED).spawn(1000)
    assert len({tuple(child.generate_state(4)) for child in children}) == 1000
    assert spawned.shared_values == 0
    assert spawned.same_children


def test_a_fresh_seed_sequence_has_128_bits_of_entropy():
    entropies = [np.random.SeedSequence().entropy for _ in range(64)]
    assert all(0 < entropy < 2**128 for entropy in entropies)
    assert max(entropies).bit_length() >= 120  # really that wide, not 32 or 64 bits


# -- Seed collisions ---------------------------------------------------------------


def test_collision_formula_is_exact_on_small_spaces(collisions):
    for space, max_n in [(365, 60), (1000, 80)]:
        computed = collisions.collision_probability(max_n, space)
        for n in range(max_n + 1):
            all_distinct = Fraction(1)
            for i in range(n):
                all_distinct *= Fraction(space - i, space)
            assert computed[n] == pytest.approx(float(1 - all_distinct), abs=1e-12)


def test_birthday_problem(collisions):
    birthdays = collisions.collision_probability(60, 365)
    assert collisions.smallest_n_reaching(birthdays, 0.5) == 23
    assert birthdays[23] == pytest.approx(0.507297, abs=1e-6)


def test_thresholds_match_the_standard_approximation(collisions):
    probability = collisions.probability_32
    space = collisions.SEED_SPACE_32
    for level, n in [(0.01, collisions.one_percent), (0.5, collisions.one_half)]:
        assert probability[n - 1] < level <= probability[n]
        approximation = math.sqrt(2 * space * math.log(1 / (1 - level)))
        assert abs(n - approximation) < 2


def test_simulation_agrees_with_the_exact_probability(collisions):
    generator = np.random.default_rng(99)  # another seed than the page's
    for n in [30_000, collisions.one_half]:
        exact = collisions.probability_32[n]
        rate = collisions.simulate_collision_rate(n, 300, generator)
        assert abs(rate - exact) <= 4 * math.sqrt(exact * (1 - exact) / 300)
    for n, rate in collisions.simulated.items():
        exact = collisions.probability_32[n]
        assert abs(rate - exact) <= 2 * math.sqrt(exact * (1 - exact) / collisions.N_RUNS)


def test_128_bit_roots_are_below_1e_minus_20_at_a_billion(collisions):
    assert collisions.collision_probability_128(1e9) < 1e-20
    # The first-order term is exact here: compare with the exact product on a
    # space where it can be computed, 2**64, at n = 10**4.
    small = collisions.collision_probability(10_000, 2**64)[10_000]
    assert small == pytest.approx(10_000 * 9_999 / 2 / 2**64, rel=1e-6)


# -- Start methods -----------------------------------------------------------------


def test_start_methods_outcomes(start_methods):
    measured = start_methods.measured
    assert len(measured) == 6
    numpy_duplicated = {label: outcome["numpy duplicated"] for label, outcome in measured.items()}
    assert numpy_duplicated == {
        "fork, parent used np.random": True,
        "fork, parent did not": False,
        "forkserver": False,
        "forkserver, server preloads numpy.random": True,
        "spawn": False,
        "spawn asked with context= (ignored)": True,
    }
    assert not any(outcome["random duplicated"] for outcome in measured.values())


def test_joblib_honours_a_context_backend_and_ignores_the_keyword(start_methods):
    worker_kind = {"fork": "ForkPoolWorker", "forkserver": "ForkServerPoolWorker", "spawn": "SpawnPoolWorker"}
    for method in ["fork", "forkserver", "spawn"]:
        outcome = start_methods.run_experiment(method, parent_uses_numpy=True)
        assert outcome["workers"] == worker_kind[method]
    ignored = start_methods.run_experiment("spawn", parent_uses_numpy=True, ask_with="context keyword")
    default = start_methods.multiprocessing.get_start_method()
    assert ignored["workers"] == worker_kind[default] != "SpawnPoolWorker"


# -- Threads sharing a generator -----------------------------------------------------


def test_spawned_generators_make_threads_reproducible(threads):
    first = threads.run_spawned()
    assert all(np.array_equal(first, threads.run_spawned()) for _ in range(10))
    assert threads.spawned_fraction == 0


def test_a_shared_generator_deals_the_same_numbers_in_another_order(threads):
    reference = np.sort(np.random.default_rng(threads.SEED).integers(100, size=threads.N_TASKS * threads.N_DRAWS))
    runs = [threads.run_shared() for _ in range(20)]
    for run in runs:
        assert np.array_equal(np.sort(run.ravel()), reference)
    # Not reproducible: measured at 88-92% of runs differing on a 2-core
    # machine, so 20 identical runs in a row would be a real change.
    assert any(not np.array_equal(run, runs[0]) for run in runs[1:])
    assert threads.shared_fraction > 0 and threads.same_numbers


# -- Monte Carlo -------------------------------------------------------------------


def test_monte_carlo_estimate_is_bit_identical_on_every_backend(monte_carlo):
    reference = monte_carlo.pi_from(monte_carlo.estimate_pi(1, "sequential")).hex()
    for n_jobs in (1, 2):
        for name in ["loky", "threading", FORK]:
            counts = monte_carlo.estimate_pi(n_jobs, monte_carlo.backend_for(name))
            assert monte_carlo.pi_from(counts).hex() == reference, (n_jobs, name)
    assert {value.hex() for value in monte_carlo.estimates.values()} == {reference}


def test_monte_carlo_estimate_converges(monte_carlo):
    assert monte_carlo.inside_band
    assert np.all(np.diff(monte_carlo.half_width) < 0)
    assert abs(monte_carlo.running[-1] - math.pi) < 0.01


# -- The behaviour matrix ------------------------------------------------------------


def test_behaviour_matrix_says_what_the_pages_say(matrix_example):
    matrix = matrix_example.matrix
    assert len(matrix) == 6
    for (backend, method), cells in matrix.items():
        assert cells["spawned generator per task"] == {"distinct": True, "identical": True}
        for column in ["global np.random", "Python random", "default_rng() in the task"]:
            assert not cells[column]["identical"], (backend, method, column)
        for column in ["Python random", "default_rng() in the task"]:
            assert cells[column]["distinct"], (backend, method, column)
        duplicated = not cells["global np.random"]["distinct"]
        assert duplicated == ((backend, method) == ("multiprocessing", "fork"))


def test_behaviour_matrix_page_shows_the_measured_table(site, matrix_example):
    page = parse_html(site / "auto_examples" / "plot_behaviour_matrix.html")
    table = page.select_one("table.behaviour-matrix")
    assert table is not None
    assert "Measured with Python" in table.caption.get_text()
    shown = {
        row.th.get_text(): [cell.get_text() for cell in row.select("td")]
        for row in table.select("tbody tr")
    }
    expected = {
        matrix_example.row_name(*row): [matrix_example.verdict(cells[c]) for c in matrix_example.COLUMNS]
        for row, cells in matrix_example.matrix.items()
    }
    assert shown == expected


def test_landing_page_links_every_example(site):
    landing = parse_html(site / "index.html")
    links = {a["href"] for a in landing.select("main a[href]")}
    for example in example_paths():
        assert f"auto_examples/{example.stem}.html" in links, example.name


# -- The dask cluster ----------------------------------------------------------------


def test_cluster_results_are_bit_identical_to_local_loky(dask_example):
    local = dask_example.run(dask_example.simulate, dask_example.seeds, "loky")
    with dask_example.dask_client() as client:
        assert len(client.scheduler_info()["workers"]) == 2
        on_cluster = dask_example.run(dask_example.simulate, dask_example.seeds, "dask")
        first = dask_example.run(dask_example.draw_from_global_state, range(8), "dask")
    with dask_example.dask_client():
        second = dask_example.run(dask_example.draw_from_global_state, range(8), "dask")
    assert on_cluster.tobytes() == local.tobytes() == dask_example.local.tobytes()
    assert not np.array_equal(first, second)


def test_cluster_shuts_down_when_a_task_raises(dask_example):
    import psutil

    before = {child.pid for child in psutil.Process().children(recursive=True)}
    processes = dask_example.run_failing_task()
    assert len(processes) == 2, "the local cluster runs its workers as processes"
    assert not any(process.is_alive() for process in processes)
    left = [child for child in psutil.Process().children(recursive=True) if child.pid not in before]
    assert [child for child in left if child.is_running() and child.status() != psutil.STATUS_ZOMBIE] == []


def test_downloaded_script_uses_an_existing_cluster_and_leaves_no_process(tmp_path):
    """With DASK_SCHEDULER_ADDRESS set, the script uses that cluster; either way
    no process it started outlives it."""
    import os
    import subprocess
    import uuid

    import psutil
    from dask.distributed import LocalCluster

    marker = uuid.uuid4().hex
    script = EXAMPLES / "plot_dask_cluster.py"
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp://",
                      host="127.0.0.1", dashboard_address=None) as cluster:
        for address in [cluster.scheduler_address, None]:
            env = {**os.environ, "MPLBACKEND": "Agg", "EXAMPLE_MARKER": marker}
            env.pop("DASK_SCHEDULER_ADDRESS", None)
            if address:
                env["DASK_SCHEDULER_ADDRESS"] = address
            result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                                    capture_output=True, text=True, timeout=300)
            assert result.returncode == 0, result.stderr
            using = f"using the cluster at {address} (DASK_SCHEDULER_ADDRESS)"
            assert (using in result.stdout) == bool(address)
            assert "bit-identical: True" in result.stdout

    def started_by_the_script(process):
        try:
            return process.environ().get("EXAMPLE_MARKER") == marker
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            return False

    survivors = [process for process in psutil.process_iter() if started_by_the_script(process)]
    assert survivors == []
