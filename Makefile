# Tessera: two commands on a fresh Debian 12 machine, as root.
#   make run    installs missing packages, builds in Release, runs the main job (a short
#               scheduler benchmark: INSPIRIT against the other policies, simulated)
#   make test   builds and runs every test with ctest
# Also: make test-asan / make test-tsan (sanitizer builds running the core tests),
#       make bench (the overhead benchmark), make models (the small language models of the
#       learning workloads, a few minutes), make format, make clean.

BUILD      ?= build
JOBS       ?= $(shell scripts/jobs.sh)
CMAKE_ARGS ?=
# No test may hold up the suite: one without its own TIMEOUT property is stopped after this.
CTEST      := ctest --output-on-failure --timeout 600

.PHONY: all deps configure build run test test-asan test-tsan fuzz bench models format clean

FUZZ_SECONDS ?= 20

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS)

build: configure
	cmake --build $(BUILD) -j$(JOBS)

# The main job: a short scheduler benchmark in the simulator (INSPIRIT against the other
# policies on the built-in platforms); prints the summary and where the plots are.
run: build
	$(BUILD)/bin/tessera bench sched --quick --out $(BUILD)/bench-sched

test: build
	$(CTEST) --test-dir $(BUILD) -j$(JOBS)

# The core runtime, simulator and MPI tests under AddressSanitizer + UndefinedBehaviorSanitizer
# (only the programs they run are built).
test-asan: deps
	cmake -S . -B $(BUILD)-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTESSERA_SANITIZE=address,undefined \
	  -DTESSERA_BUILD_BENCH=OFF -DTESSERA_TORCH=OFF $(CMAKE_ARGS)
	cmake --build $(BUILD)-asan -j$(JOBS) --target sanitizer_test_programs
	$(CTEST) --test-dir $(BUILD)-asan -j$(JOBS) -L 'core|sim|mpi'

# The core runtime and policy tests under ThreadSanitizer. Only their binaries are built
# (ctest -L core runs nothing else), which keeps this step within CI's time budget.
test-tsan: deps
	cmake -S . -B $(BUILD)-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTESSERA_SANITIZE=thread \
	  -DTESSERA_BUILD_BENCH=OFF -DTESSERA_TORCH=OFF $(CMAKE_ARGS)
	cmake --build $(BUILD)-tsan -j$(JOBS) --target core_test_programs
	TSAN_OPTIONS="halt_on_error=1" $(CTEST) --test-dir $(BUILD)-tsan -j$(JOBS) -L core

# The libFuzzer targets (readers, specs, the simulator under every policy), FUZZ_SECONDS each (clang).
fuzz: deps
	scripts/fuzz.sh $(BUILD)-fuzz $(FUZZ_SECONDS) $(JOBS)

bench: build
	$(BUILD)/bin/tessera-bench-overhead

# The corpora and the small language models the learning workloads start from (minutes).
MODELS ?= models
models: build
	scripts/make-models.sh $(BUILD)/bin/tessera $(MODELS)

format:
	find runtime plugins codelets apps tests bench docs -name '*.cpp' -o -name '*.hpp' -o -name '*.cu' | \
	  xargs clang-format -i

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-tsan $(BUILD)-fuzz
