"""Point the downloadable checker's links at the site that serves it.

examples/check_random_state.py ends every finding with a link to its code's
section on this site, built from its ``SITE_URL`` line, which names no site
in the repository (so it prints no link). The copy that Sphinx puts in
``_downloads`` for the checker's page gets the address this site is built
for (conf.py's ``html_baseurl``), so that a checker downloaded from the
published site links to the published site. A local build's address
(``make serve`` on 127.0.0.1) is not written: it would lead nowhere once
the server stops.
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

CHECKER = "check_random_state.py"
SITE_URL_LINE = re.compile(r'^SITE_URL = "[^"\n]*"$', re.MULTILINE)


def point_at(path, site_url):
    """Rewrite the SITE_URL line of the checker at path; fail if missing."""
    source = Path(path).read_text(encoding="utf-8")
    rewritten, count = SITE_URL_LINE.subn(f'SITE_URL = "{site_url}"', source)
    if count != 1:
        raise RuntimeError(f"{path}: expected one SITE_URL line, found {count}")
    if rewritten != source:
        Path(path).write_text(rewritten, encoding="utf-8")


def rewrite_downloads(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    if urlsplit(app.config.html_baseurl).hostname in {"127.0.0.1", "localhost"}:
        return
    for path in Path(app.outdir, "_downloads").glob(f"*/{CHECKER}"):
        point_at(path, app.config.html_baseurl)


def setup(app):
    app.connect("build-finished", rewrite_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
