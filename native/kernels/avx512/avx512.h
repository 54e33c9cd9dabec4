// AVX-512F kernels (x86-64: Skylake-X, Ice Lake, Zen 4 and later). Compiled with
// -mavx512f -mavx2 -mfma only; the dispatcher calls them only after CPUID + XCR0 (opmask and
// zmm state) confirm the CPU and OS support them.
#pragma once
#include "../kernels.h"

namespace mn::avx512 {
void f32_gemm_minmax_7x32__avx512(size_t mr, size_t nc, size_t kc, const float* a, size_t a_stride,
                                  const float* w, float* c, size_t c_stride, float min, float max, const float* w_prefetch);
void f32_gemm_minmax_14x32__avx512(size_t mr, size_t nc, size_t kc, const float* a, size_t a_stride,
                                  const float* w, float* c, size_t c_stride, float min, float max, const float* w_prefetch);
void f32_gemv_minmax__avx512_4p32(size_t nc, size_t kc, const float* a, const float* w, float* c, float min,
                                  float max);
void f32_dwconv3x3_minmax__avx512_16c(const DwconvParams& p, size_t oy_begin, size_t oy_end);
void f32_conv3x3s2_minmax__avx512_32c(const ConvParams& p, size_t oy_begin, size_t oy_end);
void f32_gavgpool__avx512(size_t pixels, size_t channels, const float* in, float* out);
const KernelTable& table();
}  // namespace mn::avx512
