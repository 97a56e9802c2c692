# copyfile2: a kernel32-compatible CopyFile2, built with mingw-w64, tested under Wine.
#
#   make            build the DLLs, import and static libraries for x64 and x86
#   make check      install what is missing, build everything, run every test
#   make bench      side-by-side benchmark (prints ratios)
#   make fuzz       longer fuzzing runs (make check runs a bounded smoke)
#
# Outputs go to build/<arch>/ (arch = x64 or x86).

SHELL := /bin/sh
VERSION := 0.1.0
.SUFFIXES:

B        := build
ARCHES   := x64 x86
TRIPLET_x64 := x86_64-w64-mingw32
TRIPLET_x86 := i686-w64-mingw32

CSTD     := -std=c11
WARN     := -Wall -Wextra -Werror
OPT      := -O2
WINFLAGS := $(CSTD) $(WARN) $(OPT) -Iinclude -Idll -D_WIN32_WINNT=0x0A00 -DUNICODE -D_UNICODE
NATIVE_CC ?= cc
# Native tests run under AddressSanitizer and UndefinedBehaviorSanitizer.
NATIVE_CFLAGS := $(CSTD) $(WARN) -O1 -g -Iinclude -Idll -fsanitize=address,undefined \
                 -fno-sanitize-recover=all -fno-omit-frame-pointer

