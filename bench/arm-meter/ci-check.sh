#!/usr/bin/env bash
# CI step for the ARM meter: builds it (ours for aarch64/armv7, XNNPACK's Debian arm64/armhf build), counts one
# 0.25/128 inference of each under qemu and checks the output is sane: every layer marked once per inference,
# totals in a plausible range, FMA lanes matching the MACs, ours and XNNPACK within 2x of each other.
# The integer path too (uint8: ours against XNNPACK's qu8 operators), on a guest without and (aarch64) with
# the dot product: products per multiply-accumulate lane matching the MACs, udot executed only where the
# guest has it (the plugin decodes udot/sdot itself: qemu 7.2's disassembler prints them as .byte).
# Adds the arm64/armhf dpkg architectures when missing (XNNPACK's packages are downloaded, not installed).
set -euo pipefail
cd "$(dirname "$0")/../.."
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
added=0
# Read the list once: `dpkg … | grep -q` under pipefail fails when grep exits before dpkg has written everything.
foreign=$(dpkg --print-foreign-architectures)
for a in arm64 armhf; do
  if ! grep -qx "$a" <<< "$foreign"; then $SUDO dpkg --add-architecture "$a"; added=1; fi
done
if [ "$added" = 1 ]; then
  # A mirror in the middle of a sync fails an update now and then: try again before giving up.
  for try in 1 2 3; do $SUDO apt-get update -qq >/dev/null && break; [ "$try" = 3 ] && exit 1; sleep 20; done
fi
bash bench/arm-meter/build.sh
node bench/arm-meter/meter.mjs --variants 0.25/128 --json build-meter/ci.json
node bench/arm-meter/meter.mjs --variants 0.25/128 --dtype uint8 --json build-meter/ci-uint8.json
node bench/arm-meter/meter.mjs --variants 0.25/128 --dtype uint8 --arch aarch64 --cores dot --json build-meter/ci-uint8-dot.json
node - <<'JS'
const r = JSON.parse(require('fs').readFileSync('build-meter/ci.json', 'utf8'));
const fail = [];
if (r.length !== 2) fail.push(`expected 2 results (aarch64, armv7), got ${r.length}`);
for (const e of r) {
  const tag = `${e.arch} ${e.variant}`;
  if (e.macs !== 13570048) fail.push(`${tag}: MACs ${e.macs}, expected 13570048`);
  for (const eng of ['ours', 'xnnpack']) {
    const p = e[eng].perInference;
    if (e[eng].layers.length !== 29) fail.push(`${tag} ${eng}: ${e[eng].layers.length} phases, expected 29`);
    if (!(p.total > 3e6 && p.total < 20e6)) fail.push(`${tag} ${eng}: ${p.total} instructions per inference`);
    const laneUse = e.macs / p.ffma_lanes;
    if (!(laneUse > 0.9 && laneUse < 1.05)) fail.push(`${tag} ${eng}: FMA lane use ${laneUse}`);
    if (!(p.load > 0.05 * p.total && p.store > 0)) fail.push(`${tag} ${eng}: loads ${p.load}, stores ${p.store}`);
  }
  const ratio = e.ours.perInference.total / e.xnnpack.perInference.total;
  if (!(ratio > 0.5 && ratio < 2)) fail.push(`${tag}: ours / XNNPACK = ${ratio}`);
}
const rq = [...JSON.parse(require('fs').readFileSync('build-meter/ci-uint8.json', 'utf8')),
            ...JSON.parse(require('fs').readFileSync('build-meter/ci-uint8-dot.json', 'utf8'))];
if (rq.length !== 3) fail.push(`expected 3 uint8 results (aarch64, armv7, aarch64 dot), got ${rq.length}`);
for (const e of rq) {
  const tag = `${e.arch} ${e.variant} ${e.core} ${e.dtype}`;
  if (e.macs !== 13570048) fail.push(`${tag}: MACs ${e.macs}, expected 13570048`);
  const dot = e.core === 'dot';
  if (dot !== (e.isa === 'neondot')) fail.push(`${tag}: our integer kernels are ${e.isa}`);
  for (const eng of ['ours', 'xnnpack']) {
    const p = e[eng].perInference;
    if (e[eng].layers.length !== 29) fail.push(`${tag} ${eng}: ${e[eng].layers.length} phases, expected 29`);
    if (!(p.total > 2e6 && p.total < 20e6)) fail.push(`${tag} ${eng}: ${p.total} instructions per inference`);
    if (p.ffma_lanes > 0.01 * e.macs) fail.push(`${tag} ${eng}: ${p.ffma_lanes} float FMA lanes on the integer path`);
    const laneUse = e.macs / p.imac_lanes;
    if (!(laneUse > 0.75 && laneUse < 1.05)) fail.push(`${tag} ${eng}: integer MAC lane use ${laneUse}`);
    if (dot ? !(p.idot * 16 > 0.5 * e.macs) : p.idot !== 0) fail.push(`${tag} ${eng}: ${p.idot} dot-product instructions`);
  }
  const ratio = e.ours.perInference.total / e.xnnpack.perInference.total;
  if (!(ratio > 0.5 && ratio < 2)) fail.push(`${tag}: ours / XNNPACK = ${ratio}`);
}
if (fail.length) { console.error('arm meter check FAILED:\n  ' + fail.join('\n  ')); process.exit(1); }
console.log('arm meter check: ok');
JS
