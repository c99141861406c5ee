"""tools/rng_check.py: exact findings on a labelled corpus,
the command line's contract, bad input, and real code nobody here wrote."""

import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from checker_corpus import BUGGY, CORRECT
from conftest import CHECKER, OLD_CHECKER, ROOT, TOOLS, example_path, example_paths, page_of

spec = importlib.util.spec_from_file_location("rng_check", CHECKER)
checker = importlib.util.module_from_spec(spec)
spec.loader.exec_module(checker)

EXPECT = re.compile(r"# expect: (RSP\d{3}(?:, RSP\d{3})*)")
LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<code>RSP\d{3}) (?P<message>.+)$")


def write(folder, name, source):
    path = Path(folder) / name
    path.write_text(textwrap.dedent(source).lstrip("\n"))
    return path


def expected_findings(path):
    expected = set()
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if match := EXPECT.search(line):
            expected |= {(number, code) for code in match[1].split(", ")}
    return expected


def run(*arguments, cwd=None):
    return subprocess.run([sys.executable, str(CHECKER), *map(str, arguments)],
                          capture_output=True, text=True, cwd=cwd, timeout=600)


# -- The corpus -------------------------------------------------------------


def test_corpus_covers_every_code_and_library():
    assert len(BUGGY) >= 20 and len(CORRECT) >= 20
    sources = "\n".join(BUGGY.values())
    expected = {code for match in EXPECT.finditer(sources) for code in match[1].split(", ")}
    assert expected == set(checker.CODES)
    for library in ["joblib", "multiprocessing", "concurrent.futures", "dask"]:
        assert sum(library in source for source in BUGGY.values()) >= 3, library


@pytest.mark.parametrize("name", BUGGY)
def test_buggy_snippet_gets_exactly_its_findings(name, tmp_path):
    path = write(tmp_path, "snippet.py", BUGGY[name])
    expected = expected_findings(path)
    assert expected, "a buggy snippet says what it expects"
    findings = checker.check_file(path)
    assert {(f.line, f.code) for f in findings} == expected
    assert len(findings) == len(expected)


@pytest.mark.parametrize("name", CORRECT)
def test_correct_snippet_gets_no_finding(name, tmp_path):
    path = write(tmp_path, "snippet.py", CORRECT[name])
    assert not EXPECT.search(path.read_text())
    assert checker.check_file(path) == []


def test_every_snippet_is_valid_python():
    for source in [*BUGGY.values(), *CORRECT.values()]:
        compile(textwrap.dedent(source), "snippet", "exec")


# -- The command line ---------------------------------------------------------


