"""The MPI page: its claims, checked with its own functions and on the built page.

The page is seeded: every rank draws from a seed the page names, so a plain
run prints what the page shows (test_examples compares them). mpich has no
Windows wheel: there the page skips the MPI runs and says so.
"""

import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from conftest import ROOT, captured_output, example_path, load_example, page_of, parse_html

SEED = 2024
FIX, SHORT, PLUS_RANK, SAME = "spawn(size)[rank]", "[rank, seed]", "seed + rank", "same seed"


@pytest.fixture(scope="module")
def mpi_page():
    return load_example("plot_mpi")


@pytest.fixture(scope="module")
def needs_mpiexec(mpi_page):
    if not mpi_page.MPIEXEC:
        pytest.skip("no mpiexec next to this Python (mpich has no wheel here)")


def stream(mpi_page, run, name):
    """What each rank drew with one way of seeding, by rank."""
    return [drawn[name] for drawn in mpi_page.runs[run]]


def test_title_and_first_lines_name_the_calls():
    source = example_path("plot_mpi").read_text()
    assert "mpi4py" in source.splitlines()[2] and "rank" in source.splitlines()[2]
    summary = source.split('"""')[1]
    for words in ["mpiexec -n 2", "MPI.COMM_WORLD", "default_rng(seed + rank)",
                  "SeedSequence(seed).spawn(size)[rank]", "default_rng([rank, seed])", "PySpark"]:
        assert words in summary, words


def test_mpi_is_pinned_with_mpich_left_out_on_windows():
    pins = (ROOT / "requirements.txt").read_text()
    assert re.search(r"^mpi4py==4\.1\.2$", pins, re.M)
    assert re.search(r'^mpich==5\.0\.2; sys_platform != "win32"$', pins, re.M)


def test_the_ranks_draw_what_their_seeds_give(mpi_page, needs_mpiexec):
    """Each rank's draws are those of the generator the script made for it."""
    for run, seed in [("first", SEED), ("next seed", SEED + 1), ("again", SEED)]:
        children = np.random.SeedSequence(seed).spawn(2)
        for rank in (0, 1):
            made = {FIX: np.random.default_rng(children[rank]), SHORT: np.random.default_rng([rank, seed]),
                    PLUS_RANK: np.random.default_rng(seed + rank), SAME: np.random.default_rng(seed)}
            for name, rng in made.items():
                assert mpi_page.runs[run][rank][name] == rng.integers(1000, size=4).tolist(), (run, rank, name)


def test_the_same_seed_gives_every_rank_the_same_numbers(mpi_page, needs_mpiexec):
    first = stream(mpi_page, "first", SAME)
    assert first[0] == first[1]


def test_seed_plus_rank_repeats_the_next_seeds_run_shifted_by_one_rank(mpi_page, needs_mpiexec):
    first, following = stream(mpi_page, "first", PLUS_RANK), stream(mpi_page, "next seed", PLUS_RANK)
    assert first[0] != first[1]
    assert first[1] == following[0]


@pytest.mark.parametrize("name", [FIX, SHORT])
def test_the_fix_is_distinct_reproducible_and_never_overlaps(mpi_page, needs_mpiexec, name):
    first, following, again = (stream(mpi_page, run, name) for run in ["first", "next seed", "again"])
    assert first[0] != first[1] and first == again
    assert not set(map(tuple, first)) & set(map(tuple, following))


def test_the_fix_holds_on_three_ranks(mpi_page, needs_mpiexec):
    drawn, left = mpi_page.run_ranks(SEED, n_ranks=3)
    assert left == []
    assert len({tuple(rank[FIX]) for rank in drawn}) == 3
    # The i-th child of spawn() does not depend on how many were spawned:
    # ranks 0 and 1 draw what they drew with two ranks.
    assert [rank[FIX] for rank in drawn[:2]] == stream(mpi_page, "first", FIX)


def test_the_table_is_the_verdicts(mpi_page, needs_mpiexec):
    assert mpi_page.table == {name: mpi_page.verdicts(name) for name in [FIX, SHORT, PLUS_RANK, SAME]}
    assert mpi_page.table[PLUS_RANK]["overlaps seed + 1"]
    assert not mpi_page.table[SAME]["ranks distinct"]


