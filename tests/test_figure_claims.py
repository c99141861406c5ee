"""Each figure shows what its page says it shows, and is drawn for a phone.

The figures are checked on the matplotlib objects the examples drew (their
modules keep them), and on the images the site's build saved.
"""

import re
import sys

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from PIL import Image

from conftest import example_fixture


spawned = example_fixture("plot_spawned_generators")
collisions = example_fixture("plot_seed_collisions")
threads = example_fixture("plot_shared_generator_threads")
free_threading = example_fixture("plot_free_threading")
dask_example = example_fixture("plot_dask_cluster", as_main=True)

# The article column is 358 CSS px wide on a phone 390 px wide; a figure
# saved wider than 358 / 0.6 = 596 px at 100 dpi would shrink its 10-point
# text below 8 px (tests/test_figures_on_a_phone.py measures it in Chromium).
WIDEST = 590
ORANGE = to_rgb("#b93a0b")


def panels(figure):
    return [ax for ax in figure.axes if ax.images]


def test_the_spawned_generators_figure_shows_every_backend(spawned):
    """'The same on every backend': one panel per run, each showing that
    run's own numbers, titled with what was compared."""
    shown = panels(spawned.fig)
    runs = [spawned.reference, *spawned.results.values()]
    assert set(spawned.results) == {"loky", "threading"} and len(shown) == len(runs)
    for ax, values in zip(shown, runs):
        assert np.array_equal(ax.images[0].get_array(), values)
    for ax, (name, values) in zip(shown[1:], spawned.results.items()):
        identical = values.tobytes() == spawned.reference.tobytes()
        assert identical
        assert ax.get_title(loc="left") == f"{name}, two workers: bit-identical to the loop"


def test_the_collision_figure_titles_both_panels_and_clips_no_curve(collisions):
    import matplotlib.pyplot as plt

    figure = collisions.plot_collision_risk()
    try:
        for ax in figure.axes:
            assert ax.get_title(loc="left")
            bottom, top = ax.get_ylim()
            for line in ax.get_lines():
                y = np.asarray(line.get_ydata(), dtype=float)
                if len(y) > 2:  # a curve, not a marker line
                    assert bottom <= y.min() and y.max() < top, ax.get_title(loc="left")
    finally:
        plt.close(figure)


def test_the_dask_figure_colours_only_the_values_that_differ(dask_example):
    import matplotlib.pyplot as plt

    values = np.array([[1, 2, 3], [4, 5, 6]])
    other = np.array([[1, 0, 3], [0, 5, 6]])
    dask_example.plot_runs([("same", values, values), ("some", values, other)])
    try:
        first, second = plt.gcf().axes
        assert not first.images[0].get_array().any()
        assert np.array_equal(second.images[0].get_array(), values != other)
        assert first.get_title(loc="left") == "same: 0 of 6 differ"
        assert second.get_title(loc="left") == "some: 2 of 6 differ"
        assert not second.patches  # colour, not outlines around every cell
    finally:
        plt.close("all")


def test_the_shared_generator_figure_colours_only_the_changed_values(threads):
    first, later = panels(threads.fig)
    assert not first.images[0].get_array().any()
    changed = threads.second_shared != threads.shared_first
    assert np.array_equal(later.images[0].get_array(), changed)
    assert later.get_title(loc="left") == f"a later run: {changed.sum()} of {changed.size} values changed"


def test_the_free_threading_figure_says_how_many_builds_it_measured(free_threading):
    """With one interpreter measured, the figure says so, rather than
    looking like a comparison."""
    figure, measured = free_threading.fig, free_threading.spawning
    without = [result for result in measured if not result["gil"]]
    assert figure.get_suptitle() == (
        f"{len(measured)} build(s) measured, without the GIL: {len(without) or 'none'}")
    ax = figure.axes[0]
    assert [text.get_text() for text in ax.get_legend().get_texts()] == list(map(free_threading.label, measured))
    labels = [text.get_text().strip() for text in ax.texts]
    expected = [f"{count:,} repeated" for result in measured
                for count in (result["seed_sequence"][0], result["generator"][0], result["spawned_first"])]
    assert labels == expected


