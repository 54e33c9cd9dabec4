// Integer (uint8 / int8) layers of the one executor (model.cc): validation, packing and the kernel call
// per kind, kept apart from the float code. A layer is integer when its output dtype is uint8 or int8
// (lib/graph-quant.ts builds such tables from a quantized TFLite file); its input tensors then have the
// same dtype, every tensor carries one scale and zero point, and the layer's fused clamp
// (GraphLayer::min/max) is the quantized activation range. Arithmetic (bit-exact with TensorFlow Lite
// 2.2): kernels/qkernels.h and kernels/requantization.h; packing folds the zero points into the bias
// (runtime/qpack.h).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "../kernels/qkernels.h"
#include "graph.h"
#include "threadpool.h"

namespace mn {

inline bool is_integer(DType t) { return t != DType::Float32; }
inline size_t dtype_bytes(DType t) { return t == DType::Float32 ? 4 : 1; }

// Throws std::invalid_argument (prefixed by `where`) unless `l` is a consistent integer layer:
// inputs of its dtype with per-tensor quantization, integer weights of `kernel_len` elements with
// int32 bias and per-channel multiplier/shift, a clamp inside the type's range, gavgpool with equal
// input and output quantization. `kernel_len` is 0 for kinds without weights.
void validate_integer_layer(const Graph& g, const GraphLayer& l, const std::string& where, size_t kernel_len);

// Packed bytes of an integer layer for table `kt` (0 for kinds without weights), and the packing.
size_t qpacked_bytes(const QKernelTable& kt, const GraphLayer& l, size_t in_c);
void qpack_layer(const QKernelTable& kt, const GraphLayer& l, const TensorDesc& x, void* dst);

// Runs integer layer `l` (input tensor `x`) on `pool`: the row/tile split of the float path, so any
// thread count gives the same bytes.
// ins: the layer's inputs (add: 2, concat: several); scratch: integer_scratch_bytes(g, l) bytes (im2col rows).
void run_integer_layer(const QKernelTable& kt, ThreadPool& pool, const Graph& g, const GraphLayer& l, const void* packed,
                       const void* const* ins, void* out, uint8_t* scratch);
size_t integer_scratch_bytes(const Graph& g, const GraphLayer& l);

// Input staging for an integer graph input: bytes (uint8 as is, int8 = byte - 128: two's complement
// of byte XOR 0x80), and a float tensor quantized as TFLite's QUANTIZE (round half away, saturate).
void integer_input_from_bytes(DType t, uint8_t* data, size_t n);
void quantize_input(const TensorDesc& input, const float* src, size_t n, uint8_t* dst);
// real = scale * (q - zero_point), in float as TFLite's DEQUANTIZE.
void dequantize(const TensorDesc& t, const uint8_t* src, size_t n, float* dst);

}  // namespace mn
