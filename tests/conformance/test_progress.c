/*
 * test_progress.c - the progress protocol (contract 4, 5, 6, 7.2 and the
 * decisions 9.6-9.11, 9.16-9.20; docs/conformance.md, "The progress
 * protocol: message sequence and decisions").
 *
 * Every copy here goes through a recorder: a progress routine that keeps a
 * copy of every message with the time it arrived, checks on the spot what
 * can only be checked while the message is live (the calling thread, the
 * context pointer, the handles: GetFileSizeEx on hSourceFile,
 * GetFileInformationByHandle on both), and answers from a script (one
 * action at one message index) or from a test's hook.  Nothing inside the
 * routine fails the test directly (a failure there would unwind through
 * the implementation's frames): problems are collected and reported after
 * the call returns.  After the call the recorded sequence is compared with
 * the expected one field by field.
 *
 * CHUNK_FINISHED.dwFlags may carry COPYFILE2_MESSAGE_COPY_OFFLOAD wherever 0
 * is expected (the in-kernel copy path, docs/flags.md), never another bit;
 * a test that sets rec.exact_flags requires 0.  Under --doc-only the OURS
 * parts inside DOC/OBS tests are dropped: the exact sequence (the action
 * tests answer at the positions of the implementation's own sequence,
 * recorded first), dwPadding/dwReserved 0, the calling thread, and the
 * layout of kept and paused destinations.
 */
#include "harness.h"
#include "copyfile2_restart.h" /* the layout of a paused destination (OURS) */

#include <string.h>

#define SEED 0x9e55u
#define OTHER_SEED 0x0dd5u
#define OLD_SEED 0x01du
#define CHUNK (1 * MiB)      /* the default chunk size */
#define S_EXAMPLE 2500000ull /* the worked example of the specification */
#define REC_DEFAULT 0xFFFFFFFEu /* a hook's "answer from the script" */
#define REC_NONE ((size_t)-1)
#define REC_LIMIT 200000u

/* ---------------------------------------------------------------- message fields */

/* The fields of a message other than its handles, by name, in layout order.
 * Index 0 is Type, 1 is dwPadding.  Returns the count. */
static int fields_of(const COPYFILE2_MESSAGE *m, const char *name[12], ULONGLONG v[12])
{
    int n = 0;
#define F(label, value) (name[n] = (label), v[n] = (ULONGLONG)(value), n++)
    F("Type", m->Type);
    F("dwPadding", m->dwPadding);
    switch (m->Type) {
    case COPYFILE2_CALLBACK_CHUNK_STARTED:
        F("dwStreamNumber", m->Info.ChunkStarted.dwStreamNumber);
        F("dwReserved", m->Info.ChunkStarted.dwReserved);
        F("uliChunkNumber", m->Info.ChunkStarted.uliChunkNumber.QuadPart);
        F("uliChunkSize", m->Info.ChunkStarted.uliChunkSize.QuadPart);
        F("uliStreamSize", m->Info.ChunkStarted.uliStreamSize.QuadPart);
        F("uliTotalFileSize", m->Info.ChunkStarted.uliTotalFileSize.QuadPart);
        break;
    case COPYFILE2_CALLBACK_CHUNK_FINISHED:
        F("dwStreamNumber", m->Info.ChunkFinished.dwStreamNumber);
        F("dwFlags", m->Info.ChunkFinished.dwFlags);
        F("uliChunkNumber", m->Info.ChunkFinished.uliChunkNumber.QuadPart);
        F("uliChunkSize", m->Info.ChunkFinished.uliChunkSize.QuadPart);
        F("uliStreamSize", m->Info.ChunkFinished.uliStreamSize.QuadPart);
        F("uliStreamBytesTransferred", m->Info.ChunkFinished.uliStreamBytesTransferred.QuadPart);
        F("uliTotalFileSize", m->Info.ChunkFinished.uliTotalFileSize.QuadPart);
        F("uliTotalBytesTransferred", m->Info.ChunkFinished.uliTotalBytesTransferred.QuadPart);
        break;
    case COPYFILE2_CALLBACK_STREAM_STARTED:
        F("dwStreamNumber", m->Info.StreamStarted.dwStreamNumber);
        F("dwReserved", m->Info.StreamStarted.dwReserved);
        F("uliStreamSize", m->Info.StreamStarted.uliStreamSize.QuadPart);
        F("uliTotalFileSize", m->Info.StreamStarted.uliTotalFileSize.QuadPart);
        break;
    case COPYFILE2_CALLBACK_STREAM_FINISHED:
        F("dwStreamNumber", m->Info.StreamFinished.dwStreamNumber);
        F("dwReserved", m->Info.StreamFinished.dwReserved);
        F("uliStreamSize", m->Info.StreamFinished.uliStreamSize.QuadPart);
        F("uliStreamBytesTransferred", m->Info.StreamFinished.uliStreamBytesTransferred.QuadPart);
        F("uliTotalFileSize", m->Info.StreamFinished.uliTotalFileSize.QuadPart);
        F("uliTotalBytesTransferred", m->Info.StreamFinished.uliTotalBytesTransferred.QuadPart);
        break;
    case COPYFILE2_CALLBACK_POLL_CONTINUE:
        F("dwReserved", m->Info.PollContinue.dwReserved);
        break;
    case COPYFILE2_CALLBACK_ERROR:
        F("CopyPhase", m->Info.Error.CopyPhase);
        F("dwStreamNumber", m->Info.Error.dwStreamNumber);
        F("hrFailure", (DWORD)m->Info.Error.hrFailure);
        F("dwReserved", m->Info.Error.dwReserved);
        F("uliChunkNumber", m->Info.Error.uliChunkNumber.QuadPart);
        F("uliStreamSize", m->Info.Error.uliStreamSize.QuadPart);
        F("uliStreamBytesTransferred", m->Info.Error.uliStreamBytesTransferred.QuadPart);
        F("uliTotalFileSize", m->Info.Error.uliTotalFileSize.QuadPart);
        F("uliTotalBytesTransferred", m->Info.Error.uliTotalBytesTransferred.QuadPart);
        break;
    default:
        break;
    }
#undef F
    return n;
}

/* One line describing a message (ring of buffers). */
static const char *msg_str(const COPYFILE2_MESSAGE *m)
{
    static char ring[8][600];
    static int next;
    char *o = ring[next++ & 7];
    const char *name[12];
    ULONGLONG v[12];
    int n = fields_of(m, name, v);
    size_t len = (size_t)snprintf(o, sizeof ring[0], "%s", cf2_type_name(m->Type));
    for (int i = 1; i < n && len < sizeof ring[0]; i++) {
        if (!strcmp(name[i], "hrFailure"))
            len += (size_t)snprintf(o + len, sizeof ring[0] - len, " %s=0x%08llx", name[i], v[i]);
        else if (!strcmp(name[i], "CopyPhase"))
            len += (size_t)snprintf(o + len, sizeof ring[0] - len, " %s=%s", name[i], cf2_phase_name((DWORD)v[i]));
        else
            len += (size_t)snprintf(o + len, sizeof ring[0] - len, " %s=%llu", name[i] + (name[i][0] == 'u' ? 3 : 0), v[i]);
    }
    return o;
}

/* Expected messages (one stream: the total equals the stream). */
static COPYFILE2_MESSAGE msg_stream_started(ULONGLONG size)
{
    COPYFILE2_MESSAGE m;
    memset(&m, 0, sizeof m);
    m.Type = COPYFILE2_CALLBACK_STREAM_STARTED;
    m.Info.StreamStarted.dwStreamNumber = 1;
    m.Info.StreamStarted.uliStreamSize.QuadPart = size;
    m.Info.StreamStarted.uliTotalFileSize.QuadPart = size;
    return m;
}

static COPYFILE2_MESSAGE msg_chunk_started(ULONGLONG number, ULONGLONG n, ULONGLONG size)
{
    COPYFILE2_MESSAGE m;
    memset(&m, 0, sizeof m);
    m.Type = COPYFILE2_CALLBACK_CHUNK_STARTED;
    m.Info.ChunkStarted.dwStreamNumber = 1;
    m.Info.ChunkStarted.uliChunkNumber.QuadPart = number;
    m.Info.ChunkStarted.uliChunkSize.QuadPart = n;
    m.Info.ChunkStarted.uliStreamSize.QuadPart = size;
    m.Info.ChunkStarted.uliTotalFileSize.QuadPart = size;
    return m;
}

static COPYFILE2_MESSAGE msg_chunk_finished(ULONGLONG number, ULONGLONG n, ULONGLONG size, ULONGLONG done)
{
    COPYFILE2_MESSAGE m;
    memset(&m, 0, sizeof m);
    m.Type = COPYFILE2_CALLBACK_CHUNK_FINISHED;
    m.Info.ChunkFinished.dwStreamNumber = 1;
    m.Info.ChunkFinished.uliChunkNumber.QuadPart = number;
    m.Info.ChunkFinished.uliChunkSize.QuadPart = n;
    m.Info.ChunkFinished.uliStreamSize.QuadPart = size;
    m.Info.ChunkFinished.uliStreamBytesTransferred.QuadPart = done;
    m.Info.ChunkFinished.uliTotalFileSize.QuadPart = size;
    m.Info.ChunkFinished.uliTotalBytesTransferred.QuadPart = done;
    return m;
}

static COPYFILE2_MESSAGE msg_stream_finished(ULONGLONG size, ULONGLONG done)
{
    COPYFILE2_MESSAGE m;
    memset(&m, 0, sizeof m);
    m.Type = COPYFILE2_CALLBACK_STREAM_FINISHED;
    m.Info.StreamFinished.dwStreamNumber = 1;
    m.Info.StreamFinished.uliStreamSize.QuadPart = size;
    m.Info.StreamFinished.uliStreamBytesTransferred.QuadPart = done;
    m.Info.StreamFinished.uliTotalFileSize.QuadPart = size;
    m.Info.StreamFinished.uliTotalBytesTransferred.QuadPart = done;
    return m;
}

static COPYFILE2_MESSAGE msg_error(DWORD phase, DWORD error, ULONGLONG number, ULONGLONG size, ULONGLONG done)
{
    COPYFILE2_MESSAGE m;
    memset(&m, 0, sizeof m);
    m.Type = COPYFILE2_CALLBACK_ERROR;
    m.Info.Error.CopyPhase = (COPYFILE2_COPY_PHASE)phase;
    m.Info.Error.dwStreamNumber = 1;
    m.Info.Error.hrFailure = HRESULT_FROM_WIN32(error);
    m.Info.Error.uliChunkNumber.QuadPart = number;
    m.Info.Error.uliStreamSize.QuadPart = size;
    m.Info.Error.uliStreamBytesTransferred.QuadPart = done;
    m.Info.Error.uliTotalFileSize.QuadPart = size;
    m.Info.Error.uliTotalBytesTransferred.QuadPart = done;
    return m;
}

/* A growable list of expected messages. */
struct seq {
    COPYFILE2_MESSAGE *m;
    size_t n, cap;
};

static void seq_add(struct seq *s, COPYFILE2_MESSAGE m)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->m = realloc(s->m, s->cap * sizeof *s->m);
        if (!s->m) {
            cf2_err("ERROR: out of memory\n");
            _fail(__FILE__, __LINE__);
        }
    }
    s->m[s->n++] = m;
}

static void seq_free(struct seq *s)
{
    free(s->m);
    memset(s, 0, sizeof *s);
}

/* The messages of a complete copy of `size` bytes in chunks of `chunk`. */
static struct seq seq_full(ULONGLONG size, ULONGLONG chunk)
{
    struct seq s = { 0 };
    seq_add(&s, msg_stream_started(size));
    ULONGLONG done = 0, number = 0;
    while (done < size) {
        ULONGLONG n = size - done < chunk ? size - done : chunk;
        seq_add(&s, msg_chunk_started(number, n, size));
        done += n;
        seq_add(&s, msg_chunk_finished(number, n, size, done));
        number++;
    }
    seq_add(&s, msg_stream_finished(size, done));
    return s;
}

/* The first k + 1 messages of `full`. */
static struct seq seq_prefix(const struct seq *full, size_t k)
{
    struct seq s = { 0 };
    for (size_t i = 0; i <= k && i < full->n; i++)
        seq_add(&s, full->m[i]);
    return s;
}

/* Bytes transferred when message k of `full` is answered. */
static ULONGLONG done_at(const struct seq *full, size_t k)
{
    ULONGLONG done = 0;
    for (size_t i = 0; i <= k && i < full->n; i++)
        if (full->m[i].Type == COPYFILE2_CALLBACK_CHUNK_FINISHED)
            done = full->m[i].Info.ChunkFinished.uliStreamBytesTransferred.QuadPart;
    return done;
}

/* ---------------------------------------------------------------- the recorder */

struct rec;
/* A test's own answer to message `index`, or REC_DEFAULT for the script's. */
typedef DWORD (*rec_hook_fn)(struct rec *r, const COPYFILE2_MESSAGE *m, size_t index);

struct rec {
    COPYFILE2_MESSAGE *msgs;
    double *ms;          /* arrival of each message, ms since rec_init */
    size_t n, cap;
    DWORD thread;        /* the thread that called CopyFile2 */
    size_t act_at;       /* the message answered with `act` (REC_NONE: none) */
    DWORD act;
    BOOL after_set;      /* answer every later message with `after` */
    DWORD after;
    rec_hook_fn hook;
    void *hook_data;
    BOOL check_handles;  /* check the handles of types 1..4 */
    unsigned handle_every; /* >1: check the handles of the first 16 messages, every n-th and the
                              STREAM_FINISHED only (each check costs server calls under Wine) */
    BOOL exact_flags;    /* CHUNK_FINISHED.dwFlags must be exactly as expected (0), not 0 or COPY_OFFLOAD */
    ULONGLONG src_size;  /* what GetFileSizeEx(hSourceFile) must give */
    unsigned handle_checks;
    BOOL have_ids;
    BY_HANDLE_FILE_INFORMATION src_id, dst_id; /* as seen through the first message's handles */
    BOOL *cancel;        /* the copy's pfCancel, for hooks */
    unsigned problems;
    char problem[3000];
    LARGE_INTEGER freq, start;
};

