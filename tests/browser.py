"""The built site served on 127.0.0.1 and one headless Chromium to read it.

Used by the browser tests through the fixtures in conftest.py: one server and
one browser per test session.
"""

import functools
import gzip
import http.server
import io
import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Flags that work as root in a container with no network but the loopback.
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"


# What GitHub Pages compresses (by Content-Type); images and fonts are
# already compressed and are sent as they are.
COMPRESSED_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files quietly; a missing file gets the site's 404.html, as on GitHub Pages.

    With `compress`, text is sent gzip-compressed to a client that accepts
    it, as GitHub Pages sends it (Lighthouse judges a page as served).
    """

    prefix = "/"
    compress = False

    def log_message(self, format, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        content_type = self.guess_type(str(path))
        if (
            not self.compress
            or "gzip" not in self.headers.get("Accept-Encoding", "")
            or not path.is_file()
            or not content_type.startswith(COMPRESSED_TYPES)
        ):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)

    def translate_path(self, path):
        if self.prefix != "/" and path.startswith(self.prefix):
            path = "/" + path[len(self.prefix):]
        return super().translate_path(path)

    def send_error(self, code, message=None, explain=None):
        not_found = Path(self.directory) / "404.html"
        if code != 404 or not not_found.is_file():
            return super().send_error(code, message, explain)
        body = not_found.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class SiteServer:
    """Serve a folder on 127.0.0.1 at a free port, in a background thread."""

    def __init__(self, directory, prefix="/", compress=False):
        handler_class = type("Handler", (QuietHandler,), {"prefix": prefix, "compress": compress})
        handler = functools.partial(handler_class, directory=str(directory))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


def is_local(url):
    return urlsplit(url).hostname == "127.0.0.1" or url.startswith(("data:", "blob:", "about:"))


class Browser:
    """A Chromium started once; `visit` opens a page and records what went wrong."""

    def __init__(self):
        if not Path(CHROMIUM).is_file():
            raise RuntimeError(f"No browser at {CHROMIUM}: `make browser` installs Debian's chromium")
        self.playwright = sync_playwright().start()
        self.chromium = self.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)

    def close(self):
        self.chromium.close()
        self.playwright.stop()

    def visit(self, url, color_scheme="light", viewport=None):
        """Open url; return (page, problems) where problems lists what failed."""
        context = self.chromium.new_context(
            color_scheme=color_scheme, viewport=viewport or {"width": 1280, "height": 900}
        )
        problems = []

        def refuse_outside(route):
            problems.append(f"request outside the site: {route.request.url}")
            route.abort()

        context.route(lambda url: not is_local(url), refuse_outside)
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and problems.append(f"console error: {message.text}"))
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("requestfailed", lambda request: is_local(request.url) and problems.append(f"failed: {request.url} ({request.failure})"))
        page.on("response", lambda response: response.status >= 400 and problems.append(f"HTTP {response.status}: {response.url}"))
        page.goto(url, wait_until="networkidle")
        return page, problems

    def axe_violations(self, page):
        """Run axe-core on the page; return its violations (rule id, impact, nodes)."""
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        return [
            (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]])
            for violation in result["violations"]
        ]
