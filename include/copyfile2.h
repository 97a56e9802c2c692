/*
 * copyfile2.h - public header of the copyfile2 library.
 *
 * Declares CopyFile2 and every type and constant of its contract
 * (COPYFILE2_EXTENDED_PARAMETERS, _V2, COPYFILE2_MESSAGE, the enumerations,
 * COPY_FILE_* and COPY_FILE2_V2_* flags, COPYFILE2_IO_* bounds and
 * ERROR_REQUEST_PAUSED).  Include it instead of, or after, <windows.h>.
 *
 * mingw-w64's <winbase.h> already carries the V1 structure, the enumerations,
 * COPYFILE2_MESSAGE and the prototype; this header defines only what the
 * system headers lack, so it never conflicts with them.  The layout of every
 * structure is checked at compile time against the Windows SDK's layout for
 * the architecture being built (x64 and x86).
 */
#ifndef COPYFILE2_H
#define COPYFILE2_H

/* CopyFile2 and its types need Windows 7 headers or newer (the SDK guards
 * them with _WIN32_WINNT >= 0x0601); default to Windows 10 like mingw-w64. */
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0A00
#elif _WIN32_WINNT < 0x0601
#error "copyfile2.h needs _WIN32_WINNT >= 0x0601"
#endif

#include <windows.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Header sets new enough to define the V2 flags define the V2 structure too. */
#if defined(COPY_FILE2_V2_DONT_COPY_JUNCTIONS) && !defined(COPYFILE2_SYSTEM_HAS_V2)
#define COPYFILE2_SYSTEM_HAS_V2 1
#endif

/* ---- dwCopyFlags (contract 2.2) that older headers hide or lack ---- */
#ifndef COPY_FILE_FAIL_IF_EXISTS
#define COPY_FILE_FAIL_IF_EXISTS 0x00000001
#endif
#ifndef COPY_FILE_RESTARTABLE
#define COPY_FILE_RESTARTABLE 0x00000002
#endif
#ifndef COPY_FILE_OPEN_SOURCE_FOR_WRITE
#define COPY_FILE_OPEN_SOURCE_FOR_WRITE 0x00000004
#endif
#ifndef COPY_FILE_ALLOW_DECRYPTED_DESTINATION
#define COPY_FILE_ALLOW_DECRYPTED_DESTINATION 0x00000008
#endif
#ifndef COPY_FILE_DIRECTORY
#define COPY_FILE_DIRECTORY 0x00000080
#endif
#ifndef COPY_FILE_COPY_SYMLINK
#define COPY_FILE_COPY_SYMLINK 0x00000800
#endif
#ifndef COPY_FILE_NO_BUFFERING
#define COPY_FILE_NO_BUFFERING 0x00001000
#endif
#ifndef COPY_FILE_REQUEST_SECURITY_PRIVILEGES
#define COPY_FILE_REQUEST_SECURITY_PRIVILEGES 0x00002000
#endif
#ifndef COPY_FILE_RESUME_FROM_PAUSE
#define COPY_FILE_RESUME_FROM_PAUSE 0x00004000
#endif
#ifndef COPY_FILE_SKIP_ALTERNATE_STREAMS
#define COPY_FILE_SKIP_ALTERNATE_STREAMS 0x00008000
#endif
#ifndef COPY_FILE_NO_OFFLOAD
#define COPY_FILE_NO_OFFLOAD 0x00040000
#endif
#ifndef COPY_FILE_OPEN_AND_COPY_REPARSE_POINT
#define COPY_FILE_OPEN_AND_COPY_REPARSE_POINT 0x00200000
#endif
#ifndef COPY_FILE_IGNORE_EDP_BLOCK
#define COPY_FILE_IGNORE_EDP_BLOCK 0x00400000
#endif
#ifndef COPY_FILE_IGNORE_SOURCE_ENCRYPTION
#define COPY_FILE_IGNORE_SOURCE_ENCRYPTION 0x00800000
#endif
#ifndef COPY_FILE_DONT_REQUEST_DEST_WRITE_DAC
#define COPY_FILE_DONT_REQUEST_DEST_WRITE_DAC 0x02000000
#endif
#ifndef COPY_FILE_DISABLE_PRE_ALLOCATION
#define COPY_FILE_DISABLE_PRE_ALLOCATION 0x04000000
#endif
#ifndef COPY_FILE_ENABLE_LOW_FREE_SPACE_MODE
#define COPY_FILE_ENABLE_LOW_FREE_SPACE_MODE 0x08000000
#endif
#ifndef COPY_FILE_REQUEST_COMPRESSED_TRAFFIC
#define COPY_FILE_REQUEST_COMPRESSED_TRAFFIC 0x10000000
#endif
#ifndef COPY_FILE_ENABLE_SPARSE_COPY
#define COPY_FILE_ENABLE_SPARSE_COPY 0x20000000
#endif
#ifndef COPY_FILE_DISABLE_SPARSE_COPY
#define COPY_FILE_DISABLE_SPARSE_COPY 0x80000000
#endif

