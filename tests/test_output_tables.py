"""The tables examples print are HTML tables on their pages, and fit a phone.

docs/sphinxext/output_tables.py finds column-aligned runs of printed lines
and writes them as <table>s. These tests check the detector on hand-made
text, that the start-methods page's table holds what a plain run of the
script prints, and, in Chromium at 390 px, that no printed output runs out
of its box and that every cell of that table can be seen.
"""

import pytest
from bs4 import BeautifulSoup

from conftest import SITE, example_path, html_pages, import_sphinxext, page_of, parse_html, plain_run

output_tables = import_sphinxext("output_tables")
START_METHODS = "plot_start_methods"
PHONE = {"width": 390, "height": 844}
EXAMPLE_PAGES = [str(page.relative_to(SITE)) for page in html_pages(SITE)
                 if page.name.startswith("plot_")] if SITE.is_dir() else []

TABLE = ["method      np.random   workers",
         "fork        DUPLICATED  Fork",
         "spawn       distinct    Spawn",
         "forkserver  distinct    ForkServer"]


def cell_texts(lines):
    """[[cell, ...]] of each table found in lines, each cell stripped."""
    return [[[cell.strip() for cell in output_tables.cells(line, starts)] for line in lines[first:last]]
            for first, last, starts in output_tables.find_tables(lines)]


def test_a_table_is_found_with_its_columns_and_header():
    assert cell_texts(TABLE) == [[line.split() for line in TABLE]]
    html = output_tables.tables_in_output("\n".join(TABLE) + "\n", iter([1]))
    table = BeautifulSoup(html, "html.parser").table
    assert [th.get_text().strip() for th in table.select("thead th")] == TABLE[0].split()
    assert len(table.select("tbody tr")) == 3


def test_prose_and_numbers_are_no_table():
    prose = ["Each task gets its own seed, spawned from one root, so that no two",
             "tasks draw the same numbers and a run can be repeated: the same",
             "root gives the same seeds, in the same order, on every machine."]
    array = ["[[24 67  9 21 31]", " [24 67  9 21 31]", " [24 67  9 21 31]"]
    aligned_sentence = ["n =  20,000: simulated 0.040", "n =  50,000: simulated 0.240",
                        "n =  77,164: simulated 0.455"]
    assert output_tables.find_tables(prose) == []
    assert output_tables.find_tables(array) == []
    assert output_tables.find_tables(aligned_sentence) == []


def test_a_title_and_a_closing_sentence_stay_text():
    lines = ["Python 3.11.7, NumPy 2.4.6, joblib 1.6.0", *TABLE, "import-time generator: every task drew: True"]
    assert [(first, last) for first, last, _ in output_tables.find_tables(lines)] == [(1, 5)]
    text = "\n".join(lines) + "\n"
    page = BeautifulSoup(output_tables.tables_in_output(text, iter([1])), "html.parser")
    assert [pre.get_text() for pre in page.select("pre")] == [lines[0] + "\n", lines[-1] + "\n"]
    assert page.get_text() == text  # the printed text, to the space


def test_rows_alike_have_no_header():
    lines = ["generator made at import     1 distinct of 6",
             "np.random.seed in script     6 distinct of 6",
             "map(f, [0] * 6, pure=False)  6 distinct of 6"]
    html = output_tables.tables_in_output("\n".join(lines), iter([1]))
    assert "<th" not in html and html.count("<tr>") == 3


@pytest.mark.parametrize("script", [example_path(START_METHODS)], ids=lambda path: path.name)
def test_the_start_methods_table_holds_what_the_script_prints(site, script):
    """Each row of each table on the page is a line that `python
    plot_start_methods.py` prints, and its cells are that line's columns:
    they start at the same place in every row."""
    result, _ = plain_run(script)
    assert result.returncode == 0, result.stderr
    printed = result.stdout.splitlines()
    page = parse_html(site / page_of(START_METHODS))
    tables = page.select("div.sphx-glr-script-out div.output-table > table")
    assert tables
    for table in tables:
        rows = table.select("tr")
        first = printed.index(rows[0].get_text())
        assert [row.get_text() for row in rows] == printed[first:first + len(rows)]
        assert [th.get_text().strip() for th in rows[0].select("th")] == printed[first].split()
        boundaries = set()
        for row in rows:
            cells = [cell.get_text() for cell in row.select("th, td")]
            assert len(cells) == 4 and all(cell.strip() for cell in cells), cells
            boundaries.add(tuple(len("".join(cells[:k])) for k in range(1, 4)))
        assert len(boundaries) == 1


OVERFLOWING_OUTPUTS = """() => [...document.querySelectorAll("div.sphx-glr-script-out")].flatMap(output => {
    const column = output.parentElement.getBoundingClientRect(), box = output.getBoundingClientRect();
    const wide = box.left < column.left - 1 || box.right > column.right + 1 ? [`output ${box.width} px`] : [];
    // Lines wrap: no box but a table's scrolls sideways.
    const scrolling = [...output.querySelectorAll("div.highlight, pre")]
        .filter(element => element.scrollWidth > element.clientWidth + 1)
        .map(element => `${element.tagName} ${element.scrollWidth} > ${element.clientWidth}: `
                        + element.textContent.slice(0, 60));
    const tables = [...output.querySelectorAll(".output-table")]
        .filter(table => table.getBoundingClientRect().right > box.right + 1)
        .map(table => `table box ${table.getBoundingClientRect().width} px`);
    return [...wide, ...scrolling, ...tables];
})"""


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("name", EXAMPLE_PAGES)
def test_no_printed_output_runs_out_of_its_box_on_a_phone(browser, served_site, name, color_scheme):
    page, problems = browser.visit(served_site.url + name, color_scheme=color_scheme, viewport=PHONE)
    try:
        assert page.evaluate("document.documentElement.dataset.theme") == color_scheme
        assert page.evaluate(OVERFLOWING_OUTPUTS) == []
        assert problems == []
    finally:
        page.context.close()


HIDDEN_CELLS = """() => {
    const box = document.querySelector(".output-table"), frame = box.getBoundingClientRect();
    const style = getComputedStyle(box);
    const scrolls = style.overflowX === "auto" && box.scrollWidth > box.clientWidth;
    const cells = [...box.querySelectorAll("th, td")];
    return {cells: cells.length, wrap: getComputedStyle(cells[0]).whiteSpace, hidden: cells.filter(cell => {
        const shown = cell.getBoundingClientRect();
        return !cell.checkVisibility() || shown.width === 0 || cell.scrollWidth > cell.clientWidth + 1
            || (!scrolls && (shown.left < frame.left - 1 || shown.right > frame.right + 1));
    }).map(cell => cell.textContent)};
}"""


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_every_cell_of_the_start_methods_table_can_be_seen_on_a_phone(browser, served_site, color_scheme):
    """Its columns are all in the box, or the box scrolls to them; no cell
    cuts its text (the stylesheet's rules for the table reached the page)."""
    page, problems = browser.visit(served_site.url + page_of(START_METHODS).as_posix(),
                                   color_scheme=color_scheme, viewport=PHONE)
    try:
        found = page.evaluate(HIDDEN_CELLS)
        assert found["cells"] >= 4 * 4 and found["wrap"] == "normal", found
        assert found["hidden"] == []
        assert problems == []
    finally:
        page.context.close()
