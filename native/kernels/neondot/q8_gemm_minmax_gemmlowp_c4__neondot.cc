// qu8/qs8 GEMM MR x (4 NV), k in groups of 4 (c4), AArch64 udot/sdot. Layout (q8_neondot.h): header
// x NR int32 (qu8 adds the row-sum factor h = -zw), then ceil(kc/4) groups of NR x 4 weights: one
// 16-byte load = 4 columns x 4 k, the by-element dot product's operand.
// Per 16 k: one 16-byte A load per row, 4 NV weight loads, 4 MR NV vdotq_laneq (then 8 k and 4 k
// steps for the remainder). qu8 multiplies raw uint8 by uint8 (udot) and adds row_sum(a) * h: the row
// sums come from one more udot per row per step (the A bytes already in a register against ones),
// cheaper than a separate pass over A for every column panel; qs8 weights are symmetric, so sdot needs no correction. A is never read past kc
// bytes per row: the last partial group of 4 is copied to a zero-padded buffer. One row (the batch-1
// classifier, a last row tile) runs the same loop instantiated for MR = 1: no dots for copied rows.
// The first conv 3x3 s2 runs as this GEMM over gathered pixel rows (conv below).
#include <arm_neon.h>

#include <cstring>

#include "../neon/q8_neon_requant.h"
#include "q8_neondot.h"

