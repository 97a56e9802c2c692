#!/bin/sh
# Tests of the kernel32 drop-in (docs/drop-in.md), run by `make check-dropin`.
#
#   tests/dropin/run.sh DROPIN_DIR PREFIX
#
# PREFIX is a throwaway Wine prefix, made afresh each run (never ~/.wine).
#  0. static: the generator on a synthetic DLL (DATA, NONAME, forwarder, own
#     export); the test programs import CopyFile2 from KERNEL32.dll;
#  1. stock Wine: which_cf2 finds no CopyFile2; cf2_import aborts at the call
#     with "unimplemented function KERNEL32.dll.CopyFile2"; k32_smoke passes;
#  2. make install-wine (twice): the override is set, both files are there;
#     cf2_import copies with progress messages, which_cf2 sees our CopyFile2,
#     k32_smoke passes, Wine's own cmd.exe runs;
#  3. make uninstall-wine (twice): the prefix is as before (system32 listing
#     with checksums, modes, sizes and times; the whole prefix's file list;
#     the registry files without their timestamps), stock behaviour is back;
#  4. per-program override (DROPIN_APPS=cf2_app.exe, a copy of cf2_import.exe)
#     over a key and a kernel32 value the user already had for that program:
#     only the listed program gets the drop-in, uninstall puts the user's value
#     back and keeps the user's key and other value; the prefix is as before.
# Prints one line per check and a summary; exits non-zero if any check failed.
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -eq 2 ] || { echo "usage: run.sh DROPIN_DIR PREFIX" >&2; exit 2; }
dir=$(cd "$1" && pwd)
mkdir -p "$(dirname "$2")"
P=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
case "$P" in "$HOME/.wine"|"$HOME/.wine/"|/) echo "run.sh: will not use $P as a throwaway prefix" >&2; exit 2 ;; esac
tests=$dir/tests
work=$dir/work
out=$dir/out
WINESERVER=/usr/lib/wine/wineserver
MAKE=${MAKE:-make}
start=$(date +%s)

pass=0 fail=0
ok()   { pass=$((pass + 1)); printf '  ok   %s\n' "$*"; }
bad()  { fail=$((fail + 1)); printf '  FAIL %s\n' "$*"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else bad "$desc"; fi; }
section() { printf '== %s (at %s s)\n' "$*" $(($(date +%s) - start)); }

# Windows path of a host path, through Wine's Z: drive.
winpath() { echo "Z:$1" | tr / '\\'; }

# run NAME EXE ARGS...: runs under the prefix (tools/wine-run.sh: WINEDEBUG=-all,
# winedbg disabled, output to a file first); output in $out/NAME.txt, status in $rc.
run() {
    name=$1; shift
    sh "$here/tools/wine-run.sh" --prefix "$P" "$@" >"$out/$name.txt" 2>&1 </dev/null
    rc=$?
}
# A test program's own verdict: exit 0 and "N passed, 0 failed".
program_passed() {
    [ "$rc" -eq 0 ] && grep -q ': [0-9][0-9]* passed, 0 failed' "$out/$1.txt"
}
show() { sed 's/^/       | /' "$out/$1.txt"; }

value_of() {    # value_of KEY NAME: prints the data of a REG_SZ value, fails if absent
    sh "$here/tools/wine-run.sh" --prefix "$P" --overrides "kernel32=b" reg query "$1" /v "$2" >"$out/reg.txt" 2>&1 </dev/null || return 1
    tr -d '\r' <"$out/reg.txt" | sed -n "s/^    $2    REG_SZ    //p"
}
reg_set() {
    sh "$here/tools/wine-run.sh" --prefix "$P" --overrides "kernel32=b" reg add "$@" /f >"$out/reg.txt" 2>&1 </dev/null
}

# snapshot FILE: the state install/uninstall may touch, with the prefix's
# wineserver stopped so that the registry files are written.
snapshot() {
    # -k: the server writes the registry as it stops (measured: faster than -w).
    WINEPREFIX=$P "$WINESERVER" -k 2>/dev/null
    (
        cd "$P" || exit 1
        echo "# system32: cksum size mode mtime path"
        find drive_c/windows/system32 -type f -print0 | sort -z | xargs -0 cksum |
            while read -r c s f; do echo "$c $s $(stat -c '%a %Y' "$f") $f"; done
        echo "# the prefix's file list (Temp folders left out)"
        find . \( -path './drive_c/users/*/Temp' -o -path './drive_c/windows/temp' \) -prune -o -print |
            grep -v '^\./wineserver$' | sort
        for r in system.reg user.reg userdef.reg; do
            echo "# $r, without key timestamps, #time lines and DriverDate/DriverDateData (rewritten at each start)"
            sed -e 's/^\(\[.*\]\) [0-9][0-9]*$/\1/' -e '/^#time=/d' -e '/^"DriverDate\(Data\)\{0,1\}"=/d' "$r"
        done
    ) >"$1"
}
same_snapshot() { cmp -s "$1" "$2" || { diff "$1" "$2" | head -n 20 | sed 's/^/       | /'; return 1; }; }

