// AVX-512 helpers shared by the integer kernels (VNNI and AMX). Requantization of 16 int32 lanes,
// exactly as TFLite 2.2 (requantization.h); srdhm(x, m) = floor((x * m + 2^30) / 2^31) is gemmlowp's for m >= 0
// (tested).
#pragma once
// GCC 12 flags its own intrinsics' "__Y = __Y" undefined-vector idiom under -O3 -Wall.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace mn::avx512_q {

// Both TFLite roundings in one 64-bit step. With P = (x << lshift) * multiplier, y = srdhm = floor((P + 2^30) / 2^31)
// and RoundingDivideByPOT(y, r) = floor((y + 2^(r-1) - [y < 0]) / 2^r) for r > 0 (ties away from zero), and
// floor((floor(u) + c) / d) = floor((u + c) / d) for integers c, d > 0:
//   out = floor((P + 2^30 + 2^(30+r) - [x < 0] * 2^31) / 2^(31+r))   (r > 0);   floor((P + 2^30) / 2^31)  (r = 0)
// ([x < 0] may stand for [y < 0]: they differ only at y = 0, where subtracting 1 before the division by 2^r,
// r >= 1, still gives 0; multiplier 0 gives 0 either way.) |P| < 2^62, so P + 2^61 + 2^30 fits in int64.
// vpmuldq on even lanes and on odd lanes moved down, vpsravq by 31 + r, vpermt2d back to 16 lanes:
// 12 instructions for 16 lanes against 16 for the two separate roundings (1.0/224, AMX pointwise -4 %).
struct Requant16 {
  __m512i mult_even, mult_odd, lshift;
  __m512i round_even, round_odd;  // 2^30 + (r > 0 ? 2^(30+r) : 0), per 64-bit lane
  __m512i neg_even, neg_odd;      // r > 0 ? 2^31 : 0
  __m512i shift_even, shift_odd;  // 31 + r
  bool any_left;
};

static inline Requant16 load_requant16(const int32_t* header, size_t t, size_t col) {
  Requant16 q;
  const __m512i mult = _mm512_loadu_si512(header + t + col);
  const __m512i rshift = _mm512_loadu_si512(header + 3 * t + col);
  q.lshift = _mm512_loadu_si512(header + 2 * t + col);
  q.any_left = _mm512_test_epi32_mask(q.lshift, q.lshift) != 0;
  q.mult_even = mult;
  q.mult_odd = _mm512_srli_epi64(mult, 32);
  const __m512i r_even = _mm512_and_si512(rshift, _mm512_set1_epi64(0xFFFFFFFF)), r_odd = _mm512_srli_epi64(rshift, 32);
  const __m512i one = _mm512_set1_epi64(1), r30 = _mm512_set1_epi64(int64_t(1) << 30), r31 = _mm512_set1_epi64(int64_t(1) << 31);
  const __m512i zero = _mm512_setzero_si512();
  const __mmask8 pos_even = _mm512_cmpgt_epi64_mask(r_even, zero), pos_odd = _mm512_cmpgt_epi64_mask(r_odd, zero);
  const __m512i c30 = _mm512_set1_epi64(30), c31 = _mm512_set1_epi64(31);
  q.round_even = _mm512_mask_add_epi64(r30, pos_even, r30, _mm512_sllv_epi64(one, _mm512_add_epi64(r_even, c30)));
  q.round_odd = _mm512_mask_add_epi64(r30, pos_odd, r30, _mm512_sllv_epi64(one, _mm512_add_epi64(r_odd, c30)));
  q.neg_even = _mm512_maskz_mov_epi64(pos_even, r31);
  q.neg_odd = _mm512_maskz_mov_epi64(pos_odd, r31);
  q.shift_even = _mm512_add_epi64(r_even, c31);
  q.shift_odd = _mm512_add_epi64(r_odd, c31);
  return q;
}

// Requantized (before the output zero point), 16 int32 lanes.
// The odd-lane move and the sign tests are vpshufd and vpcmpq (port 5 on Intel's 512-bit pipes) rather than
// vpsrlq and vpmovq2m (port 0, which vpmuldq, vpsravq and the dot products need): AMX pointwise -10 %.
static inline __m512i requant16_raw(__m512i x, const Requant16& q) {
  if (q.any_left) x = _mm512_sllv_epi32(x, q.lshift);
  const __m512i zero = _mm512_setzero_si512();
  __m512i pe = _mm512_mul_epi32(x, q.mult_even);
  __m512i po = _mm512_mul_epi32(_mm512_shuffle_epi32(x, _MM_PERM_DDBB), q.mult_odd);
  const __mmask8 ne = _mm512_cmplt_epi64_mask(pe, zero), no = _mm512_cmplt_epi64_mask(po, zero);  // P < 0 iff x < 0
  pe = _mm512_mask_sub_epi64(_mm512_add_epi64(pe, q.round_even), ne, _mm512_add_epi64(pe, q.round_even), q.neg_even);
  po = _mm512_mask_sub_epi64(_mm512_add_epi64(po, q.round_odd), no, _mm512_add_epi64(po, q.round_odd), q.neg_odd);
  pe = _mm512_srav_epi64(pe, q.shift_even);
  po = _mm512_srav_epi64(po, q.shift_odd);
  const __m512i idx = _mm512_set_epi32(30, 14, 28, 12, 26, 10, 24, 8, 22, 6, 20, 4, 18, 2, 16, 0);
  return _mm512_permutex2var_epi32(pe, idx, po);
}

// Requantized, + zero point, clamped to [lo, hi].
static inline __m512i requant16(__m512i x, const Requant16& q, __m512i zp, __m512i lo, __m512i hi) {
  return _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(requant16_raw(x, q), zp), lo), hi);
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
