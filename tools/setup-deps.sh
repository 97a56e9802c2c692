#!/bin/sh
# Installs what the build and the test suite need on Debian bookworm (run as root).
# Idempotent: does nothing when every package is already present.
set -eu

PKGS="gcc-mingw-w64-x86-64 gcc-mingw-w64-i686 g++-mingw-w64-x86-64 g++-mingw-w64-i686 \
binutils-mingw-w64-x86-64 binutils-mingw-w64-i686 wine wine64 libcmocka-dev cmake \
dpkg-dev pkg-config clang libclang-rt-14-dev"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done

# deb-src entry for the same archive, needed by `apt-get source cmocka`.
need_src=0
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
    need_src=1
fi

if [ -z "$missing" ] && [ $need_src -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "setup-deps: missing packages:$missing (run as root or install them)" >&2
    exit 1
fi

if [ $need_src -eq 1 ]; then
    # Same archives as the binary entries, as source entries.
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        case "$f" in *copyfile2-src.sources) continue ;; esac
        grep -q '^Types:.*\bdeb\b' "$f" || continue
        sed -n 's/^Types:.*/Types: deb-src/;p' "$f"
        echo
    done > /etc/apt/sources.list.d/copyfile2-src.sources
    if [ -f /etc/apt/sources.list ]; then
        sed -n 's/^deb \(.*\)/deb-src \1/p' /etc/apt/sources.list >> /etc/apt/sources.list.d/copyfile2-src.list
    fi
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if [ -n "$missing" ]; then
    echo "setup-deps: installing$missing"
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
