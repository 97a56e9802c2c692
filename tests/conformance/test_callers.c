/*
 * test_callers.c - real callers' call patterns (contract section 10),
 * reproduced as those callers make them: the same structure, flags, callback
 * shape and the same reading of the result (most recover the Win32 code as
 * `hr & 0xFFFF`).  Each test asserts what that caller depends on.
 */
#include "harness.h"

#include <string.h>

#define SRC_SEED 0xca11u
#define OLD_SEED 0x01du

/* test_flags.c */
BOOL cf2_flags_make_symlink(const WCHAR *link, const WCHAR *target, BOOL directory, char *why, size_t n);
DWORD cf2_flags_chunk_flags_for(DWORD flags, DWORD flags_v2, ULONGLONG size);

static const WCHAR *source_file(struct cf2_ctx *t, const WCHAR *name, ULONGLONG size)
{
    const WCHAR *p = cf2_path(t, name);
    cf2_make_file(p, size, SRC_SEED);
    FILETIME w = cf2_filetime(2001, 2, 3, 4, 5, 6, 700);
    cf2_set_times(p, NULL, NULL, &w);
    return p;
}

/* How CPython, the MSVC STL and the MSIX PSF read a failure. */
static DWORD win32_code(HRESULT hr)
{
    return (DWORD)hr & 0xFFFF;
}

static void expect_code_(struct cf2_res r, DWORD code, const char *what, const char *file, int line)
{
    if (HRESULT_FACILITY(r.hr) != FACILITY_WIN32 || !FAILED(r.hr) || win32_code(r.hr) != code) {
        cf2_err("ERROR: %s: hr 0x%08lx: facility %u, hr & 0xFFFF = %lu; the caller needs a FACILITY_WIN32 "
                "failure with code %lu\n", what, (unsigned long)r.hr, (unsigned)HRESULT_FACILITY(r.hr),
                win32_code(r.hr), code);
        _fail(file, line);
    }
    cf2_expect_err_(r, code, what, file, line);
}
#define expect_code(r, code, what) expect_code_((r), (code), (what), __FILE__, __LINE__)

static void expect_same_time_(const WCHAR *a, const WCHAR *b, const char *file, int line)
{
    WIN32_FILE_ATTRIBUTE_DATA da = cf2_stat_(a, file, line), db = cf2_stat_(b, file, line);
    if (CompareFileTime(&da.ftLastWriteTime, &db.ftLastWriteTime) != 0) {
        cf2_err("ERROR: last-write times differ: %s has %s, %s has %s\n", cf2_u8(a),
                cf2_ft_str(da.ftLastWriteTime), cf2_u8(b), cf2_ft_str(db.ftLastWriteTime));
        _fail(file, line);
    }
}
#define expect_same_time(a, b) expect_same_time_((a), (b), __FILE__, __LINE__)

/* ---------------------------------------------------------------- CPython */

/* 10: CPython 3.12+ shutil.copy2 -> _winapi.CopyFile2(src, dst, flags): V1,
 * COPY_FILE_ALLOW_DECRYPTED_DESTINATION (| COPY_FILE_COPY_SYMLINK when
 * follow_symlinks=False), no callback.  It falls back to copyfile+copystat
 * when hr & 0xFFFF is ERROR_ACCESS_DENIED (a read-only or hidden
 * destination), so that code must be exact. */
