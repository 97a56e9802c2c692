/*
 * test_reliability.c - the "reliability" area (issue 8): whatever happens
 * during a copy, CopyFile2 returns a precise result, never changes the
 * source, and leaves the destination absent, kept, resumable or a
 * byte-identical copy, as docs/conformance.md and docs/reliability.md say.
 *
 * This file: the fault matrix (the test build's seam at every phase and at
 * the first, a middle and the last chunk, for plain and restartable copies
 * and for every answer to the ERROR message), the source and the
 * destination changed while the copy runs, the destination held open by
 * another process, and a misbehaving progress routine (invalid answers,
 * structured exceptions, nested copies, use of the handles it is given).
 * test_hostile.c has hostile paths and parameter blocks, test_concurrency.c
 * concurrent copies.
 *
 * Every case asserts the HRESULT and the last error, the destination's
 * state, the source's bytes (fingerprint before and after) and that the
 * call leaks no handle (cf2_handle_count right before and right after it).
 */
#include "harness.h"
#include "list_reliability.h"

#include <string.h>

/* The shape of most copies here: 256 KiB chunks (V2 ioDesiredSize), five
 * chunks of which the last holds 777 bytes.  Over 1 MiB, so plain copies take
 * the in-kernel path under Wine (dll/offload.c) unless NO_OFFLOAD is given. */
#define R_CHUNK (256 * KiB)
#define R_SIZE (4 * R_CHUNK + 777)
#define R_LAST_CHUNK 4
#define R_SEED 0x8e11ab1eu
#define R_OLD_SEED 0x01dda7a0u
#define R_OLD_SIZE (300 * KiB + 3)

/* Figures, printed by reliability_figures (the area's last test). */
unsigned cf2_rel_faults_injected;
unsigned cf2_rel_exceptions_unwound;
unsigned cf2_rel_leak_checks;

/* ---------------------------------------------------------------- handle leaks */

/* Wine creates a handle or two lazily the first time a process copies (a
 * semaphore, kept for the life of the process): one small copy first, so
 * that the counts around the calls under test compare like with like. */
void cf2_rel_warm_up(struct cf2_ctx *t);
void cf2_rel_warm_up(struct cf2_ctx *t)
{
    static BOOL done;
    if (done)
        return;
    const WCHAR *a = cf2_path(t, L"warm-up.src"), *b = cf2_path(t, L"warm-up.dst");
    cf2_make_file(a, 1000, 1);
    cf2_call(a, b, NULL);
    DeleteFileW(a);
    DeleteFileW(b);
    done = TRUE;
}

static DWORD handles_now(void)
{
    DWORD n = cf2_handle_count();
    if (n == 0) {
        cf2_err("ERROR: cannot count this process's handles (GetProcessHandleCount and "
                "NtQuerySystemInformation both failed)\n");
        _fail(__FILE__, __LINE__);
    }
    return n;
}

static void expect_no_leak_(DWORD before, const char *what, const char *file, int line)
{
    DWORD after = handles_now();
    cf2_rel_leak_checks++;
    if (after != before) {
        cf2_err("ERROR: %s: the process had %lu handles before the call and %lu after it "
                "(%+ld)\n", what, before, after, (long)after - (long)before);
        _fail(file, line);
    }
}
#define expect_no_leak(before, what) expect_no_leak_((before), (what), __FILE__, __LINE__)

/* cf2_call, with the handle count checked around it. */
static struct cf2_res call_counted(const WCHAR *src, const WCHAR *dst, void *params, const char *what)
{
    DWORD before = handles_now();
    struct cf2_res r = cf2_call(src, dst, params);
    expect_no_leak(before, what);
    return r;
}

/* ---------------------------------------------------------------- a scripted progress routine */

#define ANY_CHUNK (~0ull)

struct script {
    /* The trigger: the first message of this type (and, for chunk messages,
     * this chunk number unless ANY_CHUNK) is answered with `action`, after
     * `hook` ran.  Type 0: no trigger. */
    DWORD at;
    ULONGLONG at_chunk;
    DWORD action;
    void (*hook)(struct script *s, const COPYFILE2_MESSAGE *m);
    void *arg;
    /* Run on every message before anything else. */
    void (*every)(struct script *s, const COPYFILE2_MESSAGE *m);
    /* The answer to COPYFILE2_CALLBACK_ERROR messages that are not the trigger. */
    DWORD error_action;

    /* What was seen. */
    unsigned messages;
    unsigned by_type[8];
    unsigned errors;
    COPYFILE2_MESSAGE error;            /* the first ERROR message */
    unsigned after_error;               /* messages after the first ERROR */
    DWORD first_after_error;
    BOOL triggered;
    unsigned after_trigger;             /* messages after the trigger */
    DWORD first_after_trigger;
    BOOL chunk_seen;
    ULONGLONG first_chunk;              /* number of the first CHUNK_STARTED */
    char problem[512];                  /* a hook's complaint, asserted afterwards */
};

static void script_init(struct script *s)
{
    memset(s, 0, sizeof *s);
    s->at_chunk = ANY_CHUNK;
    s->error_action = COPYFILE2_PROGRESS_CONTINUE;
}

static void script_problem(struct script *s, const char *fmt, ...)
    __attribute__((format(__MINGW_PRINTF_FORMAT, 2, 3)));
static void script_problem(struct script *s, const char *fmt, ...)
{
    if (s->problem[0])
        return; /* keep the first */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->problem, sizeof s->problem, fmt, ap);
    va_end(ap);
}

static ULONGLONG chunk_of(const COPYFILE2_MESSAGE *m)
{
    if (m->Type == COPYFILE2_CALLBACK_CHUNK_STARTED)
        return m->Info.ChunkStarted.uliChunkNumber.QuadPart;
    if (m->Type == COPYFILE2_CALLBACK_CHUNK_FINISHED)
        return m->Info.ChunkFinished.uliChunkNumber.QuadPart;
    return 0;
}

static COPYFILE2_MESSAGE_ACTION CALLBACK on_message(const COPYFILE2_MESSAGE *m, PVOID ctx)
{
    struct script *s = ctx;
    s->messages++;
    if ((unsigned)m->Type < 8)
        s->by_type[m->Type]++;
    if (s->errors && s->after_error++ == 0)
        s->first_after_error = m->Type;
    if (s->triggered && s->after_trigger++ == 0)
        s->first_after_trigger = m->Type;
    if (m->Type == COPYFILE2_CALLBACK_CHUNK_STARTED && !s->chunk_seen) {
        s->chunk_seen = TRUE;
        s->first_chunk = m->Info.ChunkStarted.uliChunkNumber.QuadPart;
    }
    if (m->Type == COPYFILE2_CALLBACK_ERROR && s->errors++ == 0)
        s->error = *m;
    if (s->every)
        s->every(s, m);
    if (!s->triggered && s->at != 0 && m->Type == s->at &&
        (s->at_chunk == ANY_CHUNK || chunk_of(m) == s->at_chunk)) {
        s->triggered = TRUE;
        if (s->hook)
            s->hook(s, m);
        return (COPYFILE2_MESSAGE_ACTION)s->action;
    }
    if (m->Type == COPYFILE2_CALLBACK_ERROR)
        return (COPYFILE2_MESSAGE_ACTION)s->error_action;
    return COPYFILE2_PROGRESS_CONTINUE;
}

static COPYFILE2_EXTENDED_PARAMETERS_V2 params_with(DWORD flags, struct script *s, DWORD chunk)
{
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(flags);
    p.ioDesiredSize = chunk;
    if (s) {
        p.pProgressRoutine = on_message;
        p.pvCallbackContext = s;
    }
    return p;
}

/* ---------------------------------------------------------------- destination states */

/* The last-write time of a resumable fragment (docs/restart-header.md §8). */
static const ULONGLONG paused_mtime = 119600064000000000ull;

/* A resumable fragment of an R_SIZE-byte source: the data rounded up to
 * 4096 plus the 8192-byte trailer, marked 1980-01-01. */
static void expect_resumable_fragment_(const WCHAR *dst, ULONGLONG size, const char *what,
                                       const char *file, int line)
{
    WIN32_FILE_ATTRIBUTE_DATA d;
    if (!GetFileAttributesExW(dst, GetFileExInfoStandard, &d)) {
        cf2_err("ERROR: %s: the destination should be kept (resumable) but is absent (error %lu)\n",
                what, GetLastError());
        _fail(file, line);
    }
    ULONGLONG want = ((size + 4095) & ~4095ull) + 8192;
    if (cf2_size_of(&d) != want || cf2_ft64(d.ftLastWriteTime) != paused_mtime) {
        cf2_err("ERROR: %s: the kept destination is not a resumable fragment: %llu bytes "
                "(expected %llu), last write %s (expected 1980-01-01)\n",
                what, cf2_size_of(&d), want, cf2_ft_str(d.ftLastWriteTime));
        _fail(file, line);
    }
}
#define expect_resumable_fragment(d, n, w) expect_resumable_fragment_((d), (n), (w), __FILE__, __LINE__)

