#include <immintrin.h>

#include "avx2.h"
#include "gemm_avx2.h"  // mask_for

namespace mn::avx2 {

// Depthwise 3x3, stride 1/2, 8 channels per ymm.
// Loop order: output row, group of 4 output columns, channel block. Channels innermost keeps every
// access contiguous: a channel-block-outer order walks the tensor with a stride of C floats, which
// for C = 512/1024 (2/4 KiB) maps every pixel to the same few L1 sets and thrashes. Taps and bias
// come from the packed weights (L1-resident); the 4 columns of a group share each tap load and,
// at stride 1/2, the input columns they have in common.
// Padding rows (above/below the input) read a valid row with zero taps (taps ANDed with zero), so a
// pixel's FMA sequence is the same (bias, taps in ky, kx order) on every row; padding columns only
// occur at border pixels, which skip their missing taps. Interior columns run without a branch.
// The path a pixel takes depends only on its position, never on the row range, so results are
// bit-identical for any split of rows over threads.
// Reads only input[in_h x in_w x C] (remainder channels use masked loads), writes only output rows
// [oy_begin, oy_end).
namespace {

constexpr size_t kGroup = 4;

template <bool kMasked>
inline __m256 ld(const float* p, __m256i m) {
  return kMasked ? _mm256_maskload_ps(p, m) : _mm256_loadu_ps(p);
}
template <bool kMasked>
inline void st(float* p, __m256i m, __m256 v) {
  if (kMasked) _mm256_maskstore_ps(p, m, v); else _mm256_storeu_ps(p, v);
}

struct Row {
  const float* r[3];  // input rows ky = 0..2 (padding rows point at a valid row)
  __m256 v[3];        // all-ones for a real row, zero for padding (ANDed into its taps)
};
inline __m256 ld_taps(const Row& row, size_t ky, const float* p) { return _mm256_and_ps(row.v[ky], _mm256_loadu_ps(p)); }

// kG output columns starting at input column ix0 (all taps inside the row), one channel block.
template <size_t S, size_t kG, bool kMasked>
inline __attribute__((always_inline)) void interior(const DwconvParams& p, const Row& row, size_t ix0, float* o,
                                                    size_t c0, __m256i mask) {
  const size_t C = p.channels;
  const float* w = p.weights + (c0 / 8) * 80;
  __m256 acc[kG];
  const __m256 vb = _mm256_loadu_ps(w);
#pragma GCC unroll 8
  for (size_t j = 0; j < kG; j++) acc[j] = vb;
#pragma GCC unroll 3
  for (size_t ky = 0; ky < 3; ky++) {
    const float* r = row.r[ky] + ix0 * C + c0;
#pragma GCC unroll 3
    for (size_t kx = 0; kx < 3; kx++) {
      const __m256 vw = ld_taps(row, ky, w + 8 + (ky * 3 + kx) * 8);
#pragma GCC unroll 8
      for (size_t j = 0; j < kG; j++) acc[j] = _mm256_fmadd_ps(ld<kMasked>(r + (j * S + kx) * C, mask), vw, acc[j]);
    }
  }
  const __m256 vmin = _mm256_set1_ps(p.min), vmax = _mm256_set1_ps(p.max);
#pragma GCC unroll 8
  for (size_t j = 0; j < kG; j++) st<kMasked>(o + j * C + c0, mask, _mm256_min_ps(_mm256_max_ps(acc[j], vmin), vmax));
}

// One border output column (some tap column outside the input), one channel block.
template <bool kMasked>
void border(const DwconvParams& p, const Row& row, size_t ox, float* o, size_t c0, __m256i mask) {
  const size_t C = p.channels;
  const float* w = p.weights + (c0 / 8) * 80;
  const ptrdiff_t ix = (ptrdiff_t)(ox * p.stride) - (ptrdiff_t)p.pad_left;
  __m256 acc = _mm256_loadu_ps(w);
  for (size_t ky = 0; ky < 3; ky++)
    for (size_t kx = 0; kx < 3; kx++) {
      const ptrdiff_t x = ix + (ptrdiff_t)kx;
      if (x < 0 || x >= (ptrdiff_t)p.in_w) continue;
      const __m256 vw = ld_taps(row, ky, w + 8 + (ky * 3 + kx) * 8);
      acc = _mm256_fmadd_ps(ld<kMasked>(row.r[ky] + (size_t)x * C + c0, mask), vw, acc);
    }
  st<kMasked>(o + c0, mask, _mm256_min_ps(_mm256_max_ps(acc, _mm256_set1_ps(p.min)), _mm256_set1_ps(p.max)));
}

template <size_t S>
void dwconv(const DwconvParams& p, size_t oy_begin, size_t oy_end) {
  const size_t C = p.channels, W = p.in_w;
  // Interior columns [ox_lo, ox_hi): all three input columns inside the row.
  size_t ox_lo = (p.pad_left + S - 1) / S;
  size_t ox_hi = W + p.pad_left >= 3 ? (W + p.pad_left - 3) / S + 1 : 0;
  if (ox_lo > p.out_w) ox_lo = p.out_w;
  if (ox_hi > p.out_w) ox_hi = p.out_w;
  if (ox_hi < ox_lo) ox_hi = ox_lo;
  const size_t c_full = C & ~(size_t)7;
  const __m256i rem = mask_for(C - c_full);
  for (size_t oy = oy_begin; oy < oy_end; oy++) {
    Row row;
    const float* any_row = nullptr;
    for (size_t ky = 0; ky < 3; ky++) {
      const ptrdiff_t iy = (ptrdiff_t)(oy * S + ky) - (ptrdiff_t)p.pad_top;
      const bool valid = iy >= 0 && iy < (ptrdiff_t)p.in_h;
      row.v[ky] = valid ? _mm256_castsi256_ps(_mm256_set1_epi32(-1)) : _mm256_setzero_ps();
      row.r[ky] = valid ? p.input + (size_t)iy * W * C : nullptr;
      if (valid && !any_row) any_row = row.r[ky];
    }
    for (size_t ky = 0; ky < 3; ky++)
      if (!row.r[ky]) row.r[ky] = any_row;
    float* out = p.output + oy * p.out_w * C;
    auto do_border = [&](size_t ox) {
      for (size_t c0 = 0; c0 < c_full; c0 += 8) border<false>(p, row, ox, out + ox * C, c0, rem);
      if (c_full < C) border<true>(p, row, ox, out + ox * C, c_full, rem);
    };
    for (size_t ox = 0; ox < ox_lo; ox++) do_border(ox);
    size_t ox = ox_lo;
    for (; ox + kGroup <= ox_hi; ox += kGroup) {
      const size_t ix0 = ox * S - p.pad_left;
      for (size_t c0 = 0; c0 < c_full; c0 += 8) interior<S, kGroup, false>(p, row, ix0, out + ox * C, c0, rem);
      if (c_full < C) interior<S, kGroup, true>(p, row, ix0, out + ox * C, c_full, rem);
    }
    if (ox + 2 <= ox_hi) {  // a pair, not two lone columns (one FMA chain each, latency-bound)
      const size_t ix0 = ox * S - p.pad_left;
      for (size_t c0 = 0; c0 < c_full; c0 += 8) interior<S, 2, false>(p, row, ix0, out + ox * C, c0, rem);
      if (c_full < C) interior<S, 2, true>(p, row, ix0, out + ox * C, c_full, rem);
      ox += 2;
    }
    for (; ox < ox_hi; ox++) {
      const size_t ix0 = ox * S - p.pad_left;
      for (size_t c0 = 0; c0 < c_full; c0 += 8) interior<S, 1, false>(p, row, ix0, out + ox * C, c0, rem);
      if (c_full < C) interior<S, 1, true>(p, row, ix0, out + ox * C, c_full, rem);
    }
    for (ox = ox_hi; ox < p.out_w; ox++) do_border(ox);
  }
}

}  // namespace

void f32_dwconv3x3_minmax__avx2_8c(const DwconvParams& p, size_t oy_begin, size_t oy_end) {
  if (p.stride == 1) dwconv<1>(p, oy_begin, oy_end);
  else dwconv<2>(p, oy_begin, oy_end);
}

}  // namespace mn::avx2
