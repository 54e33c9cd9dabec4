// qu8/qs8 GEMM 32 x 32, k in groups of 4 (c4), AMX-INT8. Panel (q8_avx512amx.h): header x 32 int32, then
// ceil(kc/4) groups of 32 columns x 4 bytes, which is AMX's B-tile format as it stands: a tile of kstep/4 rows
// (k groups) x 64 bytes (16 columns x 4 k) loads with a stride of 128 bytes.
// Tiles: C 2 x 2 (tmm0..3, 16 x 16 int32 each), A rows 0-15 and 16-31 (tmm4, tmm5: 16 rows x kstep bytes of A
// where it lies, stride a_stride), B columns 0-15 and 16-31 (tmm6, tmm7). kstep: the largest multiple of 4 up
// to 64 dividing kc rounded up to 4.
// A is never read past mr rows or kc bytes a row: for 16 <= mr < 32 the second A tile starts at row mr - 16
// (rows recomputed, stored once); for mr < 16 or kc % 4 != 0 each kstep chunk of A is copied into a zeroed
// 32 x 64 staging buffer first (the M tail, the classifier's single row, odd K).
// qs8 multiplies raw int8 weights (tdpbssd): no zero-point term is left. qu8 stores s = w - 128 (tdpbusd,
// unsigned A x signed s) and adds row_sum(a) * (128 - zw), the row sums from tdpbusd against a tile of ones
// (a pass over A before the main loop; staged calls use vpsadbw).
// Epilogue: C tiles to a 32 x 32 int32 buffer, + folded bias, q8_avx512_requant.h as avx512vnni. Integer sums
// wrap the same in any order: bit-identical to the scalar twin.
// The tile configuration is per thread and kept across calls (thread_local), reloaded when kstep changes.
#include <immintrin.h>

#include <cstring>

#include "../avx512vnni/q8_avx512_requant.h"
#include "q8_avx512amx.h"

