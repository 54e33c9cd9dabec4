// GCC 12 warns about _mm512_undefined_ps() inside _mm512_max_ps/_mm512_min_ps (a false positive).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <type_traits>

#include "avx512.h"

namespace mn::avx512 {

// First layer: 3x3 stride-2 conv, 3 -> out_c, 32 output channels (2 zmm) per block.
// Interior pixels go 8 at a time (16 accumulators); each broadcast input scalar feeds 2 FMAs.
// Every pixel accumulates bias, then taps in ((ky*3+kx)*3+ci) order; border pixels (a tap outside
// the input) skip the missing taps. The path depends only on the pixel's position, so results are
// the same for any row split. Reads only the input tensor, writes only output rows [oy_begin, oy_end).
namespace {

constexpr size_t kCT = 32;
constexpr size_t kPixels = 8;

struct Block {
  const float* w;  // bias, then 27 x 32
  __mmask16 m0, m1;
};

inline void store2(float* o, const Block& b, __m512 v0, __m512 v1) {
  _mm512_mask_storeu_ps(o, b.m0, v0);
  _mm512_mask_storeu_ps(o + 16, b.m1, v1);
}

template <size_t P>
inline void interior(const ConvParams& p, const Block& b, const float* in, float* out) {
  const size_t row = p.in_w * 3;
  __m512 acc[P][2];
  const __m512 vb0 = _mm512_loadu_ps(b.w), vb1 = _mm512_loadu_ps(b.w + 16);
#pragma GCC unroll 8
  for (size_t j = 0; j < P; j++) { acc[j][0] = vb0; acc[j][1] = vb1; }
  const float* w = b.w + kCT;
#pragma GCC unroll 3
  for (size_t ky = 0; ky < 3; ky++) {
    const float* r = in + ky * row;
#pragma GCC unroll 9
    for (size_t t = 0; t < 9; t++) {  // t = kx * 3 + ci: contiguous within an input row
      const __m512 w0 = _mm512_loadu_ps(w + (ky * 9 + t) * kCT), w1 = _mm512_loadu_ps(w + (ky * 9 + t) * kCT + 16);
#pragma GCC unroll 8
      for (size_t j = 0; j < P; j++) {
        const __m512 va = _mm512_set1_ps(r[j * 6 + t]);
        acc[j][0] = _mm512_fmadd_ps(va, w0, acc[j][0]);
        acc[j][1] = _mm512_fmadd_ps(va, w1, acc[j][1]);
      }
    }
  }
  const __m512 vmin = _mm512_set1_ps(p.min), vmax = _mm512_set1_ps(p.max);
#pragma GCC unroll 8
  for (size_t j = 0; j < P; j++)
    store2(out + j * p.out_c, b, _mm512_min_ps(_mm512_max_ps(acc[j][0], vmin), vmax),
           _mm512_min_ps(_mm512_max_ps(acc[j][1], vmin), vmax));
}

// At most 16 valid channels (alpha 0.5: 16, alpha 0.25: 8): one vector per pixel instead of the
// 2 zmm above, half of them (or more) zero lanes. At most 8 channels it is a 256-bit vector, which
// Zen 4 and Intel run two per cycle (a 512-bit FMA with half its lanes empty costs the same as a full
// one); 16 pixels per call in 16 of the 32 registers. Same accumulation order as above.
template <size_t kLanes>
struct Vec;
template <>
struct Vec<8> {
  using T = __m256;
  static T load(const float* p) { return _mm256_loadu_ps(p); }
  static T bcast(const float* p) { return _mm256_broadcast_ss(p); }
  static T fma(T a, T b, T c) { return _mm256_fmadd_ps(a, b, c); }
  static T clamp(T v, float lo, float hi) {
    return _mm256_min_ps(_mm256_max_ps(v, _mm256_set1_ps(lo)), _mm256_set1_ps(hi));
  }
  static void store(float* o, __mmask16 m, T v) {
    if (m == 0xFF) return _mm256_storeu_ps(o, v);
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(__builtin_popcount(m)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    _mm256_maskstore_ps(o, mask, v);
  }
};
template <>
struct Vec<16> {
  using T = __m512;
  static T load(const float* p) { return _mm512_loadu_ps(p); }
  static T bcast(const float* p) { return _mm512_set1_ps(*p); }
  static T fma(T a, T b, T c) { return _mm512_fmadd_ps(a, b, c); }
  static T clamp(T v, float lo, float hi) {
    return _mm512_min_ps(_mm512_max_ps(v, _mm512_set1_ps(lo)), _mm512_set1_ps(hi));
  }
  static void store(float* o, __mmask16 m, T v) { _mm512_mask_storeu_ps(o, m, v); }
};

template <size_t kLanes, size_t P>
__attribute__((noinline)) void interior1v(const ConvParams& p, const Block& b, const float* in, float* out) {
  using V = Vec<kLanes>;
  const size_t row = p.in_w * 3;
  typename V::T acc[P];
  const typename V::T vb = V::load(b.w);
#pragma GCC unroll 16
  for (size_t j = 0; j < P; j++) acc[j] = vb;
  const float* w = b.w + kCT;
#pragma GCC unroll 3
  for (size_t ky = 0; ky < 3; ky++) {
    const float* r = in + ky * row;
#pragma GCC unroll 9
    for (size_t t = 0; t < 9; t++) {
      const typename V::T wv = V::load(w + (ky * 9 + t) * kCT);
#pragma GCC unroll 16
      for (size_t j = 0; j < P; j++) acc[j] = V::fma(V::bcast(r + j * 6 + t), wv, acc[j]);
    }
  }
#pragma GCC unroll 16
  for (size_t j = 0; j < P; j++) V::store(out + j * p.out_c, b.m0, V::clamp(acc[j], p.min, p.max));
}

void border(const ConvParams& p, const Block& b, size_t oy, size_t ox, float* out) {
  __m512 acc0 = _mm512_loadu_ps(b.w), acc1 = _mm512_loadu_ps(b.w + 16);
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
        const __m512 va = _mm512_set1_ps(px[ci]);
        acc0 = _mm512_fmadd_ps(va, _mm512_loadu_ps(w + t * kCT), acc0);
        acc1 = _mm512_fmadd_ps(va, _mm512_loadu_ps(w + t * kCT + 16), acc1);
      }
    }
  }
  const __m512 vmin = _mm512_set1_ps(p.min), vmax = _mm512_set1_ps(p.max);
  store2(out, b, _mm512_min_ps(_mm512_max_ps(acc0, vmin), vmax), _mm512_min_ps(_mm512_max_ps(acc1, vmin), vmax));
}

}  // namespace

