// The addon loader (lib/binding.ts): which files it tries, the checks it makes before it dlopens one (ELF machine,
// build stamp: package version + native source hash), and its failure message (what it tried, the platform it saw,
// what to do). loadBinding() caches, and its package root is fixed by its own location, so each case runs in a child
// Node process against a fresh copy of lib/binding.ts (transpiled) + lib/package-root.cjs, in a throw-away package
// root (<tmp>/pkgN/dist/, so <tmp>/pkgN/build, prebuilds, native and package.json are what each case puts there).
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bindingCandidates,
  currentPlatform,
  elfArch,
  glibcNeeded,
  loadBinding,
  PREBUILD_GLIBC,
  parseBuildStamp,
  prebuildPath,
  readBuildStamp,
  sourceFiles,
  sourceHash,
  stampProblem,
} from '../lib/binding.js';

const ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const ARCH_DIR = `${process.platform}-${process.arch}`;
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** This host's prebuild, relative to a package root (prebuilds/linux-x64/node.napi.glibc.node on x64 glibc). */
const PREBUILD = prebuildPath(currentPlatform()).file!;
const SOURCE_BUILD = join('build', 'Release', 'mobilenet_native.node');
let tmp: string;
let caseNo = 0;

interface Outcome {
  ok: boolean;
  name?: string;
  message?: string;
  candidates: string[];
  isas?: string[];
}

/**
 * A package root holding only dist/binding.js (transpiled from lib/binding.ts) and dist/package-root.cjs and a package.json
 * of this version (or `version`), plus what the case adds.
 */
function makePackage(files: Record<string, Buffer | string> = {}, version = VERSION): string {
  const pkg = join(tmp, `pkg${caseNo++}`);
  mkdirSync(join(pkg, 'dist'), { recursive: true });
  copyFileSync(join(tmp, 'binding.js'), join(pkg, 'dist', 'binding.js'));
  copyFileSync(join(tmp, 'package-root.cjs'), join(pkg, 'dist', 'package-root.cjs'));
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'mobilenet-native', version, type: 'module' }));
  for (const [rel, data] of Object.entries(files)) {
    mkdirSync(join(pkg, rel, '..'), { recursive: true });
    writeFileSync(join(pkg, rel), data);
  }
  return pkg;
}

