# Every target installs what it needs: uv when it is missing, then the locked environment.
SHELL := /bin/bash
UV = $(shell scripts/ensure-uv)
RUN = $(UV) run --frozen

.PHONY: setup demo test ui bench lint sandbox-up sandbox-down

setup:
	@$(UV) sync --frozen --quiet

demo: setup
	$(RUN) python -m dagster_project.demo

test: setup
	$(RUN) pytest

ui: setup
	$(RUN) python -m dagster_project.demo --prepare-only
	set -a && . data/sandbox.env && . data/world.env && set +a && \
		DAGSTER_HOME=$(CURDIR)/dagster_home $(RUN) dagster dev -w workspace.yaml

bench: setup
	$(RUN) python -m bench

lint: setup
	$(RUN) ruff format --check .
	$(RUN) ruff check .
	$(RUN) sqlfluff lint dbt/models
	$(RUN) mypy

sandbox-up: setup
	$(RUN) python -m sandbox up --if-down

sandbox-down: setup
	$(RUN) python -m sandbox down
