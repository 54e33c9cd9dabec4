// N-API surface (node-addon-api only): builds an mn::Model from the layer table lib/graph.ts
// makes, owns its workspaces, converts and bounds-checks every argument, runs inference on the
// libuv pool. No arithmetic here. lib/binding.ts types it; lib/model.ts validates user input and
// owns the error wording before anything reaches this file.
//
// Teardown: a worker thread that owns a model may end at any moment (terminate(), process.exit()
// in the worker, an uncaught error) while runs are in flight. Completion therefore uses the plain
// C API and ignores every failed status: nothing is ever thrown into an environment that is
// shutting down, and a promise it cannot settle is simply left pending. A run in flight holds the
// model and its workspace by shared_ptr, so the memory it computes in outlives the JS objects.
// A method that is running when the termination arrives sees its napi calls fail; node-addon-api
// turns that into a Napi::Error, and rethrowing it into the dying environment fails too: built
// with NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS (CMakeLists.txt) it is dropped there instead of
// escaping the callback as a C++ exception (std::terminate).
#include <napi.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "binding/build_stamp.h"
#include "detection.h"
#include "dispatch/dispatch.h"
#include "dispatch/qdispatch.h"
#include "runtime/model.h"
#include "runtime/preprocess.h"

namespace {

[[noreturn]] void throw_type(Napi::Env env, const std::string& msg) {
  throw Napi::TypeError::New(env, msg);
}
[[noreturn]] void throw_range(Napi::Env env, const std::string& msg) {
  throw Napi::RangeError::New(env, msg);
}

template <class T>
T typed_array_arg(const Napi::Value& v, napi_typedarray_type type, const char* what) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type)
    throw_type(v.Env(), std::string("Expected ") + what);
  return v.As<T>();
}

// A JS number as JS prints it (1.5, 16, NaN, Infinity), not C's "1.500000".
std::string js_number(Napi::Env env, double d) {
  return Napi::Number::New(env, d).ToString().Utf8Value();
}

size_t size_arg(const Napi::Value& v, const char* name, size_t lo, size_t hi) {
  if (!v.IsNumber()) throw_type(v.Env(), std::string("Expected a number for ") + name);
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= (double)lo && d <= (double)hi) || d != (double)(size_t)d)
    throw_range(v.Env(), std::string("Expected an integer between ") + std::to_string(lo) + " and " +
                             std::to_string(hi) + " for " + name + " but received " + js_number(v.Env(), d));
  return (size_t)d;
}

const float* optional_f32(const Napi::Object& o, const char* key, size_t* len) {
  const Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) { *len = 0; return nullptr; }
  const std::string what = std::string("a Float32Array for ") + key;
  Napi::Float32Array a = typed_array_arg<Napi::Float32Array>(v, napi_float32_array, what.c_str());
  *len = a.ElementLength();
  return a.Data();
}

// Optional integer typed array (Uint8Array / Int8Array / Int32Array) at o[key]: data, length.
const void* optional_typed(const Napi::Object& o, const char* key, napi_typedarray_type type, const char* type_name,
                           const std::string& where, size_t* len) {
  const Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) { *len = 0; return nullptr; }
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type)
    throw_type(o.Env(), std::string("Expected ") + type_name + " for " + where + "." + key);
  Napi::TypedArray a = v.As<Napi::TypedArray>();
  *len = a.ElementLength();
  return a.ArrayBuffer().Data() ? static_cast<const uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset() : nullptr;
}

std::string str_field(const Napi::Object& o, const char* key, const std::string& where) {
  const Napi::Value v = o.Get(key);
  if (!v.IsString()) throw_type(o.Env(), "Expected a string for " + where + "." + key);
  return v.As<Napi::String>().Utf8Value();
}

double num_field(const Napi::Object& o, const char* key, const std::string& where) {
  const Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw_type(o.Env(), "Expected a number for " + where + "." + key);
  return v.As<Napi::Number>().DoubleValue();
}

// An array of `n` non-negative integers below 2^31 (shapes, pads, tensor ids).
std::vector<size_t> ints_field(const Napi::Object& o, const char* key, size_t n_min, size_t n_max, const std::string& where) {
  const Napi::Value v = o.Get(key);
  const std::string name = where + "." + key;
  if (!v.IsArray()) throw_type(o.Env(), "Expected an array for " + name);
  const Napi::Array a = v.As<Napi::Array>();
  if (a.Length() < n_min || a.Length() > n_max)
    throw_range(o.Env(), "Expected " + std::to_string(n_min) + (n_min == n_max ? "" : " to " + std::to_string(n_max)) +
                             " entries for " + name + " but received " + std::to_string(a.Length()));
  std::vector<size_t> out(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) out[i] = size_arg(a.Get(i), (name + "[" + std::to_string(i) + "]").c_str(), 0, 1u << 30);
  return out;
}

