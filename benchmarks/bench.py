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
   against bare (benchmarks/guard_overhead.py, in a process of its own),
   and to a program of clean 1 ms tasks run under `python -m rng_guard`
   against bare (target: at most 1.10x, median of the runs; start-up apart);
9. the set-up that `make html` does on a fresh machine: a venv made from
   requirements.txt, timed and weighed, against one made without PyTorch,
   to show what the PyTorch pages add (once each: pip's cache is warm
   after the first, so the figures are what a second machine would see
   with a warm cache, and the time of downloads is left out);
10. the whole test suite as CI runs it: `make test` in a fresh clone of the
   committed sources (its own venv, the site built from scratch, then
   `pytest -n 2`), once, against the target of 10 minutes (issue "Faster
   tests"). Once is enough: it takes many minutes, and the figure is a
   wall time on a shared machine, not a ratio.
11. tools/rng_check.py on the installed sources of NumPy, SciPy and
   scikit-learn, file by file against the whole project with its imports
   followed, in turns in one process (benchmarks/checker_speed.py;
   target: the project costs at most 1.5x; `--checker-only` measures
   this alone and replaces its section of the report).
"""

import argparse
import datetime
import gzip
import json
import os
import platform
import re
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
CORE_SECTION = "why_it_happens"  # docs/sphinxext/reading_order.py
CORE_PAGE = f"auto_examples/{CORE_SECTION}/{CORE_EXAMPLE}.html"
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
    for cost in (site / "docs" / "auto_examples").rglob("*.cost.json"):
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

    edited = site / "examples" / CORE_SECTION / f"{CORE_EXAMPLE}.py"
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
    """Figure 5: each example as a reader runs it, `python examples/SECTION/NAME.py`."""
    times = {}
    for attempt in range(RUNS):
        for script in sorted((site / "examples").glob("*/plot_*.py")):
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


def measure_guard_runner():
    """Figure 8, the runner: medians of seconds per call and of start-up."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "guard_overhead.py"), "--runner", str(RUNS)],
        capture_output=True, text=True, check=False, timeout=1800)
    if result.returncode != 0:
        raise SystemExit(f"bench: guard_overhead.py --runner failed:\n{result.stderr}")
    runs = json.loads(result.stdout)
    log(f"guard runner overhead: {runs}")
    return {**{key: median(values) for key, values in runs.items()}, "runs": runs}


