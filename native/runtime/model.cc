#include "model.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <new>
#include <stdexcept>

#include "../dispatch/dispatch.h"
#include "../dispatch/qdispatch.h"
#include "gemm_split.h"
#include "pack.h"
#include "qlayers.h"

namespace mn {

namespace {

// Tasks per thread and layer: tasks are taken dynamically (threadpool.h), so finer ones even out
// a core that is interrupted (the event loop, another process): a preempted thread holds up only
// the task it is in.
constexpr size_t kAlignFloats = 16;           // 64 bytes: every tensor and packed layer starts on a cache line

size_t round_up(size_t x, size_t m) { return (x + m - 1) / m * m; }

// The first-conv kernel (3x3 stride 2 on 3 channels); every other 3x3 conv goes through im2col + GEMM.
bool first_conv(const GraphLayer& l, size_t in_c) { return l.kind == LayerKind::Conv && in_c == 3 && l.stride == 2; }

// Arena floats of a tensor (integer tensors hold bytes).
size_t tensor_floats(const TensorDesc& t) { return (t.elements() * dtype_bytes(t.dtype) + 3) / 4; }

bool has_integer_layers(const Graph& g) {
  for (const GraphLayer& l : g.layers)
    if (is_integer(l.out.dtype)) return true;
  return false;
}

size_t packed_size(const KernelTable& kt, const GraphLayer& l, size_t in_c, size_t in_elements) {
  switch (l.kind) {
    case LayerKind::Conv:
      return first_conv(l, in_c) ? packed_conv3x3_size(l.out.c, kt.conv3x3s2.channel_tile) : packed_gemm_size(9 * in_c, l.out.c, kt.gemm.nr);
    case LayerKind::DetectionPostprocess: return l.weights.kernel_len;  // the anchors, as given
    case LayerKind::Concat:
    case LayerKind::Logistic:
    case LayerKind::Dwconv: return packed_dwconv_size(l.out.c, kt.dwconv3x3.channel_tile);
    case LayerKind::Pwconv:
    case LayerKind::Classifier: return packed_gemm_size(in_c, l.out.c, kt.gemm.nr);
    case LayerKind::Dense: return packed_gemm_size(in_elements, l.out.c, kt.gemm.nr);
    case LayerKind::Gavgpool:
    case LayerKind::Add: return 0;
  }
  return 0;
}

// Runs `work` (a layer, or a band of one) and, when profiling, marks and times it as layer li.
template <class F>
void timed(Profile& prof, size_t li, bool profile, F&& work) {
  if (!profile) return work();
  if (prof.on_layer) prof.on_layer(li);
  const auto t0 = std::chrono::steady_clock::now();
  work();
  prof.layer_ns[li] += std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
}

// Band pairs. The early layers' activations (1.6-3.2 MB at 1.0/224) outgrow L2, so run layer by layer each
// tensor is written out to L3 (DRAM on a Pi, which has no L3) and read back by the next layer. A band pair is two
// float first-conv / depthwise / pointwise layers, the second the only reader of the first's output, when that
// tensor exceeds kBandTensorBytes. The pair runs a few output rows at a time (run_band_pair): the first layer
// writes just the rows the band reads into a window in the workspace's scratch (still in L2 when the second
// reads them), so that tensor never takes arena space or memory bandwidth. Every element comes from the same
// kernel arithmetic as layer by layer, so results are bit-identical; 1.0/224 needs 16 % less memory, 1.0/1024 51 %.
// Pairs, not longer chains: a chain conv1 ... dw_4 (tensors kept whole) ran 0.99x of layer by layer against 0.97x
// for pairs. Only one-thread models band: with two threads the pool's extra round per band cost more than the
// bands saved (1.0/224: 1.04x). Numbers: bench/results/x86-alpha1-experiments.md.
constexpr size_t kBandTensorBytes = 512 * 1024;
// A band's window of the first layer's rows plus the second's output rows: half of L2 on x86 (1-2 MiB per core;
// 1.0/224 on Zen 5: 512 KiB 0.976x of layer by layer, 256 KiB 0.982x, 128 KiB 0.987x), half of a Pi 5's
// (A76: 512 KiB; Pi 3/4 share 512 KiB-1 MiB among four cores).
#if defined(__x86_64__)
constexpr size_t kBandBytes = 512 * 1024;
#else
constexpr size_t kBandBytes = 256 * 1024;
#endif

bool bandable(const GraphLayer& l, const TensorDesc& x) {
  if (is_integer(l.out.dtype) || l.inputs.size() != 1) return false;
  return l.kind == LayerKind::Dwconv || l.kind == LayerKind::Pwconv || first_conv(l, x.c);
}

// Input rows [first_input_row(l, r0), input_rows_needed(l, x, r1)) are what output rows [r0, r1) of layer l read.
size_t first_input_row(const GraphLayer& l, size_t r0) {
  if (l.kind == LayerKind::Pwconv) return r0;
  return r0 * l.stride > l.pad_top ? r0 * l.stride - l.pad_top : 0;
}
size_t input_rows_needed(const GraphLayer& l, const TensorDesc& x, size_t r1) {
  if (r1 == 0 || l.kind == LayerKind::Pwconv) return r1;
  return std::min(x.h, (r1 - 1) * l.stride + l.kh - l.pad_top);
}

// group_last[i] (see plan_arena): i + 1 for the first layer of a pair, i otherwise. Pairs are formed first come.
// on: false gives no pairs.
std::vector<size_t> band_groups(const Graph& g, bool on) {
  const size_t n = g.layers.size();
  std::vector<size_t> readers(n + 1, 0), group_last(n);
  for (size_t i = 0; i < n; i++) group_last[i] = i;
  if (!on) return group_last;
  for (const GraphLayer& l : g.layers)
    for (uint32_t t : l.inputs) readers[t]++;
  for (const GraphOutput& o : g.outputs) readers[o.tensor] += 2;  // a graph output never joins
  for (size_t i = 0; i < n; i++) {
    const GraphLayer& a = g.layers[i];
    if (i + 1 < n && bandable(a, g.tensor(a.inputs[0])) && bandable(g.layers[i + 1], a.out) &&
        g.layers[i + 1].inputs[0] == i + 1 && readers[i + 1] == 1 &&
        tensor_floats(a.out) * sizeof(float) > kBandTensorBytes) {
      group_last[i] = group_last[i + 1] = i + 1;
      i++;
    }
  }
  return group_last;
}

// Offsets for every layer's output tensor in one arena: a tensor is live from the layer that
// writes it to the last layer that reads it (graph outputs: to the end of the image). Each one
// goes at the lowest offset that overlaps no tensor live at the same time (first fit), so a
// chain needs two buffers and a residual block three, without a per-network rule.
// group_last[i]: the last layer of layer i's band pair (i itself outside one). A pair runs its layers
// interleaved, so every tensor read inside it stays live until the pair's second layer.
std::vector<size_t> plan_arena(const Graph& g, const std::vector<size_t>& group_last, size_t* total) {
  const size_t n = g.layers.size();
  std::vector<size_t> last_use(n + 1, 0);  // by tensor id
  for (size_t i = 0; i < n; i++)
    for (uint32_t t : g.layers[i].inputs) last_use[t] = std::max(last_use[t], group_last[i]);
  for (const GraphOutput& o : g.outputs) last_use[o.tensor] = n;
  struct Live { size_t begin, end, last; };
  std::vector<Live> live;
  std::vector<size_t> offset(n, 0);
  *total = 0;
  for (size_t i = 0; i < n; i++) {
    if (group_last[i] == i + 1) continue;  // a band pair's first output lives in the workspace's scratch
    const size_t size = round_up(tensor_floats(g.layers[i].out), kAlignFloats);
    // Inputs of layer i are still live here (its output must not overlap them): drop only
    // tensors whose last reader came before i.
    live.erase(std::remove_if(live.begin(), live.end(), [&](const Live& l) { return l.last < i; }), live.end());
    std::sort(live.begin(), live.end(), [](const Live& a, const Live& b) { return a.begin < b.begin; });
    size_t at = 0;
    for (const Live& l : live) {
      if (at + size <= l.begin) break;
      at = std::max(at, l.end);
    }
    offset[i] = at;
    *total = std::max(*total, at + size);
    live.push_back({at, at + size, std::max(last_use[i + 1], i + 1)});
  }
  return offset;
}

}  // namespace

Workspace::Workspace(const Model& m, size_t threads) : model_(m), input_floats_(m.input_floats()), pool_(threads) {
  arena_.resize(m.arena_floats());
  scratch_.resize(m.scratch_floats());
  results_.resize(m.graph().outputs.size());
  qresults_.resize(m.graph().outputs.size());
  reserve_batch(1);
}

// All or nothing: the new buffers are allocated before any old one is replaced, so a batch too large to
// allocate throws std::bad_alloc and leaves the workspace as it was, ready for a smaller batch.
void Workspace::reserve_batch(size_t batch) {
  if (batch <= batch_capacity_) return;
  // batch x elements per image, refused when it wraps size_t: on armv7 (32-bit) 4096 x 1024 x 1024 x 3 floats is 0 mod
  // 2^32, and the wrapped size allocated a buffer that staging the inputs then overran (SIGSEGV).
  const auto times = [batch](size_t per) {
    if (per != 0 && batch > SIZE_MAX / per) throw std::bad_alloc();
    return batch * per;
  };
  AlignedBuffer input(times(input_floats_));
  std::vector<AlignedBuffer> results(results_.size());
  std::vector<std::vector<uint8_t>> qresults(qresults_.size());
  for (size_t o = 0; o < results.size(); o++) {
    results[o].resize(times(model_.output_floats(o)));
    if (is_integer(model_.graph().tensor(model_.graph().outputs[o].tensor).dtype)) qresults[o].resize(times(model_.output_floats(o)));
  }
  input_ = std::move(input);
  results_ = std::move(results);
  qresults_ = std::move(qresults);
  batch_capacity_ = batch;
}

size_t Workspace::memory_bytes() const {
  size_t floats = arena_.size() + input_.size() + scratch_.size();
  for (const AlignedBuffer& r : results_) floats += r.size();
  size_t bytes = 0;
  for (const std::vector<uint8_t>& r : qresults_) bytes += r.size();
  return floats * sizeof(float) + bytes;
}

void Workspace::set_input_frame(size_t image, const FrameView& frame) {
  const TensorDesc& in = model_.graph().input;
  if (is_integer(in.dtype)) {
    uint8_t* q = reinterpret_cast<uint8_t*>(input(image));
    resize_frame_u8(frame, model_.resolution(), q, model_.stretch_input());
    integer_input_from_bytes(in.dtype, q, input_floats_);
    return;
  }
  preprocess_frame(frame, model_.resolution(), model_.norm_lut(), input(image), model_.stretch_input());
}

void Workspace::set_input_tensor(size_t image, const float* data, bool nchw) {
  const TensorDesc& in = model_.graph().input;
  const bool integer = is_integer(in.dtype);
  if (nchw) {
    float* dst = integer ? (nchw_.resize(input_floats_), nchw_.data()) : input(image);
    const size_t c = in.c, plane = in.h * in.w;
    for (size_t p = 0; p < plane; p++)
      for (size_t k = 0; k < c; k++) dst[p * c + k] = data[k * plane + p];
    if (!integer) return;
    data = dst;
  }
  if (integer) return quantize_input(in, data, input_floats_, reinterpret_cast<uint8_t*>(input(image)));
  std::copy(data, data + input_floats_, input(image));
}

Model::Model(const ModelConfig& cfg, Graph graph)
    : cfg_(cfg),
      // An integer graph takes `isa` as the name of its integer kernel set; float kernels: the best.
      // A float graph named an integer set by MOBILENET_ISA runs that set's family of float kernels (float_isa_for).
      kernels_(&select_kernel_table(has_integer_layers(graph) ? "" : float_isa_for(cfg.isa), cfg.isa_source.c_str())),
      graph_(std::move(graph)) {
  if (kernels_->gemv.fn && kernels_->gemv.nr != kernels_->gemm.nr)
    throw std::logic_error(std::string("kernel table ") + kernels_->isa + ": GEMV nr differs from GEMM nr");
  if (cfg_.threads == 0 || cfg_.threads > Limits::kMaxThreads)
    throw std::invalid_argument("threads must be in [1, " + std::to_string(Limits::kMaxThreads) + "]");
  validate_graph(graph_);
  if (has_integer_layers(graph_)) qkernels_ = &select_qkernel_table(cfg.isa, cfg.isa_source.c_str());
  const KernelTable& kt = *kernels_;
  const size_t n = graph_.layers.size();
  plan_.resize(n);
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    const GraphLayer& l = graph_.layers[i];
    plan_[i].packed_offset = total;
    const size_t in_c = graph_.tensor(l.inputs[0]).c;
    const size_t floats = is_integer(l.out.dtype) ? (qpacked_bytes(*qkernels_, l, in_c) + 3) / 4
                                                  : packed_size(kt, l, in_c, graph_.tensor(l.inputs[0]).elements());
    total += round_up(floats, kAlignFloats);
    if (l.kind == LayerKind::Conv && !is_integer(l.out.dtype) && !first_conv(l, in_c))
      scratch_floats_ = std::max(scratch_floats_, l.out.h * l.out.w * 9 * in_c);
    if (is_integer(l.out.dtype)) scratch_floats_ = std::max(scratch_floats_, (integer_scratch_bytes(graph_, l) + 3) / 4);
  }
  packed_.resize(total);
  const std::vector<size_t> group_last = band_groups(graph_, cfg_.band_pairs && cfg_.threads == 1);
  const std::vector<size_t> offsets = plan_arena(graph_, group_last, &arena_floats_);
  for (size_t i = 0; i < n; i++) plan_[i].arena_offset = offsets[i];
  for (size_t i = 0; i < n; i++) {
    if (group_last[i] == i) continue;
    const GraphLayer &first = graph_.layers[i], &second = graph_.layers[i + 1];
    const size_t mid_row = first.out.w * first.out.c, out_row = second.out.w * second.out.c;
    const size_t rows = kBandBytes / sizeof(float) / (second.stride * mid_row + out_row);
    plan_[i].band_rows = std::max<size_t>(1, std::min(second.out.h, rows));
    for (size_t r0 = 0; r0 < second.out.h; r0 += plan_[i].band_rows) {  // the widest window of first's rows
      const size_t r1 = std::min(second.out.h, r0 + plan_[i].band_rows);
      const size_t window = input_rows_needed(second, first.out, r1) - first_input_row(second, r0);
      scratch_floats_ = std::max(scratch_floats_, window * mid_row);
    }
    i++;
  }

