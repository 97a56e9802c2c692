/*
 * registry.c - the one list of every conformance test.
 *
 * Each line: area (the cmocka group), test name, function, parameter, the
 * contract clause it checks (docs: /work/shared/reference/copyfile2-contract.md
 * section numbers, or "issue2/<topic>"), its mark, what it needs, and one line
 * saying what it asserts.  Marks:
 *   DOC   documented (Microsoft Learn, SDK header)
 *   OBS   observed on Windows (Wine's conformance tests, real callers)
 *   OURS  undocumented: this project's decision (skipped by --doc-only)
 * docs/conformance.md carries the same table with each test's status.
 */
#include "harness.h"

#define CF2_TEST_LIST(X)                                                                              \
    /* ---- params: parameter validation ---- */                                                     \
    X(params, null_ext_new, params_null_ext_new, 0, "9.3", OURS, 0,                                   \
      "NULL pExtendedParameters copies to a new destination")                                         \
    X(params, null_ext_overwrites, params_null_ext_overwrites, 0, "9.3", OURS, 0,                     \
      "NULL pExtendedParameters overwrites an existing destination")                                  \
    X(params, v1_size_accepted, params_v1_size_accepted, 0, "2.1", DOC, 0,                            \
      "dwSize = sizeof(V1) is accepted; the caller's structure is not modified")                      \
    X(params, v2_size_accepted, params_v2_size_accepted, 0, "3.1", DOC, 0,                            \
      "dwSize = sizeof(V2) is accepted, its dwCopyFlags honoured")                                    \
    X(params, dwsize_invalid, params_dwsize_invalid, 0, "9.1", OURS, 0,                               \
      "dwSize 0, 1, V1+-1, V2+-1, 0xFFFFFFFF: E_INVALIDARG before any file is touched")               \
    X(params, unknown_copy_flags, params_unknown_copy_flags, 0, "9.2", OURS, 0,                       \
      "each dwCopyFlags bit outside COPYFILE2_ALL_COPY_FLAGS: E_INVALIDARG (V1 and V2)")              \
    X(params, documented_flags_accepted, params_documented_flags_accepted, 0, "2.2", DOC, 0,          \
      "documented flags with no effect on a plain local file are accepted; copy byte-exact")         \
    X(params, v2_known_flags_accepted, params_v2_known_flags_accepted, 0, "3.2", DOC, 0,              \
      "dwCopyFlagsV2 DONT_COPY_JUNCTIONS, DISABLE_BLOCK_CLONING accepted")                            \
    X(params, v2_unknown_flags, params_v2_unknown_flags, 0, "9.2", OURS, 0,                           \
      "each dwCopyFlagsV2 bit outside 0x3: E_INVALIDARG")                                             \
    X(params, v2_reserved_nonzero, params_v2_reserved_nonzero, 0, "9.2", OURS, 0,                     \
      "any non-zero reserved[i] in V2: E_INVALIDARG")                                                 \
    X(params, v2_io_size_bounds, params_v2_io_size_bounds, 0, "9.16", OURS, 0,                        \
      "ioDesiredSize outside [4096, 1 GiB] (non-zero): E_INVALIDARG; bounds accepted, byte-exact")    \
    X(params, v2_io_rate_bounds, params_v2_io_rate_bounds, 0, "9.16", OURS, 0,                        \
      "ioDesiredRate non-zero below 512: E_INVALIDARG; 0, 512 and more accepted")                     \
    X(params, v1_ignores_v2_tail, params_v1_ignores_v2_tail, 0, "3.1/9.1", DOC, 0,                    \
      "garbage after a V1 structure is never read (or written)")                                      \
    X(params, null_paths, params_null_paths, 0, "9.3", OURS, 0,                                       \
      "NULL source or destination: E_INVALIDARG, nothing created")                                    \
    X(params, empty_paths, params_empty_paths, 0, "9.3", OURS, 0,                                     \
      "empty source or destination: ERROR_PATH_NOT_FOUND, nothing created or touched")                \
    X(params, rejected_leaves_destination, params_rejected_leaves_destination, 0, "9.1/9.2", OURS, 0, \
      "every rejected parameter leaves an existing destination's bytes and times")                    \
    X(params, progress_and_cancel_accepted, params_progress_and_cancel_accepted, 0, "2.1", DOC, 0,    \
      "a progress routine and pfCancel -> FALSE are accepted; copy byte-exact")                       \
    /* ---- results: result codes ---- */                                                            \
    X(results, success_is_s_ok, results_success_is_s_ok, 0, "1.3", DOC, 0,                            \
      "success is exactly S_OK (new and overwritten destination)")                                    \
    X(results, success_clears_last_error, results_success_clears_last_error, 0, "issue2/results",     \
      OURS, 0, "after S_OK the last error is 0 whatever it was before")                               \
    X(results, missing_source, results_missing_source, 0, "1.2", DOC, 0,                              \
      "missing source: ERROR_FILE_NOT_FOUND; nothing created, existing destination untouched")        \
    X(results, missing_source_folder, results_missing_source_folder, 0, "issue2/results", OURS, 0,    \
      "source in a missing folder: ERROR_PATH_NOT_FOUND")                                             \
    X(results, missing_destination_folder, results_missing_destination_folder, 0, "issue2/results",   \
      OURS, 0, "destination in a missing folder: ERROR_PATH_NOT_FOUND, folder not created")           \
    X(results, source_is_directory, results_source_is_directory, 0, "issue2/results", OURS, 0,        \
      "a directory as the source: ERROR_ACCESS_DENIED")                                               \
    X(results, destination_is_directory, results_destination_is_directory, 0, "issue2/results", OURS, \
      0, "an existing directory as the destination: ERROR_ACCESS_DENIED, directory intact")           \
    X(results, fail_if_exists_directory, results_fail_if_exists_directory, 0, "9.4", OURS, 0,         \
      "FAIL_IF_EXISTS with a directory of that name: ERROR_FILE_EXISTS")                              \
    X(results, destination_readonly, results_destination_readonly, 0, "1.4", DOC, 0,                  \
      "read-only existing destination: ERROR_ACCESS_DENIED, content and attributes unchanged")        \
    X(results, destination_hidden, results_destination_hidden, 0, "1.4", DOC, 0,                      \
      "hidden existing destination: ERROR_ACCESS_DENIED, content and attributes unchanged")           \
    X(results, fail_if_exists_protected, results_fail_if_exists_protected, 0, "9.4", OURS, 0,         \
      "FAIL_IF_EXISTS over a read-only or hidden file: ERROR_FILE_EXISTS, file unchanged")            \
    X(results, invalid_destination_name, results_invalid_destination_name, 0, "issue2/results", OURS, \
      0, "destination name with ? * < | \": ERROR_INVALID_NAME, nothing created")                    \
    /* ---- sharing: contract 1.6 ---- */                                                            \
    X(sharing, 01_fail_if_exists, sharing_01_fail_if_exists, 0, "1.6.1", OBS, 0,                      \
      "FAIL_IF_EXISTS + existing file: ERROR_FILE_EXISTS (80, never 183), destination unchanged")     \
    X(sharing, 02_overwrite, sharing_02_overwrite, 0, "1.6.2", OBS, 0,                                \
      "no FAIL_IF_EXISTS: existing destination overwritten, S_OK")                                    \
    X(sharing, 03_same_file, sharing_03_same_file, 0, "1.6.3", OBS, 0,                                \
      "source == destination: ERROR_SHARING_VIOLATION, file unchanged")                               \
    X(sharing, 03_same_file_other_names, sharing_03_same_file_other_names, 0, "9.5", OURS, 0,         \
      "a.txt vs .\\A.TXT, A.txt, \\\\?\\ path: ERROR_SHARING_VIOLATION (identity, not name)")         \
    X(sharing, 03_same_file_hard_link, sharing_03_same_file_hard_link, 0, "9.5", OURS, 0,             \
      "source vs its hard link: ERROR_SHARING_VIOLATION, file unchanged")                             \
    X(sharing, 04_source_read_share_write, sharing_04_source_read_share_write, 0, "1.6.4", OBS, 0,    \
      "source held GENERIC_READ / FILE_SHARE_WRITE: ERROR_SHARING_VIOLATION")                         \
    X(sharing, 05_missing_source_locked_destination, sharing_05_missing_source_locked_destination, 0, \
      "1.6.5", OBS, 0, "missing source, locked destination: ERROR_FILE_NOT_FOUND (source first)")     \
    X(sharing, 06_source_rw_share_read, sharing_06_source_rw_share_read, 0, "1.6.6", OBS, 0,          \
      "source held GENERIC_READ|WRITE / FILE_SHARE_READ: S_OK")                                       \
    X(sharing, 07_source_delete_share_read, sharing_07_source_delete_share_read, 0, "1.6.7", OBS, 0,  \
      "source held DELETE / FILE_SHARE_READ: S_OK")                                                   \
    X(sharing, 08_destination_write_share_read, sharing_08_destination_write_share_read, 0, "1.6.8",  \
      OBS, 0, "destination held GENERIC_WRITE / FILE_SHARE_READ: ERROR_SHARING_VIOLATION, unchanged") \
    X(sharing, 09_destination_rw_share_write, sharing_09_destination_rw_share_write, 0, "1.6.9", OBS, \
      0, "destination held GENERIC_READ|WRITE / FILE_SHARE_WRITE: S_OK")                              \
    X(sharing, 10_destination_delete_share_all, sharing_10_destination_delete_share_all, 0, "1.6.10", \
      OBS, 0, "destination held DELETE / share all: ERROR_SHARING_VIOLATION, unchanged")              \
    X(sharing, 11_destination_read_share_rw, sharing_11_destination_read_share_rw, 0, "1.6.11", OBS,  \
      0, "destination held GENERIC_READ / FILE_SHARE_READ|WRITE: S_OK")                               \
    X(sharing, 12_destination_read_share_read, sharing_12_destination_read_share_read, 0, "1.6.12",   \
      OBS, 0, "destination held GENERIC_READ / FILE_SHARE_READ: ERROR_SHARING_VIOLATION, old bytes")  \
    X(sharing, 13_mapped_destination_share_read, sharing_13_mapped_destination_share_read, 0,         \
      "1.6.13", OBS, 0, "mapped destination, handle FILE_SHARE_READ: ERROR_SHARING_VIOLATION")        \
    X(sharing, 13_mapped_destination_share_rw, sharing_13_mapped_destination_share_rw, 0, "1.6.13",   \
      OBS, 0, "mapped destination, handle FILE_SHARE_READ|WRITE: ERROR_USER_MAPPED_FILE (any size)")  \
    X(sharing, 14_size_and_time, sharing_14_size_and_time, 0, "1.6.14", OBS, 0,                       \
      "after a copy: destination size and last-write time are the source's")                          \
    /* ---- data: byte-exact copies ---- */                                                          \
    X(data, size_0, data_size, 0, "issue2/data", DOC, 0, "0 bytes")                                   \
    X(data, size_1, data_size, 1, "issue2/data", DOC, 0, "1 byte")                                    \
    X(data, size_4095, data_size, 4095, "issue2/data", DOC, 0, "4095 bytes")                          \
    X(data, size_4096, data_size, 4096, "issue2/data", DOC, 0, "4096 bytes")                          \
    X(data, size_4097, data_size, 4097, "issue2/data", DOC, 0, "4097 bytes")                          \
    X(data, size_65535, data_size, 65535, "issue2/data", DOC, 0, "65535 bytes")                       \
    X(data, size_65536, data_size, 65536, "issue2/data", DOC, 0, "65536 bytes")                       \
    X(data, size_65537, data_size, 65537, "issue2/data", DOC, 0, "65537 bytes")                       \
    X(data, size_1MiB_minus_1, data_size, 1048575, "issue2/data", DOC, 0, "1 MiB - 1 bytes")          \
    X(data, size_1MiB, data_size, 1048576, "issue2/data", DOC, 0, "1 MiB")                            \
    X(data, size_1MiB_plus_1, data_size, 1048577, "issue2/data", DOC, 0, "1 MiB + 1 bytes")           \
    X(data, size_5MiB_plus_4099, data_size, 5 * 1048576 + 4099, "issue2/data", DOC, 0,                \
      "5 MiB + 4099 bytes")                                                                           \
    X(data, size_over_4GiB_sparse, data_size_over_4gib_sparse, 0, "issue2/data", DOC, CF2_SLOW,       \
      "4 GiB + 3 MiB + 123 bytes (sparse source): size, markers across 2^32, zero regions")           \
    X(data, overwrite_larger_destination, data_overwrite_larger_destination, 0, "1.6.14", OBS, 0,     \
      "overwriting a larger file leaves exactly the source's bytes")                                  \
    X(data, overwrite_smaller_destination, data_overwrite_smaller_destination, 0, "1.6.14", OBS, 0,   \
      "overwriting a smaller (or empty) file leaves exactly the source's bytes")                      \
    X(data, overwrite_same_size, data_overwrite_same_size, 0, "1.6.2", OBS, 0,                        \
      "overwriting a file of the same size replaces its bytes")                                       \
    X(data, long_paths_300, data_long_paths_300, 0, "1.2", DOC, 0,                                    \
      "\\\\?\\ source and destination of ~300 characters")                                            \
    X(data, long_paths_1000, data_long_paths_1000, 0, "1.2", DOC, 0,                                  \
      "\\\\?\\ source and destination of ~1000 characters")                                           \
    X(data, non_ascii_names, data_non_ascii_names, 0, "1.2", DOC, 0,                                  \
      "Cyrillic, CJK and non-BMP (surrogate pair) names for source, destination and folder")          \
    X(data, relative_paths, data_relative_paths, 0, "1.2", DOC, 0,                                    \
      "relative paths resolve against the current directory")                                         \
    /* ---- metadata: attributes and times ---- */                                                   \
    X(metadata, last_write_time_new, meta_last_write_time_new, 0, "1.4/1.6.14", OBS, 0,               \
      "new destination's last-write time == source's (2001-02-03 04:05:06.7) exactly")                \
    X(metadata, last_write_time_overwrite, meta_last_write_time_overwrite, 0, "1.4", OBS, 0,          \
      "overwritten destination's last-write time == source's exactly")                                \
    X(metadata, attributes_copied, meta_attributes_copied, 0, "1.4", DOC, 0,                          \
      "NORMAL, ARCHIVE, READONLY, HIDDEN, SYSTEM, TEMPORARY, NOT_CONTENT_INDEXED carried over")       \
    X(metadata, readonly_source, meta_readonly_source, 0, "1.4", DOC, 0,                              \
      "read-only source: read-only, complete copy; copying onto it is ERROR_ACCESS_DENIED")          \
    X(metadata, readonly_source_over_existing, meta_readonly_source_over_existing, 0, "1.4", DOC, 0,  \
      "read-only source over a writable file: read-only, complete copy")                              \
    X(metadata, hidden_source, meta_hidden_source, 0, "1.4", OBS, 0, "hidden source: hidden copy")    \
    X(metadata, normal_and_archive, meta_normal_and_archive, 0, "9.13", OURS, 0,                      \
      "plain source: no special attributes on the copy, ARCHIVE as the source's")                     \
    X(metadata, creation_time_new, meta_creation_time_new, 0, "9.12", OURS, 0,                        \
      "new destination's creation time is the time of the copy")                                      \
    X(metadata, last_access_time_new, meta_last_access_time_new, 0, "9.12", OURS, 0,                  \
      "new destination's last-access time is the time of the copy")                                   \
    X(metadata, creation_time_kept_on_overwrite, meta_creation_time_kept_on_overwrite, 0, "9.12",     \
      OURS, 0, "an overwritten destination keeps its creation time")                                  \
    X(metadata, source_never_modified, meta_source_never_modified, 0, "1.2", DOC, 0,                  \
      "the source's bytes, attributes and last-write time survive copies and refusals")               \
    /* ---- failure: destination fate (fault seam) ---- */                                           \
    X(failure, write_chunk0_new, fail_write_chunk0_new, 0, "9.11", OURS, CF2_NEEDS_SEAM,              \
      "write fault, chunk 0, new destination: that error, destination deleted")                       \
    X(failure, write_chunk2_new, fail_write_chunk2_new, 0, "9.11", OURS, CF2_NEEDS_SEAM,              \
      "write fault, chunk 2 of 3.5 MiB, new destination: that error, destination deleted")            \
    X(failure, write_last_chunk_new, fail_write_last_chunk_new, 0, "9.11", OURS, CF2_NEEDS_SEAM,      \
      "write fault, last (partial) chunk: destination deleted")                                       \
    X(failure, write_small_file_new, fail_write_small_file_new, 0, "9.11", OURS, CF2_NEEDS_SEAM,      \
      "write fault on a 100-byte copy: destination deleted")                                          \
    X(failure, write_chunk0_existing, fail_write_chunk0_existing, 0, "9.11", OURS, CF2_NEEDS_SEAM,    \
      "write fault, chunk 0, existing destination: destination deleted")                              \
    X(failure, write_chunk2_existing, fail_write_chunk2_existing, 0, "9.11", OURS, CF2_NEEDS_SEAM,    \
      "write fault, chunk 2, existing destination: destination deleted")                              \
    X(failure, read_chunk0_new, fail_read_chunk0_new, 0, "9.11", OURS, CF2_NEEDS_SEAM,                \
      "read fault, chunk 0, new destination: destination deleted")                                    \
    X(failure, read_chunk2_new, fail_read_chunk2_new, 0, "9.11", OURS, CF2_NEEDS_SEAM,                \
      "read fault, chunk 2, new destination: destination deleted")                                    \
    X(failure, read_chunk1_existing, fail_read_chunk1_existing, 0, "9.11", OURS, CF2_NEEDS_SEAM,      \
      "read fault, chunk 1, existing destination: destination deleted")                               \
    X(failure, prepare_dest_new, fail_prepare_dest_new, 0, "9.11", OURS, CF2_NEEDS_SEAM,              \
      "PREPARE_DEST fault (before the destination is opened): no destination appears")                \
    X(failure, prepare_dest_existing, fail_prepare_dest_existing, 0, "9.11", OURS, CF2_NEEDS_SEAM,    \
      "PREPARE_DEST fault: existing destination untouched")                                           \
    X(failure, prepare_source_new, fail_prepare_source_new, 0, "9.11", OURS, CF2_NEEDS_SEAM,          \
      "PREPARE_SOURCE fault: no destination appears")                                                 \
    X(failure, prepare_source_existing, fail_prepare_source_existing, 0, "9.11", OURS,                \
      CF2_NEEDS_SEAM, "PREPARE_SOURCE fault: existing destination untouched")                         \
    X(failure, write_destination_held_open, fail_write_destination_held_open, 0, "1.5/9.11", OURS,    \
      CF2_NEEDS_SEAM, "write fault, destination held open: own error returned; deleted only if "       \
      "the other handle shares deletion")                                                             \
    X(failure, fault_beyond_end_and_clear, fail_fault_beyond_end_and_clear, 0, "issue2/seam", OURS,   \
      CF2_NEEDS_SEAM, "a fault past the last chunk never fires; phase 0 clears an armed fault")       \
    X(failure, write_chunk_with_io_size, fail_write_chunk_with_io_size, 0, "9.11/9.16", OURS,         \
      CF2_NEEDS_SEAM, "chunk numbers follow ioDesiredSize; a fault at chunk 10 of 4 KiB chunks")

