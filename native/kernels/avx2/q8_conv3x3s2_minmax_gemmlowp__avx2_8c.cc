// qu8/qs8 first convolution 3x3 stride 2, 3 -> out_c, 8 output channels per block, AVX2. Layout
// kQConvLayout8cPairsAvx2: per block, header x 8 int32, then 14 tap pairs x 8 channels of int16
// (the 28th tap zero). Per output pixel the 27 input values (za for padded taps) are gathered once
// as int16 pairs; per block and pair one vpmaddwd (2 taps x 8 channels) and one vpaddd.
// Also the global average pool: int32 sums 8 channels at a time, TFLite's rounding division per channel.
#include <immintrin.h>

#include <cstring>

#include "q8_avx2.h"
#include "q8_avx2_requant.h"

namespace mn::avx2 {

namespace {

template <bool kS8, typename T>
void conv(const QConvParams<T>& p, size_t oy_begin, size_t oy_end) {
  const size_t OC = p.out_c, blocks = (OC + 7) / 8;
  constexpr size_t kBlockInts = 4 * 8 + 14 * 8;
  const int32_t* weights = (const int32_t*)p.weights;
  const __m256i zp = _mm256_set1_epi32(p.out.zero_point), lo = _mm256_set1_epi32(p.out.min),
                hi = _mm256_set1_epi32(p.out.max);
  for (size_t oy = oy_begin; oy < oy_end; oy++) {
    for (size_t ox = 0; ox < p.out_w; ox++) {
      int16_t a[28];
      for (size_t ky = 0; ky < 3; ky++) {
        const ptrdiff_t iy = (ptrdiff_t)(oy * 2 + ky) - (ptrdiff_t)p.pad_top;
        for (size_t kx = 0; kx < 3; kx++) {
          const ptrdiff_t ix = (ptrdiff_t)(ox * 2 + kx) - (ptrdiff_t)p.pad_left;
          const bool inside = iy >= 0 && iy < (ptrdiff_t)p.in_h && ix >= 0 && ix < (ptrdiff_t)p.in_w;
          const T* px = p.input + ((size_t)(inside ? iy : 0) * p.in_w + (size_t)(inside ? ix : 0)) * 3;
          for (size_t ci = 0; ci < 3; ci++)
            a[(ky * 3 + kx) * 3 + ci] = inside ? (int16_t)px[ci] : (int16_t)p.input_zero_point;
        }
      }
      a[27] = 0;
      T* out = p.output + (oy * p.out_w + ox) * OC;
      for (size_t b = 0; b < blocks; b++) {
        const int32_t* h = weights + b * kBlockInts;
        const int32_t* wt = h + 32;
        __m256i acc = _mm256_loadu_si256((const __m256i*)h);
#pragma GCC unroll 14
        for (size_t j = 0; j < 14; j++) {
          int32_t pair;
          std::memcpy(&pair, a + 2 * j, 4);
          acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_set1_epi32(pair), _mm256_loadu_si256((const __m256i*)(wt + 8 * j))));
        }
        const avx2_q::Requant8 r = avx2_q::load_requant8(h, 8, 0);
        avx2_q::store8<kS8>(out + 8 * b, avx2_q::requant8(acc, r, zp, lo, hi), OC - 8 * b < 8 ? OC - 8 * b : 8);
      }
    }
  }
}

template <bool kS8, typename T>
void gavgpool(size_t pixels, size_t channels, const T* in, T* out, int32_t out_min, int32_t out_max) {
  const int32_t n = (int32_t)pixels;
  for (size_t c0 = 0; c0 < channels; c0 += 8) {
    const size_t m = channels - c0 < 8 ? channels - c0 : 8;
    __m256i sum = _mm256_setzero_si256();
    for (size_t p = 0; p < pixels; p++) {
      __m128i x;
      if (m == 8) {
        x = _mm_loadl_epi64((const __m128i*)(in + p * channels + c0));
      } else {
        uint8_t buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        std::memcpy(buf, in + p * channels + c0, m);
        x = _mm_loadl_epi64((const __m128i*)buf);
      }
      sum = _mm256_add_epi32(sum, kS8 ? _mm256_cvtepi8_epi32(x) : _mm256_cvtepu8_epi32(x));
    }
    int32_t sums[8];
    _mm256_storeu_si256((__m256i*)sums, sum);
    for (size_t j = 0; j < m; j++) {
      const int32_t v = sums[j] > 0 ? (sums[j] + n / 2) / n : (sums[j] - n / 2) / n;
      out[c0 + j] = (T)(v < out_min ? out_min : (v > out_max ? out_max : v));
    }
  }
}

}  // namespace

void qu8_conv3x3s2_minmax_gemmlowp__avx2_8c(const QConvParams<uint8_t>& p, size_t oy_begin, size_t oy_end) {
  conv<false>(p, oy_begin, oy_end);
}
void qs8_conv3x3s2_minmax_gemmlowp__avx2_8c(const QConvParams<int8_t>& p, size_t oy_begin, size_t oy_end) {
  conv<true>(p, oy_begin, oy_end);
}
void qu8_gavgpool_minmax__avx2_8c(size_t pixels, size_t channels, const uint8_t* in, uint8_t* out, int32_t out_min,
                                  int32_t out_max) {
  gavgpool<false>(pixels, channels, in, out, out_min, out_max);
}
void qs8_gavgpool_minmax__avx2_8c(size_t pixels, size_t channels, const int8_t* in, int8_t* out, int32_t out_min,
                                  int32_t out_max) {
  gavgpool<true>(pixels, channels, in, out, out_min, out_max);
}

}  // namespace mn::avx2
