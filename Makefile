# mechproof — run `make help` for the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
MODEL  ?= seed42
STRATEGY ?= cubic
# Where pip finds torch. Empty: pip's configured indexes (PyPI's Linux torch is the CUDA build, with ~15 nvidia
# packages, unless a local CPU wheel is found first). https://download.pytorch.org/whl/cpu: the CPU build.
TORCH_INDEX ?=

SEEDS  ?= 42,43,44,45,46
STRATEGIES ?= all
SWEEP  ?= results/sweep
PAPER  ?= results/paper-max4
PAPER_CHECK ?= results/paper-max4-check
PAPER_STRATEGIES ?= cubic,subcubic-*
SCALING ?= results/scaling
INDUCTION ?= results/induction
INDUCTION_MODELS ?= ind6
SCALING_SEEDS ?= 50,104,123,519,742
SCALING_CONFIGS ?= k5 k10 k20 k10v128
RAY    ?=
RAY_OPT = $(if $(RAY),--ray $(RAY),)
EXTRAS ?= test
comma  := ,
STAMP  := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))

.PHONY: help setup train accuracy certify check test test-quick bench lean coq coq-extract coq-certificates sweep report paper scaling induction clean

help:
	@echo "make certify MODEL=seed42   train if missing, prove, write + check the certificate in out/certificates/, summary"
	@echo "make test                   the whole test suite (sets up the venv first; CI runs it)"
	@echo "make test-quick             the tests not marked slow, for iterating (under 2 min on 2 cores)"
	@echo "make setup                  create $(VENV) and install mechproof (torch==2.13.0; prints CPU or CUDA build)"
	@echo "make setup TORCH_INDEX=https://download.pytorch.org/whl/cpu   the same with torch's CPU build from PyTorch's index"
	@echo "make train MODEL=seed42     train one model into models/"
	@echo "make accuracy MODEL=seed42  exact brute-force accuracy"
	@echo "make check                  re-check every committed certificate (Python exact checker)"
	@echo "make lean                   re-check every committed certificate in Lean (needs elan/lake)"
	@echo "make coq                    build coq/: the checker and its statement, and every committed certificate checked by Coq's kernel"
	@echo "make coq-certificates       rewrite coq/Certificates/ from the committed certificates (python -m mechproof.coqgen)"
	@echo "make coq-extract            the Coq checker extracted to OCaml (zarith), run on every committed certificate (seconds)"
	@echo "make bench                  benchmarks (ratios against a baseline run in the same process)"
	@echo "make sweep SEEDS=42,43      every strategy on several seeds → $(SWEEP)/results.csv (resumable)"
	@echo "make report                 plots and tables of the sweep beside the paper's numbers"
	@echo "make paper [RAY=auto]       the paper's study (151 seeds x all strategies) -> $(PAPER)/ and its report"
	@echo "make paper SEEDS=50,104     recompute those seeds and compare every row with the committed study"
	@echo "make setup EXTRAS=test,cluster   also install Ray (for --ray / RAY=...)"
	@echo "make induction              the induction task's missing n = 6 rows (~1 min per seed) -> $(INDUCTION)/, and table.csv and anchors.png/svg rebuilt from every row"
	@echo "make induction INDUCTION_MODELS=   every missing run (n = 8 brute force ~18 min, n = 10 ~10 min)"
	@echo "make scaling                the larger Max-of-K configurations (5 seeds each) -> $(SCALING)/ and report.md"

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) torch==2.13.0
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[$(EXTRAS)]'
	@$(BIN)/python -c "import torch; print('installed torch', torch.__version__, '(CUDA ' + torch.version.cuda + ' build)' if torch.version.cuda else '(CPU build)')"
	touch $@

train: setup
	$(BIN)/mechproof train $(MODEL)

accuracy: setup
	$(BIN)/mechproof accuracy $(MODEL)

certify: setup
	$(BIN)/mechproof certify $(MODEL) --strategy $(STRATEGY)

check: setup
	$(BIN)/mechproof check certificates

test: setup
	$(BIN)/python -m pytest -q

# The tests not marked `slow` (pyproject.toml): for iterating; `make test` (CI) runs them all.
test-quick: setup
	$(BIN)/python -m pytest -q -m 'not slow'

bench: setup
	$(BIN)/python benchmarks/run_all.py
	$(BIN)/python benchmarks/bruteforce_scaling.py
	$(BIN)/python benchmarks/subcubic_all.py
	$(BIN)/python benchmarks/per_seed.py
	$(BIN)/python benchmarks/check_dir_memory.py

lean:
	@command -v lake >/dev/null 2>&1 || { \
	  echo "make lean: Lean is not installed (no \`lake\` on PATH). Install it with elan:"; \
	  echo "  curl https://raw.githubusercontent.com/leanprover/elan/master/elan-init.sh -sSf | sh"; \
	  echo "then run make lean again (elan fetches the version in lean-toolchain)."; \
	  echo "Without Lean, \`make check\` (mechproof check) re-checks the certificates in Python."; \
	  exit 1; } >&2
	lake build

