"""The gallery's claims, checked with each example's own functions.

Each example module is imported once (which runs it); the tests then call its
functions again and check what its page says.
"""

import math
import multiprocessing
import os
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
from fractions import Fraction
from pathlib import Path

import joblib
import numpy as np
import pytest

from conftest import (
    FIGURELESS_EXAMPLES, captured_output, example_fixture, example_path, example_paths, import_sphinxext,
    load_example, page_of, parse_html, printed_by, processes_marked, stop_worker_threads, venv_with_site_pins)

FORK = multiprocessing.get_context("fork")

spawned = example_fixture("plot_spawned_generators")
collisions = example_fixture("plot_seed_collisions")
threads = example_fixture("plot_shared_generator_threads")
monte_carlo = example_fixture("plot_monte_carlo")


@pytest.fixture(scope="module")
def matrix_example():
    """The behaviour matrix, run once, on this interpreter alone."""
    with pytest.MonkeyPatch.context() as environment:
        environment.delenv("RANDOM_STATE_PYTHONS", raising=False)
        return load_example("plot_behaviour_matrix")


def versions_named_to_the_build():
    """The versions of the interpreters that the site's build measured:
    those RANDOM_STATE_PYTHONS names, as make html passes it on, or this one."""
    pythons = os.environ.get("RANDOM_STATE_PYTHONS", "").split() or [sys.executable]
    return [tuple(map(int, subprocess.run([python, "-c", "import sys; print(*sys.version_info[:3])"],
                                          capture_output=True, text=True, check=True).stdout.split()))
            for python in pythons]


dask_example = example_fixture("plot_dask_cluster", as_main=True)


# -- The gallery as a whole ------------------------------------------------------


def test_every_example_has_its_place_in_the_reading_order():
    reading_order = import_sphinxext("reading_order")
    assert sorted(reading_order.GALLERY_ORDER) == sorted(path.name for path in example_paths())
    assert reading_order.GALLERY_ORDER[0] == "plot_random_state_in_parallel.py"


def test_gallery_index_follows_the_reading_order(site):
    reading_order = import_sphinxext("reading_order")
    index = parse_html(site / "auto_examples" / "index.html")
    shown = [a["href"] for a in index.select("div.sphx-glr-thumbcontainer a.reference")]
    assert shown == [page_of(name).relative_to("auto_examples").as_posix() for name in reading_order.GALLERY_ORDER]


def test_the_gallery_is_in_sections_a_reader_can_scan(site):
    """The gallery's index shows each section's title, then its cards, in
    reading order; each section has a page of its own."""
    reading_order = import_sphinxext("reading_order")
    index = parse_html(site / "auto_examples" / "index.html")
    sections = []
    for heading in index.select("article section section > h2, article section > section > h2"):
        cards = [a["href"].split("/")[0] for a in heading.parent.select("div.sphx-glr-thumbcontainer a.reference")]
        sections.append((" ".join(heading.get_text().split()).rstrip("#").strip(), set(cards)))
    assert [folders for _, folders in sections] == [{folder} for folder in reading_order.SECTIONS]
    assert [title for title, _ in sections] == [
        "Why workers draw the same numbers", "In your library", "On your cluster and in your own pools",
        "Get it right", "Check your own code"]
    for folder, names in reading_order.SECTIONS.items():
        own = parse_html(site / "auto_examples" / folder / "index.html")
        assert [a["href"] for a in own.select("div.sphx-glr-thumbcontainer a.reference")] == [
            name.replace(".py", ".html") for name in names]


def test_old_addresses_lead_to_the_moved_pages(site):
    """Before the sections, every example was auto_examples/NAME.html; the
    address still serves a page that forwards to where it moved."""
    for path in example_paths():
        old = site / "auto_examples" / f"{path.stem}.html"
        forward = old.read_text(encoding="utf-8")
        assert f'url={path.parent.name}/{path.stem}.html"' in forward.replace("'", '"'), forward
        assert (old.parent / path.parent.name / f"{path.stem}.html").is_file()


@pytest.mark.parametrize("example", example_paths(), ids=lambda path: path.name)
def test_every_example_page_has_a_figure_and_output(site, example):
    """Every page draws a figure but the few whose result is printed, or a
    table (conftest.FIGURELESS_EXAMPLES)."""
    page = parse_html(site / page_of(example.stem))
    figures = page.select("img.sphx-glr-single-img, img.sphx-glr-multi-img")
    assert bool(figures) == (example.stem not in FIGURELESS_EXAMPLES)
    assert captured_output(page).strip()