void f32_conv3x3s2_minmax__avx512_32c(const ConvParams& p, size_t oy_begin, size_t oy_end) {
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
      b.m0 = (__mmask16)((1u << (n > 16 ? 16 : n)) - 1u);
      b.m1 = (__mmask16)((1u << (n > 16 ? n - 16 : 0)) - 1u);
      if (!rows_inside) {
        for (size_t ox = 0; ox < p.out_w; ox++) border(p, b, oy, ox, orow + ox * OC + c0);
        continue;
      }
      for (size_t ox = 0; ox < ox_lo; ox++) border(p, b, oy, ox, orow + ox * OC + c0);
      size_t ox = ox_lo;
      const float* in = p.input + ((size_t)iy0 * W) * 3;
      // Remainder pixels in blocks of 4, 2, 1 rather than one at a time: a single pixel is one FMA chain
      // waiting on the FMA latency (0.25/128: 15 of 63 interior pixels per row were singles).
      auto px = [&](size_t x) { return in + (x * 2 - p.pad_left) * 3; };
      // Widest blocks first, then 8, 4, 2, 1.
      auto ladder = [&](auto widest, auto call) {
        constexpr size_t kW = decltype(widest)::value;
        for (; ox + kW <= ox_hi; ox += kW) call(std::integral_constant<size_t, kW>{});
        if (kW > 8 && ox + 8 <= ox_hi) { call(std::integral_constant<size_t, 8>{}); ox += 8; }
        if (ox + 4 <= ox_hi) { call(std::integral_constant<size_t, 4>{}); ox += 4; }
        if (ox + 2 <= ox_hi) { call(std::integral_constant<size_t, 2>{}); ox += 2; }
        if (ox < ox_hi) call(std::integral_constant<size_t, 1>{});
      };
      using Wide = std::integral_constant<size_t, 2 * kPixels>;
      if (n <= 8)
        ladder(Wide{}, [&](auto P) { interior1v<8, decltype(P)::value>(p, b, px(ox), orow + ox * OC + c0); });
      else if (n <= 16)
        ladder(Wide{}, [&](auto P) { interior1v<16, decltype(P)::value>(p, b, px(ox), orow + ox * OC + c0); });
      else
        ladder(std::integral_constant<size_t, kPixels>{},
               [&](auto P) { interior<decltype(P)::value>(p, b, px(ox), orow + ox * OC + c0); });
      for (ox = ox_hi; ox < p.out_w; ox++) border(p, b, oy, ox, orow + ox * OC + c0);
    }
  }
}

}  // namespace mn::avx512
