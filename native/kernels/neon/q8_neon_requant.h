// Requantization with NEON, exactly as TFLite 2.2 (requantization.h): left shift (wrapping, as
// TFLite's multiply), vqrdmulh = SaturatingRoundingDoublingHighMul, then gemmlowp's NEON
// RoundingDivideByPOT: subtract 1 from negative values (when shifting) and round-shift right (vrshl
// rounds half up, so ties go away from zero); then + zero point and clamp (requant8).
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

// Output zero point and clamp of one kernel call, for requant8.
// fixup: gemmlowp's "subtract 1 from negative values" before the rounding shift. It only changes a
// negative x whose shifted value is an exact tie, giving r - 1 instead of r <= 0; when out.min >=
// out.zero_point both r + zp and r - 1 + zp are <= zp <= min, i.e. both clamp to min, so the fixup
// cannot change an output and is skipped (every ReLU/ReLU6 layer: min = zero point). Exact either way.
struct Out8 {
  int32x4_t zp;
  uint8x8_t lo, hi;  // the clamp as bytes (int8 outputs: two's complement, compared signed)
  bool fixup;
};

static inline Out8 load_out8(int32_t zero_point, int32_t min, int32_t max) {
  Out8 o;
  o.zp = vdupq_n_s32(zero_point);
  o.lo = vdup_n_u8((uint8_t)min);
  o.hi = vdup_n_u8((uint8_t)max);
  o.fixup = min < zero_point;
  return o;
}

// TFLite's MultiplyByQuantizedMultiplier on 4 lanes (without the zero point). kShl false: the caller knows every
// lshift is 0 (multipliers below 1, as in MobileNet: QOutputParams::left_shift false) and r.lshift is not read.
template <bool kShl = true>
static inline int32x4_t scale4(int32x4_t x, const Requant4& r, bool fixup) {
  if (kShl) x = vshlq_s32(x, r.lshift);
  x = vqrdmulhq_s32(x, r.mult);
  if (fixup) x = vqaddq_s32(x, vshrq_n_s32(vandq_s32(x, r.neg_rshift), 31));
  return vrshlq_s32(x, r.neg_rshift);
}

// 8 accumulators (channels 0-3 with ra, 4-7 with rb) to 8 output bytes: requantize, + zero point in
// int32 (wrapping, as TFLite's int32 add), then saturating narrows to the output type and the clamp on
// bytes. Exact: min and max lie inside the type, and saturation is monotonic, so clamping the
// saturated value gives the clamp of the int32 value. kS8: int8 output.
// fixup: o.fixup, or a constant of the caller's (a kernel body templated on it: no test per call).
template <bool kS8, bool kShl = true>
static inline uint8x8_t requant8(int32x4_t a, int32x4_t b, const Requant4& ra, const Requant4& rb, const Out8& o,
                                 bool fixup) {
  const int16x8_t v = vcombine_s16(vqmovn_s32(vaddq_s32(scale4<kShl>(a, ra, fixup), o.zp)),
                                   vqmovn_s32(vaddq_s32(scale4<kShl>(b, rb, fixup), o.zp)));
  if constexpr (kS8) {
    const int8x8_t q = vqmovn_s16(v);
    return vreinterpret_u8_s8(vmin_s8(vmax_s8(q, vreinterpret_s8_u8(o.lo)), vreinterpret_s8_u8(o.hi)));
  } else {
    return vmin_u8(vmax_u8(vqmovun_s16(v), o.lo), o.hi);
  }
}

// 16 accumulators (channels 4j..4j+3 in x[j], with r[j]) to 16 output bytes, as requant8: one clamp
// and one store for 16 outputs where a full 16-column tile is written.
template <bool kS8, bool kShl = true>
static inline uint8x16_t requant16(const int32x4_t* x, const Requant4* r, const Out8& o, bool fixup) {
  const int16x8_t v0 = vcombine_s16(vqmovn_s32(vaddq_s32(scale4<kShl>(x[0], r[0], fixup), o.zp)),
                                    vqmovn_s32(vaddq_s32(scale4<kShl>(x[1], r[1], fixup), o.zp)));
  const int16x8_t v1 = vcombine_s16(vqmovn_s32(vaddq_s32(scale4<kShl>(x[2], r[2], fixup), o.zp)),
                                    vqmovn_s32(vaddq_s32(scale4<kShl>(x[3], r[3], fixup), o.zp)));
  if constexpr (kS8) {
    const int8x16_t q = vcombine_s8(vqmovn_s16(v0), vqmovn_s16(v1));
    const int8x16_t lo = vreinterpretq_s8_u8(vcombine_u8(o.lo, o.lo)), hi = vreinterpretq_s8_u8(vcombine_u8(o.hi, o.hi));
    return vreinterpretq_u8_s8(vminq_s8(vmaxq_s8(q, lo), hi));
  } else {
    const uint8x16_t q = vcombine_u8(vqmovun_s16(v0), vqmovun_s16(v1));
    return vminq_u8(vmaxq_u8(q, vcombine_u8(o.lo, o.lo)), vcombine_u8(o.hi, o.hi));
  }
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
