/*
 * fuzz_restart_header.c - libFuzzer target for the restart-header codec.
 *
 * Each input is used four ways:
 *   1. as a slot, for cf2_rh_decode;
 *   2. as the tail of a file, for cf2_rh_pick and cf2_rh_decode_slot;
 *   3. as a slot whose sequence check and CRC are repaired first, so that
 *      the field rules behind the CRC are reached too;
 *   4. as the field values of a header, which is encoded, decoded, and
 *      written torn over its predecessor in the same slot.
 * Besides the sanitizers' findings, the target aborts when a property of
 * docs/restart-header.md fails: anything accepted obeys every field rule,
 * round trips are exact, pick returns the newest valid slot, and a torn
 * write only ever validates as the old or the new slot.
 *
 * Build and run: tests/fuzz/run.sh smoke|long.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "copyfile2_restart.h"
#include "crc32c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { SLOT = CF2_RH_SLOT_SIZE, TRAILER = CF2_RH_TRAILER_SIZE };

static void require(int condition)
{
    if (!condition)
        abort();
}

static uint64_t rd(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void wr(uint8_t *p, int n, uint64_t v)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The field rules of the document (docs/restart-header.md 4.3), written out independently. */
static void require_valid(const struct cf2_restart_header *h)
{
    require(h->version == CF2_RH_VERSION);
    require(h->header_size >= CF2_RH_HEADER_SIZE_V1 && h->header_size <= SLOT &&
            h->header_size % 8 == 0);
    require(h->sequence != UINT64_MAX);
    require(h->source_size <= CF2_RH_MAX_SOURCE_SIZE);
    require(h->chunk_size != 0);
    require(h->stream != 0);
    require(h->committed <= h->source_size);
    require(h->committed % h->chunk_size == 0 || h->committed == h->source_size);
    require(h->stream == 1 || h->committed == h->source_size);
    require(cf2_rh_file_size(h->source_size) == cf2_rh_trailer_offset(h->source_size) + TRAILER);
}

static int same_header(const struct cf2_restart_header *a, const struct cf2_restart_header *b)
{
    return a->sequence == b->sequence && a->source_size == b->source_size &&
           a->source_mtime == b->source_mtime && a->volume_serial == b->volume_serial &&
           memcmp(a->file_id, b->file_id, sizeof a->file_id) == 0 &&
           a->chunk_size == b->chunk_size && a->committed == b->committed &&
           a->stream == b->stream && a->copy_flags == b->copy_flags;
}

/* A decoded header re-encodes to a slot that decodes to the same header;
 * when the input was a plain version 1 slot (no extension), to the very
 * same bytes. */
static void require_round_trip(const uint8_t *slot, const struct cf2_restart_header *h)
{
    static uint8_t again[SLOT];
    struct cf2_restart_header d;

    require(cf2_rh_encode(h, again) == CF2_RH_OK);
    require(cf2_rh_decode(again, SLOT, &d) == CF2_RH_OK);
    require(same_header(&d, h));
    if (h->header_size == CF2_RH_HEADER_SIZE_V1)
        require(memcmp(again, slot, SLOT) == 0);
}

static void fuzz_decode(const uint8_t *data, size_t size)
{
    struct cf2_restart_header h;

    if (cf2_rh_decode(data, size, &h) == CF2_RH_OK) {
        require(size >= SLOT);
        require_valid(&h);
        require_round_trip(data, &h);
    }
}

static void fuzz_pick(const uint8_t *data, size_t size)
{
    struct cf2_restart_header h, s[2];
    enum cf2_rh_status st[2];
    unsigned idx = 7;
    enum cf2_rh_status got = cf2_rh_pick(data, size, &h, &idx);

    if (size < TRAILER) {
        require(got == CF2_RH_TRUNCATED && idx == 7);
        return;
    }
    for (unsigned i = 0; i < 2; i++)
        st[i] = cf2_rh_decode_slot(data, size, i, &s[i]);
    if (st[0] != CF2_RH_OK && st[1] != CF2_RH_OK) {
        require(got == CF2_RH_NO_VALID_SLOT && idx == 7);
        return;
    }
    require(got == CF2_RH_OK && idx < 2);
    require(st[idx] == CF2_RH_OK && same_header(&h, &s[idx]));
    require((h.sequence & 1) == idx);
    require(cf2_rh_next_slot(&h) == (idx ^ 1));
    require_valid(&h);
    /* Newest wins; two valid slots never share a sequence. */
    if (st[idx ^ 1] == CF2_RH_OK)
        require(s[idx ^ 1].sequence < h.sequence);
}

