/*
 * test_params.c - parameter validation (contract 2.1, 2.2, 3.1, 3.2, 9.1-9.3,
 * 9.16): pExtendedParameters NULL, dwSize, dwCopyFlags, the V2 fields, NULL and
 * empty paths.  A rejected call must create and touch nothing.
 */
#include "harness.h"

#include <string.h>

#define SRC_SEED 0x51u
#define OLD_SEED 0x01du

/* A destination that already exists, with a distinctive past last-write time
 * so that any rewrite of it shows. */
static const WCHAR *old_destination(struct cf2_ctx *t, const WCHAR *name, struct cf2_fp *fp)
{
    const WCHAR *dst = cf2_path(t, name);
    cf2_make_file(dst, 777, OLD_SEED);
    FILETIME old = cf2_filetime(2003, 4, 5, 6, 7, 8, 900);
    cf2_set_times(dst, NULL, NULL, &old);
    *fp = cf2_fp_take(dst);
    return dst;
}

/* Buffer big enough for any structure the tests hand over, aligned like it. */
union params_buf {
    COPYFILE2_EXTENDED_PARAMETERS v1;
    COPYFILE2_EXTENDED_PARAMETERS_V2 v2;
    BYTE bytes[512];
};

/* 9.3: NULL pExtendedParameters copies with no flags (a new destination). */
void params_null_ext_new(struct cf2_ctx *t)
{
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    cf2_make_file(src, 100000, SRC_SEED);
    struct cf2_fp before = cf2_fp_take(src);
    cf2_expect_ok(cf2_call(src, dst, NULL), "NULL pExtendedParameters, new destination");
    cf2_expect_pattern(dst, 100000, SRC_SEED);
    cf2_expect_unchanged(src, &before, "the source");
}

/* 9.3: NULL pExtendedParameters means overwrite allowed. */
void params_null_ext_overwrites(struct cf2_ctx *t)
{
    struct cf2_fp old;
    const WCHAR *src = cf2_path(t, L"source.bin");
    const WCHAR *dst = old_destination(t, L"dest.bin", &old);
    cf2_make_file(src, 100000, SRC_SEED);
    cf2_expect_ok(cf2_call(src, dst, NULL), "NULL pExtendedParameters, existing destination");
    cf2_expect_pattern(dst, 100000, SRC_SEED);
}

/* 2.1: a V1 structure with dwSize = sizeof(COPYFILE2_EXTENDED_PARAMETERS). */
void params_v1_size_accepted(struct cf2_ctx *t)
{
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    cf2_make_file(src, 5000, SRC_SEED);
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(0);
    cf2_expect_ok(cf2_call(src, dst, &p), "V1 structure");
    cf2_expect_pattern(dst, 5000, SRC_SEED);
    cf2_check(p.dwSize == sizeof p && p.dwCopyFlags == 0, "CopyFile2 modified the caller's structure");
}

/* 3.1: a V2 structure with dwSize = sizeof(COPYFILE2_EXTENDED_PARAMETERS_V2). */
void params_v2_size_accepted(struct cf2_ctx *t)
{
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    cf2_make_file(src, 5000, SRC_SEED);
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(0);
    cf2_expect_ok(cf2_call(src, dst, &p), "V2 structure");
    cf2_expect_pattern(dst, 5000, SRC_SEED);
    COPYFILE2_EXTENDED_PARAMETERS_V2 p2 = cf2_v2(COPY_FILE_FAIL_IF_EXISTS);
    cf2_expect_err(cf2_call(src, dst, &p2), ERROR_FILE_EXISTS,
                   "V2 structure with COPY_FILE_FAIL_IF_EXISTS over an existing file");
}

