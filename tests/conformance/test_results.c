/*
 * test_results.c - result codes (contract 1.2, 1.3, 1.4, 9.4): success,
 * missing source, missing folders, directories, read-only and hidden
 * destinations.  Every failure must be HRESULT_FROM_WIN32(code) with the
 * same code left as the last error (checked by cf2_expect_err).
 */
#include "harness.h"

#include <string.h>

#define SRC_SEED 0x7e5u
#define OLD_SEED 0x01du

static const WCHAR *given_source(struct cf2_ctx *t, ULONGLONG size, struct cf2_fp *fp)
{
    const WCHAR *src = cf2_path(t, L"source.bin");
    cf2_make_file(src, size, SRC_SEED);
    FILETIME w = cf2_filetime(2001, 2, 3, 4, 5, 6, 700);
    cf2_set_times(src, NULL, NULL, &w);
    *fp = cf2_fp_take(src);
    return src;
}

static const WCHAR *old_destination(struct cf2_ctx *t, const WCHAR *name, struct cf2_fp *fp)
{
    const WCHAR *dst = cf2_path(t, name);
    cf2_make_file(dst, 777, OLD_SEED);
    FILETIME old = cf2_filetime(2003, 4, 5, 6, 7, 8, 900);
    cf2_set_times(dst, NULL, NULL, &old);
    *fp = cf2_fp_take(dst);
    return dst;
}

/* 1.3 (and OURS: last error 0): success is exactly S_OK, whatever the last
 * error was before the call. */
void results_success_is_s_ok(struct cf2_ctx *t)
{
    struct cf2_fp sfp;
    const WCHAR *src = given_source(t, 12345, &sfp), *dst = cf2_path(t, L"dest.bin");
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(0);
    struct cf2_res r = cf2_call(src, dst, &p);
    cf2_check(r.hr == S_OK, "expected S_OK (0), got 0x%08lx", (unsigned long)r.hr);
    cf2_expect_ok(r, "new destination");
    r = cf2_call(src, dst, &p);
    cf2_check(r.hr == S_OK, "expected S_OK (0) when overwriting, got 0x%08lx", (unsigned long)r.hr);
    cf2_expect_ok(r, "overwrite");
    cf2_expect_pattern(dst, 12345, SRC_SEED);
    cf2_expect_unchanged(src, &sfp, "the source");
}

/* OURS: the last error after a success is 0, not left over from before. */
void results_success_clears_last_error(struct cf2_ctx *t)
{
    struct cf2_fp sfp;
    const WCHAR *src = given_source(t, 100, &sfp);
    const DWORD junk[] = { CF2_JUNK_LAST_ERROR, ERROR_FILE_NOT_FOUND, ERROR_ALREADY_EXISTS };
    for (size_t i = 0; i < 3; i++) {
        WCHAR name[32];
        swprintf(name, 32, L"dest%u.bin", (unsigned)i);
        SetLastError(junk[i]);
        HRESULT hr = cf2_impl.copyfile2(src, cf2_path(t, name), NULL);
        DWORD e = GetLastError();
        cf2_check(hr == S_OK && e == 0, "last error %lu before the call: got hr 0x%08lx, last error %lu",
                  junk[i], (unsigned long)hr, e);
    }
}

/* 1.2: a missing source is ERROR_FILE_NOT_FOUND; no destination appears and
 * an existing one is untouched. */
void results_missing_source(struct cf2_ctx *t)
{
    struct cf2_fp old;
    const WCHAR *missing = cf2_path(t, L"no-such-file.bin"), *dst = cf2_path(t, L"dest.bin");
    const WCHAR *existing = old_destination(t, L"existing.bin", &old);
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(0);
    cf2_expect_err(cf2_call(missing, dst, &p), ERROR_FILE_NOT_FOUND, "missing source");
    cf2_expect_absent(dst);
    cf2_expect_err(cf2_call(missing, dst, NULL), ERROR_FILE_NOT_FOUND, "missing source, NULL parameters");
    cf2_expect_absent(dst);
    cf2_expect_err(cf2_call(missing, existing, &p), ERROR_FILE_NOT_FOUND, "missing source, existing destination");
    p = cf2_v1(COPY_FILE_FAIL_IF_EXISTS);
    cf2_expect_err(cf2_call(missing, existing, &p), ERROR_FILE_NOT_FOUND,
                   "missing source, existing destination, FAIL_IF_EXISTS (the source is opened first)");
    cf2_expect_unchanged(existing, &old, "the existing destination");
}

/* OURS: a source in a missing folder is ERROR_PATH_NOT_FOUND. */
void results_missing_source_folder(struct cf2_ctx *t)
{
    const WCHAR *src = cf2_path(t, L"no-such-folder\\source.bin"), *dst = cf2_path(t, L"dest.bin");
    cf2_expect_err(cf2_call(src, dst, NULL), ERROR_PATH_NOT_FOUND, "source folder missing");
    cf2_expect_absent(dst);
}

