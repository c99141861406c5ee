"""The finish readers expect: copy buttons, logo and favicon, social previews,
a sitemap, a 404 page, "edit this page" links and the versions that built it."""

import platform
import shutil
import xml.etree.ElementTree as ElementTree
from urllib.parse import urlsplit

import joblib
import numpy
import pytest

from conftest import CORE_EXAMPLE, ROOT, example_paths, html_pages, page_of, parse_html
from sandbox import copy_site_sources, make_html

def page_names(site):
    return [str(page.relative_to(site)) for page in html_pages(site)]


def test_every_page_has_favicon_logo_and_footer_versions(site):
    versions = f"Python\xa0{platform.python_version()}, NumPy\xa0{numpy.__version__}, joblib\xa0{joblib.__version__}."
    for name in page_names(site):
        page = parse_html(site / name)
        icon = page.select_one('link[rel="icon"]')
        assert icon and icon["href"].endswith("favicon.svg"), name
        assert page.select("a.navbar-brand img.logo__image"), name
        footer = " ".join(page.select_one("footer.bd-footer").get_text(" ").split())
        assert versions.replace("\xa0", " ") in footer.replace("\xa0", " "), (name, footer)


def test_social_preview_tags_use_the_site_url(site, site_conf):
    base = site_conf.html_baseurl
    for name in ["index.html", page_of(CORE_EXAMPLE).as_posix()]:
        page = parse_html(site / name)
        meta = {tag.get("property") or tag.get("name"): tag["content"] for tag in page.select("meta[content]")}
        assert meta["og:url"] == base + name
        assert meta["og:image"] == base + "_static/logo.png"
        assert (site / "_static" / "logo.png").is_file()
        assert meta["og:title"] and meta["og:description"]
        assert meta["twitter:card"] == "summary"


def test_sitemap_lists_every_content_page(site, site_conf):
    root = ElementTree.parse(site / "sitemap.xml").getroot()
    urls = {loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    expected = {
        site_conf.html_baseurl + name for name in page_names(site) if name not in {"search.html", "genindex.html", "404.html"}
    }
    assert urls == expected


def test_code_blocks_get_a_copy_button(browser, served_site):
    page, problems = browser.visit(served_site.url + page_of(CORE_EXAMPLE).as_posix())
    try:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        blocks = page.locator("div.highlight-Python")
        assert blocks.count() >= 5
        first = blocks.first
        first.hover()
        first.locator("button.copybtn").click()
        copied = page.evaluate("navigator.clipboard.readText()")
        shown = first.locator("pre").inner_text()
        assert copied.strip() == shown.strip()
        assert problems == []
    finally:
        page.context.close()


def test_a_missing_page_gets_the_404_page(browser, served_site, site_conf):
    page, problems = browser.visit(served_site.url + "no/such/page.html")
    try:
        # The page itself answers 404 (which the browser logs); nothing else fails.
        assert problems == [
            f"HTTP 404: {served_site.url}no/such/page.html",
            "console error: Failed to load resource: the server responded with a status of 404 (Not Found)",
        ]
        assert page.locator("h1").first.inner_text() == "Page not found"
        # Its styles and links work from any depth: they are absolute.
        assert page.evaluate("getComputedStyle(document.body).fontFamily") != "Times New Roman"
        home = page.locator("main a", has_text="home page").get_attribute("href")
        gallery = page.locator("main a", has_text="gallery").get_attribute("href")
        prefix = site_conf.notfound_urls_prefix
        assert (home, gallery) == (f"{prefix}index.html", f"{prefix}auto_examples/index.html")
    finally:
        page.context.close()


@pytest.fixture(scope="module")
def site_for_a_repository(tmp_path_factory):
    """The pages built as GitHub Actions builds them (GITHUB_REPOSITORY set)."""
    directory = tmp_path_factory.mktemp("with-repository")
    copy_site_sources(directory)
    result = make_html(directory, "html-noplot", GITHUB_REPOSITORY="an-owner/random-state")
    assert result.returncode == 0, result.stdout + result.stderr
    yield directory / "build" / "html"
    shutil.rmtree(directory)


def test_edit_links_open_the_file_each_page_comes_from(site_for_a_repository):
    site = site_for_a_repository
    prefix = "https://github.com/an-owner/random-state/edit/main/"
    expected = {
        "index.html": "docs/index.rst",
        "auto_examples/index.html": "examples/GALLERY_HEADER.rst",
        **{page_of(path).as_posix(): path.relative_to(ROOT).as_posix() for path in example_paths()},
        **{f"auto_examples/{path.parent.name}/index.html": f"examples/{path.parent.name}/GALLERY_HEADER.rst"
           for path in example_paths()},
    }
    for name in page_names(site):
        links = [a["href"] for a in parse_html(site / name).select(".editthispage a")]
        if name in expected:
            assert links == [prefix + expected[name]], name
            assert (ROOT / expected[name]).is_file()
        else:
            assert links == [], f"{name} is generated: there is no file to edit"


def test_repository_builds_point_at_github_pages(site_for_a_repository):
    page = parse_html(site_for_a_repository / "index.html")
    og_url = page.select_one('meta[property="og:url"]')["content"]
    assert og_url == "https://an-owner.github.io/random-state/index.html"
    not_found = parse_html(site_for_a_repository / "404.html")
    stylesheets = [link["href"] for link in not_found.select('link[rel="stylesheet"]')]
    assert stylesheets and all(urlsplit(href).path.startswith("/random-state/") for href in stylesheets)
