/* list_reliability.h - the "reliability" area's tests, in the registry's X format
 * (see registry.c): X(area, name, fn, param, clause, mark, needs, what).
 * Issue 8: whatever happens, a precise result, the source unchanged, and the
 * destination absent, kept, resumable or a byte-identical copy.  The cases and
 * their expected results are listed in docs/reliability.md.  Tests are in
 * test_reliability.c, test_hostile.c and test_concurrency.c. */
#ifndef CF2_LIST_RELIABILITY_H
#define CF2_LIST_RELIABILITY_H

/* Parameters that the test files define too (kept equal). */
#define CF2_REL_FROM_THREAD 0x100
#define CF2_REL_NO_OFFLOAD 0x200
#define CF2_REL_EXC_RESTARTABLE 0x100
#define CF2_REL_EXC_EXISTING 0x200
#define CF2_REL_EXC_NO_OFFLOAD 0x400

#define CF2_LIST_RELIABILITY(X)                                                                        \
    /* ---- the fault matrix: 8 fault points x new/existing destination per mode ---- */          \
    X(reliability, faults_plain, rel_fault_matrix, 0, "issue8/faults, 9.11", OURS, CF2_NEEDS_SEAM,     \
      "faults at PREPARE_SOURCE/PREPARE_DEST and read/write at the first, a middle, the last chunk: "  \
      "that error; destination deleted (untouched for PREPARE faults)")                               \
    X(reliability, faults_restartable, rel_fault_matrix, 1, "issue8/faults, 9.11", OURS,               \
      CF2_NEEDS_SEAM, "the same, RESTARTABLE: destination kept as a resumable fragment; the next "     \
      "RESTARTABLE call resumes (never past the fault) and completes byte-identically")              \
    X(reliability, faults_error_continue, rel_fault_matrix, 2, "issue8/faults, protocol", OURS,        \
      CF2_NEEDS_SEAM, "ERROR answered CONTINUE: one ERROR message (phase, chunk, hrFailure), no "      \
      "more messages, that error, destination deleted")                                               \
    X(reliability, faults_error_quiet, rel_fault_matrix, 3, "issue8/faults, protocol", OURS,           \
      CF2_NEEDS_SEAM, "ERROR answered QUIET: as CONTINUE")                                             \
    X(reliability, faults_error_cancel, rel_fault_matrix, 4, "issue8/faults, protocol", OURS,          \
      CF2_NEEDS_SEAM, "ERROR answered CANCEL: ERROR_REQUEST_ABORTED, destination deleted")            \
    X(reliability, faults_error_stop, rel_fault_matrix, 5, "issue8/faults, protocol", OURS,            \
      CF2_NEEDS_SEAM, "ERROR answered STOP: ERROR_REQUEST_ABORTED, one STREAM_FINISHED more, "         \
      "destination kept (a plain copy replaces it)")                                                  \
    X(reliability, faults_error_pause, rel_fault_matrix, 6, "issue8/faults, protocol", OURS,           \
      CF2_NEEDS_SEAM, "ERROR answered PAUSE: ERROR_REQUEST_PAUSED, resumable; RESUME_FROM_PAUSE "     \
      "resumes at the faulted chunk, byte-identical")                                                 \
    X(reliability, faults_restartable_error_continue, rel_fault_matrix, 7, "issue8/faults, protocol",  \
      OURS, CF2_NEEDS_SEAM, "RESTARTABLE, ERROR answered CONTINUE: that error, resumable")             \
    X(reliability, faults_restartable_error_quiet, rel_fault_matrix, 8, "issue8/faults, protocol",     \
      OURS, CF2_NEEDS_SEAM, "RESTARTABLE, ERROR answered QUIET: that error, resumable")                \
    X(reliability, faults_restartable_error_cancel, rel_fault_matrix, 9, "issue8/faults, protocol",    \
      OURS, CF2_NEEDS_SEAM, "RESTARTABLE, ERROR answered CANCEL: ERROR_REQUEST_ABORTED, deleted")       \
    X(reliability, faults_restartable_error_stop, rel_fault_matrix, 10, "issue8/faults, protocol",     \
      OURS, CF2_NEEDS_SEAM, "RESTARTABLE, ERROR answered STOP: ERROR_REQUEST_ABORTED, resumable")       \
    X(reliability, faults_restartable_error_pause, rel_fault_matrix, 11, "issue8/faults, protocol",    \
      OURS, CF2_NEEDS_SEAM, "RESTARTABLE, ERROR answered PAUSE: ERROR_REQUEST_PAUSED, resumable")       \
    /* ---- the source changed while the copy runs ---- */                                         \
    X(reliability, source_truncated, rel_source_changed, 0, "issue8/source, protocol", OURS, 0,        \
      "source truncated by the routine (in-kernel path): ERROR_HANDLE_EOF (READ_SOURCE), deleted")    \
    X(reliability, source_truncated_read_write, rel_source_changed, 0 | CF2_REL_NO_OFFLOAD,            \
      "issue8/source, protocol", OURS, 0, "the same through read/write (NO_OFFLOAD)")                  \
    X(reliability, source_truncated_by_thread, rel_source_changed, 0 | CF2_REL_FROM_THREAD,            \
      "issue8/source, protocol", OURS, 0,                                                              \
      "source truncated by another thread during a throttled copy (512 KB/s): ERROR_HANDLE_EOF")      \
    X(reliability, source_extended, rel_source_changed, 1, "issue8/source, protocol", OURS, 0,         \
      "source extended by the routine: S_OK, the length it had when opened, byte-identical")          \
    X(reliability, source_extended_read_write, rel_source_changed, 1 | CF2_REL_NO_OFFLOAD,             \
      "issue8/source, protocol", OURS, 0, "the same through read/write (NO_OFFLOAD)")                  \
    X(reliability, source_extended_by_thread, rel_source_changed, 1 | CF2_REL_FROM_THREAD,             \
      "issue8/source, protocol", OURS, 0, "source extended by another thread during a throttled copy") \
    X(reliability, source_deleted, rel_source_changed, 2, "issue8/source", OBS, 0,                     \
      "source deleted by the routine: DeleteFileW succeeds (FILE_SHARE_DELETE); S_OK byte-identical " \
      "from the open handle (or a precise failure, destination deleted); the source then gone")       \
    X(reliability, source_deleted_read_write, rel_source_changed, 2 | CF2_REL_NO_OFFLOAD,              \
      "issue8/source", OBS, 0, "the same through read/write (NO_OFFLOAD)")                             \
    X(reliability, source_deleted_by_thread, rel_source_changed, 2 | CF2_REL_FROM_THREAD,              \
      "issue8/source", OBS, 0, "source deleted by another thread during a throttled copy")             \
    /* ---- the destination changed while the copy runs ---- */                                    \
    X(reliability, dest_delete_refused, rel_dest_changed, 0, "issue8/destination, 1.6", OURS, 0,       \
      "DeleteFileW of the destination being written: ERROR_SHARING_VIOLATION; copy completes")        \
    X(reliability, dest_move_refused, rel_dest_changed, 1, "issue8/destination, 1.6", OURS, 0,         \
      "MoveFileW/MoveFileExW of the destination: ERROR_SHARING_VIOLATION; copy completes")             \
    X(reliability, dest_folder_remove_refused, rel_dest_changed, 2, "issue8/destination", OBS, 0,      \
      "RemoveDirectoryW of its folder: ERROR_DIR_NOT_EMPTY; copy completes")                           \
    X(reliability, dest_folder_renamed, rel_dest_changed, 3, "issue8/destination", OBS, 0,             \
      "its folder renamed: refused, or done (Wine); the copy completes through its handle")            \
    X(reliability, dest_folder_readonly, rel_dest_changed, 4, "issue8/destination", OBS, 0,            \
      "its folder made read-only: copy completes byte-identically")                                    \
    X(reliability, dest_folder_readonly_fault, rel_dest_changed, 5, "issue8/destination, 9.11", OURS,  \
      CF2_NEEDS_SEAM, "its folder made read-only, then a write fault: that error, destination deleted") \
    X(reliability, dest_held_by_process, rel_dest_held_by_process, 0, "issue8/destination, 1.6, 1.5",  \
      OURS, 0, "destination held by another process, 4 accesses x 8 sharing modes: S_OK exactly when " \
      "it shares writing and has no DELETE access, else ERROR_SHARING_VIOLATION, unchanged; a failed " \
      "copy leaves the fragment the holder keeps")                                                     \
    X(reliability, dest_held_by_process_restartable, rel_dest_held_by_process, COPY_FILE_RESTARTABLE,  \
      "issue8/destination, 1.6", OURS, 0, "the same for RESTARTABLE copies (which also read: the "     \
      "holder must share reading too)")                                                                \
    /* ---- invalid answers ---- */                                                                   \
    X(reliability, invalid_action_stream_started, rel_invalid_action, COPYFILE2_CALLBACK_STREAM_STARTED, \
      "issue8/routine, protocol", OURS, 0,                                                             \
      "5, 100, 0x7FFFFFFF, 0xFFFFFFFF to STREAM_STARTED (new, existing, RESTARTABLE): E_INVALIDARG, "  \
      "destination deleted, no more messages")                                                         \
    X(reliability, invalid_action_chunk_started, rel_invalid_action, COPYFILE2_CALLBACK_CHUNK_STARTED, \
      "issue8/routine, protocol", OURS, 0, "the same at CHUNK_STARTED of chunk 2")                     \
    X(reliability, invalid_action_chunk_finished, rel_invalid_action,                                  \
      COPYFILE2_CALLBACK_CHUNK_FINISHED, "issue8/routine, protocol", OURS, 0,                          \
      "the same at CHUNK_FINISHED of chunk 2")                                                         \
    X(reliability, invalid_action_stream_finished, rel_invalid_action,                                 \
      COPYFILE2_CALLBACK_STREAM_FINISHED, "issue8/routine, protocol", OURS, 0,                         \
      "the same at STREAM_FINISHED of a complete copy: E_INVALIDARG, deleted")                         \
    X(reliability, invalid_action_poll, rel_invalid_action, COPYFILE2_CALLBACK_POLL_CONTINUE,          \
      "issue8/routine, protocol", OURS, 0, "the same at POLL_CONTINUE (ioDesiredRate 512)")            \
    X(reliability, invalid_action_error, rel_invalid_action, COPYFILE2_CALLBACK_ERROR,                 \
      "issue8/routine, protocol", OURS, CF2_NEEDS_SEAM, "the same in answer to an ERROR message")      \
    X(reliability, invalid_action_old_routine, rel_invalid_action_old_routine, 0,                      \
      "issue8/routine, flags.md", OURS, 0, "pProgressRoutineOld answering 4, 5, 100, 0x7FFFFFFF, "     \
      "0xFFFFFFFF: E_INVALIDARG, deleted, not called again")                                           \
    /* ---- structured exceptions raised by the routine ---- */                                       \
    X(reliability, exception_stream_started, rel_exception, COPYFILE2_CALLBACK_STREAM_STARTED,         \
      "issue8/exceptions", OURS, 0, "RaiseException at STREAM_STARTED: reaches the caller; no handle " \
      "leaked; destination deleted during the unwind; the DLL still works")                           \
    X(reliability, exception_chunk_started, rel_exception, COPYFILE2_CALLBACK_CHUNK_STARTED,           \
      "issue8/exceptions", OURS, 0, "the same at CHUNK_STARTED of chunk 2")                             \
    X(reliability, exception_chunk_finished, rel_exception, COPYFILE2_CALLBACK_CHUNK_FINISHED,         \
      "issue8/exceptions", OURS, 0, "the same at CHUNK_FINISHED of chunk 2 (in-kernel path)")          \
    X(reliability, exception_chunk_finished_read_write, rel_exception,                                 \
      COPYFILE2_CALLBACK_CHUNK_FINISHED | CF2_REL_EXC_NO_OFFLOAD, "issue8/exceptions", OURS, 0,        \
      "the same through read/write (NO_OFFLOAD)")                                                      \
    X(reliability, exception_existing_destination, rel_exception,                                      \
      COPYFILE2_CALLBACK_CHUNK_FINISHED | CF2_REL_EXC_EXISTING, "issue8/exceptions", OURS, 0,          \
      "the same over an existing destination: deleted")                                                \
    X(reliability, exception_stream_finished, rel_exception, COPYFILE2_CALLBACK_STREAM_FINISHED,       \
      "issue8/exceptions", OURS, 0, "the same at STREAM_FINISHED")                                      \
    X(reliability, exception_poll, rel_exception, COPYFILE2_CALLBACK_POLL_CONTINUE,                    \
      "issue8/exceptions", OURS, 0, "the same at POLL_CONTINUE while throttled")                       \
    X(reliability, exception_error, rel_exception, COPYFILE2_CALLBACK_ERROR, "issue8/exceptions",      \
      OURS, CF2_NEEDS_SEAM, "the same in answer to an ERROR message")                                  \
    X(reliability, exception_restartable, rel_exception,                                               \
      COPYFILE2_CALLBACK_CHUNK_FINISHED | CF2_REL_EXC_RESTARTABLE, "issue8/exceptions", OURS, 0,       \
      "the same, RESTARTABLE: destination kept resumable; the next call completes byte-identically")   \
    X(reliability, exception_old_routine, rel_exception_old_routine, 0, "issue8/exceptions", OURS, 0,  \
      "RaiseException in pProgressRoutineOld: reaches the caller, no leak, destination deleted")      \
    X(reliability, exception_nested, rel_exception_nested, 0, "issue8/exceptions", OURS, 0,            \
      "an exception in a copy started from a routine unwinds both copies: both destinations deleted, " \
      "no leak")                                                                                       \
    X(reliability, exception_continued, rel_exception_continued, 0, "issue8/exceptions", OURS, 0,      \
      "an exception the caller continues (EXCEPTION_CONTINUE_EXECUTION): the copy completes")          \
    /* ---- nested copies and the routine's use of its handles ---- */                               \
    X(reliability, nested_same_destination_same_source, rel_nested_same_destination, 0,               \
      "issue8/routine", OURS, 0, "a routine copying the same source onto the destination being "       \
      "written: ERROR_SHARING_VIOLATION; the outer copy completes byte-identically")                   \
    X(reliability, nested_same_destination_other_source, rel_nested_same_destination, 1,              \
      "issue8/routine", OURS, 0, "the same with another source of the same size")                      \
    X(reliability, nested_same_destination_shorter_source, rel_nested_same_destination, 2,            \
      "issue8/routine", OURS, 0, "the same with a shorter source")                                     \
    X(reliability, routine_uses_handles, rel_routine_uses_handles, 0, "issue8/routine, protocol",      \
      OURS, 0, "GetFileSizeEx, GetFileInformationByHandle, ReadFile at explicit offsets and moving "  \
      "the file pointers of the handles given: no effect on the copy")                                 \
    X(reliability, routine_uses_handles_read_write, rel_routine_uses_handles, COPY_FILE_NO_OFFLOAD,    \
      "issue8/routine, protocol", OURS, 0, "the same through read/write")                              \
    X(reliability, routine_uses_handles_restartable, rel_routine_uses_handles, COPY_FILE_RESTARTABLE,  \
      "issue8/routine, protocol", OURS, 0, "the same, RESTARTABLE (reading the destination handle too)") \
    /* ---- hostile paths ---- */                                                                     \
    X(reliability, hostile_null_empty_blank, rel_hostile_null_empty_blank, 0, "issue8/paths, 9.3",     \
      OURS, 0, "NULL: E_INVALIDARG; empty or only spaces: ERROR_PATH_NOT_FOUND; trailing backslash: "  \
      "ERROR_INVALID_NAME; the folder: ERROR_ACCESS_DENIED; nothing created")                          \
    X(reliability, hostile_trailing_dots_spaces, rel_hostile_trailing_dots_spaces, 0, "issue8/paths",  \
      DOC, 0, "trailing dots and spaces are dropped from Win32 names and kept after \\\\?\\")          \
    X(reliability, hostile_long_paths, rel_hostile_long_paths, 0, "issue8/paths, 1.2", DOC, 0,         \
      "the deepest folder possible: byte-identical; ~32,000 characters: ERROR_PATH_NOT_FOUND; over "   \
      "32,767: ERROR_FILENAME_EXCED_RANGE and no other file touched")                                  \
    X(reliability, hostile_devices, rel_hostile_devices, 0, "issue8/paths", OBS, 0,                    \
      "NUL, CON, COM1, AUX, PRN, LPT1, CONIN$, CONOUT$, \\\\.\\NUL as source and destination: the "   \
      "error of the first step that fails on the device; never hangs; nothing created")               \
    X(reliability, hostile_stream_syntax, rel_hostile_stream_syntax, 0, "issue8/paths, flags.md", OBS, \
      0, "name:stream, name::$DATA, the source's own stream name: byte-identical, the source intact "  \
      "(Wine: separate files with a colon in the name)")                                               \
    X(reliability, hostile_spellings, rel_hostile_spellings, 0, "issue8/paths", DOC, 0,                \
      ".., ., forward slashes, case, non-BMP names work; / after \\\\?\\: ERROR_INVALID_NAME; "        \
      "unpaired surrogates: a copy or a precise failure creating nothing")                             \
    X(reliability, hostile_same_file_spellings, rel_hostile_same_file_spellings, 0, "issue8/paths, 9.5", \
      OURS, 0, "the same file through its 8.3 name, \\\\.\\, ..\\, /, \\\\?\\unix\\ (Wine), a hard "  \
      "link: ERROR_SHARING_VIOLATION both ways, file intact")                                          \
    X(reliability, hostile_same_file_symlink, rel_hostile_same_file_symlink, 0, "issue8/paths, 9.5",   \
      OURS, 0, "a file and a symbolic link to it: ERROR_SHARING_VIOLATION (skipped where links "       \
      "cannot be made)")                                                                               \
    /* ---- hostile parameter blocks ---- */                                                         \
    X(reliability, params_every_dwsize, rel_params_every_dwsize, 0, "issue8/params, 9.1", OURS, 0,     \
      "dwSize 0..256, 0xFFFFFFFF, 0x80000000, 0x10000+V1/V2: only the V1 and V2 sizes accepted")      \
    X(reliability, params_every_flag_bit, rel_params_every_flag_bit, 0, "issue8/params, flags.md",     \
      OURS, 0, "each of the 32 bits of dwCopyFlags (V1, V2) and dwCopyFlagsV2: accepted (a "           \
      "byte-identical copy) exactly as docs/flags.md lists, else E_INVALIDARG; no handle leaked")     \
    X(reliability, params_unaligned, rel_params_unaligned, 0, "issue8/params", OURS, 0,                \
      "V1 and V2 blocks and pfCancel at odd addresses: S_OK, byte-identical, nothing written")         \
    X(reliability, params_readonly_and_guard_pages, rel_params_readonly_and_guard_pages, 0,            \
      "issue8/params, 9.1", OURS, 0, "read-only blocks, blocks ending at an inaccessible page, "        \
      "pfCancel on a read-only page (FALSE: copy; TRUE: aborted), context and SourceOplockKeys "       \
      "pointing at an inaccessible page: never written, never read beyond dwSize")                    \
    /* ---- concurrency ---- */                                                                      \
    X(reliability, concurrency_distinct, rel_concurrency, 0, "issue8/concurrency", OURS, 0,            \
      "8 threads x 25 copies (CF2_REL_COPIES), distinct destinations, cancels, pauses, stops, "        \
      "throttling, injected faults: documented results, byte-identical copies, no leak, no deadlock") \
    X(reliability, concurrency_shared, rel_concurrency, 1, "issue8/concurrency", OURS, 0,              \
      "8 threads x 25 copies of one source to one destination with cancels: documented results "       \
      "(sharing races included), no deadlock; a last copy succeeds byte-identically")                  \
    X(reliability, concurrency_shared_two_sources, rel_concurrency, 2, "issue8/concurrency", OURS, 0,  \
      "8 threads x 6 copies of two different sources to one destination: S_OK each, the source's "     \
      "size; what the content ends as is printed (not serialized)")                                    \
    /* ---- the figures, printed last ---- */                                                        \
    X(reliability, figures, rel_figures, 0, "issue8", OURS, 0,                                         \
      "prints the area's figures (faults injected, exceptions unwound, concurrent copies)")

#endif