def test_no_rank_process_is_left(mpi_page, needs_mpiexec):
    assert mpi_page.left == []
    drawn, left = mpi_page.run_ranks(SEED)
    assert left == []


def test_the_spark_recipe_gives_each_partition_its_own_stream(mpi_page):
    rows = list(mpi_page.with_draws(3, iter(["a", "b"]), root=7))
    assert [row for row, _ in rows] == ["a", "b"]
    assert [x for _, x in rows] == np.random.default_rng([3, 7]).random(2).tolist()
    assert mpi_page.drawn[0] != mpi_page.drawn[1] and mpi_page.drawn == mpi_page.again


def test_the_page_shows_the_verdicts_and_the_figure(site):
    page = parse_html(site / page_of("plot_mpi"))
    shown = captured_output(page)
    assert page.select("img.sphx-glr-single-img")
    assert "mpi4py 4.1.2, MPICH 5.0.2" in shown
    verdicts = {match["name"].strip(): match["values"].split() for match in re.finditer(
        r"^(?P<name>spawn\(size\)\[rank\]|\[rank, seed\]|seed \+ rank|same seed)\s+(?P<values>(?:(?:True|False)\s*){3})$",
        shown, re.M)}
    assert verdicts == {FIX: ["True", "True", "False"], SHORT: ["True", "True", "False"],
                        PLUS_RANK: ["True", "True", "True"], SAME: ["False", "True", "False"]}
    assert "rank processes left after mpiexec: 0" in shown
    assert "with_draws on 2 partitions: distinct True, the same again True" in shown


def test_the_pyspark_section_is_found_and_says_it_is_not_run(site):
    page = parse_html(site / page_of("plot_mpi"))
    headings = [h.get_text() for h in page.select("article h2")]
    assert any(h.startswith("PySpark: rand(seed) is seed + partition index") for h in headings), headings
    text = " ".join(page.get_text().split())
    assert "Not run by this site: PySpark needs a Java runtime" in text
    assert "mapPartitionsWithIndex" in text


# A branch or a moving alias where a version, tag or commit should be
UNPINNED = re.compile(r"/(blob|tree)/(main|master)/|/(stable|latest|dev)/|/en/(main|master)/")


def test_the_page_links_pinned_sources(site):
    page = parse_html(site / page_of("plot_mpi"))
    links = [a["href"] for a in page.select("article a.reference.external")
             if "sphinx-gallery" not in a["href"]]
    assert len(links) >= 4
    for link in links:
        assert " " not in link and not UNPINNED.search(link), link
    assert any("mpi4py.readthedocs.io/en/4.1.2/" in link for link in links)
    assert any("numpy.org/doc/2.4/" in link for link in links)
    assert sum("github.com/apache/spark/blob/v4.0.0/" in link for link in links) == 2


WITHOUT_MPIEXEC = """
import runpy, shutil, subprocess, sys, tempfile, json, time
import matplotlib.pyplot, numpy, psutil
shutil.which = lambda *args, **kwargs: None  # no mpiexec next to python
if sys.argv[2] == "win32":
    sys.platform = "win32"
runpy.run_path(sys.argv[1], run_name="__main__")
"""


@pytest.mark.parametrize("platform, why", [
    ("win32", "Skipping MPI: no mpiexec next to this Python (mpich has no Windows wheel)."),
    ("linux", "Skipping MPI: no mpiexec next to this Python (pip install mpi4py==4.1.2 mpich==5.0.2)."),
])
def test_without_mpiexec_a_plain_run_says_what_it_skips_and_why(platform, why):
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(WITHOUT_MPIEXEC), str(example_path("plot_mpi")), platform],
        capture_output=True, text=True, timeout=120, env={**os.environ, "MPLBACKEND": "Agg"}, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert why in lines
    assert not any(line.startswith(("mpi4py ", "seed + rank", "rank processes")) for line in lines)
    assert "with_draws on 2 partitions: distinct True, the same again True" in lines
