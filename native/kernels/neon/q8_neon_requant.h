// Requantization of 4 int32 lanes with NEON, exactly as TFLite 2.2 (requantization.h): left shift
// (wrapping, as TFLite's multiply), vqrdmulh = SaturatingRoundingDoublingHighMul, then gemmlowp's
// NEON RoundingDivideByPOT: subtract 1 from negative values (when shifting) and round-shift right
// (vrshl rounds half up, so ties go away from zero); then + zero point and clamp.
// Shared by the NEON and NEON-dot kernels (static inline: each TU compiles it with its own flags).
#pragma once
#include <arm_neon.h>

#include <cstdint>

namespace mn::neon_q {

struct Requant4 {
  int32x4_t mult, lshift, neg_rshift;
};

static inline Requant4 load_requant4(const int32_t* header, size_t nr, size_t col) {
  Requant4 r;
  r.mult = vld1q_s32(header + nr + col);
  r.lshift = vld1q_s32(header + 2 * nr + col);
  r.neg_rshift = vnegq_s32(vld1q_s32(header + 3 * nr + col));
  return r;
}

static inline int32x4_t requant4(int32x4_t x, const Requant4& r, int32x4_t zp, int32x4_t lo, int32x4_t hi) {
  x = vshlq_s32(x, r.lshift);
  x = vqrdmulhq_s32(x, r.mult);
  const int32x4_t fixup = vshrq_n_s32(vandq_s32(x, r.neg_rshift), 31);
  x = vrshlq_s32(vqaddq_s32(x, fixup), r.neg_rshift);
  return vminq_s32(vmaxq_s32(vaddq_s32(x, zp), lo), hi);
}

// 8 clamped int32 values (already inside the output type's range) to 8 bytes.
static inline uint8x8_t narrow8_u8(int32x4_t a, int32x4_t b) {
  return vqmovun_s16(vcombine_s16(vqmovn_s32(a), vqmovn_s32(b)));
}
static inline int8x8_t narrow8_s8(int32x4_t a, int32x4_t b) {
  return vqmovn_s16(vcombine_s16(vqmovn_s32(a), vqmovn_s32(b)));
}

// Stores the first n (<= 8) bytes of v.
template <typename T>
static inline void store_partial8(T* dst, uint8x8_t v, size_t n) {
  uint8_t* d = (uint8_t*)dst;
  if (n == 8) {
    vst1_u8(d, v);
    return;
  }
  if (n & 4) {
    vst1_lane_u32((uint32_t*)(void*)d, vreinterpret_u32_u8(v), 0);  // unaligned-safe on NEON
    d += 4;
    v = vext_u8(v, v, 4);
  }
  if (n & 2) {
    vst1_lane_u16((uint16_t*)(void*)d, vreinterpret_u16_u8(v), 0);
    d += 2;
    v = vext_u8(v, v, 2);
  }
  if (n & 1) vst1_lane_u8(d, v, 0);
}

}  // namespace mn::neon_q
