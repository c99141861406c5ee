"""Sphinx configuration for the site on random state in parallel Python.

The reST sources live in ``docs/`` and the gallery scripts in ``examples/``;
this file sits at the top of the repository and is found with ``-c .``.
Paths below are relative to this file, except the gallery's, which
sphinx-gallery resolves from ``docs/``.
"""

import os
import platform
import sys
from pathlib import Path
from urllib.parse import urlsplit

# NumPy's BLAS (OpenBLAS) starts a pool of threads when NumPy is imported,
# one per extra core. The core example forks, which is only safe in a
# process with a single thread (Python 3.12+ warns otherwise), so the build
# keeps that pool to one thread. This must come before NumPy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import joblib  # noqa: E402
import numpy  # noqa: E402

HERE = Path(__file__).resolve().parent
# Small helpers referenced by name from the configuration below.
sys.path.insert(0, str(HERE / "docs" / "sphinxext"))
# The pages on the checker and the guard import tools/rng_check.py and
# tools/rng_guard.py, which a reader finds beside the script in its zip.
sys.path.insert(0, str(HERE / "tools"))

import reading_order  # noqa: E402  (docs/sphinxext: the gallery's sections)

# -- Project ------------------------------------------------------------------

project = "Random state in parallel Python"
author = "The random-state-in-parallel contributors"
copyright = f"2026, {author}"

# "owner/name" of the GitHub repository, for the "edit this page" links.
# GitHub Actions sets GITHUB_REPOSITORY; elsewhere, set it to get the links.
REPOSITORY = os.environ.get("GITHUB_REPOSITORY", "")

# Where the site is published. One setting drives the sitemap, the OpenGraph
# tags and the 404 page's links. GitHub Pages serves OWNER/NAME from
# https://OWNER.github.io/NAME/; `make serve` serves a local build.
if os.environ.get("SITE_URL"):
    SITE_URL = os.environ["SITE_URL"]
elif REPOSITORY:
    owner, name = REPOSITORY.split("/")
    SITE_URL = f"https://{owner.lower()}.github.io/{name}/"
else:
    SITE_URL = "http://127.0.0.1:8000/"
SITE_URL = SITE_URL.rstrip("/") + "/"

# -- General ------------------------------------------------------------------

extensions = [
    "sphinx_gallery.gen_gallery",
    "sphinx_copybutton",
    "sphinxext.opengraph",
    "sphinx_sitemap",
    "notfound.extension",
    "offline_pages",  # docs/sphinxext: no page loads anything from outside
    "light_pages",  # docs/sphinxext: palette PNGs, only the icons pages use
    "tool_downloads",  # docs/sphinxext: tools link here, and are in the zips
    "figures",  # docs/sphinxext: each figure has a dark twin for dark mode
    "page_decoration",  # docs/sphinxext: cards, figures, folded harness code
    "thumbnails",  # docs/sphinxext: gallery thumbnails readable on a card
    "output_tables",  # docs/sphinxext: printed tables become HTML tables
    "sphinx_reredirects",  # pages' old addresses lead to where they moved
]

# Every cross-reference must resolve: a broken reference is a broken page.
nitpicky = True

# Sources are read from docs/ only; these keep stray generated folders out.
exclude_patterns = ["_build", "**/.ipynb_checkpoints"]
templates_path = ["docs/_templates"]

# -- HTML output --------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = project
html_baseurl = SITE_URL
html_static_path = ["docs/_static"]
html_css_files = ["custom.css"]
html_favicon = "docs/_static/favicon.svg"
html_show_sourcelink = False
html_copy_source = False
# Search ranks a page whose title holds the words typed above one that
# merely mentions them (docs/sphinxext/search_scorer.js says why).
html_search_scorer = "docs/sphinxext/search_scorer.js"

# The sidebar on the right: the page's contents, then its downloads (gallery
# pages) and its "edit" link. Generated pages have no source to edit.
_edit = ["edit-this-page"] if REPOSITORY else []
html_theme_options = {
    "logo": {
        "text": project,
        "image_light": "_static/logo.svg",
        "image_dark": "_static/logo.svg",  # a white tile: fine on both
        "alt_text": "",  # the logo sits next to the site's name: decorative
    },
    "navbar_align": "left",
    "show_prev_next": True,
    "use_edit_page_button": bool(REPOSITORY),
    "secondary_sidebar_items": {
        "index": ["page-toc", *_edit],
        "auto_examples/*/plot_*": ["page-toc", "sg_download_links", "sg_launcher_links", *_edit],
        "auto_examples/index": ["page-toc", *_edit],
        "auto_examples/*/index": ["page-toc", *_edit],
        "auto_examples/sg_execution_times": ["page-toc"],
        "auto_examples/*/sg_execution_times": ["page-toc"],
        "sg_execution_times": ["page-toc"],
    },
    # Under each example, the list of all examples (empty on other pages).
    "article_footer_items": ["gallery-nav"],
    "footer_start": ["copyright"],
    "footer_end": ["built-with"],
}
# No left sidebar on the landing page, nor on gallery pages: their code
# and output blocks (79 characters wide) then fit the article column at
# 1280 px without scrolling. The gallery's own index and the previous/next
# links lead from example to example.
html_sidebars = {"index": [], "auto_examples/**": []}
html_context = {
    "default_mode": "auto",
    # Shown in every page's footer (docs/_templates/built-with.html).
    "built_with": {
        "Python": platform.python_version(),
        "NumPy": numpy.__version__,
        "joblib": joblib.__version__,
    },
}
if REPOSITORY:
    # Gallery pages are generated from examples/SECTION/*.py, the gallery's
    # and its sections' indexes from their GALLERY_HEADER.rst: their links
    # open those files.
    html_context["edit_page_url_template"] = (
        f"https://github.com/{REPOSITORY}/edit/main/"
        "{% if file_name.startswith('auto_examples/') and file_name.endswith('index.rst') %}"
        "examples/{{ file_name[14:-9] }}GALLERY_HEADER.rst"
        "{% elif file_name.startswith('auto_examples/') %}"
        "examples/{{ file_name[14:-4] }}.py"
        "{% else %}docs/{{ file_name }}{% endif %}"
    )
    html_context["edit_page_provider_name"] = "GitHub"

