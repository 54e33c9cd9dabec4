// Requantization of 16 int32 lanes with AVX-512, exactly as TFLite 2.2 (requantization.h):
//   srdhm(x, m) = (x * m + 2^30) >> 31 (floor; equal to gemmlowp's for m >= 0, tested), as vpmuldq
//   on even and odd lanes; rounding_divide_by_pot as (y >> r) + ((y & mask) > mask/2 + (y < 0)).
#pragma once
// GCC 12 flags its own intrinsics' "__Y = __Y" undefined-vector idiom under -O3 -Wall.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace mn::avx512_q {

struct Requant16 {
  __m512i mult, mult_odd, lshift, rshift, mask, half;
  bool any_left;
};

static inline Requant16 load_requant16(const int32_t* header, size_t t, size_t col) {
  Requant16 r;
  const __m512i one = _mm512_set1_epi32(1);
  r.mult = _mm512_loadu_si512(header + t + col);
  r.lshift = _mm512_loadu_si512(header + 2 * t + col);
  r.rshift = _mm512_loadu_si512(header + 3 * t + col);
  r.mult_odd = _mm512_srli_epi64(r.mult, 32);
  r.mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, r.rshift), one);
  r.half = _mm512_srli_epi32(r.mask, 1);
  r.any_left = _mm512_test_epi32_mask(r.lshift, r.lshift) != 0;
  return r;
}

// Requantized, + zero point, clamped to [lo, hi].
static inline __m512i requant16(__m512i x, const Requant16& r, __m512i zp, __m512i lo, __m512i hi) {
  const __m512i one = _mm512_set1_epi32(1), r30 = _mm512_set1_epi64(int64_t(1) << 30);
  if (r.any_left) x = _mm512_sllv_epi32(x, r.lshift);
  const __m512i pe = _mm512_add_epi64(_mm512_mul_epi32(x, r.mult), r30);
  const __m512i po = _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), r.mult_odd), r30);
  const __m512i y = _mm512_mask_blend_epi32((__mmask16)0xAAAA, _mm512_srli_epi64(pe, 31), _mm512_slli_epi64(po, 1));
  const __m512i threshold = _mm512_sub_epi32(r.half, _mm512_srai_epi32(y, 31));
  const __mmask16 up = _mm512_cmpgt_epi32_mask(_mm512_and_si512(y, r.mask), threshold);
  __m512i q = _mm512_srav_epi32(y, r.rshift);
  q = _mm512_mask_add_epi32(q, up, q, one);
  return _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(q, zp), lo), hi);
}

}  // namespace mn::avx512_q
