# custos — the two commands that matter: `make run` and `make test`.
# Both install what is missing (scripts/install-deps.sh), then build.

BUILD      ?= build/release
DEBUG_BUILD ?= build/debug
ASAN_BUILD ?= build/asan
CUSTOS     := $(BUILD)/custos
JOBS       ?= $(shell nproc)

.PHONY: all deps build run test unit integration integration-sqlite integration-postgres \
        asan asan-test bench format lint clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DCUSTOS_WERROR=ON

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Starts the server on the embedded database in ./custos-data with a first admin.
run: build
	$(CUSTOS) serve

test: build
	@bash scripts/test.sh

unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

integration: build
	@bash scripts/test.sh integration

# AddressSanitizer + UndefinedBehaviorSanitizer build, and the tests under it.
asan: deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCUSTOS_SANITIZE=ON -DCUSTOS_BENCH=OFF
	cmake --build $(ASAN_BUILD) -j $(JOBS)

asan-test: asan
	@CUSTOS_BUILD=$(ASAN_BUILD) bash scripts/test.sh

bench: build
	@bash bench/run.sh

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

lint: $(BUILD)/build.ninja
	@git ls-files 'src/*.cpp' | grep -v '_test.cpp' | xargs -P $(JOBS) -n 4 clang-tidy -p $(BUILD) --quiet --extra-arg=-Wno-unknown-warning-option

clean:
	rm -rf build
