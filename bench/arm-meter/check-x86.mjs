#!/usr/bin/env node
// Checks the meter's estimate method where it can be checked: on this x86 machine, the same procedure (our
// network's executed blocks counted under qemu-x86_64, each block's cycles from llvm-mca for this core) against
// the measured time of the same build. qemu 7.2 runs AVX2 but not AVX-512, so the AVX2 kernels are compared.
//   node bench/arm-meter/check-x86.mjs [--variants 0.25/128,0.5/160,1.0/224] [--mcpu sapphirerapids]
// Needs build-meter/x86_64/driver (cmake -S bench/arm-meter -B build-meter/x86_64/cmake && build) and llvm-mca 16+.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { meter, estimateCycles } from './meter.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const variants = opt('--variants', '0.25/128,0.5/160,1.0/224').split(',');
const mcpu = opt('--mcpu', 'sapphirerapids');
// The clock this VM's core runs at is unknown (turbo, sharing; "cpu MHz" is the nominal clock), so the check is
// (a) the clock the estimate implies (estimated cycles / measured time), which must be a clock this core can run
// at, the same for every variant, and (b) the estimate's ratios between variants against the measured ones.
const mhz = Number((/cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync('/proc/cpuinfo', 'utf8')) || [0, 0])[1]);
console.log(`nominal clock ("cpu MHz"): ${(mhz / 1000).toFixed(2)} GHz`);
// On a shared machine the minimum of 200 runs is the least disturbed measurement, so the implied clocks use it.
console.log(`| variant (AVX2, 1 thread) | M insns | est. M cycles (llvm-mca ${mcpu}) | measured ms (median / min of 200) | implied GHz (est. cycles / min) | est. / measured (min), relative to ${variants[0]} |`);
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
let first = null;
for (const v of variants) {
  const [alpha, res] = v.split('/');
  const r = meter({ arch: 'x86_64', engine: 'ours', core: 'generic', alpha, res: Number(res), runs: 2, isa: 'avx2' });
  const e = estimateCycles({ arch: 'x86_64', bin: r.bin, countsText: r.countsText, runs: r.runs, mcpu,
                             totalInsns: r.perInference.total * r.runs });
  const out = execFileSync(r.bin, ['--alpha', alpha, '--res', res, '--isa', 'avx2', '--time', '200'], { encoding: 'utf8' });
  const med = Number(/median_ms ([\d.]+)/.exec(out)[1]), min = Number(/min_ms ([\d.]+)/.exec(out)[1]);
  first ??= { cycles: e.cycles, min };
  const rel = (e.cycles / first.cycles) / (min / first.min);
  console.log(`| ${v} | ${(r.perInference.total / 1e6).toFixed(2)} | ${(e.cycles / 1e6).toFixed(2)} (coverage ${(100 * e.coverage).toFixed(1)} %) | ` +
              `${med.toFixed(3)} / ${min.toFixed(3)} | ${(e.cycles / (min * 1e6)).toFixed(2)} | ${rel.toFixed(2)} |`);
}
