// GCC 12 warns about _mm512_undefined_ps() inside _mm512_max_ps/_mm512_min_ps (a false positive).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <type_traits>

#include "avx512.h"

namespace mn::avx512 {

// Depthwise 3x3, stride 1/2, 16 channels per zmm.
// Loop order: output row (two at a time where both have every input row; see interior), group of up to
// 8 output columns, channel block. Channels innermost keeps every access contiguous: a
// channel-block-outer order walks the tensor with a stride of C floats, which for C = 512/1024
// (2/4 KiB) maps every pixel to the same few L1 sets and thrashes. Taps and bias come from the packed
// weights (L1-resident), loaded into registers once per group and channel block.
// Padding rows (above/below the input) read a valid row with zero taps (masked tap loads), so a
// pixel's FMA sequence is the same (bias, taps in ky, kx order) on every row; padding columns only
// occur at border pixels, which skip their missing taps. Interior columns run without a branch.
// The path a pixel takes depends only on its position, never on the row range, so results are
// bit-identical for any split of rows over threads.
// Reads only input[in_h x in_w x C] (remainder channels use masked loads), writes only output rows
// [oy_begin, oy_end).
namespace {

constexpr size_t kGroup = 8;  // 8 independent FMA chains: 2 FMA ports x 4 cycles of latency

template <bool kMasked>
inline __m512 ld(const float* p, __mmask16 m) {
  return kMasked ? _mm512_maskz_loadu_ps(m, p) : _mm512_loadu_ps(p);
}
template <bool kMasked>
inline void st(float* p, __mmask16 m, __m512 v) {
  if (kMasked) _mm512_mask_storeu_ps(p, m, v); else _mm512_storeu_ps(p, v);
}

struct Row {
  const float* r[3];  // input rows ky = 0..2 (padding rows point at a valid row)
  __mmask16 v[3];     // 0xFFFF for a real row, 0 for padding (zeroes its taps)
};

// kR output rows x kG output columns starting at input column ix0 (all taps inside the rows), one
// channel block. in[r] are the (kR - 1) * S + 3 input rows the kR output rows read; wmask[ky] zeroes
// the taps of a padding row (kR = 1 only: row pairs are only formed where every row is real).
// Each input vector is loaded once and feeds every accumulator that reads it (up to 3 kx x kR rows),
// with the 9 taps held in registers: 16 accumulators + 9 taps + 1 input = 26 of 32 zmm. Loads per
// output fall from 9 (the tap loop) to ((kR-1)S+3)((kG-1)S+3)/(kR kG), 2.5 at stride 1, and each
// input row is read once for two output rows, halving the L2 traffic of rows whose pixels are
// 1-4 KiB apart (too far apart to stay in L1 from one output row to the next).
// Per accumulator the FMAs still run bias, then taps in (ky, kx) order: bit-identical to one row
// at a time, so pairing rows (or not, at a thread's first or last row) never changes a result.
template <size_t S, size_t kR, size_t kG, bool kMasked>
inline __attribute__((always_inline)) void interior(const DwconvParams& p, const float* const* in,
                                                    const __mmask16* wmask, size_t ix0, float* const* out,
                                                    size_t c0, __mmask16 mask) {
  constexpr size_t kInRows = (kR - 1) * S + 3, kInCols = (kG - 1) * S + 3;
  const size_t C = p.channels;
  const float* w = p.weights + (c0 / 16) * 160;
  __m512 vw[9];
#pragma GCC unroll 9
  for (size_t t = 0; t < 9; t++) vw[t] = _mm512_maskz_loadu_ps(wmask[t / 3], w + 16 + t * 16);
  __m512 acc[kR][kG];
  const __m512 vb = _mm512_loadu_ps(w);
#pragma GCC unroll 2
  for (size_t o = 0; o < kR; o++)
#pragma GCC unroll 8
    for (size_t j = 0; j < kG; j++) acc[o][j] = vb;
#pragma GCC unroll 5
  for (size_t r = 0; r < kInRows; r++) {
    const float* rp = in[r] + ix0 * C + c0;
#pragma GCC unroll 17
    for (size_t x = 0; x < kInCols; x++) {
      const __m512 v = ld<kMasked>(rp + x * C, mask);
#pragma GCC unroll 2
      for (size_t o = 0; o < kR; o++) {
        if (r < o * S || r - o * S > 2) continue;
        const size_t ky = r - o * S;
#pragma GCC unroll 3
        for (size_t kx = 0; kx < 3; kx++) {
          if (x < kx || (x - kx) % S != 0 || (x - kx) / S >= kG) continue;
          const size_t j = (x - kx) / S;
          acc[o][j] = _mm512_fmadd_ps(v, vw[ky * 3 + kx], acc[o][j]);
        }
      }
    }
  }
  const __m512 vmin = _mm512_set1_ps(p.min), vmax = _mm512_set1_ps(p.max);
#pragma GCC unroll 2
  for (size_t o = 0; o < kR; o++)
#pragma GCC unroll 8
    for (size_t j = 0; j < kG; j++)
      st<kMasked>(out[o] + j * C + c0, mask, _mm512_min_ps(_mm512_max_ps(acc[o][j], vmin), vmax));
}

// One border output column (some tap column outside the input), kB channel blocks from c0: kB
// independent FMA chains, where one block alone would wait on the FMA latency at every tap.
template <bool kMasked, size_t kB>
void border(const DwconvParams& p, const Row& row, size_t ox, float* o, size_t c0, __mmask16 mask) {
  const size_t C = p.channels;
  const float* w = p.weights + (c0 / 16) * 160;
  const ptrdiff_t ix = (ptrdiff_t)(ox * p.stride) - (ptrdiff_t)p.pad_left;
  __m512 acc[kB];
#pragma GCC unroll 4
  for (size_t b = 0; b < kB; b++) acc[b] = _mm512_loadu_ps(w + b * 160);
  for (size_t ky = 0; ky < 3; ky++)
    for (size_t kx = 0; kx < 3; kx++) {
      const ptrdiff_t x = ix + (ptrdiff_t)kx;
      if (x < 0 || x >= (ptrdiff_t)p.in_w) continue;
      const float* r = row.r[ky] + (size_t)x * C + c0;
#pragma GCC unroll 4
      for (size_t b = 0; b < kB; b++) {
        const __m512 vw = _mm512_maskz_loadu_ps(row.v[ky], w + b * 160 + 16 + (ky * 3 + kx) * 16);
        acc[b] = _mm512_fmadd_ps(ld<kMasked>(r + b * 16, mask), vw, acc[b]);
      }
    }
  const __m512 vmin = _mm512_set1_ps(p.min), vmax = _mm512_set1_ps(p.max);
#pragma GCC unroll 4
  for (size_t b = 0; b < kB; b++) st<kMasked>(o + c0 + b * 16, mask, _mm512_min_ps(_mm512_max_ps(acc[b], vmin), vmax));
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
  const size_t c_full = C & ~(size_t)15;
  const __mmask16 rem = (__mmask16)((1u << (C - c_full)) - 1u);
  const __mmask16 all[3] = {0xFFFF, 0xFFFF, 0xFFFF};
  // Input row of tap row ky for output row oy, or -1 above / in_h below the input.
  auto in_row = [&](size_t oy, size_t ky) { return (ptrdiff_t)(oy * S + ky) - (ptrdiff_t)p.pad_top; };
  for (size_t oy = oy_begin; oy < oy_end;) {
    // Two output rows at once where all their input rows are real (every row but the first and last).
    const bool pair = oy + 1 < oy_end && in_row(oy, 0) >= 0 && in_row(oy + 1, 2) < (ptrdiff_t)p.in_h;
    const size_t nr = pair ? 2 : 1;
    const float* in[2 * S + 3];
    __mmask16 wmask[3];
    float* const out[2] = {p.output + oy * p.out_w * C, p.output + (oy + 1) * p.out_w * C};
    Row row[2];
    for (size_t o = 0; o < nr; o++) {
      const float* any_row = nullptr;
      for (size_t ky = 0; ky < 3; ky++) {
        const ptrdiff_t iy = in_row(oy + o, ky);
        const bool valid = iy >= 0 && iy < (ptrdiff_t)p.in_h;
        row[o].v[ky] = valid ? (__mmask16)0xFFFF : (__mmask16)0;
        row[o].r[ky] = valid ? p.input + (size_t)iy * W * C : nullptr;
        if (valid && !any_row) any_row = row[o].r[ky];
      }
      for (size_t ky = 0; ky < 3; ky++)
        if (!row[o].r[ky]) row[o].r[ky] = any_row;
    }
    if (pair) {
      for (size_t r = 0; r < S + 3; r++) in[r] = p.input + (size_t)in_row(oy, r) * W * C;
    } else {
      for (size_t ky = 0; ky < 3; ky++) in[ky] = row[0].r[ky], wmask[ky] = row[0].v[ky];
    }
    auto do_border = [&](size_t ox) {
      for (size_t o = 0; o < nr; o++) {
        float* ob = out[o] + ox * C;
        size_t c0 = 0;
        for (; c0 + 64 <= c_full; c0 += 64) border<false, 4>(p, row[o], ox, ob, c0, rem);
        for (; c0 < c_full; c0 += 16) border<false, 1>(p, row[o], ox, ob, c0, rem);
        if (c_full < C) border<true, 1>(p, row[o], ox, ob, c_full, rem);
      }
    };
    for (size_t ox = 0; ox < ox_lo; ox++) do_border(ox);
    size_t ox = ox_lo;
    auto group = [&](auto g) {  // g columns from ox, every channel block
      constexpr size_t G = decltype(g)::value;
      const size_t ix0 = ox * S - p.pad_left;
      float* const o2[2] = {out[0] + ox * C, out[1] + ox * C};
      if (pair) {
        for (size_t c0 = 0; c0 < c_full; c0 += 16) interior<S, 2, G, false>(p, in, all, ix0, o2, c0, rem);
        if (c_full < C) interior<S, 2, G, true>(p, in, all, ix0, o2, c_full, rem);
      } else {
        for (size_t c0 = 0; c0 < c_full; c0 += 16) interior<S, 1, G, false>(p, in, wmask, ix0, o2, c0, rem);
        if (c_full < C) interior<S, 1, G, true>(p, in, wmask, ix0, o2, c_full, rem);
      }
      ox += G;
    };
    // Groups of 8, the last two balanced (14 = 7 + 7, not 8 + 4 + 2): a narrow group has few FMA
    // chains and waits on the FMA latency.
    auto group_of = [&](size_t n) {
      switch (n) {
        case 1: group(std::integral_constant<size_t, 1>{}); break;
        case 2: group(std::integral_constant<size_t, 2>{}); break;
        case 3: group(std::integral_constant<size_t, 3>{}); break;
        case 4: group(std::integral_constant<size_t, 4>{}); break;
        case 5: group(std::integral_constant<size_t, 5>{}); break;
        case 6: group(std::integral_constant<size_t, 6>{}); break;
        case 7: group(std::integral_constant<size_t, 7>{}); break;
        default: group(std::integral_constant<size_t, 8>{}); break;
      }
    };
    while (ox_hi - ox >= 2 * kGroup || ox_hi - ox == kGroup) group_of(kGroup);
    if (ox_hi - ox > kGroup) group_of((ox_hi - ox + 1) / 2);
    if (ox < ox_hi) group_of(ox_hi - ox);
    for (ox = ox_hi; ox < p.out_w; ox++) do_border(ox);
    oy += nr;
  }
}

}  // namespace

void f32_dwconv3x3_minmax__avx512_16c(const DwconvParams& p, size_t oy_begin, size_t oy_end) {
  if (p.stride == 1) dwconv<1>(p, oy_begin, oy_end);
  else dwconv<2>(p, oy_begin, oy_end);
}

}  // namespace mn::avx512
