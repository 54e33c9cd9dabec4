// qu8/qs8 global average pool (qkernels.h: TFLite 2.2 AVERAGE_POOL_2D over the whole plane), NEON, aarch64
// and armv7. 32 channels per pass (then 16, then a scalar tail): per pixel two 16-byte loads and four
// widening adds into 16-bit sums (uaddw / saddw: up to 255 pixels fit, |sum| <= 255 * 255 or 255 * 128),
// flushed into 32-bit sums every kChunk pixels. The rounding division by n is exact without a divide
// (armv7 has none for vectors): q = floor(x * m / 2^s), m = ceil(2^s / n), for 0 <= x < 256 n when
// 256 n^2 <= 2^s (x = q n + f: x m / 2^s = x / n + x r / (n 2^s) with r = m n - 2^s < n, and x r < 2^s
// keeps the error below 1/n, so the floor is q). s = 32 + t: umull, the high 32 bits (shrn #32), >> t.
// qu8: x = sum + n/2; qs8: sign(sum) * floor((|sum| + n/2) / n), C's truncating division of TFLite's
// reference_integer_ops. Then the clamp; the stored bytes as the scalar twin's.
#include <arm_neon.h>

#include <cstdint>
#include <type_traits>

#include "q8_neon.h"
#include "../requantization.h"

