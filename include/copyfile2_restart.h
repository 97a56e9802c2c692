/*
 * copyfile2_restart.h - the restart header of a paused or restartable copy:
 * its on-disk layout and a codec for it.  No Windows API, so that tools on
 * any system can inspect a paused destination file.
 *
 * The full specification is docs/restart-header.md; in brief:
 *
 *   A paused/restartable destination is laid out as
 *
 *     [0, S)            data copied so far (S = size of the source)
 *     [S, R)            zeros; R = S rounded up to a multiple of 4096
 *     [R, R + 4096)     slot 0
 *     [R + 4096, R + 8192)  slot 1
 *
 *   so the file is exactly R + 8192 bytes long and the trailer is always its
 *   last 8192 bytes.  Each commit writes the next slot (alternately) with a
 *   sequence number one higher; a reader takes the valid slot with the
 *   highest sequence.  On completion the file is truncated back to S.
 *
 *   Slot layout, version 1 (all integers little-endian):
 *
 *     offset size field
 *          0    8 magic "CF2RSTHD" (ASCII, no terminator)
 *          8    2 version (1)
 *         10    2 header_size: bytes in use, multiple of 8, 96..4096 (96 in v1)
 *         12    4 reserved, zero
 *         16    8 sequence; slot index = sequence & 1; never 2^64-1
 *         24    8 source_size (S)
 *         32    8 source_mtime (FILETIME as a 64-bit count of 100 ns)
 *         40    8 committed: every byte before it is written and flushed
 *         48   16 file_id (source file identity, 128 bits)
 *         64    4 volume_serial (of the source's volume)
 *         68    4 chunk_size (bytes per copy cycle, > 0)
 *         72    4 stream (1 = the unnamed data stream)
 *         76    4 copy_flags (dwCopyFlags as given)
 *         80    4 crc32c over [0, 80) then [84, header_size)
 *         84    4 reserved, zero
 *         88    8 sequence_check = bitwise NOT of sequence; in general at
 *                 header_size - 8 (it ends the header)
 *         96 4000 zero (more generally [header_size, 4096) is zero)
 */
#ifndef COPYFILE2_RESTART_H
#define COPYFILE2_RESTART_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The eight magic bytes at offset 0 of a slot.  A string literal so that
 * tools can print it; only its first 8 bytes (not the NUL) are stored. */
#define CF2_RH_MAGIC "CF2RSTHD"

/* Largest source size a restart header can describe: the largest S for
 * which R + 8192 still fits in a signed 64-bit file size (Windows file
 * sizes are LONGLONG).  It is itself a multiple of 4096, so R = S there. */
#define CF2_RH_MAX_SOURCE_SIZE UINT64_C(0x7FFFFFFFFFFFD000)

/* Sizes and versions. */
enum {
    CF2_RH_ALIGNMENT = 4096,        /* R is S rounded up to this */
    CF2_RH_SLOT_SIZE = 4096,        /* one slot */
    CF2_RH_SLOT_COUNT = 2,
    CF2_RH_TRAILER_SIZE = 8192,     /* both slots: the last bytes of the file */
    CF2_RH_MAGIC_SIZE = 8,
    CF2_RH_VERSION = 1,             /* the only version this codec reads */
    CF2_RH_HEADER_SIZE_V1 = 96,     /* header_size written by this codec and
                                       the smallest a version 1 reader accepts */
    CF2_RH_FILE_ID_SIZE = 16
};

