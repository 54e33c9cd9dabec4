#include <immintrin.h>

#include "avx2.h"
#include "gemm_avx2.h"  // mask_for

namespace mn::avx2 {

// Sums in pixel order per channel, then scales by 1/pixels (the scalar twin's order), 32 channels
// at a time so four independent add chains hide the add latency.
void f32_gavgpool__avx2(size_t pixels, size_t channels, const float* in, float* out) {
  const __m256 vscale = _mm256_set1_ps(1.0f / (float)pixels);
  size_t c = 0;
  for (; c + 32 <= channels; c += 32) {
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    const float* p = in + c;
    for (size_t i = 0; i < pixels; i++, p += channels) {
      s0 = _mm256_add_ps(s0, _mm256_loadu_ps(p));
      s1 = _mm256_add_ps(s1, _mm256_loadu_ps(p + 8));
      s2 = _mm256_add_ps(s2, _mm256_loadu_ps(p + 16));
      s3 = _mm256_add_ps(s3, _mm256_loadu_ps(p + 24));
    }
    _mm256_storeu_ps(out + c, _mm256_mul_ps(s0, vscale));
    _mm256_storeu_ps(out + c + 8, _mm256_mul_ps(s1, vscale));
    _mm256_storeu_ps(out + c + 16, _mm256_mul_ps(s2, vscale));
    _mm256_storeu_ps(out + c + 24, _mm256_mul_ps(s3, vscale));
  }
  for (; c < channels; c += 8) {
    const size_t n = channels - c < 8 ? channels - c : 8;
    const __m256i m = mask_for(n);
    __m256 s = _mm256_setzero_ps();
    const float* p = in + c;
    for (size_t i = 0; i < pixels; i++, p += channels) s = _mm256_add_ps(s, _mm256_maskload_ps(p, m));
    _mm256_maskstore_ps(out + c, m, _mm256_mul_ps(s, vscale));
  }
}

}  // namespace mn::avx2
