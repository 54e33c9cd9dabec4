#!/bin/sh
# Ours against the XNNPACK anchor (and onnxruntime-node when installed), end to end, same machine,
# same minutes. The machines are shared and drift by ±10%, so instead of timing one engine and then
# the other we alternate processes, swapping which goes first every round, and quote the ratio of
# the medians of per-process medians (see /work/shared/tools/xnnpack-anchor/README.md).
#
# Usage: bench/compare-xnnpack.sh [-n ROUNDS] [-r RUNS] [--no-ort] [--busy-core] [--no-pin] [VARIANT...]
#   VARIANT   ALPHA/RES[@THREADS], e.g. 1.0/224 0.25/128 1.0/224@2
#             (default: all 16 at 1 thread, plus 1.0/224 at 2 threads)
#   -n        processes per engine per variant (default 5)
#   -r        timed runs inside each process (default 50; 5 warm-up runs each)
#   --no-ort  skip onnxruntime-node even when it is installed
#   --busy-core  keep the last core busy (a shell loop at nice 0 pinned with taskset) during every
#             run, as a robot's other work would
#   --no-pin  let the scheduler place one-thread runs. By default every engine of round i runs on
#             core (i - 1) mod nproc (taskset): on a shared VM one core can run the same build 10-25 %
#             slower than the other for minutes (neighbours on its caches), so unpinned, two engines
#             of one round could land on different cores and the ratio would measure the cores.
#             With --busy-core, one-thread runs stay off the busy core.
# Env: BASE (another checkout, built, e.g. main before a change: adds a 'base' column), XNN_BIN (a built mobilenet-xnn; default build-xnn/mobilenet-xnn, built on demand),
#      ORT_PREFIX (where onnxruntime-node is installed; default build-ort), NODE (default node).
# Needs: a built addon (npx cmake-js compile --out build) and dist/ (npx tsc -p tsconfig.json);
# for the anchor g++ and libxnnpack-dev libpthreadpool-dev libcpuinfo-dev (installed with apt-get when
# missing and we are root). onnxruntime-node, optional:
#   ONNXRUNTIME_NODE_INSTALL=skip npm install --no-save --prefix build-ort onnxruntime-node
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
NODE=${NODE:-node}
ROUNDS=5
RUNS=50
ORT=auto
BUSY=no
PIN=yes
VARIANTS=""
while [ $# -gt 0 ]; do
  case "$1" in
    -n) ROUNDS=$2; shift 2 ;;
    -r) RUNS=$2; shift 2 ;;
    --no-ort) ORT=no; shift ;;
    --busy-core) BUSY=yes; shift ;;
    --no-pin) PIN=no; shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "compare-xnnpack: unknown option '$1' (try --help)" >&2; exit 2 ;;
    *) VARIANTS="$VARIANTS $1"; shift ;;
  esac
done
if [ -z "$VARIANTS" ]; then
  for a in 1.0 0.75 0.5 0.25; do for r in 224 192 160 128; do VARIANTS="$VARIANTS $a/$r@1"; done; done
  VARIANTS="$VARIANTS 1.0/224@2"
fi

# --- our side -------------------------------------------------------------------------------------
[ -f dist/cli.js ] && [ -f dist/bench.js ] || npx tsc -p tsconfig.json
"$NODE" dist/cli.js bench --alpha 0.25 --resolution 128 --runs 1 --warmup 0 --json > /dev/null || {
  echo "compare-xnnpack: 'node dist/cli.js bench' does not run; build the addon and dist/ first" >&2; exit 1; }

# --- the anchor -----------------------------------------------------------------------------------
XNN_BIN=${XNN_BIN:-$ROOT/build-xnn/mobilenet-xnn}
if [ ! -x "$XNN_BIN" ]; then
  if [ ! -f /usr/include/xnnpack.h ] || ! command -v g++ > /dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
      apt-get install -y g++ libxnnpack-dev libpthreadpool-dev libcpuinfo-dev >&2
    else
      echo "compare-xnnpack: need g++ libxnnpack-dev libpthreadpool-dev libcpuinfo-dev (apt-get install as root)" >&2; exit 1
    fi
  fi
  ANCHOR_SRC=${ANCHOR_SRC:-/work/shared/tools/xnnpack-anchor}
  mkdir -p "$(dirname "$XNN_BIN")"
  # build.sh builds next to itself: give it a private copy so the shared folder stays untouched.
  cp -f "$ANCHOR_SRC/build.sh" "$ANCHOR_SRC/mobilenet_xnn.cc" "$(dirname "$XNN_BIN")/"
  sh "$(dirname "$XNN_BIN")/build.sh" >&2
  [ "$XNN_BIN" = "$(dirname "$XNN_BIN")/mobilenet-xnn" ] || mv "$(dirname "$XNN_BIN")/mobilenet-xnn" "$XNN_BIN"
fi

# --- onnxruntime-node (optional) ------------------------------------------------------------------
ORT_PREFIX=${ORT_PREFIX:-$ROOT/build-ort}
if [ "$ORT" = auto ]; then
  if [ -d "$ORT_PREFIX/node_modules/onnxruntime-node" ] && "$NODE" bench/ort-mobilenet.mjs --probe > /dev/null 2>&1; then
    ORT=yes
  else
    ORT=no
    echo "compare-xnnpack: onnxruntime-node not installed under $ORT_PREFIX; its column is skipped" >&2
  fi
fi

