"""The landing page's code runs, and gives the same numbers on every backend.

The snippet is saved as a script and run as one, in a fresh interpreter, as
a reader would run it: under joblib's backends, and, for the
multiprocessing backend, under every start method (chosen with
JOBLIB_START_METHOD, the setting joblib reads). spawn workers import the
script again, and forkserver workers copy a server that imported it, which
is why it keeps its random state behind ``if __name__ == "__main__":``.
"""

import os
import subprocess
import sys

import pytest

from conftest import parse_html

WRAPPER = """
import runpy, sys
from joblib import parallel_config
with parallel_config(backend=sys.argv[2]):
    runpy.run_path(sys.argv[1], run_name="__main__")
"""


@pytest.fixture(scope="module")
def snippet(site, tmp_path_factory):
    blocks = parse_html(site / "index.html").select("main div.highlight-python pre")
    assert len(blocks) == 1, "the landing page shows one Python snippet"
    path = tmp_path_factory.mktemp("landing") / "snippet.py"
    path.write_text(blocks[0].get_text())
    return path


def run_snippet(path, backend, start_method=""):
    env = {**os.environ, "JOBLIB_START_METHOD": start_method, "PYTHONWARNINGS": "error"}
    result = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(path), backend],
        capture_output=True, text=True, timeout=120, env=env, cwd=path.parent,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    return result.stdout


def test_snippet_gives_the_same_numbers_on_every_run_backend_and_start_method(snippet):
    outputs = {
        backend: run_snippet(snippet, backend)
        for backend in ["loky", "threading", "sequential"]
    }
    for method in ["fork", "forkserver", "spawn"]:
        outputs[f"multiprocessing ({method})"] = run_snippet(snippet, "multiprocessing", method)
    outputs["loky, again"] = run_snippet(snippet, "loky")
    assert len(set(outputs.values())) == 1, outputs
    rows = [line for line in outputs["loky"].splitlines() if line.strip()]
    assert len(rows) == 4 and len(set(rows)) == 4


def test_the_start_method_setting_is_the_one_joblib_reads(snippet, tmp_path):
    """JOBLIB_START_METHOD really changes the workers (the test above relies on it)."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import multiprocessing\nfrom joblib import Parallel, delayed\n\n\n"
        "def name(_):\n    return multiprocessing.current_process().name.rsplit('-', 1)[0]\n\n\n"
        "if __name__ == '__main__':\n"
        "    print(set(Parallel(n_jobs=2, backend='multiprocessing')(delayed(name)(i) for i in range(4))))\n"
    )
    kinds = {"fork": "ForkPoolWorker", "forkserver": "ForkServerPoolWorker", "spawn": "SpawnPoolWorker"}
    for method, kind in kinds.items():
        assert run_snippet(probe, "multiprocessing", method).strip() == repr({kind})
