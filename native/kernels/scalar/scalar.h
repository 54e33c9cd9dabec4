// Scalar twins: the reference every SIMD kernel is tested against, and the fallback for CPUs
// without SIMD (Pi Zero/1: armv6/armv7 without NEON).
#pragma once
#include "../kernels.h"

namespace mn::scalar {
void f32_gemm_minmax_4x4__scalar(size_t mr, size_t nc, size_t kc, const float* a, size_t a_stride,
                                 const float* w, float* c, size_t c_stride, float min, float max, const float* w_prefetch);
void f32_dwconv3x3_minmax__scalar_1c(const DwconvParams& p, size_t oy_begin, size_t oy_end);
void f32_conv3x3s2_minmax__scalar_1c(const ConvParams& p, size_t oy_begin, size_t oy_end);
void f32_gavgpool__scalar(size_t pixels, size_t channels, const float* in, float* out);
const KernelTable& table();
}  // namespace mn::scalar