void read_tensor(const Napi::Object& o, const char* shape_key, const std::string& where, mn::TensorDesc* t) {
  const std::vector<size_t> s = ints_field(o, shape_key, 3, 3, where);
  t->h = s[0]; t->w = s[1]; t->c = s[2];
  const std::string dt = str_field(o, "dtype", where);
  if (!mn::parse_dtype(dt, &t->dtype))
    throw_type(o.Env(), "Expected 'float32', 'uint8' or 'int8' for " + where + ".dtype but received '" + dt + "'");
  const Napi::Value q = o.Get("quantization");
  if (q.IsUndefined() || q.IsNull()) return;
  if (!q.IsObject()) throw_type(o.Env(), "Expected an object for " + where + ".quantization");
  const Napi::Object qo = q.As<Napi::Object>();
  const Napi::Value sc = qo.Get("scale"), zp = qo.Get("zeroPoint");
  if (!sc.IsArray() || !zp.IsArray() || sc.As<Napi::Array>().Length() != zp.As<Napi::Array>().Length() ||
      sc.As<Napi::Array>().Length() == 0 || sc.As<Napi::Array>().Length() > 65536)
    throw_type(o.Env(), "Expected scale and zeroPoint arrays of one length (1 to 65536) for " + where + ".quantization");
  for (uint32_t i = 0; i < sc.As<Napi::Array>().Length(); i++) {
    const Napi::Value a = sc.As<Napi::Array>().Get(i), b = zp.As<Napi::Array>().Get(i);
    if (!a.IsNumber() || !b.IsNumber()) throw_type(o.Env(), "Expected numbers in " + where + ".quantization");
    t->quant.scale.push_back(a.As<Napi::Number>().FloatValue());
    t->quant.zero_point.push_back(b.As<Napi::Number>().Int32Value());
  }
}

// A detection_postprocess layer's `detection` object: TFLite_Detection_PostProcess options, TFLite's key names.
mn::DetectionPostprocessOptions read_detection_options(const Napi::Object& o, const std::string& where) {
  const Napi::Value v = o.Get("detection");
  if (!v.IsObject()) throw_type(o.Env(), "Expected an object for " + where + ".detection");
  const Napi::Object d = v.As<Napi::Object>();
  const std::string w = where + ".detection";
  mn::DetectionPostprocessOptions r;
  auto integer = [&](const char* key) {
    const double x = num_field(d, key, w);
    if (!(x >= 0 && x <= 1e6) || x != (double)(int)x) throw_range(o.Env(), "Expected an integer 0..1000000 for " + w + "." + key);
    return (int)x;
  };
  r.max_detections = integer("max_detections");
  r.max_classes_per_detection = integer("max_classes_per_detection");
  r.detections_per_class = integer("detections_per_class");
  r.num_classes = integer("num_classes");
  r.nms_score_threshold = (float)num_field(d, "nms_score_threshold", w);
  r.nms_iou_threshold = (float)num_field(d, "nms_iou_threshold", w);
  r.y_scale = (float)num_field(d, "y_scale", w);
  r.x_scale = (float)num_field(d, "x_scale", w);
  r.h_scale = (float)num_field(d, "h_scale", w);
  r.w_scale = (float)num_field(d, "w_scale", w);
  const Napi::Value reg = d.Get("use_regular_nms");
  if (!reg.IsBoolean()) throw_type(o.Env(), "Expected a boolean for " + w + ".use_regular_nms");
  r.use_regular_nms = reg.As<Napi::Boolean>().Value();
  return r;
}

