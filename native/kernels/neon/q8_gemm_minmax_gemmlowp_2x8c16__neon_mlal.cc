// qs8 GEMM 2x8c16, NEON without dot product, for weights in [-127, 127] (layout kQS8GemmLayout2x8c16NeonMlal:
// narrow). As XNNPACK's qs8 "c16 neon mlal" kernels: per column, 16 consecutive int8 weights (kr = 16); per 16 k
// and (row, column), smull (8 products of the low halves, int16) + smlal2 (8 more of the high halves, added in
// the same int16 lanes) + sadalp (pairwise into the int32 accumulator): 16 multiply-accumulates in 3 instructions,
// against 4 per instruction for the int16 vmlal_lane kernel (q8_gemm_minmax_gemmlowp_4x8__neon_mlal_lane.cc).
// Exact only because no int16 lane can overflow: |w| <= 127 and |a| <= 128 give |w a| <= 16256 and two of them
// <= 32512 < 32767. A weight of -128 with a = -128 twice would give 32768: the packer refuses -128 for this
// layout and the runtime picks this kernel per layer only when no weight is -128 (qs8_weights_narrow).
// Accumulators hold 4 partial sums per column, reduced with addp once per call. kc a multiple of 8 (every
// MobileNet layer) runs the assembly loop (whole 16-k steps, then one 8-k step on the low halves); other kc and
// single rows run the intrinsics version, whose k remainder goes through a zero-padded copy, so A is never read
// past kc bytes per row (weights are zero past kc in the packed panel).
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

// Column sums of 8 accumulators (4 partial sums each): addp pairs neighbours, twice. lo: columns 0-3, hi: 4-7.
inline void reduce8(const int32x4_t* acc, int32x4_t& lo, int32x4_t& hi) {
  lo = vpaddq_s32(vpaddq_s32(acc[0], acc[1]), vpaddq_s32(acc[2], acc[3]));
  hi = vpaddq_s32(vpaddq_s32(acc[4], acc[5]), vpaddq_s32(acc[6], acc[7]));
}

// The 2-row kernel's reduction as assembly, for kc a multiple of 8: `steps` whole 16-k steps, then `half` (0 or
// 1) 8-k step, and the column sums (4 addp per 8 columns). Compiled from intrinsics, GCC 12 computed all 32
// products of a step before accumulating and spilled 4 of the 16 accumulators (8 loads/stores per step). Here
// the temporaries are v0-v7 and the accumulators the 16 caller-saved v16-v31 (nothing to save): 56
// instructions per 16 k (2 A loads, 4 weight pairs, 16 x smull + smlal2 + sadalp, counter and branch); the
// first step starts the accumulators with saddlp (no zeroing). The 8-k step uses the low halves of the
// weight groups (the packed panel is zero past kc anyway).
#define MN_PAIR(op, x0, x1, y0, y1)                                                                     \
  "ldp q2, q3, [%[w]], #32\n"                                                                           \
  "smull v4.8h, v2.8b, v0.8b\n smull v5.8h, v2.8b, v1.8b\n"                                              \
  "smull v6.8h, v3.8b, v0.8b\n smull v7.8h, v3.8b, v1.8b\n"                                              \
  "smlal2 v4.8h, v2.16b, v0.16b\n smlal2 v5.8h, v2.16b, v1.16b\n"                                        \
  "smlal2 v6.8h, v3.16b, v0.16b\n smlal2 v7.8h, v3.16b, v1.16b\n"                                        \
  op " " x0 ".4s, v4.8h\n " op " " x1 ".4s, v5.8h\n " op " " y0 ".4s, v6.8h\n " op " " y1 ".4s, v7.8h\n"
#define MN_HPAIR(op, x0, x1, y0, y1)                                                                    \
  "ldp q2, q3, [%[w]], #32\n"                                                                           \
  "smull v4.8h, v2.8b, v0.8b\n smull v5.8h, v2.8b, v1.8b\n"                                              \
  "smull v6.8h, v3.8b, v0.8b\n smull v7.8h, v3.8b, v1.8b\n"                                              \
  op " " x0 ".4s, v4.8h\n " op " " x1 ".4s, v5.8h\n " op " " y0 ".4s, v6.8h\n " op " " y1 ".4s, v7.8h\n"
#define MN_STEP(P, op, ld)                                                                              \
  ld "0, [%[a0]], #" MN_STR(P) "\n " ld "1, [%[a1]], #" MN_STR(P) "\n"                                 \
  MN_##P(op, "v16", "v24", "v17", "v25") MN_##P(op, "v18", "v26", "v19", "v27")                        \
  MN_##P(op, "v20", "v28", "v21", "v29") MN_##P(op, "v22", "v30", "v23", "v31")
