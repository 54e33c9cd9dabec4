#include "network.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "../dispatch/dispatch.h"
#include "pack.h"
#include "preprocess.h"

namespace mn {

const char* layer_kind_name(LayerKind k) {
  switch (k) {
    case LayerKind::Conv3x3s2: return "conv";
    case LayerKind::Dwconv3x3: return "depthwise";
    case LayerKind::Pointwise: return "pointwise";
    case LayerKind::Classifier: return "classifier";
  }
  return "?";
}

namespace {

// TF SAME padding: out = ceil(in / s); the total pad goes mostly to the bottom/right, so a
// stride-2 layer on an even input pads 0 at top/left and 1 at bottom/right.
void same_padding(size_t in, size_t stride, size_t* out, size_t* pad_before) {
  *out = (in + stride - 1) / stride;
  const ptrdiff_t total = (ptrdiff_t)((*out - 1) * stride + 3) - (ptrdiff_t)in;
  *pad_before = total > 0 ? (size_t)total / 2 : 0;
}

// Tasks per thread and layer: tasks are taken dynamically, so finer ones even out a core that is
// interrupted (the event loop, another process); 8 measured faster than 2, 4 or 32 on 2 threads.
constexpr size_t kTasksPerThread = 8;
constexpr size_t kL2BlockBytes = 192 * 1024;  // a share of L2 (512 KB on A72/A76, 1-2 MB on x86)

constexpr size_t kBlockChannels[13] = {64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024};
constexpr size_t kBlockStrides[13] = {1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1};

size_t scaled(size_t base, double alpha) { return (size_t)std::floor((double)base * alpha + 1e-9); }

}  // namespace

std::vector<LayerDesc> build_mobilenet_v1_plan(double alpha, size_t resolution, size_t classes) {
  if (!(alpha > 0 && alpha <= 4)) throw std::invalid_argument("alpha must be in (0, 4]");
  if (resolution < 32 || resolution % 32 != 0 || resolution > 4096)
    throw std::invalid_argument("resolution must be a multiple of 32 in [32, 4096]");
  if (classes == 0 || classes > 100000) throw std::invalid_argument("classes must be in [1, 100000]");
  const float relu6_min = 0.0f, relu6_max = 6.0f;
  std::vector<LayerDesc> plan;
  size_t size = resolution, ch = scaled(32, alpha);
  if (ch == 0) throw std::invalid_argument("alpha is too small: the first layer would have no channels");
  {
    LayerDesc l{};
    l.kind = LayerKind::Conv3x3s2; l.name = "conv1";
    l.in_h = l.in_w = size; l.in_c = 3; l.out_c = ch; l.stride = 2;
    same_padding(size, 2, &l.out_h, &l.pad_top);
    l.out_w = l.out_h; l.pad_left = l.pad_top;
    l.min = relu6_min; l.max = relu6_max;
    l.kernel_size = 27 * ch;
    l.macs = l.out_h * l.out_w * 27 * ch;
    plan.push_back(l);
    size = l.out_h;
  }
  for (size_t b = 0; b < 13; b++) {
    LayerDesc dw{};
    dw.kind = LayerKind::Dwconv3x3; dw.name = "conv_dw_" + std::to_string(b + 1);
    dw.in_h = dw.in_w = size; dw.in_c = dw.out_c = ch; dw.stride = kBlockStrides[b];
    same_padding(size, dw.stride, &dw.out_h, &dw.pad_top);
    dw.out_w = dw.out_h; dw.pad_left = dw.pad_top;
    dw.min = relu6_min; dw.max = relu6_max;
    dw.kernel_size = 9 * ch;
    dw.macs = dw.out_h * dw.out_w * 9 * ch;
    plan.push_back(dw);
    size = dw.out_h;
    const size_t next = scaled(kBlockChannels[b], alpha);
    LayerDesc pw{};
    pw.kind = LayerKind::Pointwise; pw.name = "conv_pw_" + std::to_string(b + 1);
    pw.in_h = pw.in_w = pw.out_h = pw.out_w = size; pw.in_c = ch; pw.out_c = next; pw.stride = 1;
    pw.min = relu6_min; pw.max = relu6_max;
    pw.kernel_size = ch * next;
    pw.macs = size * size * ch * next;
    plan.push_back(pw);
    ch = next;
  }
  LayerDesc fc{};
  fc.kind = LayerKind::Classifier; fc.name = "conv_preds";
  fc.in_h = fc.in_w = fc.out_h = fc.out_w = 1; fc.in_c = ch; fc.out_c = classes; fc.stride = 1;
  fc.min = -std::numeric_limits<float>::infinity(); fc.max = std::numeric_limits<float>::infinity();
  fc.kernel_size = ch * classes;
  fc.macs = ch * classes;
  plan.push_back(fc);
  return plan;
}

// Checked before the pool is built from it.
static size_t checked_threads(size_t threads) {
  if (threads == 0 || threads > 256) throw std::invalid_argument("threads must be in [1, 256]");
  return threads;
}

Network::Network(const NetworkConfig& cfg, const std::vector<RawLayer>& layers)
    : cfg_(cfg),
      kernels_(&select_kernel_table(cfg.isa, cfg.isa_source.c_str())),
      plan_(build_mobilenet_v1_plan(cfg.alpha, cfg.resolution, cfg.classes)),
      pool_(checked_threads(cfg.threads)) {
  if (layers.size() != plan_.size())
    throw std::invalid_argument("expected " + std::to_string(plan_.size()) + " layers of weights but received " +
                                std::to_string(layers.size()));
  const KernelTable& kt = *kernels_;
  size_t total = 0, max_act = 0;
  for (size_t i = 0; i < plan_.size(); i++) {
    LayerDesc& l = plan_[i];
    const RawLayer& r = layers[i];
    auto fail = [&](const std::string& what, size_t expected, size_t got) {
      throw std::invalid_argument("layer " + l.name + ": expected " + what + " of length " + std::to_string(expected) +
                                  " but received length " + std::to_string(got));
    };
    if (!r.kernel || r.kernel_len != l.kernel_size) fail("kernel", l.kernel_size, r.kernel ? r.kernel_len : 0);
    if (r.bias && r.bias_len != l.out_c) fail("bias", l.out_c, r.bias_len);
    if (r.bn_len != 0 && r.bn_len != l.out_c) fail("batch norm parameters", l.out_c, r.bn_len);
    if (r.bn_len != 0 && (!r.gamma || !r.beta || !r.mean || !r.variance))
      throw std::invalid_argument("layer " + l.name + ": batch norm needs gamma, beta, mean and variance");
    switch (l.kind) {
      case LayerKind::Conv3x3s2: l.packed_size = packed_conv3x3_size(l.out_c, kt.conv_ct); break;
      case LayerKind::Dwconv3x3: l.packed_size = packed_dwconv_size(l.out_c, kt.dw_ct); break;
      case LayerKind::Pointwise:
      case LayerKind::Classifier: l.packed_size = packed_gemm_size(l.in_c, l.out_c, kt.gemm_nr); break;
    }
    l.packed_offset = total;
    total += (l.packed_size + 15) / 16 * 16;  // keep every layer 64-byte aligned
    if (l.kind != LayerKind::Classifier) {
      max_act = std::max(max_act, l.out_h * l.out_w * l.out_c);
    }
  }
  packed_.resize(total);
  ping_.resize(max_act);
  pong_.resize(max_act);

  // Fold BatchNorm in double precision (ncnn's formula): s = gamma / sqrt(var + eps),
  // w' = w * s per output channel, b' = beta - mean * s + bias * s. Every canonical layout
  // has the output channel fastest, so channel = index % out_c.
  std::vector<float> w, b;
  for (size_t i = 0; i < plan_.size(); i++) {
    const LayerDesc& l = plan_[i];
    const RawLayer& r = layers[i];
    const size_t oc = l.out_c;
    w.assign(r.kernel, r.kernel + r.kernel_len);
    b.assign(oc, 0.0f);
    if (r.bias) b.assign(r.bias, r.bias + oc);
    if (r.bn_len) {
      if (!(r.epsilon >= 0) || !std::isfinite(r.epsilon))
        throw std::invalid_argument("layer " + l.name + ": batch norm epsilon must be a finite number >= 0");
      std::vector<double> s(oc);
      for (size_t c = 0; c < oc; c++) {
        s[c] = (double)r.gamma[c] / std::sqrt((double)r.variance[c] + r.epsilon);
        b[c] = (float)((double)r.beta[c] - (double)r.mean[c] * s[c] + (double)b[c] * s[c]);
      }
      for (size_t j = 0; j < w.size(); j++) w[j] = (float)((double)w[j] * s[j % oc]);
    }
    float* dst = packed_.data() + l.packed_offset;
    switch (l.kind) {
      case LayerKind::Conv3x3s2: pack_conv3x3_weights(oc, kt.conv_ct, w.data(), b.data(), dst); break;
      case LayerKind::Dwconv3x3: pack_dwconv_weights(oc, kt.dw_ct, w.data(), b.data(), dst); break;
      case LayerKind::Pointwise:
      case LayerKind::Classifier: pack_gemm_weights(l.in_c, oc, kt.gemm_nr, w.data(), b.data(), dst); break;
    }
  }
  build_normalization_lut(cfg_.normalization, norm_lut_);
  reserve_batch(1);
}

void Network::reserve_batch(size_t batch) {
  if (batch <= batch_capacity_) return;
  input_.resize(batch * input_floats());
  features_.resize(batch * features());
  logits_.resize(batch * cfg_.classes);
  batch_capacity_ = batch;
}

size_t Network::memory_bytes() const {
  return (packed_.size() + ping_.size() + pong_.size() + input_.size() + features_.size() + logits_.size()) *
         sizeof(float);
}

size_t Network::macs() const {
  size_t s = 0;
  for (const LayerDesc& l : plan_) s += l.macs;
  return s;
}

size_t Network::params() const {
  size_t s = 0;
  for (const LayerDesc& l : plan_) s += l.kernel_size + l.out_c;
  return s;
}

void Network::set_input_frame(size_t image, const uint8_t* data, size_t width, size_t height, size_t channels) {
  preprocess_frame(data, width, height, channels, cfg_.resolution, norm_lut_, input(image));
}

void Network::set_input_tensor(size_t image, const float* data) {
  std::copy(data, data + input_floats(), input(image));
}

// C[m x n] = A[m x k] * W. Within a task, weight panels are the outer loop and row tiles the
// inner one, so a panel (k x NR) stays in L1 while the rows stream past it; across threads,
// rows are split first and panels only when there are too few row tiles (late layers, classifier).
// Every output element is computed by one microkernel call over the full K, whatever the split,
// so results are bit-identical for any thread count.
void Network::gemm(size_t m, size_t n, size_t k, const float* a, const float* w, float* c, float min, float max) {
  const KernelTable& kt = *kernels_;
  const size_t mr = kt.gemm_mr, nr = kt.gemm_nr;
  const size_t m_tiles = (m + mr - 1) / mr, n_panels = (n + nr - 1) / nr;
  // Row blocks small enough that a block of A (rows x k) stays in L2 while every panel passes
  // over it (boards have 512 KB-1 MB of L2; 12544 x 64 floats at 1.0/224 is 3 MB).
  const size_t l2_rows = std::max<size_t>(mr, kL2BlockBytes / (k * sizeof(float)));
  size_t m_blocks = std::max<size_t>(1, (m_tiles * mr + l2_rows - 1) / l2_rows), n_blocks = 1;
  if (threads() > 1) {
    const size_t target = threads() * kTasksPerThread;
    m_blocks = std::min(m_tiles, std::max(m_blocks, target));
    n_blocks = std::min(n_panels, (target + m_blocks - 1) / m_blocks);
  }
  const size_t tiles_per_block = (m_tiles + m_blocks - 1) / m_blocks;
  const size_t panels_per_block = (n_panels + n_blocks - 1) / n_blocks;
  const size_t panel_floats = nr * (k + 1);
  if (m == 1 && kt.gemv) {  // batch-1 classifier: one row, split by panels
    const size_t tasks = std::min(n_panels, threads() == 1 ? (size_t)1 : threads() * kTasksPerThread);
    const size_t per = (n_panels + tasks - 1) / tasks;
    pool_.parallel_for(tasks, [&](size_t t) {
      const size_t p0 = t * per, p1 = std::min(n_panels, p0 + per);
      if (p0 < p1) kt.gemv(std::min(n, p1 * nr) - p0 * nr, k, a, w + p0 * panel_floats, c + p0 * nr, min, max);
    });
    return;
  }
  pool_.parallel_for(m_blocks * n_blocks, [&](size_t t) {
    const size_t mb = t % m_blocks, nb = t / m_blocks;
    const size_t m0 = mb * tiles_per_block * mr, m1 = std::min(m, m0 + tiles_per_block * mr);
    const size_t p0 = nb * panels_per_block, p1 = std::min(n_panels, p0 + panels_per_block);
    for (size_t p = p0; p < p1; p++) {
      const size_t j = p * nr, nc = std::min(nr, n - j);
      const float* panel = w + p * panel_floats;
      for (size_t i = m0; i < m1; i += mr)
        kt.gemm(std::min(mr, m1 - i), nc, k, a + i * k, k, panel, c + i * n + j, n, min, max);
    }
  });
}

void Network::run_layer(const LayerDesc& l, const float* in, float* out) {
  const KernelTable& kt = *kernels_;
  const float* w = packed_.data() + l.packed_offset;
  // Row-range tasks for the convolutions: enough for the pool to balance, few enough to be cheap.
  const size_t row_tasks = std::min(l.out_h, threads() == 1 ? (size_t)1 : threads() * kTasksPerThread);
  const size_t rows_per_task = (l.out_h + row_tasks - 1) / row_tasks;
  switch (l.kind) {
    case LayerKind::Conv3x3s2: {
      const ConvParams p{in, out, w, l.in_h, l.in_w, l.out_c, l.out_h, l.out_w, l.pad_top, l.pad_left, l.min, l.max};
      pool_.parallel_for(row_tasks, [&](size_t t) {
        kt.conv3x3s2(p, t * rows_per_task, std::min(l.out_h, (t + 1) * rows_per_task));
      });
      break;
    }
    case LayerKind::Dwconv3x3: {
      const DwconvParams p{in, out, w, l.in_h, l.in_w, l.in_c, l.out_h, l.out_w, l.stride, l.pad_top, l.pad_left,
                           l.min, l.max};
      pool_.parallel_for(row_tasks, [&](size_t t) {
        kt.dwconv3x3(p, t * rows_per_task, std::min(l.out_h, (t + 1) * rows_per_task));
      });
      break;
    }
    case LayerKind::Pointwise:
      gemm(l.out_h * l.out_w, l.out_c, l.in_c, in, w, out, l.min, l.max);
      break;
    case LayerKind::Classifier:
      break;  // run() handles it over the whole batch
  }
}

void Network::run(size_t batch, bool classify, Profile* profile, const float* external) {
  if (batch == 0 || batch > batch_capacity_) throw std::out_of_range("batch exceeds the reserved capacity");
  using clock = std::chrono::steady_clock;
  const size_t F = features();
  if (profile) profile->layer_ns.resize(plan_.size(), 0.0);
  for (size_t b = 0; b < batch; b++) {
    const float* cur = external ? external + b * input_floats() : input(b);
    float* bufs[2] = {ping_.data(), pong_.data()};
    size_t which = 0;
    const LayerDesc* last = nullptr;
    for (const LayerDesc& l : plan_) {
      if (l.kind == LayerKind::Classifier) break;
      if (profile && profile->on_layer) profile->on_layer((size_t)(&l - plan_.data()));
      const auto t0 = profile ? clock::now() : clock::time_point{};
      run_layer(l, cur, bufs[which]);
      if (profile) {
        const double ns = std::chrono::duration<double, std::nano>(clock::now() - t0).count();
        profile->ns[(int)l.kind] += ns;
        profile->layer_ns[(size_t)(&l - plan_.data())] += ns;
      }
      cur = bufs[which];
      which ^= 1;
      last = &l;
    }
    if (profile && profile->on_layer) profile->on_layer(plan_.size());
    const auto t0 = profile ? clock::now() : clock::time_point{};
    kernels_->gavgpool(last->out_h * last->out_w, F, cur, features_.data() + b * F);
    if (profile) profile->pool_ns += std::chrono::duration<double, std::nano>(clock::now() - t0).count();
  }
  if (classify) {
    const LayerDesc& fc = plan_.back();
    if (profile && profile->on_layer) profile->on_layer(plan_.size() - 1);
    const auto t0 = profile ? clock::now() : clock::time_point{};
    gemm(batch, fc.out_c, fc.in_c, features_.data(), packed_.data() + fc.packed_offset, logits_.data(), fc.min, fc.max);
    if (profile) {
      const double ns = std::chrono::duration<double, std::nano>(clock::now() - t0).count();
      profile->ns[(int)LayerKind::Classifier] += ns;
      profile->layer_ns.back() += ns;
    }
  }
  if (profile) profile->runs++;
}

}  // namespace mn