def measure_checker():
    """Figure 11: the checker, file by file and as one project."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "checker_speed.py"), str(RUNS)],
        capture_output=True, text=True, timeout=7200)
    if result.returncode != 0:
        raise SystemExit(f"bench: checker_speed.py failed:\n{result.stderr}")
    speed = json.loads(result.stdout)
    log(f"checker: file by file {speed['median']['file_by_file']:.1f} s, "
        f"project {speed['median']['project']:.1f} s, ratio {speed['ratio']:.2f}")
    return speed


CHECKER_HEADING = "## The checker: a project against file by file"


def checker_lines(speed):
    names = ", ".join(f"{name} {version}" for name, version in speed["libraries"].items())
    rows = []
    for mode, label in [("file_by_file", "file by file"), ("project", "one project, imports followed")]:
        rows.append(
            f"| {label} | {speed['median'][mode]:.1f} s | {speed['lines_per_second'][mode]:,.0f} "
            f"| {speed['peak_bytes'][mode] / 2**20:,.0f} MiB | {speed['findings'][mode]} "
            f"| {', '.join(f'{value:.1f}' for value in speed['runs'][mode])} |")
    return [
        "", CHECKER_HEADING, "",
        f"`tools/rng_check.py` on the installed sources of {names}:",
        f"{speed['files']:,} files, {speed['lines']:,} lines, checked file by file (`check_file`)",
        "and as one project (`check_paths`, every import between them followed), in turns,",
        "each check in a fresh interpreter that reports its peak memory (ru_maxrss)",
        "(`benchmarks/checker_speed.py`).", "",
        "| check | median | lines/s | peak memory | findings | runs (s) |",
        "| --- | --- | --- | --- | --- | --- |",
        *rows, "",
        f"Ratio project / file by file: {speed['ratio']:.2f} (target: at most 1.5, "
        f"{verdict(speed['ratio'] <= 1.5)}).",
    ]


def replace_section(path, heading, lines, started, command):
    """Write a section into an existing report, in place of the one there
    (or at its end), saying when and on what it was measured."""
    lines = list(lines)
    lines[3:3] = [f"Measured {started:%Y-%m-%d %H:%M} UTC on {machine()}, by",
                  f"`{command}` (a full `make bench` measures it too).", ""]
    text = path.read_text() if path.is_file() else ""
    heading = f"\n{heading}\n"
    if heading in text:
        start = text.index(heading)
        following = text.find("\n## ", start + len(heading))
        text = text[:start] + (text[following:] if following != -1 else "")
    path.write_text(text.rstrip("\n") + "\n" + "\n".join(lines) + "\n")


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


# -- Set-up -----------------------------------------------------------------------------


def folder_size(folder):
    return sum(path.stat().st_size for path in Path(folder).rglob("*") if path.is_file() and not path.is_symlink())


def venv_from(requirements, folder):
    """Make a venv at folder from the requirements' text, as `make venv`
    does; return (seconds, bytes)."""
    listed = folder.with_suffix(".txt")
    listed.write_text(requirements)
    start = time.perf_counter()
    run([sys.executable, "-m", "venv", str(folder)], cwd=ROOT)
    run([str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r", str(listed)], cwd=ROOT)
    return time.perf_counter() - start, folder_size(folder)


def measure_setup(scratch):
    """Figure 9: the venv with every pin, and the venv without torch."""
    # requirements-gil.txt (Ray) too: the bench runs on a Python with the GIL.
    requirements = (ROOT / "requirements.txt").read_text() + "\n" + (ROOT / "requirements-gil.txt").read_text()
    without_torch = "\n".join(line for line in requirements.splitlines() if not line.startswith("torch=="))
    setup = {}
    for name, text in [("every pin", requirements), ("without torch", without_torch)]:
        setup[name] = venv_from(text, scratch / f"venv-{name.replace(' ', '-')}")
        log(f"venv, {name}: {setup[name][0]:.0f} s, {setup[name][1] / 2**30:.2f} GiB")
        shutil.rmtree(scratch / f"venv-{name.replace(' ', '-')}")
    return setup


def setup_lines(setup):
    (full_seconds, full_size), (bare_seconds, bare_size) = setup["every pin"], setup["without torch"]
    return [
        "",
        "## Set-up: the venv that `make html` makes",
        "",
        "A venv made from `requirements.txt` and `requirements-gil.txt` with pip,",
        "as `make venv` does on a Python with the GIL, once",
        "with every pin and once without `torch==2.14.1` (PyPI's CUDA build,",
        "which runs on the CPU, and its `nvidia-*` dependencies). pip's cache was",
        "warm, so download time is not counted.",
        "",
        "| venv | time | size |",
        "| --- | --- | --- |",
        f"| every pin | {full_seconds:.0f} s | {full_size / 2**30:.2f} GiB |",
        f"| without torch | {bare_seconds:.0f} s | {bare_size / 2**30:.2f} GiB |",
        f"| what the PyTorch pages add | {full_seconds - bare_seconds:.0f} s | {(full_size - bare_size) / 2**30:.2f} GiB |",
    ]


def replace_setup_section(path, setup, started):
    """Write the set-up's section into an existing report, in place of the
    one there (or at its end), saying when and on what it was measured."""
    lines = setup_lines(setup)
    lines[3:3] = [f"Measured {started:%Y-%m-%d %H:%M} UTC on {machine()}, by",
                  "`python benchmarks/bench.py --setup-only` (a full `make bench` measures it too).", ""]
    text = path.read_text() if path.is_file() else ""
    heading = "\n## Set-up: the venv that `make html` makes\n"
    if heading in text:
        start = text.index(heading)
        following = text.find("\n## ", start + len(heading))
        text = text[:start] + (text[following:] if following != -1 else "")
    path.write_text(text.rstrip("\n") + "\n" + "\n".join(lines) + "\n")


# The target of issue "Faster tests": a fresh clone's `make test`, set-up included.
SUITE_TARGET_SECONDS = 10 * 60
# pytest's last line: "== 1 failed, 947 passed, 1 skipped in 1964.40s (0:32:44) =="
PYTEST_SUMMARY = re.compile(r"^=+ (?P<counts>.*) in (?P<seconds>[\d.]+)s(?: \([\d:]+\))? =+$", re.M)


def cpu_work():
    """(busy, all) seconds of every core since boot, from /proc/stat's first
    line (user, nice, system, idle, iowait, irq, softirq, steal), or None
    where there is no /proc/stat."""
    stat = Path("/proc/stat")
    if not stat.is_file():
        return None
    ticks = [int(value) for value in stat.read_text().split("\n", 1)[0].split()[1:9]]
    per_second = os.sysconf("SC_CLK_TCK")
    idle = ticks[3] + ticks[4]
    return (sum(ticks) - idle) / per_second, sum(ticks) / per_second


def measure_suite(scratch):
    """Figure 10: `make test` in a fresh clone of the committed sources, once.

    Returns {"seconds": the whole make test, "pytest": pytest's own seconds,
    "counts": pytest's summary, "commit": the commit, "ok": its exit status
    was 0}. Its venv is the clone's own (.venv), made from the requirements
    as on a fresh machine (pip's cache is warm, as in figure 9).
    """
    clone = scratch / "fresh-clone"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=clone, capture_output=True, text=True,
                            check=True).stdout.strip()
    env = {name: value for name, value in os.environ.items() if name not in ("VENV", "MAKEFLAGS", "MFLAGS")}
    log(f"make test in a fresh clone of {commit} ...")
    start, work_before = time.perf_counter(), cpu_work()
    result = subprocess.run(["make", "test"], cwd=clone, capture_output=True, text=True, env=env)
    seconds, work_after = time.perf_counter() - start, cpu_work()
    # How much work the run was: core-seconds busy, and the share of the
    # machine's cores it kept busy (a target below busy / cores is out of
    # reach on this machine without less work).
    busy = work_after[0] - work_before[0] if work_before else float("nan")
    share = busy / (work_after[1] - work_before[1]) if work_before else float("nan")
    summary = PYTEST_SUMMARY.findall(result.stdout)
    counts, pytest_seconds = summary[-1] if summary else ("no pytest summary", "nan")
    log(f"make test: {seconds / 60:.1f} min, pytest {float(pytest_seconds) / 60:.1f} min: {counts}")
    kept = ROOT / "build" / "bench-make-test.log"  # the whole output, to read afterwards
    kept.parent.mkdir(exist_ok=True)
    kept.write_text(result.stdout + "\n--- stderr ---\n" + result.stderr)
    if result.returncode != 0:
        log(f"make test failed (the whole log: {kept}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    shutil.rmtree(clone)
    return {"seconds": seconds, "pytest": float(pytest_seconds), "counts": counts, "commit": commit,
            "ok": result.returncode == 0, "busy": busy, "share": share}


def suite_row(suite):
    """The Targets table's row for figure 10."""
    return (f"| a fresh clone's `make test` (venv, `make html`, `pytest -n 2`) at most 10 min, once "
            f"| {suite['seconds'] / 60:.1f} min, of which pytest {suite['pytest'] / 60:.1f} min "
            f"({suite['counts']}; commit {suite['commit']}); the cores were busy "
            f"{suite['share']:.0%} of the time, {suite['busy'] / 60:.0f} core-minutes of work, where "
            f"{SUITE_TARGET_SECONDS / 60:.0f} min on {os.cpu_count()} cores hold "
            f"{SUITE_TARGET_SECONDS * os.cpu_count() / 60:.0f} "
            f"| {verdict(suite['ok'] and suite['seconds'] <= SUITE_TARGET_SECONDS)} |")


def replace_suite_row(path, suite):
    """Write figure 10's row into an existing report's Targets table, in
    place of the one there (or at the table's end)."""
    lines = path.read_text().splitlines()
    row = suite_row(suite)
    mine = [i for i, line in enumerate(lines) if line.startswith("| a fresh clone's `make test`")]
    if mine:
        lines[mine[0]] = row
    else:
        table = lines.index("## Targets")
        end = next(i for i in range(table + 4, len(lines)) if not lines[i].startswith("|"))
        lines.insert(end, row)
    path.write_text("\n".join(lines) + "\n")


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


def runner_row(runner):
    """The Targets table's row for the guard's runner (figure 8)."""
    return (f"| a clean 1 ms task under `python -m rng_guard` at most 1.10x bare (median of {RUNS}) "
            f"| {runner['runner'] / runner['bare']:.3f}x (start-up {runner['startup_runner']:.2f} s "
            f"against {runner['startup_bare']:.2f} s, apart) | {verdict(runner['runner'] / runner['bare'] <= 1.10)} |")


def replace_target_row(path, start, row):
    """Write a row of the Targets table in place of the one that begins
    with start (or at the table's end)."""
    lines = path.read_text().splitlines()
    mine = [i for i, line in enumerate(lines) if line.startswith(start)]
    if mine:
        lines[mine[0]] = row
    else:
        table = lines.index("## Targets")
        end = next(i for i in range(table + 4, len(lines)) if not lines[i].startswith("|"))
        lines.insert(end, row)
    path.write_text("\n".join(lines) + "\n")


GUARD_HEADING = "## The guard's cost to a clean task"


def guard_lines(guard, runner):
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
    lines += [
        "",
        "A program nobody edited: 500 clean 1 ms tasks handed to joblib's `Parallel(n_jobs=1)`,",
        "run bare and under `python -m rng_guard` in turn, each process timing its own loop;",
        "start-up is the process's wall time less its loop.",
        "",
        "| run | per call | ratio to bare | start-up | runs (per call, ms) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for mode in ("bare", "runner"):
        lines.append(
            f"| {'bare' if mode == 'bare' else '`python -m rng_guard`'} | {runner[mode] * 1e3:.3f} ms "
            f"| {runner[mode] / runner['bare']:.3f} | {runner['startup_' + mode]:.2f} s "
            f"| {', '.join(f'{value * 1e3:.3f}' for value in runner['runs'][mode])} |")
    return lines


def write_report(path, builds, plain, weights, scores, baseline_seconds, started, guard, setup, runner,
                 suite, checker):
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
        runner_row(runner),
        suite_row(suite),
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
        f"| `make html` after `touch examples/{CORE_SECTION}/{CORE_EXAMPLE}.py` (same content) | {touched:.1f} s "
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
        "Plain `python examples/SECTION/NAME.py` (median wall time, `MPLBACKEND=Agg`)",
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
    lines += guard_lines(guard, runner)
    lines += setup_lines(setup)
    lines += checker_lines(checker)
    path.write_text("\n".join(lines) + "\n")
    return [line for line in lines if line.endswith("| **missed** |") or "**missed**)" in line]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--setup-only", action="store_true",
                        help="measure only the set-up (figure 9) and replace its section of the report")
    parser.add_argument("--suite-only", action="store_true",
                        help="measure only a fresh clone's make test (figure 10) and replace its row of the report")
    parser.add_argument("--guard-only", action="store_true",
                        help="measure only the guard's cost (figure 8) and replace its section and target row")
    parser.add_argument("--checker-only", action="store_true",
                        help="measure only the checker (figure 11) and replace its section of the report")
    arguments = parser.parse_args()
    started = datetime.datetime.now(datetime.UTC)
    if arguments.suite_only:
        with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
            suite = measure_suite(Path(scratch))
        replace_suite_row(arguments.output, suite)
        log(f"wrote the test suite's row of {arguments.output}")
        if not (suite["ok"] and suite["seconds"] <= SUITE_TARGET_SECONDS):
            raise SystemExit("bench: targets missed:\n" + suite_row(suite))
        return
    if arguments.guard_only:
        guard, runner = measure_guard(), measure_guard_runner()
        replace_section(arguments.output, GUARD_HEADING, guard_lines(guard, runner), started,
                        "python benchmarks/bench.py --guard-only")
        replace_target_row(arguments.output, "| a clean 1 ms task under `python -m rng_guard`", runner_row(runner))
        log(f"wrote the guard's section of {arguments.output}")
        if runner["runner"] / runner["bare"] > 1.10:
            raise SystemExit("bench: targets missed:\n" + runner_row(runner))
        return
    if arguments.checker_only:
        replace_section(arguments.output, CHECKER_HEADING, checker_lines(measure_checker()), started,
                        "python benchmarks/bench.py --checker-only")
        log(f"wrote the checker's section of {arguments.output}")
        return
    if arguments.setup_only:
        with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
            replace_setup_section(arguments.output, measure_setup(Path(scratch)), started)
        log(f"wrote the set-up section of {arguments.output}")
        return
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
        runner = measure_guard_runner()
        setup = measure_setup(scratch)
        suite = measure_suite(scratch)
        checker = measure_checker()
        missed = write_report(arguments.output, builds, plain, weights, scores, baseline_seconds, started,
                              guard, setup, runner, suite, checker)
    log(f"wrote {arguments.output}")
    if missed:
        raise SystemExit("bench: targets missed:\n" + "\n".join(missed))
    log("every target met")


if __name__ == "__main__":
    main()
