/*
 * test_failure.c - the destination's fate when a copy fails (contract 1.5,
 * 9.11), driven by the test build's fault seam cf2_test_set_fault(phase,
 * chunk, error): the fault fires once at that phase (and, for READ_SOURCE and
 * WRITE_DESTINATION, at that 0-based chunk of the default 1 MiB chunks).
 *
 * The rules asserted (OURS):
 * - a failure after the destination was created or its content changed
 *   deletes the destination, new or existing (FAIL_IF_EXISTS off);
 * - a PREPARE_DEST fault fires before the destination is opened: a new
 *   destination does not appear and an existing one is untouched;
 * - a PREPARE_SOURCE fault likewise touches nothing;
 * - the result is HRESULT_FROM_WIN32(error) with that error as the last error.
 */
#include "harness.h"

#include <string.h>

#define SRC_SEED 0xfa17u
#define OLD_SEED 0x01du
#define SRC_SIZE (3 * MiB + 512 * KiB) /* chunks 0..3, the last one half full */

struct setup {
    const WCHAR *src, *dst;
    struct cf2_fp src_fp, dst_fp;
};

static struct setup given(struct cf2_ctx *t, BOOL existing_destination, ULONGLONG src_size)
{
    struct setup s;
    s.src = cf2_path(t, L"source.bin");
    s.dst = cf2_path(t, L"dest.bin");
    cf2_make_file(s.src, src_size, SRC_SEED);
    FILETIME w = cf2_filetime(2001, 2, 3, 4, 5, 6, 700);
    cf2_set_times(s.src, NULL, NULL, &w);
    if (existing_destination) {
        cf2_make_file(s.dst, 5 * MiB + 3, OLD_SEED);
        FILETIME ow = cf2_filetime(2003, 4, 5, 6, 7, 8, 900);
        cf2_set_times(s.dst, NULL, NULL, &ow);
    }
    s.src_fp = cf2_fp_take(s.src);
    s.dst_fp = cf2_fp_take(s.dst);
    return s;
}

/* Runs one faulted copy; `gone` says whether the destination must be deleted
 * (else it must be untouched: absent if it was new, unchanged if it existed). */
static void faulted_copy(struct cf2_ctx *t, BOOL existing, ULONGLONG size, DWORD phase, ULONGLONG chunk,
                         DWORD error, BOOL gone)
{
    struct setup s = given(t, existing, size);
    cf2_set_fault(phase, chunk, error);
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(0);
    char what[128];
    snprintf(what, sizeof what, "%s fault at chunk %llu (error %lu), %s destination, %llu-byte source",
             cf2_phase_name(phase), chunk, error, existing ? "existing" : "new", size);
    cf2_expect_err(cf2_call(s.src, s.dst, &p), error, what);
    if (gone)
        cf2_check(!cf2_exists(s.dst), "%s: the destination was not deleted", what);
    else
        cf2_expect_unchanged(s.dst, &s.dst_fp, existing ? "the existing destination" : "the (absent) destination");
    cf2_expect_unchanged(s.src, &s.src_fp, "the source");
    cf2_check(cf2_count_entries(t->dir) == (existing && !gone ? 2 : 1),
              "%s: stray files left in %s", what, cf2_u8(t->dir));
    /* The fault fired once: the same copy now succeeds. */
    cf2_expect_ok(cf2_call(s.src, s.dst, &p), "the same copy after the fault");
    cf2_expect_pattern(s.dst, size, SRC_SEED);
}

void fail_write_chunk0_new(struct cf2_ctx *t)
{
    faulted_copy(t, FALSE, SRC_SIZE, COPYFILE2_PHASE_WRITE_DESTINATION, 0, ERROR_DISK_FULL, TRUE);
}

void fail_write_chunk2_new(struct cf2_ctx *t)
{
    faulted_copy(t, FALSE, SRC_SIZE, COPYFILE2_PHASE_WRITE_DESTINATION, 2, ERROR_DISK_FULL, TRUE);
}

void fail_write_last_chunk_new(struct cf2_ctx *t)
{
    faulted_copy(t, FALSE, SRC_SIZE, COPYFILE2_PHASE_WRITE_DESTINATION, 3, ERROR_WRITE_FAULT, TRUE);
}

void fail_write_small_file_new(struct cf2_ctx *t)
{
    faulted_copy(t, FALSE, 100, COPYFILE2_PHASE_WRITE_DESTINATION, 0, ERROR_HANDLE_DISK_FULL, TRUE);
}

void fail_write_chunk0_existing(struct cf2_ctx *t)
{
    faulted_copy(t, TRUE, SRC_SIZE, COPYFILE2_PHASE_WRITE_DESTINATION, 0, ERROR_DISK_FULL, TRUE);
}

void fail_write_chunk2_existing(struct cf2_ctx *t)
{
    faulted_copy(t, TRUE, SRC_SIZE, COPYFILE2_PHASE_WRITE_DESTINATION, 2, ERROR_DISK_FULL, TRUE);
}

void fail_read_chunk0_new(struct cf2_ctx *t)
{
    faulted_copy(t, FALSE, SRC_SIZE, COPYFILE2_PHASE_READ_SOURCE, 0, ERROR_READ_FAULT, TRUE);
}

