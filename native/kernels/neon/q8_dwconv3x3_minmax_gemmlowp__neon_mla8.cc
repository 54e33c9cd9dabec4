// qs8 depthwise 3x3, stride 1 or 2, NEON "mla8" (XNNPACK's qc8 dwconv mla8 kernels pair products the same way):
// raw int8 weights, two int8 x int8 products added in one int16 lane (smull + smlal), then widened into int32
// (saddw + saddw2): 4 instructions per 2 taps x 8 channels against 6 for the int16 kernel (sxtl + 2 smlal per
// tap). Exact only for weights in [-127, 127] (TFLite's int8 weight range): |x w| <= 128 x 127 and two such
// products <= 32512 < 32767; a -128 weight with a -128 input makes 2 x 16384 = 32768. The layout is narrow (the
// packer refuses -128) and the runtime picks this kernel per layer only when no weight is -128.
// Layout kQS8DwconvLayoutMla8: per block of ct channels (aarch64 16, armv7 8), the header (kQHeaderRows x ct
// int32) then 9 taps x ct int8 weights. Block-outer, as the int16 kernel: the 9 tap vectors stay in registers.
// Interior pixels load their taps at fixed offsets; a row of padding (the first or last output row) drops that
// row's 3 taps and starts from bias + za * (its 3 weights) instead (6 taps: 3 pairs). Border columns, rows with
// more padding and a channel tail that is not a whole vector take the general path: taps outside the input read
// za, a tail goes through small buffers (never out of bounds). Channel groups of 8 inside a 16-channel block (the
// last block of C = 8, 24, ...) run at 8 lanes. The requantization's fixup is a template constant.
#include <algorithm>
#include <cstring>

#include "q8_neon.h"
#include "q8_neon_requant.h"