void callers_cpython_copy2(struct cf2_ctx *t)
{
    const ULONGLONG size = 1 * MiB + 4321;
    const WCHAR *src = source_file(t, L"source.txt", size), *dst = cf2_path(t, L"copy.txt");
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_ALLOW_DECRYPTED_DESTINATION);
    cf2_expect_ok(cf2_call(src, dst, &p), "shutil.copy2, new destination");
    cf2_expect_pattern(dst, size, SRC_SEED);
    expect_same_time(src, dst);
    cf2_make_file(dst, 10, OLD_SEED);
    cf2_expect_ok(cf2_call(src, dst, &p), "shutil.copy2 over an existing file");
    cf2_expect_pattern(dst, size, SRC_SEED);
    /* follow_symlinks=False with a source that is not a link */
    p = cf2_v1(COPY_FILE_ALLOW_DECRYPTED_DESTINATION | COPY_FILE_COPY_SYMLINK);
    cf2_expect_ok(cf2_call(src, cf2_path(t, L"copy-nofollow.txt"), &p), "shutil.copy2(follow_symlinks=False)");
    cf2_expect_pattern(cf2_path(t, L"copy-nofollow.txt"), size, SRC_SEED);
    /* the fallback triggers */
    const DWORD protect[] = { FILE_ATTRIBUTE_READONLY, FILE_ATTRIBUTE_HIDDEN };
    for (int i = 0; i < 2; i++) {
        if (protect[i] == FILE_ATTRIBUTE_HIDDEN && !cf2_caps.hidden_stored) {
            cf2_note("HIDDEN is not stored here: the hidden-destination trigger is not checked");
            continue;
        }
        const WCHAR *prot = cf2_path(t, i ? L"hidden.txt" : L"readonly.txt");
        cf2_make_file(prot, 77, OLD_SEED);
        cf2_set_attrs(prot, protect[i]);
        struct cf2_fp before = cf2_fp_take(prot);
        p = cf2_v1(COPY_FILE_ALLOW_DECRYPTED_DESTINATION);
        expect_code(cf2_call(src, prot, &p), ERROR_ACCESS_DENIED,
                    i ? "shutil.copy2 over a hidden file (fallback trigger)"
                      : "shutil.copy2 over a read-only file (fallback trigger)");
        cf2_expect_unchanged(prot, &before, "the protected destination");
    }
}

/* 10: CPython with follow_symlinks=False and a link source: the link is
 * copied as a link (where links exist). */
void callers_cpython_copy2_symlink(struct cf2_ctx *t)
{
    char why[512];
    const WCHAR *target = source_file(t, L"target.txt", 5000), *link = cf2_path(t, L"link.txt");
    if (!cf2_flags_make_symlink(link, target, FALSE, why, sizeof why))
        cf2_skip("%s", why);
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_ALLOW_DECRYPTED_DESTINATION | COPY_FILE_COPY_SYMLINK);
    struct cf2_res r = cf2_call(link, cf2_path(t, L"copy.txt"), &p);
    if (r.hr == HRESULT_FROM_WIN32(ERROR_PRIVILEGE_NOT_HELD))
        cf2_skip("copying a link needs a privilege this account lacks (CPython falls back here)");
    cf2_expect_ok(r, "shutil.copy2(follow_symlinks=False) of a link");
    DWORD a = GetFileAttributesW(cf2_path(t, L"copy.txt"));
    cf2_check(a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_REPARSE_POINT), "the copy is not a link (0x%lx)", a);
    cf2_expect_pattern(cf2_path(t, L"copy.txt"), 5000, SRC_SEED);
}

/* ---------------------------------------------------------------- MSVC STL */

/* 10: std::filesystem::copy_file (__std_fs_copy_file): V1, FAIL_IF_EXISTS or
 * 0, no callback.  skip_existing and update_existing first copy with
 * FAIL_IF_EXISTS and take their own path only when hr & 0xFFFF is exactly
 * ERROR_FILE_EXISTS (80, never 183); update_existing then overwrites with
 * flags 0 when the source is newer. */
