"""A broken example fails the build loudly and publishes nothing.

The site is copied to a temporary folder with one more example that raises;
`make html` there must exit non-zero, name the file and the exception, and
leave the previously published site exactly as it was.
"""

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

BROKEN_EXAMPLE = '''"""
A broken example
================

This example raises on purpose.
"""

# %%
raise RuntimeError("this example is broken on purpose")
'''


def copy_site_sources(destination):
    for name in ["Makefile", "conf.py", "requirements.txt"]:
        shutil.copy2(ROOT / name, destination / name)
    shutil.copytree(ROOT / "examples", destination / "examples")
    # The generated gallery is left behind, so every example runs afresh.
    shutil.copytree(
        ROOT / "docs", destination / "docs",
        ignore=shutil.ignore_patterns("auto_examples", "sg_execution_times.rst"),
    )


def test_failing_example_fails_the_build_and_keeps_the_old_site(tmp_path):
    copy_site_sources(tmp_path)
    (tmp_path / "examples" / "plot_broken.py").write_text(BROKEN_EXAMPLE)
    published = tmp_path / "build" / "html"
    published.mkdir(parents=True)
    (published / "index.html").write_text("the previous good site")

    venv = Path(sys.executable).parent.parent
    result = subprocess.run(
        ["make", "html", f"VENV={venv}"], cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "plot_broken.py" in output
    assert "RuntimeError: this example is broken on purpose" in output
    assert "Build failed: build/html was left as it was." in output
    # Nothing half-built was published or left lying around.
    assert sorted(path.name for path in published.iterdir()) == ["index.html"]
    assert (published / "index.html").read_text() == "the previous good site"
    assert not (tmp_path / "build" / "html.staging").exists()
