"""The gallery's figures as a phone and a desktop show them, in light and dark.

A figure's labels are drawn at 10 points, 14 pixels at the 100 dpi it is
saved at. A phone that shows the figure narrower than it was saved shrinks
them; below 60% they fall under 8 CSS pixels and cannot be read. The tests
open every gallery page that has a figure at 390 px, and measure

    shown width / pixel width of the image the browser picked * its dpi / 100

for every figure, at a device pixel ratio of 1 (a lower dpi would shrink
the text, so it counts against the figure). In dark mode, each figure
shows its dark version (docs/sphinxext/figures.py) and the page loads no
light one; in light mode, no dark one.

Run as a script, it prints the ratios of a built site:
``python tests/test_figures_on_a_phone.py [build/html]``.
"""

import io
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))
from conftest import SITE, example_paths, html_pages, parse_html  # noqa: E402
sys.path.insert(0, str(Path(__file__).parent.parent / "docs" / "sphinxext"))
import thumbnails  # noqa: E402  (docs/sphinxext: the thumbnails the build makes)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LEGIBLE = 0.6  # 10-point text stays at least 8 CSS px tall
FIGURES = "img.sphx-glr-single-img, img.sphx-glr-multi-img"


def gallery_pages_with_figures(site):
    return [str(page.relative_to(site)) for page in html_pages(site)
            if page.relative_to(site).parts[0] == "auto_examples" and parse_html(page).select(FIGURES)]


PAGES = gallery_pages_with_figures(SITE) if SITE.is_dir() else []

# Every figure loaded and decoded (they load lazily), then what the browser
# chose for each: the URL it picked and the width it shows it at.
SHOWN_FIGURES = """async (selector) => {
    const figures = [...document.querySelectorAll(selector)];
    figures.forEach(image => { image.loading = 'eager'; });
    await Promise.all(figures.map(image => image.decode().catch(() => null)));
    return figures.map(image => ({src: image.currentSrc,
                                  shown: image.getBoundingClientRect().width}));
}"""


def local_file(site, url):
    return Path(site) / unquote(urlsplit(url).path).lstrip("/")


def pixel_width_and_dpi(path):
    with Image.open(path) as png:
        dpi = png.info.get("dpi", (72, 72))[0]  # PNG's default: no pHYs chunk
        return png.width, round(dpi)


def measure(browser, base_url, site, name, viewport, color_scheme="light"):
    """[(file name, shown width, pixel width, dpi, ratio)] for each figure of
    the page, and the image files the page requested."""
    requested = []
    page, problems = browser.visit(base_url + name, color_scheme=color_scheme, viewport=viewport)
    try:
        page.on("request", lambda request: request.url.endswith(".png") and requested.append(request.url))
        shown = page.evaluate(SHOWN_FIGURES, FIGURES)
        page.wait_for_load_state("networkidle")
        rows = []
        for figure in shown:
            width, dpi = pixel_width_and_dpi(local_file(site, figure["src"]))
            rows.append((figure["src"].rsplit("/", 1)[-1], figure["shown"], width, dpi,
                         figure["shown"] / width * dpi / 100))
        return rows, problems, page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    finally:
        page.context.close()


@pytest.mark.parametrize("name", PAGES)
def test_every_figure_is_legible_on_a_phone(browser, served_site, site, name):
    rows, problems, _ = measure(browser, served_site.url, site, name, PHONE)
    assert problems == []
    assert rows
    for file_name, shown, width, dpi, ratio in rows:
        assert "_dark" not in file_name and "_2_00x" not in file_name, file_name  # DPR 1, light
        assert ratio >= LEGIBLE, (file_name, shown, width, dpi)


@pytest.mark.parametrize("name", PAGES)
def test_a_desktop_shows_every_figure_at_its_size(browser, served_site, site, name):
    """At 1280 px, the light 1x image, shown at its natural size: figures
    are drawn narrower than the article column."""
    rows, problems, loaded = measure(browser, served_site.url, site, name, DESKTOP)
    assert problems == []
    for file_name, shown, width, dpi, ratio in rows:
        assert "_dark" not in file_name and "_2_00x" not in file_name, file_name
        assert shown == pytest.approx(width, abs=1) and dpi == 100, file_name
    assert not [url for url in loaded if "_dark" in url], "light mode loads no dark figure"


def core_page():
    """The core example's page, wherever the gallery's sections put it."""
    return next(name for name in PAGES if name.endswith("/plot_random_state_in_parallel.html"))


def page_background(page):
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_dark_mode_shows_the_dark_figures_and_passes_axe(browser, served_site, site, viewport):
    """In dark mode every figure is its dark version, on the page's own
    background (no white card), not dimmed by the theme; the page loads
    no light figure and stays accessible."""
    from test_browser import assert_loads_cleanly_and_passes_axe

    page, problems = browser.visit(served_site.url + core_page(), color_scheme="dark", viewport=viewport)
    try:
        shown = page.evaluate(SHOWN_FIGURES, FIGURES)
        assert len(shown) >= 3
        for figure in shown:
            assert figure["src"].endswith("_dark.png"), figure
            assert figure["shown"] / pixel_width_and_dpi(local_file(site, figure["src"]))[0] >= (
                LEGIBLE if viewport == PHONE else 0.99)
        filters = page.evaluate(f"[...document.querySelectorAll('{FIGURES}')].map(i => getComputedStyle(i).filter)")
        assert set(filters) == {"none"}
        # The figure's corner is the page's background colour.
        background = tuple(int(part) for part in page_background(page)[4:-1].split(","))
        first = page.locator(FIGURES).first
        first.scroll_into_view_if_needed()
        with Image.open(io.BytesIO(first.screenshot())) as shot:
            assert shot.convert("RGB").getpixel((2, 2)) == background
        loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
        assert not [url for url in loaded if "sphx_glr" in url and url.endswith(".png")
                    and "_dark" not in url and "thumb" not in url]
        assert_loads_cleanly_and_passes_axe(browser, page, problems, "dark")
    finally:
        page.context.close()


