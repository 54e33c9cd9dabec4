#include "qnetwork.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "../dispatch/qdispatch.h"
#include "preprocess.h"
#include "qpack.h"

namespace mn {

namespace {

constexpr size_t kTasksPerThread = 8;          // as the float path (network.cc)
constexpr size_t kL2BlockBytes = 192 * 1024;

[[noreturn]] void bad_layer(const LayerDesc& l, const std::string& what) {
  throw std::invalid_argument("layer " + l.name + ": " + what);
}

// Kernel and layout of one layer kind for the element type T.
template <typename T> struct Q;
template <> struct Q<uint8_t> {
  static QU8GemmFn gemm(const QKernelTable& t) { return t.qu8_gemm; }
  static const QGemmLayout& gemm_layout(const QKernelTable& t) { return t.qu8_gemm_layout; }
  static QU8DwconvFn dw(const QKernelTable& t) { return t.qu8_dwconv3x3; }
  static const QTapsLayout& dw_layout(const QKernelTable& t) { return t.qu8_dwconv3x3_layout; }
  static QU8ConvFn conv(const QKernelTable& t) { return t.qu8_conv3x3s2; }
  static const QTapsLayout& conv_layout(const QKernelTable& t) { return t.qu8_conv3x3s2_layout; }
  static QU8GavgpoolFn pool(const QKernelTable& t) { return t.qu8_gavgpool; }
};
template <> struct Q<int8_t> {
  static QS8GemmFn gemm(const QKernelTable& t) { return t.qs8_gemm; }
  static const QGemmLayout& gemm_layout(const QKernelTable& t) { return t.qs8_gemm_layout; }
  static QS8DwconvFn dw(const QKernelTable& t) { return t.qs8_dwconv3x3; }
  static const QTapsLayout& dw_layout(const QKernelTable& t) { return t.qs8_dwconv3x3_layout; }
  static QS8ConvFn conv(const QKernelTable& t) { return t.qs8_conv3x3s2; }
  static const QTapsLayout& conv_layout(const QKernelTable& t) { return t.qs8_conv3x3s2_layout; }
  static QS8GavgpoolFn pool(const QKernelTable& t) { return t.qs8_gavgpool; }
};

int32_t saturate(double v, bool int8) {
  const double lo = int8 ? -128 : 0, hi = int8 ? 127 : 255;
  return (int32_t)(v < lo ? lo : (v > hi ? hi : v));
}

}  // namespace

QNetwork::QNetwork(const std::vector<LayerDesc>& plan, size_t resolution, const QuantConfig& q, ThreadPool& pool)
    : plan_(plan), q_(q), kt_(&select_qkernel_table(q.isa, q.isa_source.c_str())), pool_(pool) {
  if (q.layers.size() != plan.size())
    throw std::invalid_argument("expected " + std::to_string(plan.size()) + " integer layers but received " +
                                std::to_string(q.layers.size()));
  const int32_t qmin = q.int8 ? -128 : 0, qmax = q.int8 ? 127 : 255;
  auto check_zp = [&](int32_t zp, const std::string& what) {
    if (zp < qmin || zp > qmax)
      throw std::invalid_argument(what + " zero point " + std::to_string(zp) + " is outside " + std::to_string(qmin) +
                                  ".." + std::to_string(qmax));
  };
  check_zp(q.input_zero_point, "input");
  check_zp(q.pool_zero_point, "pool");
  check_zp(q.output_zero_point, "output");
  for (double s : {q.input_scale, q.pool_scale, q.output_scale})
    if (!(s > 0) || !std::isfinite(s)) throw std::invalid_argument("quantization scales must be positive and finite");

  const QKernelTable& kt = *kt_;
  size_t total = 0, max_act = 0;
  std::vector<size_t> sizes(plan.size());
  layers_.resize(plan.size());
  for (size_t i = 0; i < plan.size(); i++) {
    const LayerDesc& l = plan[i];
    const QLayerParams& p = q.layers[i];
    const size_t oc = l.out_c;
    if (!p.weights || p.weights_len != l.kernel_size)
      bad_layer(l, "expected integer weights of length " + std::to_string(l.kernel_size) + " but received length " +
                       std::to_string(p.weights ? p.weights_len : 0));
    if (!p.bias || p.bias_len != oc)
      bad_layer(l, "expected an int32 bias of length " + std::to_string(oc) + " but received length " +
                       std::to_string(p.bias ? p.bias_len : 0));
    if (!p.multiplier || !p.shift || p.requant_len != oc)
      bad_layer(l, "expected multiplier and shift of length " + std::to_string(oc) + " but received length " +
                       std::to_string(p.requant_len));
    check_zp(p.input_zero_point, "layer " + l.name + ": input");
    check_zp(p.output_zero_point, "layer " + l.name + ": output");
    if (!(qmin <= p.output_min && p.output_min <= p.output_max && p.output_max <= qmax))
      bad_layer(l, "output range " + std::to_string(p.output_min) + ".." + std::to_string(p.output_max) +
                       " is not inside " + std::to_string(qmin) + ".." + std::to_string(qmax));
    if (q.int8 && p.weight_zero_point != 0) bad_layer(l, "int8 weights must be symmetric (zero point 0)");
    if (!q.int8 && (p.weight_zero_point < 0 || p.weight_zero_point > 255))
      bad_layer(l, "weight zero point " + std::to_string(p.weight_zero_point) + " is outside 0..255");
    switch (l.kind) {
      case LayerKind::Conv3x3s2:
        sizes[i] = qpacked_taps_size(q.int8 ? kt.qs8_conv3x3s2_layout : kt.qu8_conv3x3s2_layout, 27, oc); break;
      case LayerKind::Dwconv3x3:
        sizes[i] = qpacked_taps_size(q.int8 ? kt.qs8_dwconv3x3_layout : kt.qu8_dwconv3x3_layout, 9, oc); break;
      case LayerKind::Pointwise:
      case LayerKind::Classifier:
        sizes[i] = qpacked_gemm_size(q.int8 ? kt.qs8_gemm_layout : kt.qu8_gemm_layout, l.in_c, oc); break;
    }
    layers_[i] = Layer{&l, total, QOutputParams{p.output_zero_point, p.output_min, p.output_max}, p.input_zero_point};
    total += (sizes[i] + 63) / 64 * 64;
    if (l.kind != LayerKind::Classifier) max_act = std::max(max_act, l.out_h * l.out_w * l.out_c);
  }
  packed_.resize(total / sizeof(float) + 16);
  uint8_t* base = reinterpret_cast<uint8_t*>(packed_.data());
  for (size_t i = 0; i < plan.size(); i++) {
    const LayerDesc& l = plan[i];
    const QLayerParams& p = q.layers[i];
    const int32_t wzp = p.weight_zero_point;
    QPackArgs a{};
    a.n = l.out_c;
    a.bias = p.bias;
    a.multiplier = p.multiplier;
    a.shift = p.shift;
    a.per_channel = true;  // per-tensor values arrive repeated
    a.a_zero_point = p.input_zero_point;
    void* dst = base + layers_[i].packed_offset;
    const auto* wu = static_cast<const uint8_t*>(p.weights);
    const auto* ws = static_cast<const int8_t*>(p.weights);
    // Per-tensor zero point repeated per channel (per_channel is set for the per-channel multipliers).
    std::vector<int32_t> wz(l.out_c, wzp);
    a.w_zero_point = wz.data();
    try {  // packing errors name the layer
      switch (l.kind) {
        case LayerKind::Conv3x3s2:
          a.k = 27;
          q.int8 ? pack_qs8_conv3x3s2(kt.qs8_conv3x3s2_layout, a, ws, dst) : pack_qu8_conv3x3s2(kt.qu8_conv3x3s2_layout, a, wu, dst);
          break;
        case LayerKind::Dwconv3x3:
          a.k = 9;
          q.int8 ? pack_qs8_dwconv3x3(kt.qs8_dwconv3x3_layout, a, ws, dst) : pack_qu8_dwconv3x3(kt.qu8_dwconv3x3_layout, a, wu, dst);
          break;
        case LayerKind::Pointwise:
        case LayerKind::Classifier:
          a.k = l.in_c;
          q.int8 ? pack_qs8_gemm(kt.qs8_gemm_layout, a, ws, dst) : pack_qu8_gemm(kt.qu8_gemm_layout, a, wu, dst);
          break;
      }
    } catch (const std::invalid_argument& e) {
      bad_layer(l, e.what());
    }
  }
  ping_.resize(max_act);
  pong_.resize(max_act);
  resolution_ = resolution;
  input_bytes_ = resolution * resolution * 3;
  features_ = plan.back().in_c;
  classes_ = plan.back().out_c;
  reserve_batch(1);
}

void QNetwork::reserve_batch(size_t batch) {
  if (batch <= batch_capacity_) return;
  input_.resize(batch * input_bytes_);
  qfeatures_.resize(batch * features_);
  qlogits_.resize(batch * classes_);
  batch_capacity_ = batch;
}

size_t QNetwork::memory_bytes() const {
  return packed_.size() * sizeof(float) + ping_.size() + pong_.size() + input_.size() + qfeatures_.size() + qlogits_.size();
}

void QNetwork::set_input_frame(size_t image, const uint8_t* data, size_t width, size_t height, size_t channels) {
  uint8_t* dst = staged(image);
  resize_frame_u8(data, width, height, channels, resolution_, dst);
  if (q_.int8)
    for (size_t i = 0; i < input_bytes_; i++) dst[i] ^= 0x80;  // byte - 128 as two's complement
}

void QNetwork::set_input_tensor(size_t image, const float* data) {
  uint8_t* dst = staged(image);
  const double inv = 1.0 / q_.input_scale;
  for (size_t i = 0; i < input_bytes_; i++) {
    // TFLite QUANTIZE: round(x / scale) + zero_point, half away from zero, saturated (NaN -> zero point).
    const double v = std::round((double)data[i] * inv);
    const double z = std::isnan(v) ? 0.0 : v;
    dst[i] = (uint8_t)saturate(z + q_.input_zero_point, q_.int8);
  }
}

// C[m x n] = requant(A[m x k] * W): the float path's split (network.cc Network::gemm): panels outer,
// row tiles inner, rows split across tasks first; every output element is one microkernel call over
// the full K, so any thread count gives the same bytes.
template <typename T>
void QNetwork::gemm(const Layer& L, size_t m, const T* a, T* c) {
  const LayerDesc& l = *L.desc;
  const QKernelTable& kt = *kt_;
  const QGemmLayout& lay = Q<T>::gemm_layout(kt);
  const auto fn = Q<T>::gemm(kt);
  const size_t n = l.out_c, k = l.in_c, mr = lay.mr, nr = lay.nr;
  const size_t m_tiles = (m + mr - 1) / mr, n_panels = (n + nr - 1) / nr;
  const size_t l2_rows = std::max<size_t>(mr, kL2BlockBytes / k);
  size_t m_blocks = std::max<size_t>(1, (m_tiles * mr + l2_rows - 1) / l2_rows), n_blocks = 1;
  const size_t threads = pool_.threads();
  if (threads > 1) {
    const size_t target = threads * kTasksPerThread;
    m_blocks = std::min(m_tiles, std::max(m_blocks, target));
    n_blocks = std::min(n_panels, (target + m_blocks - 1) / m_blocks);
  }
  const size_t tiles_per_block = (m_tiles + m_blocks - 1) / m_blocks;
  const size_t panels_per_block = (n_panels + n_blocks - 1) / n_blocks;
  const size_t panel_bytes = qpacked_gemm_panel_bytes(lay, k);
  const uint8_t* w = reinterpret_cast<const uint8_t*>(packed_.data()) + L.packed_offset;
  const QOutputParams out = L.out;
  pool_.parallel_for(m_blocks * n_blocks, [&](size_t t) {
    const size_t mb = t % m_blocks, nb = t / m_blocks;
    const size_t m0 = mb * tiles_per_block * mr, m1 = std::min(m, m0 + tiles_per_block * mr);
    const size_t p0 = nb * panels_per_block, p1 = std::min(n_panels, p0 + panels_per_block);
    for (size_t p = p0; p < p1; p++) {
      const size_t j = p * nr, nc = std::min(nr, n - j);
      for (size_t i = m0; i < m1; i += mr) fn(std::min(mr, m1 - i), nc, k, a + i * k, k, w + p * panel_bytes, c + i * n + j, n, out);
    }
  });
}

template <typename T>
void QNetwork::run_layer(const Layer& L, const T* in, T* out) {
  const LayerDesc& l = *L.desc;
  const QKernelTable& kt = *kt_;
  const void* w = reinterpret_cast<const uint8_t*>(packed_.data()) + L.packed_offset;
  const size_t row_tasks = std::min(l.out_h, pool_.threads() == 1 ? (size_t)1 : pool_.threads() * kTasksPerThread);
  const size_t rows_per_task = (l.out_h + row_tasks - 1) / row_tasks;
  switch (l.kind) {
    case LayerKind::Conv3x3s2: {
      const QConvParams<T> p{in, out, w, l.in_h, l.in_w, l.out_c, l.out_h, l.out_w, l.pad_top, l.pad_left,
                             L.input_zero_point, L.out};
      const auto fn = Q<T>::conv(kt);
      pool_.parallel_for(row_tasks, [&](size_t t) { fn(p, t * rows_per_task, std::min(l.out_h, (t + 1) * rows_per_task)); });
      break;
    }
    case LayerKind::Dwconv3x3: {
      const QDwconvParams<T> p{in, out, w, l.in_h, l.in_w, l.in_c, l.out_h, l.out_w, l.stride, l.pad_top, l.pad_left,
                               L.input_zero_point, L.out};
      const auto fn = Q<T>::dw(kt);
      pool_.parallel_for(row_tasks, [&](size_t t) { fn(p, t * rows_per_task, std::min(l.out_h, (t + 1) * rows_per_task)); });
      break;
    }
    case LayerKind::Pointwise:
      gemm(L, l.out_h * l.out_w, in, out);
      break;
    case LayerKind::Classifier:
      break;  // over the whole batch in run_typed
  }
}

template <typename T>
void QNetwork::run_typed(size_t batch, bool classify, Profile* profile, const float* external) {
  using clock = std::chrono::steady_clock;
  const int32_t qmin = q_.int8 ? -128 : 0, qmax = q_.int8 ? 127 : 255;
  T* feats = reinterpret_cast<T*>(qfeatures_.data());
  if (profile) profile->layer_ns.resize(plan_.size(), 0.0);
  for (size_t b = 0; b < batch; b++) {
    if (external) set_input_tensor(b, external + b * input_bytes_);
    const T* cur = reinterpret_cast<const T*>(staged(b));
    T* bufs[2] = {reinterpret_cast<T*>(ping_.data()), reinterpret_cast<T*>(pong_.data())};
    size_t which = 0;
    const LayerDesc* last = nullptr;
    for (const Layer& L : layers_) {
      if (L.desc->kind == LayerKind::Classifier) break;
      const auto t0 = profile ? clock::now() : clock::time_point{};
      run_layer<T>(L, cur, bufs[which]);
      if (profile) {
        const double ns = std::chrono::duration<double, std::nano>(clock::now() - t0).count();
        profile->ns[(int)L.desc->kind] += ns;
        profile->layer_ns[(size_t)(&L - layers_.data())] += ns;
      }
      cur = bufs[which];
      which ^= 1;
      last = L.desc;
    }
    const auto t0 = profile ? clock::now() : clock::time_point{};
    Q<T>::pool(*kt_)(last->out_h * last->out_w, features_, cur, feats + b * features_, qmin, qmax);
    if (profile) profile->pool_ns += std::chrono::duration<double, std::nano>(clock::now() - t0).count();
  }
  if (classify) {
    const auto t0 = profile ? clock::now() : clock::time_point{};
    gemm<T>(layers_.back(), batch, feats, reinterpret_cast<T*>(qlogits_.data()));
    if (profile) {
      const double ns = std::chrono::duration<double, std::nano>(clock::now() - t0).count();
      profile->ns[(int)LayerKind::Classifier] += ns;
      profile->layer_ns.back() += ns;
    }
  }
  if (profile) profile->runs++;
}

void QNetwork::run(size_t batch, bool classify, Profile* profile, const float* external, float* logits, float* features) {
  if (batch == 0 || batch > batch_capacity_) throw std::out_of_range("batch exceeds the reserved capacity");
  if (q_.int8) run_typed<int8_t>(batch, classify, profile, external);
  else run_typed<uint8_t>(batch, classify, profile, external);
  // Dequantized copies: real = scale * (q - zero_point), in float as TFLite's DEQUANTIZE.
  auto deq = [&](const uint8_t* src, size_t n, double scale, int32_t zp, float* dst) {
    const float s = (float)scale;
    for (size_t i = 0; i < n; i++) {
      const int32_t v = q_.int8 ? (int32_t)(int8_t)src[i] : (int32_t)src[i];
      dst[i] = s * (float)(v - zp);
    }
  };
  if (features) deq(qfeatures_.data(), batch * features_, q_.pool_scale, q_.pool_zero_point, features);
  if (classify && logits) deq(qlogits_.data(), batch * classes_, q_.output_scale, q_.output_zero_point, logits);
}

}  // namespace mn
