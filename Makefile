# Entry points. Each target installs what is missing, configures and builds
# first, so `make demo` and `make test` work alone on a fresh Debian machine.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
ifdef CI
CMAKE_FLAGS += -DATOLL_WERROR=ON
endif

.PHONY: setup configure build demo test fuzz sanitize bench stress gc-stress disciplines lint clean

setup:
	@scripts/setup

configure: setup
	@cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@echo "== ATOLL_GC_STATS=1 atoll run examples/demo.atl"
	@ATOLL_GC_STATS=1 $(BUILD)/bin/atoll run examples/demo.atl

# The slowest ten tests are printed after every run, pass or fail.
test: build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) --timeout 300; \
	  status=$$?; scripts/slowest-tests $(BUILD) 10; exit $$status

# The full front-end fuzz run (ctest runs a sample with a time budget):
# every variant, 40 mutants per file. FUZZ_SEED=n changes the seed.
# Then the differential tester (-O0 against -O2, docs/testing.md) for
# DIFF_SECONDS on programs from DIFF_SEED on (default: new ones every run);
# findings go to $(BUILD)/difftest-found.
FUZZ_SEED ?= 20261122
DIFF_SECONDS ?= 600
DIFF_SEED ?= $(shell date +%s)
fuzz: build
	@python3 tests/frontend/fuzz.py --atoll $(BUILD)/bin/atoll --repo . --shared ../shared \
	  --per-file 40 --seed $(FUZZ_SEED)
	@python3 tests/difftest/run.py --atoll $(BUILD)/bin/atoll --seed $(DIFF_SEED) \
	  --seconds $(DIFF_SECONDS) --jobs $(JOBS) --keep $(BUILD)/difftest-found

# The compiler and runtime unit tests under ASan/UBSan, the concurrency
# tests under TSan (two sanitizer builds: long). docs/testing.md.
sanitize: setup
	@scripts/sanitize

bench: build
	@bench/run

# The IO stress cases at full size on every scheduler x backend (minutes;
# not part of `make test`): runtime/sched/tests/stress.sh.
stress: configure
	@cmake --build $(BUILD) -j $(JOBS) --target io_stress
	@runtime/sched/tests/stress.sh $(BUILD)

# ATOLL_GC=manual on tests/lang/threads/gc_manual_dirty.atl, 80 runs in each
# of three scheduler x marker configurations (a few minutes; rare failures
# show only over many runs): runtime/gc/tests/manual_stress.sh.
GC_STRESS_RUNS ?= 80
gc-stress: build
	@runtime/gc/tests/manual_stress.sh $(BUILD) $(GC_STRESS_RUNS)

# The region-discipline table over tests/regions/ (docs/typing.md): every
# program x discipline checked, built, run under ATOLL_REGION_CHECK=1;
# checked against each program's `-- regions:` line. The Markdown form is
# in $(BUILD)/disciplines.md (PAPER.md's table).
disciplines: build
	@$(BUILD)/bin/atoll disciplines tests/regions --expect
	@$(BUILD)/bin/atoll disciplines tests/regions --markdown > $(BUILD)/disciplines.md 2>/dev/null; \
	  echo "wrote $(BUILD)/disciplines.md"

# The layout and naming rules of docs/code-style.md (the naming check
# installs clang-tidy when missing and takes minutes: not part of `make test`).
lint: configure
	@scripts/check-format
	@scripts/check-naming $(BUILD)

clean:
	rm -rf $(BUILD)