def test_output_format_exit_status_and_links(tmp_path):
    buggy = write(tmp_path, "buggy.py", BUGGY["joblib task draws from np.random"])
    result = run(buggy)
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    [line] = result.stdout.splitlines()
    match = LINE.match(line)
    assert match, line
    assert (match["path"], match["line"], match["column"], match["code"]) == (str(buggy), "5", "12", "RSP001")
    # The source names no site (a local build has none to name): no link,
    # and never a loopback address. The published copy links
    # (test_the_published_download_links_to_the_published_site).
    assert checker.SITE_URL == ""
    assert "http" not in line and match["message"].endswith("from it")

    clean = write(tmp_path, "clean.py", CORRECT["default_rng([task_id, root])"])
    result = run(clean)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_folders_are_searched_and_virtual_environments_skipped(tmp_path):
    write(tmp_path, "a.py", BUGGY["joblib task draws from np.random"])
    (tmp_path / "pkg").mkdir()
    write(tmp_path / "pkg", "b.py", BUGGY["the loop counter as the seed"])
    write(tmp_path / "pkg", "notes.txt", "np.random.seed(0)")
    for skipped in [".venv", "node_modules", "env_with_pyvenv_cfg"]:
        (tmp_path / skipped).mkdir()
        write(tmp_path / skipped, "c.py", BUGGY["joblib task draws from np.random"])
    (tmp_path / "env_with_pyvenv_cfg" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    result = run(tmp_path)
    assert result.returncode == 1
    paths = {LINE.match(line)["path"] for line in result.stdout.splitlines()}
    assert paths == {str(tmp_path / "a.py"), str(tmp_path / "pkg" / "b.py")}


def test_select_ignore_and_noqa(tmp_path):
    path = write(tmp_path, "mixed.py", BUGGY["multiprocessing task: random.seed from the clock"])
    codes = lambda result: [LINE.match(line)["code"] for line in result.stdout.splitlines()]  # noqa: E731
    assert sorted(codes(run(path))) == ["RSP001", "RSP001", "RSP005"]
    assert codes(run("--select", "RSP005", path)) == ["RSP005"]
    assert codes(run("--ignore", "RSP001", path)) == ["RSP005"]
    assert run("--select", "RSP003", path).returncode == 0

    source = path.read_text()
    silenced = source.replace("random.seed(seed)  # expect: RSP001, RSP005", "random.seed(seed)  # noqa: RSP005")
    assert silenced != source
    path.write_text(silenced)
    assert codes(run(path)) == ["RSP001", "RSP001"]
    path.write_text(silenced.replace("# noqa: RSP005", "# noqa"))
    assert codes(run(path)) == ["RSP001"]
    # Another tool's code silences none of these; a noqa after another
    # comment still counts.
    path.write_text(silenced.replace("# noqa: RSP005", "# noqa: E501"))
    assert sorted(codes(run(path))) == ["RSP001", "RSP001", "RSP005"]
    path.write_text(silenced.replace("# noqa: RSP005", "# type: ignore  # NOQA:rsp005"))
    assert codes(run(path)) == ["RSP001", "RSP001"]
    # A "# noqa" inside a string is not a comment.
    path.write_text('import random\nfrom joblib import delayed\n\ndef t():\n'
                    '    return random.random(), "# noqa"\n\ndelayed(t)()\n')
    assert codes(run(path)) == ["RSP001"]


@pytest.mark.parametrize("arguments, message", [
    (["does-not-exist.py"], "no such file or folder: does-not-exist.py"),
    (["--select", "RSP999", "."], "unknown code RSP999"),
    ([], "the following arguments are required: PATH"),
])
def test_usage_errors_exit_2_with_a_message(tmp_path, arguments, message):
    result = run(*arguments, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_files_are_named_and_the_others_still_checked(tmp_path):
    (tmp_path / "binary.py").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    (tmp_path / "broken.py").write_text("def task(:\n    pass\n")
    (tmp_path / "latin.py").write_bytes(b"x = '\xe9'\n")
    write(tmp_path, "ok.py", BUGGY["joblib task draws from np.random"])
    result = run(tmp_path)
    assert result.returncode == 1
    assert result.stderr == ""
    # Each is a finding, RSP901, as flake8's E999 is: on stdout, in order.
    lines = result.stdout.splitlines()
    assert lines[0] == f"{tmp_path / 'binary.py'}:1:1: RSP901 cannot parse: not a Python file (binary data)"
    running = ".".join(map(str, sys.version_info[:3]))
    assert lines[1] == f"{tmp_path / 'broken.py'}:1:10: RSP901 cannot parse with Python {running}: invalid syntax"
    assert lines[2].startswith(f"{tmp_path / 'latin.py'}:1:1: RSP901 cannot parse: not a Python file (")
    assert [LINE.match(line)["path"] for line in lines[3:]] == [str(tmp_path / "ok.py")]
    # --ignore takes it like any code; the others are still reported.
    ignored = run("--ignore", "RSP901", tmp_path)
    assert ignored.returncode == 1
    assert [LINE.match(line)["path"] for line in ignored.stdout.splitlines()] == [str(tmp_path / "ok.py")]
    only_broken = run("--ignore", "RSP9", tmp_path / "broken.py")
    assert (only_broken.returncode, only_broken.stdout, only_broken.stderr) == (0, "", "")


def test_an_empty_folder_says_so(tmp_path):
    result = run(tmp_path)
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == f"rng_check.py: no Python files in {tmp_path}\n"


def test_the_checker_needs_only_the_standard_library():
    imported = set(re.findall(r"^(?:import|from) (\w+)", CHECKER.read_text(), re.MULTILINE))
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)


# -- The gallery's own examples ----------------------------------------------

# The mistakes each page makes on purpose, as (code, function or variable
# the finding sits in). Everything else in the gallery must be clean.
SHOWN_ON_PURPOSE = {
    "plot_random_state_in_parallel.py": {("RSP001", "draw_from_global_state"), ("RSP002", "copied"),
                                         ("RSP002", "draw_from_module_generator")},
    "plot_batches_and_pools.py": {("RSP002", "copies")},
    "plot_dask_cluster.py": {("RSP001", "draw_from_global_state")},
    "plot_shared_generator_threads.py": {("RSP002", "run_shared")},
    "plot_spawned_generators.py": {("RSP003", "added_seeds")},
    # many training scripts' seed_both(root + rank), a scheme it measures
    "plot_pytorch_distributed.py": {("RSP003", "one_rank")},
    "plot_check_your_code.py": set(),  # its snippets are strings
    # one generator for every task: in loky's processes (guarded, then not),
    # then in threads
    "plot_guard_your_tasks.py": {("RSP002", "one_generator"), ("RSP002", "splits"),
                                 ("RSP002", "shared")},
    # loky's workers keep their global state from call to call
    "plot_code_you_cannot_refactor.py": {("RSP001", "draw_and_note")},
    # a task that reseeds the shared random module: the race it shows
    "plot_threads_outside_joblib.py": {("RSP001", "reseed_and_draw")},
}


def where(path, line):
    """The function that holds a line, or else the name its statement assigns."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.lineno <= line <= node.end_lineno:
            return node.name
    [statement] = [node for node in tree.body if node.lineno <= line <= node.end_lineno]
    return statement.targets[0].id


@pytest.mark.parametrize("example", example_paths(), ids=lambda path: path.name)
def test_examples_get_exactly_the_mistakes_they_show(example):
    found = {(finding.code, where(example, finding.line)) for finding in checker.check_file(example)}
    assert found == SHOWN_ON_PURPOSE.get(example.name, set())


def test_the_checker_finds_nothing_in_itself():
    """CI runs it on its own source on macOS and Windows, where exit 0 means
    it ran (docs.yml's examples job)."""
    result = run(CHECKER)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


# -- Real code nobody here wrote ------------------------------------------------

LIBRARIES = ["joblib", "dask", "distributed", "numpy", "matplotlib"]


def test_real_libraries_are_checked_without_an_error():
    """Every file of five installed libraries is read and checked; the
    findings are classified by hand in the issue's closing note."""
    folders = [Path(importlib.util.find_spec(name).origin).parent for name in LIBRARIES]
    result = run(*folders)
    assert result.returncode in (0, 1)
    assert result.stderr == ""
    for line in result.stdout.splitlines():
        assert LINE.match(line), line
        assert LINE.match(line)["code"] not in {"RSP900", "RSP901"}, "every file is read and parsed"


# -- Where it is offered ---------------------------------------------------------


def test_every_code_links_to_its_section_of_the_built_page(site):
    from conftest import parse_html

    for code, target in checker.CODES.items():
        page, anchor = target.split("#")
        assert anchor == code.lower()
        assert parse_html(site / page).find(id=anchor), code


def test_the_published_download_links_to_the_published_site(tmp_path):
    """The build writes its own address into the checker it serves."""
    from conftest import import_sphinxext

    copy = tmp_path / "rng_check.py"
    copy.write_bytes(CHECKER.read_bytes())
    import_sphinxext("tool_downloads").point_at(copy, "https://owner.github.io/name/")
    changed = [line for line in copy.read_text().splitlines() if line not in CHECKER.read_text().splitlines()]
    assert changed == ['SITE_URL = "https://owner.github.io/name/"']
    write(tmp_path, "work.py", BUGGY["the loop counter as the seed"])
    result = subprocess.run([sys.executable, str(copy), "work.py"], cwd=tmp_path, capture_output=True, text=True)
    assert result.stdout.rstrip().endswith("(https://owner.github.io/name/auto_examples/check_your_code/plot_check_your_code.html#rsp003)")


def test_the_pre_commit_hook_runs_the_checker(tmp_path):
    """pre-commit's try-repo installs this repository's hook as a user would.

    The hook's two files are committed to a repository of their own, so the
    test needs no git history in the checkout it runs from.
    """
    import shutil

    assert shutil.which("git")
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid",
           "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"]
    hooks = tmp_path / "hooks"
    (hooks / "tools").mkdir(parents=True)
    shutil.copy2(ROOT / ".pre-commit-hooks.yaml", hooks)
    shutil.copy2(CHECKER, hooks / "tools")  # keeps its executable bit
    subprocess.run([*git, "init", "-q"], cwd=hooks, check=True)
    subprocess.run([*git, "add", "."], cwd=hooks, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "hooks"], cwd=hooks, check=True)

    project = tmp_path / "project"
    project.mkdir()
    subprocess.run([*git, "init", "-q"], cwd=project, check=True)
    write(project, "buggy.py", BUGGY["joblib task draws from np.random"])
    write(project, "clean.py", CORRECT["the site's pattern: one spawned seed per task"])
    subprocess.run([*git, "add", "."], cwd=project, check=True)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    pre_commit = [str(Path(sys.executable).with_name("pre-commit")), "try-repo", str(hooks),
                  "check-random-state"]

    failed = subprocess.run([*pre_commit, "--all-files"], cwd=project, env=env,
                            capture_output=True, text=True, timeout=300)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "buggy.py:5:12: RSP001 " in failed.stdout
    assert "clean.py" not in failed.stdout.split("- exit code: 1")[1]

    passed = subprocess.run([*pre_commit, "--files", "clean.py"], cwd=project, env=env,
                            capture_output=True, text=True, timeout=300)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_the_page_shows_each_mistake_caught_and_each_fix_clean(site):
    from conftest import captured_output, parse_html

    output = captured_output(parse_html(site / page_of("plot_check_your_code")))
    blocks = re.split(r"^(RSP\d{3}) ([a-z-]+), (wrong|right): exit status (\d)$", output, flags=re.MULTILINE)[1:]
    runs = {(code, version): (int(status), re.findall(r"^snippet\.py:\d+:\d+: (RSP\d{3}) ", text, re.MULTILINE))
            for code, name, version, status, text in zip(*[iter(blocks)] * 5)}
    # Each code is shown with its rule's name, as --explain prints it.
    names = dict(zip(blocks[::5], blocks[1::5]))
    assert names == {code: rule.name for code, rule in checker.RULES.items()}
    assert set(runs) == {(code, version) for code in checker.CODES for version in ["wrong", "right"]}
    wrong = {code: [code] for code in checker.CODES} | {"RSP004": ["RSP004", "RSP001"]}
    for code in checker.CODES:
        assert runs[code, "wrong"] == (1, wrong[code])
        assert runs[code, "right"] == (0, [])


