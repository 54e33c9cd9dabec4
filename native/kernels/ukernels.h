// Descriptors of every kernel in the family lists (*.inc), in namespace mn::ukernel:
//   mn::ukernel::f32_gemm_minmax_6x16__avx2 is a GemmKernel{isa, name, fn, mr, nr}, and
//   mn::ukernel::gemm_kernels() lists every GEMM kernel of this build (for the tester and bench).
// ISA tables pick their kernels from here by name, so tile sizes are written once (in the list).
#pragma once
#include <vector>

#include "kernels.h"
#include "scalar/scalar.h"
#if defined(MN_ENABLE_AVX2)
#include "avx2/avx2.h"
#endif
#if defined(MN_ENABLE_AVX512)
#include "avx512/avx512.h"
#endif
#if defined(MN_ENABLE_NEON)
#include "neon/neon.h"
#endif

namespace mn::ukernel {

#define MN_UKERNEL_GEMM(isa, fn, mr, nr) constexpr GemmKernel fn{#isa, #fn, isa::fn, mr, nr};
#include "f32-gemm-minmax.inc"
#undef MN_UKERNEL_GEMM
#define MN_UKERNEL_GEMV(isa, fn, nr) constexpr GemvKernel fn{#isa, #fn, isa::fn, nr};
#include "f32-gemv-minmax.inc"
#undef MN_UKERNEL_GEMV
#define MN_UKERNEL_DWCONV(isa, fn, ct) constexpr DwconvKernel fn{#isa, #fn, isa::fn, ct};
#include "f32-dwconv3x3-minmax.inc"
#undef MN_UKERNEL_DWCONV
#define MN_UKERNEL_CONV(isa, fn, ct) constexpr ConvKernel fn{#isa, #fn, isa::fn, ct};
#include "f32-conv3x3s2-minmax.inc"
#undef MN_UKERNEL_CONV
#define MN_UKERNEL_GAVGPOOL(isa, fn) constexpr GavgpoolKernel fn{#isa, #fn, isa::fn};
#include "f32-gavgpool.inc"
#undef MN_UKERNEL_GAVGPOOL

inline std::vector<GemmKernel> gemm_kernels() {
  return {
#define MN_UKERNEL_GEMM(isa, fn, mr, nr) fn,
#include "f32-gemm-minmax.inc"
#undef MN_UKERNEL_GEMM
  };
}
inline std::vector<GemvKernel> gemv_kernels() {
  return {
#define MN_UKERNEL_GEMV(isa, fn, nr) fn,
#include "f32-gemv-minmax.inc"
#undef MN_UKERNEL_GEMV
  };
}
inline std::vector<DwconvKernel> dwconv3x3_kernels() {
  return {
#define MN_UKERNEL_DWCONV(isa, fn, ct) fn,
#include "f32-dwconv3x3-minmax.inc"
#undef MN_UKERNEL_DWCONV
  };
}
inline std::vector<ConvKernel> conv3x3s2_kernels() {
  return {
#define MN_UKERNEL_CONV(isa, fn, ct) fn,
#include "f32-conv3x3s2-minmax.inc"
#undef MN_UKERNEL_CONV
  };
}
inline std::vector<GavgpoolKernel> gavgpool_kernels() {
  return {
#define MN_UKERNEL_GAVGPOOL(isa, fn) fn,
#include "f32-gavgpool.inc"
#undef MN_UKERNEL_GAVGPOOL
  };
}

}  // namespace mn::ukernel