/* 9.1: any other dwSize is E_INVALIDARG, and nothing is created or touched. */
void params_dwsize_invalid(struct cf2_ctx *t)
{
    const DWORD v1 = sizeof(COPYFILE2_EXTENDED_PARAMETERS), v2 = sizeof(COPYFILE2_EXTENDED_PARAMETERS_V2);
    const DWORD sizes[] = { 0, 1, v1 - 1, v1 + 1, v2 - 1, v2 + 1, 0xFFFFFFFFu };
    struct cf2_fp old;
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"new.bin");
    const WCHAR *existing = old_destination(t, L"existing.bin", &old);
    cf2_make_file(src, 3000, SRC_SEED);
    struct cf2_fp before = cf2_fp_take(src);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        union params_buf b;
        memset(&b, 0, sizeof b);
        b.v1.dwSize = sizes[i];
        char what[96];
        snprintf(what, sizeof what, "dwSize %lu (V1 is %lu, V2 is %lu)", sizes[i], v1, v2);
        cf2_expect_invalidarg(cf2_call(src, dst, &b), what);
        cf2_expect_absent(dst);
        cf2_expect_invalidarg(cf2_call(src, existing, &b), what);
        cf2_expect_unchanged(existing, &old, "the existing destination");
        /* Validation comes before any file is looked at. */
        cf2_expect_invalidarg(cf2_call(cf2_path(t, L"missing.bin"), dst, &b), what);
    }
    cf2_expect_unchanged(src, &before, "the source");
    cf2_check(cf2_count_entries(t->dir) == 2, "a rejected call created something in %s",
              cf2_u8(t->dir));
}

/* 9.2: every dwCopyFlags bit outside COPYFILE2_ALL_COPY_FLAGS is rejected, in
 * a V1 and in a V2 structure, even together with known bits. */
void params_unknown_copy_flags(struct cf2_ctx *t)
{
    struct cf2_fp old;
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"new.bin");
    const WCHAR *existing = old_destination(t, L"existing.bin", &old);
    cf2_make_file(src, 3000, SRC_SEED);
    unsigned tried = 0;
    for (int bit = 0; bit < 32; bit++) {
        DWORD flag = 1u << bit;
        if (flag & COPYFILE2_ALL_COPY_FLAGS)
            continue;
        char what[96];
        snprintf(what, sizeof what, "unknown dwCopyFlags bit 0x%08lx", flag);
        COPYFILE2_EXTENDED_PARAMETERS p1 = cf2_v1(flag);
        cf2_expect_invalidarg(cf2_call(src, dst, &p1), what);
        COPYFILE2_EXTENDED_PARAMETERS_V2 p2 = cf2_v2(flag);
        cf2_expect_invalidarg(cf2_call(src, dst, &p2), what);
        p1 = cf2_v1(flag | COPY_FILE_FAIL_IF_EXISTS);
        cf2_expect_invalidarg(cf2_call(src, existing, &p1), what);
        p1 = cf2_v1(flag);
        cf2_expect_invalidarg(cf2_call(src, existing, &p1), what);
        cf2_expect_absent(dst);
        tried++;
    }
    /* The header's gap for private flags and a high bit, by name. */
    const DWORD named[] = { 0x10, 0x20, 0x40, 0x100, 0x200, 0x400, 0x40000000u };
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        cf2_check(!(named[i] & COPYFILE2_ALL_COPY_FLAGS), "0x%lx is not an unknown bit", named[i]);
    cf2_check(tried >= 7, "only %u unknown bits tried", tried);
    cf2_expect_unchanged(existing, &old, "the existing destination");
}

/* 2.2: documented flags that change nothing for a plain local file are
 * accepted and the copy is byte-exact. */
