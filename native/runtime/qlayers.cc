#include "qlayers.h"

#include "qadd.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <stdexcept>
#include <vector>

#include "gemm_split.h"
#include "qpack.h"

namespace mn {

namespace {


// Kernels and layouts of one element type.
template <typename T> struct Q;
template <> struct Q<uint8_t> {
  static QU8GemmFn gemm(const QKernelTable& t) { return t.qu8_gemm; }
  static const QGemmLayout& gemm_layout(const QKernelTable& t) { return t.qu8_gemm_layout; }
  static QU8DwconvFn dw(const QKernelTable& t) { return t.qu8_dwconv3x3; }
  static const QTapsLayout& dw_layout(const QKernelTable& t) { return t.qu8_dwconv3x3_layout; }
  static QU8ConvFn conv(const QKernelTable& t) { return t.qu8_conv3x3s2; }
  static QU8GavgpoolFn pool(const QKernelTable& t) { return t.qu8_gavgpool; }
  static QU8VaddFn vadd(const QKernelTable& t) { return t.qu8_vadd; }
};
template <> struct Q<int8_t> {
  static QS8GemmFn gemm(const QKernelTable& t) { return t.qs8_gemm; }
  static const QGemmLayout& gemm_layout(const QKernelTable& t) { return t.qs8_gemm_layout; }
  static QS8DwconvFn dw(const QKernelTable& t) { return t.qs8_dwconv3x3; }
  static const QTapsLayout& dw_layout(const QKernelTable& t) { return t.qs8_dwconv3x3_layout; }
  static QS8ConvFn conv(const QKernelTable& t) { return t.qs8_conv3x3s2; }
  static QS8GavgpoolFn pool(const QKernelTable& t) { return t.qs8_gavgpool; }
  static QS8VaddFn vadd(const QKernelTable& t) { return t.qs8_vadd; }
};

int32_t qmin(DType t) { return t == DType::Int8 ? -128 : 0; }
int32_t qmax(DType t) { return t == DType::Int8 ? 127 : 255; }

std::string range_str(DType t) { return std::to_string(qmin(t)) + ".." + std::to_string(qmax(t)); }

// Checks one tensor's per-tensor quantization; returns its zero point.
int32_t tensor_zero_point(const TensorDesc& t, const std::string& what) {
  if (t.quant.scale.size() != 1 || t.quant.zero_point.size() != 1)
    throw std::invalid_argument(what + ": expected one quantization scale and zero point but received " +
                                std::to_string(t.quant.scale.size()));
  const float s = t.quant.scale[0];
  if (!(s > 0) || !std::isfinite(s)) throw std::invalid_argument(what + ": quantization scale must be positive and finite");
  const int32_t zp = t.quant.zero_point[0];
  if (zp < qmin(t.dtype) || zp > qmax(t.dtype))
    throw std::invalid_argument(what + ": zero point " + std::to_string(zp) + " is outside " + range_str(t.dtype));
  return zp;
}

QOutputParams out_params(const GraphLayer& l) {
  return QOutputParams{l.out.quant.zero_point[0], (int32_t)l.min, (int32_t)l.max};
}

// qs8 GEMM layers on a table with a narrow kernel (qkernels.h: weights in [-127, 127]) get it when no weight is
// -128, else qs8_gemm. The choice is made once at pack time and recorded in the packed buffer's first
// kChoiceBytes (64, so the panels stay on cache lines): 1 = narrow, 0 = qs8_gemm; run time reads it there.
constexpr size_t kChoiceBytes = 64;
bool records_choice(const QKernelTable& kt, const GraphLayer& l) {
  return l.out.dtype == DType::Int8 && kt.qs8_gemm_narrow;
}
bool narrow_weights(const GraphLayer& l) {
  return l.weights.qkernel && qs8_weights_narrow(static_cast<const int8_t*>(l.weights.qkernel), l.weights.qkernel_len);
}
// The same choice for qs8 depthwise layers on a table with a narrow depthwise kernel, recorded the same way.
bool records_dw_choice(const QKernelTable& kt, const GraphLayer& l) {
  return l.out.dtype == DType::Int8 && kt.qs8_dwconv3x3_narrow;
}
// Packed bytes of a GEMM layer (1x1, classifier, im2col conv) with k inputs.
size_t gemm_bytes(const QKernelTable& kt, const GraphLayer& l, size_t k) {
  if (!records_choice(kt, l))
    return qpacked_gemm_size(l.out.dtype == DType::Int8 ? kt.qs8_gemm_layout : kt.qu8_gemm_layout, k, l.out.c);
  return kChoiceBytes + qpacked_gemm_size(narrow_weights(l) ? kt.qs8_gemm_narrow_layout : kt.qs8_gemm_layout, k, l.out.c);
}
template <typename T>
void pack_gemm_layer(const QKernelTable& kt, const GraphLayer& l, const QPackArgs& a, const T* w, void* dst) {
  if constexpr (std::is_same_v<T, uint8_t>) {
    pack_qu8_gemm(kt.qu8_gemm_layout, a, w, dst);
  } else if (!records_choice(kt, l)) {
    pack_qs8_gemm(kt.qs8_gemm_layout, a, w, dst);
  } else {
    const bool narrow = narrow_weights(l);
    std::memset(dst, 0, kChoiceBytes);
    *static_cast<int32_t*>(dst) = narrow ? 1 : 0;
    pack_qs8_gemm(narrow ? kt.qs8_gemm_narrow_layout : kt.qs8_gemm_layout, a, w, static_cast<uint8_t*>(dst) + kChoiceBytes);
  }
}

// Whether some output channel of a packed layer has a left shift, for QOutputParams::left_shift: the lshift
// header row (row 2, qkernels.h) of each of `blocks` blocks of `block_bytes` (GEMM panels of nr columns,
// depthwise blocks of ct channels), `cols` channels each. Conv layers' multipliers are usually < 1, and then a
// kernel skips that step (one instruction per 4 outputs); the scan is a few instructions per output channel.
bool any_left_shift(const uint8_t* w, size_t blocks, size_t block_bytes, size_t cols) {
  int32_t any = 0;
  for (size_t b = 0; b < blocks; b++) {
    const int32_t* lshift = reinterpret_cast<const int32_t*>(w + b * block_bytes) + 2 * cols;
    for (size_t j = 0; j < cols; j++) any |= lshift[j];
  }
  return any != 0;
}

template <typename T>
void gemm(const QKernelTable& kt, ThreadPool& pool, size_t m, size_t n, size_t k, const T* a, const uint8_t* w, T* c,
          const QOutputParams& out_params) {
  const QGemmLayout* layout = &Q<T>::gemm_layout(kt);
  auto fn = Q<T>::gemm(kt);
  if constexpr (std::is_same_v<T, int8_t>) {
    if (kt.qs8_gemm_narrow) {
      if (*reinterpret_cast<const int32_t*>(w)) {
        fn = kt.qs8_gemm_narrow;
        layout = &kt.qs8_gemm_narrow_layout;
      }
      w += kChoiceBytes;
    }
  }
  const QGemmLayout& lay = *layout;
  const size_t mr = lay.mr, nr = lay.nr;
  // The float path's split (gemm_split.h), panels outer and row tiles inner within a task.
  const GemmSplit sp = split_gemm(m, n, mr, nr, k * sizeof(T), pool.threads());
  const size_t n_panels = sp.n_panels, m_blocks = sp.m_blocks, tiles_per_block = sp.tiles_per_block,
               panels_per_block = sp.panels_per_block;
  const size_t panel_bytes = qpacked_gemm_panel_bytes(lay, k);
  QOutputParams out = out_params;
  constexpr size_t kScanRows = 16;  // not worth scanning for the batch-1 classifier's one row
  out.left_shift = m < kScanRows || any_left_shift(w, n_panels, panel_bytes, nr);
  // Panels per call (layout.panels kernels): as many as fit in kL1WeightsBytes, so they stay in L1 while
  // every row tile of the task passes over them; one otherwise.
  const size_t chunk = lay.panels ? std::max<size_t>(1, kL1WeightsBytes / panel_bytes) : 1;
  pool.parallel_for(m_blocks * sp.n_blocks, [&](size_t t) {
    const auto [mb, nb] = task_blocks(sp, t);
    const size_t m0 = mb * tiles_per_block * mr, m1 = std::min(m, m0 + tiles_per_block * mr);
    const size_t p0 = nb * panels_per_block, p1 = std::min(n_panels, p0 + panels_per_block);
    for (size_t q0 = p0; q0 < p1; q0 += chunk) {
      const size_t j = q0 * nr, nc = std::min(n, std::min(p1, q0 + chunk) * nr) - j;
      if (lay.rows) fn(m1 - m0, nc, k, a + m0 * k, k, w + q0 * panel_bytes, c + m0 * n + j, n, out);  // every row tile
      else
        for (size_t i = m0; i < m1; i += mr) fn(std::min(mr, m1 - i), nc, k, a + i * k, k, w + q0 * panel_bytes, c + i * n + j, n, out);
    }
  });
}

bool first_conv(const GraphLayer& l, const TensorDesc& x) { return x.c == 3 && l.stride == 2; }

// TFLite 2.2's uint8 LOGISTIC (activations.cc: a 256-entry table of 1 / (1 + e^-x) over the dequantized input,
// std::round(y / output_scale) + zero point) and uint8 CONCATENATION with differing scales
// (ConcatenationWithScaling: round(q · s_in/s_out - z_in · s_in/s_out) + z_out), both as maps of the input byte,
// in float as TFLite computes them (this file is built without FMA contraction for these two).
void logistic_table(const TensorDesc& in, const TensorDesc& out, uint8_t table[256]) {
  const float s = in.quant.scale[0], inv = 1.0f / out.quant.scale[0];
  const int32_t zi = in.quant.zero_point[0], zo = out.quant.zero_point[0];
  for (int q = 0; q < 256; q++) {
    const float x = s * (float)(q - zi);
    const float y = 1.0f / (1.0f + std::exp(-x));
    const int32_t v = (int32_t)std::round(y * inv) + zo;
    table[q] = (uint8_t)std::min(255, std::max(0, v));
  }
}

void requantize_table(const TensorDesc& in, const TensorDesc& out, uint8_t table[256]) {
  const float inv = 1.0f / out.quant.scale[0];
  const float scale = in.quant.scale[0] * inv;
  const float bias = -(float)in.quant.zero_point[0] * scale;
  const int32_t zo = out.quant.zero_point[0];
  for (int q = 0; q < 256; q++) {
    const int32_t v = (int32_t)std::round((float)q * scale + bias) + zo;
    table[q] = (uint8_t)std::min(255, std::max(0, v));
  }
}

// TFLite ADD's parameters from the two inputs' and the output's quantization (qadd.h); validated at load.
QAddParams add_params(const GraphLayer& l, const TensorDesc& a, const TensorDesc& b) {
  QAddParams p{};
  qadd_params(a.quant.scale[0], a.quant.zero_point[0], b.quant.scale[0], b.quant.zero_point[0], l.out.quant.scale[0],
              l.out.quant.zero_point[0], (int32_t)l.min, (int32_t)l.max, &p);
  return p;
}

template <typename T>
void run_typed(const QKernelTable& kt, ThreadPool& pool, const Graph& g, const GraphLayer& l, const TensorDesc& x,
               const void* packed, const T* const* ins, T* out, uint8_t* scratch) {
  const T* in = ins[0];
  const size_t row_tasks = std::min(l.out.h, pool.threads() == 1 ? (size_t)1 : pool.threads() * kTasksPerThread);
  const size_t rows_per_task = (l.out.h + row_tasks - 1) / row_tasks;
  const size_t tasks = (l.out.h + rows_per_task - 1) / rows_per_task;
  const int32_t zin = x.quant.zero_point[0];
  switch (l.kind) {
    case LayerKind::Conv: {
      if (!first_conv(l, x)) {
        // 3x3 stride 1/2 on any channel count (SSD's extra layers): im2col rows (tap-major, channel fastest = the
        // OHWI kernel's column order), the input zero point where the window leaves the input, then the GEMM.
        const size_t cin = x.c, k = 9 * cin;
        T* rows = reinterpret_cast<T*>(scratch);
        for (size_t oy = 0; oy < l.out.h; oy++)
          for (size_t ox = 0; ox < l.out.w; ox++)
            for (size_t tap = 0; tap < 9; tap++) {
              T* dst = rows + (oy * l.out.w + ox) * k + tap * cin;
              const long iy = (long)(oy * l.stride + tap / 3) - (long)l.pad_top, ix = (long)(ox * l.stride + tap % 3) - (long)l.pad_left;
              if (iy < 0 || ix < 0 || iy >= (long)x.h || ix >= (long)x.w) std::fill(dst, dst + cin, (T)zin);
              else std::copy(in + ((size_t)iy * x.w + (size_t)ix) * cin, in + ((size_t)iy * x.w + (size_t)ix + 1) * cin, dst);
            }
        gemm<T>(kt, pool, l.out.h * l.out.w, l.out.c, k, rows, static_cast<const uint8_t*>(packed), out, out_params(l));
        break;
      }
      const QConvParams<T> p{in, out, packed, x.h, x.w, l.out.c, l.out.h, l.out.w, l.pad_top, l.pad_left, zin, out_params(l)};
      const auto fn = Q<T>::conv(kt);
      pool.parallel_for(tasks, [&](size_t t) { fn(p, t * rows_per_task, std::min(l.out.h, (t + 1) * rows_per_task)); });
      break;
    }
    case LayerKind::Dwconv: {
      auto fn = Q<T>::dw(kt);
      const QTapsLayout* lay = &Q<T>::dw_layout(kt);
      const uint8_t* w = static_cast<const uint8_t*>(packed);
      if constexpr (std::is_same_v<T, int8_t>) {
        if (kt.qs8_dwconv3x3_narrow) {  // the pack-time choice (records_dw_choice)
          if (*reinterpret_cast<const int32_t*>(w)) {
            fn = kt.qs8_dwconv3x3_narrow;
            lay = &kt.qs8_dwconv3x3_narrow_layout;
          }
          w += kChoiceBytes;
        }
      }
      QOutputParams o = out_params(l);
      o.left_shift = any_left_shift(w, (x.c + lay->ct - 1) / lay->ct, qpacked_taps_block_bytes(*lay, 9), lay->ct);
      const QDwconvParams<T> p{in, out, w, x.h, x.w, x.c, l.out.h, l.out.w, l.stride, l.pad_top, l.pad_left, zin, o};
      pool.parallel_for(tasks, [&](size_t t) { fn(p, t * rows_per_task, std::min(l.out.h, (t + 1) * rows_per_task)); });
      break;
    }
    case LayerKind::Pwconv:
    case LayerKind::Classifier:
      gemm<T>(kt, pool, l.out.h * l.out.w, l.out.c, x.c, in, static_cast<const uint8_t*>(packed), out, out_params(l));
      break;
    case LayerKind::Gavgpool:
      Q<T>::pool(kt)(x.h * x.w, x.c, in, out, (int32_t)l.min, (int32_t)l.max);
      break;
    case LayerKind::Add: {
      const QAddParams ap = add_params(l, x, g.tensor(l.inputs[1]));
      const size_t n = l.out.elements(), chunk = std::max<size_t>(4096, (n + pool.threads() * 4 - 1) / (pool.threads() * 4));
      const size_t chunks = (n + chunk - 1) / chunk;
      if (const auto vadd = Q<T>::vadd(kt)) {
        pool.parallel_for(chunks, [&](size_t c) { vadd(ap, in + c * chunk, ins[1] + c * chunk, out + c * chunk, std::min(n - c * chunk, chunk)); });
        break;
      }
      const QAddTables<T> tables(ap);
      pool.parallel_for(chunks, [&](size_t c) { qadd<T>(ap, tables, in, ins[1], out, c * chunk, std::min(n, (c + 1) * chunk)); });
      break;
    }
    case LayerKind::Concat:  // uint8 only (validate_integer_layer)
      for (size_t j = 0; j < l.inputs.size(); j++) {
        const TensorDesc& t = g.tensor(l.inputs[j]);
        const size_t len = t.elements();
        const T* src = ins[j];
        if (t.quant.scale[0] == l.out.quant.scale[0] && t.quant.zero_point[0] == l.out.quant.zero_point[0]) {
          out = std::copy(src, src + len, out);
        } else {
          uint8_t table[256];
          requantize_table(t, l.out, table);
          for (size_t i = 0; i < len; i++) *out++ = (T)table[(uint8_t)src[i]];
        }
      }
      break;
    case LayerKind::Logistic: {  // uint8 only
      uint8_t table[256];
      logistic_table(x, l.out, table);
      const size_t len = l.out.elements();
      for (size_t i = 0; i < len; i++) out[i] = (T)table[(uint8_t)in[i]];
      break;
    }
    case LayerKind::DetectionPostprocess:
      break;  // a float layer (model.cc dequantizes its inputs)
    case LayerKind::Dense:
      break;  // never reaches here: validate_integer_layer refuses an integer dense layer
  }
}

}  // namespace

void validate_integer_layer(const Graph& g, const GraphLayer& l, const std::string& where, size_t kernel_len) {
  auto bad = [&](const std::string& msg) { throw std::invalid_argument(where + msg); };
  const DType t = l.out.dtype;
  if (l.kind == LayerKind::DetectionPostprocess) bad("detection_postprocess outputs float32 (its inputs may be integer)");
  if (l.kind == LayerKind::Dense) bad("dense has no integer kernel in this build (a custom head runs in float32)");
  if ((l.kind == LayerKind::Concat || l.kind == LayerKind::Logistic) && t != DType::Uint8)
    bad(std::string(layer_kind_name(l.kind)) + " has an integer kernel for uint8 only in this build");
  for (uint32_t i : l.inputs)
    if (g.tensor(i).dtype != t)
      bad("input dtype " + std::string(dtype_name(g.tensor(i).dtype)) + " differs from the output dtype " + dtype_name(t) +
          " (no conversion layers in this build)");
  const TensorDesc& x = g.tensor(l.inputs[0]);
  tensor_zero_point(x, where + "input");
  tensor_zero_point(l.out, where + "output");
  if (!(l.min >= qmin(t) && l.max <= qmax(t) && l.min == std::floor(l.min) && l.max == std::floor(l.max)))
    bad("integer clamp [" + std::to_string(l.min) + ", " + std::to_string(l.max) + "] is not inside " + range_str(t));
  const RawWeights& r = l.weights;
  if (l.kind == LayerKind::Concat || l.kind == LayerKind::Logistic) {
    for (size_t j = 1; j < l.inputs.size(); j++) tensor_zero_point(g.tensor(l.inputs[j]), where + "input " + std::to_string(j + 1));
    if (l.min != qmin(t) || l.max != qmax(t)) bad(std::string(layer_kind_name(l.kind)) + " takes no clamp (the full range " + range_str(t) + ")");
    if (r.kernel || r.qkernel || r.bias || r.qbias) bad(std::string(layer_kind_name(l.kind)) + " takes no weights");
    return;
  }
  if (l.kind == LayerKind::Add) {
    const TensorDesc& x2 = g.tensor(l.inputs[1]);
    tensor_zero_point(x2, where + "input 2");
    QAddParams p;
    if (!qadd_params(x.quant.scale[0], x.quant.zero_point[0], x2.quant.scale[0], x2.quant.zero_point[0], l.out.quant.scale[0],
                     l.out.quant.zero_point[0], (int32_t)l.min, (int32_t)l.max, &p))
      bad("add: the input and output scales give multipliers outside (0, 1) (TFLite's integer ADD needs them inside)");
    if (r.kernel || r.qkernel || r.bias || r.qbias) bad("add takes no weights");
    return;
  }
  if (l.kind == LayerKind::Gavgpool) {
    // TFLite AVERAGE_POOL_2D on quantized tensors requires one scale and zero point on both sides.
    if (x.quant.scale[0] != l.out.quant.scale[0] || x.quant.zero_point[0] != l.out.quant.zero_point[0])
      bad("input and output quantization differ (an integer average pool keeps them)");
    return;
  }
  if (r.kernel || r.bias || r.bn_len) bad("an integer layer takes integer weights (qkernel, qbias), not float ones");
  auto fail = [&](const std::string& what, size_t expected, size_t got) {
    bad("expected " + what + " of length " + std::to_string(expected) + " but received length " + std::to_string(got));
  };
  if (!r.qkernel || r.qkernel_len != kernel_len) fail("integer weights", kernel_len, r.qkernel ? r.qkernel_len : 0);
  if (!r.qbias || r.qbias_len != l.out.c) fail("an int32 bias", l.out.c, r.qbias ? r.qbias_len : 0);
  if (!r.multiplier || !r.shift || r.requant_len != l.out.c) fail("multiplier and shift", l.out.c, r.requant_len);
  if (t == DType::Int8 && r.weight_zero_point != 0) bad("int8 weights must be symmetric (zero point 0)");
  if (t == DType::Uint8 && (r.weight_zero_point < 0 || r.weight_zero_point > 255))
    bad("weight zero point " + std::to_string(r.weight_zero_point) + " is outside 0..255");
}

size_t qpacked_bytes(const QKernelTable& kt, const GraphLayer& l, size_t in_c) {
  const bool s8 = l.out.dtype == DType::Int8;
  switch (l.kind) {
    case LayerKind::Conv:
      if (in_c != 3 || l.stride != 2) return gemm_bytes(kt, l, 9 * in_c);
      return qpacked_taps_size(s8 ? kt.qs8_conv3x3s2_layout : kt.qu8_conv3x3s2_layout, 27, l.out.c);
    case LayerKind::Dwconv:
      if (records_dw_choice(kt, l))
        return kChoiceBytes + qpacked_taps_size(narrow_weights(l) ? kt.qs8_dwconv3x3_narrow_layout : kt.qs8_dwconv3x3_layout, 9, l.out.c);
      return qpacked_taps_size(s8 ? kt.qs8_dwconv3x3_layout : kt.qu8_dwconv3x3_layout, 9, l.out.c);
    case LayerKind::Pwconv:
    case LayerKind::Classifier: return gemm_bytes(kt, l, in_c);
    default: return 0;  // no weights (gavgpool) or no integer kernel (validate_integer_layer refuses them)
  }
}

void qpack_layer(const QKernelTable& kt, const GraphLayer& l, const TensorDesc& x, void* dst) {
  const size_t in_c = x.c;
  const RawWeights& r = l.weights;
  const bool s8 = l.out.dtype == DType::Int8;
  const std::vector<int32_t> wz(l.out.c, r.weight_zero_point);  // per-tensor, repeated
  QPackArgs a{};
  a.n = l.out.c;
  a.bias = r.qbias;
  a.w_zero_point = wz.data();
  a.multiplier = r.multiplier;
  a.shift = r.shift;
  a.per_channel = true;  // per-tensor multipliers arrive repeated
  a.a_zero_point = x.quant.zero_point[0];
  const auto* wu = static_cast<const uint8_t*>(r.qkernel);
  const auto* ws = static_cast<const int8_t*>(r.qkernel);
  switch (l.kind) {
    case LayerKind::Conv:
      if (!first_conv(l, x)) {  // im2col + GEMM: OHWI = [Cout][9 * Cin], the GEMM's [N][K]
        a.k = 9 * in_c;
        s8 ? pack_gemm_layer(kt, l, a, ws, dst) : pack_gemm_layer(kt, l, a, wu, dst);
        break;
      }
      a.k = 27;
      s8 ? pack_qs8_conv3x3s2(kt.qs8_conv3x3s2_layout, a, ws, dst) : pack_qu8_conv3x3s2(kt.qu8_conv3x3s2_layout, a, wu, dst);
      break;
    case LayerKind::Dwconv:
      a.k = 9;
      if (records_dw_choice(kt, l)) {
        const bool narrow = narrow_weights(l);
        std::memset(dst, 0, kChoiceBytes);
        *static_cast<int32_t*>(dst) = narrow ? 1 : 0;
        pack_qs8_dwconv3x3(narrow ? kt.qs8_dwconv3x3_narrow_layout : kt.qs8_dwconv3x3_layout, a, ws,
                           static_cast<uint8_t*>(dst) + kChoiceBytes);
        break;
      }
      s8 ? pack_qs8_dwconv3x3(kt.qs8_dwconv3x3_layout, a, ws, dst) : pack_qu8_dwconv3x3(kt.qu8_dwconv3x3_layout, a, wu, dst);
      break;
    case LayerKind::Pwconv:
    case LayerKind::Classifier:
      a.k = in_c;
      s8 ? pack_gemm_layer(kt, l, a, ws, dst) : pack_gemm_layer(kt, l, a, wu, dst);
      break;
    default: break;
  }
}

void run_integer_layer(const QKernelTable& kt, ThreadPool& pool, const Graph& g, const GraphLayer& l, const void* packed,
                       const void* const* ins, void* out, uint8_t* scratch) {
  const TensorDesc& x = g.tensor(l.inputs[0]);
  if (l.out.dtype == DType::Int8)
    run_typed<int8_t>(kt, pool, g, l, x, packed, reinterpret_cast<const int8_t* const*>(ins), static_cast<int8_t*>(out), scratch);
  else
    run_typed<uint8_t>(kt, pool, g, l, x, packed, reinterpret_cast<const uint8_t* const*>(ins), static_cast<uint8_t*>(out), scratch);
}

size_t integer_scratch_bytes(const Graph& g, const GraphLayer& l) {
  const TensorDesc& x = g.tensor(l.inputs[0]);
  return l.kind == LayerKind::Conv && !first_conv(l, x) ? l.out.h * l.out.w * 9 * x.c : 0;
}

void integer_input_from_bytes(DType t, uint8_t* data, size_t n) {
  if (t == DType::Int8)
    for (size_t i = 0; i < n; i++) data[i] ^= 0x80;
}

void quantize_input(const TensorDesc& input, const float* src, size_t n, uint8_t* dst) {
  const double inv = 1.0 / (double)input.quant.scale[0];
  const int32_t zp = input.quant.zero_point[0], lo = qmin(input.dtype), hi = qmax(input.dtype);
  for (size_t i = 0; i < n; i++) {
    const double v = std::round((double)src[i] * inv);  // NaN stays NaN: maps to the zero point below
    const double q = std::isnan(v) ? (double)zp : v + zp;
    const int32_t c = q < lo ? lo : (q > hi ? hi : (int32_t)q);
    dst[i] = (uint8_t)c;
  }
}

void dequantize(const TensorDesc& t, const uint8_t* src, size_t n, float* dst) {
  const float s = t.quant.scale[0];
  const int32_t zp = t.quant.zero_point[0];
  if (t.dtype == DType::Int8)
    for (size_t i = 0; i < n; i++) dst[i] = s * (float)((int32_t)(int8_t)src[i] - zp);
  else
    for (size_t i = 0; i < n; i++) dst[i] = s * (float)((int32_t)src[i] - zp);
}

}  // namespace mn