namespace mn::neon {

namespace {

constexpr size_t kChunk = 255;  // pixels per 16-bit partial sum

// Exact division constants for n in [2, 2^22] (see above); m < 2^32 there.
struct Divider {
  uint32_t m;
  int32_t t;
};
Divider divider(uint32_t n) {
  uint32_t c = 0;
  while ((uint64_t(1) << c) < n) c++;  // ceil(log2 n)
  const uint32_t s = 8 + 2 * c > 32 ? 8 + 2 * c : 32;
  const uint64_t m = ((uint64_t(1) << s) + n - 1) / n;
  return {(uint32_t)m, (int32_t)(s - 32)};
}

// (x * m) >> (32 + t) on 4 lanes, x < 2^31.
inline uint32x4_t divide4(uint32x4_t x, uint32x4_t m, int32x4_t neg_t) {
#if defined(__aarch64__)
  const uint64x2_t lo = vmull_u32(vget_low_u32(x), vget_low_u32(m)), hi = vmull_high_u32(x, m);
#else
  const uint64x2_t lo = vmull_u32(vget_low_u32(x), vget_low_u32(m)), hi = vmull_u32(vget_high_u32(x), vget_high_u32(m));
#endif
  return vshlq_u32(vcombine_u32(vshrn_n_u64(lo, 32), vshrn_n_u64(hi, 32)), neg_t);
}

// TFLite's rounded average of 4 lanes of sums (int32), not yet clamped.
template <bool kS8>
inline int32x4_t average4(int32x4_t sum, int32_t half, uint32x4_t m, int32x4_t neg_t) {
  if constexpr (kS8) {
    const int32x4_t sign = vshrq_n_s32(sum, 31);  // -1 or 0
    const uint32x4_t q = divide4(vaddq_u32(vreinterpretq_u32_s32(vabsq_s32(sum)), vdupq_n_u32((uint32_t)half)), m, neg_t);
    return vsubq_s32(veorq_s32(vreinterpretq_s32_u32(q), sign), sign);
  } else {
    return vreinterpretq_s32_u32(divide4(vaddq_u32(vreinterpretq_u32_s32(sum), vdupq_n_u32((uint32_t)half)), m, neg_t));
  }
}

template <bool kS8>
struct Ops;
template <>
struct Ops<false> {
  using B16 = uint8x16_t;
  using S16 = uint16x8_t;
  static B16 load(const uint8_t* p) { return vld1q_u8(p); }
  static S16 zero() { return vdupq_n_u16(0); }
  static S16 add_lo(S16 s, B16 x) { return vaddw_u8(s, vget_low_u8(x)); }
#if defined(__aarch64__)
  static S16 add_hi(S16 s, B16 x) { return vaddw_high_u8(s, x); }
#else
  static S16 add_hi(S16 s, B16 x) { return vaddw_u8(s, vget_high_u8(x)); }
#endif
  static int32x4_t widen_lo(int32x4_t a, S16 s) { return vreinterpretq_s32_u32(vaddw_u16(vreinterpretq_u32_s32(a), vget_low_u16(s))); }
  static int32x4_t widen_hi(int32x4_t a, S16 s) { return vreinterpretq_s32_u32(vaddw_u16(vreinterpretq_u32_s32(a), vget_high_u16(s))); }
  // 16 averages (0..255 after the division) to bytes, clamped.
  static uint8x16_t narrow(const int32x4_t* q, uint8x16_t lo, uint8x16_t hi) {
    const uint16x8_t a = vcombine_u16(vmovn_u32(vreinterpretq_u32_s32(q[0])), vmovn_u32(vreinterpretq_u32_s32(q[1])));
    const uint16x8_t b = vcombine_u16(vmovn_u32(vreinterpretq_u32_s32(q[2])), vmovn_u32(vreinterpretq_u32_s32(q[3])));
    return vminq_u8(vmaxq_u8(vcombine_u8(vmovn_u16(a), vmovn_u16(b)), lo), hi);
  }
};
template <>
struct Ops<true> {
  using B16 = int8x16_t;
  using S16 = int16x8_t;
  static B16 load(const int8_t* p) { return vld1q_s8(p); }
  static S16 zero() { return vdupq_n_s16(0); }
  static S16 add_lo(S16 s, B16 x) { return vaddw_s8(s, vget_low_s8(x)); }
#if defined(__aarch64__)
  static S16 add_hi(S16 s, B16 x) { return vaddw_high_s8(s, x); }
#else
  static S16 add_hi(S16 s, B16 x) { return vaddw_s8(s, vget_high_s8(x)); }
#endif
  static int32x4_t widen_lo(int32x4_t a, S16 s) { return vaddw_s16(a, vget_low_s16(s)); }
  static int32x4_t widen_hi(int32x4_t a, S16 s) { return vaddw_s16(a, vget_high_s16(s)); }
  // 16 averages (-128..127 after the division) to bytes, clamped.
  static uint8x16_t narrow(const int32x4_t* q, uint8x16_t lo, uint8x16_t hi) {
    const int16x8_t a = vcombine_s16(vmovn_s32(q[0]), vmovn_s32(q[1])), b = vcombine_s16(vmovn_s32(q[2]), vmovn_s32(q[3]));
    const int8x16_t v = vcombine_s8(vmovn_s16(a), vmovn_s16(b));
    return vreinterpretq_u8_s8(vminq_s8(vmaxq_s8(v, vreinterpretq_s8_u8(lo)), vreinterpretq_s8_u8(hi)));
  }
};

// V x 16 channels from c0: sums over every pixel, averages, clamp, store.
template <bool kS8, size_t V, typename T>
inline void pass(size_t pixels, size_t channels, const T* in, T* out, int32_t half, uint32x4_t m, int32x4_t neg_t,
                 uint8x16_t lo, uint8x16_t hi) {
  using O = Ops<kS8>;
  int32x4_t sum[4 * V];
#pragma GCC unroll 8
  for (size_t j = 0; j < 4 * V; j++) sum[j] = vdupq_n_s32(0);
  for (size_t p0 = 0; p0 < pixels; p0 += kChunk) {
    const size_t p1 = pixels - p0 < kChunk ? pixels : p0 + kChunk;
    typename O::S16 s[2 * V];
#pragma GCC unroll 4
    for (size_t j = 0; j < 2 * V; j++) s[j] = O::zero();
    const T* src = in + p0 * channels;
    for (size_t p = p0; p < p1; p++, src += channels) {
#pragma GCC unroll 2
      for (size_t v = 0; v < V; v++) {
        const typename O::B16 x = O::load(src + 16 * v);
        s[2 * v] = O::add_lo(s[2 * v], x);
        s[2 * v + 1] = O::add_hi(s[2 * v + 1], x);
      }
    }
#pragma GCC unroll 4
    for (size_t j = 0; j < 2 * V; j++) {
      sum[2 * j] = O::widen_lo(sum[2 * j], s[j]);
      sum[2 * j + 1] = O::widen_hi(sum[2 * j + 1], s[j]);
    }
  }
#pragma GCC unroll 2
  for (size_t v = 0; v < V; v++) {
    int32x4_t q[4];
#pragma GCC unroll 4
    for (size_t j = 0; j < 4; j++) q[j] = average4<kS8>(sum[4 * v + j], half, m, neg_t);
    vst1q_u8((uint8_t*)out + 16 * v, O::narrow(q, lo, hi));
  }
}

template <typename T>
void gavgpool(size_t pixels, size_t channels, const T* in, T* out, int32_t out_min, int32_t out_max) {
  constexpr bool kS8 = std::is_signed<T>::value;
  size_t c0 = 0;
  if (pixels >= 2 && pixels <= (size_t(1) << 22)) {  // Divider's range (n = 1 needs no division)
    const Divider d = divider((uint32_t)pixels);
    const uint32x4_t m = vdupq_n_u32(d.m);
    const int32x4_t neg_t = vdupq_n_s32(-d.t);
    const int32_t half = (int32_t)pixels / 2;
    const uint8x16_t lo = vdupq_n_u8((uint8_t)out_min), hi = vdupq_n_u8((uint8_t)out_max);
    for (; c0 + 32 <= channels; c0 += 32) pass<kS8, 2>(pixels, channels, in + c0, out + c0, half, m, neg_t, lo, hi);
    if (c0 + 16 <= channels) {
      pass<kS8, 1>(pixels, channels, in + c0, out + c0, half, m, neg_t, lo, hi);
      c0 += 16;
    }
  }
  // The last < 16 channels (every channel for n outside the Divider's range): the scalar twin's loop.
  gavgpool_channels(pixels, channels, c0, channels, in, out, out_min, out_max);
}

}  // namespace

void qu8_gavgpool_minmax__neon_32c(size_t pixels, size_t channels, const uint8_t* in, uint8_t* out, int32_t out_min,
                                   int32_t out_max) {
  gavgpool(pixels, channels, in, out, out_min, out_max);
}
void qs8_gavgpool_minmax__neon_32c(size_t pixels, size_t channels, const int8_t* in, int8_t* out, int32_t out_min,
                                   int32_t out_max) {
  gavgpool(pixels, channels, in, out, out_min, out_max);
}

}  // namespace mn::neon
