// qu8/qs8 depthwise 3x3, stride 1 or 2, 8 channels per block, AVX2 and AVX-VNNI (kVnni: vpdpwssd in place of
// vpmaddwd + vpaddd; each ISA's .cc instantiates it with its own flags). Layout kQDwconvLayout8cPairsAvx2:
// per block, header x 8 int32 then 5 tap pairs ((0,1) (2,3) (4,5) (6,7) (8,-)) x 8 channels of int16
// centered weights. The AVX-512 kernel's scheme at 256 bits (block-outer, weights in registers,
// interior fast path, za for padded taps, two taps per multiply) with vpmaddwd + vpaddd in place of
// vpdpwssd; the channel tail (C % 8) goes through small buffers: nothing read or written out of bounds.
#pragma once
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "q8_avx2.h"
#include "q8_avx2_requant.h"

// Internal linkage: every including TU compiles its own copy with its own ISA flags.
namespace mn::avx2_dw {
namespace {

template <bool kS8>
inline __m256i widen8(const void* p, size_t n) {
  __m128i x;
  if (n == 8) {
    x = _mm_loadl_epi64((const __m128i*)p);
  } else {
    uint8_t buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    std::memcpy(buf, p, n);
    x = _mm_loadl_epi64((const __m128i*)buf);
  }
  return kS8 ? _mm256_cvtepi8_epi32(x) : _mm256_cvtepu8_epi32(x);
}

// int16 pairs (lo, hi) per channel from two int32 vectors holding int16-range values.
inline __m256i pair(__m256i lo, __m256i hi) { return _mm256_blend_epi16(lo, _mm256_slli_epi32(hi, 16), 0xAA); }

// acc + the two int16 products of each int32 lane.
template <bool kVnni>
inline __m256i dot2(__m256i acc, __m256i a, __m256i b) {
  if constexpr (kVnni) return _mm256_dpwssd_avx_epi32(acc, a, b);
  else return _mm256_add_epi32(acc, _mm256_madd_epi16(a, b));
}

template <bool kS8, bool kVnni, typename T>
void dwconv(const QDwconvParams<T>& p, size_t oy_begin, size_t oy_end) {
  const size_t C = p.channels, blocks = (C + 7) / 8, W = p.in_w, s = p.stride;
  constexpr size_t kBlockInts = 4 * 8 + 5 * 8;
  const int32_t* weights = (const int32_t*)p.weights;
  const __m256i za = _mm256_set1_epi32(p.input_zero_point);
  const __m256i zp = _mm256_set1_epi32(p.out.zero_point), lo = _mm256_set1_epi32(p.out.min),
                hi = _mm256_set1_epi32(p.out.max);
  const size_t ox_lo = std::min(p.out_w, (p.pad_left + s - 1) / s);
  const size_t ox_hi = W + p.pad_left >= 3 ? std::max(ox_lo, std::min(p.out_w, (W + p.pad_left - 3) / s + 1)) : ox_lo;
  for (size_t b = 0; b < blocks; b++) {
    const size_t c0 = 8 * b, n = C - c0 < 8 ? C - c0 : 8;
    const int32_t* h = weights + b * kBlockInts;
    __m256i wp[5];
    for (size_t j = 0; j < 5; j++) wp[j] = _mm256_loadu_si256((const __m256i*)(h + 32 + 8 * j));
    const __m256i bias = _mm256_loadu_si256((const __m256i*)h);
    const avx2_q::Requant8 r = avx2_q::load_requant8(h, 8, 0);
    for (size_t oy = oy_begin; oy < oy_end; oy++) {
      const T* row[3];
      bool rv[3];
      for (size_t ky = 0; ky < 3; ky++) {
        const ptrdiff_t iy = (ptrdiff_t)(oy * s + ky) - (ptrdiff_t)p.pad_top;
        rv[ky] = iy >= 0 && iy < (ptrdiff_t)p.in_h;
        row[ky] = rv[ky] ? p.input + (size_t)iy * W * C + c0 : nullptr;
      }
      T* out = p.output + oy * p.out_w * C + c0;
      auto border = [&](size_t ox) {
        __m256i x[10];
        for (size_t kx = 0; kx < 3; kx++) {
          const ptrdiff_t ix = (ptrdiff_t)(ox * s + kx) - (ptrdiff_t)p.pad_left;
          const bool in = ix >= 0 && ix < (ptrdiff_t)W;
          for (size_t ky = 0; ky < 3; ky++) x[ky * 3 + kx] = in && rv[ky] ? widen8<kS8>(row[ky] + (size_t)ix * C, n) : za;
        }
        x[9] = _mm256_setzero_si256();
        __m256i acc = bias;
        for (size_t j = 0; j < 5; j++) acc = dot2<kVnni>(acc, pair(x[2 * j], x[2 * j + 1]), wp[j]);
        avx2_q::store8<kS8>(out + ox * C, avx2_q::requant8(acc, r, zp, lo, hi), n);
      };
      if (!(rv[0] && rv[1] && rv[2])) {
        for (size_t ox = 0; ox < p.out_w; ox++) border(ox);
        continue;
      }
      for (size_t ox = 0; ox < ox_lo; ox++) border(ox);
      if (s == 1 && ox_lo < ox_hi) {
        // Stride 1: a column of widened inputs serves three output pixels (3 widenings per pixel, not 9).
        const size_t off0 = (ox_lo - p.pad_left) * C;
        __m256i x00 = widen8<kS8>(row[0] + off0, n), x01 = widen8<kS8>(row[0] + off0 + C, n);
        __m256i x10 = widen8<kS8>(row[1] + off0, n), x11 = widen8<kS8>(row[1] + off0 + C, n);
        __m256i x20 = widen8<kS8>(row[2] + off0, n), x21 = widen8<kS8>(row[2] + off0 + C, n);
        for (size_t ox = ox_lo; ox < ox_hi; ox++) {
          const size_t off2 = (ox - p.pad_left + 2) * C;
          const __m256i x02 = widen8<kS8>(row[0] + off2, n), x12 = widen8<kS8>(row[1] + off2, n),
                        x22 = widen8<kS8>(row[2] + off2, n);
          __m256i acc = bias;
          acc = dot2<kVnni>(acc, pair(x00, x01), wp[0]);
          acc = dot2<kVnni>(acc, pair(x02, x10), wp[1]);
          acc = dot2<kVnni>(acc, pair(x11, x12), wp[2]);
          acc = dot2<kVnni>(acc, pair(x20, x21), wp[3]);
          acc = dot2<kVnni>(acc, x22, wp[4]);
          avx2_q::store8<kS8>(out + ox * C, avx2_q::requant8(acc, r, zp, lo, hi), n);
          x00 = x01, x01 = x02, x10 = x11, x11 = x12, x20 = x21, x21 = x22;
        }
        for (size_t ox = ox_hi; ox < p.out_w; ox++) border(ox);
        continue;
      }
      for (size_t ox = ox_lo; ox < ox_hi; ox++) {
        const size_t off = (ox * s - p.pad_left) * C;
        const T* q0 = row[0] + off;
        const T* q1 = row[1] + off;
        const T* q2 = row[2] + off;
        __m256i acc = bias;
        acc = dot2<kVnni>(acc, pair(widen8<kS8>(q0, n), widen8<kS8>(q0 + C, n)), wp[0]);
        acc = dot2<kVnni>(acc, pair(widen8<kS8>(q0 + 2 * C, n), widen8<kS8>(q1, n)), wp[1]);
        acc = dot2<kVnni>(acc, pair(widen8<kS8>(q1 + C, n), widen8<kS8>(q1 + 2 * C, n)), wp[2]);
        acc = dot2<kVnni>(acc, pair(widen8<kS8>(q2, n), widen8<kS8>(q2 + C, n)), wp[3]);
        acc = dot2<kVnni>(acc, widen8<kS8>(q2 + 2 * C, n), wp[4]);
        avx2_q::store8<kS8>(out + ox * C, avx2_q::requant8(acc, r, zp, lo, hi), n);
      }
      for (size_t ox = ox_hi; ox < p.out_w; ox++) border(ox);
    }
  }
}

}  // namespace
}  // namespace mn::avx2_dw
