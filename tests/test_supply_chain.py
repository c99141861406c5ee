"""Every dependency is pinned, and Dependabot keeps the pins moving."""

import json
import re

import pytest

from conftest import ROOT

# A pin, optionally for some platforms only (mpich has no Windows wheel).
PINNED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*==[0-9][0-9A-Za-z.+!-]*"
                    r"(; sys_platform [!=]= \"[a-z0-9]+\")?$")
# requirements-gil.txt: what the venv gets only on a Python with the GIL.
REQUIREMENTS = ["requirements.txt", "requirements-gil.txt"]


def requirement_lines():
    for name in REQUIREMENTS:
        for line in (ROOT / name).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                yield line


def test_every_python_requirement_is_pinned():
    lines = list(requirement_lines())
    assert lines
    unpinned = [line for line in lines if not PINNED.match(line)]
    assert unpinned == [], "pin every requirement with ==, e.g. numpy==2.4.6"


def test_pinned_check_catches_loose_requirements():
    for loose in ["numpy", "numpy>=2", "numpy~=2.4", "numpy==2.*", "numpy[extra]==2.4.6", "-e .", "git+https://x/y",
                  'mpich>=5; sys_platform != "win32"', 'mpich==5.0.2; python_version > "3"']:
        assert not PINNED.match(loose), loose
    assert PINNED.match('mpich==5.0.2; sys_platform != "win32"')


def test_the_makefile_installs_the_gil_requirements_only_with_the_gil():
    """Ray has no free-threaded wheel: the venv target installs
    requirements-gil.txt only when Py_GIL_DISABLED is false, and stamps
    both files, so that a change to either makes the venv again."""
    makefile = (ROOT / "Makefile").read_text()
    assert 'sysconfig.get_config_var("Py_GIL_DISABLED")' in makefile
    assert "! cmp -s requirements-gil.txt $(GIL_STAMP)" in makefile
    assert "cp requirements-gil.txt $(GIL_STAMP)" in makefile
    assert "-r requirements-gil.txt" not in (ROOT / "requirements.txt").read_text()


@pytest.mark.parametrize("folder", ["tests", "benchmarks"])
def test_every_javascript_tool_is_pinned_locked_and_watched(folder):
    package = json.loads((ROOT / folder / "package.json").read_text())
    versions = {**package.get("dependencies", {}), **package.get("devDependencies", {})}
    assert versions
    locked = json.loads((ROOT / folder / "package-lock.json").read_text())["packages"]
    for name, version in versions.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name}: {version}"
        assert locked[f"node_modules/{name}"]["version"] == version, name
    config = (ROOT / ".github" / "dependabot.yml").read_text()
    assert re.search(rf"package-ecosystem: npm\n\s+directory: /{folder}\n", config), folder


def test_dependabot_watches_pip_and_actions_with_a_cooldown():
    config = (ROOT / ".github" / "dependabot.yml").read_text()
    entries = re.split(r"\n  - ", config)[1:]
    ecosystems = {}
    for entry in entries:
        ecosystem = re.search(r"package-ecosystem:\s*(\S+)", entry).group(1)
        cooldown = re.search(r"cooldown:\s*\n\s+default-days:\s*(\d+)", entry)
        ecosystems[ecosystem] = int(cooldown.group(1)) if cooldown else 0
    assert set(ecosystems) >= {"pip", "github-actions", "npm"}
    assert all(days >= 3 for days in ecosystems.values()), ecosystems
