r"""
===========================================
Check your own code for these mistakes
===========================================

Does *your* code have the bugs this site shows? Download
:download:`rng_check.py <../../../tools/rng_check.py>` (one file, standard
library only, Python 3.11+) and run it on your project:
``python rng_check.py src/``. It reads the code without running it,
follows the project's own imports, and reports eight mistakes, each with
a code, a line and a link here. Below: a wrong and a right version of each.
"""
# sphinx_gallery_thumbnail_path = "_static/thumbnails/check_your_code.png"

# Harness: save snippets, run the checker on them, print its findings
import subprocess
import sys
import tempfile
from pathlib import Path
from textwrap import dedent, fill

# sphinx_gallery_start_ignore
# In a clone of the site the checker is in tools/, not beside this script.
if "__file__" in globals():
    sys.path.append(str(Path(__file__).resolve().parents[2] / "tools"))
# sphinx_gallery_end_ignore
try:  # beside this script in its zip, or downloaded from this page
    import rng_check
except ModuleNotFoundError:
    sys.exit("Save rng_check.py, from this page, next to this script.")
reports = {}  # (code, "wrong" or "right") -> the codes the checker found


def run(files, *options):
    # (exit status, findings wrapped to fit the page) on {name: source}
    with tempfile.TemporaryDirectory() as folder:
        for name, source in files.items():
            Path(folder, name).write_text(dedent(source).lstrip())
        result = subprocess.run([sys.executable, rng_check.__file__,
                                 *options, "."], cwd=folder,
                                capture_output=True, text=True)
    return result.returncode, [fill(line, 79, subsequent_indent="    ")
                               for line in result.stdout.splitlines()]


def check(code, **versions):
    for version, source in versions.items():
        status, findings = run({"snippet.py": source})
        reports[code, version] = [line.split()[1] for line in findings]
        print(f"{code} {rng_check.RULES[code].name}, {version}: exit status "
              f"{status}", *findings, sep="\n")  # the rule's name, as ruff's


# %%
# Running the checker
# -------------------
#
# A task handed to a pool in one module may draw in another: given folders,
# the checker follows the imports between the files given (never beyond)
# and reports where the draw is, here with ``--format github`` (GitHub
# Actions annotations; also ``json``, ``sarif`` and, by default,
# ``path:line:column: CODE message``). An unreadable file is RSP900 or
# RSP901. Exit status: 1 if something is found, 0 if not, 2 on a usage
# error. ``--select``, ``--ignore``, ``# noqa`` and ``--explain RSP001``
# work as in ruff; ``flake8 --select RSP`` checks file by file.

found = run({"helpers.py": """
    import numpy as np
    def noisy(x):
        return x + np.random.normal()
""", "main.py": """
    from joblib import Parallel, delayed
    from helpers import noisy
    Parallel(n_jobs=2)(delayed(noisy)(x) for x in range(4))
"""}, "--format", "github")[1]
print(*found, sep="\n")

# %%
# .. _rsp001:
#
# RSP001: a task draws from a global random state
# -----------------------------------------------
#
# The mistake of :doc:`the core example
# <../why_it_happens/plot_random_state_in_parallel>`. (A process
# task that reseeds it with its own seed, or fresh entropy, is right.)

draws_globally, seeds_each_task = """
    import numpy as np
    from joblib import Parallel, delayed
    def task(i):
        return np.random.randint(100, size=5)

    if __name__ == "__main__":
        print(Parallel(n_jobs=2)(delayed(task)(i) for i in range(5)))
""", """
    import numpy as np
    from joblib import Parallel, delayed
    def task(seed):
        return np.random.default_rng(seed).integers(100, size=5)

    if __name__ == "__main__":
        seeds = np.random.SeedSequence(2024).spawn(5)
        print(Parallel(n_jobs=2)(delayed(task)(s) for s in seeds))
"""
check("RSP001", wrong=draws_globally, right=seeds_each_task)

# %%
# .. _rsp002:
#
# RSP002: one generator object for every task
# -------------------------------------------
#
# Processes get copies of it and repeat each other; threads race for it.
# So with ``self.rng`` in a method handed to a pool, or a
# ``worker_init_fn`` seeding every worker alike.

one_for_all = seeds_each_task.replace("for s in seeds", "for s in [rng] * 5")\
    .replace("seeds = np.random.SeedSequence(2024).spawn(5)", "rng = np.ra"
             "ndom.default_rng(2024)")