namespace mn::avx512amx {

namespace {

struct alignas(64) TileConfig {
  uint8_t palette_id, start_row, reserved[14];
  uint16_t colsb[16];
  uint8_t rows[16];
};

thread_local size_t t_kstep = 0;  // kstep of this thread's loaded tile configuration (0: none)

void configure(size_t kstep) {
  if (t_kstep == kstep) return;
  TileConfig c;
  std::memset(&c, 0, sizeof c);
  c.palette_id = 1;
  for (int t = 0; t < 4; t++) c.colsb[t] = 64, c.rows[t] = 16;                    // C: 16 x 16 int32
  for (int t = 4; t < 6; t++) c.colsb[t] = (uint16_t)kstep, c.rows[t] = 16;       // A: 16 rows x kstep bytes
  for (int t = 6; t < 8; t++) c.colsb[t] = 64, c.rows[t] = (uint8_t)(kstep / 4);  // B: kstep/4 groups x 16 cols
  _tile_loadconfig(&c);
  t_kstep = kstep;
}

alignas(64) const uint8_t kOnes[16 * 64] = {
#define MN_ONES16 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
#define MN_ONES64 MN_ONES16, MN_ONES16, MN_ONES16, MN_ONES16
    MN_ONES64, MN_ONES64, MN_ONES64, MN_ONES64, MN_ONES64, MN_ONES64, MN_ONES64, MN_ONES64,
    MN_ONES64, MN_ONES64, MN_ONES64, MN_ONES64, MN_ONES64, MN_ONES64, MN_ONES64, MN_ONES64,
#undef MN_ONES64
#undef MN_ONES16
};

template <bool kS8, typename T>
void gemm(size_t mr, size_t nc, size_t kc, const T* a, size_t a_stride, const void* w, T* c, size_t c_stride,
          const QOutputParams& out) {
  constexpr size_t NR = 32;
  constexpr bool kASum = !kS8;
  const size_t kc4 = (kc + 3) / 4 * 4;
  size_t kstep = kc4 <= 64 || kc4 % 64 == 0 ? (kc4 < 64 ? kc4 : 64) : 60;  // no division in the common cases
  while (kc4 % kstep) kstep -= 4;
  configure(kstep);
  const int32_t* h = (const int32_t*)w;
  const uint8_t* wk = (const uint8_t*)(h + (kQHeaderRows + (kASum ? 1 : 0)) * NR);

  const bool staged = mr < 16 || kc != kc4;
  alignas(64) uint8_t stage[32][64];
  const uint8_t* a0 = (const uint8_t*)a;
  const uint8_t* a1 = (const uint8_t*)(a + (mr < 32 ? mr - 16 : 16) * a_stride);  // direct only (mr >= 16)
  size_t as = a_stride, row1 = mr < 32 ? mr - 16 : 16;  // A row of the second A tile's first row
  if (staged) {
    std::memset(stage, 0, sizeof stage);
    a0 = &stage[0][0];
    a1 = &stage[16][0];
    as = 64;
    row1 = 16;
  }
  const size_t rows = mr < 32 ? mr : 32;
  auto stage_chunk = [&](size_t k) {
    const size_t bytes = kc - k < kstep ? kc - k : kstep;
    for (size_t i = 0; i < rows; i++) std::memcpy(stage[i], (const uint8_t*)(a + i * a_stride) + k, bytes);
  };
  const bool two = mr > 16;  // the second A tile holds rows that matter

  alignas(64) int32_t acc[32][NR];
  int32_t row_sums[32];
  if constexpr (kASum) {
    if (!staged) {
      _tile_zero(0);
      _tile_zero(2);
      _tile_loadd(6, kOnes, 64);
      for (size_t k = 0; k < kc; k += kstep) {
        _tile_loadd(4, a0 + k, as);
        _tile_loadd(5, a1 + k, as);
        _tile_dpbusd(0, 4, 6);
        _tile_dpbusd(2, 5, 6);
      }
      _tile_stored(0, &acc[0][0], NR * 4);
      _tile_stored(2, &acc[16][0], NR * 4);
      for (size_t i = 0; i < rows; i++) row_sums[i] = acc[i < 16 ? i : 16 + i - row1][0];
    } else {
      for (size_t i = 0; i < rows; i++) row_sums[i] = avx512_q::row_sum<false>(a + i * a_stride, kc);
    }
  }

  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  for (size_t k = 0; k < kc4; k += kstep) {
    const uint8_t* b = wk + k * NR;  // k / 4 groups of NR x 4 bytes
    if (staged) stage_chunk(k);
    const size_t ak = staged ? 0 : k;
    _tile_loadd(4, a0 + ak, as);
    _tile_loadd(6, b, NR * 4);
    _tile_loadd(7, b + 64, NR * 4);
    if constexpr (kS8) {
      _tile_dpbssd(0, 4, 6);
      _tile_dpbssd(1, 4, 7);
    } else {
      _tile_dpbusd(0, 4, 6);
      _tile_dpbusd(1, 4, 7);
    }
    if (two) {
      _tile_loadd(5, a1 + ak, as);
      if constexpr (kS8) {
        _tile_dpbssd(2, 5, 6);
        _tile_dpbssd(3, 5, 7);
      } else {
        _tile_dpbusd(2, 5, 6);
        _tile_dpbusd(3, 5, 7);
      }
    }
  }
  _tile_stored(0, &acc[0][0], NR * 4);
  _tile_stored(1, &acc[0][16], NR * 4);
  if (two) {
    _tile_stored(2, &acc[16][0], NR * 4);
    _tile_stored(3, &acc[16][16], NR * 4);
  }

  const int32_t hsum = kASum ? h[kQHeaderRows * NR] : 0;
  const __m512i zp = _mm512_set1_epi32(out.zero_point), lo = _mm512_set1_epi32(out.min), hi = _mm512_set1_epi32(out.max);
  const avx512_q::Requant16 r0 = avx512_q::load_requant16(h, NR, 0), r1 = avx512_q::load_requant16(h, NR, 16);
  const __m512i bias0 = _mm512_loadu_si512(h), bias1 = _mm512_loadu_si512(h + 16);
  const __mmask16 m0 = nc >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nc) - 1);
  const __mmask16 m1 = nc >= 32 ? (__mmask16)0xFFFF : nc > 16 ? (__mmask16)((1u << (nc - 16)) - 1) : (__mmask16)0;
  for (size_t i = 0; i < rows; i++) {
    const int32_t* row = acc[i < 16 ? i : 16 + i - row1];
    __m512i b0 = bias0, b1 = bias1;
    if constexpr (kASum) {
      const __m512i corr = _mm512_set1_epi32(row_sums[i] * hsum);
      b0 = _mm512_add_epi32(b0, corr);
      b1 = _mm512_add_epi32(b1, corr);
    }
    _mm512_mask_cvtepi32_storeu_epi8(c + i * c_stride, m0,
                                     avx512_q::requant16(_mm512_add_epi32(_mm512_load_si512(row), b0), r0, zp, lo, hi));
    if (m1)
      _mm512_mask_cvtepi32_storeu_epi8(
          c + i * c_stride + 16, m1, avx512_q::requant16(_mm512_add_epi32(_mm512_load_si512(row + 16), b1), r1, zp, lo, hi));
  }
}

}  // namespace

void qu8_gemm_minmax_gemmlowp_32x32c4__avx512amx(size_t m, size_t n, size_t k, const uint8_t* a, size_t as,
                                                 const void* w, uint8_t* c, size_t cs, const QOutputParams& o) {
  gemm<false>(m, n, k, a, as, w, c, cs, o);
}
void qs8_gemm_minmax_gemmlowp_32x32c4__avx512amx(size_t m, size_t n, size_t k, const int8_t* a, size_t as,
                                                 const void* w, int8_t* c, size_t cs, const QOutputParams& o) {
  gemm<true>(m, n, k, a, as, w, c, cs, o);
}

}  // namespace mn::avx512amx