@pytest.mark.parametrize("example", example_paths(), ids=lambda path: path.name)
def test_every_example_page_lists_the_others_in_reading_order(site, example):
    reading_order = import_sphinxext("reading_order")
    page = parse_html(site / page_of(example.stem))
    items = page.select("nav.gallery-nav li")
    assert len(items) == len(reading_order.GALLERY_ORDER)
    for item, name in zip(items, reading_order.GALLERY_ORDER):
        other = parse_html(site / page_of(name))
        title = " ".join(other.select_one("article h1").get_text().split()).rstrip("#").strip()
        assert " ".join(item.get_text().split()) == title
        if name == example.name:
            assert item.select_one('[aria-current="page"]') and not item.a
        else:
            assert item.a["href"] == os.path.relpath(page_of(name), page_of(example).parent).replace(os.sep, "/")


# -- Spawned generators ----------------------------------------------------------


def test_spawned_results_are_bit_identical_everywhere(spawned):
    reference = spawned.run_spawned("sequential", n_jobs=1)
    assert reference.tobytes() == spawned.reference.tobytes()
    stop_worker_threads()  # the fork run below needs a single thread
    for n_jobs in (1, 2):
        for backend in [FORK, "loky", "threading"]:
            values = spawned.run_spawned(backend, n_jobs=n_jobs)
            assert values.tobytes() == reference.tobytes(), (n_jobs, backend)
    # And the page's own runs agreed.
    assert set(spawned.results) == {"loky", "threading"}
    assert all(values.tobytes() == reference.tobytes() for values in spawned.results.values())


def test_children_of_one_level_have_distinct_keys_and_states(spawned):
    children = np.random.SeedSequence(spawned.ROOT_SEED).spawn(1000)
    assert len({child.spawn_key for child in children}) == 1000
    assert len({tuple(child.generate_state(4)) for child in children}) == 1000
    assert len(spawned.states) == 1000


def test_spawning_from_threads_can_repeat_keys_on_this_numpy(spawned):
    """NumPy issue 32063: concurrent spawns from one parent share keys.

    Measured on NumPy 2.4.6: 20 of 20 tries repeated keys. A NumPy with the
    fix must show no repeat, and the page says whichever it measured.
    """
    tries = [spawned.spawn_from_threads(np.random.SeedSequence(i)) for i in range(3)]
    assert all(len(keys) == 2000 for keys in tries)
    repeated = [len(set(keys)) < len(keys) for keys in tries]
    if tuple(map(int, np.__version__.split(".")[:3])) <= (2, 4, 6):
        assert any(repeated)
    assert spawned.repeated == (len(set(spawned.keys)) < len(spawned.keys))


def test_root_plus_task_id_shares_streams_and_a_pair_does_not(spawned):
    # Roots 2024 and 2025 with four tasks: 2024 + 1 == 2025 + 0, and so on.
    added_a, added_b = spawned.added_seeds(2024), spawned.added_seeds(2025)
    assert spawned.shared_streams(added_a, added_b) == 3
    assert spawned.shared_streams(spawned.paired_seeds(2024), spawned.paired_seeds(2025)) == 0
    for task_id in range(3):
        assert np.array_equal(added_a[task_id + 1], added_b[task_id])


def test_the_record_replays_the_run(spawned):
    assert spawned.same
    assert spawned.record["root_entropy"].bit_length() <= 128
    assert spawned.record["numpy"] == np.__version__
    assert spawned.record["bit_generator"] == "PCG64"


def test_a_resumed_job_continues_the_spawn_keys_and_the_stream(spawned):
    restarted = np.random.SeedSequence(2024).spawn(3)  # a naive restart repeats
    assert [c.spawn_key for c in restarted] == [c.spawn_key for c in spawned.first_three] == [(0,), (1,), (2,)]
    assert [c.spawn_key for c in spawned.resumed] == [(3,), (4,), (5,)]
    # The resumed children are the ones a single run would have spawned next.
    one_run = np.random.SeedSequence(2024).spawn(6)[3:]
    assert [c.generate_state(4).tolist() for c in spawned.resumed] == [c.generate_state(4).tolist() for c in one_run]
    assert spawned.resumes_stream
    import pickle

    generator = np.random.default_rng(spawned.resumed[0])
    generator.random(10)
    thawed = pickle.loads(pickle.dumps(generator))
    assert thawed.random(3).tolist() == generator.random(3).tolist()


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