check("RSP002", wrong=one_for_all,
      right=one_for_all.replace("[rng] * 5", "rng.spawn(5)"))

# %%
# .. _rsp003:
#
# RSP003: a seed made by arithmetic
# ---------------------------------
#
# ``root + task_id`` (``seed + rank`` in ``torch.manual_seed``, ``env.seed``)
# or a worker id as the seed: runs with nearby roots share streams
# (:doc:`../get_it_right/plot_spawned_generators`, `NumPy <https://
# numpy.org/doc/2.4/reference/random/parallel.html>`__). Hash the pair.

added_seeds = """
    import numpy as np
    def task(root, task_id):
        return np.random.default_rng(root + task_id).random()
"""
check("RSP003", wrong=added_seeds,
      right=added_seeds.replace("root + task_id", "[task_id, root]"))

# %%
# .. _rsp004:
#
# RSP004: random state made at import
# -----------------------------------
#
# Workers that run the script again, or copy one that ran it, start alike
# (:doc:`../get_it_right/plot_start_methods`): NumPy's state
# under ``fork``, ``spawn`` and ``forkserver``, not on dask, whose workers
# `reseed NumPy <https://github.com/dask/distributed/blob/2026.8.0/
# distributed/nanny.py#L1030-L1032>`__ (not ``random``).

seeded_at_import = draws_globally.replace(
    "delayed\n", "delayed\n\n    np.random.seed(0)\n").replace(
    "n_jobs=2", 'n_jobs=2, backend="multiprocessing"')
check("RSP004", wrong=seeded_at_import, right=seeds_each_task.replace(
    "n_jobs=2", 'n_jobs=2, backend="multiprocessing"'))

# %%
# .. _rsp005:
#
# RSP005: a task seeds with the time, a process id, a uuid or hash()
# ------------------------------------------------------------------
#
# Tasks started in one clock tick get one seed. A str's ``hash()`` is one
# in forked and dask workers (`PYTHONHASHSEED <https://github.com/dask/
# distributed/blob/2026.8.0/distributed/nanny.py#L225-L228>`__).

seeded_by_pid = seeds_each_task.replace(
    "default_rng(seed)", "default_rng(os.getpid())").replace(
    "import numpy", "import os\n    import numpy")
check("RSP005", wrong=seeded_by_pid, right=seeds_each_task)

# %%
# .. _rsp006:
#
# RSP006: a task spawns from a parent that every task shares
# ----------------------------------------------------------
#
# Threads that spawn from one parent at once can get the same child
# (`NumPy issue 32063 <https://github.com/numpy/numpy/issues/32063>`__);
# processes spawn from copies, which give the same children.

threads = seeds_each_task.replace("n_jobs=2", 'n_jobs=4, backend="threading"')
spawned_in_task = threads.replace("delayed\n", (
    "delayed\n\n    ROOT = np.random.SeedSequence(2024)\n")).replace(
    "default_rng(seed)", "default_rng(ROOT.spawn(1)[0])")
check("RSP006", wrong=spawned_in_task, right=threads)

# %%
# .. _rsp007:
#
# RSP007: random 32-bit seeds, one per task
# -----------------------------------------
#
# Two of ``n`` tasks share a seed with a chance of about n²/2³³, not
# reported under 1% (:doc:`../get_it_right/plot_seed_collisions`).

check("RSP007", wrong=seeds_each_task.replace("SeedSequence(2024).spawn(5)",
      "default_rng(2024).integers(2**32, size=10**5)"), right=seeds_each_task)

# %%
# .. _rsp008:
#
# RSP008: a library call left at ``random_state=None``
# ----------------------------------------------------
#
# ``KMeans()``, ``train_test_split()``, ``KFold(shuffle=True)`` or SciPy's
# ``norm.rvs()`` draw from NumPy's global state
# (:doc:`../why_it_happens/plot_library_calls`). The list comes
# from their signatures; :doc:`the guard <plot_guard_your_tasks>` sees the
# calls that no list can (your wrappers, other libraries).

unseeded_split = seeds_each_task.replace("np.random.default_rng(seed).integers"
    "(100, size=5)", "train_test_split(range(10))").replace("delayed\n",
    "delayed\n    from sklearn.model_selection import train_test_split\n")
check("RSP008", wrong=unseeded_split, right=unseeded_split.replace(
    "range(10))", "range(10), random_state=seed.generate_state(1)[0])"))
