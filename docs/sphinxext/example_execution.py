"""What runs around each example while sphinx-gallery executes it.

``strict_execution`` is a ``reset_modules`` hook called before and after every
example. While an example runs:

* every warning is an error, except those in ``ALLOWED_WARNINGS``. A page
  must not publish numbers that a library has quietly changed: for example
  joblib's "Multiprocessing-backed parallel loops cannot be nested ...
  setting n_jobs=1" means the page would not show what its code says.
* a warning that C code emits and then discards (CPython's os.fork() does
  this) still fails the build: every warning is recorded as it is raised,
  and an example that finished with a recorded warning it never raised out
  of is reported as failed, with the warning.
* forking while another thread runs fails at the fork, on every Python:
  the child may deadlock (Python 3.12 and later warn, then discard the
  warning). Threads are counted as the kernel sees them, C threads such as
  NumPy's BLAS pool included (conf.py keeps that pool to one thread, and
  the time limit below uses no thread). Before each example, loky's
  reusable workers from the previous example are shut down, so each
  example starts with one thread, as a plain ``python`` run does.
* the example has ``EXAMPLE_TIMEOUT`` seconds (default 120). Past that, a
  ``TimeoutError`` is raised where the example is stuck; sphinx-gallery then
  reports the file and the traceback, and the build fails. Raising inside the
  example also lets joblib shut its workers down. If the example cannot be
  interrupted (stuck inside C code), a watchdog process stops the whole
  build 30 s later with SIGABRT, which faulthandler turns into the
  traceback of every thread.
"""

import faulthandler
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

# Warnings an example may raise without failing the build, as
# (category, message regex, why it is harmless). Empty on purpose: no example
# needs one today. An entry must say why the warning does not change what
# the page shows.
ALLOWED_WARNINGS: list[tuple[type[Warning], str, str]] = []


DEFAULT_TIMEOUT = 120.0
HARD_STOP_GRACE = 30.0

_saved_filters = None
_saved_showwarnmsg = None


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


class ForkWithThreadsError(RuntimeError):
    """os.fork() was called while other threads (Python or C) were running."""


_watching_forks = False
_recorded_warnings = []


