/*
 * test_sharing.c - contract 1.6, every case: FAIL_IF_EXISTS, overwrite, the
 * same file, the source and the destination held open elsewhere with each
 * access and sharing mode, section mappings; plus same-file detection by
 * identity (contract 9.5).  Each failing case also checks that the
 * destination kept its old content and the source is unchanged.
 */
#include "harness.h"

#include <string.h>

#define SRC_SEED 0x5a1u
#define OLD_SEED 0x01du
#define SRC_SIZE 1000
#define OLD_SIZE 600

struct pair {
    const WCHAR *src, *dst;
    struct cf2_fp src_fp, dst_fp;
};

/* A source and an existing destination with different content and times. */
static struct pair given_pair(struct cf2_ctx *t, ULONGLONG src_size, ULONGLONG old_size)
{
    struct pair p;
    p.src = cf2_path(t, L"source.bin");
    p.dst = cf2_path(t, L"dest.bin");
    cf2_make_file(p.src, src_size, SRC_SEED);
    FILETIME sw = cf2_filetime(2001, 2, 3, 4, 5, 6, 700);
    cf2_set_times(p.src, NULL, NULL, &sw);
    cf2_make_file(p.dst, old_size, OLD_SEED);
    FILETIME ow = cf2_filetime(2003, 4, 5, 6, 7, 8, 900);
    cf2_set_times(p.dst, NULL, NULL, &ow);
    p.src_fp = cf2_fp_take(p.src);
    p.dst_fp = cf2_fp_take(p.dst);
    return p;
}

#define SHARE_ALL (FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)

/* 1.6.1: FAIL_IF_EXISTS over an existing file: ERROR_FILE_EXISTS (80), never
 * ERROR_ALREADY_EXISTS (183); the destination is unchanged. */
void sharing_01_fail_if_exists(struct cf2_ctx *t)
{
    struct pair p = given_pair(t, SRC_SIZE, OLD_SIZE);
    COPYFILE2_EXTENDED_PARAMETERS v = cf2_v1(COPY_FILE_FAIL_IF_EXISTS);
    struct cf2_res r = cf2_call(p.src, p.dst, &v);
    cf2_check(r.hr != HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS) && r.err != ERROR_ALREADY_EXISTS,
              "FAIL_IF_EXISTS gave ERROR_ALREADY_EXISTS (183); callers depend on ERROR_FILE_EXISTS (80)");
    cf2_expect_err(r, ERROR_FILE_EXISTS, "FAIL_IF_EXISTS, existing destination");
    cf2_expect_unchanged(p.dst, &p.dst_fp, "the existing destination");
    /* an empty existing destination too */
    const WCHAR *empty = cf2_path(t, L"empty.bin");
    cf2_make_file(empty, 0, OLD_SEED);
    struct cf2_fp efp = cf2_fp_take(empty);
    cf2_expect_err(cf2_call(p.src, empty, &v), ERROR_FILE_EXISTS, "FAIL_IF_EXISTS, empty existing destination");
    cf2_expect_unchanged(empty, &efp, "the empty destination");
    cf2_expect_unchanged(p.src, &p.src_fp, "the source");
}

/* 1.6.2: without FAIL_IF_EXISTS an existing destination is overwritten. */
void sharing_02_overwrite(struct cf2_ctx *t)
{
    struct pair p = given_pair(t, SRC_SIZE, OLD_SIZE);
    COPYFILE2_EXTENDED_PARAMETERS v = cf2_v1(0);
    cf2_expect_ok(cf2_call(p.src, p.dst, &v), "overwrite");
    cf2_expect_same_bytes(p.src, p.dst);
    cf2_expect_unchanged(p.src, &p.src_fp, "the source");
}

/* 1.6.3: the same path as source and destination: ERROR_SHARING_VIOLATION,
 * and the file is unchanged. */
