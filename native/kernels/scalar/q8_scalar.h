// Scalar twins of the integer kernels: the reference every SIMD integer kernel is tested against
// (bit for bit), and the fallback for CPUs without SIMD. Contracts in ../qkernels.h.
#pragma once
#include "../qkernels.h"

namespace mn::scalar {
// GEMM 4x4, weights int16 centered (s = w - zw), kr = 1.
void qu8_gemm_minmax_gemmlowp_4x4__scalar(size_t mr, size_t nc, size_t kc, const uint8_t* a, size_t a_stride,
                                          const void* w, uint8_t* c, size_t c_stride, const QOutputParams& out);
void qs8_gemm_minmax_gemmlowp_4x4__scalar(size_t mr, size_t nc, size_t kc, const int8_t* a, size_t a_stride,
                                          const void* w, int8_t* c, size_t c_stride, const QOutputParams& out);
constexpr QGemmLayout kQGemmLayout4x4Scalar = {4, 4, 1, QWeight::kInt16, true, 0, false};

void qu8_dwconv3x3_minmax_gemmlowp__scalar_1c(const QDwconvParams<uint8_t>& p, size_t oy_begin, size_t oy_end);
void qs8_dwconv3x3_minmax_gemmlowp__scalar_1c(const QDwconvParams<int8_t>& p, size_t oy_begin, size_t oy_end);
void qu8_conv3x3s2_minmax_gemmlowp__scalar_1c(const QConvParams<uint8_t>& p, size_t oy_begin, size_t oy_end);
void qs8_conv3x3s2_minmax_gemmlowp__scalar_1c(const QConvParams<int8_t>& p, size_t oy_begin, size_t oy_end);
constexpr QTapsLayout kQTapsLayout1cScalar = {1, QWeight::kInt16, false};

void qu8_gavgpool_minmax__scalar(size_t pixels, size_t channels, const uint8_t* in, uint8_t* out, int32_t out_min,
                                 int32_t out_max);
void qs8_gavgpool_minmax__scalar(size_t pixels, size_t channels, const int8_t* in, int8_t* out, int32_t out_min,
                                 int32_t out_max);

const QKernelTable& qtable();
}  // namespace mn::scalar
