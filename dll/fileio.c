/*
 * fileio.c - positioned reads and writes of the copy's data and headers.
 *
 * ReadFile and WriteFile with an OVERLAPPED (the Win32 way to give an offset)
 * pass the OVERLAPPED as the completion key, and Wine then makes one
 * wineserver request per call (add_fd_completion) in case the handle is bound
 * to a completion port.  Our handles never are, so the data I/O goes to
 * NtReadFile/NtWriteFile with the offset and no completion key: the same
 * positioned I/O without that request (two of the seventeen requests of a
 * small file's copy, docs/benchmarks.md).  Every handle passed here was opened
 * by the engine for synchronous I/O, so the calls complete before returning.
 * Should ntdll lack either function, ReadFile/WriteFile are used.
 */
#include "internal.h"
#include <winternl.h>

#ifndef STATUS_END_OF_FILE
#define STATUS_END_OF_FILE ((NTSTATUS)0xC0000011L)
#endif

typedef NTSTATUS(NTAPI *nt_io_fn)(HANDLE file, HANDLE event, PIO_APC_ROUTINE apc, PVOID apc_context,
                                  PIO_STATUS_BLOCK iosb, PVOID buffer, ULONG length,
                                  PLARGE_INTEGER offset, PULONG key);
typedef ULONG(NTAPI *status_to_error_fn)(NTSTATUS status);

static INIT_ONCE resolve_once = INIT_ONCE_STATIC_INIT;
static nt_io_fn nt_read;
static nt_io_fn nt_write;
static status_to_error_fn status_to_error;

/* An export of ntdll, or NULL (ntdll is loaded in every process). */
void (*cf2_ntdll_export(const char *name))(void)
{
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    return ntdll ? (void (*)(void))GetProcAddress(ntdll, name) : NULL;
}

static BOOL CALLBACK resolve(INIT_ONCE *once, void *param, void **context)
{
    (void)once;
    (void)param;
    (void)context;
    nt_io_fn r = (nt_io_fn)cf2_ntdll_export("NtReadFile");
    nt_io_fn w = (nt_io_fn)cf2_ntdll_export("NtWriteFile");
    status_to_error_fn e = (status_to_error_fn)cf2_ntdll_export("RtlNtStatusToDosError");
    if (r && w && e) {
        nt_read = r;
        nt_write = w;
        status_to_error = e;
    }
    return TRUE;
}

static BOOL have_nt_io(void)
{
    InitOnceExecuteOnce(&resolve_once, resolve, NULL, NULL);
    return nt_read != NULL;
}

static void to_overlapped(OVERLAPPED *ov, ULONGLONG offset)
{
    ZeroMemory(ov, sizeof *ov);
    ov->Offset = (DWORD)offset;
    ov->OffsetHigh = (DWORD)(offset >> 32);
}

/* A handle opened for overlapped I/O may answer STATUS_PENDING; the engine
 * opens none, but a pending call is waited for rather than misread. */
static NTSTATUS settle(HANDLE h, NTSTATUS status, IO_STATUS_BLOCK *iosb)
{
    if (status != STATUS_PENDING)
        return status;
    WaitForSingleObject(h, INFINITE);
    return iosb->Status;
}

/* Reads at most n bytes at offset.  *got is 0 at the end of the file, which
 * is not an error here (ReadFile with an offset calls it ERROR_HANDLE_EOF). */
DWORD cf2_read_at(HANDLE h, ULONGLONG offset, void *buf, DWORD n, DWORD *got)
{
    *got = 0;
    if (have_nt_io()) {
        IO_STATUS_BLOCK iosb;
        LARGE_INTEGER at;
        at.QuadPart = (LONGLONG)offset;
        iosb.Information = 0;
        NTSTATUS status = nt_read(h, NULL, NULL, NULL, &iosb, buf, n, &at, NULL);
        status = settle(h, status, &iosb);
        if (status == STATUS_END_OF_FILE)
            return 0;
        if (status < 0)
            return status_to_error(status);
        *got = (DWORD)iosb.Information;
        return 0;
    }
    OVERLAPPED ov;
    to_overlapped(&ov, offset);
    if (!ReadFile(h, buf, n, got, &ov)) {
        DWORD err = GetLastError();
        *got = 0;
        return err == ERROR_HANDLE_EOF ? 0 : err;
    }
    return 0;
}

/* Writes at most n bytes at offset; *put says how many were written. */
DWORD cf2_write_at(HANDLE h, ULONGLONG offset, const void *buf, DWORD n, DWORD *put)
{
    *put = 0;
    if (have_nt_io()) {
        IO_STATUS_BLOCK iosb;
        LARGE_INTEGER at;
        at.QuadPart = (LONGLONG)offset;
        iosb.Information = 0;
        NTSTATUS status = nt_write(h, NULL, NULL, NULL, &iosb, (void *)buf, n, &at, NULL);
        status = settle(h, status, &iosb);
        if (status < 0)
            return status_to_error(status);
        *put = (DWORD)iosb.Information;
        return 0;
    }
    OVERLAPPED ov;
    to_overlapped(&ov, offset);
    if (!WriteFile(h, buf, n, put, &ov))
        return GetLastError();
    return 0;
}