void params_documented_flags_accepted(struct cf2_ctx *t)
{
    static const struct { DWORD flag; const char *name; } flags[] = {
        { COPY_FILE_OPEN_SOURCE_FOR_WRITE, "COPY_FILE_OPEN_SOURCE_FOR_WRITE" },
        { COPY_FILE_ALLOW_DECRYPTED_DESTINATION, "COPY_FILE_ALLOW_DECRYPTED_DESTINATION" },
        { COPY_FILE_COPY_SYMLINK, "COPY_FILE_COPY_SYMLINK (source is not a link)" },
        { COPY_FILE_NO_BUFFERING, "COPY_FILE_NO_BUFFERING" },
        { COPY_FILE_REQUEST_SECURITY_PRIVILEGES, "COPY_FILE_REQUEST_SECURITY_PRIVILEGES" },
        { COPY_FILE_SKIP_ALTERNATE_STREAMS, "COPY_FILE_SKIP_ALTERNATE_STREAMS" },
        { COPY_FILE_NO_OFFLOAD, "COPY_FILE_NO_OFFLOAD" },
        { COPY_FILE_OPEN_AND_COPY_REPARSE_POINT, "COPY_FILE_OPEN_AND_COPY_REPARSE_POINT" },
        { COPY_FILE_IGNORE_EDP_BLOCK, "COPY_FILE_IGNORE_EDP_BLOCK" },
        { COPY_FILE_IGNORE_SOURCE_ENCRYPTION, "COPY_FILE_IGNORE_SOURCE_ENCRYPTION" },
        { COPY_FILE_DONT_REQUEST_DEST_WRITE_DAC, "COPY_FILE_DONT_REQUEST_DEST_WRITE_DAC" },
        { COPY_FILE_DISABLE_PRE_ALLOCATION, "COPY_FILE_DISABLE_PRE_ALLOCATION" },
        { COPY_FILE_ENABLE_LOW_FREE_SPACE_MODE, "COPY_FILE_ENABLE_LOW_FREE_SPACE_MODE" },
        { COPY_FILE_REQUEST_COMPRESSED_TRAFFIC, "COPY_FILE_REQUEST_COMPRESSED_TRAFFIC" },
        { COPY_FILE_ENABLE_SPARSE_COPY, "COPY_FILE_ENABLE_SPARSE_COPY" },
        { COPY_FILE_NO_OFFLOAD | COPY_FILE_ALLOW_DECRYPTED_DESTINATION | COPY_FILE_DISABLE_PRE_ALLOCATION,
          "NO_OFFLOAD|ALLOW_DECRYPTED_DESTINATION|DISABLE_PRE_ALLOCATION" },
    };
    const WCHAR *src = cf2_path(t, L"source.bin");
    const ULONGLONG size = 1 * MiB + 4321; /* two chunks, not a multiple of a sector */
    cf2_make_file(src, size, SRC_SEED);
    struct cf2_fp before = cf2_fp_take(src);
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        WCHAR name[32];
        swprintf(name, 32, L"dest%02u.bin", (unsigned)i);
        const WCHAR *dst = cf2_path(t, name);
        COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(flags[i].flag);
        cf2_expect_ok(cf2_call(src, dst, &p), flags[i].name);
        cf2_expect_pattern(dst, size, SRC_SEED);
        /* and over the copy just made (overwrite) */
        cf2_expect_ok(cf2_call(src, dst, &p), flags[i].name);
        cf2_expect_pattern(dst, size, SRC_SEED);
    }
    cf2_expect_unchanged(src, &before, "the source");
}

/* 3.2: the known dwCopyFlagsV2 bits are accepted. */
void params_v2_known_flags_accepted(struct cf2_ctx *t)
{
    const WCHAR *src = cf2_path(t, L"source.bin");
    cf2_make_file(src, 70000, SRC_SEED);
    const DWORD v2flags[] = { COPY_FILE2_V2_DONT_COPY_JUNCTIONS, COPY_FILE2_V2_DISABLE_BLOCK_CLONING,
                              COPY_FILE2_V2_DONT_COPY_JUNCTIONS | COPY_FILE2_V2_DISABLE_BLOCK_CLONING };
    for (size_t i = 0; i < 3; i++) {
        WCHAR name[32];
        swprintf(name, 32, L"dest%u.bin", (unsigned)i);
        const WCHAR *dst = cf2_path(t, name);
        COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(0);
        p.dwCopyFlagsV2 = v2flags[i];
        char what[64];
        snprintf(what, sizeof what, "dwCopyFlagsV2 0x%lx", v2flags[i]);
        cf2_expect_ok(cf2_call(src, dst, &p), what);
        cf2_expect_pattern(dst, 70000, SRC_SEED);
    }
}

