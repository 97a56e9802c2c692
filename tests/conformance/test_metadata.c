/*
 * test_metadata.c - attributes and times (contract 1.4, 1.6.14, 9.12, 9.13).
 * Checks that the platform under the suite cannot show (Wine keeps no
 * creation times) are skipped with the reason printed, never passed silently.
 */
#include "harness.h"

#include <string.h>

#define SRC_SEED 0x3e7au
#define OLD_SEED 0x01du

/* Attributes CopyFile2 is expected to carry over (what SetFileAttributes can set). */
#define COPIED_ATTRS (FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM | \
                      FILE_ATTRIBUTE_ARCHIVE | FILE_ATTRIBUTE_TEMPORARY | FILE_ATTRIBUTE_OFFLINE | \
                      FILE_ATTRIBUTE_NOT_CONTENT_INDEXED)

static FILETIME distinctive_write_time(void)
{
    return cf2_filetime(2001, 2, 3, 4, 5, 6, 700); /* 2001-02-03 04:05:06.7 */
}

static const WCHAR *given_source(struct cf2_ctx *t, const WCHAR *name, ULONGLONG size)
{
    const WCHAR *src = cf2_path(t, name);
    cf2_make_file(src, size, SRC_SEED);
    FILETIME w = distinctive_write_time();
    cf2_set_times(src, NULL, NULL, &w);
    return src;
}

/* 1.4, 1.6.14 (OBS): the destination's last-write time equals the source's
 * exactly, for a new destination. */
void meta_last_write_time_new(struct cf2_ctx *t)
{
    const WCHAR *src = given_source(t, L"source.bin", 3 * MiB + 3), *dst = cf2_path(t, L"dest.bin");
    struct cf2_fp before = cf2_fp_take(src);
    FILETIME want = distinctive_write_time();
    cf2_check(CompareFileTime(&before.written, &want) == 0,
              "the platform did not keep the source's last-write time exactly (%s)", cf2_ft_str(before.written));
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_FAIL_IF_EXISTS);
    cf2_expect_ok(cf2_call(src, dst, &p), "new destination");
    WIN32_FILE_ATTRIBUTE_DATA d = cf2_stat(dst);
    cf2_check(CompareFileTime(&d.ftLastWriteTime, &before.written) == 0,
              "destination last-write time %s, source's %s", cf2_ft_str(d.ftLastWriteTime),
              cf2_ft_str(before.written));
    cf2_expect_unchanged(src, &before, "the source");
}

/* 1.4 (OBS): the same when overwriting a destination that is newer. */
void meta_last_write_time_overwrite(struct cf2_ctx *t)
{
    const WCHAR *src = given_source(t, L"source.bin", 1000), *dst = cf2_path(t, L"dest.bin");
    cf2_make_file(dst, 5000, OLD_SEED); /* last-write time: now */
    struct cf2_fp before = cf2_fp_take(src);
    cf2_expect_ok(cf2_call(src, dst, NULL), "overwrite");
    WIN32_FILE_ATTRIBUTE_DATA d = cf2_stat(dst);
    cf2_check(CompareFileTime(&d.ftLastWriteTime, &before.written) == 0,
              "destination last-write time %s, source's %s", cf2_ft_str(d.ftLastWriteTime),
              cf2_ft_str(before.written));
    cf2_expect_unchanged(src, &before, "the source");
}

/* 1.4 (DOC): the file attributes are copied.  Each combination is set on the
 * source; whatever the platform kept is what the copy must have. */
