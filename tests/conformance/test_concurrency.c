/*
 * test_concurrency.c - the "reliability" area (issue 8), concurrent copies:
 * 8 threads x N copies at once (N = CF2_REL_COPIES, default 25; `make soak`
 * runs 200), with distinct destinations and with one shared destination,
 * with cancels (answer and pfCancel), pauses, stops, throttling and, when
 * the implementation has the fault seam, faults injected at random moments
 * into whichever copy reaches them.
 *
 * Every result must be one of the documented ones for what the copy was
 * asked to do, every finished destination of its own must be
 * byte-identical, and the whole run must end within a generous limit (no
 * deadlock).  Worker threads never call cmocka: they record the first
 * problem, and the test thread asserts after joining them.  The seed is
 * printed; CF2_REL_SEED replays a run.
 */
#include "harness.h"

#include <string.h>

#define C_THREADS 8
#define C_CHUNK (16 * 1024)
#define C_SOURCES 4
#define C_FAULT_ERROR ERROR_CRC /* no real path of the engine produces it */

unsigned cf2_rel_concurrent_copies;
unsigned cf2_rel_concurrent_faults;

static const ULONGLONG c_sizes[C_SOURCES] = {4097, 100 * 1024 + 3, 300 * 1024 + 7, 1024 * 1024 + 5};
static const uint32_t c_seeds[C_SOURCES] = {0xc0c0a001u, 0xc0c0a002u, 0xc0c0a003u, 0xc0c0a004u};

struct run;

struct worker {
    struct run *run;
    int id;
    uint64_t rng;
    HANDLE thread;
    BYTE *buf_a, *buf_b;
    /* results */
    unsigned calls;
    unsigned ok, aborted, paused, exists, faulted, sharing, denied;
    char problem[600];
};

struct run {
    const WCHAR *dir;
    const WCHAR *src[C_SOURCES];
    const WCHAR *shared_dst;
    BOOL shared;       /* every worker copies to shared_dst */
    BOOL mixed;        /* shared, from sources of the same size but different bytes */
    BOOL faults;       /* the test thread injects faults */
    unsigned copies;   /* per worker */
    volatile LONG stop;
    struct worker w[C_THREADS];
};

static uint32_t next_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (uint32_t)((*s * 2685821657736338717ull) >> 32);
}

static void problem(struct worker *w, const char *fmt, ...) __attribute__((format(__MINGW_PRINTF_FORMAT, 2, 3)));
static void problem(struct worker *w, const char *fmt, ...)
{
    if (w->problem[0])
        return;
    int n = snprintf(w->problem, sizeof w->problem, "thread %d, copy %u: ", w->id, w->calls);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->problem + n, sizeof w->problem - n, fmt, ap);
    va_end(ap);
}

/* 1: the file holds exactly the pattern; 0: it differs; -1: it is absent. */
static int matches(struct worker *w, const WCHAR *path, ULONGLONG size, uint32_t seed)
{
    HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return GetLastError() == ERROR_FILE_NOT_FOUND ? -1 : 0;
    LARGE_INTEGER sz;
    int same = GetFileSizeEx(h, &sz) && (ULONGLONG)sz.QuadPart == size;
    for (ULONGLONG done = 0; same && done < size;) {
        DWORD n = size - done < 65536 ? (DWORD)(size - done) : 65536, got = 0;
        if (!ReadFile(h, w->buf_a, n, &got, NULL) || got != n) {
            same = 0;
            break;
        }
        cf2_pattern(seed, done, w->buf_b, n);
        same = memcmp(w->buf_a, w->buf_b, n) == 0;
        done += n;
    }
    CloseHandle(h);
    return same;
}

/* The worker's routine: answers `action` at the trigger chunk, or sets
 * *cancel there (pfCancel). */
struct wscript {
    DWORD at;            /* CHUNK_STARTED or CHUNK_FINISHED */
    ULONGLONG chunk;
    DWORD action;
    BOOL *cancel;        /* set to TRUE at the trigger instead, when not NULL */
    BOOL fired;
};

