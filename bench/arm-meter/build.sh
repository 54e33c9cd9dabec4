#!/usr/bin/env bash
# Builds everything the ARM meter runs (into build-meter/ at the repository root):
#   build-meter/libmeter.so                  the qemu TCG plugin (host)
#   build-meter/<arch>/driver                this project's runtime, cross-built like the prebuilt addon
#   build-meter/<arch>/libmeterpreload.so    the /proc/cpuinfo + xnn_run_operator shim
#   build-meter/<arch>/mobilenet-xnn         ../shared/tools/xnnpack-anchor cross-built against Debian's
#                                            libxnnpack for that arch (unpacked in build-meter/<arch>/root)
#   bench/arm-meter/build.sh [aarch64] [armv7] [--no-xnnpack]        (JOBS=N: parallel compile jobs, default 2)
# Needs (Debian bookworm): gcc, qemu-user (the dynamic qemu-aarch64/qemu-arm: they load plugins),
# g++-aarch64-linux-gnu g++-arm-linux-gnueabihf cmake; for XNNPACK, arm64/armhf as dpkg foreign architectures
# (dpkg --add-architecture arm64; dpkg --add-architecture armhf; apt-get update): the packages are only
# downloaded and unpacked (apt-get download + dpkg-deb -x), never installed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
OUT=build-meter
XNN=1
ARCHES=()
for a in "$@"; do
  case "$a" in
    aarch64|armv7) ARCHES+=("$a") ;;
    --no-xnnpack) XNN=0 ;;
    *) echo "build.sh: unknown argument '$a' (expected aarch64, armv7, --no-xnnpack)" >&2; exit 2 ;;
  esac
done
[ ${#ARCHES[@]} -eq 0 ] && ARCHES=(aarch64 armv7)
ANCHOR="$ROOT/../shared/tools/xnnpack-anchor/mobilenet_xnn.cc"
XNN_PKGS=(libxnnpack0 libxnnpack-dev libpthreadpool0 libpthreadpool-dev libcpuinfo0 libcpuinfo-dev)

for tool in gcc cmake qemu-aarch64 qemu-arm; do
  command -v "$tool" >/dev/null || { echo "build.sh: missing $tool (apt-get install gcc cmake qemu-user)" >&2; exit 1; }
done
mkdir -p "$OUT"
gcc -O2 -Wall -Wextra -Wno-unused-parameter -shared -fPIC bench/arm-meter/meter.c -o "$OUT/libmeter.so"

for arch in "${ARCHES[@]}"; do
  case "$arch" in
    aarch64) triple=aarch64-linux-gnu; deb=arm64 ;;
    armv7) triple=arm-linux-gnueabihf; deb=armhf ;;
  esac
  dir="$OUT/$arch"
  mkdir -p "$dir"
  echo "=== $arch: driver + shim"
  cmake -S bench/arm-meter -B "$dir/cmake" -DCMAKE_TOOLCHAIN_FILE="$ROOT/native/toolchains/$triple.cmake" \
        -DCMAKE_BUILD_TYPE=Release >"$dir/configure.log" 2>&1 || { cat "$dir/configure.log"; exit 1; }
  cmake --build "$dir/cmake" -j "${JOBS:-2}" >"$dir/build.log" 2>&1 || { cat "$dir/build.log"; exit 1; }
  cp "$dir/cmake/driver" "$dir/cmake/libmeterpreload.so" "$dir/"
  [ "$XNN" = 1 ] || continue
  echo "=== $arch: XNNPACK anchor against Debian's libxnnpack:$deb"
  if [ ! -f "$dir/root/usr/include/xnnpack.h" ]; then
    mkdir -p "$dir/debs" "$dir/root"
    pkgs=(); for p in "${XNN_PKGS[@]}"; do pkgs+=("$p:$deb"); done
    if ! (cd "$dir/debs" && apt-get download "${pkgs[@]}" >/dev/null 2>&1); then
      echo "build.sh: apt-get download ${pkgs[*]} failed; add the architecture first:" >&2
      echo "  dpkg --add-architecture $deb && apt-get update" >&2
      exit 1
    fi
    for f in "$dir"/debs/*.deb; do dpkg-deb -x "$f" "$dir/root"; done
  fi
  lib="$dir/root/usr/lib/$triple"
  ver="$(dpkg-deb -f "$(ls "$dir"/debs/libxnnpack0_*.deb)" Version)"
  "$triple-g++" -O2 -std=c++17 -Wno-psabi -DXNN_PKG_VERSION="\"$ver\"" -I"$dir/root/usr/include" "$ANCHOR" \
      -o "$dir/mobilenet-xnn" -L"$lib" -Wl,-rpath-link,"$lib" -lXNNPACK -lpthreadpool -lcpuinfo -lpthread
done
echo "built: $OUT"
