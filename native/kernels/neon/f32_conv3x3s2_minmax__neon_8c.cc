// f32 first-layer convolution: dense 3x3, stride 2, 3 input channels -> out_c, NEON, 8 outputs per block.
// Packed weights per 8-output block: 8 bias, then 27 x 8 ((ky*3+kx)*3+ci rows; kernels.h, conv_ct = 8).
//
// PX output pixels of a row at a time (aarch64 4, armv7 3: its 16 q-registers hold 2*PX accumulators, the
// input row segment and one weight pair). For each kernel row ky, the (2*PX+1)*3 input floats the PX pixels
// read are loaded once into q-registers; every weight pair (one tap, 8 channels) is loaded once and used by
// all PX pixels: 2 loads per 2*PX multiply-accumulates, against 2 per 2 when pixels go one by one.
// Groups that touch the padding (or run past out_w) read a zero-padded copy of the segment instead.
// Every output element accumulates bias, then taps 0..26 in order, whatever its position.
// Output channels beyond out_c are computed from the zero-padded weights but never stored.
#include <arm_neon.h>

#include <cstring>
#include <utility>

#include "neon.h"

namespace mn::neon {

namespace {

#if defined(__aarch64__)
constexpr size_t kPX = 4;
template <int L>
__attribute__((always_inline)) inline float32x4_t mla_lane(float32x4_t acc, float32x4_t w, float32x4_t v) { return vfmaq_laneq_f32(acc, w, v, L); }
#else
constexpr size_t kPX = 3;
// AArch32 has no FMA by element; VMLA by scalar is one instruction (rounds twice: tests use tolerances).
template <int L>
__attribute__((always_inline)) inline float32x4_t mla_lane(float32x4_t acc, float32x4_t w, float32x4_t v) {
  return vmlaq_lane_f32(acc, w, L < 2 ? vget_low_f32(v) : vget_high_f32(v), L & 1);
}
#endif

constexpr size_t kFloats = (2 * kPX + 1) * 3;      // input floats of one kernel row for kPX pixels
constexpr size_t kRegs = (kFloats + 3) / 4;        // the last register is loaded from kFloats - 4 (no overread)

// Register and lane that hold float `o` of the row segment.
constexpr size_t reg_of(size_t o) { return o < 4 * (kRegs - 1) ? o / 4 : kRegs - 1; }
constexpr int lane_of(size_t o) { return o < 4 * (kRegs - 1) ? (int)(o % 4) : (int)(o - (kFloats - 4)); }

inline void store_lanes(float* y, float32x4_t v, size_t n) {  // n in 0..4
  if (n == 4) { vst1q_f32(y, v); return; }
  float32x2_t lo = vget_low_f32(v);
  if (n & 2) { vst1_f32(y, lo); y += 2; lo = vget_high_f32(v); }
  if (n & 1) vst1_lane_f32(y, lo, 0);
}

struct Acc { float32x4_t lo[kPX], hi[kPX]; };

// Tap (kx, ci) = T of one kernel row for every pixel j (input float (2j + kx) * 3 + ci of the segment).
// Loads 4 floats and advances p: one post-incremented VLD1 on AArch32 (GCC otherwise adds an address add or
// splits the load in two VLDRs), a plain load on AArch64 (LDP with immediate offsets is already one).
__attribute__((always_inline)) inline float32x4_t load_next(const float*& p) {
#if defined(__aarch64__)
  const float32x4_t v = vld1q_f32(p);
#else
  float32x4_t v;
  __asm__("vld1.32 {%e0-%f0}, [%1]!" : "=w"(v), "+r"(p) : "m"(*(const float(*)[4])p));
  return v;
#endif
  p += 4;
  return v;
}

template <size_t T, size_t... J>
__attribute__((always_inline)) inline void tap(Acc& a, const float32x4_t* v, const float*& w, std::index_sequence<J...>) {
  const float32x4_t wlo = load_next(w);
  const float32x4_t whi = load_next(w);
  constexpr size_t kx = T / 3, ci = T % 3;
  ((a.lo[J] = mla_lane<lane_of((2 * J + kx) * 3 + ci)>(a.lo[J], wlo, v[reg_of((2 * J + kx) * 3 + ci)])), ...);
  ((a.hi[J] = mla_lane<lane_of((2 * J + kx) * 3 + ci)>(a.hi[J], whi, v[reg_of((2 * J + kx) * 3 + ci)])), ...);
}

template <size_t... T>
__attribute__((always_inline)) inline void kernel_row(Acc& a, const float* seg, const float*& w, std::index_sequence<T...>) {
  float32x4_t v[kRegs];
  for (size_t r = 0; r + 1 < kRegs; r++) v[r] = vld1q_f32(seg + 4 * r);
  v[kRegs - 1] = vld1q_f32(seg + kFloats - 4);
  (tap<T>(a, v, w, std::make_index_sequence<kPX>{}), ...);
}

}  // namespace

void f32_conv3x3s2_minmax__neon_8c(const ConvParams& p, size_t oy_begin, size_t oy_end) {
  const size_t OC = p.out_c;
  const float32x4_t vmin = vdupq_n_f32(p.min), vmax = vdupq_n_f32(p.max);
  const ptrdiff_t in_h = (ptrdiff_t)p.in_h, in_w = (ptrdiff_t)p.in_w;
  float padded[3][kFloats];  // zero-padded segments for groups at the edges
  for (size_t oy = oy_begin; oy < oy_end; oy++) {
    const ptrdiff_t iy0 = (ptrdiff_t)(oy * 2) - (ptrdiff_t)p.pad_top;
    for (size_t ox = 0; ox < p.out_w; ox += kPX) {
      const size_t px = p.out_w - ox < kPX ? p.out_w - ox : kPX;
      const ptrdiff_t ix0 = (ptrdiff_t)(ox * 2) - (ptrdiff_t)p.pad_left;
      const bool interior_x = ix0 >= 0 && ix0 + (ptrdiff_t)(2 * kPX + 1) <= in_w;
      const float* seg[3];
      for (ptrdiff_t ky = 0; ky < 3; ky++) {
        const ptrdiff_t iy = iy0 + ky;
        const bool row_ok = iy >= 0 && iy < in_h;
        if (row_ok && interior_x) {
          seg[ky] = p.input + (iy * in_w + ix0) * 3;
          continue;
        }
        float* dst = padded[ky];
        std::memset(dst, 0, sizeof padded[ky]);
        if (row_ok)
          for (ptrdiff_t x = 0; x < (ptrdiff_t)(2 * kPX + 1); x++)
            if (ix0 + x >= 0 && ix0 + x < in_w) std::memcpy(dst + x * 3, p.input + (iy * in_w + ix0 + x) * 3, 12);
        seg[ky] = dst;
      }
      float* out = p.output + (oy * p.out_w + ox) * OC;
      const float* w = p.weights;
      for (size_t c = 0; c < OC; c += 8, w += 8 * 28) {
        Acc a;
        const float32x4_t b0 = vld1q_f32(w), b1 = vld1q_f32(w + 4);
        for (size_t j = 0; j < kPX; j++) { a.lo[j] = b0; a.hi[j] = b1; }
        const float* wt = w + 8;  // the 27 taps' weight pairs, read in order
        kernel_row(a, seg[0], wt, std::make_index_sequence<9>{});
        kernel_row(a, seg[1], wt, std::make_index_sequence<9>{});
        kernel_row(a, seg[2], wt, std::make_index_sequence<9>{});
        for (size_t j = 0; j < px; j++) {
          const float32x4_t lo = vminq_f32(vmaxq_f32(a.lo[j], vmin), vmax);
          const float32x4_t hi = vminq_f32(vmaxq_f32(a.hi[j], vmin), vmax);
          float* y = out + j * OC + c;
          if (c + 8 <= OC) {
            vst1q_f32(y, lo);
            vst1q_f32(y + 4, hi);
          } else {
            const size_t n = OC - c;
            store_lanes(y, lo, n < 4 ? n : 4);
            if (n > 4) store_lanes(y + 4, hi, n - 4);
          }
        }
      }
    }
  }
}

}  // namespace mn::neon
