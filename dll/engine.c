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
 * - All data I/O is positioned (explicit offsets), so header writes of a
 *   restartable copy and resumed copies need no seeking.
 */
#include "internal.h"
#include <winioctl.h>

/* Largest I/O buffer: a chunk larger than this (ioDesiredSize up to 1 GiB)
 * is done in several read/write cycles, so memory does not grow with it. */
#define CF2_MAX_IO_BUFFER (1024u * 1024u)
/* Unbuffered I/O works in whole sectors; 4096 covers every sector size. */
#define CF2_SECTOR 4096u
/* The in-kernel path (offload.c) pays two descriptor look-ups per copy, so
 * it is used from this size on (docs/benchmarks.md). */
#define CF2_OFFLOAD_MIN_SIZE (1024u * 1024u)
static const BOOL cf2_offload_enabled = TRUE;
/* Longest wait without a message: POLL_CONTINUE is sent at least this often
 * while the copy waits (throttling). */
#define CF2_POLL_MS 100u
/* With ioDesiredRate, one read/write cycle moves about this many
 * milliseconds' worth of data, so the rate is even within a chunk. */
#define CF2_RATE_CYCLE_MS 100u

enum fate { FATE_DELETE, FATE_KEEP };

struct job {
    const struct cf2_request *req;
    struct cf2_progress prog;
    HANDLE src;
    HANDLE dst;
    BY_HANDLE_FILE_INFORMATION src_info; /* identity fields valid once src_id_known */
    BOOL src_id_known;        /* src_info holds the volume serial and file index */
    struct cf2_restart_header source;  /* the source's facts, as a header records them */
    struct cf2_restart rs;
    ULONGLONG size;           /* bytes to copy: the source's size when opened */
    ULONGLONG dst_old_size;   /* size of an existing destination, when opened */
    BOOL dst_existed;
    BOOL dst_modified;        /* we created the destination or changed its content */
    BOOL resuming;            /* continuing from a valid restart header */
    BOOL copy_link;           /* the source is a link (reparse point) to copy as such */
    BOOL dst_is_directory;    /* COPY_FILE_DIRECTORY created a directory */
    BOOL skip_zeros;          /* sparse copy: all-zero cycles are left as holes */
    struct cf2_streams streams; /* named streams, copied as streams 2..n */
    struct cf2_offload offload; /* the in-kernel path, when open */
    void *guard_outer;        /* the copy this one runs inside (guard.c), or NULL */
    struct job *next_active;  /* the process's copies that hold a destination */
    BOOL active;              /* on that list */
    BOOL dst_id_known;        /* dst_info holds the destination's identity */
    BY_HANDLE_FILE_INFORMATION dst_info;
    BYTE *buf;
    DWORD buf_size;
    ULONGLONG rate_start_ms;  /* throttling: when this call started copying data */
    ULONGLONG rate_base;      /* throttling: bytes already copied before that */
};

static BOOL flag(const struct job *j, DWORD f)
{
    return (j->req->flags & f) != 0;
}

/* RESTARTABLE and RESUME_FROM_PAUSE both ask to continue an interrupted copy
 * of the same names. */
static BOOL wants_resume(const struct job *j)
{
    return flag(j, COPY_FILE_RESTARTABLE | COPY_FILE_RESUME_FROM_PAUSE);
}

static ULONGLONG file_size_of(const BY_HANDLE_FILE_INFORMATION *info)
{
    return ((ULONGLONG)info->nFileSizeHigh << 32) | info->nFileSizeLow;
}

static BOOL same_file(const BY_HANDLE_FILE_INFORMATION *a, const BY_HANDLE_FILE_INFORMATION *b)
{
    return a->dwVolumeSerialNumber == b->dwVolumeSerialNumber &&
           a->nFileIndexHigh == b->nFileIndexHigh && a->nFileIndexLow == b->nFileIndexLow;
}

static DWORD learn_source_identity(struct job *j);

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

/* Makes what has been copied so far resumable: a checkpoint when the copy
 * already has a header, otherwise (PAUSE of a plain copy) the header region
 * is added first.  The fragment is marked with an old last-write time. */
static DWORD write_resume_point(struct job *j)
{
    DWORD err;
    if (!j->rs.active) {
        err = learn_source_identity(j);
        if (err)
            return err;
        if (!FlushFileBuffers(j->dst))
            return GetLastError();
        err = cf2_restart_begin(&j->rs, j->dst, &j->source, j->req->chunk_size, j->req->flags);
        if (err)
            return err;
    }
    /* The header describes stream 1; once it is complete, named streams are
     * copied again in full by a resumed copy. */
    ULONGLONG committed = j->prog.stream == 1 ? j->prog.stream_done : j->size;
    err = cf2_restart_commit(&j->rs, j->dst, committed);
    if (!err)
        err = cf2_restart_mark_incomplete(j->dst);
    return err;
}

/* The copy ends before its data is complete, by STOP, PAUSE or an error. */
static DWORD end_early(struct job *j, DWORD result, enum fate *fate)
{
    if (result == ERROR_REQUEST_PAUSED || (j->rs.active && *fate == FATE_KEEP)) {
        DWORD err = write_resume_point(j);
        if (err && result == ERROR_REQUEST_PAUSED) {
            /* No resumable state could be written: the pause failed. */
            *fate = j->rs.active ? FATE_KEEP : FATE_DELETE;
            return err;
        }
    }
    return result;
}