def thread_count():
    """Threads of this process as the kernel counts them, as CPython 3.12+
    does before it warns; Python's own threads where there is no /proc."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def settled_thread_count(timeout=2.0):
    """thread_count(), once threads that are ending have ended.

    A joined thread (loky's, when its executor shuts down) has left Python,
    but the kernel may list it for a few more milliseconds: while no other
    Python thread runs, wait up to timeout seconds for the count to drop.
    """
    deadline = time.monotonic() + timeout
    count = thread_count()
    while count > threading.active_count() and time.monotonic() < deadline:
        time.sleep(0.01)
        count = thread_count()
    return count


def _refuse_fork_with_threads(event, args):
    """Audit hook: while an example runs, os.fork() needs a single thread."""
    if event != "os.fork" or not _watching_forks or settled_thread_count() == 1:
        return
    named = [t.name for t in threading.enumerate() if t is not threading.current_thread()]
    raise ForkWithThreadsError(
        f"os.fork() while other threads run ({', '.join(named) or 'none of them Python threads'}"
        f"; {thread_count()} threads in all): the child may deadlock, and Python 3.12+ "
        "warns 'This process is multi-threaded'. Fork before starting any thread, or stop "
        "them first."
    )


sys.addaudithook(_refuse_fork_with_threads)


def _raise_and_record(message):
    """warnings._showwarnmsg while an example runs: record, then raise.

    Python's warn() and C code's warnings both end here, whatever
    warnings.showwarning is (sphinx-gallery replaces that one to print
    warnings into the page).
    """
    _recorded_warnings.append(
        f"{message.filename}:{message.lineno}: {message.category.__name__}: {message.message}")
    raise message.message


def _stop_reusable_workers():
    """Shut down loky's reusable executor (and its threads), if one exists."""
    from joblib.externals.loky import reusable_executor

    executor = reusable_executor._executor
    if executor is not None:
        executor.shutdown(wait=True)


def _report_discarded_warnings(gallery_conf, fname):
    """Report an example that emitted a warning as failed, with the warning.

    A warning raised out of the example already failed it: sphinx-gallery
    then replaces this message with the example's traceback. What is left
    are warnings that C code or the example itself discarded.
    """
    if not _recorded_warnings:
        return
    source_dirs, gallery_dirs = (
        [value] if isinstance(value, str) else value
        for value in (gallery_conf["examples_dirs"], gallery_conf["gallery_dirs"])
    )
    for source_dir, gallery_dir in zip(source_dirs, gallery_dirs):
        source = Path(gallery_conf["src_dir"], source_dir, fname)
        if not source.is_file():
            continue
        gallery_conf["failing_examples"][os.path.normpath(source)] = (
            f"{fname} emitted warnings that were discarded before they could "
            "fail it (every warning is an error here):\n"
            + "\n".join(_recorded_warnings)
        )
        # Without its checksum, the example runs again at the next build.
        target = Path(gallery_conf["src_dir"], gallery_dir, fname)
        Path(f"{target}.md5").unlink(missing_ok=True)


_watchdog = None
# SIGABRT from the watchdog: faulthandler prints every thread's traceback.
WATCHDOG = "import os, signal, sys, time; time.sleep(float(sys.argv[2])); os.kill(int(sys.argv[1]), signal.SIGABRT)"


def _start_watchdog(seconds):
    """A separate process, not a thread: this process must stay single-threaded."""
    global _watchdog
    faulthandler.enable(file=sys.stderr, all_threads=True)
    _watchdog = subprocess.Popen([sys.executable, "-c", WATCHDOG, str(os.getpid()), str(seconds)])


def _stop_watchdog():
    global _watchdog
    if _watchdog is not None:
        _watchdog.kill()
        _watchdog.wait()
        _watchdog = None


def strict_execution(gallery_conf, fname, when):
    """Make warnings errors and start the time limit, or undo both after."""
    global _saved_filters, _saved_showwarnmsg, _watching_forks
    if fname is None:  # called once per gallery folder, not for an example
        return
    can_alarm = hasattr(signal, "SIGALRM")
    if when == "before":
        _stop_reusable_workers()
        _recorded_warnings.clear()
        _saved_filters = list(warnings.filters)
        _saved_showwarnmsg = warnings._showwarnmsg
        # "always" rather than "error": every warning then goes through
        # _showwarnmsg, which records it before raising it where it was
        # emitted, so a warning that C code swallows is still seen.
        warnings.simplefilter("always")
        warnings._showwarnmsg = _raise_and_record
        for category, message, _why in ALLOWED_WARNINGS:
            warnings.filterwarnings("ignore", message=message, category=category)
        _watching_forks = True
        seconds = example_timeout()
        if can_alarm:
            signal.signal(signal.SIGALRM, _raise_timeout(Path(fname).name, seconds))
            signal.setitimer(signal.ITIMER_REAL, seconds)
        _start_watchdog(seconds + HARD_STOP_GRACE)
    else:
        _stop_watchdog()
        if can_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
        _watching_forks = False
        if _saved_filters is not None:
            warnings.filters[:] = _saved_filters
            warnings._showwarnmsg = _saved_showwarnmsg
            _saved_filters = None
        _report_discarded_warnings(gallery_conf, fname)
        _recorded_warnings.clear()


def rerun_when_changed(example, dependency, gallery_dir):
    """Run example again at the next build if dependency changed since.

    sphinx-gallery reruns an example when its own source changes, and keeps
    its output otherwise (its checksum in gallery_dir). An example that
    imports a file beside it (the checker's page imports the checker) must
    also rerun when that file changes: this removes the example's checksum
    then, and records the dependency's own checksum for next time.
    """
    stamp = Path(gallery_dir, f"{Path(dependency).name}.sha256")
    digest = hashlib.sha256(Path(dependency).read_bytes()).hexdigest()
    if stamp.is_file() and stamp.read_text() == digest:
        return
    Path(gallery_dir, f"{example}.md5").unlink(missing_ok=True)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest)
