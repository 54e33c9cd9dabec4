// The addon loader's failure message (lib/binding.ts): what it tried, the platform it saw, what to do.
// loadBinding() caches, and its package root is fixed by its own location, so each case runs in a child
// Node process against a fresh copy of lib/binding.ts, transpiled into a throw-away package root
// (<tmp>/pkg/dist/binding.js, so <tmp>/pkg/build and <tmp>/pkg/prebuilds are what each case puts there).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const ARCH_DIR = `${process.platform}-${process.arch}`;
let tmp: string;
let caseNo = 0;

interface Outcome {
  ok: boolean;
  name?: string;
  message?: string;
  candidates: string[];
  isas?: string[];
}

/** A package root holding only dist/binding.js (transpiled from lib/binding.ts) plus what the case adds. */
function makePackage(files: Record<string, Buffer | string> = {}): string {
  const pkg = join(tmp, `pkg${caseNo++}`);
  mkdirSync(join(pkg, 'dist'), { recursive: true });
  copyFileSync(join(tmp, 'binding.js'), join(pkg, 'dist', 'binding.js'));
  writeFileSync(join(pkg, 'package.json'), '{"type":"module"}');
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
  const src = readFileSync(join(ROOT, 'lib', 'binding.ts'), 'utf8');
  const js = ts.transpileModule(src, {
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    fileName: 'binding.ts',
  }).outputText;
  writeFileSync(join(tmp, 'binding.js'), js);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('loadBinding() failure message', () => {
  it('names the platform, libc, Node and Node-API versions, every path tried and the fixes', () => {
    const pkg = makePackage();
    const missing = join(tmp, 'does-not-exist', 'mobilenet_native.node');
    const r = loadIn(pkg, missing);
    expect(r.ok).toBe(false);
    expect(r.name).toBe('Error');
    const msg = r.message!;
    const lines = msg.split('\n');
    const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime;
    expect(lines[0]).toBe(
      `Could not load the mobilenet-native addon for ${process.platform}-${process.arch}` +
        `${glibc ? ` (glibc ${glibc})` : ' (non-glibc libc)'}, Node ${process.versions.node} (Node-API ${process.versions.napi}).`,
    );
    // An override is the only candidate: nothing else may stand in for it silently.
    expect(tried(msg)).toEqual([`  - ${missing} (not found)`]);
    expect(msg).toContain('Possible solutions:');
    expect(msg).toContain('npm rebuild mobilenet-native');
    expect(msg).toContain('linux-x64, linux-arm64 or linux-arm');
    expect(msg).toContain('MOBILENET_NATIVE_BINDING');
  });

  it('without the override it tries the source build, then the prebuild', () => {
    const pkg = makePackage();
    const r = loadIn(pkg, undefined);
    expect(r.ok).toBe(false);
    expect(r.candidates).toEqual([
      join(pkg, 'build', 'Release', 'mobilenet_native.node'),
      join(pkg, 'prebuilds', ARCH_DIR, 'mobilenet_native.node'),
    ]);
    expect(tried(r.message!)).toHaveLength(2);
  });

  it('resolves a relative override against the working directory', () => {
    const pkg = makePackage();
    const r = loadIn(pkg, join('rel', 'mobilenet_native.node'), tmp);
    expect(r.candidates[0]).toBe(join(tmp, 'rel', 'mobilenet_native.node'));
    expect(tried(r.message!)[0]).toBe(`  - ${join(tmp, 'rel', 'mobilenet_native.node')} (not found)`);
  });

  it('reports the dlopen error of a .node built for another architecture (same ELF class)', () => {
    const pkg = makePackage();
    const wrong = join(tmp, 'wrong-arch.node');
    writeFileSync(wrong, foreignElf64());
    const r = loadIn(pkg, wrong);
    expect(r.ok).toBe(false);
    const first = tried(r.message!)[0];
    expect(first.startsWith(`  - ${wrong} (`)).toBe(true);
    expect(first).not.toContain('(not found)');
    // glibc's own words for an existing file of the wrong machine are "No such file or directory": the
    // loader reads the ELF header and says what the file is.
    const foreign = process.arch === 'arm64' ? 'x64' : 'arm64';
    expect(first.endsWith(`; it was built for ${foreign}, this Node is ${process.arch})`)).toBe(true);
  });

  it.runIf(process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64'))(
    'reports the ELF class of a 32-bit ARM .node on a 64-bit host',
    () => {
      const pkg = makePackage();
      const wrong = join(tmp, 'armv7.node');
      writeFileSync(wrong, elfHeader(32, EM_ARM));
      const r = loadIn(pkg, wrong);
      expect(r.ok).toBe(false);
      expect(tried(r.message!)[0]).toBe(`  - ${wrong} (${wrong}: wrong ELF class: ELFCLASS32; it was built for arm, this Node is ${process.arch})`);
    },
  );

  it('reports a file that is not a shared object at all', () => {
    const pkg = makePackage();
    const bogus = join(tmp, 'bogus.node');
    writeFileSync(bogus, 'this is not an ELF file\n'.repeat(8));
    const r = loadIn(pkg, bogus);
    expect(r.ok).toBe(false);
    expect(tried(r.message!)[0]).toMatch(/^ {2}- .*bogus\.node \(.*(invalid ELF header|file too short).*\)$/);
  });

  it('lists a broken prebuild for this platform with its dlopen error', () => {
    const pkg = makePackage({ [join('prebuilds', ARCH_DIR, 'mobilenet_native.node')]: foreignElf64() });
    const r = loadIn(pkg, undefined);
    expect(r.ok).toBe(false);
    const t = tried(r.message!);
    expect(t[0]).toBe(`  - ${join(pkg, 'build', 'Release', 'mobilenet_native.node')} (not found)`);
    expect(t[1].startsWith(`  - ${join(pkg, 'prebuilds', ARCH_DIR, 'mobilenet_native.node')} (`)).toBe(true);
    expect(t[1]).not.toContain('(not found)');
  });

  // The real cross-built prebuilds (native/tests/build-prebuilds.sh), when present, on a host they do not fit.
  for (const dir of ['linux-arm64', 'linux-arm']) {
    const file = join(ROOT, 'prebuilds', dir, 'mobilenet_native.node');
    it.runIf(existsSync(file) && dir !== ARCH_DIR && process.arch === 'x64')(`rejects the real ${dir} prebuild with a reason`, () => {
      const pkg = makePackage();
      const r = loadIn(pkg, file);
      expect(r.ok).toBe(false);
      const first = tried(r.message!)[0];
      expect(first.startsWith(`  - ${file} (`)).toBe(true);
      expect(first).not.toContain('(not found)');
    });
  }
});

describe('loadBinding() success', () => {
  const built = [join(ROOT, 'build', 'Release', 'mobilenet_native.node'), join(ROOT, 'prebuilds', ARCH_DIR, 'mobilenet_native.node')].find(
    existsSync,
  );

  it.runIf(built !== undefined)('loads the override, never a broken prebuild', () => {
    const pkg = makePackage({ [join('prebuilds', ARCH_DIR, 'mobilenet_native.node')]: foreignElf64() });
    const good = join(tmp, 'good', 'mobilenet_native.node');
    mkdirSync(join(good, '..'), { recursive: true });
    copyFileSync(built!, good);
    const r = loadIn(pkg, good);
    expect(r.ok, r.message).toBe(true);
    expect(r.candidates[0]).toBe(good);
    expect(r.isas).toContain('scalar');
  });

  it.runIf(built !== undefined)('falls through a failing candidate to the next one', () => {
    const pkg = makePackage({ [join('build', 'Release', 'mobilenet_native.node')]: foreignElf64() });
    mkdirSync(join(pkg, 'prebuilds', ARCH_DIR), { recursive: true });
    copyFileSync(built!, join(pkg, 'prebuilds', ARCH_DIR, 'mobilenet_native.node'));
    const r = loadIn(pkg, undefined);
    expect(r.ok, r.message).toBe(true);
  });
});