  // Fold BatchNorm in double precision (ncnn's formula): s = gamma / sqrt(var + eps),
  // w' = w * s per output channel, b' = beta - mean * s + bias * s. Every canonical layout
  // has the output channel fastest, so channel = index % out_c.
  std::vector<float> w, b;
  for (size_t i = 0; i < n; i++) {
    GraphLayer& l = graph_.layers[i];
    const RawWeights& r = l.weights;
    if (!l.has_weights) continue;
    if (l.kind == LayerKind::DetectionPostprocess) {
      std::copy(r.kernel, r.kernel + r.kernel_len, packed_.data() + plan_[i].packed_offset);
      l.weights = RawWeights{};
      continue;
    }
    if (is_integer(l.out.dtype)) {
      try {
        qpack_layer(*qkernels_, l, graph_.tensor(l.inputs[0]), packed_.data() + plan_[i].packed_offset);
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("layer " + l.name + ": " + e.what());
      }
      l.weights = RawWeights{};
      continue;
    }
    const size_t oc = l.out.c;
    w.assign(r.kernel, r.kernel + r.kernel_len);
    b.assign(oc, 0.0f);
    if (r.bias) b.assign(r.bias, r.bias + oc);
    if (r.bn_len) {
      std::vector<double> s(oc);
      for (size_t c = 0; c < oc; c++) {
        s[c] = (double)r.gamma[c] / std::sqrt((double)r.variance[c] + r.epsilon);
        b[c] = (float)((double)r.beta[c] - (double)r.mean[c] * s[c] + (double)b[c] * s[c]);
      }
      for (size_t j = 0; j < w.size(); j++) w[j] = (float)((double)w[j] * s[j % oc]);
    }
    float* dst = packed_.data() + plan_[i].packed_offset;
    switch (l.kind) {
      case LayerKind::Conv:
        if (first_conv(l, graph_.tensor(l.inputs[0]).c)) pack_conv3x3_weights(oc, kt.conv3x3s2.channel_tile, w.data(), b.data(), dst);
        else pack_gemm_weights(9 * graph_.tensor(l.inputs[0]).c, oc, kt.gemm.nr, w.data(), b.data(), dst);  // HWIO rows = im2col columns
        break;
      case LayerKind::Dwconv: pack_dwconv_weights(oc, kt.dwconv3x3.channel_tile, w.data(), b.data(), dst); break;
      case LayerKind::Pwconv:
      case LayerKind::Classifier:
        pack_gemm_weights(graph_.tensor(l.inputs[0]).c, oc, kt.gemm.nr, w.data(), b.data(), dst);
        break;
      case LayerKind::Dense:
        pack_gemm_weights(graph_.tensor(l.inputs[0]).elements(), oc, kt.gemm.nr, w.data(), b.data(), dst);
        break;
      default: break;
    }
    l.weights = RawWeights{};  // the caller's arrays are not ours to keep
  }
  // Which layers each output needs: walk back from the output tensor.
  for (const GraphOutput& o : graph_.outputs) {
    std::vector<bool> need(n, false);
    std::vector<uint32_t> stack{o.tensor};
    while (!stack.empty()) {
      const uint32_t t = stack.back();
      stack.pop_back();
      if (t == 0 || need[t - 1]) continue;
      need[t - 1] = true;
      for (uint32_t x : graph_.layers[t - 1].inputs) stack.push_back(x);
    }
    needed_.push_back(std::move(need));
  }
  build_normalization_lut(cfg_.normalization, norm_lut_, cfg_.input_scale, cfg_.input_zero_point);
}

