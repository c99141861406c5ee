"""What a reader downloads runs: each example's notebook and script, fetched
through the built site's own download links."""

import subprocess
import sys
import urllib.request
from urllib.parse import urljoin, urlsplit

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbclient import NotebookClient

from conftest import example_paths, parse_html


def fetch_link(served_site, page_name, selector, ending, target):
    """Follow the one link of the page that matches selector and ends with
    ending, as a reader would, and save what it serves as target."""
    page_url = f"{served_site.url}auto_examples/{page_name}"
    with urllib.request.urlopen(page_url, timeout=30) as response:
        page = BeautifulSoup(response.read().decode(), "html.parser")
    links = {a["href"] for a in page.select(selector) if a["href"].endswith(ending)}
    assert len(links) == 1, links
    with urllib.request.urlopen(urljoin(page_url, links.pop()), timeout=30) as response:
        target.write_bytes(response.read())
    return target


def download(served_site, example, suffix, destination):
    """The example's own download (sphinx-gallery's links) ending in suffix."""
    return fetch_link(served_site, f"{example.stem}.html", "div.sphx-glr-download a.reference.download",
                      suffix, destination / f"{example.stem}{suffix}")


def download_checker(served_site, destination):
    """check_random_state.py, through the link in its page's text."""
    return fetch_link(served_site, "plot_check_your_code.html", "article a.reference.download",
                      "/check_random_state.py", destination / "check_random_state.py")


@pytest.mark.parametrize("example", example_paths(), ids=lambda path: path.name)
def test_downloaded_notebook_runs_top_to_bottom(served_site, example, tmp_path):
    notebook_path = download(served_site, example, ".ipynb", tmp_path)
    if example.stem == "plot_check_your_code":  # it runs the checker beside it
        download_checker(served_site, tmp_path)
    notebook = nbformat.read(notebook_path, as_version=4)
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    figures = [output for output in outputs if "image/png" in output.get("data", {})]
    if example.stem == "plot_check_your_code":  # its results are the findings it prints
        assert not figures
    else:
        assert figures, "the notebook draws its figures"


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
    assert link == f"{site_conf.SITE_URL}auto_examples/plot_check_your_code.html#rsp001"
    page, anchor = link.removeprefix(site_conf.SITE_URL).split("#")
    assert parse_html(site / page).find(id=anchor), "the link leads to the code's section"


@pytest.mark.parametrize("example", example_paths(), ids=lambda path: path.name)
def test_downloaded_script_is_the_script_the_tests_run(served_site, example, tmp_path):
    """The .py a reader downloads is byte for byte examples/NAME.py, which
    tests/test_examples.py runs with plain python under every start method."""
    script = download(served_site, example, ".py", tmp_path)
    assert script.read_bytes() == example.read_bytes()
