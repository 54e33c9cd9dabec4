// Integer kernel contracts (uint8 "qu8" and int8 "qs8"), shared by every ISA. Pure compute: no
// allocation, no napi, no threads. Float kernels are in kernels.h; this header is independent of it.
//
// Schemes (TFLite terms; real = scale * (q - zero_point)):
//   qu8: activations uint8 asymmetric (zero point za), weights uint8 asymmetric per tensor (zero point zw).
//   qs8: activations int8 asymmetric (za), weights int8 symmetric per output channel (zw = 0).
//        (XNNPACK calls per-channel int8 "qc8"; the issue calls it qs8.)
// Both kernels accept per-output-channel requantization (multiplier, shift); per-tensor is the same
// value repeated, so one kernel serves both.
//
// Arithmetic, exact as TFLite 2.2 (see requantization.h):
//   acc[n] = bias[n] + sum_k (a[k] - za) * (w[k][n] - zw[n])          (int32; padded taps: a = za)
//   out[n] = clamp(MultiplyByQuantizedMultiplier(acc[n], multiplier[n], shift[n]) + out_zero_point,
//                  out_min, out_max)
// ReLU6 / ReLU / none are all [out_min, out_max] (TFLite's CalculateActivationRangeQuantized).
//
// Zero points are folded into the packed bias at pack time (native/runtime/qpack.h), so inner loops
// carry no zero-point work. With s = stored weight, the kernel computes
//   S[n] = sum_k a[k] * s[k][n]  +  row_sum(a) * h      (the h term only for layouts with a_sum)
// and the packed bias is bias - za * sum_k (w - zw), which makes S + packed bias equal to acc above
// for every a. The term zw * sum_k a of qu8 cannot be folded (it depends on the input): it vanishes
// when weights are stored centered (s = w - zw, int16: scalar, NEON without dot product, AVX2
// vpmaddwd), or the kernel adds row_sum(a) * h, h = w_offset - zw, once per output row. That is the
// price of 8-bit stored weights: vpdpbusd multiplies unsigned by signed bytes, so qu8 stores
// s = w - 128 (int8, h = 128 - zw) and qs8 stores s = w + 128 (uint8, h = -128); udot stores raw
// uint8 (h = -zw). row_sum costs ~4/NR of the multiply-accumulates (vpsadbw, once per tile row).
//
// Reads/writes: kernels never touch input or output memory outside the tensors they are given;
// packed weights are padded to whole tiles (zeros), which kernels may read in full. Packed weights
// must be 4-byte aligned (their int32 headers; panel and block sizes are multiples of 4 bytes),
// 64-byte aligned for speed. Activations need no alignment.
#pragma once
#include <cstddef>
#include <cstdint>