void sharing_03_same_file(struct cf2_ctx *t)
{
    struct pair p = given_pair(t, SRC_SIZE, OLD_SIZE);
    COPYFILE2_EXTENDED_PARAMETERS v = cf2_v1(0);
    cf2_expect_err(cf2_call(p.src, p.src, &v), ERROR_SHARING_VIOLATION, "source == destination");
    cf2_expect_err(cf2_call(p.src, p.src, NULL), ERROR_SHARING_VIOLATION,
                   "source == destination, NULL parameters");
    cf2_expect_unchanged(p.src, &p.src_fp, "the file");
}

/* 9.5 (OURS): the same file under other names (case, .\ prefix, \\?\ prefix)
 * is detected by identity: ERROR_SHARING_VIOLATION, the file unchanged. */
void sharing_03_same_file_other_names(struct cf2_ctx *t)
{
    const WCHAR *a = cf2_path(t, L"a.txt");
    cf2_make_file(a, 5000, SRC_SEED);
    FILETIME w = cf2_filetime(2001, 2, 3, 4, 5, 6, 700);
    cf2_set_times(a, NULL, NULL, &w);
    struct cf2_fp fp = cf2_fp_take(a);
    cf2_check(SetCurrentDirectoryW(t->dir), "SetCurrentDirectoryW failed: %lu", GetLastError());
    COPYFILE2_EXTENDED_PARAMETERS v = cf2_v1(0);
    cf2_expect_err(cf2_call(L"a.txt", L".\\A.TXT", &v), ERROR_SHARING_VIOLATION, "a.txt -> .\\A.TXT");
    cf2_expect_err(cf2_call(L".\\A.TXT", L"a.txt", NULL), ERROR_SHARING_VIOLATION, ".\\A.TXT -> a.txt");
    cf2_expect_err(cf2_call(a, L"A.txt", &v), ERROR_SHARING_VIOLATION, "full path -> A.txt");
    cf2_expect_err(cf2_call(a, cf2_lpath(t, L"a.txt"), &v), ERROR_SHARING_VIOLATION,
                   "full path -> \\\\?\\ full path");
    cf2_expect_unchanged(a, &fp, "the file");
    cf2_check(cf2_count_entries(t->dir) == 1, "a second file appeared in %s", cf2_u8(t->dir));
}

/* 9.5 (OURS): a hard link to the source is the same file. */
void sharing_03_same_file_hard_link(struct cf2_ctx *t)
{
    const WCHAR *a = cf2_path(t, L"a.bin"), *link = cf2_path(t, L"link.bin");
    cf2_make_file(a, 70000, SRC_SEED);
    if (!CreateHardLinkW(link, a, NULL))
        cf2_skip("CreateHardLinkW failed (error %lu): hard links unsupported here", GetLastError());
    struct cf2_fp fp = cf2_fp_take(a);
    COPYFILE2_EXTENDED_PARAMETERS v = cf2_v1(0);
    cf2_expect_err(cf2_call(a, link, &v), ERROR_SHARING_VIOLATION, "source -> its hard link");
    cf2_expect_err(cf2_call(link, a, NULL), ERROR_SHARING_VIOLATION, "hard link -> its source");
    cf2_expect_unchanged(a, &fp, "the file");
    cf2_expect_pattern(link, 70000, SRC_SEED);
}

/* 1.6.4: the source open elsewhere for GENERIC_READ sharing only writing:
 * ERROR_SHARING_VIOLATION (CopyFile2 reads the source). */
void sharing_04_source_read_share_write(struct cf2_ctx *t)
{
    struct pair p = given_pair(t, SRC_SIZE, OLD_SIZE);
    HANDLE h = cf2_open(t, p.src, GENERIC_READ, FILE_SHARE_WRITE, OPEN_EXISTING);
    COPYFILE2_EXTENDED_PARAMETERS v = cf2_v1(0);
    cf2_expect_err(cf2_call(p.src, p.dst, &v), ERROR_SHARING_VIOLATION,
                   "source held with GENERIC_READ, FILE_SHARE_WRITE");
    cf2_expect_err(cf2_call(p.src, cf2_path(t, L"new.bin"), &v), ERROR_SHARING_VIOLATION,
                   "source held with GENERIC_READ, FILE_SHARE_WRITE (new destination)");
    cf2_close(t, h);
    cf2_expect_absent(cf2_path(t, L"new.bin"));
    cf2_expect_unchanged(p.dst, &p.dst_fp, "the destination");
    cf2_expect_unchanged(p.src, &p.src_fp, "the source");
}