void meta_attributes_copied(struct cf2_ctx *t)
{
    static const DWORD combos[] = {
        FILE_ATTRIBUTE_NORMAL,
        FILE_ATTRIBUTE_ARCHIVE,
        FILE_ATTRIBUTE_READONLY,
        FILE_ATTRIBUTE_HIDDEN,
        FILE_ATTRIBUTE_SYSTEM,
        FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM,
        FILE_ATTRIBUTE_ARCHIVE | FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN,
        FILE_ATTRIBUTE_TEMPORARY,
        FILE_ATTRIBUTE_NOT_CONTENT_INDEXED,
    };
    for (size_t i = 0; i < sizeof combos / sizeof combos[0]; i++) {
        WCHAR sname[32], dname[32];
        swprintf(sname, 32, L"source%u.bin", (unsigned)i);
        swprintf(dname, 32, L"dest%u.bin", (unsigned)i);
        const WCHAR *src = given_source(t, sname, 5000 + i), *dst = cf2_path(t, dname);
        cf2_set_attrs(src, combos[i]);
        struct cf2_fp before = cf2_fp_take(src);
        COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_FAIL_IF_EXISTS);
        char what[64];
        snprintf(what, sizeof what, "source attributes set to 0x%lx (kept: 0x%lx)", combos[i], before.attrs);
        cf2_expect_ok(cf2_call(src, dst, &p), what);
        WIN32_FILE_ATTRIBUTE_DATA d = cf2_stat(dst);
        cf2_check((d.dwFileAttributes & COPIED_ATTRS) == (before.attrs & COPIED_ATTRS),
                  "%s: destination attributes 0x%lx", what, d.dwFileAttributes);
        cf2_check(!(d.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY), "the copy is a directory");
        cf2_expect_pattern(dst, 5000 + i, SRC_SEED);
        cf2_expect_unchanged(src, &before, "the source");
    }
}

/* 1.4 (DOC, CopyFile page: READONLY included): a read-only source gives a
 * read-only copy with all its data; a second copy onto it is refused. */
void meta_readonly_source(struct cf2_ctx *t)
{
    const ULONGLONG size = 2 * MiB + 512 * KiB + 7; /* several chunks */
    const WCHAR *src = given_source(t, L"source.bin", size), *dst = cf2_path(t, L"dest.bin");
    cf2_set_attrs(src, FILE_ATTRIBUTE_READONLY);
    struct cf2_fp before = cf2_fp_take(src);
    cf2_check(before.attrs & FILE_ATTRIBUTE_READONLY, "the platform did not keep READONLY");
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(0);
    cf2_expect_ok(cf2_call(src, dst, &p), "read-only source");
    WIN32_FILE_ATTRIBUTE_DATA d = cf2_stat(dst);
    cf2_check(d.dwFileAttributes & FILE_ATTRIBUTE_READONLY, "the copy is not read-only (0x%lx)", d.dwFileAttributes);
    cf2_check(CompareFileTime(&d.ftLastWriteTime, &before.written) == 0, "last-write time %s, source's %s",
              cf2_ft_str(d.ftLastWriteTime), cf2_ft_str(before.written));
    cf2_expect_pattern(dst, size, SRC_SEED);
    struct cf2_fp copy = cf2_fp_take(dst);
    cf2_expect_err(cf2_call(src, dst, &p), ERROR_ACCESS_DENIED, "copy onto the read-only copy");
    cf2_expect_unchanged(dst, &copy, "the read-only copy");
    cf2_expect_unchanged(src, &before, "the source");
}

/* 1.4 (DOC): a read-only source over an existing writable destination. */
void meta_readonly_source_over_existing(struct cf2_ctx *t)
{
    const ULONGLONG size = 1 * MiB + 77;
    const WCHAR *src = given_source(t, L"source.bin", size), *dst = cf2_path(t, L"dest.bin");
    cf2_make_file(dst, 3 * MiB, OLD_SEED);
    cf2_set_attrs(src, FILE_ATTRIBUTE_READONLY);
    struct cf2_fp before = cf2_fp_take(src);
    cf2_expect_ok(cf2_call(src, dst, NULL), "read-only source over a writable destination");
    WIN32_FILE_ATTRIBUTE_DATA d = cf2_stat(dst);
    cf2_check(d.dwFileAttributes & FILE_ATTRIBUTE_READONLY, "the copy is not read-only (0x%lx)", d.dwFileAttributes);
    cf2_expect_pattern(dst, size, SRC_SEED);
    cf2_expect_unchanged(src, &before, "the source");
}