// C[m x n] = A[m x k] * W. Within a task, weight panels are the outer loop and row tiles the
// inner one, so a panel (k x NR) stays in L1 while the rows stream past it (or row tiles outer when
// all the task's weights fit in L1 together); across threads,
// rows are split first and panels only when there are too few row tiles (late layers, classifier).
// Every output element is computed by one microkernel call over the full K, whatever the split,
// so results are bit-identical for any thread count and any assignment of tasks to threads.
void Model::gemm(ThreadPool& pool, size_t m, size_t n, size_t k, const float* a, const float* w, float* c, float min,
                 float max) const {
  const GemmKernel& g = kernels_->gemm;
  const size_t mr = g.mr, nr = g.nr;
  const GemmSplit sp = split_gemm(m, n, mr, nr, k * sizeof(float), pool.threads());
  const size_t n_panels = sp.n_panels, m_blocks = sp.m_blocks, tiles_per_block = sp.tiles_per_block,
               panels_per_block = sp.panels_per_block;
  const size_t panel_floats = nr * (k + 1);
  const GemvKernel& gv = kernels_->gemv;
  if (m == 1 && gv.fn) {  // one row (the batch-1 classifier): split by panels
    const size_t tasks = std::min(n_panels, pool.threads() == 1 ? (size_t)1 : pool.threads() * kTasksPerThread);
    const size_t per = (n_panels + tasks - 1) / tasks;
    pool.parallel_for((n_panels + per - 1) / per, [&](size_t t) {
      const size_t p0 = t * per, p1 = std::min(n_panels, p0 + per);
      gv.fn(std::min(n, p1 * nr) - p0 * nr, k, a, w + p0 * panel_floats, c + p0 * nr, min, max);
    });
    return;
  }
  pool.parallel_for(m_blocks * sp.n_blocks, [&](size_t t) {
    const auto [mb, nb] = task_blocks(sp, t);
    const size_t m0 = mb * tiles_per_block * mr, m1 = std::min(m, m0 + tiles_per_block * mr);
    const size_t p0 = nb * panels_per_block, p1 = std::min(n_panels, p0 + panels_per_block);
    auto tile = [&](size_t i, size_t p, const float* w_prefetch) {
      const size_t j = p * nr;
      g.fn(tile_rows(mr, m1 - i), std::min(nr, n - j), k, a + i * k, k, w + p * panel_floats, c + i * n + j, n, min,
           max, w_prefetch);
    };
    if ((p1 - p0) * panel_floats * sizeof(float) <= kL1WeightsBytes) {
      // All the task's weights fit in L1 at once (the early layers, K <= 64): each row tile meets every
      // panel while its A rows are in L1, and writes its C rows whole (bench/kernels --order mn: the
      // 112x112x32>64 layer 13% faster on a Xeon).
      for (size_t i = m0; i < m1; i += tile_rows(mr, m1 - i))
        for (size_t p = p0; p < p1; p++) tile(i, p, nullptr);
    } else {
      // Each row tile warms its slice of the next panel into L2 (gemm_split.h: gemm_prefetch_slice).
      const size_t weight_bytes = (p1 - p0) * panel_floats * sizeof(float);
      for (size_t p = p0; p < p1; p++)
        for (size_t i = m0, t = 0; i < m1; i += tile_rows(mr, m1 - i), t++)
          tile(i, p, gemm_prefetch_slice(p + 1 < p1 ? w + (p + 1) * panel_floats : nullptr, t, k, panel_floats, weight_bytes));
    }
  });
}