/* Byte offsets of the fields inside a slot (version 1). */
enum {
    CF2_RH_OFF_MAGIC = 0,
    CF2_RH_OFF_VERSION = 8,
    CF2_RH_OFF_HEADER_SIZE = 10,
    CF2_RH_OFF_RESERVED0 = 12,
    CF2_RH_OFF_SEQUENCE = 16,
    CF2_RH_OFF_SOURCE_SIZE = 24,
    CF2_RH_OFF_SOURCE_MTIME = 32,
    CF2_RH_OFF_COMMITTED = 40,
    CF2_RH_OFF_FILE_ID = 48,
    CF2_RH_OFF_VOLUME_SERIAL = 64,
    CF2_RH_OFF_CHUNK_SIZE = 68,
    CF2_RH_OFF_STREAM = 72,
    CF2_RH_OFF_COPY_FLAGS = 76,
    CF2_RH_OFF_CRC = 80,
    CF2_RH_OFF_RESERVED1 = 84,
    /* Compatible extensions of version 1 go in [88, header_size - 8). */
    CF2_RH_OFF_EXTENSION = 88,
    /* The sequence check always occupies the last 8 bytes of the header:
     * offset header_size - 8, which is 88 when header_size is 96. */
    CF2_RH_OFF_SEQUENCE_CHECK_V1 = 88
};

/* Result of decoding or picking.  Every reason has its own value so that
 * tests and diagnostics can tell them apart; only CF2_RH_OK means usable. */
enum cf2_rh_status {
    CF2_RH_OK = 0,
    CF2_RH_TRUNCATED,        /* fewer bytes than one slot (decode) or than the
                                trailer (decode_slot, pick) */
    CF2_RH_EMPTY,            /* the slot is all zeros: never written */
    CF2_RH_BAD_MAGIC,        /* bytes 0..7 are not CF2_RH_MAGIC */
    CF2_RH_BAD_VERSION,      /* version is not CF2_RH_VERSION */
    CF2_RH_BAD_HEADER_SIZE,  /* header_size < 96, > 4096 or not a multiple of 8 */
    CF2_RH_BAD_RESERVED,     /* a reserved field is not zero */
    CF2_RH_BAD_PADDING,      /* a byte in [header_size, 4096) is not zero */
    CF2_RH_TORN,             /* sequence_check is not ~sequence: a partial
                                (torn) write, or damage */
    CF2_RH_BAD_CHECKSUM,     /* the CRC-32C does not match */
    CF2_RH_BAD_SEQUENCE,     /* sequence is 2^64-1, which is reserved */
    CF2_RH_BAD_SOURCE_SIZE,  /* source_size > CF2_RH_MAX_SOURCE_SIZE */
    CF2_RH_BAD_CHUNK_SIZE,   /* chunk_size is 0 */
    CF2_RH_BAD_STREAM,       /* stream is 0 */
    CF2_RH_BAD_COMMITTED,    /* committed > source_size, or neither a multiple
                                of chunk_size nor source_size, or stream > 1
                                while committed != source_size */
    CF2_RH_WRONG_SLOT,       /* decode_slot: a valid slot found in the slot
                                its sequence does not select (sequence & 1) */
    CF2_RH_NO_VALID_SLOT     /* pick: neither slot is valid */
};

/* A decoded header.  Encoding ignores version and header_size and always
 * writes CF2_RH_VERSION and CF2_RH_HEADER_SIZE_V1; decoding reports what the
 * slot holds.  Field meanings are those of the layout above. */
struct cf2_restart_header {
    uint16_t version;
    uint16_t header_size;
    uint64_t sequence;
    uint64_t source_size;
    uint64_t source_mtime;
    uint32_t volume_serial;
    uint8_t file_id[CF2_RH_FILE_ID_SIZE];
    uint32_t chunk_size;
    uint64_t committed;
    uint32_t stream;
    uint32_t copy_flags;
};

/* R: where the trailer starts for a source of source_size bytes (source_size
 * rounded up to a multiple of 4096; 0 stays 0).  UINT64_MAX when
 * source_size > CF2_RH_MAX_SOURCE_SIZE. */
uint64_t cf2_rh_trailer_offset(uint64_t source_size);

/* R + 8192: the size of a paused/restartable destination file.  UINT64_MAX
 * when source_size > CF2_RH_MAX_SOURCE_SIZE. */
uint64_t cf2_rh_file_size(uint64_t source_size);

