# Vaughn: the two commands a developer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv run test lint bench clean sample package package-test

venv: $(STAMP)

# Re-install only when pyproject.toml changed; creating the venv is idempotent.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: venv
	$(PY) main.py --sample

test: venv
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

# ruff, the import contracts of app/'s layers ([tool.importlinter] in pyproject.toml), then
# mypy, strict, over app/ and ui/ ([tool.mypy]).
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

bench: venv
	$(PY) benchmarks/ingest.py
	$(PY) benchmarks/search.py

# The packaged build (PyInstaller one-folder, Linux .tar.gz): see packaging/README.md.
PKG_STAMP := $(VENV)/.package-installed
$(PKG_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[test,package]"
	touch $(PKG_STAMP)

package: $(PKG_STAMP)
	$(PY) packaging/build.py

# Build on this tree, then run the frozen binary's CLI and window (CI runs this after test).
package-test: package
	$(PY) packaging/smoke_test.py dist/vaughn/vaughn

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
