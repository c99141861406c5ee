"""Light pages that lose nothing (docs/sphinxext/light_pages.py).

The figures become palette PNGs that still look the same; pages stop loading
Font Awesome's script and the search index; the theme's stylesheet keeps
every rule a page can use, and its icon fonts every icon a page shows
(test_browser.py compares pages drawn with it and with the whole file).
The benchmark (make bench) measures the bytes saved; these tests check that
nothing was lost on the way.
"""

import io
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pydata_sphinx_theme
import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops

from conftest import html_pages, import_sphinxext, parse_html

light_pages = import_sphinxext("light_pages")

STATIC = "_static"
THEME_CSS = light_pages.THEME_CSS
ICON_FONTS = light_pages.ICON_FONTS


@pytest.fixture(scope="module")
def theme_static():
    """The theme's own, untrimmed static files."""
    return Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static"


# Font Awesome's icon classes are rules of one declaration, for example
# .fa-plus,.fa-add{--fa:"\+"} (the theme's CSS is minified).
ICON_RULE = re.compile(r"((?:\.fa-[\w-]+,)*\.fa-[\w-]+)\{--fa:" + light_pages.CSS_STRING + r"\}")


def icon_rules(css):
    """{class: the characters its icon draws} for every Font Awesome icon rule in css."""
    rules = {}
    for rule in ICON_RULE.finditer(css):
        characters = light_pages.decode_css_string(re.search(light_pages.CSS_STRING, rule.group(0)).group(0))
        for selector in rule.group(1).split(","):
            rules[selector[1:]] = characters
    return rules


def font_characters(folder):
    characters = {}
    for path in sorted(folder.glob("*.woff2")):
        characters[path.name] = {chr(code) for code in TTFont(path).getBestCmap()}
    return characters


# -- Figures ---------------------------------------------------------------------


def heatmap_png():
    """A figure drawn like the gallery's: a colormap, numbers, a highlight, text."""
    rng = np.random.default_rng(0)
    values = rng.integers(0, 100, size=(5, 5))
    fig, ax = plt.subplots(figsize=(4, 3), facecolor="white")
    ax.imshow(values, cmap="Blues", vmin=0, vmax=100)
    for (row, column), value in np.ndenumerate(values):
        ax.text(column, row, str(value), ha="center", va="center", color="black" if value < 60 else "white")
    ax.add_patch(plt.Rectangle((-0.5, 0.5), 5, 1, fill=False, edgecolor="#b5400a", linewidth=2.5))
    ax.set_title("draws per task")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return buffer.getvalue()


def test_palette_png_is_smaller_and_looks_the_same(tmp_path):
    path = tmp_path / "figure.png"
    path.write_bytes(heatmap_png())
    original = Image.open(path).convert("RGB")
    size_before = path.stat().st_size

    assert light_pages.palette_png(path) is True
    converted = Image.open(path)
    assert converted.mode == "P"
    assert path.stat().st_size < 0.6 * size_before
    difference = np.asarray(ImageChops.difference(original, converted.convert("RGB")), dtype=float)
    # Each pixel keeps its colour to within a few levels out of 255.
    assert difference.mean() < 1.0
    assert np.percentile(difference.max(axis=2), 99.9) < 24
    # Exact colours stay exact: the white background, the highlight.
    rgb = converted.convert("RGB")
    assert rgb.getpixel((0, 0)) == (255, 255, 255)
    assert (0xB5, 0x40, 0x0A) in {colour for _, colour in rgb.getcolors(256)}
    # Converting again is a no-op: a build never degrades a figure twice.
    assert light_pages.palette_png(path) is False