/* Every dwCopyFlags bit this implementation knows; any other bit is
 * rejected with E_INVALIDARG (bits 0x10-0x400 are Windows' private gap). */
#define COPYFILE2_ALL_COPY_FLAGS                                              \
    (COPY_FILE_FAIL_IF_EXISTS | COPY_FILE_RESTARTABLE |                       \
     COPY_FILE_OPEN_SOURCE_FOR_WRITE | COPY_FILE_ALLOW_DECRYPTED_DESTINATION | \
     COPY_FILE_DIRECTORY | COPY_FILE_COPY_SYMLINK | COPY_FILE_NO_BUFFERING |  \
     COPY_FILE_REQUEST_SECURITY_PRIVILEGES | COPY_FILE_RESUME_FROM_PAUSE |    \
     COPY_FILE_SKIP_ALTERNATE_STREAMS | COPY_FILE_NO_OFFLOAD |                \
     COPY_FILE_OPEN_AND_COPY_REPARSE_POINT | COPY_FILE_IGNORE_EDP_BLOCK |     \
     COPY_FILE_IGNORE_SOURCE_ENCRYPTION |                                     \
     COPY_FILE_DONT_REQUEST_DEST_WRITE_DAC | COPY_FILE_DISABLE_PRE_ALLOCATION | \
     COPY_FILE_ENABLE_LOW_FREE_SPACE_MODE |                                   \
     COPY_FILE_REQUEST_COMPRESSED_TRAFFIC | COPY_FILE_ENABLE_SPARSE_COPY |    \
     COPY_FILE_DISABLE_SPARSE_COPY)

/* ---- dwCopyFlagsV2 (contract 3.2) ---- */
#ifndef COPY_FILE2_V2_DONT_COPY_JUNCTIONS
#define COPY_FILE2_V2_DONT_COPY_JUNCTIONS 0x00000001
#endif
#ifndef COPY_FILE2_V2_DISABLE_BLOCK_CLONING
#define COPY_FILE2_V2_DISABLE_BLOCK_CLONING 0x00000002
#endif
/* The newest SDK value (older SDKs say 0x1). */
#define COPYFILE2_ALL_COPY_FLAGS_V2 \
    (COPY_FILE2_V2_DONT_COPY_JUNCTIONS | COPY_FILE2_V2_DISABLE_BLOCK_CLONING)
#ifndef COPY_FILE2_V2_VALID_FLAGS
#define COPY_FILE2_V2_VALID_FLAGS COPYFILE2_ALL_COPY_FLAGS_V2
#endif

/* ---- I/O bounds of the V2 structure (contract 6.4) ---- */
#ifndef COPYFILE2_IO_CYCLE_SIZE_MIN
#define COPYFILE2_IO_CYCLE_SIZE_MIN 0x00001000
#endif
#ifndef COPYFILE2_IO_CYCLE_SIZE_MAX
#define COPYFILE2_IO_CYCLE_SIZE_MAX 0x40000000
#endif
#ifndef COPYFILE2_IO_RATE_MIN
#define COPYFILE2_IO_RATE_MIN 512
#endif

#ifndef COPYFILE2_MESSAGE_COPY_OFFLOAD
#define COPYFILE2_MESSAGE_COPY_OFFLOAD 0x00000001L
#endif

/* ---- Error codes ---- */
#ifndef ERROR_REQUEST_PAUSED
#define ERROR_REQUEST_PAUSED 3050L
#endif
#ifndef ERROR_REQUEST_ABORTED
#define ERROR_REQUEST_ABORTED 1235L
#endif
#ifndef ERROR_USER_MAPPED_FILE
#define ERROR_USER_MAPPED_FILE 1224L
#endif

/* Message types that only the newest Learn page lists.  They have no union
 * member and this implementation never sends them (contract 9.18). */
