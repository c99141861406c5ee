"""The README a newcomer reads: the two commands, no stale path, one
placeholder that says what goes there, and the licence it names."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text()

# A backticked word that names a file or folder of the repository: a path with
# a slash, or a file name with one of these endings.
PATH = re.compile(r"`([\w./-]+(?:/|\.(?:py|md|txt|yml|yaml|toml|rst|json|cfg)))`")


def code_blocks(text):
    return re.findall(r"```\w*\n(.*?)```", text, flags=re.S)


def test_the_readme_gives_the_two_commands_and_ci_runs_its_test_command():
    commands = [line.split("#")[0].strip() for block in code_blocks(README) for line in block.splitlines()]
    assert "make html" in commands and "make test" in commands
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
          if line.strip() and not line.lstrip().startswith(("#", "set ", "cd "))]
    assert ci == ["make test"]


def test_the_readme_says_where_the_site_is_published():
    workflow = (ROOT / ".github" / "workflows" / "docs.yml").read_text()
    assert "actions/deploy-pages@" in workflow  # what the README describes
    assert ".github/workflows/docs.yml" in README and "GitHub Pages" in README


def test_every_path_the_readme_and_contributing_name_exists():
    named = {match for text in (README, CONTRIBUTING) for match in PATH.findall(text)}
    # Paths made by a build or a run, not kept in the repository.
    made = ("build/", ".venv", "tests/node_modules", "benchmarks/node_modules", "rng.sarif")
    missing = sorted(path for path in named
                     if not path.startswith(made) and "<" not in path and "NAME" not in path
                     and "*" not in path and not (ROOT / path).exists())
    assert missing == []


def test_the_one_placeholder_is_the_repository_address_and_is_explained():
    for name, text in (("README.md", README), ("CONTRIBUTING.md", CONTRIBUTING),
                       (".pre-commit-hooks.yaml", (ROOT / ".pre-commit-hooks.yaml").read_text())):
        assert "OWNER" not in text and "NAME/" not in text, name
        lines = text.splitlines()
        for number, line in enumerate(lines):
            if "<owner>" in line:
                # The snippet's repo line, or the sentence that says what to
                # put there (it names the placeholder).
                assert "<owner>/<repository>" in line, (name, line)
                context = " ".join(lines[max(0, number - 4):number + 1])
                assert "in place of" in context, (name, line)


def test_the_licence_is_bsd_3_clause_and_named_where_it_is_used():
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("BSD 3-Clause License")
    assert "Neither the name of the copyright holder" in licence
    assert "BSD 3-Clause" in README
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project.get("license") in ("BSD-3-Clause", {"text": "BSD-3-Clause"}, {"file": "LICENSE"})


def test_development_machine_notes_live_in_contributing():
    for note in ("sid-python", "RANDOM_STATE_PYTHONS", "EXAMPLE_TIMEOUT", "make bench"):
        assert note not in README, note
        assert note in CONTRIBUTING, note
