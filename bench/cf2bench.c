/*
 * cf2bench - times file copies from inside one Windows process.
 *
 *   cf2bench copy --impl DLL --method LIST --src S --dst D
 *                 [--existing] [--callback] [--flags HEX] [--reps N]
 *                 [--rotate K] [--verify] [--no-warmup] [--pretouch MB] [--evict]
 *   cf2bench cancel-latency --impl DLL --src S --dst D
 *                 [--delay-ms MS] [--reps N] [--pretouch MB]
 *
 * LIST is one method or a comma-separated list of them:
 *   copyfile2     CopyFile2 from the DLL named by --impl (no callback)
 *   copyfile2-cb  the same with a progress routine returning CONTINUE
 *                 (--callback turns every "copyfile2" into this)
 *   copyfileex    Wine's kernel32 CopyFileExW (no progress routine)
 *   loop64k       CreateFileW + a 64 KiB ReadFile/WriteFile loop + CloseHandle,
 *                 the baseline every copier should be able to match
 *   bare          the same plus SetFileTime (the "bare Win32 loop" of the
 *                 small-file workload; CREATE_NEW)
 * Each may carry /HEXFLAGS[/IOKB]: CopyFile2 flags added to --flags and a V2
 * ioDesiredSize in KiB (copyfile2/40000 is CopyFile2 with NO_OFFLOAD).
 *
 *   cf2bench many --impl DLL --method ONE --src DIR --dst DIR [--pretouch MB]
 * copies every file of DIR into the empty DIR --dst, one call per file, and
 * prints the time of the whole loop (RESULT ... dest=many ... files=N).
 * --keep leaves the last copy's destination in place (run.sh measures its
 * allocated size).
 * Every RESULT line of `copy` also carries peak_kb: the growth of the
 * process's PeakWorkingSetSize (K32GetProcessMemoryInfo) across that copy.
 *
 * Why in-process: a Wine process start costs 15 ms to 0.4 s and varies a lot,
 * which would swamp the differences being measured.  Only the copy call (for
 * loop64k: both opens, the loop and both closes) sits between the two
 * QueryPerformanceCounter reads; deleting or preparing the destination, the
 * checks and the warm-up copies happen outside the timed region.
 *
 * Why several methods per process: with --method a,b,c and --reps N the
 * methods run interleaved (a b c, b c a, c a b, ... with --rotate shifting the
 * start), so slow drift of the machine (page cache, writeback, other users of
 * this 2-core box) hits every method alike instead of one of them.
 *
 * Destination states:
 *   default     the destination is deleted before each copy (new file)
 *   --existing  a full copy of the source is present and flushed to disk
 *               before each copy, which then overwrites it
 *
 * --pretouch MB: right before each timed copy, allocate MB MiB, write to
 * every page and free it again.  Why: this VM has virtio-balloon free page
 * reporting, so memory that stayed free for ~2 s goes back to the host and
 * the next first touch of it is slow; on a quiet machine a 512 MiB cp after a
 * few idle seconds took 220-500 ms, against 115-140 ms right after such a
 * pre-touch.  The copy's page cache then comes from just-freed, host-backed
 * pages, for every method alike (bench/native/timecmd.c does the same for cp).
 * Page faults are slow here too (touching 512 MiB took 1.7 s with the
 * machine moderately busy, 5 s when loaded), so it is done only when the previous timed
 * copy of this process ended (and freed its pages) more than PRETOUCH_GAP_MS
 * ago, or before the first one: back-to-back copies reuse each other's pages.
 *
 * --evict: right before each timed copy (after the pre-touch), drop the
 * source from the host's page cache: fdatasync, then
 * posix_fadvise(POSIX_FADV_DONTNEED), checked with mincore, on the host
 * descriptor behind the handle (Wine's wine_server_handle_to_fd, Linux x86-64
 * system calls; the same as bench/native/evict, and a sync() before it).  Doing it here rather than
 * before starting Wine matters: the pages it frees are reused by the copy's
 * page cache at once, whereas pages left free for ~2 s go back to the host
 * (see --pretouch) and a copy then runs up to twice as slow; a Wine start
 * takes long enough for that.  timecmd -e does the same for cp.  Prints
 * "EVICT resident=N/M" (pages still cached after the eviction).
 *
 * Every timed copy prints one line on stdout, for bench/run.sh to parse:
 *   RESULT method=copyfile2 dest=new rep=0 ms=123.456 hr=0x00000000 callbacks=0
 * cancel-latency prints, per repetition,
 *   RESULT method=cancel dest=new rep=0 ms=LATENCY hr=0x800704D3 copy_ms=T dst_left=0
 * where ms is the time from setting *pfCancel to CopyFile2 returning.
 * Anything that went wrong prints "ERROR ..." on stdout and exits non-zero.
 *
 * Paths starting with '/' are taken as Linux paths and prefixed with Z:
 * (Wine maps Z: to the root of the Linux file system).
 */