def test_the_page_runs_each_code_on_a_wrong_and_a_right_version():
    """The page's own values: each wrong version its own code, and each
    right version nothing; it draws no figure (its findings are its result)
    and takes its gallery thumbnail from a file."""
    import matplotlib.pyplot as plt

    from conftest import load_example

    sys.path.insert(0, str(TOOLS))  # the page imports the checker beside it
    try:
        page = load_example("plot_check_your_code")
    finally:
        sys.path.remove(str(TOOLS))
    # A seed at import matters where tasks draw from that state, which is
    # RSP001 too: the page's RSP004 shows both.
    wrong = {code: [code] for code in checker.CODES} | {"RSP004": ["RSP004", "RSP001"]}
    assert page.reports == {(code, version): wrong[code] if version == "wrong" else []
                            for code in checker.CODES for version in ["wrong", "right"]}
    assert not plt.get_fignums()
    source = example_path("plot_check_your_code").read_text()
    thumbnail = re.search(r'^# sphinx_gallery_thumbnail_path = "(.+)"$', source, re.M)[1]
    assert (ROOT / "docs" / thumbnail).is_file()


# -- Files that once broke the checker ------------------------------------------


def test_a_fifo_named_like_python_is_never_opened(tmp_path):
    """A FIFO named x.py in a folder made the checker wait for ever."""
    os.mkfifo(tmp_path / "pipe.py")
    write(tmp_path, "ok.py", BUGGY["joblib task draws from np.random"])
    result = run(tmp_path)  # run() times out after 600 s: a hang fails
    assert result.returncode == 1
    assert [LINE.match(line)["path"] for line in result.stdout.splitlines()] == [str(tmp_path / "ok.py")]
    assert result.stderr == ""
    named = run(tmp_path / "pipe.py")
    assert named.returncode == 1
    assert named.stdout == f"{tmp_path / 'pipe.py'}:1:1: RSP900 cannot read: not a regular file\n"


