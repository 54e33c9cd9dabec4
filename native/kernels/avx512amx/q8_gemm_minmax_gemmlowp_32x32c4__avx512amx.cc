// qu8/qs8 GEMM 32 x 32, k in groups of 4 (c4), AMX-INT8. Layout: avx512vnni's 12x32 panel (5 header rows x 32
// int32, then ceil(kc/4) groups of 32 columns x 4 bytes), which is AMX's B-tile format as it stands: a tile of
// kstep/4 rows (k groups) x 64 bytes (16 columns x 4 k) is loaded with a stride of 128 bytes.
// Tiles: C 2 x 2 (tmm0..3, 16 x 16 int32 each), A rows 0-15 and 16-31 (tmm4, tmm5: 16 rows x kstep bytes of A
// as it lies in memory, stride a_stride), B columns 0-15 and 16-31 (tmm6, tmm7). kstep is the largest multiple
// of 4 up to 64 that divides kc, so A is read exactly (no byte past kc in a row, no row past mr).
// Rows: 16 <= mr < 32 recomputes rows mr-16..15 in the second A tile (loaded from row mr - 16) rather than read
// past row mr; mr < 16 and kc % 4 != 0 go to avx512vnni's 12x32 kernel on the same panel.
// Epilogue: the C tiles go to a 32 x 32 int32 buffer, then bias + row_sum(a) * h and q8_avx512_requant.h as
// avx512vnni (integer sums wrap the same in any order: bit-identical to the VNNI kernel and the scalar twin).
// Tile configuration is per thread and kept across calls (thread_local), reloaded only when kstep changes.
#include <immintrin.h>

#include <cstring>

#include "../avx512vnni/q8_avx512_requant.h"
#include "../avx512vnni/q8_avx512vnni.h"
#include "q8_avx512amx.h"

namespace mn::avx512amx {

namespace {

struct alignas(64) TileConfig {
  uint8_t palette_id, start_row, reserved[14];
  uint16_t colsb[16];
  uint8_t rows[16];
};

thread_local size_t t_kstep = 0;  // the kstep of this thread's loaded tile configuration (0: none)

void configure(size_t kstep) {
  if (t_kstep == kstep) return;
  TileConfig c;
  std::memset(&c, 0, sizeof c);
  c.palette_id = 1;
  for (int t = 0; t < 4; t++) c.colsb[t] = 64, c.rows[t] = 16;                  // C: 16 x 16 int32
  for (int t = 4; t < 6; t++) c.colsb[t] = (uint16_t)kstep, c.rows[t] = 16;     // A: 16 rows x kstep bytes
  for (int t = 6; t < 8; t++) c.colsb[t] = 64, c.rows[t] = (uint8_t)(kstep / 4);  // B: kstep/4 groups x 16 cols
  _tile_loadconfig(&c);
  t_kstep = kstep;
}

template <bool kS8, typename T>
void gemm(size_t mr, size_t nc, size_t kc, const T* a, size_t a_stride, const void* w, T* c, size_t c_stride,
          const QOutputParams& out) {
  using VnniFn = void (*)(size_t, size_t, size_t, const T*, size_t, const void*, T*, size_t, const QOutputParams&);
  VnniFn vnni;
  if constexpr (kS8) vnni = avx512vnni::qs8_gemm_minmax_gemmlowp_12x32c4__avx512vnni;
  else vnni = avx512vnni::qu8_gemm_minmax_gemmlowp_12x32c4__avx512vnni;
  if (kc % 4 != 0 || mr < 16) {
    for (size_t i = 0; i < mr; i += 12) vnni(mr - i < 12 ? mr - i : 12, nc, kc, a + i * a_stride, a_stride, w, c + i * c_stride, c_stride, out);
    return;
  }
  constexpr size_t NR = 32;
  size_t kstep = 64;
  while (kc % kstep) kstep -= 4;
  configure(kstep);
  const int32_t* h = (const int32_t*)w;
  const uint8_t* wk = (const uint8_t*)(h + (kQHeaderRows + 1) * NR);
  const size_t row1 = mr < 32 ? mr - 16 : 16;  // first row of the second A tile
  const uint8_t* a0 = (const uint8_t*)a;
  const uint8_t* a1 = (const uint8_t*)(a + row1 * a_stride);
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  for (size_t k = 0; k < kc; k += kstep) {
    const uint8_t* b = wk + k * NR;  // k / 4 groups of NR x 4 bytes
    _tile_loadd(4, a0 + k, a_stride);
    _tile_loadd(6, b, NR * 4);
    _tile_loadd(7, b + 64, NR * 4);
    _tile_loadd(5, a1 + k, a_stride);
    if constexpr (kS8) {
      _tile_dpbsud(0, 4, 6);
      _tile_dpbsud(1, 4, 7);
      _tile_dpbsud(2, 5, 6);
      _tile_dpbsud(3, 5, 7);
    } else {
      _tile_dpbusd(0, 4, 6);
      _tile_dpbusd(1, 4, 7);
      _tile_dpbusd(2, 5, 6);
      _tile_dpbusd(3, 5, 7);
    }
  }
  alignas(64) int32_t acc[32][NR];
  _tile_stored(0, &acc[0][0], NR * 4);
  _tile_stored(1, &acc[0][16], NR * 4);
  _tile_stored(2, &acc[16][0], NR * 4);
  _tile_stored(3, &acc[16][16], NR * 4);

  const int32_t hsum = h[kQHeaderRows * NR];
  const __m512i zp = _mm512_set1_epi32(out.zero_point), lo = _mm512_set1_epi32(out.min), hi = _mm512_set1_epi32(out.max);
  const avx512_q::Requant16 r0 = avx512_q::load_requant16(h, NR, 0), r1 = avx512_q::load_requant16(h, NR, 16);
  const __m512i bias0 = _mm512_loadu_si512(h), bias1 = _mm512_loadu_si512(h + 16);
  const __mmask16 m0 = nc >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nc) - 1);
  const __mmask16 m1 = nc >= 32 ? (__mmask16)0xFFFF : nc > 16 ? (__mmask16)((1u << (nc - 16)) - 1) : (__mmask16)0;
  for (size_t i = 0; i < mr; i++) {
    const int32_t* row = acc[i < 16 ? i : 16 + i - row1];  // the second tile starts at A row row1
    const __m512i corr = _mm512_set1_epi32(avx512_q::row_sum<kS8>(a + i * a_stride, kc) * hsum);
    const __m512i x0 = _mm512_add_epi32(_mm512_add_epi32(_mm512_load_si512(row), bias0), corr);
    _mm512_mask_cvtepi32_storeu_epi8(c + i * c_stride, m0, avx512_q::requant16(x0, r0, zp, lo, hi));
    if (m1) {
      const __m512i x1 = _mm512_add_epi32(_mm512_add_epi32(_mm512_load_si512(row + 16), bias1), corr);
      _mm512_mask_cvtepi32_storeu_epi8(c + i * c_stride + 16, m1, avx512_q::requant16(x1, r1, zp, lo, hi));
    }
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
