# Cross toolchain for 64-bit Raspberry Pi OS / any aarch64 Linux (Debian: g++-aarch64-linux-gnu).
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=native/toolchains/aarch64-linux-gnu.cmake
# Base ISA is plain armv8-a (NEON is architectural); no -mcpu so one binary suits A53/A72/A76.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(MN_CROSS_TRIPLE aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${MN_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${MN_CROSS_TRIPLE}-g++)
set(CMAKE_C_FLAGS_INIT "-march=armv8-a")
set(CMAKE_CXX_FLAGS_INIT "-march=armv8-a")

# Binaries run under qemu-aarch64-static -L /usr/aarch64-linux-gnu (the Debian cross sysroot).
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static;-cpu;cortex-a72;-L;/usr/${MN_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH /usr/${MN_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
