"""What sphinx-gallery runs around each example, referenced by name in conf.py.

``gallery_order`` sorts the gallery in the order a reader should learn it.

``strict_execution`` is a ``reset_modules`` hook called before and after every
example. While an example runs:

* every warning is an error, except those in ``ALLOWED_WARNINGS``. A page
  must not publish numbers that a library has quietly changed: for example
  joblib's "Multiprocessing-backed parallel loops cannot be nested ...
  setting n_jobs=1" means the page would not show what its code says.
* the example has ``EXAMPLE_TIMEOUT`` seconds (default 120). Past that, a
  ``TimeoutError`` is raised where the example is stuck; sphinx-gallery then
  reports the file and the traceback, and the build fails. Raising inside the
  example also lets joblib shut its workers down. If the example cannot be
  interrupted (stuck inside C code), the whole build stops 30 s later, with
  the traceback of every thread.
"""

import faulthandler
import os
import signal
import sys
import warnings
from pathlib import Path

# Warnings an example may raise without failing the build, as
# (category, message regex, why it is harmless). Empty on purpose: no example
# needs one today. An entry must say why the warning does not change what
# the page shows.
ALLOWED_WARNINGS: list[tuple[type[Warning], str, str]] = []

# The gallery, in reading order: the problem, the fix, why integer seeds are
# not enough, the start methods, threads, a real workload, a cluster, the
# summary.
GALLERY_ORDER = [
    "plot_random_state_in_parallel.py",
    "plot_spawned_generators.py",
    "plot_seed_collisions.py",
    "plot_start_methods.py",
    "plot_shared_generator_threads.py",
    "plot_monte_carlo.py",
    "plot_dask_cluster.py",
    "plot_behaviour_matrix.py",
]


def gallery_order(filename):
    """Sort key for sphinx-gallery's within_subsection_order.

    Examples missing from GALLERY_ORDER come last, alphabetically; the test
    suite checks that every example in examples/ has its place in the list.
    """
    name = Path(filename).name
    if name in GALLERY_ORDER:
        return (GALLERY_ORDER.index(name), name)
    return (len(GALLERY_ORDER), name)


DEFAULT_TIMEOUT = 120.0
HARD_STOP_GRACE = 30.0

_saved_filters = None


def example_timeout():
    """The time limit per example, in seconds, from EXAMPLE_TIMEOUT."""
    value = os.environ.get("EXAMPLE_TIMEOUT", "")
    if not value:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if seconds <= 0:
        raise ValueError(f"EXAMPLE_TIMEOUT must be a positive number of seconds, not {value!r}")
    return seconds


def _raise_timeout(name, seconds):
    def handler(signum, frame):
        raise TimeoutError(
            f"{name} was still running after {seconds:g} s (EXAMPLE_TIMEOUT); "
            "the traceback shows where it was stuck"
        )

    return handler


def strict_execution(gallery_conf, fname, when):
    """Make warnings errors and start the time limit, or undo both after."""
    global _saved_filters
    if fname is None:  # called once per gallery folder, not for an example
        return
    can_alarm = hasattr(signal, "SIGALRM")
    if when == "before":
        _saved_filters = list(warnings.filters)
        warnings.simplefilter("error")
        for category, message, _why in ALLOWED_WARNINGS:
            warnings.filterwarnings("ignore", message=message, category=category)
        seconds = example_timeout()
        if can_alarm:
            signal.signal(signal.SIGALRM, _raise_timeout(Path(fname).name, seconds))
            signal.setitimer(signal.ITIMER_REAL, seconds)
        faulthandler.dump_traceback_later(seconds + HARD_STOP_GRACE, exit=True, file=sys.stderr)
    else:
        faulthandler.cancel_dump_traceback_later()
        if can_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
        if _saved_filters is not None:
            warnings.filters[:] = _saved_filters
            _saved_filters = None