// A 3x3 convolution (stride 1 or 2, any input channels, TF SAME padding) as im2col + GEMM: each output
// pixel's 3x3 x cin window, zeros where it leaves the input, becomes one row of ws.scratch_ (tap-major,
// channel fastest: the HWIO kernel's row order). SSD's extra layers are small (at most 5 x 5 outputs).
void Model::conv_im2col(Workspace& ws, const GraphLayer& l, const TensorDesc& x, const float* in, const float* w, float* out) const {
  const size_t cin = x.c, k = 9 * cin;
  float* rows = ws.scratch_.data();
  for (size_t oy = 0; oy < l.out.h; oy++) {
    for (size_t ox = 0; ox < l.out.w; ox++) {
      float* row = rows + (oy * l.out.w + ox) * k;
      for (size_t ky = 0; ky < 3; ky++) {
        for (size_t kx = 0; kx < 3; kx++) {
          float* dst = row + (ky * 3 + kx) * cin;
          const long iy = (long)(oy * l.stride + ky) - (long)l.pad_top, ix = (long)(ox * l.stride + kx) - (long)l.pad_left;
          if (iy < 0 || ix < 0 || iy >= (long)x.h || ix >= (long)x.w) std::fill(dst, dst + cin, 0.0f);
          else std::copy(in + ((size_t)iy * x.w + (size_t)ix) * cin, in + ((size_t)iy * x.w + (size_t)ix + 1) * cin, dst);
        }
      }
    }
  }
  gemm(ws.pool_, l.out.h * l.out.w, l.out.c, k, rows, w, out, l.min, l.max);
}