def test_seeds_below_2_31_collide_sooner(collisions):
    probability = collisions.probability_31
    n = collisions.one_percent_31
    assert probability[n - 1] < 0.01 <= probability[n]
    approximation = math.sqrt(2 * (2**31 - 1) * math.log(1 / 0.99))
    assert abs(n - approximation) < 2
    assert n < collisions.one_percent


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


def test_the_collision_figure_reads_one_and_fifty_percent_on_a_linear_axis(collisions):
    """The 32-bit risk is drawn in percent on a linear axis, where its 1%
    and 50% marks sit on the curve; the 128-bit comparison has its own
    logarithmic panel."""
    import matplotlib.pyplot as plt

    figure = collisions.plot_collision_risk()
    try:
        linear, logarithmic = figure.axes
        # Up to 100% and a little beyond: the curve's plateau at 100% is
        # drawn above the frame, not under it.
        assert linear.get_yscale() == "linear" and linear.get_ylim()[0] == 0 < 100 < linear.get_ylim()[1]
        assert max(linear.get_yticks()) == 100
        low, high = linear.get_xlim()
        assert low < collisions.one_percent < collisions.one_half < high
        marks = {text.get_text(): text.xy for text in linear.texts}
        assert marks == {f"1% at n = {collisions.one_percent:,}": (collisions.one_percent, 1.0),
                         f"50% at n = {collisions.one_half:,}": (collisions.one_half, 50.0)}
        assert logarithmic.get_yscale() == "log" and len(logarithmic.get_lines()) == 2
        assert linear.get_title(loc="left") and logarithmic.get_title(loc="left")
    finally:
        plt.close(figure)


# -- Start methods -----------------------------------------------------------------


def main_imported_by_forkserver(version):
    """CPython 3.14.1 and 3.13.8 fixed the forkserver's import of __main__."""
    return version >= (3, 14, 1) or (3, 13, 8) <= version < (3, 14)


def default_start_method(version):
    return "forkserver" if version >= (3, 14) else "fork"  # on Linux


def expected_start_method_outcomes(version):
    """(np.random duplicated, random duplicated) per experiment, on Linux."""
    new = main_imported_by_forkserver(version)
    return {
        "fork, parent drew from np.random": (True, False),
        # From NumPy 2.0, import numpy does not import numpy.random
        # (test_import_numpy_alone_makes_no_global_random_state).
        "fork, parent only imported numpy": (False, False),
        "fork, seeds at import": (True, False),
        "forkserver, parent drew from np.random": (False, False),
        # Each worker ran the import itself before the fix; after it, the
        # server ran it once and random is reseeded at every fork.
        "forkserver, seeds at import": (True, not new),
        "forkserver, SeedSequence at import": (new, False),
        "forkserver, preloads numpy.random": (True, False),
        "spawn, parent drew from np.random": (False, False),
        "spawn, seeds at import": (True, True),
        # joblib overwrites context= with Python's default start method...
        "context=spawn keyword (overwritten)": (default_start_method(version) == "fork", False),
        # ...which set_start_method changes, whatever context= says.
        "set_start_method spawn, context=fork": (False, False),
    }


WORKER_KIND = {"fork": "ForkPoolWorker", "forkserver": "ForkServerPoolWorker", "spawn": "SpawnPoolWorker"}


def version_of(label):
    """(3, 14, 2) for the "3.14.2" or "3.14.2t" (free-threaded) a page names."""
    assert re.fullmatch(r"\d+\.\d+\.\d+t?", label), label
    return tuple(map(int, label.removesuffix("t").split(".")))


def check_start_methods(start_methods, column):
    measured = start_methods.measured
    version = version_of(next(iter(measured.values()))[column]["versions"][0])
    found = {label: (outcomes[column]["numpy duplicated"], outcomes[column]["random duplicated"])
             for label, outcomes in measured.items()}
    assert found == expected_start_method_outcomes(version), version
    methods = {label: method for label, method, *_ in start_methods.EXPERIMENTS}
    methods["context=spawn keyword (overwritten)"] = default_start_method(version)
    for label, outcomes in measured.items():
        assert outcomes[column]["workers"] == [WORKER_KIND[methods[label]]], label


