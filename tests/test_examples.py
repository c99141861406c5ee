"""Every example runs to the end as a plain script, whatever the start method.

The platform's default start method differs (fork on Linux up to Python 3.13,
forkserver from 3.14, spawn on macOS and Windows). Each default is forced in a
small wrapper that then runs the script as ``__main__``, in a fresh process
with a time limit, as a reader's ``python examples/NAME.py`` would.
"""

import multiprocessing
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import CORE_EXAMPLE, EXAMPLES, ROOT, example_paths

TIMEOUT = 180  # seconds; the core example takes about 5 s here

WRAPPER = """
    import multiprocessing, runpy, sys
    {setup}
    runpy.run_path(sys.argv[1], run_name="__main__")
"""


def run_script(path, setup=None, **env):
    if setup is None:
        command = [sys.executable, str(path)]
    else:
        command = [sys.executable, "-c", textwrap.dedent(WRAPPER.format(setup=setup)), str(path)]
    env = {**os.environ, "MPLBACKEND": "Agg", **env}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0, f"{path.name} failed:\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


@pytest.mark.parametrize("path", example_paths(), ids=lambda path: path.name)
def test_example_runs_as_plain_script(path):
    # Windows consoles and pipes may use cp1252: what an example prints must
    # encode there too.
    assert run_script(path, PYTHONIOENCODING="cp1252:strict").strip()


# The platform's own default is what the plain run above uses; the others
# are forced here.
OTHER_START_METHODS = sorted({"fork", "forkserver", "spawn"} - {multiprocessing.get_start_method()})


@pytest.mark.parametrize("start_method", OTHER_START_METHODS)
@pytest.mark.parametrize("path", example_paths(), ids=lambda path: path.name)
def test_example_runs_under_each_default_start_method(path, start_method):
    output = run_script(path, setup=f"multiprocessing.set_start_method({start_method!r})")
    if path.stem == CORE_EXAMPLE:
        assert f"default start method: {start_method}" in output


def test_core_example_without_fork_explains_and_finishes():
    """Windows has no fork: the script says what it skips and still runs to the end."""
    output = run_script(
        EXAMPLES / f"{CORE_EXAMPLE}.py",
        setup=(
            "multiprocessing.set_start_method('spawn'); "
            "multiprocessing.get_all_start_methods = lambda: ['spawn']"
        ),
    )
    assert "multiprocessing (fork): skipped, this platform cannot fork." in output
    assert "DUPLICATED" not in output
    assert "loky, fixed seeds, first run:" in output
    assert "loky run identical to the first: True" in output