namespace mn::neon {

namespace {

#if defined(__aarch64__)
constexpr size_t kCt = 16;
#else
constexpr size_t kCt = 8;  // 16 q registers: 9 tap vectors of 8 bytes stay in d registers
#endif
constexpr size_t kBlockBytes = kQHeaderRows * kCt * 4 + 9 * kCt;

#define MN_INLINE inline __attribute__((always_inline))

// One pixel's channels at L = 16 or 8 int8 lanes: loads, the paired taps, requantize and store.
template <size_t L> struct Lanes;

template <> struct Lanes<16> {
  using V = int8x16_t;
  static constexpr size_t kAcc = 4;
  static MN_INLINE V load(const int8_t* p) { return vld1q_s8(p); }
  static MN_INLINE V dup(int8_t v) { return vdupq_n_s8(v); }
  // acc += x0 w0 (+ x1 w1 when kTwo): the products in int16 lanes, then widened.
  template <bool kTwo>
  static MN_INLINE void taps(int32x4_t* acc, V x0, V w0, V x1, V w1) {
    int16x8_t lo = vmull_s8(vget_low_s8(x0), vget_low_s8(w0));
#if defined(__aarch64__)
    int16x8_t hi = vmull_high_s8(x0, w0);
    if (kTwo) lo = vmlal_s8(lo, vget_low_s8(x1), vget_low_s8(w1)), hi = vmlal_high_s8(hi, x1, w1);
    acc[0] = vaddw_s16(acc[0], vget_low_s16(lo));
    acc[1] = vaddw_high_s16(acc[1], lo);
    acc[2] = vaddw_s16(acc[2], vget_low_s16(hi));
    acc[3] = vaddw_high_s16(acc[3], hi);
#else
    int16x8_t hi = vmull_s8(vget_high_s8(x0), vget_high_s8(w0));
    if (kTwo) lo = vmlal_s8(lo, vget_low_s8(x1), vget_low_s8(w1)), hi = vmlal_s8(hi, vget_high_s8(x1), vget_high_s8(w1));
    acc[0] = vaddw_s16(acc[0], vget_low_s16(lo));
    acc[1] = vaddw_s16(acc[1], vget_high_s16(lo));
    acc[2] = vaddw_s16(acc[2], vget_low_s16(hi));
    acc[3] = vaddw_s16(acc[3], vget_high_s16(hi));
#endif
  }
  template <bool kFixup, bool kShl>
  static MN_INLINE void store(int8_t* dst, const int32x4_t* acc, const neon_q::Requant4* r, const neon_q::Out8& o,
                              size_t n) {
    const uint8x16_t v = neon_q::requant16<true, kShl>(acc, r, o, kFixup);
    if (n == 16) {
      vst1q_u8((uint8_t*)dst, v);
      return;
    }
    neon_q::store_partial8(dst, vget_low_u8(v), std::min<size_t>(n, 8));
    if (n > 8) neon_q::store_partial8(dst + 8, vget_high_u8(v), n - 8);
  }
};

template <> struct Lanes<8> {
  using V = int8x8_t;
  static constexpr size_t kAcc = 2;
  static MN_INLINE V load(const int8_t* p) { return vld1_s8(p); }
  static MN_INLINE V dup(int8_t v) { return vdup_n_s8(v); }
  template <bool kTwo>
  static MN_INLINE void taps(int32x4_t* acc, V x0, V w0, V x1, V w1) {
    int16x8_t p = vmull_s8(x0, w0);
    if (kTwo) p = vmlal_s8(p, x1, w1);
    acc[0] = vaddw_s16(acc[0], vget_low_s16(p));
#if defined(__aarch64__)
    acc[1] = vaddw_high_s16(acc[1], p);
#else
    acc[1] = vaddw_s16(acc[1], vget_high_s16(p));
#endif
  }
  template <bool kFixup, bool kShl>
  static MN_INLINE void store(int8_t* dst, const int32x4_t* acc, const neon_q::Requant4* r, const neon_q::Out8& o,
                              size_t n) {
    neon_q::store_partial8(dst, neon_q::requant8<true, kShl>(acc[0], acc[1], r[0], r[1], o, kFixup), n);
  }
};

// acc += the 9 taps x[t] * w[t] (4 pairs and a single).
template <size_t L>
MN_INLINE void taps9(int32x4_t* acc, const typename Lanes<L>::V* x, const typename Lanes<L>::V* w) {
  using K = Lanes<L>;
  K::template taps<true>(acc, x[0], w[0], x[1], w[1]);
  K::template taps<true>(acc, x[2], w[2], x[3], w[3]);
  K::template taps<true>(acc, x[4], w[4], x[5], w[5]);
  K::template taps<true>(acc, x[6], w[6], x[7], w[7]);
  K::template taps<false>(acc, x[8], w[8], x[8], w[8]);
}

// A block's loop invariants: the 9 tap vectors, start values, requantization.
template <size_t L>
struct Block {
  using V = typename Lanes<L>::V;
  static constexpr size_t A = Lanes<L>::kAcc;
  // Interior pixels load the bias and multipliers from the header (h) rather than hold them in registers where
  // registers are short: 16 lanes (4 x 2 vectors), armv7 (16 q registers). One load each per pixel, no spills.
  // At 16 lanes the 9 tap vectors are reloaded too (3 ld1 per pixel: GCC otherwise keeps each tap's low half
  // in a register of its own beside the full vector, and spills).
#if defined(__aarch64__)
  static constexpr bool kReload = L == 16;
  static constexpr bool kReloadTaps = L == 16;
#else
  static constexpr bool kReload = true;
  static constexpr bool kReloadTaps = false;
#endif
  const int32_t* h;
  const int8_t* w8;
  V w[9];
  V zv;
  int32x4_t bias[A], bias_top[A], bias_bot[A];
  neon_q::Requant4 r[A];
  neon_q::Out8 o;
};

// Any pixel, any n <= L: taps outside the input read za; rows[ky]: tap row ky at input column 0, or null.
template <size_t L, bool kFixup, bool kShl>
MN_INLINE void border_pixel(const Block<L>& b, const QDwconvParams<int8_t>& p, const int8_t* const* rows, size_t n,
                            size_t ox, int8_t* dst) {
  using K = Lanes<L>;
  typename K::V x[9];
  const size_t C = p.channels;
  for (size_t kx = 0; kx < 3; kx++) {
    const ptrdiff_t ix = (ptrdiff_t)(ox * p.stride + kx) - (ptrdiff_t)p.pad_left;
    const bool in = ix >= 0 && ix < (ptrdiff_t)p.in_w;
    for (size_t ky = 0; ky < 3; ky++) {
      typename K::V v = b.zv;
      if (in && rows[ky]) {
        const int8_t* src = rows[ky] + (size_t)ix * C;
        if (n == L) {
          v = K::load(src);
        } else {
          int8_t buf[L] = {};
          std::memcpy(buf, src, n);
          v = K::load(buf);
        }
      }
      x[ky * 3 + kx] = v;
    }
  }
  int32x4_t acc[Block<L>::A];
  for (size_t j = 0; j < Block<L>::A; j++) acc[j] = b.bias[j];
  taps9<L>(acc, x, b.w);
  K::template store<kFixup, kShl>(dst, acc, b.r, b.o, n);
}

// An interior pixel's accumulators (from start, or the bias in the header with kReload), requantization and
// tap vectors (w: b.w, or reloaded into buf with kReloadTaps).
template <size_t L>
MN_INLINE const typename Lanes<L>::V* start_values(const Block<L>& b, const int32x4_t* start, int32x4_t* acc,
                                                   neon_q::Requant4* r, typename Lanes<L>::V* buf) {
#if defined(__aarch64__)
  if constexpr (Block<L>::kReload) {
    const int32x4x4_t bias = vld1q_s32_x4(b.h), mult = vld1q_s32_x4(b.h + kCt);
    for (size_t j = 0; j < Block<L>::A; j++) {
      acc[j] = start == b.bias ? bias.val[j] : start[j];
      r[j] = b.r[j];
      r[j].mult = mult.val[j];
    }
  } else
#endif
  {
    for (size_t j = 0; j < Block<L>::A; j++) {
      acc[j] = Block<L>::kReload && start == b.bias ? vld1q_s32(b.h + 4 * j) : start[j];
      r[j] = b.r[j];
      if (Block<L>::kReload) r[j].mult = vld1q_s32(b.h + kCt + 4 * j);
    }
  }
#if defined(__aarch64__)
  if constexpr (Block<L>::kReloadTaps) {
    const int8x16x4_t t0 = vld1q_s8_x4(b.w8), t1 = vld1q_s8_x4(b.w8 + 64);
    for (size_t t = 0; t < 4; t++) buf[t] = t0.val[t], buf[4 + t] = t1.val[t];
    buf[8] = vld1q_s8(b.w8 + 128);
    return buf;
  }
#endif
  return b.w;
}

// count interior pixels over all 3 tap rows: r0, r1, r2 the rows' input at the first pixel.
template <size_t L, bool kFixup, bool kShl>
MN_INLINE void interior3(const Block<L>& b, const int8_t* r0, const int8_t* r1, const int8_t* r2, size_t C,
                         size_t step, int8_t* dst, size_t count) {
  using K = Lanes<L>;
  for (; count; count--) {
    int32x4_t acc[Block<L>::A];
    neon_q::Requant4 r[Block<L>::A];
    typename K::V buf[9];
    const typename K::V* w = start_values(b, b.bias, acc, r, buf);
    K::template taps<true>(acc, K::load(r0), w[0], K::load(r0 + C), w[1]);
    K::template taps<true>(acc, K::load(r0 + 2 * C), w[2], K::load(r1), w[3]);
    K::template taps<true>(acc, K::load(r1 + C), w[4], K::load(r1 + 2 * C), w[5]);
    K::template taps<true>(acc, K::load(r2), w[6], K::load(r2 + C), w[7]);
    const typename K::V x8 = K::load(r2 + 2 * C);
    K::template taps<false>(acc, x8, w[8], x8, w[8]);
    K::template store<kFixup, kShl>(dst, acc, r, b.o, L);
    r0 += step, r1 += step, r2 += step, dst += C;
  }
}

// The same over 2 tap rows (the other one padding): weights of tap row kFirst and kFirst + 1, start values
// bias_top (kFirst = 1) or bias_bot (kFirst = 0).
template <size_t L, bool kFixup, bool kShl, size_t kFirst>
MN_INLINE void interior2(const Block<L>& b, const int8_t* r0, const int8_t* r1, size_t C, size_t step, int8_t* dst,
                         size_t count) {
  using K = Lanes<L>;
  for (; count; count--) {
    int32x4_t acc[Block<L>::A];
    neon_q::Requant4 r[Block<L>::A];
    typename K::V buf[9];
    const typename K::V* w = start_values(b, kFirst ? b.bias_top : b.bias_bot, acc, r, buf) + 3 * kFirst;
    K::template taps<true>(acc, K::load(r0), w[0], K::load(r0 + C), w[1]);
    K::template taps<true>(acc, K::load(r0 + 2 * C), w[2], K::load(r1), w[3]);
    K::template taps<true>(acc, K::load(r1 + C), w[4], K::load(r1 + 2 * C), w[5]);
    K::template store<kFixup, kShl>(dst, acc, r, b.o, L);
    r0 += step, r1 += step, dst += C;
  }
}

// Channels [c0, c0 + n) (n <= L) of output rows [oy_begin, oy_end); h: the block's header (stride kCt), w8: its
// int8 weights (tap t at w8 + kCt * t).
template <size_t L, bool kFixup, bool kShl>
void block(const QDwconvParams<int8_t>& p, size_t c0, size_t n, const int32_t* h, const int8_t* w8, size_t oy_begin,
           size_t oy_end) {
  using K = Lanes<L>;
  constexpr size_t A = K::kAcc;
  const size_t C = p.channels, W = p.in_w, s = p.stride;
  Block<L> b;
  b.h = h;
  b.w8 = w8;
  b.o = neon_q::load_out8(p.out.zero_point, p.out.min, p.out.max);
  for (size_t j = 0; j < A; j++) {
    b.bias[j] = vld1q_s32(h + 4 * j);
    b.r[j] = neon_q::load_requant4(h, kCt, 4 * j);
  }
  for (size_t t = 0; t < 9; t++) b.w[t] = K::load(w8 + kCt * t);
  b.zv = K::dup((int8_t)p.input_zero_point);
  // Start values of a pixel whose top (bottom) tap row is padding: bias + za * that row's weights (the packed
  // bias holds -za * all 9, as the padded taps read za).
  for (size_t j = 0; j < A; j++) b.bias_top[j] = b.bias_bot[j] = b.bias[j];
  K::template taps<true>(b.bias_top, b.zv, b.w[0], b.zv, b.w[1]);
  K::template taps<false>(b.bias_top, b.zv, b.w[2], b.zv, b.w[2]);
  K::template taps<true>(b.bias_bot, b.zv, b.w[6], b.zv, b.w[7]);
  K::template taps<false>(b.bias_bot, b.zv, b.w[8], b.zv, b.w[8]);

  const size_t ox_lo = std::min(p.out_w, (p.pad_left + s - 1) / s);
  const size_t ox_hi = W + p.pad_left >= 3 ? std::max(ox_lo, std::min(p.out_w, (W + p.pad_left - 3) / s + 1)) : ox_lo;
  const size_t x0 = (ox_lo * s - p.pad_left) * C, step = s * C;
  for (size_t oy = oy_begin; oy < oy_end; oy++) {
    const int8_t* rows[3];
    for (size_t ky = 0; ky < 3; ky++) {
      const ptrdiff_t iy = (ptrdiff_t)(oy * s + ky) - (ptrdiff_t)p.pad_top;
      rows[ky] = iy >= 0 && iy < (ptrdiff_t)p.in_h ? p.input + (size_t)iy * W * C + c0 : nullptr;
    }
    int8_t* out = p.output + oy * p.out_w * C + c0;
    const bool fast = n == L && ox_lo < ox_hi && rows[1] && (rows[0] || rows[2]);
    const size_t lo = fast ? ox_lo : p.out_w;
    for (size_t ox = 0; ox < lo; ox++) border_pixel<L, kFixup, kShl>(b, p, rows, n, ox, out + ox * C);
    if (!fast) continue;
    int8_t* dst = out + ox_lo * C;
    if (rows[0] && rows[2]) interior3<L, kFixup, kShl>(b, rows[0] + x0, rows[1] + x0, rows[2] + x0, C, step, dst, ox_hi - ox_lo);
    else if (rows[2]) interior2<L, kFixup, kShl, 1>(b, rows[1] + x0, rows[2] + x0, C, step, dst, ox_hi - ox_lo);
    else interior2<L, kFixup, kShl, 0>(b, rows[0] + x0, rows[1] + x0, C, step, dst, ox_hi - ox_lo);
    for (size_t ox = ox_hi; ox < p.out_w; ox++) border_pixel<L, kFixup, kShl>(b, p, rows, n, ox, out + ox * C);
  }
}

template <bool kFixup>
void dwconv(const QDwconvParams<int8_t>& p, size_t oy_begin, size_t oy_end) {
  const size_t C = p.channels;
  const bool shl = p.out.left_shift;  // false: every multiplier below 1, no left shift (the runtime scanned the headers)
  for (size_t c0 = 0; c0 < C; c0 += kCt) {
    const int32_t* h = (const int32_t*)((const uint8_t*)p.weights + c0 / kCt * kBlockBytes);
    const int8_t* w8 = (const int8_t*)(h + kQHeaderRows * kCt);
    const size_t n = std::min(kCt, C - c0);
#if defined(__aarch64__)
    if (n > 8) {
      shl ? block<16, kFixup, true>(p, c0, n, h, w8, oy_begin, oy_end)
          : block<16, kFixup, false>(p, c0, n, h, w8, oy_begin, oy_end);
      continue;
    }
#endif
    shl ? block<8, kFixup, true>(p, c0, n, h, w8, oy_begin, oy_end) : block<8, kFixup, false>(p, c0, n, h, w8, oy_begin, oy_end);
  }
}

#undef MN_INLINE

}  // namespace

void qs8_dwconv3x3_minmax_gemmlowp__neon_mla8(const QDwconvParams<int8_t>& p, size_t oy_begin, size_t oy_end) {
  if (p.out.min < p.out.zero_point) dwconv<true>(p, oy_begin, oy_end);
  else dwconv<false>(p, oy_begin, oy_end);
}

}  // namespace mn::neon
