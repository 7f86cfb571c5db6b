# Two commands on a fresh Debian machine with Python 3.11:
#   make serve   install, index corpus/ (only what changed after the first start), serve http://127.0.0.1:8000
#   make test    install test dependencies and Debian's chromium, run the whole suite
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test index chromium bench clean

serve: $(VENV)/.installed
	$(PY) run.py index  # incremental: builds on first start, then only what changed (a second when nothing did)
	$(PY) run.py serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test chromium
	$(PY) -m pytest

index: $(VENV)/.installed
	$(PY) run.py index

bench: $(VENV)/.installed-bench
	$(PY) -m bench

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python setup.cfg pyproject.toml
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[bench]'
	touch $@

chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

clean:
	rm -rf $(VENV) index build *.egg-info