// The graph of lib/graph.ts with each layer's weights inline (lib/binding.ts NativeGraph).
mn::Graph read_graph(Napi::Env env, const Napi::Value& gv) {
  if (!gv.IsObject()) throw_type(env, "Expected an object for graph");
  const Napi::Object g = gv.As<Napi::Object>();
  mn::Graph graph;
  const Napi::Value in = g.Get("input");
  if (!in.IsObject()) throw_type(env, "Expected an object for graph.input");
  read_tensor(in.As<Napi::Object>(), "shape", "graph.input", &graph.input);
  const Napi::Value layers_v = g.Get("layers");
  if (!layers_v.IsArray()) throw_type(env, "Expected an array for graph.layers");
  const Napi::Array layers = layers_v.As<Napi::Array>();
  // Bound the count before sizing the vector: new Array(2 ** 32 - 1) would throw std::bad_alloc
  // here, outside any handler (abort). validate_graph checks the rest.
  if (layers.Length() > mn::Limits::kMaxLayers)
    throw_range(env, "Expected at most " + std::to_string(mn::Limits::kMaxLayers) + " entries for graph.layers but received length " +
                         std::to_string(layers.Length()));
  graph.layers.resize(layers.Length());
  for (uint32_t i = 0; i < layers.Length(); i++) {
    const std::string where = "graph.layers[" + std::to_string(i) + "]";
    const Napi::Value lv = layers.Get(i);
    if (!lv.IsObject()) throw_type(env, "Expected an object for " + where);
    const Napi::Object o = lv.As<Napi::Object>();
    mn::GraphLayer& l = graph.layers[i];
    l.name = str_field(o, "name", where);
    const std::string kind = str_field(o, "kind", where);
    if (!mn::parse_layer_kind(kind, &l.kind))
      throw_type(env, "Expected a layer kind ('conv', 'dwconv', 'pwconv', 'classifier', 'gavgpool', 'add', 'dense', 'concat', 'logistic', "
                      "'detection_postprocess') for " + where + ".kind but received '" + kind + "'");
    for (size_t t : ints_field(o, "inputs", 1, mn::kMaxLayerInputs, where)) l.inputs.push_back((uint32_t)t);
    if (l.kind == mn::LayerKind::DetectionPostprocess) l.detection = read_detection_options(o, where);
    read_tensor(o, "outShape", where, &l.out);
    const std::vector<size_t> k = ints_field(o, "kernelSize", 2, 2, where);
    l.kh = k[0]; l.kw = k[1];
    l.stride = size_arg(o.Get("stride"), (where + ".stride").c_str(), 1, 64);
    const std::vector<size_t> pad = ints_field(o, "pad", 4, 4, where);
    l.pad_top = pad[0]; l.pad_left = pad[1]; l.pad_bottom = pad[2]; l.pad_right = pad[3];
    const Napi::Value act = o.Get("activation");
    if (!act.IsArray() || act.As<Napi::Array>().Length() != 2 || !act.As<Napi::Array>().Get(0u).IsNumber() ||
        !act.As<Napi::Array>().Get(1u).IsNumber())
      throw_type(env, "Expected [min, max] numbers for " + where + ".activation");
    l.min = act.As<Napi::Array>().Get(0u).As<Napi::Number>().FloatValue();
    l.max = act.As<Napi::Array>().Get(1u).As<Napi::Number>().FloatValue();
    const double macs = num_field(o, "macs", where);
    l.macs = macs >= 0 && macs < 1e15 ? (size_t)macs : 0;
    mn::RawWeights& r = l.weights;
    r.kernel = optional_f32(o, "kernel", &r.kernel_len);
    r.bias = optional_f32(o, "bias", &r.bias_len);
    size_t lens[4];
    r.gamma = optional_f32(o, "gamma", &lens[0]);
    r.beta = optional_f32(o, "beta", &lens[1]);
    r.mean = optional_f32(o, "mean", &lens[2]);
    r.variance = optional_f32(o, "variance", &lens[3]);
    // Integer layers: weights of the layer's dtype, int32 bias and requantization (lib/graph-quant.ts).
    const bool s8 = l.out.dtype == mn::DType::Int8;
    r.qkernel = optional_typed(o, "qkernel", s8 ? napi_int8_array : napi_uint8_array, s8 ? "an Int8Array" : "a Uint8Array", where,
                               &r.qkernel_len);
    r.qbias = static_cast<const int32_t*>(optional_typed(o, "qbias", napi_int32_array, "an Int32Array", where, &r.qbias_len));
    size_t mlen = 0, slen = 0;
    r.multiplier = static_cast<const int32_t*>(optional_typed(o, "multiplier", napi_int32_array, "an Int32Array", where, &mlen));
    r.shift = static_cast<const int32_t*>(optional_typed(o, "shift", napi_int32_array, "an Int32Array", where, &slen));
    if (mlen != slen) throw_range(env, "Expected multiplier and shift of one length for " + where);
    r.requant_len = mlen;
    const Napi::Value wzp = o.Get("weightZeroPoint");
    if (!wzp.IsUndefined()) {
      if (!wzp.IsNumber()) throw_type(env, "Expected a number for " + where + ".weightZeroPoint");
      const double z = wzp.As<Napi::Number>().DoubleValue();
      if (!(z >= -128 && z <= 255) || z != std::floor(z))
        throw_range(env, "Expected an integer between -128 and 255 for " + where + ".weightZeroPoint but received " + js_number(env, z));
      r.weight_zero_point = (int32_t)z;
    }
    l.has_weights = r.kernel || r.bias || r.gamma || r.beta || r.mean || r.variance || r.qkernel || r.qbias || r.multiplier;
    if (r.gamma || r.beta || r.mean || r.variance) {
      if (!(r.gamma && r.beta && r.mean && r.variance) || lens[1] != lens[0] || lens[2] != lens[0] || lens[3] != lens[0])
        throw_type(env, "Expected gamma, beta, mean and variance of equal length for " + where);
      r.bn_len = lens[0];
      const Napi::Value eps = o.Get("epsilon");
      if (!eps.IsNumber()) throw_type(env, "Expected a number for " + where + ".epsilon");
      r.epsilon = eps.As<Napi::Number>().DoubleValue();
    }
  }
  const Napi::Value outs_v = g.Get("outputs");
  if (!outs_v.IsArray()) throw_type(env, "Expected an array for graph.outputs");
  const Napi::Array outs = outs_v.As<Napi::Array>();
  if (outs.Length() > 64) throw_range(env, "Expected at most 64 entries for graph.outputs");
  for (uint32_t i = 0; i < outs.Length(); i++) {
    const std::string where = "graph.outputs[" + std::to_string(i) + "]";
    const Napi::Value ov = outs.Get(i);
    if (!ov.IsObject()) throw_type(env, "Expected an object for " + where);
    const Napi::Object o = ov.As<Napi::Object>();
    graph.outputs.push_back({str_field(o, "name", where), (uint32_t)size_arg(o.Get("tensor"), (where + ".tensor").c_str(), 0, 1u << 30)});
  }
  return graph;
}

// One workspace and whether a run owns it (main thread only).
struct Slot {
  std::shared_ptr<mn::Workspace> ws;
  bool busy = false;
};

// integer: deliver an integer output's values themselves (Uint8Array / Int8Array as its dtype).
struct RunArgs { size_t batch; size_t output; size_t out_len; bool integer = false; bool int8 = false; };

