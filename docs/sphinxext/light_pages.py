"""Make the pages lighter without taking anything away from what they show.

With the theme's and sphinx-gallery's defaults, most of the bytes a gallery
page loads are spent on things the page does not use (the figures are in
benchmarks/bench.py's report, BENCHMARKS.md):

* Figures. matplotlib writes 32-bit RGBA PNGs. The gallery's figures are flat
  colours, lines and antialiased text, which a 256-colour palette renders
  the same at about a third of the size. Every PNG sphinx-gallery wrote
  (figures, their 2x versions, thumbnails) is converted once, just after the
  examples have run; a converted file is recognised by its palette mode and
  left alone.
* Icons. The theme's CSS already draws its icons with the Font Awesome
  webfont, and the theme also loads Font Awesome's JavaScript to redraw
  them as SVG. docs/_templates/layout.html drops that script. Here, once
  the pages are written, the theme's stylesheet keeps only the icon classes
  the pages (or the theme's scripts) use, and each icon font only the
  glyphs that the remaining CSS can draw. Both are rebuilt from the theme's
  own files on every build, so a newly used icon is never missing.
* Search. The search index is loaded by the search page only (layout.html).
* Stylesheets and scripts that Sphinx and its extensions ship unminified
  are minified with rcssmin and rjsmin, licence comments kept; the theme's
  own bundles are minified already.
"""

import logging
import re
from pathlib import Path

import numpy as np
import rcssmin
import rjsmin
from fontTools import subset
from fontTools.ttLib import TTFont
from PIL import Image
from sphinx.util import logging as sphinx_logging

THEME_CSS = Path("styles") / "pydata-sphinx-theme.css"
ICON_FONTS = Path("vendor") / "fontawesome" / "webfonts"
# A CSS string: "..." with backslash escapes.
CSS_STRING = r'"(?:[^"\\]|\\.)*"'
# Font Awesome's icon classes are rules of one declaration, for example
# .fa-plus,.fa-add{--fa:"\+"} (the theme's CSS is minified).
ICON_RULE = re.compile(r"((?:\.fa-[\w-]+,)*\.fa-[\w-]+)\{--fa:" + CSS_STRING + r"\}")
ICON_CLASS = re.compile(r"\bfa-[a-z0-9-]+")
ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6}) ?|\\(.)", re.DOTALL)
SOURCE_MAP = re.compile(r"/\*# sourceMappingURL=[^*]*\*/\s*$")

logger = sphinx_logging.getLogger(__name__)


# -- Figures ---------------------------------------------------------------------


def palette_png(path):
    """Rewrite the PNG at path with a 256-colour palette when that is smaller.

    Returns True when the file was rewritten.
    """
    with Image.open(path) as image:
        if image.mode in ("P", "L", "1"):
            return False
        image.load()
        info = {key: image.info[key] for key in ("dpi",) if key in image.info}
    opaque = image.mode != "RGBA" or image.getchannel("A").getextrema() == (255, 255)
    source = image.convert("RGB" if opaque else "RGBA")
    # Of Pillow's quantizers, fast octree gave the smallest files on the
    # gallery's figures; no dithering, which would speckle flat colours.
    reduced = source.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    reduced.putpalette(most_common_colours(source, reduced), rawmode=source.mode)
    staged = path.with_name(path.name + ".tmp")
    reduced.save(staged, format="PNG", optimize=True, **info)
    if staged.stat().st_size < path.stat().st_size:
        staged.replace(path)
        return True
    staged.unlink()
    return False


def most_common_colours(source, reduced):
    """The palette that gives each entry the commonest colour of its pixels.

    The quantizer paints each group of similar colours with their average,
    which turns a white background into (254, 254, 254) and blurs the exact
    colours a figure was drawn with; the commonest colour keeps them exact.
    """
    channels = len(source.mode)
    pixels = np.asarray(source, dtype=np.uint64).reshape(-1, channels)
    colours = np.zeros(len(pixels), dtype=np.uint64)
    for channel in range(channels):
        colours = (colours << np.uint64(8)) | pixels[:, channel]
    entries = np.asarray(reduced, dtype=np.uint64).reshape(-1)
    keys, counts = np.unique((entries << np.uint64(32)) | colours, return_counts=True)
    # For each palette entry (keys are sorted by entry), its most frequent colour.
    order = np.lexsort((-counts, keys >> np.uint64(32)))
    first = np.unique(keys[order] >> np.uint64(32), return_index=True)[1]
    palette = bytearray(reduced.getpalette(rawmode=source.mode))
    for key in keys[order][first]:
        entry, colour = int(key >> np.uint64(32)), int(key & np.uint64(0xFFFFFFFF))
        palette[entry * channels:(entry + 1) * channels] = colour.to_bytes(channels, "big")
    return bytes(palette)