namespace mn {

// ---------------------------------------------------------------------------------------------
// Packed panel header, int32, shared by every integer layout. For a panel (GEMM) or block (dwconv,
// conv) of T output channels, T values each, channels past the end zero:
//   bias[T]        bias with zero-point terms folded (see above)
//   multiplier[T]  Q31 significand in [2^30, 2^31) (or 0)
//   lshift[T]      max(shift, 0)
//   rshift[T]      max(-shift, 0), in [0, 31]
//   h[T]           only for GEMM layouts with a_sum: w_offset - zw
constexpr size_t kQHeaderRows = 4;

// Stored weight element type of a packed layout.
enum class QWeight : uint8_t { kInt16, kInt8, kUint8, kInt32 };

// How a GEMM kernel wants its weights (one per kernel; the packer reads it, the tester too).
// Panel of nr columns: header (kQHeaderRows + a_sum) x nr int32, then ceil(k / kr) groups of
// nr x kr weights, element (k, n) at group k / kr, offset (n % nr) * kr + k % kr; k padding is 0.
//   stored s = w - zw[n]          if w_centered (then a_sum must be false)
//   stored s = w - w_offset       otherwise; unless a_sum, w_offset must equal every zw.
// a_sum: header row 5 holds h = w_offset - zw (one weight zero point for all channels, as TFLite's
// uint8 is per tensor), and the kernel adds row_sum(a) * h.
struct QGemmLayout {
  size_t mr, nr, kr;
  QWeight weight;
  bool w_centered;
  int32_t w_offset;
  bool a_sum;
  // narrow: stored weights must lie in [-127, 127] (TFLite's int8 weight range, TF's narrow_range), i.e. no
  // stored -128; the packer refuses -128. For kernels that add two int8 x int8 products in one int16 lane
  // (|w x a| <= 127 * 128, two of them <= 32512): exact only then.
  bool narrow = false;
  // panels: nc may exceed nr; one call computes ceil(nc / nr) consecutive packed panels (the call's setup
  // paid once for them). Otherwise nc <= nr.
  bool panels = false;
  // rows: mr may exceed the tile's MR; one call computes ceil(mr / MR) row tiles (MR rows of a and c each,
  // the last one short), each over the call's panels (the call's setup paid once for them).
  bool rows = false;
};

// Depthwise 3x3 and first conv 3x3 s2 (taps = 9 or 27): per block of ct channels, the header
// (kQHeaderRows x ct int32), then the stored weights s = w - zw (kInt16 or kInt32):
//   taps x ct, element (t, c) at t * ct + c                         (tap_pairs false)
//   ceil(taps / 2) x ct pairs, element (t, c) at ((t / 2) * ct + c) * 2 + t % 2, a missing last
//   tap zero                                                        (tap_pairs true: int16 pairs
//   for vpmaddwd / vpdpwssd, two taps per instruction)
// Channels past the end are zero; each block is padded to a multiple of 4 bytes.
// Padded input taps read as za, so bias = bias - za * sum_taps s.
// as_gemm (first conv only): the weights are packed exactly as a GEMM panel of that layout with K = taps and
// N = output channels ([c_out x 27] is the GEMM's [N x K]); ct must equal its nr. For kernels that run the
// first conv as a GEMM over gathered pixel rows.
struct QTapsLayout {
  size_t ct;
  QWeight weight;
  bool tap_pairs;
  const QGemmLayout* as_gemm = nullptr;
  // narrow: as QGemmLayout::narrow (stored weights in [-127, 127]; the packer refuses -128).
  bool narrow = false;
};

// Output requantization, per tensor. out_min/out_max in the output type's range, out_min <= out_max.
// left_shift false promises that no output channel of the call has a left shift (every packed lshift is 0,
// i.e. every multiplier < 1, as in the usual conv layers); a kernel may then skip that step. True is always safe.
struct QOutputParams {
  int32_t zero_point;
  int32_t min, max;
  bool left_shift = true;
};

// ---------------------------------------------------------------------------------------------
// GEMM microkernel (1x1 convolution on NHWC, classifier): C[mr x nc] = requant(A[mr x kc] * W).
// a: row r at a + r * a_stride (elements); exactly mr x kc elements are read.
// w: one packed panel (QGemmLayout of this kernel); nc <= nr columns of C are written, mr <= MR rows
// (layout.panels: nc may exceed nr, w the first of ceil(nc / nr) consecutive panels).
// c: row r at c + r * c_stride.
using QU8GemmFn = void (*)(size_t mr, size_t nc, size_t kc, const uint8_t* a, size_t a_stride, const void* w,
                           uint8_t* c, size_t c_stride, const QOutputParams& out);
using QS8GemmFn = void (*)(size_t mr, size_t nc, size_t kc, const int8_t* a, size_t a_stride, const void* w,
                           int8_t* c, size_t c_stride, const QOutputParams& out);

// ---------------------------------------------------------------------------------------------
// Depthwise 3x3, stride 1 or 2, explicit padding (the caller computes TF SAME as for float:
// pad_top = max((out_h - 1) * stride + 3 - in_h, 0) / 2, same for left). Taps outside the input
// read input_zero_point (zero in real terms). Computes output rows [oy_begin, oy_end), all channels.
template <typename T>
struct QDwconvParams {
  const T* input;       // in_h x in_w x channels
  T* output;            // out_h x out_w x channels
  const void* weights;  // QTapsLayout, taps = 9
  size_t in_h, in_w, channels;
  size_t out_h, out_w;
  size_t stride;  // 1 or 2
  size_t pad_top, pad_left;
  int32_t input_zero_point;
  QOutputParams out;
};
using QU8DwconvFn = void (*)(const QDwconvParams<uint8_t>& p, size_t oy_begin, size_t oy_end);
using QS8DwconvFn = void (*)(const QDwconvParams<int8_t>& p, size_t oy_begin, size_t oy_end);

// ---------------------------------------------------------------------------------------------
// First layer: dense 3x3 convolution, stride 2, 3 input channels -> out_c. Weights packed per
// QTapsLayout with taps = 27, tap index (ky * 3 + kx) * 3 + ci. Taps outside the input read
// input_zero_point. Computes output rows [oy_begin, oy_end).
template <typename T>
struct QConvParams {
  const T* input;  // in_h x in_w x 3
  T* output;       // out_h x out_w x out_c
  const void* weights;
  size_t in_h, in_w, out_c;
  size_t out_h, out_w;
  size_t pad_top, pad_left;
  int32_t input_zero_point;
  QOutputParams out;
};
using QU8ConvFn = void (*)(const QConvParams<uint8_t>& p, size_t oy_begin, size_t oy_end);
using QS8ConvFn = void (*)(const QConvParams<int8_t>& p, size_t oy_begin, size_t oy_end);

// ---------------------------------------------------------------------------------------------
// Global average pool as TFLite 2.2 AVERAGE_POOL_2D over the whole plane (VALID, filter = plane):
// on raw quantized values (TFLite requires equal input and output scale and zero point), n = pixels,
//   qu8: out = clamp((sum + n/2) / n, min, max)                         (reference_ops::AveragePool)
//   qs8: out = clamp(sum > 0 ? (sum + n/2) / n : (sum - n/2) / n, ...)  (reference_integer_ops)
// (integer division truncates toward zero). in: pixels x channels; out: channels.
using QU8GavgpoolFn = void (*)(size_t pixels, size_t channels, const uint8_t* in, uint8_t* out, int32_t out_min,
                               int32_t out_max);
using QS8GavgpoolFn = void (*)(size_t pixels, size_t channels, const int8_t* in, int8_t* out, int32_t out_min,
                               int32_t out_max);

// A GEMM tile (qu8 and qs8 flavours) with its layouts: the selected one is in QKernelTable, the
// others are listed there too so the tester checks and the benchmark measures every tile built.
struct QGemmVariant {
  const char* qu8_name;
  QU8GemmFn qu8;
  QGemmLayout qu8_layout;
  const char* qs8_name;
  QS8GemmFn qs8;
  QGemmLayout qs8_layout;
};

// One ISA's integer kernels with the layouts their packed weights must use. An ISA without its own
// version of a kernel points at another table's (usually the scalar twin) together with its layout.
// Integer ADD of two tensors of one shape (uint8 or int8), exact as TensorFlow Lite 2.2's AddElementwise:
// runtime/qadd.h derives these parameters and holds the scalar form (the twin every vadd kernel must equal).
struct QAddParams {
  int32_t in1_offset, in2_offset, out_offset;  // -z1, -z2, z_out
  int32_t m1, m2, mo;                           // Q31 multipliers (QuantizeMultiplierSmallerThanOneExp)
  int s1, s2, so;                               // their shifts, <= 0
  int32_t act_min, act_max;
};
using QU8VaddFn = void (*)(const QAddParams& p, const uint8_t* a, const uint8_t* b, uint8_t* out, size_t n);
using QS8VaddFn = void (*)(const QAddParams& p, const int8_t* a, const int8_t* b, int8_t* out, size_t n);

struct QKernelTable {
  const char* isa;  // "scalar", "avx2", "avxvnni", "avx512vnni", "neon", "neondot"
  const char* qu8_gemm_name;
  QU8GemmFn qu8_gemm;
  QGemmLayout qu8_gemm_layout;
  const char* qs8_gemm_name;
  QS8GemmFn qs8_gemm;
  QGemmLayout qs8_gemm_layout;
  const char* qu8_dwconv3x3_name;
  QU8DwconvFn qu8_dwconv3x3;
  QTapsLayout qu8_dwconv3x3_layout;
  const char* qs8_dwconv3x3_name;
  QS8DwconvFn qs8_dwconv3x3;
  QTapsLayout qs8_dwconv3x3_layout;
  const char* qu8_conv3x3s2_name;
  QU8ConvFn qu8_conv3x3s2;
  QTapsLayout qu8_conv3x3s2_layout;
  const char* qs8_conv3x3s2_name;
  QS8ConvFn qs8_conv3x3s2;
  QTapsLayout qs8_conv3x3s2_layout;
  QU8GavgpoolFn qu8_gavgpool;
  QS8GavgpoolFn qs8_gavgpool;
  const QGemmVariant* gemm_alternatives;  // other tiles of this ISA (not selected), may be null
  size_t num_gemm_alternatives;
  // A faster qs8 GEMM for layers whose weights are all in [-127, 127] (its layout has narrow set), or null.
  // Chosen per layer at pack time (qs8_weights_narrow, runtime/qpack.h); other layers get qs8_gemm.
  const char* qs8_gemm_narrow_name = nullptr;
  QS8GemmFn qs8_gemm_narrow = nullptr;
  QGemmLayout qs8_gemm_narrow_layout = {};
  // The same for the qs8 depthwise 3x3 (its layout has narrow set), or null; other layers get qs8_dwconv3x3.
  const char* qs8_dwconv3x3_narrow_name = nullptr;
  QS8DwconvFn qs8_dwconv3x3_narrow = nullptr;
  QTapsLayout qs8_dwconv3x3_narrow_layout = {};
  // Integer ADD, or null for the scalar form (runtime/qadd.h).
  QU8VaddFn qu8_vadd = nullptr;
  QS8VaddFn qs8_vadd = nullptr;
};

}  // namespace mn