#include "copyfile2.h"
#include "linux_syscall.h"

#include <psapi.h>
#include <shellapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define LOOP_BUF (64u * 1024u)
#define MAX_METHODS 16
#define WARMUP_BYTES (1024u * 1024u)
/* Free page reporting hands memory back after ~2 s; half of that is safe. */
#define PRETOUCH_GAP_MS 1000.0

enum method { M_COPYFILE2, M_COPYFILE2_CB, M_COPYFILEEX, M_LOOP64K, M_BARE };

/* One contender: a method plus, for CopyFile2, its copy flags and V2
 * ioDesiredSize (and rate).  Written on the command line as
 * NAME[/HEXFLAGS[/IOKB[/RATEKBPS]]]
 * (for example copyfile2/40000 = COPY_FILE_NO_OFFLOAD, copyfile2/0/8192 =
 * ioDesiredSize 8 MiB); the RESULT lines name it by that text. */
struct contender {
    enum method m;
    DWORD flags;
    ULONG io_kb;
    ULONG rate_kbps;          /* V2 ioDesiredRate, 0 = unlimited */
    char label[48];
};

static const struct {
    const wchar_t *name;
    enum method m;
} method_names[] = {
    {L"copyfile2", M_COPYFILE2},
    {L"copyfile2-cb", M_COPYFILE2_CB},
    {L"copyfileex", M_COPYFILEEX},
    {L"loop64k", M_LOOP64K},
    {L"bare", M_BARE},
};

struct opts {
    const wchar_t *impl;
    wchar_t *src;
    wchar_t *dst;
    struct contender methods[MAX_METHODS];
    int nmethods;
    int existing;
    int callback;
    int verify;
    int warmup;
    int keep;
    DWORD flags;
    int reps;
    int rotate;
    int delay_ms;
    int pretouch_mb;
    int evict;
};

static PFN_COPYFILE2 g_copyfile2;
static LARGE_INTEGER g_freq;
/* Static so that the buffers' first-touch page faults are not in the timed
 * region of the first repetition only (the warm-up copies touch them). */
static unsigned char g_loopbuf[LOOP_BUF];
static unsigned char g_cmpbuf[2][1024 * 1024];

static LONGLONG now(void)
{
    LARGE_INTEGER t;
    QueryPerformanceCounter(&t);
    return t.QuadPart;
}

static double ms_between(LONGLONG a, LONGLONG b)
{
    return (double)(b - a) * 1000.0 / (double)g_freq.QuadPart;
}

static void fail(const char *what, const wchar_t *path, DWORD err)
{
    printf("ERROR %s %ls: error %lu\n", what, path ? path : L"", (unsigned long)err);
    fflush(stdout);
    exit(1);
}

/* Linux absolute paths become Z:\ paths so that run.sh can pass the paths it
 * already has.  Returns a heap copy the caller keeps for the whole run. */
static wchar_t *win_path(const wchar_t *p)
{
    size_t n = wcslen(p);
    wchar_t *r = malloc((n + 3) * sizeof *r);
    if (!r) {
        printf("ERROR out of memory\n");
        exit(1);
    }
    if (p[0] == L'/') {
        r[0] = L'Z';
        r[1] = L':';
        wcscpy(r + 2, p);
    } else {
        wcscpy(r, p);
    }
    for (wchar_t *c = r; *c; c++)
        if (*c == L'/')
            *c = L'\\';
    return r;
}

/* Size of a file, or -1 if it does not exist. */
static LONGLONG file_size(const wchar_t *path)
{
    WIN32_FILE_ATTRIBUTE_DATA fa;
    if (!GetFileAttributesExW(path, GetFileExInfoStandard, &fa))
        return -1;
    return ((LONGLONG)fa.nFileSizeHigh << 32) | fa.nFileSizeLow;
}