RAW=$(mktemp "${TMPDIR:-/tmp}/compare-xnnpack.XXXXXX")
trap 'rm -f "$RAW"' EXIT
# An object (XNNPACK anchor, onnxruntime) or an array of one (`mobilenet bench --json` is always an array).
median_of() { "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const i=s.search(/[[{]/);let j=JSON.parse(s.slice(i));if(Array.isArray(j))j=j[0];if(!(j&&j.median_ms>0))process.exit(1);console.log(j.median_ms)})'; }

run_ours() { $PFX "$NODE" dist/cli.js bench --json --alpha "$1" --resolution "$2" --threads "$3" --runs "$RUNS" | median_of; }
run_xnn()  { $PFX "$XNN_BIN" --alpha "$1" --res "$2" --threads "$3" --runs "$RUNS" --json | median_of; }
run_base() { $PFX "$NODE" "$BASE/dist/cli.js" bench --json --alpha "$1" --resolution "$2" --threads "$3" --runs "$RUNS" | median_of; }
run_ort()  { ORT_PREFIX="$ORT_PREFIX" $PFX "$NODE" bench/ort-mobilenet.mjs --alpha "$1" --res "$2" --threads "$3" --runs "$RUNS" | median_of; }

ENGINES="ours xnn"
[ "$ORT" = yes ] && ENGINES="$ENGINES ort"
[ -n "${BASE:-}" ] && ENGINES="$ENGINES base"
if [ "$BUSY" = yes ]; then
  LAST=$(( $(nproc) - 1 ))
  taskset -c "$LAST" nice -n 0 sh -c 'while :; do :; done' &
  BUSY_PID=$!
  trap 'rm -f "$RAW"; kill "$BUSY_PID" 2>/dev/null' EXIT
  echo "compare-xnnpack: core $LAST kept busy by pid $BUSY_PID" >&2
fi
NCPU=$(nproc)
PIN_CORES=$NCPU
[ "$BUSY" = yes ] && PIN_CORES=$((NCPU - 1))  # the busy loop owns the last core
CPU=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || echo unknown)
echo "compare-xnnpack: $ROUNDS rounds x {$ENGINES}, $RUNS runs each, on $CPU ($(nproc) cores)" >&2
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')

for v in $VARIANTS; do
  case "$v" in *@*) T=${v#*@}; AR=${v%@*} ;; *) T=1; AR=$v ;; esac
  A=${AR%/*}; R=${AR#*/}
  i=1
  while [ "$i" -le "$ROUNDS" ]; do
    # One-thread rounds: every engine on the same core, the core rotating with the round (--no-pin).
    PFX=""
    if [ "$PIN" = yes ] && [ "$T" = 1 ] && [ "$NCPU" -gt 1 ] && command -v taskset > /dev/null; then
      PFX="taskset -c $(( (i - 1) % PIN_CORES ))"
    fi
    # Rotate the order each round so neither engine always runs first (turbo, cache, neighbours).
    set -- $ENGINES
    k=$(( (i - 1) % $# )); while [ "$k" -gt 0 ]; do e=$1; shift; set -- "$@" "$e"; k=$((k - 1)); done
    for e in "$@"; do
      ms=$("run_$e" "$A" "$R" "$T") || { echo "compare-xnnpack: $e failed on $A/$R@$T" >&2; exit 1; }
      printf '%s\t%s\t%s\t%s\t%s\n' "$A" "$R" "$T" "$e" "$ms" >> "$RAW"
    done
    printf '\r\033[K%s/%s@%s round %d/%d' "$A" "$R" "$T" "$i" "$ROUNDS" >&2
    i=$((i + 1))
  done
done
printf '\r\033[K' >&2
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')

PINNED="one-thread rounds on one core each (round i on core (i - 1) mod $PIN_CORES)"
[ "$PIN" = yes ] && [ "$NCPU" -gt 1 ] && command -v taskset > /dev/null || PINNED="not pinned"
"$NODE" - "$RAW" "$ORT" "$ROUNDS" "$RUNS" "$CPU ($(nproc) cores)" "$LOAD0" "$LOAD1" "$PINNED" <<'EOF'
const [raw, ort, rounds, runs, cpu, load0, load1, pinned] = process.argv.slice(2);
const rows = require('fs').readFileSync(raw, 'utf8').trim().split('\n').map((l) => l.split('\t'));
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const groups = new Map();
for (const [a, r, t, e, ms] of rows) {
  const key = `${a}/${r}\t${t}`;
  if (!groups.has(key)) groups.set(key, { ours: [], xnn: [], ort: [], base: [] });
  groups.get(key)[e].push(Number(ms));
}
const withOrt = ort === 'yes';
const withBase = rows.some((r) => r[3] === 'base');
const head = ['variant', 'threads', 'ours ms', 'XNNPACK ms', 'ours / XNNPACK', ...(withOrt ? ['onnxruntime ms', 'ours / onnxruntime'] : []), ...(withBase ? ['base ms', 'ours / base'] : [])];
console.log(`MobileNetV1, ${cpu}: median of ${rounds} process medians (each ${runs} runs after 5 warm-up), engines alternated; ${pinned}.\n`);
console.log(`| ${head.join(' | ')} |`);
console.log(`| ${head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`);
for (const [key, g] of groups) {
  const [v, t] = key.split('\t');
  const o = med(g.ours), x = med(g.xnn);
  const cells = [v, t, o.toFixed(3), x.toFixed(3), `${(o / x).toFixed(2)}x`];
  if (withOrt) { const n = med(g.ort); cells.push(n.toFixed(3), `${(o / n).toFixed(2)}x`); }
  if (withBase) { const b = med(g.base); cells.push(b.toFixed(3), `${(o / b).toFixed(2)}x`); }
  console.log(`| ${cells.join(' | ')} |`);
}
console.log(`\nratio > 1: ours is slower. Load average (1/5/15 min) at start ${load0}, at end ${load1}: well above 0 means other processes shared the cores.`);
EOF