/* 9.2: unknown dwCopyFlagsV2 bits are rejected. */
void params_v2_unknown_flags(struct cf2_ctx *t)
{
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"new.bin");
    cf2_make_file(src, 3000, SRC_SEED);
    for (int bit = 0; bit < 32; bit++) {
        DWORD flag = 1u << bit;
        if (flag & COPYFILE2_ALL_COPY_FLAGS_V2)
            continue;
        COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(0);
        p.dwCopyFlagsV2 = flag;
        char what[64];
        snprintf(what, sizeof what, "unknown dwCopyFlagsV2 bit 0x%08lx", flag);
        cf2_expect_invalidarg(cf2_call(src, dst, &p), what);
        p.dwCopyFlagsV2 = flag | COPY_FILE2_V2_DONT_COPY_JUNCTIONS;
        cf2_expect_invalidarg(cf2_call(src, dst, &p), what);
        cf2_expect_absent(dst);
    }
}

/* 9.2: a non-zero reserved[i] is rejected. */
void params_v2_reserved_nonzero(struct cf2_ctx *t)
{
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"new.bin");
    cf2_make_file(src, 3000, SRC_SEED);
    const size_t n = sizeof ((COPYFILE2_EXTENDED_PARAMETERS_V2 *)0)->reserved / sizeof(PVOID);
    cf2_check(n == 6, "the V2 structure has %u reserved pointers, expected 6", (unsigned)n);
    for (size_t i = 0; i < n; i++) {
        const uintptr_t values[] = { 1, (uintptr_t)-1, (uintptr_t)0x1000 };
        for (size_t v = 0; v < 3; v++) {
            COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(0);
            p.reserved[i] = (PVOID)values[v];
            char what[64];
            snprintf(what, sizeof what, "reserved[%u] = %p", (unsigned)i, p.reserved[i]);
            cf2_expect_invalidarg(cf2_call(src, dst, &p), what);
            cf2_expect_absent(dst);
        }
    }
}

/* 9.16: ioDesiredSize is 0 or within [4096, 0x40000000]. */
void params_v2_io_size_bounds(struct cf2_ctx *t)
{
    const WCHAR *src = cf2_path(t, L"source.bin");
    const ULONGLONG size = 70001;
    cf2_make_file(src, size, SRC_SEED);
    const ULONG bad[] = { 1, 512, COPYFILE2_IO_CYCLE_SIZE_MIN - 1, COPYFILE2_IO_CYCLE_SIZE_MAX + 1,
                          0x80000000u, 0xFFFFFFFFu };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(0);
        p.ioDesiredSize = bad[i];
        char what[64];
        snprintf(what, sizeof what, "ioDesiredSize %lu", bad[i]);
        cf2_expect_invalidarg(cf2_call(src, cf2_path(t, L"bad.bin"), &p), what);
        cf2_expect_absent(cf2_path(t, L"bad.bin"));
    }
    const ULONG good[] = { 0, COPYFILE2_IO_CYCLE_SIZE_MIN, 4097, 65536, COPYFILE2_IO_CYCLE_SIZE_MAX };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(0);
        p.ioDesiredSize = good[i];
        WCHAR name[32];
        swprintf(name, 32, L"good%u.bin", (unsigned)i);
        char what[64];
        snprintf(what, sizeof what, "ioDesiredSize %lu", good[i]);
        cf2_expect_ok(cf2_call(src, cf2_path(t, name), &p), what);
        cf2_expect_pattern(cf2_path(t, name), size, SRC_SEED);
    }
}

