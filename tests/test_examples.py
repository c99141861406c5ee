"""Every example runs to the end as a plain script, as a reader runs it.

No example depends on the platform's default start method any more: the
core example asks for fork explicitly, the start-method pages measure each
method in fresh interpreters, and the dask cluster runs as separate
programs. So each script runs once, with this Python's default (CI runs the
suite on Python 3.11 to 3.14, whose Linux default moved to forkserver, and
the scripts on macOS and Windows, where it is spawn), and once more where
the platform is made to look like Windows. A seeded example prints, line
for line, what its page shows.
"""

import os
import re
import subprocess
import sys
import textwrap

import pytest

from conftest import (
    CORE_EXAMPLE, ROOT, UNSEEDED_EXAMPLES, captured_output, example_path, example_paths, page_of, parse_html,
    plain_run)

TIMEOUT = 300  # seconds; the slowest example takes about 20 s here

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


# Examples whose every run prints other numbers: unseeded draws, wall times.
CHANGES_AT_EVERY_RUN = {CORE_EXAMPLE, "plot_monte_carlo"}


def printed_lines(text):
    """The lines printed, without blank lines (the page's output blocks
    hold the same lines as the script's output, cell by cell)."""
    return [line.rstrip() for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("path", example_paths(), ids=lambda path: path.name)
def test_example_runs_as_plain_script(path, site):
    # Windows consoles and pipes may use cp1252: what an example prints must
    # encode there too. Python's warnings are errors, as in the build
    # (conftest.plain_run, shared with the tests that look for leftovers).
    result, _ = plain_run(path)
    assert result.returncode == 0, f"{path.name} failed:\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    output = result.stdout
    assert output.strip()
    # Nothing the pages print is wider than the article column can show.
    assert max(map(len, output.splitlines())) <= 79, path.name
    # A reader who runs a seeded example gets what its page shows. The
    # unseeded ones (which test_reproducible does not compare) do change.
    page = parse_html(site / page_of(path.stem))
    shown = captured_output(page)
    # The behaviour matrix's tables are HTML on its page; a script prints
    # them as text: each row's name, then a line per column and its verdict.
    for table in page.select("table.behaviour-matrix"):
        columns = [cell.get_text() for cell in table.select("thead th")][1:]
        for row in table.select("tbody tr"):
            lines = [re.escape(f"{row.th.get_text()}:")] + [
                rf"  {re.escape(column)}\s+(DUPLICATED|distinct), (not )?reproducible" for column in columns]
            assert re.search("^" + "\n".join(lines) + "$", output, re.M), row.th
    if path.stem not in UNSEEDED_EXAMPLES:
        assert printed_lines(output) == printed_lines(shown)
    elif path.stem in CHANGES_AT_EVERY_RUN:
        assert printed_lines(output) != printed_lines(shown)


@pytest.mark.parametrize("name, skipped, shown, still_shown", [
    (CORE_EXAMPLE, "This platform cannot fork: the forked runs are skipped.", "forked workers:",
     "loky, identical: True"),
    ("plot_batches_and_pools", "This platform cannot fork: the pool runs are skipped.", "Pool.map",
     "spawned seeds: all 2,000 distinct: True; the same everywhere: True"),
])
def test_examples_without_fork_explain_and_finish(name, skipped, shown, still_shown):
    """Windows has no fork: the script says what it skips and still runs to the end."""
    output = run_script(
        example_path(name),
        setup=(
            "multiprocessing.set_start_method('spawn'); "
            "multiprocessing.get_all_start_methods = lambda: ['spawn']"
        ),
    )
    assert skipped in output.splitlines()
    assert shown not in output
    assert still_shown in output.splitlines()


@pytest.mark.parametrize("path", example_paths(), ids=lambda path: path.name)
def test_each_lesson_reads_in_its_budget(path):
    """A lesson is read in at most 220 lines (200 for the core example), of
    at most 79 characters; one that draws shows its figures when run."""
    source = path.read_text()
    lines = source.splitlines()
    assert len(lines) <= (200 if path.stem == CORE_EXAMPLE else 220), len(lines)
    assert [line for line in lines if len(line) > 79] == []
    if re.search(r"plt\.(subplots|figure)\(", source):
        assert "plt.show()" in source
