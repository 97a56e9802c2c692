/*
 * restart_codec.c - encoding, validation and slot picking of the restart
 * header (docs/restart-header.md).  No Windows API: the Windows side of
 * restartable copies (restart.c) does the I/O and calls in here.
 *
 * Every integer is written and read one byte at a time, least significant
 * first, so the format is the same on any host byte order and no access is
 * ever unaligned; nothing here copies a struct to or from the disk image.
 */
#include <string.h>

#include "copyfile2_restart.h"
#include "crc32c.h"

/* ---------------------------------------------------------------- bytes */

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put_u64(uint8_t *p, uint64_t v)
{
    put_u32(p, (uint32_t)v);
    put_u32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

/* ---------------------------------------------------------------- layout */

uint64_t cf2_rh_trailer_offset(uint64_t source_size)
{
    /* Above the maximum, rounding up could wrap past 2^64 and the file
     * size could not be represented by Windows; say so unmistakably. */
    if (source_size > CF2_RH_MAX_SOURCE_SIZE)
        return UINT64_MAX;
    return (source_size + (CF2_RH_ALIGNMENT - 1)) & ~(uint64_t)(CF2_RH_ALIGNMENT - 1);
}

uint64_t cf2_rh_file_size(uint64_t source_size)
{
    if (source_size > CF2_RH_MAX_SOURCE_SIZE)
        return UINT64_MAX;
    return cf2_rh_trailer_offset(source_size) + CF2_RH_TRAILER_SIZE;
}

/* The CRC covers the whole header except its own four bytes, so it can be
 * computed in one pass over the bytes as they lie on disk, with no copy
 * and no "zero the field first" step for a reader to get wrong. */
static uint32_t header_crc(const uint8_t *slot, size_t header_size)
{
    uint32_t crc = cf2_crc32c(0, slot, CF2_RH_OFF_CRC);
    return cf2_crc32c(crc, slot + CF2_RH_OFF_CRC + 4,
                      header_size - (CF2_RH_OFF_CRC + 4));
}

/* The rules on the field values, shared by the encoder (which refuses to
 * produce a slot that readers would reject) and the decoder. */
static enum cf2_rh_status check_fields(const struct cf2_restart_header *h)
{
    /* 2^64-1 is reserved so that an all-zero sequence check (a slot whose
     * write stopped before its end) can never look like a match. */
    if (h->sequence == UINT64_MAX)
        return CF2_RH_BAD_SEQUENCE;
    if (h->source_size > CF2_RH_MAX_SOURCE_SIZE)
        return CF2_RH_BAD_SOURCE_SIZE;
    if (h->chunk_size == 0)
        return CF2_RH_BAD_CHUNK_SIZE;
    if (h->stream == 0)
        return CF2_RH_BAD_STREAM;
    if (h->committed > h->source_size)
        return CF2_RH_BAD_COMMITTED;
    /* Commits happen at chunk boundaries, the last chunk may be short. */
    if (h->committed % h->chunk_size != 0 && h->committed != h->source_size)
        return CF2_RH_BAD_COMMITTED;
    /* Version 1 tracks progress through the unnamed stream only: a later
     * stream is current only once the unnamed stream is complete. */
    if (h->stream > 1 && h->committed != h->source_size)
        return CF2_RH_BAD_COMMITTED;
    return CF2_RH_OK;
}

/* ---------------------------------------------------------------- codec */

enum cf2_rh_status cf2_rh_encode(const struct cf2_restart_header *h,
                                 uint8_t slot[CF2_RH_SLOT_SIZE])
{
    enum cf2_rh_status status;

    /* Reserved fields and the unused rest of the slot stay zero. */
    memset(slot, 0, CF2_RH_SLOT_SIZE);
    status = check_fields(h);
    if (status != CF2_RH_OK)
        return status;

    memcpy(slot + CF2_RH_OFF_MAGIC, CF2_RH_MAGIC, CF2_RH_MAGIC_SIZE);
    put_u16(slot + CF2_RH_OFF_VERSION, CF2_RH_VERSION);
    put_u16(slot + CF2_RH_OFF_HEADER_SIZE, CF2_RH_HEADER_SIZE_V1);
    put_u64(slot + CF2_RH_OFF_SEQUENCE, h->sequence);
    put_u64(slot + CF2_RH_OFF_SOURCE_SIZE, h->source_size);
    put_u64(slot + CF2_RH_OFF_SOURCE_MTIME, h->source_mtime);
    put_u64(slot + CF2_RH_OFF_COMMITTED, h->committed);
    memcpy(slot + CF2_RH_OFF_FILE_ID, h->file_id, CF2_RH_FILE_ID_SIZE);
    put_u32(slot + CF2_RH_OFF_VOLUME_SERIAL, h->volume_serial);
    put_u32(slot + CF2_RH_OFF_CHUNK_SIZE, h->chunk_size);
    put_u32(slot + CF2_RH_OFF_STREAM, h->stream);
    put_u32(slot + CF2_RH_OFF_COPY_FLAGS, h->copy_flags);
    /* The complement, not a plain copy: a slot still holding zeros at its
     * end then never matches, whatever the sequence (see the document). */
    put_u64(slot + CF2_RH_HEADER_SIZE_V1 - 8, ~h->sequence);
    put_u32(slot + CF2_RH_OFF_CRC, header_crc(slot, CF2_RH_HEADER_SIZE_V1));
    return CF2_RH_OK;
}

enum cf2_rh_status cf2_rh_decode(const uint8_t *slot, size_t len,
                                 struct cf2_restart_header *out)
{
    struct cf2_restart_header h;
    enum cf2_rh_status status;
    size_t header_size;

    if (len < CF2_RH_SLOT_SIZE)
        return CF2_RH_TRUNCATED;
    /* Told apart from a bad magic because it is the normal state of a
     * slot that has not been written yet. */
    if (all_zero(slot, CF2_RH_SLOT_SIZE))
        return CF2_RH_EMPTY;
    if (memcmp(slot + CF2_RH_OFF_MAGIC, CF2_RH_MAGIC, CF2_RH_MAGIC_SIZE) != 0)
        return CF2_RH_BAD_MAGIC;
    /* The version is checked before anything whose place or meaning a
     * different version might change, header_size included. */
    if (get_u16(slot + CF2_RH_OFF_VERSION) != CF2_RH_VERSION)
        return CF2_RH_BAD_VERSION;
    header_size = get_u16(slot + CF2_RH_OFF_HEADER_SIZE);
    if (header_size < CF2_RH_HEADER_SIZE_V1 || header_size > CF2_RH_SLOT_SIZE ||
        header_size % 8 != 0)
        return CF2_RH_BAD_HEADER_SIZE;
    if (get_u32(slot + CF2_RH_OFF_RESERVED0) != 0 ||
        get_u32(slot + CF2_RH_OFF_RESERVED1) != 0)
        return CF2_RH_BAD_RESERVED;
    if (!all_zero(slot + header_size, CF2_RH_SLOT_SIZE - header_size))
        return CF2_RH_BAD_PADDING;
    /* Checked before the CRC so that a torn write, which usually fails
     * both, is reported as what it most likely is. */
    if (get_u64(slot + header_size - 8) != ~get_u64(slot + CF2_RH_OFF_SEQUENCE))
        return CF2_RH_TORN;
    if (get_u32(slot + CF2_RH_OFF_CRC) != header_crc(slot, header_size))
        return CF2_RH_BAD_CHECKSUM;

    /* Bytes [88, header_size - 8) of a longer header are extensions of a
     * later revision of version 1; they are covered by the CRC above and
     * otherwise ignored here, which is what makes them compatible. */
    h.version = CF2_RH_VERSION;
    h.header_size = (uint16_t)header_size;
    h.sequence = get_u64(slot + CF2_RH_OFF_SEQUENCE);
    h.source_size = get_u64(slot + CF2_RH_OFF_SOURCE_SIZE);
    h.source_mtime = get_u64(slot + CF2_RH_OFF_SOURCE_MTIME);
    h.committed = get_u64(slot + CF2_RH_OFF_COMMITTED);
    memcpy(h.file_id, slot + CF2_RH_OFF_FILE_ID, CF2_RH_FILE_ID_SIZE);
    h.volume_serial = get_u32(slot + CF2_RH_OFF_VOLUME_SERIAL);
    h.chunk_size = get_u32(slot + CF2_RH_OFF_CHUNK_SIZE);
    h.stream = get_u32(slot + CF2_RH_OFF_STREAM);
    h.copy_flags = get_u32(slot + CF2_RH_OFF_COPY_FLAGS);

    /* A correct CRC over wrong values means a faulty writer, not damage;
     * still never hand such a header to the engine. */
    status = check_fields(&h);
    if (status != CF2_RH_OK)
        return status;
    if (out)
        *out = h;
    return CF2_RH_OK;
}

enum cf2_rh_status cf2_rh_decode_slot(const uint8_t *tail, size_t len, unsigned index,
                                      struct cf2_restart_header *out)
{
    struct cf2_restart_header h;
    enum cf2_rh_status status;
    const uint8_t *trailer;

    if (len < CF2_RH_TRAILER_SIZE || index >= CF2_RH_SLOT_COUNT)
        return CF2_RH_TRUNCATED;
    /* The trailer is always the last 8192 bytes of the file. */
    trailer = tail + (len - CF2_RH_TRAILER_SIZE);
    status = cf2_rh_decode(trailer + (size_t)index * CF2_RH_SLOT_SIZE,
                           CF2_RH_SLOT_SIZE, &h);
    if (status != CF2_RH_OK)
        return status;
    /* Commits alternate, so a slot's sequence parity is its index.  A slot
     * elsewhere was not written by the protocol (bytes copied or moved),
     * and the rule keeps two valid slots from ever having the same
     * sequence, so "the newest" is always well defined. */
    if ((h.sequence & 1) != index)
        return CF2_RH_WRONG_SLOT;
    if (out)
        *out = h;
    return CF2_RH_OK;
}

enum cf2_rh_status cf2_rh_pick(const uint8_t *tail, size_t len,
                               struct cf2_restart_header *out, unsigned *slot_index)
{
    struct cf2_restart_header h[CF2_RH_SLOT_COUNT];
    int valid[CF2_RH_SLOT_COUNT];
    unsigned best;

    if (len < CF2_RH_TRAILER_SIZE)
        return CF2_RH_TRUNCATED;
    for (unsigned i = 0; i < CF2_RH_SLOT_COUNT; i++)
        valid[i] = cf2_rh_decode_slot(tail, len, i, &h[i]) == CF2_RH_OK;

    /* The newest valid slot wins: after a torn or lost write of the newer
     * slot the older one still describes data that is on disk. */
    if (valid[0] && valid[1])
        best = h[1].sequence > h[0].sequence ? 1 : 0;
    else if (valid[0])
        best = 0;
    else if (valid[1])
        best = 1;
    else
        return CF2_RH_NO_VALID_SLOT;

    if (out)
        *out = h[best];
    if (slot_index)
        *slot_index = best;
    return CF2_RH_OK;
}

/* ---------------------------------------------------------------- checks */

int cf2_rh_matches_source(const struct cf2_restart_header *h, uint64_t size,
                          uint64_t mtime, uint32_t volume_serial,
                          const uint8_t file_id[CF2_RH_FILE_ID_SIZE])
{
    return h->source_size == size && h->source_mtime == mtime &&
           h->volume_serial == volume_serial &&
           memcmp(h->file_id, file_id, CF2_RH_FILE_ID_SIZE) == 0;
}

int cf2_rh_matches_file_size(const struct cf2_restart_header *h, uint64_t file_size)
{
    uint64_t expected = cf2_rh_file_size(h->source_size);

    /* UINT64_MAX is the "no such layout" answer, never a real match. */
    return expected != UINT64_MAX && expected == file_size;
}

unsigned cf2_rh_next_slot(const struct cf2_restart_header *current_or_null)
{
    if (!current_or_null)
        return 0;
    return (unsigned)((current_or_null->sequence + 1) & 1);
}

const char *cf2_rh_status_name(enum cf2_rh_status status)
{
    switch (status) {
    case CF2_RH_OK: return "CF2_RH_OK";
    case CF2_RH_TRUNCATED: return "CF2_RH_TRUNCATED";
    case CF2_RH_EMPTY: return "CF2_RH_EMPTY";
    case CF2_RH_BAD_MAGIC: return "CF2_RH_BAD_MAGIC";
    case CF2_RH_BAD_VERSION: return "CF2_RH_BAD_VERSION";
    case CF2_RH_BAD_HEADER_SIZE: return "CF2_RH_BAD_HEADER_SIZE";
    case CF2_RH_BAD_RESERVED: return "CF2_RH_BAD_RESERVED";
    case CF2_RH_BAD_PADDING: return "CF2_RH_BAD_PADDING";
    case CF2_RH_TORN: return "CF2_RH_TORN";
    case CF2_RH_BAD_CHECKSUM: return "CF2_RH_BAD_CHECKSUM";
    case CF2_RH_BAD_SEQUENCE: return "CF2_RH_BAD_SEQUENCE";
    case CF2_RH_BAD_SOURCE_SIZE: return "CF2_RH_BAD_SOURCE_SIZE";
    case CF2_RH_BAD_CHUNK_SIZE: return "CF2_RH_BAD_CHUNK_SIZE";
    case CF2_RH_BAD_STREAM: return "CF2_RH_BAD_STREAM";
    case CF2_RH_BAD_COMMITTED: return "CF2_RH_BAD_COMMITTED";
    case CF2_RH_WRONG_SLOT: return "CF2_RH_WRONG_SLOT";
    case CF2_RH_NO_VALID_SLOT: return "CF2_RH_NO_VALID_SLOT";
    }
    return "CF2_RH_UNKNOWN_STATUS";
}