/* 1.6.5: a missing source with a locked destination: ERROR_FILE_NOT_FOUND
 * (the source is opened before the destination). */
void sharing_05_missing_source_locked_destination(struct cf2_ctx *t)
{
    struct pair p = given_pair(t, SRC_SIZE, OLD_SIZE);
    const WCHAR *missing = cf2_path(t, L"doesntexist");
    HANDLE h = cf2_open(t, p.dst, GENERIC_READ | GENERIC_WRITE, 0, OPEN_EXISTING);
    COPYFILE2_EXTENDED_PARAMETERS v = cf2_v1(0);
    cf2_expect_err(cf2_call(missing, p.dst, &v), ERROR_FILE_NOT_FOUND,
                   "missing source, destination held with no sharing");
    cf2_close(t, h);
    h = cf2_open(t, p.src, GENERIC_READ, FILE_SHARE_WRITE, OPEN_EXISTING);
    cf2_expect_err(cf2_call(missing, p.dst, &v), ERROR_FILE_NOT_FOUND,
                   "missing source while another file is read-locked (Wine's case)");
    cf2_close(t, h);
    cf2_expect_unchanged(p.dst, &p.dst_fp, "the destination");
}

/* 1.6.6: the source open elsewhere for read+write sharing reading: succeeds. */
void sharing_06_source_rw_share_read(struct cf2_ctx *t)
{
    struct pair p = given_pair(t, SRC_SIZE, OLD_SIZE);
    HANDLE h = cf2_open(t, p.src, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ, OPEN_EXISTING);
    COPYFILE2_EXTENDED_PARAMETERS v = cf2_v1(0);
    cf2_expect_ok(cf2_call(p.src, p.dst, &v), "source held with GENERIC_READ|GENERIC_WRITE, FILE_SHARE_READ");
    cf2_close(t, h);
    cf2_expect_pattern(p.dst, SRC_SIZE, SRC_SEED);
    cf2_expect_unchanged(p.src, &p.src_fp, "the source");
}

/* 1.6.7: the source open elsewhere with DELETE access sharing reading: succeeds. */
void sharing_07_source_delete_share_read(struct cf2_ctx *t)
{
    struct pair p = given_pair(t, SRC_SIZE, OLD_SIZE);
    HANDLE h = cf2_open(t, p.src, DELETE, FILE_SHARE_READ, OPEN_EXISTING);
    COPYFILE2_EXTENDED_PARAMETERS v = cf2_v1(0);
    cf2_expect_ok(cf2_call(p.src, p.dst, &v), "source held with DELETE, FILE_SHARE_READ");
    cf2_close(t, h);
    cf2_expect_pattern(p.dst, SRC_SIZE, SRC_SEED);
    cf2_expect_unchanged(p.src, &p.src_fp, "the source");
}

/* 1.6.8: the destination open elsewhere for GENERIC_WRITE sharing only
 * reading: ERROR_SHARING_VIOLATION, old content kept. */
void sharing_08_destination_write_share_read(struct cf2_ctx *t)
{
    struct pair p = given_pair(t, SRC_SIZE, OLD_SIZE);
    HANDLE h = cf2_open(t, p.dst, GENERIC_WRITE, FILE_SHARE_READ, OPEN_EXISTING);
    cf2_expect_err(cf2_call(p.src, p.dst, NULL), ERROR_SHARING_VIOLATION,
                   "destination held with GENERIC_WRITE, FILE_SHARE_READ");
    cf2_close(t, h);
    cf2_expect_unchanged(p.dst, &p.dst_fp, "the destination");
    cf2_expect_unchanged(p.src, &p.src_fp, "the source");
}

