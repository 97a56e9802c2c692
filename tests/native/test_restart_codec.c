/*
 * test_restart_codec.c - host-native tests of the restart-header codec
 * (include/copyfile2_restart.h, dll/restart_codec.c).
 *
 * Each test names the clause of docs/restart-header.md it checks ("doc n"
 * is section n of that document).
 *
 * Golden files live in tests/data (override with CF2_TEST_DATA=dir).  By
 * default the encoder's output is compared with them byte for byte and they
 * are decoded.  CF2_REGEN_GOLDEN=1 rewrites them, and the fuzz seed corpus
 * (tests/fuzz/corpus/restart_header, override with CF2_FUZZ_CORPUS=dir),
 * before the same comparisons run; review the diff before committing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "copyfile2_restart.h"
#include "crc32c.h"

enum { SLOT = CF2_RH_SLOT_SIZE, TRAILER = CF2_RH_TRAILER_SIZE };

/* ---------------------------------------------------------------- helpers */

/* Little-endian accessors of the test's own, so that the layout the tests
 * assume is written down independently of the codec's. */
static void w16(uint8_t *p, uint16_t v)
{
    for (int i = 0; i < 2; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static void w32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static void w64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static uint64_t r64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}
static uint16_t r16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* Recomputes the sequence check and the CRC of a slot after a test has
 * changed a field, following doc 4 and doc 5: what a writer with
 * a bug, rather than damage, would produce. */
static void reseal(uint8_t *slot)
{
    size_t hs = r16(slot + CF2_RH_OFF_HEADER_SIZE);
    w64(slot + hs - 8, ~r64(slot + CF2_RH_OFF_SEQUENCE));
    uint32_t crc = cf2_crc32c(0, slot, 80);
    crc = cf2_crc32c(crc, slot + 84, hs - 84);
    w32(slot + CF2_RH_OFF_CRC, crc);
}

static struct cf2_restart_header fresh_header(void)
{
    struct cf2_restart_header h;
    memset(&h, 0, sizeof h);
    h.sequence = 0;
    h.source_size = 1000000;
    h.source_mtime = UINT64_C(133485408000000000); /* 2024-01-01 00:00:00 UTC */
    h.volume_serial = 0x1234ABCDu;
    /* A 64-bit file index in the low 8 bytes (doc 3, file_id). */
    for (int i = 0; i < 8; i++)
        h.file_id[i] = (uint8_t)(i + 1);
    h.chunk_size = 1u << 20;
    h.committed = 0;
    h.stream = 1;
    h.copy_flags = 0x00000002u; /* COPY_FILE_RESTARTABLE */
    return h;
}

/* Every byte of every multi-byte field different, values above 32 bits. */
static struct cf2_restart_header midcopy_header(void)
{
    struct cf2_restart_header h;
    memset(&h, 0, sizeof h);
    h.sequence = UINT64_C(0x1122334455667788);
    h.source_size = UINT64_C(0x0000123456789ABC);
    h.source_mtime = UINT64_C(0x01DA5E1F2A3B4C5D);
    h.volume_serial = 0xA1B2C3D4u;
    for (int i = 0; i < 16; i++)
        h.file_id[i] = (uint8_t)(0xF0 + i);
    h.chunk_size = 0x00100000u;
    h.committed = UINT64_C(0x0000123456700000);
    h.stream = 1;
    h.copy_flags = 0x00005002u; /* RESTARTABLE | NO_BUFFERING | RESUME_FROM_PAUSE */
    return h;
}

static void assert_header_equal(const struct cf2_restart_header *a,
                                const struct cf2_restart_header *b)
{
    assert_int_equal(a->sequence, b->sequence);
    assert_int_equal(a->source_size, b->source_size);
    assert_int_equal(a->source_mtime, b->source_mtime);
    assert_int_equal(a->volume_serial, b->volume_serial);
    assert_memory_equal(a->file_id, b->file_id, 16);
    assert_int_equal(a->chunk_size, b->chunk_size);
    assert_int_equal(a->committed, b->committed);
    assert_int_equal(a->stream, b->stream);
    assert_int_equal(a->copy_flags, b->copy_flags);
}

static void encode_ok(const struct cf2_restart_header *h, uint8_t *slot)
{
    assert_int_equal(cf2_rh_encode(h, slot), CF2_RH_OK);
}

static void assert_status(enum cf2_rh_status got, enum cf2_rh_status want)
{
    if (got != want)
        fail_msg("status %s, expected %s", cf2_rh_status_name(got),
                 cf2_rh_status_name(want));
}

/* Deterministic pseudo-random numbers (xorshift64), so failures reproduce. */
static uint64_t rng = UINT64_C(0x9E3779B97F4A7C15);
static uint64_t rnd64(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A random header that satisfies every field rule (doc 4.3). */
static struct cf2_restart_header random_valid_header(void)
{
    struct cf2_restart_header h;
    memset(&h, 0, sizeof h);
    h.sequence = rnd64() >> (rnd64() % 64);
    if (h.sequence == UINT64_MAX)
        h.sequence--;
    h.source_size = (rnd64() >> (rnd64() % 64)) % (CF2_RH_MAX_SOURCE_SIZE + 1);
    h.source_mtime = rnd64();
    h.volume_serial = (uint32_t)rnd64();
    for (int i = 0; i < 16; i++)
        h.file_id[i] = (uint8_t)rnd64();
    h.chunk_size = (uint32_t)(rnd64() >> (rnd64() % 64));
    if (h.chunk_size == 0)
        h.chunk_size = 4096;
    h.committed = h.source_size / h.chunk_size * h.chunk_size;
    if (rnd64() % 4 == 0)
        h.committed = h.source_size;
    else if (h.committed >= h.chunk_size)
        h.committed -= h.chunk_size * (rnd64() % 3 == 0 ? 1 : 0);
    h.stream = 1;
    if (h.committed == h.source_size && rnd64() % 2)
        h.stream = 1 + (uint32_t)(rnd64() % 1000);
    h.copy_flags = (uint32_t)rnd64();
    return h;
}

/* ---------------------------------------------------------------- golden files */

static const char *data_dir(void)
{
    const char *d = getenv("CF2_TEST_DATA");
    return d && *d ? d : "tests/data";
}

static const char *corpus_dir(void)
{
    const char *d = getenv("CF2_FUZZ_CORPUS");
    return d && *d ? d : "tests/fuzz/corpus/restart_header";
}

static int regenerating(void)
{
    const char *r = getenv("CF2_REGEN_GOLDEN");
    return r && strcmp(r, "1") == 0;
}

static void write_file(const char *dir, const char *name, const uint8_t *p, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        fail_msg("cannot create %s", path);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    print_message("regenerated %s\n", path);
}

/* Reads a golden file, which must be exactly n bytes. */
static void read_golden(const char *name, uint8_t *p, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", data_dir(), name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open golden file %s (run from the repository root, "
                 "or set CF2_TEST_DATA)", path);
    size_t got = fread(p, 1, n, f);
    int extra = fgetc(f);
    fclose(f);
    if (got != n || extra != EOF)
        fail_msg("%s: expected exactly %zu bytes", path, n);
}

static void golden(const char *name, const uint8_t *expected, size_t n)
{
    uint8_t *onfile = malloc(n);
    assert_non_null(onfile);
    if (regenerating())
        write_file(data_dir(), name, expected, n);
    read_golden(name, onfile, n);
    assert_memory_equal(onfile, expected, n);
    free(onfile);
}

/* The mid-copy header as doc 7 shows it, written out by hand
 * from the layout table, not by the encoder.  CRC 0x6DE042C5 was computed
 * with an independent bitwise CRC-32C. */
static const uint8_t midcopy_bytes[96] = {
    0x43, 0x46, 0x32, 0x52, 0x53, 0x54, 0x48, 0x44, /* "CF2RSTHD" */
    0x01, 0x00, 0x60, 0x00, 0x00, 0x00, 0x00, 0x00, /* version 1, size 96, reserved */
    0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* sequence */
    0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12, 0x00, 0x00, /* source_size */
    0x5d, 0x4c, 0x3b, 0x2a, 0x1f, 0x5e, 0xda, 0x01, /* source_mtime */
    0x00, 0x00, 0x70, 0x56, 0x34, 0x12, 0x00, 0x00, /* committed */
    0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, /* file_id */
    0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff,
    0xd4, 0xc3, 0xb2, 0xa1, 0x00, 0x00, 0x10, 0x00, /* volume_serial, chunk_size */
    0x01, 0x00, 0x00, 0x00, 0x02, 0x50, 0x00, 0x00, /* stream, copy_flags */
    0xc5, 0x42, 0xe0, 0x6d, 0x00, 0x00, 0x00, 0x00, /* crc32c, reserved */
    0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, /* ~sequence */
};

static const uint8_t fresh_bytes[96] = {
    0x43, 0x46, 0x32, 0x52, 0x53, 0x54, 0x48, 0x44,
    0x01, 0x00, 0x60, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x40, 0x42, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0xc0, 0x89, 0x76, 0x45, 0x3c, 0xda, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xcd, 0xab, 0x34, 0x12, 0x00, 0x00, 0x10, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
    0x64, 0x62, 0x4c, 0x63, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

/* The two-slot trailer of the golden files: slot 0 holds sequence 6,
 * slot 1 the newer sequence 7 with 1 MiB more committed. */
static void build_two_slot_trailer(uint8_t *trailer)
{
    struct cf2_restart_header h = midcopy_header();
    h.sequence = 6;
    h.committed = UINT64_C(0x0000123456600000);
    encode_ok(&h, trailer);
    h.sequence = 7;
    h.committed = UINT64_C(0x0000123456700000);
    encode_ok(&h, trailer + SLOT);
}

/* A whole paused file (doc 2): S = 5000 bytes of data, zeros to R = 8192,
 * slot 0 with 4096 bytes committed, slot 1 never written. */
enum { PAUSED_S = 5000, PAUSED_FILE = 8192 + TRAILER };
static void build_paused_file(uint8_t *file)
{
    struct cf2_restart_header h = fresh_header();
    memset(file, 0, PAUSED_FILE);
    for (int i = 0; i < PAUSED_S; i++)
        file[i] = (uint8_t)(i * 7 + 1);
    h.source_size = PAUSED_S;
    h.chunk_size = 4096;
    h.committed = 4096;
    encode_ok(&h, file + cf2_rh_trailer_offset(PAUSED_S));
}

/* doc 7: the fresh header, byte for byte (golden file and hand-written bytes). */
static void golden_fresh_slot(void **state)
{
    uint8_t slot[SLOT];
    struct cf2_restart_header h = fresh_header(), d;
    (void)state;

    encode_ok(&h, slot);
    assert_memory_equal(slot, fresh_bytes, sizeof fresh_bytes);
    golden("restart-slot-v1-fresh.bin", slot, SLOT);

    read_golden("restart-slot-v1-fresh.bin", slot, SLOT);
    assert_status(cf2_rh_decode(slot, SLOT, &d), CF2_RH_OK);
    assert_header_equal(&d, &h);
    assert_int_equal(d.version, 1);
    assert_int_equal(d.header_size, 96);
}

/* doc 7: the mid-copy header with large 64-bit values, byte for byte. */
static void golden_midcopy_slot(void **state)
{
    uint8_t slot[SLOT];
    struct cf2_restart_header h = midcopy_header(), d;
    (void)state;

    encode_ok(&h, slot);
    assert_memory_equal(slot, midcopy_bytes, sizeof midcopy_bytes);
    for (size_t i = sizeof midcopy_bytes; i < SLOT; i++)
        assert_int_equal(slot[i], 0);
    golden("restart-slot-v1-midcopy.bin", slot, SLOT);

    read_golden("restart-slot-v1-midcopy.bin", slot, SLOT);
    assert_status(cf2_rh_decode(slot, SLOT, &d), CF2_RH_OK);
    assert_header_equal(&d, &h);
}

/* doc 6: a golden two-slot trailer; the newer slot (1) is picked. */
static void golden_two_slot_trailer(void **state)
{
    uint8_t trailer[TRAILER];
    struct cf2_restart_header d;
    unsigned idx = 99;
    (void)state;

    build_two_slot_trailer(trailer);
    golden("restart-trailer-v1-seq6-seq7.bin", trailer, TRAILER);

    read_golden("restart-trailer-v1-seq6-seq7.bin", trailer, TRAILER);
    assert_status(cf2_rh_pick(trailer, TRAILER, &d, &idx), CF2_RH_OK);
    assert_int_equal(idx, 1);
    assert_int_equal(d.sequence, 7);
    assert_int_equal(d.committed, UINT64_C(0x0000123456700000));
    assert_int_equal(cf2_rh_next_slot(&d), 0);
}

/* doc 2, doc 6, doc 7: a golden paused file; the reader's whole procedure on it. */
static void golden_paused_file(void **state)
{
    static uint8_t file[PAUSED_FILE];
    struct cf2_restart_header d, h = fresh_header();
    unsigned idx = 99;
    (void)state;

    build_paused_file(file);
    golden("restart-file-v1-s5000.bin", file, PAUSED_FILE);

    read_golden("restart-file-v1-s5000.bin", file, PAUSED_FILE);
    assert_int_equal(cf2_rh_file_size(PAUSED_S), PAUSED_FILE);
    assert_status(cf2_rh_pick(file, PAUSED_FILE, &d, &idx), CF2_RH_OK);
    assert_int_equal(idx, 0);
    assert_int_equal(d.source_size, PAUSED_S);
    assert_int_equal(d.committed, 4096);
    assert_true(cf2_rh_matches_file_size(&d, PAUSED_FILE));
    assert_true(cf2_rh_matches_source(&d, PAUSED_S, h.source_mtime, h.volume_serial,
                                      h.file_id));
    /* Bytes between S and R are zero. */
    for (size_t i = PAUSED_S; i < 8192; i++)
        assert_int_equal(file[i], 0);
    /* Slot 1 was never written. */
    assert_status(cf2_rh_decode_slot(file, PAUSED_FILE, 1, NULL), CF2_RH_EMPTY);
}

/* Writes the fuzz seed corpus when regenerating (tests/fuzz). */
static void regenerate_fuzz_seeds(void **state)
{
    uint8_t slot[SLOT], trailer[TRAILER];
    static uint8_t file[PAUSED_FILE];
    struct cf2_restart_header h;
    (void)state;

    if (!regenerating())
        skip();
    h = fresh_header();
    encode_ok(&h, slot);
    write_file(corpus_dir(), "slot-fresh", slot, SLOT);
    h = midcopy_header();
    encode_ok(&h, slot);
    write_file(corpus_dir(), "slot-midcopy", slot, SLOT);
    build_two_slot_trailer(trailer);
    write_file(corpus_dir(), "trailer-seq6-seq7", trailer, TRAILER);
    build_paused_file(file);
    write_file(corpus_dir(), "file-s5000", file, PAUSED_FILE);
    /* A trailer whose newer slot is torn halfway through its header. */
    build_two_slot_trailer(trailer);
    h = midcopy_header();
    h.sequence = 8;
    h.committed = UINT64_C(0x0000123456800000);
    h.source_size = UINT64_C(0x0000123456900000);
    encode_ok(&h, slot);
    memcpy(trailer, slot, 40);
    write_file(corpus_dir(), "trailer-torn", trailer, TRAILER);
    /* A header with a compatible extension (header_size 104). */
    h = midcopy_header();
    encode_ok(&h, slot);
    w16(slot + CF2_RH_OFF_HEADER_SIZE, 104);
    w64(slot + 88, UINT64_C(0x0123456789ABCDEF));
    reseal(slot);
    write_file(corpus_dir(), "slot-extended", slot, SLOT);
    /* Short inputs. */
    write_file(corpus_dir(), "short-magic", (const uint8_t *)CF2_RH_MAGIC, 8);
}

/* ---------------------------------------------------------------- layout (doc 2) */

/* doc 2: R = S rounded up to 4096 (S itself when a multiple, including 0);
 * file size R + 8192; UINT64_MAX past the largest representable S. */
static void trailer_offset_table(void **state)
{
    static const struct { uint64_t s, r; } table[] = {
        { 0, 0 },
        { 1, 4096 },
        { 4095, 4096 },
        { 4096, 4096 },
        { 4097, 8192 },
        { 8191, 8192 },
        { 8192, 8192 },
        { 1000000, 1003520 },
        { UINT64_C(0xFFFFFFFF), UINT64_C(0x100000000) },           /* 4 GiB - 1 */
        { UINT64_C(0x100000000), UINT64_C(0x100000000) },          /* 4 GiB */
        { UINT64_C(0x100000001), UINT64_C(0x100001000) },          /* 4 GiB + 1 */
        { UINT64_C(0x140000000) + 123, UINT64_C(0x140001000) },    /* 5 GiB + 123 */
        { UINT64_C(0x0000123456789ABC), UINT64_C(0x0000123456789000) + 4096 },
        { UINT64_C(0x7FFFFFFFFFFFC001), UINT64_C(0x7FFFFFFFFFFFD000) },
        { CF2_RH_MAX_SOURCE_SIZE, CF2_RH_MAX_SOURCE_SIZE },
    };
    (void)state;

    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        uint64_t r = cf2_rh_trailer_offset(table[i].s);
        if (r != table[i].r)
            fail_msg("S=%llu: R=%llu, expected %llu", (unsigned long long)table[i].s,
                     (unsigned long long)r, (unsigned long long)table[i].r);
        assert_int_equal(r % 4096, 0);
        assert_true(r >= table[i].s && r - table[i].s < 4096);
        assert_int_equal(cf2_rh_file_size(table[i].s), r + 8192);
    }
    /* The largest file still fits a signed 64-bit size... */
    assert_int_equal(cf2_rh_file_size(CF2_RH_MAX_SOURCE_SIZE), UINT64_C(0x7FFFFFFFFFFFF000));
    /* ...one more byte would not. */
    assert_int_equal(cf2_rh_trailer_offset(CF2_RH_MAX_SOURCE_SIZE + 1), UINT64_MAX);
    assert_int_equal(cf2_rh_file_size(CF2_RH_MAX_SOURCE_SIZE + 1), UINT64_MAX);
    assert_int_equal(cf2_rh_trailer_offset(UINT64_MAX), UINT64_MAX);
    assert_int_equal(cf2_rh_file_size(UINT64_MAX), UINT64_MAX);
}

/* doc 2: the layout constants of the public header. */
static void layout_constants(void **state)
{
    (void)state;
    assert_int_equal(CF2_RH_SLOT_SIZE, 4096);
    assert_int_equal(CF2_RH_TRAILER_SIZE, 2 * CF2_RH_SLOT_SIZE);
    assert_int_equal(CF2_RH_SLOT_COUNT, 2);
    assert_int_equal(strlen(CF2_RH_MAGIC), CF2_RH_MAGIC_SIZE);
    assert_int_equal(CF2_RH_HEADER_SIZE_V1, 96);
    assert_int_equal(CF2_RH_OFF_CRC, 80);
    assert_int_equal(CF2_RH_OFF_SEQUENCE_CHECK_V1, CF2_RH_HEADER_SIZE_V1 - 8);
}

/* doc 6 step 5, doc 9: the file is R + 8192 bytes; a truncated or extended file
 * does not match the header's layout. */
static void file_size_check(void **state)
{
    struct cf2_restart_header h = fresh_header();
    (void)state;

    h.source_size = 5000;
    assert_true(cf2_rh_matches_file_size(&h, 16384));
    assert_false(cf2_rh_matches_file_size(&h, 16383));
    assert_false(cf2_rh_matches_file_size(&h, 16385));
    assert_false(cf2_rh_matches_file_size(&h, 5000));
    assert_false(cf2_rh_matches_file_size(&h, 8192));
    h.source_size = 0;
    assert_true(cf2_rh_matches_file_size(&h, 8192));
    assert_false(cf2_rh_matches_file_size(&h, 0));
    h.source_size = UINT64_MAX; /* not a valid header; never matches */
    assert_false(cf2_rh_matches_file_size(&h, UINT64_MAX));
}

/* ---------------------------------------------------------------- encoding (doc 3, doc 4) */

/* doc 3: every field at its offset, little-endian, independent of the host. */
static void field_offsets(void **state)
{
    uint8_t slot[SLOT];
    struct cf2_restart_header h = midcopy_header();
    (void)state;

    encode_ok(&h, slot);
    assert_memory_equal(slot + CF2_RH_OFF_MAGIC, "CF2RSTHD", 8);
    assert_int_equal(r16(slot + CF2_RH_OFF_VERSION), 1);
    assert_int_equal(r16(slot + CF2_RH_OFF_HEADER_SIZE), 96);
    assert_int_equal(r64(slot + CF2_RH_OFF_SEQUENCE), h.sequence);
    assert_int_equal(r64(slot + CF2_RH_OFF_SOURCE_SIZE), h.source_size);
    assert_int_equal(r64(slot + CF2_RH_OFF_SOURCE_MTIME), h.source_mtime);
    assert_int_equal(r64(slot + CF2_RH_OFF_COMMITTED), h.committed);
    assert_memory_equal(slot + CF2_RH_OFF_FILE_ID, h.file_id, 16);
    assert_int_equal(slot[CF2_RH_OFF_VOLUME_SERIAL], 0xD4);
    assert_int_equal(slot[CF2_RH_OFF_VOLUME_SERIAL + 3], 0xA1);
    assert_int_equal(slot[CF2_RH_OFF_CHUNK_SIZE + 2], 0x10);
    assert_int_equal(slot[CF2_RH_OFF_STREAM], 1);
    assert_int_equal(slot[CF2_RH_OFF_COPY_FLAGS + 1], 0x50);
    assert_int_equal(r64(slot + 88), ~h.sequence);
    /* doc 5: the CRC covers [0, 80) and [84, 96). */
    uint32_t crc = cf2_crc32c(cf2_crc32c(0, slot, 80), slot + 84, 12);
    assert_int_equal(slot[80] | slot[81] << 8 | slot[82] << 16 | (uint32_t)slot[83] << 24, crc);
}

/* doc 10: encode writes version 1 and header size 96 whatever the struct
 * says, and decode reports them. */
static void encode_ignores_version_fields(void **state)
{
    uint8_t a[SLOT], b[SLOT];
    struct cf2_restart_header h = midcopy_header(), d;
    (void)state;

    encode_ok(&h, a);
    h.version = 77;
    h.header_size = 12;
    encode_ok(&h, b);
    assert_memory_equal(a, b, SLOT);
    assert_status(cf2_rh_decode(b, SLOT, &d), CF2_RH_OK);
    assert_int_equal(d.version, 1);
    assert_int_equal(d.header_size, 96);
}

/* doc 3, doc 4: encode then decode gives the header back, and decoding then
 * re-encoding gives the same bytes, for many random valid headers. */
static void round_trip_random(void **state)
{
    uint8_t a[SLOT], b[SLOT];
    (void)state;

    for (int i = 0; i < 20000; i++) {
        struct cf2_restart_header h = random_valid_header(), d;
        encode_ok(&h, a);
        assert_status(cf2_rh_decode(a, SLOT, &d), CF2_RH_OK);
        assert_header_equal(&d, &h);
        encode_ok(&d, b);
        assert_memory_equal(a, b, SLOT);
    }
}

/* doc 4.3: the encoder refuses what a reader would reject, and leaves an
 * all-zero slot (never mistaken for a valid one). */
static void encode_rejects_invalid_fields(void **state)
{
    uint8_t slot[SLOT];
    struct cf2_restart_header h;
    (void)state;

    h = fresh_header();
    h.sequence = UINT64_MAX;
    memset(slot, 0xAA, SLOT);
    assert_status(cf2_rh_encode(&h, slot), CF2_RH_BAD_SEQUENCE);
    for (size_t i = 0; i < SLOT; i++)
        assert_int_equal(slot[i], 0);
    assert_status(cf2_rh_decode(slot, SLOT, NULL), CF2_RH_EMPTY);

    h = fresh_header();
    h.source_size = CF2_RH_MAX_SOURCE_SIZE + 1;
    assert_status(cf2_rh_encode(&h, slot), CF2_RH_BAD_SOURCE_SIZE);
    h = fresh_header();
    h.chunk_size = 0;
    assert_status(cf2_rh_encode(&h, slot), CF2_RH_BAD_CHUNK_SIZE);
    h = fresh_header();
    h.stream = 0;
    assert_status(cf2_rh_encode(&h, slot), CF2_RH_BAD_STREAM);
    h = fresh_header();
    h.committed = h.source_size + 1;
    assert_status(cf2_rh_encode(&h, slot), CF2_RH_BAD_COMMITTED);
    h = fresh_header();
    h.committed = 4096; /* not a multiple of the 1 MiB chunk, not S */
    assert_status(cf2_rh_encode(&h, slot), CF2_RH_BAD_COMMITTED);
    h = fresh_header();
    h.stream = 2; /* a later stream while the unnamed one is incomplete */
    assert_status(cf2_rh_encode(&h, slot), CF2_RH_BAD_COMMITTED);
}

/* doc 4.3: the edges of the field rules that are valid. */
static void valid_field_edges(void **state)
{
    uint8_t slot[SLOT];
    struct cf2_restart_header h, d;
    (void)state;

    h = fresh_header();
    h.committed = h.source_size; /* complete, not chunk-aligned */
    encode_ok(&h, slot);
    h.stream = 3; /* a later stream once the unnamed stream is complete */
    encode_ok(&h, slot);
    h = fresh_header();
    h.source_size = 0; /* empty source */
    h.committed = 0;
    encode_ok(&h, slot);
    h = fresh_header();
    h.source_size = CF2_RH_MAX_SOURCE_SIZE;
    h.committed = CF2_RH_MAX_SOURCE_SIZE;
    h.sequence = UINT64_MAX - 1;
    h.chunk_size = UINT32_MAX;
    h.stream = UINT32_MAX;
    h.copy_flags = UINT32_MAX; /* copy flags are stored as given */
    h.source_mtime = UINT64_MAX;
    h.volume_serial = UINT32_MAX;
    memset(h.file_id, 0xFF, 16);
    encode_ok(&h, slot);
    assert_status(cf2_rh_decode(slot, SLOT, &d), CF2_RH_OK);
    assert_header_equal(&d, &h);
    h.chunk_size = 1;
    h.committed = 12345;
    h.stream = 1;
    encode_ok(&h, slot);
}

/* ---------------------------------------------------------------- validation (doc 4) */

/* A valid slot with one raw change, resealed (checks the field rule, not
 * the CRC), must give want. */
struct mutation {
    const char *what;
    size_t off;
    size_t size;
    uint64_t value;
    enum cf2_rh_status want;
    int reseal;
};

static void apply(uint8_t *slot, const struct mutation *m)
{
    for (size_t i = 0; i < m->size; i++)
        slot[m->off + i] = (uint8_t)(m->value >> (8 * i));
    if (m->reseal)
        reseal(slot);
}

/* doc 4.2, doc 4.3: every field given a wrong value individually (by a writer
 * with a bug: sequence check and CRC recomputed) is rejected with its own
 * reason. */
static void each_field_corrupted_rejected(void **state)
{
    static const struct mutation m[] = {
        { "magic byte 0", 0, 1, 'c', CF2_RH_BAD_MAGIC, 1 },
        { "magic byte 7", 7, 1, 'X', CF2_RH_BAD_MAGIC, 1 },
        { "magic zero", 0, 8, 0, CF2_RH_BAD_MAGIC, 1 },
        { "version 0", 8, 2, 0, CF2_RH_BAD_VERSION, 1 },
        { "version 2", 8, 2, 2, CF2_RH_BAD_VERSION, 1 },
        { "version 0x101", 8, 2, 0x101, CF2_RH_BAD_VERSION, 1 },
        { "version 0xFFFF", 8, 2, 0xFFFF, CF2_RH_BAD_VERSION, 1 },
        { "header_size 0", 10, 2, 0, CF2_RH_BAD_HEADER_SIZE, 0 },
        { "header_size 88", 10, 2, 88, CF2_RH_BAD_HEADER_SIZE, 0 },
        { "header_size 95", 10, 2, 95, CF2_RH_BAD_HEADER_SIZE, 0 },
        { "header_size 97", 10, 2, 97, CF2_RH_BAD_HEADER_SIZE, 0 },
        { "header_size 100", 10, 2, 100, CF2_RH_BAD_HEADER_SIZE, 0 },
        { "header_size 4097", 10, 2, 4097, CF2_RH_BAD_HEADER_SIZE, 0 },
        { "header_size 4104", 10, 2, 4104, CF2_RH_BAD_HEADER_SIZE, 0 },
        { "header_size 0xFFFF", 10, 2, 0xFFFF, CF2_RH_BAD_HEADER_SIZE, 0 },
        { "reserved0", 12, 4, 1, CF2_RH_BAD_RESERVED, 1 },
        { "reserved0 high", 15, 1, 0x80, CF2_RH_BAD_RESERVED, 1 },
        { "reserved1", 84, 4, 0x01000000, CF2_RH_BAD_RESERVED, 1 },
        { "padding first", 96, 1, 1, CF2_RH_BAD_PADDING, 1 },
        { "padding middle", 2000, 1, 0x80, CF2_RH_BAD_PADDING, 1 },
        { "padding last", 4095, 1, 1, CF2_RH_BAD_PADDING, 1 },
        { "sequence check", 88, 1, 0, CF2_RH_TORN, 0 },
        { "sequence alone", 16, 1, 0x99, CF2_RH_TORN, 0 },
        { "crc", 80, 4, 0, CF2_RH_BAD_CHECKSUM, 0 },
        { "crc +1", 80, 1, 0xC6, CF2_RH_BAD_CHECKSUM, 0 },
        { "sequence 2^64-1", 16, 8, UINT64_MAX, CF2_RH_BAD_SEQUENCE, 1 },
        { "source_size max+1", 24, 8, UINT64_C(0x7FFFFFFFFFFFD001), CF2_RH_BAD_SOURCE_SIZE, 1 },
        { "source_size 2^64-1", 24, 8, UINT64_MAX, CF2_RH_BAD_SOURCE_SIZE, 1 },
        { "source_size < committed", 24, 8, UINT64_C(0x0000123456600000), CF2_RH_BAD_COMMITTED, 1 },
        { "committed > source_size", 40, 8, UINT64_C(0x0000123456800000), CF2_RH_BAD_COMMITTED, 1 },
        { "committed not chunk-aligned", 40, 8, UINT64_C(0x0000123456700001),
          CF2_RH_BAD_COMMITTED, 1 },
        { "committed 2^64-1", 40, 8, UINT64_MAX, CF2_RH_BAD_COMMITTED, 1 },
        { "chunk_size 0", 68, 4, 0, CF2_RH_BAD_CHUNK_SIZE, 1 },
        { "chunk_size not dividing committed", 68, 4, 0x300000, CF2_RH_BAD_COMMITTED, 1 },
        { "stream 0", 72, 4, 0, CF2_RH_BAD_STREAM, 1 },
        { "stream 2 mid-copy", 72, 4, 2, CF2_RH_BAD_COMMITTED, 1 },
    };
    uint8_t base[SLOT], slot[SLOT];
    struct cf2_restart_header h = midcopy_header(), d;
    (void)state;

    encode_ok(&h, base);
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        memcpy(slot, base, SLOT);
        apply(slot, &m[i]);
        memset(&d, 0x5A, sizeof d);
        enum cf2_rh_status got = cf2_rh_decode(slot, SLOT, &d);
        if (got != m[i].want)
            fail_msg("%s: %s, expected %s", m[i].what, cf2_rh_status_name(got),
                     cf2_rh_status_name(m[i].want));
        /* doc 4: *out is not written on failure. */
        for (size_t j = 0; j < sizeof d; j++)
            assert_int_equal(((uint8_t *)&d)[j], 0x5A);
    }
}

