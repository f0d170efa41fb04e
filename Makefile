# mechproof — run `make help` for the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
MODEL  ?= seed42
SEED   ?= $(patsubst seed%,%,$(MODEL))
STRATEGY ?= cubic

SEEDS  ?= 42,43,44,45,46
STRATEGIES ?= all
SWEEP  ?= results/sweep

.PHONY: help setup train accuracy certify check test bench lean sweep report clean

help:
	@echo "make certify MODEL=seed42   train if missing, prove, write + check the certificate, summary"
	@echo "make test                   the test suite (sets up the venv first)"
	@echo "make setup                  create $(VENV) and install mechproof (torch==2.13.0, CPU build)"
	@echo "make train MODEL=seed42     train one model into models/"
	@echo "make accuracy MODEL=seed42  exact brute-force accuracy"
	@echo "make check                  re-check every committed certificate (Python exact checker)"
	@echo "make lean                   re-check every committed certificate in Lean (needs elan/lake)"
	@echo "make bench                  benchmarks (ratios against a baseline run in the same process)"
	@echo "make sweep SEEDS=42,43      every strategy on several seeds → $(SWEEP)/results.csv (resumable)"
	@echo "make report                 plots and tables of the sweep beside the paper's numbers"

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check torch==2.13.0
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

train: setup
	$(BIN)/mechproof train --seed $(SEED)

accuracy: setup
	$(BIN)/mechproof accuracy $(MODEL)

certify: setup
	$(BIN)/mechproof certify $(MODEL) --strategy $(STRATEGY)

check: setup
	$(BIN)/mechproof check certificates

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python benchmarks/run_all.py
	$(BIN)/python benchmarks/bruteforce_scaling.py

lean:
	lake build

sweep: setup
	$(BIN)/mechproof sweep --seeds $(SEEDS) --strategies '$(STRATEGIES)' --out $(SWEEP)

report: setup
	$(BIN)/mechproof report $(SWEEP)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .lake
