// qu8/qs8 GEMM MR x (4 NV), k in groups of 4 (c4), AArch64 udot/sdot. Layout (q8_neondot.h): header
// x NR int32 (qu8 adds the row-sum factor h = -zw), then ceil(kc/4) groups of NR x 4 weights: one
// 16-byte load = 4 columns x 4 k, the by-element dot product's operand.
// Per 16 k: one 16-byte A load per row, 4 NV weight loads, 4 MR NV vdotq_laneq (then 8 k and 4 k
// steps for the remainder); for the 4x16 tile and k >= 32 that loop is one asm statement (MN_LOOP16_4x16).
// One call covers any number of rows and columns (layout.rows, layout.panels). qu8 multiplies raw uint8 by uint8 (udot) and adds row_sum(a) * h: the row
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

// The 16-k loop of the 4 x 16 tile (MR = 4, NV = 4: every pointwise layer) for k >= 32, as one asm
// statement: the 16 accumulators in v16-v31 (from the bias row h, stored to accm at the end), per 16 k
// 4 A loads, for each k lane one ld1 of its 4 weight vectors (64 bytes) into v4-v7 and 16 dot products,
// loads post-incremented, subs/b.ne. With intrinsics GCC hoisted all 16 weight vectors above the dots (36
// live vectors: spills) or split them into single loads: 82-89 instructions per 16 k against 74 here (+ 4
// udot row sums for qu8's first panel, SUMS). An asm operand list holds at most 30 operands, so the
// accumulators cannot be register operands; the store and reload cost ~13 instructions per tile. No "memory"
// clobber: it reads only A and the weights, which nothing in this call writes (the bias row h is an "m" input).
#define MN_LOOP16_4x16(DOT, SUMS) \
  "ld1 {v16.16b, v17.16b, v18.16b, v19.16b}, [%[h]]\n" \
  "mov v20.16b, v16.16b\n" \
  "mov v21.16b, v17.16b\n" \
  "mov v22.16b, v18.16b\n" \
  "mov v23.16b, v19.16b\n" \
  "mov v24.16b, v16.16b\n" \
  "mov v25.16b, v17.16b\n" \
  "mov v26.16b, v18.16b\n" \
  "mov v27.16b, v19.16b\n" \
  "mov v28.16b, v16.16b\n" \
  "mov v29.16b, v17.16b\n" \
  "mov v30.16b, v18.16b\n" \
  "mov v31.16b, v19.16b\n" \
  "1:\n" \
  "ldr q0, [%[a0]], #16\n" \
  "ldr q1, [%[a1]], #16\n" \
  "ldr q2, [%[a2]], #16\n" \
  "ldr q3, [%[a3]], #16\n" \
  "ld1 {v4.16b, v5.16b, v6.16b, v7.16b}, [%[w]], #64\n" \
  DOT " v16.4s, v4.16b, v0.4b[0]\n" \
  DOT " v20.4s, v4.16b, v1.4b[0]\n" \
  DOT " v24.4s, v4.16b, v2.4b[0]\n" \
  DOT " v28.4s, v4.16b, v3.4b[0]\n" \
  DOT " v17.4s, v5.16b, v0.4b[0]\n" \
  DOT " v21.4s, v5.16b, v1.4b[0]\n" \
  DOT " v25.4s, v5.16b, v2.4b[0]\n" \
  DOT " v29.4s, v5.16b, v3.4b[0]\n" \
  DOT " v18.4s, v6.16b, v0.4b[0]\n" \
  DOT " v22.4s, v6.16b, v1.4b[0]\n" \
  DOT " v26.4s, v6.16b, v2.4b[0]\n" \
  DOT " v30.4s, v6.16b, v3.4b[0]\n" \
  DOT " v19.4s, v7.16b, v0.4b[0]\n" \
  DOT " v23.4s, v7.16b, v1.4b[0]\n" \
  DOT " v27.4s, v7.16b, v2.4b[0]\n" \
  DOT " v31.4s, v7.16b, v3.4b[0]\n" \
  "ld1 {v4.16b, v5.16b, v6.16b, v7.16b}, [%[w]], #64\n" \
  DOT " v16.4s, v4.16b, v0.4b[1]\n" \
  DOT " v20.4s, v4.16b, v1.4b[1]\n" \
  DOT " v24.4s, v4.16b, v2.4b[1]\n" \
  DOT " v28.4s, v4.16b, v3.4b[1]\n" \
  DOT " v17.4s, v5.16b, v0.4b[1]\n" \
  DOT " v21.4s, v5.16b, v1.4b[1]\n" \
  DOT " v25.4s, v5.16b, v2.4b[1]\n" \
  DOT " v29.4s, v5.16b, v3.4b[1]\n" \
  DOT " v18.4s, v6.16b, v0.4b[1]\n" \
  DOT " v22.4s, v6.16b, v1.4b[1]\n" \
  DOT " v26.4s, v6.16b, v2.4b[1]\n" \
  DOT " v30.4s, v6.16b, v3.4b[1]\n" \
  DOT " v19.4s, v7.16b, v0.4b[1]\n" \
  DOT " v23.4s, v7.16b, v1.4b[1]\n" \
  DOT " v27.4s, v7.16b, v2.4b[1]\n" \
  DOT " v31.4s, v7.16b, v3.4b[1]\n" \
  "ld1 {v4.16b, v5.16b, v6.16b, v7.16b}, [%[w]], #64\n" \
  DOT " v16.4s, v4.16b, v0.4b[2]\n" \
  DOT " v20.4s, v4.16b, v1.4b[2]\n" \
  DOT " v24.4s, v4.16b, v2.4b[2]\n" \
  DOT " v28.4s, v4.16b, v3.4b[2]\n" \
  DOT " v17.4s, v5.16b, v0.4b[2]\n" \
  DOT " v21.4s, v5.16b, v1.4b[2]\n" \
  DOT " v25.4s, v5.16b, v2.4b[2]\n" \
  DOT " v29.4s, v5.16b, v3.4b[2]\n" \
  DOT " v18.4s, v6.16b, v0.4b[2]\n" \
  DOT " v22.4s, v6.16b, v1.4b[2]\n" \
  DOT " v26.4s, v6.16b, v2.4b[2]\n" \
  DOT " v30.4s, v6.16b, v3.4b[2]\n" \
  DOT " v19.4s, v7.16b, v0.4b[2]\n" \
  DOT " v23.4s, v7.16b, v1.4b[2]\n" \
  DOT " v27.4s, v7.16b, v2.4b[2]\n" \
  DOT " v31.4s, v7.16b, v3.4b[2]\n" \
  "ld1 {v4.16b, v5.16b, v6.16b, v7.16b}, [%[w]], #64\n" \
  DOT " v16.4s, v4.16b, v0.4b[3]\n" \
  DOT " v20.4s, v4.16b, v1.4b[3]\n" \
  DOT " v24.4s, v4.16b, v2.4b[3]\n" \
  DOT " v28.4s, v4.16b, v3.4b[3]\n" \
  DOT " v17.4s, v5.16b, v0.4b[3]\n" \
  DOT " v21.4s, v5.16b, v1.4b[3]\n" \
  DOT " v25.4s, v5.16b, v2.4b[3]\n" \
  DOT " v29.4s, v5.16b, v3.4b[3]\n" \
  DOT " v18.4s, v6.16b, v0.4b[3]\n" \
  DOT " v22.4s, v6.16b, v1.4b[3]\n" \
  DOT " v26.4s, v6.16b, v2.4b[3]\n" \
  DOT " v30.4s, v6.16b, v3.4b[3]\n" \
  DOT " v19.4s, v7.16b, v0.4b[3]\n" \
  DOT " v23.4s, v7.16b, v1.4b[3]\n" \
  DOT " v27.4s, v7.16b, v2.4b[3]\n" \
  DOT " v31.4s, v7.16b, v3.4b[3]\n" \
  SUMS \
  "subs %[n], %[n], #1\n" \
  "b.ne 1b\n" \
  "st1 {v16.16b, v17.16b, v18.16b, v19.16b}, [%[acc]], #64\n" \
  "st1 {v20.16b, v21.16b, v22.16b, v23.16b}, [%[acc]], #64\n" \
  "st1 {v24.16b, v25.16b, v26.16b, v27.16b}, [%[acc]], #64\n" \
  "st1 {v28.16b, v29.16b, v30.16b, v31.16b}, [%[acc]], #64\n"