/* Resumes a kept fragment with `flags` and checks the copy is complete and
 * byte-identical, and that it resumed no later than `at_most_chunk` (so no
 * data was skipped); `exact` also asserts it resumed exactly there. */
static void resume_and_check(const WCHAR *src, const WCHAR *dst, DWORD flags, ULONGLONG at_most_chunk,
                             BOOL exact, const char *what)
{
    struct script s;
    script_init(&s);
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = params_with(flags, &s, R_CHUNK);
    char w[256];
    snprintf(w, sizeof w, "%s: the resuming call", what);
    cf2_expect_ok(call_counted(src, dst, &p, w), w);
    cf2_expect_pattern(dst, R_SIZE, R_SEED);
    cf2_check(s.chunk_seen, "%s: no CHUNK_STARTED", w);
    cf2_check(s.first_chunk <= at_most_chunk, "%s: resumed at chunk %llu, after the last "
              "chunk known to be written (%llu): data would be missing", w, s.first_chunk, at_most_chunk);
    if (exact)
        cf2_check(s.first_chunk == at_most_chunk, "%s: resumed at chunk %llu, expected %llu "
                  "(the last chunk boundary reached)", w, s.first_chunk, at_most_chunk);
}

/* ================================================================ the fault matrix */

struct fault_mode {
    const char *name;
    BOOL restartable;
    BOOL routine;
    DWORD action; /* the routine's answer to the ERROR message */
};

static const struct fault_mode fault_modes[] = {
    {"plain", FALSE, FALSE, 0},
    {"restartable", TRUE, FALSE, 0},
    {"plain, ERROR answered CONTINUE", FALSE, TRUE, COPYFILE2_PROGRESS_CONTINUE},
    {"plain, ERROR answered QUIET", FALSE, TRUE, COPYFILE2_PROGRESS_QUIET},
    {"plain, ERROR answered CANCEL", FALSE, TRUE, COPYFILE2_PROGRESS_CANCEL},
    {"plain, ERROR answered STOP", FALSE, TRUE, COPYFILE2_PROGRESS_STOP},
    {"plain, ERROR answered PAUSE", FALSE, TRUE, COPYFILE2_PROGRESS_PAUSE},
    {"restartable, ERROR answered CONTINUE", TRUE, TRUE, COPYFILE2_PROGRESS_CONTINUE},
    {"restartable, ERROR answered QUIET", TRUE, TRUE, COPYFILE2_PROGRESS_QUIET},
    {"restartable, ERROR answered CANCEL", TRUE, TRUE, COPYFILE2_PROGRESS_CANCEL},
    {"restartable, ERROR answered STOP", TRUE, TRUE, COPYFILE2_PROGRESS_STOP},
    {"restartable, ERROR answered PAUSE", TRUE, TRUE, COPYFILE2_PROGRESS_PAUSE},
};

struct fault_point {
    DWORD phase;
    ULONGLONG chunk;
    DWORD error;
    const char *where;
};

static const struct fault_point fault_points[] = {
    {COPYFILE2_PHASE_PREPARE_SOURCE, 0, ERROR_NOT_READY, "opening the source"},
    {COPYFILE2_PHASE_PREPARE_DEST, 0, ERROR_WRITE_PROTECT, "opening the destination"},
    {COPYFILE2_PHASE_READ_SOURCE, 0, ERROR_READ_FAULT, "reading the first chunk"},
    {COPYFILE2_PHASE_READ_SOURCE, 2, ERROR_CRC, "reading a middle chunk"},
    {COPYFILE2_PHASE_READ_SOURCE, R_LAST_CHUNK, ERROR_SECTOR_NOT_FOUND, "reading the last chunk"},
    {COPYFILE2_PHASE_WRITE_DESTINATION, 0, ERROR_DISK_FULL, "writing the first chunk"},
    {COPYFILE2_PHASE_WRITE_DESTINATION, 2, ERROR_WRITE_FAULT, "writing a middle chunk"},
    {COPYFILE2_PHASE_WRITE_DESTINATION, R_LAST_CHUNK, ERROR_HANDLE_DISK_FULL, "writing the last chunk"},
};

enum fate { GONE, UNTOUCHED, KEPT, RESUMABLE };

/* One faulted copy and everything that must follow from it. */
static void one_fault(struct cf2_ctx *t, const struct fault_mode *mode, const struct fault_point *fp,
                      BOOL existing, const WCHAR *src, const struct cf2_fp *src_fp, const WCHAR *dst)
{
    char what[256];
    snprintf(what, sizeof what, "%s: fault %s (%s, chunk %llu, error %lu), %s destination", mode->name,
             fp->where, cf2_phase_name(fp->phase), fp->chunk, fp->error, existing ? "existing" : "new");

    SetFileAttributesW(dst, FILE_ATTRIBUTE_NORMAL);
    DeleteFileW(dst);
    if (existing) {
        cf2_make_file(dst, R_OLD_SIZE, R_OLD_SEED);
        FILETIME ow = cf2_filetime(2003, 4, 5, 6, 7, 8, 900);
        cf2_set_times(dst, NULL, NULL, &ow);
    }
    struct cf2_fp dst_fp = cf2_fp_take(dst);

    struct script s;
    script_init(&s);
    s.error_action = mode->action;
    COPYFILE2_EXTENDED_PARAMETERS_V2 p =
        params_with(mode->restartable ? COPY_FILE_RESTARTABLE : 0, mode->routine ? &s : NULL, R_CHUNK);
    cf2_set_fault(fp->phase, fp->chunk, fp->error);
    cf2_rel_faults_injected++;
    struct cf2_res r = call_counted(src, dst, &p, what);
    cf2_set_fault(0, 0, 0);

    BOOL early = fp->phase == COPYFILE2_PHASE_PREPARE_SOURCE || fp->phase == COPYFILE2_PHASE_PREPARE_DEST;
    DWORD a = mode->routine ? mode->action : COPYFILE2_PROGRESS_CONTINUE;

    /* The result. */
    if (a == COPYFILE2_PROGRESS_CANCEL || a == COPYFILE2_PROGRESS_STOP) {
        cf2_expect_err(r, ERROR_REQUEST_ABORTED, what);
    } else if (a == COPYFILE2_PROGRESS_PAUSE && early) {
        /* Nothing to pause: no destination of this copy is open yet, so
         * the call fails with the error itself (docs/conformance.md,
         * "Errors"). */
        cf2_expect_err(r, fp->error, what);
    } else if (a == COPYFILE2_PROGRESS_PAUSE) {
        cf2_expect_err(r, ERROR_REQUEST_PAUSED, what);
    } else {
        cf2_expect_err(r, fp->error, what);
    }

    /* The messages. */
    if (mode->routine) {
        cf2_check(s.errors == 1, "%s: %u ERROR messages, expected 1", what, s.errors);
        cf2_check(s.error.Info.Error.CopyPhase == (COPYFILE2_COPY_PHASE)fp->phase,
                  "%s: ERROR message phase %s, expected %s", what,
                  cf2_phase_name(s.error.Info.Error.CopyPhase), cf2_phase_name(fp->phase));
        cf2_check(s.error.Info.Error.hrFailure == HRESULT_FROM_WIN32(fp->error),
                  "%s: ERROR message hrFailure 0x%08lx, expected 0x%08lx", what,
                  (unsigned long)s.error.Info.Error.hrFailure, (unsigned long)HRESULT_FROM_WIN32(fp->error));
        cf2_check(s.error.Info.Error.dwStreamNumber == 1, "%s: ERROR message stream %lu, expected 1",
                  what, s.error.Info.Error.dwStreamNumber);
        if (!early)
            cf2_check(s.error.Info.Error.uliChunkNumber.QuadPart == fp->chunk,
                      "%s: ERROR message chunk %llu, expected %llu", what,
                      s.error.Info.Error.uliChunkNumber.QuadPart, fp->chunk);
        /* STREAM_FINISHED follows STOP and PAUSE only once the stream has
         * started: never after an ERROR of PREPARE_SOURCE or PREPARE_DEST. */
        if ((a == COPYFILE2_PROGRESS_STOP || a == COPYFILE2_PROGRESS_PAUSE) && !early)
            cf2_check(s.after_error == 1 && s.first_after_error == COPYFILE2_CALLBACK_STREAM_FINISHED,
                      "%s: after %s, expected exactly one more message (STREAM_FINISHED), got %u "
                      "(first %s)", what, cf2_action_name(a), s.after_error, cf2_type_name(s.first_after_error));
        else
            cf2_check(s.after_error == 0, "%s: %u messages after the ERROR message answered %s "
                      "(first %s), expected none", what, s.after_error, cf2_action_name(a),
                      cf2_type_name(s.first_after_error));
    }

    /* The destination. */
    enum fate fate;
    if (early)
        fate = UNTOUCHED;
    else if (a == COPYFILE2_PROGRESS_CANCEL)
        fate = GONE;
    else if (a == COPYFILE2_PROGRESS_PAUSE || mode->restartable)
        fate = RESUMABLE;
    else if (a == COPYFILE2_PROGRESS_STOP)
        fate = KEPT;
    else
        fate = GONE;
    switch (fate) {
    case GONE:
        cf2_check(!cf2_exists(dst), "%s: the destination was not deleted", what);
        break;
    case UNTOUCHED:
        cf2_expect_unchanged(dst, &dst_fp, existing ? "the existing destination" : "the (absent) destination");
        break;
    case KEPT:
        cf2_check(cf2_exists(dst), "%s: STOP must keep the destination, but it is gone", what);
        /* Not resumable (no RESTARTABLE): the next plain copy replaces it. */
        cf2_expect_ok(call_counted(src, dst, NULL, what), "a plain copy over the stopped fragment");
        cf2_expect_pattern(dst, R_SIZE, R_SEED);
        break;
    case RESUMABLE:
        expect_resumable_fragment(dst, R_SIZE, what);
        resume_and_check(src, dst, mode->restartable ? COPY_FILE_RESTARTABLE : COPY_FILE_RESUME_FROM_PAUSE,
                         fp->chunk, a == COPYFILE2_PROGRESS_PAUSE, what);
        break;
    }
    cf2_check(cf2_count_entries(t->dir) == (cf2_exists(dst) ? 2 : 1), "%s: stray files in %s", what,
              cf2_u8(t->dir));
    cf2_expect_unchanged(src, src_fp, "the source");
}