/** Runs loadBinding() in a fresh Node process with the given override (undefined: unset). */
function loadIn(pkg: string, override: string | undefined, cwd = tmp): Outcome {
  const url = pathToFileURL(join(pkg, 'dist', 'binding.js')).href;
  const script = `
    import { loadBinding, bindingCandidates } from ${JSON.stringify(url)};
    let out;
    try {
      const b = loadBinding();
      out = { ok: true, candidates: bindingCandidates(), isas: b.supportedIsas() };
    } catch (e) {
      out = { ok: false, name: e.name, message: e.message, candidates: bindingCandidates() };
    }
    process.stdout.write(JSON.stringify(out));`;
  const env = { ...process.env };
  delete env.MOBILENET_NATIVE_BINDING;
  if (override !== undefined) env.MOBILENET_NATIVE_BINDING = override;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  expect(r.status, `child failed: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as Outcome;
}

/** Minimal ELF headers: enough for dlopen to reject them the way it rejects a real binary of that kind. */
function elfHeader(bits: 32 | 64, machine: number): Buffer {
  const b = Buffer.alloc(1024); // header, then zeros: glibc reads a fixed-size block before looking at it
  b.write('\x7fELF', 0, 'latin1');
  b[4] = bits === 64 ? 2 : 1; // EI_CLASS
  b[5] = 1; // little endian
  b[6] = 1; // EV_CURRENT
  b.writeUInt16LE(3, 16); // ET_DYN
  b.writeUInt16LE(machine, 18);
  b.writeUInt32LE(1, 20);
  if (bits === 64) {
    b.writeUInt16LE(64, 52); // e_ehsize
    b.writeUInt16LE(56, 54); // e_phentsize
  } else {
    b.writeUInt16LE(52, 40);
    b.writeUInt16LE(32, 42);
  }
  return b;
}
const EM_X86_64 = 62;
const EM_AARCH64 = 183;
const EM_ARM = 40;
/** An ELF of the same class as this process but another machine (the "wrong-arch .node" case). */
const foreignElf64 = () => elfHeader(64, process.arch === 'arm64' ? EM_X86_64 : EM_AARCH64);

function tried(message: string): string[] {
  const lines = message.split('\n');
  const start = lines.indexOf('Tried:');
  const end = lines.indexOf('Possible solutions:');
  expect(start, message).toBeGreaterThan(0);
  expect(end, message).toBeGreaterThan(start);
  return lines.slice(start + 1, end);
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mobilenet-loader-'));
  const transpile = (file: string, module: ts.ModuleKind, out: string) =>
    writeFileSync(
      join(tmp, out),
      ts.transpileModule(readFileSync(join(ROOT, 'lib', file), 'utf8'), {
        compilerOptions: { module, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
        fileName: file,
      }).outputText,
    );
  transpile('binding.ts', ts.ModuleKind.ES2022, 'binding.js');
  copyFileSync(join(ROOT, 'lib', 'package-root.cjs'), join(tmp, 'package-root.cjs'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const built = [join(ROOT, SOURCE_BUILD), join(ROOT, PREBUILD)].find(existsSync);

describe('loadBinding() failure message', () => {
  it('names the platform, libc, Node and Node-API versions, every path tried and the fixes', () => {
    const pkg = makePackage();
    const missing = join(tmp, 'does-not-exist', 'mobilenet_native.node');
    const r = loadIn(pkg, missing);
    expect(r.ok).toBe(false);
    expect(r.name).toBe('Error');
    const msg = r.message!;
    const lines = msg.split('\n');
    const p = currentPlatform();
    expect(lines[0]).toBe(
      `Could not load the mobilenet-native addon for ${process.platform}-${process.arch}` +
        `${p.libc ? ` (${p.libc})` : ''}${p.armVersion ? ` ARMv${p.armVersion}` : ''}, ` +
        `Node ${process.versions.node} (Node-API ${process.versions.napi}).`,
    );
    // An override is the only candidate: nothing else may stand in for it silently.
    expect(tried(msg)).toEqual([`  - ${missing} (not found)`]);
    expect(msg).toContain('Possible solutions:');
    expect(msg).toContain('npm install cmake-js node-addon-api');
    expect(msg).toContain('npm rebuild mobilenet-native --build-from-source');
    expect(msg).toContain('linux-x64, linux-arm64 or linux-arm (ARMv7 or later)');
    expect(msg).toContain('MOBILENET_NATIVE_BINDING');
  });

  it('without the override it tries the source build, then the prebuild for this platform', () => {
    const pkg = makePackage();
    const r = loadIn(pkg, undefined);
    expect(r.ok).toBe(false);
    expect(r.candidates).toEqual([join(pkg, SOURCE_BUILD), join(pkg, PREBUILD)]);
    expect(tried(r.message!)).toEqual([`  - ${join(pkg, SOURCE_BUILD)} (not found)`, `  - ${join(pkg, PREBUILD)} (not found)`]);
  });

  it('resolves a relative override against the working directory', () => {
    const pkg = makePackage();
    const r = loadIn(pkg, join('rel', 'mobilenet_native.node'), tmp);
    expect(r.candidates[0]).toBe(join(tmp, 'rel', 'mobilenet_native.node'));
    expect(tried(r.message!)[0]).toBe(`  - ${join(tmp, 'rel', 'mobilenet_native.node')} (not found)`);
  });

  it('names the architecture of a .node built for another one (same ELF class), without loading it', () => {
    const pkg = makePackage();
    const wrong = join(tmp, 'wrong-arch.node');
    writeFileSync(wrong, foreignElf64());
    const r = loadIn(pkg, wrong);
    expect(r.ok).toBe(false);
    const foreign = process.arch === 'arm64' ? 'x64' : 'arm64';
    expect(tried(r.message!)).toEqual([`  - ${wrong} (built for ${foreign}, this Node is ${process.arch})`]);
  });

  it.runIf(process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64'))(
    'names a 32-bit ARM .node on a 64-bit host',
    () => {
      const pkg = makePackage();
      const wrong = join(tmp, 'armv7.node');
      writeFileSync(wrong, elfHeader(32, EM_ARM));
      const r = loadIn(pkg, wrong);
      expect(r.ok).toBe(false);
      expect(tried(r.message!)).toEqual([`  - ${wrong} (built for arm, this Node is ${process.arch})`]);
    },
  );

  it('refuses a file without a build stamp (not built by this package), without loading it', () => {
    const pkg = makePackage();
    const bogus = join(tmp, 'bogus.node');
    writeFileSync(bogus, 'this is not an ELF file\n'.repeat(8));
    const r = loadIn(pkg, bogus);
    expect(r.ok).toBe(false);
    expect(tried(r.message!)).toEqual([`  - ${bogus} (no mobilenet-native build stamp: not built from this package's CMakeLists.txt)`]);
  });

  // A real Node-API addon of this architecture that is not ours: sharp's. Loading it would register sharp's
  // functions as ours; the stamp check refuses it first.
  const sharpAddon = join(ROOT, 'node_modules', '@img', `sharp-${ARCH_DIR}`, 'lib', `sharp-${ARCH_DIR}.node`);
  it.runIf(existsSync(sharpAddon))("refuses another package's working addon (sharp's) by its missing stamp", () => {
    const pkg = makePackage({ [SOURCE_BUILD]: readFileSync(sharpAddon) });
    const r = loadIn(pkg, undefined);
    expect(r.ok).toBe(false);
    expect(tried(r.message!)[0]).toBe(
      `  - ${join(pkg, SOURCE_BUILD)} (no mobilenet-native build stamp: not built from this package's CMakeLists.txt)`,
    );
  });

  it.runIf(built !== undefined)('refuses a .node of another package version', () => {
    const pkg = makePackage({ [PREBUILD]: readFileSync(built!) }, '9.9.9');
    const r = loadIn(pkg, undefined);
    expect(r.ok).toBe(false);
    expect(tried(r.message!)[1]).toBe(`  - ${join(pkg, PREBUILD)} (built for mobilenet-native ${VERSION}, this package is 9.9.9)`);
  });

  it.runIf(built !== undefined)('refuses a stale .node: a native source changed after it was built', () => {
    const pkg = makePackage({ [PREBUILD]: readFileSync(built!) });
    copyFileSync(join(ROOT, 'CMakeLists.txt'), join(pkg, 'CMakeLists.txt'));
    cpSync(join(ROOT, 'native'), join(pkg, 'native'), { recursive: true });
    const stamp = readBuildStamp(readFileSync(built!))!;
    expect(sourceHash(pkg)).toBe(stamp.source); // the copy is what it was built from
    appendFileSync(join(pkg, 'native', 'binding', 'addon.cc'), '\n// edited\n');
    const now = sourceHash(pkg)!;
    const r = loadIn(pkg, undefined);
    expect(r.ok).toBe(false);
    expect(tried(r.message!)[1]).toBe(
      `  - ${join(pkg, PREBUILD)} (built from other sources (stamp source=${stamp.source.slice(0, 12)}…, native/ here hashes to ` +
        `${now.slice(0, 12)}…): stale, rebuild it (npm run package: it cross-compiles the prebuilds))`,
    );
  });

  it('lists a broken prebuild for this platform with its reason', () => {
    const pkg = makePackage({ [PREBUILD]: foreignElf64() });
    const r = loadIn(pkg, undefined);
    expect(r.ok).toBe(false);
    const t = tried(r.message!);
    expect(t[0]).toBe(`  - ${join(pkg, SOURCE_BUILD)} (not found)`);
    expect(t[1]).toBe(`  - ${join(pkg, PREBUILD)} (built for ${process.arch === 'arm64' ? 'x64' : 'arm64'}, this Node is ${process.arch})`);
  });

  // The real cross-built prebuilds (scripts/build-prebuilds.sh), when present, on a host they do not fit.
  for (const file of ['prebuilds/linux-arm64/node.napi.glibc.node', 'prebuilds/linux-arm/node.napi.glibc.armv7.node']) {
    const path = join(ROOT, file);
    const arch = file.includes('arm64') ? 'arm64' : 'arm';
    it.runIf(existsSync(path) && arch !== process.arch)(`rejects the real ${file} on ${process.arch} by its ELF machine`, () => {
      const r = loadIn(makePackage(), path);
      expect(r.ok).toBe(false);
      expect(tried(r.message!)).toEqual([`  - ${path} (built for ${arch}, this Node is ${process.arch})`]);
    });
  }
});

