"""What the site adds to the pages sphinx-gallery writes: a Sphinx extension.

* The computation-times pages stay out of the search index.
* The gallery's cards show their example's first sentence.
* Figures open full size when tapped, carry their size and load lazily.
* An example's harness code is folded, so that its result comes first.
* Each example lists the others, in reading order.
"""

import re
from pathlib import Path

from PIL import Image

import reading_order
from reading_order import GALLERY_ORDER


def keep_timings_out_of_search(app, docname, source):
    """Sphinx's source-read hook: sphinx-gallery's computation-times pages
    are build reports, not answers, and ranked above the pages for words
    such as "forkserver". The :nosearch: field leaves them out of the search
    index; it joins the page's own field list (:orphan:)."""
    if docname.rsplit("/", 1)[-1] == "sg_execution_times":
        text = source[0]
        source[0] = text.replace(":orphan:", ":nosearch:\n:orphan:", 1) \
            if ":orphan:" in text else ":nosearch:\n\n" + text


CARD = re.compile(
    r'(<div class="sphx-glr-thumbcontainer" tooltip="(?P<summary>[^"]*)">'
    r'.*?<div class="sphx-glr-thumbnail-title">[^<]*</div>)', re.DOTALL)


def first_sentence(summary):
    """The summary's first sentence: up to the first full stop, question or
    exclamation mark that ends a sentence (not one inside a name such as
    norm.rvs or joblib.Parallel)."""
    match = re.search(r"^.*?[.?!](?=\s|$)", summary)
    return match[0] if match else summary


def summaries_on_cards(app, docname, source):
    """Sphinx's source-read hook: each card of the gallery's index shows its
    example's first sentence under its title. sphinx-gallery puts the
    summary only in a tooltip, which a phone never shows."""
    if not (docname.startswith("auto_examples/") and docname.endswith("index")):
        return
    source[0] = CARD.sub(lambda card: card[1] + (
        f'\n      <div class="sphx-glr-card-summary">{first_sentence(card["summary"])}</div>'),
        source[0])


FIGURE = re.compile(r'<img (?=[^>]*class\s*=\s*"sphx-glr-(?:single|multi)-img")[^>]*>')


def figures_open_full_size(app, pagename, templatename, context, doctree):
    """Sphinx's html-page-context hook: each figure of an example is a link
    to its largest image (the 2x one, from image_srcset), so that a reader
    on a phone can tap it to read its small print. Each also gets its size,
    so that the page keeps its place for it, and loads when it is about to
    be seen, after the text above it."""
    if not pagename.startswith("auto_examples/") or "body" not in context:
        return

    def linked(image):
        tag = image[0]
        sources = re.search(r'srcset="([^"]*)"', tag) or re.search(r'src="([^"]*)"', tag)
        largest = sources[1].split(",")[-1].split()[0]
        name = re.search(r'src="([^"]*)"', tag)[1].rsplit("/", 1)[-1]
        with Image.open(Path(app.srcdir, pagename).parent / "images" / name) as png:
            width, height = png.size
        tag = tag.replace("<img ", f'<img width="{width}" height="{height}" loading="lazy" decoding="async" ', 1)
        return f'<a class="sphx-glr-figure-link" href="{largest}">{tag}</a>'

    context["body"] = FIGURE.sub(linked, context["body"])


HARNESS = re.compile(
    r'<div class="highlight-Python notranslate"><div class="highlight"><pre>'
    r'(?:<span></span>)?<span class="c1"># Harness: (?P<what>[^<]*)</span>.*?'
    r'</pre></div>\s*</div>', re.DOTALL)


def fold_harness(app, pagename, templatename, context, doctree):
    """Sphinx's html-page-context hook: on an example's page, a code cell
    whose first line is "# Harness: what it does" (a template, a runner, a
    renderer, a plotting helper) is folded under that line, so that the
    result comes first; a click shows the code. The script and the
    notebook keep the cell as it is, that line a comment."""
    if not pagename.startswith("auto_examples/") or "body" not in context:
        return
    context["body"] = HARNESS.sub(
        lambda block: f'<details class="sphx-glr-harness"><summary>Harness: '
        f'{block["what"]}</summary>\n{block[0]}\n</details>', context["body"])


def gallery_pages_in_context(app, pagename, templatename, context, doctree):
    """Sphinx's html-page-context hook: an example's page lists every
    example, in reading order (docs/_templates/gallery-nav.html)."""
    if not (pagename.startswith("auto_examples/") and "/plot_" in pagename):
        return
    pages = []
    for name in GALLERY_ORDER:
        docname = reading_order.docname(name)
        if docname in app.env.titles:
            pages.append((context["pathto"](docname), app.env.titles[docname].astext(),
                          docname == pagename))
    context["gallery_pages"] = pages


def setup(app):
    app.connect("source-read", keep_timings_out_of_search)
    app.connect("source-read", summaries_on_cards)
    app.connect("html-page-context", figures_open_full_size)
    app.connect("html-page-context", gallery_pages_in_context)
    app.connect("html-page-context", fold_harness)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