static COPYFILE2_MESSAGE_ACTION CALLBACK wroutine(const COPYFILE2_MESSAGE *m, PVOID ctx)
{
    struct wscript *s = ctx;
    if (s->fired || m->Type != s->at)
        return COPYFILE2_PROGRESS_CONTINUE;
    ULONGLONG chunk = m->Type == COPYFILE2_CALLBACK_CHUNK_STARTED ? m->Info.ChunkStarted.uliChunkNumber.QuadPart
                                                                  : m->Info.ChunkFinished.uliChunkNumber.QuadPart;
    if (chunk != s->chunk)
        return COPYFILE2_PROGRESS_CONTINUE;
    s->fired = TRUE;
    if (s->cancel) {
        *(volatile BOOL *)s->cancel = TRUE;
        return COPYFILE2_PROGRESS_CONTINUE;
    }
    return (COPYFILE2_MESSAGE_ACTION)s->action;
}

enum op { OP_PLAIN, OP_RESTARTABLE, OP_CANCEL, OP_PFCANCEL, OP_PAUSE, OP_STOP, OP_THROTTLED, OP_FAIL_IF_EXISTS, OP_COUNT };
static const char *const op_names[OP_COUNT] = {"plain", "restartable", "CANCEL", "pfCancel", "PAUSE + resume",
                                               "STOP + restart", "throttled", "FAIL_IF_EXISTS"};

static struct cf2_res wcall(struct worker *w, const WCHAR *src, const WCHAR *dst, void *p)
{
    w->calls++;
    InterlockedIncrement((volatile LONG *)&cf2_rel_concurrent_copies);
    struct cf2_res r;
    SetLastError(CF2_JUNK_LAST_ERROR);
    r.hr = cf2_impl.copyfile2(src, dst, (COPYFILE2_EXTENDED_PARAMETERS *)p);
    r.err = GetLastError();
    if (r.hr == S_OK ? r.err != 0 : r.hr != HRESULT_FROM_WIN32(r.err))
        problem(w, "hr 0x%08lx with last error %lu", (unsigned long)r.hr, r.err);
    return r;
}

/* A copy that failed with the injected fault: a plain copy's destination is
 * gone, a restartable (or resuming) one's is kept; then it is redone. */
static BOOL after_fault(struct worker *w, struct cf2_res r, BOOL keeps, const WCHAR *src, const WCHAR *dst,
                        ULONGLONG size, uint32_t seed)
{
    if (r.hr != HRESULT_FROM_WIN32(C_FAULT_ERROR))
        return FALSE;
    w->faulted++;
    InterlockedIncrement((volatile LONG *)&cf2_rel_concurrent_faults);
    if (!w->run->shared) {
        BOOL present = GetFileAttributesW(dst) != INVALID_FILE_ATTRIBUTES;
        if (present != keeps)
            problem(w, "an injected fault left the destination %s, expected it %s", present ? "present" : "absent",
                    keeps ? "kept" : "deleted");
    }
    for (int attempt = 0; attempt < 20; attempt++) {
        COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(keeps ? COPY_FILE_RESTARTABLE : 0);
        struct cf2_res again = wcall(w, src, dst, &p);
        if (again.hr == HRESULT_FROM_WIN32(C_FAULT_ERROR)) {
            w->faulted++;
            InterlockedIncrement((volatile LONG *)&cf2_rel_concurrent_faults);
            continue;
        }
        if (again.hr != S_OK)
            problem(w, "redoing a faulted copy: hr 0x%08lx", (unsigned long)again.hr);
        else if (!w->run->shared && matches(w, dst, size, seed) != 1)
            problem(w, "redoing a faulted copy: the destination is not byte-identical");
        return TRUE;
    }
    problem(w, "20 faults in a row");
    return TRUE;
}