// Copies a workspace result into `out` (or a new array) with the C API only. Returns nullptr
// and leaves nothing pending when the environment cannot take it (shutting down).
napi_value deliver_c(napi_env env, const mn::Workspace& ws, const RunArgs& a, napi_value out) {
  void* data = nullptr;
  size_t len = 0;
  napi_typedarray_type type;
  const napi_typedarray_type want = !a.integer ? napi_float32_array : a.int8 ? napi_int8_array : napi_uint8_array;
  const size_t elem = a.integer ? 1 : sizeof(float);
  if (out == nullptr) {
    napi_value ab;
    if (napi_create_arraybuffer(env, a.out_len * elem, &data, &ab) != napi_ok) return nullptr;
    if (napi_create_typedarray(env, want, a.out_len, ab, 0, &out) != napi_ok) return nullptr;
  } else if (napi_get_typedarray_info(env, out, &type, &len, &data, nullptr, nullptr) != napi_ok || type != want ||
             len != a.out_len || data == nullptr) {
    return nullptr;  // detached or resized while the job ran: the caller rejects
  }
  if (a.integer) {
    const uint8_t* q = ws.qresult(a.output);
    std::copy(q, q + a.out_len, static_cast<uint8_t*>(data));
    return out;
  }
  const float* src = ws.result(a.output);
  std::copy(src, src + a.out_len, static_cast<float*>(data));
  return out;
}

// A runAsync in flight. Owned by the napi_async_work; freed in complete() (or leaked if the
// environment goes away before completing it, with the model alive: harmless at teardown).
struct RunJob {
  std::shared_ptr<const mn::Model> model;  // declared first: destroyed after the workspace
  std::shared_ptr<Slot> slot;
  RunArgs args;
  napi_deferred deferred = nullptr;
  napi_ref out = nullptr;
  napi_async_work work = nullptr;
  std::string error;

  static void execute(napi_env, void* data) {
    RunJob* j = static_cast<RunJob*>(data);
    try {
      j->model->run(*j->slot->ws, j->args.batch, j->args.output);
    } catch (const std::exception& e) {
      j->error = e.what();
      if (j->error.empty()) j->error = "inference failed";
    }
  }

  // Main thread. Any failed napi status (an environment shutting down) ends it quietly.
  static void complete(napi_env env, napi_status status, void* data) {
    std::unique_ptr<RunJob> j(static_cast<RunJob*>(data));
    j->slot->busy = false;
    napi_value out = nullptr;
    if (j->out) napi_get_reference_value(env, j->out, &out);
    if (status == napi_ok && j->error.empty()) {
      napi_value result = deliver_c(env, *j->slot->ws, j->args, out);
      if (result) {
        napi_resolve_deferred(env, j->deferred, result);
      } else {
        napi_value msg, err;
        if (napi_create_string_utf8(env, "The output buffer was detached or resized during inference", NAPI_AUTO_LENGTH, &msg) == napi_ok &&
            napi_create_range_error(env, nullptr, msg, &err) == napi_ok)
          napi_reject_deferred(env, j->deferred, err);
      }
    } else {
      const std::string m = status == napi_cancelled ? "The inference was cancelled" : j->error;
      napi_value msg, err;
      if (napi_create_string_utf8(env, m.c_str(), NAPI_AUTO_LENGTH, &msg) == napi_ok &&
          napi_create_error(env, nullptr, msg, &err) == napi_ok)
        napi_reject_deferred(env, j->deferred, err);
    }
    if (j->out) napi_delete_reference(env, j->out);
    napi_delete_async_work(env, j->work);
  }
};

// Frame arguments (data, width, height, layout) shared by stageFrame and resizeFrame. `layout` is
// either the legacy channel count (3 = RGB, 4 = RGBA) or { format, stride, fullRange, bottomUp, background }
// with format an mn::FrameFormat code and background 0xRRGGBB (lib/model.ts validates the user's frame).
mn::FrameView frame_arg(const Napi::CallbackInfo& info, size_t at) {
  Napi::Env env = info.Env();
  Napi::Uint8Array data = typed_array_arg<Napi::Uint8Array>(info[at], napi_uint8_array, "a Uint8Array for data");
  mn::FrameView f;
  f.width = size_arg(info[at + 1], "width", 1, 1 << 16);
  f.height = size_arg(info[at + 2], "height", 1, 1 << 16);
  f.data = data.Data();
  f.length = data.ElementLength();
  const Napi::Value layout = info[at + 3];
  if (!layout.IsObject()) {
    const size_t channels = size_arg(layout, "channels", 3, 4);
    f.format = channels == 4 ? mn::FrameFormat::Rgba : mn::FrameFormat::Rgb;
    // 64-bit product: on armv7 (32-bit size_t) 65536 * 65536 * 4 wraps to 0 and would pass.
    const uint64_t need = (uint64_t)f.width * f.height * channels;
    if ((uint64_t)f.length != need || f.data == nullptr)
      throw_range(env, "Expected data of length " + std::to_string(need) + " (width * height * channels) but received length " +
                           std::to_string(f.length));
    return f;
  }
  const Napi::Object o = layout.As<Napi::Object>();
  f.format = (mn::FrameFormat)size_arg(o.Get("format"), "format", 0, (size_t)mn::FrameFormat::Yuyv);
  f.stride = o.Get("stride").IsUndefined() ? 0 : size_arg(o.Get("stride"), "stride", 0, (size_t)1 << 20);
  f.full_range = o.Get("fullRange").ToBoolean().Value();
  f.bottom_up = o.Get("bottomUp").ToBoolean().Value();
  const size_t bg = o.Get("background").IsUndefined() ? 0xffffff : size_arg(o.Get("background"), "background", 0, 0xffffff);
  f.background[0] = (uint8_t)(bg >> 16);
  f.background[1] = (uint8_t)(bg >> 8);
  f.background[2] = (uint8_t)bg;
  uint64_t need = 0;
  const std::string problem = mn::frame_check(f, &need);
  if (!problem.empty())
    throw_range(env, "Expected data of length " + std::to_string(need) + " for this frame but received length " +
                         std::to_string(f.length) + " (" + problem + ")");
  return f;
}

