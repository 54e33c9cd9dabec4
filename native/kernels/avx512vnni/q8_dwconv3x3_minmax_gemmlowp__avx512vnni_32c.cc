// qu8/qs8 depthwise 3x3, stride 1 or 2, 32 channels per block, AVX-512 VNNI. Layout kQDwconvLayout32cPairs:
// per block, header x 32 int32 then 5 tap pairs ((0,1) (2,3) (4,5) (6,7) (8,-)) x 32 channels of int16 centered
// weights.
// Each tap's 32 input bytes widen to 32 int16 (vpmovzxbw / vpmovsxbw); vpunpcklwd / vpunpckhwd of two taps give
// the int16 pairs of channels 0-3, 8-11, 16-19, 24-27 (lo) and 4-7, 12-15, 20-23, 28-31 (hi) for one vpdpwssd
// each: 2 taps x 16 channels a multiply, 1 shuffle per 16 channel pairs. The weights, bias and requantization
// constants are permuted into that lo / hi order once per block. vpackssdw of the two requantized halves puts
// the channels back in order; the zero point and clamp then work on 32 int16 lanes (exact: the saturating pack
// and add cannot move a value across [out_min, out_max], which lies in -128..255).
// Against the 16-channel kernel (widen to int32, shift + blend per pair, requantize and clamp per 16), 1.0/224
// depthwise layers: see README "Integer kernels".
// Stride 1 reuses widened input columns across the 3 output pixels that read them. Block-outer: a block's
// weight pairs and requantization constants stay in registers while it walks every output pixel of the rows
// asked for. Border taps get a lane mask (all or nothing: outside the input the masked load reads nothing and
// the widening merges za in, so padded taps contribute za * s, which the packed bias cancels). The last tap
// pairs with itself against a zero weight.
#include <algorithm>

#include "q8_avx512_requant.h"
#include "q8_avx512vnni.h"