/* Repairs the sequence check and CRC of a slot made of the input (zero
 * padded) when its header size allows, then decodes it. */
static void fuzz_resealed(const uint8_t *data, size_t size)
{
    static uint8_t slot[SLOT];
    struct cf2_restart_header h;
    size_t n = size < SLOT ? size : SLOT;
    size_t hs;

    memset(slot, 0, SLOT);
    if (n > 0)
        memcpy(slot, data, n);
    memcpy(slot, CF2_RH_MAGIC, CF2_RH_MAGIC_SIZE);
    hs = (size_t)rd(slot + CF2_RH_OFF_HEADER_SIZE, 2);
    if (hs < CF2_RH_HEADER_SIZE_V1 || hs > SLOT || hs % 8 != 0)
        return;
    wr(slot + hs - 8, 8, ~rd(slot + CF2_RH_OFF_SEQUENCE, 8));
    uint32_t crc = cf2_crc32c(0, slot, CF2_RH_OFF_CRC);
    crc = cf2_crc32c(crc, slot + CF2_RH_OFF_CRC + 4, hs - CF2_RH_OFF_CRC - 4);
    wr(slot + CF2_RH_OFF_CRC, 4, crc);

    if (cf2_rh_decode(slot, SLOT, &h) == CF2_RH_OK) {
        require_valid(&h);
        require(h.header_size == hs);
        require_round_trip(slot, &h);
    }
}

/* Takes header fields from the input, encodes the header and a predecessor
 * in the same slot (sequence - 2), and tears the new slot over the old at
 * an input-chosen length. */
static void fuzz_structured(const uint8_t *data, size_t size)
{
    static uint8_t a[SLOT], b[SLOT], r[SLOT];
    struct cf2_restart_header h, old, d;
    size_t t, first = SLOT, last = 0;

    if (size < 70)
        return;
    memset(&h, 0, sizeof h);
    h.sequence = rd(data, 8);
    h.source_size = rd(data + 8, 8) >> (data[66] % 64);
    h.source_mtime = rd(data + 16, 8);
    h.committed = rd(data + 24, 8) >> (data[67] % 64);
    memcpy(h.file_id, data + 32, 16);
    h.volume_serial = (uint32_t)rd(data + 48, 4);
    h.chunk_size = (uint32_t)rd(data + 52, 4) >> (data[68] % 32);
    h.stream = (uint32_t)rd(data + 56, 4) >> (data[69] % 32);
    h.copy_flags = (uint32_t)rd(data + 60, 4);
    t = (size_t)rd(data + 64, 2) % (SLOT + 1);

    if (cf2_rh_encode(&h, b) != CF2_RH_OK) {
        for (size_t i = 0; i < SLOT; i++)
            require(b[i] == 0);
        return;
    }
    require(cf2_rh_decode(b, SLOT, &d) == CF2_RH_OK && same_header(&d, &h));
    require_valid(&d);

    /* The predecessor: two commits earlier, data[70...] varies its fields. */
    if (h.sequence < 2)
        return;
    old = h;
    old.sequence = h.sequence - 2;
    if (size > 70)
        old.committed = data[70] & 1 ? 0 : h.committed;
    if (size > 71)
        old.copy_flags ^= data[71];
    if (cf2_rh_encode(&old, a) != CF2_RH_OK)
        return;
    memcpy(r, b, t);
    memcpy(r + t, a + t, SLOT - t);
    for (size_t i = 0; i < SLOT; i++)
        if (a[i] != b[i]) {
            if (first == SLOT)
                first = i;
            last = i;
        }
    enum cf2_rh_status st = cf2_rh_decode(r, SLOT, &d);
    if (st == CF2_RH_OK)
        require(memcmp(r, a, SLOT) == 0 || memcmp(r, b, SLOT) == 0);
    /* Between the first and last difference the tear is always rejected,
     * and by the sequence check or earlier, never by the CRC alone. */
    if (t > first && t <= last)
        require(st != CF2_RH_OK && st != CF2_RH_BAD_CHECKSUM);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_decode(data, size);
    fuzz_pick(data, size);
    fuzz_resealed(data, size);
    fuzz_structured(data, size);
    return 0;
}