COQ_REQUIRED = @command -v coqc >/dev/null 2>&1 || { \
	  echo "make $@: Coq is not installed (no coqc on PATH). On Debian or Ubuntu, as root:"; \
	  echo "  apt-get install -y coq libcoq-interval libcoq-coquelicot libcoq-flocq libcoq-bignums"; \
	  exit 1; } >&2

# The library, then every file of coq/Certificates/ (their theorem `checked` runs the checker in the kernel: about
# a minute for seed42/cubic.json, much longer for the 778,471 inputs of seed42/cubic-residual.json).
coq:
	$(COQ_REQUIRED)
	cd coq && coq_makefile -f _CoqProject -o CoqMakefile && $(MAKE) -f CoqMakefile

# coqgen needs only Python's standard library: no virtual environment.
COQGEN = PYTHONPATH=python $(PYTHON) -m mechproof.coqgen

coq-certificates:
	$(COQGEN)

# The checker extracted to OCaml with zarith (Debian: libzarith-ocaml-dev), run on every committed certificate the
# Coq checker reads, from the same data (python -m mechproof.coqgen --flat). The fallback for certificates too large
# for the kernel; what it trusts beyond the kernel is in TRUST.md.
COQ_EXTRACTION := build/coq-extraction
coq-extract:
	$(COQ_REQUIRED)
	@command -v ocamlfind >/dev/null 2>&1 && ocamlfind query zarith >/dev/null 2>&1 || { \
	  echo "make coq-extract: needs ocamlfind and zarith (Debian: apt-get install -y ocaml-findlib libzarith-ocaml-dev)"; \
	  exit 1; } >&2
	cd coq && coq_makefile -f _CoqProject -o CoqMakefile && $(MAKE) -f CoqMakefile Check.vo
	mkdir -p $(COQ_EXTRACTION)
	cp coq/extraction/Extract.v coq/extraction/run.ml $(COQ_EXTRACTION)/
	cd $(COQ_EXTRACTION) && coqc -q -R $(CURDIR)/coq MechProof Extract.v && \
	  ocamlfind ocamlopt -package zarith -linkpkg -w -a checker.mli checker.ml run.ml -o coqcheck
	rm -f $(COQ_EXTRACTION)/*.flat
	for c in $$(find certificates -name '*.json' ! -name weights.json | sort); do \
	  f=$(COQ_EXTRACTION)/$$(echo $$c | tr / _ ).flat; \
	  $(COQGEN) --flat $$c $$f || echo "skipped: $$c" >&2; \
	done
	ulimit -s unlimited && $(COQ_EXTRACTION)/coqcheck $(COQ_EXTRACTION)/*.flat

sweep: setup
	$(BIN)/mechproof sweep --seeds $(SEEDS) --strategies '$(STRATEGIES)' --out $(SWEEP) $(RAY_OPT)

report: setup
	$(BIN)/mechproof report $(SWEEP)

# Without SEEDS on the command line: the whole study into $(PAPER) (resumable) and its report. With SEEDS: those
# seeds afresh into $(PAPER_CHECK), then every recomputed row against the committed one (non-zero exit if any differ).
# The study's committed rows are kept: a sweep only adds rows, and does not recompute those its folder holds.
paper: setup
ifeq ($(origin SEEDS),file)
	$(BIN)/mechproof sweep --seeds paper --strategies '$(PAPER_STRATEGIES)' --out $(PAPER) $(RAY_OPT)
	$(BIN)/mechproof report $(PAPER) --out $(PAPER)/report
else
	rm -rf $(PAPER_CHECK)
	$(BIN)/mechproof sweep --seeds $(SEEDS) --strategies '$(PAPER_STRATEGIES)' --out $(PAPER_CHECK) $(RAY_OPT)
	$(BIN)/mechproof paper-check $(PAPER_CHECK) --against $(PAPER)
endif

# The paper's larger Max-of-K configurations: every strategy on SCALING_SEEDS per configuration, cubic on
# one seed of K = 20, d_vocab 512, then the side-by-side report ($(SCALING)/report.md, scaling.png). A sweep only adds
# rows: those the committed tables hold (20 seeds where SCALING_SEEDS has 5) are kept and not recomputed.
scaling: setup
	for c in $(SCALING_CONFIGS); do \
	  $(BIN)/mechproof sweep --config $$c --seeds $(SCALING_SEEDS) --strategies '$(PAPER_STRATEGIES)' --out $(SCALING)/$$c --quiet || exit 1; \
	done
	$(BIN)/mechproof sweep --config k20v512 --seeds 50 --strategies cubic --out $(SCALING)/k20v512 --quiet
	$(BIN)/mechproof report-scaling $(SCALING)

induction: setup
	$(BIN)/python -m mechproof.tasks.induction.study --out $(INDUCTION) --models '$(INDUCTION_MODELS)'

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .lake
	if [ -f coq/CoqMakefile ]; then $(MAKE) -C coq -f CoqMakefile clean; fi
