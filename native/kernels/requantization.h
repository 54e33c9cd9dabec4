// Fixed-point requantization exactly as TensorFlow Lite 2.2 does it (gemmlowp arithmetic), shared by the
// integer kernels' scalar twins, the packers and the tests. Sources:
//   tensorflow/lite/kernels/internal/quantization_util.cc   QuantizeMultiplier
//   tensorflow/lite/kernels/internal/common.h               MultiplyByQuantizedMultiplier
//   gemmlowp/fixedpoint/fixedpoint.h                        SaturatingRoundingDoublingHighMul, RoundingDivideByPOT
//
// A real multiplier M > 0 (input_scale * filter_scale / output_scale) is stored as a Q31 significand
// `multiplier` in [2^30, 2^31) and a power-of-two `shift` (TFLite's convention: > 0 shifts left):
//   M ~= multiplier * 2^(shift - 31).
// requantize(acc) = RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(acc << left, multiplier), right)
// with left = max(shift, 0), right = max(-shift, 0). Two roundings, as TFLite (not a single rounding).
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace mn {

// gemmlowp SaturatingRoundingDoublingHighMul: round(a * b / 2^31), ties toward +inf, INT32_MIN^2 saturates.
inline int32_t srdhm(int32_t a, int32_t b) {
  if (a == b && a == std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::max();
  const int64_t ab = (int64_t)a * (int64_t)b;
  const int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  return (int32_t)((ab + nudge) / (int64_t(1) << 31));  // C division truncates toward zero, as gemmlowp
}

// gemmlowp RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero. exponent in [0, 31].
inline int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  const int32_t mask = (int32_t)((int64_t(1) << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// TFLite MultiplyByQuantizedMultiplier(x, multiplier, shift). The left shift wraps on overflow as
// TFLite's `x * (1 << left_shift)` does on every compiler it ships with (only for multipliers >= 1).
inline int32_t multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift) {
  const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  const int32_t shifted = (int32_t)((uint32_t)x << left);
  return rounding_divide_by_pot(srdhm(shifted, multiplier), right);
}

// TFLite QuantizeMultiplier: M = q * 2^shift with q in [0.5, 1) from frexp, multiplier = round(q * 2^31)
// (TfLiteRound = std::round, half away from zero); q rounding up to 1.0 becomes 2^30 with shift + 1;
// shifts below -31 flush to zero (multiplier 0, shift 0). M == 0 gives (0, 0).
// Returns false (and leaves outputs untouched) for M < 0, non-finite M, or M >= 2^31 (shift > 30),
// which no valid TFLite model reaches; the caller reports those as a bad model.
inline bool quantize_multiplier(double m, int32_t* multiplier, int* shift) {
  if (!(m >= 0.0) || !std::isfinite(m)) return false;
  if (m == 0.0) {
    *multiplier = 0;
    *shift = 0;
    return true;
  }
  int s = 0;
  const double q = std::frexp(m, &s);
  int64_t q_fixed = (int64_t)std::round(q * (double)(int64_t(1) << 31));
  if (q_fixed == (int64_t(1) << 31)) {
    q_fixed /= 2;
    ++s;
  }
  if (s < -31) {
    s = 0;
    q_fixed = 0;
  }
  if (s > 30) return false;
  *multiplier = (int32_t)q_fixed;
  *shift = s;
  return true;
}

// The whole epilogue of every integer kernel: requantize, add the output zero point, clamp.
// lshift = max(shift, 0), rshift = max(-shift, 0) as stored in packed weights.
inline int32_t requantize(int32_t acc, int32_t multiplier, int32_t lshift, int32_t rshift, int32_t out_zero_point,
                          int32_t out_min, int32_t out_max) {
  const int32_t shifted = (int32_t)((uint32_t)acc << lshift);
  int32_t v = rounding_divide_by_pot(srdhm(shifted, multiplier), rshift) + out_zero_point;
  return v < out_min ? out_min : (v > out_max ? out_max : v);
}

// TFLite 2.2 AVERAGE_POOL_2D over all `pixels` pixels for channels [c_begin, c_end) of an NHWC tensor of
// `stride` channels: sum / pixels rounded half away from zero, clamped to [out_min, out_max]. The scalar twin of
// the global average pool, and the NEON kernel's channel tail.
template <typename T>
inline void gavgpool_channels(size_t pixels, size_t stride, size_t c_begin, size_t c_end, const T* in, T* out,
                              int32_t out_min, int32_t out_max) {
  const int32_t n = (int32_t)pixels;
  for (size_t c = c_begin; c < c_end; c++) {
    int32_t sum = 0;
    for (size_t p = 0; p < pixels; p++) sum += in[p * stride + c];
    const int32_t v = sum > 0 ? (sum + n / 2) / n : (sum - n / 2) / n;  // qu8: sum >= 0, so (sum + n/2) / n
    out[c] = (T)(v < out_min ? out_min : (v > out_max ? out_max : v));
  }
}

}  // namespace mn
