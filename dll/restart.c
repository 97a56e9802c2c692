/*
 * restart.c - restartable copies on the Windows side: finding a resumable
 * destination, checkpoints, and the header written by PAUSE and STOP.
 *
 * The header format and its codec are in restart_codec.c (no Windows API);
 * docs/restart-header.md specifies both, and the commit protocol followed
 * here: data written, data flushed, then the next header slot written in one
 * write and flushed.  A crash at any instant therefore leaves the newest
 * valid slot describing a prefix of the destination that is on disk.
 */
#include "internal.h"

/* A checkpoint is taken at the first chunk boundary at least this long after
 * the previous commit ... */
#define CF2_CHECKPOINT_MIN_MS 1000u
/* ... and never sooner than this many times the duration of the previous
 * flush, so that flushing costs at most about a quarter of the copy's time
 * whatever the disk (a flush writes the page cache's dirty data to disk,
 * which can take far longer than copying it did). */
#define CF2_CHECKPOINT_FLUSH_FACTOR 4u

/* The last-write time given to a paused or stopped destination: 1980-01-01
 * 00:00:00 UTC, the earliest time every file system can store, so that tools
 * comparing times never take the fragment for an up-to-date copy. */
static const ULONGLONG paused_write_time = 119600064000000000ull;

void cf2_restart_source_facts(const BY_HANDLE_FILE_INFORMATION *info,
                              struct cf2_restart_header *h)
{
    ZeroMemory(h, sizeof *h);
    h->source_size = ((ULONGLONG)info->nFileSizeHigh << 32) | info->nFileSizeLow;
    h->source_mtime = ((ULONGLONG)info->ftLastWriteTime.dwHighDateTime << 32) |
                      info->ftLastWriteTime.dwLowDateTime;
    h->volume_serial = info->dwVolumeSerialNumber;
    /* Win32 gives a 64-bit file index; the format stores 128 bits. */
    ULONGLONG index = ((ULONGLONG)info->nFileIndexHigh << 32) | info->nFileIndexLow;
    for (int i = 0; i < 8; i++)
        h->file_id[i] = (uint8_t)(index >> (8 * i));
    h->stream = 1;
}

static DWORD read_at(HANDLE h, ULONGLONG offset, void *buf, DWORD n)
{
    DWORD got = 0;
    DWORD err = cf2_read_at(h, offset, buf, n, &got);
    if (err)
        return err;
    return got == n ? 0 : ERROR_HANDLE_EOF;
}

static DWORD write_at(HANDLE h, ULONGLONG offset, const void *buf, DWORD n)
{
    DWORD put = 0;
    DWORD err = cf2_write_at(h, offset, buf, n, &put);
    if (err)
        return err;
    return put == n ? 0 : ERROR_WRITE_FAULT;
}

BOOL cf2_restart_probe(struct cf2_restart *rs, HANDLE dst, ULONGLONG dst_size,
                       const struct cf2_restart_header *source, DWORD chunk_size,
                       DWORD copy_flags)
{
    if (dst_size != cf2_rh_file_size(source->source_size))
        return FALSE;
    /* Page-aligned, so that the read is valid on an unbuffered handle too. */
    uint8_t *trailer = VirtualAlloc(NULL, CF2_RH_TRAILER_SIZE, MEM_COMMIT | MEM_RESERVE,
                                    PAGE_READWRITE);
    if (!trailer)
        return FALSE;
    BOOL ok = FALSE;
    struct cf2_restart_header h;
    if (read_at(dst, cf2_rh_trailer_offset(source->source_size), trailer,
                CF2_RH_TRAILER_SIZE) == 0 &&
        cf2_rh_pick(trailer, CF2_RH_TRAILER_SIZE, &h, NULL) == CF2_RH_OK &&
        cf2_rh_matches_source(&h, source->source_size, source->source_mtime,
                              source->volume_serial, source->file_id) &&
        cf2_rh_matches_file_size(&h, dst_size) && h.stream == 1) {
        rs->active = TRUE;
        rs->last = h;
        /* Later commits describe this call's copy. */
        rs->last.chunk_size = chunk_size;
        rs->last.copy_flags = copy_flags;
        rs->last.committed = h.committed == h.source_size ? h.committed
                                                            : h.committed / chunk_size * chunk_size;
        rs->last_commit_ms = GetTickCount64();
        ok = TRUE;
    }
    VirtualFree(trailer, 0, MEM_RELEASE);
    return ok;
}

