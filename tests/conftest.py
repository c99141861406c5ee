"""Shared fixtures: where things are, the built site, the examples as modules."""

import contextlib
import functools
import importlib.util
import io
import os
import re
import subprocess
import sys
import threading
import time

# As in conf.py: NumPy's BLAS pool stays at one thread, so that the tests
# that fork do so from a process with a single thread.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
from pathlib import Path

import cloudpickle
import matplotlib
import pytest
from bs4 import BeautifulSoup

matplotlib.use("Agg")  # tests draw figures but never show them

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SITE = ROOT / "build" / "html"
CORE_EXAMPLE = "plot_random_state_in_parallel"
# The examples that show, on purpose, what changes from run to run: the core
# example prints draws from unseeded global states; the threads example
# measures how often scheduling reorders the draws; the Monte Carlo and dask
# examples print wall times (and the dask one, global-state draws); in the
# behaviour matrix, whether threads sharing one generator, or workers seeded
# alike, repeat a run depends on scheduling; the batches page counts what
# joblib's adaptive batches and the workers' scheduling made; the library
# page counts how many tasks each worker took; the free-threading page
# counts races and times draws; the guard's page times the guard; on the
# Ray page, how many tasks each reused worker takes varies; threads outside
# joblib count races and completion orders. Every other
# example prints the same thing at every run.
UNSEEDED_EXAMPLES = {
    CORE_EXAMPLE,
    "plot_batches_and_pools",
    "plot_library_calls",
    "plot_shared_generator_threads",
    "plot_free_threading",
    "plot_monte_carlo",
    "plot_dask_cluster",
    "plot_behaviour_matrix",
    "plot_guard_your_tasks",
    "plot_ray",
    "plot_threads_outside_joblib",
}
# The examples that draw no figure: the tools' pages, whose results are the
# findings and errors they print, and the behaviour matrix, whose result is
# its coloured table. Their gallery thumbnails come from files.
FIGURELESS_EXAMPLES = {"plot_check_your_code", "plot_guard_your_tasks", "plot_behaviour_matrix"}


@functools.cache  # loaded once: example_execution installs an audit hook
def import_sphinxext(name):
    """docs/sphinxext/NAME.py, a module conf.py refers to by name."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / "sphinxext" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TOOLS = ROOT / "tools"  # what the pages offer to download: the checker, the guard
CHECKER = TOOLS / "rng_check.py"
GUARD = TOOLS / "rng_guard.py"
# The checker's old command, kept working: not an example
OLD_CHECKER = EXAMPLES / "check_random_state.py"


def example_paths():
    """Every gallery script, as sphinx-gallery sees them: one folder of
    examples/ a section of the gallery (the checker's old command, at the
    top of examples/, is not one)."""
    return sorted(EXAMPLES.glob("*/*.py"))


def example_path(name):
    """examples/SECTION/NAME.py, from NAME, NAME.py or a path."""
    stem = Path(name).stem
    found = [path for path in example_paths() if path.stem == stem]
    assert len(found) == 1, f"{stem}: {found}"
    return found[0]


def page_of(name):
    """An example's page in the built site, as a path from its root:
    auto_examples/SECTION/NAME.html."""
    path = example_path(name)
    return Path("auto_examples", path.parent.name, f"{path.stem}.html")


def load_example(name, as_main=False):
    """Run examples/NAME.py once and return it as a module.

    The module is registered under its own name so that forked workers find
    its functions, and pickled by value so that loky's fresh workers receive
    the functions themselves rather than a module they cannot import. With
    as_main, its functions belong to "__main__", as in a script: dask then
    pickles them by value too, for workers that are separate programs.
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location("__main__" if as_main else name, example_path(name))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    if not as_main:
        cloudpickle.register_pickle_by_value(module)
    stop_worker_threads(check=False)  # start as `python NAME.py` would
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        spec.loader.exec_module(module)
    PRINTED[name] = printed.getvalue()
    matplotlib.pyplot.close("all")
    return module


def example_fixture(name, **options):
    """A module-scoped fixture giving examples/NAME.py as a module (run once)."""

    @pytest.fixture(scope="module")
    def fixture():
        return load_example(name, **options)

    return fixture