/* When the last timed copy ended (and its pages were freed), 0 before any. */
static LONGLONG g_last_end;

/* See --pretouch above.  One write per page is enough: the cost being
 * moved out of the timed region is the fault, not the write. */
static void pretouch(int mb)
{
    if (mb <= 0 || (g_last_end != 0 && ms_between(g_last_end, now()) < PRETOUCH_GAP_MS))
        return;
    SIZE_T n = (SIZE_T)mb << 20;
    volatile unsigned char *p = VirtualAlloc(NULL, n, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    if (!p)
        fail("VirtualAlloc for --pretouch", NULL, GetLastError());
    for (SIZE_T i = 0; i < n; i += 4096)
        p[i] = 1;
    VirtualFree((void *)p, 0, MEM_RELEASE);
}

/* See --evict above.  Linux x86-64 system call numbers. */
enum { SYS_CLOSE = 3, SYS_MMAP = 9, SYS_MUNMAP = 11, SYS_MINCORE = 27, SYS_FDATASYNC = 75,
       SYS_SYNC = 162, SYS_FADVISE64 = 221, ADV_DONTNEED = 4, MMAP_PROT_READ = 1, MMAP_SHARED = 1 };
typedef LONG(CDECL *handle_to_fd_fn)(HANDLE, unsigned int, int *, unsigned int *);

static void evict(const wchar_t *path, LONGLONG size)
{
    handle_to_fd_fn to_fd = (handle_to_fd_fn)(void (*)(void))GetProcAddress(
        GetModuleHandleW(L"ntdll.dll"), "wine_server_handle_to_fd");
    if (!to_fd)
        fail("--evict needs Wine (wine_server_handle_to_fd)", NULL, ERROR_NOT_SUPPORTED);
    HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                           NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE)
        fail("CreateFileW for --evict", path, GetLastError());
    int fd = -1;
    unsigned int options = 0;
    if (to_fd(h, FILE_READ_DATA, &fd, &options) != 0 || fd < 0)
        fail("wine_server_handle_to_fd for --evict", path, ERROR_INVALID_HANDLE);
    /* Everything written so far goes to disk first, so that the writeback
     * (and, with the discard mount option, the trimming) of an earlier
     * copy's deleted destination does not run during this copy. */
    linux_syscall(SYS_SYNC, 0, 0, 0, 0, 0, 0);
    linux_syscall(SYS_FDATASYNC, fd, 0, 0, 0, 0, 0);
    long long r = linux_syscall(SYS_FADVISE64, fd, 0, 0, ADV_DONTNEED, 0, 0);
    if (r != 0)
        fail("posix_fadvise(DONTNEED) for --evict", path, (DWORD)-r);
    long long resident = 0, pages = (size + 4095) / 4096;
    if (size > 0) {
        long long m = linux_syscall(SYS_MMAP, 0, size, MMAP_PROT_READ, MMAP_SHARED, fd, 0);
        unsigned char *v = malloc((size_t)pages);
        if (m < 0 && m > -4096) {
            resident = -1; /* mincore needs the mapping: unknown */
        } else {
            if (v && linux_syscall(SYS_MINCORE, m, size, (long long)(intptr_t)v, 0, 0, 0) == 0)
                for (long long k = 0; k < pages; k++)
                    resident += v[k] & 1;
            else
                resident = -1;
            linux_syscall(SYS_MUNMAP, m, size, 0, 0, 0, 0);
        }
        free(v);
    }
    linux_syscall(SYS_CLOSE, fd, 0, 0, 0, 0, 0);
    CloseHandle(h);
    printf("EVICT resident=%lld/%lld\n", resident, pages);
}

static void delete_if_present(const wchar_t *path)
{
    if (!DeleteFileW(path) && GetLastError() != ERROR_FILE_NOT_FOUND)
        fail("DeleteFileW", path, GetLastError());
}

/* The 64 KiB loop: the baseline method and also how destinations are
 * prepared for --existing.  With `times` it is the bare Win32 loop of the
 * small-file workload: what a program that copies one file with the plainest
 * calls does (CreateFileW source, CreateFileW destination, 64 KiB
 * ReadFile/WriteFile, SetFileTime with the source's times, CloseHandle), the
 * floor of a one-call-per-file copy.  Returns a Win32 error code, 0 on
 * success. */
