"""The landing page's code runs, and gives the same numbers on every backend."""

import os
import subprocess
import sys
import textwrap

import pytest

from conftest import parse_html

WRAPPER = """
import sys
from joblib import parallel_config
snippet = sys.stdin.read()
with parallel_config(backend={backend!r}):
    exec(compile(snippet, "landing-page", "exec"))  # in __main__, as a script would
"""


@pytest.fixture(scope="module")
def snippet(site):
    blocks = parse_html(site / "index.html").select("main div.highlight-python pre")
    assert len(blocks) == 1, "the landing page shows one Python snippet"
    return blocks[0].get_text()


def run_snippet(snippet, backend):
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(WRAPPER.format(backend=backend))],
        input=snippet, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    return result.stdout


def test_snippet_gives_the_same_numbers_on_every_run_and_backend(snippet):
    outputs = {
        backend: run_snippet(snippet, backend)
        for backend in ["loky", "threading", "multiprocessing", "sequential"]
    }
    outputs["loky, again"] = run_snippet(snippet, "loky")
    assert len(set(outputs.values())) == 1, outputs
    rows = [line for line in outputs["loky"].splitlines() if line.strip()]
    assert len(rows) == 4 and len(set(rows)) == 4