// One layer: the kernel call per kind. A new kind is one more case here (and its validation in graph.cc).
void Model::run_layer(Workspace& ws, size_t li, const float* const* in, float* out) const {
  const KernelTable& kt = *kernels_;
  const GraphLayer& l = graph_.layers[li];
  const TensorDesc& x = graph_.tensor(l.inputs[0]);
  const float* w = packed_.data() + plan_[li].packed_offset;
  ThreadPool& pool = ws.pool_;
  if (is_integer(l.out.dtype))
    return run_integer_layer(*qkernels_, pool, graph_, l, w, reinterpret_cast<const void* const*>(in), out,
                             reinterpret_cast<uint8_t*>(ws.scratch_.data()));
  switch (l.kind) {
    case LayerKind::Conv:
      if (!first_conv(l, x.c)) conv_im2col(ws, l, x, in[0], w, out);
      else run_rows(ws, li, in[0], out, 0, l.out.h);
      break;
    case LayerKind::Dwconv:
    case LayerKind::Pwconv:
      run_rows(ws, li, in[0], out, 0, l.out.h);
      break;
    case LayerKind::Classifier:
      gemm(pool, l.out.h * l.out.w, l.out.c, x.c, in[0], w, out, l.min, l.max);
      break;
    case LayerKind::Dense:  // one row: the NHWC tensor is its own flattened view (K = h * w * c)
      gemm(pool, 1, l.out.c, x.elements(), in[0], w, out, l.min, l.max);
      break;
    case LayerKind::Gavgpool:
      kt.gavgpool.fn(x.h * x.w, x.c, in[0], out);
      break;
    case LayerKind::Add: {
      const size_t len = l.out.elements();
      for (size_t i = 0; i < len; i++) out[i] = std::min(std::max(in[0][i] + in[1][i], l.min), l.max);
      break;
    }
    case LayerKind::Concat: {
      // The inputs' elements one after another (lib/weights/tflite-graph.ts: rows of [n_i, 1, c]).
      for (size_t j = 0; j < l.inputs.size(); j++) {
        const size_t len = graph_.tensor(l.inputs[j]).elements();
        out = std::copy(in[j], in[j] + len, out);
      }
      break;
    }
    case LayerKind::Logistic: {
      const size_t len = l.out.elements();
      for (size_t i = 0; i < len; i++) out[i] = 1.0f / (1.0f + std::exp(-in[0][i]));
      break;
    }
    case LayerKind::DetectionPostprocess: {
      // Output: boxes (slots x 4: ymin, xmin, ymax, xmax), classes (slots), scores (slots), count.
      const size_t boxes = x.elements() / 4, slots = detection_slots(l.detection);
      const TensorDesc& sc = graph_.tensor(l.inputs[1]);
      const float* enc = in[0];
      const float* scores = in[1];
      if (is_integer(x.dtype)) {  // uint8 inputs, dequantized as TFLite's postprocess does: (float(q) - zero_point) * scale
        ws.detection_.boxes_f.resize(x.elements());
        ws.detection_.scores_f.resize(sc.elements());
        dequantize_u8(reinterpret_cast<const uint8_t*>(in[0]), x.elements(), x.quant.zero_point[0], x.quant.scale[0], ws.detection_.boxes_f.data());
        dequantize_u8(reinterpret_cast<const uint8_t*>(in[1]), sc.elements(), sc.quant.zero_point[0], sc.quant.scale[0], ws.detection_.scores_f.data());
        enc = ws.detection_.boxes_f.data();
        scores = ws.detection_.scores_f.data();
      }
      const std::string err = detection_postprocess(l.detection, enc, 4, w, scores, boxes, sc.elements() / boxes,
                                                    ws.detection_, out, out + 4 * slots, out + 5 * slots, out + 6 * slots);
      if (!err.empty()) throw std::runtime_error("layer " + l.name + ": " + err);
      break;
    }
  }
}

