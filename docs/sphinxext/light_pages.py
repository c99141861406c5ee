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
* The theme's stylesheet, Bootstrap included, is 300 KiB, of which a page
  here uses about a tenth. Once the pages are written, it keeps only the
  rules whose classes a page or a script names, in any state: dark mode,
  a phone's layout, an open menu, a tooltip. That drops the rules of
  every icon no page shows.
* Icons. The theme's CSS already draws its icons with the Font Awesome
  webfont, and the theme also loads Font Awesome's JavaScript to redraw
  them as SVG. docs/_templates/layout.html drops that script, and each
  icon font keeps only the glyphs that the remaining CSS can draw. The
  stylesheet and the fonts are rebuilt from the theme's own files on every
  build, so a newly used class or icon is never missing.
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
# A class in a selector; and a word of a page or a script, which may be one.
CSS_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
WORD = re.compile(r"[\w-]+")
# At-rules that hold rules, which are trimmed like the top level's.
GROUPING_RULES = ("@media", "@supports", "@layer", "@container")
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
    # A gallery's images, and its sections' (auto_examples/SECTION/images)
    return [folder for gallery in galleries
            for folder in sorted(Path(app.srcdir, gallery).glob("**/images")) if folder.is_dir()]


def optimise_gallery_images(app):
    converted = 0
    for folder in gallery_image_folders(app):
        for path in sorted(folder.rglob("*.png")):
            converted += palette_png(path)
    if converted:
        logger.info(f"light_pages: {converted} gallery images turned into palette PNGs")


# -- The theme's stylesheet ----------------------------------------------------


def site_words(outdir):
    """Every word of the pages and of the scripts they load.

    Every class that a page or a script can give an element is one of these
    words: the set is larger than the classes in use (text has words too),
    never smaller. fontawesome.js, which names every icon, is loaded by no
    page (layout.html) and is left out.
    """
    words = set()
    for path in outdir.rglob("*"):
        if path.suffix == ".html" or (path.suffix == ".js" and path.name != "fontawesome.js"):
            words.update(WORD.findall(path.read_text(encoding="utf-8", errors="replace")))
    return words


def skip_string(css, index):
    """The index just after the CSS string that starts at index."""
    quote, index = css[index], index + 1
    while index < len(css) and css[index] != quote:
        index += 2 if css[index] == "\\" else 1
    return index + 1


def css_blocks(css):
    """The top-level pieces of css, in order, as (prelude, body): a rule, or
    an at-rule with a block, has the body between its braces; a comment, a
    statement (@import ...;) or trailing text has None."""
    blocks, start, depth, index = [], 0, 0, 0
    while index < len(css):
        character = css[index]
        if character in "\"'":
            index = skip_string(css, index)
            continue
        if css.startswith("/*", index):
            end = css.find("*/", index + 2)
            end = len(css) if end < 0 else end + 2
            if depth == 0 and not css[start:index].strip():  # between rules
                blocks.append((css[start:end], None))
                start = end
            index = end
            continue
        if character == "\\":
            index += 1
        elif character == "{":
            depth += 1
            opened = index if depth == 1 else opened
        elif character == "}":
            depth -= 1
            if depth == 0:
                blocks.append((css[start:opened], css[opened + 1:index]))
                start = index + 1
        elif character == ";" and depth == 0:
            blocks.append((css[start:index + 1], None))
            start = index + 1
        index += 1
    if css[start:].strip():
        blocks.append((css[start:], None))
    return blocks


def selectors_of(prelude):
    """The selectors of a rule's prelude, each as (selector, outside): the
    text outside its brackets and strings, where a class must be present
    for the selector to match (one inside :not(...) or [...] need not)."""
    selectors, begin, outside, depth, index = [], 0, [], 0, 0
    while index < len(prelude):
        character = prelude[index]
        if character in "\"'":
            index = skip_string(prelude, index)
            continue
        if character == "\\":  # an escaped character, kept as it is
            outside.append(prelude[index:index + 2] if depth == 0 else "")
            index += 2
            continue
        if character in "([":
            depth += 1
        elif character in ")]":
            depth -= 1
        elif character == "," and depth == 0:
            selectors.append((prelude[begin:index], "".join(outside)))
            begin, outside = index + 1, []
        elif depth == 0:
            outside.append(character)
        index += 1
    return [*selectors, (prelude[begin:], "".join(outside))]


def trim_unused_rules(css, words):
    """css without the selectors that need a class which is not in words.

    A rule goes when none of its selectors is left; a grouping at-rule
    (@media ...) when none of its rules is. A class counts as present when
    a word ending in "-" begins it: a script completes such a prefix
    (Bootstrap's "bs-tooltip-" + placement). At-rules that hold no rules
    (@font-face, @keyframes), comments, and selectors with no class or an
    escaped one stay.
    """
    prefixes = tuple(word for word in words if word.endswith("-") and len(word) > 2)

    def can_match(outside):
        if "\\" in outside:  # an escaped name (.md\:flex): not worth reading
            return True
        return all(name in words or name.startswith(prefixes) for name in CSS_CLASS.findall(outside))

    kept = []
    for prelude, body in css_blocks(css):
        head = prelude.strip()
        if body is None:
            kept.append(prelude)
        elif head.startswith(GROUPING_RULES):
            inner = trim_unused_rules(body, words)
            if inner.strip():
                kept.append(f"{prelude}{{{inner}}}")
        elif head.startswith("@"):
            kept.append(f"{prelude}{{{body}}}")
        else:
            selectors = [selector for selector, outside in selectors_of(prelude) if can_match(outside)]
            if selectors:
                kept.append(f"{','.join(selectors)}{{{body}}}")
    return "".join(kept)


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


def trim_theme_stylesheet(app):
    """The theme's stylesheet, rebuilt from its source on every build, keeps
    only the rules the site can use; the icon fonts, only the glyphs that
    the remaining stylesheets can draw."""
    source = theme_static_folder(app)
    if source is None:  # not the pydata theme: nothing to trim
        return
    outdir = Path(app.outdir)
    static = outdir / "_static"
    css = (source / THEME_CSS).read_text(encoding="utf-8")
    css = SOURCE_MAP.sub("", trim_unused_rules(css, site_words(outdir)))
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
    trim_theme_stylesheet(app)
    minify_static(Path(app.outdir) / "_static")


def setup(app):
    # After sphinx-gallery (priority 500) has run the examples and saved
    # their figures, before Sphinx reads the pages that show them.
    app.connect("builder-inited", optimise_gallery_images, priority=900)
    # After the theme has written its pygments.css (build-finished, 500).
    app.connect("build-finished", lighten_static_files, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
