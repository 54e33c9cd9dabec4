// qu8/qs8 GEMM 64 x NR (NR = 32, 64, 128), k in groups of 4 (c4), AMX-INT8. Panel (q8_avx512amx.h): header x NR
// int32, then ceil(kc/4) groups of NR columns x 4 bytes, which is AMX's B-tile format as it stands: a tile of
// kstep/4 rows (k groups) x 64 bytes (16 columns x 4 k) loads with a stride of 4 NR bytes.
// Tiles: C 2 x 2 (tmm0..3, 16 x 16 int32 each) for 32 rows x 32 columns, A rows 0-15 and 16-31 (tmm4, tmm5:
// 16 rows x kstep bytes of A where it lies, stride a_stride), B columns 0-15 and 16-31 of a 32-column slice
// (tmm6, tmm7). A call walks 32-row subtiles and, in each, the panel's 32-column slices. kstep: the largest
// multiple of 4 up to 64 dividing kc rounded up to 4.
// A is never read past mr rows or kc bytes a row: for 16 <= mr < 32 the second A tile starts at row mr - 16
// (rows recomputed, stored once); for mr < 16 or kc % 4 != 0 each kstep chunk of A is copied into a zeroed
// 32 x 64 staging buffer first (the M tail, the classifier's single row, odd K).
// qs8 multiplies raw int8 weights (tdpbssd): no zero-point term is left. qu8 stores s = w - 128 (tdpbusd,
// unsigned A x signed s) and adds row_sum(a) * (128 - zw), the row sums from tdpbusd against a tile of ones
// (a pass over A per subtile, shared by the panel's slices: the reason for NR > 32; staged calls use vpsadbw).
// Epilogue: C tiles to a 32 x 32 int32 buffer, + folded bias, q8_avx512_requant.h as avx512vnni. Integer sums
// wrap the same in any order: bit-identical to the scalar twin. With AMX, pointwise time is mostly this epilogue
// (1.0/224: ≈ 55 % with the tile work alone ≈ 45 %, measured by skipping the epilogue).
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

// Row sums of a 32-row subtile (qu8): A x ones, in column 0 of sums. A0 = rows [0, 16) at a0, A1 = 16 rows at a1.
inline void amx_row_sums(const uint8_t* a0, const uint8_t* a1, size_t as, size_t kc4, size_t kstep, int32_t (*sums)[32]) {
  _tile_zero(0);
  _tile_zero(2);
  _tile_loadd(6, kOnes, 64);
  for (size_t k = 0; k < kc4; k += kstep) {
    _tile_loadd(4, a0 + k, as);
    _tile_loadd(5, a1 + k, as);
    _tile_dpbusd(0, 4, 6);
    _tile_dpbusd(2, 5, 6);
  }
  _tile_stored(0, &sums[0][0], 32 * 4);
  _tile_stored(2, &sums[16][0], 32 * 4);
}

