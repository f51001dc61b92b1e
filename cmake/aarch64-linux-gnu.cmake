# Cross-compiling for AArch64 with Debian's gcc-aarch64-linux-gnu; the tests
# run through qemu-aarch64 (Debian qemu-user) via CMAKE_CROSSCOMPILING_EMULATOR.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
# LD_LIBRARY_PATH: the loader of the cross toolchain (/usr/aarch64-linux-gnu)
# must load that toolchain's libc too, not the multiarch libc6:arm64 that
# libcjson-dev:arm64 and libhwloc-dev:arm64 pull into /lib/aarch64-linux-gnu:
# a loader and a libc of different builds deadlock at the first new thread.
set(CMAKE_CROSSCOMPILING_EMULATOR
  qemu-aarch64;-L;/usr/aarch64-linux-gnu;-E;LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib)
# pkg-config (hwloc) reads the arm64 .pc files of Debian multiarch, never the
# build machine's; the toolchain file is read again in every try_compile, so
# the setting holds throughout the configure.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
