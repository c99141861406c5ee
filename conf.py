"""Sphinx configuration for the site on random state in parallel Python.

The reST sources live in ``docs/`` and the gallery scripts in ``examples/``;
this file sits at the top of the repository and is found with ``-c .``.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Small helpers referenced by name from the gallery configuration below.
sys.path.insert(0, str(HERE / "docs" / "sphinxext"))

# -- Project ------------------------------------------------------------------

project = "Random state in parallel Python"
author = "The random-state-in-parallel contributors"
copyright = f"2026, {author}"

# -- General ------------------------------------------------------------------

extensions = [
    "sphinx_gallery.gen_gallery",
    "offline_pages",  # docs/sphinxext: no page loads anything from outside
]

# Every cross-reference must resolve: a broken reference is a broken page.
nitpicky = True

# Sources are read from docs/ only; these keep stray generated folders out.
exclude_patterns = ["_build", "**/.ipynb_checkpoints"]

# -- HTML output --------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = project
# Relative to this file, not to docs/ (Sphinx resolves them from the config dir).
html_static_path = ["docs/_static"]
html_css_files = ["custom.css"]
html_favicon = "docs/_static/favicon.svg"
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_prev_next": True,
    "secondary_sidebar_items": ["page-toc", "sg_download_links", "sg_launcher_links"],
}
html_sidebars = {"index": []}
html_context = {"default_mode": "auto"}

# -- Gallery ------------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Every script in examples/ is executed, whatever its name.
    "filename_pattern": r".*\.py$",
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
    # and a time limit (EXAMPLE_TIMEOUT seconds, default 120).
    "reset_modules": ("matplotlib", "gallery_hooks.strict_execution"),
    "reset_modules_order": "both",
    # Computation times make two builds differ; hide them for reproducible
    # builds, as sphinx-gallery's own documentation does.
    "min_reported_time": sys.maxsize if os.environ.get("SOURCE_DATE_EPOCH") else 0,
}