def test_the_theme_switch_swaps_the_figures(browser, served_site):
    """The theme's own button, not only the system's preference: switching
    to dark shows the dark figures, and back to light the light ones."""
    page, problems = browser.visit(served_site.url + core_page())
    try:
        assert all(not f["src"].endswith("_dark.png") for f in page.evaluate(SHOWN_FIGURES, FIGURES))
        page.evaluate("document.documentElement.dataset.theme = 'dark'")
        page.wait_for_function(
            f"[...document.querySelectorAll('{FIGURES}')].every(i => i.currentSrc.endsWith('_dark.png'))")
        page.evaluate("document.documentElement.dataset.theme = 'light'")
        page.wait_for_function(
            f"[...document.querySelectorAll('{FIGURES}')].every(i => !i.currentSrc.endsWith('_dark.png'))")
        assert problems == []
    finally:
        page.context.close()


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_the_gallery_cards_show_the_thumbnails_of_the_mode(browser, served_site, color_scheme):
    page, problems = browser.visit(served_site.url + "auto_examples/index.html", color_scheme=color_scheme)
    try:
        shown = page.evaluate(SHOWN_FIGURES, ".sphx-glr-thumbcontainer img")
        assert len(shown) >= 10
        for thumbnail in shown:
            assert thumbnail["src"].endswith("_dark.png") == (color_scheme == "dark"), thumbnail
        loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
        dark = color_scheme == "dark"
        other = [url for url in loaded if url.endswith(".png") and url.endswith("_dark.png") != dark]
        assert other == []  # the other mode's thumbnails are not downloaded
        assert problems == []
    finally:
        page.context.close()


# -- The gallery's thumbnails --------------------------------------------------


def test_a_thumbnail_is_the_top_left_of_its_figure_at_most_of_its_size(tmp_path):
    """thumbnails.py keeps the figure's top left, CROP_WIDTH pixels across,
    shrunk to the card's 400 px: a 10-point label stays at SCALE of its size."""
    import numpy as np

    figure = np.full((460, 560, 3), 255, np.uint8)
    figure[:20, :20] = (200, 0, 0)  # a mark in the top left corner
    figure[-20:, -10:] = (0, 0, 200)  # and one the crop leaves out
    Image.fromarray(figure).save(tmp_path / "figure.png")
    thumbnails.readable_thumbnail(tmp_path / "figure.png", tmp_path / "thumb.png")
    with Image.open(tmp_path / "thumb.png") as thumb:
        pixels = np.asarray(thumb.convert("RGB")).astype(int)
    assert pixels.shape == (280, 400, 3)
    assert thumbnails.SCALE >= 0.7
    assert (abs(pixels[5, 5] - (200, 0, 0)) < 20).all()  # at the top left, 20 px * SCALE wide
    assert not ((pixels[:, :, 2] > 150) & (pixels[:, :, 0] < 50)).any()  # the bottom right is cut


def test_the_built_thumbnails_are_the_figures_top_left(site, tmp_path):
    made = 0
    for thumb in sorted((site / "_images").glob("sphx_glr_*_thumb.png")):
        figure = thumb.with_name(thumb.name.replace("_thumb.png", "_001.png"))
        if not figure.is_file():  # drawn for the card, from a file
            continue
        thumbnails.readable_thumbnail(figure, tmp_path / thumb.name)
        thumbnails.palette_png(tmp_path / thumb.name)
        with Image.open(thumb) as built, Image.open(tmp_path / thumb.name) as expected:
            assert built.convert("RGB").tobytes() == expected.convert("RGB").tobytes(), thumb.name
        made += 1
    assert made >= 15


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_gallery_thumbnails_are_legible_at_card_size(browser, served_site, viewport):
    """Each card shows its thumbnail wide enough that the figure's text is
    at LEGIBLE of its size or more: a thumbnail made from a figure holds it
    at thumbnails.SCALE; one drawn for the card, at its own size."""
    page, problems = browser.visit(served_site.url + "auto_examples/index.html", viewport=viewport)
    try:
        shown = page.evaluate(SHOWN_FIGURES, ".sphx-glr-thumbcontainer img")
        assert len(shown) == len(example_paths())
        for thumbnail in shown:
            path = local_file(SITE, thumbnail["src"])
            from_figure = path.with_name(path.name.replace("_thumb.png", "_001.png")).is_file()
            with Image.open(path) as png:
                ratio = thumbnail["shown"] / png.width * (thumbnails.SCALE if from_figure else 1)
            assert ratio >= LEGIBLE, (path.name, round(ratio, 2))
        assert problems == []
    finally:
        page.context.close()


if __name__ == "__main__":  # the ratios of a built site, at 390 px
    from browser import Browser, SiteServer

    site = Path(sys.argv[1] if len(sys.argv) > 1 else SITE).resolve()
    chromium = Browser()
    try:
        with SiteServer(site) as server:
            for name in gallery_pages_with_figures(site):
                rows, problems, _ = measure(chromium, server.url, site, name, PHONE)
                for file_name, shown, width, dpi, ratio in rows:
                    print(f"{ratio:5.2f}  {file_name}  shown {shown:.0f} px of {width} px at {dpi} dpi")
    finally:
        chromium.close()