def test_start_methods_outcomes_hold_for_each_measured_python(start_methods):
    assert len(start_methods.measured) == len(start_methods.EXPERIMENTS)
    for column in range(len(start_methods.PYTHONS)):
        check_start_methods(start_methods, column)


def printed_start_method_tables(text):
    """[(version, {label: (np.random duplicated, random duplicated)})] as printed."""
    tables = []
    for line in text.splitlines():
        heading = re.match(r"^Python (\d+)\.(\d+)\.(\d+)t?, NumPy ", line)
        row = re.match(r"^(.{38}) (DUPLICATED|distinct)\s+(DUPLICATED|distinct)\s+\S+$", line)
        if heading:
            tables.append((tuple(map(int, heading.groups())), {}))
        elif row:
            tables[-1][1][row[1].strip()] = (row[2] == "DUPLICATED", row[3] == "DUPLICATED")
    return tables


def test_import_numpy_alone_makes_no_global_random_state():
    """The start-methods page: from NumPy 2.0, numpy.random is loaded on
    first use, and the page links the lines of this NumPy that do it."""
    fresh = subprocess.run([sys.executable, "-c", "import sys, numpy; print('numpy.random' in sys.modules)"],
                           capture_output=True, text=True, check=True)
    assert fresh.stdout.strip() == "False"
    import inspect

    lines, first = inspect.getsourcelines(np)
    cited = re.search(r"numpy/blob/v([\d.]+)/numpy/__init__\.py\s*#\s*L(\d+)-L(\d+)",
                      example_path("plot_start_methods").read_text().replace("#   ", ""))
    assert cited[1] == np.__version__
    start, end = int(cited[2]), int(cited[3])
    assert "".join(lines[start - 1:end]).split() == ['elif', 'attr', '==', '"random":', 'import', 'numpy.random',
                                                      'as', 'random', 'return', 'random']


def test_start_methods_page_shows_the_measured_outcomes(site):
    text = captured_output(parse_html(site / page_of("plot_start_methods")))
    tables = printed_start_method_tables(text)
    assert [version for version, _ in tables] == versions_named_to_the_build()
    for version, found in tables:
        assert found == expected_start_method_outcomes(version)


def other_interpreter():
    """Another CPython on this machine than the one running the tests, if any."""
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    for version in ["3.11", "3.12", "3.13", "3.14"]:
        if version == running:
            continue
        candidates = [*sorted(Path("/root/.pyenv/versions").glob(f"{version}.*/bin/python{version}")),
                      shutil.which(f"python{version}")]
        for candidate in filter(None, candidates):
            works = subprocess.run([str(candidate), "-c", "import venv"], capture_output=True)
            if works.returncode == 0:
                return str(candidate)
    return None


@pytest.fixture(scope="module")
def other_python(tmp_path_factory):
    """A venv of another Python with the site's numpy and joblib pins, or None."""
    python = other_interpreter()
    return python and venv_with_site_pins(python, tmp_path_factory.mktemp("other-python"))


@pytest.fixture(scope="module")
def start_methods(other_python):
    """The start-methods example, run once. Where this machine has a second
    CPython, the run measures both, as RANDOM_STATE_PYTHONS lets a reader do."""
    pythons = [sys.executable, *filter(None, [other_python])]
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("RANDOM_STATE_PYTHONS", " ".join(pythons))
        return load_example("plot_start_methods")


def test_start_methods_measure_every_interpreter_named(start_methods, other_python):
    """RANDOM_STATE_PYTHONS: the script measures each interpreter named and
    prints its versions; each one's outcomes follow that version's rules
    (test_start_methods_outcomes_hold_for_each_measured_python)."""
    if other_python is None:
        pytest.skip("no second CPython on this machine to compare with")
    assert start_methods.PYTHONS == [sys.executable, other_python]
    other = subprocess.run([other_python, "-c", "import sys; print(*sys.version_info[:3])"],
                           capture_output=True, text=True, check=True).stdout.split()
    expected = [sys.version_info[:3], tuple(map(int, other))]
    assert expected[0] != expected[1]
    for outcomes in start_methods.measured.values():
        assert [version_of(outcome["versions"][0]) for outcome in outcomes] == expected
    tables = printed_start_method_tables(printed_by("plot_start_methods"))
    assert [version for version, _ in tables] == expected
    for version, found in tables:
        assert found == expected_start_method_outcomes(version), version
    assert printed_by("plot_start_methods").count(f"NumPy {np.__version__}, joblib {joblib.__version__}") == 2


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
    assert all(len(np.unique(run, axis=0)) == threads.N_TASKS for run in runs)
    assert threads.shared_fraction > 0 and threads.same_numbers and threads.no_repeats


