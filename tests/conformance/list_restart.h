/* list_restart.h - the "restart" area's tests, in the registry's X format
 * (see registry.c): X(area, name, fn, param, clause, mark, needs, what).
 * The tests are in test_restart.c, which also uses the parameter constants
 * below. */
#ifndef CF2_LIST_RESTART_H
#define CF2_LIST_RESTART_H

/* restart_pause_at_chunk: the chunk, + CF2_RS_AT_FINISHED to answer PAUSE to
 * its CHUNK_FINISHED rather than its CHUNK_STARTED. */
#define CF2_RS_AT_FINISHED 0x10

/* restart_resealed_newest_slot: the edit made to the newest slot (with its
 * sequence_check and CRC recomputed). */
#define CF2_RS_VERSION_2 0
#define CF2_RS_HEADER_SIZE_104 1
#define CF2_RS_SEQUENCE_PLUS_2 2
#define CF2_RS_SEQUENCE_ODD 3
#define CF2_RS_SOURCE_SIZE 4
#define CF2_RS_SOURCE_MTIME 5
#define CF2_RS_FILE_ID 6
#define CF2_RS_VOLUME_SERIAL 7
#define CF2_RS_COMMITTED_LOWER 8
#define CF2_RS_COMMITTED_UNALIGNED 9
#define CF2_RS_COMMITTED_PAST_END 10
#define CF2_RS_CHUNK_SIZE_0 11
#define CF2_RS_CHUNK_SIZE_4096 12
#define CF2_RS_STREAM_0 13
#define CF2_RS_STREAM_2 14
#define CF2_RS_COPY_FLAGS 15
#define CF2_RS_RESERVED0 16
#define CF2_RS_RESERVED1 17
#define CF2_RS_PADDING 18
#define CF2_RS_RESEAL_CASES 19

/* restart_damage: what is changed between the pause and the resume. */
#define CF2_RD_NONE 0
#define CF2_RD_BOTH_SLOTS 1
#define CF2_RD_NEWEST_ZEROED 2
#define CF2_RD_OLDER_DAMAGED 3
#define CF2_RD_SLOTS_SWAPPED 4
#define CF2_RD_TRUNCATE_1 5
#define CF2_RD_TRUNCATE_TO_DATA 6
#define CF2_RD_TRUNCATE_TO_0 7
#define CF2_RD_EXTEND_1 8
#define CF2_RD_SOURCE_SIZE 9
#define CF2_RD_SOURCE_MTIME 10
#define CF2_RD_SOURCE_REPLACED 11