void rel_fault_matrix(struct cf2_ctx *t)
{
    const struct fault_mode *mode = &fault_modes[CF2_PARAM(t)];
    cf2_rel_warm_up(t);
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    cf2_make_file(src, R_SIZE, R_SEED);
    FILETIME w = cf2_filetime(2001, 2, 3, 4, 5, 6, 700);
    cf2_set_times(src, NULL, NULL, &w);
    struct cf2_fp src_fp = cf2_fp_take(src);
    unsigned n = 0;
    for (size_t i = 0; i < sizeof fault_points / sizeof fault_points[0]; i++)
        for (int existing = 0; existing < 2; existing++, n++)
            one_fault(t, mode, &fault_points[i], existing, src, &src_fp, dst);
    cf2_note("%s: %u faults injected, every result and destination as documented", mode->name, n);
}

/* ================================================================ the source changed during the copy */

enum change { TRUNCATE, EXTEND, DELETE_SOURCE };

struct change_ctx {
    const WCHAR *path;
    enum change change;
    BOOL done;
    BOOL ok;
    DWORD error;
};

static void change_source(struct change_ctx *c)
{
    c->ok = FALSE;
    c->error = 0;
    if (c->change == DELETE_SOURCE) {
        c->ok = DeleteFileW(c->path);
        c->error = c->ok ? 0 : GetLastError();
    } else {
        HANDLE h = CreateFileW(c->path, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                               NULL, OPEN_EXISTING, 0, NULL);
        if (h == INVALID_HANDLE_VALUE) {
            c->error = GetLastError();
        } else if (c->change == TRUNCATE) {
            FILE_END_OF_FILE_INFO eof;
            /* 384 KiB + 100: past what was copied when the change is made
             * (256 KiB, or 128 KiB when throttled), short of the end. */
            eof.EndOfFile.QuadPart = 3 * R_CHUNK / 2 + 100;
            c->ok = SetFileInformationByHandle(h, FileEndOfFileInfo, &eof, sizeof eof);
            c->error = c->ok ? 0 : GetLastError();
            CloseHandle(h);
        } else {
            static BYTE extra[64 * 1024];
            memset(extra, 0x5a, sizeof extra);
            LARGE_INTEGER end;
            end.QuadPart = 0;
            DWORD put = 0;
            c->ok = SetFilePointerEx(h, end, NULL, FILE_END) && WriteFile(h, extra, sizeof extra, &put, NULL) &&
                    put == sizeof extra;
            c->error = c->ok ? 0 : GetLastError();
            CloseHandle(h);
        }
    }
    c->done = TRUE;
}

static void hook_change_source(struct script *s, const COPYFILE2_MESSAGE *m)
{
    (void)m;
    change_source(s->arg);
}

/* The other thread of the throttled variant: waits for the copy's first
 * CHUNK_FINISHED, then changes the source while the copy is throttled. */
struct changer {
    struct change_ctx change;
    HANDLE go;
};

static DWORD WINAPI changer_thread(void *arg)
{
    struct changer *c = arg;
    if (WaitForSingleObject(c->go, 20000) == WAIT_OBJECT_0)
        change_source(&c->change);
    return 0;
}

static void hook_signal(struct script *s, const COPYFILE2_MESSAGE *m)
{
    (void)m;
    SetEvent(((struct changer *)s->arg)->go);
}

/* param: low byte the change; 0x100 from another thread while a throttled
 * copy (ioDesiredRate 512 KB/s) runs; 0x200 NO_OFFLOAD (read/write path). */
#define FROM_THREAD CF2_REL_FROM_THREAD
#define NO_OFFLOAD_PATH CF2_REL_NO_OFFLOAD

void rel_source_changed(struct cf2_ctx *t)
{
    enum change change = (enum change)(CF2_PARAM(t) & 0xff);
    BOOL threaded = (CF2_PARAM(t) & FROM_THREAD) != 0;
    BOOL no_offload = (CF2_PARAM(t) & NO_OFFLOAD_PATH) != 0;
    cf2_rel_warm_up(t);
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    /* Throttled: 640 KiB at 512 KiB/s, 64 KiB chunks: about 1.25 s, chunk 1
     * finishes after about 0.25 s.  Otherwise the usual 5 chunks. */
    ULONGLONG size = threaded ? 640 * KiB : R_SIZE;
    DWORD chunk = threaded ? 64 * 1024 : R_CHUNK;
    cf2_make_file(src, size, R_SEED);

    struct script s;
    script_init(&s);
    struct changer ch;
    memset(&ch, 0, sizeof ch);
    ch.change.path = src;
    ch.change.change = change;
    s.at = COPYFILE2_CALLBACK_CHUNK_FINISHED;
    s.at_chunk = threaded ? 1 : 0;
    s.action = COPYFILE2_PROGRESS_CONTINUE;
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = params_with(no_offload ? COPY_FILE_NO_OFFLOAD : 0, &s, chunk);
    HANDLE thread = NULL;
    DWORD before = handles_now();
    if (threaded) {
        p.ioDesiredRate = 512;
        ch.go = CreateEventW(NULL, TRUE, FALSE, NULL);
        s.hook = hook_signal;
        s.arg = &ch;
        thread = CreateThread(NULL, 0, changer_thread, &ch, 0, NULL);
        cf2_check(ch.go && thread, "cannot start the other thread: %lu", GetLastError());
    } else {
        s.hook = hook_change_source;
        s.arg = &ch.change;
    }
    ULONGLONG t0 = GetTickCount64();
    struct cf2_res r = cf2_call(src, dst, &p);
    ULONGLONG ms = GetTickCount64() - t0;
    if (threaded) {
        cf2_check(WaitForSingleObject(thread, 20000) == WAIT_OBJECT_0, "the other thread did not finish");
        CloseHandle(thread);
        CloseHandle(ch.go);
    }
    expect_no_leak(before, "the copy of a source changed while it runs");
    const char *how = threaded ? "from another thread during a throttled copy" : "from the progress routine";
    cf2_check(ch.change.done, "the change never happened (no CHUNK_FINISHED?)");
    cf2_note("%s %s: change %s (error %lu); CopyFile2 hr 0x%08lx, last error %lu, %llu ms",
             change == TRUNCATE ? "truncated" : change == EXTEND ? "extended" : "deleted", how,
             ch.change.ok ? "succeeded" : "failed", ch.change.error, (unsigned long)r.hr, r.err, ms);

    switch (change) {
    case TRUNCATE:
        cf2_check(ch.change.ok, "cannot truncate the source while it is copied: error %lu "
                  "(the copy's handle must share writing)", ch.change.error);
        cf2_expect_err(r, ERROR_HANDLE_EOF, "a source truncated during the copy");
        cf2_check(s.errors == 1 && s.error.Info.Error.CopyPhase == COPYFILE2_PHASE_READ_SOURCE &&
                      s.error.Info.Error.hrFailure == HRESULT_FROM_WIN32(ERROR_HANDLE_EOF),
                  "expected one ERROR message (READ_SOURCE, ERROR_HANDLE_EOF); got %u (phase %s, hr 0x%08lx)",
                  s.errors, cf2_phase_name(s.error.Info.Error.CopyPhase), (unsigned long)s.error.Info.Error.hrFailure);
        cf2_expect_absent(dst);
        cf2_expect_pattern(src, 3 * R_CHUNK / 2 + 100, R_SEED); /* only what the test did to it */
        break;
    case EXTEND:
        cf2_check(ch.change.ok, "cannot extend the source while it is copied: error %lu", ch.change.error);
        cf2_expect_ok(r, "a source extended during the copy");
        cf2_expect_pattern(dst, size, R_SEED); /* the length it had when it was opened */
        {
            WIN32_FILE_ATTRIBUTE_DATA d = cf2_stat(src);
            cf2_check(cf2_size_of(&d) == size + 64 * KiB, "the source has %llu bytes, expected %llu",
                      cf2_size_of(&d), size + 64 * KiB);
        }
        break;
    case DELETE_SOURCE:
        /* The source is opened with FILE_SHARE_DELETE, so on Windows
         * DeleteFileW succeeds and the file goes when the last handle
         * closes.  Outcomes allowed: the copy completes from the open
         * handle, byte-identical; or it fails with a precise error and the
         * destination is deleted. */
        cf2_check(ch.change.ok, "DeleteFileW on the source being copied failed with %lu; the copy opens "
                  "it with FILE_SHARE_DELETE, so it must succeed", ch.change.error);
        if (r.hr == S_OK) {
            cf2_expect_ok(r, "a source deleted during the copy");
            cf2_expect_pattern(dst, size, R_SEED);
        } else {
            cf2_check(r.hr == HRESULT_FROM_WIN32(r.err) && r.err != 0 && r.err != ERROR_INVALID_PARAMETER,
                      "a source deleted during the copy: imprecise result hr 0x%08lx, last error %lu",
                      (unsigned long)r.hr, r.err);
            cf2_expect_absent(dst);
        }
        cf2_check(!cf2_exists(src), "the deleted source still exists after the copy closed it");
        break;
    }
}