/* OURS: a destination in a missing folder is ERROR_PATH_NOT_FOUND; the folder
 * is not created. */
void results_missing_destination_folder(struct cf2_ctx *t)
{
    struct cf2_fp sfp;
    const WCHAR *src = given_source(t, 4096, &sfp);
    const WCHAR *dst = cf2_path(t, L"no-such-folder\\dest.bin");
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(0);
    cf2_expect_err(cf2_call(src, dst, &p), ERROR_PATH_NOT_FOUND, "destination folder missing");
    p = cf2_v1(COPY_FILE_FAIL_IF_EXISTS);
    cf2_expect_err(cf2_call(src, dst, &p), ERROR_PATH_NOT_FOUND, "destination folder missing, FAIL_IF_EXISTS");
    cf2_expect_absent(cf2_path(t, L"no-such-folder"));
    cf2_expect_unchanged(src, &sfp, "the source");
}

/* OURS: a directory as the source is ERROR_ACCESS_DENIED. */
void results_source_is_directory(struct cf2_ctx *t)
{
    const WCHAR *dir = cf2_path(t, L"folder"), *dst = cf2_path(t, L"dest.bin");
    cf2_mkdir(dir);
    cf2_make_file(cf2_path(t, L"folder\\inside.bin"), 10, SRC_SEED);
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(0);
    cf2_expect_err(cf2_call(dir, dst, &p), ERROR_ACCESS_DENIED, "source is a directory");
    cf2_expect_absent(dst);
    cf2_expect_err(cf2_call(dir, dst, NULL), ERROR_ACCESS_DENIED, "source is a directory, NULL parameters");
    cf2_expect_absent(dst);
    cf2_expect_pattern(cf2_path(t, L"folder\\inside.bin"), 10, SRC_SEED);
}

/* OURS (Windows' CreateFile on a directory gives ERROR_ACCESS_DENIED too): an
 * existing directory as the destination is ERROR_ACCESS_DENIED and stays. */
void results_destination_is_directory(struct cf2_ctx *t)
{
    struct cf2_fp sfp;
    const WCHAR *src = given_source(t, 5000, &sfp);
    const WCHAR *dir = cf2_path(t, L"folder");
    cf2_mkdir(dir);
    cf2_make_file(cf2_path(t, L"folder\\inside.bin"), 10, OLD_SEED);
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(0);
    cf2_expect_err(cf2_call(src, dir, &p), ERROR_ACCESS_DENIED, "destination is a directory");
    cf2_expect_err(cf2_call(src, dir, NULL), ERROR_ACCESS_DENIED, "destination is a directory, NULL parameters");
    DWORD a = GetFileAttributesW(dir);
    cf2_check(a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY), "the directory is gone");
    cf2_check(cf2_count_entries(dir) == 1, "the directory's content changed");
    cf2_expect_pattern(cf2_path(t, L"folder\\inside.bin"), 10, OLD_SEED);
    cf2_expect_unchanged(src, &sfp, "the source");
}

/* 9.4 (OURS): FAIL_IF_EXISTS with a directory of that name is ERROR_FILE_EXISTS. */
void results_fail_if_exists_directory(struct cf2_ctx *t)
{
    struct cf2_fp sfp;
    const WCHAR *src = given_source(t, 5000, &sfp);
    const WCHAR *dir = cf2_path(t, L"folder");
    cf2_mkdir(dir);
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_FAIL_IF_EXISTS);
    cf2_expect_err(cf2_call(src, dir, &p), ERROR_FILE_EXISTS, "FAIL_IF_EXISTS, destination is a directory");
    DWORD a = GetFileAttributesW(dir);
    cf2_check(a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY), "the directory is gone");
    cf2_check(cf2_count_entries(dir) == 0, "something was created in the directory");
}

/* 1.4 (DOC): an existing read-only destination is ERROR_ACCESS_DENIED and
 * stays unchanged: content, size, attributes, last-write time. */