void callers_msvc_stl_copy_file(struct cf2_ctx *t)
{
    const ULONGLONG size = 3 * MiB + 1;
    const WCHAR *src = source_file(t, L"from.bin", size), *to = cf2_path(t, L"to.bin");
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_FAIL_IF_EXISTS);
    cf2_expect_ok(cf2_call(src, to, &p), "copy_options::skip_existing, no destination");
    cf2_expect_pattern(to, size, SRC_SEED);
    /* an older destination */
    cf2_make_file(to, 4096, OLD_SEED);
    FILETIME older = cf2_filetime(1999, 1, 1, 0, 0, 0, 0);
    cf2_set_times(to, NULL, NULL, &older);
    struct cf2_fp before = cf2_fp_take(to);
    /* skip_existing: the FAIL_IF_EXISTS copy, then "exists: skip" */
    struct cf2_res r = cf2_call(src, to, &p);
    expect_code(r, ERROR_FILE_EXISTS, "skip_existing over an existing file");
    cf2_check(win32_code(r.hr) != ERROR_ALREADY_EXISTS, "183 would break skip_existing");
    cf2_expect_unchanged(to, &before, "the skipped destination");
    /* update_existing: the same first copy, then the newer source overwrites */
    r = cf2_call(src, to, &p);
    expect_code(r, ERROR_FILE_EXISTS, "update_existing: the first (FAIL_IF_EXISTS) copy");
    WIN32_FILE_ATTRIBUTE_DATA s = cf2_stat(src), d = cf2_stat(to);
    cf2_check(CompareFileTime(&s.ftLastWriteTime, &d.ftLastWriteTime) > 0, "the test's source is not newer");
    p = cf2_v1(0);
    cf2_expect_ok(cf2_call(src, to, &p), "update_existing: the overwrite with flags 0");
    cf2_expect_pattern(to, size, SRC_SEED);
    expect_same_time(src, to);
    /* now equal times: update_existing would stop after the FAIL_IF_EXISTS copy */
    p = cf2_v1(COPY_FILE_FAIL_IF_EXISTS);
    expect_code(cf2_call(src, to, &p), ERROR_FILE_EXISTS, "update_existing over an up-to-date copy");
}

/* ---------------------------------------------------------------- a file manager (AsterFiles) */

struct aster {
    ULONGLONG last_total;     /* ChunkFinished.uliTotalBytesTransferred, as shown */
    BOOL decreasing;
    BOOL paused, cancelled;   /* the user's buttons */
    ULONGLONG pause_at, cancel_at; /* bytes after which the "user" presses them */
    BOOL *pf_cancel;          /* pfCancel, set by "the user" when cancel_with_flag */
    BOOL cancel_with_flag;
    unsigned after_answer;    /* messages after PAUSE/CANCEL was answered or pfCancel set */
    COPYFILE2_MESSAGE_TYPE after_types[8];
    unsigned chunks_after;    /* CHUNK_* messages among them: progress after the decision */
    BOOL answered;
    unsigned unknown;
};

static COPYFILE2_MESSAGE_ACTION CALLBACK aster_progress(const COPYFILE2_MESSAGE *m, PVOID ctx)
{
    struct aster *a = ctx;
    if (a->answered) {
        if (a->after_answer < 8)
            a->after_types[a->after_answer] = m->Type;
        a->after_answer++;
        if (m->Type == COPYFILE2_CALLBACK_CHUNK_STARTED || m->Type == COPYFILE2_CALLBACK_CHUNK_FINISHED)
            a->chunks_after++;
    }
    if (m->Type == COPYFILE2_CALLBACK_CHUNK_FINISHED) {
        ULONGLONG total = m->Info.ChunkFinished.uliTotalBytesTransferred.QuadPart;
        if (total < a->last_total)
            a->decreasing = TRUE;
        a->last_total = total;
        if (a->pause_at && total >= a->pause_at)
            a->paused = TRUE;
        if (a->cancel_at && total >= a->cancel_at && !a->answered) {
            if (a->cancel_with_flag) {
                *a->pf_cancel = TRUE;
                a->answered = TRUE; /* from here on the copy must not go on */
                return COPYFILE2_PROGRESS_CONTINUE;
            }
            a->cancelled = TRUE;
        }
    } else if (m->Type > COPYFILE2_CALLBACK_POLL_CONTINUE) {
        a->unknown++;
    }
    if (a->cancelled) {
        a->answered = TRUE;
        return COPYFILE2_PROGRESS_CANCEL;
    }
    if (a->paused) {
        a->answered = TRUE;
        return COPYFILE2_PROGRESS_PAUSE;
    }
    return COPYFILE2_PROGRESS_CONTINUE;
}

static COPYFILE2_EXTENDED_PARAMETERS aster_params(DWORD flags, struct aster *a, BOOL *cancel)
{
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(flags);
    p.pfCancel = cancel;
    p.pProgressRoutine = aster_progress;
    p.pvCallbackContext = a;
    return p;
}

