/*
 * test_hostile.c - the "reliability" area (issue 8), hostile and unusual
 * input: odd paths (blank, trailing dots and spaces, very long, device
 * names, stream syntax, other spellings of the same file) and odd parameter
 * blocks (every dwSize, every flag bit, unaligned, read-only, guard pages).
 *
 * Relative names are resolved against the test's folder (each test sets it
 * as the current directory; teardown restores it).  Every call is counted
 * for the figures (cf2_rel_hostile_calls).  Results that depend on how the
 * platform resolves paths rather than on the DLL are marked OBS in the
 * registry and asserted as Wine 8.0 gives them; docs/reliability.md lists
 * them.
 */
#include "harness.h"

#include <string.h>

#define H_SEED 0x4057113eu
#define H_SIZE (70 * KiB + 11)

unsigned cf2_rel_hostile_calls;

void cf2_rel_warm_up(struct cf2_ctx *t); /* test_reliability.c */
extern unsigned cf2_rel_leak_checks;      /* test_reliability.c */

/* cf2_call, counted for the figures, with the process's handle count
 * checked around it (no call may leak a handle). */
static struct cf2_res hcall_(const WCHAR *src, const WCHAR *dst, void *params, const char *file, int line)
{
    cf2_rel_hostile_calls++;
    DWORD before = cf2_handle_count();
    struct cf2_res r = cf2_call(src, dst, params);
    DWORD after = cf2_handle_count();
    cf2_rel_leak_checks++;
    if (after != before) {
        cf2_err("ERROR: CopyFile2(%s, %s): the process had %lu handles before the call and %lu after it\n",
                cf2_u8(src), cf2_u8(dst), before, after);
        _fail(file, line);
    }
    return r;
}
#define hcall(s, d, p) hcall_((s), (d), (p), __FILE__, __LINE__)

/* The test's folder as the current directory, and a source in it. */
static const WCHAR *enter(struct cf2_ctx *t, struct cf2_fp *src_fp)
{
    cf2_rel_warm_up(t);
    cf2_check(SetCurrentDirectoryW(t->dir), "SetCurrentDirectoryW(%s): %lu", cf2_u8(t->dir), GetLastError());
    const WCHAR *src = cf2_path(t, L"source.bin");
    cf2_make_file(src, H_SIZE, H_SEED);
    FILETIME w = cf2_filetime(2001, 2, 3, 4, 5, 6, 700);
    cf2_set_times(src, NULL, NULL, &w);
    *src_fp = cf2_fp_take(src);
    return src;
}

/* A failure with `code` that created nothing: the folder holds `entries`. */
static void expect_refused(struct cf2_ctx *t, struct cf2_res r, DWORD code, int entries, const char *what)
{
    cf2_expect_err(r, code, what);
    cf2_check(cf2_count_entries(t->dir) == entries, "%s: the folder has %d entries, expected %d (something "
              "was created)", what, cf2_count_entries(t->dir), entries);
}

/* ================================================================ blank and odd names */

