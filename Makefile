# skrnn's single entry point. Every target builds the local virtual environment it
# needs (.venv) from the project's own files, with torch pinned by constraints.txt.
#
#   make compare   the main job: `skrnn compare --out results`, LSTM vs GRU vs RNN on
#                  ItalyPowerDemand (shipped with skrnn); report, table and plots in
#                  results/ (under a minute)
#   make test      the test suite, doctests of the code and of docs/ included, and a
#                  full run of every example (.ci/run leaves those to make docs)
#   make docs      the Sphinx site with the example gallery (every example runs), in
#                  docs/_build/html, warnings as errors
#   make docs-fast the same pages without running the examples (their figures are
#                  missing), in docs/_build/html-fast
#   make bench     every benchmarks/bench_*.py in full, one after the other: fit,
#                  predict, search, memory and the cells' claims (about 50 minutes
#                  on 2 cores; each script's --smoke runs in the test suite)
#   make lint      ruff

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --disable-pip-version-check -c constraints.txt
OUT ?= results

.PHONY: venv compare test docs docs-fast bench lint clean

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	touch $@

# One stamp per set of extras, rebuilt when the requirements change.
$(VENV)/.installed-%: $(VENV)/.created pyproject.toml constraints.txt
	$(PIP) -e ".[$*]"
	touch $@

venv: $(VENV)/.installed-plot

compare: $(VENV)/.installed-plot
	$(PY) -m skrnn compare --out $(OUT)

test: $(VENV)/.installed-test
	$(PY) -m pytest $(PYTEST_ARGS)

SPHINXOPTS ?=

docs: $(VENV)/.installed-docs
	$(PY) -m sphinx -b html -W --keep-going $(SPHINXOPTS) docs docs/_build/html

docs-fast: $(VENV)/.installed-docs
	$(PY) -m sphinx -b html -W --keep-going -D plot_gallery=0 \
		-D suppress_warnings=image.not_readable $(SPHINXOPTS) docs docs/_build/html-fast

bench: $(VENV)/.installed-plot
	for script in benchmarks/bench_*.py; do $(PY) $$script || exit 1; done

lint: $(VENV)/.installed-test
	$(PIP) ruff
	$(VENV)/bin/ruff check skrnn tests examples benchmarks

clean:
	rm -rf $(VENV) docs/_build docs/auto_examples docs/generated $(OUT)