# -- Monte Carlo -------------------------------------------------------------------


def test_monte_carlo_estimate_is_bit_identical_on_every_backend(monte_carlo):
    reference = monte_carlo.pi_from(monte_carlo.estimate_pi(1, "sequential")).hex()
    stop_worker_threads()  # the fork run below needs a single thread
    for n_jobs in (1, 2, 4):
        for backend in [FORK, "loky", "threading"]:
            counts = monte_carlo.estimate_pi(n_jobs, backend)
            assert monte_carlo.pi_from(counts).hex() == reference, (n_jobs, backend)
    assert {value.hex() for value in monte_carlo.estimates.values()} == {reference}


def test_what_breaks_bit_identity(monte_carlo):
    counts = monte_carlo.estimate_pi(1, "sequential")
    orders = [np.random.default_rng(seed).permutation(len(counts)) for seed in range(20)]
    # Integer partials: every order gives the same total.
    assert len({int(counts[order].sum()) for order in orders}) == 1
    # Float partials: the order changes the last bits (the page counted it).
    assert monte_carlo.partials.tolist() == (4 * counts / monte_carlo.POINTS_PER_CHUNK).tolist()
    assert len(monte_carlo.totals) > 1
    # Chunks cut by worker: the estimate changes with n_jobs.
    assert monte_carlo.by_worker[1] != monte_carlo.by_worker[2]
    assert monte_carlo.estimate_per_worker(2) == monte_carlo.by_worker[2]


def test_monte_carlo_estimate_converges(monte_carlo):
    assert monte_carlo.inside_band
    assert np.all(np.diff(monte_carlo.half_width) < 0)
    assert abs(monte_carlo.running[-1] - math.pi) < 0.01


# -- The behaviour matrix ------------------------------------------------------------

PROCESS_ROWS = {"loky", "multiprocessing (fork)", "multiprocessing (forkserver)",
                "multiprocessing (spawn)", "forkserver, seeds at import", "spawn, seeds at import"}


def check_matrix(version, matrix, rows):
    """The page's reading of the matrix holds for one interpreter's table.

    Cells whose reproducibility depends on scheduling (threads sharing one
    generator; workers seeded alike but handed tasks in another order) are
    only checked for what does not.
    """
    assert list(matrix) == [name for name, *_ in rows]
    new_forkserver = version >= (3, 14, 1) or (3, 13, 8) <= version < (3, 14)
    for name, cells in matrix.items():
        assert cells["spawned seed per task"] == {"distinct": True, "identical": True}, name
        assert cells["default_rng() in the task"] == {"distinct": True, "identical": False}, name
        seeded = name.endswith("seeds at import")
        # Every program imports numpy.random at the top (its module-level
        # generator): a forkserver that imports the script copies its state.
        np_duplicated = name == "multiprocessing (fork)" or seeded or (
            name == "multiprocessing (forkserver)" and new_forkserver)
        assert cells["global np.random"]["distinct"] == (not np_duplicated), name
        random_reseeded = name == "spawn, seeds at import" or (
            name == "forkserver, seeds at import" and not new_forkserver)
        assert cells["Python random"]["distinct"] == (not random_reseeded), name
        if not seeded:
            assert not cells["global np.random"]["identical"], name
            assert not cells["Python random"]["identical"], name
        one = cells["one generator for all tasks"]
        assert one["distinct"] == (name not in PROCESS_ROWS), name
        if name != "threading":
            assert one["identical"], name
        # Copied with the task (loky), made again (spawn) or forked: alike.
        module_level = cells["generator at module level"]
        assert module_level["distinct"] == (name not in PROCESS_ROWS), name
        if name in ("sequential", "loky"):
            assert module_level["identical"], name


