# Crash safety of restartable copies: a child copy killed at random moments,
# then resumed (tests/crash/crash_test.c).  CF2_CRASH_ROUNDS (default 30) and
# CF2_CRASH_SEED are passed through from the environment.

define CRASH_RULES
$(B)/$(1)/tests/crash_test.exe: tests/crash/crash_test.c $(B)/$(1)/libcopyfile2.a $$(HEADERS) $(CMOCKA_WIN)/$(1)/lib/libcmocka-static.a
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(WINFLAGS) -I$(CMOCKA_WIN)/$(1)/include -DCMOCKA_STATIC -o $$@ $$< \
	    -static-libgcc $(B)/$(1)/libcopyfile2.a -L$(CMOCKA_WIN)/$(1)/lib -lcmocka-static
endef
$(foreach a,$(ARCHES),$(eval $(call CRASH_RULES,$(a))))

.PHONY: check-crash
CHECK_PARTS += check-crash
check-crash: $(foreach a,$(ARCHES),$(B)/$(a)/tests/crash_test.exe)
	@rm -rf $(B)/crash-work && mkdir -p $(B)/crash-work
	cd $(B)/crash-work && sh ../../tools/run-if-wine.sh --show x64 ../x64/tests/crash_test.exe
	cd $(B)/crash-work && sh ../../tools/run-if-wine.sh --show x86 ../x86/tests/crash_test.exe
	@rm -rf $(B)/crash-work