#define MN_SUMS4 \
  "udot %[s0].4s, v0.16b, %[ones].16b\n" \
  "udot %[s1].4s, v1.16b, %[ones].16b\n" \
  "udot %[s2].4s, v2.16b, %[ones].16b\n" \
  "udot %[s3].4s, v3.16b, %[ones].16b\n"
#define MN_LOOP_OPERANDS \
  [a0] "+r"(ap[0]), [a1] "+r"(ap[1]), [a2] "+r"(ap[2]), [a3] "+r"(ap[3]), [w] "+r"(wk), [n] "+r"(n16), \
      [acc] "+r"(accp), "=m"(accm)
#define MN_LOOP_CLOBBERS \
  "cc", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", \
      "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31"

// One 4 x NR panel of a call (gemm below). kSums (qu8): this panel computes the A row sums into rowsum
// (lane i of rowsum[g]: row 4g + i); later panels of the call reuse them instead of one more udot per row
// per 16 k. Returns the next panel's header.
template <bool kS8, size_t MR, size_t NV, bool kSums, bool kFixup, bool kLeft, typename T>
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
  }

  size_t k = kc;
  const uint8x16_t ones16 = vdupq_n_u8(1);
  if (MR == 4 && NV == 4 && k >= 32) {
    if constexpr (MR == 4 && NV == 4) {
      size_t n16 = k / 16;
      k -= 16 * n16;
      alignas(16) typename O::V accm[16];
      typename O::V* accp = accm;
      if constexpr (kS8) {
        asm(MN_LOOP16_4x16("sdot", "") : MN_LOOP_OPERANDS : [h] "r"(h), "m"(*(const uint8_t(*)[64])h) : MN_LOOP_CLOBBERS);
      } else if constexpr (kSums) {
        asm(MN_LOOP16_4x16("udot", MN_SUMS4)
            : MN_LOOP_OPERANDS, [s0] "+w"(rs16[0]), [s1] "+w"(rs16[1]), [s2] "+w"(rs16[2]), [s3] "+w"(rs16[3])
            : [h] "r"(h), "m"(*(const uint8_t(*)[64])h), [ones] "w"(ones16)
            : MN_LOOP_CLOBBERS);
      } else {
        asm(MN_LOOP16_4x16("udot", "") : MN_LOOP_OPERANDS : [h] "r"(h), "m"(*(const uint8_t(*)[64])h) : MN_LOOP_CLOBBERS);
      }
#pragma GCC unroll 16
      for (size_t i = 0; i < 4; i++)
#pragma GCC unroll 4
        for (size_t v = 0; v < 4; v++) acc[i][v] = accm[4 * i + v];
    }
  } else {
#pragma GCC unroll 16
    for (size_t i = 0; i < MR; i++)
#pragma GCC unroll 8
      for (size_t v = 0; v < NV; v++) acc[i][v] = O::from_s32(vld1q_s32(h + 4 * v));
  }
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
  while (k) {  // one group of 4 (the last may be partial: zero-padded copy, bytes copied one by one: a
               // memcpy of a variable length became a library call, around which the accumulators spilled)
    typename O::B16 w0[NV];
#pragma GCC unroll 8
    for (size_t v = 0; v < NV; v++) w0[v] = O::wload(wk + 16 * v);
    wk += 16 * NV;
    const size_t n = k < 4 ? k : 4;
#pragma GCC unroll 16
    for (size_t i = 0; i < MR; i++) {
      typename O::B8 va;  // the 4 bytes in both halves: summed once (ones4)
      if (n == 4) {
        va = O::aload4(ap[i]);
      } else {
        T buf[4] = {0, 0, 0, 0};
        for (size_t j = 0; j < n; j++) buf[j] = ap[i][j];
        va = O::aload4(buf);
      }
      ap[i] += n;
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
        vst1q_u8((uint8_t*)(c + i * c_stride + 16 * v4), neon_q::requant16<kS8, kLeft>(x, r, o, kFixup));
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

#undef MN_LOOP16_4x16
#undef MN_SUMS4
#undef MN_LOOP_OPERANDS
#undef MN_LOOP_CLOBBERS

// One call covers ceil(m / MR) row tiles (layout.rows) and, for each, ceil(nc / NR) consecutive panels
// (layout.panels): the output constants, callee-saved registers and the call itself are paid once per call,
// not once per 4 x 16 tile (about 200 instructions a tile outside the k loop before, the pointwise layers'
// main overhead at small K); the row pointers once per row tile and the qu8 A row sums once per row tile
// (the first panel computes them). Out8 is a local here: built from the reference, the compiler reloaded it
// after every output store (a uint8_t store may alias anything).
// kFixup = o.fixup, kLeft = out.left_shift as constants (no test per output row).
template <bool kS8, size_t MR, size_t NV, bool kFixup, bool kLeft, typename T>
__attribute__((noinline)) void gemm_rows(size_t m, size_t nc, size_t kc, const T* a, size_t a_stride, const void* w,
                                         T* c, size_t c_stride, const QOutputParams& out) {
  constexpr size_t NR = 4 * NV;
  const neon_q::Out8 o = neon_q::load_out8(out.zero_point, out.min, out.max);
  for (size_t i0 = 0; i0 < m; i0 += MR) {
    const size_t mr = m - i0 < MR ? m - i0 : MR;
    const T* a0[MR];
#pragma GCC unroll 16
    for (size_t i = 0; i < MR; i++) a0[i] = a + (i0 + (i < mr ? i : mr - 1)) * a_stride;
    T* ct = c + i0 * c_stride;
    int32x4_t rowsum[(MR + 3) / 4];
    const uint8_t* wp = panel<kS8, MR, NV, true, kFixup, kLeft>(mr, nc, kc, a0, (const uint8_t*)w, ct, c_stride, o, rowsum);
    for (size_t n = nc; n > NR; n -= NR) {
      ct += NR;
      wp = panel<kS8, MR, NV, false, kFixup, kLeft>(mr, n - NR, kc, a0, wp, ct, c_stride, o, rowsum);
    }
  }
}
// gemm_rows with kFixup and kLeft from the call's output parameters.
template <bool kS8, size_t MR, size_t NV, typename T>
inline void gemm_rows_of(size_t m, size_t nc, size_t kc, const T* a, size_t a_stride, const void* w, T* c,
                         size_t c_stride, const QOutputParams& out) {
  const bool fixup = out.min < out.zero_point;  // neon_q::Out8::fixup
  if (fixup) {
    if (out.left_shift) gemm_rows<kS8, MR, NV, true, true>(m, nc, kc, a, a_stride, w, c, c_stride, out);
    else gemm_rows<kS8, MR, NV, true, false>(m, nc, kc, a, a_stride, w, c, c_stride, out);
  } else {
    if (out.left_shift) gemm_rows<kS8, MR, NV, false, true>(m, nc, kc, a, a_stride, w, c, c_stride, out);
    else gemm_rows<kS8, MR, NV, false, false>(m, nc, kc, a, a_stride, w, c, c_stride, out);
  }
}
// A last row tile of one row (m % MR == 1: the batch-1 classifier, 49 pixels) runs the MR = 1 loop: no dots
// for copied rows. Shorter tiles of 2 or 3 rows repeat their last row's pointer.
template <bool kS8, size_t MR, size_t NV, typename T>
inline void gemm(size_t m, size_t nc, size_t kc, const T* a, size_t a_stride, const void* w, T* c, size_t c_stride,
                 const QOutputParams& out) {
  const size_t m4 = m % MR == 1 ? m - 1 : m;
  if (m4) gemm_rows_of<kS8, MR, NV>(m4, nc, kc, a, a_stride, w, c, c_stride, out);
  if (m4 != m) gemm_rows_of<kS8, 1, NV>(1, nc, kc, a + m4 * a_stride, a_stride, w, c + m4 * c_stride, c_stride, out);
}

// First conv 3x3 s2 (3 -> out_c) as the 4x16 GEMM above over gathered pixels (XNNPACK runs it as a dot-product
// GEMM too): each output pixel's 27 taps (za where the window leaves the input, then a 0 byte) form a 28-byte
// row of A, up to kPixels pixels of an output row at a time; the weights are the [c_out x 27] GEMM panels of
// kQ?8GemmLayout4x16 (QTapsLayout::as_gemm; 7 groups of 4 k, the 28th k zero padding; the 0 byte keeps qu8's
// row sums to the 27 taps). One GEMM call per up to kPixels pixels covers every output channel (layout.rows,
// layout.panels).
template <bool kS8, typename T>
void conv(const QConvParams<T>& p, size_t oy_begin, size_t oy_end) {
  constexpr size_t kPixels = 64, kK = 28;
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
      gemm<kS8, 4, 4>(n, p.out_c, kK, rows, kK, p.weights, out, p.out_c, p.out);
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
    gemm<false, mr, nv>(m, n, k, a, as, w, c, cs, o);                                                               \
  }                                                                                                                  \
  void qs8_gemm_minmax_gemmlowp_##mr##x##nr##c4__neondot(size_t m, size_t n, size_t k, const int8_t* a, size_t as,  \
                                                         const void* w, int8_t* c, size_t cs,                         \
                                                         const QOutputParams& o) {                                    \
    gemm<true, mr, nv>(m, n, k, a, as, w, c, cs, o);                                                                \
  }
MN_DEFINE(4, 4, 16)
MN_DEFINE(4, 2, 8)
MN_DEFINE(8, 2, 8)
#undef MN_DEFINE

}  // namespace mn::neondot
