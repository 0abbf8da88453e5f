# Cross build for aarch64 (arm64) Linux on a Debian x86-64 host, against Debian's multiarch
# packages: the cross compiler from crossbuild-essential-arm64, the libraries from the
# NAME:arm64 -dev packages in /usr/lib/aarch64-linux-gnu (scripts/bootstrap-arm64.sh installs
# both). Built programs run on the host through qemu-user, so ctest runs the tests as is.
#   cmake -S . -B build/arm64 -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(_triplet aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${_triplet}-gcc)
set(CMAKE_CXX_COMPILER ${_triplet}-g++)
set(CMAKE_STRIP ${_triplet}-strip CACHE FILEPATH "aarch64 strip")
# find_library/find_package look in lib/aarch64-linux-gnu (never in the host's
# lib/x86_64-linux-gnu, so a missing :arm64 package fails at configure time, not at link).
set(CMAKE_LIBRARY_ARCHITECTURE ${_triplet})

# Multiarch: target libraries live beside the host's under /usr, the cross compiler's own C
# and C++ runtime under /usr/aarch64-linux-gnu. Programs (pkg-config, code generators) are
# the host's.
set(CMAKE_FIND_ROOT_PATH /usr/${_triplet} /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config reads only the arm64 .pc files (and the architecture-independent ones).
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/${_triplet}/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")

# ctest (and Catch2's test discovery) run the aarch64 executables under qemu-user, with the
# multiarch loader and C library (libc6:arm64, /lib/ld-linux-aarch64.so.1). Not with
# `-L /usr/aarch64-linux-gnu`: that loader is the cross toolchain's build of glibc while
# libc.so.6 still comes from the multiarch one, and the two disagree on their private data
# (pthread_create then loops forever in its stack cache).
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static)
