#!/usr/bin/env bash
# Cross-builds the native tests for aarch64 and armv7 and runs every test binary under qemu-user.
# Installs nothing; needs (Debian): qemu-user-static g++-aarch64-linux-gnu g++-arm-linux-gnueabihf cmake.
#   native/tests/run-qemu.sh            # both architectures
#   native/tests/run-qemu.sh armv7      # one of: aarch64 armv7
# Build dirs: build-aarch64/ and build-armv7/ at the repo root. Exits non-zero if any build or test fails.
# Timing under qemu means nothing; this checks correctness only.
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
JOBS="$(nproc 2>/dev/null || echo 4)"
ARCHES=("$@")
[ ${#ARCHES[@]} -eq 0 ] && ARCHES=(aarch64 armv7)

declare -A SUMMARY
status=0

run_arch() {
  local arch="$1" triple qemu cpu
  case "$arch" in
    aarch64) triple=aarch64-linux-gnu;   qemu=qemu-aarch64-static; cpu=cortex-a72 ;;
    armv7)   triple=arm-linux-gnueabihf; qemu=qemu-arm-static;     cpu=cortex-a7 ;;
    *) echo "unknown arch '$arch' (expected aarch64 or armv7)"; return 2 ;;
  esac
  local build="build-$arch"
  for tool in "$triple-g++" "$qemu" cmake; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      SUMMARY[$arch]="MISSING TOOL $tool (apt-get install qemu-user-static g++-$triple cmake)"
      return 1
    fi
  done
  echo "=== $arch: configure + build ($build, $triple)"
  mkdir -p "$build"
  if ! cmake -S . -B "$build" -DCMAKE_TOOLCHAIN_FILE="native/toolchains/$triple.cmake" \
        -DCMAKE_BUILD_TYPE=Release -DMOBILENET_TESTS=ON >"$build/configure.log" 2>&1; then
    cat "$build/configure.log"; SUMMARY[$arch]="CONFIGURE FAILED"; return 1
  fi
  grep -E "^-- mobilenet:" "$build/configure.log" | sed 's/^/    /'
  if ! cmake --build "$build" -j "$JOBS"; then
    SUMMARY[$arch]="BUILD FAILED"; return 1
  fi

  local tests=() t
  while IFS= read -r t; do tests+=("$t"); done < <(find "$build" -maxdepth 1 -type f -perm -u+x ! -name '*.so' | sort)
  if [ ${#tests[@]} -eq 0 ]; then
    SUMMARY[$arch]="NO TEST BINARIES in $build (native/tests/*.cc)"; return 1
  fi
  local pass=0 fail=0 failed=""
  for t in "${tests[@]}"; do
    echo "--- $arch: $(basename "$t") ($qemu -cpu $cpu)"
    if "$qemu" -cpu "$cpu" -L "/usr/$triple" "$t"; then
      pass=$((pass + 1))
    else
      echo "*** $arch: $(basename "$t") FAILED (exit $?)"
      fail=$((fail + 1)); failed="$failed $(basename "$t")"
    fi
    # The Cortex-A53 kernel variants (chosen from the CPU part on a board) through the override.
    if [ "$(basename "$t")" = kernel_test ]; then
      echo "--- $arch: kernel_test with MOBILENET_ARM_CORE=a53 (the A53 GEMM variant)"
      if MOBILENET_ARM_CORE=a53 "$qemu" -cpu "$cpu" -L "/usr/$triple" "$t"; then
        pass=$((pass + 1))
      else
        echo "*** $arch: kernel_test (a53) FAILED"
        fail=$((fail + 1)); failed="$failed kernel_test(a53)"
      fi
    fi
  done
  # The integer kernels have a dot-product table (udot/sdot) that cortex-a72 lacks: run their tester
  # and the integer executor's test again on a CPU model with DotProd, so both dispatch choices are tested.
  local q
  for q in qkernel_test qmodel_test; do
    [ "$arch" = aarch64 ] && [ -x "$build/$q" ] || continue
    echo "--- $arch: $q ($qemu -cpu max: dot product)"
    if "$qemu" -cpu max -L "/usr/$triple" "$build/$q"; then
      pass=$((pass + 1))
    else
      echo "*** $arch: $q -cpu max FAILED (exit $?)"
      fail=$((fail + 1)); failed="$failed $q(-cpu max)"
    fi
  done
  SUMMARY[$arch]="$pass passed, $fail failed${failed:+ (failed:$failed)}"
  [ "$fail" -eq 0 ]
}

for arch in "${ARCHES[@]}"; do
  run_arch "$arch" || status=1
done

echo
echo "=== qemu test summary"
for arch in "${ARCHES[@]}"; do
  printf '  %-8s %s\n' "$arch" "${SUMMARY[$arch]:-not run}"
done
[ "$status" -eq 0 ] && echo "  ALL PASSED" || echo "  FAILURES"
exit "$status"
