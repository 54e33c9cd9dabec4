#include <immintrin.h>

#include "avx2.h"
#include "gemm_avx2.h"  // mask_for

namespace mn::avx2 {

// First layer: 3x3 stride-2 conv, 3 -> out_c, 16 output channels (2 ymm) per block.
// Interior pixels go 6 at a time (12 accumulators); each broadcast input scalar feeds 2 FMAs.
// Every pixel accumulates bias, then taps in ((ky*3+kx)*3+ci) order; border pixels (a tap outside
// the input) skip the missing taps. The path depends only on the pixel's position, so results are
// the same for any row split. Reads only the input tensor, writes only output rows [oy_begin, oy_end).
namespace {

constexpr size_t kCT = 16;

struct Block {
  const float* w;  // bias, then 27 x 16
  __m256i m0, m1;  // store masks for a partial last block
  bool partial;
};

inline void store2(float* o, const Block& b, __m256 v0, __m256 v1) {
  if (b.partial) {
    _mm256_maskstore_ps(o, b.m0, v0);
    _mm256_maskstore_ps(o + 8, b.m1, v1);
  } else {
    _mm256_storeu_ps(o, v0);
    _mm256_storeu_ps(o + 8, v1);
  }
}

template <size_t P>
inline void interior(const ConvParams& p, const Block& b, const float* in, float* out) {
  const size_t row = p.in_w * 3;
  __m256 acc[P][2];
  const __m256 vb0 = _mm256_loadu_ps(b.w), vb1 = _mm256_loadu_ps(b.w + 8);
#pragma GCC unroll 8
  for (size_t j = 0; j < P; j++) { acc[j][0] = vb0; acc[j][1] = vb1; }
  const float* w = b.w + kCT;
#pragma GCC unroll 3
  for (size_t ky = 0; ky < 3; ky++) {
    const float* r = in + ky * row;
#pragma GCC unroll 9
    for (size_t t = 0; t < 9; t++) {  // t = kx * 3 + ci: contiguous within an input row
      const __m256 w0 = _mm256_loadu_ps(w + (ky * 9 + t) * kCT), w1 = _mm256_loadu_ps(w + (ky * 9 + t) * kCT + 8);
#pragma GCC unroll 8
      for (size_t j = 0; j < P; j++) {
        const __m256 va = _mm256_broadcast_ss(r + j * 6 + t);
        acc[j][0] = _mm256_fmadd_ps(va, w0, acc[j][0]);
        acc[j][1] = _mm256_fmadd_ps(va, w1, acc[j][1]);
      }
    }
  }
  const __m256 vmin = _mm256_set1_ps(p.min), vmax = _mm256_set1_ps(p.max);
#pragma GCC unroll 8
  for (size_t j = 0; j < P; j++)
    store2(out + j * p.out_c, b, _mm256_min_ps(_mm256_max_ps(acc[j][0], vmin), vmax),
           _mm256_min_ps(_mm256_max_ps(acc[j][1], vmin), vmax));
}

// At most 8 valid channels (alpha 0.25): one vector per pixel instead of two (the second would be
// all padding), 12 pixels per call. Same accumulation order as interior().
template <size_t P>
__attribute__((noinline)) void interior8(const ConvParams& p, const Block& b, const float* in, float* out) {
  const size_t row = p.in_w * 3;
  __m256 acc[P];
  const __m256 vb = _mm256_loadu_ps(b.w);
#pragma GCC unroll 12
  for (size_t j = 0; j < P; j++) acc[j] = vb;
  const float* w = b.w + kCT;
#pragma GCC unroll 3
  for (size_t ky = 0; ky < 3; ky++) {
    const float* r = in + ky * row;
#pragma GCC unroll 9
    for (size_t t = 0; t < 9; t++) {
      const __m256 wv = _mm256_loadu_ps(w + (ky * 9 + t) * kCT);
#pragma GCC unroll 12
      for (size_t j = 0; j < P; j++) acc[j] = _mm256_fmadd_ps(_mm256_broadcast_ss(r + j * 6 + t), wv, acc[j]);
    }
  }
  const __m256 vmin = _mm256_set1_ps(p.min), vmax = _mm256_set1_ps(p.max);
  const bool masked = _mm256_movemask_ps(_mm256_castsi256_ps(b.m0)) != 0xFF;
#pragma GCC unroll 12
  for (size_t j = 0; j < P; j++) {
    const __m256 v = _mm256_min_ps(_mm256_max_ps(acc[j], vmin), vmax);
    if (masked) _mm256_maskstore_ps(out + j * p.out_c, b.m0, v);
    else _mm256_storeu_ps(out + j * p.out_c, v);
  }
}

void border(const ConvParams& p, const Block& b, size_t oy, size_t ox, float* out) {
  __m256 acc0 = _mm256_loadu_ps(b.w), acc1 = _mm256_loadu_ps(b.w + 8);
  const float* w = b.w + kCT;
  for (size_t ky = 0; ky < 3; ky++) {
    const ptrdiff_t iy = (ptrdiff_t)(oy * 2 + ky) - (ptrdiff_t)p.pad_top;
    if (iy < 0 || iy >= (ptrdiff_t)p.in_h) continue;
    for (size_t kx = 0; kx < 3; kx++) {
      const ptrdiff_t ix = (ptrdiff_t)(ox * 2 + kx) - (ptrdiff_t)p.pad_left;
      if (ix < 0 || ix >= (ptrdiff_t)p.in_w) continue;
      const float* px = p.input + ((size_t)iy * p.in_w + (size_t)ix) * 3;
      for (size_t ci = 0; ci < 3; ci++) {
        const size_t t = (ky * 3 + kx) * 3 + ci;
        const __m256 va = _mm256_broadcast_ss(px + ci);
        acc0 = _mm256_fmadd_ps(va, _mm256_loadu_ps(w + t * kCT), acc0);
        acc1 = _mm256_fmadd_ps(va, _mm256_loadu_ps(w + t * kCT + 8), acc1);
      }
    }
  }
  const __m256 vmin = _mm256_set1_ps(p.min), vmax = _mm256_set1_ps(p.max);
  store2(out, b, _mm256_min_ps(_mm256_max_ps(acc0, vmin), vmax), _mm256_min_ps(_mm256_max_ps(acc1, vmin), vmax));
}

}  // namespace

void f32_conv3x3s2_minmax__avx2_16c(const ConvParams& p, size_t oy_begin, size_t oy_end) {
  const size_t W = p.in_w, OC = p.out_c;
  size_t ox_lo = (p.pad_left + 1) / 2;
  size_t ox_hi = W + p.pad_left >= 3 ? (W + p.pad_left - 3) / 2 + 1 : 0;
  if (ox_lo > p.out_w) ox_lo = p.out_w;
  if (ox_hi > p.out_w) ox_hi = p.out_w;
  if (ox_hi < ox_lo) ox_hi = ox_lo;
  for (size_t oy = oy_begin; oy < oy_end; oy++) {
    const ptrdiff_t iy0 = (ptrdiff_t)(oy * 2) - (ptrdiff_t)p.pad_top;
    const bool rows_inside = iy0 >= 0 && iy0 + 2 < (ptrdiff_t)p.in_h;
    float* orow = p.output + oy * p.out_w * OC;
    for (size_t c0 = 0; c0 < OC; c0 += kCT) {
      Block b;
      b.w = p.weights + (c0 / kCT) * kCT * 28;
      const size_t n = OC - c0 < kCT ? OC - c0 : kCT;
      b.partial = n < kCT;
      b.m0 = mask_for(n > 8 ? 8 : n);
      b.m1 = mask_for(n > 8 ? n - 8 : 0);
      if (!rows_inside) {
        for (size_t ox = 0; ox < p.out_w; ox++) border(p, b, oy, ox, orow + ox * OC + c0);
        continue;
      }
      for (size_t ox = 0; ox < ox_lo; ox++) border(p, b, oy, ox, orow + ox * OC + c0);
      size_t ox = ox_lo;
      const float* in = p.input + ((size_t)iy0 * W) * 3;
      // Remainder pixels in blocks of 4 (8-channel path), 2, 1 rather than one at a time: a single pixel
      // is one FMA chain waiting on the FMA latency.
      auto px = [&](size_t x) { return in + (x * 2 - p.pad_left) * 3; };
      if (n <= 8) {
        for (; ox + 12 <= ox_hi; ox += 12) interior8<12>(p, b, px(ox), orow + ox * OC + c0);
        for (; ox + 4 <= ox_hi; ox += 4) interior8<4>(p, b, px(ox), orow + ox * OC + c0);
        if (ox + 2 <= ox_hi) { interior8<2>(p, b, px(ox), orow + ox * OC + c0); ox += 2; }
        if (ox < ox_hi) interior8<1>(p, b, px(ox), orow + ox * OC + c0);
      } else {
        for (; ox + 6 <= ox_hi; ox += 6) interior<6>(p, b, px(ox), orow + ox * OC + c0);
        for (; ox + 2 <= ox_hi; ox += 2) interior<2>(p, b, px(ox), orow + ox * OC + c0);
        if (ox < ox_hi) interior<1>(p, b, px(ox), orow + ox * OC + c0);
      }
      for (ox = ox_hi; ox < p.out_w; ox++) border(p, b, oy, ox, orow + ox * OC + c0);
    }
  }
}

}  // namespace mn::avx2
