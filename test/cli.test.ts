// The CLI as a user runs it (needs dist/: `npm run build:ts`).
import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, shared, tfjsWeights } from './helpers/reference.js';

const cli = resolve(repoRoot, 'dist/cli.js');

describe('mobilenet CLI', () => {
  it('classify --json prints the top classes with labels', () => {
    const out = execFileSync('node', [cli, 'classify', resolve(shared, 'images/samples/coral_parrot.jpg'), '--weights', tfjsWeights('0.75'), '--top', '3', '--json'], { encoding: 'utf8' });
    const r = JSON.parse(out);
    expect(r.image).toContain('coral_parrot.jpg');
    expect(r.top).toHaveLength(3);
    expect(r.top[0].label).toBe('macaw');
    expect(r.top[0].index).toBe(88);
  });

  it('classify prints a readable table and fails cleanly on a bad file', () => {
    const r = spawnSync('node', [cli, 'classify', resolve(shared, 'images/samples/tflsupport_burger.jpg'), '/nonexistent.jpg', '--weights', tfjsWeights('0.25')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/tflsupport_burger\.jpg\n +\d+\.\d\d% +933 +cheeseburger/);
    expect(r.stderr).toContain("/nonexistent.jpg: Cannot read image file '/nonexistent.jpg': no such file");
  });

  it('info lists the kernel sets this CPU runs', () => {
    const info = JSON.parse(execFileSync('node', [cli, 'info', '--json'], { encoding: 'utf8' }));
    expect(info.isas[0]).toBe('scalar');
    expect(typeof info.cpu).toBe('string');
    expect(Array.isArray(info.cached)).toBe(true);
  });

  it('an unknown command exits 2 with the usage', () => {
    const r = spawnSync('node', [cli, 'clasify'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Unknown command 'clasify'.");
  });
});
