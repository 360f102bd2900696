# indbuilder: two commands do all set-up on a fresh Debian/Ubuntu machine with Python 3.11+.
#   make build   virtual environment, install, standards, build the example dossier (FDA + NMPA) into build/
#   make test    everything the tests need (incl. LibreOffice, poppler, CJK fonts), then the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STANDARDS_FROM ?= ../shared/reference/ectd
APT_BUILD = fonts-noto-cjk fonts-liberation
APT_TEST  = fonts-noto-cjk fonts-liberation poppler-utils libreoffice-writer-nogui

.PHONY: build test bench check sysdeps-build sysdeps-test standards clean

$(BIN)/indbuilder: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# System packages: installed with apt-get when running as root (CI, containers), else explained.
sysdeps-build:
	@sh scripts/apt-ensure.sh $(APT_BUILD)
sysdeps-test:
	@sh scripts/apt-ensure.sh $(APT_TEST)

standards: $(BIN)/indbuilder
	$(BIN)/indbuilder standards install --from $(STANDARDS_FROM)

build: sysdeps-build $(BIN)/indbuilder standards
	$(BIN)/indbuilder build

check: $(BIN)/indbuilder
	$(BIN)/indbuilder check

# mypy --strict on src/ (settings in pyproject.toml) runs first: a type error fails the tests.
test: sysdeps-test $(BIN)/indbuilder standards
	$(BIN)/mypy
	$(BIN)/python -m pytest

# docs/facts.md: the field reference generated from the fact model (tests/test_facts_doc.py fails when stale).
.PHONY: docs
docs: $(BIN)/indbuilder
	$(BIN)/python -m indbuilder.factdoc > docs/facts.md

bench: $(BIN)/indbuilder
	$(BIN)/python benchmarks/bench_pipeline.py

clean:
	rm -rf build .pytest_cache
