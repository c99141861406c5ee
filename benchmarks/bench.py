"""Measure how fast the site builds and how much its pages weigh.

Run by `make bench`, which writes the report to BENCHMARKS.md. Every build
runs in a temporary copy of the sources with the project's venv, so the
working tree and its build/ are never touched. Each figure is the median of
BENCH_RUNS runs (default 3), all measured in this one run, so that ratios
compare like with like on a shared, noisy machine.

What is measured (issue "Speed and weight"):

1. clean builds (`make clean` then `make html`) and the examples' own
   execution times as sphinx-gallery records them;
2. a rebuild with nothing changed, and one after touching an example (a new
   modification time, the same content), and which examples ran again;
3. a rebuild after editing one example, and which examples ran again;
4. `make clean` then `make html-noplot`;
5. each example run by sphinx-gallery and by plain `python`;
6. the weight of the core example page and of the gallery index, against
   the same pages built with sphinx-gallery's and the theme's defaults, as
   served (uncompressed) and gzip-compressed, as a web server sends them;
7. Lighthouse (desktop and mobile) on the landing page and the core example,
   served gzip-compressed as GitHub Pages serves them;
8. what tools/rng_guard.py adds to a clean 1 ms and 100 ms task, guarded
   against bare (benchmarks/guard_overhead.py, in a process of its own).
"""

import argparse
import datetime
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import CHROMIUM, CHROMIUM_FLAGS, Browser, SiteServer, is_local  # noqa: E402
from sandbox import copy_site_sources, make_html  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
CORE_EXAMPLE = "plot_random_state_in_parallel"
CORE_PAGE = f"auto_examples/{CORE_EXAMPLE}.html"
GALLERY_INDEX = "auto_examples/index.html"
LIGHTHOUSE = ROOT / "benchmarks" / "node_modules" / "lighthouse" / "cli" / "index.js"
LIGHTHOUSE_CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]

# The baseline: the same examples, built with sphinx-gallery's and the
# pydata theme's defaults and nothing else.
BASELINE_CONF = '''\
project = "Baseline: the defaults"
extensions = ["sphinx_gallery.gen_gallery"]
html_theme = "pydata_sphinx_theme"
sphinx_gallery_conf = {"examples_dirs": "../examples", "gallery_dirs": "auto_examples"}
'''
BASELINE_INDEX = "The defaults\n============\n\n.. toctree::\n\n   auto_examples/index\n"


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def median(values):
    return statistics.median(values)


# -- Builds ------------------------------------------------------------------------


