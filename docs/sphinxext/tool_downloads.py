"""The tools that pages offer for download: linked to this site, and in
the zips of the scripts that import them.

tools/rng_check.py ends every finding with a link to its code's section on
this site, built from its ``SITE_URL`` line, which names no site in the
repository (so it prints no link). The copies the build serves get the
address this site is built for (conf.py's ``html_baseurl``), so that a
checker downloaded from the published site links to the published site. A
local build's address (``make serve`` on 127.0.0.1) is not written: it
would lead nowhere once the server stops.

sphinx-gallery zips each example's script and notebook, and all of them
together; a script that imports a tool (``import rng_check``) finds it
beside itself in its zip, because the tool is added to every zip that holds
such a script.
"""

import ast
import os
import re
import time
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

CHECKER = "rng_check.py"
SITE_URL_LINE = re.compile(r'^SITE_URL = "[^"\n]*"$', re.MULTILINE)
ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tools"
EXAMPLES = ROOT / "examples"


def point_at(path, site_url):
    """Rewrite the SITE_URL line of the checker at path; fail if missing."""
    source = Path(path).read_text(encoding="utf-8")
    Path(path).write_text(linked(source, site_url, path), encoding="utf-8")


def linked(source, site_url, name=CHECKER):
    """The checker's source with its SITE_URL line set to site_url."""
    rewritten, count = SITE_URL_LINE.subn(f'SITE_URL = "{site_url}"', source)
    if count != 1:
        raise RuntimeError(f"{name}: expected one SITE_URL line, found {count}")
    return rewritten


def tools_imported(script):
    """The files of tools/ that an example script imports."""
    tree = ast.parse(Path(script).read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names}
    names |= {node.module for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) and node.module}
    return sorted(TOOLS / f"{name}.py" for name in names if (TOOLS / f"{name}.py").is_file())


def add_tools_to_zips(outdir, site_url):
    """Add to every downloadable zip the tools that its scripts import,
    each beside the script (in its section's folder, in the zip of all)."""
    stamp = time.gmtime(int(os.environ.get("SOURCE_DATE_EPOCH", time.time())))[:6]
    examples = {path.stem: path for path in EXAMPLES.rglob("plot_*.py")}
    for archive in Path(outdir, "_downloads").glob("*/*.zip"):
        with zipfile.ZipFile(archive) as zipped:
            members = zipped.namelist()
        needed = {(os.path.dirname(member), tool) for member in members
                  if Path(member).stem in examples
                  for tool in tools_imported(examples[Path(member).stem])}
        with zipfile.ZipFile(archive, "a", zipfile.ZIP_DEFLATED) as zipped:
            for folder, tool in sorted(needed):
                name = f"{folder}/{tool.name}" if folder else tool.name
                if name in members:
                    continue
                source = tool.read_text(encoding="utf-8")
                if tool.name == CHECKER and site_url:
                    source = linked(source, site_url)
                entry = zipfile.ZipInfo(name, date_time=stamp)
                entry.external_attr = (tool.stat().st_mode & 0o777 | 0o100000) << 16
                entry.compress_type = zipfile.ZIP_DEFLATED
                zipped.writestr(entry, source)


def publish(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    site_url = app.config.html_baseurl
    if urlsplit(site_url).hostname in {"127.0.0.1", "localhost"}:
        site_url = ""
    if site_url:
        for path in Path(app.outdir, "_downloads").glob(f"*/{CHECKER}"):
            point_at(path, site_url)
    add_tools_to_zips(app.outdir, site_url)


def setup(app):
    app.connect("build-finished", publish)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
