"""A build that never lies: a broken, warning or hanging example fails it.

The tests copy the site's sources to a temporary folder, add bad examples,
and run `make html` there with the test suite's own venv. The build must exit
non-zero, name each file and its reason, and leave the previously published
site exactly as it was. sphinx-gallery runs every example before it fails
the build, so the examples that fail at once share one build; the hanging
one, which needs a short time limit, has its own.
"""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import import_sphinxext
from sandbox import copy_site_sources, make_html

PREVIOUS_SITE = "the previous good site"

BROKEN = '''"""
A broken example
================

This example raises on purpose.
"""

# %%
raise RuntimeError("this example is broken on purpose")
'''

NESTED = '''"""
A nested parallel loop
======================

joblib cannot nest a multiprocessing loop below threads: it warns and
quietly runs the inner loop with n_jobs=1.
"""

# %%
from joblib import Parallel, delayed


def inner(i):
    return sum(Parallel(n_jobs=2, backend="multiprocessing")(delayed(abs)(j) for j in range(i)))


print(Parallel(n_jobs=2, backend="threading")(delayed(inner)(i) for i in range(4)))
'''

HANGING = '''"""
A hanging example
=================

Its workers never finish.
"""

# %%
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from joblib import Parallel, delayed


def hang(i):
    with open(os.environ["HANG_PIDS"], "a") as pids:
        pids.write(f"{os.getpid()}\\n")
    time.sleep(3600)


Parallel(n_jobs=2)(delayed(hang)(i) for i in range(2))
'''


FORK_WITH_A_THREAD = '''"""
Forking while a thread runs
===========================

The child of a fork made while another thread runs may deadlock.
"""

# %%
import multiprocessing
import threading

done = threading.Event()
busy = threading.Thread(target=done.wait, name="busy-thread")
busy.start()
try:
    with multiprocessing.get_context("fork").Pool(2) as pool:
        print(pool.map(abs, range(4)))
finally:
    done.set()
    busy.join()
'''

DISCARDED_WARNING = '''"""
A warning that never fails the example
======================================

The warning is raised and then swallowed, as C code such as os.fork()
does with its own.
"""

# %%
import warnings

try:
    warnings.warn("this warning is swallowed on purpose", DeprecationWarning)
except DeprecationWarning:
    pass
print("finished as if nothing happened")
'''


def build_with(tmp_path, examples, **env):
    """Copy the site, add examples ({NAME.py: source}), run make html;
    return (code, output)."""
    # The examples that already ran in `make html` are not run again.
    copy_site_sources(tmp_path, keep_generated_gallery=True)
    for name, source in examples.items():
        (tmp_path / "examples" / name).write_text(source)
    published = tmp_path / "build" / "html"
    published.mkdir(parents=True)
    (published / "index.html").write_text(PREVIOUS_SITE)
    result = make_html(tmp_path, **env)
    return result.returncode, result.stdout + result.stderr


def assert_failed_and_kept_previous_site(tmp_path, code, output):
    assert code != 0, output
    assert "Build failed: build/html was left as it was." in output
    published = tmp_path / "build" / "html"
    assert sorted(path.name for path in published.iterdir()) == ["index.html"]
    assert (published / "index.html").read_text() == PREVIOUS_SITE
    assert not (tmp_path / "build" / "html.staging").exists()


BAD_EXAMPLES = {
    "plot_broken.py": BROKEN,
    "plot_discarded.py": DISCARDED_WARNING,
    "plot_fork_with_thread.py": FORK_WITH_A_THREAD,
    "plot_nested.py": NESTED,
}


@pytest.fixture(scope="module")
def failed_build(tmp_path_factory):
    """(folder, exit code, output, {example: its report}) of one build with
    every example of BAD_EXAMPLES added."""
    folder = tmp_path_factory.mktemp("bad-examples")
    code, output = build_with(folder, BAD_EXAMPLES)
    # sphinx-gallery's summary: "<path> failed leaving traceback:" then the
    # traceback, for each example, in turn. Sphinx colours it where it sees
    # a terminal or CI=true: the colour codes go first.
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)
    parts = re.split(r"^\s*\S*?(plot_\w+\.py) failed leaving traceback:$", plain, flags=re.MULTILINE)
    reports = dict(zip(parts[1::2], parts[2::2]))
    return folder, code, output, reports