class NativeModel : public Napi::ObjectWrap<NativeModel> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "NativeModel",
                       {InstanceMethod<&NativeModel::Info>("info"),
                        InstanceMethod<&NativeModel::Reserve>("reserve"),
                        InstanceMethod<&NativeModel::StageFrame>("stageFrame"),
                        InstanceMethod<&NativeModel::StageTensor>("stageTensor"),
                        InstanceMethod<&NativeModel::RunSync>("runSync"),
                        InstanceMethod<&NativeModel::RunAsync>("runAsync"),
                        InstanceMethod<&NativeModel::Profile>("profile"),
                        InstanceMethod<&NativeModel::Dispose>("dispose")});
  }

  // new NativeModel({ graph, threads, concurrency, normalization, isa, isaSource })
  explicit NativeModel(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeModel>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) throw_type(env, "Expected a config object");
    const Napi::Object cfg = info[0].As<Napi::Object>();
    mn::ModelConfig c;
    c.threads = size_arg(cfg.Get("threads"), "threads", 1, mn::Limits::kMaxThreads);
    const size_t concurrency = size_arg(cfg.Get("concurrency"), "concurrency", 1, mn::Limits::kMaxConcurrency);
    const Napi::Value norm = cfg.Get("normalization");
    const std::string norm_name = norm.IsString() ? norm.As<Napi::String>().Utf8Value() : "tfjs";
    if (norm_name == "tfjs") c.normalization = mn::Normalization::Tfjs;
    else if (norm_name == "tflite") c.normalization = mn::Normalization::Tflite;
    else if (norm_name == "tflite-uint8") c.normalization = mn::Normalization::TfliteUint8;
    else if (norm_name == "quantized") {
      // The uint8 input tensor's quantization: real = inputScale * (q - inputZeroPoint).
      c.normalization = mn::Normalization::Quantized;
      const Napi::Value sc = cfg.Get("inputScale"), zp = cfg.Get("inputZeroPoint");
      const double scale = sc.IsNumber() ? sc.As<Napi::Number>().DoubleValue() : 0.0;
      if (!(scale > 0 && scale < 1e6)) throw_type(env, "Expected a positive number for inputScale");
      c.input_scale = (float)scale;
      c.input_zero_point = (float)size_arg(zp, "inputZeroPoint", 0, 255);
    } else throw_type(env, "Expected 'tfjs', 'tflite', 'tflite-uint8' or 'quantized' for normalization but received '" + norm_name + "'");
    const Napi::Value isa = cfg.Get("isa");
    if (isa.IsString()) c.isa = isa.As<Napi::String>().Utf8Value();
    const Napi::Value isa_source = cfg.Get("isaSource");
    if (isa_source.IsString()) c.isa_source = isa_source.As<Napi::String>().Utf8Value();
    c.stretch_input = cfg.Get("resize").IsString() && cfg.Get("resize").As<Napi::String>().Utf8Value() == "stretch";
    mn::Graph graph = read_graph(env, cfg.Get("graph"));
    try {
      model_ = std::make_shared<const mn::Model>(c, std::move(graph));
      for (size_t i = 0; i < concurrency; i++) {
        auto s = std::make_shared<Slot>();
        s->ws = model_->create_workspace();
        slots_.push_back(std::move(s));
      }
    } catch (const std::invalid_argument& e) {
      throw Napi::Error::New(env, e.what());
    } catch (const std::bad_alloc&) {
      throw Napi::Error::New(env, "out of memory while creating the model");
    } catch (const std::system_error& e) {
      throw Napi::Error::New(env, std::string("cannot start the model's threads: ") + e.what());
    }
    AdjustMemory(env);
  }

 private:
  const mn::Model& model(Napi::Env env) {
    if (!model_) throw Napi::Error::New(env, "The model has been disposed");
    return *model_;
  }
  size_t memory_bytes() const {
    if (!model_) return 0;
    size_t b = model_->weights_bytes();
    for (const auto& s : slots_) b += s->ws->memory_bytes();
    return b;
  }
  // A workspace that no runAsync owns: one in flight owns its arena, staging and pool until it settles.
  Slot& idle_slot(const Napi::Value& v) {
    model(v.Env());
    const size_t i = size_arg(v, "workspace", 0, slots_.size() - 1);
    Slot& s = *slots_[i];
    if (s.busy)
      throw Napi::Error::New(v.Env(), "An asynchronous run is in progress on workspace " + std::to_string(i) +
                                          " of this model; wait for it to settle first");
    return s;
  }

  Napi::Value Info(const Napi::CallbackInfo& info) {
    const mn::Model& m = model(info.Env());
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("isa", m.isa());
    o.Set("dtype", mn::dtype_name(m.graph().input.dtype));
    o.Set("threads", (double)m.threads());
    o.Set("concurrency", (double)slots_.size());
    o.Set("memoryBytes", (double)memory_bytes());
    o.Set("weightsBytes", (double)m.weights_bytes());
    o.Set("workspaceBytes", (double)slots_[0]->ws->memory_bytes());
    o.Set("resolution", (double)m.resolution());
    o.Set("cpu", mn::cpu_model_name());
    Napi::Array outs = Napi::Array::New(info.Env(), m.graph().outputs.size());
    for (size_t i = 0; i < m.graph().outputs.size(); i++) {
      Napi::Object oo = Napi::Object::New(info.Env());
      oo.Set("name", m.graph().outputs[i].name);
      oo.Set("length", (double)m.output_floats(i));
      outs.Set((uint32_t)i, oo);
    }
    o.Set("outputs", outs);
    return o;
  }

  void AdjustMemory(Napi::Env env) {
    const int64_t now = (int64_t)memory_bytes();
    Napi::MemoryManagement::AdjustExternalMemory(env, now - external_bytes_);
    external_bytes_ = now;
  }

  // reserve(workspace, batch)
  Napi::Value Reserve(const Napi::CallbackInfo& info) {
    Slot& s = idle_slot(info[0]);
    const size_t batch = size_arg(info[1], "batch", 1, mn::Limits::kMaxBatch);
    try {
      s.ws->reserve_batch(batch);
    } catch (const std::bad_alloc&) {
      throw Napi::Error::New(info.Env(), "out of memory reserving a batch of " + std::to_string(batch));
    }
    AdjustMemory(info.Env());
    return info.Env().Undefined();
  }

  // stageFrame(workspace, index, data: Uint8Array, width, height, channels | layout)
  Napi::Value StageFrame(const Napi::CallbackInfo& info) {
    Slot& s = idle_slot(info[0]);
    const size_t index = size_arg(info[1], "index", 0, s.ws->batch_capacity() - 1);
    s.ws->set_input_frame(index, frame_arg(info, 2));
    return info.Env().Undefined();
  }

  // stageTensor(workspace, index, data: Float32Array of R*R*3, nchw?: boolean (3 planes of R*R, transposed here))
  Napi::Value StageTensor(const Napi::CallbackInfo& info) {
    Slot& s = idle_slot(info[0]);
    const size_t index = size_arg(info[1], "index", 0, s.ws->batch_capacity() - 1);
    Napi::Float32Array data = typed_array_arg<Napi::Float32Array>(info[2], napi_float32_array, "a Float32Array for data");
    if (data.ElementLength() != model_->input_floats() || data.Data() == nullptr)
      throw_range(info.Env(), "Expected a Float32Array of length " + std::to_string(model_->input_floats()) +
                                  " but received length " + std::to_string(data.ElementLength()));
    s.ws->set_input_tensor(index, data.Data(), info.Length() > 3 && info[3].ToBoolean().Value());
    return info.Env().Undefined();
  }

  // (workspace, batch, output, out?, ..., integer at `integer_arg`) -> the checked arguments.
  RunArgs run_args(const Napi::CallbackInfo& info, const Slot& s, size_t integer_arg) {
    RunArgs a;
    a.batch = size_arg(info[1], "batch", 1, s.ws->batch_capacity());
    a.output = size_arg(info[2], "output", 0, model_->graph().outputs.size() - 1);
    a.out_len = a.batch * model_->output_floats(a.output);
    const mn::DType dt = model_->graph().tensor(model_->graph().outputs[a.output].tensor).dtype;
    a.integer = info.Length() > integer_arg && info[integer_arg].ToBoolean().Value();
    a.int8 = dt == mn::DType::Int8;
    if (a.integer && dt == mn::DType::Float32)
      throw Napi::Error::New(info.Env(), "Integer results need an integer output, but output " + std::to_string(a.output) + " is float32");
    if (info.Length() > 3 && !info[3].IsUndefined() && !info[3].IsNull()) {
      const napi_typedarray_type t = !a.integer ? napi_float32_array : a.int8 ? napi_int8_array : napi_uint8_array;
      const char* what = !a.integer ? "a Float32Array for output" : a.int8 ? "an Int8Array for output" : "a Uint8Array for output";
      Napi::TypedArray out = typed_array_arg<Napi::TypedArray>(info[3], t, what);
      if (out.ElementLength() != a.out_len || out.ArrayBuffer().Data() == nullptr)
        throw_range(info.Env(), "Expected output of length " + std::to_string(a.out_len) + " but received length " +
                                    std::to_string(out.ElementLength()));
    }
    return a;
  }

  // runSync(workspace, batch, output, out?, input?, integer?) -> Float32Array (integer: Uint8Array /
  // Int8Array). `input`: batch tensors used in place (no staging copy; safe because nothing else runs
  // on this workspace until this returns; an integer model quantizes them into its staging area).
  Napi::Value RunSync(const Napi::CallbackInfo& info) {
    Slot& s = idle_slot(info[0]);
    const RunArgs a = run_args(info, s, 5);
    const float* external = nullptr;
    if (info.Length() > 4 && !info[4].IsUndefined() && !info[4].IsNull()) {
      Napi::Float32Array in = typed_array_arg<Napi::Float32Array>(info[4], napi_float32_array, "a Float32Array for input");
      if (in.ElementLength() != a.batch * model_->input_floats() || in.Data() == nullptr)
        throw_range(info.Env(), "Expected input of length " + std::to_string(a.batch * model_->input_floats()) +
                                    " but received length " + std::to_string(in.ElementLength()));
      external = in.Data();
    }
    try {
      model_->run(*s.ws, a.batch, a.output, false, external);
    } catch (const std::runtime_error& e) {  // a layer that refuses its data (detection_postprocess)
      throw Napi::Error::New(info.Env(), e.what());
    }
    napi_value out = info.Length() > 3 && info[3].IsTypedArray() ? (napi_value)info[3] : nullptr;
    napi_value r = deliver_c(info.Env(), *s.ws, a, out);
    if (!r) throw_range(info.Env(), "The output buffer was detached or resized during inference");
    return Napi::Value(info.Env(), r);
  }

  // runAsync(workspace, batch, output, out?, integer?) -> Promise<Float32Array | Uint8Array | Int8Array>.
  // The caller (lib/model.ts) gives each workspace one job at a time, so staged inputs are never
  // overwritten while it runs.
  Napi::Value RunAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Slot& s = idle_slot(info[0]);
    const size_t wi = (size_t)info[0].As<Napi::Number>().DoubleValue();  // checked by idle_slot
    const RunArgs a = run_args(info, s, 4);
    auto job = std::make_unique<RunJob>();
    job->model = model_;
    job->slot = slots_[wi];
    job->args = a;
    napi_value promise, name;
    NAPI_THROW_IF_FAILED(env, napi_create_promise(env, &job->deferred, &promise), Napi::Value());
    if (info.Length() > 3 && info[3].IsTypedArray())
      NAPI_THROW_IF_FAILED(env, napi_create_reference(env, info[3], 1, &job->out), Napi::Value());
    NAPI_THROW_IF_FAILED(env, napi_create_string_utf8(env, "mobilenet:infer", NAPI_AUTO_LENGTH, &name), Napi::Value());
    NAPI_THROW_IF_FAILED(env, napi_create_async_work(env, nullptr, name, RunJob::execute, RunJob::complete, job.get(), &job->work),
                         Napi::Value());
    if (napi_queue_async_work(env, job->work) != napi_ok) {
      napi_delete_async_work(env, job->work);
      if (job->out) napi_delete_reference(env, job->out);
      throw Napi::Error::New(env, "cannot queue the inference on the libuv pool");
    }
    s.busy = true;
    job.release();  // complete() owns it now
    return Napi::Value(env, promise);
  }

  // profile(runs) -> per layer and per kind, ms per run (synchronous, on workspace 0, for the bench).
  Napi::Value Profile(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Slot& s = idle_slot(Napi::Number::New(env, 0));
    const mn::Model& m = *model_;
    const size_t runs = size_arg(info[0], "runs", 1, 1000000);
    s.ws->profile() = mn::Profile{};
    const size_t widest = m.widest_output();
    const size_t n = m.graph().layers.size();
    // Each layer's time in every run (the runtime adds up a layer's bands within a run), then its median over the
    // runs: a mean let one preempted run, or with several threads one late worker, stand for the whole profile (at
    // 2 threads on a shared 2-core VM the means added up to 1.1x the median inference).
    std::vector<std::vector<double>> samples(n, std::vector<double>(runs));
    std::vector<double> before(n, 0.0);
    for (size_t r = 0; r < runs; r++) {
      m.run(*s.ws, 1, widest, true);
      const std::vector<double>& acc = s.ws->profile().layer_ns;
      for (size_t i = 0; i < n && i < acc.size(); i++) samples[i][r] = acc[i] - before[i], before[i] = acc[i];
    }
    Napi::Object o = Napi::Object::New(env);
    double by_kind[mn::kLayerKinds] = {};
    Napi::Array layers = Napi::Array::New(env, n);
    for (size_t i = 0; i < n; i++) {
      const mn::GraphLayer& gl = m.graph().layers[i];
      std::vector<double>& v = samples[i];
      std::sort(v.begin(), v.end());
      const double ns = runs % 2 ? v[runs / 2] : 0.5 * (v[runs / 2 - 1] + v[runs / 2]);
      by_kind[(size_t)gl.kind] += ns;
      Napi::Object l = Napi::Object::New(env);
      l.Set("name", gl.name);
      l.Set("kind", mn::layer_kind_profile_name(gl.kind));
      l.Set("ms", ns / 1e6);
      l.Set("gflops", ns > 0 ? 2.0 * (double)gl.macs / ns : 0.0);
      layers.Set((uint32_t)i, l);
    }
    for (size_t k = 0; k < mn::kLayerKinds; k++) {  // kinds sharing a profile name (dense, classifier) add up
      const char* name = mn::layer_kind_profile_name((mn::LayerKind)k);
      const double prev = o.Has(name) ? o.Get(name).As<Napi::Number>().DoubleValue() : 0.0;
      o.Set(name, prev + by_kind[k] / 1e6);
    }
    o.Set("layers", layers);
    return o;
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    // A running job holds its own references to the model and its workspace and finishes first.
    slots_.clear();
    model_.reset();
    AdjustMemory(info.Env());
    return info.Env().Undefined();
  }

  std::shared_ptr<const mn::Model> model_;
  std::vector<std::shared_ptr<Slot>> slots_;
  int64_t external_bytes_ = 0;
};

