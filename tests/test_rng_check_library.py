"""RSP008: library calls left at random_state=None in a process task. The
list in rng_check.py is generated from the installed scikit-learn's and
SciPy's signatures (tools/make_library_list.py); these tests check that it
is the list those versions give, and, for calls readers make most, that a
call left at None does move NumPy's global random state, and one given a
seed does not (measured in a fresh interpreter)."""

import importlib.util
import json
import subprocess
import sys
import textwrap
from importlib.metadata import version

import pytest

from conftest import CHECKER, TOOLS

spec = importlib.util.spec_from_file_location("rng_check", CHECKER)
checker = importlib.util.module_from_spec(spec)
spec.loader.exec_module(checker)

MEASURE = """
import json, warnings
import numpy as np
warnings.simplefilter("ignore")
from scipy import stats
from sklearn.cluster import KMeans
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import KFold, train_test_split

X = np.arange(40.0).reshape(20, 2)
y = np.arange(20) % 2
CALLS = {
    "sklearn.cluster.KMeans": lambda **k: KMeans(2, n_init=1, **k).fit(X),
    "sklearn.ensemble.RandomForestClassifier":
        lambda **k: RandomForestClassifier(3, **k).fit(X, y),
    "sklearn.model_selection.train_test_split":
        lambda **k: train_test_split(X, **k),
    "sklearn.model_selection.KFold":
        lambda **k: list(KFold(4, shuffle=True, **k).split(X)),
    "scipy.stats.norm.rvs": lambda **k: stats.norm.rvs(size=3, **k),
}
moved = {}
for name, call in CALLS.items():
    result = []
    for given in ({}, {"random_state": 0}):
        before = np.random.get_state()[1].copy(), np.random.get_state()[2]
        call(**given)
        after = np.random.get_state()
        result.append(bool((before[0] != after[1]).any() or before[1] != after[2]))
    moved[name] = result
print(json.dumps(moved))
"""


def test_the_list_names_its_versions_and_they_are_installed():
    assert checker.LIBRARY_VERSIONS == {"scikit-learn": version("scikit-learn"), "SciPy": version("scipy")}


def test_the_list_is_what_the_installed_signatures_give():
    """Regenerating the block gives the block in the file, byte for byte."""
    code = (f"import sys; sys.path.insert(0, {str(TOOLS)!r}); import make_library_list as m;"
            "print(m.block()[0], end='')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout in CHECKER.read_text()


def test_calls_left_at_none_move_the_global_state_and_seeded_ones_do_not():
    result = subprocess.run([sys.executable, "-c", MEASURE], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    moved = json.loads(result.stdout)
    for name, (unset, seeded) in moved.items():
        assert name in checker.LIBRARY_RANDOM, name
        assert unset and not seeded, name


def findings(tmp_path, source):
    path = tmp_path / "tasks.py"
    path.write_text(textwrap.dedent(source).lstrip())
    return [(f.line, f.code) for f in checker.check_file(path)]


def test_process_tasks_are_reported_threads_and_seeded_calls_are_not(tmp_path):
    source = """
        import numpy as np
        from scipy import stats
        from sklearn.cluster import KMeans
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import KFold
        from joblib import Parallel, delayed

        def fit(X, seed):
            KMeans(3).fit(X)
            KMeans(3, random_state=seed).fit(X)
            KFold(5)
            KFold(5, shuffle=True)
            LogisticRegression().fit(X, X)
            stats.norm(0, 1).rvs(size=3)
            stats.norm.rvs(size=3, random_state=seed)

        Parallel(n_jobs=2{backend})(delayed(fit)(None, s) for s in range(3))
    """
    assert findings(tmp_path, source.format(backend="")) == [(9, "RSP008"), (12, "RSP008"), (14, "RSP008")]
    assert findings(tmp_path, source.format(backend=", prefer='threads'")) == []


def test_a_task_that_reseeds_its_worker_with_its_own_seed_is_not_reported(tmp_path):
    assert findings(tmp_path, """
        import numpy as np
        from multiprocessing import Pool
        from sklearn.model_selection import train_test_split

        def split(seed):
            np.random.seed(seed)
            return train_test_split(np.arange(10))

        if __name__ == "__main__":
            with Pool(2) as pool:
                pool.map(split, range(4))
    """) == []


def test_the_message_points_to_the_guard_and_names_the_versions(tmp_path):
    path = tmp_path / "tasks.py"
    path.write_text(textwrap.dedent("""
        from sklearn.model_selection import train_test_split
        from concurrent.futures import ProcessPoolExecutor

        def split(data):
            return train_test_split(data)

        with ProcessPoolExecutor() as pool:
            pool.submit(split, [1, 2, 3])
    """).lstrip())
    [finding] = checker.check_file(path)
    assert finding.code == "RSP008"
    assert "guard (rng_guard.py)" in finding.message
    assert f"scikit-learn {version('scikit-learn')} and SciPy {version('scipy')}" in finding.message