/* Later areas keep their lists in their own files (one per area, so that
 * areas can be added independently): list_<area>.h defines CF2_LIST_<AREA>. */
#include "list_progress.h"
#include "list_restart.h"
#include "list_flags.h"
#include "list_reliability.h"

#define CF2_ALL_TESTS(X) CF2_TEST_LIST(X) CF2_LIST_PROGRESS(X) CF2_LIST_RESTART(X) \
    CF2_LIST_FLAGS(X) CF2_LIST_RELIABILITY(X)

/* Prototypes of every test function. */
#define CF2_DECLARE(area, name, fn, param, clause, mark, needs, what) void fn(struct cf2_ctx *t);
CF2_ALL_TESTS(CF2_DECLARE)

#define CF2_ENTRY(area, name, fn, param, clause, mark, needs, what) \
    { #area, #area "_" #name, fn, (uintptr_t)(param), clause, CF2_##mark, needs, what },

const struct cf2_test cf2_tests[] = { CF2_ALL_TESTS(CF2_ENTRY) };
const size_t cf2_test_count = sizeof cf2_tests / sizeof cf2_tests[0];

const char *const cf2_areas[] = { "params", "results", "sharing", "data", "metadata", "failure",
                                   "progress", "restart", "flags", "reliability", NULL };
