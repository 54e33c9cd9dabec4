# Cross toolchain for 32-bit Raspberry Pi OS (armv7 hard-float; Debian: g++-arm-linux-gnueabihf).
#   cmake -S . -B build-armv7 -DCMAKE_TOOLCHAIN_FILE=native/toolchains/arm-linux-gnueabihf.cmake
# Base flags are armv7-a + VFPv3-D16 so everything but native/kernels/neon/ runs on any armv7
# hard-float CPU; CMakeLists.txt adds -mfpu=neon-vfpv4 to the NEON sources only, and dispatch
# checks AT_HWCAP before using them. (Pi 1/Zero are armv6: they need an armv6 build of their own.)
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7l)

set(MN_CROSS_TRIPLE arm-linux-gnueabihf)
set(CMAKE_C_COMPILER ${MN_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${MN_CROSS_TRIPLE}-g++)
set(CMAKE_C_FLAGS_INIT "-march=armv7-a -mfloat-abi=hard -mfpu=vfpv3-d16")
set(CMAKE_CXX_FLAGS_INIT "-march=armv7-a -mfloat-abi=hard -mfpu=vfpv3-d16")

set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm-static;-cpu;cortex-a7;-L;/usr/${MN_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH /usr/${MN_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