static DWORD loop_copy(const wchar_t *src, const wchar_t *dst, DWORD disposition, BOOL times)
{
    HANDLE in = CreateFileW(src, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                            FILE_ATTRIBUTE_NORMAL, NULL);
    if (in == INVALID_HANDLE_VALUE)
        return GetLastError();
    HANDLE out = CreateFileW(dst, GENERIC_WRITE, 0, NULL, disposition,
                             FILE_ATTRIBUTE_NORMAL, NULL);
    if (out == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        CloseHandle(in);
        return e;
    }
    DWORD err = 0;
    for (;;) {
        DWORD got, put;
        if (!ReadFile(in, g_loopbuf, LOOP_BUF, &got, NULL)) {
            err = GetLastError();
            break;
        }
        if (got == 0)
            break;
        if (!WriteFile(out, g_loopbuf, got, &put, NULL) || put != got) {
            err = GetLastError() ? GetLastError() : ERROR_WRITE_FAULT;
            break;
        }
    }
    FILETIME c, a, w;
    if (times && !err && (!GetFileTime(in, &c, &a, &w) || !SetFileTime(out, &c, &a, &w)))
        err = GetLastError();
    CloseHandle(in);
    if (!CloseHandle(out) && !err)
        err = GetLastError();
    return err;
}

/* Peak working set (Wine: VmHWM of /proc/self/status), in bytes. */
static SIZE_T peak_ws(void)
{
    PROCESS_MEMORY_COUNTERS pmc;
    memset(&pmc, 0, sizeof pmc);
    pmc.cb = sizeof pmc;
    if (!K32GetProcessMemoryInfo(GetCurrentProcess(), &pmc, sizeof pmc))
        return 0;
    return pmc.PeakWorkingSetSize;
}
static long long g_peak_growth_kb;

struct cb_stats {
    unsigned long calls;
};

static COPYFILE2_MESSAGE_ACTION CALLBACK progress_continue(const COPYFILE2_MESSAGE *msg,
                                                          PVOID ctx)
{
    (void)msg;
    /* Counting proves the routine was called: a ratio against "no callback"
     * means nothing if the implementation never calls it. */
    ((struct cb_stats *)ctx)->calls++;
    return COPYFILE2_PROGRESS_CONTINUE;
}

/* One copy with one method; returns its HRESULT and the elapsed time. */
static HRESULT timed_copy(const struct contender *c, const wchar_t *src, const wchar_t *dst,
                          int existing, DWORD flags, double *ms, unsigned long *calls)
{
    HRESULT hr = S_OK;
    LONGLONG t0, t1;
    struct cb_stats stats = {0};
    COPYFILE2_EXTENDED_PARAMETERS_V2 p;
    enum method m = c->m;
    SIZE_T peak0 = peak_ws();

    flags |= c->flags;
    switch (m) {
    case M_COPYFILE2:
    case M_COPYFILE2_CB:
        memset(&p, 0, sizeof p);
        /* The V1 structure unless an ioDesiredSize is asked for. */
        p.dwSize = c->io_kb || c->rate_kbps ? sizeof p : sizeof(COPYFILE2_EXTENDED_PARAMETERS);
        p.dwCopyFlags = flags;
        p.pProgressRoutine = m == M_COPYFILE2_CB ? progress_continue : NULL;
        p.pvCallbackContext = &stats;
        p.ioDesiredSize = c->io_kb * 1024u;
        p.ioDesiredRate = c->rate_kbps;
        t0 = now();
        hr = g_copyfile2(src, dst, (COPYFILE2_EXTENDED_PARAMETERS *)&p);
        t1 = now();
        break;
    case M_COPYFILEEX:
        t0 = now();
        if (!CopyFileExW(src, dst, NULL, NULL, NULL, flags))
            hr = HRESULT_FROM_WIN32(GetLastError());
        t1 = now();
        break;
    case M_BARE: {
        t0 = now();
        DWORD e = loop_copy(src, dst, existing ? CREATE_ALWAYS : CREATE_NEW, TRUE);
        t1 = now();
        if (e)
            hr = HRESULT_FROM_WIN32(e);
        break;
    }
    case M_LOOP64K:
    default: {
        /* CREATE_NEW for a new destination, CREATE_ALWAYS to overwrite:
         * what a plain program would use in either case. */
        t0 = now();
        DWORD e = loop_copy(src, dst, existing ? CREATE_ALWAYS : CREATE_NEW, FALSE);
        t1 = now();
        if (e)
            hr = HRESULT_FROM_WIN32(e);
        break;
    }
    }
    *ms = ms_between(t0, t1);
    *calls = stats.calls;
    SIZE_T peak1 = peak_ws();
    g_peak_growth_kb = (long long)(peak1 >= peak0 ? peak1 - peak0 : 0) / 1024;
    return hr;
}