def test_behaviour_matrix_says_what_the_page_says(matrix_example):
    assert len(matrix_example.matrices) == len(matrix_example.PYTHONS) == 1
    # The builder named as itself: a free-threaded build with its "t".
    build = "t" if sysconfig.get_config_var("Py_GIL_DISABLED") else ""
    assert matrix_example.matrices[0][0][0] == platform.python_version() + build
    for versions, matrix in matrix_example.matrices:
        check_matrix(version_of(versions[0]), matrix, matrix_example.ROWS)


def parse_verdict(text):
    streams, runs = text.split(", ")
    return {"distinct": streams == "distinct", "identical": runs == "reproducible"}


def test_behaviour_matrix_page_shows_tables_that_hold(site, matrix_example):
    page = parse_html(site / page_of("plot_behaviour_matrix"))
    tables = page.select("table.behaviour-matrix")
    assert len(tables) == len(versions_named_to_the_build())
    for table in tables:
        caption = table.caption.get_text()
        version = re.match(r"Measured with Python (\d+)\.(\d+)\.(\d+)t?, NumPy ", caption)
        assert version, caption
        columns = [th.get_text() for th in table.select("thead th")][1:]
        assert columns == matrix_example.COLUMNS
        matrix = {row.th.get_text(): {c: parse_verdict(td.get_text()) for c, td in zip(columns, row.select("td"))}
                  for row in table.select("tbody tr")}
        check_matrix(tuple(map(int, version.groups())), matrix, matrix_example.ROWS)


def test_landing_page_links_every_example(site):
    landing = parse_html(site / "index.html")
    links = {a["href"] for a in landing.select("main a[href]")}
    for example in example_paths():
        assert page_of(example).as_posix() in links, example.name


# -- The dask cluster ----------------------------------------------------------------


def test_cluster_results_are_bit_identical_to_local_loky(dask_example):
    local = dask_example.run(dask_example.simulate, dask_example.seeds, "loky")
    with dask_example.dask_client() as client:
        assert len(client.scheduler_info()["workers"]) == 2
        on_cluster = dask_example.run(dask_example.simulate, dask_example.seeds, "dask")
        first = dask_example.run(dask_example.draw_from_global_state, range(8), "dask")
        second = dask_example.run(dask_example.draw_from_global_state, range(8), "dask")
    assert on_cluster.tobytes() == local.tobytes() == dask_example.local.tobytes()
    assert not np.array_equal(first, second)
    # The nanny reseeds each worker: the two workers' draws do not repeat.
    assert len(np.unique(first, axis=0)) == 8
    assert dask_example.n_distinct == dask_example.N_TASKS


def test_page_names_the_nannys_start_method(dask_example):
    import dask

    method = dask.config.get("distributed.worker.multiprocessing-method")
    assert f"the nanny starts workers with: {method}" in printed_by("plot_dask_cluster").splitlines()


def test_nanny_reseeds_the_global_state_in_each_worker():
    """What the page says dask does: the nanny runs dask's initializer,
    which calls np.random.seed() when NumPy is imported."""
    import inspect

    import dask.multiprocessing
    import distributed.nanny

    assert "default_initializer()" in inspect.getsource(distributed.nanny)
    assert "np.random.seed()" in inspect.getsource(dask.multiprocessing.default_initializer)


def test_cluster_shuts_down_when_a_task_raises(dask_example):
    import psutil

    def fails(_):
        raise ValueError("this task fails on purpose")

    before = {child.pid for child in psutil.Process().children(recursive=True)}
    started = []
    with pytest.raises(ValueError, match="fails on purpose"):
        with dask_example.dask_client():
            started = [child for child in psutil.Process().children(recursive=True) if child.pid not in before]
            dask_example.run(fails, range(2), "dask")
    assert len(started) >= 3, "a scheduler and two workers, each a process"
    psutil.wait_procs(started, timeout=30)
    assert [child for child in started if child.is_running() and child.status() != psutil.STATUS_ZOMBIE] == []


def test_downloaded_script_uses_an_existing_cluster_and_leaves_no_process(tmp_path):
    """With DASK_SCHEDULER_ADDRESS set, the script uses that cluster; either way
    no process it started outlives it."""
    import uuid

    from dask.distributed import LocalCluster

    marker = uuid.uuid4().hex
    script = example_path("plot_dask_cluster")
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
            assert "spawned seeds, cluster and loky bit-identical: True" in result.stdout

    assert processes_marked(marker) == []
