// qu8/qs8 depthwise 3x3, 8 channels per block, AVX-VNNI: the AVX2 kernel (q8_avx2_dwconv.h) with vpdpwssd for
// each pair of taps in place of vpmaddwd + vpaddd. Same packed layout (kQDwconvLayout8cPairsAvx2).
#include "../avx2/q8_avx2_dwconv.h"
#include "q8_avxvnni.h"

namespace mn::avxvnni {

void qu8_dwconv3x3_minmax_gemmlowp__avxvnni_8c(const QDwconvParams<uint8_t>& p, size_t oy_begin, size_t oy_end) {
  avx2_dw::dwconv<false, true>(p, oy_begin, oy_end);
}
void qs8_dwconv3x3_minmax_gemmlowp__avxvnni_8c(const QDwconvParams<int8_t>& p, size_t oy_begin, size_t oy_end) {
  avx2_dw::dwconv<true, true>(p, oy_begin, oy_end);
}

}  // namespace mn::avxvnni
