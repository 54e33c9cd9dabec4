// qu8/qs8 GEMM 3x8, k in groups of 8 (c8), AVX2 without VNNI. Layout kQGemmLayout3x8c8Avx2: header x 8
// int32, then ceil(kc/8) groups of 8 columns x 8 k int16 centered weights (s = w - zw): one ymm = 2
// columns x 8 k. Per group and row: 8 bytes of A widened to int16 and duplicated into both 128-bit
// halves, then vpmaddwd against 4 weight vectors (|a| * |s| <= 255 * 255, pair sums fit int32). Each
// accumulator holds 4 partial sums of 2 columns; three vphaddd and a vpermd reduce them at the end
// (XNNPACK's c8 scheme for AVX2). vpmaddubsw is not used: u8 x s8 pair sums saturate int16.
// A is never read past kc bytes per row: the last partial group is copied to a zero-padded buffer.
#include <immintrin.h>

#include <cstring>

#include "q8_avx2.h"
#include "q8_avx2_requant.h"

namespace mn::avx2 {

namespace {

template <bool kS8, typename T>
inline void gemm_3x8c8(size_t mr, size_t nc, size_t kc, const T* a, size_t a_stride, const void* w, T* c,
                       size_t c_stride, const QOutputParams& out) {
  constexpr size_t MR = 3, NR = 8;
  const int32_t* h = (const int32_t*)w;
  const int16_t* wk = (const int16_t*)(h + kQHeaderRows * NR);
  const T* ap[MR];
  __m256i acc[MR][4];
#pragma GCC unroll 3
  for (size_t i = 0; i < MR; i++) {
    ap[i] = a + (i < mr ? i : mr - 1) * a_stride;
#pragma GCC unroll 4
    for (size_t p = 0; p < 4; p++) acc[i][p] = _mm256_setzero_si256();
  }
  auto group = [&](size_t n) {
#pragma GCC unroll 3
    for (size_t i = 0; i < MR; i++) {
      __m128i a8;
      if (n == 8) {
        a8 = _mm_loadl_epi64((const __m128i*)ap[i]);
      } else {
        uint8_t buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        std::memcpy(buf, ap[i], n);
        a8 = _mm_loadl_epi64((const __m128i*)buf);
      }
      ap[i] += 8;
      a8 = _mm_unpacklo_epi64(a8, a8);
      const __m256i va = kS8 ? _mm256_cvtepi8_epi16(a8) : _mm256_cvtepu8_epi16(a8);
#pragma GCC unroll 4
      for (size_t p = 0; p < 4; p++)
        acc[i][p] = _mm256_add_epi32(acc[i][p], _mm256_madd_epi16(va, _mm256_loadu_si256((const __m256i*)(wk + 16 * p))));
    }
    wk += 64;
  };
  size_t k = kc;
  for (; k >= 8; k -= 8) group(8);
  if (k) group(k);

  const __m256i bias = _mm256_loadu_si256((const __m256i*)h);
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  const __m256i zp = _mm256_set1_epi32(out.zero_point), lo = _mm256_set1_epi32(out.min), hi = _mm256_set1_epi32(out.max);
  const avx2_q::Requant8 r = avx2_q::load_requant8(h, NR, 0);
#pragma GCC unroll 3
  for (size_t i = 0; i < MR; i++) {
    if (i >= mr) break;
    // hadd(hadd(acc0, acc1), hadd(acc2, acc3)) = (c0 c2 c4 c6 | c1 c3 c5 c7).
    const __m256i t = _mm256_hadd_epi32(_mm256_hadd_epi32(acc[i][0], acc[i][1]), _mm256_hadd_epi32(acc[i][2], acc[i][3]));
    const __m256i sum = _mm256_add_epi32(_mm256_permutevar8x32_epi32(t, order), bias);
    avx2_q::store8<kS8>(c + i * c_stride, avx2_q::requant8(sum, r, zp, lo, hi), nc);
  }
}

}  // namespace

void qu8_gemm_minmax_gemmlowp_3x8c8__avx2(size_t mr, size_t nc, size_t kc, const uint8_t* a, size_t a_stride,
                                          const void* w, uint8_t* c, size_t c_stride, const QOutputParams& out) {
  gemm_3x8c8<false>(mr, nc, kc, a, a_stride, w, c, c_stride, out);
}
void qs8_gemm_minmax_gemmlowp_3x8c8__avx2(size_t mr, size_t nc, size_t kc, const int8_t* a, size_t a_stride,
                                          const void* w, int8_t* c, size_t c_stride, const QOutputParams& out) {
  gemm_3x8c8<true>(mr, nc, kc, a, a_stride, w, c, c_stride, out);
}

}  // namespace mn::avx2
