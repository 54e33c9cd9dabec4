// qu8/qs8 depthwise 3x3, stride 1 or 2, 16 channels per block, AVX-512 VNNI. Layout
// kQDwconvLayout16cPairs: per block, header x 16 int32 then 5 tap pairs ((0,1) (2,3) (4,5) (6,7)
// (8,-)) x 16 channels of int16 centered weights.
// Per pair of taps, the two 16-byte inputs are widened to int32 and the second shifted into the
// high halves (blend), giving 16 int16 pairs for one vpdpwssd: 2 taps x 16 channels per multiply,
// against vpmulld's 1 tap at 2 uops (1.0/224 depthwise layers: 1246 -> 984 us, 1.69x -> 1.38x the
// float kernel's time in the same runs; bench/qkernels, loaded machine). The last tap pairs
// with a zero weight, so whatever its high half holds is multiplied by 0.
// Stride 1 reuses widened input columns across the 3 output pixels that read them (1.38x -> 1.04x the
// float kernel's time over the 1.0/224 depthwise layers, same-run minima).
// Block-outer: a block's 5 weight-pair vectors and requantization constants stay in registers while
// it walks every output pixel of the rows asked for. Interior pixels load taps at fixed offsets;
// border taps get a lane mask (all or nothing: outside the input the masked load reads nothing and
// the widening merges za in, so padded taps contribute za * s, which the packed bias cancels).
#include <algorithm>

#include "q8_avx512_requant.h"
#include "q8_avx512vnni.h"

