// The integer path of the executor (runtime/model.h with runtime/qlayers.h), on a small seeded uint8
// and int8 network (conv 3x3/2, depthwise s1 and s2, pointwise, global average pool, classifier):
// - every integer kernel set this CPU has gives the bytes of the scalar twins,
// - 1, 2 and 3 threads and two workspaces give the same bytes,
// - a run allocates nothing once the workspace exists (global operator new counted),
// - a float tensor input is quantized as TFLite's QUANTIZE and gives the bytes of the same frame,
// - the integer ADD (runtime/qadd.h, table form) equals TFLite's per-element formula for every pair of inputs.
// Usage: qmodel_test. Exit code 1 on any failure.
#include <algorithm>
#include <atomic>
#include <iterator>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "dispatch/qdispatch.h"
#include "runtime/model.h"
#include "runtime/qadd.h"

namespace {
std::atomic<size_t> g_allocs{0};
}

void* operator new(size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace {

size_t g_failures = 0;

void check(bool ok, const std::string& what) {
  if (!ok) {
    g_failures++;
    std::printf("FAIL %s\n", what.c_str());
  }
}

// Weights and requantization of one layer, owned here (RawWeights only points at them).
struct Owned {
  std::vector<uint8_t> w;
  std::vector<int32_t> bias, mult, shift;
  int32_t wzp = 0;
};

struct Net {
  mn::Graph g;
  std::vector<Owned> owned;
};

// TF SAME for a 3x3 window (the test's own arithmetic; lib/graph.ts is the library's).
void same3(size_t in, size_t stride, size_t* out, size_t* before, size_t* after) {
  *out = (in + stride - 1) / stride;
  const size_t need = (*out - 1) * stride + 3;
  const size_t total = need > in ? need - in : 0;
  *before = total / 2;
  *after = total - *before;
}

Net make_net(mn::DType dt, size_t R, uint32_t seed) {
  std::mt19937 rng(seed);
  auto uni = [&](int lo, int hi) { return (int32_t)std::uniform_int_distribution<int>(lo, hi)(rng); };
  const bool s8 = dt == mn::DType::Int8;
  const int32_t qmin = s8 ? -128 : 0, qmax = s8 ? 127 : 255;
  Net n;
  auto quant = [&](mn::TensorDesc& t, float scale, int32_t zp) { t.dtype = dt; t.quant.scale = {scale}; t.quant.zero_point = {zp}; };
  n.g.input.h = n.g.input.w = R;
  n.g.input.c = 3;
  quant(n.g.input, 1.0f / 128, s8 ? 0 : 128);
  struct Spec { mn::LayerKind kind; size_t stride, out_c; };
  const Spec specs[] = {{mn::LayerKind::Conv, 2, 16}, {mn::LayerKind::Dwconv, 1, 16}, {mn::LayerKind::Pwconv, 1, 40},
                        {mn::LayerKind::Dwconv, 2, 40}, {mn::LayerKind::Pwconv, 1, 72}, {mn::LayerKind::Gavgpool, 1, 72},
                        {mn::LayerKind::Classifier, 1, 37}};
  n.owned.resize(std::size(specs));
  mn::TensorDesc x = n.g.input;
  for (size_t i = 0; i < std::size(specs); i++) {
    const Spec& s = specs[i];
    mn::GraphLayer l;
    l.name = "layer" + std::to_string(i);
    l.kind = s.kind;
    l.inputs = {(uint32_t)i};
    l.stride = s.stride;
    size_t taps = 0;
    if (s.kind == mn::LayerKind::Conv || s.kind == mn::LayerKind::Dwconv) {
      l.kh = l.kw = 3;
      same3(x.h, s.stride, &l.out.h, &l.pad_top, &l.pad_bottom);
      same3(x.w, s.stride, &l.out.w, &l.pad_left, &l.pad_right);
      taps = s.kind == mn::LayerKind::Conv ? 27 : 9;
    } else if (s.kind == mn::LayerKind::Gavgpool) {
      l.out.h = l.out.w = 1;
    } else {
      l.out.h = x.h; l.out.w = x.w;
      taps = x.c;
    }
    l.out.c = s.out_c;
    const bool classifier = s.kind == mn::LayerKind::Classifier;
    if (s.kind == mn::LayerKind::Gavgpool) quant(l.out, x.quant.scale[0], x.quant.zero_point[0]);
    else quant(l.out, classifier ? 0.05f : 6.0f / 255, classifier ? uni(qmin + 60, qmax - 60) : qmin);
    l.min = (float)(classifier || s.kind == mn::LayerKind::Gavgpool ? qmin : qmin + uni(0, 3));
    l.max = (float)(classifier || s.kind == mn::LayerKind::Gavgpool ? qmax : qmax - uni(0, 3));
    if (s8 && i == 3) l.min = (float)qmin;  // activations of -128 meet the -128 weights of layer 4
    Owned& o = n.owned[i];
    if (taps) {
      o.wzp = s8 ? 0 : uni(100, 150);
      o.w.resize(taps * s.out_c);
      for (uint8_t& v : o.w) v = (uint8_t)(s8 ? uni(-127, 127) : uni(0, 255));
      // int8: the second pointwise layer has a channel of -128 weights (outside TFLite's [-127, 127]), so kernel
      // sets with a narrow qs8 GEMM must take their fallback there (the packer refuses -128 for the narrow one),
      // the first keeps [-127, 127] and gets the narrow kernel; both against the scalar twins below.
      if (s8 && i == 4)
        for (size_t k = 0; k < taps; k++) o.w[5 * taps + k] = (uint8_t)(int8_t)-128;
      // The same for the depthwise layers: layer 3 has a -128 weight (channel 9, tap 4: its fallback), layer 1 none.
      if (s8 && i == 3) o.w[4 * s.out_c + 9] = (uint8_t)(int8_t)-128;
      for (size_t c = 0; c < s.out_c; c++) {
        o.bias.push_back(uni(-5000, 5000));
        o.mult.push_back(uni(1 << 30, 0x7fffffff));
        o.shift.push_back(uni(-12, -6));  // keeps outputs inside the range for these accumulations
      }
      mn::RawWeights& r = l.weights;
      r.qkernel = o.w.data(); r.qkernel_len = o.w.size();
      r.qbias = o.bias.data(); r.qbias_len = o.bias.size();
      r.multiplier = o.mult.data(); r.shift = o.shift.data(); r.requant_len = o.mult.size();
      r.weight_zero_point = o.wzp;
      l.has_weights = true;
    }
    n.g.layers.push_back(l);
    x = l.out;
  }
  n.g.outputs = {{"features", 6}, {"logits", 7}};
  return n;
}

std::vector<uint8_t> run(const Net& net, const std::string& isa, size_t threads, const std::vector<uint8_t>& frame, size_t R,
                         bool check_allocs, const char* what) {
  mn::ModelConfig cfg;
  cfg.threads = threads;
  cfg.isa = isa;
  const size_t at_start = g_allocs.load();
  mn::Model model(cfg, net.g);
  auto ws = model.create_workspace();
  check(g_allocs.load() > at_start, "operator new is not counted (the allocation check would prove nothing)");
  ws->reserve_batch(2);
  std::vector<uint8_t> out;
  for (int rep = 0; rep < 3; rep++) {
    const size_t before = g_allocs.load();
    mn::FrameView fv;  // packed RGB, R x R
    fv.data = frame.data(); fv.length = frame.size(); fv.width = R; fv.height = R;
    ws->set_input_frame(0, fv);
    ws->set_input_frame(1, fv);
    model.run(*ws, 2, 1);
    const size_t allocs = g_allocs.load() - before;
    if (check_allocs && rep > 0) check(allocs == 0, std::string(what) + ": " + std::to_string(allocs) + " allocations in a steady-state run");
  }
  const size_t n = model.output_floats(1);
  out.assign(ws->qresult(1), ws->qresult(1) + 2 * n);
  check(std::equal(out.begin(), out.begin() + n, out.begin() + n), std::string(what) + ": two images of one batch differ");
  // Dequantized results match the integer ones.
  const mn::TensorDesc& t = model.graph().tensor(model.graph().outputs[1].tensor);
  for (size_t i = 0; i < n; i++) {
    const int32_t q = t.dtype == mn::DType::Int8 ? (int32_t)(int8_t)out[i] : (int32_t)out[i];
    if (ws->result(1)[i] != t.quant.scale[0] * (float)(q - t.quant.zero_point[0])) {
      check(false, std::string(what) + ": dequantized result differs at " + std::to_string(i));
      break;
    }
  }
  out.resize(n);
  return out;
}

}  // namespace

// TFLite 2.2 AddElementwise, element by element (qadd.h's header), against qadd's tables: all 65536 input pairs.
template <typename T>
void test_qadd(std::mt19937& rng) {
  std::uniform_real_distribution<float> scale(0.002f, 0.2f);
  const int lo = std::is_same<T, int8_t>::value ? -128 : 0;
  std::vector<T> a(65536), b(65536), out(65536);
  for (size_t i = 0; i < 65536; i++) {
    a[i] = (T)(lo + (int)(i & 255));
    b[i] = (T)(lo + (int)(i >> 8));
  }
  for (int trial = 0; trial < 20; trial++) {
    mn::QAddParams p;
    const int32_t act_min = trial % 3 == 0 ? lo + 7 : lo, act_max = trial % 4 == 0 ? lo + 200 : lo + 255;
    const float s1 = scale(rng), s2 = trial % 5 == 0 ? s1 : scale(rng), so = scale(rng);
    if (!mn::qadd_params(s1, lo + (int32_t)(rng() & 255), s2, lo + (int32_t)(rng() & 255), so, lo + (int32_t)(rng() & 255),
                         act_min, act_max, &p)) {
      check(false, "qadd_params refused valid scales");
      continue;
    }
    mn::qadd<T>(p, mn::QAddTables<T>(p), a.data(), b.data(), out.data(), 0, 65536);
    size_t bad = 0;
    for (size_t i = 0; i < 65536; i++) {
      const int32_t x1 = (p.in1_offset + (int32_t)a[i]) * (1 << 20), x2 = (p.in2_offset + (int32_t)b[i]) * (1 << 20);
      const int32_t sum = mn::rounding_divide_by_pot(mn::srdhm(x1, p.m1), -p.s1) + mn::rounding_divide_by_pot(mn::srdhm(x2, p.m2), -p.s2);
      const int32_t v = mn::rounding_divide_by_pot(mn::srdhm(sum, p.mo), -p.so) + p.out_offset;
      if (out[i] != (T)std::min(p.act_max, std::max(p.act_min, v))) bad++;
    }
    check(bad == 0, std::string("qadd ") + (lo ? "int8" : "uint8") + " trial " + std::to_string(trial) + ": " + std::to_string(bad) +
                        " of 65536 input pairs differ from TFLite's per-element formula");
  }
}

int main() {
  {
    std::mt19937 rng(5);
    test_qadd<uint8_t>(rng);
    test_qadd<int8_t>(rng);
  }
  const size_t R = 40;
  for (mn::DType dt : {mn::DType::Uint8, mn::DType::Int8}) {
    const Net net = make_net(dt, R, dt == mn::DType::Int8 ? 7 : 3);
    std::mt19937 rng(11);
    std::vector<uint8_t> frame(R * R * 3);
    for (uint8_t& v : frame) v = (uint8_t)(rng() & 0xff);
    const std::string name = mn::dtype_name(dt);
    const std::vector<uint8_t> ref = run(net, "scalar", 1, frame, R, true, (name + " scalar").c_str());
    size_t distinct = 0;
    {
      std::vector<bool> seen(256);
      for (uint8_t v : ref) if (!seen[v]) { seen[v] = true; distinct++; }
    }
    check(distinct > 8, name + ": degenerate logits (" + std::to_string(distinct) + " distinct values)");
    for (const mn::QKernelTable* t : mn::supported_qkernel_tables()) {
      for (size_t threads : {1, 2, 3}) {
        const std::string what = name + " " + t->isa + " threads " + std::to_string(threads);
        check(run(net, t->isa, threads, frame, R, threads == 1, what.c_str()) == ref, what + ": logits differ from the scalar twins'");
      }
    }
    // A float tensor that quantizes back to the frame gives the same logits.
    {
      mn::ModelConfig cfg;
      mn::Model model(cfg, net.g);
      auto ws = model.create_workspace();
      std::vector<float> tensor(frame.size());
      const int32_t zp = net.g.input.quant.zero_point[0];
      for (size_t i = 0; i < frame.size(); i++) {
        const int32_t q = dt == mn::DType::Int8 ? (int32_t)frame[i] - 128 : (int32_t)frame[i];
        tensor[i] = (float)(q - zp) / 128.0f;
      }
      model.run(*ws, 1, 1, false, tensor.data());
      const std::vector<uint8_t> got(ws->qresult(1), ws->qresult(1) + ref.size());
      check(got == ref, name + ": a float tensor input differs from the frame it quantizes to");
    }
    std::printf("%s: %zu integer kernel sets x 1-3 threads agree with scalar (%zu distinct logits)\n", name.c_str(),
                mn::supported_qkernel_tables().size(), distinct);
  }
  std::printf(g_failures ? "qmodel_test: %zu failures\n" : "qmodel_test: ok\n", g_failures);
  return g_failures ? 1 : 0;
}
