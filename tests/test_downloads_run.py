"""What a reader downloads runs: each example's notebook and script, fetched
through the built site's own download links."""

import urllib.request
from urllib.parse import urljoin

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbclient import NotebookClient

from conftest import example_paths


def download(served_site, example, suffix, destination):
    """Fetch the example's download link ending in suffix, as a reader would."""
    page_url = f"{served_site.url}auto_examples/{example.stem}.html"
    with urllib.request.urlopen(page_url, timeout=30) as response:
        page = BeautifulSoup(response.read().decode(), "html.parser")
    links = [a["href"] for a in page.select("a.reference.download") if a["href"].endswith(suffix)]
    assert len(links) == 1, links
    target = destination / f"{example.stem}{suffix}"
    with urllib.request.urlopen(urljoin(page_url, links[0]), timeout=30) as response:
        target.write_bytes(response.read())
    return target


@pytest.mark.parametrize("example", example_paths(), ids=lambda path: path.name)
def test_downloaded_notebook_runs_top_to_bottom(served_site, example, tmp_path):
    notebook_path = download(served_site, example, ".ipynb", tmp_path)
    notebook = nbformat.read(notebook_path, as_version=4)
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    figures = [output for output in outputs if "image/png" in output.get("data", {})]
    assert figures, "the notebook draws its figures"


@pytest.mark.parametrize("example", example_paths(), ids=lambda path: path.name)
def test_downloaded_script_is_the_script_the_tests_run(served_site, example, tmp_path):
    """The .py a reader downloads is byte for byte examples/NAME.py, which
    tests/test_examples.py runs with plain python under every start method."""
    script = download(served_site, example, ".py", tmp_path)
    assert script.read_bytes() == example.read_bytes()
