/*
 * crc32c.h - CRC-32C (Castagnoli), the checksum of the restart header and,
 * later, of copied data.  No Windows API: built into the DLL and natively.
 *
 * Parameters (the "CRC-32/ISCSI" of the CRC catalogues):
 *   polynomial 0x1EDC6F41, processed reflected (0x82F63B78),
 *   initial value 0xFFFFFFFF, final XOR 0xFFFFFFFF, input and output
 *   reflected.  Check value: CRC of the ASCII bytes "123456789" = 0xE3069283.
 */
#ifndef CF2_CRC32C_H
#define CF2_CRC32C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Continues a CRC-32C over len more bytes.  Start with crc = 0; pass the
 * previous result to go on, so that
 *     cf2_crc32c(cf2_crc32c(0, a, na), b, nb) == CRC-32C of a followed by b.
 * (The pre- and post-inversion happen inside, as in zlib's crc32().)
 * data may be NULL when len is 0.  Any alignment, any host byte order. */
uint32_t cf2_crc32c(uint32_t crc, const void *data, size_t len);

/* The slicing-by-8 tables, exposed read-only so that the unit test can
 * check every entry against the polynomial.  Entry [0][n] is the CRC
 * register after shifting byte n through it; [k][n] is [k-1][n] advanced
 * by one more zero byte.  Not for use outside crc32c.c and its test. */
extern const uint32_t cf2_crc32c_table[8][256];

#ifdef __cplusplus
}
#endif

#endif /* CF2_CRC32C_H */