def test_palette_png_keeps_transparency(tmp_path):
    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    image.paste((200, 30, 30, 255), (16, 16, 48, 48))
    noisy = np.asarray(image).copy()
    noisy[..., :3] = np.clip(noisy[..., :3] + np.random.default_rng(1).integers(0, 3, (64, 64, 3)), 0, 255)
    path = tmp_path / "transparent.png"
    Image.fromarray(noisy, "RGBA").save(path)
    light_pages.palette_png(path)
    with Image.open(path) as png:
        rgba = png.convert("RGBA")
    assert rgba.getpixel((0, 0))[3] == 0
    assert rgba.getpixel((32, 32))[3] == 255


def test_every_gallery_image_on_the_site_is_a_palette_png(site):
    images = sorted((site / "_images").glob("*.png"))
    assert len(images) >= 3 * 8  # a figure, its 2x version and a thumbnail per example
    for path in images:
        with Image.open(path) as png:
            assert png.mode == "P", path.name


# -- Scripts -----------------------------------------------------------------------


def loaded_scripts(page):
    return [script["src"].split("?")[0] for script in parse_html(page).select("script[src]")]


def test_pages_load_neither_the_icon_script_nor_the_search_index(site):
    for page in html_pages(site):
        scripts = loaded_scripts(page)
        assert not any(src.endswith("fontawesome.js") for src in scripts), page
        if page.name != "search.html":
            assert not any(src.endswith(("searchindex.js", "searchtools.js")) for src in scripts), page
    assert any(src.endswith("searchindex.js") for src in loaded_scripts(site / "search.html"))


# -- Icons ---------------------------------------------------------------------------


def test_every_icon_a_page_uses_keeps_its_rule_and_its_glyph(site, theme_static):
    theme_icons = icon_rules((theme_static / THEME_CSS).read_text(encoding="utf-8"))
    served_icons = icon_rules((site / STATIC / THEME_CSS).read_text(encoding="utf-8"))
    served_glyphs = set().union(*font_characters(site / STATIC / ICON_FONTS).values())
    used = light_pages.site_words(site) & set(theme_icons)
    # The theme's header, sidebars and notes use at least these.
    assert {"fa-magnifying-glass", "fa-sun", "fa-moon", "fa-bars"} <= used
    for icon in sorted(used):
        assert served_icons.get(icon) == theme_icons[icon], icon
        assert set(served_icons[icon]) <= served_glyphs, icon
    # Icons no page uses are gone: the stylesheet lost most of its rules.
    assert len(served_icons) < len(theme_icons) / 10


def test_icon_fonts_keep_every_glyph_the_stylesheets_can_draw(site, theme_static):
    """Icons drawn by the CSS itself (notes, links, toggles) keep their glyphs."""
    css = [path.read_text(encoding="utf-8") for path in sorted((site / STATIC).rglob("*.css"))]
    drawable = {chr(code) for code in light_pages.drawable_codepoints(css)}
    theme_fonts = font_characters(theme_static / ICON_FONTS)
    served_fonts = font_characters(site / STATIC / ICON_FONTS)
    assert served_fonts.keys() == theme_fonts.keys()
    for name, characters in theme_fonts.items():
        assert drawable & characters <= served_fonts[name], name
        assert served_fonts[name] <= characters
    # The notes' icon (info circle, U+F05A) is drawn by the CSS, not by a class.
    assert "\uf05a" in served_fonts["fa-solid-900.woff2"]


def test_trim_unused_rules_keeps_what_a_page_or_a_script_can_use():
    css = (
        "/*! licence */"
        '.used{color:red}.unused{color:blue}.used .unused,.used>p{margin:0}'
        '.used:not(.unused){top:0}[class*=unused]{left:0}'
        "@media (min-width:540px){.unused{color:green}}"
        '@media print{.used{color:black}.unused{color:grey}}'
        '@font-face{font-family:x}@keyframes spin{0%{top:0}to{top:1px}}'
        '.used::before{content:"}{.unused"}.bs-tooltip-top{top:0}.md\\:wide{width:1px}'
        "html[data-theme=dark] .used{color:white}"
    )
    words = {"used", "p", "bs-tooltip-"}  # what pages and scripts name

    trimmed = light_pages.trim_unused_rules(css, words)

    assert trimmed == (
        "/*! licence */"
        ".used{color:red}.used>p{margin:0}"
        ".used:not(.unused){top:0}[class*=unused]{left:0}"
        "@media print{.used{color:black}}"
        "@font-face{font-family:x}@keyframes spin{0%{top:0}to{top:1px}}"
        '.used::before{content:"}{.unused"}.bs-tooltip-top{top:0}.md\\:wide{width:1px}'
        "html[data-theme=dark] .used{color:white}"
    )
    # Nothing to drop: the stylesheet comes back byte for byte.
    everything = words | {"unused", "md"}
    assert light_pages.trim_unused_rules(css, everything) == css