/* ================================================================ the destination changed during the copy */

enum dst_change {
    DELETE_DEST,        /* DeleteFileW on the destination */
    MOVE_DEST,          /* MoveFileW / MoveFileExW of the destination */
    REMOVE_FOLDER,      /* RemoveDirectoryW of its folder */
    RENAME_FOLDER,      /* MoveFileW of its folder */
    READONLY_FOLDER,    /* the folder made read-only */
    READONLY_FOLDER_FAULT /* the same, then a write fault: the destination must still go */
};

struct dst_ctx {
    const WCHAR *dst, *other, *folder, *folder2;
    enum dst_change change;
    BOOL ok, ok2;
    DWORD error, error2;
};

static void hook_change_dest(struct script *s, const COPYFILE2_MESSAGE *m)
{
    (void)m;
    struct dst_ctx *c = s->arg;
    switch (c->change) {
    case DELETE_DEST:
        c->ok = DeleteFileW(c->dst);
        c->error = c->ok ? 0 : GetLastError();
        break;
    case MOVE_DEST:
        c->ok = MoveFileW(c->dst, c->other);
        c->error = c->ok ? 0 : GetLastError();
        c->ok2 = MoveFileExW(c->dst, c->other, MOVEFILE_REPLACE_EXISTING | MOVEFILE_COPY_ALLOWED);
        c->error2 = c->ok2 ? 0 : GetLastError();
        break;
    case REMOVE_FOLDER:
        c->ok = RemoveDirectoryW(c->folder);
        c->error = c->ok ? 0 : GetLastError();
        break;
    case RENAME_FOLDER:
        c->ok = MoveFileW(c->folder, c->folder2);
        c->error = c->ok ? 0 : GetLastError();
        break;
    case READONLY_FOLDER:
    case READONLY_FOLDER_FAULT:
        c->ok = SetFileAttributesW(c->folder, FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_DIRECTORY);
        c->error = c->ok ? 0 : GetLastError();
        if (c->change == READONLY_FOLDER_FAULT)
            cf2_impl.set_fault(COPYFILE2_PHASE_WRITE_DESTINATION, 3, ERROR_DISK_FULL);
        break;
    }
}

void rel_dest_changed(struct cf2_ctx *t)
{
    enum dst_change change = (enum dst_change)CF2_PARAM(t);
    cf2_rel_warm_up(t);
    const WCHAR *src = cf2_path(t, L"source.bin");
    struct dst_ctx c;
    memset(&c, 0, sizeof c);
    c.change = change;
    c.folder = cf2_path(t, L"out");
    c.folder2 = cf2_path(t, L"out-renamed");
    c.dst = cf2_path(t, L"out\\dest.bin");
    c.other = cf2_path(t, L"out\\moved.bin");
    cf2_mkdir(c.folder);
    cf2_make_file(src, R_SIZE, R_SEED);
    struct cf2_fp src_fp = cf2_fp_take(src);

    struct script s;
    script_init(&s);
    s.at = COPYFILE2_CALLBACK_CHUNK_FINISHED;
    s.at_chunk = 1;
    s.action = COPYFILE2_PROGRESS_CONTINUE;
    s.hook = hook_change_dest;
    s.arg = &c;
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = params_with(0, &s, R_CHUNK);
    if (change == READONLY_FOLDER_FAULT && !cf2_impl.set_fault)
        cf2_skip("needs the fault seam");
    struct cf2_res r = call_counted(src, c.dst, &p, "a copy whose destination is changed while it runs");
    if (cf2_impl.set_fault)
        cf2_impl.set_fault(0, 0, 0);
    cf2_check(s.triggered, "the change never happened");
    SetFileAttributesW(c.folder, FILE_ATTRIBUTE_DIRECTORY); /* undo READONLY for the clean-up */

    switch (change) {
    case DELETE_DEST:
        /* The destination handle does not share deletion. */
        cf2_check(!c.ok && c.error == ERROR_SHARING_VIOLATION,
                  "DeleteFileW on the destination being written: expected ERROR_SHARING_VIOLATION, got %s "
                  "(error %lu)", c.ok ? "success" : "failure", c.error);
        cf2_expect_ok(r, "the copy after DeleteFileW of its destination failed");
        cf2_expect_pattern(c.dst, R_SIZE, R_SEED);
        break;
    case MOVE_DEST:
        cf2_check(!c.ok && c.error == ERROR_SHARING_VIOLATION,
                  "MoveFileW of the destination being written: expected ERROR_SHARING_VIOLATION, got %s "
                  "(error %lu)", c.ok ? "success" : "failure", c.error);
        cf2_check(!c.ok2 && c.error2 == ERROR_SHARING_VIOLATION,
                  "MoveFileExW(REPLACE_EXISTING|COPY_ALLOWED) of the destination being written: expected "
                  "ERROR_SHARING_VIOLATION, got %s (error %lu)", c.ok2 ? "success" : "failure", c.error2);
        cf2_expect_ok(r, "the copy after MoveFileW of its destination failed");
        cf2_expect_pattern(c.dst, R_SIZE, R_SEED);
        cf2_expect_absent(c.other);
        break;
    case REMOVE_FOLDER:
        cf2_check(!c.ok && c.error == ERROR_DIR_NOT_EMPTY,
                  "RemoveDirectoryW of the destination's folder: expected ERROR_DIR_NOT_EMPTY, got %s "
                  "(error %lu)", c.ok ? "success" : "failure", c.error);
        cf2_expect_ok(r, "the copy after RemoveDirectoryW of its folder failed");
        cf2_expect_pattern(c.dst, R_SIZE, R_SEED);
        break;
    case RENAME_FOLDER:
        /* Windows refuses to rename a folder holding an open file
         * (ERROR_ACCESS_DENIED or ERROR_SHARING_VIOLATION); Wine renames
         * the host directory.  Either way the copy completes through its
         * handle: byte-identical, at the original path or in the renamed
         * folder. */
        cf2_expect_ok(r, "the copy whose folder was renamed while it ran");
        if (c.ok) {
            cf2_note("the folder was renamed while the copy ran (Wine renames the host directory); "
                     "the copy is in the renamed folder");
            cf2_expect_absent(c.dst);
            cf2_expect_pattern(cf2_path(t, L"out-renamed\\dest.bin"), R_SIZE, R_SEED);
        } else {
            cf2_check(c.error == ERROR_ACCESS_DENIED || c.error == ERROR_SHARING_VIOLATION,
                      "renaming the folder failed with %lu, expected ERROR_ACCESS_DENIED or "
                      "ERROR_SHARING_VIOLATION", c.error);
            cf2_note("renaming the folder failed with %lu; the copy is at its path", c.error);
            cf2_expect_pattern(c.dst, R_SIZE, R_SEED);
        }
        break;
    case READONLY_FOLDER:
        cf2_check(c.ok, "SetFileAttributesW(folder, READONLY) failed: %lu", c.error);
        cf2_expect_ok(r, "the copy whose folder was made read-only");
        cf2_expect_pattern(c.dst, R_SIZE, R_SEED);
        break;
    case READONLY_FOLDER_FAULT:
        /* READONLY on a folder does not protect the files in it (Windows);
         * the failed copy still deletes its destination. */
        cf2_check(c.ok, "SetFileAttributesW(folder, READONLY) failed: %lu", c.error);
        cf2_rel_faults_injected++;
        cf2_expect_err(r, ERROR_DISK_FULL, "a write fault after the folder was made read-only");
        cf2_expect_absent(c.dst);
        break;
    }
    cf2_expect_unchanged(src, &src_fp, "the source");
}