PRINTED = {}  # what each example loaded by load_example printed


def printed_by(name):
    """What examples/NAME.py printed when load_example ran it."""
    return PRINTED[name]


@pytest.fixture(scope="session")
def core_example():
    stop_worker_threads()  # the example forks: no other thread may run
    return load_example(CORE_EXAMPLE)


@pytest.fixture(scope="session")
def site():
    """The site that `make html` built (make test builds it first)."""
    if not (SITE / "index.html").is_file():
        pytest.fail(f"No built site in {SITE}: run 'make html' (or 'make test') first.")
    return SITE


@pytest.fixture(scope="session")
def site_conf():
    """The Sphinx configuration the site was built with (conf.py), as a module."""
    spec = importlib.util.spec_from_file_location("site_conf", ROOT / "conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def served_site(site, site_conf):
    """The built site on http://127.0.0.1:<free port>/, for the browser.

    Also served below the path it is published at (for example /NAME/ on
    GitHub Pages), which the 404 page's absolute links use.
    """
    from browser import SiteServer

    with SiteServer(site, prefix=site_conf.notfound_urls_prefix) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole test session."""
    from browser import Browser

    chromium = Browser()
    yield chromium
    chromium.close()


def html_pages(site):
    """Every page of the site (_static holds the theme's templates, not
    pages), but the stubs at old addresses that forward to moved pages."""
    return sorted(page for page in site.rglob("*.html")
                  if "_static" not in page.relative_to(site).parts and not forwards(page))


def forwards(page):
    """Whether page is a stub that forwards to where a page moved (conf.py's
    redirects)."""
    return '<meta http-equiv="refresh"' in page.read_text(encoding="utf-8")[:1000]


def venv_with_site_pins(python, folder):
    """A venv of python in folder with the site's numpy and joblib pins, as
    RANDOM_STATE_PYTHONS needs. It gets no pip of its own: the suite's pip
    installs into it (pip --python), which halves the time it takes."""
    pins = [line for line in (ROOT / "requirements.txt").read_text().splitlines()
            if line.startswith(("numpy==", "joblib=="))]
    subprocess.run([python, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=300)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(folder / "bin" / "python"), "install",
                    "--quiet", *pins], check=True, timeout=600, capture_output=True)
    return str(folder / "bin" / "python")


def processes_marked(marker):
    """The processes still running whose environment holds
    EXAMPLE_MARKER=marker: a test sets it for a script, and every process
    the script starts (workers, a scheduler, nannies) inherits it."""
    import psutil

    def marked(process):
        try:
            return process.environ().get("EXAMPLE_MARKER") == marker
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            return False

    return [process for process in psutil.process_iter() if marked(process)]


PLAIN_RUN_TIMEOUT = 300  # seconds; the slowest example takes about 25 s here


@functools.cache  # one run per example and test session (see plain_run)
def _plain_run(path, source):
    marker = f"plain-run-{os.getpid()}-{path.stem}"
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONIOENCODING": "cp1252:strict", "EXAMPLE_MARKER": marker}
    env.pop("PYTHONWARNINGS", None)
    # -W error, as the build: the example's warnings are errors (and those of
    # the multiprocessing children it spawns, which inherit -W), not those
    # of other programs it starts. PYTHONWARNINGS would reach those too: on
    # Python 3.14, Ray 2.60's own dashboard process then dies of an asyncio
    # DeprecationWarning in Ray's code.
    result = subprocess.run([sys.executable, "-W", "error", str(path)], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=PLAIN_RUN_TIMEOUT)
    left = [process.pid for process in processes_marked(marker)]
    return result, left


def plain_run(path):
    """examples/NAME.py run as a reader runs it: `python NAME.py`, nothing
    more on its path, with Windows's cp1252 for what it prints and Python's
    warnings as errors, as in the build. Returns (CompletedProcess, the
    processes it left running, found right after it ended).

    Run once per test session for every test that needs this run (the
    plain-run test of tests/test_examples.py, a page's leftover-process
    test): those tests are in the example's xdist group, so in one worker
    process; the run is made again when the script changes.
    """
    path = Path(path)
    return _plain_run(path, path.read_bytes())


def parse_html(path):
    return BeautifulSoup(Path(path).read_text(encoding="utf-8"), "html.parser")


def captured_output(page):
    """The text of every output block sphinx-gallery captured on a page:
    its <pre>, or its <pre>s and the tables docs/sphinxext/output_tables.py
    made of its printed tables, whose text is the printed text."""
    blocks = page.select("div.sphx-glr-script-out > div.highlight")
    return "\n".join(block.get_text() for block in blocks)


ARRAY_BLOCK = re.compile(r"^(?P<name>[^\n\[]+):\n(?P<rows>\[\[[\d\s\[\]]+\]\])", re.MULTILINE)


def printed_arrays(text):
    """The integer matrices a page printed as "name:" then a NumPy array."""
    arrays = {}
    for match in ARRAY_BLOCK.finditer(text):
        rows = re.findall(r"\[([\d\s]+)\]", match["rows"])
        arrays[match["name"].strip()] = [[int(v) for v in row.split()] for row in rows]
    return arrays


def stop_worker_threads(check=True):
    """Shut down loky's reusable workers and check that no thread is left.

    Forking while other threads run may deadlock the child (Python 3.12+
    warns): tests that fork call this first, as the build does before each
    example (docs/sphinxext/example_execution.py).

    Under pytest-xdist (make test), a worker process also runs execnet's
    thread that reads the controller's orders: it starts before any test,
    Python's threading module does not list it, and it waits on its pipe,
    so it holds nothing a forked child needs. The check counts every
    thread beyond those the process started with (STARTING_THREADS).
    """
    example_execution = import_sphinxext("example_execution")  # the build's own helpers
    example_execution._stop_reusable_workers()
    for thread in set(threading.enumerate()) - {threading.current_thread()} if check else ():
        thread.join(timeout=2)  # joblib's finished thread pools end on their own
    others = [t.name for t in threading.enumerate() if t is not threading.current_thread()]
    threads = settled_thread_count()  # C threads too, as CPython counts
    assert not check or (others, threads) == ([], STARTING_THREADS), \
        f"threads still running before a fork: {others}, {threads} in all, {STARTING_THREADS} at the start"


def thread_count():
    """This process's threads as the kernel counts them (example_execution's count)."""
    return import_sphinxext("example_execution").thread_count()


def settled_thread_count(timeout=2.0):
    """thread_count() once ending threads have ended: as example_execution's
    settled_thread_count, beside the threads the process started with."""
    deadline = time.monotonic() + timeout
    count = thread_count()
    while count > threading.active_count() - 1 + STARTING_THREADS and time.monotonic() < deadline:
        time.sleep(0.01)
        count = thread_count()
    return count


# The threads of this process before any test: 1, or 2 in a pytest-xdist
# worker (execnet's reader thread, which threading.enumerate() leaves out).
STARTING_THREADS = thread_count()
assert STARTING_THREADS == 1 or (os.environ.get("PYTEST_XDIST_WORKER") and STARTING_THREADS == 2), \
    f"{STARTING_THREADS} threads before any test ({threading.enumerate()})"


# -- Both cores: pytest-xdist ---------------------------------------------------
#
# make test runs `pytest -n 2`; pytest.ini asks for --dist loadgroup and
# keeps the order below (--no-loadscope-reorder). Each group goes whole to
# one worker, in order; a test in no group goes to whichever worker is free.

# Session-scoped fixtures that run an example: their tests share one worker.
EXAMPLE_SESSION_FIXTURES = {"core_example": CORE_EXAMPLE}
# The tests that build the site again in a copy take minutes each: they
# start first, so that the other worker gets through the rest meanwhile.
SLOWEST_FIRST = ["test_reproducible.py", "test_build_failures.py", "test_rebuilds.py"]
LATE_FIXTURES = {"browser", "served_site"}


@functools.cache
def _example_names():
    return frozenset(path.stem for path in example_paths())


def _example_of_module(item):
    """plot_NAME for tests/test_NAME.py, the tests of one page, if there is
    such an example (e.g. test_ray.py, the page plot_ray)."""
    name = "plot_" + item.path.stem.removeprefix("test_")
    return name if name in _example_names() else None


def _module_fixtures(item):
    """The module-scoped fixtures an item uses (directly or not)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return set()
    return {name for name in item.fixturenames if name in info.name2fixturedefs
            and info.name2fixturedefs[name][-1].scope in ("module", "class", "package")}


