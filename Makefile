# Parvis — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PEOPLE ?= 20000

.PHONY: demo install test test-postgres lint messages clean

$(BIN)/parvis: pyproject.toml requirements-openfisca.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/pip install --quiet --no-deps -r requirements-openfisca.txt
	touch $(BIN)/parvis

install: $(BIN)/parvis

# Sets everything up on the embedded default (SQLite, filesystem broker) and starts Parvis.
demo: install
	$(BIN)/parvis migrate --noinput
	@if [ "$$($(BIN)/parvis shell -v 0 -c 'from parvis.people.models import Person; print(Person.objects.exists())')" = "False" ]; then \
		$(BIN)/parvis seed --people $(PEOPLE) --seed 1; \
	else $(BIN)/parvis shell -v 0 -c 'from parvis.demo.services import create_demo_accounts; create_demo_accounts()'; fi
	$(BIN)/parvis geo demo-setup
	$(BIN)/parvis assist setup --demo --triage-open
	$(BIN)/parvis serve-demo

test: install
	$(BIN)/pytest -n 2 --dist loadfile -q

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

messages: install
	cd src/parvis && ../../$(BIN)/parvis makemessages -l fr --no-obsolete && ../../$(BIN)/parvis compilemessages

clean:
	rm -rf $(VENV) var
