// f32 global average pool, NEON: 16 channels per pass (4 accumulators), then 4, then 1.
// Sums each channel in pixel order and multiplies by 1/pixels, exactly the scalar twin's order,
// so results are bit-identical to it (no reassociation across pixels).
#include <arm_neon.h>

#include "neon.h"

namespace mn::neon {

void f32_gavgpool__neon(size_t pixels, size_t channels, const float* in, float* out) {
  const float scale = 1.0f / (float)pixels;
  const float32x4_t vscale = vdupq_n_f32(scale);
  size_t c = 0;
  for (; c + 16 <= channels; c += 16) {
    float32x4_t vacc0 = vdupq_n_f32(0.0f), vacc1 = vacc0, vacc2 = vacc0, vacc3 = vacc0;
    const float* x = in + c;
    for (size_t p = 0; p < pixels; p++, x += channels) {
      vacc0 = vaddq_f32(vacc0, vld1q_f32(x));
      vacc1 = vaddq_f32(vacc1, vld1q_f32(x + 4));
      vacc2 = vaddq_f32(vacc2, vld1q_f32(x + 8));
      vacc3 = vaddq_f32(vacc3, vld1q_f32(x + 12));
    }
    vst1q_f32(out + c, vmulq_f32(vacc0, vscale));
    vst1q_f32(out + c + 4, vmulq_f32(vacc1, vscale));
    vst1q_f32(out + c + 8, vmulq_f32(vacc2, vscale));
    vst1q_f32(out + c + 12, vmulq_f32(vacc3, vscale));
  }
  for (; c + 4 <= channels; c += 4) {
    float32x4_t vacc = vdupq_n_f32(0.0f);
    const float* x = in + c;
    for (size_t p = 0; p < pixels; p++, x += channels) vacc = vaddq_f32(vacc, vld1q_f32(x));
    vst1q_f32(out + c, vmulq_f32(vacc, vscale));
  }
  for (; c < channels; c++) {
    float acc = 0.0f;
    for (size_t p = 0; p < pixels; p++) acc += in[p * channels + c];
    out[c] = acc * scale;
  }
}

}  // namespace mn::neon