/* 10: AsterFiles: FAIL_IF_EXISTS | ENABLE_SPARSE_COPY with pfCancel and a
 * routine reading ChunkFinished.uliTotalBytesTransferred; PAUSE mid-copy gives
 * ERROR_REQUEST_PAUSED with no message after the pause but the one
 * STREAM_FINISHED; FAIL_IF_EXISTS | RESUME_FROM_PAUSE finishes it; the copy
 * keeps the last-write time and the hidden and read-only bits. */
void callers_file_manager_pause_resume(struct cf2_ctx *t)
{
    const ULONGLONG size = 5 * MiB + 12345;
    const WCHAR *src = source_file(t, L"video.bin", size), *dst = cf2_path(t, L"video-copy.bin");
    DWORD attrs = FILE_ATTRIBUTE_READONLY | (cf2_caps.hidden_stored ? FILE_ATTRIBUTE_HIDDEN : 0);
    cf2_set_attrs(src, attrs);
    BOOL cancel = FALSE;
    struct aster a;
    memset(&a, 0, sizeof a);
    a.pause_at = 2 * MiB;
    COPYFILE2_EXTENDED_PARAMETERS p = aster_params(COPY_FILE_FAIL_IF_EXISTS | COPY_FILE_ENABLE_SPARSE_COPY, &a, &cancel);
    cf2_expect_err(cf2_call(src, dst, &p), ERROR_REQUEST_PAUSED, "the paused copy");
    cf2_check(a.answered, "the routine never answered PAUSE");
    cf2_check(a.chunks_after == 0, "progress went on after PAUSE: %u chunk messages", a.chunks_after);
    if (!cf2_doc_only) { /* exactly one STREAM_FINISHED; 1 MiB chunks: OURS */
        cf2_check(a.after_answer == 1 && a.after_types[0] == COPYFILE2_CALLBACK_STREAM_FINISHED,
                  "after PAUSE the routine got %u message(s) (first type %d), expected one STREAM_FINISHED",
                  a.after_answer, a.after_answer ? (int)a.after_types[0] : -1);
        cf2_check(a.last_total == 2 * MiB, "progress shown at the pause: %llu", a.last_total);
    }
    cf2_check(cf2_exists(dst), "the paused destination is gone");
    /* the user presses "resume" */
    ULONGLONG shown_before = a.last_total;
    memset(&a, 0, sizeof a);
    p = aster_params(COPY_FILE_FAIL_IF_EXISTS | COPY_FILE_RESUME_FROM_PAUSE, &a, &cancel);
    cf2_expect_ok(cf2_call(src, dst, &p), "FAIL_IF_EXISTS | RESUME_FROM_PAUSE");
    cf2_check(!a.decreasing && a.last_total == size, "progress of the resumed copy: ends at %llu of %llu%s",
              a.last_total, size, a.decreasing ? ", and went backwards" : "");
    cf2_check(a.unknown == 0, "%u messages of a type the routine does not know", a.unknown);
    cf2_note("progress shown: %llu at the pause, %llu at the end", shown_before, a.last_total);
    cf2_expect_pattern(dst, size, SRC_SEED);
    expect_same_time(src, dst);
    DWORD got = GetFileAttributesW(dst) & (FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN);
    cf2_check(got == attrs, "the copy has attributes 0x%lx of READONLY|HIDDEN, the source 0x%lx", got, attrs);
    cf2_check(cancel == FALSE, "pfCancel was changed");
}

/* 10: AsterFiles' cancel (the routine answers CANCEL; or pfCancel is set):
 * ERROR_REQUEST_ABORTED and no destination left. */
