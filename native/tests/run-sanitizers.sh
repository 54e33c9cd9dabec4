#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer, in two parts:
#   1. the native tests (native/tests/*.cc, every ISA this CPU has) built with MOBILENET_SANITIZE=ON
#      in build-asan/, run with halt_on_error and leak detection;
#   2. the Node addon built the same way (build-asan-addon/) and driven end to end by
#      native/tests/sanitizer-smoke.mjs under node with libasan + libubsan preloaded (leak
#      detection off there: node itself does not free everything at exit).
# Any sanitizer report fails the run. Needs cmake, g++ (with libasan/libubsan), node, npm deps.
#   bash native/tests/run-sanitizers.sh            # both parts
#   bash native/tests/run-sanitizers.sh native     # one of: native addon
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
JOBS="$(nproc 2>/dev/null || echo 2)"
PARTS=("$@")
[ ${#PARTS[@]} -eq 0 ] && PARTS=(native addon)
LOGDIR="$ROOT/build-asan-logs"
rm -rf "$LOGDIR" && mkdir -p "$LOGDIR"
status=0
declare -A SUMMARY

# Reports also go to files (log_path), so a report is caught even if a child process prints it.
SAN_COMMON="halt_on_error=1:abort_on_error=0:print_stacktrace=1"
UBSAN_OPTS="$SAN_COMMON:report_error_type=1:log_path=$LOGDIR/ubsan"

reports() { ls "$LOGDIR" 2>/dev/null | grep -E '^(asan|ubsan)\.' || true; }

run_native() {
  echo "--- native tests: configure + build (build-asan, MOBILENET_SANITIZE=ON) ---"
  if ! cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMOBILENET_TESTS=ON -DMOBILENET_SANITIZE=ON >"$LOGDIR/native-configure.log" 2>&1; then
    cat "$LOGDIR/native-configure.log"; SUMMARY[native]="CONFIGURE FAILED"; return 1
  fi
  if ! cmake --build build-asan -j "$JOBS" >"$LOGDIR/native-build.log" 2>&1; then
    tail -40 "$LOGDIR/native-build.log"; SUMMARY[native]="BUILD FAILED"; return 1
  fi
  local tests=() t rc=0
  for t in native/tests/*.cc; do tests+=("build-asan/$(basename "${t%.cc}")"); done
  for t in "${tests[@]}"; do
    echo "--- $t (ASan+UBSan, detect_leaks=1) ---"
    ASAN_OPTIONS="$SAN_COMMON:detect_leaks=1:log_path=$LOGDIR/asan" UBSAN_OPTIONS="$UBSAN_OPTS" "$t"
    local r=$?
    [ $r -ne 0 ] && { echo "$t exited $r"; rc=1; }
  done
  if [ -n "$(reports)" ]; then
    echo "sanitizer reports:"; for f in $(reports); do cat "$LOGDIR/$f"; done
    rc=1
  fi
  SUMMARY[native]=$([ $rc -eq 0 ] && echo "PASS (${#tests[@]} test binaries)" || echo FAIL)
  return $rc
}

run_addon() {
  echo "--- addon: build (build-asan-addon, MOBILENET_SANITIZE=ON) ---"
  if ! npx --no-install cmake-js compile --out build-asan-addon --CDMOBILENET_SANITIZE=ON >"$LOGDIR/addon-build.log" 2>&1; then
    tail -40 "$LOGDIR/addon-build.log"; SUMMARY[addon]="BUILD FAILED"; return 1
  fi
  if [ ! -f dist/index.js ] || [ ! -f dist/binding.js ] || [ -n "$(find lib -name '*.ts' -newer dist/index.js 2>/dev/null | head -1)" ]; then
    echo "--- compiling TypeScript (dist/) ---"
    npx --no-install tsc -p tsconfig.json >"$LOGDIR/tsc.log" 2>&1 || { echo "(tsc reported errors; using what it emitted)"; tail -5 "$LOGDIR/tsc.log"; }
  fi
  local asan ubsan
  asan="$(gcc -print-file-name=libasan.so)"
  ubsan="$(gcc -print-file-name=libubsan.so)"
  if [ ! -e "$asan" ] || [ ! -e "$ubsan" ]; then
    echo "libasan/libubsan not found next to gcc ($asan, $ubsan)"; SUMMARY[addon]="NO SANITIZER RUNTIME"; return 1
  fi
  echo "--- addon smoke under node (LD_PRELOAD=$asan:$ubsan) ---"
  # detect_leaks=0: node leaks at exit by design. new_delete_type_mismatch=0: V8/node are not
  # instrumented and size their deletes their own way. ASan's SEGV handler stays on (an invalid
  # read in our code is reported, not just a crash).
  LD_PRELOAD="$asan:$ubsan" \
    ASAN_OPTIONS="$SAN_COMMON:detect_leaks=0:new_delete_type_mismatch=0:log_path=$LOGDIR/asan" \
    UBSAN_OPTIONS="$UBSAN_OPTS" \
    MOBILENET_NATIVE_BINDING="$ROOT/build-asan-addon/Release/mobilenet_native.node" \
    node native/tests/sanitizer-smoke.mjs
  local rc=$?
  [ $rc -ne 0 ] && echo "smoke exited $rc"
  if [ -n "$(reports)" ]; then
    echo "sanitizer reports:"; for f in $(reports); do cat "$LOGDIR/$f"; done
    rc=1
  fi
  SUMMARY[addon]=$([ $rc -eq 0 ] && echo PASS || echo FAIL)
  return $rc
}

for part in "${PARTS[@]}"; do
  case "$part" in
    native) run_native || status=1 ;;
    addon) run_addon || status=1 ;;
    *) echo "unknown part '$part' (expected native or addon)"; exit 2 ;;
  esac
done

echo
echo "=== sanitizers (ASan + UBSan) ==="
for part in "${PARTS[@]}"; do printf '%-8s %s\n' "$part" "${SUMMARY[$part]:-not run}"; done
exit $status
