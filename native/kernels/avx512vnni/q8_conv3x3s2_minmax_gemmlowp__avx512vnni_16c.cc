// qu8/qs8 first convolution 3x3 stride 2, 3 -> out_c, 16 output channels per block, AVX-512 VNNI.
// Layout kQConvLayout16cPairs: per block, header x 16 int32, then 14 tap pairs x 16 channels of
// int16 (taps (ky*3+kx)*3+ci; the 28th tap is zero). Per output pixel the 27 input values (za for
// padded taps) are gathered once as 14 int16 pairs; per block and pair one broadcast vpdpwssd
// multiplies 2 taps x 16 channels (|a| <= 255, |s| <= 255: pair sums fit int32).
#include <cstring>

#include "q8_avx512_requant.h"
#include "q8_avx512vnni.h"

namespace mn::avx512vnni {

namespace {

template <bool kS8, typename T>
void conv(const QConvParams<T>& p, size_t oy_begin, size_t oy_end) {
  const size_t OC = p.out_c, blocks = (OC + 15) / 16;
  constexpr size_t kBlockInts = 4 * 16 + 14 * 16;  // header + 14 pairs x 16 channels (int16 pairs)
  const int32_t* weights = (const int32_t*)p.weights;
  const __m512i zp = _mm512_set1_epi32(p.out.zero_point), lo = _mm512_set1_epi32(p.out.min),
                hi = _mm512_set1_epi32(p.out.max);
  const __mmask16 tail = OC % 16 ? (__mmask16)((1u << (OC % 16)) - 1) : (__mmask16)0xFFFF;
  // Requantization constants of the first blocks, derived once per call (MobileNet: out_c <= 32).
  constexpr size_t kKeptBlocks = 4;
  avx512_q::Requant16 kept[kKeptBlocks];
  for (size_t b = 0; b < blocks && b < kKeptBlocks; b++) kept[b] = avx512_q::load_requant16(weights + b * kBlockInts, 16, 0);
  for (size_t oy = oy_begin; oy < oy_end; oy++) {
    const ptrdiff_t iy0 = (ptrdiff_t)(oy * 2) - (ptrdiff_t)p.pad_top;
    const bool rows_in = iy0 >= 0 && iy0 + 2 < (ptrdiff_t)p.in_h;
    for (size_t ox = 0; ox < p.out_w; ox++) {
      alignas(64) int16_t a[32];
      const ptrdiff_t ix0 = (ptrdiff_t)(ox * 2) - (ptrdiff_t)p.pad_left;
      if (rows_in && ix0 >= 0 && ix0 + 2 < (ptrdiff_t)p.in_w) {
        // Interior: each kernel row is 9 contiguous bytes (3 pixels x 3 channels). Three masked loads
        // place them at bytes 0, 9, 18 of one vector (lanes outside a mask are not read), widened
        // and stored once, so the pair loads below forward from a single store.
        const uint8_t* r0 = (const uint8_t*)(p.input + ((size_t)iy0 * p.in_w + (size_t)ix0) * 3);
        const size_t row_bytes = p.in_w * 3;
        __m256i x = _mm256_maskz_loadu_epi8(0x1FFu, r0);
        x = _mm256_mask_loadu_epi8(x, 0x1FFu << 9, r0 + row_bytes - 9);
        x = _mm256_mask_loadu_epi8(x, 0x1FFu << 18, r0 + 2 * row_bytes - 18);
        _mm512_store_si512(a, kS8 ? _mm512_cvtepi8_epi16(x) : _mm512_cvtepu8_epi16(x));
      } else {
        for (size_t ky = 0; ky < 3; ky++) {
          const ptrdiff_t iy = iy0 + (ptrdiff_t)ky;
          for (size_t kx = 0; kx < 3; kx++) {
            const ptrdiff_t ix = ix0 + (ptrdiff_t)kx;
            const bool inside = iy >= 0 && iy < (ptrdiff_t)p.in_h && ix >= 0 && ix < (ptrdiff_t)p.in_w;
            const T* px = p.input + ((size_t)(inside ? iy : 0) * p.in_w + (size_t)(inside ? ix : 0)) * 3;
            for (size_t ci = 0; ci < 3; ci++)
              a[(ky * 3 + kx) * 3 + ci] = inside ? (int16_t)px[ci] : (int16_t)p.input_zero_point;
          }
        }
        a[27] = 0;
      }
      T* out = p.output + (oy * p.out_w + ox) * OC;
      for (size_t b = 0; b < blocks; b++) {
        const __mmask16 live = b + 1 == blocks ? tail : (__mmask16)0xFFFF;
        const int32_t* h = weights + b * kBlockInts;
        const int32_t* wt = h + 4 * 16;
        // Two accumulators: halves the vpdpwssd dependency chain (14 x 5 cycles).
        __m512i acc0 = _mm512_loadu_si512(h), acc1 = _mm512_setzero_si512();
#pragma GCC unroll 14
        for (size_t j = 0; j < 14; j += 2) {
          int32_t p0, p1;
          std::memcpy(&p0, a + 2 * j, 4);
          std::memcpy(&p1, a + 2 * j + 2, 4);
          acc0 = _mm512_dpwssd_epi32(acc0, _mm512_set1_epi32(p0), _mm512_loadu_si512(wt + 16 * j));
          acc1 = _mm512_dpwssd_epi32(acc1, _mm512_set1_epi32(p1), _mm512_loadu_si512(wt + 16 * j + 16));
        }
        const __m512i acc = _mm512_add_epi32(acc0, acc1);
        const avx512_q::Requant16 r = b < kKeptBlocks ? kept[b] : avx512_q::load_requant16(h, 16, 0);
        _mm512_mask_cvtepi32_storeu_epi8(out + 16 * b, live, avx512_q::requant16(acc, r, zp, lo, hi));
      }
    }
  }
}

}  // namespace

void qu8_conv3x3s2_minmax_gemmlowp__avx512vnni_16c(const QConvParams<uint8_t>& p, size_t oy_begin, size_t oy_end) {
  conv<false>(p, oy_begin, oy_end);
}
void qs8_conv3x3s2_minmax_gemmlowp__avx512vnni_16c(const QConvParams<int8_t>& p, size_t oy_begin, size_t oy_end) {
  conv<true>(p, oy_begin, oy_end);
}

}  // namespace mn::avx512vnni
