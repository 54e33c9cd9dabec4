// NEON integer kernels (no dot product) for aarch64 and armv7; same sources for both, built with the
// float NEON files' flags (native/kernels/neon). Dot-product kernels are in ../neondot.
#pragma once
#include "../qkernels.h"

namespace mn::neon {
void qu8_gemm_minmax_gemmlowp_4x8__neon_mlal_lane(size_t mr, size_t nc, size_t kc, const uint8_t* a, size_t a_stride,
                                                  const void* w, uint8_t* c, size_t c_stride, const QOutputParams& out);
void qs8_gemm_minmax_gemmlowp_4x8__neon_mlal_lane(size_t mr, size_t nc, size_t kc, const int8_t* a, size_t a_stride,
                                                  const void* w, int8_t* c, size_t c_stride, const QOutputParams& out);
constexpr QGemmLayout kQGemmLayout4x8NeonMlal = {4, 8, 1, QWeight::kInt16, true, 0, false, false, true, true};

#if defined(__aarch64__)
// qs8 only, weights in [-127, 127] (narrow): raw int8 weights, 16 k per column; smull + smlal2 pairs two
// products in one int16 lane, sadalp adds them into int32 (3 instructions per 16 MACs).
void qs8_gemm_minmax_gemmlowp_2x8c16__neon_mlal(size_t mr, size_t nc, size_t kc, const int8_t* a, size_t a_stride,
                                                const void* w, int8_t* c, size_t c_stride, const QOutputParams& out);
constexpr QGemmLayout kQS8GemmLayout2x8c16NeonMlal = {2, 8, 16, QWeight::kInt8, false, 0, false, true};
#endif

// Depthwise 3x3, 8 channels per block: int16 centered weights, vmlal_s16.
void qu8_dwconv3x3_minmax_gemmlowp__neon_mlal_8c(const QDwconvParams<uint8_t>& p, size_t oy_begin, size_t oy_end);
void qs8_dwconv3x3_minmax_gemmlowp__neon_mlal_8c(const QDwconvParams<int8_t>& p, size_t oy_begin, size_t oy_end);
constexpr QTapsLayout kQDwconvLayout8cNeon = {8, QWeight::kInt16, false};
// qs8 only, weights in [-127, 127] (narrow): raw int8 weights, smull + smlal pair two taps' products in one int16
// lane, saddw widens them into int32. 16 channels per block on aarch64, 8 on armv7.
void qs8_dwconv3x3_minmax_gemmlowp__neon_mla8(const QDwconvParams<int8_t>& p, size_t oy_begin, size_t oy_end);
#if defined(__aarch64__)
constexpr QTapsLayout kQS8DwconvLayoutMla8 = {16, QWeight::kInt8, false, nullptr, true};
#else
constexpr QTapsLayout kQS8DwconvLayoutMla8 = {8, QWeight::kInt8, false, nullptr, true};
#endif

// First conv 3x3 s2, 8 output channels per block: int16 centered weights, vmlal_lane per tap, 2 pixels per pass.
void qu8_conv3x3s2_minmax_gemmlowp__neon_mlal_8c(const QConvParams<uint8_t>& p, size_t oy_begin, size_t oy_end);
void qs8_conv3x3s2_minmax_gemmlowp__neon_mlal_8c(const QConvParams<int8_t>& p, size_t oy_begin, size_t oy_end);
constexpr QTapsLayout kQConvLayout8cNeon = {8, QWeight::kInt16, false};

// Global average pool, 32 channels per pass: 16-bit partial sums, the rounding division as an exact
// multiply-high (no vector divide on armv7).
void qu8_gavgpool_minmax__neon_32c(size_t pixels, size_t channels, const uint8_t* in, uint8_t* out, int32_t out_min,
                                   int32_t out_max);
void qs8_gavgpool_minmax__neon_32c(size_t pixels, size_t channels, const int8_t* in, int8_t* out, int32_t out_min,
                                   int32_t out_max);

// Integer ADD, 16 elements per pass: TFLite's NEON AddElementwise (vqrdmulh is gemmlowp's SRDHM exactly;
// RoundingDivideByPOT as a sign fix-up and a rounding shift), so the scalar form's bytes.
void qu8_vadd_minmax__neon_16(const QAddParams& p, const uint8_t* a, const uint8_t* b, uint8_t* out, size_t n);
void qs8_vadd_minmax__neon_16(const QAddParams& p, const int8_t* a, const int8_t* b, int8_t* out, size_t n);

const QKernelTable& qtable();
}  // namespace mn::neon
