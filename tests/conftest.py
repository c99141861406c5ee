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
# counts races and times draws; the guard's page times the guard. Every
# other example prints
# the same thing at every run.
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
}
# The examples that draw no figure: the tools' pages, whose results are the
# findings and errors they print, and the behaviour matrix, whose result is
# its coloured table. Their gallery thumbnails come from files.
FIGURELESS_EXAMPLES = {"plot_check_your_code", "plot_guard_your_tasks", "plot_behaviour_matrix"}


@functools.cache  # loaded once: gallery_hooks installs an audit hook
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
    """Every gallery script, as sphinx-gallery sees them (conf.py's
    ignore_pattern leaves the checker's old command out)."""
    return sorted(path for path in EXAMPLES.glob("*.py") if path != OLD_CHECKER)


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
    spec = importlib.util.spec_from_file_location("__main__" if as_main else name, EXAMPLES / f"{name}.py")
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
    """Every page of the site (_static holds the theme's templates, not pages)."""
    return sorted(page for page in site.rglob("*.html") if "_static" not in page.relative_to(site).parts)


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


def parse_html(path):
    return BeautifulSoup(Path(path).read_text(encoding="utf-8"), "html.parser")


def captured_output(page):
    """The text of every output block sphinx-gallery captured on a page."""
    blocks = page.select("div.sphx-glr-script-out pre")
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
    example (docs/sphinxext/gallery_hooks.py).
    """
    gallery_hooks = import_sphinxext("gallery_hooks")  # the build's own helpers
    gallery_hooks._stop_reusable_workers()
    for thread in set(threading.enumerate()) - {threading.current_thread()} if check else ():
        thread.join(timeout=2)  # joblib's finished thread pools end on their own
    others = [t.name for t in threading.enumerate() if t is not threading.current_thread()]
    threads = gallery_hooks.settled_thread_count()  # C threads too, as CPython counts
    assert not check or (others, threads) == ([], 1), f"threads still running before a fork: {others}, {threads} in all"


@pytest.hookimpl(trylast=True)  # after pytest groups the tests of one page
def pytest_collection_modifyitems(items):
    """Run the tests that use the browser or the local web server last.

    Both keep threads running for the rest of the session, and the tests
    that fork need a process with a single thread (stop_worker_threads).
    The sort is stable: pytest's grouping by module-scoped parameter (one
    browser visit per page, in test_browser.py) is kept.
    """
    late = {"browser", "served_site"}
    items.sort(key=lambda item: bool(late & set(getattr(item, "fixturenames", ()))))
