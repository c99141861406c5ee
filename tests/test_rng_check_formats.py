"""The checker in CI: --format text, json, github and sarif; files that
cannot be checked as findings (RSP900, RSP901); the exit status of each
format. Each test runs the command line on files it writes."""

import importlib.util
import json
import os
import re
import subprocess
import sys
import textwrap
import urllib.parse
from pathlib import Path

import jsonschema
import pytest

from checker_corpus import BUGGY, CORRECT
from conftest import CHECKER, ROOT

spec = importlib.util.spec_from_file_location("rng_check", CHECKER)
checker = importlib.util.module_from_spec(spec)
spec.loader.exec_module(checker)

SCHEMA = ROOT / "tests" / "data" / "sarif-schema-2.1.0-rtm.5.json"  # README.md there
FORMATS = ["text", "json", "github", "sarif"]


def run(*arguments, cwd):
    return subprocess.run([sys.executable, str(CHECKER), *map(str, arguments)],
                          capture_output=True, text=True, cwd=cwd, timeout=600)


def write(folder, name, source):
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source).lstrip("\n"))
    return path


@pytest.fixture
def project(tmp_path):
    """Two buggy files (written out of order), one clean, one broken."""
    write(tmp_path, "src/b.py", BUGGY["multiprocessing task: random.seed from the clock"])
    write(tmp_path, "src/a.py", BUGGY["joblib task draws from np.random"])
    write(tmp_path, "src/clean.py", CORRECT["default_rng([task_id, root])"])
    write(tmp_path, "src/broken.py", "def task(:\n    pass\n")
    return tmp_path


def text_findings(stdout):
    line = re.compile(r"^(.+?):(\d+):(\d+): (RSP\d{3}) (.+)$")
    return [(m[1], int(m[2]), int(m[3]), m[4], m[5]) for m in map(line.match, stdout.splitlines())]


def test_json_lists_the_same_findings_as_text_sorted(project):
    text = run("src", cwd=project)
    found = run("--format", "json", "src", cwd=project)
    assert (text.returncode, found.returncode) == (1, 1)
    assert found.stderr == ""
    findings = json.loads(found.stdout)
    as_tuples = [(f["path"], f["line"], f["column"], f["code"], f["message"]) for f in findings]
    assert as_tuples == sorted(text_findings(text.stdout))
    assert all(set(f) == {"path", "line", "column", "code", "message"} for f in findings)
    codes = [f["code"] for f in findings]
    assert codes[0] == "RSP001" and "RSP901" in codes and "RSP005" in codes
    assert [f["path"] for f in findings] == sorted(f["path"] for f in findings)


def test_json_names_a_notebooks_cell(tmp_path):
    cells = [("markdown", "# notes\n"),
             ("code", "import numpy as np\nfrom joblib import Parallel, delayed\n\n"
                      "def task(i):\n    return np.random.rand()\n\n"
                      "Parallel(n_jobs=2)(delayed(task)(i) for i in range(4))\n")]
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": kind, "metadata": {}, "source": text,
         **({"outputs": [], "execution_count": None} if kind == "code" else {})}
        for kind, text in cells]}
    (tmp_path / "n.ipynb").write_text(json.dumps(notebook))
    [finding] = json.loads(run("--format", "json", "n.ipynb", cwd=tmp_path).stdout)
    assert (finding["cell"], finding["line"], finding["column"], finding["code"]) == (2, 5, 12, "RSP001")
    github = run("--format", "github", "n.ipynb", cwd=tmp_path).stdout
    assert github.startswith("::warning file=n.ipynb::RSP001 cell 2:5:12: task 'task'")
    sarif = json.loads(run("--format", "sarif", "n.ipynb", cwd=tmp_path).stdout)
    [result] = sarif["runs"][0]["results"]
    assert "region" not in result["locations"][0]["physicalLocation"]
    assert result["message"]["text"].startswith("cell 2:5:12: ")


def unescape_data(text):
    """What the runner does with a message (the inverse of escapeData)."""
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(text):
    return unescape_data(text.replace("%3A", ":").replace("%2C", ","))