def gallery_image_folders(app):
    galleries = app.config.sphinx_gallery_conf["gallery_dirs"]
    if isinstance(galleries, str):
        galleries = [galleries]
    return [Path(app.srcdir) / gallery / "images" for gallery in galleries]


def optimise_gallery_images(app):
    converted = 0
    for folder in gallery_image_folders(app):
        for path in sorted(folder.rglob("*.png")):
            converted += palette_png(path)
    if converted:
        logger.info(f"light_pages: {converted} gallery images turned into palette PNGs")


# -- Icons -------------------------------------------------------------------------


def used_icon_classes(outdir):
    """Every fa-* class named by a page, or by a script the pages load."""
    used = set()
    for path in outdir.rglob("*"):
        if path.suffix == ".html" or (path.suffix == ".js" and path.name != "fontawesome.js"):
            used.update(ICON_CLASS.findall(path.read_text(encoding="utf-8", errors="replace")))
    return used


def trim_icon_rules(css, used):
    """css without the icon rules of which no class is in used."""

    def keep_if_used(rule):
        selectors = {selector[1:] for selector in rule.group(1).split(",")}
        return rule.group(0) if selectors & used else ""

    return SOURCE_MAP.sub("", ICON_RULE.sub(keep_if_used, css))


def decode_css_string(text):
    def character(escape):
        hex_digits, literal = escape.groups()
        return chr(int(hex_digits, 16)) if hex_digits else literal

    return ESCAPE.sub(character, text[1:-1])


def drawable_codepoints(css_texts):
    """The characters the stylesheets can draw: every short CSS string's."""
    codepoints = set()
    for css in css_texts:
        for string in re.findall(CSS_STRING, css):
            characters = decode_css_string(string)
            # Icons are one character (two for duotone); longer strings are
            # font names, URLs and labels.
            if 0 < len(characters) <= 2:
                codepoints.update(ord(character) for character in characters)
    return codepoints


def subset_font(source, destination, codepoints):
    # Its INFO messages list every font table it prunes: noise in the build log.
    logging.getLogger("fontTools.subset").setLevel(logging.WARNING)
    options = subset.Options()
    options.flavor = "woff2"
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints & set(font.getBestCmap()))
    subsetter.subset(font)
    subset.save_font(font, destination, options)


def theme_static_folder(app):
    for theme_dir in app.builder.theme.get_theme_dirs():
        if (Path(theme_dir) / "static" / THEME_CSS).is_file():
            return Path(theme_dir) / "static"
    return None


def trim_icons(app):
    source = theme_static_folder(app)
    if source is None:  # not the pydata theme: nothing to trim
        return
    outdir = Path(app.outdir)
    static = outdir / "_static"
    css = trim_icon_rules((source / THEME_CSS).read_text(encoding="utf-8"), used_icon_classes(outdir))
    (static / THEME_CSS).write_text(css, encoding="utf-8")
    # The theme's source map describes the untrimmed stylesheet.
    (static / THEME_CSS).with_suffix(".css.map").unlink(missing_ok=True)
    codepoints = drawable_codepoints(
        path.read_text(encoding="utf-8") for path in sorted(static.rglob("*.css"))
    )
    for font in sorted((source / ICON_FONTS).glob("*.woff2")):
        subset_font(font, static / ICON_FONTS / font.name, codepoints)


# -- Stylesheets and scripts ----------------------------------------------------

MINIFIERS = {
    ".css": lambda text: rcssmin.cssmin(text, keep_bang_comments=True),
    ".js": lambda text: rjsmin.jsmin(text, keep_bang_comments=True),
}
# The theme's webpack bundles (scripts/, styles/) and *.min.* files are
# minified already.
MINIFIED_FOLDERS = {"scripts", "styles"}


def minify_static(static):
    for path in sorted(static.rglob("*")):
        minify = MINIFIERS.get(path.suffix)
        relative = path.relative_to(static)
        if minify is None or ".min." in path.name or relative.parts[0] in MINIFIED_FOLDERS:
            continue
        text = path.read_text(encoding="utf-8")
        minified = minify(text)
        if len(minified) < len(text):
            path.write_text(minified, encoding="utf-8")


def lighten_static_files(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    trim_icons(app)
    minify_static(Path(app.outdir) / "_static")


def setup(app):
    # After sphinx-gallery (priority 500) has run the examples and saved
    # their figures, before Sphinx reads the pages that show them.
    app.connect("builder-inited", optimise_gallery_images, priority=900)
    # After the theme has written its pygments.css (build-finished, 500).
    app.connect("build-finished", lighten_static_files, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
