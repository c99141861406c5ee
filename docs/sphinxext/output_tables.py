"""The tables an example prints become HTML tables on its page.

On a phone 390 px wide, a printed table in a <pre> is 570-690 px wide in a
354 px column: a reader sees its first column. On each example's page, a
run of lines that reads as a table becomes a <table>, whose cells wrap and
whose box scrolls on its own at most (docs/_static/custom.css); the lines
around it stay in <pre>s. The script and the notebook are left as printed.

The page's text stays what the example printed, to the space: each cell
keeps the spaces that aligned it, which a browser does not draw at a
cell's edges (tests/conftest.py's captured_output compares it with runs).
"""

import html
import itertools
import re

MIN_ROWS = 3  # two aligned lines are as likely to be prose as a table
# Where a long name may break on a phone, so that a table fits: between the
# words of set_start_method, np.random, GridSearchCV, KFold(shuffle); not
# inside a number such as 2.4.6.
BREAK = re.compile(r"(?<=[A-Za-z][_.])(?=[A-Za-z])|(?<=[a-z])(?=[A-Z(])")
OUTPUT = re.compile(r'(<div class="sphx-glr-script-out[^"]*"><div class="highlight">)'
                    r'<pre>(?:<span></span>)?(.*?)</pre>', re.DOTALL)


def gaps_between_columns(rows):
    """[(start, end)]: runs of positions that are a space in every row (or
    past its end), not the rows' common indentation nor their ends, that at
    least as many rows leave 2+ spaces wide as leave 1 (a word's space)."""
    width = max(map(len, rows))
    mask = "".join(" " if all(row[i:i + 1] in ("", " ") for row in rows) else "x" for i in range(width))
    gaps = []
    for gap in re.finditer(" +", mask):
        widths = [space_around(row, *gap.span()) for row in rows]
        if 0 < gap.start() and gap.end() < width and sum(w >= 2 for w in widths) >= max(1, widths.count(1)):
            gaps.append(gap.span())
    return gaps


def space_around(row, start, end):
    """The spaces around row[start:end], or 0 unless text is on both sides."""
    left, right = row[:start].rstrip(), row[end:].lstrip()
    return len(row) - len(left) - len(right) if left and right else 0


def cells(row, starts):
    """The row cut at starts; a cell of spaces only hands them on to its
    neighbour, as a parser may shrink them to one (BeautifulSoup does)."""
    parts = [row[start:end] for start, end in zip(starts, starts[1:] + [None])]
    for k in range(len(parts) - 1):
        if parts[k].isspace():
            parts[k], parts[k + 1] = "", parts[k] + parts[k + 1]
    if parts[-1].isspace():
        keep = max((k for k, part in enumerate(parts) if part.strip()), default=0)
        parts[keep], parts[-1] = parts[keep] + parts[-1], ""
    return parts


def column_starts(rows):
    """Where each column starts, or None if these rows are no table: each has
    text in 2+ columns and 2+ spaces at a gap at least once (prose has not),
    no cell 2 spaces in a row (a missed column). From 3 rows on, a column
    only one row writes in (a header of two words) joins its nearer side."""
    gaps, width = gaps_between_columns(rows), max(map(len, rows))
    while True:
        starts = [0] + [end for _, end in gaps]
        filled = [sum(bool(cell.strip()) for cell in column)
                  for column in zip(*(cells(row, starts) for row in rows))]
        lonely = [k for k, count in enumerate(filled) if count < 2 < len(rows)]
        if not lonely or not gaps:
            break
        writers = [row for row in rows if cells(row, starts)[lonely[0]].strip()]
        sides = [k for k in (lonely[0] - 1, lonely[0]) if 0 <= k < len(gaps)]
        del gaps[min(sides, key=lambda k: min(space_around(row, *gaps[k]) or width for row in writers))]
    for row in rows:
        row_cells = [cell.strip() for cell in cells(row, starts)]
        if (len(list(filter(None, row_cells))) < 2 or "  " in "|".join(row_cells)
                or not any(space_around(row, *gap) >= 2 for gap in gaps)):
            return None
    return starts