// Output rows [r0, r1) of a float first conv, depthwise or pointwise layer (in, out: whole tensors).
void Model::run_rows(Workspace& ws, size_t li, const float* in, float* out, size_t r0, size_t r1) const {
  const KernelTable& kt = *kernels_;
  const GraphLayer& l = graph_.layers[li];
  const TensorDesc& x = graph_.tensor(l.inputs[0]);
  const float* w = packed_.data() + plan_[li].packed_offset;
  ThreadPool& pool = ws.pool_;
  if (l.kind == LayerKind::Pwconv) {
    const size_t px = l.out.w;  // 1x1 stride 1: output row y reads input row y
    return gemm(pool, (r1 - r0) * px, l.out.c, x.c, in + r0 * px * x.c, w, out + r0 * px * l.out.c, l.min, l.max);
  }
  // Row-range tasks for the convolutions: enough for the pool to balance, few enough to be cheap.
  const size_t rows = r1 - r0;
  const size_t row_tasks = std::min(rows, pool.threads() == 1 ? (size_t)1 : pool.threads() * kTasksPerThread);
  const size_t rows_per_task = (rows + row_tasks - 1) / row_tasks;
  const size_t tasks = (rows + rows_per_task - 1) / rows_per_task;
  auto range = [&](size_t t) { return std::make_pair(r0 + t * rows_per_task, std::min(r1, r0 + (t + 1) * rows_per_task)); };
  if (l.kind == LayerKind::Dwconv) {
    const DwconvParams p{in, out, w, x.h, x.w, x.c, l.out.h, l.out.w, l.stride, l.pad_top, l.pad_left, l.min, l.max};
    pool.parallel_for(tasks, [&](size_t t) { kt.dwconv3x3.fn(p, range(t).first, range(t).second); });
  } else {
    const ConvParams p{in, out, w, x.h, x.w, l.out.c, l.out.h, l.out.w, l.pad_top, l.pad_left, l.min, l.max};
    pool.parallel_for(tasks, [&](size_t t) { kt.conv3x3s2.fn(p, range(t).first, range(t).second); });
  }
}

