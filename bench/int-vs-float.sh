#!/usr/bin/env bash
# The integer path against the float path at one α×ρ, 1 thread, in one run: float32, then uint8 and int8 on the
# CPU's default integer set and on each set named in ISAS, rotated process by process; prints the median of the
# per-process medians and float / integer.
#   bash bench/int-vs-float.sh [-n ROUNDS] [ALPHA/RES]          (ISAS="avx512vnni" by default; CPU=0 pins with taskset)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=7; variant=1.0/224
while [ $# -gt 0 ]; do case "$1" in -n) rounds=$2; shift 2 ;; *) variant=$1; shift ;; esac; done
a=${variant%/*}; r=${variant#*/}
cfgs=("--dtype float32" "--dtype uint8" "--dtype int8")
for isa in ${ISAS-avx512vnni}; do cfgs+=("--dtype uint8 --isa $isa" "--dtype int8 --isa $isa"); done
n=${#cfgs[@]}
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
out=$(for ((k = 1; k <= rounds; k++)); do
  for ((i = 0; i < n; i++)); do
    c=${cfgs[$(( (i + k) % n ))]}
    taskset -c "${CPU:-0}" node dist/cli.js bench $c --alpha "$a" --resolution "$r" --runs 40 --json
  done
done)
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
node -e '
const runs = require("fs").readFileSync(0, "utf8").split(/\n(?=\[)/).filter(Boolean).map((s) => JSON.parse(s)[0]);
const by = new Map();
for (const v of runs) { const k = `${v.dtype} ${v.isa}`; by.set(k, [...(by.get(k) ?? []), v.median_ms]); }
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const f = med([...by].find(([k]) => k.startsWith("float32"))[1]);
console.log(`| ${process.argv[1]} ${process.argv[2]}, 1 thread | median ms | float / this |\n| --- | ---: | ---: |`);
for (const [k, ms] of by) console.log(`| ${k} | ${med(ms).toFixed(3)} | ${(f / med(ms)).toFixed(2)} |`);
' "$variant" "(median of $rounds process medians)" <<< "$out"