/* ================================================================ destination held by another process */

/* A process that holds a handle: cmd.exe started suspended (it never runs),
 * given a handle with DuplicateHandle(DUPLICATE_CLOSE_SOURCE), so the only
 * handle besides the copy's own is in another process. */
struct holder {
    PROCESS_INFORMATION pi;
    HANDLE job;    /* kill-on-close: a failed test's teardown ends the holder */
    HANDLE remote; /* the handle's value in the holder */
    BOOL held;
};

static void holder_start(struct cf2_ctx *t, struct holder *h)
{
    WCHAR sys[MAX_PATH], cmd[MAX_PATH + 32];
    GetSystemDirectoryW(sys, MAX_PATH);
    swprintf(cmd, sizeof cmd / sizeof cmd[0], L"\"%ls\\cmd.exe\" /c exit", sys);
    STARTUPINFOW si;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    memset(h, 0, sizeof *h);
    cf2_check(CreateProcessW(NULL, cmd, NULL, NULL, FALSE, CREATE_SUSPENDED | CREATE_NO_WINDOW, NULL, NULL,
                             &si, &h->pi),
              "cannot start the holder process %s: error %lu", cf2_u8(cmd), GetLastError());
    h->job = CreateJobObjectW(NULL, NULL);
    if (h->job) {
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION limit;
        memset(&limit, 0, sizeof limit);
        limit.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        SetInformationJobObject(h->job, JobObjectExtendedLimitInformation, &limit, sizeof limit);
        AssignProcessToJobObject(h->job, h->pi.hProcess);
        cf2_track(t, h->job);
    }
    cf2_track(t, h->pi.hProcess);
    cf2_track(t, h->pi.hThread);
}

/* Opens `path` here and moves the handle into the holder. */
static BOOL holder_hold(struct holder *h, const WCHAR *path, DWORD access, DWORD share, DWORD *error)
{
    HANDLE mine = CreateFileW(path, access, share, NULL, OPEN_EXISTING, 0, NULL);
    if (mine == INVALID_HANDLE_VALUE) {
        *error = GetLastError();
        return FALSE;
    }
    if (!DuplicateHandle(GetCurrentProcess(), mine, h->pi.hProcess, &h->remote, 0, FALSE,
                         DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE)) {
        *error = GetLastError();
        CloseHandle(mine);
        return FALSE;
    }
    h->held = TRUE;
    return TRUE;
}

/* Closes the holder's handle.  (DuplicateHandle with DUPLICATE_CLOSE_SOURCE
 * and no target process fails under Wine 8.0 with ERROR_INVALID_HANDLE, so
 * the handle is brought back here and closed.  Wine may give the first
 * handle of a suspended process the value 0: `held` says whether there is
 * one, not the value.) */
static void holder_release(struct holder *h)
{
    HANDLE back;
    if (h->held && DuplicateHandle(h->pi.hProcess, h->remote, GetCurrentProcess(), &back, 0, FALSE,
                                   DUPLICATE_CLOSE_SOURCE | DUPLICATE_SAME_ACCESS))
        CloseHandle(back);
    h->held = FALSE;
    h->remote = NULL;
}

static void holder_stop(struct cf2_ctx *t, struct holder *h)
{
    holder_release(h);
    TerminateProcess(h->pi.hProcess, 0);
    WaitForSingleObject(h->pi.hProcess, 10000);
    cf2_close(t, h->pi.hThread);
    cf2_close(t, h->pi.hProcess);
    if (h->job)
        cf2_close(t, h->job);
}

static const char *share_name(DWORD share)
{
    static char ring[4][32];
    static int next;
    char *out = ring[next++ & 3];
    snprintf(out, sizeof ring[0], "%s%s%s%s", share & FILE_SHARE_READ ? "R" : "", share & FILE_SHARE_WRITE ? "W" : "",
             share & FILE_SHARE_DELETE ? "D" : "", share ? "" : "none");
    return out;
}

static const char *access_name(DWORD access)
{
    switch (access) {
    case GENERIC_READ: return "GENERIC_READ";
    case GENERIC_WRITE: return "GENERIC_WRITE";
    case GENERIC_READ | GENERIC_WRITE: return "GENERIC_READ|WRITE";
    case DELETE: return "DELETE";
    case FILE_READ_ATTRIBUTES: return "FILE_READ_ATTRIBUTES";
    }
    return "?";
}

/* param 0: plain copies; COPY_FILE_RESTARTABLE: restartable copies (their
 * destination handle also reads). */
void rel_dest_held_by_process(struct cf2_ctx *t)
{
    DWORD flags = (DWORD)CF2_PARAM(t);
    cf2_rel_warm_up(t);
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    cf2_make_file(src, 200 * KiB + 5, R_SEED);
    struct cf2_fp src_fp = cf2_fp_take(src);
    struct holder h;
    holder_start(t, &h);
    static const DWORD accesses[] = {GENERIC_READ, GENERIC_WRITE, GENERIC_READ | GENERIC_WRITE, DELETE};
    static const DWORD shares[] = {0,
                                   FILE_SHARE_READ,
                                   FILE_SHARE_WRITE,
                                   FILE_SHARE_DELETE,
                                   FILE_SHARE_READ | FILE_SHARE_WRITE,
                                   FILE_SHARE_READ | FILE_SHARE_DELETE,
                                   FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                   FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE};
    unsigned ok = 0, refused = 0;
    for (size_t a = 0; a < sizeof accesses / sizeof accesses[0]; a++) {
        for (size_t s = 0; s < sizeof shares / sizeof shares[0]; s++) {
            DWORD access = accesses[a], share = shares[s];
            char what[160];
            snprintf(what, sizeof what, "destination held by another process with %s / share %s%s",
                     access_name(access), share_name(share), flags ? ", RESTARTABLE copy" : "");
            cf2_make_file(dst, 100 * KiB + 1, R_OLD_SEED);
            struct cf2_fp dst_fp = cf2_fp_take(dst);
            DWORD error = 0;
            cf2_check(holder_hold(&h, dst, access, share, &error), "%s: cannot give the holder its handle: "
                      "error %lu", what, error);
            COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(flags);
            struct cf2_res r = call_counted(src, dst, &p, what);
            holder_release(&h);
            /* The copy opens the destination for writing (and reading when
             * restartable) sharing reading and writing, never deletion
             * (docs/conformance.md, contract 1.6 cases 8 to 12). */
            BOOL conflict = !(share & FILE_SHARE_WRITE) || (access & DELETE) ||
                            ((flags & COPY_FILE_RESTARTABLE) && !(share & FILE_SHARE_READ));
            if (conflict) {
                cf2_expect_err(r, ERROR_SHARING_VIOLATION, what);
                cf2_expect_unchanged(dst, &dst_fp, "the held destination");
                refused++;
            } else {
                cf2_expect_ok(r, what);
                cf2_expect_pattern(dst, 200 * KiB + 5, R_SEED);
                ok++;
            }
            cf2_check(DeleteFileW(dst), "%s: cannot delete the destination afterwards: %lu", what, GetLastError());
        }
    }

    /* A failed copy whose destination another process holds without delete
     * sharing: the copy's own error, and the fragment stays (contract 1.5). */
    if (cf2_impl.set_fault && !flags) {
        cf2_make_file(dst, 100 * KiB + 1, R_OLD_SEED);
        DWORD error = 0;
        cf2_check(holder_hold(&h, dst, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &error),
                  "cannot give the holder its handle: %lu", error);
        COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(0);
        p.ioDesiredSize = 64 * 1024;
        cf2_set_fault(COPYFILE2_PHASE_WRITE_DESTINATION, 1, ERROR_DISK_FULL);
        cf2_rel_faults_injected++;
        struct cf2_res r = call_counted(src, dst, &p, "write fault, destination held by another process");
        cf2_set_fault(0, 0, 0);
        cf2_expect_err(r, ERROR_DISK_FULL, "write fault, destination held by another process (share RW)");
        cf2_check(cf2_exists(dst), "the destination was deleted although another process denied deletion");
        holder_release(&h);
    }
    holder_stop(t, &h);
    cf2_expect_unchanged(src, &src_fp, "the source");
    cf2_note("%u holder modes: %u copies succeeded, %u refused with ERROR_SHARING_VIOLATION", ok + refused, ok,
             refused);
}

/* ================================================================ invalid answers */

static const DWORD invalid_actions[] = {5, 100, 0x7FFFFFFF, 0xFFFFFFFF};