def report_of(failed_build, name):
    """What the failed build said about examples/NAME, after checking that
    it failed and kept the previous site."""
    folder, code, output, reports = failed_build
    assert_failed_and_kept_previous_site(folder, code, output)
    assert sorted(reports) == sorted(BAD_EXAMPLES), output
    return reports[name]


def test_an_example_that_raises_fails_the_build(failed_build):
    report = report_of(failed_build, "plot_broken.py")
    assert "RuntimeError: this example is broken on purpose" in report


def test_joblib_quietly_changing_a_parallel_call_fails_the_build(failed_build):
    report = report_of(failed_build, "plot_nested.py")
    assert "UserWarning: Multiprocessing-backed parallel loops cannot be nested" in report


def test_forking_while_a_thread_runs_fails_the_build(failed_build):
    """Python 3.12+ only warns, then discards the warning; the build fails on
    every Python, at the fork, naming the thread."""
    report = report_of(failed_build, "plot_fork_with_thread.py")
    assert "ForkWithThreadsError: os.fork() while other threads run (busy-thread;" in report


FORK_TWICE = """
import os, threading, time, warnings
threading.Thread(target=time.sleep, args=(3,), daemon=True).start()


def fork():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)


with warnings.catch_warnings(record=True) as seen:
    warnings.simplefilter("always")
    fork()
with warnings.catch_warnings():
    warnings.simplefilter("error")
    fork()  # the warning becomes an error, which os.fork() then discards
print(sum("is multi-threaded" in str(warning.message) for warning in seen))
"""


def test_python_itself_only_warns_about_forking_with_threads_and_discards_errors():
    """Why the build watches os.fork() itself: Python 3.12+ warns (and 3.11 says
    nothing), and with warnings as errors, the error never reaches the caller."""
    result = subprocess.run([sys.executable, "-c", FORK_TWICE], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("1" if sys.version_info >= (3, 12) else "0")


def test_a_discarded_warning_fails_the_build(failed_build):
    report = report_of(failed_build, "plot_discarded.py")
    assert "plot_discarded.py emitted warnings that were discarded" in report
    assert "DeprecationWarning: this warning is swallowed on purpose" in report
    # Its checksum is not kept, so the next build runs it (and fails) again.
    folder = failed_build[0]
    assert not list((folder / "docs" / "auto_examples").glob("plot_discarded.py.md5"))


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead; only its parent has not collected it yet.
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()


def test_a_hanging_example_fails_after_the_time_limit_and_leaves_no_worker(tmp_path):
    pids_file = tmp_path / "pids.txt"
    started = time.monotonic()
    code, output = build_with(
        tmp_path, {"plot_hanging.py": HANGING}, EXAMPLE_TIMEOUT="8", HANG_PIDS=str(pids_file)
    )
    elapsed = time.monotonic() - started
    assert "plot_hanging.py" in output
    assert "plot_hanging.py was still running after 8 s (EXAMPLE_TIMEOUT)" in output
    # Where it was stuck: the example's own Parallel call is in the traceback.
    stuck_line = HANGING.splitlines().index("Parallel(n_jobs=2)(delayed(hang)(i) for i in range(2))") + 1
    assert f'plot_hanging.py", line {stuck_line}, in <module>' in output
    assert elapsed < 300, "the limit stopped the example, not the test's timeout"
    assert_failed_and_kept_previous_site(tmp_path, code, output)
    pids = [int(line) for line in pids_file.read_text().split()]
    assert len(pids) == 2
    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not any(alive(pid) for pid in pids), "the hanging example's workers survived"


@pytest.mark.parametrize("value", ["0", "-5", "soon"])
def test_a_bad_time_limit_is_a_clear_error(value, monkeypatch):
    example_execution = import_sphinxext("example_execution")
    monkeypatch.setenv("EXAMPLE_TIMEOUT", value)
    with pytest.raises(ValueError, match="EXAMPLE_TIMEOUT must be a positive number of seconds"):
        example_execution.example_timeout()
