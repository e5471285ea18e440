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
# Extra swiftc flags for `make lib` only (they change the library's link, not the shared modules).
LIB_SWIFTFLAGS ?=
ARCH       := $(shell uname -m)
DIST       := dist
DIST_NAME  := kieimage-$(VERSION)-linux-$(ARCH)
TARBALL    := $(DIST)/$(DIST_NAME).tar.gz
WHEEL      := $(DIST)/kieimage-$(VERSION)-py3-none-linux_$(ARCH).whl
# Release products: one scratch path and one flag set for the library and the tools, so the
# modules they share are compiled once (Benchmarks/run.sh asks `make release-flags` for them).
# Size (BENCHMARKS.md, "size"): Swift marks every public function "retain", so --gc-sections
# kept every public function of every dependency; -internalize-at-link lifts that for what the
# link does not export (the library exports kie_* only, abi/kieimage.map), -function-sections
# lets it drop them one by one, and gold's --icf=safe folds identical functions whose address
# is never taken (generic specializations). The C and C++ dependencies (two BoringSSLs, NIO's
# shims, llhttp) are built with one section per function and datum too, which SwiftPM does not
# do by default: the link then keeps only the parts reached (1.6 MiB less). SwiftPM does not
# recompile Swift modules when only -Xcc flags change: after changing these, rm -rf .build-lib.
#
# The C++ standard library is linked statically into the release products too (the Swift runtime
# is C++): a process that loads libkieimage.so then does not load and relocate libstdc++.so, 3.4M
# instructions and ~2 ms of `import kieimage` (P6), for 80 KB of size. The toolchain's static-stdlib
# link asks for -lstdc++ by name, so a directory searched before the system's holds a libstdc++.so
# that is a linker script naming the static archive (made when make reads this file, so that
# `make release-flags` callers get it too). scripts/abi-check fails if libstdc++ is NEEDED again.
STATIC_CXX := $(abspath $(BUILD_DIR))/static-cxx
LIBSTDCXX_A := $(shell gcc -print-file-name=libstdc++.a 2>/dev/null)
ifneq ($(filter /%,$(LIBSTDCXX_A)),)
$(shell mkdir -p $(STATIC_CXX) && echo 'INPUT($(LIBSTDCXX_A))' > $(STATIC_CXX)/libstdc++.so.tmp && mv $(STATIC_CXX)/libstdc++.so.tmp $(STATIC_CXX)/libstdc++.so)
STATIC_CXX_FLAGS := -Xlinker -L$(STATIC_CXX)
endif
RELEASE_FLAGS := -Xswiftc -static-stdlib -Xswiftc -Xfrontend -Xswiftc -internalize-at-link \
	-Xswiftc -Xfrontend -Xswiftc -function-sections -Xlinker --icf=safe \
	-Xcc -ffunction-sections -Xcc -fdata-sections -Xcxx -ffunction-sections -Xcxx -fdata-sections \
	$(STATIC_CXX_FLAGS)
RELEASE    := $(SWIFT) build -c release --scratch-path .build-lib $(RELEASE_FLAGS)
TOOLS      := $(BUILD_DIR)/bin/kie-image $(BUILD_DIR)/bin/kie-sim
MANPAGES   := $(BUILD_DIR)/man/kie-image.1 $(BUILD_DIR)/man/kie-sim.1

.PHONY: demo test deps build lib release-flags tools man wheel dist abi-check install test-install test-dist header header-check check-tree \
	test-swift test-c test-python test-cli test-lifecycle \
	test-ledger test-fuzz test-soak fuzz soak bench clean

## deps: system packages the build and tests need (installed only when missing; we run as root)
deps:
	@missing=""; \
	for p in libjansson-dev pkg-config valgrind luajit man-db tinyproxy libsqlite3-dev sqlite3 libpq-dev postgresql; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@$(PYTHON) -c "import pytest" 2>/dev/null || $(PYTHON) -m pip install -q pytest
	@$(PYTHON) -c "import hatchling" 2>/dev/null || $(PYTHON) -m pip install -q hatchling
	@$(PYTHON) -c "import uvicorn" 2>/dev/null || $(PYTHON) -m pip install -q uvicorn
	@$(PYTHON) -c "import xdist" 2>/dev/null || $(PYTHON) -m pip install -q pytest-xdist

## build: every target in debug, tests included
build:
	$(SWIFT) build --build-tests
	@ln -sf libkieimage.so $(BIN)/$(SONAME)

## lib: the shipped library: release, Swift standard library linked statically, SONAME
## libkieimage.so.1, only kie_* exported (abi/kieimage.map), stripped
release-flags:
	@echo $(RELEASE_FLAGS)

lib: $(LIB)
$(LIB): Package.swift Makefile $(shell find Sources/KieImage Sources/KieImageABI Sources/CKieImage -type f) abi/kieimage.map
	$(RELEASE) --product kieimage $(LIB_SWIFTFLAGS)
	@mkdir -p $(LIB_DIR)
	strip --strip-unneeded -o $@ .build-lib/release/libkieimage.so
	ln -sf libkieimage.so.$(VERSION) $(LIB_DIR)/$(SONAME)
	ln -sf $(SONAME) $(LIB_DIR)/libkieimage.so
	@echo "$@: $$(du -h $@ | cut -f1) stripped"

