/*
 * engine.c - the copy engine: opens the source, then the destination, copies
 * the data chunk by chunk under the progress protocol, applies the metadata,
 * and decides the destination's fate when the copy does not complete.
 *
 * Design notes (measured under Wine 8.0 on ext4, see docs/benchmarks.md):
 * - The destination is never truncated to zero.  An existing destination is
 *   opened as it is and overwritten in place, then cut to the source's length:
 *   truncation to zero makes ext4 flush the whole file when the handle closes
 *   (auto_da_alloc), which doubles the time of an overwrite.
 * - Windows' truncation of an existing destination fails with
 *   ERROR_USER_MAPPED_FILE when a view of it is mapped.  Shortening it (to the
 *   source's length, or by one byte when the source is not shorter) gives the
 *   same answer under Wine without a truncation to zero.
 */
#include "internal.h"

/* Largest I/O buffer: a chunk larger than this (ioDesiredSize up to 1 GiB)
 * is done in several read/write cycles, so memory does not grow with it. */
#define CF2_MAX_IO_BUFFER (1024u * 1024u)

enum fate { FATE_DELETE, FATE_KEEP };

struct job {
    const struct cf2_request *req;
    struct cf2_progress prog;
    HANDLE src;
    HANDLE dst;
    BY_HANDLE_FILE_INFORMATION src_info;
    ULONGLONG size;           /* bytes to copy: the source's size when opened */
    BOOL dst_modified;        /* we created the destination or changed its content */
    BYTE *buf;
    DWORD buf_size;
};

static ULONGLONG file_size_of(const BY_HANDLE_FILE_INFORMATION *info)
{
    return ((ULONGLONG)info->nFileSizeHigh << 32) | info->nFileSizeLow;
}

static BOOL same_file(const BY_HANDLE_FILE_INFORMATION *a, const BY_HANDLE_FILE_INFORMATION *b)
{
    return a->dwVolumeSerialNumber == b->dwVolumeSerialNumber &&
           a->nFileIndexHigh == b->nFileIndexHigh && a->nFileIndexLow == b->nFileIndexLow;
}

static DWORD set_end_of_file(HANDLE h, ULONGLONG size)
{
    FILE_END_OF_FILE_INFO eof;
    eof.EndOfFile.QuadPart = (LONGLONG)size;
    if (!SetFileInformationByHandle(h, FileEndOfFileInfo, &eof, sizeof eof))
        return GetLastError();
    return 0;
}

/* Turns the verdict of a progress message into the call's result. */
static DWORD result_of(enum cf2_verdict v, enum fate *fate)
{
    switch (v) {
    case CF2_CANCEL: *fate = FATE_DELETE; return ERROR_REQUEST_ABORTED;
    case CF2_STOP: *fate = FATE_KEEP; return ERROR_REQUEST_ABORTED;
    case CF2_PAUSE: *fate = FATE_KEEP; return ERROR_REQUEST_PAUSED;
    case CF2_INVALID: *fate = FATE_DELETE; return ERROR_INVALID_PARAMETER;
    case CF2_GO: break;
    }
    return 0;
}

/* A step failed: report it with an ERROR message and decide the outcome.
 * CONTINUE and QUIET fail the copy with the error itself (no retry, so a
 * caller that always answers CONTINUE cannot spin on a persistent error). */
static DWORD fail(struct job *j, COPYFILE2_COPY_PHASE phase, DWORD error, enum fate *fate)
{
    enum cf2_verdict v = cf2_progress_error(&j->prog, phase, error);
    *fate = FATE_DELETE;
    if (v == CF2_GO)
        return error;
    return result_of(v, fate);
}

/* Ends the stream early after STOP or PAUSE: the callback gets exactly one
 * more message, STREAM_FINISHED, whose answer cannot change the outcome. */
static void finish_stream_early(struct job *j)
{
    struct cf2_progress *p = &j->prog;
    cf2_progress_stream_finished(p);
    p->quiet = TRUE;
}