void fail_read_chunk2_new(struct cf2_ctx *t)
{
    faulted_copy(t, FALSE, SRC_SIZE, COPYFILE2_PHASE_READ_SOURCE, 2, ERROR_CRC, TRUE);
}

void fail_read_chunk1_existing(struct cf2_ctx *t)
{
    faulted_copy(t, TRUE, SRC_SIZE, COPYFILE2_PHASE_READ_SOURCE, 1, ERROR_READ_FAULT, TRUE);
}

void fail_prepare_dest_new(struct cf2_ctx *t)
{
    faulted_copy(t, FALSE, SRC_SIZE, COPYFILE2_PHASE_PREPARE_DEST, 0, ERROR_WRITE_PROTECT, FALSE);
}

void fail_prepare_dest_existing(struct cf2_ctx *t)
{
    faulted_copy(t, TRUE, SRC_SIZE, COPYFILE2_PHASE_PREPARE_DEST, 0, ERROR_WRITE_PROTECT, FALSE);
}

void fail_prepare_source_new(struct cf2_ctx *t)
{
    faulted_copy(t, FALSE, SRC_SIZE, COPYFILE2_PHASE_PREPARE_SOURCE, 0, ERROR_NOT_READY, FALSE);
}

void fail_prepare_source_existing(struct cf2_ctx *t)
{
    faulted_copy(t, TRUE, SRC_SIZE, COPYFILE2_PHASE_PREPARE_SOURCE, 0, ERROR_NOT_READY, FALSE);
}

/* A write fault at a chunk the copy never reaches does not fire; the armed
 * fault is cleared by phase 0 (the seam's own contract). */
void fail_fault_beyond_end_and_clear(struct cf2_ctx *t)
{
    struct setup s = given(t, FALSE, 1 * MiB + 1); /* chunks 0 and 1 */
    cf2_set_fault(COPYFILE2_PHASE_WRITE_DESTINATION, 2, ERROR_DISK_FULL);
    cf2_expect_ok(cf2_call(s.src, s.dst, NULL), "fault armed at a chunk past the end");
    cf2_expect_pattern(s.dst, 1 * MiB + 1, SRC_SEED);
    cf2_set_fault(COPYFILE2_PHASE_WRITE_DESTINATION, 0, ERROR_DISK_FULL);
    cf2_set_fault(0, 0, 0);
    cf2_expect_ok(cf2_call(s.src, cf2_path(t, L"dest2.bin"), NULL), "fault cleared with phase 0");
    cf2_expect_pattern(cf2_path(t, L"dest2.bin"), 1 * MiB + 1, SRC_SEED);
    cf2_expect_unchanged(s.src, &s.src_fp, "the source");
}

/* With V2 ioDesiredSize the chunk numbers follow the requested size. */
void fail_write_chunk_with_io_size(struct cf2_ctx *t)
{
    struct setup s = given(t, FALSE, 100 * KiB);
    cf2_set_fault(COPYFILE2_PHASE_WRITE_DESTINATION, 10, ERROR_DISK_FULL); /* 64 KiB chunks: 0, 1 only */
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(0);
    p.ioDesiredSize = 64 * 1024;
    cf2_expect_ok(cf2_call(s.src, s.dst, &p), "64 KiB chunks, fault at chunk 10 never reached");
    cf2_set_fault(0, 0, 0);
    cf2_check(DeleteFileW(s.dst), "cannot delete the copy: %lu", GetLastError());
    p.ioDesiredSize = 4096;                                                 /* chunks 0..24 */
    cf2_set_fault(COPYFILE2_PHASE_WRITE_DESTINATION, 10, ERROR_DISK_FULL);
    cf2_expect_err(cf2_call(s.src, s.dst, &p), ERROR_DISK_FULL, "4 KiB chunks, fault at chunk 10");
    cf2_check(!cf2_exists(s.dst), "the destination was not deleted");
    cf2_expect_unchanged(s.src, &s.src_fp, "the source");
}

/* 1.5 (CopyFileEx, observed) and 9.11: when another handle keeps the
 * destination from being deleted, the failed copy still returns its own
 * error (not the delete's) and the fragment stays; when the other handle
 * shares deletion, the destination is deleted. */
void fail_write_destination_held_open(struct cf2_ctx *t)
{
    struct setup s = given(t, TRUE, SRC_SIZE);
    HANDLE h = cf2_open(t, s.dst, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, OPEN_EXISTING);
    cf2_set_fault(COPYFILE2_PHASE_WRITE_DESTINATION, 2, ERROR_DISK_FULL);
    cf2_expect_err(cf2_call(s.src, s.dst, NULL), ERROR_DISK_FULL,
                   "write fault, destination held open without FILE_SHARE_DELETE");
    cf2_close(t, h);
    cf2_check(cf2_exists(s.dst), "the destination was deleted although another handle denied deletion");

    h = cf2_open(t, s.dst, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, OPEN_EXISTING);
    cf2_set_fault(COPYFILE2_PHASE_WRITE_DESTINATION, 2, ERROR_DISK_FULL);
    cf2_expect_err(cf2_call(s.src, s.dst, NULL), ERROR_DISK_FULL,
                   "write fault, destination held open with FILE_SHARE_DELETE");
    cf2_close(t, h);
    cf2_check(!cf2_exists(s.dst), "the destination was not deleted (the other handle allowed it)");
    cf2_expect_unchanged(s.src, &s.src_fp, "the source");
}