def _late(item):
    return bool(LATE_FIXTURES & set(getattr(item, "fixturenames", ())))


def _example_group(item):
    """The example whose tests share a worker with this one, or None."""
    fixtures = set(getattr(item, "fixturenames", ()))
    for name, example in EXAMPLE_SESSION_FIXTURES.items():
        if name in fixtures:
            return example
    if _late(item):
        return None
    params = getattr(getattr(item, "callspec", None), "params", {})
    scripts = [value.stem for value in params.values()
               if isinstance(value, Path) and value.is_relative_to(EXAMPLES) and value.stem in _example_names()]
    return _example_of_module(item) or (scripts[0] if scripts else None)


def xdist_groups(items):
    """{item: group}: the group each test runs in under pytest-xdist.

    - the tests of one example share a worker: those about its page
      (test_NAME.py, or a session fixture that runs it) and, early in the
      run, those parametrized by its script (its plain run): no two runs of
      one example overlap, and the checks that look for an example's
      leftover processes (Ray's, PyTorch's loaders) see only their own;
    - in other modules, the tests linked by a module-scoped fixture (an
      example run once, a build made once, one page in the browser, each
      parameter apart) run in one worker;
    - the rest (one subprocess or one notebook each) in no group.
    """
    groups = {item: group for item in items if (group := _example_group(item)) is not None}
    parent = {}  # union-find over (module, fixture, parameter) keys

    def root(key):
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    keys = {}
    for item in items:
        if item in groups:
            continue
        params = getattr(getattr(item, "callspec", None), "params", {})
        keys[item] = sorted((item.path.name, name, str(params.get(name, ""))) for name in _module_fixtures(item))
        for key in keys[item][1:]:
            parent[root(key)] = root(keys[item][0])
    for item, linked in keys.items():
        if linked:
            # No "]" or "@": xdist reads the group after the last "@" of the test id.
            name = ":".join(filter(None, root(linked[0])))
            groups[item] = name.replace("]", ")").replace("@", "_").replace("::", ":")
    return groups


