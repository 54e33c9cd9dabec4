#!/usr/bin/env node
// ARM meter: instructions an ARM core executes for one MobileNetV1 inference, ours against XNNPACK's own
// ARM build, counted by a qemu-user TCG plugin (meter.c). Build first: bench/arm-meter/build.sh.
//
//   node bench/arm-meter/meter.mjs [--variants 1.0/224,0.25/128 | --all] [--arch aarch64,armv7]
//        [--dtype float32|uint8|int8] [--engines ours,xnnpack] [--cores generic,dot,a53,a72,a76]
//        [--per-layer] [--per-kind] [--symbols] [--json FILE]
//
// --cores: "generic" runs with qemu's pass-through /proc/cpuinfo (x86 here, so no core is recognised and both
// engines take their default kernels); a53/a72/a76 show the guest a Raspberry Pi 3/4/5 /proc/cpuinfo
// (through the LD_PRELOAD shim) so XNNPACK (cpuinfo) and our dispatch pick their core-specific kernels.
// "dot" (aarch64): qemu's "max" guest, which has the dot-product instructions (AT_HWCAP asimddp) and no Pi part
// number: both engines take their general dot-product kernels. a76 has them too (Cortex-A76 + its cpuinfo).
// --dtype uint8 | int8: the integer paths, ours (driver --dtype) against XNNPACK's quantized operators (the
// anchor's --dtype qu8, per-tensor uint8; --dtype qs8, int8 activations with per-channel int8 conv weights).
// Counts are per inference: the sum over the marked layers of --runs inferences (default 2), divided by runs.
// useful FMA share = MACs / 4 lanes / instructions executed (1.0 would be a core doing nothing but full FMAs);
// FMA lane use = MACs / FMA lanes executed (1.0: no FMA lane computes anything thrown away).
// Integer: useful MAC share = MACs / L / instructions, L = 8 products per instruction where the guest has no
// dot product (a 128-bit widening multiply-accumulate on bytes, umlal/smlal v.8h <- .8b, makes 8; the
// 16-bit-lane form v.4s <- .4h makes 4), L = 16 where it has (udot/sdot v.4s: 16). MAC lane use = MACs /
// products executed (meter.c imac_lanes, from each instruction's operand arrangement).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = join(ROOT, 'build-meter');
const ALL = ['1.0', '0.75', '0.5', '0.25'].flatMap((a) => [224, 192, 160, 128].map((r) => `${a}/${r}`));

const ARCH = {
  aarch64: { qemu: 'qemu-aarch64', sysroot: '/usr/aarch64-linux-gnu', lib: 'aarch64-linux-gnu',
             cpu: { generic: 'cortex-a72', dot: 'max', a53: 'cortex-a53', a72: 'cortex-a72', a76: 'cortex-a76' } },
  // Only for checking the estimate method on this machine (check-x86.mjs): qemu 7.2's TCG runs AVX2, not AVX-512.
  x86_64: { qemu: 'qemu-x86_64', sysroot: '/', lib: 'x86_64-linux-gnu', cpu: { generic: 'max' } },
  // The Pi cores run 32-bit code as ARMv8 AArch32, and XNNPACK's A53/A72 choices use ARMv8-only instructions
  // (its qs8 kernels for them died with SIGILL on qemu's ARMv7 cortex-a15): their guests are qemu-arm's 'max'
  // (the only ARMv8 model qemu-arm has; it also reports the dot product, which the 2022 XNNPACK does not use on armv7).
  armv7: { qemu: 'qemu-arm', sysroot: '/usr/arm-linux-gnueabihf', lib: 'arm-linux-gnueabihf',
           cpu: { generic: 'cortex-a15', a53: 'max', a72: 'max', a76: 'max' } },
};
// MIDR fields of the Pi cores (Arm TRMs): part, variant, revision; features as their kernels print them.
const CORES = {
  a53: { part: '0xd03', variant: '0x0', rev: 4, name: 'Cortex-A53 (Pi 3, Zero 2)' },
  a72: { part: '0xd08', variant: '0x0', rev: 3, name: 'Cortex-A72 (Pi 4)' },
  a76: { part: '0xd0b', variant: '0x4', rev: 1, name: 'Cortex-A76 (Pi 5)' },
};

