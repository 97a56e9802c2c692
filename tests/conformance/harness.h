/*
 * harness.h - the conformance suite's harness: the implementation under test,
 * the registry of tests, per-test work folders and the helpers every test
 * file uses (files with a deterministic pattern, comparisons, fingerprints,
 * one wrapper that calls CopyFile2 and captures its result and last error).
 *
 * Every test is a function `void fn(struct cf2_ctx *t)` listed once in
 * registry.c with the contract clause it checks and whether that clause is
 * documented/observed Windows behaviour (DOC, OBS) or this project's own
 * decision (OURS).  See docs/conformance.md.
 */
#ifndef CF2_HARNESS_H
#define CF2_HARNESS_H

#include "copyfile2.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

/* ---------------------------------------------------------------- registry */

enum cf2_mark {
    CF2_DOC,  /* documented on Microsoft Learn or in the SDK header */
    CF2_OBS,  /* observed on real Windows (Wine's conformance tests, callers) */
    CF2_OURS  /* undocumented: this project's decision (contract section 9) */
};

/* What a test needs from the implementation beyond CopyFile2 itself. */
#define CF2_NEEDS_SEAM 0x1u /* the test build's cf2_test_set_fault export */
#define CF2_SLOW 0x2u       /* takes tens of seconds (writes GiBs): skipped by --quick */

struct cf2_ctx;
typedef void (*cf2_test_fn)(struct cf2_ctx *t);

struct cf2_test {
    const char *area;   /* cmocka group: params, results, sharing, ... */
    const char *name;   /* unique test name */
    cf2_test_fn fn;
    uintptr_t param;    /* passed to fn through t->test->param */
    const char *clause; /* contract clause, e.g. "1.6.13", "9.1" */
    enum cf2_mark mark;
    unsigned needs;     /* CF2_NEEDS_* */
    const char *what;   /* one line: what it asserts */
};

extern const struct cf2_test cf2_tests[];
extern const size_t cf2_test_count;
extern const char *const cf2_areas[]; /* NULL-terminated, in run order */

const char *cf2_mark_name(enum cf2_mark m);
/* Names of the protocol's values, for messages.  An unknown value is shown
 * with its number (the returned text then lives in one of four rotating
 * buffers, enough for one message). */
const char *cf2_type_name(DWORD type);
const char *cf2_action_name(DWORD action);
const char *cf2_phase_name(DWORD phase);

/* ---------------------------------------------------------------- harness state */

struct cf2_impl {
    HMODULE module;
    PFN_COPYFILE2 copyfile2;                               /* NULL: no export */
    void(WINAPI *set_fault)(DWORD phase, ULONGLONG chunk, DWORD win32_error); /* NULL: no seam */
    DWORD missing_error;                                   /* GetProcAddress error */
    char path[1024];                                       /* full module path, UTF-8 */
};

/* What the platform under the suite can store or show (probed at start). */
struct cf2_caps {
    BOOL creation_settable;   /* SetFileTime(creation) reads back exactly */
    BOOL creation_is_birth;   /* a new file's creation time is "now", not its mtime */
    BOOL access_settable;     /* SetFileTime(last access) reads back exactly */
    BOOL hidden_stored;       /* FILE_ATTRIBUTE_HIDDEN reads back */
    BOOL system_stored;       /* FILE_ATTRIBUTE_SYSTEM reads back */
};

extern struct cf2_impl cf2_impl;
extern struct cf2_caps cf2_caps;
extern BOOL cf2_doc_only; /* --doc-only: skip OURS tests and OURS-only checks */
extern BOOL cf2_quick;    /* --quick: skip CF2_SLOW tests */

/* ---------------------------------------------------------------- per-test context */

#define CF2_MAX_TRACKED 16
#define CF2_ARENA_CHARS 65536

struct cf2_ctx {
    const struct cf2_test *test;
    WCHAR dir[1024]; /* the test's own work folder, full path, no \\?\ prefix */
    HANDLE handles[CF2_MAX_TRACKED];
    const void *views[CF2_MAX_TRACKED];
    size_t arena_used;
    WCHAR arena[CF2_ARENA_CHARS]; /* paths made by cf2_path, valid for the whole test */
};

/* The test's parameter (registry `param`). */
#define CF2_PARAM(t) ((t)->test->param)

