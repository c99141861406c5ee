"""Figures that follow the site's theme: a dark version of each, shown in dark mode.

The examples draw their figures on white, with dark text, as matplotlib
does. In the theme's dark mode such a figure is a glaring white card. For
every gallery figure (its 2x version, its thumbnail), the build writes a
dark twin next to it in ``_images`` (``NAME_dark.png``), and each figure of
a page, each thumbnail of the gallery's cards, becomes a ``<picture>``
whose dark source matches only in dark mode:

* Its colours are the light figure's, each with its contrast against the
  page kept: a colour with contrast C against white becomes the colour of
  the same hue whose contrast against the dark page (#14181e) is C, as far
  as the screen can show it. White becomes the page's background, black
  text the lightest text, a pale cell a dark one, and text drawn on a cell
  keeps a contrast close to the one it had.
* The browser downloads only the source it shows: a light page loads no
  dark figure, and a dark page no light one (CSS that hid an ``<img>``
  would not stop its download).
* The theme can be switched by hand, away from the system's preference: a
  few lines of script set each dark source's media to follow the theme's
  ``data-theme`` attribute, and the browser swaps the images.

The figures keep their class and their link to the full-size (light)
image (page_decoration.figures_open_full_size); they get the theme's
``dark-light`` class, which tells it not to dim them or put them on white.
"""

import hashlib
import re
import shutil
from pathlib import Path

import numpy as np
from PIL import Image

DARK_BACKGROUND = "#14181e"  # pydata-sphinx-theme's --pst-color-background, dark
DARK_SUFFIX = "_dark"
FIGURE_LINK = re.compile(
    r'(<a class="sphx-glr-figure-link" href="[^"]*">)?'
    r'(<img (?=[^>]*class\s*=\s*"sphx-glr-(?:single|multi)-img")[^>]*>)(</a>)?')
# A card of the gallery's index: its thumbnail, drawn from the example's
# figure (or docs/_static/thumbnails).
THUMBNAIL = re.compile(r'(<div class="sphx-glr-thumbcontainer"[^>]*>)<img ([^>]*?)src="([^"]*\.png)"([^>]*)>')
# The dark sources follow the theme: "dark" shows them, "light" hides them,
# and "auto" (before the theme's script has run) leaves the system's
# preference in charge.
FOLLOW_THEME = """<script>(() => {
  const follow = () => {
    const theme = document.documentElement.dataset.theme;
    for (const source of document.querySelectorAll("source[data-dark-figure]")) {
      source.media = theme === "dark" ? "all" : theme === "light" ? "not all"
        : "(prefers-color-scheme: dark)";
    }
  };
  follow();
  new MutationObserver(follow).observe(document.documentElement,
                                       {attributes: true, attributeFilter: ["data-theme"]});
})();</script>"""


# -- Colours -------------------------------------------------------------------------


def linear(srgb):
    """sRGB in [0, 1] to linear light."""
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def gamma(light):
    light = np.clip(light, 0, 1)
    return np.where(light <= 0.0031308, 12.92 * light, 1.055 * light ** (1 / 2.4) - 0.055)


def luminance(light):
    return light @ np.array([0.2126, 0.7152, 0.0722])


# Björn Ottosson's OKLab (https://bottosson.github.io/posts/oklab/).
TO_LMS = np.array([[0.4122214708, 0.5363325363, 0.0514459929],
                   [0.2119034982, 0.6806995451, 0.1073969566],
                   [0.0883024619, 0.2817188376, 0.6299787005]])
LMS_TO_LAB = np.array([[0.2104542553, 0.7936177850, -0.0040720468],
                       [1.9779984951, -2.4285922050, 0.4505937099],
                       [0.0259040371, 0.7827717662, -0.8086757660]])


def oklab(light):
    return np.cbrt(light @ TO_LMS.T) @ LMS_TO_LAB.T


def from_oklab(lab):
    return (lab @ np.linalg.inv(LMS_TO_LAB).T) ** 3 @ np.linalg.inv(TO_LMS).T


def dark_colours(srgb8):
    """The dark-mode twin of each colour (an N x 3 array of 0..255)."""
    light = linear(srgb8 / 255)
    background = luminance(linear(np.array(hex_rgb(DARK_BACKGROUND)) / 255))
    # The contrast each colour has against white, kept against the background.
    contrast = 1.05 / (luminance(light) + 0.05)
    target = np.clip(contrast * (background + 0.05) - 0.05, 0, 1)
    lab = oklab(light)
    # Tinted as the background is, fully at its luminance, not at all at
    # white's: white becomes the background itself.
    tint = 1 - np.clip((target - background) / (1 - background), 0, 1)
    lab[:, 1:] += tint[:, None] * oklab(linear(np.array(hex_rgb(DARK_BACKGROUND)) / 255))[1:]
    # The OKLab lightness whose colour, same hue and chroma (clipped to the
    # screen's gamut), has the target luminance: found by bisection.
    low, high = np.zeros(len(lab)), np.ones(len(lab))
    for _ in range(40):
        middle = (low + high) / 2
        trial = np.column_stack([middle, lab[:, 1:]])
        brighter = luminance(np.clip(from_oklab(trial), 0, 1)) > target
        high, low = np.where(brighter, middle, high), np.where(brighter, low, middle)
    result = from_oklab(np.column_stack([(low + high) / 2, lab[:, 1:]]))
    return np.round(gamma(result) * 255).astype(np.uint8)


