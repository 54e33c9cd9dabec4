// Integer weight packing, once per model, into the layouts qkernels.h documents. The layout comes
// from the chosen QKernelTable (e.g. table.qu8_gemm_layout), so E.g.
//   std::vector<uint8_t> buf(qpacked_gemm_size(t.qu8_gemm_layout, k, n));
//   pack_qu8_gemm(t.qu8_gemm_layout, args, w_oi, buf.data());
//   ... t.qu8_gemm(mr, nc, k, a + m0 * k, k, buf.data() + (n0 / nr) * qpacked_gemm_panel_bytes(l, k), ...)
// Source weights are in TFLite's own order: GEMM [n x k] (1x1 CONV_2D OHWI, FULLY_CONNECTED [out x in]),
// depthwise [9 x c] (DEPTHWISE_CONV_2D [1,3,3,c]), first conv [c_out x 27] (CONV_2D OHWI, 27 = 3*3*3).
// Zero-point terms are folded into the packed bias here (formulas in qkernels.h). Packed buffers
// should be 64-byte aligned for speed (not required for correctness).
//
// Errors: std::invalid_argument naming the bad value (shift outside [-31, 30], negative multiplier,
// zero point outside the weight type's range, a folded bias outside int32, or a layout that cannot
// represent the weights, e.g. 8-bit stored weights with a nonzero zero point and no row-sum term).
#pragma once
#include <cstddef>
#include <cstdint>

#include "../kernels/qkernels.h"

namespace mn {

// Quantization of one layer's weights, bias and requantization. Arrays marked "n or 1" hold n values
// when per_channel, else 1 value used for every channel. Null bias / w_zero_point mean zeros.
struct QPackArgs {
  size_t k;                     // GEMM: input channels; taps kernels: taps (9 dwconv, 27 first conv)
  size_t n;                     // output channels
  const int32_t* bias;          // n values (TFLite int32 bias, scale = input_scale * filter_scale)
  const int32_t* w_zero_point;  // n or 1 (qs8: zeros)
  const int32_t* multiplier;    // n or 1, from quantize_multiplier()
  const int32_t* shift;         // n or 1, TFLite convention (> 0 left)
  bool per_channel;
  int32_t a_zero_point;         // input activations' zero point
};

size_t qpacked_gemm_panel_bytes(const QGemmLayout& l, size_t k);
size_t qpacked_gemm_size(const QGemmLayout& l, size_t k, size_t n);
void pack_qu8_gemm(const QGemmLayout& l, const QPackArgs& args, const uint8_t* w_nk, void* out);
void pack_qs8_gemm(const QGemmLayout& l, const QPackArgs& args, const int8_t* w_nk, void* out);
// True when no weight is -128 (all in TFLite's int8 weight range [-127, 127]): the weights a layout with
// QGemmLayout::narrow accepts (pack_qs8_gemm refuses -128 for it). count: number of weights at w.
bool qs8_weights_narrow(const int8_t* w, size_t count);

// Depthwise 3x3 (args.k = 9, w [9 x c]) and first conv (args.k = 27, w [c_out x 27]).
size_t qpacked_taps_block_bytes(const QTapsLayout& l, size_t taps);
size_t qpacked_taps_size(const QTapsLayout& l, size_t taps, size_t n);
void pack_qu8_dwconv3x3(const QTapsLayout& l, const QPackArgs& args, const uint8_t* w_tc, void* out);
void pack_qs8_dwconv3x3(const QTapsLayout& l, const QPackArgs& args, const int8_t* w_tc, void* out);
void pack_qu8_conv3x3s2(const QTapsLayout& l, const QPackArgs& args, const uint8_t* w_ct, void* out);
void pack_qs8_conv3x3s2(const QTapsLayout& l, const QPackArgs& args, const int8_t* w_ct, void* out);

}  // namespace mn