Napi::Value Limits(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("maxResolution", (double)mn::Limits::kMaxResolution);
  o.Set("maxClasses", (double)mn::Limits::kMaxClasses);
  o.Set("maxThreads", (double)mn::Limits::kMaxThreads);
  o.Set("maxBatch", (double)mn::Limits::kMaxBatch);
  o.Set("maxConcurrency", (double)mn::Limits::kMaxConcurrency);
  o.Set("maxLayers", (double)mn::Limits::kMaxLayers);
  return o;
}

Napi::Value SupportedIsas(const Napi::CallbackInfo& info) {
  const auto tables = mn::supported_kernel_tables();
  Napi::Array a = Napi::Array::New(info.Env(), tables.size());
  for (size_t i = 0; i < tables.size(); i++) a.Set((uint32_t)i, tables[i]->isa);
  return a;
}

// Integer kernel sets this CPU runs (scalar first): the values of `isa` for integer models.
Napi::Value SupportedQIsas(const Napi::CallbackInfo& info) {
  const auto tables = mn::supported_qkernel_tables();
  Napi::Array a = Napi::Array::New(info.Env(), tables.size());
  for (size_t i = 0; i < tables.size(); i++) a.Set((uint32_t)i, tables[i]->isa);
  return a;
}

// selectIsa(requested, integer) -> the kernel set a float (integer: false) or integer model loads with MOBILENET_ISA =
// `requested` ('' = the default): the native selection itself, so `mobilenet info` shows it without a copy of its
// rules in JS (an integer set's name means its generation's float set for a float model, float_isa_for; a float
// set's name the best integer set of its generation for an integer model). Throws what load() would.
Napi::Value SelectIsa(const Napi::CallbackInfo& info) {
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsBoolean())
    throw Napi::TypeError::New(info.Env(), "selectIsa(requested: string, integer: boolean)");
  const std::string requested = info[0].As<Napi::String>().Utf8Value();
  try {
    return Napi::String::New(info.Env(), info[1].As<Napi::Boolean>().Value()
                                             ? mn::select_qkernel_table(requested, "MOBILENET_ISA").isa
                                             : mn::select_kernel_table(mn::float_isa_for(requested), "MOBILENET_ISA").isa);
  } catch (const std::invalid_argument& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
}