def test_the_theme_stylesheet_shrinks_and_keeps_every_class_the_pages_use(site, theme_static):
    theme = (theme_static / THEME_CSS).read_text(encoding="utf-8")
    served = (site / STATIC / THEME_CSS).read_text(encoding="utf-8")
    assert len(served) < len(theme) / 2
    # Every class that an element of a page has, and that the theme styles
    # by itself (.name, .name:hover), is still styled so.
    alone = re.compile(r"(?<=[{},])\.([\w-]+)(?=[{,:])")
    theme_classes, served_classes = set(alone.findall(theme)), set(alone.findall(served))
    assert {"bd-header", "bd-sidebar-primary", "admonition"} <= theme_classes
    for page in html_pages(site):
        for element in parse_html(page).select("[class]"):
            for name in element["class"]:
                assert name not in theme_classes or name in served_classes, (page.name, name)


def test_the_theme_source_map_is_not_served_for_a_trimmed_stylesheet(site):
    css = (site / STATIC / THEME_CSS).read_text(encoding="utf-8")
    assert "sourceMappingURL" not in css
    assert not (site / STATIC / THEME_CSS).with_suffix(".css.map").exists()



# -- Stylesheets and scripts ---------------------------------------------------------


def test_minify_keeps_licences_and_skips_what_is_minified_already(tmp_path):
    script = "/*! licence: keep me */\n// a comment\nfunction add(first, second) {\n    return first + second;\n}\n"
    style = "/*! licence */\n/* a comment */\nbody {\n    color: black;\n}\n"
    (tmp_path / "scripts").mkdir()
    files = {"tool.js": script, "tool.css": style, "lib.min.js": script, "scripts/bundle.js": script}
    for name, text in files.items():
        (tmp_path / name).write_text(text)

    light_pages.minify_static(tmp_path)

    minified_script = (tmp_path / "tool.js").read_text()
    assert "licence: keep me" in minified_script and "a comment" not in minified_script
    assert len(minified_script) < len(script)
    minified_style = (tmp_path / "tool.css").read_text()
    assert "/*! licence */" in minified_style and "a comment" not in minified_style
    assert "body{color:black}" in minified_style
    assert (tmp_path / "lib.min.js").read_text() == script
    assert (tmp_path / "scripts" / "bundle.js").read_text() == script


def test_the_site_serves_every_stylesheet_and_script_minified(site):
    """Minifying a served file again gains nothing; Sphinx's doctools.js did shrink."""
    import sphinx

    static = site / STATIC
    checked = []
    for path in sorted(static.rglob("*")):
        minify = light_pages.MINIFIERS.get(path.suffix)
        if minify is None or ".min." in path.name or path.relative_to(static).parts[0] in light_pages.MINIFIED_FOLDERS:
            continue
        text = path.read_text(encoding="utf-8")
        assert len(minify(text)) == len(text), path.name
        checked.append(path.name)
    # pygments.css is written by the theme after the others: it is minified too.
    assert {"pygments.css", "basic.css", "doctools.js", "copybutton.js", "custom.css"} <= set(checked)
    shipped = Path(sphinx.__file__).parent / "themes" / "basic" / "static" / "doctools.js"
    assert len((static / "doctools.js").read_text()) < 0.8 * len(shipped.read_text())