void callers_file_manager_cancel(struct cf2_ctx *t)
{
    const ULONGLONG size = 4 * MiB + 1;
    const WCHAR *src = source_file(t, L"big.bin", size);
    for (int with_flag = 0; with_flag < 2; with_flag++) {
        const WCHAR *dst = cf2_path(t, with_flag ? L"copy2.bin" : L"copy1.bin");
        BOOL cancel = FALSE;
        struct aster a;
        memset(&a, 0, sizeof a);
        a.cancel_at = 1 * MiB;
        a.cancel_with_flag = with_flag;
        a.pf_cancel = &cancel;
        COPYFILE2_EXTENDED_PARAMETERS p =
            aster_params(COPY_FILE_FAIL_IF_EXISTS | COPY_FILE_ENABLE_SPARSE_COPY, &a, &cancel);
        cf2_expect_err(cf2_call(src, dst, &p), ERROR_REQUEST_ABORTED,
                       with_flag ? "cancel through pfCancel" : "cancel through the routine's CANCEL");
        cf2_expect_absent(dst);
        cf2_check(a.answered, "the cancel was never pressed");
        cf2_check(a.chunks_after == 0, "progress went on after the cancel: %u chunk messages", a.chunks_after);
    }
    cf2_check(cf2_count_entries(t->dir) == 1, "the cancelled copies left files in %s", cf2_u8(t->dir));
}

/* ---------------------------------------------------------------- copy-offload sample */

struct offload {
    unsigned percent_last;
    unsigned finished;
    unsigned reached_100_at; /* CHUNK_FINISHED number (1-based) where 100 was first shown */
    BOOL backwards;
    unsigned offloaded;      /* CHUNK_FINISHED with dwFlags & COPY_OFFLOAD */
    DWORD other_flags;       /* any other dwFlags bit seen */
};

static COPYFILE2_MESSAGE_ACTION CALLBACK offload_progress(const COPYFILE2_MESSAGE *m, PVOID ctx)
{
    struct offload *o = ctx;
    if (m->Type == COPYFILE2_CALLBACK_CHUNK_FINISHED) {
        ULONGLONG done = m->Info.ChunkFinished.uliTotalBytesTransferred.QuadPart;
        ULONGLONG total = m->Info.ChunkFinished.uliTotalFileSize.QuadPart;
        unsigned percent = total ? (unsigned)(done * 100 / total) : 0;
        o->finished++;
        if (percent < o->percent_last)
            o->backwards = TRUE;
        if (percent == 100 && !o->reached_100_at)
            o->reached_100_at = o->finished;
        o->percent_last = percent;
        if (m->Info.ChunkFinished.dwFlags & COPYFILE2_MESSAGE_COPY_OFFLOAD)
            o->offloaded++;
        o->other_flags |= m->Info.ChunkFinished.dwFlags & ~(DWORD)COPYFILE2_MESSAGE_COPY_OFFLOAD;
    }
    return COPYFILE2_PROGRESS_CONTINUE;
}

/* 10: the Microsoft copy-offload sample: percent = uliTotalBytesTransferred *
 * 100 / uliTotalFileSize at each CHUNK_FINISHED reaches exactly 100 at the
 * last one (never before, never backwards).  It shows dwFlags &
 * COPYFILE2_MESSAGE_COPY_OFFLOAD: set on every chunk the in-kernel path copied
 * (flags.md, NO_OFFLOAD: Wine on Linux x86-64, files of 1 MiB and more), on
 * none otherwise; no other bit. */
void callers_offload_sample_progress(struct cf2_ctx *t)
{
    const ULONGLONG sizes[] = { 1, 1 * MiB, 10 * MiB + 7 };
    for (int i = 0; i < 3; i++) {
        WCHAR name[32];
        swprintf(name, 32, L"copy%d.bin", i);
        const WCHAR *src = source_file(t, L"source.bin", sizes[i]);
        struct offload o;
        memset(&o, 0, sizeof o);
        COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(0);
        p.pProgressRoutine = offload_progress;
        p.pvCallbackContext = &o;
        cf2_expect_ok(cf2_call(src, cf2_path(t, name), &p), "copy-offload sample");
        cf2_expect_pattern(cf2_path(t, name), sizes[i], SRC_SEED);
        cf2_check(o.finished > 0, "%llu bytes: no CHUNK_FINISHED", sizes[i]);
        cf2_check(o.percent_last == 100 && o.reached_100_at == o.finished,
                  "%llu bytes: percent %u at the last of %u CHUNK_FINISHED (100 first shown at %u)", sizes[i],
                  o.percent_last, o.finished, o.reached_100_at);
        cf2_check(!o.backwards, "%llu bytes: the percentage went backwards", sizes[i]);
        unsigned want = cf2_flags_chunk_flags_for(0, 0, sizes[i]) ? o.finished : 0;
        cf2_check(cf2_doc_only || o.offloaded == want, "%llu bytes: %u of %u CHUNK_FINISHED have COPYFILE2_MESSAGE_COPY_OFFLOAD, "
                  "expected %u", sizes[i], o.offloaded, o.finished, want);
        cf2_check(o.other_flags == 0, "%llu bytes: dwFlags bits 0x%lx", sizes[i], o.other_flags);
    }
}

