/*
 * test_data.c - the data: byte-exact copies at every interesting size
 * (around pages, 64 KiB and the 1 MiB default chunk, a few MiB, over 4 GiB
 * with a sparse source), overwrites of larger and smaller files, long
 * (\\?\) paths, relative paths and non-ASCII names (BMP and non-BMP).
 */
#include "harness.h"

#include <string.h>

#define SRC_SEED 0xda7au
#define OLD_SEED 0x01du

/* Copies a source of CF2_PARAM(t) bytes to a new destination. */
void data_size(struct cf2_ctx *t)
{
    const ULONGLONG size = CF2_PARAM(t);
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    cf2_make_file(src, size, SRC_SEED);
    FILETIME w = cf2_filetime(2001, 2, 3, 4, 5, 6, 700);
    cf2_set_times(src, NULL, NULL, &w);
    struct cf2_fp before = cf2_fp_take(src);
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_FAIL_IF_EXISTS);
    char what[64];
    snprintf(what, sizeof what, "copy of %llu bytes", size);
    cf2_expect_ok(cf2_call(src, dst, &p), what);
    cf2_expect_pattern(dst, size, SRC_SEED);
    cf2_expect_unchanged(src, &before, "the source");
}

/* Overwrites an existing destination of another size with a source of
 * CF2_PARAM(t) bytes: exactly the source's bytes remain. */
static void overwrite(struct cf2_ctx *t, ULONGLONG src_size, ULONGLONG old_size)
{
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    cf2_make_file(src, src_size, SRC_SEED);
    struct cf2_fp before = cf2_fp_take(src);
    /* with the default pre-sizing, without it, and with NULL parameters */
    const DWORD flags[] = { 0, COPY_FILE_DISABLE_PRE_ALLOCATION, 0 };
    for (int i = 0; i < 3; i++) {
        cf2_make_file(dst, old_size, OLD_SEED);
        COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(flags[i]);
        char what[128];
        snprintf(what, sizeof what, "%llu bytes over an existing %llu-byte file%s", src_size, old_size,
                 i == 1 ? ", DISABLE_PRE_ALLOCATION" : i == 2 ? ", NULL parameters" : "");
        cf2_expect_ok(cf2_call(src, dst, i == 2 ? NULL : &p), what);
        cf2_expect_pattern(dst, src_size, SRC_SEED);
    }
    cf2_expect_unchanged(src, &before, "the source");
}

void data_overwrite_larger_destination(struct cf2_ctx *t)
{
    overwrite(t, 100 * KiB + 1, 3 * MiB + 5);
    overwrite(t, 4096, 4097);
    overwrite(t, 0, 1 * MiB);
}

void data_overwrite_smaller_destination(struct cf2_ctx *t)
{
    overwrite(t, 2 * MiB + 512 * KiB + 3, 10);
    overwrite(t, 4097, 4096);
    overwrite(t, 1 * MiB, 0);
}

void data_overwrite_same_size(struct cf2_ctx *t)
{
    overwrite(t, 1 * MiB + 1, 1 * MiB + 1);
    overwrite(t, 1, 1);
}

/* A source over 4 GiB, sparse on the host: marker blocks at 0, around 2^31,
 * across 2^32 and at the end; every marker and a few zero regions must be in
 * the copy, at the same offsets. */
