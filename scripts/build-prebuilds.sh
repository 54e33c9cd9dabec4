#!/usr/bin/env bash
# Builds the release addon for every prebuilt platform and places it where lib/binding.ts looks (prebuildify's
# names: folder <platform>-<arch>, tags napi, libc and armv7; node-gyp-build would pick the same files):
#   prebuilds/linux-x64/node.napi.glibc.node         native (host g++)
#   prebuilds/linux-arm64/node.napi.glibc.node       cross, native/toolchains/aarch64-linux-gnu.cmake   (armv8-a; NEON dispatched)
#   prebuilds/linux-arm/node.napi.glibc.armv7.node   cross, native/toolchains/arm-linux-gnueabihf.cmake (armv7-a hard-float;
#                                                    only native/kernels/neon/ gets -mfpu=neon-vfpv4, dispatch checks AT_HWCAP)
# Each carries the build stamp (package version + source hash, native/build-stamp.cmake) the loader checks.
# `npm run package` (scripts/package.mjs) runs this for all three and packs them.
# Usage: scripts/build-prebuilds.sh [x64] [arm64] [arm]     (default: all three)
#   MOBILENET_SIMD=OFF scripts/build-prebuilds.sh arm        # scalar kernels only
#   MAX_GLIBC=2.31 (default)   fails when a binary needs a newer GLIBC_ symbol version (Raspberry Pi OS bullseye = 2.31)
# Installs nothing and downloads nothing. Needs cmake >= 3.15, node (only to locate the npm header packages),
# g++ for x64, g++-aarch64-linux-gnu / g++-arm-linux-gnueabihf for the ARM builds, binutils (objdump).
#
# Why plain cmake and not `cmake-js compile`: cmake-js always passes -DCMAKE_CXX_FLAGS=-DBUILDING_NODE_EXTENSION,
# which replaces the toolchain files' CMAKE_CXX_FLAGS_INIT (-march=armv7-a -mfloat-abi=hard -mfpu=vfpv3-d16) in
# the cache, so the armv7 base flags would silently fall back to the compiler's defaults. We give CMakeLists.txt
# exactly what cmake-js would for a Node-API build on Linux (CMAKE_JS_VERSION, CMAKE_JS_INC = node-api-headers +
# node-addon-api; CMAKE_JS_SRC/LIB are empty off Windows; BUILDING_NODE_EXTENSION only matters on Windows/wasm).
#
# Portability: static libstdc++ (a Pi with an older libstdc++ loads it), hidden visibility + --exclude-libs
# (only the Node-API entry points are exported, libstdc++ symbols never interpose Node's), stripped, no -march=native.
# glibc: Debian 12 links against glibc 2.36, which would make the binaries need GLIBC_2.34-2.36 (pthread_* moved into
# libc, __libc_single_threaded, fstat64, arc4random). scripts/prebuild-glibc-compat.c plus -Wl,--wrap=<sym> rebinds
# every such reference (ours and libstdc++.a's) to the baseline symbol versions, so the prebuilds need only glibc >= 2.27 (expf@GLIBC_2.27, PREBUILD_GLIBC in lib/binding.ts)
# (checked below against MAX_GLIBC; --gc-sections also drops libstdc++'s unused getentropy@2.25 path). libgcc is linked dynamically on purpose: the static unwinder (libgcc_eh.a) needs
# _dl_find_object@GLIBC_2.35, and libgcc_s.so.1 is present wherever Node runs (it is one of node's own NEEDED libraries).
# libpthread.so.0 is added as NEEDED so the baseline pthread_* versions resolve on glibc < 2.34 whatever Node links.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JOBS="$(nproc 2>/dev/null || echo 2)"
MAX_GLIBC="${MAX_GLIBC:-2.31}"
SIMD="${MOBILENET_SIMD:-ON}"
ARCHES=("$@")
[ ${#ARCHES[@]} -eq 0 ] && ARCHES=(x64 arm64 arm)

NAPI_INC="$(node -p "require('node-api-headers').include_dir" 2>/dev/null || node -p "require(require.resolve('node-api-headers', {paths: [require.resolve('cmake-js')]})).include_dir")"
ADDON_INC="$(node -p "require('node-addon-api').include_dir")"
CMAKE_JS_VERSION="$(node -p "require('cmake-js/package.json').version" 2>/dev/null || echo 8.0.0)"
COMPAT_C="$ROOT/scripts/prebuild-glibc-compat.c"
WRAPPED=(pthread_create pthread_detach pthread_join pthread_key_create __pthread_key_create pthread_key_delete
         pthread_getspecific pthread_setspecific pthread_once fstat64 __libc_single_threaded arc4random)
WRAP_FLAGS="$(printf -- ' -Wl,--wrap=%s' "${WRAPPED[@]}")"

declare -A SUMMARY
status=0

# Highest GLIBC_x.y version a binary needs (dynamic symbol table), e.g. 2.17.
max_glibc() {
  "$1" -T "$2" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1
}

# The file name in prebuilds/linux-<arch>/ (lib/binding.ts prebuildPath() for glibc).
prebuild_name() { [ "$1" = arm ] && echo node.napi.glibc.armv7.node || echo node.napi.glibc.node; }

build_arch() {
  local arch="$1" triple toolchain=() objdump build
  case "$arch" in
    x64)   triple="";                  objdump=objdump ;;
    arm64) triple=aarch64-linux-gnu;   objdump=aarch64-linux-gnu-objdump ;;
    arm)   triple=arm-linux-gnueabihf; objdump=arm-linux-gnueabihf-objdump ;;
    *) echo "unknown arch '$arch' (expected x64, arm64 or arm)"; SUMMARY[$arch]="UNKNOWN ARCH"; return 2 ;;
  esac
  if [ "$arch" = x64 ] && [ "$(uname -m)" != x86_64 ]; then
    SUMMARY[$arch]="SKIPPED (host is $(uname -m), x64 is built natively only)"; return 1
  fi
  local cxx="${triple:+$triple-}g++" cc="${triple:+$triple-}gcc"
  for tool in cmake "$cxx" "$cc" "$objdump"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      SUMMARY[$arch]="MISSING TOOL $tool${triple:+ (apt-get install g++-$triple)}"; return 1
    fi
  done
  [ -n "$triple" ] && toolchain=(-DCMAKE_TOOLCHAIN_FILE="$ROOT/native/toolchains/$triple.cmake")
  build="build-prebuild-$arch"
  local t0=$SECONDS
  echo "=== linux-$arch: configure + build ($build${triple:+, $triple})"
  mkdir -p "$build"
  # CMAKE_CXX_FLAGS is left alone so the toolchain files' CMAKE_CXX_FLAGS_INIT (the per-arch base flags) apply;
  # the glibc shim object and the --wrap flags go in through the shared-linker flags.
  local compat_o="$ROOT/$build/prebuild-glibc-compat.o"
  if ! "$cc" -O2 -fPIC -Wall $([ "$arch" = arm ] && echo "-march=armv7-a -mfloat-abi=hard -mfpu=vfpv3-d16") -c "$COMPAT_C" -o "$compat_o"; then
    SUMMARY[$arch]="COMPILE FAILED ($COMPAT_C)"; return 1
  fi
  if ! cmake -S . -B "$build" "${toolchain[@]}" \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O3 -DNDEBUG" \
        -DCMAKE_JS_VERSION="$CMAKE_JS_VERSION" \
        -DCMAKE_JS_INC="$NAPI_INC;$ADDON_INC" -DCMAKE_JS_SRC= -DCMAKE_JS_LIB= \
        -DCMAKE_LIBRARY_OUTPUT_DIRECTORY="$ROOT/$build/Release" \
        -DCMAKE_CXX_VISIBILITY_PRESET=hidden -DCMAKE_VISIBILITY_INLINES_HIDDEN=ON \
        -DCMAKE_SHARED_LINKER_FLAGS="-static-libstdc++ -Wl,--exclude-libs,ALL -Wl,-z,noexecstack -Wl,-z,relro -Wl,--gc-sections -s $compat_o$WRAP_FLAGS -Wl,--no-as-needed -l:libpthread.so.0" \
        -DMOBILENET_SIMD="$SIMD" -DMOBILENET_TESTS=OFF -DMOBILENET_BENCH=OFF \
        >"$build/configure.log" 2>&1; then
    cat "$build/configure.log"; SUMMARY[$arch]="CONFIGURE FAILED"; return 1
  fi
  grep -E "^-- mobilenet:" "$build/configure.log" | sed 's/^/    /' || true
  if ! cmake --build "$build" --target mobilenet_native -j "$JOBS" >"$build/build.log" 2>&1; then
    tail -50 "$build/build.log"; SUMMARY[$arch]="BUILD FAILED (see $build/build.log)"; return 1
  fi
  # Checked in the build folder; copied to prebuilds/ only when every check passes (a failing one is removed there).
  local out="$build/Release/mobilenet_native.node" dest="prebuilds/linux-$arch/$(prebuild_name "$arch")"

  # Checks: no shared libstdc++, Node-API entry point exported, GLIBC ceiling, no unresolved __wrap_/__real_ symbol.
  local needed glibc gccv exports problems=""
  needed="$("$objdump" -p "$out" | awk '/NEEDED/ {print $2}' | tr '\n' ' ')"
  glibc="$(max_glibc "$objdump" "$out")"
  gccv="$("$objdump" -T "$out" | grep -o '(GCC_[0-9.]*)\| GCC_[0-9.]* ' | tr -d '() ' | sed 's/GCC_//' | sort -uV | tail -1)"
  exports="$("$objdump" -T "$out" | awk '$2 ~ /g/ && $4 == ".text" {print $NF}' | tr '\n' ' ')"
  case "$needed" in *libstdc++*) problems="$problems needs a shared libstdc++;" ;; esac
  if "$objdump" -T "$out" | grep -q '__wrap_\|__real_\|mn_old_'; then problems="$problems unresolved wrap symbols;"; fi
  case "$exports" in *napi_register_module_v1*) ;; *) problems="$problems napi_register_module_v1 not exported;" ;; esac
  if [ -n "$glibc" ] && [ "$(printf '%s\n%s\n' "$glibc" "$MAX_GLIBC" | sort -V | tail -1)" != "$MAX_GLIBC" ]; then
    problems="$problems needs GLIBC_$glibc > $MAX_GLIBC:"
    problems="$problems$("$objdump" -T "$out" | awk -v m="$MAX_GLIBC" '/GLIBC_/ {for (i=1;i<=NF;i++) if ($i ~ /GLIBC_/) {v=$i; gsub(/[()]/,"",v); sub(/GLIBC_/,"",v); split(v,a,"."); split(m,b,"."); if (a[1]>b[1] || (a[1]==b[1] && a[2]>b[2])) print " " $NF "@GLIBC_" v}}' | sort -u | tr '\n' ' ');"
  fi
  echo "    $(file -b "$out" | cut -d, -f1-2)"
  echo "    NEEDED: $needed"
  echo "    exports: $exports"
  echo "    max GLIBC_ version: ${glibc:-none}   max GCC_ (libgcc_s) version: ${gccv:-none}"
  local size; size=$(stat -c %s "$out")
  if [ -n "$problems" ]; then
    rm -f "$dest"
    SUMMARY[$arch]="FAILED:$problems ($out; not copied to $dest)"; return 1
  fi
  mkdir -p "$(dirname "$dest")"
  cp "$out" "$dest"
  SUMMARY[$arch]="ok  $dest  $((size / 1024)) KiB  GLIBC >= ${glibc:-any}  ($((SECONDS - t0)) s)"
}

for arch in "${ARCHES[@]}"; do
  build_arch "$arch" || status=1
done

echo
echo "=== prebuild summary (MOBILENET_SIMD=$SIMD, max allowed GLIBC_$MAX_GLIBC)"
for arch in "${ARCHES[@]}"; do
  printf '  linux-%-6s %s\n' "$arch" "${SUMMARY[$arch]:-not run}"
done
[ "$status" -eq 0 ] && echo "  ALL OK" || echo "  FAILURES"
exit "$status"