// The band pair starting at layer i (band_groups). For each band of band_rows rows of the second layer's output:
// the rows of the first's output that the band reads, [lo, hi), are held at the start of ws.scratch_ (rows the
// last band already computed are moved down), the first layer computes the ones missing, the second the band.
// Both layers address rows from row 0 (run_rows), so they get the window's base moved back by lo rows: pointer
// arithmetic done on integers, since that address lies before the buffer; every row they touch is inside it.
// in: layer i's input.
void Model::run_band_pair(Workspace& ws, size_t i, const float* in, float* arena, bool profile) const {
  const GraphLayer &first = graph_.layers[i], &second = graph_.layers[i + 1];
  const size_t row = first.out.w * first.out.c;
  float* window = ws.scratch_.data();
  float* out = arena + plan_[i + 1].arena_offset;
  auto rows = [&](size_t li, const float* x, float* y, size_t r0, size_t r1) {
    timed(ws.profile_, li, profile, [&] { run_rows(ws, li, x, y, r0, r1); });
  };
  size_t lo = 0, hi = 0;  // the window holds rows [lo, hi)
  for (size_t r0 = 0; r0 < second.out.h;) {
    const size_t r1 = std::min(second.out.h, r0 + plan_[i].band_rows);
    const size_t keep = std::min(std::max(lo, first_input_row(second, r0)), hi), need = input_rows_needed(second, first.out, r1);
    std::memmove(window, window + (keep - lo) * row, (hi - keep) * row * sizeof(float));
    lo = keep;
    // The constructor sized scratch for need - first_input_row(r0) rows; lo is that row unless a band skipped rows
    // (never for 3x3 windows of stride <= 2, nor 1x1 stride 1): refuse rather than write past the buffer.
    if ((need - lo) * row > ws.scratch_.size()) throw std::logic_error("layer " + first.name + ": band window exceeds scratch");
    float* base = reinterpret_cast<float*>(reinterpret_cast<uintptr_t>(window) - lo * row * sizeof(float));
    if (need > hi) rows(i, in, base, hi, need);
    hi = std::max(hi, need);
    rows(i + 1, base, out, r0, r1);
    r0 = r1;
  }
}

