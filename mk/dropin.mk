# The kernel32 drop-in for Wine (docs/drop-in.md): a kernel32.dll that exports
# our CopyFile2 and forwards every other export of the installed Wine's kernel32
# to that kernel32, copied as kernel32_wine.dll.  x64 only.
#
#   make dropin                       build build/x64/dropin/{kernel32.dll,kernel32_wine.dll}
#   make install-wine [WINEPREFIX=P] [DROPIN_APPS="a.exe b.exe"]
#                                     install into a prefix (default: $WINEPREFIX, else ~/.wine);
#                                     with DROPIN_APPS the override is set for those programs only
#   make uninstall-wine [WINEPREFIX=P]  restore the prefix exactly as it was
#   make dropin-status [WINEPREFIX=P]   what is installed there, and whether it is stale
#   make check-dropin                 the tests (tests/dropin/run.sh), in a throwaway prefix
#                                     under build/; part of `make check`
#
# def/kernel32-dropin.def is generated here, at every build, from the export
# table of the installed Wine's kernel32 (tools/gen-kernel32-def.sh); it is
# rewritten only when that changes, so an unchanged Wine relinks nothing.

DROPIN_DIR     := $(B)/x64/dropin
DROPIN_DEF     := def/kernel32-dropin.def
DROPIN_TARGET  := kernel32_wine.dll
# Wine's PE kernel32 (64-bit): the first of the usual install locations.
DROPIN_K32     ?= $(firstword $(wildcard \
                    /usr/lib/x86_64-linux-gnu/wine/x86_64-windows/kernel32.dll \
                    /usr/lib/wine/x86_64-windows/kernel32.dll \
                    /usr/lib64/wine/x86_64-windows/kernel32.dll \
                    /opt/wine-stable/lib/wine/x86_64-windows/kernel32.dll \
                    /usr/local/lib/wine/x86_64-windows/kernel32.dll))
DROPIN_PREFIX   = $(if $(WINEPREFIX),$(WINEPREFIX),$(HOME)/.wine)
DROPIN_APPS    ?=
DROPIN_OBJS    := $(patsubst dll/%.c,$(B)/x64/obj/%.o,$(DLL_SRCS))
DROPIN_TESTS   := cf2_import which_cf2 k32_smoke
DROPIN_TEST_EXES := $(patsubst %,$(DROPIN_DIR)/tests/%.exe,$(DROPIN_TESTS))
DROPIN_GEN      = sh tools/gen-kernel32-def.sh --kernel32 $(DROPIN_K32) --target $(DROPIN_TARGET)

.PHONY: dropin install-wine uninstall-wine dropin-status check-dropin clean-dropin dropin-k32-present FORCE
dropin: $(DROPIN_DIR)/kernel32.dll $(DROPIN_DIR)/$(DROPIN_TARGET)

dropin-k32-present:
	@test -n "$(DROPIN_K32)" && test -f "$(DROPIN_K32)" || { \
	    echo "dropin: no 64-bit Wine kernel32.dll found; set DROPIN_K32=/path/to/x86_64-windows/kernel32.dll" >&2; exit 1; }

# Generated from the installed Wine every time; rewritten only on a change.
$(DROPIN_DEF): $(B)/x64/copyfile2.def tools/gen-kernel32-def.sh FORCE | dropin-k32-present
	@$(DROPIN_GEN) --own $(B)/x64/copyfile2.def proxy $@
$(DROPIN_DIR)/kernel32_wine-imp.def: tools/gen-kernel32-def.sh FORCE | dropin-k32-present
	@$(DROPIN_GEN) implib $@
$(DROPIN_DIR)/version.rc: tools/gen-kernel32-def.sh FORCE | dropin-k32-present
	@$(DROPIN_GEN) version-rc $@
FORCE:

# The proxy's own code (CopyFile2, the CRT start-up) must not import from
# KERNEL32.dll - that is the proxy itself.  The link keeps gcc's default
# libraries, but the -lkernel32 among them finds, first on the -L path, an
# import library of kernel32_wine.dll named libkernel32.a.
$(DROPIN_DIR)/lib/libkernel32.a: $(DROPIN_DIR)/kernel32_wine-imp.def
	@mkdir -p $(@D)
	$(TRIPLET_x64)-dlltool -d $< -D $(DROPIN_TARGET) -l $@

$(DROPIN_DIR)/version.o: $(DROPIN_DIR)/version.rc
	$(TRIPLET_x64)-windres -O coff -i $< -o $@

$(DROPIN_DIR)/kernel32.dll: $(DROPIN_OBJS) $(DROPIN_DEF) $(DROPIN_DIR)/version.o $(DROPIN_DIR)/lib/libkernel32.a tests/dropin/check-proxy.sh mk/dropin.mk
	$(CC_x64) -shared -static-libgcc -o $@ $(DROPIN_OBJS) $(DROPIN_DIR)/version.o $(DROPIN_DEF) -L$(DROPIN_DIR)/lib
	sh tests/dropin/check-proxy.sh $@ $(DROPIN_K32) $(DROPIN_TARGET) $(B)/x64/copyfile2.def

# The original, byte for byte, under the name the forwarders use.
$(DROPIN_DIR)/$(DROPIN_TARGET): $(DROPIN_K32) | dropin-k32-present
	@mkdir -p $(@D)
	cp $< $@

# The test programs are ordinary programs: <windows.h>, -lkernel32, nothing of ours.
$(DROPIN_DIR)/tests/%.exe: tests/dropin/%.c tests/dropin/tcheck.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC_x64) $(CSTD) $(WARN) $(OPT) -D_WIN32_WINNT=0x0A00 -DUNICODE -D_UNICODE -o $@ $< -static-libgcc -lkernel32

install-wine: dropin
	sh tools/wine-dropin.sh install --prefix "$(DROPIN_PREFIX)" --from $(DROPIN_DIR) --apps "$(DROPIN_APPS)"

# No build dependency: uninstalling needs only what the install recorded.
uninstall-wine:
	sh tools/wine-dropin.sh uninstall --prefix "$(DROPIN_PREFIX)"

dropin-status:
	sh tools/wine-dropin.sh status --prefix "$(DROPIN_PREFIX)" --from $(DROPIN_DIR) --k32 "$(DROPIN_K32)"

check-dropin: dropin $(DROPIN_TEST_EXES)
	MAKE='$(MAKE)' sh tests/dropin/run.sh $(DROPIN_DIR) $(B)/dropin-prefix

clean-dropin:
	rm -rf $(DROPIN_DIR) $(B)/dropin-prefix $(B)/dropin-prefix.* $(DROPIN_DEF)

CHECK_PARTS += check-dropin