// One 32 x 32 block: A0 = rows [0, 16) at a0, A1 = 16 rows at a1 (both stride as), B = a 32-column slice at wk
// (group stride bstride bytes), kc4 bytes of k in kstep chunks; products stored to acc.
// Tiles are not renamed: a tile's next load waits for the products reading it. Each next-chunk load is issued
// right after the last product that reads the tile, so it overlaps the remaining products.
template <bool kS8>
inline void amx_block(const uint8_t* a0, const uint8_t* a1, size_t as, const uint8_t* wk, size_t bstride, size_t kc4,
                      size_t kstep, int32_t (*acc)[32]) {
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  _tile_loadd(4, a0, as);
  _tile_loadd(6, wk, bstride);
  _tile_loadd(7, wk + 64, bstride);
  _tile_loadd(5, a1, as);
  for (size_t k = 0;;) {
    const size_t next = k + kstep;
    const bool more = next < kc4;
    const uint8_t* b = wk + next / 4 * bstride;
    if constexpr (kS8) {
      _tile_dpbssd(0, 4, 6);
      _tile_dpbssd(1, 4, 7);
    } else {
      _tile_dpbusd(0, 4, 6);
      _tile_dpbusd(1, 4, 7);
    }
    if (more) _tile_loadd(4, a0 + next, as);
    if constexpr (kS8) _tile_dpbssd(2, 5, 6);
    else _tile_dpbusd(2, 5, 6);
    if (more) _tile_loadd(6, b, bstride);
    if constexpr (kS8) _tile_dpbssd(3, 5, 7);
    else _tile_dpbusd(3, 5, 7);
    if (!more) break;
    _tile_loadd(7, b + 64, bstride);
    _tile_loadd(5, a1 + next, as);
    k = next;
  }
  _tile_stored(0, &acc[0][0], 32 * 4);
  _tile_stored(1, &acc[0][16], 32 * 4);
  _tile_stored(2, &acc[16][0], 32 * 4);
  _tile_stored(3, &acc[16][16], 32 * 4);
}

// Epilogue constants of one 32-column slice. Both 16-column halves requantize to int32, vpackssdw interleaves
// them by 128-bit lane and vpermq restores column order; zero point and clamp on 32 int16 lanes (exact, as the
// depthwise kernel explains).
struct Slice {
  avx512_q::Requant16 r0, r1;
  __m512i bias0, bias1;
  __mmask32 cmask;
  bool high, full;
};

// Rows [i0, i1) of one slice (kFull: all 32 columns live): + bias (+ row_sum * h), requantize, store.
template <bool kASum, bool kFull, typename T>
inline void epilogue_rows(const Slice& slice, int32_t hsum, __m512i zp, __m512i lo, __m512i hi, size_t i0, size_t i1,
                          size_t base, size_t base1, int32_t (*acc)[32], const int32_t* sums, T* c, size_t c_stride) {
  const Slice q = slice;  // in registers for the loop
  const __m512i unzip = _mm512_set_epi64(7, 5, 3, 1, 6, 4, 2, 0);
  for (size_t i = i0; i < i1; i++) {
    const size_t t = i - base < 16 ? i - base : 16 + i - base1;
    const int32_t* row = acc[t];
    __m512i b0 = q.bias0, b1 = q.bias1;
    if constexpr (kASum) {
      const __m512i corr = _mm512_set1_epi32(sums[t] * hsum);
      b0 = _mm512_add_epi32(b0, corr);
      b1 = _mm512_add_epi32(b1, corr);
    }
    const __m512i q0 = avx512_q::requant16_raw(_mm512_add_epi32(_mm512_load_si512(row), b0), q.r0);
    const __m512i q1 = kFull || q.high ? avx512_q::requant16_raw(_mm512_add_epi32(_mm512_load_si512(row + 16), b1), q.r1) : q0;
    __m512i v = _mm512_permutexvar_epi64(unzip, _mm512_packs_epi32(q0, q1));
    v = _mm512_min_epi16(_mm512_max_epi16(_mm512_adds_epi16(v, zp), lo), hi);
    if (kFull) _mm256_storeu_si256((__m256i*)(c + i * c_stride), _mm512_cvtepi16_epi8(v));
    else _mm512_mask_cvtepi16_storeu_epi8(c + i * c_stride, q.cmask, v);
  }
}