def figure_files(site):
    """Each gallery figure as the site saved it (1x), without its 2x version,
    its dark twin and the gallery's thumbnails."""
    return [path for path in sorted((site / "_images").glob("sphx_glr_*.png"))
            if re.fullmatch(r"sphx_glr_.+_\d{3}", path.stem)]


def test_every_figure_is_drawn_for_a_phone_and_has_a_dark_twin(site):
    files = figure_files(site)
    assert files
    for path in files:
        with Image.open(path) as png:
            width, height = png.size
            dpi = round(png.info["dpi"][0])
        assert dpi == 100 and width <= WIDEST, (path.name, width, dpi)
        for twin in (path.with_name(f"{path.stem}_dark.png"), path.with_name(f"{path.stem}_2_00x_dark.png")):
            with Image.open(twin) as png:
                assert png.mode == "P", twin.name  # light_pages' palette, as the light one
                assert png.size[0] in (width, 2 * width), twin.name


@pytest.mark.parametrize("colour, expected", [("#ffffff", "#14181e"), ("#000000", "#ffffff")])
def test_dark_twins_turn_white_into_the_page_and_black_into_white(colour, expected):
    from conftest import import_sphinxext

    figures = import_sphinxext("figures")
    dark = figures.dark_colours(np.array([figures.hex_rgb(colour)], dtype=float))[0]
    assert tuple(dark) == tuple(figures.hex_rgb(expected))


def test_dark_twins_keep_each_colours_contrast_against_the_page():
    """A colour with contrast C against white has contrast C against the
    dark page (as far as white text allows: up to 17.8)."""
    from conftest import import_sphinxext

    figures = import_sphinxext("figures")

    def contrast(first, second):
        lighter, darker = sorted([figures.luminance(figures.linear(np.array(c) / 255)) for c in (first, second)])
        return (lighter + 0.05) / (darker + 0.05)

    white, page = [255, 255, 255], figures.hex_rgb(figures.DARK_BACKGROUND)
    colours = np.array([figures.hex_rgb(colour) for colour in ["#b93a0b", "#2f7ebc", "#e3eef8", "#5a8f29", "#808080"]])
    for colour, dark in zip(colours, figures.dark_colours(colours.astype(float))):
        assert contrast(dark, page) == pytest.approx(contrast(colour, white), rel=0.05), colour


def test_the_build_writes_a_dark_twin_for_each_figure_and_keeps_it(tmp_path, monkeypatch):
    """write_dark_figures: a twin beside each figure and thumbnail (not
    beside a twin), made once per figure's content and kept in the
    doctrees folder; a twin no figure needs any more is dropped."""
    from types import SimpleNamespace

    from conftest import import_sphinxext

    figures = import_sphinxext("figures")
    monkeypatch.setitem(sys.modules, "light_pages", import_sphinxext("light_pages"))  # as conf.py's path gives
    images = tmp_path / "html" / "_images"
    images.mkdir(parents=True)
    for name in ["sphx_glr_plot_a_001.png", "sphx_glr_plot_a_thumb.png"]:
        Image.new("RGB", (40, 20), "white").save(images / name, dpi=(100, 100))
    app = SimpleNamespace(outdir=str(tmp_path / "html"), doctreedir=str(tmp_path / "doctrees"),
                          builder=SimpleNamespace(format="html"))
    figures.write_dark_figures(app, None)
    twins = sorted(path.name for path in images.glob("*_dark.png"))
    assert twins == ["sphx_glr_plot_a_001_dark.png", "sphx_glr_plot_a_thumb_dark.png"]
    with Image.open(images / twins[0]) as png:
        assert png.convert("RGB").getpixel((0, 0)) == tuple(figures.hex_rgb(figures.DARK_BACKGROUND))
        assert round(png.info["dpi"][0]) == 100
    cached = list((tmp_path / "doctrees" / "dark_figures").glob("*.png"))
    assert len(cached) == 1  # the two white images have one content
    Image.new("RGB", (40, 20), "black").save(images / "sphx_glr_plot_a_001.png")
    (images / "sphx_glr_plot_a_thumb.png").unlink()
    figures.write_dark_figures(app, None)
    assert len(list((tmp_path / "doctrees" / "dark_figures").glob("*.png"))) == 1
    with Image.open(images / "sphx_glr_plot_a_001_dark.png") as png:
        assert png.convert("RGB").getpixel((0, 0)) == (255, 255, 255)