static void one_copy(struct worker *w)
{
    struct run *run = w->run;
    int which = (int)(next_rand(&w->rng) % C_SOURCES);
    if (run->mixed)
        which = 2 + (int)(next_rand(&w->rng) % 2);
    const WCHAR *src = run->src[which];
    ULONGLONG size = run->mixed && which == 3 ? c_sizes[2] : c_sizes[which];
    uint32_t seed = c_seeds[which];
    WCHAR own[1100];
    swprintf(own, 1100, L"%ls\\w%d-%u.bin", run->dir, w->id, next_rand(&w->rng) % 3);
    const WCHAR *dst = run->shared ? run->shared_dst : own;
    enum op op = (enum op)(next_rand(&w->rng) % OP_COUNT);
    if (run->shared) /* one destination: plain copies and cancels only */
        op = (enum op)((const int[]){OP_PLAIN, OP_PLAIN, OP_PLAIN, OP_CANCEL, OP_PFCANCEL, OP_THROTTLED})[next_rand(&w->rng) % 6];
    if (run->mixed)
        op = OP_PLAIN;
    ULONGLONG chunks = (size + C_CHUNK - 1) / C_CHUNK;
    BOOL cancel = FALSE;
    struct wscript s = {next_rand(&w->rng) % 2 ? COPYFILE2_CALLBACK_CHUNK_FINISHED : COPYFILE2_CALLBACK_CHUNK_STARTED,
                        next_rand(&w->rng) % chunks, COPYFILE2_PROGRESS_CONTINUE, NULL, FALSE};
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(0);
    p.ioDesiredSize = C_CHUNK;
    p.pProgressRoutine = wroutine;
    p.pvCallbackContext = &s;
    p.pfCancel = &cancel;
    struct cf2_res r;

    /* What a shared destination adds: another copy may be deleting it
     * (its cancel), so opening it can meet the deleter's handle
     * (ERROR_SHARING_VIOLATION) or a pending deletion (ERROR_ACCESS_DENIED). */
#define SHARED_RACE(r) (run->shared && ((r).err == ERROR_SHARING_VIOLATION || (r).err == ERROR_ACCESS_DENIED))
#define COUNT_RACE(r) ((r).err == ERROR_SHARING_VIOLATION ? w->sharing++ : w->denied++)

    switch (op) {
    case OP_PLAIN:
    case OP_RESTARTABLE:
    case OP_THROTTLED:
        if (op == OP_RESTARTABLE)
            p.dwCopyFlags = COPY_FILE_RESTARTABLE;
        if (op == OP_THROTTLED)
            p.ioDesiredRate = 8192; /* 8 MiB/s */
        r = wcall(w, src, dst, &p);
        if (after_fault(w, r, op == OP_RESTARTABLE, src, dst, size, seed))
            break;
        if (SHARED_RACE(r)) {
            COUNT_RACE(r);
            break;
        }
        if (r.hr != S_OK) {
            problem(w, "%s copy: hr 0x%08lx, expected S_OK", op_names[op], (unsigned long)r.hr);
            break;
        }
        w->ok++;
        if (!run->shared && matches(w, dst, size, seed) != 1)
            problem(w, "%s copy: S_OK but the destination is not byte-identical", op_names[op]);
        break;
    case OP_CANCEL:
    case OP_PFCANCEL:
        if (op == OP_CANCEL)
            s.action = COPYFILE2_PROGRESS_CANCEL;
        else
            s.cancel = &cancel;
        r = wcall(w, src, dst, &p);
        if (after_fault(w, r, FALSE, src, dst, size, seed))
            break;
        if (SHARED_RACE(r)) {
            COUNT_RACE(r);
            break;
        }
        if (r.hr != HRESULT_FROM_WIN32(ERROR_REQUEST_ABORTED)) {
            problem(w, "%s at chunk %llu: hr 0x%08lx, expected ERROR_REQUEST_ABORTED", op_names[op], s.chunk,
                    (unsigned long)r.hr);
            break;
        }
        w->aborted++;
        if (!run->shared && GetFileAttributesW(dst) != INVALID_FILE_ATTRIBUTES)
            problem(w, "%s: the destination was not deleted", op_names[op]);
        break;
    case OP_PAUSE:
    case OP_STOP:
        s.action = op == OP_PAUSE ? COPYFILE2_PROGRESS_PAUSE : COPYFILE2_PROGRESS_STOP;
        if (op == OP_STOP)
            p.dwCopyFlags = COPY_FILE_RESTARTABLE;
        r = wcall(w, src, dst, &p);
        if (after_fault(w, r, op == OP_STOP, src, dst, size, seed))
            break;
        if (r.hr != HRESULT_FROM_WIN32(op == OP_PAUSE ? ERROR_REQUEST_PAUSED : ERROR_REQUEST_ABORTED)) {
            problem(w, "%s at chunk %llu: hr 0x%08lx", op_names[op], s.chunk, (unsigned long)r.hr);
            break;
        }
        op == OP_PAUSE ? w->paused++ : w->aborted++;
        if (GetFileAttributesW(dst) == INVALID_FILE_ATTRIBUTES) {
            problem(w, "%s: the destination was not kept", op_names[op]);
            break;
        }
        /* Resume: complete and byte-identical. */
        {
            COPYFILE2_EXTENDED_PARAMETERS_V2 q = cf2_v2(op == OP_PAUSE ? COPY_FILE_RESUME_FROM_PAUSE : COPY_FILE_RESTARTABLE);
            q.ioDesiredSize = C_CHUNK;
            struct cf2_res r2 = wcall(w, src, dst, &q);
            if (after_fault(w, r2, TRUE, src, dst, size, seed))
                break;
            if (r2.hr != S_OK)
                problem(w, "resuming after %s: hr 0x%08lx", op_names[op], (unsigned long)r2.hr);
            else if (matches(w, dst, size, seed) != 1)
                problem(w, "resuming after %s: the destination is not byte-identical", op_names[op]);
            else
                w->ok++;
        }
        break;
    case OP_FAIL_IF_EXISTS: {
        COPYFILE2_EXTENDED_PARAMETERS plain = cf2_v1(0);
        r = wcall(w, src, dst, &plain);
        if (after_fault(w, r, FALSE, src, dst, size, seed) || r.hr != S_OK) {
            if (r.hr != S_OK && r.hr != HRESULT_FROM_WIN32(C_FAULT_ERROR))
                problem(w, "plain copy before FAIL_IF_EXISTS: hr 0x%08lx", (unsigned long)r.hr);
            break;
        }
        w->ok++;
        COPYFILE2_EXTENDED_PARAMETERS fie = cf2_v1(COPY_FILE_FAIL_IF_EXISTS);
        r = wcall(w, src, dst, &fie);
        if (r.hr != HRESULT_FROM_WIN32(ERROR_FILE_EXISTS))
            problem(w, "FAIL_IF_EXISTS onto an existing file: hr 0x%08lx", (unsigned long)r.hr);
        else if (matches(w, dst, size, seed) != 1)
            problem(w, "FAIL_IF_EXISTS changed the existing file");
        else
            w->exists++;
        break;
    }
    case OP_COUNT:
        break;
    }
}

