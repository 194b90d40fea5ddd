# Two commands from a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PORT   ?= 5000

.PHONY: run test test-fast lint lab bench venv npm clean

# the living demo (docs/demo.md); options after DEMO_ARGS, e.g. `make run DEMO_ARGS=--fresh`
run: $(STAMP) npm
	$(PY) -m server demo --port $(PORT) $(DEMO_ARGS)

test: $(STAMP) npm
	$(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest tests/unit -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy server geo immersive analytics_notebooks
	$(VENV)/bin/mypy --explicit-package-bases bench

# JupyterLab on the report notebooks, with the project's kernel (a kernel starts in the
# notebook's folder, so the project's root goes on its path)
lab: $(STAMP)
	$(PY) -m pip install --quiet -r requirements-lab.txt
	PYTHONPATH=$(CURDIR) $(VENV)/bin/jupyter lab analytics_notebooks/

bench: $(STAMP) npm
	$(PY) -m bench

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

npm: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache .mypy_cache .ruff_cache
