// qu8/qs8 GEMM MR x (8 NV), k in groups of 4 (c4), AVX-VNNI (vpdpbusd ymm). The scheme of the
// AVX-512 VNNI kernel (see there) with 16 ymm registers and no masked loads: the last partial group
// of 4 bytes of A is copied to a zero-padded buffer, row sums finish their tail in scalar code.
#include <immintrin.h>

#include <cstring>

#include "../avx2/q8_avx2_requant.h"
#include "q8_avxvnni.h"

namespace mn::avxvnni {

namespace {

template <bool kS8>
inline int32_t row_sum(const uint8_t* p, size_t kc) {
  const __m256i zero = _mm256_setzero_si256(), flip = _mm256_set1_epi8((char)0x80);
  __m256i s = zero;
  size_t k = 0;
  for (; k + 32 <= kc; k += 32) {
    __m256i v = _mm256_loadu_si256((const __m256i*)(p + k));
    if (kS8) v = _mm256_xor_si256(v, flip);
    s = _mm256_add_epi64(s, _mm256_sad_epu8(v, zero));
  }
  const __m128i s2 = _mm_add_epi64(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
  int64_t total = _mm_cvtsi128_si64(s2) + _mm_extract_epi64(s2, 1) - (kS8 ? 128 * (int64_t)k : 0);
  for (; k < kc; k++) total += kS8 ? (int64_t)(int8_t)p[k] : (int64_t)p[k];
  return (int32_t)total;
}

template <bool kS8, size_t MR, size_t NV, typename T>
inline void gemm(size_t mr, size_t nc, size_t kc, const T* a, size_t a_stride, const void* w, T* c, size_t c_stride,
                 const QOutputParams& out) {
  constexpr size_t NR = 8 * NV;
  const int32_t* h = (const int32_t*)w;
  const uint8_t* wk = (const uint8_t*)(h + (kQHeaderRows + 1) * NR);
  const int32_t hsum = h[kQHeaderRows * NR];

  const uint8_t* ap[MR];
  __m256i acc[MR][NV];
#pragma GCC unroll 16
  for (size_t i = 0; i < MR; i++) {
    ap[i] = (const uint8_t*)(a + (i < mr ? i : mr - 1) * a_stride);
    const __m256i corr = _mm256_set1_epi32(i < mr ? row_sum<kS8>(ap[i], kc) * hsum : 0);
#pragma GCC unroll 4
    for (size_t v = 0; v < NV; v++)
      acc[i][v] = _mm256_add_epi32(_mm256_loadu_si256((const __m256i*)(h + 8 * v)), corr);
  }
  auto group = [&](size_t n) {  // one group of 4 k (n < 4 only in the last, partial group)
    __m256i wv[NV];
#pragma GCC unroll 4
    for (size_t v = 0; v < NV; v++) wv[v] = _mm256_loadu_si256((const __m256i*)(wk + 32 * v));
    wk += 32 * NV;
#pragma GCC unroll 16
    for (size_t i = 0; i < MR; i++) {
      int32_t a4 = 0;
      if (n == 4) std::memcpy(&a4, ap[i], 4);
      else std::memcpy(&a4, ap[i], n);
      ap[i] += 4;
      const __m256i av = _mm256_set1_epi32(a4);
#pragma GCC unroll 4
      for (size_t v = 0; v < NV; v++)
        acc[i][v] = kS8 ? _mm256_dpbusd_avx_epi32(acc[i][v], wv[v], av) : _mm256_dpbusd_avx_epi32(acc[i][v], av, wv[v]);
    }
  };
  size_t k = kc;
  for (; k >= 4; k -= 4) group(4);
  if (k) group(k);

  const __m256i zp = _mm256_set1_epi32(out.zero_point), lo = _mm256_set1_epi32(out.min), hi = _mm256_set1_epi32(out.max);
#pragma GCC unroll 4
  for (size_t v = 0; v < NV; v++) {
    if (8 * v >= nc) break;
    const size_t n8 = nc - 8 * v < 8 ? nc - 8 * v : 8;
    const avx2_q::Requant8 r = avx2_q::load_requant8(h, NR, 8 * v);
#pragma GCC unroll 16
    for (size_t i = 0; i < MR; i++) {
      if (i >= mr) break;
      avx2_q::store8<kS8>(c + i * c_stride + 8 * v, avx2_q::requant8(acc[i][v], r, zp, lo, hi), n8);
    }
  }
}

}  // namespace

#define MN_DEFINE(mr, nv, nr)                                                                                        \
  void qu8_gemm_minmax_gemmlowp_##mr##x##nr##c4__avxvnni(size_t m, size_t n, size_t k, const uint8_t* a, size_t as, \
                                                         const void* w, uint8_t* c, size_t cs,                        \
                                                         const QOutputParams& o) {                                    \
    gemm<false, mr, nv>(m, n, k, a, as, w, c, cs, o);                                                                \
  }                                                                                                                  \
  void qs8_gemm_minmax_gemmlowp_##mr##x##nr##c4__avxvnni(size_t m, size_t n, size_t k, const int8_t* a, size_t as,  \
                                                         const void* w, int8_t* c, size_t cs,                         \
                                                         const QOutputParams& o) {                                    \
    gemm<true, mr, nv>(m, n, k, a, as, w, c, cs, o);                                                                 \
  }
MN_DEFINE(6, 2, 16)
MN_DEFINE(4, 3, 24)
#undef MN_DEFINE

}  // namespace mn::avxvnni