static struct rec *g_rec; /* the recorder of the CopyFile2 call in progress */

static void rec_init(struct rec *r, ULONGLONG src_size)
{
    memset(r, 0, sizeof *r);
    r->thread = GetCurrentThreadId();
    r->act_at = REC_NONE;
    r->check_handles = TRUE;
    r->src_size = src_size;
    QueryPerformanceFrequency(&r->freq);
    QueryPerformanceCounter(&r->start);
}

static void rec_free(struct rec *r)
{
    free(r->msgs);
    free(r->ms);
    r->msgs = NULL;
    r->ms = NULL;
    r->n = r->cap = 0;
}

static double now_ms(const struct rec *r)
{
    LARGE_INTEGER c;
    QueryPerformanceCounter(&c);
    return (double)(c.QuadPart - r->start.QuadPart) * 1000.0 / (double)r->freq.QuadPart;
}

static void rec_problem(struct rec *r, const char *fmt, ...) __attribute__((format(__MINGW_PRINTF_FORMAT, 2, 3)));
static void rec_problem(struct rec *r, const char *fmt, ...)
{
    r->problems++;
    if (r->problems > 8)
        return;
    size_t len = strlen(r->problem);
    if (len + 2 >= sizeof r->problem)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->problem + len, sizeof r->problem - len - 1, fmt, ap);
    va_end(ap);
    len = strlen(r->problem);
    if (len + 2 < sizeof r->problem)
        strcat(r->problem, "\n  ");
}

static BOOL same_id(const BY_HANDLE_FILE_INFORMATION *a, const BY_HANDLE_FILE_INFORMATION *b)
{
    return a->dwVolumeSerialNumber == b->dwVolumeSerialNumber && a->nFileIndexHigh == b->nFileIndexHigh &&
           a->nFileIndexLow == b->nFileIndexLow;
}

static void rec_handles(struct rec *r, size_t i, HANDLE src, HANDLE dst)
{
    LARGE_INTEGER size;
    BY_HANDLE_FILE_INFORMATION si, di;
    r->handle_checks++;
    if (!GetFileSizeEx(src, &size))
        rec_problem(r, "message %u: GetFileSizeEx(hSourceFile %p) failed: error %lu", (unsigned)i, src, GetLastError());
    else if ((ULONGLONG)size.QuadPart != r->src_size)
        rec_problem(r, "message %u: GetFileSizeEx(hSourceFile) = %lld, the source has %llu bytes", (unsigned)i,
                    size.QuadPart, r->src_size);
    if (!GetFileInformationByHandle(src, &si)) {
        rec_problem(r, "message %u: GetFileInformationByHandle(hSourceFile %p) failed: error %lu", (unsigned)i, src,
                    GetLastError());
        return;
    }
    if (!GetFileInformationByHandle(dst, &di)) {
        rec_problem(r, "message %u: GetFileInformationByHandle(hDestinationFile %p) failed: error %lu", (unsigned)i,
                    dst, GetLastError());
        return;
    }
    if (!r->have_ids) {
        r->have_ids = TRUE;
        r->src_id = si;
        r->dst_id = di;
    } else if (!same_id(&si, &r->src_id) || !same_id(&di, &r->dst_id)) {
        rec_problem(r, "message %u: the handles are not the same files as in the first message", (unsigned)i);
    }
}

/* Checks every message can be checked on its own, whatever the test. */
static void rec_check_message(struct rec *r, const COPYFILE2_MESSAGE *m, size_t i)
{
    if (m->Type == 7 || m->Type == 8)
        rec_problem(r, "message %u: type %s was sent (contract 9.18: never)", (unsigned)i, cf2_type_name(m->Type));
    else if (m->Type < COPYFILE2_CALLBACK_CHUNK_STARTED || m->Type > COPYFILE2_CALLBACK_ERROR)
        rec_problem(r, "message %u: type %u is outside 1..6", (unsigned)i, (unsigned)m->Type);
    if (m->dwPadding != 0 && !cf2_doc_only) /* OURS: undescribed, set to 0 */
        rec_problem(r, "message %u (%s): dwPadding is %lu", (unsigned)i, cf2_type_name(m->Type), m->dwPadding);
    HANDLE hs = NULL, hd = NULL;
    DWORD stream = 1, reserved = 0;
    switch (m->Type) {
    case COPYFILE2_CALLBACK_CHUNK_STARTED:
        stream = m->Info.ChunkStarted.dwStreamNumber;
        reserved = m->Info.ChunkStarted.dwReserved;
        hs = m->Info.ChunkStarted.hSourceFile;
        hd = m->Info.ChunkStarted.hDestinationFile;
        break;
    case COPYFILE2_CALLBACK_CHUNK_FINISHED:
        stream = m->Info.ChunkFinished.dwStreamNumber;
        reserved = m->Info.ChunkFinished.dwFlags;
        hs = m->Info.ChunkFinished.hSourceFile;
        hd = m->Info.ChunkFinished.hDestinationFile;
        break;
    case COPYFILE2_CALLBACK_STREAM_STARTED:
        stream = m->Info.StreamStarted.dwStreamNumber;
        reserved = m->Info.StreamStarted.dwReserved;
        hs = m->Info.StreamStarted.hSourceFile;
        hd = m->Info.StreamStarted.hDestinationFile;
        break;
    case COPYFILE2_CALLBACK_STREAM_FINISHED:
        stream = m->Info.StreamFinished.dwStreamNumber;
        reserved = m->Info.StreamFinished.dwReserved;
        hs = m->Info.StreamFinished.hSourceFile;
        hd = m->Info.StreamFinished.hDestinationFile;
        break;
    case COPYFILE2_CALLBACK_POLL_CONTINUE:
        reserved = m->Info.PollContinue.dwReserved;
        break;
    case COPYFILE2_CALLBACK_ERROR:
        stream = m->Info.Error.dwStreamNumber;
        reserved = m->Info.Error.dwReserved;
        break;
    default:
        break;
    }
    if (stream < 1)
        rec_problem(r, "message %u (%s): dwStreamNumber is 0 (streams count from 1)", (unsigned)i, cf2_type_name(m->Type));
    if (m->Type == COPYFILE2_CALLBACK_CHUNK_FINISHED && !r->exact_flags)
        reserved &= ~(DWORD)COPYFILE2_MESSAGE_COPY_OFFLOAD; /* the one defined bit (contract 9.21) */
    if (reserved != 0 && !cf2_doc_only) /* OURS: "internal use", 0 here */
        rec_problem(r, "message %u (%s): dwReserved/dwFlags is 0x%lx, expected 0", (unsigned)i, cf2_type_name(m->Type),
                    reserved);
    if (hs && r->check_handles &&
        (r->handle_every <= 1 || i < 16 || i % r->handle_every == 0 ||
         m->Type == COPYFILE2_CALLBACK_STREAM_FINISHED))
        rec_handles(r, i, hs, hd);
}

static COPYFILE2_MESSAGE_ACTION CALLBACK rec_cb(const COPYFILE2_MESSAGE *m, PVOID context)
{
    struct rec *r = g_rec;
    if (!r)
        return COPYFILE2_PROGRESS_CANCEL; /* cannot happen: no recorded call is running */
    if (context != r)
        rec_problem(r, "pvCallbackContext is %p, the caller passed %p", context, (void *)r);
    size_t i = r->n;
    if (r->n == r->cap) {
        if (r->cap >= REC_LIMIT) {
            rec_problem(r, "more than %u messages: cancelled", REC_LIMIT);
            return COPYFILE2_PROGRESS_CANCEL;
        }
        size_t cap = r->cap ? r->cap * 2 : 256;
        COPYFILE2_MESSAGE *msgs = realloc(r->msgs, cap * sizeof *msgs);
        double *ms = msgs ? realloc(r->ms, cap * sizeof *ms) : NULL;
        if (!msgs || !ms) {
            if (msgs)
                r->msgs = msgs;
            rec_problem(r, "out of memory after %u messages: cancelled", (unsigned)i);
            return COPYFILE2_PROGRESS_CANCEL;
        }
        r->msgs = msgs;
        r->ms = ms;
        r->cap = cap;
    }
    r->msgs[i] = *m;
    r->ms[i] = now_ms(r);
    r->n++;
    if (GetCurrentThreadId() != r->thread && !cf2_doc_only) /* OURS (contract 9.20) */
        rec_problem(r, "message %u (%s) came on thread %lu, CopyFile2 was called on thread %lu", (unsigned)i,
                    cf2_type_name(m->Type), GetCurrentThreadId(), r->thread);
    rec_check_message(r, m, i);
    DWORD a = REC_DEFAULT;
    if (r->hook)
        a = r->hook(r, m, i);
    if (a == REC_DEFAULT) {
        if (r->act_at != REC_NONE && i == r->act_at)
            a = r->act;
        else if (r->act_at != REC_NONE && i > r->act_at && r->after_set)
            a = r->after;
        else
            a = COPYFILE2_PROGRESS_CONTINUE;
    }
    return (COPYFILE2_MESSAGE_ACTION)a;
}

static COPYFILE2_EXTENDED_PARAMETERS rec_v1(struct rec *r, DWORD flags, BOOL *cancel)
{
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(flags);
    p.pProgressRoutine = rec_cb;
    p.pvCallbackContext = r;
    p.pfCancel = cancel;
    r->cancel = cancel;
    return p;
}

static COPYFILE2_EXTENDED_PARAMETERS_V2 rec_v2(struct rec *r, DWORD flags, BOOL *cancel)
{
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(flags);
    p.pProgressRoutine = rec_cb;
    p.pvCallbackContext = r;
    p.pfCancel = cancel;
    r->cancel = cancel;
    return p;
}

/* Calls CopyFile2 with `r` as the recorder (calls may nest). */
static struct cf2_res rec_call(struct rec *r, const WCHAR *src, const WCHAR *dst, void *params)
{
    struct rec *saved = g_rec;
    g_rec = r;
    struct cf2_res res = cf2_call(src, dst, params);
    g_rec = saved;
    return res;
}

static void rec_dump(const struct rec *r, const struct seq *exp, size_t around)
{
    size_t from = around > 6 ? around - 6 : 0;
    size_t to = around + 6;
    cf2_err("  messages received (%u), from #%u:\n", (unsigned)r->n, (unsigned)from);
    for (size_t i = from; i < r->n && i < to; i++)
        cf2_err("    #%u %s\n", (unsigned)i, msg_str(&r->msgs[i]));
    if (exp) {
        cf2_err("  messages expected (%u), from #%u:\n", (unsigned)exp->n, (unsigned)from);
        for (size_t i = from; i < exp->n && i < to; i++)
            cf2_err("    #%u %s\n", (unsigned)i, msg_str(&exp->m[i]));
    }
}

/* No problem was seen inside the routine. */
static void rec_expect_clean_(const struct rec *r, const char *what, const char *file, int line)
{
    if (r->problems) {
        cf2_err("ERROR: %s: %u problem(s) seen inside the progress routine:\n  %s\n", what, r->problems, r->problem);
        rec_dump(r, NULL, r->n > 6 ? r->n - 6 : 0);
        _fail(file, line);
    }
}
#define rec_expect_clean(r, what) rec_expect_clean_((r), (what), __FILE__, __LINE__)

/* The recorded messages are exactly `exp`, every field but the handles. */
static void rec_expect_seq_(const struct rec *r, const struct seq *exp, const char *what, const char *file, int line)
{
    size_t n = r->n < exp->n ? r->n : exp->n;
    for (size_t i = 0; i < n; i++) {
        const char *gn[12], *en[12];
        ULONGLONG gv[12], ev[12];
        int gc = fields_of(&r->msgs[i], gn, gv);
        int ec = fields_of(&exp->m[i], en, ev);
        for (int f = 0; f < gc && f < ec; f++) {
            /* dwFlags: COPY_OFFLOAD when the implementation's offload path
             * copied the chunk (docs/flags.md), unless the test asks for 0 */
            if (!r->exact_flags && gc == ec && !strcmp(gn[f], "dwFlags") && ev[f] == 0 &&
                gv[f] == COPYFILE2_MESSAGE_COPY_OFFLOAD)
                continue;
            if (gv[f] != ev[f] || gc != ec) {
                cf2_err("ERROR: %s: message #%u: %s is %llu (0x%llx), expected %llu (0x%llx)\n", what, (unsigned)i,
                        gn[f], gv[f], gv[f], ev[f], ev[f]);
                rec_dump(r, exp, i);
                _fail(file, line);
            }
        }
    }
    if (r->n != exp->n) {
        cf2_err("ERROR: %s: %u messages received, %u expected\n", what, (unsigned)r->n, (unsigned)exp->n);
        rec_dump(r, exp, n);
        _fail(file, line);
    }
}
#define rec_expect_seq(r, exp, what) rec_expect_seq_((r), (exp), (what), __FILE__, __LINE__)

/* The handles seen inside the routine were the source's and the final
 * destination's (the destination must exist). */