void data_size_over_4gib_sparse(struct cf2_ctx *t)
{
    const ULONGLONG size = 4 * GiB + 3 * MiB + 123;
    ULARGE_INTEGER free_bytes;
    if (GetDiskFreeSpaceExW(t->dir, &free_bytes, NULL, NULL) && free_bytes.QuadPart < size + 2 * GiB)
        cf2_skip("only %llu MiB free: the copy of a %llu-byte file needs it on disk",
                 free_bytes.QuadPart / MiB, size);

    const WCHAR *src = cf2_path(t, L"sparse.bin"), *dst = cf2_path(t, L"dest.bin");
    HANDLE h = CreateFileW(src, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_NEW, 0, NULL);
    cf2_check(h != INVALID_HANDLE_VALUE, "cannot create %s: %lu", cf2_u8(src), GetLastError());
    DWORD ret;
    DeviceIoControl(h, FSCTL_SET_SPARSE, NULL, 0, NULL, 0, &ret, NULL); /* best effort */
    LARGE_INTEGER end;
    end.QuadPart = (LONGLONG)size;
    BOOL ok = SetFilePointerEx(h, end, NULL, FILE_BEGIN) && SetEndOfFile(h);
    DWORD e = GetLastError();
    CloseHandle(h);
    cf2_check(ok, "cannot extend %s to %llu bytes: %lu", cf2_u8(src), size, e);

    const ULONGLONG markers[] = { 0, 2 * GiB + 12345, 4 * GiB - 2048, 4 * GiB + 1 * MiB - 7, size - 4096 };
    const ULONGLONG zeros[] = { 1 * MiB, 3 * GiB, 4 * GiB + 2 * MiB };
    static BYTE buf[4096], want[4096];
    for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++) {
        cf2_pattern(SRC_SEED, markers[i], buf, sizeof buf);
        cf2_write_at(src, markers[i], buf, sizeof buf);
    }
    FILETIME w = cf2_filetime(2001, 2, 3, 4, 5, 6, 700);
    cf2_set_times(src, NULL, NULL, &w);
    WIN32_FILE_ATTRIBUTE_DATA sd = cf2_stat(src);

    DWORD t0 = GetTickCount();
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(0);
    struct cf2_res r = cf2_call(src, dst, &p);
    DWORD ms = GetTickCount() - t0;
    cf2_expect_ok(r, "copy of a sparse source over 4 GiB");
    cf2_note("copied %llu bytes in %lu ms", size, ms);

    WIN32_FILE_ATTRIBUTE_DATA dd = cf2_stat(dst);
    cf2_check(cf2_size_of(&dd) == size, "destination has %llu bytes, expected %llu", cf2_size_of(&dd), size);
    for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++) {
        cf2_read_at(dst, markers[i], buf, sizeof buf);
        cf2_pattern(SRC_SEED, markers[i], want, sizeof want);
        cf2_check(memcmp(buf, want, sizeof buf) == 0, "marker at offset %llu is wrong in the copy", markers[i]);
    }
    for (size_t i = 0; i < sizeof zeros / sizeof zeros[0]; i++) {
        cf2_read_at(dst, zeros[i], buf, sizeof buf);
        memset(want, 0, sizeof want);
        cf2_check(memcmp(buf, want, sizeof buf) == 0, "the copy is not zero at offset %llu", zeros[i]);
    }
    cf2_check(CompareFileTime(&dd.ftLastWriteTime, &sd.ftLastWriteTime) == 0,
              "last-write time %s, source's %s", cf2_ft_str(dd.ftLastWriteTime), cf2_ft_str(sd.ftLastWriteTime));
    /* the source: same size, markers and last-write time */
    WIN32_FILE_ATTRIBUTE_DATA sd2 = cf2_stat(src);
    cf2_check(cf2_size_of(&sd2) == size && CompareFileTime(&sd2.ftLastWriteTime, &sd.ftLastWriteTime) == 0,
              "the source's size or last-write time changed");
    cf2_read_at(src, markers[2], buf, sizeof buf);
    cf2_pattern(SRC_SEED, markers[2], want, sizeof want);
    cf2_check(memcmp(buf, want, sizeof buf) == 0, "the source's marker changed");
    /* give the disk space back now */
    cf2_check(DeleteFileW(dst) && DeleteFileW(src), "cannot delete the big files: %lu", GetLastError());
}

/* Appends folder levels of `seg` characters under base until the path is at
 * least `target` characters long, creating each; returns the folder. */
static const WCHAR *deep_folder(struct cf2_ctx *t, const WCHAR *base, size_t target, size_t seg, WCHAR letter)
{
    const WCHAR *cur = base;
    WCHAR level[256];
    int n = 0;
    while (wcslen(cur) < target) {
        size_t len = seg;
        if (wcslen(cur) + 1 + len > target + 20)
            len = target - wcslen(cur) + 1 > 8 ? target - wcslen(cur) + 1 : 8;
        level[0] = L'\\';
        for (size_t i = 1; i <= len; i++)
            level[i] = (WCHAR)(i == 1 ? letter : L'0' + (WCHAR)((n + i) % 10));
        level[len + 1] = 0;
        cur = cf2_cat(t, cur, level);
        cf2_mkdir(cur);
        n++;
    }
    return cur;
}

static void long_paths(struct cf2_ctx *t, size_t target)
{
    const WCHAR *base = cf2_lpath(t, L"");
    const WCHAR *sdir = deep_folder(t, base, target - 12, 100, L's');
    const WCHAR *ddir = deep_folder(t, base, target - 12, 120, L'd');
    const WCHAR *src = cf2_cat(t, sdir, L"\\source.bin");
    const WCHAR *dst = cf2_cat(t, ddir, L"\\dest.bin");
    cf2_check(wcslen(src) > MAX_PATH && wcslen(dst) > MAX_PATH, "paths not longer than MAX_PATH");
    cf2_note("source path %u characters, destination path %u characters", (unsigned)wcslen(src),
             (unsigned)wcslen(dst));
    const ULONGLONG size = 1 * MiB + 999;
    cf2_make_file(src, size, SRC_SEED);
    struct cf2_fp before = cf2_fp_take(src);
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_FAIL_IF_EXISTS);
    cf2_expect_ok(cf2_call(src, dst, &p), "copy between long \\\\?\\ paths");
    cf2_expect_pattern(dst, size, SRC_SEED);
    cf2_expect_err(cf2_call(src, dst, &p), ERROR_FILE_EXISTS, "FAIL_IF_EXISTS on a long path");
    p = cf2_v1(0);
    cf2_make_file(src, size / 2, SRC_SEED + 1);
    before = cf2_fp_take(src);
    cf2_expect_ok(cf2_call(src, dst, &p), "overwrite on long \\\\?\\ paths");
    cf2_expect_pattern(dst, size / 2, SRC_SEED + 1);
    cf2_expect_err(cf2_call(cf2_cat(t, sdir, L"\\missing.bin"), dst, &p), ERROR_FILE_NOT_FOUND,
                   "missing source on a long path");
    cf2_expect_unchanged(src, &before, "the source");
}