#define MN_16 MN_PAIR
#define MN_8 MN_HPAIR
#define MN_STR2(x) #x
#define MN_STR(x) MN_STR2(x)
inline void sums_2x8(size_t steps, size_t half, const int8_t* a0, const int8_t* a1, const int8_t* w, int32x4_t& s0l,
                     int32x4_t& s0h, int32x4_t& s1l, int32x4_t& s1h) {
  // The sums stay in accumulator registers (else GCC picks callee-saved v8-v15 and saves them).
  register int32x4_t r0l asm("v16"), r0h asm("v20"), r1l asm("v24"), r1h asm("v28");
  asm volatile(
      "cbz %[steps], 3f\n"
      MN_STEP(16, "saddlp", "ldr q")
      "subs %[steps], %[steps], #1\n"
      "b.eq 2f\n"
      "1:\n"
      MN_STEP(16, "sadalp", "ldr q")
      "subs %[steps], %[steps], #1\n"
      "b.ne 1b\n"
      "2:\n"
      "cbz %[half], 4f\n"
      MN_STEP(8, "sadalp", "ldr d")
      "b 4f\n"
      "3:\n"
      MN_STEP(8, "saddlp", "ldr d")
      "4:\n"
      "addp v16.4s, v16.4s, v17.4s\n addp v18.4s, v18.4s, v19.4s\n addp %[r0l].4s, v16.4s, v18.4s\n"
      "addp v20.4s, v20.4s, v21.4s\n addp v22.4s, v22.4s, v23.4s\n addp %[r0h].4s, v20.4s, v22.4s\n"
      "addp v24.4s, v24.4s, v25.4s\n addp v26.4s, v26.4s, v27.4s\n addp %[r1l].4s, v24.4s, v26.4s\n"
      "addp v28.4s, v28.4s, v29.4s\n addp v30.4s, v30.4s, v31.4s\n addp %[r1h].4s, v28.4s, v30.4s\n"
      : [a0] "+r"(a0), [a1] "+r"(a1), [w] "+r"(w), [steps] "+r"(steps), [r0l] "=w"(r0l), [r0h] "=w"(r0h),
        [r1l] "=w"(r1l), [r1h] "=w"(r1h)
      : [half] "r"(half)
      : "memory", "cc", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v17", "v18", "v19", "v21", "v22", "v23",
        "v25", "v26", "v27", "v29", "v30", "v31");
  s0l = r0l;
  s0h = r0h;
  s1l = r1l;
  s1h = r1h;
}
#undef MN_STEP
#undef MN_PAIR
#undef MN_HPAIR
#undef MN_16
#undef MN_8
#undef MN_STR
#undef MN_STR2

// Adds the products of k columns (any k) of 1 or 2 rows to the column sums r[0..3] (row 0 lo/hi, row 1 lo/hi),
// with intrinsics (1 row: 8 accumulators, no spills).
template <size_t MR>
inline void accumulate(size_t k, const int8_t* a0, const int8_t* a1, const int8_t* wk, int32x4_t* r) {
  int32x4_t acc0[NR], acc1[NR];
  for (size_t n = 0; n < NR; n++) acc0[n] = acc1[n] = vdupq_n_s32(0);
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
  int32x4_t lo, hi;
  reduce8(acc0, lo, hi);
  r[0] = vaddq_s32(r[0], lo);
  r[1] = vaddq_s32(r[1], hi);
  if constexpr (MR > 1) {
    reduce8(acc1, lo, hi);
    r[2] = vaddq_s32(r[2], lo);
    r[3] = vaddq_s32(r[3], hi);
  }
}
#undef MN_COL
#undef MN_COL8

// Requantizes and stores rows (r[0], r[1]) and, for MR = 2, (r[2], r[3]), each with the bias added.
template <size_t MR>
inline void store_rows(size_t nc, const int32_t* h, const int32x4_t* r, int8_t* c, size_t c_stride,
                       const QOutputParams& out) {
  const int32x4_t bl = vld1q_s32(h), bh = vld1q_s32(h + 4);  // bias, zero points folded in at pack time
  const neon_q::Requant4 rl = neon_q::load_requant4(h, NR, 0), rh = neon_q::load_requant4(h, NR, 4);
  const neon_q::Out8 o = neon_q::load_out8(out.zero_point, out.min, out.max);
  neon_q::store_partial8(c, neon_q::requant8<true>(vaddq_s32(r[0], bl), vaddq_s32(r[1], bh), rl, rh, o, o.fixup), nc);
  if constexpr (MR > 1)
    neon_q::store_partial8(c + c_stride, neon_q::requant8<true>(vaddq_s32(r[2], bl), vaddq_s32(r[3], bh), rl, rh, o, o.fixup), nc);
}

// 1 row (the batch-1 classifier, a last row tile) or any kc not a multiple of 8, with intrinsics.
template <size_t MR>
__attribute__((noinline)) void gemm_any_k(size_t nc, size_t kc, const int8_t* a, size_t a_stride, const void* w,
                                          int8_t* c, size_t c_stride, const QOutputParams& out) {
  const int32_t* h = (const int32_t*)w;
  int32x4_t r[4] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
  accumulate<MR>(kc, a, a + a_stride, (const int8_t*)(h + kQHeaderRows * NR), r);
  store_rows<MR>(nc, h, r, c, c_stride, out);
}

}  // namespace

void qs8_gemm_minmax_gemmlowp_2x8c16__neon_mlal(size_t mr, size_t nc, size_t kc, const int8_t* a, size_t a_stride,
                                                const void* w, int8_t* c, size_t c_stride, const QOutputParams& out) {
  if (mr == 1) return gemm_any_k<1>(nc, kc, a, a_stride, w, c, c_stride, out);
  if (kc % 8 != 0) return gemm_any_k<2>(nc, kc, a, a_stride, w, c, c_stride, out);
  const int32_t* h = (const int32_t*)w;
  int32x4_t r[4];
  sums_2x8(kc / 16, (kc / 8) % 2, a, a + a_stride, (const int8_t*)(h + kQHeaderRows * NR), r[0], r[1], r[2], r[3]);
  store_rows<2>(nc, h, r, c, c_stride, out);
}

}  // namespace mn::neon

#endif  // __aarch64__