static DWORD WINAPI worker_main(void *arg)
{
    struct worker *w = arg;
    for (unsigned i = 0; i < w->run->copies && !w->run->stop && !w->problem[0]; i++)
        one_copy(w);
    return 0;
}

static DWORD WINAPI noop_thread(void *arg)
{
    (void)arg;
    return 0;
}

static unsigned env_unsigned(const char *name, unsigned dflt)
{
    const char *v = getenv(name);
    return v && *v ? (unsigned)strtoul(v, NULL, 0) : dflt;
}

static uint64_t run_seed(void)
{
    const char *v = getenv("CF2_REL_SEED");
    uint64_t seed = v && *v ? strtoull(v, NULL, 0) : (GetTickCount64() * 0x9E3779B97F4A7C15ull) ^ GetCurrentProcessId();
    return seed ? seed : 1;
}

/* param: 0 distinct destinations, 1 one shared destination, 2 shared and
 * sources of different bytes. */
void rel_concurrency(struct cf2_ctx *t)
{
    int mode = (int)CF2_PARAM(t);
    static struct run run;
    memset(&run, 0, sizeof run);
    run.dir = t->dir;
    run.shared = mode >= 1;
    run.mixed = mode == 2;
    run.faults = mode == 0 && cf2_impl.set_fault != NULL;
    run.copies = env_unsigned("CF2_REL_COPIES", 25);
    if (run.mixed)
        run.copies = run.copies < 6 ? run.copies : 6;
    uint64_t seed = run_seed();
    cf2_note("seed %llu (replay with CF2_REL_SEED=%llu); %d threads x %u copies%s", (unsigned long long)seed,
             (unsigned long long)seed, C_THREADS, run.copies, run.faults ? ", faults injected" : "");
    for (int i = 0; i < C_SOURCES; i++) {
        WCHAR name[32];
        swprintf(name, 32, L"source-%d.bin", i);
        run.src[i] = cf2_path(t, name);
        /* Mixed: sources 2 and 3 have the same size, different bytes. */
        ULONGLONG size = run.mixed && i == 3 ? c_sizes[2] : c_sizes[i];
        cf2_make_file(run.src[i], size, c_seeds[i]);
    }
    struct cf2_fp src_fp[C_SOURCES];
    for (int i = 0; i < C_SOURCES; i++)
        src_fp[i] = cf2_fp_take(run.src[i]);
    run.shared_dst = cf2_path(t, L"shared.bin");

    /* Warm up what Wine creates lazily (a copy, a thread). */
    cf2_call(run.src[0], cf2_path(t, L"warm.bin"), NULL);
    DeleteFileW(cf2_path(t, L"warm.bin"));
    HANDLE warm = CreateThread(NULL, 0, noop_thread, NULL, 0, NULL);
    if (warm) {
        WaitForSingleObject(warm, 5000);
        CloseHandle(warm);
    }

    DWORD handles_before = cf2_handle_count();
    ULONGLONG t0 = GetTickCount64();
    for (int i = 0; i < C_THREADS; i++) {
        struct worker *w = &run.w[i];
        w->run = &run;
        w->id = i;
        w->rng = seed + 0x9E3779B97F4A7C15ull * (uint64_t)(i + 1);
        next_rand(&w->rng);
        w->buf_a = malloc(65536);
        w->buf_b = malloc(65536);
        cf2_check(w->buf_a && w->buf_b, "out of memory");
        w->thread = CreateThread(NULL, 0, worker_main, w, 0, NULL);
        cf2_check(w->thread != NULL, "CreateThread: %lu", GetLastError());
    }
    HANDLE threads[C_THREADS];
    for (int i = 0; i < C_THREADS; i++)
        threads[i] = run.w[i].thread;
    /* Generous: the 8x25 run takes a few seconds; 1 s per copy and thread
     * would still be far from any real deadlock. */
    DWORD limit_ms = 60000 + 1000u * run.copies;
    uint64_t frng = seed ^ 0xFA017ull;
    unsigned armed = 0;
    DWORD wait;
    for (;;) {
        wait = WaitForMultipleObjects(C_THREADS, threads, TRUE, run.faults ? 15 : 200);
        if (wait != WAIT_TIMEOUT)
            break;
        if (GetTickCount64() - t0 > limit_ms)
            break;
        if (run.faults) {
            DWORD phase = next_rand(&frng) % 2 ? COPYFILE2_PHASE_WRITE_DESTINATION : COPYFILE2_PHASE_READ_SOURCE;
            cf2_impl.set_fault(phase, next_rand(&frng) % 3, C_FAULT_ERROR);
            armed++;
        }
    }
    if (run.faults)
        cf2_impl.set_fault(0, 0, 0);
    ULONGLONG ms = GetTickCount64() - t0;
    if (wait == WAIT_TIMEOUT) {
        InterlockedExchange(&run.stop, 1);
        cf2_fail("the concurrent copies did not finish within %lu ms: deadlock or hang (seed %llu)", limit_ms,
                 (unsigned long long)seed);
    }
    unsigned calls = 0, ok = 0, aborted = 0, paused = 0, exists = 0, faulted = 0, sharing = 0, denied = 0;
    for (int i = 0; i < C_THREADS; i++) {
        struct worker *w = &run.w[i];
        CloseHandle(w->thread);
        free(w->buf_a);
        free(w->buf_b);
        calls += w->calls;
        ok += w->ok;
        aborted += w->aborted;
        paused += w->paused;
        exists += w->exists;
        faulted += w->faulted;
        sharing += w->sharing;
        denied += w->denied;
    }
    for (int i = 0; i < C_THREADS; i++)
        cf2_check(!run.w[i].problem[0], "%s (seed %llu)", run.w[i].problem, (unsigned long long)seed);
    DWORD handles_after = cf2_handle_count();
    cf2_check(handles_after == handles_before, "the process had %lu handles before the run and %lu after it",
              handles_before, handles_after);
    cf2_note("%u calls in %llu ms: %u S_OK, %u ERROR_REQUEST_ABORTED, %u ERROR_REQUEST_PAUSED, %u ERROR_FILE_EXISTS, "
             "%u injected faults (%u armed), %u ERROR_SHARING_VIOLATION and %u ERROR_ACCESS_DENIED on the shared "
             "destination",
             calls, ms, ok, aborted, paused, exists, faulted, armed, sharing, denied);
    printf("concurrency (%s): %u copies by %d threads in %llu ms, %u faults injected, no deadlock\n",
           mode == 0 ? "distinct destinations" : mode == 1 ? "shared destination" : "shared destination, two sources",
           calls, C_THREADS, ms, faulted);

    if (run.shared) {
        /* The shared destination now: absent (the last copy to close it was
         * cancelled), or the source's size. */
        WIN32_FILE_ATTRIBUTE_DATA d;
        BOOL present = GetFileAttributesExW(run.shared_dst, GetFileExInfoStandard, &d);
        ULONGLONG want = c_sizes[2];
        if (!run.mixed) {
            cf2_check(!present || cf2_size_of(&d) == c_sizes[0] || cf2_size_of(&d) == c_sizes[1] ||
                          cf2_size_of(&d) == c_sizes[2] || cf2_size_of(&d) == c_sizes[3],
                      "the shared destination has %llu bytes, no source's size", cf2_size_of(&d));
        } else {
            cf2_check(present && cf2_size_of(&d) == want, "the shared destination: present %d, %llu bytes", present,
                      present ? cf2_size_of(&d) : 0);
            struct worker tmp;
            memset(&tmp, 0, sizeof tmp);
            tmp.buf_a = malloc(65536);
            tmp.buf_b = malloc(65536);
            int a = matches(&tmp, run.shared_dst, want, c_seeds[2]), b = matches(&tmp, run.shared_dst, want, c_seeds[3]);
            free(tmp.buf_a);
            free(tmp.buf_b);
            cf2_note("after concurrent copies of two different sources to one destination it is %s",
                     a == 1 ? "a copy of the first" : b == 1 ? "a copy of the second"
                                                             : "a mix of both (copies to one destination are not "
                                                               "serialized: docs/reliability.md)");
        }
        /* Nothing is left locked: a last copy succeeds, byte-identical. */
        cf2_expect_ok(cf2_call(run.src[2], run.shared_dst, NULL), "a copy to the shared destination after the run");
        cf2_expect_pattern(run.shared_dst, c_sizes[2], c_seeds[2]);
    }
    for (int i = 0; i < C_SOURCES; i++)
        cf2_expect_unchanged(run.src[i], &src_fp[i], "a source");
}
