// qu8/qs8 GEMM MR x (16 NV), k in groups of 4 (c4), AVX-512 VNNI. Layout (q8_avx512vnni.h):
// 5 header rows (folded bias, multiplier, lshift, rshift, h) x NR int32, then ceil(kc/4) groups of
// NR x 4 stored weights: one zmm load = 16 columns x 4 k, vpdpbusd's operand format.
//
// Main loop per group of 4 k: NV weight loads, MR 4-byte broadcasts of A, MR*NV vpdpbusd. vpdpbusd
// multiplies unsigned by signed bytes; neither qu8 (both unsigned) nor qs8 (both signed) fits, so
// weights are stored offset by -/+128 into the other signedness and the kernel adds row_sum(a) * h
// (vpsadbw over each A row, 64 bytes per instruction; see qkernels.h). Rows past mr compute on
// copies of row mr - 1 and are not stored; the last partial group of 4 is read with a masked load,
// so A is never read past kc bytes per row.
// Epilogue: q8_avx512_requant.h.
// GCC 12 flags its own intrinsics' "__Y = __Y" undefined-vector idiom under -O3 -Wall.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstring>

#include "q8_avx512_requant.h"
#include "q8_avx512vnni.h"

namespace mn::avx512vnni {

namespace {

template <bool kS8, size_t MR, size_t NV, typename T>
inline void gemm(size_t mr, size_t nc, size_t kc, const T* a, size_t a_stride, const void* w, T* c, size_t c_stride,
                 const QOutputParams& out) {
  constexpr size_t NR = 16 * NV;
  const int32_t* h = (const int32_t*)w;
  const uint8_t* wk = (const uint8_t*)(h + (kQHeaderRows + 1) * NR);

  const uint8_t* ap[MR];
  __m512i acc[MR][NV];
  const int32_t hsum = h[kQHeaderRows * NR];
#pragma GCC unroll 32
  for (size_t i = 0; i < MR; i++) {
    ap[i] = (const uint8_t*)(a + (i < mr ? i : mr - 1) * a_stride);
    const __m512i corr = _mm512_set1_epi32(i < mr ? avx512_q::row_sum<kS8>(ap[i], kc) * hsum : 0);
#pragma GCC unroll 4
    for (size_t v = 0; v < NV; v++) acc[i][v] = _mm512_add_epi32(_mm512_loadu_si512(h + 16 * v), corr);
  }

  size_t k = kc;
  for (; k >= 4; k -= 4) {
    __m512i wv[NV];
    for (size_t v = 0; v < NV; v++) wv[v] = _mm512_loadu_si512(wk + 64 * v);
    wk += 64 * NV;
#pragma GCC unroll 32
    for (size_t i = 0; i < MR; i++) {
      int32_t a4;
      std::memcpy(&a4, ap[i], 4);
      ap[i] += 4;
      const __m512i av = _mm512_set1_epi32(a4);
      for (size_t v = 0; v < NV; v++)
        acc[i][v] = kS8 ? _mm512_dpbusd_epi32(acc[i][v], wv[v], av) : _mm512_dpbusd_epi32(acc[i][v], av, wv[v]);
    }
  }
  if (k) {
    __m512i wv[NV];
    for (size_t v = 0; v < NV; v++) wv[v] = _mm512_loadu_si512(wk + 64 * v);
    const __mmask16 km = (__mmask16)((1u << k) - 1);
#pragma GCC unroll 32
    for (size_t i = 0; i < MR; i++) {
      const __m512i av = _mm512_broadcastd_epi32(_mm_maskz_loadu_epi8(km, ap[i]));
      for (size_t v = 0; v < NV; v++)
        acc[i][v] = kS8 ? _mm512_dpbusd_epi32(acc[i][v], wv[v], av) : _mm512_dpbusd_epi32(acc[i][v], av, wv[v]);
    }
  }

  const __m512i zp = _mm512_set1_epi32(out.zero_point), lo = _mm512_set1_epi32(out.min), hi = _mm512_set1_epi32(out.max);
#pragma GCC unroll 4
  for (size_t v = 0; v < NV; v++) {
    if (16 * v >= nc) break;
    const __mmask16 store_mask = nc >= 16 * (v + 1) ? (__mmask16)0xFFFF : (__mmask16)((1u << (nc - 16 * v)) - 1);
    const avx512_q::Requant16 r = avx512_q::load_requant16(h, NR, 16 * v);
    // Constant trip counts, fully unrolled: acc must stay in registers (a runtime index would make
    // GCC keep it in memory and spill every vpdpbusd result).
#pragma GCC unroll 32
    for (size_t i = 0; i < MR; i++) {
      if (i >= mr) break;
      _mm512_mask_cvtepi32_storeu_epi8(c + i * c_stride + 16 * v, store_mask, avx512_q::requant16(acc[i][v], r, zp, lo, hi));
    }
  }
}

}  // namespace

#define MN_DEFINE(mr, nv, nr)                                                                                         \
  void qu8_gemm_minmax_gemmlowp_##mr##x##nr##c4__avx512vnni(size_t m, size_t n, size_t k, const uint8_t* a,         \
                                                             size_t as, const void* w, uint8_t* c, size_t cs,         \
                                                             const QOutputParams& o) {                                \
    gemm<false, mr, nv>(m, n, k, a, as, w, c, cs, o);                                                                 \
  }                                                                                                                   \
  void qs8_gemm_minmax_gemmlowp_##mr##x##nr##c4__avx512vnni(size_t m, size_t n, size_t k, const int8_t* a, size_t as, \
                                                             const void* w, int8_t* c, size_t cs,                     \
                                                             const QOutputParams& o) {                                \
    gemm<true, mr, nv>(m, n, k, a, as, w, c, cs, o);                                                                  \
  }
MN_DEFINE(6, 4, 64)
MN_DEFINE(12, 2, 32)
MN_DEFINE(14, 2, 32)
MN_DEFINE(24, 1, 16)
#undef MN_DEFINE

}  // namespace mn::avx512vnni