Napi::Value CpuModel(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), mn::cpu_model_name()); }

// resizeFrame(data: Uint8Array, width, height, channels | layout, R) -> Uint8Array(R*R*3): the shared preprocessing, in bytes.
Napi::Value ResizeFrame(const Napi::CallbackInfo& info) {
  const mn::FrameView f = frame_arg(info, 0);
  const size_t R = size_arg(info[4], "resolution", 1, mn::Limits::kMaxResolution);
  Napi::Uint8Array out = Napi::Uint8Array::New(info.Env(), R * R * 3);
  const bool stretch = info.Length() > 5 && info[5].IsBoolean() && info[5].As<Napi::Boolean>().Value();  // detectors
  mn::resize_frame_u8(f, R, out.Data(), stretch);
  return out;
}

// firstOutside(data: Float32Array, lo, hi) -> index of the first element outside [lo, hi] (NaN included), or -1:
// checkTensor's input range check (lib/image.ts). The JS loop cost 0.15-0.6 ms per tensor (128..224), as much
// as a 0.25/128 inference's pointwise layers; here it is a vectorised pass. For a float v, v >= lo (double)
// exactly when v >= the smallest float >= lo, so the float bounds give JS's double comparisons bit for bit.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
__attribute__((target_clones("avx2", "default")))  // the addon's baseline is SSE2: 3x faster on AVX2 CPUs
#endif
long first_outside(const float* p, size_t n, float lo_f, float hi_f) {
  for (size_t i0 = 0; i0 < n; i0 += 4096) {
    const size_t i1 = std::min(n, i0 + 4096);
    int bad = 0;  // this form vectorises; `!(v >= lo && v <= hi)` does not (5x slower)
    for (size_t i = i0; i < i1; i++) bad |= (int)(p[i] < lo_f) | (int)(p[i] > hi_f) | (int)(p[i] != p[i]);
    if (!bad) continue;
    for (size_t i = i0; i < i1; i++)
      if (!(p[i] >= lo_f && p[i] <= hi_f)) return (long)i;
  }
  return -1;
}

