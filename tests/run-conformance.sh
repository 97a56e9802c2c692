#!/bin/sh
# Runs the CopyFile2 conformance suite (tests/conformance, built by make as
# build/<arch>/tests/conformance.exe) under Wine in the private prefix
# build/wineprefix, through tools/wine-run.sh.  Builds nothing.
#
# For each architecture (x64; x86 only where 32-bit Wine is installed):
#   <arch>-test     against build/<arch>/test/copyfile2.dll (test build, with
#                   the fault-injection seam); every test, the >4 GiB copy too
#   <arch>-shipped  against build/<arch>/copyfile2.dll (the shipped build:
#                   must not export the seam, so the fault tests skip), --quick
#   <arch>-kernel32 against Wine's own kernel32.dll: Wine 8.0 has no CopyFile2,
#                   and the suite must say so cleanly and exit 4
#
# Each run's output goes to build/conformance-logs/<run>.log and is printed.
# Test files go under build/conformance-work/<run>, emptied before and after
# each run.  At the end the prefix's wineserver is stopped.  Exits non-zero if
# any run failed.
#
# Run as root, the script also mounts a 4 MiB tmpfs on
# build/conformance-smallfs for the progress area's disk-full test and passes
# its Wine path in CF2_SMALLFS; it is unmounted when the script exits, also on
# failure or interruption.  Otherwise that one test skips with its reason.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

logs=build/conformance-logs
work=build/conformance-work
prefix=$here/build/wineprefix
failed=""
summary=""

# Runs use explicit options only.
unset CF2_IMPL CF2_WORKDIR CF2_DOC_ONLY CF2_SMALLFS

mkdir -p "$logs" "$work"

# Linux path -> Wine path (Wine maps / to Z:).
winpath() {
    printf 'Z:%s' "$1" | tr '/' '\\'
}

# ---- the small file system of the disk-full test (root only)
smallfs=$here/build/conformance-smallfs
smallfs_mounted=no
unmount_smallfs() {
    if [ "$smallfs_mounted" = yes ]; then
        umount "$smallfs" 2>/dev/null || umount -l "$smallfs" 2>/dev/null || true
        rmdir "$smallfs" 2>/dev/null || true
        smallfs_mounted=no
    fi
}
trap unmount_smallfs EXIT
trap 'exit 130' INT TERM HUP
if [ "$(id -u)" -eq 0 ]; then
    mkdir -p "$smallfs"
    # A mount left by an interrupted earlier run is replaced by a fresh one.
    if mountpoint -q "$smallfs" 2>/dev/null; then
        umount "$smallfs" 2>/dev/null || true
    fi
    if mount -t tmpfs -o size=4m,mode=0777 cf2-smallfs "$smallfs" 2>/dev/null; then
        smallfs_mounted=yes
        CF2_SMALLFS="$(winpath "$smallfs")\\"
        export CF2_SMALLFS
        printf 'small file system: 4 MiB tmpfs on %s (CF2_SMALLFS=%s)\n' "$smallfs" "$CF2_SMALLFS"
    else
        rmdir "$smallfs" 2>/dev/null || true
        echo "small file system: cannot mount a tmpfs on $smallfs; the disk-full test will skip"
    fi
else
    echo "small file system: not root, no tmpfs; the disk-full test will skip"
fi

fail() {
    printf 'FAIL: %s\n' "$*"
    failed="$failed
  $*"
}

# run NAME ARCH ARGS...: runs the suite, leaves its exit code in $rc and its
# log in build/conformance-logs/NAME.log.
run() {
    name=$1 arch=$2
    shift 2
    exe=build/$arch/tests/conformance.exe
    log=$logs/$name.log
    rm -rf "$work/$name"
    mkdir -p "$work/$name"
    if [ "$smallfs_mounted" = yes ]; then
        find "$smallfs" -mindepth 1 -delete 2>/dev/null || true
    fi
    echo
    printf '======== conformance run %s: %s %s\n' "$name" "$exe" "$*"
    rc=0
    # wine-run.sh writes the program's output to a file and prints it after
    # the program ends: no pipe is attached to Wine while it runs.
    sh tools/wine-run.sh "$exe" --workdir "$(winpath "$here/$work/$name")" "$@" >"$log.raw" 2>&1 || rc=$?
    # The Windows C runtime writes CRLF line ends: keep the log in LF.
    tr -d '\r' <"$log.raw" >"$log" && rm -f "$log.raw"
    cat "$log"
    echo "======== $name: exit code $rc (log: $log)"
    rm -rf "$work/$name"
    line=$(grep -a "^cf2-conformance ($arch): [0-9]* tests:" "$log" | tail -n 1)
    summary="$summary
  $name (exit $rc): ${line:-no summary line}"
}