def _run_order(item):
    """(late, not slow): see pytest_collection_modifyitems."""
    return _late(item), item.path.name not in SLOWEST_FIRST


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """Group the tests for pytest-xdist, then run the browser's last.

    The groups (xdist_groups) are marked before xdist reads them. Then,
    once pytest has grouped the tests of one module-scoped parameter (one
    browser visit per page, in test_browser.py), a stable sort runs the
    tests that use the browser or the local web server last: both keep
    threads running for the rest of the session, and the tests that fork
    need a process with a single thread (stop_worker_threads); under
    pytest-xdist too, since the groups are handed out in this order. The
    slowest tests that do neither run first (SLOWEST_FIRST).
    """
    groups = xdist_groups(items)
    for item, group in groups.items():
        item.add_marker(pytest.mark.xdist_group(group))
    result = yield
    if getattr(config.option, "loadgroup", False):  # a pytest-xdist worker, --dist loadgroup
        for item, group in groups.items():
            _name_the_group_in_the_test_id(item, group)
    items.sort(key=_run_order)
    return result


def _name_the_group_in_the_test_id(item, group):
    """What xdist 3.8.0 does for --dist loadgroup, where it no longer works.

    The controller learns a test's group from its id, "ID@GROUP": xdist
    appends it to item._nodeid, which pytest 9.2 no longer reads (its test
    ids are structured, item._id), so every group is silently split
    (pytest-xdist issue #1386, pull request #1388). Set the structured id.
    """
    if item.nodeid.endswith(f"@{group}") or not hasattr(item, "_id"):
        return  # xdist did it (pytest before 9.2)
    from _pytest.nodeid import NodeId

    item._id = NodeId.parse(f"{item.nodeid}@{group}")
