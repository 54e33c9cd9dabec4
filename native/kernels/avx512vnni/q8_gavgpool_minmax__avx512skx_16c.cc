// qu8/qs8 global average pool, AVX-512 (F/BW/DQ): int32 sums of 16 channels at a time over all pixels,
// then TFLite's rounding division (sum +/- n/2) / n (truncating) in double precision: the quotient
// of two integers below 2^31 is correctly rounded, and a true quotient is either an integer (exact
// in double) or at least 1/n away from one, far more than double's error, so truncation is exact.
#include "q8_avx512_requant.h"
#include "q8_avx512vnni.h"

namespace mn::avx512vnni {

namespace {

template <bool kS8, typename T>
void gavgpool(size_t pixels, size_t channels, const T* in, T* out, int32_t out_min, int32_t out_max) {
  const int32_t n = (int32_t)pixels;
  const __m512d nd = _mm512_set1_pd((double)n);
  const __m512i half = _mm512_set1_epi32(n / 2), lo = _mm512_set1_epi32(out_min), hi = _mm512_set1_epi32(out_max);
  for (size_t c0 = 0; c0 < channels; c0 += 16) {
    const __mmask16 live = channels - c0 >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (channels - c0)) - 1);
    __m512i sum = _mm512_setzero_si512();
    for (size_t p = 0; p < pixels; p++) {
      const __m128i x8 = _mm_maskz_loadu_epi8(live, in + p * channels + c0);
      sum = _mm512_add_epi32(sum, kS8 ? _mm512_cvtepi8_epi32(x8) : _mm512_cvtepu8_epi32(x8));
    }
    // sum > 0 ? sum + n/2 : sum - n/2 (qu8 sums are >= 0; sum == 0 gives 0 either way)
    const __mmask16 pos = _mm512_cmpgt_epi32_mask(sum, _mm512_setzero_si512());
    const __m512i num = _mm512_mask_add_epi32(_mm512_sub_epi32(sum, half), pos, sum, half);
    const __m256i q0 = _mm512_cvttpd_epi32(_mm512_div_pd(_mm512_cvtepi32_pd(_mm512_castsi512_si256(num)), nd));
    const __m256i q1 = _mm512_cvttpd_epi32(_mm512_div_pd(_mm512_cvtepi32_pd(_mm512_extracti64x4_epi64(num, 1)), nd));
    __m512i q = _mm512_inserti64x4(_mm512_castsi256_si512(q0), q1, 1);
    q = _mm512_min_epi32(_mm512_max_epi32(q, lo), hi);
    _mm512_mask_cvtepi32_storeu_epi8(out + c0, live, q);
  }
}

}  // namespace

void qu8_gavgpool_minmax__avx512skx_16c(size_t pixels, size_t channels, const uint8_t* in, uint8_t* out,
                                        int32_t out_min, int32_t out_max) {
  gavgpool<false>(pixels, channels, in, out, out_min, out_max);
}
void qs8_gavgpool_minmax__avx512skx_16c(size_t pixels, size_t channels, const int8_t* in, int8_t* out,
                                        int32_t out_min, int32_t out_max) {
  gavgpool<true>(pixels, channels, in, out, out_min, out_max);
}

}  // namespace mn::avx512vnni