function fakeCpuinfo(arch, core) {
  const c = CORES[core];
  const feat64 = core === 'a76' ? 'fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp'
                                : 'fp asimd evtstrm crc32 cpuid';
  let s = '';
  for (let i = 0; i < 4; i++) {
    s += arch === 'aarch64'
      ? `processor\t: ${i}\nBogoMIPS\t: 108.00\nFeatures\t: ${feat64}\nCPU implementer\t: 0x41\nCPU architecture: 8\n`
      : `processor\t: ${i}\nmodel name\t: ARMv7 Processor rev ${c.rev} (v7l)\nBogoMIPS\t: 108.00\n` +
        `Features\t: half thumb fastmult vfp edsp neon vfpv3 tls vfpv4 idiva idivt vfpd32 lpae evtstrm crc32\n` +
        `CPU implementer\t: 0x41\nCPU architecture: 7\n`;
    s += `CPU variant\t: ${c.variant}\nCPU part\t: ${c.part}\nCPU revision\t: ${c.rev}\n\n`;
  }
  return s + 'Hardware\t: BCM2835\nModel\t\t: Raspberry Pi (meter)\n';
}

function parseArgs(argv) {
  const o = { variants: ['1.0/224', '0.25/128'], arch: ['aarch64', 'armv7'], engines: ['ours', 'xnnpack'],
              cores: ['generic'], perLayer: false, perKind: false, symbols: false, json: null, runs: 2, estimate: false,
              dtype: 'float32' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) throw new Error(`missing value after ${a}`); return argv[++i]; };
    if (a === '--all') o.variants = ALL;
    else if (a === '--variants') o.variants = val().split(',');
    else if (a === '--arch') o.arch = val().split(',');
    else if (a === '--engines') o.engines = val().split(',');
    else if (a === '--cores') o.cores = val().split(',');
    else if (a === '--runs') o.runs = Number(val());
    else if (a === '--per-layer') o.perLayer = true;
    else if (a === '--per-kind') o.perKind = true;
    else if (a === '--dtype') o.dtype = val();
    else if (a === '--estimate') o.estimate = true;
    else if (a === '--symbols') o.symbols = true;
    else if (a === '--json') o.json = val();
    else throw new Error(`unknown option ${a} (see the header of bench/arm-meter/meter.mjs)`);
  }
  for (const v of o.variants) if (!ALL.includes(v)) throw new Error(`variant ${v} is not one of ${ALL.join(' ')}`);
  for (const a of o.arch) if (!ARCH[a] || a === 'x86_64') throw new Error(`arch ${a} is not aarch64 or armv7`);
  for (const c of o.cores) if (c !== 'generic' && c !== 'dot' && !CORES[c]) throw new Error(`core ${c} is not generic, dot, a53, a72 or a76`);
  if (o.cores.includes('dot') && o.arch.includes('armv7')) throw new Error('core dot is aarch64 only (--arch aarch64)');
  if (!DTYPES[o.dtype]) throw new Error(`dtype ${o.dtype} is not float32, uint8 or int8`);
  for (const e of o.engines) if (e !== 'ours' && e !== 'xnnpack') throw new Error(`engine ${e} is not ours or xnnpack`);
  if (!(o.runs >= 1)) throw new Error('--runs must be >= 1');
  return o;
}