imports_of() {  # imports_of EXE: "DLL function" lines
    x86_64-w64-mingw32-objdump -p "$1" |
        awk '/DLL Name:/ {dll=$3} /^[[:space:]]+[0-9a-f]+[[:space:]]+[0-9]+[[:space:]]+[A-Za-z_]/ {print dll, $3}'
}

stock_abort() {     # cf2_import under stock Wine: died at the call, with Wine's message
    [ "$rc" -ne 0 ] &&
        grep -q 'cf2_import: calling CopyFile2' "$out/cf2_import.txt" &&
        grep -q -i 'unimplemented function KERNEL32.dll.CopyFile2' "$out/cf2_import.txt" &&
        ! grep -q 'CopyFile2 returned' "$out/cf2_import.txt"
}

mkdir -p "$work" "$out"
rm -rf "${work:?}"/* "${out:?}"/*

# ------------------------------------------------------------------ 0. static
section "static checks"
gdir=$out/gen
mkdir -p "$gdir"
cat >"$gdir/syn.c" <<'EOF'
int syn_data = 42;
int syn_code(void) { return 1; }
int syn_hidden(void) { return 2; }
int syn_mine(void) { return 3; }
EOF
printf 'LIBRARY synk32.dll\nEXPORTS\nsyn_code @1\nsyn_data @2 DATA\nsyn_hidden @5 NONAME\nsyn_fwd = NTDLL.RtlGetVersion @7\nsyn_mine @9\n' >"$gdir/syn.def"
printf 'LIBRARY own.dll\nEXPORTS\nsyn_mine@4\nNewOne\n' >"$gdir/own.def"
if x86_64-w64-mingw32-gcc -shared -o "$gdir/synk32.dll" "$gdir/syn.c" "$gdir/syn.def" >"$gdir/log" 2>&1 &&
   sh "$here/tools/gen-kernel32-def.sh" --kernel32 "$gdir/synk32.dll" --own "$gdir/own.def" proxy "$gdir/proxy.def" >>"$gdir/log" 2>&1; then
    sed -n '/^EXPORTS/,$p' "$gdir/proxy.def" | sed 1d >"$gdir/got"
    cat >"$gdir/want" <<'EOF'
syn_code = kernel32_wine.syn_code @1
syn_data = kernel32_wine.syn_data @2 DATA
k32_ordinal_5 = "kernel32_wine.#5" @5 NONAME
syn_fwd = NTDLL.RtlGetVersion @7
NewOne @10
syn_mine @9
EOF
    check "generator: code, DATA, NONAME, forwarder and own exports (with the original's ordinal)" cmp -s "$gdir/got" "$gdir/want"
    cmp -s "$gdir/got" "$gdir/want" || diff "$gdir/want" "$gdir/got" | sed 's/^/       | /'
    printf 'int syn_mine(void) { return 3; }\nint NewOne(void) { return 4; }\nint entry(void *h, unsigned r, void *p) { (void)h; (void)r; (void)p; return 1; }\n' >"$gdir/mine.c"
    check "generator: its def links into a DLL that check-proxy.sh accepts" sh -c "
        x86_64-w64-mingw32-gcc -shared -nostdlib -Wl,-e,entry -o '$gdir/proxy.dll' '$gdir/mine.c' '$gdir/proxy.def' >>'$gdir/log' 2>&1 &&
        sh '$here/tests/dropin/check-proxy.sh' '$gdir/proxy.dll' '$gdir/synk32.dll' kernel32_wine.dll '$gdir/own.def' >>'$gdir/log' 2>&1"
else
    bad "generator on a synthetic DLL"; sed 's/^/       | /' "$gdir/log"
fi
check "the drop-in proxy matches the installed Wine's kernel32 (check-proxy.sh)" \
    sh -c "sh '$here/tests/dropin/check-proxy.sh' '$dir/kernel32.dll' '$dir/kernel32_wine.dll' kernel32_wine.dll '$here/build/x64/copyfile2.def' >'$out/check-proxy.txt' 2>&1"
show check-proxy
check "kernel32_wine.dll is the installed Wine's kernel32, byte for byte" cmp -s "$dir/kernel32_wine.dll" "$(sed -n 's/^; source: //p' "$here/def/kernel32-dropin.def")"
for t in cf2_import which_cf2; do
    check "$t.exe imports CopyFile2 from KERNEL32.dll" sh -c "
        x86_64-w64-mingw32-objdump -p '$tests/$t.exe' | awk '/DLL Name:/ {dll=\$3} \$3 == \"CopyFile2\" {print dll}' | grep -qx KERNEL32.dll"
done
for t in cf2_import which_cf2 k32_smoke; do
    check "$t.exe imports from KERNEL32.dll and msvcrt.dll only" \
        sh -c "[ \"\$(x86_64-w64-mingw32-objdump -p '$tests/$t.exe' | sed -n 's/^[[:space:]]*DLL Name: //p' | sort | tr '\n' ' ')\" = 'KERNEL32.dll msvcrt.dll ' ]"
done

# ------------------------------------------------------------------ 1. stock
section "stock Wine (fresh prefix $P)"
if [ -d "$P" ]; then WINEPREFIX=$P "$WINESERVER" -k 2>/dev/null; fi
rm -rf "$P" "$P.wineboot.log"
run which_cf2 "$tests/which_cf2.exe" stock      # creates the prefix
check "which_cf2 stock: GetProcAddress(kernel32, CopyFile2) is NULL, kernel32 is builtin" program_passed which_cf2
program_passed which_cf2 || show which_cf2
# The user's own per-program settings for cf2_app.exe (a copy of cf2_import.exe),
# part of the "before" state: section 4 must leave them as they are.
appkey='HKCU\Software\Wine\AppDefaults\cf2_app.exe\DllOverrides'
cp "$tests/cf2_import.exe" "$tests/cf2_app.exe"
reg_set "$appkey" /v comctl32 /d native
reg_set "$appkey" /v kernel32 /d builtin
snapshot "$out/snap-before"
run cf2_import "$tests/cf2_import.exe" "$(winpath "$work")"
check "cf2_import under stock Wine aborts at the call: 'unimplemented function KERNEL32.dll.CopyFile2' (exit $rc)" stock_abort
stock_abort || show cf2_import
rm -rf "${work:?}"/*
run k32_smoke "$tests/k32_smoke.exe" "$(winpath "$work")"
check "k32_smoke under stock Wine (baseline)" program_passed k32_smoke
program_passed k32_smoke || show k32_smoke

# ------------------------------------------------------------------ 2. install
section "make install-wine (every program), twice"
check "make install-wine" sh -c "$MAKE -C '$here' --no-print-directory install-wine WINEPREFIX='$P' DROPIN_APPS= >'$out/install1.txt' 2>&1"
sed 's/^/       | /' "$out/install1.txt"
# ("files refreshed" if someone changed dll/ meanwhile: the tree is shared.)
check "make install-wine again (idempotent: 'already installed')" sh -c "$MAKE -C '$here' --no-print-directory install-wine WINEPREFIX='$P' DROPIN_APPS= >'$out/install2.txt' 2>&1 && grep -q 'already installed' '$out/install2.txt'"
v=$(value_of 'HKCU\Software\Wine\DllOverrides' kernel32 || echo absent)
check "override HKCU\\Software\\Wine\\DllOverrides kernel32 = native,builtin (is '$v')" [ "$v" = native,builtin ]
check "system32/kernel32.dll is the proxy" cmp -s "$P/drive_c/windows/system32/kernel32.dll" "$dir/kernel32.dll"
check "system32/kernel32_wine.dll is Wine's kernel32" cmp -s "$P/drive_c/windows/system32/kernel32_wine.dll" "$dir/kernel32_wine.dll"
check "the manifest records the replaced file, the added file and the prior value" \
    sh -c "grep -q '^file-replaced' '$P/copyfile2-dropin/manifest' && grep -q '^file-added' '$P/copyfile2-dropin/manifest' && grep -q '^value-prior' '$P/copyfile2-dropin/manifest' && grep -q '^installed\$' '$P/copyfile2-dropin/manifest'"

section "the drop-in at work"
run cf2_import "$tests/cf2_import.exe" "$(winpath "$work")"
check "cf2_import: unmodified program, CopyFile2 from KERNEL32.dll: data, progress messages, HRESULTs" program_passed cf2_import
show cf2_import
run which_cf2 "$tests/which_cf2.exe" dropin
check "which_cf2: GetProcAddress(GetModuleHandleW(kernel32), CopyFile2) is the proxy's" program_passed which_cf2
show which_cf2
run k32_smoke "$tests/k32_smoke.exe" "$(winpath "$work")"
check "k32_smoke: files, threads, console, time, heap, errors, environment, modules, child process" program_passed k32_smoke
show k32_smoke
check "k32_smoke wrote to stdout through WriteFile" grep -q 'k32_smoke: a line written with WriteFile to stdout' "$out/k32_smoke.txt"
run cmd cmd.exe /c echo dropin-cmd-ok
check "Wine's own cmd.exe runs on the drop-in" sh -c "[ $rc -eq 0 ] && grep -q dropin-cmd-ok '$out/cmd.txt'"
check "make dropin-status: installed and current" sh -c "$MAKE -C '$here' --no-print-directory dropin-status WINEPREFIX='$P' >'$out/status.txt' 2>&1 && grep -q 'files match' '$out/status.txt'"

# ------------------------------------------------------------------ 3. uninstall
section "make uninstall-wine, twice"
check "make uninstall-wine" sh -c "$MAKE -C '$here' --no-print-directory uninstall-wine WINEPREFIX='$P' >'$out/uninstall1.txt' 2>&1"
sed 's/^/       | /' "$out/uninstall1.txt"
check "make uninstall-wine again (idempotent: 'nothing to do')" sh -c "$MAKE -C '$here' --no-print-directory uninstall-wine WINEPREFIX='$P' >'$out/uninstall2.txt' 2>&1 && grep -q 'nothing to do' '$out/uninstall2.txt'"
rm -rf "${work:?}"/*
snapshot "$out/snap-after"
check "the prefix is as before install (system32 checksums/modes/times, file list, registry)" same_snapshot "$out/snap-before" "$out/snap-after"
run cf2_import "$tests/cf2_import.exe" "$(winpath "$work")"
check "cf2_import aborts again after uninstall" stock_abort
rm -rf "${work:?}"/*
run which_cf2 "$tests/which_cf2.exe" stock
check "which_cf2 stock again after uninstall" program_passed which_cf2

# ------------------------------------------------------------------ 4. per program
section "per-program override over the user's own key (DROPIN_APPS=cf2_app.exe)"
check "make install-wine DROPIN_APPS=cf2_app.exe" sh -c "$MAKE -C '$here' --no-print-directory install-wine WINEPREFIX='$P' DROPIN_APPS=cf2_app.exe >'$out/install3.txt' 2>&1"
sed 's/^/       | /' "$out/install3.txt"
check "the same again (idempotent)" sh -c "$MAKE -C '$here' --no-print-directory install-wine WINEPREFIX='$P' DROPIN_APPS=cf2_app.exe >'$out/install4.txt' 2>&1 && grep -q 'already installed' '$out/install4.txt'"
check "install with another scope is refused while installed" sh -c "! $MAKE -C '$here' --no-print-directory install-wine WINEPREFIX='$P' DROPIN_APPS= >'$out/install5.txt' 2>&1"
v=$(value_of "$appkey" kernel32 || echo absent)
check "AppDefaults\\cf2_app.exe\\DllOverrides kernel32 = native,builtin (is '$v')" [ "$v" = native,builtin ]
v=$(value_of 'HKCU\Software\Wine\DllOverrides' kernel32 || echo absent)
check "no prefix-wide override (is '$v')" [ "$v" = absent ]
run cf2_app "$tests/cf2_app.exe" "$(winpath "$work")"
check "cf2_app.exe (listed) gets the drop-in" program_passed cf2_app
program_passed cf2_app || show cf2_app
rm -rf "${work:?}"/*
run which_cf2 "$tests/which_cf2.exe" stock
check "which_cf2.exe (not listed) keeps Wine's kernel32" program_passed which_cf2
check "make uninstall-wine" sh -c "$MAKE -C '$here' --no-print-directory uninstall-wine WINEPREFIX='$P' >'$out/uninstall3.txt' 2>&1"
v=$(value_of "$appkey" kernel32 || echo absent)
check "the user's kernel32=builtin for cf2_app.exe is back (is '$v')" [ "$v" = builtin ]
v=$(value_of "$appkey" comctl32 || echo absent)
check "the user's other value is untouched (is '$v')" [ "$v" = native ]
snapshot "$out/snap-after2"
check "the prefix is as before install, again" same_snapshot "$out/snap-before" "$out/snap-after2"

WINEPREFIX=$P "$WINESERVER" -k 2>/dev/null
rm -rf "${work:?}"
end=$(date +%s)
if [ "$fail" -eq 0 ]; then
    rm -rf "$P" "$P.wineboot.log"     # ~700 MB; kept for a look when something failed
    echo "dropin: $pass passed, $fail failed ($((end - start)) s)"
else
    echo "dropin: $pass passed, $fail failed ($((end - start)) s; prefix kept: $P, outputs: $out)"
fi
[ "$fail" -eq 0 ]
