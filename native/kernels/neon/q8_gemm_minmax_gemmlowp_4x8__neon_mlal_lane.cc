// qu8/qs8 GEMM 4x8, NEON without dot product (aarch64 and armv7: Pi 2/3/4, Zero 2). Layout
// kQGemmLayout4x8NeonMlal: header (bias, multiplier, lshift, rshift) x 8 int32, then kc rows of 8
// int16 centered weights (s = w - zw), so acc = bias + sum a * s with no zero-point or row-sum work.
// Per 8 k: one 8-byte load per row widened to int16 (vmovl), 8 weight rows of int16x8, and
// vmlal_lane_s16 (4 MACs each, int16 x int16 -> int32; |a| <= 255, |s| <= 255 cannot overflow).
// A is never read past kc bytes per row: the k remainder goes one k at a time (vmlal_n_s16).
#include "q8_neon.h"
#include "q8_neon_requant.h"

namespace mn::neon {

namespace {

template <typename T>
inline int16x8_t widen(const T* p);
template <>
inline int16x8_t widen<uint8_t>(const uint8_t* p) { return vreinterpretq_s16_u16(vmovl_u8(vld1_u8(p))); }
template <>
inline int16x8_t widen<int8_t>(const int8_t* p) { return vmovl_s8(vld1_s8(p)); }

// Loads that advance their pointer. armv7's vld1 has no immediate offset, and GCC 12 computed every
// address of the unrolled k loop with an add (or base - counter) before its load: 12 extra
// instructions per 64 multiply-accumulates. The post-increment forms (vld1 {..}, [rN]!) as asm
// statements remove them; aarch64 folds offsets into its loads and keeps the intrinsics.
#if defined(__arm__) && !defined(__aarch64__)
inline int16x8_t load_w_next(const int16_t*& p) {
  int16x8_t v;
  asm("vld1.16 {%e0-%f0}, [%1]!" : "=w"(v), "+r"(p) : "m"(*(const int16_t(*)[8])p));
  return v;
}
template <typename T>
inline int16x8_t widen_next(const T*& p) {
  uint8x8_t v;
  asm("vld1.8 {%P0}, [%1]!" : "=w"(v), "+r"(p) : "m"(*(const T(*)[8])p));
  if constexpr (sizeof(T) == 1 && T(-1) > T(0)) return vreinterpretq_s16_u16(vmovl_u8(v));
  else return vmovl_s8(vreinterpret_s8_u8(v));
}
#else
inline int16x8_t load_w_next(const int16_t*& p) {
  const int16x8_t v = vld1q_s16(p);
  p += 8;
  return v;
}
template <typename T>
inline int16x8_t widen_next(const T*& p) {
  const int16x8_t v = widen(p);
  p += 8;
  return v;
}
#endif

#define MN_MLAL_LANE(acc_lo, acc_hi, w, va, lane)                                   \
  acc_lo = vmlal_lane_s16(acc_lo, vget_low_s16(w), va, lane);                       \
  acc_hi = vmlal_lane_s16(acc_hi, vget_high_s16(w), va, lane);

// One 4 x 8 tile (mr rows, nc <= 8 columns) of panel w.
template <bool kFixup, bool kLeft, typename T>
__attribute__((always_inline)) inline void gemm_4x8(size_t mr, size_t nc, size_t kc, const T* a, size_t a_stride,
                                                    const void* w, T* c, size_t c_stride, const neon_q::Out8& o) {
  constexpr size_t NR = 8;
  const int32_t* h = (const int32_t*)w;
  const int16_t* wk = (const int16_t*)(h + kQHeaderRows * NR);
  const T* a0 = a;
  const T* a1 = mr > 1 ? a0 + a_stride : a0;
  const T* a2 = mr > 2 ? a1 + a_stride : a1;
  const T* a3 = mr > 3 ? a2 + a_stride : a2;
  int32x4_t acc0l = vld1q_s32(h), acc0h = vld1q_s32(h + 4);
  int32x4_t acc1l = acc0l, acc1h = acc0h, acc2l = acc0l, acc2h = acc0h, acc3l = acc0l, acc3h = acc0h;

  size_t k = kc;
  for (; k >= 8; k -= 8) {
    const int16x8_t va0 = widen_next(a0), va1 = widen_next(a1), va2 = widen_next(a2), va3 = widen_next(a3);
    const int16x4_t v0l = vget_low_s16(va0), v0h = vget_high_s16(va0), v1l = vget_low_s16(va1),
                    v1h = vget_high_s16(va1), v2l = vget_low_s16(va2), v2h = vget_high_s16(va2),
                    v3l = vget_low_s16(va3), v3h = vget_high_s16(va3);
#define MN_STEP(lo_or_hi0, lo_or_hi1, lo_or_hi2, lo_or_hi3, lane)  \
  {                                                                \
    const int16x8_t wv = load_w_next(wk);                          \
    MN_MLAL_LANE(acc0l, acc0h, wv, lo_or_hi0, lane)                \
    MN_MLAL_LANE(acc1l, acc1h, wv, lo_or_hi1, lane)                \
    MN_MLAL_LANE(acc2l, acc2h, wv, lo_or_hi2, lane)                \
    MN_MLAL_LANE(acc3l, acc3h, wv, lo_or_hi3, lane)                \
  }
    MN_STEP(v0l, v1l, v2l, v3l, 0)
    MN_STEP(v0l, v1l, v2l, v3l, 1)
    MN_STEP(v0l, v1l, v2l, v3l, 2)
    MN_STEP(v0l, v1l, v2l, v3l, 3)
    MN_STEP(v0h, v1h, v2h, v3h, 0)
    MN_STEP(v0h, v1h, v2h, v3h, 1)
    MN_STEP(v0h, v1h, v2h, v3h, 2)
    MN_STEP(v0h, v1h, v2h, v3h, 3)
#undef MN_STEP
  }
  for (; k; k--) {
    const int16x8_t wv = vld1q_s16(wk);
    wk += 8;
    const int16x4_t wl = vget_low_s16(wv), wh = vget_high_s16(wv);
    const int16_t s0 = *a0++, s1 = *a1++, s2 = *a2++, s3 = *a3++;
    acc0l = vmlal_n_s16(acc0l, wl, s0); acc0h = vmlal_n_s16(acc0h, wh, s0);
    acc1l = vmlal_n_s16(acc1l, wl, s1); acc1h = vmlal_n_s16(acc1h, wh, s1);
    acc2l = vmlal_n_s16(acc2l, wl, s2); acc2h = vmlal_n_s16(acc2h, wh, s2);
    acc3l = vmlal_n_s16(acc3l, wl, s3); acc3h = vmlal_n_s16(acc3h, wh, s3);
  }

  const neon_q::Requant4 rl = neon_q::load_requant4(h, NR, 0), rh = neon_q::load_requant4(h, NR, 4);
  const int32x4_t accs[4][2] = {{acc0l, acc0h}, {acc1l, acc1h}, {acc2l, acc2h}, {acc3l, acc3h}};
#pragma GCC unroll 4
  for (size_t i = 0; i < 4; i++) {
    if (i >= mr) break;
    neon_q::store_partial8(c + i * c_stride, neon_q::requant8<(T(-1) < T(0)), kLeft>(accs[i][0], accs[i][1], rl, rh, o, kFixup), nc);
  }
}
#undef MN_MLAL_LANE

// One row (the batch-1 classifier, a last row tile): the 4-row loop would do 4x the multiplies for
// copies of the row. Per 8 k: one A load, 8 weight loads, 16 vmlal (lane form; smlal2 on aarch64), two
// accumulator pairs (even / odd k) so consecutive multiply-accumulates do not wait on each other.
#if defined(__aarch64__)
#define MN_MLAL_X(al, ah, w, x, L)                   \
  al = vmlal_laneq_s16(al, vget_low_s16(w), x, L);  \
  ah = vmlal_high_laneq_s16(ah, w, x, L);
#else
#define MN_MLAL_X(al, ah, w, x, L)                                                                    \
  al = vmlal_lane_s16(al, vget_low_s16(w), (L) < 4 ? vget_low_s16(x) : vget_high_s16(x), (L) & 3);  \
  ah = vmlal_lane_s16(ah, vget_high_s16(w), (L) < 4 ? vget_low_s16(x) : vget_high_s16(x), (L) & 3);
#endif

template <bool kFixup, bool kLeft, typename T>
__attribute__((always_inline)) inline void gemm_1x8(size_t nc, size_t kc, const T* a, const void* w, T* c,
                                                    const neon_q::Out8& o) {
  constexpr size_t NR = 8;
  const int32_t* h = (const int32_t*)w;
  const int16_t* wk = (const int16_t*)(h + kQHeaderRows * NR);
  int32x4_t al = vld1q_s32(h), ah = vld1q_s32(h + 4), bl = vdupq_n_s32(0), bh = vdupq_n_s32(0);
  size_t k = kc;
  for (; k >= 8; k -= 8) {
    const int16x8_t va = widen_next(a);
    const int16x8_t w0 = load_w_next(wk), w1 = load_w_next(wk), w2 = load_w_next(wk), w3 = load_w_next(wk);
    MN_MLAL_X(al, ah, w0, va, 0)
    MN_MLAL_X(bl, bh, w1, va, 1)
    MN_MLAL_X(al, ah, w2, va, 2)
    MN_MLAL_X(bl, bh, w3, va, 3)
    const int16x8_t w4 = load_w_next(wk), w5 = load_w_next(wk), w6 = load_w_next(wk), w7 = load_w_next(wk);
    MN_MLAL_X(al, ah, w4, va, 4)
    MN_MLAL_X(bl, bh, w5, va, 5)
    MN_MLAL_X(al, ah, w6, va, 6)
    MN_MLAL_X(bl, bh, w7, va, 7)
  }
  for (; k; k--) {
    const int16x8_t wv = vld1q_s16(wk);
    wk += 8;
    const int16_t s0 = *a++;
    al = vmlal_n_s16(al, vget_low_s16(wv), s0);
    ah = vmlal_n_s16(ah, vget_high_s16(wv), s0);
  }
  neon_q::store_partial8(c, neon_q::requant8<(T(-1) < T(0)), kLeft>(vaddq_s32(al, bl), vaddq_s32(ah, bh), neon_q::load_requant4(h, NR, 0),
                                                                     neon_q::load_requant4(h, NR, 4), o, kFixup), nc);
}
#undef MN_MLAL_X

// Every row tile of m rows (layout.rows), each over the ceil(nc / 8) panels from w (layout.panels): the call,
// the output constants (a local Out8: from the reference the compiler reloaded it after every uint8_t
// store, which may alias anything) and the callee-saved registers once per call instead of once per 4 x 8
// tile. A last tile of one row runs the one-row loop. kFixup = o.fixup, kLeft = out.left_shift.
template <bool kFixup, bool kLeft, typename T>
__attribute__((noinline)) void gemm_rows(size_t m, size_t nc, size_t kc, const T* a, size_t a_stride, const void* w,
                                         T* c, size_t c_stride, const QOutputParams& out) {
  constexpr size_t MR = 4, NR = 8;
  const size_t panel_bytes = kQHeaderRows * NR * sizeof(int32_t) + kc * NR * sizeof(int16_t);  // kQGemmLayout4x8NeonMlal
  const neon_q::Out8 o = neon_q::load_out8(out.zero_point, out.min, out.max);
  for (size_t i0 = 0; i0 < m; i0 += MR) {
    const size_t mr = m - i0 < MR ? m - i0 : MR;
    const T* ai = a + i0 * a_stride;
    T* ci = c + i0 * c_stride;
    const uint8_t* wp = (const uint8_t*)w;
    for (size_t j = 0; j < nc; j += NR, wp += panel_bytes) {
      const size_t n = nc - j < NR ? nc - j : NR;
      if (mr == 1) gemm_1x8<kFixup, kLeft>(n, kc, ai, wp, ci + j, o);
      else gemm_4x8<kFixup, kLeft>(mr, n, kc, ai, a_stride, wp, ci + j, c_stride, o);
    }
  }
}

template <typename T>
void gemm(size_t m, size_t nc, size_t kc, const T* a, size_t a_stride, const void* w, T* c, size_t c_stride,
          const QOutputParams& out) {
  if (out.min < out.zero_point) {  // neon_q::Out8::fixup
    if (out.left_shift) gemm_rows<true, true>(m, nc, kc, a, a_stride, w, c, c_stride, out);
    else gemm_rows<true, false>(m, nc, kc, a, a_stride, w, c, c_stride, out);
  } else {
    if (out.left_shift) gemm_rows<false, true>(m, nc, kc, a, a_stride, w, c, c_stride, out);
    else gemm_rows<false, false>(m, nc, kc, a, a_stride, w, c, c_stride, out);
  }
}

}  // namespace

void qu8_gemm_minmax_gemmlowp_4x8__neon_mlal_lane(size_t mr, size_t nc, size_t kc, const uint8_t* a, size_t a_stride,
                                                  const void* w, uint8_t* c, size_t c_stride, const QOutputParams& out) {
  gemm(mr, nc, kc, a, a_stride, w, c, c_stride, out);
}
void qs8_gemm_minmax_gemmlowp_4x8__neon_mlal_lane(size_t mr, size_t nc, size_t kc, const int8_t* a, size_t a_stride,
                                                  const void* w, int8_t* c, size_t c_stride, const QOutputParams& out) {
  gemm(mr, nc, kc, a, a_stride, w, c, c_stride, out);
}

}  // namespace mn::neon