/* 1.4 (OBS): a hidden source gives a hidden copy. */
void meta_hidden_source(struct cf2_ctx *t)
{
    if (!cf2_caps.hidden_stored)
        cf2_skip("this platform does not store FILE_ATTRIBUTE_HIDDEN");
    const WCHAR *src = given_source(t, L"source.bin", 4097), *dst = cf2_path(t, L"dest.bin");
    cf2_set_attrs(src, FILE_ATTRIBUTE_HIDDEN);
    struct cf2_fp before = cf2_fp_take(src);
    cf2_expect_ok(cf2_call(src, dst, NULL), "hidden source");
    WIN32_FILE_ATTRIBUTE_DATA d = cf2_stat(dst);
    cf2_check(d.dwFileAttributes & FILE_ATTRIBUTE_HIDDEN, "the copy is not hidden (0x%lx)", d.dwFileAttributes);
    cf2_check(!(d.dwFileAttributes & FILE_ATTRIBUTE_READONLY), "the copy is read-only (0x%lx)", d.dwFileAttributes);
    cf2_expect_pattern(dst, 4097, SRC_SEED);
    cf2_expect_unchanged(src, &before, "the source");
}

/* 9.13 (OURS): a source with no special attributes gives a copy with none
 * (no READONLY, HIDDEN, SYSTEM, TEMPORARY), and ARCHIVE as the source shows
 * it.  (An existing SYSTEM destination is deliberately not tested: Windows'
 * CreateFile refuses CREATE_ALWAYS over a SYSTEM file when the new attributes
 * lack SYSTEM, and what CopyFile2 does there is undecided.) */
void meta_normal_and_archive(struct cf2_ctx *t)
{
    const WCHAR *src = given_source(t, L"source.bin", 100), *dst = cf2_path(t, L"dest.bin");
    cf2_set_attrs(src, FILE_ATTRIBUTE_NORMAL);
    struct cf2_fp before = cf2_fp_take(src);
    cf2_expect_ok(cf2_call(src, dst, NULL), "plain source");
    DWORD a = cf2_stat(dst).dwFileAttributes;
    const DWORD special = FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM |
                          FILE_ATTRIBUTE_TEMPORARY | FILE_ATTRIBUTE_DIRECTORY;
    cf2_check(!(a & special), "plain source, copy has attributes 0x%lx", a);
    cf2_check((a & FILE_ATTRIBUTE_ARCHIVE) == (before.attrs & FILE_ATTRIBUTE_ARCHIVE),
              "ARCHIVE differs: source 0x%lx, copy 0x%lx", before.attrs, a);
    /* and over an existing plain destination with other content */
    cf2_make_file(dst, 10, OLD_SEED);
    cf2_expect_ok(cf2_call(src, dst, NULL), "plain source over a plain destination");
    a = cf2_stat(dst).dwFileAttributes;
    cf2_check(!(a & special), "copy over a plain file has attributes 0x%lx", a);
    cf2_expect_unchanged(src, &before, "the source");
}

static BOOL near_now(FILETIME ft, FILETIME before, FILETIME after)
{
    const ULONGLONG slack = 3ull * 10000000ull; /* 3 s */
    return cf2_ft64(ft) + slack >= cf2_ft64(before) && cf2_ft64(ft) <= cf2_ft64(after) + slack;
}

/* 9.12 (OURS): a new destination's creation time is the time of the copy. */
void meta_creation_time_new(struct cf2_ctx *t)
{
    if (!cf2_caps.creation_is_birth)
        cf2_skip("this platform does not show a file's real creation time (a new file's creation "
                 "time is not the time it was made): cannot be checked here");
    const WCHAR *src = given_source(t, L"source.bin", 1000), *dst = cf2_path(t, L"dest.bin");
    if (cf2_caps.creation_settable) {
        FILETIME c = cf2_filetime(1999, 9, 9, 9, 9, 9, 900);
        cf2_set_times(src, &c, NULL, NULL);
    }
    FILETIME before = cf2_now();
    cf2_expect_ok(cf2_call(src, dst, NULL), "new destination");
    FILETIME after = cf2_now();
    WIN32_FILE_ATTRIBUTE_DATA d = cf2_stat(dst);
    cf2_check(near_now(d.ftCreationTime, before, after), "creation time %s, copy made between %s and %s",
              cf2_ft_str(d.ftCreationTime), cf2_ft_str(before), cf2_ft_str(after));
}