/* ---------------------------------------------------------------- MSIX PSF tests */

/* 10: the MSIX Package Support Framework's tests: pfCancel -> FALSE, no
 * routine; a FACILITY_WIN32 result is mapped with SetLastError(hr & 0xFFFF). */
void callers_msix_psf_cancel_false(struct cf2_ctx *t)
{
    const ULONGLONG size = 2 * MiB + 5;
    const WCHAR *src = source_file(t, L"Config.json", size), *dst = cf2_path(t, L"Config.copy.json");
    BOOL cancel = FALSE;
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(0);
    p.pfCancel = &cancel;
    cf2_expect_ok(cf2_call(src, dst, &p), "pfCancel -> FALSE");
    cf2_expect_pattern(dst, size, SRC_SEED);
    cf2_check(cancel == FALSE, "pfCancel's BOOL was changed");
    /* their error path */
    const struct { const WCHAR *src; DWORD flags; DWORD code; const char *what; } fails[] = {
        { L"missing.json", 0, ERROR_FILE_NOT_FOUND, "missing source" },
        { L"Config.json", COPY_FILE_FAIL_IF_EXISTS, ERROR_FILE_EXISTS, "FAIL_IF_EXISTS over an existing file" },
    };
    for (int i = 0; i < 2; i++) {
        p = cf2_v1(fails[i].flags);
        p.pfCancel = &cancel;
        struct cf2_res r = cf2_call(cf2_path(t, fails[i].src), dst, &p);
        expect_code(r, fails[i].code, fails[i].what);
        SetLastError(win32_code(r.hr));
        cf2_check(GetLastError() == fails[i].code, "SetLastError(hr & 0xFFFF) gives %lu", GetLastError());
    }
    cf2_expect_pattern(dst, size, SRC_SEED);
}

/* ---------------------------------------------------------------- Rust's CopyFileEx pattern */

static DWORD CALLBACK rust_progress(LARGE_INTEGER total, LARGE_INTEGER total_done, LARGE_INTEGER stream,
                                   LARGE_INTEGER stream_done, DWORD stream_number, DWORD reason, HANDLE s,
                                   HANDLE d, LPVOID data)
{
    if (stream_number == 1)
        *(LONGLONG *)data = stream_done.QuadPart;
    return PROGRESS_CONTINUE;
}

/* 7.2, 10: Rust std's fs::copy callback (CopyFileEx-style), through V2's
 * pProgressRoutineOld: it records StreamBytesTransferred when dwStreamNumber
 * is 1, and that is the file's size at the end. */
void callers_rust_old_routine(struct cf2_ctx *t)
{
    const ULONGLONG sizes[] = { 0, 5000, 3 * MiB + 5 };
    for (int i = 0; i < 3; i++) {
        WCHAR name[32];
        swprintf(name, 32, L"copy%d.bin", i);
        const WCHAR *src = source_file(t, L"source.bin", sizes[i]);
        LONGLONG copied = -1;
        COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(0);
        p.pProgressRoutineOld = rust_progress;
        p.pvCallbackContext = &copied;
        cf2_expect_ok(cf2_call(src, cf2_path(t, name), &p), "fs::copy-style routine");
        cf2_expect_pattern(cf2_path(t, name), sizes[i], SRC_SEED);
        cf2_check(copied == (LONGLONG)sizes[i], "%llu bytes: the routine's byte count is %lld", sizes[i], copied);
    }
}

/* ---------------------------------------------------------------- long-path test harness */

