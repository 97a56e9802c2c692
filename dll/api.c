/*
 * api.c - the exported entry point: parameter validation and the mapping of
 * every result to an HRESULT and the thread's last error, in one place.
 */

/* This file defines CopyFile2, which <winbase.h> declares as a dllimport of
 * kernel32: drop dllimport from the kernel32 declarations in this file only. */
#define WINBASEAPI
#include "internal.h"

/* Sizes of the two parameter structures for the architecture being built
 * (x64: 32 and 112, x86: 20 and 64). */
static const DWORD v1_size = sizeof(COPYFILE2_EXTENDED_PARAMETERS);
static const DWORD v2_size = sizeof(COPYFILE2_EXTENDED_PARAMETERS_V2);

/* The longest path Windows accepts, in characters (\\?\ paths included). */
#define CF2_MAX_PATH_CHARS 32767u

static BOOL reserved_all_zero(const COPYFILE2_EXTENDED_PARAMETERS_V2 *v2)
{
    for (size_t i = 0; i < sizeof v2->reserved / sizeof v2->reserved[0]; i++)
        if (v2->reserved[i] != NULL)
            return FALSE;
    return TRUE;
}

static BOOL path_too_long(const WCHAR *path)
{
    for (size_t n = 0; n <= CF2_MAX_PATH_CHARS; n++)
        if (path[n] == 0)
            return FALSE;
    return TRUE;
}

/* Fills *req from the caller's arguments.  Returns 0, or the Win32 error of
 * the rejection (ERROR_INVALID_PARAMETER is E_INVALIDARG as an HRESULT). */
static DWORD validate(PCWSTR src, PCWSTR dst, const COPYFILE2_EXTENDED_PARAMETERS *params,
                      struct cf2_request *req)
{
    ZeroMemory(req, sizeof *req);
    req->src = src;
    req->dst = dst;
    req->chunk_size = CF2_DEFAULT_CHUNK_SIZE;

    if (params) {
        /* dwSize is read first and alone: it says how much may be read. */
        DWORD size = params->dwSize;
        if (size != v1_size && size != v2_size)
            return ERROR_INVALID_PARAMETER;
        if (params->dwCopyFlags & ~(DWORD)COPYFILE2_ALL_COPY_FLAGS)
            return ERROR_INVALID_PARAMETER;
        req->flags = params->dwCopyFlags;
        req->cancel = params->pfCancel;
        req->routine = params->pProgressRoutine;
        req->context = params->pvCallbackContext;
        if (size == v2_size) {
            const COPYFILE2_EXTENDED_PARAMETERS_V2 *v2 =
                (const COPYFILE2_EXTENDED_PARAMETERS_V2 *)params;
            if (v2->dwCopyFlagsV2 & ~(DWORD)COPYFILE2_ALL_COPY_FLAGS_V2)
                return ERROR_INVALID_PARAMETER;
            if (!reserved_all_zero(v2))
                return ERROR_INVALID_PARAMETER;
            if (v2->ioDesiredSize != 0 && (v2->ioDesiredSize < COPYFILE2_IO_CYCLE_SIZE_MIN ||
                                           v2->ioDesiredSize > COPYFILE2_IO_CYCLE_SIZE_MAX))
                return ERROR_INVALID_PARAMETER;
            if (v2->ioDesiredRate != 0 && v2->ioDesiredRate < COPYFILE2_IO_RATE_MIN)
                return ERROR_INVALID_PARAMETER;
            req->flags_v2 = v2->dwCopyFlagsV2;
            if (v2->ioDesiredSize != 0)
                req->chunk_size = v2->ioDesiredSize;
            req->rate_kbps = v2->ioDesiredRate;
            req->routine_old = v2->pProgressRoutineOld;
            /* SourceOplockKeys: accepted, cannot be honoured here (docs/flags.md). */
        }
    }

    /* Unbuffered I/O moves whole sectors, so every chunk must start on a
     * sector boundary: the chunk size is rounded up to 4096 bytes. */
    if (req->flags & COPY_FILE_NO_BUFFERING)
        req->chunk_size = (req->chunk_size + 4095) & ~4095u;

    if (src == NULL || dst == NULL)
        return ERROR_INVALID_PARAMETER;
    if (src[0] == 0 || dst[0] == 0)
        return ERROR_PATH_NOT_FOUND;
    /* A path holds at most 32,767 characters (an NT path is counted in 16-bit
     * bytes).  Longer ones are refused here: Wine would wrap the length
     * around and open a different, shorter path. */
    if (path_too_long(src) || path_too_long(dst))
        return ERROR_FILENAME_EXCED_RANGE;
    return 0;
}

/***********************************************************************
 *           CopyFile2   (copyfile2.@)
 *
 * Copies a file.  Returns S_OK, or HRESULT_FROM_WIN32(code) with the same
 * Win32 code left as the thread's last error (E_INVALIDARG is
 * HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER)).
 */
HRESULT WINAPI CopyFile2(PCWSTR pwszExistingFileName, PCWSTR pwszNewFileName,
                         COPYFILE2_EXTENDED_PARAMETERS *pExtendedParameters)
{
    struct cf2_request req;
    DWORD err = validate(pwszExistingFileName, pwszNewFileName, pExtendedParameters, &req);
    if (err == 0)
        err = cf2_copy(&req);
    SetLastError(err);
    return err == 0 ? S_OK : HRESULT_FROM_WIN32(err);
}