abi-check: $(LIB)
	scripts/abi-check $(LIB)

## tools: kie-image and kie-sim, release, Swift runtime linked statically (they run with env -i),
## stripped; built in the library's scratch path
tools: $(TOOLS)
$(TOOLS) &: Package.swift $(shell find Sources -type f) abi/kieimage.map
	$(RELEASE) --product kie-image
	$(RELEASE) --product kie-sim
	@mkdir -p $(BUILD_DIR)/bin
	strip -o $(BUILD_DIR)/bin/kie-image .build-lib/release/kie-image
	strip -o $(BUILD_DIR)/bin/kie-sim .build-lib/release/kie-sim

## man: kie-image.1 and kie-sim.1, generated from their argument parsers
man: $(MANPAGES)
$(BUILD_DIR)/man/%.1: $(BUILD_DIR)/bin/%
	scripts/generate-manual $< $(BUILD_DIR)/man

## wheel: the Python package with the release library bundled, built by hatchling (offline once
## make deps has installed it)
wheel: $(WHEEL)
$(WHEEL): $(LIB) $(shell find bindings/python/kieimage -name '*.py') bindings/python/pyproject.toml bindings/python/hatch_build.py
	@mkdir -p $(DIST)
	KIEIMAGE_LIB=$(abspath $(LIB)) $(PYTHON) -m pip wheel -q --no-deps --no-build-isolation --no-index -w $(DIST) bindings/python
	@test -f $@ || { echo "make wheel: expected $@" >&2; ls $(DIST) >&2; exit 1; }

## dist: the release archive: header, library, relocatable kieimage.pc, tools, man pages, docs
dist: $(TARBALL)
$(TARBALL): $(LIB) $(TOOLS) $(MANPAGES) include/kieimage.h abi/kieimage.pc.in README.md $(wildcard docs/*.md) scripts/install-tree
	rm -rf $(BUILD_DIR)/stage && mkdir -p $(DIST)
	scripts/install-tree $(BUILD_DIR)/stage/$(DIST_NAME) $(VERSION) --relocatable
	tar -C $(BUILD_DIR)/stage --sort=name --owner=0 --group=0 --numeric-owner \
	  --mtime="@$$(git log -1 --format=%ct 2>/dev/null || date +%s)" -czf $@ $(DIST_NAME)
	@echo "$@: $$(du -h $@ | cut -f1)"

## install: the layout of the dist archive under PREFIX (kieimage.pc names PREFIX)
install: $(LIB) $(TOOLS) $(MANPAGES)
	scripts/install-tree $(PREFIX) $(VERSION)

## test-install: programs built only against an installed copy, run with no Swift toolchain
## library path visible
test-install: lib tools man deps
	rm -rf $(BUILD_DIR)/prefix
	$(MAKE) --no-print-directory install PREFIX=$$(pwd)/$(BUILD_DIR)/prefix
	$(log) Tests/install/run.sh $$(pwd)/$(BUILD_DIR)/prefix $$(pwd)/$(BUILD_DIR)/prefix/bin/kie-sim 2>&1 | tee $(LOGS)/install.log

## test-dist: the wheel in a fresh venv outside the repo and the unpacked archive alone (README's
## C example, kie-image --simulate, man), all under env -i (Tests/dist)
test-dist: wheel dist deps
	$(log) Tests/dist/run.sh $(TARBALL) $(WHEEL) 2>&1 | tee $(LOGS)/dist.log

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
	Tests/header/sections-check.sh

## check-tree: no file in Sources/ or bindings/ over 400 lines, no function over 60; every path
## docs/architecture.md names exists
check-tree:
	scripts/check-limits
	scripts/check-architecture

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

## test-lifecycle: a C program and a Python program on the journal, SIGKILLed with generates in
## flight and while waiting, then resumed (docs/journal.md)
test-lifecycle: build deps
	$(log) KIEIMAGE_LIB=$$(pwd)/$(LIB_DEBUG) KIE_SIM=$$(pwd)/$(BIN)/kie-sim $(PYTHON) -m pytest -q Tests/lifecycle 2>&1 | tee $(LOGS)/lifecycle.log

## test-ledger: many processes on one account through a shared ledger (SQLite file, a throw-away
## PostgreSQL cluster): the limit held with skewed clocks, crashes at every boundary, paused
## owners, database faults, idempotency keys, two accounts (Tests/ledger, docs/ledger.md)
test-ledger: build deps
	$(log) KIEIMAGE_LIB=$$(pwd)/$(LIB_DEBUG) KIE_SIM=$$(pwd)/$(BIN)/kie-sim KIE_IMAGE=$$(pwd)/$(BIN)/kie-image $(PYTHON) -m pytest -q -n 4 Tests/ledger 2>&1 | tee $(LOGS)/ledger.log

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

test: deps build header-check check-tree test-swift test-c test-python test-cli test-lifecycle test-ledger abi-check test-install test-dist test-fuzz test-soak
	scripts/scan-secrets
	@echo "make test: all green"

clean:
	rm -rf .build .build-lib .build-man $(BUILD_DIR) $(DIST) out