# check_impl NAME ARCH DLL SEAM(yes|no) [ARGS...]: a run against one of our DLLs.
check_impl() {
    name=$1 arch=$2 dll=$3 seam=$4
    shift 4
    if [ ! -f "$dll" ]; then
        fail "$name: $dll does not exist (run make all)"
        return
    fi
    run "$name" "$arch" --impl "$(winpath "$here/$dll")" "$@"
    if ! grep -aq "^cf2-conformance ($arch): [0-9]* tests:" "$log"; then
        fail "$name: the suite did not finish (exit code $rc, crash?)"
        return
    fi
    [ "$rc" -eq 0 ] || fail "$name: tests failed (exit code $rc)"
    if [ "$smallfs_mounted" = yes ] && grep -aq 'SKIP: CF2_SMALLFS' "$log"; then
        fail "$name: the disk-full test skipped although the small file system is mounted"
    fi
    if [ "$seam" = yes ]; then
        grep -aq '^fault-injection seam: present' "$log" ||
            fail "$name: the test build has no fault-injection seam (cf2_test_set_fault)"
    else
        grep -aq '^fault-injection seam: absent' "$log" ||
            fail "$name: the shipped build exports the fault-injection seam"
    fi
}

# check_kernel32 NAME ARCH: Wine 8.0's kernel32 has no CopyFile2; the suite
# must report it in one clean line, skip every test and exit 4.
check_kernel32() {
    name=$1 arch=$2
    run "$name" "$arch" --impl kernel32.dll --quick
    ok=yes
    [ "$rc" -eq 4 ] || { ok=no; fail "$name: exit code $rc, expected 4 (no CopyFile2 export)"; }
    grep -aq '^implementation .*kernel32\.dll has no CopyFile2 export (error 127): all tests skipped$' "$log" || {
        ok=no
        fail "$name: no clean \"has no CopyFile2 export (error 127)\" report"
    }
    grep -aq "^cf2-conformance ($arch): \([0-9]*\) tests: 0 passed, 0 failed, [0-9]* skipped" "$log" || {
        ok=no
        fail "$name: not every test was skipped"
    }
    total=$(sed -n "s/^cf2-conformance ($arch): \([0-9]*\) tests: 0 passed, 0 failed, \([0-9]*\) skipped.*/\1 \2/p" "$log")
    set -- $total
    if [ $# -eq 2 ] && [ "$1" != "$2" ]; then
        ok=no
        fail "$name: $2 of $1 tests skipped"
    fi
    if grep -aq 'FAILED\|ERROR' "$log"; then
        ok=no
        fail "$name: errors in the output"
    fi
    [ "$ok" = yes ] && echo "ok: $name: Wine's kernel32.dll reported cleanly as having no CopyFile2 (exit 4)"
}

for arch in x64 x86; do
    if [ ! -f "build/$arch/tests/conformance.exe" ]; then
        fail "build/$arch/tests/conformance.exe is missing (make build/$arch/tests/conformance.exe)"
    fi
done

# ---- x64
if [ -f build/x64/tests/conformance.exe ]; then
    check_impl x64-test x64 build/x64/test/copyfile2.dll yes
    check_impl x64-shipped x64 build/x64/copyfile2.dll no --quick
    check_kernel32 x64-kernel32 x64
fi

# ---- x86: only where 32-bit Wine can run it
if [ -f build/x86/tests/conformance.exe ]; then
    if sh tools/have-wine32.sh; then
        probe=$logs/x86-probe.log
        prc=0
        sh tools/wine-run.sh build/x86/tests/conformance.exe --probe >"$probe" 2>&1 || prc=$?
        if [ "$prc" -eq 0 ] && grep -aq 'probe ok' "$probe"; then
            check_impl x86-test x86 build/x86/test/copyfile2.dll yes
            check_impl x86-shipped x86 build/x86/copyfile2.dll no --quick
            check_kernel32 x86-kernel32 x86
        else
            tr -d '\r' <"$probe"
            fail "x86: 32-bit Wine looks installed but the x86 suite does not start (exit $prc)"
        fi
    else
        echo
        echo "SKIP: x86 conformance not run: 32-bit Wine (wine32:i386) is not installed"
        summary="$summary
  x86: not run (32-bit Wine not installed; build/x86/tests/conformance.exe is built)"
    fi
fi

WINEPREFIX="$prefix" /usr/lib/wine/wineserver -k >/dev/null 2>&1 || true
rmdir "$work" 2>/dev/null || true

echo
printf '======== conformance summary:%s\n' "$summary"
if [ -n "$failed" ]; then
    printf 'conformance: FAILED:%s\n' "$failed"
    exit 1
fi
echo "conformance: all runs passed"
exit 0
