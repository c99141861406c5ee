"""Gallery thumbnails that can be read at card size: a Sphinx extension.

sphinx-gallery makes each card's thumbnail by shrinking the example's
first figure, whole, into 400 x 280 pixels: a figure drawn 5.6 inches wide
then shows its 10-point text at about 5 pixels on a card. Here the
thumbnail is instead the top left of that figure (its title and the start
of its first panel), ``CROP_WIDTH`` pixels of it across, so that its text
is shown at ``SCALE`` of its size; custom.css gives the cards the room to
show the thumbnail at nearly its full width (one card a row on a phone).
Thumbnails taken from a file (``sphinx_gallery_thumbnail_path``) are drawn
for the card already and stay as they are.
"""

import hashlib
import shutil
from pathlib import Path

from PIL import Image

from light_pages import palette_png

THUMBNAIL = (400, 280)  # conf.py's thumbnail_size
CROP_WIDTH = 540  # pixels of the figure (at 100 dpi: 5.4 of its 5.6 inches)
SCALE = THUMBNAIL[0] / CROP_WIDTH  # 0.74: the thumbnail's text at 74% of its size


def readable_thumbnail(figure, thumbnail):
    """Write to thumbnail the top left of figure, shrunk by SCALE, on white."""
    with Image.open(figure) as drawn:
        drawn = drawn.convert("RGB")
        height = round(THUMBNAIL[1] / SCALE)
        top_left = drawn.crop((0, 0, min(CROP_WIDTH, drawn.width), min(height, drawn.height)))
    shrunk = top_left.resize((round(top_left.width * SCALE), round(top_left.height * SCALE)), Image.LANCZOS)
    card = Image.new("RGB", THUMBNAIL, "white")
    card.paste(shrunk, ((THUMBNAIL[0] - shrunk.width) // 2, 0))
    card.save(thumbnail, optimize=True)


def thumbnails_from_figures(app, exception):
    """Sphinx's build-finished hook: in _images, each thumbnail made from a
    figure becomes that figure's top left (before figures.py draws its dark
    twin). The sources sphinx-gallery keeps between builds are left alone.
    Thumbnails are kept between builds under the doctrees folder, by their
    figure's content, as figures.py keeps dark twins."""
    if exception is not None or app.builder.format != "html":
        return
    cache = Path(app.doctreedir) / "thumbnails"
    cache.mkdir(parents=True, exist_ok=True)
    used = set()
    images = Path(app.outdir) / "_images"
    for thumbnail in sorted(images.glob("sphx_glr_*_thumb.png")):
        figure = images / thumbnail.name.replace("_thumb.png", "_001.png")
        if not figure.is_file():
            continue
        kept = cache / f"{hashlib.sha256(figure.read_bytes()).hexdigest()}.png"
        if not kept.exists():
            readable_thumbnail(figure, kept)
            palette_png(kept)  # as light_pages makes every gallery image
        shutil.copyfile(kept, thumbnail)
        used.add(kept)
    for stale in set(cache.glob("*.png")) - used:  # figures no card shows now
        stale.unlink()


def setup(app):
    # Before figures.write_dark_figures (priority 500), which draws the
    # thumbnails' dark twins from them.
    app.connect("build-finished", thumbnails_from_figures, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
