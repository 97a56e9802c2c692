/*
 * test_restart.c - the "restart" area (issue 4): PAUSE, STOP and
 * COPY_FILE_RESUME_FROM_PAUSE, COPY_FILE_RESTARTABLE, and the restart header
 * that a paused or stopped destination carries (contract 4, 8, 9.8, 9.9).
 *
 * The restart trailer is read here with a reader of the suite's own, written
 * from docs/restart-header.md alone (the codec in dll/ is not compiled into
 * the suite).  That the tests pass is also evidence that the document is
 * enough to write a reader.
 *
 * What is asserted:
 * - a PAUSE at any point of a copy fails with HRESULT_FROM_WIN32(
 *   ERROR_REQUEST_PAUSED) after exactly one more message, STREAM_FINISHED,
 *   and the resume (RESUME_FROM_PAUSE, or FAIL_IF_EXISTS|RESUME_FROM_PAUSE as
 *   file managers call it) completes a byte-identical copy with the source's
 *   last-write time and attributes (DOC);
 * - what the paused file looks like: R + 8192 bytes, a valid header whose
 *   committed offset is the chunk boundary reached, last-write time
 *   1980-01-01, no final attributes yet (OURS);
 * - the resumed call's messages: full sizes, chunks from committed / chunk
 *   size on, nothing before re-reported (OURS, docs/protocol-section);
 * - never a wrong result: whatever is damaged (header fields, slots, file
 *   length, the source itself), a resume gives the current source's bytes,
 *   resuming from the newest slot that is still valid or copying in full
 *   (OURS);
 * - the known limit: a bit flip in the copied data before the committed
 *   offset is not detected (OURS, restart_data_bitflip_not_detected).
 */
#include "harness.h"
#include "list_restart.h"

#include <string.h>

/* ---------------------------------------------------------------- the format, from the document */

#define SLOT_SIZE 4096u
#define TRAILER_SIZE 8192u
#define HEADER_SIZE_V1 96u
#define MAX_SOURCE_SIZE 0x7FFFFFFFFFFFD000ull
/* The last-write time of a paused or stopped destination: 1980-01-01 00:00:00 UTC. */
#define PAUSED_WRITE_TIME 119600064000000000ull

/* R: the source size rounded up to a multiple of 4096 (§2). */
static ULONGLONG trailer_offset(ULONGLONG size)
{
    return (size + 4095) & ~4095ull;
}

static ULONGLONG paused_file_size(ULONGLONG size)
{
    return trailer_offset(size) + TRAILER_SIZE;
}

static uint64_t get_le(const BYTE *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;)
        v = (v << 8) | p[i];
    return v;
}

static void put_le(BYTE *p, unsigned n, uint64_t v)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (BYTE)(v >> (8 * i));
}

/* CRC-32C, bitwise, exactly as §5.1 gives it. */
static uint32_t crc32c_bytes(uint32_t crc, const BYTE *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ ((crc & 1u) ? 0x82F63B78u : 0u);
    }
    return crc;
}

/* The checksum of a slot: [0, 80) then [84, header_size). */
static uint32_t slot_crc(const BYTE *slot, unsigned header_size)
{
    uint32_t crc = 0xFFFFFFFFu;
    crc = crc32c_bytes(crc, slot, 80);
    crc = crc32c_bytes(crc, slot + 84, header_size - 84);
    return crc ^ 0xFFFFFFFFu;
}

struct hdr {
    unsigned version, header_size;
    uint64_t sequence, source_size, source_mtime, committed;
    BYTE file_id[16];
    uint32_t volume_serial, chunk_size, stream, copy_flags, crc;
};

/* Validates slot `index` of a trailer (§4, including §4.4).  Returns NULL and
 * fills *h when it is valid, else the reason. */
static const char *decode_slot(const BYTE *s, unsigned index, struct hdr *h)
{
    BOOL zero = TRUE;
    for (unsigned i = 0; i < SLOT_SIZE && zero; i++)
        zero = s[i] == 0;
    if (zero)
        return "empty (never written)";
    if (memcmp(s, "CF2RSTHD", 8) != 0)
        return "bad magic";
    struct hdr v;
    memset(&v, 0, sizeof v);
    v.version = (unsigned)get_le(s + 8, 2);
    if (v.version != 1)
        return "unknown version";
    v.header_size = (unsigned)get_le(s + 10, 2);
    if (v.header_size % 8 != 0 || v.header_size < HEADER_SIZE_V1 || v.header_size > SLOT_SIZE)
        return "bad header_size";
    if (get_le(s + 12, 4) != 0 || get_le(s + 84, 4) != 0)
        return "reserved field not zero";
    for (unsigned i = v.header_size; i < SLOT_SIZE; i++)
        if (s[i] != 0)
            return "padding not zero";
    v.sequence = get_le(s + 16, 8);
    if (get_le(s + v.header_size - 8, 8) != ~v.sequence)
        return "torn (sequence_check is not ~sequence)";
    v.crc = (uint32_t)get_le(s + 80, 4);
    if (v.crc != slot_crc(s, v.header_size))
        return "bad CRC-32C";
    if (v.sequence == UINT64_MAX)
        return "reserved sequence 2^64-1";
    v.source_size = get_le(s + 24, 8);
    v.source_mtime = get_le(s + 32, 8);
    v.committed = get_le(s + 40, 8);
    memcpy(v.file_id, s + 48, 16);
    v.volume_serial = (uint32_t)get_le(s + 64, 4);
    v.chunk_size = (uint32_t)get_le(s + 68, 4);
    v.stream = (uint32_t)get_le(s + 72, 4);
    v.copy_flags = (uint32_t)get_le(s + 76, 4);
    if (v.source_size > MAX_SOURCE_SIZE)
        return "source_size too large";
    if (v.chunk_size == 0)
        return "chunk_size 0";
    if (v.stream == 0)
        return "stream 0";
    if (v.committed > v.source_size || (v.committed % v.chunk_size != 0 && v.committed != v.source_size) ||
        (v.stream > 1 && v.committed != v.source_size))
        return "inconsistent committed";
    if ((v.sequence & 1) != index)
        return "valid, but in the slot its sequence does not select";
    *h = v;
    return NULL;
}

/* Recomputes sequence_check and the CRC of a slot whose fields were edited,
 * so that only the field rules (not the checksum) can reject it. */
static void reseal(BYTE *s)
{
    unsigned hs = (unsigned)get_le(s + 10, 2);
    put_le(s + hs - 8, 8, ~get_le(s + 16, 8));
    put_le(s + 80, 4, slot_crc(s, hs));
}

/* The trailer of a destination file: its last 8192 bytes, both slots decoded. */
struct trailer {
    ULONGLONG file_size;
    BYTE bytes[TRAILER_SIZE];
    const char *why[2]; /* NULL: valid */
    struct hdr slot[2];
    int newest;         /* the valid slot with the higher sequence, or -1 */
};

static void read_trailer(const WCHAR *path, struct trailer *tr)
{
    memset(tr, 0, sizeof *tr);
    WIN32_FILE_ATTRIBUTE_DATA d = cf2_stat(path);
    tr->file_size = cf2_size_of(&d);
    tr->newest = -1;
    if (tr->file_size < TRAILER_SIZE) {
        tr->why[0] = tr->why[1] = "file shorter than a trailer";
        return;
    }
    cf2_read_at(path, tr->file_size - TRAILER_SIZE, tr->bytes, TRAILER_SIZE);
    for (unsigned i = 0; i < 2; i++) {
        tr->why[i] = decode_slot(tr->bytes + i * SLOT_SIZE, i, &tr->slot[i]);
        if (!tr->why[i] && (tr->newest < 0 || tr->slot[i].sequence > tr->slot[tr->newest].sequence))
            tr->newest = (int)i;
    }
}

/* The facts of a source that a header records (§3). */
struct facts {
    ULONGLONG size, mtime;
    DWORD volume_serial, attrs;
    BYTE file_id[16];
};

