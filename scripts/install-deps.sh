#!/usr/bin/env bash
# Installs the Debian packages librq needs to build and test. Idempotent and
# silent when everything is already there; only then does it touch apt.
#
#   scripts/install-deps.sh            build, tests, benchmarks
#   scripts/install-deps.sh --aarch64  also the AArch64 cross toolchain, qemu-user
#                                      and cJSON and hwloc for arm64 (the NEON test run)
set -euo pipefail

packages=(build-essential cmake ninja-build pkg-config catch2 libcjson-dev libhwloc-dev libbenchmark-dev
  libisal-dev golang-go dpkg-dev openjdk-17-jdk-headless maven emscripten nodejs chromium
  clang-14 libclang-rt-14-dev libomp-14-dev)
cross=0
for arg in "$@"; do
  case $arg in
    --aarch64) cross=1 ;;
    *) echo "install-deps: unknown option '$arg' (known: --aarch64)" >&2; exit 2 ;;
  esac
done
if [[ $cross -eq 1 ]]; then
  packages+=(gcc-aarch64-linux-gnu g++-aarch64-linux-gnu qemu-user)
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  # Not Debian-like: say what is needed and let the build find out.
  echo "install-deps: no dpkg here; make sure these (or your system's equivalents)" \
       "are installed: ${packages[*]}" >&2
  exit 0
fi

# Installed for this machine's architecture: with multiarch a package can be
# there for another one only (e.g. :arm64 for cross builds), which does not
# count. Architecture-independent packages only answer to the plain name.
arch=$(dpkg --print-architecture)
installed() {
  local status
  status=$(dpkg-query -W -f='${Status}\n' "$1:$arch" 2>/dev/null) ||
    status=$(dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null) || return 1
  grep -qx 'install ok installed' <<<"$status"
}

missing=()
for pkg in "${packages[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done
# The cross build links against cJSON and hwloc for arm64 (Debian multiarch;
# the arm64 hwloc package installs beside the amd64 one).
need_arm64_arch=0
if [[ $cross -eq 1 ]]; then
  for pkg in libcjson-dev:arm64 libhwloc-dev:arm64; do
    if ! dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -qx 'install ok installed'; then
      missing+=("$pkg")
      dpkg --print-foreign-architectures | grep -qx arm64 || need_arm64_arch=1
    fi
  done
fi

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "install-deps: not root and no sudo; please install: ${missing[*]}" >&2
  exit 1
fi

if [[ $need_arm64_arch -eq 1 ]]; then
  "${sudo[@]}" dpkg --add-architecture arm64
fi
# env: sudo does not pass DEBIAN_FRONTEND through by default.
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
