# Entry points: `make dev` runs this service natively; `make test` sets up and runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# .env (if present) is loaded into every command's environment by the reader manage.py uses too
# (wenchuang/envfile.py): variables already in the environment win over the file.
LOAD_ENV := exports="$$($(BIN)/python -m wenchuang.envfile)" && eval "$$exports" &&

.PHONY: dev test test-now test-dates lint venv migrate record clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

## Run the web service and its Celery worker against SALEOR_API_URL (PostgreSQL from DATABASE_URL or embedded).
dev: $(STAMP)
	$(LOAD_ENV) eval "$$(scripts/ensure-services.sh --redis-only)" && $(BIN)/python manage.py dev

## Create the environment, start PostgreSQL/Redis if needed, run the whole suite today and at other dates.
test: test-now test-dates

## The suite at today's date (with ruff and the import layers first: README, "Layers").
test-now: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	eval "$$(scripts/ensure-services.sh)" && $(BIN)/pytest $(PYTEST_ARGS)

## The suite again with the clock moved by faketime: a year ahead, a leap day, a month's end in Beijing.
test-dates: $(STAMP)
	eval "$$(scripts/ensure-services.sh)" && scripts/test-at-dates.sh -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

## Re-record Saleor traffic from the live Saleor at SALEOR_API_URL.
record: $(STAMP)
	$(LOAD_ENV) eval "$$(scripts/ensure-services.sh)" && $(BIN)/pytest --record-saleor -m saleor_live $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .data .pytest_cache
