# Fieldcast: `make run` starts everything on this machine, `make test` runs the whole test suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install translations lint format typecheck messages clean

run: install
	$(PY) -m fieldcast migrate --noinput
	$(PY) -m fieldcast demo
	$(PY) -m fieldcast up --host $(HOST) --port $(PORT)

test: install
	FIELDCAST_FAST_PASSWORD_HASHER=true $(PY) -m pytest $(PYTEST_ARGS)

install: $(VENV)/.stamp-python frontend/node_modules/.stamp translations

$(VENV)/.stamp-python: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

frontend/node_modules/.stamp: frontend/package.json frontend/package-lock.json
	npm ci --prefix frontend --no-audit --no-fund --loglevel=error
	touch $@

# Compiled catalogs are build output (.mo is git-ignored); Babel compiles them without GNU gettext.
translations: $(VENV)/.stamp-python
	$(VENV)/bin/pybabel compile --domain django --directory locale --use-fuzzy --statistics 2>&1 | grep -v "^$$" || true
	@test -f locale/zh_Hans/LC_MESSAGES/django.mo

# Re-extract strings after changing templates or code (needs GNU gettext: apt-get install gettext).
messages:
	$(PY) -m fieldcast makemessages --locale zh_Hans --ignore '.venv/*' --ignore 'frontend/node_modules/*' --ignore 'var/*' --no-obsolete

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck:
	$(VENV)/bin/mypy .

clean:
	rm -rf var/test test-artifacts .pytest_cache .mypy_cache .ruff_cache