static DWORD open_source(struct job *j)
{
    const struct cf2_request *req = j->req;
    DWORD access = GENERIC_READ;
    DWORD flags = FILE_FLAG_SEQUENTIAL_SCAN;
    if (req->flags & COPY_FILE_OPEN_SOURCE_FOR_WRITE)
        access |= GENERIC_WRITE;
    if (req->flags & COPY_FILE_NO_BUFFERING)
        flags |= FILE_FLAG_NO_BUFFERING;
    DWORD err = cf2_fault(COPYFILE2_PHASE_PREPARE_SOURCE, 0);
    if (err)
        return err;
    /* Read sharing for other readers, write and delete sharing so that a
     * source held open for writing or deletion can still be copied
     * (contract 1.6, cases 4, 6 and 7). */
    j->src = CreateFileW(req->src, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         NULL, OPEN_EXISTING, flags, NULL);
    if (j->src == INVALID_HANDLE_VALUE)
        return GetLastError();
    if (!GetFileInformationByHandle(j->src, &j->src_info))
        return GetLastError();
    if (j->src_info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
        return ERROR_ACCESS_DENIED;
    j->size = file_size_of(&j->src_info);
    return 0;
}

/* Opens or creates the destination.  Nothing is changed in an existing
 * destination until it is known to be a different, writable file. */
static DWORD open_destination(struct job *j)
{
    const struct cf2_request *req = j->req;
    DWORD disposition = (req->flags & COPY_FILE_FAIL_IF_EXISTS) ? CREATE_NEW : OPEN_ALWAYS;
    DWORD flags = FILE_ATTRIBUTE_NORMAL;
    if (req->flags & COPY_FILE_NO_BUFFERING)
        flags |= FILE_FLAG_NO_BUFFERING;
    DWORD err = cf2_fault(COPYFILE2_PHASE_PREPARE_DEST, 0);
    if (err)
        return err;
    /* Write access only and no delete sharing: another handle that denies
     * writing, or holds delete access, makes this a sharing violation, while
     * readers and writers that share writing are allowed (contract 1.6,
     * cases 8 to 12).  Read access is not requested: a handle that shares only
     * writing (case 9) must not conflict. */
    j->dst = CreateFileW(req->dst, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                         disposition, flags, NULL);
    if (j->dst == INVALID_HANDLE_VALUE) {
        err = GetLastError();
        /* CREATE_NEW over an existing directory: still "the name exists". */
        return err == ERROR_ALREADY_EXISTS ? ERROR_FILE_EXISTS : err;
    }
    j->prog.dst = j->dst;
    if (disposition == CREATE_NEW || GetLastError() != ERROR_ALREADY_EXISTS) {
        j->dst_modified = TRUE; /* created by us: ours to delete on failure */
        return 0;
    }

    BY_HANDLE_FILE_INFORMATION info;
    if (!GetFileInformationByHandle(j->dst, &info))
        return GetLastError();
    if (same_file(&info, &j->src_info))
        return ERROR_SHARING_VIOLATION;
    if (cf2_is_protected_destination(info.dwFileAttributes))
        return ERROR_ACCESS_DENIED;
    ULONGLONG old_size = file_size_of(&info);
    if (old_size > 0) {
        /* Shorten it as Windows' truncation would (ERROR_USER_MAPPED_FILE
         * while a view is mapped), without truncating to zero. */
        err = set_end_of_file(j->dst, j->size < old_size ? j->size : old_size - 1);
        if (err)
            return err;
        j->dst_modified = TRUE;
    }
    return 0;
}

static DWORD read_exact(struct job *j, BYTE *buf, DWORD n)
{
    DWORD err = cf2_fault(COPYFILE2_PHASE_READ_SOURCE, j->prog.chunk);
    if (err)
        return err;
    DWORD got = 0;
    while (got < n) {
        DWORD r = 0;
        if (!ReadFile(j->src, buf + got, n - got, &r, NULL))
            return GetLastError();
        if (r == 0)
            return ERROR_HANDLE_EOF; /* the source shrank while being copied */
        got += r;
    }
    return 0;
}

static DWORD write_exact(struct job *j, const BYTE *buf, DWORD n)
{
    DWORD err = cf2_fault(COPYFILE2_PHASE_WRITE_DESTINATION, j->prog.chunk);
    if (err)
        return err;
    DWORD put = 0;
    while (put < n) {
        DWORD w = 0;
        if (!WriteFile(j->dst, buf + put, n - put, &w, NULL))
            return GetLastError();
        if (w == 0)
            return ERROR_WRITE_FAULT;
        put += w;
    }
    return 0;
}

/* Copies one chunk of `n` bytes in cycles of at most buf_size bytes. */
static DWORD copy_chunk(struct job *j, ULONGLONG n, COPYFILE2_COPY_PHASE *phase)
{
    while (n > 0) {
        DWORD cycle = n < j->buf_size ? (DWORD)n : j->buf_size;
        DWORD err = read_exact(j, j->buf, cycle);
        if (err) {
            *phase = COPYFILE2_PHASE_READ_SOURCE;
            return err;
        }
        err = write_exact(j, j->buf, cycle);
        if (err) {
            *phase = COPYFILE2_PHASE_WRITE_DESTINATION;
            return err;
        }
        j->prog.stream_done += cycle;
        j->prog.total_done += cycle;
        n -= cycle;
    }
    return 0;
}

static DWORD alloc_buffer(struct job *j)
{
    ULONGLONG want = j->req->chunk_size;
    if (want > CF2_MAX_IO_BUFFER)
        want = CF2_MAX_IO_BUFFER;
    if (want > j->size)
        want = j->size;
    /* Page-aligned and a whole number of pages: valid for unbuffered I/O. */
    j->buf_size = (DWORD)((want + 4095) & ~(ULONGLONG)4095);
    if (j->buf_size == 0)
        return 0;
    j->buf = VirtualAlloc(NULL, j->buf_size, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    return j->buf ? 0 : ERROR_NOT_ENOUGH_MEMORY;
}

/* The data stream: STREAM_STARTED, CHUNK_STARTED/CHUNK_FINISHED per chunk,
 * STREAM_FINISHED.  Returns 0 when every byte was copied. */
static DWORD copy_stream(struct job *j, enum fate *fate)
{
    struct cf2_progress *p = &j->prog;
    enum cf2_verdict v;
    DWORD err;

    p->stream = 1;
    p->stream_size = j->size;
    p->total_size = j->size;

    v = cf2_progress_stream_started(p);
    if (v == CF2_GO && cf2_progress_cancelled(p))
        v = CF2_CANCEL;
    if (v != CF2_GO) {
        if (v == CF2_STOP || v == CF2_PAUSE)
            finish_stream_early(j);
        return result_of(v, fate);
    }

    ULONGLONG chunk_size = j->req->chunk_size;
    while (p->stream_done < p->stream_size) {
        ULONGLONG left = p->stream_size - p->stream_done;
        ULONGLONG n = left < chunk_size ? left : chunk_size;
        if (cf2_progress_cancelled(p))
            return result_of(CF2_CANCEL, fate);
        v = cf2_progress_chunk_started(p, n);
        if (v == CF2_GO && cf2_progress_cancelled(p))
            v = CF2_CANCEL;
        if (v != CF2_GO) {
            if (v == CF2_STOP || v == CF2_PAUSE)
                finish_stream_early(j);
            return result_of(v, fate);
        }
        COPYFILE2_COPY_PHASE phase = COPYFILE2_PHASE_NONE;
        err = copy_chunk(j, n, &phase);
        if (err)
            return fail(j, phase, err, fate);
        v = cf2_progress_chunk_finished(p, n);
        if (v == CF2_GO && cf2_progress_cancelled(p))
            v = CF2_CANCEL;
        if (v != CF2_GO) {
            if (v == CF2_STOP || v == CF2_PAUSE)
                finish_stream_early(j);
            return result_of(v, fate);
        }
        p->chunk++;
    }

    v = cf2_progress_stream_finished(p);
    if (v == CF2_PAUSE)
        v = CF2_GO; /* the copy is complete: succeed and write no header */
    if (v == CF2_GO && cf2_progress_cancelled(p))
        v = CF2_CANCEL;
    return result_of(v, fate);
}

static DWORD run(struct job *j, enum fate *fate)
{
    DWORD err = open_source(j);
    if (err)
        return fail(j, COPYFILE2_PHASE_PREPARE_SOURCE, err, fate);
    j->prog.src = j->src;
    j->prog.stream_size = j->prog.total_size = j->size;

    err = open_destination(j);
    if (err)
        return fail(j, COPYFILE2_PHASE_PREPARE_DEST, err, fate);

    /* Pre-size the destination: the file system can lay the data out in one
     * piece, and a full disk is found before any data is written. */
    if (!(j->req->flags & COPY_FILE_DISABLE_PRE_ALLOCATION) && j->size > 0) {
        err = set_end_of_file(j->dst, j->size);
        if (err)
            return fail(j, COPYFILE2_PHASE_PREPARE_DEST, err, fate);
        j->dst_modified = TRUE;
    }

    err = alloc_buffer(j);
    if (err)
        return fail(j, COPYFILE2_PHASE_PREPARE_DEST, err, fate);

    if (j->size > 0)
        j->dst_modified = TRUE;
    err = copy_stream(j, fate);
    if (err)
        return err;

    /* Without pre-sizing an overwritten destination may still be longer. */
    err = set_end_of_file(j->dst, j->size);
    if (err)
        return fail(j, COPYFILE2_PHASE_WRITE_DESTINATION, err, fate);
    err = cf2_apply_metadata(j->dst, &j->src_info);
    if (err)
        return fail(j, COPYFILE2_PHASE_WRITE_DESTINATION, err, fate);
    return 0;
}

DWORD cf2_copy(const struct cf2_request *req)
{
    struct job j;
    ZeroMemory(&j, sizeof j);
    j.req = req;
    j.src = INVALID_HANDLE_VALUE;
    j.dst = INVALID_HANDLE_VALUE;
    cf2_progress_init(&j.prog, req);

    enum fate fate = FATE_DELETE;
    DWORD err = run(&j, &fate);

    if (j.buf)
        VirtualFree(j.buf, 0, MEM_RELEASE);
    if (j.dst != INVALID_HANDLE_VALUE)
        CloseHandle(j.dst);
    if (j.src != INVALID_HANDLE_VALUE)
        CloseHandle(j.src);
    if (err && fate == FATE_DELETE && j.dst_modified) {
        /* Best effort: another process may hold it open without delete
         * sharing, and then the fragments stay (as on Windows). */
        DeleteFileW(req->dst);
    }
    return err;
}