/* Writes the CF2_RH_SLOT_SIZE bytes of the slot describing *h (version 1,
 * header_size 96, CRC and sequence check computed).  Returns CF2_RH_OK, or
 * the reason the header is not valid (the same field rules as decoding:
 * CF2_RH_BAD_SEQUENCE, _SOURCE_SIZE, _CHUNK_SIZE, _STREAM, _COMMITTED); on
 * failure the slot is all zeros, so it is never mistaken for a valid one. */
enum cf2_rh_status cf2_rh_encode(const struct cf2_restart_header *h,
                                 uint8_t slot[CF2_RH_SLOT_SIZE]);

/* Validates the slot at slot[0 .. CF2_RH_SLOT_SIZE) (bytes past that, if len
 * is larger, are not looked at).  On CF2_RH_OK fills *out (when out is not
 * NULL); on any other result *out is left untouched.  slot may be NULL when
 * len is 0.  Does not check the slot's position; cf2_rh_pick does. */
enum cf2_rh_status cf2_rh_decode(const uint8_t *slot, size_t len,
                                 struct cf2_restart_header *out);

/* Decodes slot index (0 or 1) of the trailer held in the last
 * CF2_RH_TRAILER_SIZE bytes of tail[0 .. len), as cf2_rh_decode does, and
 * also requires index == (sequence & 1): CF2_RH_WRONG_SLOT otherwise.
 * CF2_RH_TRUNCATED when len < 8192 or index > 1.  *out (when not NULL) is
 * filled only on CF2_RH_OK.  For tools that report on each slot. */
enum cf2_rh_status cf2_rh_decode_slot(const uint8_t *tail, size_t len, unsigned index,
                                      struct cf2_restart_header *out);

/* Finds the restart header in the last CF2_RH_TRAILER_SIZE bytes of
 * tail[0 .. len): pass the trailer itself, or any longer buffer that ends at
 * the end of the file.  A slot is valid when cf2_rh_decode_slot returns
 * CF2_RH_OK for it; of the valid slots the higher sequence wins (two valid
 * slots never share a sequence, since their parities differ).  Returns
 * CF2_RH_OK and fills *out and *slot_index (each when not NULL), or
 * CF2_RH_TRUNCATED (len < 8192) or CF2_RH_NO_VALID_SLOT, leaving them
 * untouched.  The caller still checks cf2_rh_matches_file_size and
 * cf2_rh_matches_source before resuming. */
enum cf2_rh_status cf2_rh_pick(const uint8_t *tail, size_t len,
                               struct cf2_restart_header *out, unsigned *slot_index);

/* 1 when the header describes this source unchanged: same size, last-write
 * time, volume serial and 128-bit file id, all compared exactly; else 0. */
int cf2_rh_matches_source(const struct cf2_restart_header *h, uint64_t size,
                          uint64_t mtime, uint32_t volume_serial,
                          const uint8_t file_id[CF2_RH_FILE_ID_SIZE]);

/* 1 when a destination of file_size bytes has the length the header implies
 * (cf2_rh_file_size(h->source_size)); 0 means the file was truncated or
 * extended, so its trailer is not where the header says. */
int cf2_rh_matches_file_size(const struct cf2_restart_header *h, uint64_t file_size);

/* The slot the next commit writes: 0 for the first commit (current is NULL),
 * else (current->sequence + 1) & 1.  The next sequence is
 * current->sequence + 1, or 0 for the first commit. */
unsigned cf2_rh_next_slot(const struct cf2_restart_header *current_or_null);

/* The enumerator's name, e.g. "CF2_RH_BAD_CHECKSUM"; "CF2_RH_UNKNOWN_STATUS"
 * for a value outside the enumeration.  Never NULL. */
const char *cf2_rh_status_name(enum cf2_rh_status status);

#ifdef __cplusplus
}
#endif

#endif /* COPYFILE2_RESTART_H */