template <bool kS8, size_t NR, typename T>
void gemm(size_t mr, size_t nc, size_t kc, const T* a, size_t a_stride, const void* w, T* c, size_t c_stride,
          const QOutputParams& out) {
  constexpr size_t kSlices = NR / 32;
  constexpr bool kASum = !kS8;
  const size_t kc4 = (kc + 3) / 4 * 4;
  size_t kstep = kc4 <= 64 || kc4 % 64 == 0 ? (kc4 < 64 ? kc4 : 64) : 60;  // no division in the common cases
  while (kc4 % kstep) kstep -= 4;
  configure(kstep);
  const int32_t* h = (const int32_t*)w;
  const uint8_t* wk = (const uint8_t*)(h + (kQHeaderRows + (kASum ? 1 : 0)) * NR);
  const size_t slices = (nc + 31) / 32;

  const int32_t hsum = kASum ? h[kQHeaderRows * NR] : 0;
  const __m512i zp = _mm512_set1_epi16((int16_t)out.zero_point), lo = _mm512_set1_epi16((int16_t)out.min),
                hi = _mm512_set1_epi16((int16_t)out.max);
  Slice sl[kSlices];
  for (size_t j = 0; j < slices; j++) {
    const size_t n = nc - 32 * j;
    sl[j].r0 = avx512_q::load_requant16(h, NR, 32 * j);
    sl[j].r1 = avx512_q::load_requant16(h, NR, 32 * j + 16);
    sl[j].bias0 = _mm512_loadu_si512(h + 32 * j);
    sl[j].bias1 = _mm512_loadu_si512(h + 32 * j + 16);
    sl[j].cmask = n >= 32 ? (__mmask32)0xFFFFFFFFu : (__mmask32)((1u << n) - 1);
    sl[j].high = n > 16;
    sl[j].full = n >= 32;
  }
  // Rows [i0, i1) of C's slice j from acc; acc row of C row i: i - base for i < base + 16, else 16 + i - base1.
  auto epilogue = [&](size_t j, size_t i0, size_t i1, size_t base, size_t base1, int32_t (*acc)[32],
                      const int32_t* sums) {
    T* cj = c + 32 * j;
    if (sl[j].full) epilogue_rows<kASum, true>(sl[j], hsum, zp, lo, hi, i0, i1, base, base1, acc, sums, cj, c_stride);
    else epilogue_rows<kASum, false>(sl[j], hsum, zp, lo, hi, i0, i1, base, base1, acc, sums, cj, c_stride);
  };

  alignas(64) int32_t acc[2][32][32];
  alignas(64) int32_t sums[2][32][32];  // qu8: row sums in column 0
  if (mr < 16 || kc != kc4) {
    // Staged: each kstep chunk of A is copied into a zeroed 32 x 64 buffer (A is never read past mr rows or kc
    // bytes; stale bytes past kc meet zero weights); row sums by vpsadbw. The M tail, the classifier's single
    // row, odd K.
    alignas(64) uint8_t stage[32][64];
    std::memset(stage, 0, sizeof stage);
    int32_t row_sums[32];
    for (size_t rb = 0; rb < mr; rb += 32) {
      const size_t rows = mr - rb < 32 ? mr - rb : 32;
      const T* ab = a + rb * a_stride;
      if constexpr (kASum)
        for (size_t i = 0; i < rows; i++) row_sums[i] = avx512_q::row_sum<false>(ab + i * a_stride, kc);
      for (size_t j = 0; j < slices; j++) {
        _tile_zero(0);
        _tile_zero(1);
        _tile_zero(2);
        _tile_zero(3);
        for (size_t k = 0; k < kc4; k += kstep) {
          const size_t bytes = kc - k < kstep ? kc - k : kstep;
          for (size_t i = 0; i < rows; i++) std::memcpy(stage[i], (const uint8_t*)(ab + i * a_stride) + k, bytes);
          const uint8_t* b = wk + k * NR + 128 * j;
          _tile_loadd(4, &stage[0][0], 64);
          _tile_loadd(5, &stage[16][0], 64);
          _tile_loadd(6, b, NR * 4);
          _tile_loadd(7, b + 64, NR * 4);
          if constexpr (kS8) {
            _tile_dpbssd(0, 4, 6);
            _tile_dpbssd(1, 4, 7);
            _tile_dpbssd(2, 5, 6);
            _tile_dpbssd(3, 5, 7);
          } else {
            _tile_dpbusd(0, 4, 6);
            _tile_dpbusd(1, 4, 7);
            _tile_dpbusd(2, 5, 6);
            _tile_dpbusd(3, 5, 7);
          }
        }
        _tile_stored(0, &acc[0][0][0], 32 * 4);
        _tile_stored(1, &acc[0][0][16], 32 * 4);
        _tile_stored(2, &acc[0][16][0], 32 * 4);
        _tile_stored(3, &acc[0][16][16], 32 * 4);
        epilogue(j, rb, rb + rows, rb, rb + 16, acc[0], row_sums);  // acc row t is C row rb + t
      }
    }
    return;
  }
  // Direct: 32-row subtiles at 0, 32, ..., the last one moved back to end at row mr (its first rows recomputed,
  // stored once); 16 <= mr < 32: the second A tile starts at row mr - 16. Units (subtile, slice) are pipelined:
  // unit u + 1's tile work is issued before unit u's epilogue, so the AMX unit runs while the vector units
  // requantize (acc double-buffered; qu8 row sums once per subtile, double-buffered by subtile).
  const size_t subtiles = mr < 32 ? 1 : (mr + 31) / 32, units = subtiles * slices;
  auto base_of = [&](size_t s) { return mr < 32 ? (size_t)0 : (32 * s + 32 <= mr ? 32 * s : mr - 32); };
  auto base1_of = [&](size_t s) { return mr < 32 ? mr - 16 : base_of(s) + 16; };
  auto issue = [&](size_t u) {
    const size_t s = u / slices, j = u % slices;
    const uint8_t* a0 = (const uint8_t*)(a + base_of(s) * a_stride);
    const uint8_t* a1 = (const uint8_t*)(a + base1_of(s) * a_stride);
    if constexpr (kASum)
      if (j == 0) amx_row_sums(a0, a1, a_stride, kc4, kstep, sums[s & 1]);
    amx_block<kS8>(a0, a1, a_stride, wk + 128 * j, NR * 4, kc4, kstep, acc[u & 1]);
  };
  issue(0);
  size_t done = 0;  // C rows written by the previous subtile
  for (size_t u = 0; u < units; u++) {
    if (u + 1 < units) issue(u + 1);
    const size_t s = u / slices, j = u % slices;
    const size_t b0 = base_of(s), end = mr < 32 ? mr : b0 + 32;
    int32_t sum_col[32];
    if constexpr (kASum)
      for (size_t t = 0; t < 32; t++) sum_col[t] = sums[s & 1][t][0];
    epilogue(j, done, end, b0, base1_of(s), acc[u & 1], sum_col);
    if (j + 1 == slices) done = end;
  }
}

