# mk/reliability.mk - issue 8's reliability runs (docs/reliability.md).
#
#   make check-heap   the conformance suite (--quick) under Wine's heap
#                     checking (WINEDEBUG=warn+heap) after a positive control;
#                     part of `make check` (about 30 s)
#   make soak         the long runs: 100 restartable copies killed and resumed
#                     (CF2_SOAK_KILLS), and 8 threads x 200 concurrent copies
#                     (CF2_SOAK_COPIES) under heap checking; about 4 minutes
#
# The reliability area itself (tests/conformance/test_reliability.c,
# test_hostile.c, test_concurrency.c) runs in check-conformance with the rest
# of the suite, and the params fuzz driver (tests/fuzz/fuzz_params.c) in
# check-fuzz (`make fuzz` for a long run).

$(B)/x64/tests/heap_control.exe: tests/soak/heap_control.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC_x64) $(CSTD) $(WARN) -O0 -o $@ $< -static-libgcc

.PHONY: check-heap soak
CHECK_PARTS += check-heap

check-heap: $(B)/x64/tests/conformance.exe $(B)/x64/test/copyfile2.dll $(B)/x64/tests/heap_control.exe
	sh tests/soak/heap-check.sh --quick

soak: $(B)/x64/tests/conformance.exe $(B)/x64/test/copyfile2.dll $(B)/x64/tests/crash_test.exe
	sh tests/soak/run.sh
