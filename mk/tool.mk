# mk/tool.mk - the copy tool cf2copy.exe (tools/cf2copy.c; docs/cf2copy.md).
#
#   make tools        build/x64/cf2copy.exe and build/x86/cf2copy.exe
#   make check-tool   builds them and runs tests/tool/run.sh under Wine
#
# The tool links the static library (no CopyFile2 import: it runs on a Wine
# or Windows without one); tools/check-imports.sh verifies that after linking.
# `make` builds the tools too, and `make check` runs check-tool.

TOOL_SRC := tools/cf2copy.c

# $(1) = arch
define TOOL_RULES
$(B)/$(1)/cf2copy.exe: $(TOOL_SRC) include/copyfile2.h $(B)/$(1)/libcopyfile2.a
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(WINFLAGS) -municode -o $$@ $(TOOL_SRC) $(B)/$(1)/libcopyfile2.a -static-libgcc
	sh tools/check-imports.sh $(1) $$@ static

$(B)/$(1)/tests/ctrlc_test.exe: tests/tool/ctrlc_test.c | $$(DEPS_STAMP)
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(WINFLAGS) -municode -o $$@ $$< -static-libgcc
endef
$(foreach a,$(ARCHES),$(eval $(call TOOL_RULES,$(a))))

.PHONY: tools check-tool
tools: $(foreach a,$(ARCHES),$(B)/$(a)/cf2copy.exe)
all: tools

check-tool: tools $(foreach a,$(ARCHES),$(B)/$(a)/tests/ctrlc_test.exe)
	sh tests/tool/run.sh

CHECK_PARTS += check-tool