/* Handles a verdict other than CF2_GO during the stream.  After STOP or PAUSE
 * the callback gets exactly one more message, STREAM_FINISHED, whose answer
 * cannot change the outcome. */
static DWORD stop_stream(struct job *j, enum cf2_verdict v, enum fate *fate)
{
    DWORD result = result_of(v, fate);
    if (v == CF2_STOP || v == CF2_PAUSE) {
        result = end_early(j, result, fate);
        /* The stream ends with STREAM_FINISHED only if it had started. */
        if (j->prog.stream_started)
            cf2_progress_stream_finished(&j->prog);
        j->prog.quiet = TRUE;
    }
    return result;
}

/* A step failed: report it with an ERROR message and decide the outcome.
 * CONTINUE and QUIET fail the copy with the error itself (no retry, so a
 * caller that always answers CONTINUE cannot spin on a persistent error).
 * A restartable copy keeps its destination, resumable from the last
 * checkpoint. */
static DWORD fail(struct job *j, COPYFILE2_COPY_PHASE phase, DWORD error, enum fate *fate)
{
    enum cf2_verdict v = cf2_progress_error(&j->prog, phase, error);
    if (v == CF2_PAUSE && !j->dst_modified) {
        /* No destination of ours yet (not opened, or an existing file that
         * is not to be touched): nothing can hold a restart header, so the
         * copy fails with the error itself. */
        *fate = FATE_DELETE;
        return error;
    }
    if (v != CF2_GO)
        return stop_stream(j, v, fate);
    *fate = j->rs.active ? FATE_KEEP : FATE_DELETE;
    if (j->rs.active)
        end_early(j, error, fate);
    return error;
}

/* CreateFileW, first with `extra` access (COPY_FILE_REQUEST_SECURITY_PRIVILEGES),
 * then, when that is refused, with the access the copy needs. */
static HANDLE open_widest(const WCHAR *path, DWORD access, DWORD extra, DWORD share,
                          DWORD disposition, DWORD flags)
{
    if (extra) {
        HANDLE h = CreateFileW(path, access | extra, share, NULL, disposition, flags, NULL);
        if (h != INVALID_HANDLE_VALUE)
            return h;
        DWORD err = GetLastError();
        if (err != ERROR_ACCESS_DENIED && err != ERROR_PRIVILEGE_NOT_HELD)
            return h;
    }
    return CreateFileW(path, access, share, NULL, disposition, flags, NULL);
}

/* The source's attributes, times and size.  Two local queries: under Wine
 * they are answered from the file descriptor, while GetFileInformationByHandle
 * also asks for the volume serial number, a round trip through the mount
 * manager's device (nine wineserver requests and a second process) that
 * cost about a third of a small file's copy (docs/benchmarks.md). */
static DWORD query_source(struct job *j)
{
    FILE_BASIC_INFO basic;
    FILE_STANDARD_INFO standard;
    if (!GetFileInformationByHandleEx(j->src, FileBasicInfo, &basic, sizeof basic) ||
        !GetFileInformationByHandleEx(j->src, FileStandardInfo, &standard, sizeof standard))
        return GetLastError();
    BY_HANDLE_FILE_INFORMATION *info = &j->src_info;
    ZeroMemory(info, sizeof *info);
    info->dwFileAttributes = basic.FileAttributes;
    info->ftCreationTime.dwLowDateTime = basic.CreationTime.LowPart;
    info->ftCreationTime.dwHighDateTime = (DWORD)basic.CreationTime.HighPart;
    info->ftLastAccessTime.dwLowDateTime = basic.LastAccessTime.LowPart;
    info->ftLastAccessTime.dwHighDateTime = (DWORD)basic.LastAccessTime.HighPart;
    info->ftLastWriteTime.dwLowDateTime = basic.LastWriteTime.LowPart;
    info->ftLastWriteTime.dwHighDateTime = (DWORD)basic.LastWriteTime.HighPart;
    info->nFileSizeLow = standard.EndOfFile.LowPart;
    info->nFileSizeHigh = (DWORD)standard.EndOfFile.HighPart;
    info->nNumberOfLinks = standard.NumberOfLinks;
    return 0;
}

/* The source's identity (volume serial number and file index), asked for
 * only by what needs it: telling an existing destination from the source,
 * and the facts a restart header records.  A plain copy to a new name never
 * pays for it. */
static DWORD learn_source_identity(struct job *j)
{
    if (j->src_id_known)
        return 0;
    BY_HANDLE_FILE_INFORMATION full;
    if (!GetFileInformationByHandle(j->src, &full))
        return GetLastError();
    j->src_info.dwVolumeSerialNumber = full.dwVolumeSerialNumber;
    j->src_info.nFileIndexHigh = full.nFileIndexHigh;
    j->src_info.nFileIndexLow = full.nFileIndexLow;
    j->src_id_known = TRUE;
    cf2_restart_source_facts(&j->src_info, &j->source);
    return 0;
}