/* param: the message type answered with an invalid action. */
void rel_invalid_action(struct cf2_ctx *t)
{
    DWORD type = (DWORD)CF2_PARAM(t);
    cf2_rel_warm_up(t);
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    BOOL poll = type == COPYFILE2_CALLBACK_POLL_CONTINUE;
    ULONGLONG size = poll ? 96 * KiB : R_SIZE;
    cf2_make_file(src, size, R_SEED);
    struct cf2_fp src_fp = cf2_fp_take(src);
    unsigned n = 0;
    for (size_t i = 0; i < sizeof invalid_actions / sizeof invalid_actions[0]; i++) {
        for (int variant = 0; variant < 3; variant++) { /* new, existing, restartable */
            char what[200];
            snprintf(what, sizeof what, "%s answered 0x%lx, %s", cf2_type_name(type), invalid_actions[i],
                     variant == 0 ? "new destination" : variant == 1 ? "existing destination" : "RESTARTABLE");
            DeleteFileW(dst);
            if (variant == 1)
                cf2_make_file(dst, R_OLD_SIZE, R_OLD_SEED);
            struct script s;
            script_init(&s);
            s.at = type;
            s.at_chunk = type == COPYFILE2_CALLBACK_CHUNK_STARTED || type == COPYFILE2_CALLBACK_CHUNK_FINISHED ? 2
                                                                                                               : ANY_CHUNK;
            s.action = invalid_actions[i];
            COPYFILE2_EXTENDED_PARAMETERS_V2 p =
                params_with(variant == 2 ? COPY_FILE_RESTARTABLE : 0, &s, poll ? 32 * 1024 : R_CHUNK);
            if (poll)
                p.ioDesiredRate = 512;
            if (type == COPYFILE2_CALLBACK_ERROR) {
                cf2_set_fault(COPYFILE2_PHASE_WRITE_DESTINATION, 2, ERROR_DISK_FULL);
                cf2_rel_faults_injected++;
            }
            struct cf2_res r = call_counted(src, dst, &p, what);
            if (type == COPYFILE2_CALLBACK_ERROR)
                cf2_set_fault(0, 0, 0);
            cf2_check(s.triggered, "%s: the message never came", what);
            cf2_expect_invalidarg(r, what);
            cf2_check(!cf2_exists(dst), "%s: the destination was not deleted", what);
            cf2_check(s.after_trigger == 0, "%s: %u messages after the invalid answer (first %s)", what,
                      s.after_trigger, cf2_type_name(s.first_after_trigger));
            n++;
        }
    }
    cf2_expect_unchanged(src, &src_fp, "the source");
    cf2_note("%u invalid answers to %s: E_INVALIDARG, destination deleted", n, cf2_type_name(type));
}

/* The CopyFileEx-style routine of a V2 structure: anything but
 * PROGRESS_CONTINUE/CANCEL/STOP/QUIET (0..3) is invalid. */
struct old_script {
    DWORD at_reason;
    unsigned at_call;     /* answer the invalid value at this call number (from 0) */
    DWORD value;
    unsigned calls;
    BOOL triggered;
    unsigned after;
};

static DWORD CALLBACK old_routine(LARGE_INTEGER total, LARGE_INTEGER done, LARGE_INTEGER stream_size,
                                  LARGE_INTEGER stream_done, DWORD stream, DWORD reason, HANDLE src,
                                  HANDLE dst, LPVOID ctx)
{
    (void)total, (void)done, (void)stream_size, (void)stream_done, (void)stream, (void)src, (void)dst;
    struct old_script *s = ctx;
    unsigned call = s->calls++;
    if (s->triggered) {
        s->after++;
        return PROGRESS_CONTINUE;
    }
    if (reason == s->at_reason && call >= s->at_call) {
        s->triggered = TRUE;
        return s->value;
    }
    return PROGRESS_CONTINUE;
}

void rel_invalid_action_old_routine(struct cf2_ctx *t)
{
    cf2_rel_warm_up(t);
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    cf2_make_file(src, R_SIZE, R_SEED);
    struct cf2_fp src_fp = cf2_fp_take(src);
    static const DWORD values[] = {4 /* PAUSE: not a CopyFileEx answer */, 5, 100, 0x7FFFFFFF, 0xFFFFFFFF};
    unsigned n = 0;
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        for (int at = 0; at < 2; at++) {
            char what[160];
            snprintf(what, sizeof what, "pProgressRoutineOld answering %lu to %s", values[i],
                     at ? "CALLBACK_CHUNK_FINISHED (third call)" : "CALLBACK_STREAM_SWITCH");
            struct old_script s;
            memset(&s, 0, sizeof s);
            s.at_reason = at ? CALLBACK_CHUNK_FINISHED : CALLBACK_STREAM_SWITCH;
            s.at_call = at ? 2 : 0;
            s.value = values[i];
            COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(0);
            p.ioDesiredSize = R_CHUNK;
            p.pProgressRoutineOld = old_routine;
            p.pvCallbackContext = &s;
            struct cf2_res r = call_counted(src, dst, &p, what);
            cf2_check(s.triggered, "%s: never called", what);
            cf2_expect_invalidarg(r, what);
            cf2_check(!cf2_exists(dst), "%s: the destination was not deleted", what);
            cf2_check(s.after == 0, "%s: called %u more times after the invalid answer", what, s.after);
            n++;
        }
    }
    cf2_expect_unchanged(src, &src_fp, "the source");
    cf2_note("%u invalid answers of a CopyFileEx-style routine: E_INVALIDARG, destination deleted", n);
}

/* ================================================================ structured exceptions */

/*
 * A routine that raises a structured exception: CopyFile2 does not catch
 * it; it reaches the caller, and while it unwinds through CopyFile2 the DLL
 * closes its handles and deletes (or, restartable, keeps resumable) the
 * destination.
 *
 * How the caller catches it in mingw-w64 C: a vectored exception handler
 * that longjmps to a setjmp in the calling frame.  On x64, mingw's setjmp
 * records the frame (_setjmp(buf, __builtin_frame_address(0))) and msvcrt's
 * longjmp then unwinds with RtlUnwind to that frame, which runs the unwind
 * handlers of every frame in between, the DLL's included: a real unwind, as
 * an __except block would do.  mingw-w64's <excpt.h> __try1/__except1
 * macros (x64) were tried first: under Wine 8.0 with GCC 12 the jump to the
 * handler crashed (execute access to 0x10), so they are not used.
 */
#define REL_EXCEPTION 0xE0CF2008u          /* caught by the caller */
#define REL_EXCEPTION_CONTINUE 0xE0CF2009u /* continued by the handler */

static jmp_buf catch_jb;
static volatile LONG catch_armed;
static volatile LONG continued;

static LONG CALLBACK catch_handler(EXCEPTION_POINTERS *ep)
{
    DWORD code = ep->ExceptionRecord->ExceptionCode;
    if (code == REL_EXCEPTION_CONTINUE) {
        InterlockedIncrement(&continued);
        return EXCEPTION_CONTINUE_EXECUTION;
    }
    if (code == REL_EXCEPTION && InterlockedExchange(&catch_armed, 0))
        longjmp(catch_jb, 1);
    return EXCEPTION_CONTINUE_SEARCH;
}

/* Calls CopyFile2 with the handler installed.  TRUE: the exception reached
 * the caller (CopyFile2 did not return); FALSE: it returned *r. */
static __attribute__((noinline)) BOOL call_catching(const WCHAR *src, const WCHAR *dst, void *params,
                                                    struct cf2_res *r)
{
    volatile BOOL caught = FALSE;
    PVOID veh = AddVectoredExceptionHandler(1, catch_handler);
    InterlockedExchange(&catch_armed, 1);
    if (setjmp(catch_jb) == 0)
        *r = cf2_call(src, dst, params);
    else
        caught = TRUE;
    InterlockedExchange(&catch_armed, 0);
    RemoveVectoredExceptionHandler(veh);
    return caught;
}

static void hook_raise(struct script *s, const COPYFILE2_MESSAGE *m)
{
    (void)s;
    (void)m;
    RaiseException(REL_EXCEPTION, 0, 0, NULL);
}

static void hook_raise_continuable(struct script *s, const COPYFILE2_MESSAGE *m)
{
    (void)s;
    (void)m;
    RaiseException(REL_EXCEPTION_CONTINUE, 0, 0, NULL);
}

/* param: the message type that raises; ORed with these: */
#define EXC_RESTARTABLE CF2_REL_EXC_RESTARTABLE
#define EXC_EXISTING CF2_REL_EXC_EXISTING
#define EXC_NO_OFFLOAD CF2_REL_EXC_NO_OFFLOAD