/* 1.6.9: the destination open for read+write sharing writing: succeeds. */
void sharing_09_destination_rw_share_write(struct cf2_ctx *t)
{
    struct pair p = given_pair(t, SRC_SIZE, OLD_SIZE);
    HANDLE h = cf2_open(t, p.dst, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_WRITE, OPEN_EXISTING);
    cf2_expect_ok(cf2_call(p.src, p.dst, NULL), "destination held with GENERIC_READ|GENERIC_WRITE, FILE_SHARE_WRITE");
    cf2_close(t, h);
    cf2_expect_pattern(p.dst, SRC_SIZE, SRC_SEED);
    cf2_expect_unchanged(p.src, &p.src_fp, "the source");
}

/* 1.6.10: the destination open with DELETE access, even fully shared:
 * ERROR_SHARING_VIOLATION. */
void sharing_10_destination_delete_share_all(struct cf2_ctx *t)
{
    struct pair p = given_pair(t, SRC_SIZE, OLD_SIZE);
    HANDLE h = cf2_open(t, p.dst, DELETE, SHARE_ALL, OPEN_EXISTING);
    COPYFILE2_EXTENDED_PARAMETERS v = cf2_v1(0);
    cf2_expect_err(cf2_call(p.src, p.dst, &v), ERROR_SHARING_VIOLATION,
                   "destination held with DELETE, FILE_SHARE_READ|WRITE|DELETE");
    cf2_close(t, h);
    cf2_expect_unchanged(p.dst, &p.dst_fp, "the destination");
    cf2_expect_unchanged(p.src, &p.src_fp, "the source");
}

/* 1.6.11: the destination open for GENERIC_READ sharing read and write: succeeds. */
void sharing_11_destination_read_share_rw(struct cf2_ctx *t)
{
    struct pair p = given_pair(t, SRC_SIZE, OLD_SIZE);
    HANDLE h = cf2_open(t, p.dst, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, OPEN_EXISTING);
    COPYFILE2_EXTENDED_PARAMETERS v = cf2_v1(0);
    cf2_expect_ok(cf2_call(p.src, p.dst, &v), "destination held with GENERIC_READ, FILE_SHARE_READ|WRITE");
    cf2_close(t, h);
    cf2_expect_pattern(p.dst, SRC_SIZE, SRC_SEED);
    cf2_expect_unchanged(p.src, &p.src_fp, "the source");
}

/* 1.6.12: the destination open for GENERIC_READ sharing only reading:
 * ERROR_SHARING_VIOLATION, and the old contents stay. */
void sharing_12_destination_read_share_read(struct cf2_ctx *t)
{
    struct pair p = given_pair(t, SRC_SIZE, OLD_SIZE);
    HANDLE h = cf2_open(t, p.dst, GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING);
    COPYFILE2_EXTENDED_PARAMETERS v = cf2_v1(0);
    cf2_expect_err(cf2_call(p.src, p.dst, &v), ERROR_SHARING_VIOLATION,
                   "destination held with GENERIC_READ, FILE_SHARE_READ");
    /* read the old bytes back through the holder's handle */
    BYTE got[OLD_SIZE], want[OLD_SIZE];
    DWORD n = 0;
    cf2_check(ReadFile(h, got, OLD_SIZE, &n, NULL) && n == OLD_SIZE, "cannot read the destination back");
    cf2_pattern(OLD_SEED, 0, want, OLD_SIZE);
    cf2_check(memcmp(got, want, OLD_SIZE) == 0, "the destination's old content changed");
    cf2_close(t, h);
    cf2_expect_unchanged(p.dst, &p.dst_fp, "the destination");
    cf2_expect_unchanged(p.src, &p.src_fp, "the source");
}

