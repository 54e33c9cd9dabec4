// AVX-512 helpers shared by the integer kernels (VNNI and AMX). Requantization of 16 int32 lanes,
// exactly as TFLite 2.2 (requantization.h):
//   srdhm(x, m) = (x * m + 2^30) >> 31 (floor; equal to gemmlowp's for m >= 0, tested), as vpmuldq
//   on even and odd lanes; rounding_divide_by_pot as (y >> r) + ((y & mask) > mask/2 + (y < 0)).
#pragma once
// GCC 12 flags its own intrinsics' "__Y = __Y" undefined-vector idiom under -O3 -Wall.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
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

// The GEMMs' row_sum(a) (qkernels.h): sum of kc bytes of one row (as signed bytes if kS8).
template <bool kS8>
static inline int32_t row_sum(const void* row, size_t kc) {
  const uint8_t* p = (const uint8_t*)row;
  const __m512i zero = _mm512_setzero_si512(), flip = _mm512_set1_epi8((char)0x80);
  __m512i s = zero;
  size_t k = 0;
  for (; k + 64 <= kc; k += 64) {
    __m512i v = _mm512_loadu_si512(p + k);
    if (kS8) v = _mm512_xor_si512(v, flip);
    s = _mm512_add_epi64(s, _mm512_sad_epu8(v, zero));
  }
  size_t loaded = k;
  if (k < kc) {
    __m512i v = _mm512_maskz_loadu_epi8(((__mmask64)1 << (kc - k)) - 1, p + k);  // kc - k < 64
    if (kS8) v = _mm512_xor_si512(v, flip);  // masked-out zeros become 128, i.e. signed 0, like the rest
    s = _mm512_add_epi64(s, _mm512_sad_epu8(v, zero));
    loaded += 64;
  }
  const __m256i s4 = _mm256_add_epi64(_mm512_castsi512_si256(s), _mm512_extracti64x4_epi64(s, 1));
  const __m128i s2 = _mm_add_epi64(_mm256_castsi256_si128(s4), _mm256_extracti128_si256(s4, 1));
  const int64_t total = _mm_cvtsi128_si64(s2) + _mm_extract_epi64(s2, 1);
  return (int32_t)(kS8 ? total - 128 * (int64_t)loaded : total);
}

}  // namespace mn::avx512_q
