// qu8/qs8 depthwise 3x3, stride 1 or 2, 16 channels per block, AVX-512 (F/BW). Layout
// kQDwconvLayout16cMul32: per block, header x 16 int32 then 9 taps x 16 int32 centered weights.
// Per output pixel the 9 taps get a pointer and a lane mask (all or nothing: outside the input, the
// masked load reads nothing and the widening merges za in, so padded taps contribute za * s, which
// the packed bias cancels). Per tap and block: masked byte load, widen to int32, vpmulld, vpaddd.
#include "q8_avx512_requant.h"
#include "q8_avx512vnni.h"

namespace mn::avx512vnni {

namespace {

template <bool kS8, typename T>
void dwconv(const QDwconvParams<T>& p, size_t oy_begin, size_t oy_end) {
  const size_t C = p.channels, blocks = (C + 15) / 16;
  constexpr size_t kBlockInts = 4 * 16 + 9 * 16;
  const int32_t* weights = (const int32_t*)p.weights;
  const __m512i za = _mm512_set1_epi32(p.input_zero_point);
  const __m512i zp = _mm512_set1_epi32(p.out.zero_point), lo = _mm512_set1_epi32(p.out.min),
                hi = _mm512_set1_epi32(p.out.max);
  const __mmask16 tail = C % 16 ? (__mmask16)((1u << (C % 16)) - 1) : (__mmask16)0xFFFF;
  for (size_t oy = oy_begin; oy < oy_end; oy++) {
    for (size_t ox = 0; ox < p.out_w; ox++) {
      const T* tp[9];
      __mmask16 tv[9];
      for (size_t ky = 0; ky < 3; ky++) {
        const ptrdiff_t iy = (ptrdiff_t)(oy * p.stride + ky) - (ptrdiff_t)p.pad_top;
        for (size_t kx = 0; kx < 3; kx++) {
          const ptrdiff_t ix = (ptrdiff_t)(ox * p.stride + kx) - (ptrdiff_t)p.pad_left;
          const bool inside = iy >= 0 && iy < (ptrdiff_t)p.in_h && ix >= 0 && ix < (ptrdiff_t)p.in_w;
          tp[ky * 3 + kx] = inside ? p.input + ((size_t)iy * p.in_w + (size_t)ix) * C : p.input;
          tv[ky * 3 + kx] = inside ? (__mmask16)0xFFFF : (__mmask16)0;
        }
      }
      T* out = p.output + (oy * p.out_w + ox) * C;
      for (size_t b = 0; b < blocks; b++) {
        const size_t c0 = 16 * b;
        const __mmask16 live = b + 1 == blocks ? tail : (__mmask16)0xFFFF;
        const int32_t* h = weights + b * kBlockInts;
        const int32_t* wt = h + 4 * 16;
        __m512i acc = _mm512_loadu_si512(h);
#pragma GCC unroll 9
        for (size_t t = 0; t < 9; t++) {
          const __mmask16 m = tv[t] & live;
          const __m128i x8 = _mm_maskz_loadu_epi8(m, tp[t] + c0);
          const __m512i x = kS8 ? _mm512_mask_cvtepi8_epi32(za, m, x8) : _mm512_mask_cvtepu8_epi32(za, m, x8);
          acc = _mm512_add_epi32(acc, _mm512_mullo_epi32(x, _mm512_loadu_si512(wt + 16 * t)));
        }
        const avx512_q::Requant16 r = avx512_q::load_requant16(h, 16, 0);
        _mm512_mask_cvtepi32_storeu_epi8(out + c0, live, avx512_q::requant16(acc, r, zp, lo, hi));
      }
    }
  }
}

}  // namespace

void qu8_dwconv3x3_minmax_gemmlowp__avx512skx_mul32_16c(const QDwconvParams<uint8_t>& p, size_t oy_begin, size_t oy_end) {
  dwconv<false>(p, oy_begin, oy_end);
}
void qs8_dwconv3x3_minmax_gemmlowp__avx512skx_mul32_16c(const QDwconvParams<int8_t>& p, size_t oy_begin, size_t oy_end) {
  dwconv<true>(p, oy_begin, oy_end);
}

}  // namespace mn::avx512vnni