void results_destination_readonly(struct cf2_ctx *t)
{
    struct cf2_fp sfp, old;
    const WCHAR *src = given_source(t, 300000, &sfp);
    const WCHAR *dst = cf2_path(t, L"dest.bin");
    cf2_make_file(dst, 777, OLD_SEED);
    FILETIME ow = cf2_filetime(2003, 4, 5, 6, 7, 8, 900);
    cf2_set_times(dst, NULL, NULL, &ow);
    cf2_set_attrs(dst, FILE_ATTRIBUTE_READONLY);
    old = cf2_fp_take(dst);
    cf2_check(old.attrs & FILE_ATTRIBUTE_READONLY, "the platform did not keep READONLY on %s", cf2_u8(dst));
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(0);
    cf2_expect_err(cf2_call(src, dst, &p), ERROR_ACCESS_DENIED, "read-only destination");
    cf2_expect_err(cf2_call(src, dst, NULL), ERROR_ACCESS_DENIED, "read-only destination, NULL parameters");
    COPYFILE2_EXTENDED_PARAMETERS_V2 p2 = cf2_v2(0);
    cf2_expect_err(cf2_call(src, dst, &p2), ERROR_ACCESS_DENIED, "read-only destination, V2");
    cf2_expect_unchanged(dst, &old, "the read-only destination");
    cf2_expect_unchanged(src, &sfp, "the source");
}

/* 1.4 (DOC): an existing hidden destination is ERROR_ACCESS_DENIED and stays. */
void results_destination_hidden(struct cf2_ctx *t)
{
    if (!cf2_caps.hidden_stored)
        cf2_skip("this platform does not store FILE_ATTRIBUTE_HIDDEN");
    struct cf2_fp sfp, old;
    const WCHAR *src = given_source(t, 300000, &sfp);
    const WCHAR *dst = cf2_path(t, L"dest.bin");
    cf2_make_file(dst, 777, OLD_SEED);
    FILETIME ow = cf2_filetime(2003, 4, 5, 6, 7, 8, 900);
    cf2_set_times(dst, NULL, NULL, &ow);
    cf2_set_attrs(dst, FILE_ATTRIBUTE_HIDDEN);
    old = cf2_fp_take(dst);
    cf2_check(old.attrs & FILE_ATTRIBUTE_HIDDEN, "HIDDEN did not stick on %s", cf2_u8(dst));
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(0);
    cf2_expect_err(cf2_call(src, dst, &p), ERROR_ACCESS_DENIED, "hidden destination");
    cf2_expect_err(cf2_call(src, dst, NULL), ERROR_ACCESS_DENIED, "hidden destination, NULL parameters");
    cf2_expect_unchanged(dst, &old, "the hidden destination");
    /* hidden and read-only together */
    cf2_set_attrs(dst, FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_READONLY);
    old = cf2_fp_take(dst);
    cf2_expect_err(cf2_call(src, dst, &p), ERROR_ACCESS_DENIED, "hidden read-only destination");
    cf2_expect_unchanged(dst, &old, "the hidden read-only destination");
    cf2_expect_unchanged(src, &sfp, "the source");
}

/* OURS: FAIL_IF_EXISTS is decided before the read-only/hidden refusal: an
 * existing read-only or hidden destination with FAIL_IF_EXISTS is
 * ERROR_FILE_EXISTS, and stays unchanged. */
void results_fail_if_exists_protected(struct cf2_ctx *t)
{
    struct cf2_fp sfp;
    const WCHAR *src = given_source(t, 1000, &sfp);
    const DWORD attrs[] = { FILE_ATTRIBUTE_READONLY, FILE_ATTRIBUTE_HIDDEN };
    for (size_t i = 0; i < 2; i++) {
        WCHAR name[32];
        swprintf(name, 32, L"dest%u.bin", (unsigned)i);
        const WCHAR *dst = cf2_path(t, name);
        cf2_make_file(dst, 777, OLD_SEED);
        cf2_set_attrs(dst, attrs[i]);
        struct cf2_fp old = cf2_fp_take(dst);
        COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_FAIL_IF_EXISTS);
        char what[80];
        snprintf(what, sizeof what, "FAIL_IF_EXISTS, existing destination with attributes 0x%lx", old.attrs);
        cf2_expect_err(cf2_call(src, dst, &p), ERROR_FILE_EXISTS, what);
        cf2_expect_unchanged(dst, &old, "the existing destination");
    }
    cf2_expect_unchanged(src, &sfp, "the source");
}

/* OURS: a destination name with characters Windows forbids is
 * ERROR_INVALID_NAME (123), and nothing is created. */
void results_invalid_destination_name(struct cf2_ctx *t)
{
    struct cf2_fp sfp;
    const WCHAR *src = given_source(t, 1000, &sfp);
    const WCHAR *names[] = { L"bad?.bin", L"bad*.bin", L"bad<.bin", L"bad|.bin", L"bad\".bin" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(0);
        char what[64];
        snprintf(what, sizeof what, "destination named %s", cf2_u8(names[i]));
        cf2_expect_err(cf2_call(src, cf2_path(t, names[i]), &p), ERROR_INVALID_NAME, what);
    }
    cf2_check(cf2_count_entries(t->dir) == 1, "something was created in %s", cf2_u8(t->dir));
    cf2_expect_unchanged(src, &sfp, "the source");
}