/* Prints one line (with a trailing newline) in the cmocka output. */
void cf2_note(const char *fmt, ...) __attribute__((format(__MINGW_PRINTF_FORMAT, 1, 2)));
/* Prints an error message (no newline added) on cmocka's error stream. */
void cf2_err(const char *fmt, ...) __attribute__((format(__MINGW_PRINTF_FORMAT, 1, 2)));
/* Prints the reason, then skips the current test (never a silent pass). */
#define cf2_skip(...) do { cf2_note("SKIP: " __VA_ARGS__); cf2_count_skip(); skip(); } while (0)
void cf2_count_skip(void);
/* Fails the current test at the caller's line with a message. */
#define cf2_fail(...) do { cf2_err("ERROR: " __VA_ARGS__); cf2_err("\n"); _fail(__FILE__, __LINE__); } while (0)
#define cf2_check(cond, ...) do { if (!(cond)) cf2_fail(__VA_ARGS__); } while (0)

/* UTF-8 copy of a wide string, for messages (ring of buffers). */
const char *cf2_u8(const WCHAR *w);

/* ---------------------------------------------------------------- paths */

/* "<test folder>\name" (name may hold subfolders), valid until the test ends. */
const WCHAR *cf2_path(struct cf2_ctx *t, const WCHAR *name);
/* Same with the \\?\ prefix. */
const WCHAR *cf2_lpath(struct cf2_ctx *t, const WCHAR *name);
/* a + b, valid until the test ends. */
const WCHAR *cf2_cat(struct cf2_ctx *t, const WCHAR *a, const WCHAR *b);
/* Number of entries in a folder (without . and ..), -1 if it cannot be listed. */
int cf2_count_entries(const WCHAR *folder);
/* Creates dir\name as a folder (every missing level of it). */
void cf2_mkdir_(const WCHAR *path, const char *file, int line);
#define cf2_mkdir(p) cf2_mkdir_((p), __FILE__, __LINE__)

/* ---------------------------------------------------------------- files */

/* Byte i of the pattern with seed s (deterministic, position-dependent). */
void cf2_pattern(uint32_t seed, ULONGLONG offset, BYTE *buf, size_t n);
/* Creates (or replaces) `path` with `size` bytes of pattern `seed`. */
void cf2_make_file_(const WCHAR *path, ULONGLONG size, uint32_t seed, const char *file, int line);
#define cf2_make_file(p, n, s) cf2_make_file_((p), (n), (s), __FILE__, __LINE__)
/* Asserts that `path` holds exactly `size` bytes of pattern `seed`. */
void cf2_expect_pattern_(const WCHAR *path, ULONGLONG size, uint32_t seed, const char *file, int line);
#define cf2_expect_pattern(p, n, s) cf2_expect_pattern_((p), (n), (s), __FILE__, __LINE__)
/* Asserts that two files have the same size and bytes. */
void cf2_expect_same_bytes_(const WCHAR *a, const WCHAR *b, const char *file, int line);
#define cf2_expect_same_bytes(a, b) cf2_expect_same_bytes_((a), (b), __FILE__, __LINE__)
/* Reads n bytes at offset into buf; asserts success. */
void cf2_read_at_(const WCHAR *path, ULONGLONG offset, BYTE *buf, DWORD n, const char *file, int line);
#define cf2_read_at(p, o, b, n) cf2_read_at_((p), (o), (b), (n), __FILE__, __LINE__)
/* Writes n bytes at offset (the file must exist); asserts success. */
void cf2_write_at_(const WCHAR *path, ULONGLONG offset, const BYTE *buf, DWORD n, const char *file, int line);
#define cf2_write_at(p, o, b, n) cf2_write_at_((p), (o), (b), (n), __FILE__, __LINE__)

BOOL cf2_exists(const WCHAR *path);
#define cf2_expect_absent(p) cf2_check(!cf2_exists(p), "%s exists but should not", cf2_u8(p))
#define cf2_expect_present(p) cf2_check(cf2_exists(p), "%s does not exist (GetFileAttributesW error %lu)", cf2_u8(p), GetLastError())

/* FNV-1a 64 over the file's bytes; *size gets the byte count. */
uint64_t cf2_hash_file_(const WCHAR *path, ULONGLONG *size, const char *file, int line);
#define cf2_hash_file(p, s) cf2_hash_file_((p), (s), __FILE__, __LINE__)

/* Attributes, times, size and content hash of a file: what "unchanged" means. */
struct cf2_fp {
    BOOL exists;
    DWORD attrs;
    ULONGLONG size;
    FILETIME created, accessed, written;
    uint64_t hash;
};
struct cf2_fp cf2_fp_take_(const WCHAR *path, const char *file, int line);
#define cf2_fp_take(p) cf2_fp_take_((p), __FILE__, __LINE__)
/* Asserts path still matches fp: existence, attributes, size, bytes, last-write time. */
void cf2_expect_unchanged_(const WCHAR *path, const struct cf2_fp *fp, const char *what,
                           const char *file, int line);
