// How the float (model.cc) and integer (qlayers.cc) runtimes split one GEMM C[m x n] into tasks: row blocks of
// mr-row tiles, small enough that a block of A stays in L2 while every weight panel passes over it, and with
// several threads enough blocks (then panel groups) for kTasksPerThread tasks per thread. Every output element
// is still one microkernel call over the whole K, so results do not depend on the split.
#pragma once
#include <algorithm>
#include <cstddef>
#include <utility>

#include "../kernels/kernels.h"

namespace mn {

constexpr size_t kTasksPerThread = 8;
constexpr size_t kL2BlockBytes = 192 * 1024;    // a share of L2 (512 KB on A72/A76, 1-2 MB on x86)
constexpr size_t kL1WeightsBytes = 24 * 1024;   // weights kept in L1 (32 KB on A72/A76, 32-48 KB on x86) beside A and C

struct GemmSplit {
  size_t m_tiles, n_panels;                 // mr-row tiles, nr-column panels
  size_t m_blocks, n_blocks;                // tasks = m_blocks * n_blocks (task_blocks: row-major)
  size_t tiles_per_block, panels_per_block;
};

// Task t's row block (first) and panel group (second). Row-major, so a run of consecutive tasks (a thread's own
// range in the pool) covers whole row blocks: the rows the thread wrote in the previous layer.
inline std::pair<size_t, size_t> task_blocks(const GemmSplit& s, size_t t) { return {t / s.n_blocks, t % s.n_blocks}; }

// a_row_bytes: bytes of one row of A (k elements).
inline GemmSplit split_gemm(size_t m, size_t n, size_t mr, size_t nr, size_t a_row_bytes, size_t threads) {
  GemmSplit s{};
  s.m_tiles = (m + mr - 1) / mr;
  s.n_panels = (n + nr - 1) / nr;
  // Boards have 512 KB-1 MB of L2; 12544 x 64 floats at 1.0/224 is 3 MB.
  const size_t l2_rows = std::max<size_t>(mr, kL2BlockBytes / a_row_bytes);
  s.m_blocks = std::max<size_t>(1, (s.m_tiles * mr + l2_rows - 1) / l2_rows);
  s.n_blocks = 1;
  if (threads > 1) {
    const size_t target = threads * kTasksPerThread;
    s.m_blocks = std::min(s.m_tiles, std::max(s.m_blocks, target));
    s.n_blocks = std::min(s.n_panels, (target + s.m_blocks - 1) / s.m_blocks);
  }
  s.tiles_per_block = (s.m_tiles + s.m_blocks - 1) / s.m_blocks;
  s.m_blocks = (s.m_tiles + s.tiles_per_block - 1) / s.tiles_per_block;  // no empty trailing blocks
  s.panels_per_block = (s.n_panels + s.n_blocks - 1) / s.n_blocks;
  s.n_blocks = (s.n_panels + s.panels_per_block - 1) / s.panels_per_block;
  return s;
}

// Rows of the next row tile when `left` rows remain: mr, except that on x86 a last tile of fewer than mr / 2 rows
// is avoided by splitting the last mr + r rows into two near-halves (16 = 8 + 8, not 14 + 2). A tile of 1-6 rows
// has 2-12 FMA chains, too few to cover the FMA latency on both pipes (1.0/128's 4x4 layers: 14 + 2 rows, 0.97x
// end to end with the split). The number of tiles is unchanged, and every element is still one microkernel call
// over the full K, so results are bit-identical. Not on ARM: there the split raised the instructions counted per
// inference by 0.5-1 % (bench/arm-meter; two partial tiles instead of a full one and a short one), and no Pi
// timing here can weigh that against the latency it hides.
inline size_t tile_rows(size_t mr, size_t left) {
  if (left <= mr) return left;
#if defined(__x86_64__)
  if (left - mr < mr / 2) return (left + 1) / 2;
#endif
  return mr;
}

// The slice of panel p + 1 that row tile t of panel p prefetches (kernels.h: w_prefetch), or nullptr. Weights larger
// than the L2 share the row blocks are sized for (the 28x28 to 7x7 layers at alpha 1.0: 0.26-4 MiB) come from L3
// once per block, and a panel (K = 1024: 128 KiB) meets only a few row tiles; so while the row tiles run over panel
// p, tile t warms floats [t * slice, (t + 1) * slice) of panel p + 1 and the next panel's first tile does not wait
// on L3. Tiles whose slice would reach past it (into p + 2) warm nothing; the panel's last line pair is left to the
// hardware prefetcher. On a Xeon: the 7x7 layers ~10 % faster, 1.0/224 about 1 %, smaller models level
// (bench/results/x86-alpha1-experiments.md). Model::gemm and bench/kernels both use it.
//   next_panel: panel p + 1 (nullptr: p is the last panel of the task); panel_floats: floats per panel;
//   weight_bytes: the task's packed weights.
inline const float* gemm_prefetch_slice(const float* next_panel, size_t t, size_t k, size_t panel_floats,
                                        size_t weight_bytes) {
#if defined(__x86_64__)
  const size_t slice = k * kGemmPrefetchBytesPerK / sizeof(float);
  if (!next_panel || weight_bytes <= kL2BlockBytes || (t + 1) * slice > panel_floats) return nullptr;
  return next_panel + t * slice;
#else
  // No ARM kernel prefetches: computing the slice per tile cost 0.5-0.8 % of the instructions counted
  // (bench/arm-meter) for nothing.
  (void)next_panel, (void)t, (void)k, (void)panel_floats, (void)weight_bytes;
  return nullptr;
#endif
}

}  // namespace mn