static DWORD open_source(struct job *j)
{
    const struct cf2_request *req = j->req;
    DWORD access = GENERIC_READ;
    DWORD extra = flag(j, COPY_FILE_REQUEST_SECURITY_PRIVILEGES) ? ACCESS_SYSTEM_SECURITY : 0;
    DWORD flags = FILE_FLAG_SEQUENTIAL_SCAN;
    /* Reparse points are looked at, not followed, when a flag may ask for
     * the link itself to be copied (or a junction to be refused). */
    BOOL look_at_links = flag(j, COPY_FILE_COPY_SYMLINK | COPY_FILE_OPEN_AND_COPY_REPARSE_POINT) ||
                         (req->flags_v2 & COPY_FILE2_V2_DONT_COPY_JUNCTIONS);
    if (flag(j, COPY_FILE_OPEN_SOURCE_FOR_WRITE))
        access |= GENERIC_WRITE;
    if (flag(j, COPY_FILE_NO_BUFFERING))
        flags |= FILE_FLAG_NO_BUFFERING;
    if (flag(j, COPY_FILE_DIRECTORY))
        flags |= FILE_FLAG_BACKUP_SEMANTICS; /* needed to open a directory */
    if (look_at_links)
        flags |= FILE_FLAG_OPEN_REPARSE_POINT;
    DWORD err = cf2_fault(COPYFILE2_PHASE_PREPARE_SOURCE, 0);
    if (err)
        return err;
    /* Read sharing for other readers, write and delete sharing so that a
     * source held open for writing or deletion can still be copied
     * (contract 1.6, cases 4, 6 and 7). */
    const DWORD share = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
    j->src = open_widest(req->src, access, extra, share, OPEN_EXISTING, flags);
    if (j->src == INVALID_HANDLE_VALUE)
        return GetLastError();
    if (look_at_links) {
        DWORD tag = cf2_reparse_tag(j->src);
        if (tag && cf2_is_junction_tag(tag) && (req->flags_v2 & COPY_FILE2_V2_DONT_COPY_JUNCTIONS))
            return ERROR_NOT_SUPPORTED; /* neither followed nor copied (docs/flags.md) */
        if (tag && (flag(j, COPY_FILE_OPEN_AND_COPY_REPARSE_POINT) ||
                    (cf2_is_symlink_tag(tag) && flag(j, COPY_FILE_COPY_SYMLINK)))) {
            j->copy_link = TRUE;
        } else if (tag) {
            /* Not to be copied as a link: follow it like any other open. */
            CloseHandle(j->src);
            j->src = open_widest(req->src, access, extra, share, OPEN_EXISTING,
                                 flags & ~(DWORD)FILE_FLAG_OPEN_REPARSE_POINT);
            if (j->src == INVALID_HANDLE_VALUE)
                return GetLastError();
        }
    }
    err = query_source(j);
    if (err)
        return err;
    if ((j->src_info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) && !flag(j, COPY_FILE_DIRECTORY))
        return ERROR_ACCESS_DENIED;
    /* Windows refuses write access to a read-only file; Wine running as root
     * grants it, so the answer is given here. */
    if (flag(j, COPY_FILE_OPEN_SOURCE_FOR_WRITE) &&
        (j->src_info.dwFileAttributes & FILE_ATTRIBUTE_READONLY))
        return ERROR_ACCESS_DENIED;
    j->size = (j->src_info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) ? 0
                                                                         : file_size_of(&j->src_info);
    /* A resume request compares the source with a header before anything
     * else is decided. */
    return wants_resume(j) ? learn_source_identity(j) : 0;
}

/* COPY_FILE_DIRECTORY with a directory source: the destination directory is
 * created (or, without FAIL_IF_EXISTS, an existing one is used) and given the
 * source's attributes and last-write time.  A directory has no unnamed data
 * stream, so no stream messages are sent. */
