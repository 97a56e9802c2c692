/*
 * test_crc32c.c - host-native tests of dll/crc32c.c.
 *
 * Clauses checked (dll/crc32c.h and docs/restart-header.md section
 * "Checksum"): the CRC-32C parameters (check value, published vectors),
 * chaining, independence from alignment and length, and every table entry.
 *
 * CF2_PRINT_CRC32C_TABLE=1 prints the table that dll/crc32c.c embeds,
 * derived here from the polynomial: this test is its generator.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crc32c.h"

#define POLY_REFLECTED 0x82F63B78u

/* The definition, one bit at a time: the reference everything is compared to. */
static uint32_t crc32c_bitwise(uint32_t crc, const uint8_t *p, size_t len)
{
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc >> 1) ^ ((crc & 1u) ? POLY_REFLECTED : 0u);
    }
    return ~crc;
}

static void derive_table(uint32_t t[8][256])
{
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int b = 0; b < 8; b++)
            c = (c >> 1) ^ ((c & 1u) ? POLY_REFLECTED : 0u);
        t[0][n] = c;
    }
    for (int k = 1; k < 8; k++)
        for (int n = 0; n < 256; n++)
            t[k][n] = (t[k - 1][n] >> 8) ^ t[0][t[k - 1][n] & 0xFF];
}

/* Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
static uint32_t rng_state = 0x12345678u;
static uint8_t next_byte(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return (uint8_t)(rng_state >> 24);
}

/* Clause: check value of CRC-32C ("123456789" -> 0xE3069283). */
static void check_value_123456789(void **state)
{
    (void)state;
    assert_int_equal(cf2_crc32c(0, "123456789", 9), 0xE3069283u);
    assert_int_equal(crc32c_bitwise(0, (const uint8_t *)"123456789", 9), 0xE3069283u);
}

/* Clause: published vectors of RFC 3720 (iSCSI) appendix B.4. */
static void rfc3720_vectors(void **state)
{
    uint8_t buf[32];
    (void)state;

    memset(buf, 0x00, sizeof buf);
    assert_int_equal(cf2_crc32c(0, buf, sizeof buf), 0x8A9136AAu);
    memset(buf, 0xFF, sizeof buf);
    assert_int_equal(cf2_crc32c(0, buf, sizeof buf), 0x62A8AB43u);
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)i;
    assert_int_equal(cf2_crc32c(0, buf, sizeof buf), 0x46DD794Eu);
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)(31 - i);
    assert_int_equal(cf2_crc32c(0, buf, sizeof buf), 0x113FDB5Cu);
}

/* Clause: an empty input leaves the CRC unchanged; NULL is allowed then. */
static void empty_input(void **state)
{
    (void)state;
    assert_int_equal(cf2_crc32c(0, NULL, 0), 0u);
    assert_int_equal(cf2_crc32c(0xE3069283u, NULL, 0), 0xE3069283u);
    assert_int_equal(cf2_crc32c(0x12345678u, "", 0), 0x12345678u);
}

/* Clause: chaining, cf2_crc32c(cf2_crc32c(0, a), b) == CRC(a || b), at
 * every split point (the split crosses the 8-byte steps in every phase). */
static void chaining_every_split(void **state)
{
    uint8_t buf[300];
    (void)state;

    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = next_byte();
    uint32_t whole = cf2_crc32c(0, buf, sizeof buf);
    assert_int_equal(whole, crc32c_bitwise(0, buf, sizeof buf));
    for (size_t split = 0; split <= sizeof buf; split++) {
        uint32_t c = cf2_crc32c(0, buf, split);
        assert_int_equal(cf2_crc32c(c, buf + split, sizeof buf - split), whole);
    }
}

/* Clause: slicing by 8 equals the bitwise definition for every length
 * 0..1100 at every start alignment 0..15. */
static void matches_bitwise_all_lengths_alignments(void **state)
{
    enum { MAXLEN = 1100, ALIGNS = 16 };
    static uint8_t buf[MAXLEN + ALIGNS];
    (void)state;

    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = next_byte();
    for (size_t a = 0; a < ALIGNS; a++)
        for (size_t len = 0; len <= MAXLEN; len++)
            assert_int_equal(cf2_crc32c(0, buf + a, len),
                             crc32c_bitwise(0, buf + a, len));
}

/* Clause: every entry of the embedded slicing tables follows from the
 * polynomial. */
static void table_matches_polynomial(void **state)
{
    static uint32_t t[8][256];
    (void)state;

    derive_table(t);
    for (int k = 0; k < 8; k++)
        for (int n = 0; n < 256; n++) {
            if (cf2_crc32c_table[k][n] != t[k][n])
                fail_msg("table[%d][%d] = 0x%08x, expected 0x%08x", k, n,
                         (unsigned)cf2_crc32c_table[k][n], (unsigned)t[k][n]);
        }
}

/* Clause: large inputs (the data path) agree with the definition, and the
 * chunked computation of a large buffer equals the one-shot one. */
static void large_buffer(void **state)
{
    enum { SIZE = 1 << 20 };
    uint8_t *buf = malloc(SIZE);
    (void)state;

    assert_non_null(buf);
    for (size_t i = 0; i < SIZE; i++)
        buf[i] = next_byte();
    uint32_t whole = cf2_crc32c(0, buf, SIZE);
    assert_int_equal(whole, crc32c_bitwise(0, buf, SIZE));
    uint32_t c = 0;
    for (size_t off = 0; off < SIZE; off += 4093)
        c = cf2_crc32c(c, buf + off, SIZE - off < 4093 ? SIZE - off : 4093);
    assert_int_equal(c, whole);
    free(buf);
}

static void print_table(void)
{
    static uint32_t t[8][256];

    derive_table(t);
    printf("const uint32_t cf2_crc32c_table[8][256] = {\n");
    for (int k = 0; k < 8; k++) {
        printf("    { /* table %d */\n", k);
        for (int n = 0; n < 256; n += 6) {
            printf("        ");
            for (int j = n; j < n + 6 && j < 256; j++)
                printf("0x%08xu%s", (unsigned)t[k][j],
                       j == 255 ? "" : (j == n + 5 ? "," : ", "));
            printf("\n");
        }
        printf("    }%s\n", k < 7 ? "," : "");
    }
    printf("};\n");
}

int main(void)
{
    const char *print = getenv("CF2_PRINT_CRC32C_TABLE");
    if (print && strcmp(print, "1") == 0) {
        print_table();
        return 0;
    }

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(check_value_123456789),
        cmocka_unit_test(rfc3720_vectors),
        cmocka_unit_test(empty_input),
        cmocka_unit_test(chaining_every_split),
        cmocka_unit_test(matches_bitwise_all_lengths_alignments),
        cmocka_unit_test(table_matches_polynomial),
        cmocka_unit_test(large_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