describe('glibc the prebuilds need', () => {
  it('glibcNeeded() reads the highest GLIBC_ version an ELF names; the loader advice names PREBUILD_GLIBC', () => {
    const dynstr = Buffer.from('\0libc.so.6\0GLIBC_2.2.5\0GLIBC_2.27\0GLIBC_2.3.4\0GLIBC_2.17\0expf\0');
    expect(glibcNeeded(dynstr)).toBe('2.27');
    expect(glibcNeeded(Buffer.from('\0GLIBC_2.4\0GLIBC_2.3.4\0'))).toBe('2.4');
    expect(glibcNeeded(Buffer.from('no versions'))).toBeUndefined();
    const r = loadIn(makePackage(), join(tmp, 'missing.node'));
    expect(r.message).toContain(`glibc >= ${PREBUILD_GLIBC}.`);
  });

  // The README said 2.18 while every prebuild needed expf@GLIBC_2.27; `npm run package` now refuses the mismatch.
  for (const file of ['prebuilds/linux-x64/node.napi.glibc.node', 'prebuilds/linux-arm64/node.napi.glibc.node', 'prebuilds/linux-arm/node.napi.glibc.armv7.node']) {
    const path = join(ROOT, file);
    it.runIf(existsSync(path))(`${file} needs exactly the glibc the README states`, () => {
      expect(glibcNeeded(readFileSync(path))).toBe(PREBUILD_GLIBC);
      expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`the prebuilt binaries need glibc ≥ ${PREBUILD_GLIBC} `);
    });
  }
});