struct harness_cb {
    COPYFILE2_MESSAGE_ACTION action; /* answer to CHUNK_FINISHED (CONTINUE, PAUSE) or to all (QUIET) */
    BOOL all;
    unsigned calls, bad;
};

static COPYFILE2_MESSAGE_ACTION CALLBACK harness_progress(const COPYFILE2_MESSAGE *m, PVOID ctx)
{
    struct harness_cb *h = ctx;
    h->calls++;
    switch (m->Type) {
    case COPYFILE2_CALLBACK_ERROR:
        h->bad++;
        return COPYFILE2_PROGRESS_CANCEL;
    case COPYFILE2_CALLBACK_CHUNK_STARTED:
    case COPYFILE2_CALLBACK_STREAM_STARTED:
    case COPYFILE2_CALLBACK_STREAM_FINISHED:
    case COPYFILE2_CALLBACK_POLL_CONTINUE:
        return h->all ? h->action : COPYFILE2_PROGRESS_CONTINUE;
    case COPYFILE2_CALLBACK_CHUNK_FINISHED:
        return h->action;
    default:
        h->bad++; /* a type it does not know: it fails the test */
        return COPYFILE2_PROGRESS_CANCEL;
    }
}

/* 10: the long-path test harness: \\?\ paths longer than MAX_PATH;
 * FAIL_IF_EXISTS with pfCancel and a routine that cancels on ERROR or an
 * unknown type; then RESTARTABLE answered with PAUSE gives
 * ERROR_REQUEST_PAUSED, and RESUME_FROM_PAUSE answered with QUIET finishes
 * it (one message, then silence). */
void callers_long_path_harness(struct cf2_ctx *t)
{
    WCHAR part[130];
    for (int i = 0; i < 120; i++)
        part[i] = L'a' + i % 26;
    part[120] = 0;
    const WCHAR *dir1 = cf2_lpath(t, part);
    cf2_mkdir(dir1);
    const WCHAR *dir2 = cf2_cat(t, cf2_cat(t, dir1, L"\\"), part);
    cf2_mkdir(dir2);
    const WCHAR *src = cf2_cat(t, dir2, L"\\source-file-with-a-long-name.bin");
    const WCHAR *dst = cf2_cat(t, dir2, L"\\destination-file-with-a-long-name.bin");
    cf2_check(wcslen(dst) > MAX_PATH, "the destination path has only %u characters", (unsigned)wcslen(dst));
    const ULONGLONG size = 3 * MiB + 333;
    cf2_make_file(src, size, SRC_SEED);
    BOOL cancel = FALSE;
    struct harness_cb h = { COPYFILE2_PROGRESS_CONTINUE, FALSE, 0, 0 };
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_FAIL_IF_EXISTS);
    p.pfCancel = &cancel;
    p.pProgressRoutine = harness_progress;
    p.pvCallbackContext = &h;
    cf2_expect_ok(cf2_call(src, dst, &p), "FAIL_IF_EXISTS, long paths");
    cf2_expect_pattern(dst, size, SRC_SEED);
    cf2_check(h.bad == 0, "%u ERROR or unknown messages", h.bad);
    DeleteFileW(dst);
    /* restartable, paused */
    h.action = COPYFILE2_PROGRESS_PAUSE;
    h.calls = 0;
    p.dwCopyFlags = COPY_FILE_RESTARTABLE;
    cf2_expect_err(cf2_call(src, dst, &p), ERROR_REQUEST_PAUSED, "RESTARTABLE answered with PAUSE, long paths");
    cf2_check(h.bad == 0, "%u ERROR or unknown messages", h.bad);
    /* resumed quietly */
    h.action = COPYFILE2_PROGRESS_QUIET;
    h.all = TRUE;
    h.calls = 0;
    p.dwCopyFlags = COPY_FILE_RESUME_FROM_PAUSE;
    cf2_expect_ok(cf2_call(src, dst, &p), "RESUME_FROM_PAUSE answered with QUIET, long paths");
    cf2_check(h.calls == 1, "after QUIET the routine was called %u times in all, expected 1", h.calls);
    cf2_expect_pattern(dst, size, SRC_SEED);
    cf2_check(h.bad == 0, "%u ERROR or unknown messages", h.bad);
}
