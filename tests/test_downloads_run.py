"""What a reader downloads runs: each example's notebook and script, fetched
through the built site's own download links."""

import os
import re
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbclient import NotebookClient

from conftest import (
    FIGURELESS_EXAMPLES, TOOLS, captured_output, example_paths, import_sphinxext, page_of, parse_html)

TOOL_USERS = [path for path in example_paths() if import_sphinxext("tool_downloads").tools_imported(path)]


def fetch_link(served_site, page, selector, ending, target):
    """Follow the one link of the page (a path from the site's root) that
    matches selector and ends with ending, as a reader would, and save what
    it serves as target."""
    page_url = f"{served_site.url}{page.as_posix()}"
    with urllib.request.urlopen(page_url, timeout=30) as response:
        page = BeautifulSoup(response.read().decode(), "html.parser")
    links = {a["href"] for a in page.select(selector) if a["href"].endswith(ending)}
    assert len(links) == 1, links
    with urllib.request.urlopen(urljoin(page_url, links.pop()), timeout=30) as response:
        target.write_bytes(response.read())
    return target


def download(served_site, example, suffix, destination):
    """The example's own download (sphinx-gallery's links) ending in suffix."""
    return fetch_link(served_site, page_of(example), "div.sphx-glr-download a.reference.download",
                      suffix, destination / f"{example.stem}{suffix}")


def download_checker(served_site, destination):
    """rng_check.py, through the link in its page's text."""
    return fetch_link(served_site, page_of("plot_check_your_code"), "article a.reference.download",
                      "/rng_check.py", destination / "rng_check.py")


def unzipped(served_site, example, destination):
    """The example's zip, through its page's link, extracted in destination."""
    archive = download(served_site, example, ".zip", destination)
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(destination)
    return destination


@pytest.mark.parametrize("example", example_paths(), ids=lambda path: path.name)
def test_downloaded_notebook_runs_top_to_bottom(served_site, example, tmp_path):
    if example in TOOL_USERS:  # from its zip, which holds the tools it imports
        notebook_path = unzipped(served_site, example, tmp_path) / f"{example.stem}.ipynb"
    else:
        notebook_path = download(served_site, example, ".ipynb", tmp_path)
    notebook = nbformat.read(notebook_path, as_version=4)
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    figures = [output for output in outputs if "image/png" in output.get("data", {})]
    if example.stem in FIGURELESS_EXAMPLES:  # their results are printed, or a table
        assert not figures
    else:
        assert figures, "the notebook draws its figures"
    if example.stem == "plot_behaviour_matrix":
        tables = [output for output in outputs if "behaviour-matrix" in output.get("data", {}).get("text/html", "")]
        assert tables, "the notebook shows the matrix's tables"


def test_downloaded_checker_runs_with_plain_python(served_site, site, site_conf, tmp_path):
    """The checker a reader downloads finds a mistake, and links to its section
    of the page the site serves it from; from a local build, which has no
    lasting address, it prints no link rather than one to 127.0.0.1."""
    checker = download_checker(served_site, tmp_path)
    (tmp_path / "work.py").write_text(
        "import random\nfrom joblib import delayed\n\n"
        "def task(i):\n    return random.random()\n\ndelayed(task)(1)\n")
    result = subprocess.run([sys.executable, str(checker), "work.py"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    [finding] = result.stdout.splitlines()
    assert finding.startswith("work.py:5:12: RSP001 ")
    if urlsplit(site_conf.SITE_URL).hostname == "127.0.0.1":
        assert "http" not in finding
        return
    link = finding.rsplit("(", 1)[1].rstrip(")")
    assert link == f"{site_conf.SITE_URL}auto_examples/check_your_code/plot_check_your_code.html#rsp001"
    page, anchor = link.removeprefix(site_conf.SITE_URL).split("#")
    assert parse_html(site / page).find(id=anchor), "the link leads to the code's section"


@pytest.mark.parametrize("example", example_paths(), ids=lambda path: path.name)
def test_downloaded_script_is_the_script_the_tests_run(served_site, example, tmp_path):
    """The .py a reader downloads is byte for byte examples/NAME.py, which
    tests/test_examples.py runs with plain python under every start method."""
    script = download(served_site, example, ".py", tmp_path)
    assert script.read_bytes() == example.read_bytes()


def test_every_zip_holds_the_tools_its_scripts_import(site):
    """Each example's zip and the all-examples zips: a script that imports
    rng_check or rng_guard finds it beside itself, the published copy."""
    tool_downloads = import_sphinxext("tool_downloads")
    archives = sorted((site / "_downloads").glob("*/*.zip"))
    assert {path.stem for path in archives} >= {path.stem for path in example_paths()} | {
        "auto_examples_python", "auto_examples_jupyter"}
    for archive in archives:
        with zipfile.ZipFile(archive) as zipped:
            members = set(zipped.namelist())
            # (the script's folder in the zip, the script) for each script
            scripts = [(os.path.dirname(member), path) for member in members for path in example_paths()
                       if Path(member).stem == path.stem]
            needed = {(folder, tool.name) for folder, path in scripts
                      for tool in tool_downloads.tools_imported(path)}
            beside = {f"{folder}/{name}" if folder else name: name for folder, name in needed}
            assert beside.keys() <= members, (archive.name, beside.keys() - members)
            for member, name in beside.items():
                served = zipped.read(member).decode()
                assert served.splitlines()[:5] == (TOOLS / name).read_text().splitlines()[:5]
    assert len(TOOL_USERS) == 2, TOOL_USERS


@pytest.mark.parametrize("example", TOOL_USERS, ids=lambda path: path.name)
def test_a_script_that_imports_a_tool_runs_from_its_zip(served_site, site, example, tmp_path):
    """python NAME.py in the folder of its extracted zip, with nothing else
    on the path: it prints what its page printed (the guard's page: all
    but its last line, a timing)."""
    folder = unzipped(served_site, example, tmp_path)
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    result = subprocess.run([sys.executable, f"{example.stem}.py"], cwd=folder, capture_output=True,
                            text=True, timeout=600, env={**env, "MPLBACKEND": "Agg"})
    assert result.returncode == 0, result.stdout + result.stderr
    page = captured_output(parse_html(site / page_of(example.stem))).splitlines()
    printed = result.stdout.splitlines()
    if example.stem == "plot_guard_your_tasks":
        assert page[-1].startswith("The guard adds ") and printed[-1].startswith("The guard adds ")
        page, printed = page[:-1], printed[:-1]
        # The runner stops the program at the first misuse: how many of
        # its tasks had drawn by then, and so which one the report shows,
        # is up to the scheduler.
        page, printed = ([re.sub(r"split\(\d+\)", "split(K)",
                                 re.sub(r"by \d+ tasks?,", "by N tasks,", line)) for line in lines]
                         for lines in (page, printed))
    assert [line.rstrip() for line in printed if line.strip()] == [line.rstrip() for line in page if line.strip()]
