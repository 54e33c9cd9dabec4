// The package's root folder (package.json, build/, prebuilds/, native/) and version, for the ESM build (dist/) and
// the CommonJS build (dist/cjs/) alike. A CommonJS module because `__dirname` works in both builds, while
// `import.meta.url` is a syntax error in CommonJS: ESM files import this file, CommonJS files require it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findRoot(start: string): { root: string; version: string } {
  // dist/, dist/cjs/ or lib/ (vitest): the first folder upwards whose package.json is this package's
  // (dist/cjs/package.json only says {"type":"commonjs"}).
  for (let dir = start; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'mobilenet-native') return { root: dir, version: String(pkg.version) };
    }
    if (dirname(dir) === dir) throw new Error(`mobilenet-native: no package.json named mobilenet-native above ${start}`);
  }
}

const found = findRoot(__dirname);
/** Absolute path of the mobilenet-native package folder. */
export const packageRoot: string = found.root;
/** The `version` of its package.json. */
export const packageVersion: string = found.version;
