# kieimage: `make demo` (offline, against the built-in simulator) and `make test` (everything).
SHELL := /bin/bash
.DEFAULT_GOAL := demo

SWIFT      ?= swift
PYTHON     ?= python3
BIN        := .build/debug
LIB_DEBUG  := $(BIN)/libkieimage.so
BUILD_DIR  := build
VERSION    := $(shell sed -n 's/^\#define KIE_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)/\2/p' Sources/CKieImage/include/kieimage_types.h | paste -sd.)
SONAME     := libkieimage.so.1
LIB_DIR    := $(BUILD_DIR)/lib
LIB        := $(LIB_DIR)/libkieimage.so.$(VERSION)
PREFIX     ?= /usr/local
# Extra swiftc flags for `make lib` only, e.g. to let --gc-sections drop unused dependency code:
# LIB_SWIFTFLAGS="-Xswiftc -Xfrontend -Xswiftc -internalize-at-link -Xswiftc -Xfrontend -Xswiftc -function-sections"
LIB_SWIFTFLAGS ?=

.PHONY: demo test deps build lib abi-check install test-install header header-check test-swift test-c test-python test-cli \
	test-fuzz test-soak fuzz soak bench clean

## deps: system packages the build and tests need (installed only when missing; we run as root)
deps:
	@missing=""; \
	for p in libjansson-dev pkg-config valgrind luajit; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@$(PYTHON) -c "import pytest" 2>/dev/null || $(PYTHON) -m pip install -q pytest

## build: every target in debug, tests included
build:
	$(SWIFT) build --build-tests
	@ln -sf libkieimage.so $(BIN)/$(SONAME)

## lib: the shipped library: release, Swift standard library linked statically, SONAME
## libkieimage.so.1, only kie_* exported (abi/kieimage.map), stripped
lib: $(LIB)
$(LIB): Package.swift $(shell find Sources/KieImage Sources/KieImageABI Sources/CKieImage -type f) abi/kieimage.map
	$(SWIFT) build -c release --scratch-path .build-lib --product kieimage -Xswiftc -static-stdlib $(LIB_SWIFTFLAGS)
	@mkdir -p $(LIB_DIR)
	strip --strip-unneeded -o $@ .build-lib/release/libkieimage.so
	ln -sf libkieimage.so.$(VERSION) $(LIB_DIR)/$(SONAME)
	ln -sf $(SONAME) $(LIB_DIR)/libkieimage.so
	@echo "$@: $$(du -h $@ | cut -f1) stripped"

abi-check: $(LIB)
	scripts/abi-check $(LIB)

## install: header, library with its SONAME links, and kieimage.pc under PREFIX
install: $(LIB)
	install -d $(PREFIX)/include $(PREFIX)/lib/pkgconfig
	install -m 644 include/kieimage.h $(PREFIX)/include/
	install -m 755 $(LIB) $(PREFIX)/lib/
	ln -sf libkieimage.so.$(VERSION) $(PREFIX)/lib/$(SONAME)
	ln -sf $(SONAME) $(PREFIX)/lib/libkieimage.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' abi/kieimage.pc.in > $(PREFIX)/lib/pkgconfig/kieimage.pc

## test-install: programs built only against an installed copy, run with no Swift toolchain
## library path visible
test-install: build deps
	rm -rf $(BUILD_DIR)/prefix
	$(MAKE) --no-print-directory install PREFIX=$$(pwd)/$(BUILD_DIR)/prefix
	Tests/install/run.sh $$(pwd)/$(BUILD_DIR)/prefix $(BIN)/kie-sim

demo: build
	@rm -rf out
	$(BIN)/kie-image generate --simulate --prompt "A beautiful sunset over the mountains" --size 1:1 --out out/
	@echo "PNG files written to $$(pwd)/out/:"; ls -l out/ | tail -n +2

header:
	scripts/generate-header

## header-check: the committed header matches the Swift sources and compiles as C99, C11, C++17
header-check: build
	scripts/generate-header --check
	@mkdir -p $(BUILD_DIR)
	@printf '#include "kieimage.h"\nint main(void){return 0;}\n' > $(BUILD_DIR)/hdr.c
	gcc -std=c99 -Wall -Wextra -pedantic -Werror -Iinclude -c $(BUILD_DIR)/hdr.c -o $(BUILD_DIR)/hdr-gcc.o
	clang -std=c11 -Wall -Wextra -pedantic -Werror -Iinclude -c $(BUILD_DIR)/hdr.c -o $(BUILD_DIR)/hdr-clang.o
	g++ -std=c++17 -Wall -Wextra -Werror -Iinclude -x c++ -c $(BUILD_DIR)/hdr.c -o $(BUILD_DIR)/hdr-gxx.o
	Tests/header/drift-check.sh

LOGS := $(BUILD_DIR)/logs
# Each test stage's output is kept in build/logs for the secret scan.
log = mkdir -p $(LOGS) && set -o pipefail &&

test-swift: build
	$(log) $(SWIFT) test --skip-build 2>&1 | tee $(LOGS)/swift.log

## test-c: C tests (NULL and hostile input to every export, async ordering and cancel, webhooks,
## dlclose), the C and LuaJIT examples against fresh simulators, then under valgrind memcheck and
## ASan/UBSan (Tests/c/run-all.sh)
test-c: build deps
	$(log) Tests/c/run-all.sh $(BIN) $(BIN)/kie-sim include 2>&1 | tee $(LOGS)/c.log

test-python: build deps
	$(log) KIEIMAGE_LIB=$$(pwd)/$(LIB_DEBUG) KIE_SIM=$$(pwd)/$(BIN)/kie-sim $(PYTHON) -m pytest -q bindings/python/tests 2>&1 | tee $(LOGS)/python.log

test-cli: build deps
	$(log) KIE_IMAGE=$$(pwd)/$(BIN)/kie-image KIE_SIM=$$(pwd)/$(BIN)/kie-sim $(PYTHON) -m pytest -q Tests/cli 2>&1 | tee $(LOGS)/cli.log

## test-fuzz / fuzz: libFuzzer (swiftc -sanitize=fuzzer,address) on the request builder, the
## envelope and record-info parsers, webhook parse/verify and the config parser, from the
## checked-in corpus; 60 s in make test, 30 min in make fuzz
test-fuzz: build
	$(log) Tests/fuzz/run.sh 60 2>&1 | tee $(LOGS)/fuzz.log
fuzz: build
	Tests/fuzz/run.sh 1800

## test-soak / soak: mixed traffic at 5 % injected faults through the Python binding; asserts no
## stuck operation and no duplicate generate, reports RSS over time; 60 s in make test, 10 min in make soak
SOAK_ENV = KIEIMAGE_LIB=$$(pwd)/$(LIB_DEBUG) KIE_SIM=$$(pwd)/$(BIN)/kie-sim
test-soak: build deps
	$(log) $(SOAK_ENV) $(PYTHON) Tests/soak/soak.py 60 2>&1 | tee $(LOGS)/soak.log
soak: build deps
	$(SOAK_ENV) $(PYTHON) Tests/soak/soak.py 600

## bench: every measure next to its baseline, release builds; rewrites BENCHMARKS.md
bench: lib deps
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	@$(PYTHON) -c "import requests, jsonschema" 2>/dev/null || $(PYTHON) -m pip install -q requests jsonschema
	Benchmarks/run.sh

test: deps build header-check test-swift test-c test-python test-cli abi-check test-install test-fuzz test-soak
	scripts/scan-secrets
	@echo "make test: all green"

clean:
	rm -rf .build $(BUILD_DIR) out
