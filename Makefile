# Two commands on a fresh Debian machine with Python 3.11:
#   make serve   install, index corpus/ (only what changed after the first start), serve http://127.0.0.1:8000
#   make test    install test dependencies, Debian's chromium, Java 17 and Maven, build the Solr launcher, run the whole suite
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8000
TRANSLATIONS := webui/translations
MO_FILES := $(patsubst %.po,%.mo,$(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po))

.PHONY: serve test index chromium java solr-launcher bench clean translations translations-extract

serve: $(VENV)/.installed translations
	$(PY) run.py index  # incremental: builds on first start, then only what changed (a second when nothing did)
	$(PY) run.py serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test chromium solr-launcher translations node_modules/.installed
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

# The UI's gettext catalogues: .po files are committed, .mo files compiled from them here.
translations: $(MO_FILES)

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(VENV)/bin/pybabel compile -i $< -o $@

# After changing a message in the code or a template: refresh the template and every catalogue,
# then translate what is new or marked fuzzy (tests/webui/test_translations.py fails until then).
translations-extract: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F $(TRANSLATIONS)/babel.cfg -k lazy_gettext -k N_ -w 100 \
		--project=Loupe --copyright-holder=Loupe -o $(TRANSLATIONS)/messages.pot webui
	$(VENV)/bin/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -w 100 --ignore-obsolete

# The validators the tests run (axe-core, the Nu HTML checker, citation-js), from package-lock.json.
# --ignore-scripts: vnu-jar's install script would fetch a Java of its own; the machine's serves.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# The SolrCloud tests' cluster: a JDK (javac too) and Maven, then Solr's jars from Maven Central
# (about 100 MB, cached in ~/.m2) and the launcher built once into engines/solr/launcher/target/.
java:
	@{ command -v java && command -v javac && command -v mvn; } >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless maven; }

solr-launcher: $(VENV)/.installed java
	$(PY) -m engines.solr.cluster prefetch

clean:
	rm -rf $(VENV) index build *.egg-info engines/solr/launcher/target node_modules $(MO_FILES)
