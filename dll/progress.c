/*
 * progress.c - the progress-callback protocol.
 *
 * Builds every COPYFILE2_MESSAGE from the engine's counters, calls the
 * caller's routine on the calling thread, and turns its answer into a
 * verdict for the engine.  A V2 caller's CopyFileEx-style routine
 * (pProgressRoutineOld) takes precedence and gets the CopyFileEx subset:
 * CALLBACK_STREAM_SWITCH for STREAM_STARTED and CALLBACK_CHUNK_FINISHED for
 * CHUNK_FINISHED.  The message sequence is documented in docs/conformance.md.
 */
#include "internal.h"

void cf2_progress_init(struct cf2_progress *p, const struct cf2_request *req)
{
    ZeroMemory(p, sizeof *p);
    p->req = req;
    p->src = INVALID_HANDLE_VALUE;
    p->dst = INVALID_HANDLE_VALUE;
    p->stream = 1;
}

BOOL cf2_progress_cancelled(const struct cf2_progress *p)
{
    /* pfCancel may be set from another thread: read it through a volatile. */
    const volatile BOOL *cancel = p->req->cancel;
    return cancel != NULL && *cancel != FALSE;
}

static BOOL wants_messages(const struct cf2_progress *p)
{
    return !p->quiet && (p->req->routine != NULL || p->req->routine_old != NULL);
}

/* Maps a COPYFILE2_MESSAGE_ACTION to a verdict; QUIET silences the rest. */
static enum cf2_verdict verdict_of(struct cf2_progress *p, COPYFILE2_MESSAGE_ACTION action)
{
    switch (action) {
    case COPYFILE2_PROGRESS_CONTINUE: return CF2_GO;
    case COPYFILE2_PROGRESS_QUIET: p->quiet = TRUE; return CF2_GO;
    case COPYFILE2_PROGRESS_CANCEL: return CF2_CANCEL;
    case COPYFILE2_PROGRESS_STOP: return CF2_STOP;
    case COPYFILE2_PROGRESS_PAUSE: return CF2_PAUSE;
    default: return CF2_INVALID;
    }
}

static LARGE_INTEGER li(ULONGLONG v)
{
    LARGE_INTEGER r;
    r.QuadPart = (LONGLONG)v;
    return r;
}

/* The routines are called through cf2_guarded_call (guard.c), so that an
 * exception they raise unwinds through CopyFile2 without leaks. */
struct old_call {
    struct cf2_progress *p;
    DWORD reason;
    DWORD result;
};

static void invoke_old(void *arg)
{
    struct old_call *c = arg;
    struct cf2_progress *p = c->p;
    c->result = p->req->routine_old(li(p->total_size), li(p->total_done), li(p->stream_size),
                                    li(p->stream_done), p->stream, c->reason, p->src, p->dst,
                                    p->req->context);
}

/* The CopyFileEx-style routine: PROGRESS_CONTINUE/CANCEL/STOP/QUIET have the
 * same numbers as the COPYFILE2 actions; anything else (PAUSE included, which
 * CopyFileEx does not have) is invalid. */
static enum cf2_verdict call_old(struct cf2_progress *p, DWORD reason)
{
    struct old_call c = {p, reason, 0};
    cf2_guarded_call(invoke_old, &c);
    if (c.result > PROGRESS_QUIET)
        return CF2_INVALID;
    return verdict_of(p, (COPYFILE2_MESSAGE_ACTION)c.result);
}

struct new_call {
    const struct cf2_request *req;
    const COPYFILE2_MESSAGE *m;
    COPYFILE2_MESSAGE_ACTION result;
};

static void invoke_new(void *arg)
{
    struct new_call *c = arg;
    c->result = c->req->routine(c->m, c->req->context);
}

static enum cf2_verdict deliver(struct cf2_progress *p, const COPYFILE2_MESSAGE *m)
{
    struct new_call c = {p->req, m, COPYFILE2_PROGRESS_CONTINUE};
    cf2_guarded_call(invoke_new, &c);
    return verdict_of(p, c.result);
}

static void uli(ULARGE_INTEGER *dst, ULONGLONG v)
{
    dst->QuadPart = v;
}

enum cf2_verdict cf2_progress_stream_started(struct cf2_progress *p)
{
    p->stream_started = TRUE;
    if (!wants_messages(p))
        return CF2_GO;
    if (p->req->routine_old)
        return call_old(p, CALLBACK_STREAM_SWITCH);
    COPYFILE2_MESSAGE m;
    ZeroMemory(&m, sizeof m);
    m.Type = COPYFILE2_CALLBACK_STREAM_STARTED;
    m.Info.StreamStarted.dwStreamNumber = p->stream;
    m.Info.StreamStarted.hSourceFile = p->src;
    m.Info.StreamStarted.hDestinationFile = p->dst;
    uli(&m.Info.StreamStarted.uliStreamSize, p->stream_size);
    uli(&m.Info.StreamStarted.uliTotalFileSize, p->total_size);
    return deliver(p, &m);
}

