/*
 * metadata.c - attributes and times of the destination.
 *
 * Decisions (docs/conformance.md, "Metadata"):
 * - The source's attributes are copied, READONLY and HIDDEN included, after the
 *   data, so a read-only source still gives a complete read-only copy.
 * - The last-write time is the source's.  Creation and last-access times are
 *   not copied: a new destination is created, and last accessed, at the time of
 *   the copy (as Windows' CopyFile family does); an overwritten destination
 *   keeps its creation time.
 */
#include "internal.h"

/* Attributes a file can be given with SetFileInformationByHandle.  Directory,
 * sparse, reparse, compressed and encrypted states are properties of how the
 * file is stored, set by other means (or not at all on this platform). */
DWORD cf2_settable_attributes(DWORD source_attributes)
{
    const DWORD settable = FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN |
                           FILE_ATTRIBUTE_SYSTEM | FILE_ATTRIBUTE_ARCHIVE |
                           FILE_ATTRIBUTE_TEMPORARY | FILE_ATTRIBUTE_OFFLINE |
                           FILE_ATTRIBUTE_NOT_CONTENT_INDEXED;
    DWORD a = source_attributes & settable;
    return a != 0 ? a : FILE_ATTRIBUTE_NORMAL;
}

/* Windows refuses to replace a hidden or read-only file (CopyFile2 remarks),
 * and, as CreateFileW's overwrite does, a system file with a source that is
 * not a system file.  Checked explicitly because Wine running as root would
 * allow all of them. */
BOOL cf2_is_protected_destination(DWORD attributes, DWORD source_attributes)
{
    if (attributes & (FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_READONLY))
        return TRUE;
    return (attributes & FILE_ATTRIBUTE_SYSTEM) && !(source_attributes & FILE_ATTRIBUTE_SYSTEM);
}

/* Applies the final attributes and last-write time through the open handle. */
DWORD cf2_apply_metadata(HANDLE dst, const BY_HANDLE_FILE_INFORMATION *src_info)
{
    FILE_BASIC_INFO basic;
    ZeroMemory(&basic, sizeof basic); /* zero times mean "leave unchanged" */
    basic.LastWriteTime.LowPart = src_info->ftLastWriteTime.dwLowDateTime;
    basic.LastWriteTime.HighPart = (LONG)src_info->ftLastWriteTime.dwHighDateTime;
    basic.FileAttributes = cf2_settable_attributes(src_info->dwFileAttributes);
    if (!SetFileInformationByHandle(dst, FileBasicInfo, &basic, sizeof basic))
        return GetLastError();
    return 0;
}