void rel_exception(struct cf2_ctx *t)
{
    DWORD type = (DWORD)(CF2_PARAM(t) & 0xff);
    BOOL restartable = (CF2_PARAM(t) & EXC_RESTARTABLE) != 0;
    BOOL existing = (CF2_PARAM(t) & EXC_EXISTING) != 0;
    cf2_rel_warm_up(t);
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    BOOL poll = type == COPYFILE2_CALLBACK_POLL_CONTINUE;
    ULONGLONG size = poll ? 96 * KiB : R_SIZE;
    cf2_make_file(src, size, R_SEED);
    struct cf2_fp src_fp = cf2_fp_take(src);
    if (existing)
        cf2_make_file(dst, R_OLD_SIZE, R_OLD_SEED);

    struct script s;
    script_init(&s);
    s.at = type;
    s.at_chunk = type == COPYFILE2_CALLBACK_CHUNK_STARTED || type == COPYFILE2_CALLBACK_CHUNK_FINISHED ? 2 : ANY_CHUNK;
    s.hook = hook_raise;
    DWORD flags = (restartable ? COPY_FILE_RESTARTABLE : 0) | ((CF2_PARAM(t) & EXC_NO_OFFLOAD) ? COPY_FILE_NO_OFFLOAD : 0);
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = params_with(flags, &s, poll ? 32 * 1024 : R_CHUNK);
    if (poll)
        p.ioDesiredRate = 512;
    if (type == COPYFILE2_CALLBACK_ERROR)
        cf2_set_fault(COPYFILE2_PHASE_READ_SOURCE, 2, ERROR_READ_FAULT);

    char what[160];
    snprintf(what, sizeof what, "an exception raised by the routine at %s%s%s", cf2_type_name(type),
             restartable ? ", RESTARTABLE" : "", existing ? ", existing destination" : "");
    DWORD before = handles_now();
    struct cf2_res r;
    BOOL caught = call_catching(src, dst, &p, &r);
    DWORD after = handles_now();
    if (type == COPYFILE2_CALLBACK_ERROR)
        cf2_set_fault(0, 0, 0);
    cf2_check(s.triggered, "%s: the message never came", what);
    cf2_check(caught, "%s: CopyFile2 returned (hr 0x%08lx, last error %lu) instead of letting the exception "
              "reach its caller", what, (unsigned long)r.hr, r.err);
    cf2_rel_exceptions_unwound++;
    cf2_rel_leak_checks++;
    cf2_check(after == before, "%s: the process had %lu handles before the call and %lu after the exception "
              "unwound it (%+ld): the copy's handles were not closed", what, before, after,
              (long)after - (long)before);
    if (restartable) {
        /* Kept, resumable from its last checkpoint. */
        cf2_check(cf2_exists(dst), "%s: the restartable copy's destination was deleted", what);
        resume_and_check(src, dst, COPY_FILE_RESTARTABLE, 2, FALSE, what);
    } else {
        cf2_check(!cf2_exists(dst), "%s: the destination was not deleted during the unwind", what);
    }
    /* The DLL is still usable on this thread. */
    cf2_expect_ok(call_counted(src, cf2_path(t, L"after.bin"), NULL, "a copy after the exception"),
                  "a copy after the exception");
    cf2_expect_pattern(cf2_path(t, L"after.bin"), size, R_SEED);
    cf2_expect_unchanged(src, &src_fp, "the source");
}

/* The same through the CopyFileEx-style routine. */
static DWORD CALLBACK old_raiser(LARGE_INTEGER total, LARGE_INTEGER done, LARGE_INTEGER stream_size,
                                 LARGE_INTEGER stream_done, DWORD stream, DWORD reason, HANDLE src,
                                 HANDLE dst, LPVOID ctx)
{
    (void)total, (void)done, (void)stream_size, (void)stream, (void)src, (void)dst, (void)ctx;
    if (reason == CALLBACK_CHUNK_FINISHED && stream_done.QuadPart >= (LONGLONG)(2 * R_CHUNK))
        RaiseException(REL_EXCEPTION, 0, 0, NULL);
    return PROGRESS_CONTINUE;
}

void rel_exception_old_routine(struct cf2_ctx *t)
{
    cf2_rel_warm_up(t);
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    cf2_make_file(src, R_SIZE, R_SEED);
    struct cf2_fp src_fp = cf2_fp_take(src);
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(0);
    p.ioDesiredSize = R_CHUNK;
    p.pProgressRoutineOld = old_raiser;
    DWORD before = handles_now();
    struct cf2_res r;
    BOOL caught = call_catching(src, dst, &p, &r);
    DWORD after = handles_now();
    cf2_check(caught, "CopyFile2 returned (hr 0x%08lx) instead of letting the exception of "
              "pProgressRoutineOld reach its caller", (unsigned long)r.hr);
    cf2_rel_exceptions_unwound++;
    cf2_rel_leak_checks++;
    cf2_check(after == before, "handles before %lu, after the exception %lu: leaked", before, after);
    cf2_expect_absent(dst);
    cf2_expect_unchanged(src, &src_fp, "the source");
}

/* A copy started from a routine, whose own routine raises: the exception
 * unwinds through both copies, innermost first; both clean up. */
struct nested_ctx {
    const WCHAR *src, *dst;
    struct script inner;
    BOOL inner_returned;
    struct cf2_res r;
};

static void hook_nested_raise(struct script *s, const COPYFILE2_MESSAGE *m)
{
    (void)m;
    struct nested_ctx *n = s->arg;
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = params_with(0, &n->inner, 64 * 1024);
    n->r = cf2_call(n->src, n->dst, &p);
    n->inner_returned = TRUE;
}

void rel_exception_nested(struct cf2_ctx *t)
{
    cf2_rel_warm_up(t);
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    struct nested_ctx n;
    memset(&n, 0, sizeof n);
    n.src = cf2_path(t, L"inner-source.bin");
    n.dst = cf2_path(t, L"inner-dest.bin");
    cf2_make_file(src, R_SIZE, R_SEED);
    cf2_make_file(n.src, 300 * KiB, R_OLD_SEED);
    struct cf2_fp src_fp = cf2_fp_take(src), inner_fp = cf2_fp_take(n.src);
    script_init(&n.inner);
    n.inner.at = COPYFILE2_CALLBACK_CHUNK_FINISHED;
    n.inner.at_chunk = 1;
    n.inner.hook = hook_raise;
    struct script s;
    script_init(&s);
    s.at = COPYFILE2_CALLBACK_CHUNK_FINISHED;
    s.at_chunk = 1;
    s.hook = hook_nested_raise;
    s.arg = &n;
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = params_with(0, &s, R_CHUNK);
    DWORD before = handles_now();
    struct cf2_res r;
    BOOL caught = call_catching(src, dst, &p, &r);
    DWORD after = handles_now();
    cf2_check(n.inner.triggered, "the inner copy's routine never raised");
    cf2_check(caught && !n.inner_returned, "the exception did not reach the outer caller (outer returned: %s, "
              "inner returned: %s)", caught ? "no" : "yes", n.inner_returned ? "yes" : "no");
    cf2_rel_exceptions_unwound++;
    cf2_rel_leak_checks++;
    cf2_check(after == before, "handles before %lu, after the exception %lu: leaked", before, after);
    cf2_check(!cf2_exists(n.dst), "the inner copy's destination was not deleted");
    cf2_check(!cf2_exists(dst), "the outer copy's destination was not deleted");
    cf2_expect_unchanged(src, &src_fp, "the outer source");
    cf2_expect_unchanged(n.src, &inner_fp, "the inner source");
}

/* An exception that the caller's handler continues (a continuable
 * RaiseException answered EXCEPTION_CONTINUE_EXECUTION) does not disturb
 * the copy. */
void rel_exception_continued(struct cf2_ctx *t)
{
    cf2_rel_warm_up(t);
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    cf2_make_file(src, R_SIZE, R_SEED);
    struct cf2_fp src_fp = cf2_fp_take(src);
    struct script s;
    script_init(&s);
    s.at = COPYFILE2_CALLBACK_CHUNK_FINISHED;
    s.at_chunk = 1;
    s.hook = hook_raise_continuable;
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = params_with(0, &s, R_CHUNK);
    continued = 0;
    DWORD before = handles_now();
    struct cf2_res r;
    BOOL caught = call_catching(src, dst, &p, &r);
    expect_no_leak(before, "a continued exception");
    cf2_check(!caught, "the continuable exception was not continued");
    cf2_check(continued == 1, "the handler saw %ld continuable exceptions, expected 1", (long)continued);
    cf2_expect_ok(r, "a copy whose routine raised an exception that was continued");
    cf2_expect_pattern(dst, R_SIZE, R_SEED);
    cf2_expect_unchanged(src, &src_fp, "the source");
}

/* ================================================================ nested copies */

struct inner_copy {
    const WCHAR *src, *dst;
    struct cf2_res r;
};

static void hook_inner_copy(struct script *s, const COPYFILE2_MESSAGE *m)
{
    (void)m;
    struct inner_copy *c = s->arg;
    c->r = cf2_call(c->src, c->dst, NULL);
}

/* param 0: the inner copy has the outer's source; 1: another source of the
 * same size; 2: a shorter source. */