# Sources of the DLL.  static_imp.c only goes into the static library.
DLL_SRCS := $(filter-out dll/static_imp.c,$(sort $(wildcard dll/*.c)))
# DLL sources that need no Windows API: also built and unit-tested natively.
PORTABLE_SRCS := $(filter $(addprefix dll/,crc32c.c restart_codec.c),$(DLL_SRCS))

CONF_SRCS   := $(sort $(wildcard tests/conformance/*.c))
NATIVE_TESTS := $(patsubst tests/native/%.c,%,$(sort $(wildcard tests/native/test_*.c)))
BENCH_SRCS  := $(sort $(wildcard bench/*.c))
HEADERS     := $(wildcard include/*.h dll/*.h)

.PHONY: all check check-fuzz check-native check-conformance check-exports check-headers \
        deps cmocka-win bench fuzz clean
all: $(foreach a,$(ARCHES),$(B)/$(a)/copyfile2.dll $(B)/$(a)/libcopyfile2.dll.a \
        $(B)/$(a)/libcopyfile2.a $(B)/$(a)/test/copyfile2.dll)

# ---------------------------------------------------------------- set-up
DEPS_STAMP := $(B)/.deps-ok
deps: $(DEPS_STAMP)
$(DEPS_STAMP): tools/setup-deps.sh
	sh tools/setup-deps.sh
	@mkdir -p $(B) && touch $@

CMOCKA_WIN := $(B)/cmocka
cmocka-win: $(CMOCKA_WIN)/x64/lib/libcmocka-static.a
$(CMOCKA_WIN)/x64/lib/libcmocka-static.a $(CMOCKA_WIN)/x86/lib/libcmocka-static.a: tools/build-cmocka-win.sh | $(DEPS_STAMP)
	sh tools/build-cmocka-win.sh $(CMOCKA_WIN)

# ---------------------------------------------------------------- per-arch rules
# $(1) = arch
define ARCH_RULES
CC_$(1) := $$(TRIPLET_$(1))-gcc
CXX_$(1) := $$(TRIPLET_$(1))-g++

$(B)/$(1)/obj/%.o: dll/%.c $$(HEADERS) | $$(DEPS_STAMP)
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(WINFLAGS) -c $$< -o $$@

# The test build: the same sources with the fault-injection seam compiled in.
$(B)/$(1)/testobj/%.o: dll/%.c $$(HEADERS) | $$(DEPS_STAMP)
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(WINFLAGS) -DCF2_TEST_BUILD -c $$< -o $$@

$(B)/$(1)/copyfile2.def: def/copyfile2.def
	@mkdir -p $$(@D)
	sh tools/arch-def.sh $(1) $$< $$@

$(B)/$(1)/copyfile2.dll: $$(patsubst dll/%.c,$(B)/$(1)/obj/%.o,$$(DLL_SRCS)) $(B)/$(1)/copyfile2.def
	$$(CC_$(1)) -shared -static-libgcc -o $$@ $$(filter %.o,$$^) $(B)/$(1)/copyfile2.def -Wl,--kill-at -Wl,--enable-stdcall-fixup
	sh tools/check-exports.sh $(1) $$@ def/copyfile2.def

$(B)/$(1)/test/copyfile2.dll: $$(patsubst dll/%.c,$(B)/$(1)/testobj/%.o,$$(DLL_SRCS)) $(B)/$(1)/copyfile2.def
	@mkdir -p $$(@D)
	$$(CC_$(1)) -shared -static-libgcc -o $$@ $$(filter %.o,$$^) $(B)/$(1)/copyfile2.def -Wl,--kill-at -Wl,--enable-stdcall-fixup

# Import library, from the def file (as mingw-w64 builds its own).
$(B)/$(1)/libcopyfile2.dll.a: $(B)/$(1)/copyfile2.def
	$$(TRIPLET_$(1))-dlltool -k -d $$< -D copyfile2.dll -l $$@

# Static library: CopyFile2 plus its __imp_ pointer, so that code compiled
# against the (dllimport) declaration links with no CopyFile2 import at all.
$(B)/$(1)/libcopyfile2.a: $$(patsubst dll/%.c,$(B)/$(1)/obj/%.o,$$(DLL_SRCS)) $(B)/$(1)/obj/static_imp.o
	rm -f $$@
	$$(TRIPLET_$(1))-ar rcs $$@ $$^

$(B)/$(1)/tests/conformance.exe: $$(CONF_SRCS) $$(HEADERS) tests/conformance/*.h $(CMOCKA_WIN)/$(1)/lib/libcmocka-static.a
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(WINFLAGS) -Wno-unused-parameter -I$(CMOCKA_WIN)/$(1)/include -DCMOCKA_STATIC \
	    -o $$@ $$(CONF_SRCS) -static-libgcc -L$(CMOCKA_WIN)/$(1)/lib -lcmocka-static

$(B)/$(1)/bench/%.exe: bench/%.c $$(HEADERS)
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(WINFLAGS) -o $$@ $$< -static-libgcc

# Layout and C/C++ compatibility checks of the public header.
$(B)/$(1)/header-check.ok: include/copyfile2.h tests/header/header_c.c tests/header/header_cxx.cpp $(B)/$(1)/libcopyfile2.a $(B)/$(1)/libcopyfile2.dll.a
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(WINFLAGS) -c tests/header/header_c.c -o $(B)/$(1)/header_c.o
	$$(CXX_$(1)) -std=c++11 $$(WARN) -Iinclude -c tests/header/header_cxx.cpp -o $(B)/$(1)/header_cxx.o
	$$(CC_$(1)) -o $(B)/$(1)/header_static.exe $(B)/$(1)/header_c.o -static-libgcc -L$(B)/$(1) -l:libcopyfile2.a
	sh tools/check-imports.sh $(1) $(B)/$(1)/header_static.exe static
	$$(CC_$(1)) -o $(B)/$(1)/header_import.exe $(B)/$(1)/header_c.o -static-libgcc $(B)/$(1)/libcopyfile2.dll.a
	sh tools/check-imports.sh $(1) $(B)/$(1)/header_import.exe import
	sh tools/run-if-wine.sh $(1) $(B)/$(1)/header_static.exe
	sh tools/run-if-wine.sh $(1) $(B)/$(1)/header_import.exe
	@touch $$@
endef
$(foreach a,$(ARCHES),$(eval $(call ARCH_RULES,$(a))))

# ---------------------------------------------------------------- parts
# Each part of the project beyond the DLL (the copy tool, the kernel32
# drop-in, ...) keeps its rules in mk/<part>.mk and adds the targets that
# `make check` must run to CHECK_PARTS.
CHECK_PARTS :=
include $(sort $(wildcard mk/*.mk))

# ---------------------------------------------------------------- checks
check: $(DEPS_STAMP)
	$(MAKE) --no-print-directory all
	$(MAKE) --no-print-directory check-headers check-native check-fuzz check-conformance $(CHECK_PARTS)
	@echo "make check: all test groups passed"

check-exports: $(foreach a,$(ARCHES),$(B)/$(a)/copyfile2.dll)

check-headers: $(foreach a,$(ARCHES),$(B)/$(a)/header-check.ok)

check-native: $(addprefix $(B)/native/,$(NATIVE_TESTS))
	@set -e; for t in $^; do echo "== $$t"; $$t; done

$(B)/native/%: tests/native/%.c $(PORTABLE_SRCS) $(HEADERS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(NATIVE_CC) $(NATIVE_CFLAGS) -o $@ $< $(PORTABLE_SRCS) -lcmocka

check-conformance: $(foreach a,$(ARCHES),$(B)/$(a)/tests/conformance.exe) all
	sh tests/run-conformance.sh

# ---------------------------------------------------------------- bench, fuzz
# Only what the benchmark measures (the x64 DLL) and runs: building the rest
# would eat into its 15-minute budget on a fresh clone.
bench: $(B)/x64/copyfile2.dll $(patsubst bench/%.c,$(B)/x64/bench/%.exe,$(BENCH_SRCS))
	sh bench/run.sh

fuzz: | $(DEPS_STAMP)
	sh tests/fuzz/run.sh long

# Bounded fuzzing smoke run, part of make check.
check-fuzz: | $(DEPS_STAMP)
	sh tests/fuzz/run.sh smoke

clean:
	rm -rf $(B)/x64 $(B)/x86 $(B)/native $(B)/fuzz
