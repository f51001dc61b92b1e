#!/usr/bin/env bash
# Builds position-independent static archives of cJSON and hwloc from
# Debian's source packages, for the self-contained librq_library.a (the
# rq-library drop-in): Debian ships no libcjson.a, and its libhwloc.a needs
# libudev, which has no static archive. hwloc is configured without libudev,
# libxml2, PCI/I/O discovery and plugins (librq reads only cores, caches and
# NUMA nodes). cJSON's source stays in the prefix too (src/cJSON.c and
# src/include/cjson/cJSON.h), for the WebAssembly build. Prints the prefix;
# CMake takes it as RQ_STATIC_DEPS.
#
#   scripts/build-static-deps.sh [PREFIX]
#     PREFIX defaults to ${XDG_CACHE_HOME:-~/.cache}/librq/static-deps-<versions>;
#     an existing complete prefix is reused.
set -euo pipefail

arch=$(dpkg --print-architecture)
cjson_version=$(dpkg-query -W -f='${Version}' "libcjson-dev:$arch")
hwloc_version=$(dpkg-query -W -f='${Version}' "libhwloc-dev:$arch")
prefix=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/librq/static-deps-cjson${cjson_version}-hwloc${hwloc_version}}
if [[ -f $prefix/lib/libcjson.a && -f $prefix/lib/libhwloc.a && -f $prefix/src/cJSON.c ]]; then
  echo "$prefix"
  exit 0
fi

log() { echo "build-static-deps: $*" >&2; }
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)

# Source packages need a deb-src entry; add one for the suites already configured.
if ! apt-get source --print-uris -qq cjson >/dev/null 2>&1; then
  log "adding deb-src for Debian's main suites"
  "${sudo[@]}" tee /etc/apt/sources.list.d/librq-deb-src.sources >/dev/null <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  "${sudo[@]}" apt-get update -qq >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
log "fetching the source packages cjson ($cjson_version) and hwloc ($hwloc_version)"
apt-get source -qq --download-only "cjson=$cjson_version" "hwloc=$hwloc_version" >&2 2>/dev/null ||
  apt-get source -qq --download-only cjson hwloc >&2
# (dpkg-source cannot check the maintainers' signatures without their keys;
# apt already checked the files against the signed Sources index.)
dpkg-source -x -q cjson_*.dsc cjson >/dev/null 2>&1
dpkg-source -x -q hwloc_*.dsc hwloc >/dev/null 2>&1

mkdir -p "$prefix/lib"
log "building cJSON"
gcc -O2 -fPIC -fvisibility=hidden -c cjson/cJSON.c -o cJSON.o
ar rcs "$prefix/lib/libcjson.a" cJSON.o
mkdir -p "$prefix/src/include/cjson"
cp cjson/cJSON.h "$prefix/src/include/cjson/"
cp cjson/cJSON.c "$prefix/src/cJSON.c.tmp"

log "building hwloc (about a minute)"
# Quiet unless it fails: then the whole log.
if ! (cd hwloc && ./configure --enable-static --disable-shared --with-pic \
  --disable-io --disable-libudev --disable-libxml2 --disable-cairo \
  --disable-plugin-dlopen --disable-plugin-ltdl --disable-readme --disable-doxygen \
  CFLAGS="-O2 -fPIC -fvisibility=hidden" && make -j"$(nproc)" -C hwloc) >"$work/hwloc.log" 2>&1; then
  cat "$work/hwloc.log" >&2
  log "building hwloc FAILED"
  exit 1
fi
cp hwloc/hwloc/.libs/libhwloc.a "$prefix/lib/libhwloc.a.tmp"
mv "$prefix/lib/libhwloc.a.tmp" "$prefix/lib/libhwloc.a"
mv "$prefix/src/cJSON.c.tmp" "$prefix/src/cJSON.c"
echo "$prefix"