#ifndef COPYFILE2_CALLBACK_SPARSE_CHUNK_STARTED
#define COPYFILE2_CALLBACK_SPARSE_CHUNK_STARTED ((COPYFILE2_MESSAGE_TYPE)7)
#endif
#ifndef COPYFILE2_CALLBACK_SPARSE_CHUNK_FINISHED
#define COPYFILE2_CALLBACK_SPARSE_CHUNK_FINISHED ((COPYFILE2_MESSAGE_TYPE)8)
#endif

/* ---- V2 structure (SDK: NTDDI_WIN10_FE and later) ----
 * Defined here unless the system headers have it (see COPYFILE2_SYSTEM_HAS_V2
 * above; define it yourself for a header set that has the structure but not
 * the flags). */
#if defined(COPYFILE2_SYSTEM_HAS_V2)
/* provided by the system headers */
#else
typedef struct _COPYFILE2_CREATE_OPLOCK_KEYS {
    GUID ParentOplockKey; /* all zero if not set */
    GUID TargetOplockKey; /* all zero if not set */
} COPYFILE2_CREATE_OPLOCK_KEYS, *PCOPYFILE2_CREATE_OPLOCK_KEYS;

typedef struct COPYFILE2_EXTENDED_PARAMETERS_V2 {
    DWORD dwSize;      /* sizeof(COPYFILE2_EXTENDED_PARAMETERS_V2) */
    DWORD dwCopyFlags; /* COPY_FILE_* */
    BOOL *pfCancel;
    PCOPYFILE2_PROGRESS_ROUTINE pProgressRoutine;
    PVOID pvCallbackContext;
    DWORD dwCopyFlagsV2; /* COPY_FILE2_V2_* */
    ULONG ioDesiredSize; /* bytes per read/write cycle, 0 = default */
    ULONG ioDesiredRate; /* average KB/s, 0 = unlimited */
    LPPROGRESS_ROUTINE pProgressRoutineOld; /* wins over pProgressRoutine */
    PCOPYFILE2_CREATE_OPLOCK_KEYS SourceOplockKeys;
    PVOID reserved[6]; /* must be zero */
} COPYFILE2_EXTENDED_PARAMETERS_V2;
#endif

/* ---- The function ----
 * mingw-w64 declares CopyFile2 as a kernel32 import.  Programs that link our
 * import library (libcopyfile2.dll.a) or our static library
 * (libcopyfile2.a) resolve the same declaration to our implementation. */
#if !defined(COPYFILE2_NO_PROTOTYPE)
#if defined(COPYFILE2_BUILDING_DLL)
__declspec(dllexport)
#else
WINBASEAPI
#endif
HRESULT WINAPI CopyFile2(PCWSTR pwszExistingFileName, PCWSTR pwszNewFileName,
                         COPYFILE2_EXTENDED_PARAMETERS *pExtendedParameters);
#endif

/* Pointer type for loading CopyFile2 at run time with GetProcAddress. */
typedef HRESULT(WINAPI *PFN_COPYFILE2)(PCWSTR, PCWSTR,
                                       COPYFILE2_EXTENDED_PARAMETERS *);

/* ---- Compile-time layout checks (contract 2.1, 3.1, 5.3) ---- */
#if defined(__cplusplus)
#define COPYFILE2_ASSERT_LAYOUT(cond, msg) static_assert(cond, msg)
#else
#define COPYFILE2_ASSERT_LAYOUT(cond, msg) _Static_assert(cond, msg)
#endif