/* 9.12 (OURS): a new destination's last-access time is the time of the copy
 * (not the source's). */
void meta_last_access_time_new(struct cf2_ctx *t)
{
    if (!cf2_caps.access_settable)
        cf2_skip("this platform does not keep a set last-access time: the source's cannot be made distinctive");
    const WCHAR *src = given_source(t, L"source.bin", 1000), *dst = cf2_path(t, L"dest.bin");
    FILETIME old = cf2_filetime(2002, 3, 4, 5, 6, 7, 800);
    cf2_set_times(src, NULL, &old, NULL);
    FILETIME before = cf2_now();
    cf2_expect_ok(cf2_call(src, dst, NULL), "new destination");
    FILETIME after = cf2_now();
    WIN32_FILE_ATTRIBUTE_DATA d = cf2_stat(dst);
    cf2_check(near_now(d.ftLastAccessTime, before, after), "last-access time %s, copy made between %s and %s",
              cf2_ft_str(d.ftLastAccessTime), cf2_ft_str(before), cf2_ft_str(after));
}

/* 9.12 (OURS): an overwritten destination keeps its own creation time. */
void meta_creation_time_kept_on_overwrite(struct cf2_ctx *t)
{
    if (!cf2_caps.creation_settable)
        cf2_skip("this platform cannot store a creation time (SetFileTime does not keep it): cannot be checked here");
    const WCHAR *src = given_source(t, L"source.bin", 1000), *dst = cf2_path(t, L"dest.bin");
    cf2_make_file(dst, 10, OLD_SEED);
    FILETIME c = cf2_filetime(1998, 8, 8, 8, 8, 8, 800), sc = cf2_filetime(1999, 9, 9, 9, 9, 9, 900);
    cf2_set_times(dst, &c, NULL, NULL);
    cf2_set_times(src, &sc, NULL, NULL);
    cf2_expect_ok(cf2_call(src, dst, NULL), "overwrite");
    WIN32_FILE_ATTRIBUTE_DATA d = cf2_stat(dst);
    cf2_check(CompareFileTime(&d.ftCreationTime, &c) == 0, "creation time %s, expected the old %s",
              cf2_ft_str(d.ftCreationTime), cf2_ft_str(c));
}

/* 1.2: the source's bytes, attributes and last-write time are never modified
 * by a copy, a refused copy or an overwrite of another file. */
void meta_source_never_modified(struct cf2_ctx *t)
{
    const WCHAR *src = given_source(t, L"source.bin", 1 * MiB + 1), *dst = cf2_path(t, L"dest.bin");
    cf2_set_attrs(src, FILE_ATTRIBUTE_ARCHIVE);
    struct cf2_fp before = cf2_fp_take(src);
    cf2_expect_ok(cf2_call(src, dst, NULL), "copy");
    cf2_expect_unchanged(src, &before, "the source");
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_FAIL_IF_EXISTS);
    cf2_expect_err(cf2_call(src, dst, &p), ERROR_FILE_EXISTS, "FAIL_IF_EXISTS");
    cf2_expect_unchanged(src, &before, "the source");
    cf2_expect_err(cf2_call(src, src, NULL), ERROR_SHARING_VIOLATION, "onto itself");
    cf2_expect_unchanged(src, &before, "the source");
    p = cf2_v1(COPY_FILE_OPEN_SOURCE_FOR_WRITE);
    cf2_expect_ok(cf2_call(src, dst, &p), "COPY_FILE_OPEN_SOURCE_FOR_WRITE");
    cf2_expect_unchanged(src, &before, "the source (opened for writing)");
}