enum cf2_verdict cf2_progress_chunk_started(struct cf2_progress *p, ULONGLONG chunk_size)
{
    if (!wants_messages(p) || p->req->routine_old)
        return CF2_GO;
    COPYFILE2_MESSAGE m;
    ZeroMemory(&m, sizeof m);
    m.Type = COPYFILE2_CALLBACK_CHUNK_STARTED;
    m.Info.ChunkStarted.dwStreamNumber = p->stream;
    m.Info.ChunkStarted.hSourceFile = p->src;
    m.Info.ChunkStarted.hDestinationFile = p->dst;
    uli(&m.Info.ChunkStarted.uliChunkNumber, p->chunk);
    uli(&m.Info.ChunkStarted.uliChunkSize, chunk_size);
    uli(&m.Info.ChunkStarted.uliStreamSize, p->stream_size);
    uli(&m.Info.ChunkStarted.uliTotalFileSize, p->total_size);
    return deliver(p, &m);
}

enum cf2_verdict cf2_progress_chunk_finished(struct cf2_progress *p, ULONGLONG chunk_size)
{
    if (!wants_messages(p))
        return CF2_GO;
    if (p->req->routine_old)
        return call_old(p, CALLBACK_CHUNK_FINISHED);
    COPYFILE2_MESSAGE m;
    ZeroMemory(&m, sizeof m);
    m.Type = COPYFILE2_CALLBACK_CHUNK_FINISHED;
    m.Info.ChunkFinished.dwStreamNumber = p->stream;
    m.Info.ChunkFinished.dwFlags = p->chunk_flags; /* COPY_OFFLOAD when offload.c copied it */
    m.Info.ChunkFinished.hSourceFile = p->src;
    m.Info.ChunkFinished.hDestinationFile = p->dst;
    uli(&m.Info.ChunkFinished.uliChunkNumber, p->chunk);
    uli(&m.Info.ChunkFinished.uliChunkSize, chunk_size);
    uli(&m.Info.ChunkFinished.uliStreamSize, p->stream_size);
    uli(&m.Info.ChunkFinished.uliStreamBytesTransferred, p->stream_done);
    uli(&m.Info.ChunkFinished.uliTotalFileSize, p->total_size);
    uli(&m.Info.ChunkFinished.uliTotalBytesTransferred, p->total_done);
    return deliver(p, &m);
}

enum cf2_verdict cf2_progress_stream_finished(struct cf2_progress *p)
{
    if (!wants_messages(p) || p->req->routine_old)
        return CF2_GO;
    COPYFILE2_MESSAGE m;
    ZeroMemory(&m, sizeof m);
    m.Type = COPYFILE2_CALLBACK_STREAM_FINISHED;
    m.Info.StreamFinished.dwStreamNumber = p->stream;
    m.Info.StreamFinished.hSourceFile = p->src;
    m.Info.StreamFinished.hDestinationFile = p->dst;
    uli(&m.Info.StreamFinished.uliStreamSize, p->stream_size);
    uli(&m.Info.StreamFinished.uliStreamBytesTransferred, p->stream_done);
    uli(&m.Info.StreamFinished.uliTotalFileSize, p->total_size);
    uli(&m.Info.StreamFinished.uliTotalBytesTransferred, p->total_done);
    return deliver(p, &m);
}

enum cf2_verdict cf2_progress_poll(struct cf2_progress *p)
{
    if (!wants_messages(p) || p->req->routine_old)
        return CF2_GO;
    COPYFILE2_MESSAGE m;
    ZeroMemory(&m, sizeof m);
    m.Type = COPYFILE2_CALLBACK_POLL_CONTINUE;
    return deliver(p, &m);
}

enum cf2_verdict cf2_progress_error(struct cf2_progress *p, COPYFILE2_COPY_PHASE phase,
                                    DWORD error)
{
    if (!wants_messages(p) || p->req->routine_old)
        return CF2_GO;
    COPYFILE2_MESSAGE m;
    ZeroMemory(&m, sizeof m);
    m.Type = COPYFILE2_CALLBACK_ERROR;
    m.Info.Error.CopyPhase = phase;
    m.Info.Error.dwStreamNumber = p->stream;
    m.Info.Error.hrFailure = HRESULT_FROM_WIN32(error);
    uli(&m.Info.Error.uliChunkNumber, p->chunk);
    uli(&m.Info.Error.uliStreamSize, p->stream_size);
    uli(&m.Info.Error.uliStreamBytesTransferred, p->stream_done);
    uli(&m.Info.Error.uliTotalFileSize, p->total_size);
    uli(&m.Info.Error.uliTotalBytesTransferred, p->total_done);
    return deliver(p, &m);
}
