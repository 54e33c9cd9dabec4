// NEON integer kernels (no dot product) for aarch64 and armv7; same sources for both, built with the
// float NEON files' flags (native/kernels/neon). Dot-product kernels are in ../neondot.
#pragma once
#include "../qkernels.h"

namespace mn::neon {
void qu8_gemm_minmax_gemmlowp_4x8__neon_mlal_lane(size_t mr, size_t nc, size_t kc, const uint8_t* a, size_t a_stride,
                                                  const void* w, uint8_t* c, size_t c_stride, const QOutputParams& out);
void qs8_gemm_minmax_gemmlowp_4x8__neon_mlal_lane(size_t mr, size_t nc, size_t kc, const int8_t* a, size_t a_stride,
                                                  const void* w, int8_t* c, size_t c_stride, const QOutputParams& out);
constexpr QGemmLayout kQGemmLayout4x8NeonMlal = {4, 8, 1, QWeight::kInt16, true, 0, false};

const QKernelTable& qtable();
}  // namespace mn::neon