def find_tables(lines):
    """[(first, last, column starts)]: each longest run of MIN_ROWS lines or
    more that column_starts splits, with words in it and no column that
    says the same in every row (an aligned sentence, a NumPy array)."""
    tables, first = [], 0
    while first < len(lines):
        last, starts = first, None
        while last < len(lines) and (wider := column_starts(lines[first:last + 1])):
            starts, last = wider, last + 1
        rows = [[cell.strip() for cell in cells(line, starts)] for line in lines[first:last]] if starts else []
        if (last - first >= MIN_ROWS and re.search("[A-Za-z]", "".join(lines[first:last]))
                and all(len(set(column)) > 1 for column in zip(*rows))):
            tables.append((first, last, starts))
            first = last
        else:
            first += 1
    return tables


def has_header(rows):
    """A header is a blank corner above named rows, or differs in kind, in
    some column, from all the cells below, which share one (a name above
    numbers or verdicts)."""
    def kind(cell):  # "np.random" is "a.a", "250 of 2,000" is "9 a 9,9"
        return re.sub(r"\d+", "9", re.sub(r"[A-Za-z]+", "a", cell))

    head, body = rows[0], rows[1:]
    if not head[0] and all(row[0] for row in body):
        return True
    return any(cell and len(kinds := {kind(row[k]) for row in body}) == 1 and kind(cell) not in kinds
               for k, cell in enumerate(head))


def table_html(lines, starts, number):
    """The <table>, in a box that scrolls sideways if it must; a row printed
    indented (a detail of the row above) is marked so: cells draw no spaces."""
    split = [cells(line, starts) for line in lines]
    header = has_header([[cell.strip() for cell in row] for row in split])
    indent = min(len(row[0]) - len(row[0].lstrip()) for row in split if row[0])

    def row_html(row, tag):
        parts = []
        for column, cell in enumerate(row):
            name = tag if cell else "td"  # an empty header cell is no header
            attributes = (' scope="col"' if name == "th" else "") + (
                ' class="output-table__nested"' if column == 0 and len(cell) - len(cell.lstrip()) > indent else "")
            parts.append(f"<{name}{attributes}>{BREAK.sub('<wbr>', html.escape(cell))}</{name}>")
        return f"<tr>{''.join(parts)}</tr>"

    rows = [row_html(row, "th" if header and index == 0 else "td") for index, row in enumerate(split)]
    head = f"<thead>{rows.pop(0)}\n</thead>" if header else ""
    body = "\n".join(rows)
    return (f'<div class="output-table" tabindex="0" role="region" aria-label="Printed table {number}">'
            f'<table>{head}<tbody>{body}</tbody></table></div>')


def tables_in_output(text, numbers):
    """The output's HTML: its tables as tables, the rest in <pre>s; the
    newline after a table stays as text. numbers names the page's tables."""
    lines, out, done = text.split("\n"), [], 0
    for first, last, starts in find_tables(lines):
        before = "".join(line + "\n" for line in lines[done:first])
        out.append(f"<pre>{html.escape(before)}</pre>" if before.strip() else before)
        out.append(table_html(lines[first:last], starts, next(numbers)) + ("\n" if last < len(lines) else ""))
        done = last
    rest = "\n".join(lines[done:])
    out.append(f"<pre>{html.escape(rest)}</pre>" if rest.strip() else rest)
    return "".join(out)


def printed_tables_as_html(app, pagename, templatename, context, doctree):
    """Sphinx's html-page-context hook: each output of an example's page."""
    if "/plot_" not in pagename or "body" not in context:
        return
    numbers = itertools.count(1)

    def converted(match):
        text = html.unescape(match[2])
        return match[1] + tables_in_output(text, numbers) if find_tables(text.split("\n")) else match[0]

    context["body"] = OUTPUT.sub(converted, context["body"])


def setup(app):
    app.connect("html-page-context", printed_tables_as_html)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
