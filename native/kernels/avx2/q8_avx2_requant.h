// Requantization of 8 int32 lanes with AVX2, exactly as TFLite 2.2 (requantization.h):
//   srdhm(x, m) = (x * m + 2^30) >> 31 (floor), via vpmuldq on even and odd lanes (m >= 0, tested);
//   rounding_divide_by_pot as (y >> r) + ((y & mask) > mask/2 + (y < 0)).
// Shared by the AVX2 and AVX-VNNI kernels (static inline: each TU compiles it with its own flags).
#pragma once
#include <immintrin.h>

#include <cstdint>
#include <cstring>

namespace mn::avx2_q {

struct Requant8 {
  __m256i mult, mult_odd, lshift, rshift, mask, half;
  bool any_left;
};

static inline Requant8 load_requant8(const int32_t* header, size_t nr, size_t col) {
  Requant8 r;
  const __m256i one = _mm256_set1_epi32(1);
  r.mult = _mm256_loadu_si256((const __m256i*)(header + nr + col));
  r.lshift = _mm256_loadu_si256((const __m256i*)(header + 2 * nr + col));
  r.rshift = _mm256_loadu_si256((const __m256i*)(header + 3 * nr + col));
  r.mult_odd = _mm256_srli_epi64(r.mult, 32);
  r.mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, r.rshift), one);
  r.half = _mm256_srli_epi32(r.mask, 1);
  r.any_left = !_mm256_testz_si256(r.lshift, r.lshift);
  return r;
}

static inline __m256i requant8(__m256i x, const Requant8& r, __m256i zp, __m256i lo, __m256i hi) {
  const __m256i r30 = _mm256_set1_epi64x(int64_t(1) << 30);
  if (r.any_left) x = _mm256_sllv_epi32(x, r.lshift);
  const __m256i pe = _mm256_add_epi64(_mm256_mul_epi32(x, r.mult), r30);
  const __m256i po = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), r.mult_odd), r30);
  const __m256i y = _mm256_blend_epi32(_mm256_srli_epi64(pe, 31), _mm256_slli_epi64(po, 1), 0xAA);
  const __m256i threshold = _mm256_sub_epi32(r.half, _mm256_srai_epi32(y, 31));
  const __m256i up = _mm256_cmpgt_epi32(_mm256_and_si256(y, r.mask), threshold);  // -1 where rounding up
  const __m256i q = _mm256_sub_epi32(_mm256_srav_epi32(y, r.rshift), up);
  return _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(q, zp), lo), hi);
}

// 8 clamped int32 (inside the output type's range) -> first n (<= 8) bytes at dst.
template <bool kS8>
static inline void store8(void* dst, __m256i q, size_t n) {
  const __m128i w16 = _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
  const __m128i b = kS8 ? _mm_packs_epi16(w16, w16) : _mm_packus_epi16(w16, w16);
  if (n == 8) {
    _mm_storel_epi64((__m128i*)dst, b);
  } else {
    uint8_t tmp[16];
    _mm_storeu_si128((__m128i*)tmp, b);
    std::memcpy(dst, tmp, n);
  }
}

}  // namespace mn::avx2_q