/* Makes the destination state the same for every method: absent, or a full
 * copy of the source whose data is on disk (an "old" file, not dirty pages
 * that truncation could simply drop). */
static void prepare_dst(const wchar_t *src, const wchar_t *dst, int existing, LONGLONG src_size)
{
    if (!existing) {
        delete_if_present(dst);
        return;
    }
    if (file_size(dst) != src_size) {
        DWORD e = loop_copy(src, dst, CREATE_ALWAYS, FALSE);
        if (e)
            fail("preparing the existing destination", dst, e);
    }
    HANDLE h = CreateFileW(dst, GENERIC_WRITE, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE)
        fail("opening the existing destination", dst, GetLastError());
    if (!FlushFileBuffers(h))
        fail("FlushFileBuffers", dst, GetLastError());
    CloseHandle(h);
}

/* Byte comparison, outside the timed region (run.sh asks for it on the first
 * repetition only: reading 2 x 512 MiB takes a while under Wine). */
static int same_content(const wchar_t *a, const wchar_t *b)
{
    HANDLE ha = CreateFileW(a, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    HANDLE hb = CreateFileW(b, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    int same = ha != INVALID_HANDLE_VALUE && hb != INVALID_HANDLE_VALUE;
    while (same) {
        DWORD na, nb;
        if (!ReadFile(ha, g_cmpbuf[0], sizeof g_cmpbuf[0], &na, NULL) ||
            !ReadFile(hb, g_cmpbuf[1], sizeof g_cmpbuf[1], &nb, NULL) || na != nb ||
            memcmp(g_cmpbuf[0], g_cmpbuf[1], na) != 0) {
            same = 0;
            break;
        }
        if (na == 0)
            break;
    }
    if (ha != INVALID_HANDLE_VALUE)
        CloseHandle(ha);
    if (hb != INVALID_HANDLE_VALUE)
        CloseHandle(hb);
    return same;
}

/* Small untimed copies with every method first, so that the first timed
 * repetition does not also pay for DLL code, heap and buffer pages being
 * faulted in or for Wine resolving the folder for the first time. */
static void warm_up(const struct opts *o)
{
    size_t n = wcslen(o->dst);
    wchar_t *wsrc = malloc((n + 16) * sizeof *wsrc);
    wchar_t *wdst = malloc((n + 16) * sizeof *wdst);
    if (!wsrc || !wdst) {
        printf("ERROR out of memory\n");
        exit(1);
    }
    swprintf(wsrc, n + 16, L"%ls.warm-src", o->dst);
    swprintf(wdst, n + 16, L"%ls.warm-dst", o->dst);

    HANDLE h = CreateFileW(wsrc, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE)
        fail("creating the warm-up file", wsrc, GetLastError());
    memset(g_loopbuf, 0x5a, sizeof g_loopbuf);
    for (unsigned i = 0; i < WARMUP_BYTES / LOOP_BUF; i++) {
        DWORD put;
        if (!WriteFile(h, g_loopbuf, LOOP_BUF, &put, NULL))
            fail("writing the warm-up file", wsrc, GetLastError());
    }
    CloseHandle(h);

    for (int i = 0; i < o->nmethods; i++) {
        for (int pass = 0; pass < 2; pass++) {
            double ms;
            unsigned long calls;
            /* pass 0 new destination, pass 1 overwrite: both code paths */
            if (pass == 0)
                delete_if_present(wdst);
            HRESULT hr = timed_copy(&o->methods[i], wsrc, wdst, pass, o->flags, &ms, &calls);
            if (FAILED(hr)) {
                printf("ERROR warm-up copy method=%s hr=0x%08lx\n", o->methods[i].label,
                       (unsigned long)hr);
                fflush(stdout);
                exit(1);
            }
        }
    }
    delete_if_present(wdst);
    delete_if_present(wsrc);
    free(wsrc);
    free(wdst);
}

static int cmd_copy(const struct opts *o)
{
    LONGLONG src_size = file_size(o->src);
    if (src_size < 0)
        fail("source", o->src, GetLastError());
    if (o->warmup)
        warm_up(o);

    int failures = 0;
    for (int rep = 0; rep < o->reps; rep++) {
        for (int i = 0; i < o->nmethods; i++) {
            const struct contender *c = &o->methods[(i + rep + o->rotate) % o->nmethods];
            double ms;
            unsigned long calls;

            prepare_dst(o->src, o->dst, o->existing, src_size);
            pretouch(o->pretouch_mb);
            if (o->evict)
                evict(o->src, src_size);
            HRESULT hr = timed_copy(c, o->src, o->dst, o->existing, o->flags, &ms, &calls);
            printf("RESULT method=%s dest=%s rep=%d ms=%.3f hr=0x%08lx callbacks=%lu peak_kb=%lld\n",
                   c->label, o->existing ? "existing" : "new", rep, ms,
                   (unsigned long)hr, calls, g_peak_growth_kb);
            fflush(stdout);
            if (FAILED(hr)) {
                failures++;
                continue;
            }
            LONGLONG got = file_size(o->dst);
            if (got != src_size) {
                printf("ERROR method=%s destination size %lld, expected %lld\n", c->label,
                       (long long)got, (long long)src_size);
                failures++;
            } else if (o->verify && rep == 0 && !same_content(o->src, o->dst)) {
                printf("ERROR method=%s destination content differs from the source\n",
                       c->label);
                failures++;
            }
            fflush(stdout);
            /* A new-destination run leaves nothing behind: the copy's dirty
             * pages are dropped now rather than written back during the
             * next method's timed copy. */
            if (!o->existing && !(o->keep && rep == o->reps - 1 && i == o->nmethods - 1))
                delete_if_present(o->dst);
            g_last_end = now();
        }
    }
    return failures ? 1 : 0;
}

/* many: every file of the folder --src copied into the (empty) folder --dst,
 * one call per file, with the one method of --method; the whole loop is
 * timed.  Listing the folder and building the names happen before the clock
 * starts; emptying --dst between rounds is run.sh's job. */
static int cmd_many(const struct opts *o)
{
    size_t cap = 64, n = 0;
    wchar_t **names = malloc(cap * sizeof *names);
    size_t sl = wcslen(o->src), dl = wcslen(o->dst);
    wchar_t *pattern = malloc((sl + 4) * sizeof *pattern);
    if (!names || !pattern) {
        printf("ERROR out of memory\n");
        return 1;
    }
    swprintf(pattern, sl + 4, L"%ls\\*", o->src);
    WIN32_FIND_DATAW fd;
    HANDLE f = FindFirstFileW(pattern, &fd);
    if (f == INVALID_HANDLE_VALUE)
        fail("FindFirstFileW", pattern, GetLastError());
    do {
        if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
            continue;
        if (n == cap) {
            cap *= 2;
            names = realloc(names, cap * sizeof *names);
            if (!names) {
                printf("ERROR out of memory\n");
                return 1;
            }
        }
        names[n] = _wcsdup(fd.cFileName);
        n++;
    } while (FindNextFileW(f, &fd));
    FindClose(f);
    wchar_t **srcs = malloc(n * sizeof *srcs), **dsts = malloc(n * sizeof *dsts);
    if (!srcs || !dsts) {
        printf("ERROR out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        size_t nl = wcslen(names[i]);
        srcs[i] = malloc((sl + nl + 2) * sizeof(wchar_t));
        dsts[i] = malloc((dl + nl + 2) * sizeof(wchar_t));
        swprintf(srcs[i], sl + nl + 2, L"%ls\\%ls", o->src, names[i]);
        swprintf(dsts[i], dl + nl + 2, L"%ls\\%ls", o->dst, names[i]);
    }
    const struct contender *c = &o->methods[0];
    pretouch(o->pretouch_mb);
    HRESULT hr = S_OK;
    LONGLONG t0 = now();
    for (size_t i = 0; i < n && SUCCEEDED(hr); i++) {
        double ms;
        unsigned long calls;
        hr = timed_copy(c, srcs[i], dsts[i], 0, o->flags, &ms, &calls);
    }
    LONGLONG t1 = now();
    printf("RESULT method=%s dest=many rep=0 ms=%.3f hr=0x%08lx files=%lu\n", c->label,
           ms_between(t0, t1), (unsigned long)hr, (unsigned long)n);
    fflush(stdout);
    return FAILED(hr) ? 1 : 0;
}

struct cancel_ctx {
    volatile BOOL flag;
    DWORD delay_ms;
    LONGLONG t_set;
};

static DWORD WINAPI canceller(LPVOID arg)
{
    struct cancel_ctx *c = arg;
    Sleep(c->delay_ms);
    /* Read the clock first, then publish: the latency then includes the
     * whole path from the store to CopyFile2 noticing it. */
    c->t_set = now();
    c->flag = TRUE;
    MemoryBarrier();
    return 0;
}

static int cmd_cancel(const struct opts *o)
{
    int bad = 0;
    for (int rep = 0; rep < o->reps; rep++) {
        struct cancel_ctx c = {FALSE, (DWORD)o->delay_ms, 0};
        COPYFILE2_EXTENDED_PARAMETERS p;

        delete_if_present(o->dst);
        memset(&p, 0, sizeof p);
        p.dwSize = sizeof p;
        /* The API reads the flag through a plain BOOL *; the volatile on
         * our side only stops the compiler from caching our own store. */
        p.pfCancel = (BOOL *)&c.flag;
        pretouch(o->pretouch_mb);

        LONGLONG t0 = now();
        HANDLE th = CreateThread(NULL, 0, canceller, &c, 0, NULL);
        if (!th)
            fail("CreateThread", NULL, GetLastError());
        HRESULT hr = g_copyfile2(o->src, o->dst, &p);
        LONGLONG t1 = now();
        WaitForSingleObject(th, INFINITE);
        CloseHandle(th);

        /* Negative when the copy finished before the flag was set: such a
         * repetition measures nothing and run.sh discards it. */
        double lat = ms_between(c.t_set, t1);
        int left = file_size(o->dst) >= 0;
        printf("RESULT method=cancel dest=new rep=%d ms=%.3f hr=0x%08lx copy_ms=%.3f dst_left=%d\n",
               rep, lat, (unsigned long)hr, ms_between(t0, t1), left);
        fflush(stdout);
        if (hr != HRESULT_FROM_WIN32(ERROR_REQUEST_ABORTED))
            bad++;
        delete_if_present(o->dst);
        g_last_end = now();
    }
    return bad ? 1 : 0;
}

static int usage(void)
{
    printf("usage: cf2bench copy --impl DLL --method METHOD[/HEXFLAGS[/IOKB]][,...]\n"
           "                     --src S --dst D [--existing] [--callback] [--flags HEX]\n"
           "                     [--reps N] [--rotate K] [--verify] [--no-warmup] [--keep]\n"
           "                     [--pretouch MB]\n"
           "       METHOD: copyfile2 copyfile2-cb copyfileex loop64k bare\n"
           "       cf2bench many --impl DLL --method METHOD --src DIR --dst DIR [--pretouch MB]\n"
           "       cf2bench cancel-latency --impl DLL --src S --dst D [--delay-ms MS] [--reps N]\n"
           "                     [--pretouch MB]\n");
    return 2;
}

static int parse_methods(struct opts *o, const wchar_t *list)
{
    const wchar_t *p = list;
    o->nmethods = 0;
    while (*p) {
        size_t len = wcscspn(p, L",");
        size_t k;
        for (k = 0; k < sizeof method_names / sizeof method_names[0]; k++)
            if (wcslen(method_names[k].name) == len && wcsncmp(method_names[k].name, p, len) == 0)
                break;
        size_t nlen = wcscspn(p, L",/");
        if (nlen < len)
            for (k = 0; k < sizeof method_names / sizeof method_names[0]; k++)
                if (wcslen(method_names[k].name) == nlen && wcsncmp(method_names[k].name, p, nlen) == 0)
                    break;
        if (k == sizeof method_names / sizeof method_names[0] || o->nmethods == MAX_METHODS ||
            len >= sizeof o->methods[0].label)
            return 0;
        struct contender *c = &o->methods[o->nmethods++];
        memset(c, 0, sizeof *c);
        c->m = method_names[k].m;
        for (size_t i = 0; i < len; i++)
            c->label[i] = (char)p[i];
        if (nlen < len) {
            wchar_t *end;
            c->flags = (DWORD)wcstoul(p + nlen + 1, &end, 16);
            if (*end == L'/') {
                c->io_kb = (ULONG)wcstoul(end + 1, &end, 10);
                if (*end == L'/')
                    c->rate_kbps = (ULONG)wcstoul(end + 1, NULL, 10);
            }
        }
        p += len;
        if (*p == L',')
            p++;
    }
    return o->nmethods > 0;
}

int main(void)
{
    int argc;
    /* The wide command line keeps non-ASCII paths intact (the ANSI argv of
     * main would go through the code page). */
    wchar_t **argv = CommandLineToArgvW(GetCommandLineW(), &argc);
    struct opts o;

    memset(&o, 0, sizeof o);
    o.reps = 1;
    o.warmup = 1;
    o.delay_ms = 100;
    if (!argv || argc < 2)
        return usage();
    QueryPerformanceFrequency(&g_freq);

    const wchar_t *cmd = argv[1];
    const wchar_t *method_list = NULL;
    for (int i = 2; i < argc; i++) {
        const wchar_t *a = argv[i];
        const wchar_t *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!wcscmp(a, L"--existing"))
            o.existing = 1;
        else if (!wcscmp(a, L"--callback"))
            o.callback = 1;
        else if (!wcscmp(a, L"--verify"))
            o.verify = 1;
        else if (!wcscmp(a, L"--no-warmup"))
            o.warmup = 0;
        else if (!wcscmp(a, L"--keep"))
            o.keep = 1;
        else if (!wcscmp(a, L"--evict"))
            o.evict = 1;
        else if (!v)
            return usage();
        else {
            i++;
            if (!wcscmp(a, L"--impl"))
                o.impl = win_path(v);
            else if (!wcscmp(a, L"--src"))
                o.src = win_path(v);
            else if (!wcscmp(a, L"--dst"))
                o.dst = win_path(v);
            else if (!wcscmp(a, L"--method"))
                method_list = v;
            else if (!wcscmp(a, L"--flags"))
                o.flags = (DWORD)wcstoul(v, NULL, 16);
            else if (!wcscmp(a, L"--reps"))
                o.reps = _wtoi(v);
            else if (!wcscmp(a, L"--rotate"))
                o.rotate = _wtoi(v);
            else if (!wcscmp(a, L"--delay-ms"))
                o.delay_ms = _wtoi(v);
            else if (!wcscmp(a, L"--pretouch"))
                o.pretouch_mb = _wtoi(v);
            else
                return usage();
        }
    }
    if (!o.src || !o.dst || o.reps < 1 || o.rotate < 0 || o.delay_ms < 0 || o.pretouch_mb < 0)
        return usage();

    int is_many = !wcscmp(cmd, L"many");
    int is_copy = !wcscmp(cmd, L"copy") || is_many;
    if (!is_copy && wcscmp(cmd, L"cancel-latency") != 0)
        return usage();
    if (is_copy) {
        if (!method_list || !parse_methods(&o, method_list))
            return usage();
        if (o.callback)
            for (int i = 0; i < o.nmethods; i++)
                if (o.methods[i].m == M_COPYFILE2)
                    o.methods[i].m = M_COPYFILE2_CB;
    }

    /* --impl is needed only when some method calls CopyFile2. */
    int need_impl = !is_copy;
    for (int i = 0; i < o.nmethods; i++)
        need_impl |= o.methods[i].m == M_COPYFILE2 || o.methods[i].m == M_COPYFILE2_CB;
    if (need_impl) {
        if (!o.impl)
            return usage();
        HMODULE h = LoadLibraryW(o.impl);
        if (!h)
            fail("LoadLibraryW", o.impl, GetLastError());
        /* Through void (*)(void): the one function pointer type GCC lets a
         * FARPROC be converted from without -Wcast-function-type. */
        g_copyfile2 = (PFN_COPYFILE2)(void (*)(void))GetProcAddress(h, "CopyFile2");
        if (!g_copyfile2)
            fail("GetProcAddress CopyFile2 in", o.impl, GetLastError());
    }

    int rc = is_many ? cmd_many(&o) : is_copy ? cmd_copy(&o) : cmd_cancel(&o);
    LocalFree(argv);
    return rc;
}
