# Entry points. Each target installs what is missing, configures and builds
# first, so `make demo` and `make test` work alone on a fresh Debian machine.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
ifdef CI
CMAKE_FLAGS += -DATOLL_WERROR=ON
endif

.PHONY: setup configure build demo test bench stress clean

setup:
	@scripts/setup

configure: setup
	@cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@echo "== atoll run examples/demo.atl"
	@$(BUILD)/bin/atoll run examples/demo.atl

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 300

bench: build
	@bench/run

# The IO stress cases at full size on every scheduler x backend (minutes;
# not part of `make test`): runtime/sched/tests/stress.sh.
stress: configure
	@cmake --build $(BUILD) -j $(JOBS) --target io_stress
	@runtime/sched/tests/stress.sh $(BUILD)

clean:
	rm -rf $(BUILD)