describe('loadBinding() success', () => {
  it.runIf(built !== undefined)('loads the override, never a broken prebuild', () => {
    const pkg = makePackage({ [PREBUILD]: foreignElf64() });
    const good = join(tmp, 'good', 'mobilenet_native.node');
    mkdirSync(join(good, '..'), { recursive: true });
    copyFileSync(built!, good);
    const r = loadIn(pkg, good);
    expect(r.ok, r.message).toBe(true);
    expect(r.candidates[0]).toBe(good);
    expect(r.isas).toContain('scalar');
  });

  it.runIf(built !== undefined)('falls through a failing candidate to the prebuild', () => {
    const pkg = makePackage({ [SOURCE_BUILD]: foreignElf64(), [PREBUILD]: readFileSync(built!) });
    const r = loadIn(pkg, undefined);
    expect(r.ok, r.message).toBe(true);
  });
});

describe('the install script (scripts/install.cjs)', () => {
  it.runIf(built !== undefined && existsSync(join(ROOT, 'dist', 'cjs', 'binding.js')))(
    'names the addon it uses and both its float and its integer kernel sets (it named the float ones only)', () => {
      const env = { ...process.env };
      delete env.npm_config_build_from_source;
      delete env.MOBILENET_NATIVE_BINDING;
      const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'install.cjs')], { cwd: ROOT, env, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const b = loadBinding();
      expect(r.stdout).toBe(
        `mobilenet-native: using ${built!.slice(ROOT.length + 1)} (float kernels: ${b.supportedIsas().join(', ')}; ` +
          `integer: ${b.supportedQIsas().join(', ')}); nothing to compile\n`,
      );
    });
});

