// Integer ADD of two tensors of one shape, exactly as TensorFlow Lite 2.2 (kernels/add.cc Prepare for
// uint8/int8, internal/optimized_ops.h AddElementwise; x86 runs its scalar loop): both inputs brought to a
// common scale 2·max(s1, s2) at 20 extra bits, summed, rescaled to the output:
//   left_shift = 20; twice_max = 2·max(s1, s2) (double)
//   m1 = s1 / twice_max, m2 = s2 / twice_max, mo = twice_max / (2^20 · s_out)   (QuantizeMultiplierSmallerThanOneExp)
//   out = clamp(MBQM((x1 - z1) << 20, m1) + MBQM((x2 - z2) << 20, m2) → MBQM(·, mo) + z_out, act_min, act_max)
// MBQM = MultiplyByQuantizedMultiplierSmallerThanOneExp = RoundingDivideByPOT(SRDHM(x, m), -shift).
#pragma once
#include <cstddef>
#include <cstdint>
#include <algorithm>

#include "../kernels/qkernels.h"
#include "../kernels/requantization.h"

namespace mn {

// False when a multiplier is out of TFLite's range for ADD (a scale that is zero, negative or not finite).
inline bool qadd_params(float scale1, int32_t zero1, float scale2, int32_t zero2, float scale_out, int32_t zero_out,
                        int32_t act_min, int32_t act_max, QAddParams* p) {
  const double twice_max = 2 * (double)std::max(scale1, scale2);
  const double r1 = (double)scale1 / twice_max, r2 = (double)scale2 / twice_max;
  const double ro = twice_max / ((double)(1 << 20) * (double)scale_out);
  if (!(r1 > 0 && r1 < 1 && r2 > 0 && r2 < 1 && ro > 0 && ro < 1)) return false;
  if (!quantize_multiplier(r1, &p->m1, &p->s1) || !quantize_multiplier(r2, &p->m2, &p->s2) ||
      !quantize_multiplier(ro, &p->mo, &p->so) || p->s1 > 0 || p->s2 > 0 || p->so > 0)
    return false;
  p->in1_offset = -zero1;
  p->in2_offset = -zero2;
  p->out_offset = zero_out;
  p->act_min = act_min;
  p->act_max = act_max;
  return true;
}

// One input's share of the sum: MBQM((x + offset) << 20, m, s). |result| < 2^28 for 8-bit x (m < 2^31, s <= 0).
inline int32_t qadd_input(int32_t x, int32_t offset, int32_t m, int s) {
  return rounding_divide_by_pot(srdhm((offset + x) * (1 << 20), m), -s);
}

// The output from the two shares' sum.
inline int32_t qadd_output(const QAddParams& p, int32_t sum) {
  const int32_t v = rounding_divide_by_pot(srdhm(sum, p.mo), -p.so) + p.out_offset;
  return std::min(p.act_max, std::max(p.act_min, v));
}

// Each input's share depends on its 8-bit value only: two 256-entry tables, filled once per call, replace two of the
// three multiply-and-round steps per element, with the same results (qmodel_test compares every pair of inputs
// with the per-element formula).
template <typename T>
struct QAddTables {
  int32_t t1[256], t2[256];
  explicit QAddTables(const QAddParams& p) {
    for (int i = 0; i < 256; i++) {
      const int32_t v = (T)(uint8_t)i;
      t1[i] = qadd_input(v, p.in1_offset, p.m1, p.s1);
      t2[i] = qadd_input(v, p.in2_offset, p.m2, p.s2);
    }
  }
};

// Elements [begin, end).
template <typename T>
void qadd(const QAddParams& p, const QAddTables<T>& t, const T* a, const T* b, T* out, size_t begin, size_t end) {
  for (size_t i = begin; i < end; i++) out[i] = (T)qadd_output(p, t.t1[(uint8_t)a[i]] + t.t2[(uint8_t)b[i]]);
}

}  // namespace mn
