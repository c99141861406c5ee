"""The seeded examples, run again from scratch, give the HTML `make test` built.

The copy of the site is built with SOURCE_DATE_EPOCH set, which hides
computation times, as in sphinx-gallery's own documentation. Every example
whose output is seeded runs again there, as if it had never been built, and
every page must come out byte for byte as in the site the rest of the suite
reads, once that site's running times are taken out.

The examples that show run-to-run variation on purpose (conftest's
UNSEEDED_EXAMPLES) are not run again: their pages could not match, and
tests/test_examples.py checks that they do change from run to run. On CI,
which starts from a clean clone, the site `make test` built is a clean
build; locally it may reuse pages of examples that did not change since an
earlier build (`make clean` first if other package versions made those).
"""

import re

from conftest import UNSEEDED_EXAMPLES, example_paths, page_of
from sandbox import copy_site_sources, make_html

# sphinx-gallery's tables of running times (the site's, the gallery's and
# each section's), which SOURCE_DATE_EPOCH turns off.
TIMING_PAGE = "sg_execution_times.html"
# The line sphinx-gallery adds under each example without SOURCE_DATE_EPOCH.
RUNNING_TIME = re.compile(rb'<p class="sphx-glr-timing"><strong>Total running time of the script:</strong>'
                          rb' \(\d+ minutes \d+\.\d+ seconds\)</p>\n')
SEEDED = [path.stem for path in example_paths() if path.stem not in UNSEEDED_EXAMPLES]


def pages(site):
    return {
        str(path.relative_to(site)): RUNNING_TIME.sub(b"", path.read_bytes())
        for path in site.rglob("*.html")
        if "_static" not in path.relative_to(site).parts
    }


def checksum_stamps(docs):
    return {path.name.removesuffix(".py.md5"): path.stat().st_mtime_ns
            for path in (docs / "auto_examples").rglob("*.py.md5")}


def forget_generated_pages(docs, examples):
    """Remove everything sphinx-gallery made for these examples, and the
    timing tables, so that the next build runs them as the first one did."""
    for name in examples:
        gallery = docs / page_of(name).parent
        made = [*gallery.glob(f"{name}.*"), *gallery.glob(f"images/sphx_glr_{name}_*"),
                *gallery.glob(f"images/thumb/sphx_glr_{name}_thumb.*")]
        assert made, name
        for path in made:
            path.unlink()
    for table in docs.rglob("sg_execution_times.rst"):
        table.unlink()


def test_seeded_pages_are_identical_when_run_again(site, tmp_path):
    assert len(SEEDED) >= 4 and UNSEEDED_EXAMPLES < {path.stem for path in example_paths()}
    copy_site_sources(tmp_path, keep_generated_gallery=True)
    forget_generated_pages(tmp_path / "docs", SEEDED)
    kept = checksum_stamps(tmp_path / "docs")
    result = make_html(tmp_path, SOURCE_DATE_EPOCH="1780000000")
    assert result.returncode == 0, result.stdout + result.stderr
    # The seeded examples ran (sphinx-gallery wrote their checksums again),
    # and only they.
    stamps = checksum_stamps(tmp_path / "docs")
    assert stamps.keys() == kept.keys() | set(SEEDED)
    assert {name for name in stamps if stamps[name] != kept.get(name)} == set(SEEDED)
    again, built = pages(tmp_path / "build" / "html"), pages(site)
    assert again.keys() == {name for name in built if not name.endswith(TIMING_PAGE)}
    differing = sorted(name for name in again if again[name] != built[name])
    assert differing == [], "run `make clean test` if build/html is old"
    # No computation time is shown on the pages that were made again.
    for name in SEEDED:
        html = (tmp_path / "build" / "html" / page_of(name)).read_text()
        assert "Total running time of the script" not in html, name