size_t Model::widest_output() const {
  size_t best = 0, most = 0;
  for (size_t o = 0; o < needed_.size(); o++) {
    const size_t n = (size_t)std::count(needed_[o].begin(), needed_[o].end(), true);
    if (n > most) { most = n; best = o; }
  }
  return best;
}

void Model::run(Workspace& ws, size_t batch, size_t output, bool profile, const float* external) const {
  if (&ws.model_ != this) throw std::invalid_argument("workspace of another model");
  if (batch == 0 || batch > ws.batch_capacity_) throw std::out_of_range("batch exceeds the reserved capacity");
  if (output >= graph_.outputs.size()) throw std::out_of_range("no such graph output");
  const std::vector<bool>& need = needed_[output];
  const size_t n = graph_.layers.size();
  if (profile) ws.profile_.layer_ns.resize(n, 0.0);
  float* arena = ws.arena_.data();
  const uint32_t out_tensor = graph_.outputs[output].tensor;
  const size_t out_floats = output_floats(output);
  const float* inputs[kMaxLayerInputs];
  const bool integer_input = is_integer(graph_.input.dtype);
  const TensorDesc& out_desc = graph_.tensor(out_tensor);
  for (size_t b = 0; b < batch; b++) {
    // An integer input is quantized into the staging area first (callers reserve the batch).
    if (external && integer_input) ws.set_input_tensor(b, external + b * input_floats());
    const float* image = external && !integer_input ? external + b * input_floats() : ws.input(b);
    auto tensor = [&](uint32_t t) -> const float* { return t == 0 ? image : arena + plan_[t - 1].arena_offset; };
    for (size_t i = 0; i < n; i++) {
      if (!need[i]) continue;
      const GraphLayer& l = graph_.layers[i];
      if (plan_[i].band_rows) {  // a band pair (its first output has no arena space: it always runs banded)
        run_band_pair(ws, i, tensor(l.inputs[0]), arena, profile);
        i++;
        continue;
      }
      for (size_t j = 0; j < l.inputs.size(); j++) inputs[j] = tensor(l.inputs[j]);
      timed(ws.profile_, i, profile, [&] { run_layer(ws, i, inputs, arena + plan_[i].arena_offset); });
    }
    const float* src = tensor(out_tensor);
    if (is_integer(out_desc.dtype)) {
      const uint8_t* q = reinterpret_cast<const uint8_t*>(src);
      std::copy(q, q + out_floats, ws.qresults_[output].data() + b * out_floats);
      dequantize(out_desc, q, out_floats, ws.results_[output].data() + b * out_floats);
    } else {
      std::copy(src, src + out_floats, ws.results_[output].data() + b * out_floats);
    }
  }
  if (profile) ws.profile_.runs++;
}

}  // namespace mn
