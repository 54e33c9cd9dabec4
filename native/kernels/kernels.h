// Kernel contracts shared by every ISA. Pure compute: no allocation, no napi, no threads.
//
// Layouts: activations are NHWC float32, rows contiguous (row stride = width * channels).
// Weights are packed once at model creation by native/runtime/pack.cc into the layouts below;
// the tile sizes (NR, CT) come from the KernelTable of the ISA chosen at model creation.
//
// Every kernel applies a fused epilogue: out = min(max(acc + bias, min), max). ReLU6 is [0, 6],
// ReLU is [0, +inf], "none" is [-inf, +inf], so one kernel covers all three.
//
// Reads/writes: kernels never touch input or output memory outside the tensor they are given
// (no XNN_OOB_READS). Packed weights are zero-padded to a full tile, so kernels may read whole tiles there.
#pragma once
#include <cstddef>

namespace mn {

// ---------------------------------------------------------------------------------------------
// GEMM microkernel (1x1 convolution on NHWC, classifier):
//   C[mr x nc] = clamp(A[mr x kc] * W + bias)
// a: row r starts at a + r * a_stride (floats); exactly mr x kc floats are read.
// w: one packed panel of NR columns: NR bias floats, then kc rows of NR weights (k-major),
//    columns >= N zero-padded. nc <= NR columns of C are written, mr <= MR rows.
// c: row r starts at c + r * c_stride.
// w_prefetch: nullptr, or weights the runtime will need soon (a slice of the next panel). A kernel may
//    prefetch (never read) up to kc * kGemmPrefetchBytesPerK bytes from there into L2 while it runs, so results
//    never depend on it and it may point anywhere, even past the buffer (a prefetch cannot fault). Only the
//    full tile of f32_gemm_minmax_14x32__avx512 uses it; the others ignore it.
using GemmUkernelFn = void (*)(size_t mr, size_t nc, size_t kc, const float* a, size_t a_stride,
                               const float* w, float* c, size_t c_stride, float min, float max,
                               const float* w_prefetch);
// One 128-byte line pair (two prefetches) every two k-steps: a 14-row tile's K = 1024 k loop warms 64 KiB,
// half of the next 32-column panel, while it computes (Model::gemm gives each row tile of a panel its own slice).
constexpr size_t kGemmPrefetchBytesPerK = 64;

// GEMV (one row of A: the batch-1 classifier), optional per ISA (fn nullptr: the runtime uses the GEMM):
//   c[0..nc) = clamp(a[0..kc) * W + bias), W = ceil(nc / NR) consecutive packed panels as above
//   (panel j at w + j * NR * (kc + 1)). Same per-element order as the GEMM (bias, then k ascending,
//   same FMA), so results are bit-identical to the GEMM's for that row.
using GemvUkernelFn = void (*)(size_t nc, size_t kc, const float* a, const float* w, float* c, float min, float max);

// ---------------------------------------------------------------------------------------------
// Depthwise 3x3 convolution, stride 1 or 2, explicit padding (TF SAME is computed by the caller:
// for stride 2 on even input, pad_top = pad_left = 0 and the bottom/right tap falls off the edge).
// Packed weights, per block of CT channels (last block zero-padded to CT):
//   CT bias floats, then 9 taps x CT floats (tap = ky * 3 + kx).
// Computes output rows [oy_begin, oy_end) for all channels. Taps outside the input are skipped
// (equivalent to zero padding).
struct DwconvParams {
  const float* input;   // in_h x in_w x channels
  float* output;        // out_h x out_w x channels
  const float* weights; // packed as above
  size_t in_h, in_w, channels;
  size_t out_h, out_w;
  size_t stride;        // 1 or 2
  size_t pad_top, pad_left;
  float min, max;
};
using DwconvFn = void (*)(const DwconvParams& p, size_t oy_begin, size_t oy_end);

// ---------------------------------------------------------------------------------------------
// First layer: dense 3x3 convolution, stride 2, 3 input channels -> out_c channels.
// Packed weights, per block of CT output channels (last block zero-padded):
//   CT bias floats, then 27 x CT floats (index (ky * 3 + kx) * 3 + ci).
// Computes output rows [oy_begin, oy_end).
struct ConvParams {
  const float* input;   // in_h x in_w x 3
  float* output;        // out_h x out_w x out_c
  const float* weights; // packed as above
  size_t in_h, in_w, out_c;
  size_t out_h, out_w;
  size_t pad_top, pad_left;
  float min, max;
};
using ConvFn = void (*)(const ConvParams& p, size_t oy_begin, size_t oy_end);

// ---------------------------------------------------------------------------------------------
// Global average pool: out[c] = mean over `pixels` rows of in[pixels x channels].
// Sums in pixel order per channel (then multiplies by 1/pixels), so every ISA gives the same order.
using GavgpoolFn = void (*)(size_t pixels, size_t channels, const float* in, float* out);

// One kernel of a family with the tile sizes its packed weights must use. The lists of every
// kernel of a family (any ISA) are the X-macro files next to this header (f32-gemm-minmax.inc,
// ...); ukernels.h turns them into these descriptors, and the ISA tables, the kernel tester and
// the kernel bench all read them from there, so a kernel cannot ship untested or unbenched.
struct GemmKernel {
  const char* isa;       // the ISA it needs: "scalar", "avx2", "avx512", "neon"
  const char* name;      // XNNPACK-style: f32_gemm_minmax_<MR>x<NR>__<isa>
  GemmUkernelFn fn;
  size_t mr, nr;         // rows of A and columns of W per call
};
struct GemvKernel {
  const char* isa;
  const char* name;
  GemvUkernelFn fn;      // nullptr in tables without one
  size_t nr;             // panel width: must equal the table's GEMM nr (same packed weights)
};
struct DwconvKernel {
  const char* isa;
  const char* name;
  DwconvFn fn;           // stride 1 and 2 (p.stride)
  size_t channel_tile;   // CT of the packed layout
};
struct ConvKernel {
  const char* isa;
  const char* name;
  ConvFn fn;
  size_t channel_tile;
};
struct GavgpoolKernel {
  const char* isa;
  const char* name;
  GavgpoolFn fn;
};

// One ISA's choice in every family (native/kernels/<isa>/table.cc).
struct KernelTable {
  const char* isa;       // "scalar", "avx2", "avx512", "neon"
  GemmKernel gemm;
  DwconvKernel dwconv3x3;
  ConvKernel conv3x3s2;
  GavgpoolKernel gavgpool;
  GemvKernel gemv;       // optional (fn nullptr): M = 1 then runs through gemm
};

}  // namespace mn
