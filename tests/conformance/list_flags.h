/* list_flags.h - the "flags" area's tests, in the registry's X format
 * (see registry.c): X(area, name, fn, param, clause, mark, needs, what).
 * Every dwCopyFlags bit, dwCopyFlagsV2 bit and V2 field as docs/flags.md
 * specifies it (test_flags.c), then real callers' call patterns
 * (test_callers.c, contract section 10). */
#ifndef CF2_LIST_FLAGS_H
#define CF2_LIST_FLAGS_H

#define CF2_LIST_FLAGS(X)                                                                             \
    /* ---- COPY_FILE_OPEN_SOURCE_FOR_WRITE ---- */                                                   \
    X(flags, open_source_for_write_readonly, flags_open_source_for_write_readonly, 0, "2.2", DOC, 0,  \
      "OPEN_SOURCE_FOR_WRITE, read-only source: ERROR_ACCESS_DENIED, nothing created; without: S_OK") \
    X(flags, open_source_for_write_shared_read, flags_open_source_for_write_shared_read, 0, "2.2",    \
      DOC, 0, "OPEN_SOURCE_FOR_WRITE, source held with FILE_SHARE_READ only: ERROR_SHARING_VIOLATION; " \
      "without the flag: S_OK")                                                                       \
    X(flags, open_source_for_write_handle_access, flags_open_source_for_write_handle_access, 0,       \
      "issue5/open_source_for_write", OURS, 0,                                                        \
      "hSourceFile has FILE_WRITE_DATA with OPEN_SOURCE_FOR_WRITE, no write access without")          \
    /* ---- COPY_FILE_NO_BUFFERING ---- */                                                           \
    X(flags, no_buffering_size_0, flags_no_buffering_size, 0, "2.2", DOC, 0,                         \
      "NO_BUFFERING, 0 bytes: byte-exact, new and over larger/smaller files")                         \
    X(flags, no_buffering_size_1, flags_no_buffering_size, 1, "2.2", DOC, 0,                          \
      "NO_BUFFERING, 1 byte: byte-exact, new and over larger/smaller files")                          \
    X(flags, no_buffering_size_4095, flags_no_buffering_size, 4095, "2.2", DOC, 0,                    \
      "NO_BUFFERING, 4095 bytes: byte-exact, new and over larger/smaller files")                      \
    X(flags, no_buffering_size_4096, flags_no_buffering_size, 4096, "2.2", DOC, 0,                    \
      "NO_BUFFERING, 4096 bytes: byte-exact, new and over larger/smaller files")                      \
    X(flags, no_buffering_size_4097, flags_no_buffering_size, 4097, "2.2", DOC, 0,                    \
      "NO_BUFFERING, 4097 bytes: byte-exact, new and over larger/smaller files")                      \
    X(flags, no_buffering_size_1MiB_plus_1, flags_no_buffering_size, 1048577, "2.2", DOC, 0,          \
      "NO_BUFFERING, 1 MiB + 1 bytes: byte-exact, new and over larger/smaller files")                 \
    X(flags, no_buffering_io_size_5000, flags_no_buffering_io_size_5000, 0, "issue5/no_buffering",    \
      OURS, 0, "NO_BUFFERING with ioDesiredSize 5000: chunk messages report 8192; byte-exact")        \
    X(flags, no_buffering_pause_resume, flags_no_buffering_pause_resume, 0, "issue5/no_buffering",    \
      OURS, 0, "NO_BUFFERING copy paused at chunk 1, resumed with RESUME_FROM_PAUSE: byte-exact")     \
    X(flags, no_buffering_restartable_pause_resume, flags_no_buffering_pause_resume,                  \
      COPY_FILE_RESTARTABLE, "issue5/no_buffering", OURS, 0,                                          \
      "NO_BUFFERING|RESTARTABLE paused at chunk 1, resumed: byte-exact")                              \
    X(flags, restartable_no_buffering, flags_restartable_no_buffering, 0, "issue5/no_buffering", OURS, \
      0, "RESTARTABLE|NO_BUFFERING complete copies (0 B to 3 MiB + 77, over a larger file): exact")   \
    /* ---- COPY_FILE_COPY_SYMLINK, OPEN_AND_COPY_REPARSE_POINT ---- */                               \
    X(flags, copy_symlink_plain_file, flags_copy_symlink_plain_file, 0, "7.1", DOC, 0,                \
      "COPY_SYMLINK / OPEN_AND_COPY_REPARSE_POINT with a plain file: copied as usual; "                \
      "with FAIL_IF_EXISTS: ERROR_FILE_EXISTS")                                                       \
    X(flags, copy_symlink_link_source, flags_copy_symlink_link_source, COPY_FILE_COPY_SYMLINK, "7.1", \
      DOC, 0, "COPY_SYMLINK, link source: the copy is a link with the same reparse data (skip: no links)") \
    X(flags, open_and_copy_reparse_point_link, flags_copy_symlink_link_source,                        \
      COPY_FILE_OPEN_AND_COPY_REPARSE_POINT, "2.2", DOC, 0,                                           \
      "OPEN_AND_COPY_REPARSE_POINT, link source: copied as a reparse point (skip: no links)")         \
    X(flags, copy_symlink_existing_destination, flags_copy_symlink_existing_destination, 0, "7.1",    \
      DOC, 0, "COPY_SYMLINK over an existing link: the link replaced, its target untouched (skip: no links)") \
    X(flags, copy_symlink_fail_if_exists, flags_copy_symlink_fail_if_exists, 0, "7.1", DOC, 0,        \
      "COPY_SYMLINK|FAIL_IF_EXISTS over a link or file: ERROR_FILE_EXISTS, untouched (skip: no links)") \
    X(flags, symlink_followed_without_flag, flags_symlink_followed_without_flag, 0, "7.1", DOC, 0,    \
      "link source without COPY_SYMLINK: a plain copy of the target's data (skip: no links)")         \
    /* ---- COPY_FILE_DIRECTORY ---- */                                                              \
    X(flags, directory_creates, flags_directory_creates, 0, "2.2", DOC, 0,                            \
      "DIRECTORY: folder created with the source's attributes and last-write time; no entries, "      \
      "no messages")                                                                                  \
    X(flags, directory_existing_reused, flags_directory_existing_reused, 0, "issue5/directory", OURS, \
      0, "DIRECTORY over an existing folder: reused, entries kept, attributes and time applied")      \
    X(flags, directory_fail_if_exists, flags_directory_fail_if_exists, 0, "issue5/directory", OURS,   \
      0, "DIRECTORY|FAIL_IF_EXISTS over a folder or file: ERROR_FILE_EXISTS, untouched")              \
    X(flags, directory_without_flag, flags_directory_without_flag, 0, "issue5/directory", OURS, 0,    \
      "directory source without DIRECTORY: ERROR_ACCESS_DENIED, nothing created, no stream")          \
    /* ---- streams, SKIP_ALTERNATE_STREAMS ---- */                                                   \
    X(flags, streams_one_stream, flags_streams_one_stream, 0, "issue5/streams", OURS, 0,              \
      "a source without named streams (all under Wine): only stream 1, with and without "             \
      "SKIP_ALTERNATE_STREAMS")                                                                       \
    X(flags, streams_named_copied, flags_streams_named_copied, 0, "2.2", DOC, 0,                      \
      "a named stream is copied as stream 2, counted in uliTotalFileSize (skip: no streams)")         \
    X(flags, skip_alternate_streams, flags_skip_alternate_streams, 0, "2.2", DOC, 0,                  \
      "SKIP_ALTERNATE_STREAMS: the named stream is not copied, only stream 1 (skip: no streams)")     \
    /* ---- DISABLE_PRE_ALLOCATION ---- */                                                           \
    X(flags, pre_allocation_default, flags_pre_allocation_default, 0, "issue5/pre_allocation", OURS,  \
      0, "without DISABLE_PRE_ALLOCATION the destination has its final size at the first CHUNK_STARTED") \
    X(flags, disable_pre_allocation, flags_disable_pre_allocation, 0, "2.2", OURS, 0,                 \
      "DISABLE_PRE_ALLOCATION: size 0 at STREAM_STARTED, bytes written so far at each CHUNK_FINISHED") \
    /* ---- sparse copy ---- */                                                                      \
    X(flags, sparse_copy_enable, flags_sparse_copy_enable, 0, "2.2", DOC, 0,                          \
      "ENABLE_SPARSE_COPY, 256 MiB source with 2 MiB of data: copy allocation far below size, bytes same") \
    X(flags, sparse_copy_enable_no_offload, flags_sparse_copy_enable, COPY_FILE_NO_OFFLOAD, "2.2",    \
      DOC, 0, "ENABLE_SPARSE_COPY|NO_OFFLOAD (read/write path): holes kept, bytes same")               \
    X(flags, sparse_copy_disable_wins, flags_sparse_copy_full,                                        \
      COPY_FILE_ENABLE_SPARSE_COPY | COPY_FILE_DISABLE_SPARSE_COPY, "2.2", DOC, 0,                    \
      "ENABLE|DISABLE_SPARSE_COPY: DISABLE wins, the copy is fully allocated, bytes same")           \
    X(flags, sparse_copy_not_requested, flags_sparse_copy_full, 0, "issue5/sparse", OURS, 0,          \
      "no sparse flag: the copy of a sparse source is fully allocated, bytes same")                   \
    X(flags, sparse_copy_over_existing, flags_sparse_copy_over_existing, 0, "issue5/sparse", OURS, 0, \
      "ENABLE_SPARSE_COPY over larger/smaller/same-size non-zero files: no old byte left, holes kept") \
    X(flags, sparse_copy_with_restartable, flags_sparse_copy_with_other, COPY_FILE_RESTARTABLE,       \
      "issue5/sparse", OURS, 0, "ENABLE_SPARSE_COPY|RESTARTABLE: every byte written (fully allocated)") \
    X(flags, sparse_copy_with_no_buffering, flags_sparse_copy_with_other, COPY_FILE_NO_BUFFERING,     \
      "issue5/sparse", OURS, 0, "ENABLE_SPARSE_COPY|NO_BUFFERING: every byte written (fully allocated)") \
    /* ---- security ---- */                                                                         \
    X(flags, request_security_privileges, flags_request_security_privileges, 0, "2.2/9.14", DOC, 0,   \
      "REQUEST_SECURITY_PRIVILEGES: callback handles carry the granted extra access; routine can set " \
      "the DACL; not without")                                                                        \
    X(flags, dont_request_dest_write_dac, flags_dont_request_dest_write_dac, 0, "2.2", DOC, 0,        \
      "DONT_REQUEST_DEST_WRITE_DAC (alone, with REQUEST_SECURITY_PRIVILEGES): no WRITE_DAC on "       \
      "hDestinationFile")                                                                             \
    /* ---- accepted no-op flags ---- */                                                             \
    X(flags, noop_allow_decrypted_destination, flags_noop, COPY_FILE_ALLOW_DECRYPTED_DESTINATION,     \
      "9.15", OURS, 0, "ALLOW_DECRYPTED_DESTINATION: same bytes, metadata and messages as no flag")   \
    X(flags, noop_ignore_edp_block, flags_noop, COPY_FILE_IGNORE_EDP_BLOCK, "9.15", OURS, 0,          \
      "IGNORE_EDP_BLOCK: same bytes, metadata and messages as no flag")                               \
    X(flags, noop_ignore_source_encryption, flags_noop, COPY_FILE_IGNORE_SOURCE_ENCRYPTION, "9.15",   \
      OURS, 0, "IGNORE_SOURCE_ENCRYPTION: same bytes, metadata and messages as no flag")              \
    X(flags, noop_request_compressed_traffic, flags_noop, COPY_FILE_REQUEST_COMPRESSED_TRAFFIC,       \
      "9.15", OURS, 0, "REQUEST_COMPRESSED_TRAFFIC: same bytes, metadata and messages as no flag")    \
    /* ---- the in-kernel copy path and what turns it off ---- */                                 \
    X(flags, kernel_copy_default, flags_kernel_copy_default, 0, "issue5/offload", OURS, 0,            \
      "no flag: CHUNK_FINISHED.dwFlags is COPY_OFFLOAD on every chunk where the platform has the "    \
      "in-kernel path, else 0")                                                                       \
    X(flags, no_offload, flags_no_offload, 0, "2.2/9.21", OURS, 0,                                    \
      "NO_OFFLOAD: every CHUNK_FINISHED.dwFlags is 0; bytes and other message fields as without")     \
    X(flags, enable_low_free_space_mode, flags_enable_low_free_space_mode, 0, "2.2/9.21", OURS, 0,    \
      "ENABLE_LOW_FREE_SPACE_MODE: no offload, every dwFlags 0; otherwise as without")                \
    X(flags, v2_disable_block_cloning, flags_v2_disable_block_cloning, 0, "3.2/9.21", OURS, 0,        \
      "V2 DISABLE_BLOCK_CLONING: every CHUNK_FINISHED.dwFlags is 0; otherwise as without")            \
    X(flags, no_offload_and_disable_block_cloning, flags_no_offload_and_disable_block_cloning, 0,     \
      "3.2/9.21", OURS, 0, "NO_OFFLOAD with V2 DISABLE_BLOCK_CLONING: every dwFlags 0")               \
    /* ---- RESTARTABLE, RESUME_FROM_PAUSE (basics) ---- */                                          \
    X(flags, restartable_plain, flags_restartable_plain, 0, "2.2/7.1", DOC, 0,                        \
      "RESTARTABLE uninterrupted: exact bytes and size, time, attributes, plain message sequence")    \
    X(flags, resume_from_pause_missing_destination, flags_resume_from_pause_missing_destination, 0,   \
      "2.2", DOC, 0, "RESUME_FROM_PAUSE with no destination: the whole file, from chunk 0")           \
    X(flags, resume_from_pause_plain_existing, flags_resume_from_pause_plain_existing, 0, "2.2", DOC, \
      0, "RESUME_FROM_PAUSE over plain files (no header): the whole file, from chunk 0")              \
    X(flags, fail_if_exists_resume_from_pause, flags_fail_if_exists_with_resume,                      \
      COPY_FILE_RESUME_FROM_PAUSE, "2.2", DOC, 0,                                                     \
      "FAIL_IF_EXISTS|RESUME_FROM_PAUSE: no header -> ERROR_FILE_EXISTS; paused copy resumes; new ok") \
    X(flags, fail_if_exists_restartable, flags_fail_if_exists_with_resume, COPY_FILE_RESTARTABLE,     \
      "issue5/fail_if_exists", OURS, 0,                                                               \
      "FAIL_IF_EXISTS|RESTARTABLE: no header -> ERROR_FILE_EXISTS; paused copy resumes; new ok")      \
    /* ---- V2 ---- */                                                                               \
    X(flags, v2_dwsize_selects_v2, flags_v2_dwsize_selects_v2, 0, "3.1", DOC, 0,                      \
      "dwSize selects V2: ioDesiredSize honoured in V2, not read from a V1-sized structure")          \
    X(flags, v2_dont_copy_junctions_plain_file, flags_v2_dont_copy_junctions_plain_file, 0, "3.2",    \
      DOC, 0, "DONT_COPY_JUNCTIONS with a plain file (and a plain folder): copied")                   \
    X(flags, v2_dont_copy_junctions_junction, flags_v2_dont_copy_junctions_junction, 0,               \
      "issue5/junctions", OURS, 0,                                                                    \
      "DONT_COPY_JUNCTIONS, junction source: ERROR_NOT_SUPPORTED, nothing created (skip: no junctions)") \
    X(flags, v2_io_size_4096, flags_v2_io_size, 4096, "3.2", OURS, 0,                                 \
      "ioDesiredSize 4096: chunk messages of 4096 bytes, byte-exact")                                 \
    X(flags, v2_io_size_65536, flags_v2_io_size, 65536, "3.2", OURS, 0,                               \
      "ioDesiredSize 65536: chunk messages of 65536 bytes, byte-exact")                               \
    X(flags, v2_io_size_3MiB, flags_v2_io_size, 3 * 1048576, "3.2", OURS, 0,                          \
      "ioDesiredSize 3 MiB: chunk messages of 3 MiB, byte-exact")                                     \
    X(flags, v2_io_rate_average, flags_v2_io_rate_average, 0, "3.2", DOC, 0,                          \
      "ioDesiredRate 1024 KB/s over 2.5 MiB: average rate within 10%; POLL_CONTINUE while waiting")   \
    X(flags, v2_io_rate_cancel, flags_v2_io_rate_cancel, 1, "issue5/io_rate", OURS, 0,                \
      "pfCancel set by another thread while throttled (with a routine): ERROR_REQUEST_ABORTED < 500 ms") \
    X(flags, v2_io_rate_cancel_no_routine, flags_v2_io_rate_cancel, 0, "issue5/io_rate", OURS, 0,     \
      "pfCancel set by another thread while throttled (no routine): ERROR_REQUEST_ABORTED < 500 ms")  \
    X(flags, v2_io_rate_answers, flags_v2_io_rate_answers, 0, "issue5/io_rate", OURS, 0,              \
      "CANCEL / STOP / PAUSE answered to a POLL_CONTINUE while throttled: honoured; the pause resumes") \
    X(flags, v2_source_oplock_keys, flags_v2_source_oplock_keys, 0, "3.2", OURS, 0,                   \
      "SourceOplockKeys set (keys or all-zero): accepted, byte-exact")                                \
    X(flags, v2_old_routine_precedence, flags_v2_old_routine_precedence, 0, "3.2", DOC, 0,            \
      "both routines set: only pProgressRoutineOld is called, first with STREAM_SWITCH")              \
    /* ---- real callers (test_callers.c) ---- */                                                    \
    X(flags, callers_cpython_copy2, callers_cpython_copy2, 0, "10", OBS, 0,                           \
      "CPython shutil.copy2: V1 ALLOW_DECRYPTED_DESTINATION copies; read-only/hidden destination "    \
      "gives hr & 0xFFFF == 5")                                                                       \
    X(flags, callers_cpython_copy2_symlink, callers_cpython_copy2_symlink, 0, "10", OBS, 0,           \
      "CPython copy2(follow_symlinks=False) of a link: the copy is a link (skip: no links)")          \
    X(flags, callers_msvc_stl_copy_file, callers_msvc_stl_copy_file, 0, "10", OBS, 0,                 \
      "MSVC STL skip_existing/update_existing: FAIL_IF_EXISTS gives hr & 0xFFFF == 80; update "        \
      "overwrites with 0")                                                                            \
    X(flags, callers_file_manager_pause_resume, callers_file_manager_pause_resume, 0, "10", OBS, 0,   \
      "AsterFiles: PAUSE mid-copy (one STREAM_FINISHED after), FAIL_IF_EXISTS|RESUME_FROM_PAUSE; "    \
      "mtime, hidden, read-only kept")                                                                \
    X(flags, callers_file_manager_cancel, callers_file_manager_cancel, 0, "10", OBS, 0,               \
      "AsterFiles: cancel by CANCEL or pfCancel: ERROR_REQUEST_ABORTED, no destination left")         \
    X(flags, callers_offload_sample_progress, callers_offload_sample_progress, 0, "10", OBS, 0,       \
      "copy-offload sample: percent reaches exactly 100 at the last CHUNK_FINISHED; COPY_OFFLOAD as documented") \
    X(flags, callers_msix_psf_cancel_false, callers_msix_psf_cancel_false, 0, "10", OBS, 0,           \
      "MSIX PSF tests: pfCancel -> FALSE copies; failures map through hr & 0xFFFF")                   \
    X(flags, callers_rust_old_routine, callers_rust_old_routine, 0, "7.2/10", DOC, 0,                 \
      "Rust fs::copy-style pProgressRoutineOld: StreamBytesTransferred of stream 1 ends at the size") \
    X(flags, callers_long_path_harness, callers_long_path_harness, 0, "10", OBS, 0,                   \
      "long-path harness: FAIL_IF_EXISTS; RESTARTABLE+PAUSE -> PAUSED; RESUME_FROM_PAUSE+QUIET, "     \
      "\\\\?\\ paths > MAX_PATH")

#endif