// ---- Per-core estimate (labelled as such everywhere): every basic block the meter saw run inside the
// inferences (the plugin's "tb" lines: address, size, executions) is disassembled from the driver and given to
// llvm-mca as a loop; its steady-state cycles per iteration x executions, summed, is the estimate. Blocks past the
// 400 busiest (under 1 % of instructions) are charged at the covered blocks' average IPC. Caches, memory bandwidth,
// branch mispredictions and frequency scaling are not modelled: a compute-only lower bound.
// Models: Pi 4 = Cortex-A72 at 1.8 GHz (llvm's Cortex-A57 model, which LLVM uses for the A72), Pi 5 = Cortex-A76
// at 2.4 GHz (llvm-mca 19's Neoverse-N1 model, the A76's server sibling; LLVM 14 falls back to the A57 model and
// is refused here), Pi 3 = Cortex-A53 at 1.2 GHz (llvm's in-order A53 model; it does not model the A53's
// load/FMA dual-issue rules, so that column is least trustworthy).
export const BOARDS = {
  pi4: { label: 'Pi 4 (A72, 1.8 GHz)', ghz: 1.8, mcpu: 'cortex-a72' },
  pi5: { label: 'Pi 5 (A76, 2.4 GHz)', ghz: 2.4, mcpu: 'neoverse-n1' },
  pi3: { label: 'Pi 3 (A53, 1.2 GHz)', ghz: 1.2, mcpu: 'cortex-a53' },
};
const MCA = ['llvm-mca-19', 'llvm-mca-18', 'llvm-mca-17', 'llvm-mca-16'].find((t) => {
  try { execFileSync(t, ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
});
const mcaCache = new Map();

function blockAsm(arch, bin, addr, bytes) {
  const objdump = arch === 'aarch64' ? 'aarch64-linux-gnu-objdump' : arch === 'armv7' ? 'arm-linux-gnueabihf-objdump' : 'objdump';
  const out = execFileSync(objdump, ['-d', '--no-show-raw-insn', `--start-address=${addr}`, `--stop-address=${addr + bytes}`, bin],
                           { encoding: 'utf8', maxBuffer: 1 << 24 });
  const lines = ['0:'];
  for (const l of out.split('\n')) {
    const m = /^\s+[0-9a-f]+:\t(.*)$/.exec(l);
    if (!m) continue;
    // Strip objdump's comments ("// #8", "@ 0x30", "; ...", x86 "# 4005d0 <f>"), not immediates ("#0x8"):
    // those made llvm-mc reject the block, which was then charged at the average IPC.
    let ins = m[1].replace(/\t/g, ' ').replace(/\s*(\/\/|@|;|#\s+).*$/, '');
    ins = ins.replace(/ [0-9a-f]+ <[^>]*>/, ' 0b');  // branch targets -> the block's own start
    if (arch === 'x86_64') ins = ins.replace(/ [0-9a-f]+ <[^>]*>/, ' 0b');
    if (ins.trim()) lines.push(ins);
  }
  return lines.join('\n') + '\n';
}

function mcaCycles(arch, mcpu, text) {
  const key = `${arch}|${mcpu}|${text}`;
  if (mcaCache.has(key)) return mcaCache.get(key);
  const triple = arch === 'aarch64' ? 'aarch64-linux-gnu' : arch === 'armv7' ? 'thumbv7-linux-gnueabihf' : 'x86_64-linux-gnu';
  const args = [`-mtriple=${triple}`, `-mcpu=${mcpu}`, '-iterations=100', '-'];
  if (arch === 'x86_64') args.unshift('--x86-asm-syntax=att');
  let cyc = null;
  try {
    const out = execFileSync(MCA, args, { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    const m = /Total Cycles:\s+(\d+)/.exec(out);
    if (m) cyc = Number(m[1]) / 100;
  } catch { cyc = null; }  // an instruction llvm-mc cannot parse: charged at the average IPC
  mcaCache.set(key, cyc);
  return cyc;
}

// Estimated cycles per inference from a counts file (tb lines) of `runs` inferences.
// totalInsns: instructions of the marked phases (all runs), which the blocks listed cover in part.
export function estimateCycles({ arch, bin, countsText, runs, mcpu, totalInsns }) {
  if (!MCA) throw new Error('llvm-mca 16 or later is needed for estimates (apt-get install llvm-19)');
  let cycles = 0, covered = 0;
  for (const line of countsText.split('\n')) {
    const m = /^tb 0x([0-9a-f]+) bytes=(\d+) insns=(\d+) execs=(\d+)/.exec(line);
    if (!m) continue;
    const insns = Number(m[3]) * Number(m[4]);
    const c = mcaCycles(arch, mcpu, blockAsm(arch, bin, parseInt(m[1], 16), Number(m[2])));
    if (c === null) continue;
    cycles += c * Number(m[4]);
    covered += insns;
  }
  return { cycles: (cycles * (totalInsns / covered)) / runs, coverage: covered / totalInsns };
}

const CLASSES = ['total', 'ffma', 'ffma_lanes', 'imac', 'imac_lanes', 'idot', 'load', 'store', 'other'];
// Our driver's --dtype, and the anchor's for the same scheme.
const DTYPES = { float32: 'f32', uint8: 'qu8', int8: 'qs8' };

export function parseCounts(text) {
  const phases = new Map(), syms = [];
  for (const line of text.split('\n')) {
    const m = /^(phase|sym) (\S+)(?: n=(\d+))?((?: \w+=\d+)+)$/.exec(line);
    if (!m) continue;
    const counts = {};
    for (const kv of m[4].trim().split(' ')) { const [k, v] = kv.split('='); counts[k] = Number(v); }
    for (const k of CLASSES) counts[k] ??= 0;
    if (m[1] === 'phase') phases.set(Number(m[2]), { n: Number(m[3]), counts });
    else syms.push({ sym: m[2], counts });
  }
  return { phases, syms };
}

// One metered run: returns { layers: [{ phase, counts per inference }], perInference, kernels, stdout }.
export function meter({ arch, engine, core, alpha, res, runs = 2, isa = '', dtype = 'float32' }) {
  const A = ARCH[arch], dir = join(OUT, arch);
  const bin = engine === 'ours' ? join(dir, 'driver') : join(dir, 'mobilenet-xnn');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run bench/arm-meter/build.sh ${arch} first`);
  const counts = join(OUT, `counts-${arch}-${engine}-${core}-${alpha}-${res}${dtype === 'float32' ? '' : `-${dtype}`}.txt`);
  const env = [`LD_PRELOAD=${join(dir, 'libmeterpreload.so')}`];
  if (engine === 'xnnpack') env.push(`LD_LIBRARY_PATH=${join(dir, 'root/usr/lib', A.lib)}`);
  if (CORES[core]) {
    const f = join(OUT, `cpuinfo-${arch}-${core}.txt`);
    writeFileSync(f, fakeCpuinfo(arch, core));
    env.push(`METER_CPUINFO=${f}`);
  }
  const args = ['-cpu', A.cpu[core], '-plugin', `${join(OUT, 'libmeter.so')},out=${counts}`, '-L', A.sysroot];
  for (const e of env) args.push('-E', e);
  args.push(bin, '--alpha', alpha, '--res', String(res));
  if (engine === 'ours') args.push('--runs', String(runs), '--dtype', dtype, ...(isa ? ['--isa', isa] : []));
  else args.push('--runs', String(runs), '--warmup', '0', '--no-check', '--dtype', DTYPES[dtype]);
  const stdout = execFileSync(A.qemu, args, { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'pipe'] });
  const { phases, syms } = parseCounts(readFileSync(counts, 'utf8'));
  const layers = [];
  const perInference = Object.fromEntries(CLASSES.map((c) => [c, 0]));
  for (const [id, p] of [...phases].sort((x, y) => x[0] - y[0])) {
    if (id === 0) continue;  // setup and the loop between inferences
    // A layer in one of our band pairs (native/runtime/model.cc: band_groups) is entered once per band.
    if (p.n === 0 || p.n % runs !== 0) throw new Error(`${engine} ${arch} ${alpha}/${res}: phase ${id} ran ${p.n} times, expected a multiple of ${runs}`);
    const c = Object.fromEntries(CLASSES.map((k) => [k, p.counts[k] / runs]));
    layers.push({ phase: id, counts: c });
    for (const k of CLASSES) perInference[k] += c[k];
  }
  return { layers, perInference, syms, stdout, bin, countsText: readFileSync(counts, 'utf8'), runs };
}

// Our layer table: phases 1..27 conv/dw/pw, 28 pool, 29 classifier; XNNPACK's operators come in the same
// order (28 global average pool, 29 fully connected). Returned: our layer names keyed by our phase id.
function layerNames(stdout) {
  const names = new Map();
  let macs = 0;
  for (const line of stdout.split('\n')) {
    const m = /^layer (\d+) (\S+) (\S+) (\d+)$/.exec(line);
    if (m) names.set(Number(m[1]), { name: m[2], kind: m[3], macs: Number(m[4]) });
    const t = /^macs (\d+)$/.exec(line);
    if (t) macs = Number(t[1]);
  }
  return { names, macs };
}
const xnnToOurs = (p) => p;  // same order since the runtime runs lib/graph.ts's table

const M = (x) => (x / 1e6).toFixed(2);
const pct = (x) => `${(100 * x).toFixed(1)} %`;

function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!existsSync(join(OUT, 'libmeter.so'))) throw new Error('build-meter/libmeter.so is missing: run bench/arm-meter/build.sh');
  mkdirSync(OUT, { recursive: true });
  const results = [];
  const est = o.estimate ? ' est. ms Pi 4 / Pi 5 / Pi 3 (ours, llvm-mca; the A53 model ignores dual issue: Pi 3 unreliable) |' : '';
  const integer = o.dtype !== 'float32';
  const what = integer ? 'integer MAC' : 'FMA';
  console.log(`| arch | variant | core |${integer ? ' dtype |' : ''} ours M insns | XNNPACK M insns | ours / XNNPACK | useful ${what} share (ours / XNNPACK) | ${what} lane use (ours / XNNPACK) |${est}`);
  console.log(`| --- | --- | --- |${integer ? ' --- |' : ''} ---: | ---: | ---: | --- | --- |${o.estimate ? ' --- |' : ''}`);
  const kindTables = [];
  for (const arch of o.arch) {
    for (const v of o.variants) {
      const [alpha, res] = v.split('/');
      for (const core of o.cores) {
        const r = {};
        for (const engine of o.engines) r[engine] = meter({ arch, engine, core, alpha, res: Number(res), runs: o.runs, dtype: o.dtype });
        const ref = r.ours ?? r.xnnpack;
        const { names, macs } = layerNames(r.ours ? r.ours.stdout : '');
        const macsAll = macs || Number((/MACs=([\d.]+)M/.exec(ref.stdout) || [0, 0])[1]) * 1e6;
        const cell = (e, f) => (r[e] ? f(r[e].perInference) : '–');
        // Integer: L products per instruction (see the header): 16 where the guest has udot/sdot, else 8.
        const dotGuest = arch === 'aarch64' && (core === 'dot' || core === 'a76');
        const L = integer ? (dotGuest ? 16 : 8) : 4;
        const share = (p) => pct(macsAll / L / p.total);
        const lane = (p) => pct(macsAll / (integer ? p.imac_lanes : p.ffma_lanes));
        const ratio = r.ours && r.xnnpack ? (r.ours.perInference.total / r.xnnpack.perInference.total).toFixed(2) : '–';
        const entry = { arch, variant: v, core, dtype: o.dtype, macs: macsAll, lanesPerInsn: L,
                        isa: (/^isa (\S+)$/m.exec(r.ours?.stdout ?? '') || [])[1] };
        let estCell = o.estimate ? ' – |' : '';
        // armv7: llvm's AArch32 A57 model issues a VMLA q-form twice per cycle (the AArch64 model and the A72
        // guide: once), and it has no A76 or A53 model, so there is no armv7 estimate.
        if (o.estimate && r.ours && arch === 'aarch64') {
          entry.estimate = {};
          // Integer: the kernels a board runs depend on the dot product (Pi 5's A76 has it, Pi 3/4 do not), so a
          // run on a dot-product guest estimates the Pi 5 only and one without it the Pi 4 and Pi 3 only.
          const boards = Object.entries(BOARDS).filter(([board]) => !integer || (board === 'pi5') === dotGuest);
          for (const [board, B] of boards) {
            const e = estimateCycles({ arch, bin: r.ours.bin, countsText: r.ours.countsText, runs: r.ours.runs, mcpu: B.mcpu,
                                       totalInsns: r.ours.perInference.total * r.ours.runs });
            entry.estimate[board] = { ms: e.cycles / (B.ghz * 1e6), cycles: e.cycles, coverage: e.coverage, ipc: r.ours.perInference.total / e.cycles };
          }
          const f = (b, k, d) => (entry.estimate[b] ? entry.estimate[b][k].toFixed(d) : '–');
          estCell = arch !== 'aarch64' ? ' – |' : ` ${['pi4', 'pi5', 'pi3'].map((b) => f(b, 'ms', 1)).join(' / ')} (IPC ${['pi4', 'pi5', 'pi3'].map((b) => f(b, 'ipc', 2)).join(' / ')}) |`;
        }
        console.log(`| ${arch} | ${v} | ${core} |${integer ? ` ${o.dtype} |` : ''} ${cell('ours', (p) => M(p.total))} | ${cell('xnnpack', (p) => M(p.total))} | ` +
                    `${ratio} | ${cell('ours', share)} / ${cell('xnnpack', share)} | ${cell('ours', lane)} / ${cell('xnnpack', lane)} |${estCell}`);
        for (const e of o.engines) entry[e] = { perInference: r[e].perInference, layers: r[e].layers };
        results.push(entry);
        if (o.perKind && r.ours) {
          // Instructions per inference by layer kind (XNNPACK's operators in the same order as our layers).
          const kinds = new Map();
          const x = new Map((r.xnnpack?.layers ?? []).map((l) => [l.phase, l.counts]));
          for (const l of r.ours.layers) {
            const nm = names.get(l.phase) ?? { kind: '?', macs: 0 };
            const k = kinds.get(nm.kind) ?? { macs: 0, ours: 0, xnnpack: 0, has: r.xnnpack !== undefined };
            k.macs += nm.macs; k.ours += l.counts.total; k.xnnpack += x.get(l.phase)?.total ?? 0;
            kinds.set(nm.kind, k);
          }
          entry.kinds = Object.fromEntries(kinds);
          const rows = [`\n  by layer kind (${arch} ${v} ${core} ${o.dtype}; ours ${entry.isa}), M instructions per inference:`,
                        '  | kind | M MACs | ours | XNNPACK | ours / XNNPACK |', '  | --- | ---: | ---: | ---: | ---: |'];
          for (const [kind, k] of kinds)
            rows.push(`  | ${kind} | ${M(k.macs)} | ${M(k.ours)} | ${k.has ? M(k.xnnpack) : '–'} | ${k.has ? (k.ours / k.xnnpack).toFixed(2) : '–'} |`);
          kindTables.push(rows.join('\n'));
        }
        if (o.perLayer && r.ours) {
          const n = names.size - 1;  // plan layers (the last name is the pool)
          const x = new Map((r.xnnpack?.layers ?? []).map((l) => [xnnToOurs(l.phase, n), l.counts]));
          console.log(`\n  per layer (${arch} ${v} ${core}), instructions per inference:`);
          console.log('  | layer | MACs | ours | ours ffma / ld / st / other | XNNPACK | ours / XNNPACK |');
          console.log('  | --- | ---: | ---: | --- | ---: | ---: |');
          for (const l of r.ours.layers) {
            const nm = names.get(l.phase) ?? { name: `phase ${l.phase}`, macs: 0 };
            const c = l.counts, xc = x.get(l.phase);
            console.log(`  | ${nm.name} | ${nm.macs} | ${c.total} | ${c.ffma} / ${c.load} / ${c.store} / ${c.other} | ` +
                        `${xc ? xc.total : '–'} | ${xc ? (c.total / xc.total).toFixed(2) : '–'} |`);
          }
          console.log('');
        }
        if (o.symbols) {
          for (const e of o.engines) {
            console.log(`\n  hottest functions, ${e} (${arch} ${v} ${core}; all runs incl. setup; '?' = outside the executable):`);
            for (const s of r[e].syms.slice(0, 12)) console.log(`    ${String(s.counts.total).padStart(11)}  ffma ${String(s.counts.ffma).padStart(10)}  ${s.sym}`);
          }
          console.log('');
        }
      }
    }
  }
  for (const t of kindTables) console.log(t);
  if (o.json) writeFileSync(o.json, JSON.stringify(results, null, 1));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try { main(); } catch (e) { console.error(`arm meter: ${e.message}`); process.exit(1); }
}