namespace mn::avx512vnni {

namespace {

template <bool kS8>
inline __m512i widen(__mmask32 m, const void* p, __m512i za) {
  const __m256i x8 = _mm256_maskz_loadu_epi8(m, p);
  return kS8 ? _mm512_mask_cvtepi8_epi16(za, m, x8) : _mm512_mask_cvtepu8_epi16(za, m, x8);
}

template <bool kS8, typename T>
void dwconv(const QDwconvParams<T>& p, size_t oy_begin, size_t oy_end) {
  const size_t C = p.channels, blocks = (C + 31) / 32, W = p.in_w, s = p.stride;
  constexpr size_t kBlockInts = 4 * 32 + 5 * 32;
  const int32_t* weights = (const int32_t*)p.weights;
  const __m512i za = _mm512_set1_epi16((int16_t)p.input_zero_point);
  const __m512i zp = _mm512_set1_epi16((int16_t)p.out.zero_point), lo = _mm512_set1_epi16((int16_t)p.out.min),
                hi = _mm512_set1_epi16((int16_t)p.out.max);
  // Channel order of the unpacked halves, as indices into the 32 channels of two natural-order vectors.
  const __m512i order_lo = _mm512_set_epi32(27, 26, 25, 24, 19, 18, 17, 16, 11, 10, 9, 8, 3, 2, 1, 0);
  const __m512i order_hi = _mm512_set_epi32(31, 30, 29, 28, 23, 22, 21, 20, 15, 14, 13, 12, 7, 6, 5, 4);
  auto split = [&](const int32_t* v, __m512i* l, __m512i* h) {
    const __m512i a = _mm512_loadu_si512(v), b = _mm512_loadu_si512(v + 16);
    *l = _mm512_permutex2var_epi32(a, order_lo, b);
    *h = _mm512_permutex2var_epi32(a, order_hi, b);
  };
  // Interior output columns: ix0 = ox * s - pad_left >= 0 and ix0 + 2 < in_w.
  const size_t ox_lo = std::min(p.out_w, (p.pad_left + s - 1) / s);
  const size_t ox_hi = W + p.pad_left >= 3 ? std::max(ox_lo, std::min(p.out_w, (W + p.pad_left - 3) / s + 1)) : ox_lo;
  for (size_t b = 0; b < blocks; b++) {
    const size_t c0 = 32 * b;
    const __mmask32 live = C - c0 >= 32 ? (__mmask32)0xFFFFFFFFu : (__mmask32)((1u << (C - c0)) - 1);
    const int32_t* h = weights + b * kBlockInts;
    __m512i wl[5], wh[5];
    for (size_t j = 0; j < 5; j++) split(h + 128 + 32 * j, &wl[j], &wh[j]);
    alignas(64) int32_t hdr[2][kQHeaderRows][16];  // lo / hi halves of the header, permuted
    for (size_t r = 0; r < kQHeaderRows; r++) {
      __m512i l, u;
      split(h + 32 * r, &l, &u);
      _mm512_store_si512(hdr[0][r], l);
      _mm512_store_si512(hdr[1][r], u);
    }
    const avx512_q::Requant16 rq_l = avx512_q::load_requant16(&hdr[0][0][0], 16, 0);
    const avx512_q::Requant16 rq_h = avx512_q::load_requant16(&hdr[1][0][0], 16, 0);
    const __m512i bias_l = _mm512_load_si512(hdr[0][0]), bias_h = _mm512_load_si512(hdr[1][0]);
    auto compute = [&](__m512i x0, __m512i x1, __m512i x2, __m512i x3, __m512i x4, __m512i x5, __m512i x6, __m512i x7,
                       __m512i x8, T* dst) {
      __m512i al = bias_l, ah = bias_h;
      al = _mm512_dpwssd_epi32(al, _mm512_unpacklo_epi16(x0, x1), wl[0]);
      ah = _mm512_dpwssd_epi32(ah, _mm512_unpackhi_epi16(x0, x1), wh[0]);
      al = _mm512_dpwssd_epi32(al, _mm512_unpacklo_epi16(x2, x3), wl[1]);
      ah = _mm512_dpwssd_epi32(ah, _mm512_unpackhi_epi16(x2, x3), wh[1]);
      al = _mm512_dpwssd_epi32(al, _mm512_unpacklo_epi16(x4, x5), wl[2]);
      ah = _mm512_dpwssd_epi32(ah, _mm512_unpackhi_epi16(x4, x5), wh[2]);
      al = _mm512_dpwssd_epi32(al, _mm512_unpacklo_epi16(x6, x7), wl[3]);
      ah = _mm512_dpwssd_epi32(ah, _mm512_unpackhi_epi16(x6, x7), wh[3]);
      al = _mm512_dpwssd_epi32(al, _mm512_unpacklo_epi16(x8, x8), wl[4]);
      ah = _mm512_dpwssd_epi32(ah, _mm512_unpackhi_epi16(x8, x8), wh[4]);
      __m512i v = _mm512_packs_epi32(avx512_q::requant16_raw(al, rq_l), avx512_q::requant16_raw(ah, rq_h));
      v = _mm512_min_epi16(_mm512_max_epi16(_mm512_adds_epi16(v, zp), lo), hi);
      _mm512_mask_cvtepi16_storeu_epi8(dst, live, v);
    };
    for (size_t oy = oy_begin; oy < oy_end; oy++) {
      const T* row[3];
      __mmask32 rv[3];
      for (size_t ky = 0; ky < 3; ky++) {
        const ptrdiff_t iy = (ptrdiff_t)(oy * s + ky) - (ptrdiff_t)p.pad_top;
        const bool in = iy >= 0 && iy < (ptrdiff_t)p.in_h;
        row[ky] = in ? p.input + (size_t)iy * W * C + c0 : p.input;
        rv[ky] = in ? live : (__mmask32)0;
      }
      T* out = p.output + oy * p.out_w * C + c0;
      auto border = [&](size_t ox) {
        __m512i x[9];
        for (size_t kx = 0; kx < 3; kx++) {
          const ptrdiff_t ix = (ptrdiff_t)(ox * s + kx) - (ptrdiff_t)p.pad_left;
          const bool in = ix >= 0 && ix < (ptrdiff_t)W;
          const size_t off = in ? (size_t)ix * C : 0;
          for (size_t ky = 0; ky < 3; ky++) {
            const __mmask32 m = in ? rv[ky] : (__mmask32)0;
            x[ky * 3 + kx] = widen<kS8>(m, row[ky] + (m ? off : 0), za);
          }
        }
        compute(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8], out + ox * C);
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
          compute(x00, x01, x02, x10, x11, x12, x20, x21, x22, out + ox * C);
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
        compute(widen<kS8>(live, q0, za), widen<kS8>(live, q0 + C, za), widen<kS8>(live, q0 + 2 * C, za),
                widen<kS8>(live, q1, za), widen<kS8>(live, q1 + C, za), widen<kS8>(live, q1 + 2 * C, za),
                widen<kS8>(live, q2, za), widen<kS8>(live, q2 + C, za), widen<kS8>(live, q2 + 2 * C, za), out + ox * C);
      }
      for (size_t ox = ox_hi; ox < p.out_w; ox++) border(ox);
    }
  }
}

}  // namespace

void qu8_dwconv3x3_minmax_gemmlowp__avx512vnni_32c(const QDwconvParams<uint8_t>& p, size_t oy_begin, size_t oy_end) {
  dwconv<false>(p, oy_begin, oy_end);
}
void qs8_dwconv3x3_minmax_gemmlowp__avx512vnni_32c(const QDwconvParams<int8_t>& p, size_t oy_begin, size_t oy_end) {
  dwconv<true>(p, oy_begin, oy_end);
}

}  // namespace mn::avx512vnni
