// GCC 12 warns about _mm512_undefined_ps() inside _mm512_max_ps/_mm512_min_ps (a false positive).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "avx512.h"
#include "gemm_avx512.h"

namespace mn::avx512 {

namespace {

// The full 14 x 32 tile in inline assembly. From intrinsics GCC 12 needs 14 row pointers on x86-64's
// 16 general registers: it spilled 6 of them and rotated accumulators through extra vector moves (on
// the FMA ports). Here rows are addressed from three bases and two strides (row r at a0 + r*s:
// 0, s, 2s, 3s, 4s, 6s, 8s, 12s from a0; 5, 7, 9, 13 from a5 = a0 + 5s; 10, 11 from a10), so nothing
// spills: zmm0-27 accumulate (row r in zmm2r, zmm2r+1), zmm28/29 hold the weights, zmm30/31 the
// broadcasts. Same arithmetic as gemm_minmax_body: bias, then one FMA per k in order, then the clamp.
#define MN_ROW(addr, acc0, acc1, bc)                         \
  "vbroadcastss " addr ", %%zmm" #bc "\n\t"                  \
  "vfmadd231ps %%zmm28, %%zmm" #bc ", %%zmm" #acc0 "\n\t"     \
  "vfmadd231ps %%zmm29, %%zmm" #bc ", %%zmm" #acc1 "\n\t"
#define MN_ROWS(op, d)                                        \
  op(d "(%[p0])", 0, 1, 30) op(d "(%[p0],%[s],1)", 2, 3, 31)   \
  op(d "(%[p0],%[s],2)", 4, 5, 30) op(d "(%[p0],%[s3],1)", 6, 7, 31) \
  op(d "(%[p0],%[s],4)", 8, 9, 30) op(d "(%[p5])", 10, 11, 31) \
  op(d "(%[p0],%[s3],2)", 12, 13, 30) op(d "(%[p5],%[s],2)", 14, 15, 31) \
  op(d "(%[p0],%[s],8)", 16, 17, 30) op(d "(%[p5],%[s],4)", 18, 19, 31) \
  op(d "(%[p10])", 20, 21, 30) op(d "(%[p10],%[s],1)", 22, 23, 31) \
  op(d "(%[p0],%[s3],4)", 24, 25, 30) op(d "(%[p5],%[s],8)", 26, 27, 31)
#define MN_KSTEP(d, woff)                                     \
  "vmovups " woff "(%[w]), %%zmm28\n\t"                       \
  "vmovups " woff "+64(%[w]), %%zmm29\n\t"                    \
  MN_ROWS(MN_ROW, d)
#define MN_STORE(addr, acc0, acc1, bc)                        \
  "vmovups %%zmm" #acc0 ", " addr "\n\t"                      \
  "vmovups %%zmm" #acc1 ", 64+" addr "\n\t"
#define MN_INIT(r0, r1) "vmovaps %%zmm28, %%zmm" #r0 "\n\tvmovaps %%zmm29, %%zmm" #r1 "\n\t"
#define MN_CLAMP(r) "vmaxps %%zmm30, %%zmm" #r ", %%zmm" #r "\n\tvminps %%zmm31, %%zmm" #r ", %%zmm" #r "\n\t"

void gemm_14x32_full(size_t kc, const float* a, size_t a_stride, const float* w, float* c, size_t c_stride, float min,
                     float max, const float* w_prefetch) {
  const char* p0 = reinterpret_cast<const char*>(a);
  size_t s = a_stride * sizeof(float), s3 = 3 * s;
  const char* p5 = p0 + 5 * s;
  const char* p10 = p0 + 10 * s;
  size_t pairs = kc / 2;
  const float bounds[2] = {min, max};
  // Without a prefetch slice the loop's prefetch stays on the panel's first line (in L1: one load-port uop).
  const char* pf = reinterpret_cast<const char*>(w_prefetch ? w_prefetch : w);
  const size_t pf_step = w_prefetch ? 2 * kGemmPrefetchBytesPerK : 0;
  asm volatile(
      // Bias row (the panel header) into every row's accumulators.
      "vmovups (%[w]), %%zmm28\n\t"
      "vmovups 64(%[w]), %%zmm29\n\t"
      "add $128, %[w]\n\t"
      MN_INIT(0, 1) MN_INIT(2, 3) MN_INIT(4, 5) MN_INIT(6, 7) MN_INIT(8, 9) MN_INIT(10, 11) MN_INIT(12, 13)
      MN_INIT(14, 15) MN_INIT(16, 17) MN_INIT(18, 19) MN_INIT(20, 21) MN_INIT(22, 23) MN_INIT(24, 25) MN_INIT(26, 27)
      "test %[pairs], %[pairs]\n\t"
      "jz 2f\n\t"
      "1:\n\t"
      // Every cache line of the weights 8 k-steps ahead (as gemm_minmax_body).
      "prefetcht0 1024(%[w])\n\t"
      "prefetcht0 1088(%[w])\n\t"
      MN_KSTEP("0", "0")
      "prefetcht0 1152(%[w])\n\t"
      "prefetcht0 1216(%[w])\n\t"
      MN_KSTEP("4", "128")
      // The next panel into L2, one line pair per iteration (kernels.h: w_prefetch). Both lines: Intel's
      // adjacent-line prefetcher fetches the second on its own, AMD's does not (on Zen 5 one prefetch per
      // pair left half the panel to L3/DRAM: 1.0/224 3.5 % slower).
      "prefetcht1 (%[pf])\n\t"
      "prefetcht1 64(%[pf])\n\t"
      "add %[pf_step], %[pf]\n\t"
      "add $256, %[w]\n\t"
      "add $8, %[p0]\n\t"
      "add $8, %[p5]\n\t"
      "add $8, %[p10]\n\t"
      "dec %[pairs]\n\t"
      "jnz 1b\n\t"
      "2:\n\t"
      "testb $1, %b[kc]\n\t"
      "jz 3f\n\t"
      MN_KSTEP("0", "0")
      "3:\n\t"
      "vbroadcastss (%[bounds]), %%zmm30\n\t"
      "vbroadcastss 4(%[bounds]), %%zmm31\n\t"
      MN_CLAMP(0) MN_CLAMP(1) MN_CLAMP(2) MN_CLAMP(3) MN_CLAMP(4) MN_CLAMP(5) MN_CLAMP(6) MN_CLAMP(7)
      MN_CLAMP(8) MN_CLAMP(9) MN_CLAMP(10) MN_CLAMP(11) MN_CLAMP(12) MN_CLAMP(13) MN_CLAMP(14) MN_CLAMP(15)
      MN_CLAMP(16) MN_CLAMP(17) MN_CLAMP(18) MN_CLAMP(19) MN_CLAMP(20) MN_CLAMP(21) MN_CLAMP(22) MN_CLAMP(23)
      MN_CLAMP(24) MN_CLAMP(25) MN_CLAMP(26) MN_CLAMP(27)
      // C rows through the same base + stride scheme (the A registers are free now).
      "mov %[c], %[p0]\n\t"
      "mov %[cs], %[s]\n\t"
      "lea (%[s],%[s],2), %[s3]\n\t"
      "lea (%[p0],%[s],4), %[p5]\n\t"
      "add %[s], %[p5]\n\t"
      "lea (%[p5],%[s],4), %[p10]\n\t"
      "add %[s], %[p10]\n\t"
      MN_ROWS(MN_STORE, "0")
      : [p0] "+&r"(p0), [p5] "+&r"(p5), [p10] "+&r"(p10), [w] "+&r"(w), [pairs] "+&r"(pairs), [s] "+&r"(s), [s3] "+&r"(s3), [pf] "+&r"(pf)
      : [pf_step] "r"(pf_step), [kc] "r"(kc), [c] "r"(c), [cs] "r"(c_stride * sizeof(float)), [bounds] "r"(bounds)
      : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
        "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22",
        "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31");
}

}  // namespace

// 14 x 32: 28 zmm accumulators + 2 weight vectors. Twice the rows of 7 x 32 per weight load halves the
// weight traffic per FMA, which is what limits the K = 512/1024 layers once a panel (K x 32 floats,
// 64-128 KiB) no longer fits in L1: bench/kernels, 1.0/224 pointwise, ~8% less time than 7 x 32 on a
// Xeon (AVX-512, 48 KiB L1d). 14 divides 112^2, 56^2, 28^2 and 14^2; 7^2 leaves a 7-row tile.
// Full tiles run the assembly above; partial ones (rows < 14, columns < 32) the intrinsics body.
void f32_gemm_minmax_14x32__avx512(size_t mr, size_t nc, size_t kc, const float* a, size_t a_stride,
                                   const float* w, float* c, size_t c_stride, float min, float max, const float* w_prefetch) {
  if (mr == 14 && nc == 32) return gemm_14x32_full(kc, a, a_stride, w, c, c_stride, min, max, w_prefetch);
  gemm_minmax_rows_x32<14>(mr, nc, kc, a, a_stride, w, c, c_stride, min, max);
}

}  // namespace mn::avx512
