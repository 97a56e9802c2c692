// Compiles the public header as C++ alongside <windows.h>.
#include <windows.h>
#include "copyfile2.h"

static_assert(COPY_FILE_DISABLE_SPARSE_COPY == 0x80000000u, "flag value");
static_assert(COPYFILE2_IO_CYCLE_SIZE_MAX == 0x40000000, "io max");

int header_cxx_probe(void)
{
    PFN_COPYFILE2 fn = &CopyFile2;
    COPYFILE2_MESSAGE msg = {};
    msg.Type = COPYFILE2_CALLBACK_STREAM_STARTED;
    return fn != nullptr && msg.dwPadding == 0;
}
