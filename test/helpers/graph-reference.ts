// A plain float64 executor for recognised layer tables (lib/weights/tflite-graph.ts): naive loops, one image,
// NHWC. It is the semantic check of a recogniser (wiring, residuals, concatenation order, clamps) against
// TFLite's own results, independent of the native executor; it is slow (seconds per image) and only for tests.
import type { Graph, GraphLayer } from '../../lib/weights/tflite-graph.js';
import type { LayerWeights } from '../../lib/weights/types.js';

function clamp(v: number, [lo, hi]: [number, number]): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function conv(l: GraphLayer, x: Float64Array, w: LayerWeights): Float64Array {
  const [ih, iw, cin] = l.inShape;
  const [oh, ow, cout] = l.outShape;
  const [kh, kw] = l.kernelSize;
  const [pt, pl] = l.pad;
  const out = new Float64Array(oh * ow * cout);
  const k = w.kernel, b = w.bias!;
  const depthwise = l.kind === 'dwconv';
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      const acc = new Float64Array(cout);
      for (let c = 0; c < cout; c++) acc[c] = b[c]!;
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * l.stride - pt + ky;
        if (iy < 0 || iy >= ih) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ix = ox * l.stride - pl + kx;
          if (ix < 0 || ix >= iw) continue;
          const px = (iy * iw + ix) * cin;
          const tap = ky * kw + kx;
          if (depthwise) {
            for (let c = 0; c < cout; c++) acc[c] += x[px + c]! * k[tap * cout + c]!;
          } else {
            for (let ic = 0; ic < cin; ic++) {
              const v = x[px + ic]!;
              if (v === 0) continue;
              const row = (tap * cin + ic) * cout;
              for (let c = 0; c < cout; c++) acc[c] += v * k[row + c]!;
            }
          }
        }
      }
      const o = (oy * ow + ox) * cout;
      for (let c = 0; c < cout; c++) out[o + c] = clamp(acc[c]!, l.activation);
    }
  }
  return out;
}

/** Runs `graph` on one input (R x R x 3, already normalised to what the first layer expects); returns every tensor. */
export function runGraph(graph: Graph, weights: LayerWeights[], input: Float64Array): Float64Array[] {
  const t: Float64Array[] = [input];
  for (const l of graph.layers) {
    const x = t[l.inputs[0]!]!;
    let y: Float64Array;
    switch (l.kind) {
      case 'conv': case 'dwconv': case 'pwconv': case 'classifier':
        y = conv(l, x, weights[l.weights]!);
        break;
      case 'gavgpool': {
        const [h, w, c] = l.inShape;
        y = new Float64Array(c);
        for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) y[k] += x[p * c + k]!;
        for (let k = 0; k < c; k++) y[k] /= h * w;
        break;
      }
      case 'add': {
        const b = t[l.inputs[1]!]!;
        y = x.map((v, i) => clamp(v + b[i]!, l.activation));
        break;
      }
      case 'concat': {
        y = new Float64Array(l.outShape[0] * l.outShape[1] * l.outShape[2]);
        let at = 0;
        for (const id of l.inputs) { y.set(t[id]!, at); at += t[id]!.length; }
        break;
      }
      case 'logistic':
        y = x.map((v) => 1 / (1 + Math.exp(-v)));
        break;
      case 'detection_postprocess':
        y = new Float64Array(0); // run by the caller (the native postprocess) on the two input tensors
        break;
    }
    t.push(y);
  }
  return t;
}

/** (x - 128) / 128: the input quantization of the uint8 MobileNet / SSD files (scale 1/128, zero point 128). */
export function uint8Input(bytes: Uint8Array): Float64Array {
  return Float64Array.from(bytes, (v) => (v - 128) / 128);
}
