// The package's npm "install" script. A prebuilt addon comes first: when the prebuild for this platform
// (prebuilds/<platform>-<arch>/node.napi.<libc>[.armv7].node) passes the loader's checks and loads, it is used and
// nothing is compiled. cmake-js compiles build/Release/mobilenet_native.node only when no prebuild fits, or when
// asked (npm install --build-from-source, i.e. npm_config_build_from_source), and this script says why first.
// The package works without this script too (npm --ignore-scripts, or npm/pnpm blocking dependency scripts): the
// loader (lib/binding.ts) finds the same prebuild at run time. cmake-js and node-addon-api are not dependencies
// (most installs never compile); a source build needs them installed beside the package, as the message says.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const say = (line) => console.log(`mobilenet-native: ${line}`);

/** Why this install must compile, or undefined when a prebuild (or an up-to-date source build) loads. */
function reasonToCompile() {
  const fromSource = process.env.npm_config_build_from_source;
  if (fromSource === 'true' || fromSource === 'mobilenet-native') {
    return 'a source build was asked for (--build-from-source)';
  }
  const loader = join(root, 'dist', 'cjs', 'binding.js');
  if (!existsSync(loader)) return 'no compiled loader (dist/cjs/binding.js): a source checkout';
  delete process.env.MOBILENET_NATIVE_BINDING; // this is about the package's own binaries
  const binding = require(loader);
  try {
    const addon = binding.loadBinding();
    const file = binding.loadedBindingPath();
    // Both families: the integer sets (VNNI, AMX, dot product) are what a uint8/int8 model runs on.
    const sets = `float kernels: ${addon.supportedIsas().join(', ')}; integer: ${addon.supportedQIsas().join(', ')}`;
    say(`using ${file.slice(root.length + 1)} (${sets}); nothing to compile`);
    return undefined;
  } catch (e) {
    if (!(e instanceof binding.BindingLoadError)) throw e;
    return [e.noPrebuild ?? 'no usable addon in the package:', ...e.tried.map((t) => `  - ${t.slice(root.length + 1)}`)].join('\n');
  }
}

const why = reasonToCompile();
if (why !== undefined) {
  say(`compiling the addon from source, because ${why}`);
  let cmakeJs;
  try {
    cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [root] });
    require.resolve('node-addon-api', { paths: [root] });
  } catch {
    say(
      'a source build needs cmake, a C++17 compiler and the npm packages cmake-js and node-addon-api:\n' +
        '  sudo apt-get install cmake g++          (Debian, Ubuntu, Raspberry Pi OS)\n' +
        '  npm install cmake-js node-addon-api     (in the project that depends on mobilenet-native)\n' +
        '  npm rebuild mobilenet-native --build-from-source',
    );
    process.exit(1);
  }
  const r = spawnSync(process.execPath, [cmakeJs, 'compile', '--out', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    say(`cmake-js compile failed (exit ${r.status ?? r.signal}); see its output above`);
    process.exit(1);
  }
}
