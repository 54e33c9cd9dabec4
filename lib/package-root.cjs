// The package's root folder (package.json, build/, prebuilds/, native/) and version, for the ESM build (dist/) and
// the CommonJS build (dist/cjs/) alike. Plain CommonJS JavaScript, because `__dirname` works in both builds while
// `import.meta.url` is a syntax error in CommonJS, and because every loader (Node, tsc, vitest, vite-node) takes a
// .cjs file as it is: ESM files import this file, CommonJS files require it. tsc copies it and writes its .d.cts.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

/**
 * The first folder upwards from `start` whose package.json is this package's: dist/, dist/cjs/ (whose package.json
 * only says {"type":"commonjs"}) or lib/ (tests).
 * @param {string} start
 * @returns {{ root: string, version: string }}
 */
function findRoot(start) {
  for (let dir = start; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      if (pkg.name === 'mobilenet-native') return { root: dir, version: String(pkg.version) };
    }
    if (dirname(dir) === dir) throw new Error(`mobilenet-native: no package.json named mobilenet-native above ${start}`);
  }
}

const found = findRoot(__dirname);
/** Absolute path of the mobilenet-native package folder. @type {string} */
exports.packageRoot = found.root;
/** The `version` of its package.json. @type {string} */
exports.packageVersion = found.version;