static void rec_expect_ids_(const struct rec *r, const WCHAR *src, const WCHAR *dst, const char *what,
                            const char *file, int line)
{
    if (!r->have_ids) {
        cf2_err("ERROR: %s: no message carried usable handles\n", what);
        _fail(file, line);
    }
    const WCHAR *paths[2] = { src, dst };
    const BY_HANDLE_FILE_INFORMATION *seen[2] = { &r->src_id, &r->dst_id };
    for (int k = 0; k < 2; k++) {
        HANDLE h = CreateFileW(paths[k], 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                               OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
        BY_HANDLE_FILE_INFORMATION info;
        BOOL ok = h != INVALID_HANDLE_VALUE && GetFileInformationByHandle(h, &info);
        DWORD e = GetLastError();
        if (h != INVALID_HANDLE_VALUE)
            CloseHandle(h);
        if (!ok) {
            cf2_err("ERROR: %s: cannot read the file index of %s: error %lu\n", what, cf2_u8(paths[k]), e);
            _fail(file, line);
        }
        if (!same_id(&info, seen[k])) {
            cf2_err("ERROR: %s: the %s handle of the messages is file %08lx:%08lx%08lx, %s is %08lx:%08lx%08lx\n",
                    what, k ? "destination" : "source", seen[k]->dwVolumeSerialNumber, seen[k]->nFileIndexHigh,
                    seen[k]->nFileIndexLow, cf2_u8(paths[k]), info.dwVolumeSerialNumber, info.nFileIndexHigh,
                    info.nFileIndexLow);
            _fail(file, line);
        }
    }
}
#define rec_expect_ids(r, s, d, what) rec_expect_ids_((r), (s), (d), (what), __FILE__, __LINE__)

/* Counters never decrease and chunk numbers rise, whatever the sequence. */
static void rec_expect_monotonic_(const struct rec *r, const char *what, const char *file, int line)
{
    ULONGLONG sb = 0, tb = 0, next_chunk = 0;
    for (size_t i = 0; i < r->n; i++) {
        const COPYFILE2_MESSAGE *m = &r->msgs[i];
        ULONGLONG s = sb, tt = tb;
        if (m->Type == COPYFILE2_CALLBACK_CHUNK_FINISHED) {
            s = m->Info.ChunkFinished.uliStreamBytesTransferred.QuadPart;
            tt = m->Info.ChunkFinished.uliTotalBytesTransferred.QuadPart;
        } else if (m->Type == COPYFILE2_CALLBACK_STREAM_FINISHED) {
            s = m->Info.StreamFinished.uliStreamBytesTransferred.QuadPart;
            tt = m->Info.StreamFinished.uliTotalBytesTransferred.QuadPart;
        } else if (m->Type == COPYFILE2_CALLBACK_ERROR) {
            s = m->Info.Error.uliStreamBytesTransferred.QuadPart;
            tt = m->Info.Error.uliTotalBytesTransferred.QuadPart;
        } else if (m->Type == COPYFILE2_CALLBACK_CHUNK_STARTED) {
            ULONGLONG c = m->Info.ChunkStarted.uliChunkNumber.QuadPart;
            if (c != next_chunk) {
                cf2_err("ERROR: %s: message #%u is chunk %llu, expected chunk %llu\n", what, (unsigned)i, c, next_chunk);
                rec_dump(r, NULL, i);
                _fail(file, line);
            }
            next_chunk++;
        }
        if (s < sb || tt < tb) {
            cf2_err("ERROR: %s: message #%u: a transferred counter decreased\n", what, (unsigned)i);
            rec_dump(r, NULL, i);
            _fail(file, line);
        }
        sb = s;
        tb = tt;
    }
}
#define rec_expect_monotonic(r, what) rec_expect_monotonic_((r), (what), __FILE__, __LINE__)

/* ---------------------------------------------------------------- files */

static BYTE *buf_a, *buf_b;

static void ensure_buffers(void)
{
    if (!buf_a) {
        buf_a = VirtualAlloc(NULL, MiB, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
        buf_b = VirtualAlloc(NULL, MiB, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    }
}

static ULONGLONG size_of_path(const WCHAR *path)
{
    WIN32_FILE_ATTRIBUTE_DATA d;
    if (!GetFileAttributesExW(path, GetFileExInfoStandard, &d))
        return (ULONGLONG)-1;
    return cf2_size_of(&d);
}

/* [0, pattern_len) holds the pattern `seed`, [pattern_len, end) zeros. */
static void expect_bytes_(const WCHAR *path, ULONGLONG pattern_len, ULONGLONG end, uint32_t seed, const char *file,
                          int line)
{
    ensure_buffers();
    HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        cf2_err("ERROR: cannot open %s: error %lu\n", cf2_u8(path), GetLastError());
        _fail(file, line);
    }
    ULONGLONG off = 0;
    while (off < end) {
        DWORD n = end - off < MiB ? (DWORD)(end - off) : (DWORD)MiB, got = 0;
        if (!ReadFile(h, buf_a, n, &got, NULL) || got != n) {
            CloseHandle(h);
            cf2_err("ERROR: short read of %s at %llu (the file is too short)\n", cf2_u8(path), off);
            _fail(file, line);
        }
        DWORD pn = off >= pattern_len ? 0 : (pattern_len - off < n ? (DWORD)(pattern_len - off) : n);
        cf2_pattern(seed, off, buf_b, pn);
        memset(buf_b + pn, 0, n - pn);
        if (memcmp(buf_a, buf_b, n) != 0) {
            DWORD i = 0;
            while (buf_a[i] == buf_b[i])
                i++;
            CloseHandle(h);
            cf2_err("ERROR: %s: byte %llu is 0x%02x, expected 0x%02x (%s)\n", cf2_u8(path), off + i, buf_a[i],
                    buf_b[i], off + i < pattern_len ? "copied data" : "zeros");
            _fail(file, line);
        }
        off += n;
    }
    CloseHandle(h);
}
#define expect_bytes(p, n, e, s) expect_bytes_((p), (n), (e), (s), __FILE__, __LINE__)

static uint64_t le64(const BYTE *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* A paused destination (include/copyfile2_restart.h, OURS): R + 8192 bytes,
 * the first `committed` bytes copied, a header slot naming S and committed. */
static void expect_paused_(const WCHAR *path, ULONGLONG size, ULONGLONG committed, uint32_t seed, const char *file,
                           int line)
{
    ULONGLONG r = (size + CF2_RH_ALIGNMENT - 1) / CF2_RH_ALIGNMENT * CF2_RH_ALIGNMENT;
    ULONGLONG got = size_of_path(path);
    if (got != r + CF2_RH_TRAILER_SIZE) {
        cf2_err("ERROR: the paused destination %s has %llu bytes, expected R + 8192 = %llu\n", cf2_u8(path), got,
                r + CF2_RH_TRAILER_SIZE);
        _fail(file, line);
    }
    expect_bytes_(path, committed, committed, seed, file, line);
    static BYTE trailer[CF2_RH_TRAILER_SIZE];
    cf2_read_at_(path, r, trailer, sizeof trailer, file, line);
    int best = -1;
    uint64_t best_seq = 0;
    for (int s = 0; s < CF2_RH_SLOT_COUNT; s++) {
        const BYTE *slot = trailer + s * CF2_RH_SLOT_SIZE;
        if (memcmp(slot + CF2_RH_OFF_MAGIC, CF2_RH_MAGIC, CF2_RH_MAGIC_SIZE) != 0)
            continue;
        uint64_t seq = le64(slot + CF2_RH_OFF_SEQUENCE);
        if (best < 0 || seq > best_seq) {
            best = s;
            best_seq = seq;
        }
    }
    if (best < 0) {
        cf2_err("ERROR: the paused destination %s has no header slot at %llu\n", cf2_u8(path), r);
        _fail(file, line);
    }
    const BYTE *slot = trailer + best * CF2_RH_SLOT_SIZE;
    uint64_t s_size = le64(slot + CF2_RH_OFF_SOURCE_SIZE), s_committed = le64(slot + CF2_RH_OFF_COMMITTED);
    if (s_size != size || s_committed != committed) {
        cf2_err("ERROR: the header of %s says source_size %llu, committed %llu; expected %llu, %llu\n", cf2_u8(path),
                (unsigned long long)s_size, (unsigned long long)s_committed, size, committed);
        _fail(file, line);
    }
}
#define expect_paused(p, s, c, seed) expect_paused_((p), (s), (c), (seed), __FILE__, __LINE__)

/* A source with the pattern and an old last-write time; its fingerprint. */
static const WCHAR *make_source(struct cf2_ctx *t, const WCHAR *name, ULONGLONG size, struct cf2_fp *fp)
{
    const WCHAR *src = cf2_path(t, name);
    cf2_make_file(src, size, SEED);
    FILETIME w = cf2_filetime(2001, 2, 3, 4, 5, 6, 700);
    cf2_set_times(src, NULL, NULL, &w);
    if (fp)
        *fp = cf2_fp_take(src);
    return src;
}

static const WCHAR *indexed(struct cf2_ctx *t, const WCHAR *stem, unsigned i)
{
    WCHAR name[64];
    swprintf(name, 64, L"%ls-%02u.bin", stem, i);
    return cf2_path(t, name);
}

/* ---------------------------------------------------------------- message sequence */

/* A complete copy of `size` bytes with `chunk_req` (0: default) and flags:
 * every message, every field, the handles, the result and the bytes. */
static void complete_copy(struct cf2_ctx *t, ULONGLONG size, ULONG chunk_req, DWORD flags, ULONGLONG chunk_expected)
{
    struct cf2_fp fp;
    const WCHAR *src = make_source(t, L"source.bin", size, &fp);
    const WCHAR *dst = cf2_path(t, L"dest.bin");
    struct rec r;
    rec_init(&r, size);
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = rec_v2(&r, flags, NULL);
    p.ioDesiredSize = chunk_req;
    char what[128];
    snprintf(what, sizeof what, "copy of %llu bytes, ioDesiredSize %lu, flags 0x%lx", size, (unsigned long)chunk_req,
             (unsigned long)flags);
    struct cf2_res res = rec_call(&r, src, dst, &p);
    cf2_expect_ok(res, what);
    rec_expect_clean(&r, what);
    struct seq exp = seq_full(size, chunk_expected);
    rec_expect_seq(&r, &exp, what);
    seq_free(&exp);
    if (size > 0)
        rec_expect_ids(&r, src, dst, what);
    cf2_expect_pattern(dst, size, SEED);
    cf2_expect_unchanged(src, &fp, "the source");
    rec_free(&r);
}

void prog_seq_empty_file(struct cf2_ctx *t)
{
    complete_copy(t, 0, 0, 0, CHUNK);
}

void prog_seq_one_chunk(struct cf2_ctx *t)
{
    complete_copy(t, 100, 0, 0, CHUNK);
}

void prog_seq_exact_multiple(struct cf2_ctx *t)
{
    complete_copy(t, 3 * MiB, 0, 0, CHUNK);
}

/* The specification's worked example, message by message. */
void prog_seq_worked_example(struct cf2_ctx *t)
{
    struct cf2_fp fp;
    const WCHAR *src = make_source(t, L"source.bin", S_EXAMPLE, &fp);
    const WCHAR *dst = cf2_path(t, L"dest.bin");
    struct rec r;
    rec_init(&r, S_EXAMPLE);
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(&r, 0, NULL);
    cf2_expect_ok(rec_call(&r, src, dst, &p), "the worked example");
    rec_expect_clean(&r, "the worked example");
    struct seq exp = { 0 };
    seq_add(&exp, msg_stream_started(2500000));
    seq_add(&exp, msg_chunk_started(0, 1048576, 2500000));
    seq_add(&exp, msg_chunk_finished(0, 1048576, 2500000, 1048576));
    seq_add(&exp, msg_chunk_started(1, 1048576, 2500000));
    seq_add(&exp, msg_chunk_finished(1, 1048576, 2500000, 2097152));
    seq_add(&exp, msg_chunk_started(2, 402848, 2500000));
    seq_add(&exp, msg_chunk_finished(2, 402848, 2500000, 2500000));
    seq_add(&exp, msg_stream_finished(2500000, 2500000));
    rec_expect_seq(&r, &exp, "the worked example");
    seq_free(&exp);
    rec_expect_ids(&r, src, dst, "the worked example");
    cf2_expect_pattern(dst, S_EXAMPLE, SEED);
    cf2_expect_unchanged(src, &fp, "the source");
    rec_free(&r);
}

/* V2 ioDesiredSize sets the chunk size (param: the size); 200,000 bytes
 * end with a remainder chunk either way. */
void prog_seq_io_size(struct cf2_ctx *t)
{
    ULONG chunk = (ULONG)CF2_PARAM(t);
    complete_copy(t, 200000, chunk, 0, chunk);
}

/* NO_BUFFERING rounds the chunk size up to a multiple of 4096. */
void prog_seq_no_buffering_rounds_chunk(struct cf2_ctx *t)
{
    complete_copy(t, 30000, 5000, COPY_FILE_NO_BUFFERING, 8192);
}

/* A sparse source over 4 GiB: the sizes and the transferred counters pass
 * 2^32 exactly; sparse copy keeps the destination sparse and the test cheap. */
void prog_seq_over_4gib_sparse(struct cf2_ctx *t)
{
    const ULONGLONG size = 4 * GiB + 2 * MiB + 4321;
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
    const ULONGLONG markers[] = { 0, 4 * GiB - 2048, size - 4096 };
    static BYTE buf[4096], want[4096];
    for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++) {
        cf2_pattern(SEED, markers[i], buf, sizeof buf);
        cf2_write_at(src, markers[i], buf, sizeof buf);
    }

    struct rec r;
    rec_init(&r, size);
    r.handle_every = 256; /* 8200 messages, all compared; ~50 have their handles checked */
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(&r, COPY_FILE_ENABLE_SPARSE_COPY, NULL);
    DWORD t0 = GetTickCount();
    struct cf2_res res = rec_call(&r, src, dst, &p);
    cf2_note("sparse copy of %llu bytes: %lu ms, %u messages", size, GetTickCount() - t0, (unsigned)r.n);
    cf2_expect_ok(res, "sparse copy over 4 GiB");
    rec_expect_clean(&r, "sparse copy over 4 GiB");
    struct seq exp = seq_full(size, CHUNK);
    rec_expect_seq(&r, &exp, "sparse copy over 4 GiB");
    /* the counters above 2^32, spelled out */
    const COPYFILE2_MESSAGE *last_cf = &r.msgs[r.n - 2];
    cf2_check(last_cf->Info.ChunkFinished.uliTotalBytesTransferred.QuadPart == size &&
                  last_cf->Info.ChunkFinished.uliChunkNumber.QuadPart == 4098 &&
                  r.msgs[0].Info.StreamStarted.uliTotalFileSize.HighPart == 1,
              "the last CHUNK_FINISHED is %s", msg_str(last_cf));
    seq_free(&exp);
    rec_expect_ids(&r, src, dst, "sparse copy over 4 GiB");
    cf2_check(size_of_path(dst) == size, "the copy has %llu bytes, expected %llu", size_of_path(dst), size);
    for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++) {
        cf2_read_at(dst, markers[i], buf, sizeof buf);
        cf2_pattern(SEED, markers[i], want, sizeof want);
        cf2_check(memcmp(buf, want, sizeof buf) == 0, "marker at %llu is wrong in the copy", markers[i]);
    }
    cf2_read_at(dst, 2 * GiB, buf, sizeof buf);
    memset(want, 0, sizeof want);
    cf2_check(memcmp(buf, want, sizeof buf) == 0, "the copy is not zero at 2 GiB");
    rec_free(&r);
    cf2_check(DeleteFileW(dst) && DeleteFileW(src), "cannot delete the big files: %lu", GetLastError());
}

/* CHUNK_FINISHED.dwFlags: no bit but COPYFILE2_MESSAGE_COPY_OFFLOAD, set on
 * the chunks an offload path copied (here the in-kernel path of
 * docs/flags.md); with COPY_FILE_NO_OFFLOAD every dwFlags is exactly 0. */
void prog_chunk_flags(struct cf2_ctx *t)
{
    const ULONGLONG size = 3 * MiB + 5;
    struct cf2_fp fp;
    const WCHAR *src = make_source(t, L"source.bin", size, &fp);
    static const DWORD flags[] = { 0, COPY_FILE_NO_OFFLOAD };
    for (unsigned i = 0; i < 2; i++) {
        const WCHAR *dst = indexed(t, L"dest", i);
        struct rec r;
        rec_init(&r, size);
        r.exact_flags = flags[i] == COPY_FILE_NO_OFFLOAD;
        COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(&r, flags[i], NULL);
        const char *what = i ? "copy with NO_OFFLOAD" : "copy without NO_OFFLOAD";
        cf2_expect_ok(rec_call(&r, src, dst, &p), what);
        rec_expect_clean(&r, what); /* no bit but COPY_OFFLOAD (or none at all with NO_OFFLOAD) */
        struct seq exp = seq_full(size, CHUNK);
        rec_expect_seq(&r, &exp, what);
        seq_free(&exp);
        unsigned offloaded = 0;
        for (size_t k = 0; k < r.n; k++)
            offloaded += r.msgs[k].Type == COPYFILE2_CALLBACK_CHUNK_FINISHED &&
                         r.msgs[k].Info.ChunkFinished.dwFlags == COPYFILE2_MESSAGE_COPY_OFFLOAD;
        cf2_note("%s: %u of 4 chunks reported COPYFILE2_MESSAGE_COPY_OFFLOAD", what, offloaded);
        cf2_expect_pattern(dst, size, SEED);
        rec_free(&r);
    }
    cf2_expect_unchanged(src, &fp, "the source");
}

/* The handles of every message are usable while the routine runs and are
 * the source's and the copy's own. */
void prog_handles_usable(struct cf2_ctx *t)
{
    const ULONGLONG size = 3 * MiB + 17;
    struct cf2_fp fp;
    const WCHAR *src = make_source(t, L"source.bin", size, &fp);
    const WCHAR *dst = cf2_path(t, L"dest.bin");
    struct rec r;
    rec_init(&r, size);
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(&r, 0, NULL);
    cf2_expect_ok(rec_call(&r, src, dst, &p), "copy with handle checks");
    rec_expect_clean(&r, "copy with handle checks");
    cf2_check(r.handle_checks == r.n && r.n >= 2, "%u of %u messages carried handles, expected all",
              r.handle_checks, (unsigned)r.n);
    cf2_check(cf2_doc_only || r.n == 10, "%u messages, expected 10", (unsigned)r.n);
    rec_expect_ids(&r, src, dst, "copy with handle checks");
    cf2_expect_pattern(dst, size, SEED);
    cf2_expect_unchanged(src, &fp, "the source");
    rec_free(&r);
}

/* pvCallbackContext comes back unchanged in every message; a NULL context
 * is passed as NULL. */
static DWORD null_ctx_seen, null_ctx_bad;
static COPYFILE2_MESSAGE_ACTION CALLBACK null_ctx_cb(const COPYFILE2_MESSAGE *m, PVOID context)
{
    null_ctx_seen++;
    if (context != NULL)
        null_ctx_bad++;
    return COPYFILE2_PROGRESS_CONTINUE;
}

void prog_context_passed_back(struct cf2_ctx *t)
{
    const ULONGLONG size = 2 * MiB + 1;
    struct cf2_fp fp;
    const WCHAR *src = make_source(t, L"source.bin", size, &fp);
    struct rec r;
    rec_init(&r, size);
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(&r, 0, NULL);
    cf2_expect_ok(rec_call(&r, src, cf2_path(t, L"dest.bin"), &p), "copy with a context");
    rec_expect_clean(&r, "copy with a context"); /* checks the context of every message */
    cf2_check(r.n >= 2 && (cf2_doc_only || r.n == 8), "%u messages, expected 8", (unsigned)r.n);
    null_ctx_seen = null_ctx_bad = 0;
    COPYFILE2_EXTENDED_PARAMETERS q = cf2_v1(0);
    q.pProgressRoutine = null_ctx_cb;
    cf2_expect_ok(cf2_call(src, cf2_path(t, L"dest2.bin"), &q), "copy with a NULL context");
    cf2_check(null_ctx_seen >= 2 && null_ctx_bad == 0 && (cf2_doc_only || null_ctx_seen == 8),
              "%lu messages, %lu with a non-NULL context", null_ctx_seen, null_ctx_bad);
    cf2_expect_pattern(cf2_path(t, L"dest2.bin"), size, SEED);
    cf2_expect_unchanged(src, &fp, "the source");
    rec_free(&r);
}

/* Every message comes on the calling thread, also when it is not the
 * process's first thread. */
struct thread_copy {
    const WCHAR *src, *dst;
    struct rec *r;
    struct cf2_res res;
    DWORD tid;
};

static DWORD WINAPI thread_copy_main(LPVOID arg)
{
    struct thread_copy *tc = arg;
    tc->tid = GetCurrentThreadId();
    rec_init(tc->r, 2 * MiB + 1);
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(tc->r, 0, NULL);
    tc->res = rec_call(tc->r, tc->src, tc->dst, &p);
    return 0;
}

void prog_calling_thread(struct cf2_ctx *t)
{
    const ULONGLONG size = 2 * MiB + 1;
    struct cf2_fp fp;
    const WCHAR *src = make_source(t, L"source.bin", size, &fp);
    struct rec r;
    rec_init(&r, size);
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(&r, 0, NULL);
    cf2_expect_ok(rec_call(&r, src, cf2_path(t, L"dest.bin"), &p), "copy on the main thread");
    rec_expect_clean(&r, "copy on the main thread"); /* checks the thread of every message */
    cf2_check(r.n == 8, "%u messages, expected 8", (unsigned)r.n);
    rec_free(&r);

    struct rec r2;
    struct thread_copy tc;
    memset(&tc, 0, sizeof tc);
    tc.src = src;
    tc.dst = cf2_path(t, L"dest2.bin");
    tc.r = &r2;
    HANDLE th = CreateThread(NULL, 0, thread_copy_main, &tc, 0, NULL);
    cf2_check(th != NULL, "CreateThread failed: %lu", GetLastError());
    WaitForSingleObject(th, INFINITE);
    CloseHandle(th);
    cf2_expect_ok(tc.res, "copy on a second thread");
    cf2_check(r2.thread == tc.tid && tc.tid != GetCurrentThreadId(), "the recorder did not run on the second thread");
    rec_expect_clean(&r2, "copy on a second thread");
    cf2_check(r2.n == 8, "%u messages, expected 8", (unsigned)r2.n);
    cf2_expect_pattern(cf2_path(t, L"dest2.bin"), size, SEED);
    cf2_expect_unchanged(src, &fp, "the source");
    rec_free(&r2);
}

/* The routine copies another file with CopyFile2 (with its own routine)
 * while the outer copy waits; both complete, each with its full sequence. */
struct nested {
    const WCHAR *src, *dst;
    ULONGLONG size;
    struct rec inner;
    struct cf2_res res;
    BOOL done;
};

static DWORD nested_hook(struct rec *r, const COPYFILE2_MESSAGE *m, size_t index)
{
    struct nested *nd = r->hook_data;
    if (m->Type == COPYFILE2_CALLBACK_CHUNK_FINISHED && m->Info.ChunkFinished.uliChunkNumber.QuadPart == 0 &&
        !nd->done) {
        nd->done = TRUE;
        rec_init(&nd->inner, nd->size);
        COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(&nd->inner, 0, NULL);
        nd->res = rec_call(&nd->inner, nd->src, nd->dst, &p);
    }
    return REC_DEFAULT;
}

void prog_nested_copy(struct cf2_ctx *t)
{
    const ULONGLONG outer_size = S_EXAMPLE, inner_size = 1 * MiB + 999;
    struct cf2_fp fp;
    const WCHAR *src = make_source(t, L"source.bin", outer_size, &fp);
    const WCHAR *dst = cf2_path(t, L"dest.bin");
    struct nested nd;
    memset(&nd, 0, sizeof nd);
    nd.src = cf2_path(t, L"inner-source.bin");
    nd.dst = cf2_path(t, L"inner-dest.bin");
    nd.size = inner_size;
    cf2_make_file(nd.src, inner_size, OTHER_SEED);
    struct rec r;
    rec_init(&r, outer_size);
    r.hook = nested_hook;
    r.hook_data = &nd;
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(&r, 0, NULL);
    cf2_expect_ok(rec_call(&r, src, dst, &p), "outer copy");
    cf2_check(nd.done, "the nested copy did not run");
    cf2_expect_ok(nd.res, "nested copy from inside the progress routine");
    rec_expect_clean(&nd.inner, "nested copy");
    struct seq exp_in = seq_full(inner_size, CHUNK);
    rec_expect_seq(&nd.inner, &exp_in, "nested copy");
    rec_expect_ids(&nd.inner, nd.src, nd.dst, "nested copy");
    seq_free(&exp_in);
    rec_expect_clean(&r, "outer copy");
    struct seq exp = seq_full(outer_size, CHUNK);
    rec_expect_seq(&r, &exp, "outer copy");
    seq_free(&exp);
    rec_expect_ids(&r, src, dst, "outer copy");
    cf2_expect_pattern(dst, outer_size, SEED);
    cf2_expect_pattern(nd.dst, inner_size, OTHER_SEED);
    cf2_expect_unchanged(src, &fp, "the source");
    rec_free(&r);
    rec_free(&nd.inner);
}

/* Copies with every flag that changes how data moves (sparse holes,
 * unbuffered, restartable, small chunks): never a SPARSE_* type, never a
 * type outside 1..6, and the same sequence as a plain copy. */
void prog_never_sparse_types(struct cf2_ctx *t)
{
    const ULONGLONG size = 5 * MiB + 100;
    const WCHAR *src = cf2_path(t, L"holes.bin");
    /* data, a 3 MiB hole, data */
    HANDLE h = CreateFileW(src, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_NEW, 0, NULL);
    cf2_check(h != INVALID_HANDLE_VALUE, "cannot create %s: %lu", cf2_u8(src), GetLastError());
    DWORD ret;
    DeviceIoControl(h, FSCTL_SET_SPARSE, NULL, 0, NULL, 0, &ret, NULL);
    LARGE_INTEGER end;
    end.QuadPart = (LONGLONG)size;
    BOOL ok = SetFilePointerEx(h, end, NULL, FILE_BEGIN) && SetEndOfFile(h);
    CloseHandle(h);
    cf2_check(ok, "cannot size %s", cf2_u8(src));
    static BYTE block[MiB];
    cf2_pattern(SEED, 0, block, MiB);
    cf2_write_at(src, 0, block, MiB);
    cf2_pattern(SEED, 4 * MiB, block, MiB);
    cf2_write_at(src, 4 * MiB, block, MiB);
    struct cf2_fp fp = cf2_fp_take(src);

    static const struct {
        DWORD flags;
        ULONG chunk;
    } runs[] = {
        { COPY_FILE_ENABLE_SPARSE_COPY, 0 },
        { COPY_FILE_ENABLE_SPARSE_COPY, 65536 },
        { COPY_FILE_NO_BUFFERING, 0 },
        { COPY_FILE_RESTARTABLE, 0 },
        { COPY_FILE_ENABLE_SPARSE_COPY | COPY_FILE_DISABLE_SPARSE_COPY, 0 },
        { 0, 4096 },
    };
    for (unsigned i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        const WCHAR *dst = indexed(t, L"dest", i);
        struct rec r;
        rec_init(&r, size);
        r.handle_every = 64; /* the 4096-byte run has 2562 messages */
        COPYFILE2_EXTENDED_PARAMETERS_V2 p = rec_v2(&r, runs[i].flags, NULL);
        p.ioDesiredSize = runs[i].chunk;
        char what[96];
        snprintf(what, sizeof what, "copy with holes, flags 0x%lx, ioDesiredSize %lu", runs[i].flags,
                 (unsigned long)runs[i].chunk);
        cf2_expect_ok(rec_call(&r, src, dst, &p), what);
        rec_expect_clean(&r, what); /* every message's type is checked as it arrives */
        struct seq exp = seq_full(size, runs[i].chunk ? runs[i].chunk : CHUNK);
        rec_expect_seq(&r, &exp, what);
        seq_free(&exp);
        cf2_expect_same_bytes(src, dst);
        rec_free(&r);
    }
    cf2_expect_unchanged(src, &fp, "the source");
}

/* ---------------------------------------------------------------- actions */

/* The answer `action` to message k of a 2,500,000-byte copy, for every k
 * (STREAM_STARTED first, CHUNK_STARTED/FINISHED of the first, a middle and
 * the last chunk, the final STREAM_FINISHED): the result, the rest of the
 * sequence, the destination, the source. */
static void one_action(struct cf2_ctx *t, DWORD action, size_t k, const WCHAR *src, const struct cf2_fp *fp,
                       const struct seq *full)
{
    const ULONGLONG size = S_EXAMPLE;
    const WCHAR *dst = indexed(t, L"dest", (unsigned)k);
    BOOL final = k == full->n - 1;
    ULONGLONG done = done_at(full, k);
    struct rec r;
    rec_init(&r, size);
    r.act_at = k;
    r.act = action;
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(&r, 0, NULL);
    char what[160];
    snprintf(what, sizeof what, "%s in reply to message #%u (%s)", cf2_action_name(action), (unsigned)k,
             cf2_type_name(full->m[k].Type));
    struct cf2_res res = rec_call(&r, src, dst, &p);
    rec_expect_clean(&r, what);

    struct seq exp;
    if (action == COPYFILE2_PROGRESS_CONTINUE) {
        exp = seq_prefix(full, full->n);
    } else {
        exp = seq_prefix(full, k);
        if ((action == COPYFILE2_PROGRESS_STOP || action == COPYFILE2_PROGRESS_PAUSE) && !final)
            seq_add(&exp, msg_stream_finished(size, done)); /* exactly one more message */
    }
    rec_expect_seq(&r, &exp, what);
    seq_free(&exp);

    switch (action) {
    case COPYFILE2_PROGRESS_CONTINUE:
    case COPYFILE2_PROGRESS_QUIET:
        cf2_expect_ok(res, what);
        cf2_expect_pattern(dst, size, SEED);
        rec_expect_ids(&r, src, dst, what);
        break;
    case COPYFILE2_PROGRESS_CANCEL:
        cf2_expect_err(res, ERROR_REQUEST_ABORTED, what);
        cf2_check(!cf2_exists(dst), "%s: the destination was not deleted", what);
        break;
    case COPYFILE2_PROGRESS_STOP:
        cf2_expect_err(res, ERROR_REQUEST_ABORTED, what);
        cf2_check(cf2_exists(dst), "%s: the destination was deleted (STOP keeps the fragments)", what);
        rec_expect_ids(&r, src, dst, what);
        if (!cf2_doc_only) { /* OURS: pre-sized to the source's length, the copied bytes first */
            cf2_check(size_of_path(dst) == size, "%s: the kept destination has %llu bytes, expected %llu", what,
                      size_of_path(dst), size);
            expect_bytes(dst, done, size, SEED);
        }
        break;
    case COPYFILE2_PROGRESS_PAUSE:
        if (final) { /* the copy was complete: success, no header */
            cf2_expect_ok(res, what);
            cf2_expect_pattern(dst, size, SEED);
        } else {
            cf2_expect_err(res, ERROR_REQUEST_PAUSED, what);
            cf2_check(cf2_exists(dst), "%s: the paused destination was deleted", what);
            if (!cf2_doc_only)
                expect_paused(dst, size, done, SEED);
        }
        rec_expect_ids(&r, src, dst, what);
        break;
    default:
        cf2_expect_invalidarg(res, what);
        cf2_check(!cf2_exists(dst), "%s: the destination was not deleted", what);
        break;
    }
    cf2_expect_unchanged(src, fp, "the source");
    rec_free(&r);
}

/* The messages of a copy answered CONTINUE throughout: the positions the
 * action tests answer at (under --doc-only the implementation's own
 * sequence; otherwise it must be this project's, seq_full). */
static struct seq reference_run(struct cf2_ctx *t, const WCHAR *src, ULONGLONG size)
{
    const WCHAR *dst = cf2_path(t, L"reference.bin");
    struct rec r;
    rec_init(&r, size);
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(&r, 0, NULL);
    cf2_expect_ok(rec_call(&r, src, dst, &p), "reference copy (CONTINUE throughout)");
    rec_expect_clean(&r, "reference copy");
    if (!cf2_doc_only) {
        struct seq exp = seq_full(size, CHUNK);
        rec_expect_seq(&r, &exp, "reference copy");
        seq_free(&exp);
    }
    cf2_check(r.n >= 2 && r.msgs[0].Type == COPYFILE2_CALLBACK_STREAM_STARTED &&
                  r.msgs[r.n - 1].Type == COPYFILE2_CALLBACK_STREAM_FINISHED,
              "the reference copy did not go from STREAM_STARTED to STREAM_FINISHED");
    struct seq s = { 0 };
    for (size_t i = 0; i < r.n; i++)
        seq_add(&s, r.msgs[i]);
    rec_free(&r);
    cf2_expect_pattern(dst, size, SEED);
    return s;
}

void prog_action(struct cf2_ctx *t)
{
    DWORD action = (DWORD)CF2_PARAM(t);
    struct cf2_fp fp;
    const WCHAR *src = make_source(t, L"source.bin", S_EXAMPLE, &fp);
    struct seq full = reference_run(t, src, S_EXAMPLE);
    for (size_t k = 0; k < full.n; k++)
        one_action(t, action, k, src, &fp, &full);
    seq_free(&full);
}

/* After STOP or PAUSE, the answer to the one more STREAM_FINISHED does not
 * change the outcome (CANCEL, STOP, PAUSE, an invalid value). */
void prog_after_stop_pause_answer_ignored(struct cf2_ctx *t)
{
    const ULONGLONG size = S_EXAMPLE;
    struct cf2_fp fp;
    const WCHAR *src = make_source(t, L"source.bin", size, &fp);
    struct seq full = seq_full(size, CHUNK);
    static const DWORD firsts[] = { COPYFILE2_PROGRESS_STOP, COPYFILE2_PROGRESS_PAUSE };
    static const DWORD seconds[] = { COPYFILE2_PROGRESS_CANCEL, COPYFILE2_PROGRESS_STOP, COPYFILE2_PROGRESS_PAUSE, 5 };
    unsigned n = 0;
    for (unsigned a = 0; a < 2; a++) {
        for (unsigned b = 0; b < 4; b++, n++) {
            const WCHAR *dst = indexed(t, L"dest", n);
            struct rec r;
            rec_init(&r, size);
            r.act_at = 2; /* CHUNK_FINISHED of chunk 0 */
            r.act = firsts[a];
            r.after_set = TRUE;
            r.after = seconds[b];
            COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(&r, 0, NULL);
            char what[128];
            snprintf(what, sizeof what, "%s at CHUNK_FINISHED 0, then %s to STREAM_FINISHED",
                     cf2_action_name(firsts[a]), cf2_action_name(seconds[b]));
            struct cf2_res res = rec_call(&r, src, dst, &p);
            rec_expect_clean(&r, what);
            struct seq exp = seq_prefix(&full, 2);
            seq_add(&exp, msg_stream_finished(size, CHUNK));
            rec_expect_seq(&r, &exp, what);
            seq_free(&exp);
            if (firsts[a] == COPYFILE2_PROGRESS_STOP) {
                cf2_expect_err(res, ERROR_REQUEST_ABORTED, what);
                cf2_check(size_of_path(dst) == size, "%s: kept destination has %llu bytes", what, size_of_path(dst));
                expect_bytes(dst, CHUNK, size, SEED);
            } else {
                cf2_expect_err(res, ERROR_REQUEST_PAUSED, what);
                expect_paused(dst, size, CHUNK, SEED);
            }
            rec_free(&r);
        }
    }
    seq_free(&full);
    cf2_expect_unchanged(src, &fp, "the source");
}

/* ---------------------------------------------------------------- pfCancel */

static DWORD set_cancel_hook(struct rec *r, const COPYFILE2_MESSAGE *m, size_t index)
{
    if (index == r->act_at && r->cancel)
        *r->cancel = TRUE;
    return COPYFILE2_PROGRESS_CONTINUE;
}

/* The routine sets *pfCancel and answers CONTINUE, at every message: the
 * call fails with ERROR_REQUEST_ABORTED at once, the destination deleted.
 * pfCancel already TRUE (no routine): the same. */
void prog_pfcancel_from_callback(struct cf2_ctx *t)
{
    const ULONGLONG size = S_EXAMPLE;
    struct cf2_fp fp;
    const WCHAR *src = make_source(t, L"source.bin", size, &fp);
    struct seq full = seq_full(size, CHUNK);
    for (size_t k = 0; k < full.n; k++) {
        const WCHAR *dst = indexed(t, L"dest", (unsigned)k);
        BOOL cancel = FALSE;
        struct rec r;
        rec_init(&r, size);
        r.act_at = k;
        r.hook = set_cancel_hook;
        COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(&r, 0, &cancel);
        char what[128];
        snprintf(what, sizeof what, "pfCancel set in reply to message #%u (%s)", (unsigned)k,
                 cf2_type_name(full.m[k].Type));
        struct cf2_res res = rec_call(&r, src, dst, &p);
        rec_expect_clean(&r, what);
        struct seq exp = seq_prefix(&full, k);
        rec_expect_seq(&r, &exp, what);
        seq_free(&exp);
        cf2_expect_err(res, ERROR_REQUEST_ABORTED, what);
        cf2_check(!cf2_exists(dst), "%s: the destination was not deleted", what);
        rec_free(&r);
    }
    seq_free(&full);

    BOOL cancel = TRUE;
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(0);
    p.pfCancel = &cancel;
    const WCHAR *dst = cf2_path(t, L"dest-pre.bin");
    cf2_expect_err(cf2_call(src, dst, &p), ERROR_REQUEST_ABORTED, "pfCancel TRUE before the call");
    cf2_check(!cf2_exists(dst), "pfCancel TRUE before the call: a destination was left");
    cf2_expect_unchanged(src, &fp, "the source");
}

struct canceller {
    BOOL *flag;
    DWORD delay_ms;
    LARGE_INTEGER set_at;
};

static DWORD WINAPI cancel_thread(LPVOID arg)
{
    struct canceller *c = arg;
    Sleep(c->delay_ms);
    QueryPerformanceCounter(&c->set_at);
    InterlockedExchange((volatile LONG *)c->flag, TRUE);
    return 0;
}

static double largest_gap(const struct rec *r, size_t *at)
{
    double gap = 0;
    *at = 0;
    for (size_t i = 1; i < r->n; i++)
        if (r->ms[i] - r->ms[i - 1] > gap) {
            gap = r->ms[i] - r->ms[i - 1];
            *at = i;
        }
    return gap;
}

static unsigned count_type(const struct rec *r, DWORD type)
{
    unsigned n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->msgs[i].Type == type;
    return n;
}

/* A 4 MiB copy throttled to 512 KB/s (8 s), cancelled from another thread
 * after 300 ms: POLL_CONTINUE arrives while it waits, no gap over 200 ms,
 * ERROR_REQUEST_ABORTED soon after the flag is set, destination deleted. */
void prog_pfcancel_from_thread_throttled(struct cf2_ctx *t)
{
    const ULONGLONG size = 4 * MiB;
    struct cf2_fp fp;
    const WCHAR *src = make_source(t, L"source.bin", size, &fp);
    const WCHAR *dst = cf2_path(t, L"dest.bin");
    BOOL cancel = FALSE;
    struct rec r;
    rec_init(&r, size);
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = rec_v2(&r, 0, &cancel);
    p.ioDesiredRate = 512;
    struct canceller c;
    memset(&c, 0, sizeof c);
    c.flag = &cancel;
    c.delay_ms = 300;
    HANDLE th = CreateThread(NULL, 0, cancel_thread, &c, 0, NULL);
    cf2_check(th != NULL, "CreateThread failed: %lu", GetLastError());
    struct cf2_res res = rec_call(&r, src, dst, &p);
    LARGE_INTEGER back;
    QueryPerformanceCounter(&back);
    WaitForSingleObject(th, INFINITE);
    CloseHandle(th);
    double latency = (double)(back.QuadPart - c.set_at.QuadPart) * 1000.0 / (double)r.freq.QuadPart;
    size_t at;
    double gap = largest_gap(&r, &at);
    cf2_note("%u messages (%u POLL_CONTINUE); largest gap %.1f ms before #%u; returned %.1f ms after pfCancel was set",
             (unsigned)r.n, count_type(&r, COPYFILE2_CALLBACK_POLL_CONTINUE), gap, (unsigned)at, latency);
    cf2_expect_err(res, ERROR_REQUEST_ABORTED, "throttled copy cancelled from another thread");
    rec_expect_clean(&r, "throttled copy");
    rec_expect_monotonic(&r, "throttled copy");
    cf2_check(r.n >= 3 && r.msgs[0].Type == COPYFILE2_CALLBACK_STREAM_STARTED &&
                  r.msgs[1].Type == COPYFILE2_CALLBACK_CHUNK_STARTED,
              "the copy did not start with STREAM_STARTED, CHUNK_STARTED");
    cf2_check(count_type(&r, COPYFILE2_CALLBACK_POLL_CONTINUE) >= 1, "no POLL_CONTINUE while the copy waited");
    cf2_check(count_type(&r, COPYFILE2_CALLBACK_STREAM_FINISHED) == 0 && count_type(&r, COPYFILE2_CALLBACK_ERROR) == 0,
              "a STREAM_FINISHED or ERROR message after the cancel");
    cf2_check(gap <= 200.0, "%.1f ms between messages #%u and #%u (at most 200 ms)", gap, (unsigned)at - 1,
              (unsigned)at);
    cf2_check(latency <= 200.0, "the call returned %.1f ms after pfCancel was set (at most 200 ms)", latency);
    cf2_check(!cf2_exists(dst), "the destination was not deleted");
    cf2_expect_unchanged(src, &fp, "the source");
    rec_free(&r);
}

/* A complete throttled copy (768 KiB at 512 KB/s in 256 KiB chunks): the
 * messages other than POLL_CONTINUE are the plain sequence, POLL_CONTINUE
 * has every field 0, no two messages are more than 200 ms apart. */
void prog_poll_continue_throttled(struct cf2_ctx *t)
{
    const ULONGLONG size = 768 * KiB;
    struct cf2_fp fp;
    const WCHAR *src = make_source(t, L"source.bin", size, &fp);
    const WCHAR *dst = cf2_path(t, L"dest.bin");
    struct rec r;
    rec_init(&r, size);
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = rec_v2(&r, 0, NULL);
    p.ioDesiredRate = 512;
    p.ioDesiredSize = 256 * 1024;
    DWORD t0 = GetTickCount();
    struct cf2_res res = rec_call(&r, src, dst, &p);
    DWORD ms = GetTickCount() - t0;
    size_t at;
    double gap = largest_gap(&r, &at);
    unsigned polls = count_type(&r, COPYFILE2_CALLBACK_POLL_CONTINUE);
    cf2_note("%lu ms, %u messages, %u POLL_CONTINUE, largest gap %.1f ms", ms, (unsigned)r.n, polls, gap);
    cf2_expect_ok(res, "throttled copy");
    rec_expect_clean(&r, "throttled copy");
    /* the sequence without the polls */
    struct rec plain = r;
    plain.msgs = malloc(r.n * sizeof *plain.msgs);
    cf2_check(plain.msgs != NULL, "out of memory");
    plain.n = 0;
    for (size_t i = 0; i < r.n; i++)
        if (r.msgs[i].Type != COPYFILE2_CALLBACK_POLL_CONTINUE)
            plain.msgs[plain.n++] = r.msgs[i];
    struct seq exp = seq_full(size, 256 * KiB);
    rec_expect_seq(&plain, &exp, "throttled copy without its POLL_CONTINUE messages");
    seq_free(&exp);
    free(plain.msgs);
    cf2_check(polls >= 5, "only %u POLL_CONTINUE in a %lu ms throttled copy", polls, ms);
    cf2_check(r.msgs[0].Type != COPYFILE2_CALLBACK_POLL_CONTINUE &&
                  r.msgs[r.n - 1].Type == COPYFILE2_CALLBACK_STREAM_FINISHED,
              "POLL_CONTINUE before STREAM_STARTED or after STREAM_FINISHED");
    cf2_check(gap <= 200.0, "%.1f ms between messages #%u and #%u (at most 200 ms)", gap, (unsigned)at - 1,
              (unsigned)at);
    cf2_check(ms >= 1000, "768 KiB at 512 KB/s took only %lu ms", ms);
    rec_expect_ids(&r, src, dst, "throttled copy");
    cf2_expect_pattern(dst, size, SEED);
    cf2_expect_unchanged(src, &fp, "the source");
    rec_free(&r);
}

/* Each action in reply to the first POLL_CONTINUE of a throttled copy. */
static DWORD first_poll_hook(struct rec *r, const COPYFILE2_MESSAGE *m, size_t index)
{
    if (m->Type == COPYFILE2_CALLBACK_POLL_CONTINUE && r->act_at == REC_NONE) {
        r->act_at = index;
        return r->act;
    }
    return REC_DEFAULT;
}

void prog_poll_continue_actions(struct cf2_ctx *t)
{
    const ULONGLONG size = 256 * KiB;
    struct cf2_fp fp;
    const WCHAR *src = make_source(t, L"source.bin", size, &fp);
    static const DWORD actions[] = { COPYFILE2_PROGRESS_CONTINUE, COPYFILE2_PROGRESS_QUIET, COPYFILE2_PROGRESS_CANCEL,
                                     COPYFILE2_PROGRESS_STOP,     COPYFILE2_PROGRESS_PAUSE, 5, 0xFFFFFFFFu };
    for (unsigned i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        DWORD action = actions[i];
        const WCHAR *dst = indexed(t, L"dest", i);
        struct rec r;
        rec_init(&r, size);
        r.act = action;
        r.hook = first_poll_hook;
        COPYFILE2_EXTENDED_PARAMETERS_V2 p = rec_v2(&r, 0, NULL);
        p.ioDesiredRate = 512;
        char what[96];
        snprintf(what, sizeof what, "%s in reply to the first POLL_CONTINUE", cf2_action_name(action));
        struct cf2_res res = rec_call(&r, src, dst, &p);
        rec_expect_clean(&r, what);
        rec_expect_monotonic(&r, what);
        cf2_check(r.act_at != REC_NONE, "%s: no POLL_CONTINUE came", what);
        size_t k = r.act_at;
        cf2_check(k == 2 && r.msgs[0].Type == COPYFILE2_CALLBACK_STREAM_STARTED &&
                      r.msgs[1].Type == COPYFILE2_CALLBACK_CHUNK_STARTED,
                  "%s: the first POLL_CONTINUE is message #%u, expected #2 (after STREAM_STARTED, CHUNK_STARTED)",
                  what, (unsigned)k);
        size_t after = r.n - 1 - k;
        switch (action) {
        case COPYFILE2_PROGRESS_CONTINUE:
            cf2_expect_ok(res, what);
            cf2_check(r.msgs[r.n - 1].Type == COPYFILE2_CALLBACK_STREAM_FINISHED, "%s: the copy did not finish", what);
            cf2_expect_pattern(dst, size, SEED);
            break;
        case COPYFILE2_PROGRESS_QUIET:
            cf2_expect_ok(res, what);
            cf2_check(after == 0, "%s: %u messages after QUIET", what, (unsigned)after);
            cf2_expect_pattern(dst, size, SEED);
            break;
        case COPYFILE2_PROGRESS_CANCEL:
            cf2_expect_err(res, ERROR_REQUEST_ABORTED, what);
            cf2_check(after == 0, "%s: %u messages after CANCEL", what, (unsigned)after);
            cf2_check(!cf2_exists(dst), "%s: the destination was not deleted", what);
            break;
        case COPYFILE2_PROGRESS_STOP:
        case COPYFILE2_PROGRESS_PAUSE: {
            cf2_check(after == 1 && r.msgs[r.n - 1].Type == COPYFILE2_CALLBACK_STREAM_FINISHED,
                      "%s: %u messages after it, expected exactly one STREAM_FINISHED", what, (unsigned)after);
            const COPYFILE2_MESSAGE *f = &r.msgs[r.n - 1];
            ULONGLONG done = f->Info.StreamFinished.uliStreamBytesTransferred.QuadPart;
            cf2_check(done > 0 && done < size && f->Info.StreamFinished.uliTotalBytesTransferred.QuadPart == done &&
                          f->Info.StreamFinished.uliStreamSize.QuadPart == size &&
                          f->Info.StreamFinished.uliTotalFileSize.QuadPart == size &&
                          f->Info.StreamFinished.dwStreamNumber == 1,
                      "%s: the last message is %s", what, msg_str(f));
            if (action == COPYFILE2_PROGRESS_STOP) {
                cf2_expect_err(res, ERROR_REQUEST_ABORTED, what);
                if (!cf2_doc_only) {
                    cf2_check(size_of_path(dst) == size, "%s: kept destination has %llu bytes", what,
                              size_of_path(dst));
                    expect_bytes(dst, done, done, SEED);
                }
            } else {
                cf2_expect_err(res, ERROR_REQUEST_PAUSED, what);
                if (!cf2_doc_only) /* the header commits whole chunks only: none here */
                    expect_paused(dst, size, 0, SEED);
            }
            break;
        }
        default:
            cf2_expect_invalidarg(res, what);
            cf2_check(after == 0, "%s: %u messages after it", what, (unsigned)after);
            cf2_check(!cf2_exists(dst), "%s: the destination was not deleted", what);
            break;
        }
        rec_free(&r);
    }
    cf2_expect_unchanged(src, &fp, "the source");
}

/* ---------------------------------------------------------------- errors */

/* A fault from the seam (param: phase) at a chunk: the ERROR message field
 * by field, exactly one, the call fails with that error (no retry: the
 * seam's fault fires once, so a retry would succeed), destination deleted. */
void prog_error_fault_fields(struct cf2_ctx *t)
{
    DWORD phase = (DWORD)CF2_PARAM(t);
    const ULONGLONG size = phase == COPYFILE2_PHASE_READ_SOURCE ? 3 * MiB + 512 * KiB : 200000;
    const ULONGLONG chunk = phase == COPYFILE2_PHASE_READ_SOURCE ? CHUNK : 65536;
    const ULONGLONG at = phase == COPYFILE2_PHASE_READ_SOURCE ? 2 : 3; /* 3: the remainder chunk */
    const DWORD error = phase == COPYFILE2_PHASE_READ_SOURCE ? ERROR_READ_FAULT : ERROR_WRITE_FAULT;
    struct cf2_fp fp;
    const WCHAR *src = make_source(t, L"source.bin", size, &fp);
    const WCHAR *dst = cf2_path(t, L"dest.bin");
    struct rec r;
    rec_init(&r, size);
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = rec_v2(&r, 0, NULL);
    p.ioDesiredSize = chunk == CHUNK ? 0 : (ULONG)chunk;
    cf2_set_fault(phase, at, error);
    char what[96];
    snprintf(what, sizeof what, "%s fault at chunk %llu", cf2_phase_name(phase), at);
    struct cf2_res res = rec_call(&r, src, dst, &p);
    cf2_set_fault(0, 0, 0);
    rec_expect_clean(&r, what);
    struct seq full = seq_full(size, chunk);
    struct seq exp = seq_prefix(&full, 2 * at + 1); /* up to CHUNK_STARTED of that chunk */
    seq_add(&exp, msg_error(phase, error, at, size, at * chunk));
    rec_expect_seq(&r, &exp, what);
    seq_free(&exp);
    seq_free(&full);
    cf2_expect_err(res, error, what);
    cf2_check(!cf2_exists(dst), "%s: the destination was not deleted", what);
    cf2_expect_unchanged(src, &fp, "the source");
    rec_free(&r);
}

/* The answer (param) to the ERROR message of a write fault at chunk 2. */
void prog_error_reply(struct cf2_ctx *t)
{
    DWORD action = (DWORD)CF2_PARAM(t);
    const ULONGLONG size = 3 * MiB + 512 * KiB, at = 2, done = 2 * CHUNK;
    struct cf2_fp fp;
    const WCHAR *src = make_source(t, L"source.bin", size, &fp);
    const WCHAR *dst = cf2_path(t, L"dest.bin");
    struct rec r;
    rec_init(&r, size);
    r.act_at = 2 * at + 2; /* the ERROR message */
    r.act = action;
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(&r, 0, NULL);
    cf2_set_fault(COPYFILE2_PHASE_WRITE_DESTINATION, at, ERROR_DISK_FULL);
    char what[96];
    snprintf(what, sizeof what, "%s in reply to the ERROR of a write fault at chunk 2", cf2_action_name(action));
    struct cf2_res res = rec_call(&r, src, dst, &p);
    cf2_set_fault(0, 0, 0);
    rec_expect_clean(&r, what);
    struct seq full = seq_full(size, CHUNK);
    struct seq exp = seq_prefix(&full, 2 * at + 1);
    seq_add(&exp, msg_error(COPYFILE2_PHASE_WRITE_DESTINATION, ERROR_DISK_FULL, at, size, done));
    if (action == COPYFILE2_PROGRESS_STOP || action == COPYFILE2_PROGRESS_PAUSE)
        seq_add(&exp, msg_stream_finished(size, done));
    rec_expect_seq(&r, &exp, what);
    seq_free(&exp);
    seq_free(&full);
    switch (action) {
    case COPYFILE2_PROGRESS_CONTINUE:
    case COPYFILE2_PROGRESS_QUIET:
        cf2_expect_err(res, ERROR_DISK_FULL, what);
        cf2_check(!cf2_exists(dst), "%s: the destination was not deleted", what);
        break;
    case COPYFILE2_PROGRESS_CANCEL:
        cf2_expect_err(res, ERROR_REQUEST_ABORTED, what);
        cf2_check(!cf2_exists(dst), "%s: the destination was not deleted", what);
        break;
    case COPYFILE2_PROGRESS_STOP:
        cf2_expect_err(res, ERROR_REQUEST_ABORTED, what);
        cf2_check(size_of_path(dst) == size, "%s: the kept destination has %llu bytes, expected %llu", what,
                  size_of_path(dst), size);
        expect_bytes(dst, done, done, SEED);
        break;
    case COPYFILE2_PROGRESS_PAUSE:
        cf2_expect_err(res, ERROR_REQUEST_PAUSED, what);
        expect_paused(dst, size, done, SEED);
        break;
    default:
        cf2_expect_invalidarg(res, what);
        cf2_check(!cf2_exists(dst), "%s: the destination was not deleted", what);
        break;
    }
    cf2_expect_unchanged(src, &fp, "the source");
    rec_free(&r);
}

/* PREPARE_SOURCE: a missing source.  The ERROR message (chunk 0, counters
 * 0, ERROR_FILE_NOT_FOUND) and each reply; nothing is created. */
void prog_error_prepare_source_missing(struct cf2_ctx *t)
{
    const WCHAR *src = cf2_path(t, L"missing.bin");
    static const DWORD actions[] = { COPYFILE2_PROGRESS_CONTINUE, COPYFILE2_PROGRESS_QUIET, COPYFILE2_PROGRESS_CANCEL,
                                     COPYFILE2_PROGRESS_STOP, COPYFILE2_PROGRESS_PAUSE, 5 };
    for (unsigned i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        DWORD action = actions[i];
        const WCHAR *dst = indexed(t, L"dest", i);
        struct rec r;
        rec_init(&r, 0);
        r.check_handles = FALSE; /* no file is open */
        r.act_at = 0;
        r.act = action;
        COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(&r, 0, NULL);
        char what[96];
        snprintf(what, sizeof what, "%s in reply to the ERROR of a missing source", cf2_action_name(action));
        struct cf2_res res = rec_call(&r, src, dst, &p);
        rec_expect_clean(&r, what);
        struct seq exp = { 0 };
        /* No stream started: no STREAM_FINISHED follows, whatever the answer. */
        seq_add(&exp, msg_error(COPYFILE2_PHASE_PREPARE_SOURCE, ERROR_FILE_NOT_FOUND, 0, 0, 0));
        rec_expect_seq(&r, &exp, what);
        seq_free(&exp);
        /* PAUSE with no destination to hold a header: the error itself. */
        if (action == COPYFILE2_PROGRESS_CONTINUE || action == COPYFILE2_PROGRESS_QUIET ||
            action == COPYFILE2_PROGRESS_PAUSE)
            cf2_expect_err(res, ERROR_FILE_NOT_FOUND, what);
        else if (action == 5)
            cf2_expect_invalidarg(res, what);
        else
            cf2_expect_err(res, ERROR_REQUEST_ABORTED, what);
        cf2_check(!cf2_exists(dst) && !cf2_exists(src), "%s: a file was created", what);
        rec_free(&r);
    }
    cf2_check(cf2_count_entries(t->dir) == 0, "stray files in %s", cf2_u8(t->dir));
}

/* PREPARE_DEST: FAIL_IF_EXISTS and an existing destination.  The ERROR
 * message (sizes known, nothing transferred, ERROR_FILE_EXISTS) and each
 * reply; the existing file is never touched, not even by CANCEL. */
void prog_error_prepare_dest_exists(struct cf2_ctx *t)
{
    const ULONGLONG size = S_EXAMPLE;
    struct cf2_fp fp;
    const WCHAR *src = make_source(t, L"source.bin", size, &fp);
    const WCHAR *dst = cf2_path(t, L"existing.bin");
    cf2_make_file(dst, 12345, OLD_SEED);
    FILETIME w = cf2_filetime(2003, 4, 5, 6, 7, 8, 900);
    cf2_set_times(dst, NULL, NULL, &w);
    struct cf2_fp dfp = cf2_fp_take(dst);
    static const DWORD actions[] = { COPYFILE2_PROGRESS_CONTINUE, COPYFILE2_PROGRESS_QUIET, COPYFILE2_PROGRESS_CANCEL,
                                     COPYFILE2_PROGRESS_STOP, COPYFILE2_PROGRESS_PAUSE, 5 };
    for (unsigned i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        DWORD action = actions[i];
        struct rec r;
        rec_init(&r, size);
        r.check_handles = FALSE; /* the destination is not open */
        r.act_at = 0;
        r.act = action;
        COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(&r, COPY_FILE_FAIL_IF_EXISTS, NULL);
        char what[96];
        snprintf(what, sizeof what, "%s in reply to the ERROR of FAIL_IF_EXISTS", cf2_action_name(action));
        struct cf2_res res = rec_call(&r, src, dst, &p);
        rec_expect_clean(&r, what);
        struct seq exp = { 0 };
        /* No stream started: no STREAM_FINISHED follows, whatever the answer. */
        seq_add(&exp, msg_error(COPYFILE2_PHASE_PREPARE_DEST, ERROR_FILE_EXISTS, 0, size, 0));
        rec_expect_seq(&r, &exp, what);
        seq_free(&exp);
        /* PAUSE with no destination of ours to hold a header: the error itself. */
        if (action == COPYFILE2_PROGRESS_CONTINUE || action == COPYFILE2_PROGRESS_QUIET ||
            action == COPYFILE2_PROGRESS_PAUSE)
            cf2_expect_err(res, ERROR_FILE_EXISTS, what);
        else if (action == 5)
            cf2_expect_invalidarg(res, what);
        else
            cf2_expect_err(res, ERROR_REQUEST_ABORTED, what);
        cf2_expect_unchanged(dst, &dfp, "the existing destination");
        rec_free(&r);
    }
    cf2_expect_unchanged(src, &fp, "the source");
    cf2_check(cf2_count_entries(t->dir) == 2, "stray files in %s", cf2_u8(t->dir));
}

/* The source is cut (or grows) through another handle at CHUNK_FINISHED of
 * chunk 0. */
struct resize {
    const WCHAR *src;
    ULONGLONG new_size;
    BOOL done;
};

static DWORD resize_hook(struct rec *r, const COPYFILE2_MESSAGE *m, size_t index)
{
    struct resize *rs = r->hook_data;
    if (m->Type == COPYFILE2_CALLBACK_CHUNK_FINISHED && !rs->done) {
        rs->done = TRUE;
        HANDLE h = CreateFileW(rs->src, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                               NULL, OPEN_EXISTING, 0, NULL);
        if (h == INVALID_HANDLE_VALUE) {
            rec_problem(r, "cannot open the source to resize it: error %lu", GetLastError());
            return REC_DEFAULT;
        }
        LARGE_INTEGER old, to;
        GetFileSizeEx(h, &old);
        to.QuadPart = (LONGLONG)rs->new_size;
        if (rs->new_size > (ULONGLONG)old.QuadPart) { /* grow: append pattern bytes */
            static BYTE extra[4096];
            cf2_pattern(OTHER_SEED, 0, extra, sizeof extra);
            DWORD w;
            if (!SetFilePointerEx(h, old, NULL, FILE_BEGIN) || !WriteFile(h, extra, sizeof extra, &w, NULL))
                rec_problem(r, "cannot append to the source: error %lu", GetLastError());
        } else if (!SetFilePointerEx(h, to, NULL, FILE_BEGIN) || !SetEndOfFile(h)) {
            rec_problem(r, "cannot truncate the source: error %lu", GetLastError());
        }
        CloseHandle(h);
        /* the routine's own view of the source now */
        r->src_size = rs->new_size;
    }
    return REC_DEFAULT;
}

/* A source cut to 1.5 MiB while a 3.5 MiB copy is at chunk 1: ERROR with
 * phase READ_SOURCE, chunk 1, ERROR_HANDLE_EOF, 1 MiB transferred; the call
 * fails with ERROR_HANDLE_EOF and no (truncated) copy is left. */
void prog_error_source_shrinks(struct cf2_ctx *t)
{
    const ULONGLONG size = 3 * MiB + 512 * KiB;
    const WCHAR *src = make_source(t, L"source.bin", size, NULL);
    const WCHAR *dst = cf2_path(t, L"dest.bin");
    struct resize rs = { src, 1 * MiB + 512 * KiB, FALSE };
    struct rec r;
    rec_init(&r, size);
    r.hook = resize_hook;
    r.hook_data = &rs;
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(&r, 0, NULL);
    struct cf2_res res = rec_call(&r, src, dst, &p);
    rec_expect_clean(&r, "source cut during the copy");
    struct seq full = seq_full(size, CHUNK);
    struct seq exp = seq_prefix(&full, 3); /* SS, CS0, CF0, CS1 */
    seq_add(&exp, msg_error(COPYFILE2_PHASE_READ_SOURCE, ERROR_HANDLE_EOF, 1, size, CHUNK));
    rec_expect_seq(&r, &exp, "source cut during the copy");
    seq_free(&exp);
    seq_free(&full);
    cf2_expect_err(res, ERROR_HANDLE_EOF, "source cut during the copy");
    cf2_check(!cf2_exists(dst), "the destination was left (%llu bytes): a silent truncation", size_of_path(dst));
    cf2_expect_pattern(src, rs.new_size, SEED); /* the source as it was cut, not touched by the copy */
}

/* Bytes appended to the source after it was opened are not copied: the
 * copy has the length the source had when it was opened (OURS). */
void prog_source_grows_not_copied(struct cf2_ctx *t)
{
    const ULONGLONG size = S_EXAMPLE;
    const WCHAR *src = make_source(t, L"source.bin", size, NULL);
    const WCHAR *dst = cf2_path(t, L"dest.bin");
    struct resize rs = { src, size + 4096, FALSE };
    struct rec r;
    rec_init(&r, size);
    r.hook = resize_hook;
    r.hook_data = &rs;
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(&r, 0, NULL);
    cf2_expect_ok(rec_call(&r, src, dst, &p), "source grown during the copy");
    rec_expect_clean(&r, "source grown during the copy");
    struct seq exp = seq_full(size, CHUNK);
    rec_expect_seq(&r, &exp, "source grown during the copy");
    seq_free(&exp);
    cf2_expect_pattern(dst, size, SEED);
}

/* A real full file system: a small tmpfs mounted by tests/run-conformance.sh
 * (as root), its Wine path in CF2_SMALLFS.  Wine reports ENOSPC as
 * ERROR_DISK_FULL (112). */
void prog_error_disk_full_smallfs(struct cf2_ctx *t)
{
    WCHAR fs[1024];
    DWORD got = GetEnvironmentVariableW(L"CF2_SMALLFS", fs, 1000);
    if (got == 0 || got >= 1000)
        cf2_skip("CF2_SMALLFS is not set: tests/run-conformance.sh sets it to a 4 MiB tmpfs when run as root");
    size_t len = wcslen(fs);
    if (len > 0 && fs[len - 1] == L'\\')
        fs[--len] = 0;
    ULARGE_INTEGER free_before, total, free_after;
    if (!GetDiskFreeSpaceExW(fs, &free_before, &total, NULL))
        cf2_skip("CF2_SMALLFS=%s: GetDiskFreeSpaceExW failed (error %lu)", cf2_u8(fs), GetLastError());
    if (total.QuadPart > 64 * MiB)
        cf2_skip("CF2_SMALLFS=%s is not a small file system (%llu bytes)", cf2_u8(fs), total.QuadPart);
    const ULONGLONG size = (total.QuadPart + 2 * MiB + CHUNK - 1) / CHUNK * CHUNK + 4321;
    struct cf2_fp fp;
    const WCHAR *src = make_source(t, L"source.bin", size, &fp);
    const WCHAR *dst = cf2_cat(t, fs, L"\\progress-disk-full.bin");
    DeleteFileW(dst);
    cf2_check(GetDiskFreeSpaceExW(fs, &free_before, NULL, NULL), "GetDiskFreeSpaceExW: %lu", GetLastError());
    struct rec r;
    rec_init(&r, size);
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(&r, 0, NULL);
    struct cf2_res res = rec_call(&r, src, dst, &p);
    cf2_check(GetDiskFreeSpaceExW(fs, &free_after, NULL, NULL), "GetDiskFreeSpaceExW: %lu", GetLastError());
    BOOL left = cf2_exists(dst);
    if (left)
        DeleteFileW(dst);
    cf2_note("%llu-byte copy to a %llu-byte file system (%llu free): hr 0x%08lx, last error %lu, %u messages",
             size, total.QuadPart, free_before.QuadPart, (unsigned long)res.hr, res.err, (unsigned)r.n);
    rec_expect_clean(&r, "copy to a full file system");
    cf2_expect_err(res, ERROR_DISK_FULL, "copy to a full file system");
    cf2_check(r.n >= 1, "no message");
    const COPYFILE2_MESSAGE *e = &r.msgs[r.n - 1];
    cf2_check(e->Type == COPYFILE2_CALLBACK_ERROR, "the last message is %s, expected ERROR", msg_str(e));
    ULONGLONG done = e->Info.Error.uliStreamBytesTransferred.QuadPart;
    ULONGLONG at = e->Info.Error.uliChunkNumber.QuadPart;
    cf2_check(done % CHUNK == 0 && at == done / CHUNK && done <= free_before.QuadPart,
              "the ERROR message says chunk %llu with %llu bytes transferred (%llu were free)", at, done,
              free_before.QuadPart);
    struct seq full = seq_full(size, CHUNK);
    struct seq exp = seq_prefix(&full, 2 * (size_t)at + 1);
    seq_add(&exp, msg_error(COPYFILE2_PHASE_WRITE_DESTINATION, ERROR_DISK_FULL, at, size, done));
    rec_expect_seq(&r, &exp, "copy to a full file system");
    seq_free(&exp);
    seq_free(&full);
    cf2_check(!left, "the destination was not deleted");
    cf2_check(free_after.QuadPart == free_before.QuadPart, "%llu bytes free before the copy, %llu after",
              free_before.QuadPart, free_after.QuadPart);
    cf2_expect_unchanged(src, &fp, "the source");
    rec_free(&r);
}

/* A destination held open by another handle without delete sharing while
 * the copy is cancelled: ERROR_REQUEST_ABORTED all the same, the fragments
 * stay.  (a) an existing destination opened before the copy, CANCEL;
 * (b) a new destination opened from the routine, pfCancel. */
struct holder {
    const WCHAR *dst;
    HANDLE h;
};

static DWORD hold_hook(struct rec *r, const COPYFILE2_MESSAGE *m, size_t index)
{
    struct holder *ho = r->hook_data;
    if (m->Type == COPYFILE2_CALLBACK_STREAM_STARTED) {
        ho->h = CreateFileW(ho->dst, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
        if (ho->h == INVALID_HANDLE_VALUE)
            rec_problem(r, "cannot open the destination from the routine: error %lu", GetLastError());
    }
    if (m->Type == COPYFILE2_CALLBACK_CHUNK_FINISHED && r->cancel)
        *r->cancel = TRUE;
    return REC_DEFAULT;
}

void prog_cancel_destination_held_open(struct cf2_ctx *t)
{
    const ULONGLONG size = 3 * MiB + 512 * KiB;
    struct cf2_fp fp;
    const WCHAR *src = make_source(t, L"source.bin", size, &fp);

    /* (a) */
    const WCHAR *dst = cf2_path(t, L"existing.bin");
    cf2_make_file(dst, 5 * MiB + 3, OLD_SEED);
    HANDLE h = cf2_open(t, dst, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, OPEN_EXISTING);
    struct rec r;
    rec_init(&r, size);
    r.act_at = 2;
    r.act = COPYFILE2_PROGRESS_CANCEL;
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(&r, 0, NULL);
    struct cf2_res res = rec_call(&r, src, dst, &p);
    cf2_close(t, h);
    rec_expect_clean(&r, "CANCEL, existing destination held open");
    struct seq full = seq_full(size, CHUNK);
    struct seq exp = seq_prefix(&full, 2);
    if (!cf2_doc_only)
        rec_expect_seq(&r, &exp, "CANCEL, existing destination held open");
    seq_free(&exp);
    cf2_expect_err(res, ERROR_REQUEST_ABORTED, "CANCEL, existing destination held open");
    cf2_check(cf2_exists(dst), "the held destination is gone");
    if (!cf2_doc_only)
        expect_bytes(dst, CHUNK, CHUNK, SEED); /* the fragment: the first chunk was written */
    rec_free(&r);

    /* (b) */
    const WCHAR *dst2 = cf2_path(t, L"new.bin");
    struct holder ho = { dst2, INVALID_HANDLE_VALUE };
    BOOL cancel = FALSE;
    rec_init(&r, size);
    r.hook = hold_hook;
    r.hook_data = &ho;
    p = rec_v1(&r, 0, &cancel);
    res = rec_call(&r, src, dst2, &p);
    if (ho.h != INVALID_HANDLE_VALUE)
        cf2_track(t, ho.h);
    rec_expect_clean(&r, "pfCancel, new destination held open by the routine");
    exp = seq_prefix(&full, 2);
    if (!cf2_doc_only)
        rec_expect_seq(&r, &exp, "pfCancel, new destination held open by the routine");
    seq_free(&exp);
    cf2_expect_err(res, ERROR_REQUEST_ABORTED, "pfCancel, new destination held open by the routine");
    if (ho.h != INVALID_HANDLE_VALUE)
        cf2_close(t, ho.h);
    cf2_check(cf2_exists(dst2), "the held destination is gone");
    if (!cf2_doc_only)
        expect_bytes(dst2, CHUNK, size, SEED);
    seq_free(&full);
    rec_free(&r);
    cf2_expect_unchanged(src, &fp, "the source");
}

/* ---------------------------------------------------------------- the CopyFileEx-style routine */

struct old_call {
    LONGLONG total, total_done, stream_size, stream_done;
    DWORD stream, reason;
    HANDLE src, dst;
};

struct orec {
    struct old_call calls[64];
    unsigned n;
    DWORD thread;
    unsigned act_at;
    DWORD act;
    ULONGLONG src_size;
    BY_HANDLE_FILE_INFORMATION dst_id;
    BOOL have_dst_id;
    unsigned problems;
    char problem[1024];
};

static DWORD WINAPI old_cb(LARGE_INTEGER total, LARGE_INTEGER total_done, LARGE_INTEGER stream_size,
                           LARGE_INTEGER stream_done, DWORD stream, DWORD reason, HANDLE hs, HANDLE hd, LPVOID data)
{
    struct orec *o = data;
    if (o->n >= 64) {
        o->problems++;
        return PROGRESS_CANCEL;
    }
    struct old_call *c = &o->calls[o->n];
    c->total = total.QuadPart;
    c->total_done = total_done.QuadPart;
    c->stream_size = stream_size.QuadPart;
    c->stream_done = stream_done.QuadPart;
    c->stream = stream;
    c->reason = reason;
    c->src = hs;
    c->dst = hd;
    char *out = o->problem + strlen(o->problem);
    size_t room = sizeof o->problem - strlen(o->problem);
    if (GetCurrentThreadId() != o->thread) {
        o->problems++;
        snprintf(out, room, "call %u on another thread; ", o->n);
    }
    LARGE_INTEGER sz;
    BY_HANDLE_FILE_INFORMATION di;
    if (!GetFileSizeEx(hs, &sz) || (ULONGLONG)sz.QuadPart != o->src_size) {
        o->problems++;
        snprintf(out, room, "call %u: GetFileSizeEx(hSourceFile) failed or wrong; ", o->n);
    } else if (!GetFileInformationByHandle(hd, &di)) {
        o->problems++;
        snprintf(out, room, "call %u: GetFileInformationByHandle(hDestinationFile) failed: %lu; ", o->n,
                 GetLastError());
    } else if (!o->have_dst_id) {
        o->dst_id = di;
        o->have_dst_id = TRUE;
    }
    DWORD a = o->n == o->act_at ? o->act : PROGRESS_CONTINUE;
    o->n++;
    return a;
}

/* The new-style routine of a V2 structure that also has an old-style one:
 * counts its calls in a global (the context belongs to the old routine). */
static unsigned new_routine_calls;
static COPYFILE2_MESSAGE_ACTION CALLBACK counting_cb(const COPYFILE2_MESSAGE *m, PVOID context)
{
    new_routine_calls++;
    return COPYFILE2_PROGRESS_CANCEL;
}

static void orec_init(struct orec *o, ULONGLONG size)
{
    memset(o, 0, sizeof *o);
    o->thread = GetCurrentThreadId();
    o->act_at = ~0u;
    o->src_size = size;
}

/* The calls expected for a complete copy: (total, total_done, stream size,
 * stream done, stream, reason). */
static unsigned old_expected(ULONGLONG size, struct old_call *out)
{
    unsigned n = 0;
    out[n++] = (struct old_call){ (LONGLONG)size, 0, (LONGLONG)size, 0, 1, CALLBACK_STREAM_SWITCH, NULL, NULL };
    for (ULONGLONG done = 0; done < size;) {
        done += size - done < CHUNK ? size - done : CHUNK;
        out[n++] = (struct old_call){ (LONGLONG)size, (LONGLONG)done, (LONGLONG)size, (LONGLONG)done, 1,
                                      CALLBACK_CHUNK_FINISHED, NULL, NULL };
    }
    return n;
}

static void orec_expect_(const struct orec *o, const struct old_call *exp, unsigned n, const char *what,
                         const char *file, int line)
{
    if (o->problems) {
        cf2_err("ERROR: %s: %u problem(s) in the routine: %s\n", what, o->problems, o->problem);
        _fail(file, line);
    }
    for (unsigned i = 0; i < o->n || i < n; i++) {
        if (i >= o->n || i >= n) {
            cf2_err("ERROR: %s: %u calls of the routine, expected %u\n", what, o->n, n);
            _fail(file, line);
        }
        const struct old_call *g = &o->calls[i], *e = &exp[i];
        if (g->total != e->total || g->total_done != e->total_done || g->stream_size != e->stream_size ||
            g->stream_done != e->stream_done || g->stream != e->stream || g->reason != e->reason) {
            cf2_err("ERROR: %s: call #%u: TotalFileSize %lld, TotalBytesTransferred %lld, StreamSize %lld, "
                    "StreamBytesTransferred %lld, dwStreamNumber %lu, dwCallbackReason %lu; expected %lld, %lld, "
                    "%lld, %lld, %lu, %lu\n",
                    what, i, g->total, g->total_done, g->stream_size, g->stream_done, g->stream, g->reason, e->total,
                    e->total_done, e->stream_size, e->stream_done, e->stream, e->reason);
            _fail(file, line);
        }
    }
}
#define orec_expect(o, e, n, what) orec_expect_((o), (e), (n), (what), __FILE__, __LINE__)

/* STREAM_SWITCH first, CHUNK_FINISHED per chunk, the nine arguments, lpData,
 * the handles (the destination's is the copy's); an empty file gets only
 * STREAM_SWITCH. */
void prog_old_sequence(struct cf2_ctx *t)
{
    static const ULONGLONG sizes[] = { 0, 100, S_EXAMPLE, 2 * MiB };
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        ULONGLONG size = sizes[i];
        const WCHAR *src = make_source(t, L"source.bin", size, NULL);
        const WCHAR *dst = indexed(t, L"dest", i);
        struct orec o;
        orec_init(&o, size);
        COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(0);
        p.pProgressRoutineOld = old_cb;
        p.pvCallbackContext = &o;
        char what[64];
        snprintf(what, sizeof what, "old-style routine, %llu bytes", size);
        cf2_expect_ok(cf2_call(src, dst, &p), what);
        struct old_call exp[16];
        unsigned n = old_expected(size, exp);
        orec_expect(&o, exp, n, what);
        cf2_expect_pattern(dst, size, SEED);
        HANDLE h = CreateFileW(dst, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
        BY_HANDLE_FILE_INFORMATION info;
        BOOL ok = h != INVALID_HANDLE_VALUE && GetFileInformationByHandle(h, &info);
        if (h != INVALID_HANDLE_VALUE)
            CloseHandle(h);
        cf2_check(ok && o.have_dst_id && same_id(&info, &o.dst_id),
                  "%s: hDestinationFile is not the copy's file", what);
    }
}

/* With both routines set, only pProgressRoutineOld is called. */
void prog_old_precedence(struct cf2_ctx *t)
{
    const ULONGLONG size = S_EXAMPLE;
    struct cf2_fp fp;
    const WCHAR *src = make_source(t, L"source.bin", size, &fp);
    const WCHAR *dst = cf2_path(t, L"dest.bin");
    struct orec o;
    orec_init(&o, size);
    new_routine_calls = 0;
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(0);
    p.pProgressRoutineOld = old_cb;
    p.pProgressRoutine = counting_cb; /* would cancel the copy at its first message */
    p.pvCallbackContext = &o;
    cf2_expect_ok(cf2_call(src, dst, &p), "both routines set");
    cf2_check(new_routine_calls == 0, "pProgressRoutine was called %u times although pProgressRoutineOld is set",
              new_routine_calls);
    struct old_call exp[16];
    unsigned n = old_expected(size, exp);
    if (!cf2_doc_only)
        orec_expect(&o, exp, n, "both routines set");
    cf2_check(o.n >= 2 && o.calls[0].reason == CALLBACK_STREAM_SWITCH && !o.problems,
              "pProgressRoutineOld: %u calls, the first with reason %lu (%s)", o.n, o.n ? o.calls[0].reason : 99,
              o.problem);
    cf2_expect_pattern(dst, size, SEED);
    /* the same structure without the old routine: the new one is called */
    p.pProgressRoutineOld = NULL;
    cf2_expect_err(cf2_call(src, cf2_path(t, L"dest2.bin"), &p), ERROR_REQUEST_ABORTED,
                   "the new routine alone (answers CANCEL)");
    cf2_check(new_routine_calls == 1, "the new routine alone was called %u times, expected 1", new_routine_calls);
    cf2_expect_unchanged(src, &fp, "the source");
}

/* PROGRESS_CANCEL / STOP / QUIET (param) at the first call, a middle call
 * and the last call. */
void prog_old_action(struct cf2_ctx *t)
{
    DWORD action = (DWORD)CF2_PARAM(t);
    const ULONGLONG size = S_EXAMPLE;
    struct cf2_fp fp;
    const WCHAR *src = make_source(t, L"source.bin", size, &fp);
    struct old_call full[16];
    unsigned nfull = old_expected(size, full); /* 4 calls */
    static const unsigned positions[] = { 0, 1, 3 };
    for (unsigned i = 0; i < 3; i++) {
        unsigned k = positions[i];
        const WCHAR *dst = indexed(t, L"dest", k);
        struct orec o;
        orec_init(&o, size);
        o.act_at = k;
        o.act = action;
        COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(0);
        p.pProgressRoutineOld = old_cb;
        p.pvCallbackContext = &o;
        char what[96];
        snprintf(what, sizeof what, "old-style routine answers %lu at call #%u", action, k);
        struct cf2_res res = cf2_call(src, dst, &p);
        orec_expect(&o, full, action == PROGRESS_CONTINUE ? nfull : k + 1, what);
        ULONGLONG done = (ULONGLONG)full[k].stream_done;
        switch (action) {
        case PROGRESS_QUIET:
            cf2_expect_ok(res, what);
            cf2_expect_pattern(dst, size, SEED);
            break;
        case PROGRESS_CANCEL:
            cf2_expect_err(res, ERROR_REQUEST_ABORTED, what);
            cf2_check(!cf2_exists(dst), "%s: the destination was not deleted", what);
            break;
        case PROGRESS_STOP:
            cf2_expect_err(res, ERROR_REQUEST_ABORTED, what);
            cf2_check(cf2_exists(dst), "%s: the destination was deleted", what);
            if (!cf2_doc_only) {
                cf2_check(size_of_path(dst) == size, "%s: kept destination has %llu bytes", what, size_of_path(dst));
                expect_bytes(dst, done, size, SEED);
            }
            break;
        default: /* invalid: 4 (PAUSE has no CopyFileEx meaning), 5, 0xFFFFFFFF */
            cf2_expect_invalidarg(res, what);
            cf2_check(!cf2_exists(dst), "%s: the destination was not deleted", what);
            break;
        }
    }
    cf2_expect_unchanged(src, &fp, "the source");
}

void prog_old_invalid_return(struct cf2_ctx *t)
{
    static const DWORD values[] = { 4, 5, 0xFFFFFFFFu };
    const ULONGLONG size = S_EXAMPLE;
    struct cf2_fp fp;
    const WCHAR *src = make_source(t, L"source.bin", size, &fp);
    struct old_call full[16];
    old_expected(size, full);
    unsigned n = 0;
    for (unsigned v = 0; v < 3; v++) {
        for (unsigned k = 0; k < 4; k += 3) { /* the first and the last call */
            const WCHAR *dst = indexed(t, L"dest", n++);
            struct orec o;
            orec_init(&o, size);
            o.act_at = k;
            o.act = values[v];
            COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(0);
            p.pProgressRoutineOld = old_cb;
            p.pvCallbackContext = &o;
            char what[96];
            snprintf(what, sizeof what, "old-style routine returns %lu at call #%u", values[v], k);
            struct cf2_res res = cf2_call(src, dst, &p);
            orec_expect(&o, full, k + 1, what);
            cf2_expect_invalidarg(res, what);
            cf2_check(!cf2_exists(dst), "%s: the destination was not deleted", what);
        }
    }
    cf2_expect_unchanged(src, &fp, "the source");
}

/* Rust's std::fs::copy: records StreamBytesTransferred when dwStreamNumber
 * is 1 and answers PROGRESS_CONTINUE; the byte count must be the size. */
static DWORD WINAPI rust_cb(LARGE_INTEGER total, LARGE_INTEGER total_done, LARGE_INTEGER stream_size,
                            LARGE_INTEGER stream_done, DWORD stream, DWORD reason, HANDLE hs, HANDLE hd, LPVOID data)
{
    if (stream == 1)
        *(LONGLONG *)data = stream_done.QuadPart;
    return PROGRESS_CONTINUE;
}

void prog_old_rust_fs_copy(struct cf2_ctx *t)
{
    static const ULONGLONG sizes[] = { 0, 1, S_EXAMPLE, 3 * MiB };
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        const WCHAR *src = make_source(t, L"source.bin", sizes[i], NULL);
        const WCHAR *dst = indexed(t, L"dest", i);
        LONGLONG bytes = -1;
        COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(0);
        p.pProgressRoutineOld = rust_cb;
        p.pvCallbackContext = &bytes;
        char what[64];
        snprintf(what, sizeof what, "Rust fs::copy pattern, %llu bytes", sizes[i]);
        cf2_expect_ok(cf2_call(src, dst, &p), what);
        cf2_check(bytes == (LONGLONG)sizes[i], "%s: the routine saw %lld bytes copied, expected %llu", what, bytes,
                  sizes[i]);
        cf2_expect_pattern(dst, sizes[i], SEED);
    }
}