@pytest.mark.parametrize("bindings", ["rng = rng", "a = b\nb = a\nrng = a"])
def test_names_bound_to_each_other_end_and_the_real_findings_stay(tmp_path, bindings):
    """rng = rng, or a = b with b = a, recursed without end: the file was
    reported as "too deeply nested" and its findings were lost."""
    path = write(tmp_path, "loop.py", bindings + textwrap.dedent("""
        import numpy as np
        from joblib import Parallel, delayed

        def task(i):
            rng.random()
            return np.random.rand()

        Parallel(n_jobs=2)(delayed(task)(rng) for i in range(4))
    """))
    result = run(path)
    assert result.stderr == ""
    assert [LINE.match(line)["code"] for line in result.stdout.splitlines()] == ["RSP001"]


def test_a_very_long_seed_expression_is_reported_not_skipped(tmp_path):
    """ast.unparse recursed on a 500-term seed and the whole file was lost."""
    terms = " + ".join(f"x{i}" for i in range(500))
    path = write(tmp_path, "long.py", f"import numpy as np\n\ngenerator = np.random.default_rng({terms})\n")
    result = run(path)
    assert result.stderr == ""
    [line] = result.stdout.splitlines()
    match = LINE.match(line)
    assert match["code"] == "RSP003" and "seed made by arithmetic, a very long expression:" in match["message"]
    assert len(line) < 400