def run(command, cwd, **env):
    """Run command; return its wall time in seconds. A failure stops the benchmark."""
    start = time.perf_counter()
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, env={**os.environ, **env}
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(
            f"bench: `{' '.join(map(str, command))}` failed in {cwd}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return elapsed


def make(site, target):
    """Run `make TARGET` in the copy at site; return its wall time in seconds."""
    start = time.perf_counter()
    result = make_html(site, target)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"bench: `make {target}` failed in {site}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return elapsed


def gallery_records(site):
    """{example: (md5 file's mtime, recorded seconds)} for every example that has run."""
    records = {}
    for cost in (site / "docs" / "auto_examples").glob("*.cost.json"):
        name = cost.name.removesuffix(".cost.json")
        md5 = cost.with_name(f"{name}.py.md5")
        records[name] = (md5.stat().st_mtime_ns, json.loads(cost.read_text())["time"])
    return records


def executed_since(site, before):
    """The examples whose checksum file was written since the records `before`."""
    after = gallery_records(site)
    return sorted(name for name, (stamp, _) in after.items() if before.get(name, (None,))[0] != stamp)


def measure_builds(site):
    """Figures 1 to 4, in a copy of the sources at site."""
    results = {"clean": [], "examples": [], "per_example": {}, "no_change": [], "touched": [], "edit_one": [], "noplot": []}
    for attempt in range(RUNS):
        make(site, "clean")
        results["clean"].append(make(site, "html"))
        records = gallery_records(site)
        results["examples"].append(sum(seconds for _, seconds in records.values()))
        for name, (_, seconds) in records.items():
            results["per_example"].setdefault(name, []).append(seconds)
        log(f"clean build {attempt + 1}/{RUNS}: {results['clean'][-1]:.1f} s")
    built = site / "measured-site"
    shutil.copytree(site / "build" / "html", built)

    for attempt in range(RUNS):
        before = gallery_records(site)
        seconds = make(site, "html")
        results["no_change"].append((seconds, executed_since(site, before)))
        log(f"no-change rebuild {attempt + 1}/{RUNS}: {seconds:.1f} s")

    edited = site / "examples" / f"{CORE_EXAMPLE}.py"
    for attempt in range(RUNS):
        before = gallery_records(site)
        edited.touch()  # a new modification time, the same content
        seconds = make(site, "html")
        results["touched"].append((seconds, executed_since(site, before)))
        log(f"rebuild after touching {edited.name} {attempt + 1}/{RUNS}: {seconds:.1f} s")

    for attempt in range(RUNS):
        before = gallery_records(site)
        with edited.open("a") as script:
            script.write(f"\n# benchmark edit {attempt + 1}\n")
        seconds = make(site, "html")
        results["edit_one"].append((seconds, executed_since(site, before)))
        log(f"rebuild after editing {edited.name} {attempt + 1}/{RUNS}: {seconds:.1f} s")

    for attempt in range(RUNS):
        make(site, "clean")
        results["noplot"].append(make(site, "html-noplot"))
        log(f"html-noplot {attempt + 1}/{RUNS}: {results['noplot'][-1]:.1f} s")
    return results, built


def measure_plain_python(site):
    """Figure 5: each example as a reader runs it, `python examples/NAME.py`."""
    times = {}
    for attempt in range(RUNS):
        for script in sorted((site / "examples").glob("plot_*.py")):
            times.setdefault(script.stem, []).append(
                run([sys.executable, script.name], cwd=script.parent, MPLBACKEND="Agg")
            )
        log(f"plain python {attempt + 1}/{RUNS}")
    return times


def measure_guard():
    """Figure 8: {task seconds: (bare, guarded) medians of seconds per call}."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "guard_overhead.py"), str(RUNS)],
        capture_output=True, text=True, check=False, timeout=1800)
    if result.returncode != 0:
        raise SystemExit(f"bench: guard_overhead.py failed:\n{result.stderr}")
    runs = json.loads(result.stdout)
    log(f"guard overhead: {runs}")
    return {float(seconds): (median(times["bare"]), median(times["guarded"]), times)
            for seconds, times in runs.items()}


def build_baseline(folder):
    """The site with sphinx-gallery's and the theme's defaults; returns (site, seconds)."""
    shutil.copytree(ROOT / "examples", folder / "examples")
    (folder / "docs").mkdir()
    (folder / "docs" / "conf.py").write_text(BASELINE_CONF)
    (folder / "docs" / "index.rst").write_text(BASELINE_INDEX)
    # The tools' pages import the tools, which this site puts on the path.
    seconds = run([Path(sys.executable).with_name("sphinx-build"), "-q", "-b", "html", "docs", "html"],
                  cwd=folder, PYTHONPATH=str(ROOT / "tools"))
    return folder / "html", seconds


# -- Pages ---------------------------------------------------------------------------

SCROLL_TO_THE_END = """async () => {
    for (let y = 0; y <= document.body.scrollHeight; y += 300) {
        window.scrollTo(0, y);
        await new Promise((done) => setTimeout(done, 25));
    }
}"""


def page_weight(browser, url, scale):
    """(bytes, gzip bytes, requests, outside) for url and everything it loads,
    lazy images included; gzip at level 6, as web servers compress."""
    context = browser.chromium.new_context(
        viewport={"width": 1280, "height": 900}, device_scale_factor=scale
    )
    responses, outside = [], []
    context.route(lambda address: not is_local(address), lambda route: (outside.append(route.request.url), route.abort()))
    page = context.new_page()
    page.on("response", lambda response: responses.append(response))
    page.goto(url, wait_until="networkidle")
    page.evaluate(SCROLL_TO_THE_END)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    bodies = [response.body() for response in responses if response.status < 300]
    total = sum(map(len, bodies))
    compressed = sum(len(gzip.compress(body, compresslevel=6, mtime=0)) for body in bodies)
    failed = [response.url for response in responses if response.status >= 300]
    context.close()
    if failed:
        raise SystemExit(f"bench: {url} loaded {failed}")
    return total, compressed, len(responses), outside


def measure_weights(browser, sites):
    """Figure 6: {(site, page, scale): (bytes, requests)}, each the median of RUNS loads."""
    weights = {}
    for site_name, folder in sites.items():
        with SiteServer(folder) as server:
            for page in [CORE_PAGE, GALLERY_INDEX]:
                for scale in [1, 2]:
                    loads = [page_weight(browser, server.url + page, scale) for _ in range(RUNS)]
                    outside = sorted({url for *_, urls in loads for url in urls})
                    weights[site_name, page, scale] = (
                        median(size for size, _, _, _ in loads),
                        median(compressed for _, compressed, _, _ in loads),
                        median(count for _, _, count, _ in loads),
                        outside,
                    )
    return weights


def lighthouse(url, report_path, preset):
    """One Lighthouse run, preset "desktop" or "mobile" (Lighthouse's default:
    a phone's screen, a slow network and CPU); returns {category: score out
    of 100, metric: value}."""
    if not LIGHTHOUSE.is_file():
        raise SystemExit("bench: Lighthouse is missing: `make bench` installs it (npm ci --prefix benchmarks)")
    command = [
        "node", LIGHTHOUSE, url, *(["--preset=desktop"] if preset == "desktop" else []),
        "--output=json", f"--output-path={report_path}",
        "--quiet", f"--only-categories={','.join(LIGHTHOUSE_CATEGORIES)}",
        f"--chrome-flags={' '.join(CHROMIUM_FLAGS)}",
    ]
    run(command, cwd=ROOT, CHROME_PATH=CHROMIUM)
    report = json.loads(Path(report_path).read_text())
    scores = {name: round(100 * report["categories"][name]["score"]) for name in LIGHTHOUSE_CATEGORIES}
    for metric in ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift"]:
        scores[metric] = report["audits"][metric]["numericValue"]
    scores["failed audits"] = sorted(
        audit_id
        for name in LIGHTHOUSE_CATEGORIES
        for audit_id in (ref["id"] for ref in report["categories"][name]["auditRefs"])
        if report["audits"][audit_id]["score"] is not None and report["audits"][audit_id]["score"] < 1
        and report["audits"][audit_id]["scoreDisplayMode"] in ("binary", "metricSavings")
    )
    return scores


def measure_lighthouse(folder, scratch):
    """{(preset, page): median scores}, desktop and mobile, with the pages'
    text sent gzip-compressed, as GitHub Pages sends it."""
    results = {}
    with SiteServer(folder, compress=True) as server:
        for preset in ["desktop", "mobile"]:
            for page in ["index.html", CORE_PAGE]:
                runs = [lighthouse(server.url + page, scratch / f"lighthouse-{attempt}.json", preset)
                        for attempt in range(RUNS)]
                result = {key: median(run[key] for run in runs) for key in runs[0] if key != "failed audits"}
                result["failed audits"] = sorted({audit for run in runs for audit in run["failed audits"]})
                results[preset, page] = result
                log(f"lighthouse {preset} {page}: {result}")
    return results


# -- Report ---------------------------------------------------------------------------


def machine():
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, {platform.platform()}, Python {platform.python_version()}"


def kib(size):
    return f"{size / 1024:,.0f} KiB"


def verdict(ok):
    return "met" if ok else "**missed**"


def guard_lines(guard):
    lines = [
        "",
        "## The guard's cost to a clean task",
        "",
        "`tools/rng_guard.py`: each task gets a seed spawned for it and draws",
        "from its own generator until its time is up, called bare and then",
        "guarded, one after the other, in one process",
        "(`benchmarks/guard_overhead.py`; calls per run: 500 of 1 ms, 10 of 100 ms).",
        "",
        "| task | bare, per call | guarded, per call | added | ratio guarded / bare | runs (guarded, ms) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for seconds, (bare, wrapped, times) in sorted(guard.items()):
        lines.append(
            f"| {seconds * 1e3:g} ms | {bare * 1e3:.3f} ms | {wrapped * 1e3:.3f} ms "
            f"| {(wrapped - bare) * 1e6:.0f} µs | {wrapped / bare:.3f} "
            f"| {', '.join(f'{value * 1e3:.3f}' for value in times['guarded'])} |")
    return lines


def write_report(path, builds, plain, weights, scores, baseline_seconds, started, guard):
    clean = median(builds["clean"])
    examples = median(builds["examples"])
    no_change = median(seconds for seconds, _ in builds["no_change"])
    edit_one = median(seconds for seconds, _ in builds["edit_one"])
    touched = median(seconds for seconds, _ in builds["touched"])
    ran_no_change = sorted({name for _, names in builds["no_change"] + builds["touched"] for name in names})
    ran_edit_one = sorted({name for _, names in builds["edit_one"] for name in names})
    core_ratio = weights["site", CORE_PAGE, 1][0] / weights["defaults", CORE_PAGE, 1][0]
    core_gzip_ratio = weights["site", CORE_PAGE, 1][1] / weights["defaults", CORE_PAGE, 1][1]
    lines = [
        "# Benchmarks",
        "",
        "How fast the site builds and how much its pages weigh, written by",
        "`make bench` (`benchmarks/bench.py`). Every figure is the median of",
        f"{RUNS} runs measured in the same run of the benchmark, in a temporary copy of",
        "the sources; sizes are uncompressed bytes, as a browser receives them",
        "from `python -m http.server` (no compression), and the same bodies",
        "gzip-compressed (level 6), as a web server such as GitHub Pages sends them.",
        "",
        f"- Date: {started:%Y-%m-%d %H:%M} UTC; took {(datetime.datetime.now(datetime.UTC) - started).seconds // 60} min",
        f"- Machine: {machine()}",
        f"- Command: `make bench` (BENCH_RUNS={RUNS})",
        "",
        "## Targets",
        "",
        "| target | measured | |",
        "| --- | --- | --- |",
        f"| nothing changed (or only touched): no example runs, rebuild under 3 s "
        f"| {no_change:.1f} s ({touched:.1f} s touched), ran: {', '.join(ran_no_change) or 'none'} "
        f"| {verdict(max(no_change, touched) < 3 and not ran_no_change)} |",
        f"| one example edited: only it runs | ran: {', '.join(ran_edit_one) or 'none'} "
        f"| {verdict(ran_edit_one == [CORE_EXAMPLE])} |",
        f"| clean build overhead (build minus examples) under 15 s | {clean - examples:.1f} s "
        f"| {verdict(clean - examples < 15)} |",
        f"| core page weight at most 60% of the defaults' | {core_ratio:.0%} "
        f"| {verdict(core_ratio <= 0.60)} |",
        f"| core page weight, gzip, at most 33% of the defaults' | {core_gzip_ratio:.0%} "
        f"| {verdict(core_gzip_ratio <= 0.33)} |",
    ]
    minimums = {
        "desktop": {"performance": 95, "accessibility": 100, "best-practices": 95, "seo": 95},
        "mobile": {"performance": 97, "accessibility": 100, "best-practices": 95, "seo": 95},
    }
    for (preset, page), result in scores.items():
        wanted = minimums[preset]
        shown = ", ".join(f"{name} {result[name]:.0f}" for name in wanted)
        ok = all(result[name] >= minimum for name, minimum in wanted.items())
        lines.append(f"| Lighthouse {preset} on `{page}`: {' / '.join(map(str, wanted.values()))} "
                     f"| {shown} | {verdict(ok)} |")
    lines += [
        "",
        "## Builds",
        "",
        "| build | median | runs |",
        "| --- | --- | --- |",
        f"| `make clean html` (venv present) | {clean:.1f} s | {', '.join(f'{s:.1f}' for s in builds['clean'])} |",
        f"| examples' own time (sphinx-gallery) | {examples:.1f} s | {', '.join(f'{s:.1f}' for s in builds['examples'])} |",
        f"| overhead: clean build minus examples | {clean - examples:.1f} s | ratio clean build / examples = {clean / examples:.2f} |",
        f"| `make html`, nothing changed | {no_change:.1f} s | {', '.join(f'{s:.1f}' for s, _ in builds['no_change'])} |",
        f"| `make html` after `touch examples/{CORE_EXAMPLE}.py` (same content) | {touched:.1f} s "
        f"| {', '.join(f'{s:.1f}' for s, _ in builds['touched'])} |",
        f"| `make html` after editing `{CORE_EXAMPLE}.py` (a comment appended) | {edit_one:.1f} s "
        f"| {', '.join(f'{s:.1f}' for s, _ in builds['edit_one'])} |",
        f"| `make clean html-noplot` | {median(builds['noplot']):.1f} s | {', '.join(f'{s:.1f}' for s in builds['noplot'])} |",
        f"| the defaults' site (`sphinx-build`, built once, for scale) | {baseline_seconds:.1f} s | |",
        "",
        "## Each example: sphinx-gallery and plain `python`",
        "",
        "sphinx-gallery's time is the example's execution inside the build,",
        "including saving each figure twice (1x and 2x for `image_srcset`).",
        "Plain `python examples/NAME.py` (median wall time, `MPLBACKEND=Agg`)",
        "saves no figure but pays for starting Python and importing NumPy and",
        "matplotlib, which the build has already done. A ratio above 1 is the",
        "cost of the figures; below 1, the cost of starting up.",
        "",
        "| example | sphinx-gallery | plain python | ratio |",
        "| --- | --- | --- | --- |",
    ]
    for name in sorted(builds["per_example"], key=lambda name: -median(builds["per_example"][name])):
        gallery = median(builds["per_example"][name])
        python = median(plain[name])
        lines.append(f"| `{name}` | {gallery:.2f} s | {python:.2f} s | {gallery / python:.2f} |")
    lines += [
        "",
        "## Page weight",
        "",
        "Everything the page loads at a 1280 x 900 window (HTML, CSS, scripts, fonts,",
        "images; the page is scrolled to the end so that lazy images load), at",
        "device pixel ratio 1 and 2. \"Defaults\" is the same gallery built with",
        "sphinx-gallery's and pydata-sphinx-theme's defaults only.",
        "",
        "| page | pixel ratio | this site | defaults | ratio | this site, gzip | defaults, gzip | ratio, gzip |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for page in [CORE_PAGE, GALLERY_INDEX]:
        for scale in [1, 2]:
            site_size, site_gzip, site_count, _ = weights["site", page, scale]
            base_size, base_gzip, base_count, _ = weights["defaults", page, scale]
            lines.append(
                f"| `{page}` | {scale} | {kib(site_size)} in {site_count} requests "
                f"| {kib(base_size)} in {base_count} requests | {site_size / base_size:.0%} "
                f"| {kib(site_gzip)} | {kib(base_gzip)} | {site_gzip / base_gzip:.0%} |"
            )
    outside = sorted({url for (name, _, _), (*_, urls) in weights.items() if name == "site" for url in urls})
    lines += ["", f"Requests outside the site: {', '.join(outside) or 'none'}."]
    lines += [
        "",
        "## Lighthouse",
        "",
        "Lighthouse 12 (`benchmarks/package.json`), `--preset=desktop` and its",
        "default mobile emulation (a phone's screen, throttled network and CPU),",
        "Debian's Chromium, pages served from 127.0.0.1 with their text gzip-compressed,",
        "as GitHub Pages serves it (`tests/browser.py`, `SiteServer(compress=True)`).",
        "",
        "| preset | page | performance | accessibility | best practices | SEO | FCP | LCP | TBT | CLS | audits below full marks |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for (preset, page), result in scores.items():
        lines.append(
            f"| {preset} | `{page}` | {result['performance']:.0f} | {result['accessibility']:.0f} "
            f"| {result['best-practices']:.0f} | {result['seo']:.0f} "
            f"| {result['first-contentful-paint']:.0f} ms | {result['largest-contentful-paint']:.0f} ms "
            f"| {result['total-blocking-time']:.0f} ms | {result['cumulative-layout-shift']:.3f} "
            f"| {', '.join(result['failed audits']) or 'none'} |"
        )
    lines += guard_lines(guard)
    path.write_text("\n".join(lines) + "\n")
    return [line for line in lines if line.endswith("| **missed** |")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    arguments = parser.parse_args()
    started = datetime.datetime.now(datetime.UTC)
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        scratch = Path(scratch)
        site = scratch / "site"
        site.mkdir()
        copy_site_sources(site)
        builds, built = measure_builds(site)
        plain = measure_plain_python(site)
        baseline, baseline_seconds = build_baseline(scratch / "defaults")
        log(f"baseline built in {baseline_seconds:.1f} s")
        browser = Browser()
        try:
            weights = measure_weights(browser, {"site": built, "defaults": baseline})
        finally:
            browser.close()
        scores = measure_lighthouse(built, scratch)
        guard = measure_guard()
        missed = write_report(arguments.output, builds, plain, weights, scores, baseline_seconds, started,
                              guard)
    log(f"wrote {arguments.output}")
    if missed:
        raise SystemExit("bench: targets missed:\n" + "\n".join(missed))
    log("every target met")


if __name__ == "__main__":
    main()
