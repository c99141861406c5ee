"""Every page that states a fact about a library links its primary source,
pinned: an address that names a version, a release tag, a commit, or a
numbered issue, PR or PEP, never a moving one (stable, latest, main, a
branch). Offline, only the form of each address can be checked; what each
one says was read when it was added (the report of the commit that added
it names how).

Checked twice: in the sources of examples/ and docs/ (reST lets a long
address continue on the next comment line; its pieces are joined), and on
the built pages, in every external reference of the text.
"""

import re
from urllib.parse import urlsplit

import pytest

from conftest import ROOT, example_paths, html_pages, page_of, parse_html

# The hosts of the libraries' and CPython's docs, code and issues.
HOSTS = {"github.com", "numpy.org", "docs.python.org", "peps.python.org", "joblib.readthedocs.io",
         "scikit-learn.org", "docs.scipy.org", "scipy.org", "docs.dask.org", "distributed.dask.org",
         "docs.pytorch.org", "pytorch.org", "lightgbm.readthedocs.io", "optuna.readthedocs.io",
         "loky.readthedocs.io", "matplotlib.org", "pandas.pydata.org"}
MOVING = {"stable", "latest", "main", "master", "dev", "devdocs", "nightly", "head", "trunk", "default"}
VERSION = re.compile(r"v?\d+(\.\d+)+[a-z0-9]*|[0-9a-f]{40}")
# A release tag with the project's name before its version (ray-2.60.0).
NAMED_VERSION = re.compile(r"[A-Za-z]+[-_]v?\d+(\.\d+)+")
NUMBERED = re.compile(r"/(issues|pull)/\d+(/|$|#)|/pep-\d+(/|$)")


def library_host(url):
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") in HOSTS


def pinned(url):
    """None if url names a version, tag, commit or number; else why not."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or re.search(r"\s", url):
        return "not a well-formed https address"
    segments = [s for s in parts.path.split("/") if s]
    # On GitHub only the ref names a version: a path below a tag may hold a
    # folder called main (Spark's src/main/scala).
    moving = [s for s in (segments[:4] if parts.hostname == "github.com" else segments) if s.lower() in MOVING]
    if moving:
        return f"moving reference {moving[0]!r}"
    if parts.hostname == "github.com":
        if NUMBERED.search(parts.path):
            return None
        # /owner/repo/blob|tree|raw|releases/tag/REF/...: REF is pinned
        if len(segments) > 3 and segments[2] in {"blob", "tree", "raw", "commit"}:
            tagged = VERSION.fullmatch(segments[3]) or NAMED_VERSION.fullmatch(segments[3])
            return None if tagged else f"branch {segments[3]!r}"
        if segments[2:4] == ["releases", "tag"] and len(segments) > 4:
            return None if VERSION.fullmatch(segments[4]) else f"tag {segments[4]!r}"
        return "a GitHub address without a tag, commit or number"
    if NUMBERED.search(parts.path) or any(VERSION.fullmatch(s) or re.fullmatch(r"[a-z]+-v?\d+(\.\d+)+", s)
                                          for s in segments):
        return None
    return "no version in the address"


def source_links(path):
    """The external addresses in a file's reST: `text <url>`_ and
    `.. _name: url` targets, with an address that continues on the next
    comment line joined to its first piece."""
    text = path.read_text()
    if path.suffix == ".py":
        text = "\n".join(re.sub(r"^\s*#\s?", "", line) for line in text.splitlines())
    found = [re.sub(r"\s+", "", url) for url in re.findall(r"<(https?://[^<>`]+)>`_", text)]
    found += re.findall(r"^\s*\.\. _[^:]+:\s*(https?://\S+)", text, re.M)
    return found


SOURCES = [*example_paths(), ROOT / "docs" / "index.rst"]


def test_the_checks_tell_pinned_from_moving_addresses():
    for good in ["https://github.com/numpy/numpy/issues/32063",
                 "https://github.com/python/cpython/issues/137996",
                 "https://github.com/numpy/numpy/blob/v2.4.6/numpy/__init__.py#L717-L719",
                 "https://github.com/dask/dask/blob/2026.8.0/dask/multiprocessing.py#L255-L260",
                 "https://github.com/joblib/joblib/blob/1.6.0/joblib/parallel.py#L1062-L1077",
                 "https://github.com/numpy/numpy/blob/" + "a" * 40 + "/numpy/random/_generator.pyx",
                 "https://numpy.org/doc/2.4/reference/random/parallel.html",
                 "https://docs.python.org/3.14/library/multiprocessing.html#contexts-and-start-methods",
                 "https://scikit-learn.org/1.9/modules/cross_validation.html",
                 "https://docs.pytorch.org/docs/2.14/notes/randomness.html",
                 "https://lightgbm.readthedocs.io/en/v4.7.0/Parameters.html",
                 "https://docs.scipy.org/doc/scipy-1.17.1/reference/stats.html",
                 "https://github.com/apache/spark/blob/v4.0.0/core/src/main/scala/org/apache/spark/rdd/RDD.scala",
                 "https://github.com/ray-project/ray/tree/ray-2.60.0/python/ray/_private"]:
        assert pinned(good) is None, good
    for bad in ["https://github.com/numpy/numpy/blob/main/numpy/__init__.py",
                "https://github.com/numpy/numpy/tree/maintenance/2.4.x/numpy",
                "https://github.com/ray-project/ray/tree/releases/2.60.0/python",
                "https://github.com/numpy/numpy",
                "https://numpy.org/doc/stable/reference/random/parallel.html",
                "https://numpy.org/devdocs/reference/random/parallel.html",
                "https://docs.python.org/3/library/random.html",
                "https://scikit-learn.org/stable/modules/cross_validation.html",
                "https://joblib.readthedocs.io/en/latest/parallel.html",
                "https://docs.dask.org/en/stable/",
                "http://numpy.org/doc/2.4/reference/random/parallel.html"]:
        assert pinned(bad) is not None, bad


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: path.name)
def test_every_library_link_in_the_sources_is_pinned(path):
    for url in source_links(path):
        if library_host(url):
            assert pinned(url) is None, f"{path.name}: {url}: {pinned(url)}"


@pytest.mark.parametrize("path", example_paths(), ids=lambda path: path.name)
def test_every_example_links_a_pinned_source(path):
    assert any(library_host(url) and pinned(url) is None for url in source_links(path)), path.name


def test_the_landing_page_links_pinned_sources():
    assert any(library_host(url) and pinned(url) is None for url in source_links(ROOT / "docs" / "index.rst"))


def test_every_library_link_on_the_built_pages_is_pinned(site):
    """The links the pages' text makes (reST's external references): the
    theme's own links, such as "edit this page", are not sources."""
    checked = 0
    for page in html_pages(site):
        for link in parse_html(page).select("a.reference.external[href]"):
            url = link["href"]
            if library_host(url):
                assert pinned(url) is None, f"{page.relative_to(site)}: {url}: {pinned(url)}"
                checked += 1
    assert checked


def test_every_built_example_page_links_a_pinned_source(site):
    unsourced, lost = [], []
    for path in example_paths():
        page = parse_html(site / page_of(path.stem))
        urls = [link["href"] for link in page.select("article a.reference.external[href]")]
        if not any(library_host(url) and pinned(url) is None for url in urls):
            unsourced.append(path.stem)
        # What the source says is what the page links, pieces joined.
        lost += sorted(set(filter(library_host, source_links(path))) - set(urls))
    assert unsourced == [] and lost == []

