"""Keep every page free of resources loaded from outside the site.

sphinx-gallery's execution-times pages embed a ``.. raw:: html`` block that
loads jQuery, DataTables and Bootstrap from public CDNs to make the table
sortable. This site must work offline and tell no third party who reads it,
so the block is dropped when the page's source is read: the table itself is
plain reST and stays, unsorted.
"""

import re

RAW_HTML = re.compile(r"^(\s*)\.\. raw:: html\s*$")


def without_external_raw_html(text):
    """Return text minus every raw HTML directive whose body names a URL."""
    lines = text.splitlines(keepends=True)
    kept = []
    i = 0
    while i < len(lines):
        directive = RAW_HTML.match(lines[i])
        if directive is None:
            kept.append(lines[i])
            i += 1
            continue
        indent = len(directive.group(1))
        end = i + 1
        # The body: blank lines and lines indented deeper than the directive.
        while end < len(lines) and (
            not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent
        ):
            end += 1
        block = lines[i:end]
        if not any("://" in line for line in block):
            kept.extend(block)
        i = end
    return "".join(kept)


def drop_external_raw_html(app, docname, source):
    if docname.endswith("sg_execution_times"):
        source[0] = without_external_raw_html(source[0])


def setup(app):
    app.connect("source-read", drop_external_raw_html)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
