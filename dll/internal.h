/*
 * internal.h - declarations shared by the DLL's source files.
 *
 * Rooms of the DLL:
 *   api.c       the exported entry: parameter validation, HRESULT/last-error mapping
 *   engine.c    the copy engine: opening, the data loop, destination fate
 *   progress.c  the progress-callback protocol (messages, actions, pfCancel)
 *   fileio.c    positioned reads and writes (without Wine's completion request)
 *   metadata.c  attributes and times
 *   streams.c   alternate data streams (streams 2..n)
 *   links.c     symbolic links, junctions and other reparse points
 *   restart.c   restartable copies: checkpoints, pause, resume (Windows side)
 *   restart_codec.c, crc32c.c   the restart-header format (no Windows API)
 *   offload.c   the in-kernel copy path under Wine on Linux x86-64
 *   guard.c     calls into the progress routine that survive its exceptions
 *   fault.c     the fault-injection seam of the test build
 */
#ifndef CF2_INTERNAL_H
#define CF2_INTERNAL_H

#include "copyfile2.h"
#include "copyfile2_restart.h"

/* Default size of one chunk (one read/write cycle and one pair of chunk
 * messages) when the caller does not ask for one with ioDesiredSize.
 * 1 MiB: large enough that the per-call cost of Wine's file I/O vanishes,
 * small enough for frequent progress messages (docs/conformance.md). */
#define CF2_DEFAULT_CHUNK_SIZE (1024u * 1024u)

/* The validated request: what CopyFile2 was asked to do. */
struct cf2_request {
    const WCHAR *src;
    const WCHAR *dst;
    DWORD flags;              /* COPY_FILE_* */
    DWORD flags_v2;           /* COPY_FILE2_V2_*, 0 for a V1 structure */
    BOOL *cancel;             /* pfCancel, may be NULL; read as volatile */
    PCOPYFILE2_PROGRESS_ROUTINE routine;
    LPPROGRESS_ROUTINE routine_old; /* V2 only; wins over routine */
    void *context;
    DWORD chunk_size;         /* bytes per cycle (default or ioDesiredSize) */
    ULONG rate_kbps;          /* ioDesiredRate, 0 = unlimited */
};

/* What the progress protocol tells the engine to do next. */
enum cf2_verdict {
    CF2_GO = 0,       /* CONTINUE or QUIET: carry on */
    CF2_CANCEL,       /* CANCEL or pfCancel: fail, delete the destination */
    CF2_STOP,         /* STOP: fail, keep the destination */
    CF2_PAUSE,        /* PAUSE: write a restart header, fail with PAUSED */
    CF2_INVALID       /* an action outside the enumeration: E_INVALIDARG, delete */
};

/* Counters and handles of the copy in progress, as the messages report them. */
struct cf2_progress {
    const struct cf2_request *req;
    BOOL quiet;               /* QUIET was returned: no more callbacks */
    BOOL stream_started;      /* STREAM_STARTED was reached for the current stream */
    HANDLE src;
    HANDLE dst;
    DWORD stream;             /* stream number, from 1 */
    ULONGLONG stream_size;
    ULONGLONG stream_done;
    ULONGLONG total_size;
    ULONGLONG total_done;
    ULONGLONG chunk;          /* number of the chunk in progress, from 0 */
    DWORD chunk_flags;        /* CHUNK_FINISHED.dwFlags of the chunk in progress */
};

/* api.c */
DWORD cf2_copy(const struct cf2_request *req);   /* engine.c: 0 or a Win32 error */

/* progress.c */
void cf2_progress_init(struct cf2_progress *p, const struct cf2_request *req);
BOOL cf2_progress_cancelled(const struct cf2_progress *p);
enum cf2_verdict cf2_progress_stream_started(struct cf2_progress *p);
enum cf2_verdict cf2_progress_chunk_started(struct cf2_progress *p, ULONGLONG chunk_size);
enum cf2_verdict cf2_progress_chunk_finished(struct cf2_progress *p, ULONGLONG chunk_size);
enum cf2_verdict cf2_progress_stream_finished(struct cf2_progress *p);
enum cf2_verdict cf2_progress_poll(struct cf2_progress *p);
enum cf2_verdict cf2_progress_error(struct cf2_progress *p, COPYFILE2_COPY_PHASE phase,
                                    DWORD error);