def test_github_annotations_escape_as_the_toolkit_does(tmp_path):
    """Workflow commands: properties escape % CR LF : and , ; messages
    escape % CR LF (actions/toolkit, packages/core/src/command.ts)."""
    assert checker.escape_data("100%\r\n: ,") == "100%25%0D%0A: ,"
    assert checker.escape_property("a%b\r\nc:d,e") == "a%25b%0D%0Ac%3Ad%2Ce"
    # A path with a comma and a colon, and a message with a percent sign
    # (the source of a seed is quoted in RSP003's message).
    folder = tmp_path / "odd, name:x"
    write(folder, "task.py", """
        import numpy as np
        from joblib import Parallel, delayed

        def task(seed):
            return np.random.default_rng(seed % 1000 + 7).random()

        Parallel(n_jobs=2)(delayed(task)(s) for s in range(4))
    """)
    result = run("--format", "github", folder, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    [line] = result.stdout.splitlines()
    match = re.fullmatch(r"::warning (?P<properties>[^:]*)::(?P<message>.*)", line)
    assert match, line
    properties = dict(item.split("=", 1) for item in match["properties"].split(","))
    assert unescape_property(properties["file"]) == str(folder / "task.py")
    assert "%2C" in properties["file"] and "%3A" in properties["file"]
    assert (properties["line"], properties["col"]) == ("5", "12")
    message = unescape_data(match["message"])
    assert message.startswith("RSP003 seed made by arithmetic, seed % 1000 + 7")
    assert "%25" in match["message"]


def test_github_annotations_are_in_a_stable_order(project):
    """GitHub shows only the first annotations of a step: the same ones on
    every run, sorted by path, line, column and code."""
    first = run("--format", "github", "src", cwd=project)
    assert first.returncode == 1
    lines = first.stdout.splitlines()
    keys = []
    for line in lines:
        properties = dict(item.split("=", 1) for item in line.split(" ", 1)[1].split("::")[0].split(","))
        keys.append((properties["file"], int(properties["line"]), int(properties["col"]), line.split("::")[2][:6]))
    assert keys == sorted(keys) and len(keys) == 5
    assert lines[-1].startswith("::error file=src/broken.py,line=1,col=10::RSP901 cannot parse")
    assert run("--format", "github", "src", cwd=project).stdout == first.stdout
    assert "10 warnings" in run("--help", cwd=project).stdout.replace("\n", " ")


def test_sarif_is_valid_and_says_what_code_scanning_reads(project):
    result = run("--format", "sarif", "src", cwd=project)
    assert result.returncode == 1 and result.stderr == ""
    log = json.loads(result.stdout)
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    assert log["version"] == "2.1.0"
    [sarif_run] = log["runs"]
    assert sarif_run["columnKind"] == "unicodeCodePoints"
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "rng-check"
    rules = [rule["id"] for rule in driver["rules"]]
    assert rules == [*checker.CODES, *checker.FILE_CODES]
    assert all(rule["shortDescription"]["text"] and "helpUri" not in rule for rule in driver["rules"])
    expected = sorted(text_findings(run("src", cwd=project).stdout))
    got = []
    for result in sarif_run["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] == ("error" if result["ruleId"].startswith("RSP9") else "warning")
        [location] = result["locations"]
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        assert not urllib.parse.urlsplit(uri).scheme and not uri.startswith("/")
        # OASIS's errata schema also requires one of these in a region.
        region = location["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        got.append((uri, region["startLine"], region["startColumn"], result["ruleId"], result["message"]["text"]))
    assert got == expected


def test_sarif_links_each_rule_to_the_site_when_it_has_one(project, tmp_path):
    copy = tmp_path / "rng_check.py"
    copy.write_text(CHECKER.read_text().replace('SITE_URL = ""', 'SITE_URL = "https://owner.github.io/name/"', 1))
    result = subprocess.run([sys.executable, str(copy), "--format", "sarif", "src"], cwd=project,
                            capture_output=True, text=True)
    log = json.loads(result.stdout)
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    rules = {rule["id"]: rule["helpUri"] for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["RSP001"] == "https://owner.github.io/name/auto_examples/check_your_code/plot_check_your_code.html#rsp001"
    assert rules["RSP901"].endswith("plot_check_your_code.html#running-the-checker")


def test_sarif_json_and_github_carry_each_codes_summary_and_link(project, tmp_path):
    """SARIF's rules say each code's summary (the registry's, which the
    module docstring lists too) and link its section of the page, as json's
    url and the end of github's message do."""
    site = "https://owner.github.io/name/"
    copy = tmp_path / "rng_check.py"
    copy.write_text(CHECKER.read_text().replace('SITE_URL = ""', f'SITE_URL = "{site}"', 1))

    def output(format):
        result = subprocess.run([sys.executable, str(copy), "--format", format, "src"], cwd=project,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 1 and result.stderr == "", result.stderr
        return result.stdout

    page = site + "auto_examples/check_your_code/plot_check_your_code.html#"
    links = {code: page + (code.lower() if code < "RSP9" else "running-the-checker") for code in checker.SUMMARIES}
    driver = json.loads(output("sarif"))["runs"][0]["tool"]["driver"]
    assert [(rule["id"], rule["shortDescription"]["text"], rule["helpUri"]) for rule in driver["rules"]] \
        == [(code, summary, links[code]) for code, summary in checker.SUMMARIES.items()]
    found = json.loads(output("json"))
    assert {finding["code"] for finding in found} == {"RSP001", "RSP005", "RSP901"}
    assert all(finding["url"] == links[finding["code"]] for finding in found)
    github = output("github").splitlines()
    assert len(github) == len(found)
    for line, finding in zip(github, found):
        assert f"::{finding['code']} " in line and line.endswith(f" ({links[finding['code']]})"), line


def test_a_path_outside_the_current_folder_is_a_file_uri(project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    log = json.loads(run("--format", "sarif", project / "src" / "a.py", cwd=elsewhere).stdout)
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == (project / "src" / "a.py").as_uri()


def test_every_summary_is_in_the_docstring():
    assert list(checker.SUMMARIES) == [*checker.CODES, *checker.FILE_CODES]
    docstring = " ".join(checker.__doc__.split())
    for code, summary in checker.SUMMARIES.items():
        assert f"{code} {summary}" in docstring, code


# -- Exit status, per format ------------------------------------------------


@pytest.mark.parametrize("format", FORMATS)
def test_exit_status_of_each_format(format, project):
    options = ["--format", format]
    assert run(*options, "src/a.py", cwd=project).returncode == 1
    clean = run(*options, "src/clean.py", cwd=project)
    assert clean.returncode == 0 and clean.stderr == ""
    if format == "json":
        assert json.loads(clean.stdout) == []
    elif format == "sarif":
        assert json.loads(clean.stdout)["runs"][0]["results"] == []
    else:
        assert clean.stdout == ""
    # A file that cannot be parsed, or read, is a finding: 1, unless ignored.
    assert run(*options, "src/broken.py", cwd=project).returncode == 1
    assert run(*options, "--ignore", "RSP901", "src/broken.py", cwd=project).returncode == 0
    assert run(*options, "--select", "RSP001", "src/broken.py", cwd=project).returncode == 0
    assert run(*options, "--select", "RSP9", "src/broken.py", cwd=project).returncode == 1
    if os.geteuid() != 0:  # root reads any file
        unreadable = write(project, "secret.py", "x = 1\n")
        unreadable.chmod(0)
        result = run(*options, "secret.py", cwd=project)
        assert result.returncode == 1 and "RSP900" in result.stdout
    os.mkfifo(project / "pipe.py")
    result = run(*options, "pipe.py", cwd=project)
    assert result.returncode == 1 and "RSP900" in result.stdout
    assert run(*options, "--ignore", "RSP900", "pipe.py", cwd=project).returncode == 0
    # Usage errors: 2, with a message and nothing on stdout.
    for arguments in [["missing.py"], ["--select", "RSP999", "src"], []]:
        result = run(*options, *arguments, cwd=project)
        assert (result.returncode, result.stdout) == (2, ""), arguments
        assert "usage:" in result.stderr and "Traceback" not in result.stderr


def test_an_unknown_format_is_a_usage_error(project):
    result = run("--format", "xml", "src", cwd=project)
    assert result.returncode == 2
    assert "invalid choice: 'xml'" in result.stderr


# -- Installed with pip -------------------------------------------------------


def test_pip_installs_both_commands_and_both_modules(tmp_path):
    """pyproject.toml builds a wheel from a copy of the whole repository
    (conf.py, examples/ and tests/ at the top, which setuptools' automatic
    discovery refuses), installed into a new venv with nothing else in it.
    No download: the build uses this venv's setuptools."""
    import shutil
    import zipfile

    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "node_modules", "__pycache__", "*.egg-info"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "--no-index", "--quiet", str(source), "-w", str(tmp_path / "dist")],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr
    [wheel] = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        [entry_points] = [name for name in names if name.endswith(".dist-info/entry_points.txt")]
        entry_points = archive.read(entry_points).decode()
    assert sorted(name for name in names if not name.startswith("rng_check-")) == ["rng_check.py", "rng_guard.py"]
    assert entry_points.split() == ["[console_scripts]", "rng-check", "=", "rng_check:main",
                                    "rng-guard", "=", "rng_guard:main",
                                    "[flake8.extension]", "RSP", "=", "rng_check:Flake8Checker"]
    assert "pytest11" not in entry_points  # pytest never loads the guard by itself

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=600)
    python = venv / "bin" / "python"
    installed = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)],
                               capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    command = venv / "bin" / "rng-check"
    assert command.is_file()
    help_text = subprocess.run([str(command), "--help"], capture_output=True, text=True, timeout=60)
    assert help_text.returncode == 0 and help_text.stdout.startswith("usage: rng-check ")
    assert "--format {text,json,github,sarif}" in help_text.stdout
    write(tmp_path, "work/a.py", BUGGY["joblib task draws from np.random"])
    found = subprocess.run([str(command), "--format", "json", "a.py"], cwd=tmp_path / "work",
                           capture_output=True, text=True, timeout=60)
    assert found.returncode == 1
    assert [f["code"] for f in json.loads(found.stdout)] == ["RSP001"]
    # The guard imports in a venv without NumPy (it watches random alone).
    guard = subprocess.run([str(python), "-c", "import rng_guard; print(rng_guard.guarded.__name__)"],
                           capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert guard.stdout.strip() == "guarded", guard.stderr
    # The guard's runner, installed as a command: a program's own output and
    # exit status pass through it.
    write(tmp_path, "work/clean.py", "import sys\nprint('ran')\nsys.exit(7)\n")
    ran = subprocess.run([str(venv / "bin" / "rng-guard"), "clean.py"], cwd=tmp_path / "work",
                         capture_output=True, text=True, timeout=60)
    assert (ran.returncode, ran.stdout) == (7, "ran\n"), ran.stderr
