# skrnn's single entry point. Every target builds the local virtual environment it
# needs (.venv) from the project's own files, with torch pinned by constraints.txt.
#
#   make compare   the main job: LSTM vs GRU vs RNN on a data set shipped with skrnn
#   make test      the test suite (what CI runs)
#   make docs      the Sphinx site with the example gallery, in docs/_build/html
#   make bench     the side-by-side speed and memory benchmarks (about 45 minutes)
#   make lint      ruff

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --disable-pip-version-check -c constraints.txt
OUT ?= results

.PHONY: venv compare test docs bench lint clean

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

docs: $(VENV)/.installed-docs
	$(PY) -m sphinx -b html -W --keep-going docs docs/_build/html

bench: $(VENV)/.installed-plot
	for script in benchmarks/bench_*.py; do $(PY) $$script || exit 1; done

lint: $(VENV)/.installed-test
	$(PIP) ruff
	$(VENV)/bin/ruff check skrnn tests examples benchmarks

clean:
	rm -rf $(VENV) docs/_build docs/auto_examples docs/generated $(OUT)