/* doc 4.2, doc 5: the same changes without resealing (damage, not a writer bug)
 * are rejected too: every field, every byte of it. */
static void each_field_damaged_rejected(void **state)
{
    uint8_t base[SLOT], slot[SLOT];
    struct cf2_restart_header h = midcopy_header();
    (void)state;

    encode_ok(&h, base);
    for (size_t off = 0; off < 96; off++) {
        memcpy(slot, base, SLOT);
        slot[off] ^= 0x5A;
        enum cf2_rh_status got = cf2_rh_decode(slot, SLOT, NULL);
        if (got == CF2_RH_OK)
            fail_msg("byte %zu changed and still valid", off);
    }
}

/* doc 6 (cf2_rh_matches_source): each source fact changed individually is a
 * mismatch, though the slot itself stays valid. */
static void each_source_fact_mismatch(void **state)
{
    uint8_t slot[SLOT];
    struct cf2_restart_header h = midcopy_header(), d;
    uint8_t id[16];
    (void)state;

    encode_ok(&h, slot);
    assert_status(cf2_rh_decode(slot, SLOT, &d), CF2_RH_OK);
    memcpy(id, h.file_id, 16);
    assert_true(cf2_rh_matches_source(&d, h.source_size, h.source_mtime, h.volume_serial, id));
    assert_false(cf2_rh_matches_source(&d, h.source_size + 1, h.source_mtime, h.volume_serial, id));
    assert_false(cf2_rh_matches_source(&d, h.source_size - 1, h.source_mtime, h.volume_serial, id));
    assert_false(cf2_rh_matches_source(&d, h.source_size ^ (UINT64_C(1) << 40), h.source_mtime,
                                       h.volume_serial, id));
    assert_false(cf2_rh_matches_source(&d, h.source_size, h.source_mtime + 1, h.volume_serial, id));
    assert_false(cf2_rh_matches_source(&d, h.source_size, h.source_mtime ^ (UINT64_C(1) << 63),
                                       h.volume_serial, id));
    assert_false(cf2_rh_matches_source(&d, h.source_size, h.source_mtime, h.volume_serial ^ 1, id));
    assert_false(cf2_rh_matches_source(&d, h.source_size, h.source_mtime,
                                       h.volume_serial ^ 0x80000000u, id));
    for (int i = 0; i < 16; i++) {
        id[i] ^= 0x01;
        assert_false(cf2_rh_matches_source(&d, h.source_size, h.source_mtime, h.volume_serial, id));
        id[i] ^= 0x81;
        assert_false(cf2_rh_matches_source(&d, h.source_size, h.source_mtime, h.volume_serial, id));
        id[i] ^= 0x80;
    }
    assert_true(cf2_rh_matches_source(&d, h.source_size, h.source_mtime, h.volume_serial, id));
}

