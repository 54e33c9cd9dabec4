import { describe, expect, it } from 'vitest';
import { buildSpec } from '../lib/index.js';

describe('buildSpec', () => {
  it('1.0/224 has 568.7M multiply-adds and 4.2M parameters (the paper)', () => {
    const s = buildSpec(1.0, 224);
    expect((s.macs / 1e6).toFixed(1)).toBe('568.7');
    expect((s.params / 1e6).toFixed(1)).toBe('4.2');
    expect(s.layers).toHaveLength(28);
    expect(s.features).toBe(1024);
  });

  it('0.25/128 has 14M multiply-adds', () => {
    expect(Math.round(buildSpec(0.25, 128).macs / 1e6)).toBe(14);
  });

  it('uses TF SAME output sizes and floor(c * alpha) channels', () => {
    const s = buildSpec(0.75, 160);
    expect(s.layers.map((l) => l.outSize)).toEqual([80, 80, 80, 40, 40, 40, 40, 20, 20, 20, 20, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 5, 5, 5, 5, 1]);
    expect(s.layers[0]!.outChannels).toBe(24);
    expect(s.features).toBe(768);
    // Odd input sizes at stride 2 (resolution 32 * 7 = 224 is even; 96 -> 3 at the end).
    expect(buildSpec(1.0, 96).layers.at(-2)!.outSize).toBe(3);
  });
});
