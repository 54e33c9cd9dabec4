// npm run package: the release tarball, from the working tree.
//   1. compiles lib/ (ESM dist/ + CommonJS dist/cjs/, scripts/build-ts.mjs)
//   2. builds the three prebuilds from scratch (scripts/build-prebuilds.sh: linux-x64, linux-arm64, linux-arm armv7hf)
//   3. packs mobilenet-native-<version>.tgz at the repository root (npm pack --ignore-scripts: step 1 did `prepare`)
//   4. checks the tarball itself: each prebuild is there, is an ELF of its architecture, and its build stamp is this
//      version and the hash of the native sources inside the tarball, which must equal the working tree's; LICENSE and
//      both module formats are there; no tests, no source maps, no build folders.
// Exits non-zero, naming the problem, when any step or check fails. Needs what build-prebuilds.sh needs.
// `node scripts/package.mjs --verify-tree` (the `prepack` script, so a plain `npm pack` or `npm publish` cannot ship a
// tarball without current binaries) only compiles lib/ and checks the prebuilds/ already in the working tree.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const verifyTree = process.argv.includes('--verify-tree');
const step = (what) => console.log(`\n=== package: ${what}`);
const die = (why) => {
  console.error(`\npackage: FAILED: ${why}`);
  process.exit(1);
};
const run = (cmd, args, what) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) die(`${what} (exit ${r.status ?? r.signal})`);
};

step('TypeScript (dist/ ESM, dist/cjs/ CommonJS)');
run(process.execPath, [join(root, 'scripts/build-ts.mjs')], 'build:ts');
const { compareVersions, elfArch, glibcNeeded, PREBUILD_GLIBC, prebuildPath, readBuildStamp, sourceFiles, sourceHash, stampProblem } = await import(
  join(root, 'dist/binding.js')
);
const { version, name } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** The three release platforms and the file each one's loader looks for. */
const targets = [
  { arch: 'x64', p: { platform: 'linux', arch: 'x64', libc: 'glibc' } },
  { arch: 'arm64', p: { platform: 'linux', arch: 'arm64', libc: 'glibc' } },
  { arch: 'arm', p: { platform: 'linux', arch: 'arm', libc: 'glibc', armVersion: 7 } },
].map((t) => ({ ...t, file: prebuildPath(t.p).file }));

/** What is wrong with the prebuilds under `dir` (a package folder), judged against `version` and `source`. */
function prebuildProblems(dir, source, present) {
  const problems = [];
  for (const t of targets) {
    if (!present(t.file)) {
      problems.push(`${t.file} is missing`);
      continue;
    }
    const bytes = readFileSync(join(dir, t.file));
    const arch = elfArch(bytes);
    if (arch !== t.arch) problems.push(`${t.file} is ${arch ? `an ELF for ${arch}` : 'not an ELF file'}, expected ${t.arch}`);
    const glibc = glibcNeeded(bytes);
    if (glibc && compareVersions(glibc.split('.').map(Number), PREBUILD_GLIBC.split('.').map(Number)) > 0) {
      problems.push(`${t.file} needs glibc ${glibc}, newer than the ${PREBUILD_GLIBC} the README and the loader promise (PREBUILD_GLIBC in lib/binding.ts)`);
    }
    const stamp = readBuildStamp(bytes);
    const bad = stampProblem(stamp, { version, source }, 'npm run package: it cross-compiles the prebuilds');
    if (bad) problems.push(`${t.file}: ${bad}`);
    console.log(`  ${t.file.padEnd(46)} ${String(Math.round(bytes.length / 1024)).padStart(5)} KiB  ELF ${arch}  ${stamp ? `version=${stamp.version} source=${stamp.source.slice(0, 12)}…` : 'no stamp'}`);
  }
  return problems;
}

if (verifyTree) {
  step('checking prebuilds/ in the working tree (a tarball without current binaries must not be packed)');
  const problems = prebuildProblems(root, sourceHash(root), (f) => existsSync(join(root, f)));
  if (problems.length) die(`prebuilds/:\n  - ${problems.join('\n  - ')}\nMake the release with \`npm run package\` (it builds them).`);
  console.log('package: prebuilds/ ok');
  process.exit(0);
}

step('prebuilds (scripts/build-prebuilds.sh x64 arm64 arm), from scratch');
rmSync(join(root, 'prebuilds'), { recursive: true, force: true });
run('bash', [join(root, 'scripts/build-prebuilds.sh'), ...targets.map((t) => t.arch)], 'build-prebuilds.sh');

step('npm pack');
const tgz = `${name}-${version}.tgz`;
rmSync(join(root, tgz), { force: true });
const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json'], { cwd: root, encoding: 'utf8' }))[0];
if (packed.filename !== tgz) die(`npm pack wrote ${packed.filename}, expected ${tgz}`);

step(`checking ${tgz}`);
const work = mkdtempSync(join(tmpdir(), 'mobilenet-package-'));
try {
  execFileSync('tar', ['-xzf', join(root, tgz), '-C', work]);
  const pkg = join(work, 'package');
  const files = packed.files.map((f) => f.path);
  const problems = [];
  const treeHash = sourceHash(root);
  const packedHash = sourceHash(pkg);
  if (!packedHash) problems.push('no native sources in the tarball (the source-build fallback needs them)');
  else if (packedHash !== treeHash) {
    const missing = sourceFiles(root).filter((f) => !files.includes(f));
    problems.push(`the tarball's native sources hash to ${packedHash}, the working tree's to ${treeHash}` +
      (missing.length ? ` (not packed: ${missing.join(', ')})` : ''));
  }
  problems.push(...prebuildProblems(pkg, treeHash, (f) => files.includes(f)));
  const extra = files.filter((f) => f.endsWith('.node') && !targets.some((t) => t.file === f));
  if (extra.length) problems.push(`unexpected binaries: ${extra.join(', ')}`);
  const unwanted = files.filter((f) => /(^|\/)(tests?|build[^/]*|bench)\/|\.test\.|\.map$|\.tgz$|\.o$/.test(f));
  if (unwanted.length) problems.push(`test, build or source-map files packed: ${unwanted.join(', ')}`);
  for (const need of ['LICENSE', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/cjs/index.js', 'dist/cjs/index.d.ts', 'dist/cjs/package.json', 'dist/cli.js', 'scripts/install.cjs', 'CMakeLists.txt']) {
    if (!files.includes(need)) problems.push(`${need} is missing`);
  }
  if (problems.length) die(`${tgz}:\n  - ${problems.join('\n  - ')}`);
  const size = statSync(join(root, tgz)).size;
  console.log(`  ${files.length} files, ${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked; sources ${treeHash.slice(0, 12)}…`);
  console.log(`\npackage: ok ${tgz} ${(size / 1024).toFixed(0)} KiB (${size} bytes)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