/* 9.16: ioDesiredRate is 0 or at least 512 KB/s. */
void params_v2_io_rate_bounds(struct cf2_ctx *t)
{
    const WCHAR *src = cf2_path(t, L"source.bin");
    const ULONGLONG size = 20000;
    cf2_make_file(src, size, SRC_SEED);
    const ULONG bad[] = { 1, 100, COPYFILE2_IO_RATE_MIN - 1 };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(0);
        p.ioDesiredRate = bad[i];
        char what[64];
        snprintf(what, sizeof what, "ioDesiredRate %lu", bad[i]);
        cf2_expect_invalidarg(cf2_call(src, cf2_path(t, L"bad.bin"), &p), what);
        cf2_expect_absent(cf2_path(t, L"bad.bin"));
    }
    const ULONG good[] = { 0, COPYFILE2_IO_RATE_MIN, 100000, 0xFFFFFFFFu };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(0);
        p.ioDesiredRate = good[i];
        WCHAR name[32];
        swprintf(name, 32, L"good%u.bin", (unsigned)i);
        char what[64];
        snprintf(what, sizeof what, "ioDesiredRate %lu", good[i]);
        DWORD t0 = GetTickCount();
        cf2_expect_ok(cf2_call(src, cf2_path(t, name), &p), what);
        DWORD ms = GetTickCount() - t0;
        cf2_check(ms < 10000, "%s: copying %llu bytes took %lu ms", what, size, ms);
        cf2_expect_pattern(cf2_path(t, name), size, SRC_SEED);
    }
}

/* 3.1, 9.1: the V2-only fields are never read from a V1 structure. */
void params_v1_ignores_v2_tail(struct cf2_ctx *t)
{
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    cf2_make_file(src, 9000, SRC_SEED);
    union params_buf b;
    memset(&b, 0xA5, sizeof b); /* garbage where V2 has flags, sizes, reserved */
    memset(&b.v1, 0, sizeof b.v1);
    b.v1.dwSize = sizeof b.v1;
    cf2_expect_ok(cf2_call(src, dst, &b), "V1 structure followed by garbage");
    cf2_expect_pattern(dst, 9000, SRC_SEED);
    for (size_t i = sizeof b.v1; i < sizeof b.bytes; i++)
        cf2_check(b.bytes[i] == 0xA5, "CopyFile2 wrote past the V1 structure (byte %u)", (unsigned)i);
}

/* 9.3: a NULL path is E_INVALIDARG (with or without parameters). */
void params_null_paths(struct cf2_ctx *t)
{
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    cf2_make_file(src, 100, SRC_SEED);
    struct cf2_fp before = cf2_fp_take(src);
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(0);
    cf2_expect_invalidarg(cf2_call(NULL, dst, NULL), "NULL source, NULL parameters");
    cf2_expect_invalidarg(cf2_call(NULL, dst, &p), "NULL source");
    cf2_expect_invalidarg(cf2_call(src, NULL, NULL), "NULL destination, NULL parameters");
    cf2_expect_invalidarg(cf2_call(src, NULL, &p), "NULL destination");
    cf2_expect_invalidarg(cf2_call(NULL, NULL, &p), "NULL source and destination");
    p = cf2_v1(COPY_FILE_FAIL_IF_EXISTS);
    cf2_expect_invalidarg(cf2_call(src, NULL, &p), "NULL destination, FAIL_IF_EXISTS");
    cf2_expect_absent(dst);
    cf2_expect_unchanged(src, &before, "the source");
    cf2_check(cf2_count_entries(t->dir) == 1, "a rejected call created something in %s", cf2_u8(t->dir));
}

