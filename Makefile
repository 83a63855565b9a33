# The two commands of the README:  `make demo` (the main job on a small default) and `make test` (every test).
# Each one sets itself up on a fresh machine: it creates .venv if missing and installs the package with its dev extra.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
PRESET ?= configs/demo.yml
# make demo trains the diffusion stage as 2 data-parallel one-thread processes (faster than 2 threads in one on 2 cores)
DEMO_PROCESSES ?= 2
# make test starts the slowest notebook (the paper presets rehearsed at smoke scale) first, beside the other notebooks and pytest
LONGEST_NB := 12a_paper_artefacts.ipynb
# CPU hygiene measured on the 2-core machines (see DEVELOPERS notes): no OpenMP busy-wait, no glibc trimming in loops.
export OMP_WAIT_POLICY ?= PASSIVE
export MALLOC_MMAP_THRESHOLD_ ?= 33554432
export MALLOC_TRIM_THRESHOLD_ ?= 17179869184
export PYTHONHASHSEED ?= 0

.PHONY: install demo test sync readme clean-nbs notebooks

# make test needs the dev extra (nbdev, jupyterlab, pytest, ruff, diffusers); make demo only the library's own dependencies.
$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	@touch $@ $(BIN)/.installed-lib

# --no-compile: pip would byte-compile all of torch (~45 s of the demo's set-up); Python compiles what it imports instead.
$(BIN)/.installed-lib: pyproject.toml
	@test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --no-compile -e .
	@touch $@

install: $(BIN)/.installed

demo: $(BIN)/.installed-lib
	$(BIN)/treediffusion data fashion-mnist --grid runs/demo/fashion-mnist-classes.png
	$(BIN)/treediffusion run --config $(PRESET) --out runs/demo --processes $(DEMO_PROCESSES)

sync: $(BIN)/.installed
	PATH=$(BIN):$$PATH bash .ci/check_sync.sh

# Three streams side by side, one thread per process: the slowest notebook (started first, so it is not the last to
# start), the other notebooks one at a time, and pytest; each line says which stream printed it, and each ends with its
# slowest items.
test: $(BIN)/.installed
	PATH=$(BIN):$$PATH bash .ci/check_sync.sh
	$(BIN)/ruff check treediffusion --select F
	$(BIN)/treediffusion record --check
	$(BIN)/python tools/render_record.py --check
	@set -o pipefail; export OMP_NUM_THREADS=1; \
	( $(BIN)/nbdev-test --timing nbs/$(LONGEST_NB) 2>&1 | sed -u 's/^/[nbdev-test $(LONGEST_NB)] /' ) & long=$$!; \
	( $(BIN)/nbdev-test --timing --n-workers 1 --skip-file-glob '$(LONGEST_NB)' 2>&1 | sed -u 's/^/[nbdev-test] /' ) & nb=$$!; \
	( $(BIN)/python -m pytest tests --durations=10 2>&1 | sed -u 's/^/[pytest] /' ); py=$$?; \
	wait $$long; lt=$$?; wait $$nb; nbt=$$?; echo "make test: nbdev-test exit $$lt (its longest notebook) and $$nbt (the others), pytest exit $$py"; \
	test $$lt -eq 0 -a $$nbt -eq 0 -a $$py -eq 0

# Execute every notebook's lesson cells and store the outputs (numbers and pictures for GitHub); tests/test_notebooks.py checks they are current.
notebooks: $(BIN)/.installed
	$(BIN)/nbdev-export
	PATH=$(BIN):$$PATH $(BIN)/python tools/run_notebooks.py

readme: $(BIN)/.installed
	$(BIN)/jupyter nbconvert --to markdown nbs/index.ipynb --output-dir . --output README --log-level WARN