// First conv 3x3 s2 (3 -> out_c) as the GEMM above over gathered pixels: each output pixel's 27 taps (za where the
// window leaves the input, then a 0 byte) form a 28-byte row of A, 64 pixels of an output row at a time; the
// weights are the [c_out x 27] GEMM panel of kConvGemmLayout (7 groups of 4 k: the 28th k is zero padding, and the
// 0 byte keeps qu8's row sums to the 27 taps). The epilogue is the GEMM's: ≈ 16 instructions per 32 outputs.
template <bool kS8, typename T>
void conv(const QConvParams<T>& p, size_t oy_begin, size_t oy_end) {
  constexpr size_t NR = 32, kRows = 64, kK = 28;
  constexpr size_t kPanelBytes = (kQHeaderRows + (kS8 ? 0 : 1)) * NR * sizeof(int32_t) + kK * NR;
  alignas(64) uint8_t rows[kRows][kK];
  const size_t W = p.in_w, row_bytes = W * 3;
  for (size_t oy = oy_begin; oy < oy_end; oy++) {
    const ptrdiff_t iy0 = (ptrdiff_t)(oy * 2) - (ptrdiff_t)p.pad_top;
    const bool rows_in = iy0 >= 0 && iy0 + 2 < (ptrdiff_t)p.in_h;
    for (size_t ox0 = 0; ox0 < p.out_w; ox0 += kRows) {
      const size_t n = p.out_w - ox0 < kRows ? p.out_w - ox0 : kRows;
      for (size_t i = 0; i < n; i++) {
        const ptrdiff_t ix0 = (ptrdiff_t)((ox0 + i) * 2) - (ptrdiff_t)p.pad_left;
        if (rows_in && ix0 >= 0 && ix0 + 2 < (ptrdiff_t)W) {
          // Each kernel row is 9 contiguous bytes; three masked loads place them at bytes 0, 9, 18.
          const uint8_t* r0 = (const uint8_t*)(p.input + ((size_t)iy0 * W + (size_t)ix0) * 3);
          __m256i x = _mm256_maskz_loadu_epi8(0x1FFu, r0);
          x = _mm256_mask_loadu_epi8(x, 0x1FFu << 9, r0 + row_bytes - 9);
          x = _mm256_mask_loadu_epi8(x, 0x1FFu << 18, r0 + 2 * row_bytes - 18);
          _mm256_mask_storeu_epi8(rows[i], 0x0FFFFFFFu, x);
          continue;
        }
        for (size_t ky = 0; ky < 3; ky++)
          for (size_t kx = 0; kx < 3; kx++) {
            const ptrdiff_t iy = iy0 + (ptrdiff_t)ky, ix = ix0 + (ptrdiff_t)kx;
            const bool inside = iy >= 0 && iy < (ptrdiff_t)p.in_h && ix >= 0 && ix < (ptrdiff_t)W;
            const T* px = p.input + ((size_t)(inside ? iy : 0) * W + (size_t)(inside ? ix : 0)) * 3;
            for (size_t ci = 0; ci < 3; ci++) rows[i][(ky * 3 + kx) * 3 + ci] = (uint8_t)(inside ? px[ci] : (T)p.input_zero_point);
          }
        rows[i][27] = 0;
      }
      T* out = p.output + (oy * p.out_w + ox0) * p.out_c;
      for (size_t j = 0; j < p.out_c; j += NR)
        gemm<kS8, NR>(n, p.out_c - j < NR ? p.out_c - j : NR, kK, (const T*)&rows[0][0], kK,
                      (const uint8_t*)p.weights + j / NR * kPanelBytes, out + j, p.out_c, p.out);
    }
  }
}

}  // namespace