namespace mn::neondot {

namespace {

// dotq: the by-element dot product of the 16-k loop as an asm statement with the accumulator tied in
// place ("+w"): with the vdotq_laneq intrinsics GCC 12 added about one vector move per 10 dot products
// (accumulators rotated between registers); the instruction is the same.
template <bool kS8>
struct Ops;
template <>
struct Ops<false> {
  using V = uint32x4_t;
  using B16 = uint8x16_t;
  using B8 = uint8x8_t;
  static B16 wload(const uint8_t* p) { return vld1q_u8(p); }
  static B8 aload8(const void* p) { return vld1_u8((const uint8_t*)p); }
  static B16 aload16(const void* p) { return vld1q_u8((const uint8_t*)p); }
  static B8 aload4(const void* p) {
    uint32_t x;
    std::memcpy(&x, p, 4);
    return vreinterpret_u8_u32(vdup_n_u32(x));
  }
  template <int lane>
  static V dot(V acc, B16 w, B8 a) { return vdotq_lane_u32(acc, w, a, lane); }
  template <int lane>
  static V dotq(V acc, B16 w, B16 a) {
    asm("udot %0.4s, %1.16b, %2.4b[%3]" : "+w"(acc) : "w"(w), "w"(a), "i"(lane));
    return acc;
  }
  static int32x4_t s32(V v) { return vreinterpretq_s32_u32(v); }
  static V from_s32(int32x4_t v) { return vreinterpretq_u32_s32(v); }
};
template <>
struct Ops<true> {
  using V = int32x4_t;
  using B16 = int8x16_t;
  using B8 = int8x8_t;
  static B16 wload(const uint8_t* p) { return vld1q_s8((const int8_t*)p); }
  static B8 aload8(const void* p) { return vld1_s8((const int8_t*)p); }
  static B16 aload16(const void* p) { return vld1q_s8((const int8_t*)p); }
  static B8 aload4(const void* p) {
    int32_t x;
    std::memcpy(&x, p, 4);
    return vreinterpret_s8_s32(vdup_n_s32(x));
  }
  template <int lane>
  static V dot(V acc, B16 w, B8 a) { return vdotq_lane_s32(acc, w, a, lane); }
  template <int lane>
  static V dotq(V acc, B16 w, B16 a) {
    asm("sdot %0.4s, %1.16b, %2.4b[%3]" : "+w"(acc) : "w"(w), "w"(a), "i"(lane));
    return acc;
  }
  static int32x4_t s32(V v) { return v; }
  static V from_s32(int32x4_t v) { return v; }
};

// One 4 x NR panel of a call (gemm below). kSums (qu8): this panel computes the A row sums into rowsum
// (lane i of rowsum[g]: row 4g + i); later panels of the call reuse them instead of one more udot per row
// per 16 k. Returns the next panel's header.
template <bool kS8, size_t MR, size_t NV, bool kSums, bool kFixup, typename T>
__attribute__((always_inline)) inline const uint8_t* panel(size_t mr, size_t nc, size_t kc, const T* const* a0,
                                                           const uint8_t* wp, T* c, size_t c_stride,
                                                           const neon_q::Out8& o, int32x4_t* rowsum) {
  using O = Ops<kS8>;
  constexpr size_t NR = 4 * NV;
  constexpr size_t kRows = kQHeaderRows + (kS8 ? 0 : 1);
  const int32_t* h = (const int32_t*)wp;
  const uint8_t* wk = (const uint8_t*)(h + kRows * NR);

  const T* ap[MR];
  typename O::V acc[MR][NV];
  uint32x4_t rs16[MR];  // qu8: row sums of A (16-k loop), four partial lanes
#pragma GCC unroll 16
  for (size_t i = 0; i < MR; i++) {
    ap[i] = a0[i];
    rs16[i] = vdupq_n_u32(0);
#pragma GCC unroll 8
    for (size_t v = 0; v < NV; v++) acc[i][v] = O::from_s32(vld1q_s32(h + 4 * v));
  }

  size_t k = kc;
  const uint8x16_t ones16 = vdupq_n_u8(1);
  for (; k >= 16; k -= 16) {  // 16 k: one 16-byte A load per row, 4 NV weight loads, 16 MR NV dots
    typename O::B16 va[MR];
#pragma GCC unroll 16
    for (size_t i = 0; i < MR; i++) {
      va[i] = O::aload16(ap[i]);
      ap[i] += 16;
      if constexpr (!kS8 && kSums) rs16[i] = vdotq_u32(rs16[i], va[i], ones16);
    }
#define MN_DOTQ(L)                                                                              \
  _Pragma("GCC unroll 8") for (size_t v = 0; v < NV; v++) {                                     \
    const typename O::B16 wv = O::wload(wk + 16 * ((L) * NV + v));                             \
    _Pragma("GCC unroll 16") for (size_t i = 0; i < MR; i++) acc[i][v] = O::template dotq<L>(acc[i][v], wv, va[i]); \
  }
    MN_DOTQ(0)
    MN_DOTQ(1)
    MN_DOTQ(2)
    MN_DOTQ(3)
#undef MN_DOTQ
    wk += 64 * NV;
  }
  // The k remainder (< 16) adds its row sums to rs16 too: 8 bytes widened to 16 with zeros (qu8 only).
  const uint8x16_t ones4 = vcombine_u8(vcreate_u8(0x01010101u), vdup_n_u8(0));
  for (; k >= 8; k -= 8) {
    // Each weight vector is used by every row right after its load: 16 accumulators, 4 row sums, 4 A
    // vectors and a few weight vectors stay within the 32 registers (all 8 weights at once spill).
    typename O::B8 va[MR];
#pragma GCC unroll 16
    for (size_t i = 0; i < MR; i++) {
      va[i] = O::aload8(ap[i]);
      ap[i] += 8;
      if constexpr (!kS8 && kSums) rs16[i] = vdotq_u32(rs16[i], vcombine_u8(va[i], vdup_n_u8(0)), ones16);
    }
#pragma GCC unroll 8
    for (size_t v = 0; v < NV; v++) {
      const typename O::B16 w0 = O::wload(wk + 16 * v);
#pragma GCC unroll 16
      for (size_t i = 0; i < MR; i++) acc[i][v] = O::template dot<0>(acc[i][v], w0, va[i]);
    }
#pragma GCC unroll 8
    for (size_t v = 0; v < NV; v++) {
      const typename O::B16 w1 = O::wload(wk + 16 * (NV + v));
#pragma GCC unroll 16
      for (size_t i = 0; i < MR; i++) acc[i][v] = O::template dot<1>(acc[i][v], w1, va[i]);
    }
    wk += 32 * NV;
  }
  while (k) {  // one group of 4 (the last may be partial: zero-padded copy)
    typename O::B16 w0[NV];
#pragma GCC unroll 8
    for (size_t v = 0; v < NV; v++) w0[v] = O::wload(wk + 16 * v);
    wk += 16 * NV;
    const size_t n = k < 4 ? k : 4;
#pragma GCC unroll 16
    for (size_t i = 0; i < MR; i++) {
      T buf[4] = {0, 0, 0, 0};
      std::memcpy(buf, ap[i], n);
      ap[i] += n;
      const typename O::B8 va = O::aload4(buf);  // the 4 bytes in both halves: summed once (ones4)
      if constexpr (!kS8 && kSums) rs16[i] = vdotq_u32(rs16[i], vcombine_u8(va, va), ones4);
#pragma GCC unroll 8
      for (size_t v = 0; v < NV; v++) acc[i][v] = O::template dot<0>(acc[i][v], w0[v], va);
    }
    k -= n;
  }

  if constexpr (!kS8) {  // + row_sum(a) * h, h = -zw (header row kQHeaderRows)
    constexpr size_t G = (MR + 3) / 4;
    if constexpr (kSums) {
      if constexpr (MR % 4 == 0) {  // 4 rows' sums in one vector: pairwise adds
#pragma GCC unroll 4
        for (size_t g = 0; g < G; g++)
          rowsum[g] = vreinterpretq_s32_u32(
              vpaddq_u32(vpaddq_u32(rs16[4 * g], rs16[4 * g + 1]), vpaddq_u32(rs16[4 * g + 2], rs16[4 * g + 3])));
      } else {
        static_assert(MR == 1, "row sums: MR is 1 or a multiple of 4");
        rowsum[0] = vdupq_n_s32((int32_t)vaddvq_u32(rs16[0]));
      }
    }
    const int32_t hz = h[kQHeaderRows * NR];
#pragma GCC unroll 4
    for (size_t g = 0; g < G; g++) {
      const int32x4_t corr = vmulq_n_s32(rowsum[g], hz);
      const int32x4_t c4[4] = {vdupq_laneq_s32(corr, 0), vdupq_laneq_s32(corr, 1), vdupq_laneq_s32(corr, 2),
                               vdupq_laneq_s32(corr, 3)};
#pragma GCC unroll 4
      for (size_t i = 0; i < (MR < 4 ? MR : 4); i++)  // MR is 1 or a multiple of 4
#pragma GCC unroll 8
        for (size_t v = 0; v < NV; v++) acc[4 * g + i][v] = O::from_s32(vaddq_s32(O::s32(acc[4 * g + i][v]), c4[i]));
    }
  }
  if (NV % 4 == 0 && mr == MR && nc >= NR) {  // a full tile: 16 columns per clamp and store, no tail tests
#pragma GCC unroll 4
    for (size_t v4 = 0; v4 < NV / 4; v4++) {
      neon_q::Requant4 r[4];
#pragma GCC unroll 4
      for (size_t j = 0; j < 4; j++) r[j] = neon_q::load_requant4(h, NR, 16 * v4 + 4 * j);
#pragma GCC unroll 16
      for (size_t i = 0; i < MR; i++) {
        const int32x4_t x[4] = {O::s32(acc[i][4 * v4]), O::s32(acc[i][4 * v4 + 1]), O::s32(acc[i][4 * v4 + 2]),
                                O::s32(acc[i][4 * v4 + 3])};
        vst1q_u8((uint8_t*)(c + i * c_stride + 16 * v4), neon_q::requant16<kS8>(x, r, o, kFixup));
      }
    }
    return wk;
  }
#pragma GCC unroll 4
  for (size_t v2 = 0; v2 < NV / 2; v2++) {  // 8 columns at a time
    if (8 * v2 >= nc) break;
    const size_t n8 = nc - 8 * v2 < 8 ? nc - 8 * v2 : 8;
    const neon_q::Requant4 rl = neon_q::load_requant4(h, NR, 8 * v2), rh = neon_q::load_requant4(h, NR, 8 * v2 + 4);
#pragma GCC unroll 16
    for (size_t i = 0; i < MR; i++) {
      if (i >= mr) break;
      const uint8x8_t bytes = neon_q::requant8<kS8>(O::s32(acc[i][2 * v2]), O::s32(acc[i][2 * v2 + 1]), rl, rh, o, kFixup);
      neon_q::store_partial8(c + i * c_stride + 8 * v2, bytes, n8);
    }
  }
  return wk;
}

// One call covers ceil(nc / NR) consecutive panels (layout.panels): the row pointers, callee-saved
// registers, output constants and (qu8) A row sums are set up once per call, not once per 4 x 16 tile
// (about 200 instructions a tile outside the k loop before, the pointwise layers' main overhead at small K).
// kFixup = o.fixup as a constant (no test per output row).
template <bool kS8, size_t MR, size_t NV, bool kFixup, typename T>
inline void gemm_panels(size_t mr, size_t nc, size_t kc, const T* a, size_t a_stride, const void* w, T* c,
                        size_t c_stride, const neon_q::Out8& o) {
  constexpr size_t NR = 4 * NV;
  const T* a0[MR];
#pragma GCC unroll 16
  for (size_t i = 0; i < MR; i++) a0[i] = a + (i < mr ? i : mr - 1) * a_stride;
  int32x4_t rowsum[(MR + 3) / 4];
  const uint8_t* wp = panel<kS8, MR, NV, true, kFixup>(mr, nc, kc, a0, (const uint8_t*)w, c, c_stride, o, rowsum);
  for (; nc > NR; nc -= NR) {
    c += NR;
    wp = panel<kS8, MR, NV, false, kFixup>(mr, nc - NR, kc, a0, wp, c, c_stride, o, rowsum);
  }
}
template <bool kS8, size_t MR, size_t NV, typename T>
inline void gemm(size_t mr, size_t nc, size_t kc, const T* a, size_t a_stride, const void* w, T* c, size_t c_stride,
                 const QOutputParams& out) {
  const neon_q::Out8 o = neon_q::load_out8(out.zero_point, out.min, out.max);
  if (o.fixup) gemm_panels<kS8, MR, NV, true>(mr, nc, kc, a, a_stride, w, c, c_stride, o);
  else gemm_panels<kS8, MR, NV, false>(mr, nc, kc, a, a_stride, w, c, c_stride, o);
}

// First conv 3x3 s2 (3 -> out_c) as the 4x16 GEMM above over gathered pixels (XNNPACK runs it as a dot-product
// GEMM too): each output pixel's 27 taps (za where the window leaves the input, then a 0 byte) form a 28-byte
// row of A, up to kPixels pixels of an output row at a time; the weights are the [c_out x 27] GEMM panels of
// kQ?8GemmLayout4x16 (QTapsLayout::as_gemm; 7 groups of 4 k, the 28th k zero padding; the 0 byte keeps qu8's
// row sums to the 27 taps). One GEMM call per 4 pixels covers every output channel (layout.panels).
template <bool kS8, typename T>
void conv(const QConvParams<T>& p, size_t oy_begin, size_t oy_end) {
  constexpr size_t kPixels = 64, kK = 28, MR = 4;
  alignas(16) T rows[kPixels * kK];
  const size_t W = p.in_w, row_bytes = W * 3;
  for (size_t oy = oy_begin; oy < oy_end; oy++) {
    const ptrdiff_t iy0 = (ptrdiff_t)(oy * 2) - (ptrdiff_t)p.pad_top;
    const bool rows_in = iy0 >= 0 && iy0 + 2 < (ptrdiff_t)p.in_h;
    for (size_t ox0 = 0; ox0 < p.out_w; ox0 += kPixels) {
      const size_t n = p.out_w - ox0 < kPixels ? p.out_w - ox0 : kPixels;
      for (size_t i = 0; i < n; i++) {
        T* row = rows + i * kK;
        const ptrdiff_t ix0 = (ptrdiff_t)((ox0 + i) * 2) - (ptrdiff_t)p.pad_left;
        if (rows_in && ix0 >= 0 && ix0 + 2 < (ptrdiff_t)W) {  // each kernel row is 9 contiguous bytes
          const T* r0 = p.input + ((size_t)iy0 * W + (size_t)ix0) * 3;
          std::memcpy(row, r0, 9);
          std::memcpy(row + 9, r0 + row_bytes, 9);
          std::memcpy(row + 18, r0 + 2 * row_bytes, 9);
        } else {
          for (size_t ky = 0; ky < 3; ky++)
            for (size_t kx = 0; kx < 3; kx++) {
              const ptrdiff_t iy = iy0 + (ptrdiff_t)ky, ix = ix0 + (ptrdiff_t)kx;
              const bool inside = iy >= 0 && iy < (ptrdiff_t)p.in_h && ix >= 0 && ix < (ptrdiff_t)W;
              const T* px = p.input + ((size_t)(inside ? iy : 0) * W + (size_t)(inside ? ix : 0)) * 3;
              for (size_t ci = 0; ci < 3; ci++) row[(ky * 3 + kx) * 3 + ci] = inside ? px[ci] : (T)p.input_zero_point;
            }
        }
        row[27] = 0;
      }
      T* out = p.output + (oy * p.out_w + ox0) * p.out_c;
      for (size_t i = 0; i < n; i += MR) {
        const size_t mr = n - i < MR ? n - i : MR;
        if (mr == 1) gemm<kS8, 1, 4>(1, p.out_c, kK, rows + i * kK, kK, p.weights, out + i * p.out_c, p.out_c, p.out);
        else gemm<kS8, MR, 4>(mr, p.out_c, kK, rows + i * kK, kK, p.weights, out + i * p.out_c, p.out_c, p.out);
      }
    }
  }
}

}  // namespace

void qu8_conv3x3s2_minmax_gemmlowp__neondot(const QConvParams<uint8_t>& p, size_t oy_begin, size_t oy_end) {
  conv<false>(p, oy_begin, oy_end);
}
void qs8_conv3x3s2_minmax_gemmlowp__neondot(const QConvParams<int8_t>& p, size_t oy_begin, size_t oy_end) {
  conv<true>(p, oy_begin, oy_end);
}

#define MN_DEFINE(mr, nv, nr)                                                                                        \
  void qu8_gemm_minmax_gemmlowp_##mr##x##nr##c4__neondot(size_t m, size_t n, size_t k, const uint8_t* a, size_t as, \
                                                         const void* w, uint8_t* c, size_t cs,                        \
                                                         const QOutputParams& o) {                                    \
    if (m == 1) gemm<false, 1, nv>(m, n, k, a, as, w, c, cs, o);                                                     \
    else gemm<false, mr, nv>(m, n, k, a, as, w, c, cs, o);                                                             \
  }                                                                                                                  \
  void qs8_gemm_minmax_gemmlowp_##mr##x##nr##c4__neondot(size_t m, size_t n, size_t k, const int8_t* a, size_t as,  \
                                                         const void* w, int8_t* c, size_t cs,                         \
                                                         const QOutputParams& o) {                                    \
    if (m == 1) gemm<true, 1, nv>(m, n, k, a, as, w, c, cs, o);                                                      \
    else gemm<true, mr, nv>(m, n, k, a, as, w, c, cs, o);                                                              \
  }
MN_DEFINE(4, 4, 16)
MN_DEFINE(4, 2, 8)
MN_DEFINE(8, 2, 8)
#undef MN_DEFINE

}  // namespace mn::neondot