/* doc 5.1: every single-bit flip anywhere in a valid slot is rejected. */
static void every_single_bit_flip_rejected(void **state)
{
    uint8_t slot[SLOT];
    struct cf2_restart_header hs[2];
    (void)state;

    hs[0] = fresh_header();
    hs[1] = midcopy_header();
    for (int k = 0; k < 2; k++) {
        encode_ok(&hs[k], slot);
        for (size_t bit = 0; bit < (size_t)SLOT * 8; bit++) {
            slot[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            if (cf2_rh_decode(slot, SLOT, NULL) == CF2_RH_OK)
                fail_msg("header %d: bit %zu flipped and still valid", k, bit);
            slot[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        assert_status(cf2_rh_decode(slot, SLOT, NULL), CF2_RH_OK);
    }
}

/* doc 4.1: a compatible extension (header_size > 96) decodes; the extra bytes
 * are covered by the CRC and the sequence check moves to the end. */
static void extension_accepted(void **state)
{
    uint8_t slot[SLOT];
    struct cf2_restart_header h = midcopy_header(), d;
    (void)state;

    encode_ok(&h, slot);
    w16(slot + CF2_RH_OFF_HEADER_SIZE, 104);
    w64(slot + 88, UINT64_C(0x0123456789ABCDEF)); /* extension data */
    reseal(slot);
    assert_int_equal(r64(slot + 96), ~h.sequence);
    assert_status(cf2_rh_decode(slot, SLOT, &d), CF2_RH_OK);
    assert_header_equal(&d, &h);
    assert_int_equal(d.header_size, 104);
    /* The extension is under the CRC. */
    slot[90] ^= 1;
    assert_status(cf2_rh_decode(slot, SLOT, NULL), CF2_RH_BAD_CHECKSUM);
    slot[90] ^= 1;
    /* The old place of the sequence check is now extension data: a
     * sequence check only at 88 is not enough. */
    w64(slot + 96, 0);
    w64(slot + 88, ~h.sequence);
    assert_status(cf2_rh_decode(slot, SLOT, NULL), CF2_RH_TORN);

    /* The whole slot as header. */
    encode_ok(&h, slot);
    w16(slot + CF2_RH_OFF_HEADER_SIZE, 4096);
    w64(slot + 88, 0);
    reseal(slot);
    assert_status(cf2_rh_decode(slot, SLOT, &d), CF2_RH_OK);
    assert_int_equal(d.header_size, 4096);
}

/* doc 4.2 check 1: input shorter than a slot is TRUNCATED; bytes past the
 * slot are not looked at. */
static void decode_truncated_lengths(void **state)
{
    static uint8_t buf[SLOT + 16];
    struct cf2_restart_header h = midcopy_header(), d;
    static const size_t lens[] = { 0, 1, 8, 95, 96, 97, 4088, 4095 };
    (void)state;

    encode_ok(&h, buf);
    assert_status(cf2_rh_decode(NULL, 0, &d), CF2_RH_TRUNCATED);
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
        assert_status(cf2_rh_decode(buf, lens[i], &d), CF2_RH_TRUNCATED);
    memset(buf + SLOT, 0xEE, 16);
    assert_status(cf2_rh_decode(buf, SLOT + 16, &d), CF2_RH_OK);
    assert_header_equal(&d, &h);
}

/* doc 4: the reasons for a slot that was never written or is foreign. */
static void empty_and_foreign_slots(void **state)
{
    uint8_t slot[SLOT];
    (void)state;

    memset(slot, 0, SLOT);
    assert_status(cf2_rh_decode(slot, SLOT, NULL), CF2_RH_EMPTY);
    slot[4095] = 1;
    assert_status(cf2_rh_decode(slot, SLOT, NULL), CF2_RH_BAD_MAGIC);
    memset(slot, 0xFF, SLOT);
    assert_status(cf2_rh_decode(slot, SLOT, NULL), CF2_RH_BAD_MAGIC);
    for (size_t i = 0; i < SLOT; i++)
        slot[i] = (uint8_t)rnd64();
    memcpy(slot, CF2_RH_MAGIC, 8);
    assert_int_not_equal(cf2_rh_decode(slot, SLOT, NULL), CF2_RH_OK);
}

/* ---------------------------------------------------------------- torn writes (doc 5) */

/* Writes the first t bytes of nw over old into out. */
static void tear(uint8_t *out, const uint8_t *old, const uint8_t *nw, size_t t)
{
    memcpy(out, nw, t);
    memcpy(out + t, old + t, SLOT - t);
}

/* Every prefix length t of nw written over old: the result is either
 * rejected, or byte-identical to old or to nw (then it decodes to that
 * header).  Between the first and the last differing byte it must be
 * rejected. */
static void check_all_tears(const uint8_t *old, const uint8_t *nw)
{
    static uint8_t r[SLOT];
    struct cf2_restart_header d, dn;
    size_t first = SLOT, last = 0;

    for (size_t i = 0; i < SLOT; i++)
        if (old[i] != nw[i]) {
            if (first == SLOT)
                first = i;
            last = i;
        }
    assert_true(first < SLOT);
    assert_status(cf2_rh_decode(nw, SLOT, &dn), CF2_RH_OK);

    for (size_t t = 0; t <= SLOT; t++) {
        tear(r, old, nw, t);
        enum cf2_rh_status st = cf2_rh_decode(r, SLOT, &d);
        if (t > first && t <= last) {
            if (st == CF2_RH_OK)
                fail_msg("torn at %zu (differences %zu..%zu) validated", t, first, last);
            /* doc 5.2: rejected by the structure, not by luck of the CRC. */
            if (st == CF2_RH_BAD_CHECKSUM)
                fail_msg("torn at %zu caught by the CRC alone", t);
        } else if (st == CF2_RH_OK) {
            assert_true(memcmp(r, old, SLOT) == 0 || memcmp(r, nw, SLOT) == 0);
        }
        if (t > last) {
            assert_status(st, CF2_RH_OK);
            assert_header_equal(&d, &dn);
        }
    }
}

/* doc 5.2: the first commit over a zeroed slot, torn at every length. */
static void torn_first_write_over_zeros(void **state)
{
    uint8_t zero[SLOT], nw[SLOT];
    static const uint64_t seqs[] = { 0, 2, 0xFF, 0x100, UINT64_C(0xFFFFFFFFFFFFFFFE),
                                     UINT64_C(0x00000000FFFFFFFF) - 1 };
    (void)state;

    memset(zero, 0, SLOT);
    for (size_t i = 0; i < sizeof seqs / sizeof seqs[0]; i++) {
        struct cf2_restart_header h = fresh_header();
        h.sequence = seqs[i];
        encode_ok(&h, nw);
        check_all_tears(zero, nw);
        h = midcopy_header();
        h.sequence = seqs[i];
        encode_ok(&h, nw);
        check_all_tears(zero, nw);
    }
}

/* doc 5.2: a commit of sequence s+2 over the same slot's sequence s (what the
 * alternation produces), torn at every length, with sequences chosen so
 * that carries run through the high bytes. */
static void torn_next_write_over_previous(void **state)
{
    uint8_t old[SLOT], nw[SLOT];
    static const uint64_t seqs[] = { 0, 1, 4, 5, 0xFE, 0xFF, 0xFFFE, 0xFFFF,
                                     UINT64_C(0x00FFFFFFFFFFFFFE),
                                     UINT64_C(0xFFFFFFFFFFFFFFFB),
                                     UINT64_C(0xFFFFFFFFFFFFFFFC) };
    (void)state;

    for (size_t i = 0; i < sizeof seqs / sizeof seqs[0]; i++) {
        struct cf2_restart_header a = midcopy_header(), b;
        a.sequence = seqs[i];
        b = a;
        b.sequence = seqs[i] + 2;
        /* Same fields but the sequence... */
        encode_ok(&a, old);
        encode_ok(&b, nw);
        check_all_tears(old, nw);
        /* ...and with more committed, as in a real next commit. */
        b.committed += b.chunk_size;
        b.source_size = b.committed + 5;
        b.copy_flags ^= 0x4000;
        encode_ok(&b, nw);
        check_all_tears(old, nw);
    }
    /* Random headers, random parity-preserving pairs. */
    for (int i = 0; i < 200; i++) {
        struct cf2_restart_header a = random_valid_header(), b = random_valid_header();
        a.sequence %= UINT64_MAX - 2;
        b.sequence = a.sequence + 2;
        encode_ok(&a, old);
        encode_ok(&b, nw);
        check_all_tears(old, nw);
    }
}

/* doc 5.2: two failed attempts at the same commit (sequence s+2, different
 * contents) torn at every pair of lengths over a complete slot s: nothing
 * but a complete write ever validates. */
static void torn_twice(void **state)
{
    uint8_t w[SLOT], a[SLOT], b[SLOT], r1[SLOT], r2[SLOT];
    struct cf2_restart_header hw = midcopy_header(), ha, hb;
    (void)state;

    hw.sequence = 0x1FE;
    hw.source_size = UINT64_C(0x0000123456F00000);
    ha = hw;
    ha.sequence = hw.sequence + 2;
    ha.committed += hw.chunk_size;
    hb = ha;
    hb.committed += hw.chunk_size;
    hb.source_size += 4096;
    encode_ok(&hw, w);
    encode_ok(&ha, a);
    encode_ok(&hb, b);

    for (size_t t1 = 0; t1 <= 100; t1++) {
        tear(r1, w, a, t1);
        /* A first attempt that completed is followed by the next sequence,
         * never by another attempt at this slot. */
        if (cf2_rh_decode(r1, SLOT, NULL) == CF2_RH_OK && memcmp(r1, w, SLOT) != 0)
            continue;
        for (size_t t2 = 0; t2 <= 100; t2++) {
            tear(r2, r1, b, t2);
            enum cf2_rh_status st = cf2_rh_decode(r2, SLOT, NULL);
            if (st == CF2_RH_OK && memcmp(r2, w, SLOT) != 0 && memcmp(r2, b, SLOT) != 0)
                fail_msg("attempts torn at %zu then %zu validated as a mixture", t1, t2);
            if (st == CF2_RH_BAD_CHECKSUM)
                fail_msg("attempts torn at %zu then %zu caught by the CRC alone", t1, t2);
        }
    }
}

/* doc 5.2, doc 6: in a trailer, a torn commit of the newer slot falls back to the
 * other slot; a completed one wins. */
static void torn_commit_in_trailer_falls_back(void **state)
{
    static uint8_t trailer[TRAILER], slot0_old[SLOT], slot0_new[SLOT];
    struct cf2_restart_header h = midcopy_header(), d;
    unsigned idx;
    (void)state;

    h.sequence = 6;
    encode_ok(&h, slot0_old);
    h.sequence = 7;
    encode_ok(&h, trailer + SLOT);
    h.sequence = 8;
    h.committed += h.chunk_size;
    h.source_size = h.committed;
    encode_ok(&h, slot0_new);
    for (size_t t = 0; t <= SLOT; t++) {
        tear(trailer, slot0_old, slot0_new, t);
        assert_status(cf2_rh_pick(trailer, TRAILER, &d, &idx), CF2_RH_OK);
        if (t > 96 || memcmp(trailer, slot0_new, SLOT) == 0) {
            assert_int_equal(idx, 0);
            assert_int_equal(d.sequence, 8);
        } else {
            assert_int_equal(idx, 1);
            assert_int_equal(d.sequence, 7);
        }
    }
}

/* ---------------------------------------------------------------- picking (doc 6) */

static void make_slot(uint8_t *slot, uint64_t seq)
{
    struct cf2_restart_header h = midcopy_header();
    h.sequence = seq;
    encode_ok(&h, slot);
}

static void garbage_slot(uint8_t *slot)
{
    make_slot(slot, 2);
    slot[40] ^= 0x10; /* damaged: bad CRC */
}

/* doc 6: every combination of slot states. */
static void pick_combinations(void **state)
{
    static uint8_t t[TRAILER];
    struct cf2_restart_header d;
    unsigned idx;
    (void)state;

    /* none valid: both empty, both damaged, one of each */
    memset(t, 0, TRAILER);
    idx = 99;
    memset(&d, 0x5A, sizeof d);
    assert_status(cf2_rh_pick(t, TRAILER, &d, &idx), CF2_RH_NO_VALID_SLOT);
    assert_int_equal(idx, 99);
    assert_int_equal(((uint8_t *)&d)[0], 0x5A);
    garbage_slot(t);
    garbage_slot(t + SLOT);
    assert_status(cf2_rh_pick(t, TRAILER, &d, &idx), CF2_RH_NO_VALID_SLOT);
    memset(t + SLOT, 0, SLOT);
    assert_status(cf2_rh_pick(t, TRAILER, &d, &idx), CF2_RH_NO_VALID_SLOT);

    /* only slot 0 valid (slot 1 empty, or damaged) */
    make_slot(t, 0);
    memset(t + SLOT, 0, SLOT);
    assert_status(cf2_rh_pick(t, TRAILER, &d, &idx), CF2_RH_OK);
    assert_int_equal(idx, 0);
    assert_int_equal(d.sequence, 0);
    garbage_slot(t + SLOT);
    assert_status(cf2_rh_pick(t, TRAILER, &d, &idx), CF2_RH_OK);
    assert_int_equal(idx, 0);

    /* only slot 1 valid */
    make_slot(t + SLOT, 9);
    garbage_slot(t);
    assert_status(cf2_rh_pick(t, TRAILER, &d, &idx), CF2_RH_OK);
    assert_int_equal(idx, 1);
    assert_int_equal(d.sequence, 9);
    memset(t, 0, SLOT);
    assert_status(cf2_rh_pick(t, TRAILER, &d, &idx), CF2_RH_OK);
    assert_int_equal(idx, 1);

    /* both valid, slot 0 newer */
    make_slot(t, 8);
    make_slot(t + SLOT, 7);
    assert_status(cf2_rh_pick(t, TRAILER, &d, &idx), CF2_RH_OK);
    assert_int_equal(idx, 0);
    assert_int_equal(d.sequence, 8);

    /* both valid, slot 1 newer */
    make_slot(t, 6);
    assert_status(cf2_rh_pick(t, TRAILER, &d, &idx), CF2_RH_OK);
    assert_int_equal(idx, 1);
    assert_int_equal(d.sequence, 7);

    /* both valid, far apart (stale slot): still the highest wins */
    make_slot(t, UINT64_C(0x100000000));
    assert_status(cf2_rh_pick(t, TRAILER, &d, &idx), CF2_RH_OK);
    assert_int_equal(idx, 0);
    assert_int_equal(d.sequence, UINT64_C(0x100000000));

    /* out and slot_index may be NULL */
    assert_status(cf2_rh_pick(t, TRAILER, NULL, NULL), CF2_RH_OK);
}

/* doc 4.4, doc 6: equal sequences in both slots (e.g. a slot copied over the
 * other): the slot whose index is not the sequence's parity is WRONG_SLOT,
 * and the other is picked. */
static void pick_equal_sequences(void **state)
{
    static uint8_t t[TRAILER];
    struct cf2_restart_header d;
    unsigned idx;
    (void)state;

    make_slot(t, 6);
    make_slot(t + SLOT, 6);
    assert_status(cf2_rh_decode_slot(t, TRAILER, 0, NULL), CF2_RH_OK);
    assert_status(cf2_rh_decode_slot(t, TRAILER, 1, NULL), CF2_RH_WRONG_SLOT);
    assert_status(cf2_rh_pick(t, TRAILER, &d, &idx), CF2_RH_OK);
    assert_int_equal(idx, 0);
    assert_int_equal(d.sequence, 6);

    make_slot(t, 7);
    make_slot(t + SLOT, 7);
    assert_status(cf2_rh_decode_slot(t, TRAILER, 0, NULL), CF2_RH_WRONG_SLOT);
    assert_status(cf2_rh_pick(t, TRAILER, &d, &idx), CF2_RH_OK);
    assert_int_equal(idx, 1);
    assert_int_equal(d.sequence, 7);

    /* Valid bytes in the wrong slot alone: no header. */
    make_slot(t, 7);
    memset(t + SLOT, 0, SLOT);
    assert_status(cf2_rh_pick(t, TRAILER, &d, &idx), CF2_RH_NO_VALID_SLOT);
    /* Swapped slots (6 in slot 1, 7 in slot 0): neither is valid. */
    make_slot(t, 7);
    make_slot(t + SLOT, 6);
    assert_status(cf2_rh_pick(t, TRAILER, &d, &idx), CF2_RH_NO_VALID_SLOT);
}

/* doc 6: pick looks at the last 8192 bytes of what it is given, so a longer
 * tail of the file works and a buffer not ending at the trailer does not. */
static void pick_from_file_tail(void **state)
{
    static uint8_t buf[3 * SLOT + TRAILER];
    struct cf2_restart_header d;
    unsigned idx;
    (void)state;

    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)rnd64();
    make_slot(buf + sizeof buf - TRAILER, 4);
    make_slot(buf + sizeof buf - SLOT, 5);
    assert_status(cf2_rh_pick(buf, sizeof buf, &d, &idx), CF2_RH_OK);
    assert_int_equal(idx, 1);
    assert_int_equal(d.sequence, 5);
    assert_status(cf2_rh_pick(buf + sizeof buf - TRAILER, TRAILER, &d, &idx), CF2_RH_OK);
    assert_int_equal(d.sequence, 5);
    /* A file with 1 byte appended (so the trailer is no longer at the end). */
    assert_status(cf2_rh_pick(buf + 1, sizeof buf - 1, &d, &idx), CF2_RH_OK);
    assert_status(cf2_rh_pick(buf, sizeof buf - 1, &d, &idx), CF2_RH_NO_VALID_SLOT);
}

/* doc 6: input shorter than the trailer is TRUNCATED, as is a slot index
 * past the trailer. */
static void pick_truncated_lengths(void **state)
{
    static uint8_t t[TRAILER];
    static const size_t lens[] = { 0, 1, 96, 4095, 4096, 4097, 8191 };
    unsigned idx = 99;
    (void)state;

    make_slot(t, 0);
    make_slot(t + SLOT, 1);
    assert_status(cf2_rh_pick(NULL, 0, NULL, &idx), CF2_RH_TRUNCATED);
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        assert_status(cf2_rh_pick(t, lens[i], NULL, &idx), CF2_RH_TRUNCATED);
        assert_status(cf2_rh_decode_slot(t, lens[i], 0, NULL), CF2_RH_TRUNCATED);
    }
    assert_int_equal(idx, 99);
    assert_status(cf2_rh_decode_slot(t, TRAILER, 2, NULL), CF2_RH_TRUNCATED);
    assert_status(cf2_rh_pick(t, TRAILER, NULL, &idx), CF2_RH_OK);
    assert_int_equal(idx, 1);
}

/* doc 6: a damaged newer slot, bit by bit over its header, falls back to the
 * older slot. */
static void pick_bit_flips_fall_back(void **state)
{
    static uint8_t t[TRAILER];
    struct cf2_restart_header d;
    unsigned idx;
    (void)state;

    make_slot(t, 10);
    make_slot(t + SLOT, 11);
    for (size_t bit = 0; bit < 96 * 8; bit++) {
        t[SLOT + bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_status(cf2_rh_pick(t, TRAILER, &d, &idx), CF2_RH_OK);
        assert_int_equal(idx, 0);
        assert_int_equal(d.sequence, 10);
        t[SLOT + bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
}

/* doc 6, doc 8 (commit protocol): next_slot alternates from slot 0, and a run of
 * commits always leaves the last one picked. */
static void next_slot_and_commit_sequence(void **state)
{
    static uint8_t t[TRAILER];
    struct cf2_restart_header h = fresh_header(), d, *cur = NULL;
    unsigned idx;
    (void)state;

    assert_int_equal(cf2_rh_next_slot(NULL), 0);
    h.sequence = 0;
    assert_int_equal(cf2_rh_next_slot(&h), 1);
    h.sequence = 1;
    assert_int_equal(cf2_rh_next_slot(&h), 0);
    h.sequence = UINT64_C(0xFFFFFFFFFFFFFFFD);
    assert_int_equal(cf2_rh_next_slot(&h), 0);

    h = fresh_header();
    h.chunk_size = 4096;
    h.source_size = 10 * 4096 + 100;
    memset(t, 0, TRAILER);
    assert_status(cf2_rh_pick(t, TRAILER, &d, &idx), CF2_RH_NO_VALID_SLOT);
    for (int i = 0; i <= 11; i++) {
        unsigned slot = cf2_rh_next_slot(cur);
        h.sequence = cur ? cur->sequence + 1 : 0;
        h.committed = i <= 10 ? (uint64_t)i * 4096 : h.source_size;
        encode_ok(&h, t + (size_t)slot * SLOT);
        assert_status(cf2_rh_pick(t, TRAILER, &d, &idx), CF2_RH_OK);
        assert_int_equal(idx, slot);
        assert_header_equal(&d, &h);
        cur = &d;
    }
}

/* The status names are distinct and total. */
static void status_names(void **state)
{
    (void)state;
    for (int a = CF2_RH_OK; a <= CF2_RH_NO_VALID_SLOT; a++) {
        const char *na = cf2_rh_status_name((enum cf2_rh_status)a);
        assert_non_null(na);
        assert_true(strncmp(na, "CF2_RH_", 7) == 0);
        assert_string_not_equal(na, "CF2_RH_UNKNOWN_STATUS");
        for (int b = CF2_RH_OK; b < a; b++)
            assert_string_not_equal(na, cf2_rh_status_name((enum cf2_rh_status)b));
    }
    assert_string_equal(cf2_rh_status_name(CF2_RH_OK), "CF2_RH_OK");
    assert_string_equal(cf2_rh_status_name(CF2_RH_TORN), "CF2_RH_TORN");
    assert_string_equal(cf2_rh_status_name((enum cf2_rh_status)(CF2_RH_NO_VALID_SLOT + 1)),
                        "CF2_RH_UNKNOWN_STATUS");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden_fresh_slot),
        cmocka_unit_test(golden_midcopy_slot),
        cmocka_unit_test(golden_two_slot_trailer),
        cmocka_unit_test(golden_paused_file),
        cmocka_unit_test(regenerate_fuzz_seeds),
        cmocka_unit_test(trailer_offset_table),
        cmocka_unit_test(layout_constants),
        cmocka_unit_test(file_size_check),
        cmocka_unit_test(field_offsets),
        cmocka_unit_test(encode_ignores_version_fields),
        cmocka_unit_test(round_trip_random),
        cmocka_unit_test(encode_rejects_invalid_fields),
        cmocka_unit_test(valid_field_edges),
        cmocka_unit_test(each_field_corrupted_rejected),
        cmocka_unit_test(each_field_damaged_rejected),
        cmocka_unit_test(each_source_fact_mismatch),
        cmocka_unit_test(every_single_bit_flip_rejected),
        cmocka_unit_test(extension_accepted),
        cmocka_unit_test(decode_truncated_lengths),
        cmocka_unit_test(empty_and_foreign_slots),
        cmocka_unit_test(torn_first_write_over_zeros),
        cmocka_unit_test(torn_next_write_over_previous),
        cmocka_unit_test(torn_twice),
        cmocka_unit_test(torn_commit_in_trailer_falls_back),
        cmocka_unit_test(pick_combinations),
        cmocka_unit_test(pick_equal_sequences),
        cmocka_unit_test(pick_from_file_tail),
        cmocka_unit_test(pick_truncated_lengths),
        cmocka_unit_test(pick_bit_flips_fall_back),
        cmocka_unit_test(next_slot_and_commit_sequence),
        cmocka_unit_test(status_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
