// Weight packing, once per model, into the layouts kernels.h documents. Tile sizes (nr, ct) come
// from the chosen KernelTable. Padding lanes are zero so kernels may read whole tiles.
// `bias` may be null (zeros).
#pragma once
#include <cstddef>

namespace mn {

// GEMM: w_io is [k x n] row-major (input-major, TF's 1x1 HWIO). Per panel of nr columns:
// nr bias, then k rows of nr weights.
size_t packed_gemm_size(size_t k, size_t n, size_t nr);
void pack_gemm_weights(size_t k, size_t n, size_t nr, const float* w_io, const float* bias, float* out);

// Depthwise 3x3: w_hwc is [3 x 3 x c]. Per block of ct channels: ct bias, then 9 x ct.
size_t packed_dwconv_size(size_t c, size_t ct);
void pack_dwconv_weights(size_t c, size_t ct, const float* w_hwc, const float* bias, float* out);

// First conv 3x3x3 -> cout: w_hwio is [3 x 3 x 3 x cout]. Per block of ct outputs: ct bias, then 27 x ct.
size_t packed_conv3x3_size(size_t cout, size_t ct);
void pack_conv3x3_weights(size_t cout, size_t ct, const float* w_hwio, const float* bias, float* out);

}  // namespace mn