def test_syntax_of_a_newer_python_is_named(tmp_path):
    """PEP 695 type parameters (3.12): on 3.11 the file needs a newer Python;
    from 3.12 it is read and checked."""
    path = write(tmp_path, "typed.py", """
        import numpy as np
        from joblib import Parallel, delayed

        type Vector = list[float]

        def task[T](i: T) -> T:
            return np.random.rand()

        Parallel(n_jobs=2)(delayed(task)(i) for i in range(4))
    """)
    result = run(path)
    assert result.returncode == 1
    if sys.version_info < (3, 12):
        [line] = result.stdout.splitlines()
        assert LINE.match(line)["code"] == "RSP901"
        assert "need Python 3.12 or later" in line and "3.11" in line
    else:
        assert result.stderr == ""
        assert [LINE.match(line)["code"] for line in result.stdout.splitlines()] == ["RSP001"]


def test_an_older_python_is_told_which_python_the_checker_needs(tmp_path):
    """On Python 3.8 the checker died with an AttributeError traceback. It
    parses with 3.8's grammar, so its first statement runs and says why."""
    source = CHECKER.read_text()
    ast.parse(source, feature_version=(3, 8))  # SyntaxError if 3.8 could not read it
    pretend = ("import sys; sys.version_info = (3, 8, 10, 'final', 0); "
               "sys.version = '3.8.10 (default)'; sys.argv = ['rng_check.py', '.']; "
               f"exec(compile(open({str(CHECKER)!r}).read(), 'rng_check.py', 'exec'), "
               "{'__name__': '__main__'})")
    result = subprocess.run([sys.executable, "-c", pretend], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "rng_check.py needs Python 3.11 or later; this is Python 3.8.10"


def notebook(cells):
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": kind, "metadata": {}, "source": textwrap.dedent(text).lstrip("\n").splitlines(True),
         **({"outputs": [], "execution_count": None} if kind == "code" else {})}
        for kind, text in cells]})


NOTEBOOK = [
    ("markdown", "# A notebook\n"),
    ("code", """
        %matplotlib inline
        import numpy as np
        from joblib import Parallel, delayed
    """),
    ("code", """
        def task(i):
            return np.random.rand()
    """),
    ("markdown", "Run it:"),
    ("code", """
        !pip list
        results = Parallel(n_jobs=2)(delayed(task)(i) for i in range(4))
    """),
]