describe('prebuild names (prebuildify layout) per platform', () => {
  it('tags libc, and armv7 on 32-bit ARM', () => {
    expect(prebuildPath({ platform: 'linux', arch: 'x64', libc: 'glibc' })).toEqual({ file: 'prebuilds/linux-x64/node.napi.glibc.node' });
    expect(prebuildPath({ platform: 'linux', arch: 'arm64', libc: 'glibc' })).toEqual({ file: 'prebuilds/linux-arm64/node.napi.glibc.node' });
    expect(prebuildPath({ platform: 'linux', arch: 'arm', libc: 'glibc', armVersion: 7 })).toEqual({
      file: 'prebuilds/linux-arm/node.napi.glibc.armv7.node',
    });
    expect(prebuildPath({ platform: 'linux', arch: 'arm', libc: 'glibc', armVersion: 8 })).toEqual({
      file: 'prebuilds/linux-arm/node.napi.glibc.armv7.node',
    });
  });

  it('never offers a musl system the glibc binary', () => {
    expect(prebuildPath({ platform: 'linux', arch: 'x64', libc: 'musl' })).toEqual({ file: 'prebuilds/linux-x64/node.napi.musl.node' });
    expect(prebuildPath({ platform: 'linux', arch: 'arm64', libc: 'musl' }).file).toBe('prebuilds/linux-arm64/node.napi.musl.node');
    const c = bindingCandidates({}, { platform: 'linux', arch: 'x64', libc: 'musl' });
    expect(c[1].endsWith(join('prebuilds', 'linux-x64', 'node.napi.musl.node'))).toBe(true);
  });

  it('has no prebuild for ARMv6 (Pi Zero/1) and says to build from source', () => {
    const r = prebuildPath({ platform: 'linux', arch: 'arm', libc: 'glibc', armVersion: 6 });
    expect(r.file).toBeUndefined();
    expect(r.why).toBe(
      'this Node is built for ARMv6 (Raspberry Pi Zero/1): the linux-arm prebuild needs ARMv7 (NEON, Pi 2 and later), ' +
        'so the addon must be built from source here',
    );
    expect(bindingCandidates({}, { platform: 'linux', arch: 'arm', libc: 'glibc', armVersion: 6 })).toEqual([join(ROOT, SOURCE_BUILD)]);
  });

  it('sees this process as glibc or musl on Linux', () => {
    const p = currentPlatform();
    if (process.platform === 'linux') expect(['glibc', 'musl']).toContain(p.libc);
    expect(p.arch).toBe(process.arch);
  });
});

describe('build stamp', () => {
  it('parses only the exact stamp form', () => {
    const h = 'ab'.repeat(32);
    expect(parseBuildStamp(`version=1.2.3 source=${h}`)).toEqual({ version: '1.2.3', source: h });
    expect(parseBuildStamp(`version=1.2.3 source=${h.slice(1)}`)).toBeUndefined();
    expect(parseBuildStamp(`version= source=${h}`)).toBeUndefined();
    expect(stampProblem(undefined, { version: '1' })).toMatch(/^no mobilenet-native build stamp/);
    expect(stampProblem({ version: '1', source: h }, { version: '1' })).toBeUndefined(); // no sources here: version only
    expect(stampProblem({ version: '1', source: h }, { version: '1', source: h })).toBeUndefined();
  });

  it('hashes CMakeLists.txt and the native sources, not native/tests or native/toolchains', () => {
    const files = sourceFiles(ROOT);
    expect(files[0]).toBe('CMakeLists.txt');
    expect(files).toContain('native/binding/addon.cc');
    expect(files).toContain('native/binding/build_stamp.cc');
    expect(files.some((f) => f.startsWith('native/tests/') || f.startsWith('native/toolchains/'))).toBe(false);
    expect(files.every((f) => f === 'CMakeLists.txt' || /\.(cc|cpp|c|h|hpp|inc|S|s)$/.test(f))).toBe(true);
    expect([...files].sort()).toEqual(files);
    expect(sourceHash(ROOT)).toMatch(/^[0-9a-f]{64}$/);
    expect(sourceHash(tmp)).toBeUndefined();
  });

  // CMake (native/build-stamp.cmake) and the loader must compute the same hash, or every load would fail.
  it.runIf(existsSync(join(ROOT, SOURCE_BUILD)))('the source build carries this version and the hash the loader computes', async () => {
    const bytes = readFileSync(join(ROOT, SOURCE_BUILD));
    expect(elfArch(bytes)).toBe(process.platform === 'linux' ? process.arch : undefined);
    expect(readBuildStamp(bytes)).toEqual({ version: VERSION, source: sourceHash(ROOT) });
    const { createRequire } = await import('node:module');
    const addon = createRequire(import.meta.url)(join(ROOT, SOURCE_BUILD)) as { buildStamp: string };
    expect(addon.buildStamp).toBe(`version=${VERSION} source=${sourceHash(ROOT)}`);
  });
});