/* Writes the next slot for `committed` and flushes it.  The data before
 * `committed` must already be flushed. */
static DWORD write_slot(struct cf2_restart *rs, HANDLE dst, ULONGLONG committed)
{
    struct cf2_restart_header h = rs->last;
    unsigned slot = cf2_rh_next_slot(rs->active ? &rs->last : NULL);
    h.sequence = rs->active ? rs->last.sequence + 1 : 0;
    /* Resumes start on a chunk boundary: commit whole chunks only. */
    h.committed = committed == h.source_size ? committed : committed / h.chunk_size * h.chunk_size;

    uint8_t *buf = VirtualAlloc(NULL, CF2_RH_SLOT_SIZE, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    if (!buf)
        return ERROR_NOT_ENOUGH_MEMORY;
    if (cf2_rh_encode(&h, buf) != CF2_RH_OK) {
        VirtualFree(buf, 0, MEM_RELEASE);
        return ERROR_INVALID_DATA; /* cannot happen with the engine's values */
    }
    DWORD err = write_at(dst, cf2_rh_trailer_offset(h.source_size) + (ULONGLONG)slot * CF2_RH_SLOT_SIZE,
                         buf, CF2_RH_SLOT_SIZE);
    VirtualFree(buf, 0, MEM_RELEASE);
    if (!err && !FlushFileBuffers(dst))
        err = GetLastError();
    if (!err) {
        rs->last = h;
        rs->active = TRUE;
    }
    return err;
}

DWORD cf2_restart_begin(struct cf2_restart *rs, HANDLE dst,
                        const struct cf2_restart_header *source, DWORD chunk_size,
                        DWORD copy_flags)
{
    /* The data region and the trailer are sized at once: data writes then
     * never extend the file past the header. */
    FILE_END_OF_FILE_INFO eof;
    eof.EndOfFile.QuadPart = (LONGLONG)cf2_rh_file_size(source->source_size);
    if (!SetFileInformationByHandle(dst, FileEndOfFileInfo, &eof, sizeof eof))
        return GetLastError();
    rs->active = FALSE;
    rs->last = *source;
    rs->last.chunk_size = chunk_size;
    rs->last.copy_flags = copy_flags;
    DWORD err = write_slot(rs, dst, 0);
    rs->last_commit_ms = GetTickCount64();
    return err;
}

DWORD cf2_restart_commit(struct cf2_restart *rs, HANDLE dst, ULONGLONG committed)
{
    ULONGLONG start = GetTickCount64();
    if (!FlushFileBuffers(dst))
        return GetLastError();
    DWORD err = write_slot(rs, dst, committed);
    ULONGLONG end = GetTickCount64();
    rs->last_flush_ms = end - start;
    rs->last_commit_ms = end;
    return err;
}

BOOL cf2_restart_due(const struct cf2_restart *rs)
{
    ULONGLONG wait = rs->last_flush_ms * CF2_CHECKPOINT_FLUSH_FACTOR;
    if (wait < CF2_CHECKPOINT_MIN_MS)
        wait = CF2_CHECKPOINT_MIN_MS;
    return GetTickCount64() - rs->last_commit_ms >= wait;
}

DWORD cf2_restart_mark_incomplete(HANDLE dst)
{
    FILE_BASIC_INFO basic;
    ZeroMemory(&basic, sizeof basic);
    basic.LastWriteTime.QuadPart = (LONGLONG)paused_write_time;
    if (!SetFileInformationByHandle(dst, FileBasicInfo, &basic, sizeof basic))
        return GetLastError();
    return 0;
}
