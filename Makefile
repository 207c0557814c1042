# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
HOST   ?= 127.0.0.1
PORT   ?= 5000
N      ?= 20000
JOB_WORKERS ?= 2

.PHONY: run serve test test-pg lint bench bench-readme install install-dev db seed clean

# Checked before the venv and pip: an older Python would otherwise fail deep inside pip.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "需要 Python 3.11 或更高版本（$(PYTHON)：$$(command -v $(PYTHON) >/dev/null && $(PYTHON) -V 2>&1 || echo 未找到)）：请安装后运行 make PYTHON=python3.11 $(MAKECMDGOALS)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

db: install
	$(FLASK) db upgrade

seed: db
	$(FLASK) seed --demo
	$(FLASK) seed-demo-power

run: seed
	$(FLASK) purge-jobs
	@echo "服务地址：http://$(HOST):$(PORT)/  （演示账号见上方）"
	$(FLASK) with-jobs-worker -- $(FLASK) run --host $(HOST) --port $(PORT)

# JOB_WORKERS: how many jobs the one job worker runs at once (more workers: `flask --app app jobs-worker`).
serve: seed
	$(FLASK) with-jobs-worker --workers $(JOB_WORKERS) -- $(BIN)/gunicorn -c gunicorn.conf.py "app:create_app()"

test: install-dev
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

test-pg: install-dev
	DATABASE_URL=$${DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} $(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .

bench: install-dev
	$(BIN)/python -m bench.run --n $(N)

# The README's performance section, from the last bench reports (bench/out/report-<database>.txt).
bench-readme: install-dev
	$(BIN)/python -m bench.readme

clean:
	rm -rf $(VENV) instance .pytest_cache