void rel_hostile_null_empty_blank(struct cf2_ctx *t)
{
    struct cf2_fp src_fp;
    const WCHAR *src = enter(t, &src_fp);
    struct {
        const WCHAR *src, *dst;
        DWORD code;
        const char *what;
    } cases[] = {
        {NULL, L"dest.bin", ERROR_INVALID_PARAMETER, "NULL source"},
        {src, NULL, ERROR_INVALID_PARAMETER, "NULL destination"},
        {NULL, NULL, ERROR_INVALID_PARAMETER, "both NULL"},
        {L"", L"dest.bin", ERROR_PATH_NOT_FOUND, "empty source"},
        {src, L"", ERROR_PATH_NOT_FOUND, "empty destination"},
        {L"", L"", ERROR_PATH_NOT_FOUND, "both empty"},
        /* Only spaces: the Win32 path rules strip trailing spaces, leaving
         * the folder itself with a trailing separator (Wine 8.0: 3). */
        {L"   ", L"dest.bin", ERROR_PATH_NOT_FOUND, "source of three spaces"},
        {src, L"   ", ERROR_PATH_NOT_FOUND, "destination of three spaces"},
        {L" ", L" ", ERROR_PATH_NOT_FOUND, "both one space"},
        /* A trailing separator names a folder: not a valid file name. */
        {src, L"missing\\", ERROR_INVALID_NAME, "destination with a trailing backslash"},
        {L"source.bin\\", L"dest.bin", ERROR_INVALID_NAME, "source with a trailing backslash"},
        /* The folder itself, as source and as destination. */
        {L".", L"dest.bin", ERROR_ACCESS_DENIED, "source \".\" (a folder)"},
        {src, L".", ERROR_ACCESS_DENIED, "destination \".\" (the folder)"},
        {src, t->dir, ERROR_ACCESS_DENIED, "destination is the test's folder"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_refused(t, hcall(cases[i].src, cases[i].dst, NULL), cases[i].code, 1, cases[i].what);
    cf2_expect_unchanged(src, &src_fp, "the source");
}

void rel_hostile_trailing_dots_spaces(struct cf2_ctx *t)
{
    struct cf2_fp src_fp;
    const WCHAR *src = enter(t, &src_fp);
    /* Win32 names drop trailing dots and spaces: these name source.bin. */
    cf2_expect_ok(hcall(L"source.bin...", L"d1.bin", NULL), "source \"source.bin...\"");
    cf2_expect_pattern(cf2_path(t, L"d1.bin"), H_SIZE, H_SEED);
    cf2_expect_ok(hcall(L"source.bin . .", L"d2.bin", NULL), "source \"source.bin . .\"");
    cf2_expect_pattern(cf2_path(t, L"d2.bin"), H_SIZE, H_SEED);
    /* ... and a destination "d3.bin. . " is created as d3.bin. */
    cf2_expect_ok(hcall(src, L"d3.bin. . ", NULL), "destination \"d3.bin. . \"");
    cf2_expect_pattern(cf2_path(t, L"d3.bin"), H_SIZE, H_SEED);
    cf2_check(cf2_count_entries(t->dir) == 4, "a name with its trailing dots or spaces was created");
    /* With \\?\ nothing is stripped: the name keeps its dot (reachable only
     * through \\?\), and it is a different file from d4.bin. */
    const WCHAR *dotted = cf2_lpath(t, L"d4.bin.");
    cf2_expect_ok(hcall(src, dotted, NULL), "\\\\?\\ destination ending with a dot");
    cf2_expect_pattern(dotted, H_SIZE, H_SEED);
    cf2_expect_absent(cf2_path(t, L"d4.bin"));
    const WCHAR *spaced = cf2_lpath(t, L"d5.bin ");
    cf2_expect_ok(hcall(src, spaced, NULL), "\\\\?\\ destination ending with a space");
    cf2_expect_pattern(spaced, H_SIZE, H_SEED);
    cf2_expect_absent(cf2_path(t, L"d5.bin"));
    /* Copying the dotted name back onto the plain one is not the same file. */
    cf2_expect_ok(hcall(dotted, L"d4.bin", NULL), "\\\\?\\ source ending with a dot");
    cf2_expect_pattern(cf2_path(t, L"d4.bin"), H_SIZE, H_SEED);
    cf2_expect_unchanged(src, &src_fp, "the source");
}

/* ================================================================ long paths */

/* Appends "\<name>" to a \\?\ path (a growing buffer of `cap` characters). */
static void append(WCHAR *p, size_t cap, const WCHAR *name)
{
    size_t l = wcslen(p);
    cf2_check(l + 1 + wcslen(name) < cap, "path buffer too small");
    p[l] = L'\\';
    wcscpy(p + l + 1, name);
}

void rel_hostile_long_paths(struct cf2_ctx *t)
{
    struct cf2_fp src_fp;
    const WCHAR *src = enter(t, &src_fp);
    enum { CAP = 70000 };
    static WCHAR p[CAP], q[CAP];
    WCHAR comp[201];
    for (int i = 0; i < 200; i++)
        comp[i] = L'a' + i % 26;
    comp[200] = 0;

    /* As deep as the platform lets us create folders of 200-character
     * names (Wine: the host's PATH_MAX of 4096 bytes for the whole Unix
     * path; Windows: 32,767 characters). */
    wcscpy(p, cf2_lpath(t, L""));
    int levels = 0;
    for (;;) {
        size_t l = wcslen(p);
        if (l + 210 > 32000)
            break;
        append(p, CAP, comp);
        if (!CreateDirectoryW(p, NULL)) {
            p[l] = 0;
            break;
        }
        levels++;
    }
    cf2_check(levels >= 2, "cannot create two levels of 200-character folder names");
    wcscpy(q, p);
    append(q, CAP, L"deep-copy.bin");
    cf2_expect_ok(hcall(src, q, NULL), "a destination at the deepest folder");
    cf2_expect_pattern(q, H_SIZE, H_SEED);
    cf2_expect_ok(hcall(q, L"back.bin", NULL), "a source at the deepest folder");
    cf2_expect_pattern(cf2_path(t, L"back.bin"), H_SIZE, H_SEED);
    cf2_note("deepest folder: %d levels, a \\\\?\\ path of %zu characters; copies to and from it byte-identical",
             levels, wcslen(q));

    /* About 32,000 characters: valid, but its folders cannot all exist
     * (under Wine; on Windows they simply do not): ERROR_PATH_NOT_FOUND. */
    wcscpy(q, p);
    while (wcslen(q) < 31800)
        append(q, CAP, comp);
    append(q, CAP, L"x.bin");
    expect_refused(t, hcall(src, q, NULL), ERROR_PATH_NOT_FOUND, 3, "a destination of ~32,000 characters");
    expect_refused(t, hcall(q, L"d.bin", NULL), ERROR_PATH_NOT_FOUND, 3, "a source of ~32,000 characters");

    /* Longer than 32,767 characters, the most a path can have (a
     * UNICODE_STRING holds at most 65,534 bytes): ERROR_FILENAME_EXCED_RANGE,
     * and never another file.  The path is built so that cut to its length
     * modulo 32,768 characters it names "wrapped.bin" in the test's folder
     * (what a 16-bit length overflow would open), and "decoy.bin" for the
     * source: neither may be created or read. */
    const WCHAR *targets[2] = {cf2_lpath(t, L"wrapped.bin"), cf2_lpath(t, L"decoy.bin")};
    cf2_make_file(cf2_path(t, L"decoy.bin"), 1234, 77);
    struct cf2_fp decoy_fp = cf2_fp_take(cf2_path(t, L"decoy.bin"));
    struct cf2_res rr[2];
    size_t lens[2];
    BOOL wrote_other[2];
    for (int role = 0; role < 2; role++) {
        wcscpy(q, targets[role]);
        size_t k = wcslen(q), want = k + 32768;
        while (wcslen(q) + 1 + 200 + 1 + 20 < want)
            append(q, CAP, comp);
        size_t l = wcslen(q);
        q[l++] = L'\\';
        while (l < want)
            q[l++] = L'z';
        q[l] = 0;
        lens[role] = wcslen(q);
        rr[role] = role == 0 ? hcall(src, q, NULL) : hcall(q, L"d.bin", NULL);
        wrote_other[role] = role == 0 ? cf2_exists(targets[0]) : cf2_exists(cf2_path(t, L"d.bin"));
        cf2_note("a %s of %zu characters (over 32,767): hr 0x%08lx, last error %lu%s", role == 0 ? "destination"
                 : "source", lens[role], (unsigned long)rr[role].hr, rr[role].err, !wrote_other[role] ? ""
                 : role == 0 ? "; it wrote wrapped.bin (the path cut to its length modulo 32,768)"
                             : "; it copied decoy.bin (the path cut to its length modulo 32,768)");
    }
    for (int role = 0; role < 2; role++) {
        char what[160];
        snprintf(what, sizeof what, "a %s of %zu characters (over 32,767)", role == 0 ? "destination" : "source",
                 lens[role]);
        cf2_check(!wrote_other[role], "%s: CopyFile2 used another file, %s, the path cut to its length modulo "
                  "32,768 characters", what, cf2_u8(targets[role]));
        cf2_expect_err(rr[role], ERROR_FILENAME_EXCED_RANGE, what);
    }
    cf2_expect_unchanged(cf2_path(t, L"decoy.bin"), &decoy_fp, "the decoy");

    /* Without \\?\ and over MAX_PATH: Wine resolves such paths (Windows
     * does only for long-path-aware programs). */
    WCHAR *np = q;
    wcscpy(np, t->dir);
    append(np, CAP, comp);
    append(np, CAP, comp);
    cf2_check(CreateDirectoryW(cf2_cat(t, L"\\\\?\\", np), NULL) || GetLastError() == ERROR_ALREADY_EXISTS,
              "mkdir: %lu", GetLastError());
    append(np, CAP, L"plain-long.bin");
    struct cf2_res r = hcall(src, np, NULL);
    cf2_note("a %zu-character destination without \\\\?\\: hr 0x%08lx, last error %lu", wcslen(np),
             (unsigned long)r.hr, r.err);
    if (r.hr == S_OK) {
        cf2_expect_pattern(cf2_cat(t, L"\\\\?\\", np), H_SIZE, H_SEED);
    } else {
        cf2_check(r.err == ERROR_PATH_NOT_FOUND || r.err == ERROR_FILENAME_EXCED_RANGE,
                  "over MAX_PATH without \\\\?\\: expected S_OK (Wine), ERROR_PATH_NOT_FOUND or "
                  "ERROR_FILENAME_EXCED_RANGE, got %lu", r.err);
        cf2_expect_err(r, r.err, "over MAX_PATH without \\\\?\\");
    }
    cf2_expect_unchanged(src, &src_fp, "the source");
}

/* ================================================================ device names */

struct timed_call {
    const WCHAR *src, *dst;
    struct cf2_res r;
};

static DWORD WINAPI timed_call_thread(void *arg)
{
    struct timed_call *c = arg;
    c->r = cf2_call(c->src, c->dst, NULL);
    return 0;
}

/* The error of the first step of a copy that fails on `name`, taken as the
 * engine takes them (dll/engine.c): a source is opened for reading sharing
 * everything, then queried (GetFileInformationByHandleEx FileBasicInfo and
 * FileStandardInfo); a destination is
 * opened for writing sharing reading and writing (OPEN_ALWAYS), then, if it
 * already existed, queried, else sized to the source's length.  The precise
 * result of the copy is that step's error.  0 when every step works. */
static DWORD first_failing_step(const WCHAR *name, BOOL as_source, const char **step)
{
    HANDLE h = as_source ? CreateFileW(name, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                       NULL, OPEN_EXISTING, FILE_FLAG_SEQUENTIAL_SCAN, NULL)
                         : CreateFileW(name, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_ALWAYS,
                                       FILE_ATTRIBUTE_NORMAL, NULL);
    *step = "open";
    if (h == INVALID_HANDLE_VALUE)
        return GetLastError();
    BOOL existed = !as_source && GetLastError() == ERROR_ALREADY_EXISTS;
    DWORD err = 0;
    if (as_source) {
        *step = "query";
        FILE_BASIC_INFO basic;
        FILE_STANDARD_INFO standard;
        if (!GetFileInformationByHandleEx(h, FileBasicInfo, &basic, sizeof basic) ||
            !GetFileInformationByHandleEx(h, FileStandardInfo, &standard, sizeof standard))
            err = GetLastError();
    } else if (existed) {
        *step = "query";
        BY_HANDLE_FILE_INFORMATION info;
        if (!GetFileInformationByHandle(h, &info))
            err = GetLastError();
    } else {
        *step = "set size";
        FILE_END_OF_FILE_INFO eof;
        eof.EndOfFile.QuadPart = H_SIZE;
        if (!SetFileInformationByHandle(h, FileEndOfFileInfo, &eof, sizeof eof))
            err = GetLastError();
    }
    CloseHandle(h);
    return err;
}

void rel_hostile_devices(struct cf2_ctx *t)
{
    struct cf2_fp src_fp;
    const WCHAR *src = enter(t, &src_fp);
    static const WCHAR *const names[] = {L"NUL", L"nul", L"CON", L"COM1", L"AUX", L"PRN", L"LPT1",
                                         L"CONIN$", L"CONOUT$", L"\\\\.\\NUL", L"NUL.txt", L"COM1.bin"};
    unsigned n = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        for (int as_source = 1; as_source >= 0; as_source--) {
            char what[96];
            snprintf(what, sizeof what, "%s as the %s", cf2_u8(names[i]), as_source ? "source" : "destination");
            /* A console that is really there (a terminal) would wait for
             * the keyboard, or take the copy: not a test to run there. */
            if (!wcsncmp(names[i], L"CON", 3) && GetConsoleWindow() != NULL) {
                cf2_note("%s: not run, this process has a console", what);
                continue;
            }
            const char *step;
            DWORD expected = first_failing_step(names[i], as_source, &step);
            struct timed_call c = {as_source ? names[i] : src, as_source ? L"dest.bin" : names[i], {0, 0}};
            DWORD handles_before = cf2_handle_count();
            HANDLE th = CreateThread(NULL, 0, timed_call_thread, &c, 0, NULL);
            cf2_check(th != NULL, "CreateThread: %lu", GetLastError());
            cf2_rel_hostile_calls++;
            if (WaitForSingleObject(th, 15000) != WAIT_OBJECT_0) {
                /* Leave the thread: failing the test is what matters. */
                cf2_fail("%s: CopyFile2 did not return within 15 s", what);
            }
            CloseHandle(th);
            cf2_check(cf2_handle_count() == handles_before, "%s: the process had %lu handles before the call "
                      "and %lu after it", what, handles_before, cf2_handle_count());
            cf2_note("%s: hr 0x%08lx, last error %lu (first failing step: %s, error %lu)", what,
                     (unsigned long)c.r.hr, c.r.err,
                     expected == 0 ? "none" : step, expected);
            if (expected != 0)
                cf2_expect_err(c.r, expected, what);
            else if (c.r.hr != S_OK)
                cf2_expect_err(c.r, c.r.err, what); /* a failure, precise */
            /* A failed copy from a device leaves nothing; nothing is ever
             * created under the device's name. */
            if (as_source && c.r.hr != S_OK)
                cf2_check(!cf2_exists(cf2_path(t, L"dest.bin")), "%s: a failed copy left dest.bin", what);
            DeleteFileW(cf2_path(t, L"dest.bin"));
            cf2_check(cf2_count_entries(t->dir) == 1, "%s: a file was created in the folder", what);
            n++;
        }
    }
    cf2_expect_unchanged(src, &src_fp, "the source");
    cf2_note("%u device-name copies, none hung", n);
}

/* ================================================================ stream syntax */

void rel_hostile_stream_syntax(struct cf2_ctx *t)
{
    struct cf2_fp src_fp;
    const WCHAR *src = enter(t, &src_fp);
    /* What does "name:stream" open here?  Wine 8.0 has no alternate data
     * streams: CreateFileW makes a host file literally named so, listed
     * next to the others (wine-facts.md).  On Windows it is a stream of
     * "name", listed nowhere. */
    HANDLE h = CreateFileW(L"probe.bin:s", GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    cf2_check(h != INVALID_HANDLE_VALUE, "CreateFileW(probe.bin:s): %lu", GetLastError());
    CloseHandle(h);
    BOOL literal = cf2_count_entries(t->dir) == 2 && !cf2_exists(L"probe.bin");
    DeleteFileW(L"probe.bin:s");
    DeleteFileW(L"probe.bin");
    cf2_note("\"name:stream\" is %s here", literal ? "a separate file with a colon in its name (Wine)"
                                                   : "a stream of \"name\" (alternate data streams)");

    cf2_expect_ok(hcall(src, L"dest.bin:strm", NULL), "a destination \"dest.bin:strm\"");
    cf2_expect_pattern(L"dest.bin:strm", H_SIZE, H_SEED);
    /* The source's own "stream" as the destination: the source survives. */
    cf2_expect_ok(hcall(src, L"source.bin:strm", NULL), "a destination \"source.bin:strm\" (the source's stream)");
    cf2_expect_pattern(L"source.bin:strm", H_SIZE, H_SEED);
    cf2_expect_unchanged(src, &src_fp, "the source, after a copy into its own stream name");
    cf2_expect_ok(hcall(src, L"d2.bin::$DATA", NULL), "a destination \"d2.bin::$DATA\"");
    cf2_expect_err(hcall(L"source.bin:missing", L"d3.bin", NULL), ERROR_FILE_NOT_FOUND,
                   "a source \"source.bin:missing\" (no such stream)");
    cf2_expect_absent(L"d3.bin");
    if (literal) {
        /* The literal files: "dest.bin" itself never appears. */
        cf2_expect_absent(L"dest.bin");
        cf2_expect_present(L"d2.bin::$DATA");
        cf2_expect_absent(L"d2.bin");
        cf2_check(cf2_count_entries(t->dir) == 4, "expected source.bin and three literal names, found %d entries",
                  cf2_count_entries(t->dir));
    } else {
        /* ::$DATA is the unnamed stream: d2.bin itself. */
        cf2_expect_pattern(L"d2.bin", H_SIZE, H_SEED);
        cf2_check(cf2_count_entries(t->dir) == 3, "expected source.bin, dest.bin and d2.bin, found %d entries",
                  cf2_count_entries(t->dir));
    }
    cf2_expect_unchanged(src, &src_fp, "the source");
}

/* ================================================================ relative, slashes, case, surrogates */

void rel_hostile_spellings(struct cf2_ctx *t)
{
    struct cf2_fp src_fp;
    const WCHAR *src = enter(t, &src_fp);
    cf2_mkdir(cf2_path(t, L"sub"));
    const WCHAR *leaf = wcsrchr(t->dir, L'\\') + 1;
    struct {
        const WCHAR *src, *dst, *check;
        const char *what;
    } ok_cases[] = {
        {L"sub\\..\\source.bin", L"d1.bin", L"d1.bin", "source through sub\\.."},
        {L".\\sub\\..\\.\\source.bin", L"sub\\..\\d2.bin", L"d2.bin", "both through . and .."},
        {L"./source.bin", L"./sub/d3.bin", L"sub\\d3.bin", "forward slashes"},
        {L"SOURCE.BIN", L"D4.BIN", L"d4.bin", "upper case"},
        {L"SoUrCe.BiN", L"sub\\D5.bin", L"sub\\d5.bin", "mixed case"},
        {cf2_cat(t, cf2_cat(t, L"..\\", leaf), L"\\source.bin"), L"d6.bin", L"d6.bin", "..\\<folder>\\source.bin"},
        {src, L"\xD83D\xDE00-\xD834\xDD1E-\x0416.bin", L"\xD83D\xDE00-\xD834\xDD1E-\x0416.bin",
         "a destination of non-BMP characters"},
    };
    for (size_t i = 0; i < sizeof ok_cases / sizeof ok_cases[0]; i++) {
        cf2_expect_ok(hcall(ok_cases[i].src, ok_cases[i].dst, NULL), ok_cases[i].what);
        cf2_expect_pattern(ok_cases[i].check, H_SIZE, H_SEED);
    }
    cf2_expect_ok(hcall(L"\xD83D\xDE00-\xD834\xDD1E-\x0416.bin", L"d7.bin", NULL), "a source of non-BMP characters");
    cf2_expect_pattern(L"d7.bin", H_SIZE, H_SEED);
    /* After \\?\ a forward slash is not a separator: an invalid name. */
    int before = cf2_count_entries(t->dir);
    expect_refused(t, hcall(src, cf2_lpath(t, L"sub/d8.bin"), NULL), ERROR_INVALID_NAME, before,
                   "\\\\?\\ destination with a forward slash");
    /* Unpaired surrogates: invalid UTF-16.  Windows stores such names as
     * they are; Wine cannot turn them into a host name.  Either a complete
     * copy under that name, or a precise failure that creates nothing. */
    static const WCHAR lone_high[] = {L'h', 0xD800, L'.', L'b', 0};
    static const WCHAR lone_low[] = {L'l', 0xDC00, 0xD800, 0};
    const WCHAR *lone[] = {lone_high, lone_low};
    for (int i = 0; i < 2; i++) {
        before = cf2_count_entries(t->dir);
        struct cf2_res r = hcall(src, lone[i], NULL);
        cf2_note("a destination with an unpaired %s surrogate: hr 0x%08lx, last error %lu", i ? "low" : "high",
                 (unsigned long)r.hr, r.err);
        if (r.hr == S_OK) {
            cf2_expect_ok(r, "unpaired surrogate");
            cf2_expect_pattern(lone[i], H_SIZE, H_SEED);
        } else {
            cf2_check(r.err == ERROR_FILE_NOT_FOUND || r.err == ERROR_INVALID_NAME || r.err == ERROR_PATH_NOT_FOUND,
                      "an unpaired surrogate: unexpected error %lu", r.err);
            expect_refused(t, r, r.err, before, "an unpaired surrogate in the destination");
            expect_refused(t, hcall(lone[i], L"d9.bin", NULL), r.err, before, "an unpaired surrogate in the source");
        }
    }
    cf2_expect_unchanged(src, &src_fp, "the source");
}

/* ================================================================ the same file, other spellings */

void rel_hostile_same_file_spellings(struct cf2_ctx *t)
{
    struct cf2_fp src_fp;
    enter(t, &src_fp);
    const WCHAR *name = L"a-long-file-name.binary";
    const WCHAR *path = cf2_path(t, name);
    cf2_make_file(path, H_SIZE, H_SEED);
    struct cf2_fp fp = cf2_fp_take(path);
    WCHAR shortname[1024], buf[1100];
    DWORD n = GetShortPathNameW(path, shortname, 1024);
    struct {
        const WCHAR *other;
        const char *what;
    } cases[8];
    int count = 0;
    if (n > 0 && n < 1024 && wcscmp(shortname, path) != 0) {
        cases[count].other = cf2_cat(t, shortname, L"");
        cases[count++].what = "its 8.3 short name";
        cf2_note("8.3 short name: %s", cf2_u8(shortname));
    } else {
        cf2_note("GetShortPathNameW gave no other name (%lu): 8.3 case not run", GetLastError());
    }
    swprintf(buf, 1100, L"\\\\.\\%ls", path);
    cases[count].other = cf2_cat(t, buf, L"");
    cases[count++].what = "a \\\\.\\ spelling";
    cases[count].other = cf2_cat(t, t->dir, L"\\..\\");
    cases[count].other = cf2_cat(t, cf2_cat(t, cases[count].other, wcsrchr(t->dir, L'\\') + 1),
                                 L"\\.\\A-LONG-FILE-NAME.BINARY");
    cases[count++].what = "a ..\\<folder>\\.\\ upper-case spelling";
    swprintf(buf, 1100, L"%ls", path);
    for (WCHAR *c = buf; *c; c++)
        if (*c == L'\\')
            *c = L'/';
    cases[count].other = cf2_cat(t, buf, L"");
    cases[count++].what = "a forward-slash spelling";
    /* Wine's NT path for a Unix name: \\?\unix\... */
    char unix_path[2048];
    typedef char *(CDECL * to_unix_fn)(const WCHAR *);
    to_unix_fn to_unix =
        (to_unix_fn)(void (*)(void))GetProcAddress(GetModuleHandleW(L"kernel32.dll"), "wine_get_unix_file_name");
    if (to_unix) {
        char *u = to_unix(path);
        if (u) {
            snprintf(unix_path, sizeof unix_path, "%s", u);
            HeapFree(GetProcessHeap(), 0, u);
            WCHAR wu[2048];
            MultiByteToWideChar(CP_UTF8, 0, unix_path, -1, wu, 2048);
            swprintf(buf, 1100, L"\\\\?\\unix%ls", wu);
            cases[count].other = cf2_cat(t, buf, L"");
            cases[count++].what = "Wine's \\\\?\\unix\\ spelling";
        }
    }
    CreateHardLinkW(cf2_path(t, L"hard-link.bin"), path, NULL);
    if (cf2_exists(cf2_path(t, L"hard-link.bin"))) {
        cases[count].other = cf2_path(t, L"hard-link.bin");
        cases[count++].what = "a hard link";
    }
    for (int i = 0; i < count; i++) {
        char what[160];
        snprintf(what, sizeof what, "source and destination the same file through %s", cases[i].what);
        cf2_expect_err(hcall(path, cases[i].other, NULL), ERROR_SHARING_VIOLATION, what);
        cf2_expect_unchanged(path, &fp, "the file");
        snprintf(what, sizeof what, "the same file through %s, reversed", cases[i].what);
        cf2_expect_err(hcall(cases[i].other, path, NULL), ERROR_SHARING_VIOLATION, what);
        cf2_expect_unchanged(path, &fp, "the file");
    }
    cf2_note("%d spellings of the same file: ERROR_SHARING_VIOLATION both ways, file intact", count);
}

void rel_hostile_same_file_symlink(struct cf2_ctx *t)
{
    struct cf2_fp src_fp;
    const WCHAR *src = enter(t, &src_fp);
    const WCHAR *link = cf2_path(t, L"link.bin");
    BOOL made = CreateSymbolicLinkW(link, src, 0) || CreateSymbolicLinkW(link, src, 0x2 /* unprivileged */);
    if (!cf2_exists(link))
        cf2_skip("cannot make a symbolic link here (CreateSymbolicLinkW %s, error %lu; Wine 8.0's is a stub "
                 "that creates nothing)", made ? "returned TRUE" : "failed", GetLastError());
    cf2_expect_err(hcall(src, link, NULL), ERROR_SHARING_VIOLATION, "a file and a symbolic link to it");
    cf2_expect_err(hcall(link, src, NULL), ERROR_SHARING_VIOLATION, "a symbolic link and its target");
    cf2_expect_unchanged(src, &src_fp, "the file");
}

/* ================================================================ parameter blocks */

static COPYFILE2_MESSAGE_ACTION CALLBACK counting_routine(const COPYFILE2_MESSAGE *m, PVOID ctx)
{
    (void)m;
    (void)ctx; /* may point to memory that must never be touched */
    static volatile LONG calls;
    InterlockedIncrement(&calls);
    return COPYFILE2_PROGRESS_CONTINUE;
}

void rel_params_every_dwsize(struct cf2_ctx *t)
{
    struct cf2_fp src_fp;
    const WCHAR *src = enter(t, &src_fp);
    const WCHAR *dst = cf2_path(t, L"dest.bin");
    static BYTE block[512];
    DWORD sizes[300];
    int count = 0;
    for (DWORD s = 0; s <= 256; s++)
        sizes[count++] = s;
    sizes[count++] = 0xFFFFFFFF;
    sizes[count++] = 0x80000000;
    sizes[count++] = 0x10000 + (DWORD)sizeof(COPYFILE2_EXTENDED_PARAMETERS);
    sizes[count++] = 0x10000 + (DWORD)sizeof(COPYFILE2_EXTENDED_PARAMETERS_V2);
    unsigned accepted = 0;
    for (int i = 0; i < count; i++) {
        memset(block, 0, sizeof block);
        memcpy(block, &sizes[i], sizeof(DWORD));
        BOOL valid = sizes[i] == sizeof(COPYFILE2_EXTENDED_PARAMETERS) ||
                     sizes[i] == sizeof(COPYFILE2_EXTENDED_PARAMETERS_V2);
        char what[64];
        snprintf(what, sizeof what, "dwSize %lu", sizes[i]);
        struct cf2_res r = hcall(src, dst, block);
        if (valid) {
            cf2_expect_ok(r, what);
            cf2_expect_pattern(dst, H_SIZE, H_SEED);
            cf2_check(DeleteFileW(dst), "cannot delete the copy: %lu", GetLastError());
            accepted++;
        } else {
            cf2_expect_invalidarg(r, what);
            cf2_check(!cf2_exists(dst), "%s: a rejected call created the destination", what);
        }
    }
    cf2_check(accepted == 2, "%u sizes accepted, expected 2", accepted);
    cf2_expect_unchanged(src, &src_fp, "the source");
    cf2_note("%d values of dwSize: only %u and %u accepted", count, (unsigned)sizeof(COPYFILE2_EXTENDED_PARAMETERS),
             (unsigned)sizeof(COPYFILE2_EXTENDED_PARAMETERS_V2));
}

/* docs/flags.md: the dwCopyFlags bits that are accepted. */
static const DWORD documented_flags[] = {
    COPY_FILE_FAIL_IF_EXISTS, COPY_FILE_RESTARTABLE, COPY_FILE_OPEN_SOURCE_FOR_WRITE,
    COPY_FILE_ALLOW_DECRYPTED_DESTINATION, COPY_FILE_DIRECTORY, COPY_FILE_COPY_SYMLINK, COPY_FILE_NO_BUFFERING,
    COPY_FILE_REQUEST_SECURITY_PRIVILEGES, COPY_FILE_RESUME_FROM_PAUSE, COPY_FILE_SKIP_ALTERNATE_STREAMS,
    COPY_FILE_NO_OFFLOAD, COPY_FILE_OPEN_AND_COPY_REPARSE_POINT, COPY_FILE_IGNORE_EDP_BLOCK,
    COPY_FILE_IGNORE_SOURCE_ENCRYPTION, COPY_FILE_DONT_REQUEST_DEST_WRITE_DAC, COPY_FILE_DISABLE_PRE_ALLOCATION,
    COPY_FILE_ENABLE_LOW_FREE_SPACE_MODE, COPY_FILE_REQUEST_COMPRESSED_TRAFFIC, COPY_FILE_ENABLE_SPARSE_COPY,
    COPY_FILE_DISABLE_SPARSE_COPY};
static const DWORD documented_flags_v2[] = {COPY_FILE2_V2_DONT_COPY_JUNCTIONS, COPY_FILE2_V2_DISABLE_BLOCK_CLONING};

void rel_params_every_flag_bit(struct cf2_ctx *t)
{
    struct cf2_fp src_fp;
    const WCHAR *src = enter(t, &src_fp);
    const WCHAR *dst = cf2_path(t, L"dest.bin");
    DWORD all = 0, all_v2 = 0;
    for (size_t i = 0; i < sizeof documented_flags / sizeof documented_flags[0]; i++)
        all |= documented_flags[i];
    for (size_t i = 0; i < sizeof documented_flags_v2 / sizeof documented_flags_v2[0]; i++)
        all_v2 |= documented_flags_v2[i];
    cf2_check(all == (DWORD)COPYFILE2_ALL_COPY_FLAGS, "docs/flags.md lists 0x%08lx, the header's "
              "COPYFILE2_ALL_COPY_FLAGS is 0x%08lx", all, (DWORD)COPYFILE2_ALL_COPY_FLAGS);
    cf2_check(all_v2 == (DWORD)COPYFILE2_ALL_COPY_FLAGS_V2, "docs/flags.md lists V2 flags 0x%lx, the header 0x%lx",
              all_v2, (DWORD)COPYFILE2_ALL_COPY_FLAGS_V2);
    unsigned accepted = 0, rejected = 0;
    for (int field = 0; field < 3; field++) { /* V1 dwCopyFlags, V2 dwCopyFlags, V2 dwCopyFlagsV2 */
        for (int b = 0; b < 32; b++) {
            DWORD bit = 1u << b;
            COPYFILE2_EXTENDED_PARAMETERS v1 = cf2_v1(0);
            COPYFILE2_EXTENDED_PARAMETERS_V2 v2 = cf2_v2(0);
            void *p;
            BOOL valid;
            if (field == 0) {
                v1.dwCopyFlags = bit;
                p = &v1;
                valid = (all & bit) != 0;
            } else if (field == 1) {
                v2.dwCopyFlags = bit;
                p = &v2;
                valid = (all & bit) != 0;
            } else {
                v2.dwCopyFlagsV2 = bit;
                p = &v2;
                valid = (all_v2 & bit) != 0;
            }
            char what[96];
            snprintf(what, sizeof what, "%s bit 0x%08lx", field == 0 ? "V1 dwCopyFlags" : field == 1 ? "V2 dwCopyFlags"
                                                                                                    : "dwCopyFlagsV2",
                     bit);
            struct cf2_res r = hcall(src, dst, p);
            if (valid) {
                cf2_expect_ok(r, what);
                cf2_expect_pattern(dst, H_SIZE, H_SEED);
                SetFileAttributesW(dst, FILE_ATTRIBUTE_NORMAL);
                cf2_check(DeleteFileW(dst), "%s: cannot delete the copy: %lu", what, GetLastError());
                accepted++;
            } else {
                cf2_expect_invalidarg(r, what);
                cf2_check(!cf2_exists(dst), "%s: a rejected call created the destination", what);
                rejected++;
            }
            cf2_expect_unchanged(src, &src_fp, "the source");
        }
    }
    cf2_note("96 single bits: %u accepted (each a byte-identical copy), %u rejected with E_INVALIDARG", accepted,
             rejected);
}

/* The parameter block at odd addresses, with pfCancel at an odd address too. */
void rel_params_unaligned(struct cf2_ctx *t)
{
    struct cf2_fp src_fp;
    const WCHAR *src = enter(t, &src_fp);
    const WCHAR *dst = cf2_path(t, L"dest.bin");
    static BYTE buf[1024], copy[1024];
    static const int offsets[] = {1, 3, 5, 7, 9, 13};
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        for (int v2 = 0; v2 < 2; v2++) {
            memset(buf, 0xA5, sizeof buf);
            BYTE *at = buf + 16 + offsets[i];
            BYTE *cancel_at = buf + 600 + offsets[i]; /* an odd-address BOOL holding FALSE */
            memset(cancel_at, 0, sizeof(BOOL));
            COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(COPY_FILE_NO_OFFLOAD);
            p.ioDesiredSize = 16 * 1024;
            p.pfCancel = (BOOL *)cancel_at;
            p.pProgressRoutine = counting_routine;
            p.pvCallbackContext = (void *)(buf + 3);
            if (!v2) {
                COPYFILE2_EXTENDED_PARAMETERS p1 = cf2_v1(COPY_FILE_NO_OFFLOAD);
                p1.pfCancel = p.pfCancel;
                p1.pProgressRoutine = p.pProgressRoutine;
                p1.pvCallbackContext = p.pvCallbackContext;
                memcpy(at, &p1, sizeof p1);
            } else {
                memcpy(at, &p, sizeof p);
            }
            memcpy(copy, buf, sizeof buf);
            char what[96];
            snprintf(what, sizeof what, "a %s block at an address ending in %d (mod 8: %d)", v2 ? "V2" : "V1",
                     offsets[i], (int)((uintptr_t)at & 7));
            cf2_expect_ok(hcall(src, dst, at), what);
            cf2_expect_pattern(dst, H_SIZE, H_SEED);
            cf2_check(memcmp(buf, copy, sizeof buf) == 0, "%s: the block (or the memory around it) was written", what);
            cf2_check(DeleteFileW(dst), "cannot delete the copy: %lu", GetLastError());
        }
    }
    cf2_expect_unchanged(src, &src_fp, "the source");
}

/* Read-only blocks, blocks that end where an inaccessible page begins,
 * pfCancel on a read-only page, a context pointer to an inaccessible page. */
void rel_params_readonly_and_guard_pages(struct cf2_ctx *t)
{
    struct cf2_fp src_fp;
    const WCHAR *src = enter(t, &src_fp);
    const WCHAR *dst = cf2_path(t, L"dest.bin");
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    DWORD page = si.dwPageSize;
    /* Page 0: the block (read-only), page 1: no access, page 2: pfCancel (read-only). */
    BYTE *mem = VirtualAlloc(NULL, 3 * page, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    cf2_check(mem != NULL, "VirtualAlloc: %lu", GetLastError());
    DWORD old;
    BOOL *cancel = (BOOL *)(mem + 2 * page);
    for (int c = 0; c < 7; c++) {
        cf2_check(VirtualProtect(mem, 3 * page, PAGE_READWRITE, &old), "VirtualProtect: %lu", GetLastError());
        memset(mem, 0, 3 * page);
        const char *what;
        void *block;
        DWORD expect_error = 0;
        COPYFILE2_EXTENDED_PARAMETERS_V2 v2 = cf2_v2(0);
        COPYFILE2_EXTENDED_PARAMETERS v1 = cf2_v1(0);
        v1.pProgressRoutine = v2.pProgressRoutine = counting_routine;
        v1.pfCancel = v2.pfCancel = cancel;
        switch (c) {
        case 0:
            what = "a read-only V1 block";
            memcpy(mem, &v1, sizeof v1);
            block = mem;
            break;
        case 1:
            what = "a read-only V2 block";
            memcpy(mem, &v2, sizeof v2);
            block = mem;
            break;
        case 2:
            what = "a V1 block ending where an inaccessible page begins";
            block = mem + page - sizeof v1;
            memcpy(block, &v1, sizeof v1);
            break;
        case 3:
            what = "a V2 block ending where an inaccessible page begins";
            block = mem + page - sizeof v2;
            memcpy(block, &v2, sizeof v2);
            break;
        case 4:
            what = "pvCallbackContext and SourceOplockKeys pointing to an inaccessible page";
            v2.pvCallbackContext = mem + page;
            v2.SourceOplockKeys = (void *)(mem + page + 64);
            memcpy(mem, &v2, sizeof v2);
            block = mem;
            break;
        case 5:
            what = "pfCancel -> TRUE on a read-only page";
            *cancel = TRUE;
            memcpy(mem, &v2, sizeof v2);
            block = mem;
            expect_error = ERROR_REQUEST_ABORTED;
            break;
        default:
            what = "a V2 block with ioDesiredRate and pfCancel -> FALSE, all read-only";
            v2.ioDesiredRate = 100000;
            v2.ioDesiredSize = 16384;
            memcpy(mem, &v2, sizeof v2);
            block = mem;
            break;
        }
        cf2_check(VirtualProtect(mem, page, PAGE_READONLY, &old) && VirtualProtect(mem + page, page, PAGE_NOACCESS, &old) &&
                      VirtualProtect(mem + 2 * page, page, PAGE_READONLY, &old),
                  "VirtualProtect: %lu", GetLastError());
        struct cf2_res r = hcall(src, dst, block); /* a write or a stray read crashes the suite */
        if (expect_error) {
            cf2_expect_err(r, expect_error, what);
            cf2_expect_absent(dst);
        } else {
            cf2_expect_ok(r, what);
            cf2_expect_pattern(dst, H_SIZE, H_SEED);
            cf2_check(DeleteFileW(dst), "cannot delete the copy: %lu", GetLastError());
        }
    }
    VirtualFree(mem, 0, MEM_RELEASE);
    cf2_expect_unchanged(src, &src_fp, "the source");
}
