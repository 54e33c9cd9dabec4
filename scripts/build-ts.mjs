// npm run build:ts: compiles lib/ twice from a clean dist/ (nothing stale gets packed):
//   dist/      ES modules + .d.ts     (tsconfig.json; `import`, and the CLI)
//   dist/cjs/  CommonJS + .d.ts       (tsconfig.cjs.json; `require`), marked {"type":"commonjs"} so Node and
//                                     TypeScript read its .js and .d.ts files as CommonJS
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync(join(root, 'dist'), { recursive: true, force: true });
for (const project of ['tsconfig.json', 'tsconfig.cjs.json']) {
  const r = spawnSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build:ts: tsc -p ${project} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}
mkdirSync(join(root, 'dist', 'cjs'), { recursive: true });
writeFileSync(join(root, 'dist', 'cjs', 'package.json'), '{ "type": "commonjs" }\n');