Napi::Value FirstOutside(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
      !info[1].IsNumber() || !info[2].IsNumber())
    throw Napi::TypeError::New(env, "firstOutside(data: Float32Array, lo: number, hi: number)");
  const Napi::Float32Array a = info[0].As<Napi::Float32Array>();
  const double lo = info[1].As<Napi::Number>().DoubleValue(), hi = info[2].As<Napi::Number>().DoubleValue();
  float lo_f = (float)lo, hi_f = (float)hi;
  if ((double)lo_f < lo) lo_f = std::nextafter(lo_f, INFINITY);
  if ((double)hi_f > hi) hi_f = std::nextafter(hi_f, -INFINITY);
  return Napi::Number::New(env, (double)first_outside(a.Data(), a.ElementLength(), lo_f, hi_f));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeModel", NativeModel::Init(env));
  exports.Set("supportedIsas", Napi::Function::New(env, SupportedIsas));
  exports.Set("supportedQIsas", Napi::Function::New(env, SupportedQIsas));
  exports.Set("selectIsa", Napi::Function::New(env, SelectIsa));
  exports.Set("cpuModel", Napi::Function::New(env, CpuModel));
  exports.Set("limits", Napi::Function::New(env, Limits));
  exports.Set("resizeFrame", Napi::Function::New(env, ResizeFrame));
  exports.Set("firstOutside", Napi::Function::New(env, FirstOutside));
  exports.Set("buildStamp", Napi::String::New(env, mn::build_stamp_text()));
  exports.Set("detectionPostprocess", Napi::Function::New(env, DetectionPostprocess));
  return exports;
}

}  // namespace

NODE_API_MODULE(mobilenet_native, Init)