def hex_rgb(colour):
    return [int(colour[index:index + 2], 16) for index in (1, 3, 5)]


def write_dark_twin(source, destination):
    """Save destination: source's pixels with dark_colours, alpha kept, as
    a palette PNG like the light one (docs/sphinxext/light_pages.py)."""
    from light_pages import palette_png  # beside this file, on conf.py's path

    with Image.open(source) as image:
        info = {key: image.info[key] for key in ("dpi",) if key in image.info}
        rgba = np.asarray(image.convert("RGBA"))
    rgb = rgba[..., :3].reshape(-1, 3).astype(np.uint32)
    packed, inverse = np.unique(rgb[:, 0] << 16 | rgb[:, 1] << 8 | rgb[:, 2], return_inverse=True)
    colours = np.column_stack([packed >> 16, packed >> 8 & 255, packed & 255])
    dark = dark_colours(colours.astype(np.float64))[inverse.reshape(-1)]
    pixels = np.concatenate([dark.reshape(rgba.shape[:2] + (3,)), rgba[..., 3:]], axis=2)
    opaque = bool((rgba[..., 3] == 255).all())
    image = Image.fromarray(pixels[..., :3] if opaque else pixels, "RGB" if opaque else "RGBA")
    image.save(destination, format="PNG", **info)
    palette_png(Path(destination))


def dark_name(url):
    stem, dot, suffix = url.rpartition(".")
    return f"{stem}{DARK_SUFFIX}{dot}{suffix}"


def is_gallery_figure(path):
    return (path.name.startswith("sphx_glr_") and path.suffix == ".png"
            and not path.stem.endswith(DARK_SUFFIX))


def write_dark_figures(app, exception):
    """Sphinx's build-finished hook: a dark twin for every gallery figure in
    _images. Twins are kept between builds (the site is built afresh each
    time), under the doctrees folder, by the light figure's content."""
    if exception is not None or app.builder.format != "html":
        return
    cache = Path(app.doctreedir) / "dark_figures"
    cache.mkdir(parents=True, exist_ok=True)
    used = set()
    for path in sorted((Path(app.outdir) / "_images").glob("sphx_glr_*.png")):
        if not is_gallery_figure(path):
            continue
        kept = cache / f"{hashlib.sha256(path.read_bytes()).hexdigest()}.png"
        if not kept.exists():
            write_dark_twin(path, kept)
        shutil.copyfile(kept, path.with_name(dark_name(path.name)))
        used.add(kept)
    for stale in set(cache.glob("*.png")) - used:  # figures no page shows now
        stale.unlink()


# -- Pages ---------------------------------------------------------------------------


def dark_picture(match):
    """A figure (its link and image) as a <picture> with a dark source."""
    link, image, closing = match.group(1) or "", match.group(2), match.group(3) or ""
    srcset = re.search(r'srcset="([^"]*)"', image) or re.search(r'src="([^"]*)"', image)
    candidates = []
    for candidate in srcset[1].split(","):
        url, *density = candidate.split()
        candidates.append(" ".join([dark_name(url), *density]))
    size = "".join(re.findall(r'\s(?:width|height)="\d+"', image))
    image = re.sub(r'class\s*=\s*"', 'class="dark-light ', image, count=1)
    return (f'{link}<picture><source data-dark-figure media="(prefers-color-scheme: dark)" '
            f'srcset="{", ".join(candidates)}"{size}>{image}</picture>{closing}')


def dark_thumbnail(match):
    card, before, url, after = match.groups()
    return (f'{card}<picture><source data-dark-figure media="(prefers-color-scheme: dark)" '
            f'srcset="{dark_name(url)}"><img class="dark-light" {before}src="{url}"{after}></picture>')


def figures_follow_the_theme(app, pagename, templatename, context, doctree):
    """Sphinx's html-page-context hook, after page_decoration's: each figure of
    an example, and each thumbnail of the gallery's cards, gets its dark
    source, and the page the script that keeps them in step with the
    theme."""
    if "body" not in context or not pagename.startswith("auto_examples/"):
        return
    body, figures = FIGURE_LINK.subn(dark_picture, context["body"])
    body, thumbnails = THUMBNAIL.subn(dark_thumbnail, body)
    if figures or thumbnails:
        context["body"] = body + FOLLOW_THEME


def setup(app):
    # After page_decoration.figures_open_full_size (priority 500), which adds
    # each figure's link and size.
    app.connect("html-page-context", figures_follow_the_theme, priority=600)
    app.connect("build-finished", write_dark_figures)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