/* fileio.c: positioned I/O on the engine's synchronous handles */
DWORD cf2_read_at(HANDLE h, ULONGLONG offset, void *buf, DWORD n, DWORD *got);
DWORD cf2_write_at(HANDLE h, ULONGLONG offset, const void *buf, DWORD n, DWORD *put);
void (*cf2_ntdll_export(const char *name))(void);

/* metadata.c */
DWORD cf2_settable_attributes(DWORD source_attributes);
DWORD cf2_apply_metadata(HANDLE dst, const BY_HANDLE_FILE_INFORMATION *src_info);
BOOL cf2_is_protected_destination(DWORD attributes, DWORD source_attributes);

/* restart.c: restartable copies (docs/restart-header.md) */
struct cf2_restart {
    BOOL active;                      /* the destination has a valid header */
    struct cf2_restart_header last;   /* the newest committed header */
    ULONGLONG last_commit_ms;         /* GetTickCount64() of the last commit */
    ULONGLONG last_flush_ms;          /* how long the last checkpoint took */
};
void cf2_restart_source_facts(const BY_HANDLE_FILE_INFORMATION *info,
                              struct cf2_restart_header *h);
BOOL cf2_restart_probe(struct cf2_restart *rs, HANDLE dst, ULONGLONG dst_size,
                       const struct cf2_restart_header *source, DWORD chunk_size,
                       DWORD copy_flags);
DWORD cf2_restart_begin(struct cf2_restart *rs, HANDLE dst,
                        const struct cf2_restart_header *source, DWORD chunk_size,
                        DWORD copy_flags);
BOOL cf2_restart_due(const struct cf2_restart *rs);
DWORD cf2_restart_commit(struct cf2_restart *rs, HANDLE dst, ULONGLONG committed);
DWORD cf2_restart_mark_incomplete(HANDLE dst);

/* streams.c: alternate data streams (streams 2..n of a copy) */
struct cf2_stream_item {
    WCHAR *suffix;            /* ":name", appended to a path to open the stream */
    ULONGLONG size;
};
struct cf2_streams {
    struct cf2_stream_item *items;
    DWORD count;
    DWORD capacity;
    ULONGLONG total;          /* sum of the named streams' sizes */
};
DWORD cf2_streams_list(HANDLE src, struct cf2_streams *s);
void cf2_streams_free(struct cf2_streams *s);
WCHAR *cf2_stream_path(const WCHAR *path, const WCHAR *suffix);

/* links.c: symbolic links, junctions and other reparse points */
DWORD cf2_reparse_tag(HANDLE h);
BOOL cf2_is_junction_tag(DWORD tag);
BOOL cf2_is_symlink_tag(DWORD tag);
DWORD cf2_copy_reparse_point(HANDLE src, const WCHAR *dst, BOOL is_directory,
                             BOOL fail_if_exists, BOOL *created);

/* offload.c: the in-kernel copy path under Wine on Linux x86-64 */
struct cf2_offload {
    int src_fd;               /* host descriptors, -1 when the path is off */
    int dst_fd;
};
BOOL cf2_offload_open(struct cf2_offload *o, HANDLE src, HANDLE dst);
void cf2_offload_close(struct cf2_offload *o);
DWORD cf2_offload_copy(struct cf2_offload *o, ULONGLONG offset, DWORD n, BOOL *unsupported);
BOOL cf2_offload_data_range(struct cf2_offload *o, ULONGLONG offset, ULONGLONG end,
                            ULONGLONG *data, ULONGLONG *hole);

/* guard.c: calls into the progress routine that survive its exceptions */
void cf2_guarded_call(void (*fn)(void *), void *arg);
void *cf2_guard_enter(void *copy);   /* returns the outer copy, for cf2_guard_leave */
void cf2_guard_leave(void *outer);
/* engine.c: a structured exception from the progress routine is unwinding
 * through the copy: release everything.  Returns the outer copy. */
void *cf2_abandon_copy(void *copy);

/* fault.c: the test build's fault-injection seam.  Returns the Win32 error
 * to simulate at this point, or 0.  Always 0 outside the test build. */
DWORD cf2_fault(COPYFILE2_COPY_PHASE phase, ULONGLONG chunk);

#endif /* CF2_INTERNAL_H */
