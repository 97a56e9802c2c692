/* list_progress.h - the "progress" area's tests, in the registry's X format
 * (see registry.c): X(area, name, fn, param, clause, mark, needs, what).
 * The functions are in test_progress.c; the protocol they check is
 * docs/conformance.md, "The progress protocol: message sequence and
 * decisions". */
#ifndef CF2_LIST_PROGRESS_H
#define CF2_LIST_PROGRESS_H

#define CF2_LIST_PROGRESS(X)                                                                          \
    /* ---- progress: the message sequence, every field ---- */                                      \
    X(progress, seq_empty_file, prog_seq_empty_file, 0, "9.6", OURS, 0,                               \
      "empty file: STREAM_STARTED and STREAM_FINISHED only, sizes and counters 0")                    \
    X(progress, seq_one_chunk, prog_seq_one_chunk, 0, "9.6/5.2", OURS, 0,                             \
      "100 bytes: one chunk of 100, every field of the 4 messages")                                   \
    X(progress, seq_exact_multiple, prog_seq_exact_multiple, 0, "9.6/5.2", OURS, 0,                   \
      "3 MiB: three 1 MiB chunks, no empty chunk at the end")                                         \
    X(progress, seq_worked_example, prog_seq_worked_example, 0, "9.6/5.2", OURS, 0,                   \
      "2,500,000 bytes: the specification's worked example, message by message (remainder chunk)")    \
    X(progress, seq_io_size_4096, prog_seq_io_size, 4096, "9.16/9.6", OURS, 0,                        \
      "V2 ioDesiredSize 4096: 200,000 bytes as 48 chunks of 4096 and one of 3392")                    \
    X(progress, seq_io_size_65536, prog_seq_io_size, 65536, "9.16/9.6", OURS, 0,                      \
      "V2 ioDesiredSize 65536: 200,000 bytes as 3 chunks of 65536 and one of 3392")                   \
    X(progress, seq_no_buffering_rounds_chunk, prog_seq_no_buffering_rounds_chunk, 0, "9.16", OURS, 0, \
      "NO_BUFFERING with ioDesiredSize 5000: chunks of 8192 (rounded up to 4096s)")                   \
    X(progress, seq_over_4gib_sparse, prog_seq_over_4gib_sparse, 0, "5.2/9.6", OURS, 0,               \
      "sparse source of 4 GiB + 2 MiB + 4321 (ENABLE_SPARSE_COPY): all 8200 messages, counters past " \
      "2^32 exact")                                                                                   \
    X(progress, chunk_flags, prog_chunk_flags, 0, "9.21/5.2", OURS, 0,                                \
      "CHUNK_FINISHED.dwFlags: only COPYFILE2_MESSAGE_COPY_OFFLOAD (offloaded chunks), exactly 0 "    \
      "with NO_OFFLOAD")                                                                              \
    X(progress, handles_usable, prog_handles_usable, 0, "5.2/9.20", DOC, 0,                           \
      "every message's handles work in the routine (GetFileSizeEx = source size, "                    \
      "GetFileInformationByHandle); they are the source's and the copy's files")                      \
    X(progress, context_passed_back, prog_context_passed_back, 0, "4", DOC, 0,                        \
      "pvCallbackContext comes back in every message; NULL comes back as NULL")                       \
    X(progress, calling_thread, prog_calling_thread, 0, "4/9.20", OURS, 0,                            \
      "every message comes on the thread that called CopyFile2 (main thread and a second thread)")    \
    X(progress, nested_copy, prog_nested_copy, 0, "9.20", OURS, 0,                                    \
      "the routine calls CopyFile2 on other files: both copies complete with their full sequences")   \
    X(progress, never_sparse_types, prog_never_sparse_types, 0, "9.18", OURS, 0,                      \
      "sparse, unbuffered, restartable, small-chunk copies: no type 7/8, none outside 1..6")          \
    /* ---- progress: the answers ---- */                                                            \
    X(progress, action_continue, prog_action, COPYFILE2_PROGRESS_CONTINUE, "4", DOC, 0,               \
      "CONTINUE at each message: complete copy, full sequence")                                       \
    X(progress, action_quiet, prog_action, COPYFILE2_PROGRESS_QUIET, "4", DOC, 0,                     \
      "QUIET at each message (first to last): no further message, S_OK, complete copy")              \
    X(progress, action_cancel, prog_action, COPYFILE2_PROGRESS_CANCEL, "4/1.5", DOC, 0,               \
      "CANCEL at each message: ERROR_REQUEST_ABORTED, no further message, destination deleted")      \
    X(progress, action_stop, prog_action, COPYFILE2_PROGRESS_STOP, "4/5.2", DOC, 0,                   \
      "STOP at each message: ERROR_REQUEST_ABORTED, exactly one STREAM_FINISHED more (none after the " \
      "last), destination kept (source length, copied bytes first)")                                  \
    X(progress, action_pause, prog_action, COPYFILE2_PROGRESS_PAUSE, "4", DOC, 0,                     \
      "PAUSE at each message: ERROR_REQUEST_PAUSED, one STREAM_FINISHED more, R + 8192 bytes with a " \
      "header; at the final STREAM_FINISHED S_OK and no header")                                      \
    X(progress, action_invalid_5, prog_action, 5, "9.19", OURS, 0,                                    \
      "answer 5 at each message: E_INVALIDARG, no further message, destination deleted")             \
    X(progress, action_invalid_ffffffff, prog_action, 0xFFFFFFFFu, "9.19", OURS, 0,                   \
      "answer 0xFFFFFFFF at each message: E_INVALIDARG, no further message, destination deleted")    \
    X(progress, after_stop_pause_answer_ignored, prog_after_stop_pause_answer_ignored, 0,             \
      "issue3/stop-pause", OURS, 0,                                                                   \
      "the answer to the STREAM_FINISHED that follows STOP or PAUSE changes nothing")                 \
    /* ---- progress: pfCancel and POLL_CONTINUE ---- */                                             \
    X(progress, pfcancel_from_callback, prog_pfcancel_from_callback, 0, "9.10", OURS, 0,              \
      "*pfCancel set by the routine at each message: ERROR_REQUEST_ABORTED at once, deleted; "        \
      "pfCancel TRUE before the call: the same")                                                      \
    X(progress, pfcancel_from_thread_throttled, prog_pfcancel_from_thread_throttled, 0, "9.10/9.16",  \
      OURS, 0, "4 MiB at 512 KB/s cancelled from a thread after 300 ms: POLL_CONTINUE while waiting, " \
      "gaps <= 200 ms, ERROR_REQUEST_ABORTED within 200 ms, deleted")                                 \
    X(progress, poll_continue_throttled, prog_poll_continue_throttled, 0, "9.6/9.16", OURS, 0,        \
      "throttled copy: POLL_CONTINUE (fields 0) between the plain sequence's messages, gaps <= 200 ms") \
    X(progress, poll_continue_actions, prog_poll_continue_actions, 0, "4/9.6", OURS, 0,               \
      "each answer (CONTINUE, QUIET, CANCEL, STOP, PAUSE, 5, 0xFFFFFFFF) to the first POLL_CONTINUE") \
    /* ---- progress: errors ---- */                                                                 \
    X(progress, error_read_fault_fields, prog_error_fault_fields, COPYFILE2_PHASE_READ_SOURCE, "9.7",  \
      OURS, CF2_NEEDS_SEAM, "read fault at chunk 2: one ERROR (READ_SOURCE, chunk 2, hr, counters), " \
      "no retry, that error, deleted")                                                                \
    X(progress, error_write_fault_fields, prog_error_fault_fields, COPYFILE2_PHASE_WRITE_DESTINATION,  \
      "9.7", OURS, CF2_NEEDS_SEAM, "write fault at the remainder chunk of 64 KiB chunks: one ERROR "   \
      "(WRITE_DESTINATION, chunk 3, counters), that error, deleted")                                  \
    X(progress, error_reply_continue, prog_error_reply, COPYFILE2_PROGRESS_CONTINUE, "9.7", OURS,     \
      CF2_NEEDS_SEAM, "CONTINUE to an ERROR: fails with hrFailure, no retry, deleted")                \
    X(progress, error_reply_quiet, prog_error_reply, COPYFILE2_PROGRESS_QUIET, "9.7", OURS,           \
      CF2_NEEDS_SEAM, "QUIET to an ERROR: fails with hrFailure, no retry, deleted")                   \
    X(progress, error_reply_cancel, prog_error_reply, COPYFILE2_PROGRESS_CANCEL, "9.7", OURS,         \
      CF2_NEEDS_SEAM, "CANCEL to an ERROR: ERROR_REQUEST_ABORTED, deleted")                           \
    X(progress, error_reply_stop, prog_error_reply, COPYFILE2_PROGRESS_STOP, "9.7", OURS,             \
      CF2_NEEDS_SEAM, "STOP to an ERROR: one STREAM_FINISHED, ERROR_REQUEST_ABORTED, kept")           \
    X(progress, error_reply_pause, prog_error_reply, COPYFILE2_PROGRESS_PAUSE, "9.7", OURS,           \
      CF2_NEEDS_SEAM, "PAUSE to an ERROR: one STREAM_FINISHED, ERROR_REQUEST_PAUSED, header at 2 MiB") \
    X(progress, error_reply_invalid, prog_error_reply, 5, "9.7/9.19", OURS, CF2_NEEDS_SEAM,           \
      "5 to an ERROR: E_INVALIDARG, deleted")                                                         \
    X(progress, error_prepare_source_missing, prog_error_prepare_source_missing, 0, "9.7/6.3", OURS,  \
      0, "missing source: ERROR (PREPARE_SOURCE, ERROR_FILE_NOT_FOUND, counters 0) and each reply")   \
    X(progress, error_prepare_dest_exists, prog_error_prepare_dest_exists, 0, "9.7/6.3", OURS, 0,     \
      "FAIL_IF_EXISTS: ERROR (PREPARE_DEST, ERROR_FILE_EXISTS, sizes) and each reply; the file is "   \
      "never touched")                                                                                \
    X(progress, error_source_shrinks, prog_error_source_shrinks, 0, "issue3/shrink", OURS, 0,         \
      "source cut during the copy: ERROR (READ_SOURCE, ERROR_HANDLE_EOF, chunk 1), that error, no "   \
      "truncated copy left")                                                                          \
    X(progress, source_grows_not_copied, prog_source_grows_not_copied, 0, "issue3/shrink", OURS, 0,   \
      "bytes appended during the copy are not copied: the copy has the length at open")               \
    X(progress, error_disk_full_smallfs, prog_error_disk_full_smallfs, 0, "9.7/9.11", OURS, 0,        \
      "a real full file system (4 MiB tmpfs): ERROR_DISK_FULL, ERROR (WRITE_DESTINATION), deleted, "  \
      "space given back")                                                                             \
    X(progress, cancel_destination_held_open, prog_cancel_destination_held_open, 0, "1.5/9.11", OBS,  \
      0, "cancelled with the destination held open without delete sharing: ERROR_REQUEST_ABORTED, "   \
      "fragments stay")                                                                               \
    /* ---- progress: the CopyFileEx-style routine (V2 pProgressRoutineOld) ---- */                  \
    X(progress, old_sequence, prog_old_sequence, 0, "9.17/7.2", OURS, 0,                              \
      "STREAM_SWITCH (stream 1) first, CHUNK_FINISHED per chunk, the nine arguments, lpData, handles") \
    X(progress, old_precedence, prog_old_precedence, 0, "3.2", DOC, 0,                                \
      "both routines set: only pProgressRoutineOld is called")                                        \
    X(progress, old_cancel, prog_old_action, PROGRESS_CANCEL, "9.17/7.2", OURS, 0,                    \
      "PROGRESS_CANCEL (first, middle, last call): ERROR_REQUEST_ABORTED, no further call, deleted")  \
    X(progress, old_stop, prog_old_action, PROGRESS_STOP, "9.17/7.2", OURS, 0,                        \
      "PROGRESS_STOP: ERROR_REQUEST_ABORTED, no further call, destination kept")                      \
    X(progress, old_quiet, prog_old_action, PROGRESS_QUIET, "9.17/7.2", OURS, 0,                      \
      "PROGRESS_QUIET: no further call, S_OK, complete copy")                                         \
    X(progress, old_invalid_return, prog_old_invalid_return, 0, "9.17/9.19", OURS, 0,                 \
      "old-style routine returns 4, 5, 0xFFFFFFFF: E_INVALIDARG, destination deleted")                \
    X(progress, old_rust_fs_copy, prog_old_rust_fs_copy, 0, "7.2", OBS, 0,                            \
      "Rust std::fs::copy's routine (StreamBytesTransferred of stream 1) sees the file size")

#endif