/* 9.3: an empty path is ERROR_PATH_NOT_FOUND. */
void params_empty_paths(struct cf2_ctx *t)
{
    struct cf2_fp old;
    const WCHAR *src = cf2_path(t, L"source.bin");
    const WCHAR *existing = old_destination(t, L"existing.bin", &old);
    cf2_make_file(src, 100, SRC_SEED);
    struct cf2_fp before = cf2_fp_take(src);
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(0);
    cf2_expect_err(cf2_call(L"", cf2_path(t, L"dest.bin"), &p), ERROR_PATH_NOT_FOUND, "empty source");
    cf2_expect_err(cf2_call(L"", existing, NULL), ERROR_PATH_NOT_FOUND, "empty source, existing destination");
    cf2_expect_err(cf2_call(src, L"", &p), ERROR_PATH_NOT_FOUND, "empty destination");
    cf2_expect_err(cf2_call(src, L"", NULL), ERROR_PATH_NOT_FOUND, "empty destination, NULL parameters");
    cf2_expect_err(cf2_call(L"", L"", &p), ERROR_PATH_NOT_FOUND, "both empty");
    cf2_expect_unchanged(src, &before, "the source");
    cf2_expect_unchanged(existing, &old, "the existing destination");
    cf2_check(cf2_count_entries(t->dir) == 2, "a rejected call created something in %s", cf2_u8(t->dir));
}

/* 9.1, 9.2: every kind of rejected parameter leaves an existing destination
 * exactly as it was (bytes, size, attributes, last-write time). */
void params_rejected_leaves_destination(struct cf2_ctx *t)
{
    struct cf2_fp old;
    const WCHAR *src = cf2_path(t, L"source.bin");
    const WCHAR *dst = old_destination(t, L"dest.bin", &old);
    cf2_make_file(src, 2 * MiB, SRC_SEED);
    union params_buf b;

    memset(&b, 0, sizeof b);
    b.v1.dwSize = sizeof b.v1 + 4;
    cf2_expect_invalidarg(cf2_call(src, dst, &b), "bad dwSize");
    b.v1 = cf2_v1(0x10);
    cf2_expect_invalidarg(cf2_call(src, dst, &b), "unknown dwCopyFlags");
    b.v2 = cf2_v2(0);
    b.v2.dwCopyFlagsV2 = 0x4;
    cf2_expect_invalidarg(cf2_call(src, dst, &b), "unknown dwCopyFlagsV2");
    b.v2 = cf2_v2(0);
    b.v2.reserved[5] = &b;
    cf2_expect_invalidarg(cf2_call(src, dst, &b), "non-zero reserved[5]");
    b.v2 = cf2_v2(0);
    b.v2.ioDesiredSize = 100;
    cf2_expect_invalidarg(cf2_call(src, dst, &b), "ioDesiredSize 100");
    b.v2 = cf2_v2(0);
    b.v2.ioDesiredRate = 1;
    cf2_expect_invalidarg(cf2_call(src, dst, &b), "ioDesiredRate 1");
    cf2_expect_unchanged(dst, &old, "the existing destination");
}

static COPYFILE2_MESSAGE_ACTION CALLBACK count_and_continue(const COPYFILE2_MESSAGE *m, PVOID ctx)
{
    (void)m;
    (*(unsigned *)ctx)++;
    return COPYFILE2_PROGRESS_CONTINUE;
}

/* 2.1: a progress routine and a pfCancel pointing at FALSE are accepted. */
void params_progress_and_cancel_accepted(struct cf2_ctx *t)
{
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    const ULONGLONG size = 2 * MiB + 512 * KiB + 3;
    cf2_make_file(src, size, SRC_SEED);
    BOOL cancel = FALSE;
    unsigned calls = 0;
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(0);
    p.pfCancel = &cancel;
    p.pProgressRoutine = count_and_continue;
    p.pvCallbackContext = &calls;
    cf2_expect_ok(cf2_call(src, dst, &p), "progress routine answering CONTINUE, pfCancel -> FALSE");
    cf2_expect_pattern(dst, size, SRC_SEED);
    cf2_check(cancel == FALSE, "pfCancel's BOOL was changed");
    cf2_note("the progress routine was called %u times (not checked here)", calls);
    /* pfCancel alone, no routine */
    COPYFILE2_EXTENDED_PARAMETERS q = cf2_v1(0);
    q.pfCancel = &cancel;
    cf2_expect_ok(cf2_call(src, cf2_path(t, L"dest2.bin"), &q), "pfCancel -> FALSE, no routine");
    cf2_expect_pattern(cf2_path(t, L"dest2.bin"), size, SRC_SEED);
}
