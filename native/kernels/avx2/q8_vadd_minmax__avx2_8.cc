// qu8/qs8 integer ADD (qkernels.h QAddParams: TFLite 2.2 AddElementwise), AVX2, 8 elements per step. Each input
// (x + offset) << 20 and the sum go through the exact AVX2 requantization the GEMMs use (q8_avx2_requant.h:
// SRDHM as (x * m + 2^30) >> 31 on even and odd lanes, RoundingDivideByPOT as a masked compare), so the bytes are
// the scalar form's (runtime/qadd.h; qkernel_test compares every pair of input values). Used by every x86 set.
#include <immintrin.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "q8_avx2.h"
#include "q8_avx2_requant.h"

namespace mn::avx2 {

namespace {

using avx2_q::Requant8;

// A multiplier and shift (<= 0: a right shift only) as the GEMMs' requantization takes them: rows 1-3 (multiplier,
// left shift, right shift) of an 8-column packed header (qkernels.h; row 0, the bias, is not read).
Requant8 requant(int32_t multiplier, int shift) {
  int32_t header[kQHeaderRows * 8] = {};
  for (int c = 0; c < 8; c++) {
    header[8 + c] = multiplier;
    header[24 + c] = -shift;
  }
  return avx2_q::load_requant8(header, 8, 0);
}

template <typename T>
inline __m256i widen8(const T* p) {
  const __m128i v = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
  return std::is_same<T, uint8_t>::value ? _mm256_cvtepu8_epi32(v) : _mm256_cvtepi8_epi32(v);
}

template <typename T>
void vadd(const QAddParams& p, const T* a, const T* b, T* out, size_t n) {
  const Requant8 r1 = requant(p.m1, p.s1), r2 = requant(p.m2, p.s2), ro = requant(p.mo, p.so);
  const __m256i off1 = _mm256_set1_epi32(p.in1_offset), off2 = _mm256_set1_epi32(p.in2_offset);
  const __m256i zo = _mm256_set1_epi32(p.out_offset), lo = _mm256_set1_epi32(p.act_min), hi = _mm256_set1_epi32(p.act_max);
  const __m256i zero = _mm256_setzero_si256(), all_lo = _mm256_set1_epi32(INT_MIN), all_hi = _mm256_set1_epi32(INT_MAX);
  auto step = [&](const T* pa, const T* pb, T* po, size_t count) {
    const __m256i x1 = _mm256_slli_epi32(_mm256_add_epi32(widen8(pa), off1), 20);
    const __m256i x2 = _mm256_slli_epi32(_mm256_add_epi32(widen8(pb), off2), 20);
    const __m256i sum = _mm256_add_epi32(avx2_q::requant8(x1, r1, zero, all_lo, all_hi), avx2_q::requant8(x2, r2, zero, all_lo, all_hi));
    avx2_q::store8<std::is_same<T, int8_t>::value>(po, avx2_q::requant8(sum, ro, zo, lo, hi), count);
  };
  size_t i = 0;
  for (; i + 8 <= n; i += 8) step(a + i, b + i, out + i, 8);
  if (i < n) {  // never reads past the tensors
    T ta[8] = {}, tb[8] = {};
    std::memcpy(ta, a + i, n - i);
    std::memcpy(tb, b + i, n - i);
    step(ta, tb, out + i, n - i);
  }
}

}  // namespace

void qu8_vadd_minmax__avx2_8(const QAddParams& p, const uint8_t* a, const uint8_t* b, uint8_t* out, size_t n) {
  vadd<uint8_t>(p, a, b, out, n);
}
void qs8_vadd_minmax__avx2_8(const QAddParams& p, const int8_t* a, const int8_t* b, int8_t* out, size_t n) {
  vadd<int8_t>(p, a, b, out, n);
}

}  // namespace mn::avx2
