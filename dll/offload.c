/*
 * offload.c - the in-kernel copy path: under Wine on a Linux x86-64 host the
 * data is moved by the host kernel (copy_file_range), never through a buffer
 * of ours, and holes are found with lseek(SEEK_DATA / SEEK_HOLE).
 *
 * How: Wine's ntdll gives PE code the host file descriptor behind a handle
 * (wine_server_handle_to_fd, which returns a descriptor the caller owns), and
 * the host kernel is asked directly with the x86-64 `syscall` instruction.
 * This is only ever done after making sure the process runs under Wine on
 * Linux (ntdll's wine_get_host_version); on Windows, on other hosts and in
 * x86 builds the engine keeps its read/write loop.  Every progress message,
 * pfCancel check, checkpoint and fault of the read/write loop happens the same
 * way on this path (engine.c); chunks it copied report
 * COPYFILE2_MESSAGE_COPY_OFFLOAD.  docs/benchmarks.md has the measurements.
 */
#include "internal.h"
#include "linux_syscall.h"

#if defined(__x86_64__)

/* Linux x86-64 system call numbers and constants. */
enum {
    LINUX_CLOSE = 3,
    LINUX_LSEEK = 8,
    LINUX_COPY_FILE_RANGE = 326,
    LINUX_SEEK_DATA = 3,
    LINUX_SEEK_HOLE = 4,
    LINUX_ENXIO = 6,
    LINUX_ENOSPC = 28,
    LINUX_EDQUOT = 122,
    LINUX_EFBIG = 27
};

typedef LONG(CDECL *handle_to_fd_fn)(HANDLE, unsigned int, int *, unsigned int *);
typedef void(CDECL *host_version_fn)(const char **sysname, const char **release);

static handle_to_fd_fn handle_to_fd;
static INIT_ONCE probe_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK probe(INIT_ONCE *once, void *param, void **context)
{
    (void)once;
    (void)param;
    (void)context;
    host_version_fn host_version = (host_version_fn)cf2_ntdll_export("wine_get_host_version");
    handle_to_fd_fn to_fd = (handle_to_fd_fn)cf2_ntdll_export("wine_server_handle_to_fd");
    if (!host_version || !to_fd)
        return TRUE; /* not Wine: Windows has neither export */
    const char *sysname = NULL, *release = NULL;
    host_version(&sysname, &release);
    if (sysname && lstrcmpA(sysname, "Linux") == 0)
        handle_to_fd = to_fd;
    return TRUE;
}

BOOL cf2_offload_open(struct cf2_offload *o, HANDLE src, HANDLE dst)
{
    o->src_fd = o->dst_fd = -1;
    InitOnceExecuteOnce(&probe_once, probe, NULL, NULL);
    if (!handle_to_fd)
        return FALSE;
    unsigned int options = 0;
    if (handle_to_fd(src, FILE_READ_DATA, &o->src_fd, &options) != 0) {
        o->src_fd = -1;
        return FALSE;
    }
    if (handle_to_fd(dst, FILE_WRITE_DATA, &o->dst_fd, &options) != 0) {
        o->dst_fd = -1;
        cf2_offload_close(o);
        return FALSE;
    }
    return TRUE;
}

void cf2_offload_close(struct cf2_offload *o)
{
    if (o->src_fd >= 0)
        linux_syscall(LINUX_CLOSE, o->src_fd, 0, 0, 0, 0, 0);
    if (o->dst_fd >= 0)
        linux_syscall(LINUX_CLOSE, o->dst_fd, 0, 0, 0, 0, 0);
    o->src_fd = o->dst_fd = -1;
}

DWORD cf2_offload_copy(struct cf2_offload *o, ULONGLONG offset, DWORD n, BOOL *unsupported)
{
    long long in = (long long)offset, out = (long long)offset;
    *unsupported = FALSE;
    while (n > 0) {
        long long r = linux_syscall(LINUX_COPY_FILE_RANGE, o->src_fd, (long long)(intptr_t)&in,
                                    o->dst_fd, (long long)(intptr_t)&out, n, 0);
        if (r == 0)
            return ERROR_HANDLE_EOF; /* the source shrank while being copied */
        if (r < 0) {
            if (r == -LINUX_ENOSPC || r == -LINUX_EDQUOT || r == -LINUX_EFBIG)
                return ERROR_DISK_FULL;
            /* Anything else (no such call, cross-device, ...): the caller
             * does this cycle, and the rest of the copy, with read/write,
             * which reports a precise error if there is one. */
            *unsupported = TRUE;
            return 0;
        }
        n -= (DWORD)r;
    }
    return 0;
}

BOOL cf2_offload_data_range(struct cf2_offload *o, ULONGLONG offset, ULONGLONG end,
                            ULONGLONG *data, ULONGLONG *hole)
{
    long long d = linux_syscall(LINUX_LSEEK, o->src_fd, (long long)offset, LINUX_SEEK_DATA, 0, 0, 0);
    if (d == -LINUX_ENXIO) { /* no data after offset */
        *data = *hole = end;
        return TRUE;
    }
    if (d < 0)
        return FALSE;
    long long h = linux_syscall(LINUX_LSEEK, o->src_fd, d, LINUX_SEEK_HOLE, 0, 0, 0);
    if (h < 0)
        return FALSE;
    *data = (ULONGLONG)d < end ? (ULONGLONG)d : end;
    *hole = (ULONGLONG)h < end ? (ULONGLONG)h : end;
    return TRUE;
}

#else /* not x86-64: no offload path */

BOOL cf2_offload_open(struct cf2_offload *o, HANDLE src, HANDLE dst)
{
    (void)src;
    (void)dst;
    o->src_fd = o->dst_fd = -1;
    return FALSE;
}

void cf2_offload_close(struct cf2_offload *o)
{
    (void)o;
}

DWORD cf2_offload_copy(struct cf2_offload *o, ULONGLONG offset, DWORD n, BOOL *unsupported)
{
    (void)o;
    (void)offset;
    (void)n;
    *unsupported = TRUE;
    return 0;
}

BOOL cf2_offload_data_range(struct cf2_offload *o, ULONGLONG offset, ULONGLONG end,
                            ULONGLONG *data, ULONGLONG *hole)
{
    (void)o;
    (void)offset;
    (void)end;
    (void)data;
    (void)hole;
    return FALSE;
}

#endif