def test_notebooks_are_checked_cell_by_cell_as_ruff_reports_them(tmp_path):
    """A notebook passed on the command line was parsed as one expression and
    passed in silence. Cells count from 1, markdown included, as in ruff."""
    path = tmp_path / "analysis.ipynb"
    path.write_text(notebook(NOTEBOOK))
    result = run(path)
    assert result.returncode == 1, result.stderr
    [line] = result.stdout.splitlines()
    assert line.startswith(f"{path}:cell 3:2:12: RSP001 task 'task' draws from NumPy's global random state")
    found = run(tmp_path)  # and found in a folder
    assert found.stdout == result.stdout
    (tmp_path / "broken.ipynb").write_text(notebook([("code", "x = 1\n"), ("code", "def task(:\n")]))
    broken = run(tmp_path / "broken.ipynb")
    assert broken.returncode == 1
    assert broken.stdout.startswith(f"{tmp_path / 'broken.ipynb'}:cell 2:1:10: RSP901 cannot parse")
    (tmp_path / "fake.ipynb").write_text("not json")
    assert "RSP901 cannot parse: not a Jupyter notebook" in run(tmp_path / "fake.ipynb").stdout


def test_columns_count_characters_not_utf8_bytes(tmp_path):
    path = write(tmp_path, "accents.py", """
        import numpy as np
        from joblib import Parallel, delayed

        def tâche(i):
            return ("éèê", np.random.rand())

        Parallel(n_jobs=2)(delayed(tâche)(i) for i in range(4))
    """)
    [line] = run(path).stdout.splitlines()
    assert LINE.match(line)["column"] == str(len('    return ("éèê", ') + 1)


def test_no_finding_or_help_text_points_at_a_local_server(tmp_path):
    """Every link, and --help, pointed at http://127.0.0.1:8000/."""
    assert "127.0.0.1" not in CHECKER.read_text()
    help_text = run("--help").stdout
    assert "127.0.0.1" not in help_text and "Check your own code for these mistakes" in help_text


def test_processes_that_spawn_from_copies_of_one_parent_get_the_same_children():
    """The checker page's RSP006: each loky task gets a pickled copy of a
    module-level parent, so every task spawns the same children."""
    import numpy as np
    from joblib import Parallel, delayed

    root = np.random.SeedSequence(2024)

    def first_child_key(parent):
        return parent.spawn(1)[0].spawn_key

    keys = Parallel(n_jobs=2)(delayed(first_child_key)(root) for _ in range(4))
    assert keys == [(0,)] * 4
    assert [first_child_key(root) for _ in range(2)] == [(0,), (1,)]  # one process advances it


@pytest.mark.parametrize("space, draw", [(2**32, "rng.integers(2**32, size=n)"),
                                         (2**31 - 1, "rng.integers(np.iinfo(np.int32).max, size=n)")])
def test_rsp007_says_what_the_birthday_bound_gives(tmp_path, space, draw):
    """RSP007's figures are the smallest numbers of tasks at which two
    share a seed with probability 1% and 50%, computed exactly as the
    seed-collisions page does, rounded to two digits."""
    import numpy as np

    path = write(tmp_path, "seeds.py", f"""
        import numpy as np
        from joblib import Parallel, delayed

        def task(seed):
            return np.random.default_rng(seed).random()

        n = 100_000
        rng = np.random.default_rng(0)
        seeds = {draw}
        Parallel(n_jobs=2)(delayed(task)(s) for s in seeds)
    """)
    result = run(path)
    assert result.returncode == 1
    [line] = result.stdout.splitlines()
    match = LINE.match(line)
    assert (match["line"], match["code"]) == ("9", "RSP007")
    i = np.arange(100_000, dtype=np.float64)
    probability = -np.expm1(np.cumsum(np.log1p(-i / space)))  # entry k: k + 1 tasks
    one, half = (int(np.argmax(probability >= level)) + 1 for level in (0.01, 0.5))
    rounded = [f"{round(n, -(len(str(n)) - 2)):,}" for n in (one, half)]
    assert f"1% at about {rounded[0]} tasks, 50% at about {rounded[1]}" in match["message"]
    if space == 2**32:
        assert (one, half) == (9_292, 77_164) and rounded == ["9,300", "77,000"]
        assert "n**2 / 2**33" in match["message"]
    assert "SeedSequence(root).spawn(n)" in match["message"]