namespace mn::avx512vnni {

namespace {

template <bool kS8>
inline __m512i widen(__mmask16 m, const void* p, __m512i za) {
  const __m128i x8 = _mm_maskz_loadu_epi8(m, p);
  return kS8 ? _mm512_mask_cvtepi8_epi32(za, m, x8) : _mm512_mask_cvtepu8_epi32(za, m, x8);
}

// int16 pairs (lo, hi) per channel from two int32 vectors holding int16-range values.
inline __m512i pair(__m512i lo, __m512i hi) {
  return _mm512_mask_blend_epi16(0xAAAAAAAAu, lo, _mm512_slli_epi32(hi, 16));
}

template <bool kS8, typename T>
void dwconv(const QDwconvParams<T>& p, size_t oy_begin, size_t oy_end) {
  const size_t C = p.channels, blocks = (C + 15) / 16, W = p.in_w, s = p.stride;
  constexpr size_t kBlockInts = 4 * 16 + 5 * 16;
  const int32_t* weights = (const int32_t*)p.weights;
  const __m512i za = _mm512_set1_epi32(p.input_zero_point);
  const __m512i zp = _mm512_set1_epi32(p.out.zero_point), lo = _mm512_set1_epi32(p.out.min),
                hi = _mm512_set1_epi32(p.out.max);
  // Interior output columns: ix0 = ox * s - pad_left >= 0 and ix0 + 2 < in_w.
  const size_t ox_lo = std::min(p.out_w, (p.pad_left + s - 1) / s);
  const size_t ox_hi = W + p.pad_left >= 3 ? std::max(ox_lo, std::min(p.out_w, (W + p.pad_left - 3) / s + 1)) : ox_lo;
  for (size_t b = 0; b < blocks; b++) {
    const size_t c0 = 16 * b;
    const __mmask16 live = C - c0 >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (C - c0)) - 1);
    const int32_t* h = weights + b * kBlockInts;
    __m512i wp[5];
#pragma GCC unroll 5
    for (size_t j = 0; j < 5; j++) wp[j] = _mm512_loadu_si512(h + 64 + 16 * j);
    const __m512i bias = _mm512_loadu_si512(h);
    const avx512_q::Requant16 r = avx512_q::load_requant16(h, 16, 0);
    for (size_t oy = oy_begin; oy < oy_end; oy++) {
      const T* row[3];
      __mmask16 rv[3];
      for (size_t ky = 0; ky < 3; ky++) {
        const ptrdiff_t iy = (ptrdiff_t)(oy * s + ky) - (ptrdiff_t)p.pad_top;
        const bool in = iy >= 0 && iy < (ptrdiff_t)p.in_h;
        row[ky] = in ? p.input + (size_t)iy * W * C + c0 : p.input;
        rv[ky] = in ? live : (__mmask16)0;
      }
      T* out = p.output + oy * p.out_w * C + c0;
      auto border = [&](size_t ox) {
        __m512i x[10];
        for (size_t kx = 0; kx < 3; kx++) {
          const ptrdiff_t ix = (ptrdiff_t)(ox * s + kx) - (ptrdiff_t)p.pad_left;
          const bool in = ix >= 0 && ix < (ptrdiff_t)W;
          const size_t off = in ? (size_t)ix * C : 0;
          for (size_t ky = 0; ky < 3; ky++) {
            const __mmask16 m = in ? rv[ky] : (__mmask16)0;
            x[ky * 3 + kx] = widen<kS8>(m, row[ky] + (m ? off : 0), za);
          }
        }
        x[9] = _mm512_setzero_si512();
        __m512i acc = bias;
        for (size_t j = 0; j < 5; j++) acc = _mm512_dpwssd_epi32(acc, pair(x[2 * j], x[2 * j + 1]), wp[j]);
        _mm512_mask_cvtepi32_storeu_epi8(out + ox * C, live, avx512_q::requant16(acc, r, zp, lo, hi));
      };
      if (!(rv[0] && rv[1] && rv[2])) {
        for (size_t ox = 0; ox < p.out_w; ox++) border(ox);
        continue;
      }
      for (size_t ox = 0; ox < ox_lo; ox++) border(ox);
      if (s == 1 && ox_lo < ox_hi) {
        // Stride 1: a column of widened inputs serves three output pixels, so each pixel widens
        // only its new right-hand column (3 loads instead of 9).
        const size_t off0 = (ox_lo - p.pad_left) * C;
        __m512i x00 = widen<kS8>(live, row[0] + off0, za), x01 = widen<kS8>(live, row[0] + off0 + C, za);
        __m512i x10 = widen<kS8>(live, row[1] + off0, za), x11 = widen<kS8>(live, row[1] + off0 + C, za);
        __m512i x20 = widen<kS8>(live, row[2] + off0, za), x21 = widen<kS8>(live, row[2] + off0 + C, za);
        for (size_t ox = ox_lo; ox < ox_hi; ox++) {
          const size_t off2 = (ox - p.pad_left + 2) * C;
          const __m512i x02 = widen<kS8>(live, row[0] + off2, za), x12 = widen<kS8>(live, row[1] + off2, za),
                        x22 = widen<kS8>(live, row[2] + off2, za);
          __m512i acc = bias;
          acc = _mm512_dpwssd_epi32(acc, pair(x00, x01), wp[0]);
          acc = _mm512_dpwssd_epi32(acc, pair(x02, x10), wp[1]);
          acc = _mm512_dpwssd_epi32(acc, pair(x11, x12), wp[2]);
          acc = _mm512_dpwssd_epi32(acc, pair(x20, x21), wp[3]);
          acc = _mm512_dpwssd_epi32(acc, x22, wp[4]);
          _mm512_mask_cvtepi32_storeu_epi8(out + ox * C, live, avx512_q::requant16(acc, r, zp, lo, hi));
          x00 = x01, x01 = x02, x10 = x11, x11 = x12, x20 = x21, x21 = x22;
        }
        for (size_t ox = ox_hi; ox < p.out_w; ox++) border(ox);
        continue;
      }
      for (size_t ox = ox_lo; ox < ox_hi; ox++) {
        const size_t off = (ox * s - p.pad_left) * C;
        const T* q0 = row[0] + off;
        const T* q1 = row[1] + off;
        const T* q2 = row[2] + off;
        __m512i acc = bias;
        acc = _mm512_dpwssd_epi32(acc, pair(widen<kS8>(live, q0, za), widen<kS8>(live, q0 + C, za)), wp[0]);
        acc = _mm512_dpwssd_epi32(acc, pair(widen<kS8>(live, q0 + 2 * C, za), widen<kS8>(live, q1, za)), wp[1]);
        acc = _mm512_dpwssd_epi32(acc, pair(widen<kS8>(live, q1 + C, za), widen<kS8>(live, q1 + 2 * C, za)), wp[2]);
        acc = _mm512_dpwssd_epi32(acc, pair(widen<kS8>(live, q2, za), widen<kS8>(live, q2 + C, za)), wp[3]);
        acc = _mm512_dpwssd_epi32(acc, widen<kS8>(live, q2 + 2 * C, za), wp[4]);
        _mm512_mask_cvtepi32_storeu_epi8(out + ox * C, live, avx512_q::requant16(acc, r, zp, lo, hi));
      }
      for (size_t ox = ox_hi; ox < p.out_w; ox++) border(ox);
    }
  }
}

}  // namespace

void qu8_dwconv3x3_minmax_gemmlowp__avx512vnni_16c(const QDwconvParams<uint8_t>& p, size_t oy_begin, size_t oy_end) {
  dwconv<false>(p, oy_begin, oy_end);
}
void qs8_dwconv3x3_minmax_gemmlowp__avx512vnni_16c(const QDwconvParams<int8_t>& p, size_t oy_begin, size_t oy_end) {
  dwconv<true>(p, oy_begin, oy_end);
}

}  // namespace mn::avx512vnni