/* Holds the destination with a section mapping and a mapped view. */
static void map_destination(struct cf2_ctx *t, const WCHAR *dst, DWORD share)
{
    HANDLE h = cf2_open(t, dst, GENERIC_READ, share, OPEN_EXISTING);
    HANDLE m = CreateFileMappingW(h, NULL, PAGE_READONLY | SEC_COMMIT, 0, 0, NULL);
    cf2_check(m != NULL, "CreateFileMappingW failed: error %lu", GetLastError());
    cf2_track(t, m);
    const void *view = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0);
    cf2_check(view != NULL, "MapViewOfFile failed: error %lu", GetLastError());
    cf2_track_view(t, view);
    BYTE want[16];
    cf2_pattern(OLD_SEED, 0, want, sizeof want);
    cf2_check(memcmp(view, want, sizeof want) == 0, "the mapped view does not show the file");
}

/* 1.6.13: a mapped destination held with FILE_SHARE_READ only:
 * ERROR_SHARING_VIOLATION. */
void sharing_13_mapped_destination_share_read(struct cf2_ctx *t)
{
    struct pair p = given_pair(t, SRC_SIZE, OLD_SIZE);
    map_destination(t, p.dst, FILE_SHARE_READ);
    COPYFILE2_EXTENDED_PARAMETERS v = cf2_v1(0);
    cf2_expect_err(cf2_call(p.src, p.dst, &v), ERROR_SHARING_VIOLATION,
                   "mapped destination held with FILE_SHARE_READ");
    cf2_expect_unchanged(p.dst, &p.dst_fp, "the mapped destination");
    cf2_expect_unchanged(p.src, &p.src_fp, "the source");
}

/* 1.6.13: a mapped destination held with FILE_SHARE_READ|FILE_SHARE_WRITE:
 * ERROR_USER_MAPPED_FILE (1224), whether the source is the same size as the
 * destination (Wine's case), larger or smaller; the destination is unchanged. */
void sharing_13_mapped_destination_share_rw(struct cf2_ctx *t)
{
    const ULONGLONG src_sizes[] = { OLD_SIZE, 3 * MiB + 17, 10 };
    for (size_t i = 0; i < 3; i++) {
        struct pair p = given_pair(t, src_sizes[i], OLD_SIZE);
        map_destination(t, p.dst, FILE_SHARE_READ | FILE_SHARE_WRITE);
        char what[96];
        snprintf(what, sizeof what, "mapped destination (%u bytes) held with FILE_SHARE_READ|WRITE, "
                 "source of %llu bytes", OLD_SIZE, src_sizes[i]);
        COPYFILE2_EXTENDED_PARAMETERS v = cf2_v1(0);
        cf2_expect_err(cf2_call(p.src, p.dst, &v), ERROR_USER_MAPPED_FILE, what);
        cf2_expect_unchanged(p.dst, &p.dst_fp, "the mapped destination");
        cf2_expect_unchanged(p.src, &p.src_fp, "the source");
        /* release the mapping before the next round re-creates the files */
        for (int k = 0; k < CF2_MAX_TRACKED; k++)
            if (t->views[k])
                cf2_unmap(t, t->views[k]);
        for (int k = 0; k < CF2_MAX_TRACKED; k++)
            if (t->handles[k])
                cf2_close(t, t->handles[k]);
    }
}

/* 1.6.14: after a copy the destination's size and last-write time are the
 * source's. */
void sharing_14_size_and_time(struct cf2_ctx *t)
{
    struct pair p = given_pair(t, SRC_SIZE, OLD_SIZE);
    COPYFILE2_EXTENDED_PARAMETERS v = cf2_v1(0);
    cf2_expect_ok(cf2_call(p.src, p.dst, &v), "overwrite");
    WIN32_FILE_ATTRIBUTE_DATA d = cf2_stat(p.dst);
    cf2_check(cf2_size_of(&d) == SRC_SIZE, "destination has %llu bytes, expected %u", cf2_size_of(&d), SRC_SIZE);
    cf2_check(CompareFileTime(&d.ftLastWriteTime, &p.src_fp.written) == 0,
              "destination last-write time %s, source's %s", cf2_ft_str(d.ftLastWriteTime),
              cf2_ft_str(p.src_fp.written));
    cf2_expect_unchanged(p.src, &p.src_fp, "the source");
}
