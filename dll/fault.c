/*
 * fault.c - the fault-injection seam, compiled into the test build only
 * (build/<arch>/test/copyfile2.dll, -DCF2_TEST_BUILD).
 *
 * Some failures cannot be provoked for real under Wine 8.0 (it does not
 * enforce byte-range locks on reads, so a read cannot be made to fail), so
 * the conformance suite arms one simulated Win32 error at a chosen phase and
 * chunk through the exported cf2_test_set_fault.  The shipped DLL has no
 * such export and cf2_fault always returns 0 there.
 */
#include "internal.h"

#ifdef CF2_TEST_BUILD

static volatile LONG armed_phase;      /* COPYFILE2_COPY_PHASE, 0 = none */
static volatile LONGLONG armed_chunk;
static volatile LONG armed_error;

/* Arms one fault: at `phase` (and, for READ_SOURCE / WRITE_DESTINATION, at
 * chunk number `chunk` of stream 1) the engine behaves as if the operation
 * failed with `win32_error`.  It fires once.  phase 0 disarms. */
__declspec(dllexport) void WINAPI cf2_test_set_fault(DWORD phase, ULONGLONG chunk,
                                                     DWORD win32_error)
{
    InterlockedExchange(&armed_phase, 0);
    armed_chunk = (LONGLONG)chunk;
    armed_error = (LONG)win32_error;
    InterlockedExchange(&armed_phase, (LONG)phase);
}

DWORD cf2_fault(COPYFILE2_COPY_PHASE phase, ULONGLONG chunk)
{
    if (armed_phase == 0 || (COPYFILE2_COPY_PHASE)armed_phase != phase)
        return 0;
    if ((phase == COPYFILE2_PHASE_READ_SOURCE || phase == COPYFILE2_PHASE_WRITE_DESTINATION) &&
        (ULONGLONG)armed_chunk != chunk)
        return 0;
    if (InterlockedCompareExchange(&armed_phase, 0, (LONG)phase) != (LONG)phase)
        return 0;
    return (DWORD)armed_error;
}

#else

DWORD cf2_fault(COPYFILE2_COPY_PHASE phase, ULONGLONG chunk)
{
    (void)phase;
    (void)chunk;
    return 0;
}

#endif