#define cf2_expect_unchanged(p, fp, what) cf2_expect_unchanged_((p), (fp), (what), __FILE__, __LINE__)

/* GetFileAttributesExW, asserted. */
WIN32_FILE_ATTRIBUTE_DATA cf2_stat_(const WCHAR *path, const char *file, int line);
#define cf2_stat(p) cf2_stat_((p), __FILE__, __LINE__)
ULONGLONG cf2_size_of(const WIN32_FILE_ATTRIBUTE_DATA *d);
void cf2_set_attrs_(const WCHAR *path, DWORD attrs, const char *file, int line);
#define cf2_set_attrs(p, a) cf2_set_attrs_((p), (a), __FILE__, __LINE__)
/* Sets any of the three times (NULL: leave) on path. */
void cf2_set_times_(const WCHAR *path, const FILETIME *created, const FILETIME *accessed,
                    const FILETIME *written, const char *file, int line);
#define cf2_set_times(p, c, a, w) cf2_set_times_((p), (c), (a), (w), __FILE__, __LINE__)
/* A FILETIME from a calendar date (UTC). */
FILETIME cf2_filetime(WORD y, WORD mo, WORD d, WORD h, WORD mi, WORD s, WORD ms);
ULONGLONG cf2_ft64(FILETIME ft);
FILETIME cf2_now(void);
const char *cf2_ft_str(FILETIME ft);

/* Opens a file and tracks the handle (closed in teardown if still open). */
HANDLE cf2_open_(struct cf2_ctx *t, const WCHAR *path, DWORD access, DWORD share, DWORD disp,
                 const char *file, int line);
#define cf2_open(t, p, a, s, d) cf2_open_((t), (p), (a), (s), (d), __FILE__, __LINE__)
void cf2_track(struct cf2_ctx *t, HANDLE h);
void cf2_track_view(struct cf2_ctx *t, const void *view);
/* Closes a tracked handle now. */
void cf2_close(struct cf2_ctx *t, HANDLE h);
void cf2_unmap(struct cf2_ctx *t, const void *view);

/* ---------------------------------------------------------------- calling the implementation */

/* The junk value put in the last error before every call. */
#define CF2_JUNK_LAST_ERROR 0xDEADBEEFu

struct cf2_res {
    HRESULT hr;
    DWORD err; /* GetLastError() right after the call */
};

/* Calls the implementation's CopyFile2 with the last error set to junk first. */
struct cf2_res cf2_call(const WCHAR *src, const WCHAR *dst, void *params);
/* A V1 structure with dwSize set and the given flags. */
COPYFILE2_EXTENDED_PARAMETERS cf2_v1(DWORD flags);
/* A V2 structure with dwSize set, the given flags and every other field zero. */
COPYFILE2_EXTENDED_PARAMETERS_V2 cf2_v2(DWORD flags);

/* Success: S_OK and (unless --doc-only) last error 0. */
void cf2_expect_ok_(struct cf2_res r, const char *what, const char *file, int line);
#define cf2_expect_ok(r, what) cf2_expect_ok_((r), (what), __FILE__, __LINE__)
/* Failure: HRESULT_FROM_WIN32(code) and last error == code. */
void cf2_expect_err_(struct cf2_res r, DWORD code, const char *what, const char *file, int line);
#define cf2_expect_err(r, code, what) cf2_expect_err_((r), (code), (what), __FILE__, __LINE__)
/* E_INVALIDARG (0x80070057) with last error ERROR_INVALID_PARAMETER (87). */
#define cf2_expect_invalidarg(r, what) cf2_expect_err_((r), ERROR_INVALID_PARAMETER, (what), __FILE__, __LINE__)

/* Arms the test build's fault seam (the test must declare CF2_NEEDS_SEAM). */
void cf2_set_fault(DWORD phase, ULONGLONG chunk, DWORD win32_error);

#define KiB (1024ull)
#define MiB (1024ull * 1024ull)
#define GiB (1024ull * 1024ull * 1024ull)

/* ---------------------------------------------------------------- handle counting */

/* The number of handles this process has open, to detect leaks around a
 * call: GetProcessHandleCount, or, where that reports 0 (Wine 8.0's stub),
 * the process's entries in NtQuerySystemInformation(SystemHandleInformation).
 * Returns 0 when neither works.  Wine creates a few handles lazily on first
 * use of some APIs, so measure a warmed-up call (see test_reliability.c). */
DWORD cf2_handle_count(void);

#endif /* CF2_HARNESS_H */