/* 1.2: \\?\ paths of about 300 characters. */
void data_long_paths_300(struct cf2_ctx *t)
{
    long_paths(t, 300);
}

/* 1.2: \\?\ paths of about 1000 characters. */
void data_long_paths_1000(struct cf2_ctx *t)
{
    long_paths(t, 1000);
}

/* Names with Cyrillic, CJK and non-BMP characters (U+1F600, U+1F389 as
 * surrogate pairs), for the source, the destination and a folder. */
void data_non_ascii_names(struct cf2_ctx *t)
{
    /* "Исходный-日本語-😀.bin" */
    static const WCHAR src_name[] = L"\x0418\x0441\x0445\x043E\x0434\x043D\x044B\x0439-"
                                    L"\x65E5\x672C\x8A9E-\xD83D\xDE00.bin";
    /* "フォルダ-Ж" */
    static const WCHAR dir_name[] = L"\x30D5\x30A9\x30EB\x30C0-\x0416";
    /* "Копия-漢字-😀🎉.bin" */
    static const WCHAR dst_name[] = L"\x041A\x043E\x043F\x0438\x044F-\x6F22\x5B57-"
                                    L"\xD83D\xDE00\xD83C\xDF89.bin";
    const WCHAR *src = cf2_path(t, src_name);
    const WCHAR *dir = cf2_path(t, dir_name);
    cf2_mkdir(dir);
    const WCHAR *dst = cf2_cat(t, cf2_cat(t, dir, L"\\"), dst_name);
    const ULONGLONG size = 200 * KiB + 3;
    cf2_make_file(src, size, SRC_SEED);
    struct cf2_fp before = cf2_fp_take(src);
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_FAIL_IF_EXISTS);
    cf2_expect_ok(cf2_call(src, dst, &p), "non-ASCII source and destination names");
    cf2_expect_pattern(dst, size, SRC_SEED);
    /* the name is stored exactly (listing the folder gives it back) */
    WIN32_FIND_DATAW fd;
    HANDLE f = FindFirstFileW(cf2_cat(t, dir, L"\\*.bin"), &fd);
    cf2_check(f != INVALID_HANDLE_VALUE, "cannot list %s", cf2_u8(dir));
    FindClose(f);
    cf2_check(wcscmp(fd.cFileName, dst_name) == 0, "the destination is listed as %s, expected %s",
              cf2_u8(fd.cFileName), cf2_u8(dst_name));
    /* and back, through \\?\ paths, over the existing file */
    const WCHAR *back = cf2_lpath(t, L"\xD83D\xDE00\xD83D\xDE00-\x0436.bin");
    cf2_expect_ok(cf2_call(cf2_cat(t, L"\\\\?\\", dst), back, NULL), "non-ASCII \\\\?\\ paths");
    cf2_expect_pattern(back, size, SRC_SEED);
    cf2_expect_err(cf2_call(src, dst, &p), ERROR_FILE_EXISTS, "FAIL_IF_EXISTS, non-ASCII name");
    cf2_expect_unchanged(src, &before, "the source");
}

/* Relative paths are resolved against the current directory. */
void data_relative_paths(struct cf2_ctx *t)
{
    cf2_mkdir(cf2_path(t, L"sub"));
    cf2_make_file(cf2_path(t, L"a.bin"), 33333, SRC_SEED);
    cf2_check(SetCurrentDirectoryW(t->dir), "SetCurrentDirectoryW failed: %lu", GetLastError());
    cf2_expect_ok(cf2_call(L"a.bin", L"b.bin", NULL), "a.bin -> b.bin");
    cf2_expect_ok(cf2_call(L".\\a.bin", L"sub\\c.bin", NULL), ".\\a.bin -> sub\\c.bin");
    cf2_expect_ok(cf2_call(L"sub\\c.bin", L"sub\\..\\d.bin", NULL), "sub\\c.bin -> sub\\..\\d.bin");
    cf2_expect_pattern(cf2_path(t, L"b.bin"), 33333, SRC_SEED);
    cf2_expect_pattern(cf2_path(t, L"sub\\c.bin"), 33333, SRC_SEED);
    cf2_expect_pattern(cf2_path(t, L"d.bin"), 33333, SRC_SEED);
}