#if defined(_WIN64)
COPYFILE2_ASSERT_LAYOUT(sizeof(COPYFILE2_EXTENDED_PARAMETERS) == 32, "V1 size x64");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_EXTENDED_PARAMETERS, dwCopyFlags) == 4, "V1 dwCopyFlags");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_EXTENDED_PARAMETERS, pfCancel) == 8, "V1 pfCancel");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_EXTENDED_PARAMETERS, pProgressRoutine) == 16, "V1 pProgressRoutine");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_EXTENDED_PARAMETERS, pvCallbackContext) == 24, "V1 pvCallbackContext");
COPYFILE2_ASSERT_LAYOUT(sizeof(COPYFILE2_EXTENDED_PARAMETERS_V2) == 112, "V2 size x64");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_EXTENDED_PARAMETERS_V2, dwCopyFlagsV2) == 32, "V2 dwCopyFlagsV2");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_EXTENDED_PARAMETERS_V2, ioDesiredSize) == 36, "V2 ioDesiredSize");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_EXTENDED_PARAMETERS_V2, ioDesiredRate) == 40, "V2 ioDesiredRate");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_EXTENDED_PARAMETERS_V2, pProgressRoutineOld) == 48, "V2 pProgressRoutineOld");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_EXTENDED_PARAMETERS_V2, SourceOplockKeys) == 56, "V2 SourceOplockKeys");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_EXTENDED_PARAMETERS_V2, reserved) == 64, "V2 reserved");
COPYFILE2_ASSERT_LAYOUT(sizeof(COPYFILE2_MESSAGE) == 80, "message size x64");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_MESSAGE, Info.ChunkStarted.uliTotalFileSize) == 56, "ChunkStarted.uliTotalFileSize");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_MESSAGE, Info.ChunkFinished.uliTotalBytesTransferred) == 72, "ChunkFinished.uliTotalBytesTransferred");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_MESSAGE, Info.StreamFinished.uliTotalBytesTransferred) == 56, "StreamFinished.uliTotalBytesTransferred");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_MESSAGE, Info.ChunkStarted.uliChunkNumber) == 32, "ChunkStarted.uliChunkNumber");
#else
COPYFILE2_ASSERT_LAYOUT(sizeof(COPYFILE2_EXTENDED_PARAMETERS) == 20, "V1 size x86");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_EXTENDED_PARAMETERS, dwCopyFlags) == 4, "V1 dwCopyFlags");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_EXTENDED_PARAMETERS, pfCancel) == 8, "V1 pfCancel");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_EXTENDED_PARAMETERS, pProgressRoutine) == 12, "V1 pProgressRoutine");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_EXTENDED_PARAMETERS, pvCallbackContext) == 16, "V1 pvCallbackContext");
COPYFILE2_ASSERT_LAYOUT(sizeof(COPYFILE2_EXTENDED_PARAMETERS_V2) == 64, "V2 size x86");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_EXTENDED_PARAMETERS_V2, dwCopyFlagsV2) == 20, "V2 dwCopyFlagsV2");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_EXTENDED_PARAMETERS_V2, ioDesiredSize) == 24, "V2 ioDesiredSize");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_EXTENDED_PARAMETERS_V2, ioDesiredRate) == 28, "V2 ioDesiredRate");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_EXTENDED_PARAMETERS_V2, pProgressRoutineOld) == 32, "V2 pProgressRoutineOld");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_EXTENDED_PARAMETERS_V2, SourceOplockKeys) == 36, "V2 SourceOplockKeys");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_EXTENDED_PARAMETERS_V2, reserved) == 40, "V2 reserved");
COPYFILE2_ASSERT_LAYOUT(sizeof(COPYFILE2_MESSAGE) == 72, "message size x86");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_MESSAGE, Info.ChunkStarted.uliChunkNumber) == 24, "ChunkStarted.uliChunkNumber");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_MESSAGE, Info.ChunkFinished.uliTotalBytesTransferred) == 64, "ChunkFinished.uliTotalBytesTransferred");
#endif
/* Offsets that are the same on both architectures. */
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_MESSAGE, Type) == 0, "Type");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_MESSAGE, dwPadding) == 4, "dwPadding");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_MESSAGE, Info) == 8, "Info");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_MESSAGE, Info.ChunkStarted.hSourceFile) == 16, "ChunkStarted.hSourceFile");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_MESSAGE, Info.ChunkFinished.dwFlags) == 12, "ChunkFinished.dwFlags");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_MESSAGE, Info.Error.hrFailure) == 16, "Error.hrFailure");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_MESSAGE, Info.Error.uliChunkNumber) == 24, "Error.uliChunkNumber");
COPYFILE2_ASSERT_LAYOUT(offsetof(COPYFILE2_MESSAGE, Info.Error.uliTotalBytesTransferred) == 56, "Error.uliTotalBytesTransferred");
COPYFILE2_ASSERT_LAYOUT(sizeof(COPYFILE2_CREATE_OPLOCK_KEYS) == 32, "oplock keys");
COPYFILE2_ASSERT_LAYOUT(sizeof(COPYFILE2_MESSAGE_TYPE) == 4, "enum size");

#ifdef __cplusplus
}
#endif

#endif /* COPYFILE2_H */
