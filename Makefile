# Two commands on a fresh machine: `make serve` builds and serves the site, `make test` runs
# every test. Both install what they need: a virtual environment with the pinned Python
# packages, and the pinned npm packages (the Pyodide runtime and the icons). `make test` also
# installs what the tests need from the system, such as Chromium (tools/system_packages.py).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
BASE_URL ?= /
REPEAT ?= 1
LAB_RUNS ?= lab/runs

.PHONY: serve build test nightly lint bench clean lab lab-test lab-packages screenshots

serve: $(VENV)/.installed node_modules/.installed
	$(BIN)/python build.py serve --port $(PORT) --base-url $(BASE_URL)

build: $(VENV)/.installed node_modules/.installed
	$(BIN)/python build.py --base-url $(BASE_URL)

test: $(VENV)/.installed node_modules/.installed
	$(BIN)/python tools/system_packages.py
	@sh lab/install-packages || true  # the lab's test skips, saying how, where this cannot
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python build.py
	$(BIN)/pytest

# The property tests with many more random examples (tests marked nightly; `make test` leaves
# them out): minutes, not seconds.
nightly: $(VENV)/.installed
	$(BIN)/pytest -m nightly tests/sim

# Every guide page at 375 and 1280 px, light and dark, as full-page PNGs in test-artifacts/,
# to look at (make test leaves them out: they assert nothing and take minutes).
screenshots: $(VENV)/.installed node_modules/.installed
	$(BIN)/python tools/system_packages.py
	GUIDE_SCREENSHOTS=1 $(BIN)/pytest tests/e2e/test_pages.py -k fits_its_width

bench: $(VENV)/.installed node_modules/.installed
	$(BIN)/python tools/system_packages.py
	$(BIN)/python bench/bench_sim.py
	$(BIN)/python bench/bench_demo.py
	$(BIN)/python bench/bench_compare.py
	$(BIN)/python bench/bench_own_policy.py

# An optional extra: the same chaos experiment on a real cluster (Redis, HAProxy, three
# servers on 127.0.0.1; three Tomcats in replicated mode), then Redis killed with each
# persistence setting, beside the simulator's prediction; writes lab/calibration.json, and
# each run's record in $(LAB_RUNS) (`python -m lab compare` replays them; a rare outcome can
# be read there).
lab: $(VENV)/.installed
	@sh lab/install-packages
	$(BIN)/python -m lab run --repeat $(REPEAT) --calibration lab/calibration.json \
	  --record $(LAB_RUNS)

# The lab's integration test: short experiments on the real cluster, asserted (as root; about
# two minutes). `make test` leaves it out and checks the lab's pieces; CI runs both.
lab-test: $(VENV)/.installed
	@sh lab/install-packages
	$(BIN)/pytest -m lab tests/lab

lab-packages:
	@sh lab/install-packages

$(VENV)/.installed: requirements.txt
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

clean:
	rm -rf dist .dist-* test-artifacts .pytest_cache .ruff_cache