static DWORD copy_directory(struct job *j)
{
    const struct cf2_request *req = j->req;
    DWORD err = cf2_fault(COPYFILE2_PHASE_PREPARE_DEST, 0);
    if (err)
        return err;
    if (CreateDirectoryW(req->dst, NULL)) {
        j->dst_modified = TRUE;
        j->dst_is_directory = TRUE;
    } else {
        err = GetLastError();
        if (err != ERROR_ALREADY_EXISTS)
            return err;
        if (flag(j, COPY_FILE_FAIL_IF_EXISTS))
            return ERROR_FILE_EXISTS;
        DWORD attrs = GetFileAttributesW(req->dst);
        if (attrs == INVALID_FILE_ATTRIBUTES || !(attrs & FILE_ATTRIBUTE_DIRECTORY) ||
            cf2_is_protected_destination(attrs, j->src_info.dwFileAttributes))
            return ERROR_ACCESS_DENIED;
    }
    j->dst = CreateFileW(req->dst, FILE_WRITE_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE,
                         NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
    if (j->dst == INVALID_HANDLE_VALUE)
        return GetLastError();
    return cf2_apply_metadata(j->dst, &j->src_info);
}

/* The copies of this process that hold a destination open for writing.  The
 * sharing modes let two copies open the same destination (they share
 * writing), so a copy started by a progress routine, or by another thread,
 * onto a file another copy is writing would interleave with it; it is refused
 * with ERROR_SHARING_VIOLATION instead, before anything is changed. */
static SRWLOCK active_lock = SRWLOCK_INIT;
static struct job *active_jobs;

/* Puts the copy on the list.  `existing` is the destination's information
 * when it existed before (a new file cannot be another copy's). */
static DWORD claim_destination(struct job *j, const BY_HANDLE_FILE_INFORMATION *existing)
{
    DWORD err = 0;
    AcquireSRWLockExclusive(&active_lock);
    if (existing) {
        j->dst_info = *existing;
        j->dst_id_known = TRUE;
        for (struct job *o = active_jobs; o && !err; o = o->next_active) {
            /* Identities are learnt lazily: only a copy onto an existing
             * file while others run pays for it.  o cannot close its handle
             * meanwhile: it leaves the list under this lock first. */
            if (!o->dst_id_known && GetFileInformationByHandle(o->dst, &o->dst_info))
                o->dst_id_known = TRUE;
            if (o->dst_id_known && same_file(&o->dst_info, &j->dst_info))
                err = ERROR_SHARING_VIOLATION;
        }
    }
    if (!err) {
        j->next_active = active_jobs;
        active_jobs = j;
        j->active = TRUE;
    }
    ReleaseSRWLockExclusive(&active_lock);
    return err;
}

static void release_destination(struct job *j)
{
    if (!j->active)
        return;
    AcquireSRWLockExclusive(&active_lock);
    for (struct job **p = &active_jobs; *p; p = &(*p)->next_active) {
        if (*p == j) {
            *p = j->next_active;
            break;
        }
    }
    j->active = FALSE;
    ReleaseSRWLockExclusive(&active_lock);
}

/* Opens or creates the destination.  Nothing is changed in an existing
 * destination until it is known to be a different, writable file. */
static DWORD open_destination(struct job *j)
{
    const struct cf2_request *req = j->req;
    /* FAIL_IF_EXISTS with a resume request: an existing destination is
     * acceptable when it holds a valid header, so it must be opened. */
    BOOL create_new = flag(j, COPY_FILE_FAIL_IF_EXISTS) && !wants_resume(j);
    DWORD disposition = create_new ? CREATE_NEW : OPEN_ALWAYS;
    DWORD flags = FILE_ATTRIBUTE_NORMAL;
    /* Write access only and no delete sharing: another handle that denies
     * writing, or holds delete access, makes this a sharing violation, while
     * readers and writers that share writing are allowed (contract 1.6,
     * cases 8 to 12).  Read access is requested only to read a restart
     * header: a handle that shares only writing (case 9) must not conflict. */
    DWORD access = wants_resume(j) ? GENERIC_READ | GENERIC_WRITE : GENERIC_WRITE;
    if (flag(j, COPY_FILE_NO_BUFFERING))
        flags |= FILE_FLAG_NO_BUFFERING;
    DWORD err = cf2_fault(COPYFILE2_PHASE_PREPARE_DEST, 0);
    if (err)
        return err;
    DWORD extra = 0;
    if (flag(j, COPY_FILE_REQUEST_SECURITY_PRIVILEGES)) {
        extra = ACCESS_SYSTEM_SECURITY | WRITE_OWNER;
        if (!flag(j, COPY_FILE_DONT_REQUEST_DEST_WRITE_DAC))
            extra |= WRITE_DAC;
    }
    j->dst = open_widest(req->dst, access, extra, FILE_SHARE_READ | FILE_SHARE_WRITE,
                         disposition, flags);
    if (j->dst == INVALID_HANDLE_VALUE) {
        err = GetLastError();
        /* CREATE_NEW over an existing directory: still "the name exists". */
        if (err == ERROR_ALREADY_EXISTS)
            return ERROR_FILE_EXISTS;
        /* FAIL_IF_EXISTS with a resume request opens an existing destination
         * to look for a header; one that cannot even be opened for writing
         * (read-only on Windows) has none: the name exists. */
        if (err == ERROR_ACCESS_DENIED && flag(j, COPY_FILE_FAIL_IF_EXISTS) &&
            GetFileAttributesW(req->dst) != INVALID_FILE_ATTRIBUTES)
            return ERROR_FILE_EXISTS;
        return err;
    }
    j->prog.dst = j->dst;
    if (create_new || GetLastError() != ERROR_ALREADY_EXISTS) {
        j->dst_modified = TRUE; /* created by us: ours to delete on failure */
        return claim_destination(j, NULL);
    }

    j->dst_existed = TRUE;
    BY_HANDLE_FILE_INFORMATION info;
    if (!GetFileInformationByHandle(j->dst, &info))
        return GetLastError();
    err = learn_source_identity(j);
    if (err)
        return err;
    if (same_file(&info, &j->src_info))
        return ERROR_SHARING_VIOLATION;
    err = claim_destination(j, &info);
    if (err)
        return err;
    if (cf2_is_protected_destination(info.dwFileAttributes, j->src_info.dwFileAttributes))
        /* Never a resumable fragment (those carry no such attributes), so
         * with FAIL_IF_EXISTS the answer is that the name exists. */
        return flag(j, COPY_FILE_FAIL_IF_EXISTS) ? ERROR_FILE_EXISTS : ERROR_ACCESS_DENIED;
    j->dst_old_size = file_size_of(&info);
    if (wants_resume(j))
        j->resuming = cf2_restart_probe(&j->rs, j->dst, j->dst_old_size, &j->source,
                                        req->chunk_size, req->flags);
    if (!j->resuming && flag(j, COPY_FILE_FAIL_IF_EXISTS))
        return ERROR_FILE_EXISTS;
    return 0;
}

/* Prepares the destination's content: keeps a resumable one as it is,
 * otherwise shortens an existing one (see the notes at the top), then sizes
 * it for the data (and the header region of a restartable copy). */
static DWORD prepare_destination(struct job *j)
{
    DWORD err;
    if (j->resuming) {
        /* Continue from the committed offset, on a chunk boundary. */
        ULONGLONG chunk = j->req->chunk_size;
        j->prog.stream_done = j->rs.last.committed;
        j->prog.total_done = j->prog.stream_done;
        j->prog.chunk = (j->rs.last.committed + chunk - 1) / chunk;
        j->dst_modified = TRUE;
        return 0;
    }
    /* Sparse copy (ENABLE_SPARSE_COPY, unless DISABLE_SPARSE_COPY): all-zero
     * cycles are not written, so they stay holes of a destination that starts
     * empty.  Not for restartable copies: a resumed region may hold bytes of an
     * earlier attempt that must be overwritten. */
    j->skip_zeros = flag(j, COPY_FILE_ENABLE_SPARSE_COPY) && !flag(j, COPY_FILE_DISABLE_SPARSE_COPY) &&
                    !flag(j, COPY_FILE_RESTARTABLE) && !flag(j, COPY_FILE_NO_BUFFERING);
    if (j->skip_zeros) {
        DWORD unused;
        /* Windows allocates holes only in files marked sparse; Wine's ext4
         * files are sparse anyway.  A failure only costs disk space. */
        DeviceIoControl(j->dst, FSCTL_SET_SPARSE, NULL, 0, NULL, 0, &unused, NULL);
    }
    if (j->dst_existed && j->dst_old_size > 0) {
        ULONGLONG cut = j->size < j->dst_old_size ? j->size : j->dst_old_size - 1;
        if (j->skip_zeros)
            cut = 0; /* every old byte must go: skipped cycles are not written */
        err = set_end_of_file(j->dst, cut);
        if (err)
            return err;
        j->dst_modified = TRUE;
    }
    if (flag(j, COPY_FILE_RESTARTABLE)) {
        j->dst_modified = TRUE;
        err = learn_source_identity(j); /* known already: RESTARTABLE asks to resume */
        if (err)
            return err;
        return cf2_restart_begin(&j->rs, j->dst, &j->source, j->req->chunk_size, j->req->flags);
    }
    /* Pre-size the destination: the file system can lay the data out in one
     * piece, and a full disk is found before any data is written.  A file
     * that one write copies is sized by that write: pre-sizing it would only
     * cost a server request per small file (docs/benchmarks.md). */
    BOOL one_write = j->size <= CF2_MAX_IO_BUFFER && j->size <= j->req->chunk_size &&
                     j->req->rate_kbps == 0;
    if (!flag(j, COPY_FILE_DISABLE_PRE_ALLOCATION) && j->size > 0 && !one_write) {
        err = set_end_of_file(j->dst, j->size);
        if (err)
            return err;
        j->dst_modified = TRUE;
    }
    return 0;
}

/* Reads `n` bytes at `offset` into buf.  Unbuffered handles read whole
 * sectors: `request` is n rounded up, and a short read at the end of the file
 * is expected. */
static DWORD read_exact(struct job *j, ULONGLONG offset, DWORD n, DWORD request)
{
    DWORD err = cf2_fault(COPYFILE2_PHASE_READ_SOURCE, j->prog.chunk);
    if (err)
        return err;
    DWORD got = 0;
    while (got < n) {
        DWORD r = 0;
        err = cf2_read_at(j->prog.src, offset + got, j->buf + got, request - got, &r);
        if (err)
            return err;
        if (r == 0)
            return ERROR_HANDLE_EOF; /* the source shrank while being copied */
        got += r;
    }
    return 0;
}

static DWORD write_exact(struct job *j, ULONGLONG offset, DWORD n)
{
    DWORD err = cf2_fault(COPYFILE2_PHASE_WRITE_DESTINATION, j->prog.chunk);
    if (err)
        return err;
    DWORD put = 0;
    while (put < n) {
        DWORD w = 0;
        err = cf2_write_at(j->prog.dst, offset + put, j->buf + put, n - put, &w);
        if (err)
            return err;
        if (w == 0)
            return ERROR_WRITE_FAULT;
        put += w;
    }
    return 0;
}

/* ioDesiredRate: waits until the bytes copied by this call are no ahead of
 * the requested average rate (KB = 1024 bytes).  While it waits it sends
 * POLL_CONTINUE at least every CF2_POLL_MS and watches pfCancel. */
static enum cf2_verdict throttle(struct job *j)
{
    ULONGLONG rate = (ULONGLONG)j->req->rate_kbps * 1024;
    if (rate == 0)
        return CF2_GO;
    ULONGLONG copied = j->prog.total_done - j->rate_base;
    ULONGLONG due_ms = copied * 1000 / rate;
    for (;;) {
        ULONGLONG elapsed = GetTickCount64() - j->rate_start_ms;
        if (elapsed >= due_ms)
            return CF2_GO;
        ULONGLONG wait = due_ms - elapsed;
        Sleep((DWORD)(wait < CF2_POLL_MS ? wait : CF2_POLL_MS));
        enum cf2_verdict v = cf2_progress_poll(&j->prog);
        if (v == CF2_GO && cf2_progress_cancelled(&j->prog))
            v = CF2_CANCEL;
        if (v != CF2_GO)
            return v;
    }
}

static BOOL all_zero(const BYTE *buf, DWORD n)
{
    /* buf is page-aligned: compare 8 bytes at a time, then the tail. */
    const ULONGLONG *w = (const ULONGLONG *)buf;
    DWORD words = n / 8;
    ULONGLONG acc = 0;
    for (DWORD i = 0; i < words; i++) {
        acc |= w[i];
        if ((i & 511) == 511 && acc)
            return FALSE;
    }
    for (DWORD i = words * 8; i < n; i++)
        acc |= buf[i];
    return acc == 0;
}

/* Copies one chunk of `n` bytes in cycles of at most buf_size bytes.  Returns
 * a Win32 error (with the failing phase), or 0 with *verdict telling whether
 * a message sent while throttling stopped the copy. */
/* One cycle through the in-kernel path.  Returns a Win32 error (with the
 * phase), or 0 with *done telling whether the cycle was copied; when the
 * host cannot do it, the path is switched off and the caller uses read/write. */
static DWORD offload_cycle(struct job *j, ULONGLONG offset, DWORD cycle,
                           COPYFILE2_COPY_PHASE *phase, BOOL *done)
{
    *done = FALSE;
    /* The test build's faults fire on this path exactly as on read/write. */
    DWORD err = cf2_fault(COPYFILE2_PHASE_READ_SOURCE, j->prog.chunk);
    if (err) {
        *phase = COPYFILE2_PHASE_READ_SOURCE;
        return err;
    }
    err = cf2_fault(COPYFILE2_PHASE_WRITE_DESTINATION, j->prog.chunk);
    if (err) {
        *phase = COPYFILE2_PHASE_WRITE_DESTINATION;
        return err;
    }
    ULONGLONG pos = offset, end = offset + cycle;
    BOOL unsupported = FALSE;
    while (pos < end && !unsupported) {
        ULONGLONG data = pos, hole = end;
        /* Sparse copy: only the source's data ranges are copied; holes are
         * neither read nor written. */
        if (j->skip_zeros && !cf2_offload_data_range(&j->offload, pos, end, &data, &hole)) {
            unsupported = TRUE;
            break;
        }
        if (data > pos)
            pos = data;
        if (pos >= end)
            break;
        err = cf2_offload_copy(&j->offload, pos, (DWORD)(hole - pos), &unsupported);
        if (err) {
            *phase = err == ERROR_DISK_FULL ? COPYFILE2_PHASE_WRITE_DESTINATION
                                            : COPYFILE2_PHASE_READ_SOURCE;
            return err;
        }
        pos = hole;
    }
    if (unsupported) {
        cf2_offload_close(&j->offload);
        return 0;
    }
    *done = TRUE;
    j->prog.chunk_flags |= COPYFILE2_MESSAGE_COPY_OFFLOAD;
    return 0;
}

/* Copies one chunk of `n` bytes in cycles of at most buf_size bytes.  Returns
 * a Win32 error (with the failing phase), or 0 with *verdict telling whether
 * a message sent while throttling stopped the copy. */
static DWORD copy_chunk(struct job *j, ULONGLONG n, COPYFILE2_COPY_PHASE *phase,
                        enum cf2_verdict *verdict)
{
    BOOL unbuffered = flag(j, COPY_FILE_NO_BUFFERING);
    *verdict = CF2_GO;
    j->prog.chunk_flags = 0;
    while (n > 0) {
        ULONGLONG offset = j->prog.stream_done;
        DWORD cycle = n < j->buf_size ? (DWORD)n : j->buf_size;
        DWORD err;
        BOOL done = FALSE;
        if (j->offload.src_fd >= 0) {
            err = offload_cycle(j, offset, cycle, phase, &done);
            if (err)
                return err;
        }
        if (!done) {
            DWORD request = cycle;
            if (unbuffered)
                request = (cycle + CF2_SECTOR - 1) & ~(CF2_SECTOR - 1);
            err = read_exact(j, offset, cycle, request);
            if (err) {
                *phase = COPYFILE2_PHASE_READ_SOURCE;
                return err;
            }
            if (request != cycle) /* the sector tail past the data is written as zeros */
                ZeroMemory(j->buf + cycle, request - cycle);
            if (j->skip_zeros && all_zero(j->buf, cycle))
                err = cf2_fault(COPYFILE2_PHASE_WRITE_DESTINATION, j->prog.chunk);
            else
                err = write_exact(j, offset, request);
            if (err) {
                *phase = COPYFILE2_PHASE_WRITE_DESTINATION;
                return err;
            }
        }
        j->prog.stream_done += cycle;
        j->prog.total_done += cycle;
        n -= cycle;
        *verdict = throttle(j);
        if (*verdict != CF2_GO)
            return 0;
    }
    return 0;
}

/* The in-kernel path is used for stream 1 of plain data copies unless a flag
 * turns offload off; unbuffered copies keep their sector-aligned I/O. */
static void choose_offload(struct job *j)
{
    j->offload.src_fd = j->offload.dst_fd = -1;
    if (!cf2_offload_enabled || j->size < CF2_OFFLOAD_MIN_SIZE)
        return;
    if (flag(j, COPY_FILE_NO_OFFLOAD | COPY_FILE_NO_BUFFERING | COPY_FILE_ENABLE_LOW_FREE_SPACE_MODE) ||
        (j->req->flags_v2 & COPY_FILE2_V2_DISABLE_BLOCK_CLONING))
        return;
    cf2_offload_open(&j->offload, j->src, j->dst);
}

/* One I/O buffer kept between copies (see alloc_buffer). */
static void *volatile spare_buffer;

static DWORD alloc_buffer(struct job *j)
{
    ULONGLONG want = j->req->chunk_size;
    if (want > CF2_MAX_IO_BUFFER)
        want = CF2_MAX_IO_BUFFER;
    if (j->req->rate_kbps != 0) {
        ULONGLONG per_cycle = (ULONGLONG)j->req->rate_kbps * 1024 * CF2_RATE_CYCLE_MS / 1000;
        if (want > per_cycle)
            want = per_cycle;
    }
    if (want > j->prog.total_size)
        want = j->prog.total_size;
    /* Page-aligned and a whole number of pages: valid for unbuffered I/O. */
    j->buf_size = (DWORD)((want + CF2_SECTOR - 1) & ~(ULONGLONG)(CF2_SECTOR - 1));
    if (j->buf_size == 0)
        return 0;
    /* Every buffer has the largest size, so that one can be kept for the
     * next copy: fresh pages fault in at a high price on every copy otherwise
     * (tens of microseconds a page on this project's machines), which is most
     * of the cost of copying a small file. */
    j->buf = InterlockedExchangePointer(&spare_buffer, NULL);
    if (!j->buf)
        j->buf = VirtualAlloc(NULL, CF2_MAX_IO_BUFFER, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    return j->buf ? 0 : ERROR_NOT_ENOUGH_MEMORY;
}

/* Keeps the buffer for the next copy, or frees it when one is kept already. */
static void free_buffer(struct job *j)
{
    if (j->buf && InterlockedCompareExchangePointer(&spare_buffer, j->buf, NULL) != NULL)
        VirtualFree(j->buf, 0, MEM_RELEASE);
    j->buf = NULL;
}

/* Asks the progress routine, then checks pfCancel (which the routine or
 * another thread may have set). */
static enum cf2_verdict checked(const struct job *j, enum cf2_verdict v)
{
    if (v == CF2_GO && cf2_progress_cancelled(&j->prog))
        return CF2_CANCEL;
    return v;
}

/* The data stream: STREAM_STARTED, CHUNK_STARTED/CHUNK_FINISHED per chunk,
 * STREAM_FINISHED.  Returns 0 when every byte was copied. */
static DWORD copy_stream(struct job *j, enum fate *fate)
{
    struct cf2_progress *p = &j->prog;
    enum cf2_verdict v;

    v = checked(j, cf2_progress_stream_started(p));
    if (v != CF2_GO)
        return stop_stream(j, v, fate);

    ULONGLONG chunk_size = j->req->chunk_size;
    while (p->stream_done < p->stream_size) {
        ULONGLONG left = p->stream_size - p->stream_done;
        ULONGLONG n = left < chunk_size ? left : chunk_size;
        v = checked(j, cf2_progress_chunk_started(p, n));
        if (v != CF2_GO)
            return stop_stream(j, v, fate);
        COPYFILE2_COPY_PHASE phase = COPYFILE2_PHASE_NONE;
        DWORD err = copy_chunk(j, n, &phase, &v);
        if (err)
            return fail(j, phase, err, fate);
        if (v != CF2_GO)
            return stop_stream(j, v, fate);
        if (j->rs.active && flag(j, COPY_FILE_RESTARTABLE) && p->stream == 1 &&
            p->stream_done < p->stream_size && cf2_restart_due(&j->rs)) {
            err = cf2_restart_commit(&j->rs, j->dst, p->stream_done);
            if (err)
                return fail(j, COPYFILE2_PHASE_WRITE_DESTINATION, err, fate);
        }
        v = checked(j, cf2_progress_chunk_finished(p, n));
        if (v != CF2_GO)
            return stop_stream(j, v, fate);
        p->chunk++;
    }

    v = cf2_progress_stream_finished(p);
    if (v == CF2_PAUSE && p->stream > j->streams.count)
        v = CF2_GO; /* the copy is complete: succeed and write no header */
    v = checked(j, v);
    DWORD result = result_of(v, fate);
    if (v == CF2_STOP || v == CF2_PAUSE) { /* no more messages after this one */
        result = end_early(j, result, fate);
        p->quiet = TRUE;
    }
    return result;
}

/* Copies one named stream as the next stream number, with its own handles. */
static DWORD copy_named_stream(struct job *j, const struct cf2_stream_item *item, enum fate *fate)
{
    struct cf2_progress *p = &j->prog;
    DWORD err = 0;
    WCHAR *src_path = cf2_stream_path(j->req->src, item->suffix);
    WCHAR *dst_path = cf2_stream_path(j->req->dst, item->suffix);
    HANDLE src = INVALID_HANDLE_VALUE, dst = INVALID_HANDLE_VALUE;
    p->stream++;
    p->stream_size = item->size;
    p->stream_done = 0;
    p->chunk = 0;
    if (!src_path || !dst_path)
        err = fail(j, COPYFILE2_PHASE_PREPARE_SOURCE, ERROR_NOT_ENOUGH_MEMORY, fate);
    if (!err) {
        src = CreateFileW(src_path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                          NULL, OPEN_EXISTING, FILE_FLAG_SEQUENTIAL_SCAN, NULL);
        if (src == INVALID_HANDLE_VALUE)
            err = fail(j, COPYFILE2_PHASE_PREPARE_SOURCE, GetLastError(), fate);
    }
    if (!err) {
        dst = CreateFileW(dst_path, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                          CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
        if (dst == INVALID_HANDLE_VALUE)
            err = fail(j, COPYFILE2_PHASE_PREPARE_DEST, GetLastError(), fate);
    }
    if (!err) {
        p->src = src;
        p->dst = dst;
        err = copy_stream(j, fate);
        p->src = j->src;
        p->dst = j->dst;
    }
    if (dst != INVALID_HANDLE_VALUE)
        CloseHandle(dst);
    if (src != INVALID_HANDLE_VALUE)
        CloseHandle(src);
    HeapFree(GetProcessHeap(), 0, src_path);
    HeapFree(GetProcessHeap(), 0, dst_path);
    return err;
}

static DWORD run(struct job *j, enum fate *fate)
{
    DWORD err = open_source(j);
    if (err)
        return fail(j, COPYFILE2_PHASE_PREPARE_SOURCE, err, fate);
    j->prog.src = j->src;
    j->prog.stream_size = j->size;
    if (!flag(j, COPY_FILE_SKIP_ALTERNATE_STREAMS) && !j->copy_link &&
        !(j->src_info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)) {
        err = cf2_streams_list(j->src, &j->streams);
        if (err)
            return fail(j, COPYFILE2_PHASE_PREPARE_SOURCE, err, fate);
    }
    j->prog.total_size = j->size + j->streams.total;

    if (j->copy_link) {
        BOOL is_dir = (j->src_info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
        err = cf2_copy_reparse_point(j->src, j->req->dst, is_dir, flag(j, COPY_FILE_FAIL_IF_EXISTS),
                                     &j->dst_modified);
        j->dst_is_directory = is_dir;
        return err ? fail(j, COPYFILE2_PHASE_NAMEGRAFT_COPY, err, fate) : 0;
    }
    if (j->src_info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
        err = copy_directory(j);
        return err ? fail(j, COPYFILE2_PHASE_PREPARE_DEST, err, fate) : 0;
    }

    err = open_destination(j);
    if (!err)
        err = prepare_destination(j);
    if (!err)
        err = alloc_buffer(j);
    if (err)
        return fail(j, COPYFILE2_PHASE_PREPARE_DEST, err, fate);

    j->rate_start_ms = GetTickCount64();
    j->rate_base = j->prog.total_done;
    choose_offload(j);
    err = copy_stream(j, fate);
    cf2_offload_close(&j->offload); /* named streams use read/write */
    for (DWORD i = 0; !err && i < j->streams.count; i++)
        err = copy_named_stream(j, &j->streams.items[i], fate);
    if (err)
        return err;

    /* The destination ends at the source's length already, unless a header
     * region (restartable copies), whole-sector writes (unbuffered copies)
     * or unwritten trailing holes (sparse copies) say otherwise: an existing
     * one was cut to at most that length before the data was written. */
    err = 0;
    if (j->rs.active || flag(j, COPY_FILE_NO_BUFFERING) || j->skip_zeros)
        err = set_end_of_file(j->dst, j->size);
    if (!err)
        err = cf2_apply_metadata(j->dst, &j->src_info);
    if (err) {
        j->rs.active = FALSE; /* the data is complete: nothing to resume */
        return fail(j, COPYFILE2_PHASE_WRITE_DESTINATION, err, fate);
    }
    return 0;
}

/* Releases everything the copy holds and gives the destination its fate. */
static void finish(struct job *j, DWORD err, enum fate fate)
{
    free_buffer(j);
    release_destination(j);
    cf2_offload_close(&j->offload);
    cf2_streams_free(&j->streams);
    if (j->dst != INVALID_HANDLE_VALUE)
        CloseHandle(j->dst);
    if (j->src != INVALID_HANDLE_VALUE)
        CloseHandle(j->src);
    j->src = j->dst = INVALID_HANDLE_VALUE;
    if (err && fate == FATE_DELETE && j->dst_modified) {
        /* Best effort: another process may hold it open without delete
         * sharing, and then the fragments stay (as on Windows). */
        if (j->dst_is_directory)
            RemoveDirectoryW(j->req->dst);
        else
            DeleteFileW(j->req->dst);
    }
}

void *cf2_abandon_copy(void *copy)
{
    struct job *j = copy;
    /* Like a cancel, except that a restartable copy stays resumable from
     * its last checkpoint. */
    finish(j, ERROR_REQUEST_ABORTED, j->rs.active ? FATE_KEEP : FATE_DELETE);
    return j->guard_outer;
}

DWORD cf2_copy(const struct cf2_request *req)
{
    struct job j;
    ZeroMemory(&j, sizeof j);
    j.req = req;
    j.src = INVALID_HANDLE_VALUE;
    j.dst = INVALID_HANDLE_VALUE;
    j.offload.src_fd = j.offload.dst_fd = -1;
    cf2_progress_init(&j.prog, req);
    j.guard_outer = cf2_guard_enter(&j);

    enum fate fate = FATE_DELETE;
    DWORD err = run(&j, &fate);

    finish(&j, err, fate);
    cf2_guard_leave(j.guard_outer);
    return err;
}