# -- Sitemap, social previews, 404 page ---------------------------------------

sitemap_url_scheme = "{link}"
sitemap_excludes = ["search.html", "genindex.html", "404.html"]
ogp_site_url = SITE_URL
ogp_image = f"{SITE_URL}_static/logo.png"
ogp_social_cards = {"enable": False}  # no generated images: one logo for all
ogp_custom_meta_tags = ['<meta name="twitter:card" content="summary" />']
notfound_urls_prefix = urlsplit(SITE_URL).path
notfound_context = {
    "title": "Page not found",
    "body": (
        "<h1>Page not found</h1>\n"
        "<p>There is no page at this address. The site's pages start from the "
        f'<a href="{notfound_urls_prefix}index.html">home page</a>, and every '
        f'example is in the <a href="{notfound_urls_prefix}auto_examples/index.html">'
        "gallery</a>.</p>"
    ),
}

# -- Copy buttons ---------------------------------------------------------------

# Copy the code only: no prompts, no output.
copybutton_exclude = ".linenos, .gp, .go"

# -- Gallery ------------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Every script in examples/ is executed, whatever its name, except the
    # checker's old command (the checker itself is in tools/).
    "filename_pattern": r".*\.py$",
    "ignore_pattern": r"check_random_state\.py$",
    # Sections by what a reader comes with, each in reading order, not the
    # alphabet (docs/sphinxext/reading_order.py).
    "subsection_order": reading_order.SECTION_FOLDERS,
    "within_subsection_order": "reading_order.gallery_order",
    # Examples run in this process, one after the other. Do not enable the
    # "parallel" option: inside its worker processes joblib quietly downgrades
    # nested Parallel calls, which would change what the pages show.
    "parallel": False,
    # A failing example fails the build, after the others have run.
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "download_all_examples": True,
    "thumbnail_size": (400, 280),
    # Sharp figures on high-density screens; browsers pick the size they need.
    "image_srcset": ["2x"],
    "remove_config_comments": True,
    # Around every example: warnings are errors (with a commented allow-list)
    # and a time limit (EXAMPLE_TIMEOUT seconds, default 120):
    # docs/sphinxext/example_execution.py.
    "reset_modules": ("matplotlib", "example_execution.strict_execution"),
    "reset_modules_order": "both",
    # Computation times make two builds differ; hide them for reproducible
    # builds, as sphinx-gallery's own documentation does.
    "min_reported_time": sys.maxsize if os.environ.get("SOURCE_DATE_EPOCH") else 0,
}

# -- Reruns -------------------------------------------------------------------


# The pages on the tools show what the tools do: each runs again whenever
# its tool changes, not only when the page's script does.
TOOL_PAGES = {
    "plot_check_your_code.py": HERE / "tools" / "rng_check.py",
    "plot_guard_your_tasks.py": HERE / "tools" / "rng_guard.py",
}

# -- Old addresses --------------------------------------------------------------

# Until the gallery had sections, every example's page was
# auto_examples/plot_NAME.html; links to those addresses may be out there.
# sphinx-reredirects writes a page at each that forwards to the new one.
redirects = {f"auto_examples/{name.removesuffix('.py')}": f"{folder}/{name.removesuffix('.py')}.html"
             for name, folder in reading_order.SECTION_OF.items()}
# A page of its own language and title, that keeps the address's #anchor
# (a checker's link to a rule's section).
redirect_html_template_file = "_templates/redirect.html"  # from docs/


def setup(app):
    """Tool pages rerun with their tools (docs/sphinxext/example_execution.py)."""
    import example_execution  # docs/sphinxext, on sys.path above

    for page, tool in TOOL_PAGES.items():
        app.connect("config-inited", lambda app, config, page=page, tool=tool: (
            example_execution.rerun_when_changed(
                page, tool, HERE / "docs" / "auto_examples" / reading_order.SECTION_OF[page])))