void qu8_conv3x3s2_minmax_gemmlowp__avx512amx(const QConvParams<uint8_t>& p, size_t oy_begin, size_t oy_end) {
  conv<false>(p, oy_begin, oy_end);
}
void qs8_conv3x3s2_minmax_gemmlowp__avx512amx(const QConvParams<int8_t>& p, size_t oy_begin, size_t oy_end) {
  conv<true>(p, oy_begin, oy_end);
}

#define MN_DEFINE(mr, nr)                                                                                            \
  void qu8_gemm_minmax_gemmlowp_##mr##x##nr##c4__avx512amx(size_t m, size_t n, size_t k, const uint8_t* a,         \
                                                            size_t as, const void* w, uint8_t* c, size_t cs,         \
                                                            const QOutputParams& o) {                                \
    gemm<false, nr>(m, n, k, a, as, w, c, cs, o);                                                                    \
  }                                                                                                                  \
  void qs8_gemm_minmax_gemmlowp_##mr##x##nr##c4__avx512amx(size_t m, size_t n, size_t k, const int8_t* a, size_t as, \
                                                            const void* w, int8_t* c, size_t cs,                     \
                                                            const QOutputParams& o) {                                \
    gemm<true, nr>(m, n, k, a, as, w, c, cs, o);                                                                     \
  }
MN_DEFINE(64, 32)
MN_DEFINE(64, 64)
MN_DEFINE(64, 128)
#undef MN_DEFINE

}  // namespace mn::avx512amx