static struct facts source_facts(const WCHAR *path)
{
    struct facts f;
    memset(&f, 0, sizeof f);
    HANDLE h = CreateFileW(path, FILE_READ_ATTRIBUTES,
                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
    cf2_check(h != INVALID_HANDLE_VALUE, "cannot open %s: error %lu", cf2_u8(path), GetLastError());
    BY_HANDLE_FILE_INFORMATION info;
    BOOL ok = GetFileInformationByHandle(h, &info);
    DWORD e = GetLastError();
    CloseHandle(h);
    cf2_check(ok, "GetFileInformationByHandle(%s) failed: error %lu", cf2_u8(path), e);
    f.size = ((ULONGLONG)info.nFileSizeHigh << 32) | info.nFileSizeLow;
    f.mtime = cf2_ft64(info.ftLastWriteTime);
    f.volume_serial = info.dwVolumeSerialNumber;
    f.attrs = info.dwFileAttributes;
    /* Only the 64-bit index is available: LE in bytes 0..7, zeros after (§3). */
    put_le(f.file_id, 8, ((uint64_t)info.nFileIndexHigh << 32) | info.nFileIndexLow);
    return f;
}

/* §6: the header a resume must use, or NULL when the destination has no
 * valid restart header for this source (no valid slot, wrong file length,
 * or a changed source). */
static const struct hdr *restart_header(const struct trailer *tr, const struct facts *src)
{
    if (tr->newest < 0)
        return NULL;
    const struct hdr *h = &tr->slot[tr->newest];
    if (tr->file_size != paused_file_size(h->source_size))
        return NULL;
    if (h->source_size != src->size || h->source_mtime != src->mtime ||
        h->volume_serial != src->volume_serial || memcmp(h->file_id, src->file_id, 16) != 0)
        return NULL;
    return h;
}

/* ---------------------------------------------------------------- recording the messages */

#define MAX_MSGS 2048

struct msg {
    COPYFILE2_MESSAGE_TYPE type;
    DWORD stream;
    ULONGLONG chunk, chunk_size, stream_size, total_size, stream_done, total_done;
    COPYFILE2_COPY_PHASE phase;
    HRESULT hr;
};

struct rec {
    /* What to answer: `action` to the first message of type `act_type`
     * (with chunk number `act_chunk` for chunk messages) that comes after at
     * least `act_after_finished` CHUNK_FINISHED messages; `otherwise` to the
     * rest.  act_type 0: never act. */
    COPYFILE2_MESSAGE_TYPE act_type;
    ULONGLONG act_chunk;
    unsigned act_after_finished;
    COPYFILE2_MESSAGE_ACTION action, otherwise;
    /* What was seen. */
    unsigned n;           /* messages received (may exceed MAX_MSGS) */
    unsigned finished;    /* CHUNK_FINISHED messages received */
    int acted_at;         /* index of the message answered with `action`, -1 */
    struct msg m[MAX_MSGS];
};

static struct rec rec1, rec2; /* large: not on the stack */

static void rec_init(struct rec *r, COPYFILE2_MESSAGE_TYPE type, ULONGLONG chunk,
                     COPYFILE2_MESSAGE_ACTION action)
{
    memset(r, 0, offsetof(struct rec, m));
    r->act_type = type;
    r->act_chunk = chunk;
    r->action = action;
    r->otherwise = COPYFILE2_PROGRESS_CONTINUE;
    r->acted_at = -1;
}

static COPYFILE2_MESSAGE_ACTION CALLBACK recorder(const COPYFILE2_MESSAGE *m, PVOID ctx)
{
    struct rec *r = ctx;
    unsigned i = r->n++;
    ULONGLONG chunk = 0;
    if (i < MAX_MSGS) {
        struct msg *x = &r->m[i];
        memset(x, 0, sizeof *x);
        x->type = m->Type;
        switch (m->Type) {
        case COPYFILE2_CALLBACK_STREAM_STARTED:
            x->stream = m->Info.StreamStarted.dwStreamNumber;
            x->stream_size = m->Info.StreamStarted.uliStreamSize.QuadPart;
            x->total_size = m->Info.StreamStarted.uliTotalFileSize.QuadPart;
            break;
        case COPYFILE2_CALLBACK_CHUNK_STARTED:
            x->stream = m->Info.ChunkStarted.dwStreamNumber;
            x->chunk = chunk = m->Info.ChunkStarted.uliChunkNumber.QuadPart;
            x->chunk_size = m->Info.ChunkStarted.uliChunkSize.QuadPart;
            x->stream_size = m->Info.ChunkStarted.uliStreamSize.QuadPart;
            x->total_size = m->Info.ChunkStarted.uliTotalFileSize.QuadPart;
            break;
        case COPYFILE2_CALLBACK_CHUNK_FINISHED:
            x->stream = m->Info.ChunkFinished.dwStreamNumber;
            x->chunk = chunk = m->Info.ChunkFinished.uliChunkNumber.QuadPart;
            x->chunk_size = m->Info.ChunkFinished.uliChunkSize.QuadPart;
            x->stream_size = m->Info.ChunkFinished.uliStreamSize.QuadPart;
            x->total_size = m->Info.ChunkFinished.uliTotalFileSize.QuadPart;
            x->stream_done = m->Info.ChunkFinished.uliStreamBytesTransferred.QuadPart;
            x->total_done = m->Info.ChunkFinished.uliTotalBytesTransferred.QuadPart;
            break;
        case COPYFILE2_CALLBACK_STREAM_FINISHED:
            x->stream = m->Info.StreamFinished.dwStreamNumber;
            x->stream_size = m->Info.StreamFinished.uliStreamSize.QuadPart;
            x->total_size = m->Info.StreamFinished.uliTotalFileSize.QuadPart;
            x->stream_done = m->Info.StreamFinished.uliStreamBytesTransferred.QuadPart;
            x->total_done = m->Info.StreamFinished.uliTotalBytesTransferred.QuadPart;
            break;
        case COPYFILE2_CALLBACK_ERROR:
            x->stream = m->Info.Error.dwStreamNumber;
            x->phase = m->Info.Error.CopyPhase;
            x->hr = m->Info.Error.hrFailure;
            x->chunk = m->Info.Error.uliChunkNumber.QuadPart;
            x->stream_done = m->Info.Error.uliStreamBytesTransferred.QuadPart;
            break;
        default:
            break;
        }
    } else if (m->Type == COPYFILE2_CALLBACK_CHUNK_STARTED) {
        chunk = m->Info.ChunkStarted.uliChunkNumber.QuadPart;
    } else if (m->Type == COPYFILE2_CALLBACK_CHUNK_FINISHED) {
        chunk = m->Info.ChunkFinished.uliChunkNumber.QuadPart;
    }
    BOOL is_chunk = m->Type == COPYFILE2_CALLBACK_CHUNK_STARTED ||
                    m->Type == COPYFILE2_CALLBACK_CHUNK_FINISHED;
    COPYFILE2_MESSAGE_ACTION answer = r->otherwise;
    if (r->acted_at < 0 && r->act_type != 0 && m->Type == r->act_type &&
        (!is_chunk || chunk == r->act_chunk) && r->finished >= r->act_after_finished) {
        r->acted_at = (int)i;
        answer = r->action;
    }
    if (m->Type == COPYFILE2_CALLBACK_CHUNK_FINISHED)
        r->finished++;
    return answer;
}

/* Calls CopyFile2 with the recorder and pfCancel -> FALSE: a V1 structure
 * when io_size is 0, else V2 with that ioDesiredSize (and ioDesiredRate). */
static struct cf2_res copy_rate(const WCHAR *src, const WCHAR *dst, DWORD flags, ULONG io_size,
                                ULONG rate, struct rec *r)
{
    static BOOL never_cancel;
    never_cancel = FALSE;
    if (io_size == 0 && rate == 0) {
        COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(flags);
        p.pfCancel = &never_cancel;
        p.pProgressRoutine = r ? recorder : NULL;
        p.pvCallbackContext = r;
        return cf2_call(src, dst, &p);
    }
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(flags);
    p.pfCancel = &never_cancel;
    p.pProgressRoutine = r ? recorder : NULL;
    p.pvCallbackContext = r;
    p.ioDesiredSize = io_size;
    p.ioDesiredRate = rate;
    return cf2_call(src, dst, &p);
}

static struct cf2_res copy_rec(const WCHAR *src, const WCHAR *dst, DWORD flags, ULONG io_size,
                               struct rec *r)
{
    return copy_rate(src, dst, flags, io_size, 0, r);
}

/* DOC (contract 4): after the routine answered PAUSE or STOP, it gets exactly
 * one more message, STREAM_FINISHED; none when it answered STREAM_FINISHED. */
static void expect_one_message_after(const struct rec *r, const char *answer, const char *what)
{
    cf2_check(r->acted_at >= 0, "%s: the routine never got the message it was to answer %s", what, answer);
    unsigned a = (unsigned)r->acted_at;
    cf2_check(r->n <= MAX_MSGS, "%s: %u messages, more than the recorder holds", what, r->n);
    if (r->m[a].type == COPYFILE2_CALLBACK_STREAM_FINISHED) {
        cf2_check(r->n == a + 1, "%s: %u message(s) after %s was answered to STREAM_FINISHED, expected none "
                  "(the first: %s)", what, r->n - a - 1, answer, cf2_type_name(r->m[a + 1].type));
        return;
    }
    cf2_check(r->n == a + 2, "%s: %u message(s) after %s, expected exactly one (STREAM_FINISHED)", what,
              r->n - a - 1, answer);
    cf2_check(r->m[a + 1].type == COPYFILE2_CALLBACK_STREAM_FINISHED,
              "%s: the message after %s is %s, expected STREAM_FINISHED", what, answer,
              cf2_type_name(r->m[a + 1].type));
}

/* OURS (docs/protocol-section.md.part, "Resumed copies"): checks one stream's
 * messages: STREAM_STARTED with the full sizes; CHUNK_STARTED/CHUNK_FINISHED
 * pairs numbered from start / chunk on, each CHUNK_FINISHED counting the bytes
 * up to its chunk's end; possibly a last CHUNK_STARTED without its
 * CHUNK_FINISHED (answered with PAUSE or STOP); then STREAM_FINISHED, last,
 * reporting the bytes so far.  POLL_CONTINUE messages are skipped.  Returns
 * the offset STREAM_FINISHED reports. */
static ULONGLONG check_trace(const struct rec *r, ULONGLONG size, ULONGLONG chunk, ULONGLONG start,
                             const char *what)
{
    cf2_check(r->n <= MAX_MSGS, "%s: %u messages, more than the recorder holds", what, r->n);
    cf2_check(r->n >= 2, "%s: only %u message(s)", what, r->n);
    unsigned i = 0;
    const struct msg *m = &r->m[0];
    cf2_check(m->type == COPYFILE2_CALLBACK_STREAM_STARTED, "%s: the first message is %s, expected STREAM_STARTED",
              what, cf2_type_name(m->type));
    cf2_check(m->stream == 1 && m->stream_size == size && m->total_size == size,
              "%s: STREAM_STARTED stream %lu, sizes %llu/%llu; expected stream 1 with the full size %llu",
              what, m->stream, m->stream_size, m->total_size, size);
    ULONGLONG off = start;
    cf2_check(start % chunk == 0 || start == size, "%s: (test) start %llu is not a chunk boundary of %llu",
              what, start, chunk);
    for (i = 1; i < r->n; i++) {
        m = &r->m[i];
        if (m->type == COPYFILE2_CALLBACK_POLL_CONTINUE)
            continue;
        if (m->type != COPYFILE2_CALLBACK_CHUNK_STARTED)
            break;
        ULONGLONG n = size - off < chunk ? size - off : chunk;
        cf2_check(off < size, "%s: message %u: CHUNK_STARTED %llu past the end of the data", what, i, m->chunk);
        cf2_check(m->stream == 1 && m->chunk == off / chunk && m->chunk_size == n && m->stream_size == size &&
                      m->total_size == size,
                  "%s: message %u: CHUNK_STARTED stream %lu chunk %llu size %llu (stream %llu, total %llu); "
                  "expected chunk %llu of %llu bytes at offset %llu", what, i, m->stream, m->chunk,
                  m->chunk_size, m->stream_size, m->total_size, off / chunk, n, off);
        unsigned j = i + 1;
        while (j < r->n && r->m[j].type == COPYFILE2_CALLBACK_POLL_CONTINUE)
            j++;
        if (j >= r->n || r->m[j].type != COPYFILE2_CALLBACK_CHUNK_FINISHED) {
            i = j;
            break; /* a CHUNK_STARTED answered with PAUSE or STOP */
        }
        m = &r->m[j];
        cf2_check(m->stream == 1 && m->chunk == off / chunk && m->chunk_size == n &&
                      m->stream_done == off + n && m->total_done == off + n && m->stream_size == size &&
                      m->total_size == size,
                  "%s: message %u: CHUNK_FINISHED chunk %llu size %llu, transferred %llu/%llu; expected "
                  "chunk %llu size %llu, transferred %llu", what, j, m->chunk, m->chunk_size,
                  m->stream_done, m->total_done, off / chunk, n, off + n);
        off += n;
        i = j;
    }
    while (i < r->n && r->m[i].type == COPYFILE2_CALLBACK_POLL_CONTINUE)
        i++;
    cf2_check(i + 1 == r->n, "%s: %u message(s) left after the chunks (the next: %s), expected only "
              "STREAM_FINISHED", what, r->n - i, i < r->n ? cf2_type_name(r->m[i].type) : "none");
    m = &r->m[i];
    cf2_check(m->type == COPYFILE2_CALLBACK_STREAM_FINISHED,
              "%s: the last message is %s, expected STREAM_FINISHED",
              what, cf2_type_name(m->type));
    cf2_check(m->stream_size == size && m->total_size == size && m->stream_done == m->total_done,
              "%s: STREAM_FINISHED sizes %llu/%llu, transferred %llu/%llu", what, m->stream_size,
              m->total_size, m->stream_done, m->total_done);
    return m->stream_done;
}

/* The offset at which the call's first chunk started (its chunk number
 * times the chunk size), or `size` when it sent no chunk at all. */
static ULONGLONG first_chunk_offset(const struct rec *r, ULONGLONG chunk, ULONGLONG size)
{
    for (unsigned i = 0; i < r->n && i < MAX_MSGS; i++)
        if (r->m[i].type == COPYFILE2_CALLBACK_CHUNK_STARTED)
            return r->m[i].chunk * chunk;
    return size;
}

/* ---------------------------------------------------------------- files */

#define SEED_A 0x5e5ea0u
#define SEED_B 0x5e5eb0u
#define SEED_OTHER 0x07e1u

static FILETIME source_time(void)
{
    return cf2_filetime(2001, 2, 3, 4, 5, 6, 700);
}

/* A source of `size` bytes of pattern `seed`, last written 2001-02-03
 * 04:05:06.7, then given `attrs` (0: left as created). */
static void make_source(const WCHAR *path, ULONGLONG size, uint32_t seed, DWORD attrs)
{
    cf2_make_file(path, size, seed);
    FILETIME w = source_time();
    cf2_set_times(path, NULL, NULL, &w);
    if (attrs)
        cf2_set_attrs(path, attrs);
}

/* Asserts that bytes [from, to) of `path` are the pattern `seed`. */
static void expect_range(const WCHAR *path, ULONGLONG from, ULONGLONG to, uint32_t seed, const char *what)
{
    static BYTE got[256 * 1024], want[256 * 1024];
    while (from < to) {
        DWORD n = to - from < sizeof got ? (DWORD)(to - from) : (DWORD)sizeof got;
        cf2_read_at(path, from, got, n);
        cf2_pattern(seed, from, want, n);
        if (memcmp(got, want, n) != 0) {
            DWORD i = 0;
            while (got[i] == want[i])
                i++;
            cf2_fail("%s: %s differs from the source at byte %llu", what, cf2_u8(path), from + i);
        }
        from += n;
    }
}

static void expect_zeros(const WCHAR *path, ULONGLONG from, ULONGLONG to, const char *what)
{
    static BYTE got[8192];
    while (from < to) {
        DWORD n = to - from < sizeof got ? (DWORD)(to - from) : (DWORD)sizeof got;
        cf2_read_at(path, from, got, n);
        for (DWORD i = 0; i < n; i++)
            cf2_check(got[i] == 0, "%s: byte %llu of %s is 0x%02x, expected 0", what, from + i,
                      cf2_u8(path), got[i]);
        from += n;
    }
}

/* OURS: what a paused (or stopped restartable) destination looks like:
 * R + 8192 bytes, a valid restart header for the source (§6) with `committed`
 * (UINT64_MAX: any chunk boundary, returned), the source's bytes before it,
 * zeros in [S, R), last-write time 1980-01-01, no final attributes. */
static struct hdr expect_paused(const WCHAR *dst, const WCHAR *src, ULONGLONG committed, uint32_t seed,
                                const char *what)
{
    static struct trailer tr;
    struct facts f = source_facts(src);
    WIN32_FILE_ATTRIBUTE_DATA d = cf2_stat(dst);
    ULONGLONG size = cf2_size_of(&d);
    cf2_check(size == paused_file_size(f.size), "%s: the paused file has %llu bytes, expected R + 8192 = %llu",
              what, size, paused_file_size(f.size));
    read_trailer(dst, &tr);
    const struct hdr *h = restart_header(&tr, &f);
    cf2_check(h != NULL, "%s: no valid restart header for the source (slot 0: %s; slot 1: %s)", what,
              tr.why[0] ? tr.why[0] : "valid", tr.why[1] ? tr.why[1] : "valid");
    if (committed != UINT64_MAX)
        cf2_check(h->committed == committed, "%s: the header's committed offset is %llu, expected %llu", what,
                  (ULONGLONG)h->committed, committed);
    cf2_check(h->stream == 1, "%s: header stream %u, expected 1", what, h->stream);
    expect_range(dst, 0, h->committed, seed, what);
    expect_zeros(dst, f.size, trailer_offset(f.size), what);
    cf2_check(cf2_ft64(d.ftLastWriteTime) == PAUSED_WRITE_TIME,
              "%s: the paused file's last-write time is %s, expected 1980-01-01 00:00:00", what,
              cf2_ft_str(d.ftLastWriteTime));
    cf2_check(!(d.dwFileAttributes & (FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN)),
              "%s: the paused file has attributes 0x%lx: the final attributes were applied early", what,
              d.dwFileAttributes);
    return *h;
}

/* The finished copy: the source's bytes, last-write time and attributes. */
static void expect_complete(const WCHAR *dst, const WCHAR *src, ULONGLONG size, uint32_t seed, const char *what)
{
    cf2_expect_pattern(dst, size, seed);
    WIN32_FILE_ATTRIBUTE_DATA s = cf2_stat(src), d = cf2_stat(dst);
    cf2_check(CompareFileTime(&s.ftLastWriteTime, &d.ftLastWriteTime) == 0,
              "%s: the copy's last-write time is %s, the source's %s", what, cf2_ft_str(d.ftLastWriteTime),
              cf2_ft_str(s.ftLastWriteTime));
    const DWORD carried = FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN;
    cf2_check((d.dwFileAttributes & carried) == (s.dwFileAttributes & carried),
              "%s: the copy's attributes are 0x%lx, the source's 0x%lx", what, d.dwFileAttributes,
              s.dwFileAttributes);
}

/* A file without a header has the source's size; asserts that and that no
 * valid restart header can be found in it. */
static void expect_no_header(const WCHAR *dst, ULONGLONG size, const char *what)
{
    static struct trailer tr;
    read_trailer(dst, &tr);
    cf2_check(tr.file_size == size, "%s: %s has %llu bytes, expected %llu (no trailer)", what, cf2_u8(dst),
              tr.file_size, size);
    cf2_check(tr.newest < 0 || tr.file_size != paused_file_size(tr.slot[tr.newest].source_size),
              "%s: %s still holds a restart header", what, cf2_u8(dst));
}

/* ---------------------------------------------------------------- PAUSE at a chunk, then resume */

/* 3.5 MiB + 123 bytes in chunks of the default 1 MiB: chunks 0..3. */
#define BIG_SIZE (3 * MiB + 512 * KiB + 123)
#define BIG_CHUNK MiB

/* param: the chunk (0 first, 1 middle, 3 last), + 0x10 to answer PAUSE to its
 * CHUNK_FINISHED instead of its CHUNK_STARTED.  Each test pauses two copies
 * of a read-only source: one plain, resumed with RESUME_FROM_PAUSE; one as
 * file managers do (FAIL_IF_EXISTS|ENABLE_SPARSE_COPY), resumed with
 * FAIL_IF_EXISTS|RESUME_FROM_PAUSE. */
void restart_pause_at_chunk(struct cf2_ctx *t)
{
    const ULONGLONG k = CF2_PARAM(t) & 0xF;
    const BOOL at_finished = (CF2_PARAM(t) & CF2_RS_AT_FINISHED) != 0;
    const ULONGLONG size = BIG_SIZE, chunk = BIG_CHUNK;
    const ULONGLONG committed = at_finished ? ((k + 1) * chunk < size ? (k + 1) * chunk : size) : k * chunk;
    static const DWORD first_flags[2] = { 0, COPY_FILE_FAIL_IF_EXISTS | COPY_FILE_ENABLE_SPARSE_COPY };
    static const DWORD resume_flags[2] = { COPY_FILE_RESUME_FROM_PAUSE,
                                           COPY_FILE_FAIL_IF_EXISTS | COPY_FILE_RESUME_FROM_PAUSE };
    static const WCHAR *const srcs[2] = { L"source-plain.bin", L"source-fm.bin" };
    static const WCHAR *const dsts[2] = { L"dest-plain.bin", L"dest-fm.bin" };
    for (int v = 0; v < 2; v++) {
        char what[160];
        snprintf(what, sizeof what, "PAUSE at %s of chunk %llu (flags 0x%lx), resumed with flags 0x%lx",
                 at_finished ? "CHUNK_FINISHED" : "CHUNK_STARTED", k, first_flags[v], resume_flags[v]);
        const WCHAR *src = cf2_path(t, srcs[v]), *dst = cf2_path(t, dsts[v]);
        make_source(src, size, SEED_A + (uint32_t)v, FILE_ATTRIBUTE_READONLY);
        struct cf2_fp src_fp = cf2_fp_take(src);

        rec_init(&rec1, at_finished ? COPYFILE2_CALLBACK_CHUNK_FINISHED : COPYFILE2_CALLBACK_CHUNK_STARTED, k,
                 COPYFILE2_PROGRESS_PAUSE);
        struct cf2_res r = copy_rec(src, dst, first_flags[v], 0, &rec1);
        cf2_expect_err(r, ERROR_REQUEST_PAUSED, what);
        cf2_check((unsigned long)r.hr == 0x80070BEAul, "%s: hr 0x%08lx", what, (unsigned long)r.hr);
        expect_one_message_after(&rec1, "PAUSE", what);
        cf2_expect_present(dst);
        if (!cf2_doc_only) {
            ULONGLONG reported = check_trace(&rec1, size, chunk, 0, what);
            cf2_check(reported == committed, "%s: STREAM_FINISHED after PAUSE reports %llu bytes, expected %llu",
                      what, reported, committed);
            struct hdr h = expect_paused(dst, src, committed, SEED_A + (uint32_t)v, what);
            cf2_check(h.copy_flags == first_flags[v] && h.chunk_size == chunk,
                      "%s: header copy_flags 0x%x chunk_size %u; expected 0x%lx and %llu", what, h.copy_flags,
                      h.chunk_size, first_flags[v], chunk);
        }

        rec_init(&rec2, 0, 0, COPYFILE2_PROGRESS_CONTINUE);
        r = copy_rec(src, dst, resume_flags[v], 0, &rec2);
        cf2_expect_ok(r, what);
        if (!cf2_doc_only) {
            ULONGLONG end = check_trace(&rec2, size, chunk, committed, what);
            cf2_check(end == size, "%s: the resume's STREAM_FINISHED reports %llu bytes, expected %llu", what,
                      end, size);
        }
        expect_complete(dst, src, size, SEED_A + (uint32_t)v, what);
        cf2_expect_unchanged(src, &src_fp, "the source");
    }
}

/* PAUSE in reply to STREAM_STARTED: nothing copied yet.  The header says
 * committed 0 and the resume copies everything.  param: the source's size. */
void restart_pause_before_data(struct cf2_ctx *t)
{
    const ULONGLONG size = CF2_PARAM(t), chunk = BIG_CHUNK;
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    make_source(src, size, SEED_A, 0);
    struct cf2_fp src_fp = cf2_fp_take(src);
    rec_init(&rec1, COPYFILE2_CALLBACK_STREAM_STARTED, 0, COPYFILE2_PROGRESS_PAUSE);
    cf2_expect_err(copy_rec(src, dst, 0, 0, &rec1), ERROR_REQUEST_PAUSED, "PAUSE at STREAM_STARTED");
    expect_one_message_after(&rec1, "PAUSE", "PAUSE at STREAM_STARTED");
    cf2_check(rec1.acted_at == 0, "PAUSE was answered to message %d, expected the first", rec1.acted_at);
    cf2_check(rec1.m[1].stream_done == 0 && rec1.m[1].total_done == 0,
              "STREAM_FINISHED after an early PAUSE reports %llu/%llu bytes, expected 0", rec1.m[1].stream_done,
              rec1.m[1].total_done);
    struct hdr h = expect_paused(dst, src, 0, SEED_A, "PAUSE at STREAM_STARTED");
    cf2_check(h.source_size == size, "header source_size %llu, expected %llu", (ULONGLONG)h.source_size, size);
    cf2_note("paused before any data: %llu-byte destination, committed 0", paused_file_size(size));

    rec_init(&rec2, 0, 0, COPYFILE2_PROGRESS_CONTINUE);
    cf2_expect_ok(copy_rec(src, dst, COPY_FILE_RESUME_FROM_PAUSE, 0, &rec2),
                  "resume of a copy paused before data");
    cf2_check(check_trace(&rec2, size, chunk, 0, "resume") == size, "the resume did not report every byte");
    expect_complete(dst, src, size, SEED_A, "resume of a copy paused before data");
    cf2_expect_unchanged(src, &src_fp, "the source");
}

/* DOC (contract 4): PAUSE in reply to the final STREAM_FINISHED of a copy
 * that is complete: S_OK, no header, the copy is final.  For a plain and a
 * RESTARTABLE copy. */
void restart_pause_at_final_stream_finished(struct cf2_ctx *t)
{
    static const DWORD flags[2] = { 0, COPY_FILE_RESTARTABLE };
    static const WCHAR *const dsts[2] = { L"dest-plain.bin", L"dest-restartable.bin" };
    const WCHAR *src = cf2_path(t, L"source.bin");
    make_source(src, BIG_SIZE, SEED_A, FILE_ATTRIBUTE_READONLY);
    for (int v = 0; v < 2; v++) {
        char what[96];
        snprintf(what, sizeof what, "PAUSE at the final STREAM_FINISHED (flags 0x%lx)", flags[v]);
        const WCHAR *dst = cf2_path(t, dsts[v]);
        rec_init(&rec1, COPYFILE2_CALLBACK_STREAM_FINISHED, 0, COPYFILE2_PROGRESS_PAUSE);
        cf2_expect_ok(copy_rec(src, dst, flags[v], 0, &rec1), what);
        expect_one_message_after(&rec1, "PAUSE", what);
        if (!cf2_doc_only)
            cf2_check(check_trace(&rec1, BIG_SIZE, BIG_CHUNK, 0, what) == BIG_SIZE, "%s: incomplete trace", what);
        expect_no_header(dst, BIG_SIZE, what);
        expect_complete(dst, src, BIG_SIZE, SEED_A, what);
    }
}

/* OURS: the paused file, byte by byte, against docs/restart-header.md. */
void restart_paused_file_format(struct cf2_ctx *t)
{
    /* The reader's own checks first: the CRC's check value (§5.1) and the
     * worked example of §7 (restart-slot-v1-midcopy.bin, first 96 bytes). */
    cf2_check((crc32c_bytes(0xFFFFFFFFu, (const BYTE *)"123456789", 9) ^ 0xFFFFFFFFu) == 0xE3069283u,
              "the suite's CRC-32C does not give the check value 0xE3069283");
    static const BYTE golden[96] = {
        0x43, 0x46, 0x32, 0x52, 0x53, 0x54, 0x48, 0x44, 0x01, 0x00, 0x60, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12, 0x00, 0x00,
        0x5d, 0x4c, 0x3b, 0x2a, 0x1f, 0x5e, 0xda, 0x01, 0x00, 0x00, 0x70, 0x56, 0x34, 0x12, 0x00, 0x00,
        0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff,
        0xd4, 0xc3, 0xb2, 0xa1, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x50, 0x00, 0x00,
        0xc5, 0x42, 0xe0, 0x6d, 0x00, 0x00, 0x00, 0x00, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
    };
    static BYTE slot[SLOT_SIZE];
    memset(slot, 0, sizeof slot);
    memcpy(slot, golden, sizeof golden);
    struct hdr g;
    const char *why = decode_slot(slot, 0, &g);
    cf2_check(why == NULL, "the worked example of docs/restart-header.md section 7 does not decode: %s", why);
    cf2_check(g.sequence == 0x1122334455667788ull && g.committed == 0x0000123456700000ull &&
                  g.chunk_size == 0x00100000u && g.copy_flags == 0x00005002u && g.crc == 0x6DE042C5u,
              "the worked example decodes to other values");

    /* 201608 bytes: R = 204800; 64 KiB chunks 0..3; PAUSE after chunk 1. */
    const ULONGLONG size = 3 * 65536 + 5000, chunk = 65536, committed = 2 * chunk;
    const DWORD flags = COPY_FILE_ALLOW_DECRYPTED_DESTINATION;
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    make_source(src, size, SEED_A, 0);
    rec_init(&rec1, COPYFILE2_CALLBACK_CHUNK_FINISHED, 1, COPYFILE2_PROGRESS_PAUSE);
    cf2_expect_err(copy_rec(src, dst, flags, (ULONG)chunk, &rec1), ERROR_REQUEST_PAUSED, "PAUSE after chunk 1");

    struct facts f = source_facts(src);
    static struct trailer tr;
    read_trailer(dst, &tr);
    cf2_check(tr.file_size == 204800 + 8192, "the paused file has %llu bytes, expected 212992", tr.file_size);
    expect_zeros(dst, size, 204800, "the gap [S, R)");
    expect_range(dst, 0, committed, SEED_A, "the committed data");
    for (unsigned i = 0; i < 2; i++)
        cf2_check(tr.why[i] == NULL, "slot %u is not valid: %s", i, tr.why[i]);
    /* §8: the first commit (sequence 0, committed 0) in slot 0, PAUSE's
     * commit (sequence 1) in slot 1. */
    cf2_check(tr.slot[0].sequence == 0 && tr.slot[0].committed == 0,
              "slot 0: sequence %llu committed %llu, expected the first commit (0, 0)",
              (ULONGLONG)tr.slot[0].sequence, (ULONGLONG)tr.slot[0].committed);
    cf2_check(tr.newest == 1 && tr.slot[1].sequence == 1, "the newest slot is %d (sequence %llu), expected slot 1 "
              "with sequence 1", tr.newest, (ULONGLONG)tr.slot[1].sequence);
    for (unsigned i = 0; i < 2; i++) {
        const BYTE *s = tr.bytes + i * SLOT_SIZE;
        const struct hdr *h = &tr.slot[i];
        cf2_check(memcmp(s, "CF2RSTHD", 8) == 0, "slot %u: magic", i);
        cf2_check(h->version == 1 && h->header_size == 96, "slot %u: version %u header_size %u, expected 1 and 96",
                  i, h->version, h->header_size);
        cf2_check(get_le(s + 12, 4) == 0 && get_le(s + 84, 4) == 0, "slot %u: reserved fields not zero", i);
        cf2_check(get_le(s + 88, 8) == ~h->sequence, "slot %u: sequence_check", i);
        cf2_check(h->crc == slot_crc(s, 96), "slot %u: CRC-32C 0x%08x, computed 0x%08x", i, h->crc,
                  slot_crc(s, 96));
        cf2_check(h->source_size == size, "slot %u: source_size %llu, expected %llu", i,
                  (ULONGLONG)h->source_size, size);
        cf2_check(h->source_mtime == f.mtime && h->source_mtime == cf2_ft64(source_time()),
                  "slot %u: source_mtime %llu, the source's last-write time is %llu", i,
                  (ULONGLONG)h->source_mtime, f.mtime);
        cf2_check(memcmp(h->file_id, f.file_id, 16) == 0,
                  "slot %u: file_id is not the source's 64-bit file index (LE, then 8 zero bytes)", i);
        cf2_check(h->volume_serial == f.volume_serial, "slot %u: volume_serial 0x%08x, the source's 0x%08lx", i,
                  h->volume_serial, f.volume_serial);
        cf2_check(h->chunk_size == chunk && h->stream == 1 && h->copy_flags == flags,
                  "slot %u: chunk_size %u stream %u copy_flags 0x%x; expected %llu, 1, 0x%lx", i, h->chunk_size,
                  h->stream, h->copy_flags, chunk, flags);
        for (unsigned b = 96; b < SLOT_SIZE; b++)
            cf2_check(s[b] == 0, "slot %u: padding byte %u is 0x%02x", i, b, s[b]);
    }
    cf2_check(tr.slot[1].committed == committed, "the newest header's committed is %llu, expected %llu",
              (ULONGLONG)tr.slot[1].committed, committed);
    cf2_check(restart_header(&tr, &f) == &tr.slot[1], "the header does not pass section 6's checks");
    WIN32_FILE_ATTRIBUTE_DATA d = cf2_stat(dst);
    cf2_check(cf2_ft64(d.ftLastWriteTime) == PAUSED_WRITE_TIME,
              "last-write time %s, expected 1980-01-01 00:00:00 (FILETIME 119600064000000000)",
              cf2_ft_str(d.ftLastWriteTime));

    rec_init(&rec2, 0, 0, COPYFILE2_PROGRESS_CONTINUE);
    cf2_expect_ok(copy_rec(src, dst, COPY_FILE_RESUME_FROM_PAUSE, (ULONG)chunk, &rec2), "resume");
    check_trace(&rec2, size, chunk, committed, "resume");
    expect_complete(dst, src, size, SEED_A, "resume");
}

/* ---------------------------------------------------------------- PAUSE and STOP on restartable copies */

/* A folder name of 200 characters: with the file names below, paths of
 * more than 300 characters (\\?\ prefixed). */
static const WCHAR *long_folder(struct cf2_ctx *t)
{
    static WCHAR name[210];
    for (int i = 0; i < 200; i++)
        name[i] = (WCHAR)(L'a' + i % 26);
    name[200] = 0;
    const WCHAR *dir = cf2_lpath(t, name);
    cf2_mkdir(dir);
    return dir;
}

/* The long-path harness (contract 10): a FAIL_IF_EXISTS copy with a routine
 * that must see no ERROR, then COPY_FILE_RESTARTABLE with the routine
 * answering PAUSE: ERROR_REQUEST_PAUSED; then RESUME_FROM_PAUSE with the
 * routine answering QUIET: S_OK, byte-identical.  param 0: PAUSE to the
 * first message; 1: PAUSE to CHUNK_FINISHED of chunk 1. */
void restart_pause_restartable_long_path(struct cf2_ctx *t)
{
    const BOOL later = CF2_PARAM(t) != 0;
    const WCHAR *dir = long_folder(t);
    const WCHAR *src = cf2_cat(t, dir, L"\\source-file-with-a-long-name-0123456789-0123456789-0123456789.bin");
    const WCHAR *dst1 = cf2_cat(t, dir, L"\\copy-file-with-a-long-name-0123456789-0123456789-0123456789.bin");
    const WCHAR *dst2 = cf2_cat(t, dir, L"\\paused-file-with-a-long-name-0123456789-0123456789-0123456789.bin");
    cf2_check(wcslen(src) > 300, "(test) the path is only %u characters", (unsigned)wcslen(src));
    make_source(src, BIG_SIZE, SEED_A, 0);

    rec_init(&rec1, 0, 0, COPYFILE2_PROGRESS_CONTINUE);
    cf2_expect_ok(copy_rec(src, dst1, COPY_FILE_FAIL_IF_EXISTS, 0, &rec1), "FAIL_IF_EXISTS copy, long paths");
    expect_complete(dst1, src, BIG_SIZE, SEED_A, "FAIL_IF_EXISTS copy, long paths");

    if (later)
        rec_init(&rec1, COPYFILE2_CALLBACK_CHUNK_FINISHED, 1, COPYFILE2_PROGRESS_PAUSE);
    else
        rec_init(&rec1, COPYFILE2_CALLBACK_STREAM_STARTED, 0, COPYFILE2_PROGRESS_PAUSE);
    cf2_expect_err(copy_rec(src, dst2, COPY_FILE_RESTARTABLE, 0, &rec1), ERROR_REQUEST_PAUSED,
                   "RESTARTABLE copy answered PAUSE");
    expect_one_message_after(&rec1, "PAUSE", "RESTARTABLE copy answered PAUSE");
    for (unsigned i = 0; i < rec1.n && i < MAX_MSGS; i++)
        cf2_check(rec1.m[i].type != COPYFILE2_CALLBACK_ERROR, "the routine got an ERROR message (hr 0x%08lx)",
                  (unsigned long)rec1.m[i].hr);
    if (!cf2_doc_only)
        expect_paused(dst2, src, later ? 2 * BIG_CHUNK : 0, SEED_A, "RESTARTABLE copy answered PAUSE");

    rec_init(&rec2, 0, 0, COPYFILE2_PROGRESS_CONTINUE);
    rec2.otherwise = COPYFILE2_PROGRESS_QUIET;
    cf2_expect_ok(copy_rec(src, dst2, COPY_FILE_RESUME_FROM_PAUSE, 0, &rec2), "RESUME_FROM_PAUSE answered QUIET");
    cf2_check(rec2.n == 1, "QUIET was answered to the first message, but the routine got %u", rec2.n);
    expect_complete(dst2, src, BIG_SIZE, SEED_A, "RESUME_FROM_PAUSE answered QUIET");
}

/* A CopyFileEx-style routine (V2 pProgressRoutineOld) that answers
 * PROGRESS_STOP to its `stop_at`-th CALLBACK_CHUNK_FINISHED. */
struct old_ctx {
    unsigned calls, finished, stop_at, calls_at_stop;
};

static DWORD CALLBACK old_routine(LARGE_INTEGER total, LARGE_INTEGER done, LARGE_INTEGER ssize,
                                  LARGE_INTEGER sdone, DWORD stream, DWORD reason, HANDLE hs, HANDLE hd,
                                  LPVOID data)
{
    struct old_ctx *c = data;
    c->calls++;
    if (reason == CALLBACK_CHUNK_FINISHED && ++c->finished == c->stop_at) {
        c->calls_at_stop = c->calls;
        return PROGRESS_STOP;
    }
    return PROGRESS_CONTINUE;
}

/* STOP on a COPY_FILE_RESTARTABLE|COPY_FILE_NO_BUFFERING copy (the
 * CopyFileEx-style pattern of contract 10): ERROR_REQUEST_ABORTED, the
 * destination kept with a checkpoint at the chunk boundary reached; the
 * same call again resumes there (first CHUNK_STARTED number > 0).
 * param 0: COPYFILE2 routine, STOP to CHUNK_STARTED of chunk 2;
 * param 1: CopyFileEx-style routine, PROGRESS_STOP to the second
 * CALLBACK_CHUNK_FINISHED (after chunk 1). */
void restart_stop_restartable_resumes(struct cf2_ctx *t)
{
    const BOOL old_style = CF2_PARAM(t) != 0;
    const DWORD flags = COPY_FILE_RESTARTABLE | COPY_FILE_NO_BUFFERING;
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    make_source(src, BIG_SIZE, SEED_A, FILE_ATTRIBUTE_READONLY);
    struct cf2_fp src_fp = cf2_fp_take(src);
    const char *what = old_style ? "PROGRESS_STOP (CopyFileEx-style routine) after chunk 1"
                                 : "STOP at CHUNK_STARTED of chunk 2";
    if (old_style) {
        struct old_ctx c = { 0, 0, 2, 0 };
        COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(flags);
        p.pProgressRoutineOld = old_routine;
        p.pvCallbackContext = &c;
        cf2_expect_err(cf2_call(src, dst, &p), ERROR_REQUEST_ABORTED, what);
        cf2_check(c.calls_at_stop > 0, "%s: the routine never got a second CALLBACK_CHUNK_FINISHED", what);
        if (!cf2_doc_only)
            cf2_check(c.calls == c.calls_at_stop, "%s: %u call(s) of the routine after PROGRESS_STOP", what,
                      c.calls - c.calls_at_stop);
    } else {
        rec_init(&rec1, COPYFILE2_CALLBACK_CHUNK_STARTED, 2, COPYFILE2_PROGRESS_STOP);
        cf2_expect_err(copy_rec(src, dst, flags, 0, &rec1), ERROR_REQUEST_ABORTED, what);
        expect_one_message_after(&rec1, "STOP", what);
    }
    cf2_expect_present(dst);
    if (!cf2_doc_only)
        expect_paused(dst, src, 2 * BIG_CHUNK, SEED_A, what);

    rec_init(&rec2, 0, 0, COPYFILE2_PROGRESS_CONTINUE);
    cf2_expect_ok(copy_rec(src, dst, flags, 0, &rec2), "the same RESTARTABLE|NO_BUFFERING call again");
    ULONGLONG start = first_chunk_offset(&rec2, BIG_CHUNK, BIG_SIZE);
    cf2_check(start > 0, "the second call started again from chunk 0: the stopped copy was not resumed");
    if (!cf2_doc_only) {
        cf2_check(start == 2 * BIG_CHUNK, "the second call resumed at byte %llu, expected %llu", start,
                  2 * BIG_CHUNK);
        check_trace(&rec2, BIG_SIZE, BIG_CHUNK, start, "the resumed call");
    }
    expect_complete(dst, src, BIG_SIZE, SEED_A, "resumed RESTARTABLE|NO_BUFFERING copy");
    cf2_expect_unchanged(src, &src_fp, "the source");
}

/* DOC (contract 4, 8.1): STOP without RESTARTABLE keeps the fragments, but
 * they are not resumable: FAIL_IF_EXISTS|RESUME_FROM_PAUSE fails with
 * ERROR_FILE_EXISTS and leaves them alone, RESUME_FROM_PAUSE copies from 0. */
void restart_stop_plain_not_resumable(struct cf2_ctx *t)
{
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    make_source(src, BIG_SIZE, SEED_A, 0);
    rec_init(&rec1, COPYFILE2_CALLBACK_CHUNK_STARTED, 2, COPYFILE2_PROGRESS_STOP);
    cf2_expect_err(copy_rec(src, dst, 0, 0, &rec1), ERROR_REQUEST_ABORTED, "STOP at chunk 2 of a plain copy");
    expect_one_message_after(&rec1, "STOP", "STOP at chunk 2 of a plain copy");
    cf2_expect_present(dst);
    struct facts f = source_facts(src);
    static struct trailer tr;
    read_trailer(dst, &tr);
    cf2_check(restart_header(&tr, &f) == NULL, "the stopped plain copy has a valid restart header");
    expect_range(dst, 0, 2 * BIG_CHUNK, SEED_A, "the kept fragment");
    struct cf2_fp frag = cf2_fp_take(dst);

    cf2_expect_err(copy_rec(src, dst, COPY_FILE_FAIL_IF_EXISTS | COPY_FILE_RESUME_FROM_PAUSE, 0, NULL),
                   ERROR_FILE_EXISTS, "FAIL_IF_EXISTS|RESUME_FROM_PAUSE onto a stopped plain copy");
    cf2_expect_unchanged(dst, &frag, "the stopped fragment");

    rec_init(&rec2, 0, 0, COPYFILE2_PROGRESS_CONTINUE);
    cf2_expect_ok(copy_rec(src, dst, COPY_FILE_RESUME_FROM_PAUSE, 0, &rec2),
                  "RESUME_FROM_PAUSE onto a stopped plain copy");
    cf2_check(first_chunk_offset(&rec2, BIG_CHUNK, BIG_SIZE) == 0,
              "RESUME_FROM_PAUSE resumed a copy that was stopped without RESTARTABLE (first chunk %llu)",
              first_chunk_offset(&rec2, BIG_CHUNK, BIG_SIZE) / BIG_CHUNK);
    if (!cf2_doc_only)
        check_trace(&rec2, BIG_SIZE, BIG_CHUNK, 0, "the full copy");
    expect_complete(dst, src, BIG_SIZE, SEED_A, "RESUME_FROM_PAUSE onto a stopped plain copy");
}

/* OURS (9.11): an I/O error during a RESTARTABLE copy keeps the destination
 * resumable from its last checkpoint; the next RESTARTABLE call resumes at
 * the committed offset the header holds.  param: the fault's phase. */
void restart_fault_restartable_resumes(struct cf2_ctx *t)
{
    const DWORD phase = (DWORD)CF2_PARAM(t);
    const DWORD error = phase == COPYFILE2_PHASE_WRITE_DESTINATION ? ERROR_DISK_FULL : ERROR_READ_FAULT;
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    make_source(src, BIG_SIZE, SEED_A, 0);
    struct cf2_fp src_fp = cf2_fp_take(src);
    cf2_set_fault(phase, 2, error);
    rec_init(&rec1, 0, 0, COPYFILE2_PROGRESS_CONTINUE);
    cf2_expect_err(copy_rec(src, dst, COPY_FILE_RESTARTABLE, 0, &rec1), error, "fault at chunk 2, RESTARTABLE");
    cf2_check(rec1.n >= 1 && rec1.n <= MAX_MSGS, "no messages");
    const struct msg *e = &rec1.m[rec1.n - 1];
    cf2_check(e->type == COPYFILE2_CALLBACK_ERROR && e->phase == (COPYFILE2_COPY_PHASE)phase && e->chunk == 2 &&
                  e->hr == HRESULT_FROM_WIN32(error),
              "the last message is %s (phase %d, chunk %llu, hr 0x%08lx), expected ERROR for phase %lu chunk 2",
              cf2_type_name(e->type), (int)e->phase, e->chunk, (unsigned long)e->hr, phase);
    cf2_expect_present(dst);
    struct hdr h = expect_paused(dst, src, UINT64_MAX, SEED_A, "destination after the fault");
    cf2_check(h.committed % BIG_CHUNK == 0 && h.committed <= 2 * BIG_CHUNK,
              "the checkpoint after the fault is at %llu: not a chunk boundary at or before chunk 2",
              (ULONGLONG)h.committed);
    cf2_note("checkpoint after the fault at chunk 2: committed %llu", (ULONGLONG)h.committed);

    rec_init(&rec2, 0, 0, COPYFILE2_PROGRESS_CONTINUE);
    cf2_expect_ok(copy_rec(src, dst, COPY_FILE_RESTARTABLE, 0, &rec2), "the RESTARTABLE call again");
    ULONGLONG start = first_chunk_offset(&rec2, BIG_CHUNK, BIG_SIZE);
    cf2_check(start == h.committed, "the second call started at byte %llu; the header's committed offset is %llu",
              start, (ULONGLONG)h.committed);
    check_trace(&rec2, BIG_SIZE, BIG_CHUNK, start, "the resumed call");
    expect_complete(dst, src, BIG_SIZE, SEED_A, "resumed after the fault");
    cf2_expect_unchanged(src, &src_fp, "the source");
}

/* OURS (4, 9.16): PAUSE in reply to POLL_CONTINUE in the middle of a
 * throttled chunk: the checkpoint is the last chunk boundary reached, not
 * the bytes written so far, and the resume starts there. */
void restart_pause_while_throttled(struct cf2_ctx *t)
{
    const ULONGLONG size = MiB + 12345, chunk = 256 * KiB;
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    make_source(src, size, SEED_A, 0);
    rec_init(&rec1, COPYFILE2_CALLBACK_POLL_CONTINUE, 0, COPYFILE2_PROGRESS_PAUSE);
    rec1.act_after_finished = 1;
    cf2_expect_err(copy_rate(src, dst, 0, (ULONG)chunk, 1024, &rec1), ERROR_REQUEST_PAUSED,
                   "PAUSE to POLL_CONTINUE during chunk 1 (1024 KB/s)");
    expect_one_message_after(&rec1, "PAUSE", "PAUSE to POLL_CONTINUE");
    ULONGLONG reported = rec1.m[rec1.n - 1].stream_done;
    struct hdr h = expect_paused(dst, src, UINT64_MAX, SEED_A, "paused while throttled");
    cf2_check(h.committed == reported / chunk * chunk && h.committed >= chunk,
              "committed %llu, STREAM_FINISHED reported %llu bytes: expected the chunk boundary before it",
              (ULONGLONG)h.committed, reported);
    cf2_note("paused at %llu bytes written; committed %llu", reported, (ULONGLONG)h.committed);
    rec_init(&rec2, 0, 0, COPYFILE2_PROGRESS_CONTINUE);
    cf2_expect_ok(copy_rec(src, dst, COPY_FILE_RESUME_FROM_PAUSE, (ULONG)chunk, &rec2), "resume");
    check_trace(&rec2, size, chunk, h.committed, "resume");
    expect_complete(dst, src, size, SEED_A, "resume");
}

/* ---------------------------------------------------------------- FAIL_IF_EXISTS|RESUME_FROM_PAUSE */

/* DOC (8.1): FAIL_IF_EXISTS|RESUME_FROM_PAUSE fails with ERROR_FILE_EXISTS,
 * leaving the file alone, only when the destination has no valid restart
 * header; with one it resumes.  param: which destination (see below). */
void restart_fail_if_exists_resume(struct cf2_ctx *t)
{
    const unsigned which = (unsigned)CF2_PARAM(t);
    const ULONGLONG size = 5 * 65536 + 12345, chunk = 65536;
    const DWORD both = COPY_FILE_FAIL_IF_EXISTS | COPY_FILE_RESUME_FROM_PAUSE;
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    const char *what = "?";
    BOOL resumable = FALSE;
    ULONGLONG committed = 0;
    if (which == 7 && !cf2_caps.hidden_stored)
        cf2_skip("this platform does not store FILE_ATTRIBUTE_HIDDEN");
    DWORD attrs = which == 1 ? FILE_ATTRIBUTE_READONLY : which == 7 ? FILE_ATTRIBUTE_HIDDEN : 0;
    make_source(src, size, SEED_A, attrs);
    switch (which) {
    case 0: /* a complete earlier copy */
    case 1: /* a complete earlier copy of a read-only source (so read-only) */
    case 7: /* a complete earlier copy of a hidden source (so hidden) */
        what = which == 1   ? "a complete read-only copy"
               : which == 7 ? "a complete hidden copy"
                            : "a complete copy";
        cf2_expect_ok(copy_rec(src, dst, 0, (ULONG)chunk, NULL), "the earlier copy");
        break;
    case 2: /* an unrelated file */
        what = "an unrelated file";
        cf2_make_file(dst, 1000, SEED_OTHER);
        break;
    case 3: { /* the source's bytes, then 8192 zero bytes: R + 8192 long, no header */
        what = "a file of R + 8192 bytes without a header";
        cf2_make_file(dst, size, SEED_A);
        HANDLE h = cf2_open(t, dst, GENERIC_WRITE, 0, OPEN_EXISTING);
        FILE_END_OF_FILE_INFO eof;
        eof.EndOfFile.QuadPart = (LONGLONG)paused_file_size(size);
        cf2_check(SetFileInformationByHandle(h, FileEndOfFileInfo, &eof, sizeof eof), "cannot extend");
        cf2_close(t, h);
        break;
    }
    case 4: { /* a paused copy of another source: same size and time, other identity */
        what = "a paused copy of another file with the same size and time";
        const WCHAR *other = cf2_path(t, L"other.bin");
        make_source(other, size, SEED_B, 0);
        rec_init(&rec1, COPYFILE2_CALLBACK_CHUNK_STARTED, 2, COPYFILE2_PROGRESS_PAUSE);
        cf2_expect_err(copy_rec(other, dst, 0, (ULONG)chunk, &rec1), ERROR_REQUEST_PAUSED,
                       "pausing the other copy");
        break;
    }
    case 5: /* no destination */
        what = "no destination";
        resumable = TRUE;
        break;
    case 6: /* a paused copy of this source */
        what = "a paused copy of the source";
        rec_init(&rec1, COPYFILE2_CALLBACK_CHUNK_STARTED, 2, COPYFILE2_PROGRESS_PAUSE);
        cf2_expect_err(copy_rec(src, dst, 0, (ULONG)chunk, &rec1), ERROR_REQUEST_PAUSED, "pausing the copy");
        resumable = TRUE;
        committed = 2 * chunk;
        break;
    }
    struct cf2_fp before = cf2_fp_take(dst);
    rec_init(&rec2, 0, 0, COPYFILE2_PROGRESS_CONTINUE);
    struct cf2_res r = copy_rec(src, dst, both, (ULONG)chunk, &rec2);
    if (!resumable) {
        cf2_expect_err(r, ERROR_FILE_EXISTS, what);
        cf2_expect_unchanged(dst, &before, what);
        for (unsigned i = 0; i < rec2.n && i < MAX_MSGS; i++)
            cf2_check(rec2.m[i].type == COPYFILE2_CALLBACK_ERROR,
                      "%s: the refused call sent %s (only an ERROR message is expected)", what,
                      cf2_type_name(rec2.m[i].type));
    } else {
        cf2_expect_ok(r, what);
        if (!cf2_doc_only)
            check_trace(&rec2, size, chunk, committed, what);
        expect_complete(dst, src, size, SEED_A, what);
    }
    if (which == 4) {
        /* The other file's paused copy is still resumable from its source. */
        const WCHAR *other = cf2_path(t, L"other.bin");
        rec_init(&rec2, 0, 0, COPYFILE2_PROGRESS_CONTINUE);
        cf2_expect_ok(copy_rec(other, dst, both, (ULONG)chunk, &rec2), "resuming from the right source");
        cf2_check(first_chunk_offset(&rec2, chunk, size) == 2 * chunk, "the right source's resume started at %llu",
                  first_chunk_offset(&rec2, chunk, size));
        expect_complete(dst, other, size, SEED_B, "resuming from the right source");
    }
}

/* ---------------------------------------------------------------- damage between pause and resume */

/*
 * The base of these tests: a 340025-byte source in 64 KiB chunks (0..5),
 * paused twice, so that both slots hold commits:
 *   call 1 (flags 0): PAUSE at CHUNK_STARTED of chunk 1: slot 0 gets the
 *     first commit (sequence 0, committed 0), slot 1 sequence 1, committed
 *     65536;
 *   call 2 (RESUME_FROM_PAUSE): PAUSE at CHUNK_STARTED of chunk 3: slot 0
 *     gets sequence 2, committed 196608 (the newest).
 * Then something is damaged and RESUME_FROM_PAUSE must give the current
 * source's bytes, starting at the newest slot still valid (196608), at the
 * older one (65536) or at 0.
 */
#define D_SIZE (5 * 65536 + 12345)
#define D_CHUNK 65536u
#define D_R 344064u /* trailer_offset(D_SIZE) */
#define D_NEWEST (3 * 65536)
#define D_OLDER 65536
#define D_START_ZERO 0

struct base {
    const WCHAR *src, *dst;
    ULONGLONG size;   /* the source's size now */
    uint32_t seed;    /* the source's pattern now */
};

static BYTE base_image[D_R + TRAILER_SIZE];

static void make_base(struct cf2_ctx *t, struct base *b)
{
    b->src = cf2_path(t, L"source.bin");
    b->dst = cf2_path(t, L"dest.bin");
    b->size = D_SIZE;
    b->seed = SEED_A;
    make_source(b->src, D_SIZE, SEED_A, 0);
    rec_init(&rec1, COPYFILE2_CALLBACK_CHUNK_STARTED, 1, COPYFILE2_PROGRESS_PAUSE);
    cf2_expect_err(copy_rec(b->src, b->dst, 0, D_CHUNK, &rec1), ERROR_REQUEST_PAUSED, "base: first PAUSE");
    rec_init(&rec1, COPYFILE2_CALLBACK_CHUNK_STARTED, 3, COPYFILE2_PROGRESS_PAUSE);
    cf2_expect_err(copy_rec(b->src, b->dst, COPY_FILE_RESUME_FROM_PAUSE, D_CHUNK, &rec1), ERROR_REQUEST_PAUSED,
                   "base: second PAUSE");
    cf2_check(first_chunk_offset(&rec1, D_CHUNK, D_SIZE) == D_OLDER, "base: the first resume started at %llu",
              first_chunk_offset(&rec1, D_CHUNK, D_SIZE));
    static struct trailer tr;
    read_trailer(b->dst, &tr);
    cf2_check(tr.file_size == sizeof base_image, "base: %llu bytes", tr.file_size);
    cf2_check(!tr.why[0] && tr.slot[0].sequence == 2 && tr.slot[0].committed == D_NEWEST &&
                  tr.slot[0].copy_flags == COPY_FILE_RESUME_FROM_PAUSE,
              "base: slot 0 is not the second pause's commit (%s, sequence %llu, committed %llu)",
              tr.why[0] ? tr.why[0] : "valid", (ULONGLONG)tr.slot[0].sequence, (ULONGLONG)tr.slot[0].committed);
    cf2_check(!tr.why[1] && tr.slot[1].sequence == 1 && tr.slot[1].committed == D_OLDER &&
                  tr.slot[1].copy_flags == 0,
              "base: slot 1 is not the first pause's commit (%s, sequence %llu, committed %llu)",
              tr.why[1] ? tr.why[1] : "valid", (ULONGLONG)tr.slot[1].sequence, (ULONGLONG)tr.slot[1].committed);
    cf2_read_at(b->dst, 0, base_image, sizeof base_image);
}

/* Puts the base's paused file back, byte for byte. */
static void restore_base(const struct base *b)
{
    HANDLE h = CreateFileW(b->dst, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    cf2_check(h != INVALID_HANDLE_VALUE, "cannot recreate %s: error %lu", cf2_u8(b->dst), GetLastError());
    DWORD w = 0;
    BOOL ok = WriteFile(h, base_image, sizeof base_image, &w, NULL) && w == sizeof base_image;
    CloseHandle(h);
    cf2_check(ok, "cannot write %s", cf2_u8(b->dst));
}

static void set_size(struct cf2_ctx *t, const WCHAR *path, ULONGLONG size)
{
    HANDLE h = cf2_open(t, path, GENERIC_WRITE, 0, OPEN_EXISTING);
    FILE_END_OF_FILE_INFO eof;
    eof.EndOfFile.QuadPart = (LONGLONG)size;
    BOOL ok = SetFileInformationByHandle(h, FileEndOfFileInfo, &eof, sizeof eof);
    cf2_close(t, h);
    cf2_check(ok, "cannot set the size of %s to %llu", cf2_u8(path), size);
}

/* Resumes and asserts the result is the current source, byte for byte, and
 * that the resume started at `start`. */
static void resume_expect(const struct base *b, ULONGLONG start, const char *what)
{
    rec_init(&rec2, 0, 0, COPYFILE2_PROGRESS_CONTINUE);
    cf2_expect_ok(copy_rec(b->src, b->dst, COPY_FILE_RESUME_FROM_PAUSE, D_CHUNK, &rec2), what);
    cf2_expect_pattern(b->dst, b->size, b->seed);
    ULONGLONG got = first_chunk_offset(&rec2, D_CHUNK, b->size);
    cf2_check(got == start, "%s: the resume started at byte %llu, expected %llu (%s)", what, got, start,
              start == D_NEWEST ? "the newest slot" : start == D_OLDER ? "the older slot" : "a full copy");
    cf2_check(check_trace(&rec2, b->size, D_CHUNK, start, what) == b->size, "%s: incomplete trace", what);
    expect_complete(b->dst, b->src, b->size, b->seed, what);
}

static void edit_slot(const struct base *b, unsigned index, void (*edit)(BYTE *s, uintptr_t arg),
                      uintptr_t arg, BOOL expect_valid, const char *what)
{
    static BYTE s[SLOT_SIZE];
    ULONGLONG at = D_R + (ULONGLONG)index * SLOT_SIZE;
    cf2_read_at(b->dst, at, s, SLOT_SIZE);
    edit(s, arg);
    struct hdr h;
    const char *why = decode_slot(s, index, &h);
    cf2_check((why == NULL) == expect_valid, "(test) %s: the edited slot is %s, expected it %s", what,
              why ? why : "valid", expect_valid ? "valid" : "invalid");
    if (why)
        cf2_note("%s: slot %u is now rejected: %s", what, index, why);
    cf2_write_at(b->dst, at, s, SLOT_SIZE);
}

static void flip_byte(BYTE *s, uintptr_t off)
{
    s[off] ^= 0x04;
}

/* OURS: one bit flipped in a field of the newest slot: the slot is rejected
 * and the resume falls back to the older slot.  param: the byte's offset. */
void restart_corrupt_newest_slot(struct cf2_ctx *t)
{
    struct base b;
    make_base(t, &b);
    char what[64];
    snprintf(what, sizeof what, "bit flipped in byte %u of the newest slot", (unsigned)CF2_PARAM(t));
    edit_slot(&b, 0, flip_byte, CF2_PARAM(t), FALSE, what);
    resume_expect(&b, D_OLDER, what);
}

/* Edits of the newest slot with sequence_check and CRC recomputed, so that
 * only the rules on the values can reject it (param: the case). */

static void reseal_edit(BYTE *s, uintptr_t c)
{
    switch (c) {
    case CF2_RS_VERSION_2: put_le(s + 8, 2, 2); break;
    case CF2_RS_HEADER_SIZE_104:
        /* A compatible extension (§4.1): 8 more bytes, sequence_check moved
         * to [96, 104), the new field [88, 96) zero. */
        put_le(s + 10, 2, 104);
        memset(s + 88, 0, 8);
        break;
    case CF2_RS_SEQUENCE_PLUS_2: put_le(s + 16, 8, get_le(s + 16, 8) + 2); break;
    case CF2_RS_SEQUENCE_ODD: put_le(s + 16, 8, get_le(s + 16, 8) + 1); break;
    case CF2_RS_SOURCE_SIZE: put_le(s + 24, 8, get_le(s + 24, 8) + 1); break;
    case CF2_RS_SOURCE_MTIME: put_le(s + 32, 8, get_le(s + 32, 8) + 1); break;
    case CF2_RS_FILE_ID: s[48] ^= 0x01; break;
    case CF2_RS_VOLUME_SERIAL: s[64] ^= 0x01; break;
    case CF2_RS_COMMITTED_LOWER: put_le(s + 40, 8, 2 * 65536); break;
    case CF2_RS_COMMITTED_UNALIGNED: put_le(s + 40, 8, 100000); break;
    case CF2_RS_COMMITTED_PAST_END: put_le(s + 40, 8, 6 * 65536); break;
    case CF2_RS_CHUNK_SIZE_0: put_le(s + 68, 4, 0); break;
    case CF2_RS_CHUNK_SIZE_4096: put_le(s + 68, 4, 4096); break;
    case CF2_RS_STREAM_0: put_le(s + 72, 4, 0); break;
    case CF2_RS_STREAM_2: put_le(s + 72, 4, 2); break;
    case CF2_RS_COPY_FLAGS: put_le(s + 76, 4, 0xFFFFFFFFu); break;
    case CF2_RS_RESERVED0: s[12] = 1; break;
    case CF2_RS_RESERVED1: s[84] = 1; break;
    case CF2_RS_PADDING: s[200] = 1; break;
    }
    reseal(s);
}

/* OURS (§4, §6): param: enum reseal_case. */
void restart_resealed_newest_slot(struct cf2_ctx *t)
{
    static const struct {
        const char *what;
        BOOL valid;        /* the edited slot still passes §4 */
        ULONGLONG start;   /* where the resume must start */
    } cases[] = {
        [CF2_RS_VERSION_2] = { "version 2 (unknown)", FALSE, D_OLDER },
        [CF2_RS_HEADER_SIZE_104] = { "header_size 104 (a compatible extension)", TRUE, D_NEWEST },
        [CF2_RS_SEQUENCE_PLUS_2] = { "sequence + 2 (still this slot's parity)", TRUE, D_NEWEST },
        [CF2_RS_SEQUENCE_ODD] = { "an odd sequence in slot 0", FALSE, D_OLDER },
        [CF2_RS_SOURCE_SIZE] = { "source_size + 1 (same R)", TRUE, D_START_ZERO },
        [CF2_RS_SOURCE_MTIME] = { "source_mtime + 1", TRUE, D_START_ZERO },
        [CF2_RS_FILE_ID] = { "another file_id", TRUE, D_START_ZERO },
        [CF2_RS_VOLUME_SERIAL] = { "another volume_serial", TRUE, D_START_ZERO },
        [CF2_RS_COMMITTED_LOWER] = { "committed lowered to 131072", TRUE, 2 * 65536 },
        [CF2_RS_COMMITTED_UNALIGNED] = { "committed 100000 (not a chunk boundary)", FALSE, D_OLDER },
        [CF2_RS_COMMITTED_PAST_END] = { "committed past the source's size", FALSE, D_OLDER },
        [CF2_RS_CHUNK_SIZE_0] = { "chunk_size 0", FALSE, D_OLDER },
        [CF2_RS_CHUNK_SIZE_4096] = { "chunk_size 4096", TRUE, D_NEWEST },
        [CF2_RS_STREAM_0] = { "stream 0", FALSE, D_OLDER },
        [CF2_RS_STREAM_2] = { "stream 2 with committed < source_size", FALSE, D_OLDER },
        [CF2_RS_COPY_FLAGS] = { "copy_flags 0xFFFFFFFF (any value allowed)", TRUE, D_NEWEST },
        [CF2_RS_RESERVED0] = { "reserved field at 12 non-zero", FALSE, D_OLDER },
        [CF2_RS_RESERVED1] = { "reserved field at 84 non-zero", FALSE, D_OLDER },
        [CF2_RS_PADDING] = { "a padding byte non-zero", FALSE, D_OLDER },
    };
    const unsigned c = (unsigned)CF2_PARAM(t);
    cf2_check(c < CF2_RS_RESEAL_CASES && CF2_RS_RESEAL_CASES == sizeof cases / sizeof cases[0],
              "(test) bad case %u", c);
    struct base b;
    make_base(t, &b);
    edit_slot(&b, 0, reseal_edit, c, cases[c].valid, cases[c].what);
    resume_expect(&b, cases[c].start, cases[c].what);
}

static void flip_magic(BYTE *s, uintptr_t unused)
{
    (void)unused;
    s[3] ^= 0x01;
}

static void zero_slot(BYTE *s, uintptr_t unused)
{
    (void)unused;
    memset(s, 0, SLOT_SIZE);
}

/* OURS: the other kinds of damage (param: the case). */
void restart_damage(struct cf2_ctx *t)
{
    struct base b;
    make_base(t, &b);
    const unsigned c = (unsigned)CF2_PARAM(t);
    const char *what = "?";
    ULONGLONG start = D_START_ZERO;
    switch (c) {
    case CF2_RD_NONE:
        what = "nothing damaged (control)";
        start = D_NEWEST;
        break;
    case CF2_RD_BOTH_SLOTS:
        what = "both slots damaged";
        edit_slot(&b, 0, flip_magic, 0, FALSE, what);
        edit_slot(&b, 1, flip_magic, 0, FALSE, what);
        break;
    case CF2_RD_NEWEST_ZEROED:
        what = "newest slot zeroed (never written)";
        edit_slot(&b, 0, zero_slot, 0, FALSE, what);
        start = D_OLDER;
        break;
    case CF2_RD_OLDER_DAMAGED:
        what = "older slot damaged";
        edit_slot(&b, 1, flip_magic, 0, FALSE, what);
        start = D_NEWEST;
        break;
    case CF2_RD_SLOTS_SWAPPED: { /* §4.4: each slot's image in the other's position */
        what = "slots swapped";
        static BYTE s[TRAILER_SIZE];
        cf2_read_at(b.dst, D_R, s, TRAILER_SIZE);
        cf2_write_at(b.dst, D_R, s + SLOT_SIZE, SLOT_SIZE);
        cf2_write_at(b.dst, D_R + SLOT_SIZE, s, SLOT_SIZE);
        break;
    }
    case CF2_RD_TRUNCATE_1:
        what = "file truncated by 1 byte";
        set_size(t, b.dst, sizeof base_image - 1);
        break;
    case CF2_RD_TRUNCATE_TO_DATA:
        what = "file truncated to the data size";
        set_size(t, b.dst, D_SIZE);
        break;
    case CF2_RD_TRUNCATE_TO_0:
        what = "file truncated to 0 bytes";
        set_size(t, b.dst, 0);
        break;
    case CF2_RD_EXTEND_1:
        what = "file extended by 1 byte";
        set_size(t, b.dst, sizeof base_image + 1);
        break;
    case CF2_RD_SOURCE_SIZE: /* same R, same last-write time, same file: only the size differs */
        what = "source rewritten, 100 bytes longer (same R, same time)";
        b.size = D_SIZE + 100;
        b.seed = SEED_B;
        make_source(b.src, b.size, b.seed, 0);
        break;
    case CF2_RD_SOURCE_MTIME: { /* same size, same file: only the last-write time differs */
        what = "source rewritten in place, same size, last-write time 1 s later";
        b.seed = SEED_B;
        cf2_make_file(b.src, b.size, b.seed);
        FILETIME w = source_time();
        ULONGLONG later = cf2_ft64(w) + 10000000ull;
        w.dwLowDateTime = (DWORD)later;
        w.dwHighDateTime = (DWORD)(later >> 32);
        cf2_set_times(b.src, NULL, NULL, &w);
        break;
    }
    case CF2_RD_SOURCE_REPLACED: { /* same size and time: only the identity differs */
        what = "source replaced by another file of the same size and time";
        struct facts before = source_facts(b.src);
        const WCHAR *other = cf2_path(t, L"replacement.bin");
        b.seed = SEED_B;
        make_source(other, b.size, b.seed, 0);
        cf2_check(MoveFileExW(other, b.src, MOVEFILE_REPLACE_EXISTING), "cannot replace the source: error %lu",
                  GetLastError());
        struct facts after = source_facts(b.src);
        cf2_check(after.size == before.size && after.mtime == before.mtime &&
                      memcmp(after.file_id, before.file_id, 16) != 0,
                  "(test) the replacement does not differ in identity only");
        break;
    }
    default:
        cf2_fail("(test) bad case %u", c);
    }
    resume_expect(&b, start, what);
}

/* OURS (§5.2): a torn write of the newest slot: a prefix of another image
 * over it, the rest still the old bytes.  Two shapes, each at many tear
 * positions:
 * - the next commit (sequence 4, committed 262144, its data already written
 *   and flushed as §8 requires) torn over slot 0: §5.2 promises that the
 *   result is the old slot (resume at 196608), the new slot (262144), or
 *   rejected (the older slot, 65536), never anything else;
 * - a prefix of slot 1's image written over slot 0 (a write that went to the
 *   wrong place): rejected as torn, or as a slot in the wrong position.
 * The expected start is derived from the composed bytes with the suite's
 * reader, and the engine must agree with it. */
void restart_torn_header_write(struct cf2_ctx *t)
{
    struct base b;
    make_base(t, &b);
    static BYTE next[SLOT_SIZE], old[SLOT_SIZE], older[SLOT_SIZE], torn[SLOT_SIZE], data[D_CHUNK];
    cf2_read_at(b.dst, D_R, old, SLOT_SIZE);
    cf2_read_at(b.dst, D_R + SLOT_SIZE, older, SLOT_SIZE);
    memcpy(next, old, SLOT_SIZE);
    put_le(next + 16, 8, 4);
    put_le(next + 40, 8, 4 * 65536);
    reseal(next);
    struct hdr h;
    cf2_check(decode_slot(next, 0, &h) == NULL, "(test) the next commit's image is not valid");
    /* §8 steps 1 and 2: the data up to the new committed offset is written. */
    cf2_pattern(SEED_A, D_NEWEST, data, D_CHUNK);
    cf2_write_at(b.dst, D_NEWEST, data, D_CHUNK);
    cf2_read_at(b.dst, 0, base_image, sizeof base_image);

    static const unsigned tears[] = { 1, 8, 16, 17, 20, 24, 40, 41, 48, 64, 80, 84, 88, 89, 95, 96, 100, 4096 };
    unsigned counts[3] = { 0, 0, 0 }; /* old slot, new slot, rejected */
    for (int shape = 0; shape < 2; shape++) {
        const BYTE *img = shape == 0 ? next : older;
        for (size_t i = 0; i < sizeof tears / sizeof tears[0]; i++) {
            unsigned n = tears[i];
            char what[128];
            snprintf(what, sizeof what, "%s: first %u bytes over the newest slot",
                     shape == 0 ? "torn write of the next commit" : "slot 1's image", n);
            memcpy(torn, old, SLOT_SIZE);
            memcpy(torn, img, n);
            ULONGLONG start = D_OLDER;
            if (decode_slot(torn, 0, &h) == NULL) {
                BOOL is_old = memcmp(torn, old, SLOT_SIZE) == 0, is_new = memcmp(torn, img, SLOT_SIZE) == 0;
                cf2_check(is_old || is_new, "%s: the torn slot is valid but neither the old nor the new one",
                          what);
                start = h.committed;
                counts[is_old ? 0 : 1]++;
            } else {
                counts[2]++;
            }
            if (shape == 0 && n <= 16)
                cf2_check(start == D_NEWEST, "(test) %s: expected the old slot", what);
            if (shape == 0 && n >= 17 && n <= 88)
                cf2_check(start == D_OLDER, "(test) %s: expected a rejected slot", what);
            if (shape == 0 && n >= 89)
                cf2_check(start == 4 * 65536, "(test) %s: expected the new slot", what);
            if (shape == 1 && n > 16)
                cf2_check(start == D_OLDER, "(test) %s: expected a rejected slot", what);
            restore_base(&b);
            cf2_write_at(b.dst, D_R, img, n);
            resume_expect(&b, start, what);
        }
    }
    cf2_note("tears: %u gave the old slot, %u the new slot, %u were rejected", counts[0], counts[1], counts[2]);
}

/* OURS, the documented limit (§9): the data is not checksummed.  A byte
 * flipped in [0, committed) of a paused file survives into the result. */
void restart_data_bitflip_not_detected(struct cf2_ctx *t)
{
    struct base b;
    make_base(t, &b);
    const ULONGLONG at = 1000;
    BYTE v, src_v;
    cf2_read_at(b.dst, at, &v, 1);
    v ^= 0x01;
    cf2_write_at(b.dst, at, &v, 1);
    rec_init(&rec2, 0, 0, COPYFILE2_PROGRESS_CONTINUE);
    cf2_expect_ok(copy_rec(b.src, b.dst, COPY_FILE_RESUME_FROM_PAUSE, D_CHUNK, &rec2), "resume");
    cf2_check(first_chunk_offset(&rec2, D_CHUNK, D_SIZE) == D_NEWEST, "the resume did not start at the header's "
              "committed offset");
    BYTE got;
    cf2_read_at(b.dst, at, &got, 1);
    cf2_read_at(b.src, at, &src_v, 1);
    cf2_check(got == (BYTE)(src_v ^ 0x01), "byte %llu of the result is 0x%02x, the source's 0x%02x: the flipped "
              "byte was expected to survive (data before the committed offset is not checked)", at, got, src_v);
    cf2_note("as documented: the flipped byte at %llu survived the resume (0x%02x instead of 0x%02x)", at, got,
             src_v);
    /* Everything else is the source's. */
    cf2_write_at(b.dst, at, &src_v, 1);
    cf2_expect_pattern(b.dst, D_SIZE, SEED_A);
}

/* OURS: damage after the committed offset (in the data not yet committed,
 * and in the zero gap [S, R)) is harmless: those bytes are copied again or
 * cut off. */
void restart_damage_after_committed_repaired(struct cf2_ctx *t)
{
    struct base b;
    make_base(t, &b);
    BYTE junk[64];
    memset(junk, 0xA5, sizeof junk);
    cf2_write_at(b.dst, D_NEWEST + 100, junk, sizeof junk);
    cf2_write_at(b.dst, D_SIZE + 10, junk, sizeof junk);
    resume_expect(&b, D_NEWEST, "junk after the committed offset and in the gap [S, R)");
}

/* ---------------------------------------------------------------- progress and chunk sizes of a resume */

/* OURS (protocol, "Resumed copies"): the resumed call's messages, field by
 * field: STREAM_STARTED with the full sizes; first CHUNK_STARTED numbered
 * committed / chunk size; first CHUNK_FINISHED with transferred counters
 * committed + chunk size; nothing before the committed offset re-reported. */
void restart_resume_progress(struct cf2_ctx *t)
{
    const ULONGLONG size = D_SIZE, chunk = D_CHUNK, committed = 3 * D_CHUNK;
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    make_source(src, size, SEED_A, 0);
    rec_init(&rec1, COPYFILE2_CALLBACK_CHUNK_FINISHED, 2, COPYFILE2_PROGRESS_PAUSE);
    cf2_expect_err(copy_rec(src, dst, 0, (ULONG)chunk, &rec1), ERROR_REQUEST_PAUSED, "PAUSE after chunk 2");
    rec_init(&rec2, 0, 0, COPYFILE2_PROGRESS_CONTINUE);
    cf2_expect_ok(copy_rec(src, dst, COPY_FILE_RESUME_FROM_PAUSE, (ULONG)chunk, &rec2), "resume");
    cf2_check(rec2.n >= 3, "only %u messages", rec2.n);
    const struct msg *m = &rec2.m[0];
    cf2_check(m->type == COPYFILE2_CALLBACK_STREAM_STARTED && m->stream_size == size && m->total_size == size,
              "first message %s with sizes %llu/%llu; expected STREAM_STARTED with %llu", cf2_type_name(m->type),
              m->stream_size, m->total_size, size);
    m = &rec2.m[1];
    cf2_check(m->type == COPYFILE2_CALLBACK_CHUNK_STARTED && m->chunk == 3 && m->chunk_size == chunk,
              "second message %s chunk %llu size %llu; expected CHUNK_STARTED chunk 3 of %llu bytes",
              cf2_type_name(m->type), m->chunk, m->chunk_size, chunk);
    m = &rec2.m[2];
    cf2_check(m->type == COPYFILE2_CALLBACK_CHUNK_FINISHED && m->chunk == 3 &&
                  m->stream_done == committed + chunk && m->total_done == committed + chunk,
              "third message %s chunk %llu transferred %llu/%llu; expected CHUNK_FINISHED chunk 3 with %llu",
              cf2_type_name(m->type), m->chunk, m->stream_done, m->total_done, committed + chunk);
    ULONGLONG last = 0;
    for (unsigned i = 0; i < rec2.n; i++) {
        if (rec2.m[i].type != COPYFILE2_CALLBACK_CHUNK_FINISHED)
            continue;
        cf2_check(rec2.m[i].chunk >= 3 && rec2.m[i].total_done > last && rec2.m[i].total_done > committed,
                  "message %u re-reports chunk %llu (transferred %llu)", i, rec2.m[i].chunk, rec2.m[i].total_done);
        last = rec2.m[i].total_done;
    }
    cf2_check(check_trace(&rec2, size, chunk, committed, "resume") == size, "incomplete trace");
    expect_complete(dst, src, size, SEED_A, "resume");
}

/* OURS (§8 "Resuming", step 3; 9.16): the resume asks for another
 * ioDesiredSize than the paused call (64 KiB, committed 196608): it starts
 * at the committed offset rounded down to its own chunk size and the result
 * is byte-identical.  param: the resume's ioDesiredSize. */
void restart_resume_other_chunk_size(struct cf2_ctx *t)
{
    const ULONGLONG size = D_SIZE, committed = D_NEWEST, chunk = CF2_PARAM(t);
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    make_source(src, size, SEED_A, 0);
    rec_init(&rec1, COPYFILE2_CALLBACK_CHUNK_STARTED, 3, COPYFILE2_PROGRESS_PAUSE);
    cf2_expect_err(copy_rec(src, dst, 0, D_CHUNK, &rec1), ERROR_REQUEST_PAUSED, "PAUSE at chunk 3 (64 KiB)");
    rec_init(&rec2, 0, 0, COPYFILE2_PROGRESS_CONTINUE);
    char what[96];
    snprintf(what, sizeof what, "resume with ioDesiredSize %llu", chunk);
    cf2_expect_ok(copy_rec(src, dst, COPY_FILE_RESUME_FROM_PAUSE, (ULONG)chunk, &rec2), what);
    cf2_expect_pattern(dst, size, SEED_A);
    ULONGLONG start = committed / chunk * chunk;
    cf2_check(first_chunk_offset(&rec2, chunk, size) == start, "%s: started at %llu, expected %llu", what,
              first_chunk_offset(&rec2, chunk, size), start);
    check_trace(&rec2, size, chunk, start, what);
    expect_complete(dst, src, size, SEED_A, what);
}
