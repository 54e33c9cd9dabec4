// qu8/qs8 integer ADD (qkernels.h QAddParams: TFLite 2.2 AddElementwise), NEON, aarch64 and armv7. 16 elements per
// pass, as TFLite's own NEON AddElementwise: each input widened to int32, (x + offset) << 20, then
// MultiplyByQuantizedMultiplierSmallerThanOneExp = RoundingDivideByPOT(SRDHM(x, m), -shift) for both, summed, and
// the same for the output. vqrdmulh computes gemmlowp's SRDHM exactly (its nudge and truncation included);
// RoundingDivideByPOT rounds half away from zero: a negative x gets -1 (vqadd of its sign) before vrshl's
// round-half-up shift. So the bytes are the scalar form's (runtime/qadd.h; qkernel_test compares them).
// The tail (n % 16) goes through a 16-element copy.
#include <arm_neon.h>

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "q8_neon.h"

namespace mn::neon {

namespace {

struct Consts {
  int32x4_t off1, off2, off_out, min, max;
  int32_t m1, m2, mo;
  int32x4_t sh1, sh2, sho;  // -exponent (<= 0): vrshl shifts right
};

inline int32x4_t rdbp(int32x4_t x, int32x4_t neg_exponent) {
  const int32x4_t fixup = vshrq_n_s32(vandq_s32(x, neg_exponent), 31);  // -1 for x < 0 when exponent > 0
  return vrshlq_s32(vqaddq_s32(x, fixup), neg_exponent);
}

inline int32x4_t add4(const Consts& k, int16x4_t a, int16x4_t b) {
  const int32x4_t x1 = vshlq_n_s32(vaddq_s32(vmovl_s16(a), k.off1), 20);
  const int32x4_t x2 = vshlq_n_s32(vaddq_s32(vmovl_s16(b), k.off2), 20);
  const int32x4_t sum = vaddq_s32(rdbp(vqrdmulhq_n_s32(x1, k.m1), k.sh1), rdbp(vqrdmulhq_n_s32(x2, k.m2), k.sh2));
  const int32x4_t v = vaddq_s32(rdbp(vqrdmulhq_n_s32(sum, k.mo), k.sho), k.off_out);
  return vminq_s32(vmaxq_s32(v, k.min), k.max);
}

template <typename T>
inline int16x8_t widen(uint8x8_t v) {
  if constexpr (std::is_same<T, uint8_t>::value) return vreinterpretq_s16_u16(vmovl_u8(v));
  else return vmovl_s8(vreinterpret_s8_u8(v));
}

// 8 results (already within the 8-bit range after the clamp) narrowed to bytes.
template <typename T>
inline uint8x8_t narrow(int32x4_t lo, int32x4_t hi) {
  const int16x8_t v = vcombine_s16(vmovn_s32(lo), vmovn_s32(hi));
  if constexpr (std::is_same<T, uint8_t>::value) return vqmovun_s16(v);
  else return vreinterpret_u8_s8(vqmovn_s16(v));
}

template <typename T>
inline void pass16(const Consts& k, const uint8_t* a, const uint8_t* b, uint8_t* out) {
  const uint8x16_t va = vld1q_u8(a), vb = vld1q_u8(b);
  const int16x8_t a0 = widen<T>(vget_low_u8(va)), a1 = widen<T>(vget_high_u8(va));
  const int16x8_t b0 = widen<T>(vget_low_u8(vb)), b1 = widen<T>(vget_high_u8(vb));
  const uint8x8_t lo = narrow<T>(add4(k, vget_low_s16(a0), vget_low_s16(b0)), add4(k, vget_high_s16(a0), vget_high_s16(b0)));
  const uint8x8_t hi = narrow<T>(add4(k, vget_low_s16(a1), vget_low_s16(b1)), add4(k, vget_high_s16(a1), vget_high_s16(b1)));
  vst1q_u8(out, vcombine_u8(lo, hi));
}

template <typename T>
void vadd(const QAddParams& p, const T* a, const T* b, T* out, size_t n) {
  const Consts k{vdupq_n_s32(p.in1_offset), vdupq_n_s32(p.in2_offset), vdupq_n_s32(p.out_offset), vdupq_n_s32(p.act_min),
                 vdupq_n_s32(p.act_max), p.m1, p.m2, p.mo, vdupq_n_s32(p.s1), vdupq_n_s32(p.s2), vdupq_n_s32(p.so)};
  const uint8_t* pa = reinterpret_cast<const uint8_t*>(a);
  const uint8_t* pb = reinterpret_cast<const uint8_t*>(b);
  uint8_t* po = reinterpret_cast<uint8_t*>(out);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) pass16<T>(k, pa + i, pb + i, po + i);
  if (i < n) {  // never reads or writes past the tensors
    uint8_t ta[16] = {}, tb[16] = {}, to[16];
    std::memcpy(ta, pa + i, n - i);
    std::memcpy(tb, pb + i, n - i);
    pass16<T>(k, ta, tb, to);
    std::memcpy(po + i, to, n - i);
  }
}

}  // namespace

void qu8_vadd_minmax__neon_16(const QAddParams& p, const uint8_t* a, const uint8_t* b, uint8_t* out, size_t n) {
  vadd<uint8_t>(p, a, b, out, n);
}
void qs8_vadd_minmax__neon_16(const QAddParams& p, const int8_t* a, const int8_t* b, int8_t* out, size_t n) {
  vadd<int8_t>(p, a, b, out, n);
}

}  // namespace mn::neon
