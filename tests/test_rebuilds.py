"""Rebuilds run what changed and nothing else.

sphinx-gallery keeps a checksum of every example it ran and writes it again
only when it runs the example. In a copy of the sources that keeps the
gallery `make test` generated, a rebuild must run no example, and a rebuild
after editing one example must run that one alone. `make bench` times both.
"""

from PIL import Image

from conftest import CHECKER, GUARD, OLD_CHECKER, ROOT, example_path
from sandbox import copy_site_sources, make_html

EDITED = "plot_spawned_generators"  # the quickest example to run again


def checksum_stamps(copy):
    return {path.name.removesuffix(".py.md5"): path.stat().st_mtime_ns
            for path in (copy / "docs" / "auto_examples").rglob("*.py.md5")}


def image_stamps(copy):
    return {path.name: path.stat().st_mtime_ns
            for path in (copy / "docs" / "auto_examples").rglob("images/**/*.png")}


def test_rebuilds_run_only_the_examples_that_changed(tmp_path):
    copy_site_sources(tmp_path, keep_generated_gallery=True)
    examples = checksum_stamps(tmp_path)
    images = image_stamps(tmp_path)
    assert len(examples) == len(list((tmp_path / "examples").glob("*/*.py")))

    unchanged = make_html(tmp_path)
    assert unchanged.returncode == 0, unchanged.stdout + unchanged.stderr
    assert checksum_stamps(tmp_path) == examples
    # Figures already made light are not converted again.
    assert image_stamps(tmp_path) == images

    with (tmp_path / example_path(EDITED).relative_to(ROOT)).open("a") as script:
        script.write("\n# An edit: the rebuild runs this example again.\n")
    edited = make_html(tmp_path)
    assert edited.returncode == 0, edited.stdout + edited.stderr
    after = checksum_stamps(tmp_path)
    assert [name for name in after if after[name] != examples[name]] == [EDITED]

    # The tools' pages import the tools: editing a tool alone runs its page
    # again, and nothing else.
    for tool, page in [(CHECKER, "plot_check_your_code"), (GUARD, "plot_guard_your_tasks")]:
        with (tmp_path / "tools" / tool.name).open("a") as source:
            source.write("\n# An edit: its page runs again.\n")
        again = make_html(tmp_path)
        assert again.returncode == 0, again.stdout + again.stderr
        latest = checksum_stamps(tmp_path)
        assert [name for name in latest if latest[name] != after[name]] == [page]
        after = latest
    # Its new figures are palette PNGs, like the others.
    for path in (tmp_path / "build" / "html" / "_images").glob(f"sphx_glr_{EDITED}_*.png"):
        with Image.open(path) as png:
            assert png.mode == "P", path.name
