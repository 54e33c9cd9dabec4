// qu8/qs8 depthwise 3x3, 8 channels per block, AVX2 (vpmaddwd + vpaddd): q8_avx2_dwconv.h.
#include "q8_avx2_dwconv.h"

namespace mn::avx2 {

void qu8_dwconv3x3_minmax_gemmlowp__avx2_8c(const QDwconvParams<uint8_t>& p, size_t oy_begin, size_t oy_end) {
  avx2_dw::dwconv<false, false>(p, oy_begin, oy_end);
}
void qs8_dwconv3x3_minmax_gemmlowp__avx2_8c(const QDwconvParams<int8_t>& p, size_t oy_begin, size_t oy_end) {
  avx2_dw::dwconv<true, false>(p, oy_begin, oy_end);
}

}  // namespace mn::avx2
