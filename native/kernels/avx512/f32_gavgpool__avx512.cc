// GCC 12 warns about _mm512_undefined_ps() inside _mm512_max_ps/_mm512_min_ps (a false positive).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "avx512.h"

namespace mn::avx512 {

// Sums in pixel order per channel, then scales by 1/pixels (the scalar twin's order), 64 channels
// at a time so four independent add chains hide the add latency.
void f32_gavgpool__avx512(size_t pixels, size_t channels, const float* in, float* out) {
  const __m512 vscale = _mm512_set1_ps(1.0f / (float)pixels);
  size_t c = 0;
  for (; c + 64 <= channels; c += 64) {
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    const float* p = in + c;
    for (size_t i = 0; i < pixels; i++, p += channels) {
      s0 = _mm512_add_ps(s0, _mm512_loadu_ps(p));
      s1 = _mm512_add_ps(s1, _mm512_loadu_ps(p + 16));
      s2 = _mm512_add_ps(s2, _mm512_loadu_ps(p + 32));
      s3 = _mm512_add_ps(s3, _mm512_loadu_ps(p + 48));
    }
    _mm512_storeu_ps(out + c, _mm512_mul_ps(s0, vscale));
    _mm512_storeu_ps(out + c + 16, _mm512_mul_ps(s1, vscale));
    _mm512_storeu_ps(out + c + 32, _mm512_mul_ps(s2, vscale));
    _mm512_storeu_ps(out + c + 48, _mm512_mul_ps(s3, vscale));
  }
  for (; c < channels; c += 16) {
    const size_t n = channels - c < 16 ? channels - c : 16;
    const __mmask16 m = (__mmask16)((1u << n) - 1u);
    __m512 s = _mm512_setzero_ps();
    const float* p = in + c;
    for (size_t i = 0; i < pixels; i++, p += channels) s = _mm512_add_ps(s, _mm512_maskz_loadu_ps(m, p));
    _mm512_mask_storeu_ps(out + c, m, _mm512_mul_ps(s, vscale));
  }
}

}  // namespace mn::avx512
