/* Compiles the public header as C alongside <windows.h> (the layout
 * assertions in the header run here), and calls CopyFile2 through the
 * ordinary declaration so the link shows how the library resolves it. */
#include <windows.h>
#include "copyfile2.h"

int main(void)
{
    COPYFILE2_EXTENDED_PARAMETERS_V2 v2 = {0};
    v2.dwSize = sizeof v2;
    v2.dwCopyFlagsV2 = COPY_FILE2_V2_VALID_FLAGS;
    v2.ioDesiredSize = COPYFILE2_IO_CYCLE_SIZE_MIN;
    v2.ioDesiredRate = COPYFILE2_IO_RATE_MIN;
    /* Invalid on purpose (NULL paths): exercises the symbol, copies nothing. */
    HRESULT hr = CopyFile2(NULL, NULL, (COPYFILE2_EXTENDED_PARAMETERS *)&v2);
    return hr == E_INVALIDARG && ERROR_REQUEST_PAUSED == 3050 ? 0 : 1;
}
