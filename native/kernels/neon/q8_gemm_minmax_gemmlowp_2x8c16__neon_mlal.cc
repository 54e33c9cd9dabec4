// qs8 GEMM 2x8c16, NEON without dot product, for weights in [-127, 127] (layout kQS8GemmLayout2x8c16NeonMlal:
// narrow). As XNNPACK's qs8 "c16 neon mlal" kernels: per column, 16 consecutive int8 weights (kr = 16); per 16 k
// and (row, column), smull (8 products of the low halves, int16) + smlal2 (8 more of the high halves, added in
// the same int16 lanes) + sadalp (pairwise into the int32 accumulator): 16 multiply-accumulates in 3 instructions,
// against 4 per instruction for the int16 vmlal_lane kernel (q8_gemm_minmax_gemmlowp_4x8__neon_mlal_lane.cc).
// Exact only because no int16 lane can overflow: |w| <= 127 and |a| <= 128 give |w a| <= 16256 and two of them
// <= 32512 < 32767. A weight of -128 with a = -128 twice would give 32768: the packer refuses -128 for this
// layout and the runtime picks this kernel per layer only when no weight is -128 (qs8_weights_narrow).
// Accumulators hold 4 partial sums per column, reduced with addp once per call. A is never read past kc bytes
// per row: a k remainder goes through a zero-padded copy (weights are zero past kc in the packed panel).
// aarch64 only: 2x8 needs 16 accumulators, armv7 has 16 q registers in all.
#include "q8_neon.h"
#include "q8_neon_requant.h"

#if defined(__aarch64__)

namespace mn::neon {

namespace {

constexpr size_t NR = 8, KR = 16;

// Multiply-accumulate 16 k of rows (va0, va1) into the 16 accumulators, weights at wk (8 columns x 16).
#define MN_COL(n)                                                    \
  {                                                                  \
    const int8x16_t wv = vld1q_s8(wk + (n) * KR);                    \
    int16x8_t p0 = vmull_s8(vget_low_s8(wv), vget_low_s8(va0));      \
    p0 = vmlal_high_s8(p0, wv, va0);                                 \
    acc0[n] = vpadalq_s16(acc0[n], p0);                              \
    if constexpr (MR > 1) {                                          \
      int16x8_t p1 = vmull_s8(vget_low_s8(wv), vget_low_s8(va1));    \
      p1 = vmlal_high_s8(p1, wv, va1);                               \
      acc1[n] = vpadalq_s16(acc1[n], p1);                            \
    }                                                                \
  }
// The same for 8 k (low halves only).
#define MN_COL8(n)                                                   \
  {                                                                  \
    const int8x8_t wv = vld1_s8(wk + (n) * KR);                      \
    acc0[n] = vpadalq_s16(acc0[n], vmull_s8(wv, vget_low_s8(va0)));  \
    if constexpr (MR > 1)                                            \
      acc1[n] = vpadalq_s16(acc1[n], vmull_s8(wv, vget_low_s8(va1)));\
  }

// The last kc % 16 (1..15) bytes of a row, zero padded, without reading past them.
inline int8x16_t load_tail(const int8_t* p, size_t k) {
  if (k == 8) return vcombine_s8(vld1_s8(p), vdup_n_s8(0));
  int8_t buf[16] = {};
  for (size_t i = 0; i < k; i++) buf[i] = p[i];
  return vld1q_s8(buf);
}

// MR = 1 (the batch-1 classifier, a last row tile) or 2 rows.
template <size_t MR>
void gemm(size_t nc, size_t kc, const int8_t* a, size_t a_stride, const void* w, int8_t* c, size_t c_stride,
          const QOutputParams& out) {
  const int32_t* h = (const int32_t*)w;
  const int8_t* wk = (const int8_t*)(h + kQHeaderRows * NR);
  const int8_t* a0 = a;
  const int8_t* a1 = a0 + a_stride;
  int32x4_t acc0[NR], acc1[NR];
  for (size_t n = 0; n < NR; n++) acc0[n] = acc1[n] = vdupq_n_s32(0);
  size_t k = kc;
  for (; k >= KR; k -= KR) {
    const int8x16_t va0 = vld1q_s8(a0), va1 = MR > 1 ? vld1q_s8(a1) : va0;
    a0 += KR;
    a1 += KR;
    MN_COL(0) MN_COL(1) MN_COL(2) MN_COL(3) MN_COL(4) MN_COL(5) MN_COL(6) MN_COL(7)
    wk += NR * KR;
  }
  if (k) {
    const int8x16_t va0 = load_tail(a0, k), va1 = MR > 1 ? load_tail(a1, k) : va0;
    if (k <= 8) {
      MN_COL8(0) MN_COL8(1) MN_COL8(2) MN_COL8(3) MN_COL8(4) MN_COL8(5) MN_COL8(6) MN_COL8(7)
    } else {
      MN_COL(0) MN_COL(1) MN_COL(2) MN_COL(3) MN_COL(4) MN_COL(5) MN_COL(6) MN_COL(7)
    }
  }
#undef MN_COL
#undef MN_COL8
  // Column sums: addp pairs neighbours, twice; then the bias (zero points folded in at pack time).
  const int32x4_t b0 = vld1q_s32(h), b1 = vld1q_s32(h + 4);
  const int32x4_t r0l = vaddq_s32(b0, vpaddq_s32(vpaddq_s32(acc0[0], acc0[1]), vpaddq_s32(acc0[2], acc0[3])));
  const int32x4_t r0h = vaddq_s32(b1, vpaddq_s32(vpaddq_s32(acc0[4], acc0[5]), vpaddq_s32(acc0[6], acc0[7])));
  const neon_q::Requant4 rl = neon_q::load_requant4(h, NR, 0), rh = neon_q::load_requant4(h, NR, 4);
  const neon_q::Out8 o = neon_q::load_out8(out.zero_point, out.min, out.max);
  neon_q::store_partial8(c, neon_q::requant8<true>(r0l, r0h, rl, rh, o, o.fixup), nc);
  if constexpr (MR > 1) {
    const int32x4_t r1l = vaddq_s32(b0, vpaddq_s32(vpaddq_s32(acc1[0], acc1[1]), vpaddq_s32(acc1[2], acc1[3])));
    const int32x4_t r1h = vaddq_s32(b1, vpaddq_s32(vpaddq_s32(acc1[4], acc1[5]), vpaddq_s32(acc1[6], acc1[7])));
    neon_q::store_partial8(c + c_stride, neon_q::requant8<true>(r1l, r1h, rl, rh, o, o.fixup), nc);
  }
}

}  // namespace

void qs8_gemm_minmax_gemmlowp_2x8c16__neon_mlal(size_t mr, size_t nc, size_t kc, const int8_t* a, size_t a_stride,
                                                const void* w, int8_t* c, size_t c_stride, const QOutputParams& out) {
  if (mr > 1) gemm<2>(nc, kc, a, a_stride, w, c, c_stride, out);
  else gemm<1>(nc, kc, a, a_stride, w, c, c_stride, out);
}

}  // namespace mn::neon

#endif  // __aarch64__
