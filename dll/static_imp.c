/*
 * static_imp.c - only in the static library (libcopyfile2.a).
 *
 * Code compiled against <winbase.h> calls CopyFile2 through its dllimport
 * pointer, __imp_CopyFile2 (x64) or __imp__CopyFile2@12 (x86).  Defining that
 * pointer here, aimed at our CopyFile2, lets such code link against the static
 * library with no CopyFile2 import at all - so it runs where kernel32 has none.
 */
#define WINBASEAPI
#include "internal.h"

#if defined(_WIN64)
#define CF2_IMP_SYMBOL "__imp_CopyFile2"
#else
#define CF2_IMP_SYMBOL "__imp__CopyFile2@12"
#endif

PFN_COPYFILE2 cf2_imp_CopyFile2 __asm__(CF2_IMP_SYMBOL) = CopyFile2;