void rel_nested_same_destination(struct cf2_ctx *t)
{
    int kind = (int)CF2_PARAM(t);
    cf2_rel_warm_up(t);
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    cf2_make_file(src, R_SIZE, R_SEED);
    struct inner_copy c;
    memset(&c, 0, sizeof c);
    c.dst = dst;
    if (kind == 0) {
        c.src = src;
    } else {
        c.src = cf2_path(t, L"other.bin");
        cf2_make_file(c.src, kind == 1 ? R_SIZE : 100 * KiB, R_OLD_SEED);
    }
    struct cf2_fp src_fp = cf2_fp_take(src), other_fp = cf2_fp_take(c.src);
    struct script s;
    script_init(&s);
    s.at = COPYFILE2_CALLBACK_CHUNK_FINISHED;
    s.at_chunk = 1;
    s.hook = hook_inner_copy;
    s.arg = &c;
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = params_with(0, &s, R_CHUNK);
    struct cf2_res r = call_counted(src, dst, &p, "a copy whose routine copies onto the same destination");
    cf2_check(s.triggered, "the routine never ran the inner copy");
    cf2_note("inner copy onto the destination being written (%s): hr 0x%08lx, last error %lu; outer copy: "
             "hr 0x%08lx, last error %lu",
             kind == 0 ? "same source" : kind == 1 ? "another source, same size" : "a shorter source",
             (unsigned long)c.r.hr, c.r.err, (unsigned long)r.hr, r.err);
    BOOL identical;
    {
        cf2_make_file(cf2_path(t, L"expected.bin"), R_SIZE, R_SEED);
        identical = cf2_hash_file(dst, NULL) == cf2_hash_file(cf2_path(t, L"expected.bin"), NULL);
        DeleteFileW(cf2_path(t, L"expected.bin"));
    }
    cf2_note("after both: the outer destination is %s", identical ? "a copy of the outer source"
                                                                 : "NOT a copy of the outer source");
    /* The inner call must give a precise answer: it cannot take the
     * destination from under the outer copy. */
    cf2_expect_err(c.r, ERROR_SHARING_VIOLATION, "the inner copy onto a destination another copy is writing");
    /* The outer copy completes, byte-identical to its own source. */
    cf2_expect_ok(r, "the outer copy");
    cf2_expect_pattern(dst, R_SIZE, R_SEED);
    cf2_expect_unchanged(src, &src_fp, "the source");
    cf2_expect_unchanged(c.src, &other_fp, "the inner copy's source");
}

/* ================================================================ the routine uses its handles */

struct use_ctx {
    ULONGLONG size;
    BOOL restartable;
    unsigned uses;
    unsigned reads;
};

static void every_use_handles(struct script *s, const COPYFILE2_MESSAGE *m)
{
    struct use_ctx *u = s->arg;
    HANDLE hs, hd;
    switch (m->Type) {
    case COPYFILE2_CALLBACK_STREAM_STARTED: hs = m->Info.StreamStarted.hSourceFile; hd = m->Info.StreamStarted.hDestinationFile; break;
    case COPYFILE2_CALLBACK_CHUNK_STARTED: hs = m->Info.ChunkStarted.hSourceFile; hd = m->Info.ChunkStarted.hDestinationFile; break;
    case COPYFILE2_CALLBACK_CHUNK_FINISHED: hs = m->Info.ChunkFinished.hSourceFile; hd = m->Info.ChunkFinished.hDestinationFile; break;
    case COPYFILE2_CALLBACK_STREAM_FINISHED: hs = m->Info.StreamFinished.hSourceFile; hd = m->Info.StreamFinished.hDestinationFile; break;
    default: return;
    }
    u->uses++;
    LARGE_INTEGER sz;
    if (!GetFileSizeEx(hs, &sz) || (ULONGLONG)sz.QuadPart != u->size)
        script_problem(s, "%s: GetFileSizeEx(hSourceFile) gave %lld (error %lu), expected %llu", cf2_type_name(m->Type),
                       sz.QuadPart, GetLastError(), u->size);
    if (!GetFileSizeEx(hd, &sz))
        script_problem(s, "%s: GetFileSizeEx(hDestinationFile) failed: %lu", cf2_type_name(m->Type), GetLastError());
    BY_HANDLE_FILE_INFORMATION info;
    if (!GetFileInformationByHandle(hs, &info) || !GetFileInformationByHandle(hd, &info))
        script_problem(s, "%s: GetFileInformationByHandle failed: %lu", cf2_type_name(m->Type), GetLastError());
    /* A read at an explicit offset, then the file pointers moved: the copy
     * uses explicit offsets, so neither may change what it writes. */
    static BYTE buf[4096], want[4096];
    ULONGLONG off = ((ULONGLONG)u->uses * 7919 * 4096 + 13) % (u->size - sizeof buf);
    OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.Offset = (DWORD)off;
    ov.OffsetHigh = (DWORD)(off >> 32);
    DWORD got = 0;
    if (!ReadFile(hs, buf, sizeof buf, &got, &ov) || got != sizeof buf) {
        script_problem(s, "%s: ReadFile(hSourceFile) at %llu failed: %lu (got %lu)", cf2_type_name(m->Type), off,
                       GetLastError(), got);
    } else {
        cf2_pattern(R_SEED, off, want, sizeof want);
        if (memcmp(buf, want, sizeof buf) != 0)
            script_problem(s, "%s: ReadFile(hSourceFile) at %llu read the wrong bytes", cf2_type_name(m->Type), off);
        u->reads++;
    }
    if (u->restartable && m->Type == COPYFILE2_CALLBACK_CHUNK_FINISHED) {
        /* A restartable copy's destination handle reads too: chunk 0 is there. */
        memset(&ov, 0, sizeof ov);
        if (!ReadFile(hd, buf, sizeof buf, &got, &ov) || got != sizeof buf) {
            script_problem(s, "ReadFile(hDestinationFile) at 0 failed: %lu", GetLastError());
        } else {
            cf2_pattern(R_SEED, 0, want, sizeof want);
            if (memcmp(buf, want, sizeof buf) != 0)
                script_problem(s, "ReadFile(hDestinationFile) at 0 read bytes that are not chunk 0's");
            u->reads++;
        }
    }
    LARGE_INTEGER to;
    to.QuadPart = 12345;
    SetFilePointerEx(hs, to, NULL, FILE_BEGIN);
    to.QuadPart = 999;
    SetFilePointerEx(hd, to, NULL, FILE_BEGIN);
}

/* param: copy flags (0, NO_OFFLOAD, RESTARTABLE). */
void rel_routine_uses_handles(struct cf2_ctx *t)
{
    DWORD flags = (DWORD)CF2_PARAM(t);
    cf2_rel_warm_up(t);
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    cf2_make_file(src, R_SIZE, R_SEED);
    struct cf2_fp src_fp = cf2_fp_take(src);
    struct use_ctx u;
    memset(&u, 0, sizeof u);
    u.size = R_SIZE;
    u.restartable = (flags & COPY_FILE_RESTARTABLE) != 0;
    struct script s;
    script_init(&s);
    s.every = every_use_handles;
    s.arg = &u;
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = params_with(flags, &s, R_CHUNK);
    struct cf2_res r = call_counted(src, dst, &p, "a routine that uses its handles");
    cf2_check(!s.problem[0], "%s", s.problem);
    cf2_expect_ok(r, "a copy whose routine reads and seeks the handles it is given");
    cf2_expect_pattern(dst, R_SIZE, R_SEED);
    cf2_expect_unchanged(src, &src_fp, "the source");
    cf2_check(u.uses >= 2 + 2 * (R_LAST_CHUNK + 1), "the routine saw only %u messages with handles", u.uses);
    cf2_note("the routine used the handles at %u messages (%u reads at explicit offsets); copy byte-identical",
             u.uses, u.reads);
}

/* ================================================================ figures */

extern unsigned cf2_rel_concurrent_copies, cf2_rel_concurrent_faults, cf2_rel_hostile_calls;

void rel_figures(struct cf2_ctx *t)
{
    (void)t;
    cf2_note("reliability figures: %u faults injected, %u exceptions unwound through CopyFile2, "
             "%u handle-leak checks, %u concurrent copies (%u of them hit by an injected fault), "
             "%u hostile-input calls",
             cf2_rel_faults_injected, cf2_rel_exceptions_unwound, cf2_rel_leak_checks, cf2_rel_concurrent_copies,
             cf2_rel_concurrent_faults, cf2_rel_hostile_calls);
    printf("reliability figures: faults injected %u; exceptions unwound %u; handle-leak checks %u; "
           "concurrent copies %u (faulted %u); hostile-input calls %u\n",
           cf2_rel_faults_injected, cf2_rel_exceptions_unwound, cf2_rel_leak_checks, cf2_rel_concurrent_copies,
           cf2_rel_concurrent_faults, cf2_rel_hostile_calls);
}