#define CF2_LIST_RESTART(X)                                                                              \
    /* ---- PAUSE and resume (contract 4, 8.1) ---- */                                                 \
    X(restart, pause_chunk0_started, restart_pause_at_chunk, 0, "4/8.1", DOC, 0,                         \
      "PAUSE at CHUNK_STARTED of the first chunk: 0x80070BEA/3050, one STREAM_FINISHED; resume "         \
      "(RESUME_FROM_PAUSE, FAIL_IF_EXISTS|RESUME_FROM_PAUSE) byte-identical, time and READONLY at the end") \
    X(restart, pause_chunk0_finished, restart_pause_at_chunk, 0 | CF2_RS_AT_FINISHED, "4/8.1", DOC, 0,   \
      "PAUSE at CHUNK_FINISHED of the first chunk: as above, resume from 1 MiB")                        \
    X(restart, pause_chunk1_started, restart_pause_at_chunk, 1, "4/8.1", DOC, 0,                         \
      "PAUSE at CHUNK_STARTED of a middle chunk: as above, resume from 1 MiB")                          \
    X(restart, pause_chunk1_finished, restart_pause_at_chunk, 1 | CF2_RS_AT_FINISHED, "4/8.1", DOC, 0,   \
      "PAUSE at CHUNK_FINISHED of a middle chunk: as above, resume from 2 MiB")                         \
    X(restart, pause_chunk3_started, restart_pause_at_chunk, 3, "4/8.1", DOC, 0,                         \
      "PAUSE at CHUNK_STARTED of the last (partial) chunk: as above, resume from 3 MiB")                \
    X(restart, pause_chunk3_finished, restart_pause_at_chunk, 3 | CF2_RS_AT_FINISHED, "4/8.1", DOC, 0,   \
      "PAUSE at CHUNK_FINISHED of the last chunk: paused with all data committed; resume sends no chunk") \
    X(restart, pause_before_data, restart_pause_before_data, 3 * 1048576 + 524288 + 123, "9.9", OURS, 0, \
      "PAUSE at STREAM_STARTED: paused, R + 8192 bytes, header committed 0; resume copies everything")  \
    X(restart, pause_before_data_empty_source, restart_pause_before_data, 0, "9.9", OURS, 0,            \
      "PAUSE at STREAM_STARTED of a 0-byte source: an 8192-byte file with a header; resume: 0 bytes")   \
    X(restart, pause_at_final_stream_finished, restart_pause_at_final_stream_finished, 0, "4", DOC, 0,   \
      "PAUSE to the final STREAM_FINISHED (plain, RESTARTABLE): S_OK, no header, final size and time")  \
    X(restart, paused_file_format, restart_paused_file_format, 0, "issue4/format", OURS, 0,             \
      "paused file read with the suite's own reader of docs/restart-header.md: size, both slots, every " \
      "field, CRC-32C, source identity, gap zeros, last-write time 1980-01-01")                          \
    X(restart, pause_while_throttled, restart_pause_while_throttled, 0, "4/9.16", OURS, 0,               \
      "PAUSE to POLL_CONTINUE mid-chunk (ioDesiredRate): committed is the chunk boundary before it")    \
    X(restart, resume_progress, restart_resume_progress, 0, "issue4/progress", OURS, 0,                  \
      "resumed call: STREAM_STARTED full sizes, first chunk committed/chunk, counters from committed")  \
    X(restart, resume_chunk_size_4096, restart_resume_other_chunk_size, 4096, "9.16/issue4", OURS, 0,    \
      "paused with 64 KiB chunks, resumed with ioDesiredSize 4096: starts at committed, byte-identical") \
    X(restart, resume_chunk_size_100000, restart_resume_other_chunk_size, 100000, "9.16/issue4", OURS, 0, \
      "resumed with ioDesiredSize 100000: starts at committed rounded down (100000), byte-identical")   \
    X(restart, resume_chunk_size_131072, restart_resume_other_chunk_size, 131072, "9.16/issue4", OURS, 0, \
      "resumed with ioDesiredSize 128 KiB: starts at 131072, byte-identical")                           \
    X(restart, resume_chunk_size_1MiB, restart_resume_other_chunk_size, 1048576, "9.16/issue4", OURS, 0, \
      "resumed with 1 MiB chunks (more than committed): starts at 0, byte-identical")                   \
    /* ---- restartable copies, STOP, errors (4, 8.1, 9.8, 9.11) ---- */                              \
    X(restart, pause_restartable_long_path, restart_pause_restartable_long_path, 0, "9.8/10", OBS, 0,   \
      "long-path harness: \\\\?\\ paths, RESTARTABLE answered PAUSE at once: ERROR_REQUEST_PAUSED; "    \
      "RESUME_FROM_PAUSE answered QUIET: S_OK, byte-identical")                                          \
    X(restart, pause_restartable_long_path_chunk1, restart_pause_restartable_long_path, 1, "9.8/10",    \
      OBS, 0, "the same with PAUSE at CHUNK_FINISHED of chunk 1 (header committed 2 MiB)")              \
    X(restart, stop_restartable_resumes, restart_stop_restartable_resumes, 0, "4/8.1", DOC, 0,           \
      "STOP on RESTARTABLE|NO_BUFFERING: ERROR_REQUEST_ABORTED, resumable fragment; the same call "     \
      "again resumes (first chunk > 0), byte-identical")                                                \
    X(restart, stop_restartable_old_routine, restart_stop_restartable_resumes, 1, "8.1/10", OBS, 0,     \
      "CopyFileEx-style routine (pProgressRoutineOld) answering PROGRESS_STOP on RESTARTABLE|"          \
      "NO_BUFFERING; the re-run resumes at chunk 2")                                                    \
    X(restart, stop_plain_not_resumable, restart_stop_plain_not_resumable, 0, "4/8.1", DOC, 0,          \
      "STOP without RESTARTABLE: fragment kept, no header; FAIL_IF_EXISTS|RESUME_FROM_PAUSE: "          \
      "ERROR_FILE_EXISTS, unchanged; RESUME_FROM_PAUSE copies from 0")                                   \
    X(restart, fault_write_restartable_resumes, restart_fault_restartable_resumes,                   \
      COPYFILE2_PHASE_WRITE_DESTINATION, "9.11", OURS,                                                  \
      CF2_NEEDS_SEAM, "write fault at chunk 2 of a RESTARTABLE copy: destination kept with a valid "    \
      "header; the next RESTARTABLE call starts at its committed offset, byte-identical")               \
    X(restart, fault_read_restartable_resumes, restart_fault_restartable_resumes,                    \
      COPYFILE2_PHASE_READ_SOURCE, "9.11", OURS,                                                        \
      CF2_NEEDS_SEAM, "read fault at chunk 2 of a RESTARTABLE copy: the same")                          \
    /* ---- FAIL_IF_EXISTS|RESUME_FROM_PAUSE (8.1) ---- */                                             \
    X(restart, fail_if_exists_resume_complete_copy, restart_fail_if_exists_resume, 0, "8.1", DOC, 0,    \
      "FAIL_IF_EXISTS|RESUME_FROM_PAUSE onto a complete earlier copy: ERROR_FILE_EXISTS, unchanged")    \
    X(restart, fail_if_exists_resume_readonly_copy, restart_fail_if_exists_resume, 1, "8.1/9.4", OURS,  \
      0, "onto a complete read-only copy: ERROR_FILE_EXISTS (as FAIL_IF_EXISTS alone), unchanged")      \
    X(restart, fail_if_exists_resume_hidden_copy, restart_fail_if_exists_resume, 7, "8.1/9.4", OURS,    \
      0, "onto a complete hidden copy: ERROR_FILE_EXISTS (as FAIL_IF_EXISTS alone), unchanged")         \
    X(restart, fail_if_exists_resume_plain_file, restart_fail_if_exists_resume, 2, "8.1", DOC, 0,       \
      "onto an unrelated file: ERROR_FILE_EXISTS, unchanged")                                           \
    X(restart, fail_if_exists_resume_zero_trailer, restart_fail_if_exists_resume, 3, "8.1", OURS, 0,    \
      "onto a file of R + 8192 bytes with zeros where the slots go: ERROR_FILE_EXISTS, unchanged")      \
    X(restart, fail_if_exists_resume_other_source, restart_fail_if_exists_resume, 4, "8.1/8.3", OURS,   \
      0, "onto a paused copy of another file (same size and time): ERROR_FILE_EXISTS, unchanged; "      \
      "that copy still resumes from its own source")                                                    \
    X(restart, fail_if_exists_resume_no_destination, restart_fail_if_exists_resume, 5, "8.1", DOC, 0,   \
      "no destination: a full copy, S_OK")                                                              \
    X(restart, fail_if_exists_resume_paused, restart_fail_if_exists_resume, 6, "8.1", DOC, 0,           \
      "onto a paused copy of the source: resumes (from the committed offset), S_OK")                    \
    /* ---- never a wrong result: damage between pause and resume (issue 4) ---- */                   \
    X(restart, damage_none_control, restart_damage, CF2_RD_NONE, "issue4/validation", OURS, 0,          \
      "damage base (two pauses, slots committed 65536 and 196608), nothing changed: resumes at 196608") \
    X(restart, corrupt_magic, restart_corrupt_newest_slot, 3, "issue4/validation", OURS, 0,             \
      "bit flipped in the newest slot's magic: falls back to the older slot, byte-identical")           \
    X(restart, corrupt_version, restart_corrupt_newest_slot, 8, "issue4/validation", OURS, 0,           \
      "bit flipped in version: falls back to the older slot")                                           \
    X(restart, corrupt_header_size, restart_corrupt_newest_slot, 10, "issue4/validation", OURS, 0,      \
      "bit flipped in header_size: falls back to the older slot")                                       \
    X(restart, corrupt_reserved0, restart_corrupt_newest_slot, 13, "issue4/validation", OURS, 0,        \
      "bit flipped in the reserved field at 12: falls back to the older slot")                          \
    X(restart, corrupt_sequence, restart_corrupt_newest_slot, 17, "issue4/validation", OURS, 0,         \
      "bit flipped in sequence: falls back to the older slot")                                          \
    X(restart, corrupt_source_size, restart_corrupt_newest_slot, 25, "issue4/validation", OURS, 0,      \
      "bit flipped in source_size: falls back to the older slot")                                       \
    X(restart, corrupt_source_mtime, restart_corrupt_newest_slot, 33, "issue4/validation", OURS, 0,     \
      "bit flipped in source_mtime: falls back to the older slot")                                      \
    X(restart, corrupt_committed, restart_corrupt_newest_slot, 41, "issue4/validation", OURS, 0,        \
      "bit flipped in committed: falls back to the older slot")                                         \
    X(restart, corrupt_file_id, restart_corrupt_newest_slot, 50, "issue4/validation", OURS, 0,          \
      "bit flipped in file_id (low half): falls back to the older slot")                                \
    X(restart, corrupt_file_id_high, restart_corrupt_newest_slot, 60, "issue4/validation", OURS, 0,     \
      "bit flipped in file_id (high half, zero for a 64-bit index): falls back to the older slot")      \
    X(restart, corrupt_volume_serial, restart_corrupt_newest_slot, 65, "issue4/validation", OURS, 0,    \
      "bit flipped in volume_serial: falls back to the older slot")                                     \
    X(restart, corrupt_chunk_size, restart_corrupt_newest_slot, 69, "issue4/validation", OURS, 0,       \
      "bit flipped in chunk_size: falls back to the older slot")                                        \
    X(restart, corrupt_stream, restart_corrupt_newest_slot, 72, "issue4/validation", OURS, 0,           \
      "bit flipped in stream: falls back to the older slot")                                            \
    X(restart, corrupt_copy_flags, restart_corrupt_newest_slot, 77, "issue4/validation", OURS, 0,       \
      "bit flipped in copy_flags: falls back to the older slot")                                        \
    X(restart, corrupt_crc, restart_corrupt_newest_slot, 81, "issue4/validation", OURS, 0,              \
      "bit flipped in crc32c: falls back to the older slot")                                            \
    X(restart, corrupt_reserved1, restart_corrupt_newest_slot, 85, "issue4/validation", OURS, 0,        \
      "bit flipped in the reserved field at 84: falls back to the older slot")                          \
    X(restart, corrupt_sequence_check, restart_corrupt_newest_slot, 90, "issue4/validation", OURS, 0,   \
      "bit flipped in sequence_check: falls back to the older slot")                                    \
    X(restart, corrupt_padding_first, restart_corrupt_newest_slot, 96, "issue4/validation", OURS, 0,    \
      "bit flipped in the first padding byte: falls back to the older slot")                            \
    X(restart, corrupt_padding_last, restart_corrupt_newest_slot, 4095, "issue4/validation", OURS, 0,   \
      "bit flipped in the slot's last byte: falls back to the older slot")                              \
    X(restart, reseal_version_2, restart_resealed_newest_slot, CF2_RS_VERSION_2, "issue4/validation",   \
      OURS, 0, "newest slot re-sealed (CRC, check) with version 2: rejected, older slot")               \
    X(restart, reseal_header_size_104, restart_resealed_newest_slot, CF2_RS_HEADER_SIZE_104,            \
      "issue4/validation", OURS, 0, "re-sealed as a compatible extension (header_size 104): accepted, " \
      "resumes from it")                                                                                 \
    X(restart, reseal_sequence_plus_2, restart_resealed_newest_slot, CF2_RS_SEQUENCE_PLUS_2,            \
      "issue4/validation", OURS, 0, "re-sealed with sequence + 2 (same parity): still the newest")      \
    X(restart, reseal_sequence_odd, restart_resealed_newest_slot, CF2_RS_SEQUENCE_ODD,                  \
      "issue4/validation", OURS, 0, "re-sealed with an odd sequence in slot 0 (wrong slot): older slot") \
    X(restart, reseal_source_size, restart_resealed_newest_slot, CF2_RS_SOURCE_SIZE,                    \
      "issue4/validation", OURS, 0, "valid slot for another source size (same R): full copy, no fallback") \
    X(restart, reseal_source_mtime, restart_resealed_newest_slot, CF2_RS_SOURCE_MTIME,                  \
      "issue4/validation", OURS, 0, "valid slot for another last-write time: full copy")                \
    X(restart, reseal_file_id, restart_resealed_newest_slot, CF2_RS_FILE_ID, "issue4/validation", OURS, \
      0, "valid slot for another file id: full copy")                                                   \
    X(restart, reseal_volume_serial, restart_resealed_newest_slot, CF2_RS_VOLUME_SERIAL,                \
      "issue4/validation", OURS, 0, "valid slot for another volume serial: full copy")                  \
    X(restart, reseal_committed_lower, restart_resealed_newest_slot, CF2_RS_COMMITTED_LOWER,            \
      "issue4/validation", OURS, 0, "valid slot with committed lowered to 131072: resumes there")       \
    X(restart, reseal_committed_unaligned, restart_resealed_newest_slot, CF2_RS_COMMITTED_UNALIGNED,    \
      "issue4/validation", OURS, 0, "committed not a chunk boundary: rejected, older slot")             \
    X(restart, reseal_committed_past_end, restart_resealed_newest_slot, CF2_RS_COMMITTED_PAST_END,      \
      "issue4/validation", OURS, 0, "committed past source_size: rejected, older slot")                 \
    X(restart, reseal_chunk_size_0, restart_resealed_newest_slot, CF2_RS_CHUNK_SIZE_0,                  \
      "issue4/validation", OURS, 0, "chunk_size 0: rejected, older slot")                               \
    X(restart, reseal_chunk_size_4096, restart_resealed_newest_slot, CF2_RS_CHUNK_SIZE_4096,            \
      "issue4/validation", OURS, 0, "chunk_size 4096 (committed still a multiple): accepted")           \
    X(restart, reseal_stream_0, restart_resealed_newest_slot, CF2_RS_STREAM_0, "issue4/validation",     \
      OURS, 0, "stream 0: rejected, older slot")                                                        \
    X(restart, reseal_stream_2, restart_resealed_newest_slot, CF2_RS_STREAM_2, "issue4/validation",     \
      OURS, 0, "stream 2 with committed < source_size: rejected, older slot")                           \
    X(restart, reseal_copy_flags, restart_resealed_newest_slot, CF2_RS_COPY_FLAGS, "issue4/validation", \
      OURS, 0, "copy_flags 0xFFFFFFFF (any value allowed): accepted")                                   \
    X(restart, reseal_reserved0, restart_resealed_newest_slot, CF2_RS_RESERVED0, "issue4/validation",   \
      OURS, 0, "reserved field at 12 non-zero: rejected, older slot")                                   \
    X(restart, reseal_reserved1, restart_resealed_newest_slot, CF2_RS_RESERVED1, "issue4/validation",   \
      OURS, 0, "reserved field at 84 non-zero: rejected, older slot")                                   \
    X(restart, reseal_padding, restart_resealed_newest_slot, CF2_RS_PADDING, "issue4/validation", OURS, \
      0, "a padding byte non-zero: rejected, older slot")                                               \
    X(restart, damage_both_slots, restart_damage, CF2_RD_BOTH_SLOTS, "issue4/validation", OURS, 0,      \
      "both slots damaged: full copy, byte-identical")                                                  \
    X(restart, damage_newest_zeroed, restart_damage, CF2_RD_NEWEST_ZEROED, "issue4/validation", OURS,   \
      0, "newest slot all zeros: older slot")                                                           \
    X(restart, damage_older_slot, restart_damage, CF2_RD_OLDER_DAMAGED, "issue4/validation", OURS, 0,   \
      "older slot damaged: the newest is still used")                                                   \
    X(restart, damage_slots_swapped, restart_damage, CF2_RD_SLOTS_SWAPPED, "issue4/validation", OURS,   \
      0, "the two slots' images swapped (each in the wrong position): full copy")                       \
    X(restart, truncate_1_byte, restart_damage, CF2_RD_TRUNCATE_1, "issue4/validation", OURS, 0,        \
      "paused file shortened by 1 byte: full copy, byte-identical")                                     \
    X(restart, truncate_to_data_size, restart_damage, CF2_RD_TRUNCATE_TO_DATA, "issue4/validation",     \
      OURS, 0, "paused file cut to the source's size: full copy")                                       \
    X(restart, truncate_to_0, restart_damage, CF2_RD_TRUNCATE_TO_0, "issue4/validation", OURS, 0,       \
      "paused file cut to 0 bytes: full copy")                                                          \
    X(restart, extend_1_byte, restart_damage, CF2_RD_EXTEND_1, "issue4/validation", OURS, 0,            \
      "paused file extended by 1 byte: full copy")                                                      \
    X(restart, source_changed_size, restart_damage, CF2_RD_SOURCE_SIZE, "8.3/issue4", OURS, 0,          \
      "source rewritten 100 bytes longer (same R, same time): full copy of the new source")            \
    X(restart, source_changed_mtime, restart_damage, CF2_RD_SOURCE_MTIME, "8.3/issue4", OURS, 0,        \
      "source rewritten in place (same size), last-write time 1 s later: full copy of the new source") \
    X(restart, source_replaced_same_size_time, restart_damage, CF2_RD_SOURCE_REPLACED, "8.3/issue4",    \
      OURS, 0, "source replaced by another file of the same size and time (file id differs): full copy") \
    X(restart, torn_header_write, restart_torn_header_write, 0, "issue4/validation", OURS, 0,           \
      "prefixes (1..4096 bytes) of the next commit or of the other slot over the newest slot: old "     \
      "slot, new slot or rejected, never anything else; byte-identical every time")                    \
    X(restart, data_bitflip_not_detected, restart_data_bitflip_not_detected, 0, "issue4/limits", OURS,  \
      0, "KNOWN LIMIT: a bit flipped in the data before the committed offset survives into the "        \
      "result (data is not checksummed)")                                                                \
    X(restart, damage_after_committed_repaired, restart_damage_after_committed_repaired, 0,             \
      "issue4/validation", OURS, 0, "junk after the committed offset and in the gap [S, R): "           \
      "overwritten or cut off, byte-identical")

#endif
