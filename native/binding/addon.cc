// N-API surface (node-addon-api only): wraps mn::Network, converts and bounds-checks every
// argument, runs inference on the libuv pool. No arithmetic here. lib/binding.ts types it;
// lib/model.ts validates user input and owns the error wording before anything reaches this file.
#include <napi.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "binding/build_stamp.h"
#include "dispatch/dispatch.h"
#include "runtime/network.h"
#include "runtime/preprocess.h"

namespace {

using mn::Network;

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

  // new NativeModel({ alpha, resolution, classes, threads, normalization, isa, layers: [...] })
  explicit NativeModel(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeModel>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) throw_type(env, "Expected a config object");
    const Napi::Object cfg = info[0].As<Napi::Object>();
    mn::NetworkConfig c;
    const Napi::Value alpha = cfg.Get("alpha");
    if (!alpha.IsNumber()) throw_type(env, "Expected a number for alpha");
    c.alpha = alpha.As<Napi::Number>().DoubleValue();
    c.resolution = size_arg(cfg.Get("resolution"), "resolution", 32, 4096);
    c.classes = size_arg(cfg.Get("classes"), "classes", 1, 100000);
    c.threads = size_arg(cfg.Get("threads"), "threads", 1, 256);
    const Napi::Value norm = cfg.Get("normalization");
    const std::string norm_name = norm.IsString() ? norm.As<Napi::String>().Utf8Value() : "tfjs";
    if (norm_name == "tfjs") c.normalization = mn::Normalization::Tfjs;
    else if (norm_name == "tflite") c.normalization = mn::Normalization::Tflite;
    else if (norm_name == "tflite-uint8") c.normalization = mn::Normalization::TfliteUint8;
    else throw_type(env, "Expected 'tfjs', 'tflite' or 'tflite-uint8' for normalization but received '" + norm_name + "'");
    const Napi::Value isa = cfg.Get("isa");
    if (isa.IsString()) c.isa = isa.As<Napi::String>().Utf8Value();
    const Napi::Value isa_source = cfg.Get("isaSource");
    if (isa_source.IsString()) c.isa_source = isa_source.As<Napi::String>().Utf8Value();
    const Napi::Value layers_v = cfg.Get("layers");
    if (!layers_v.IsArray()) throw_type(env, "Expected an array for layers");
    const Napi::Array layers = layers_v.As<Napi::Array>();
    // Bound the count before sizing the vector: new Array(2 ** 32 - 1) would throw std::bad_alloc
    // here, outside any handler (abort). The network checks the exact count.
    if (layers.Length() > 1024)
      throw_range(env, "Expected at most 1024 entries for layers but received length " + std::to_string(layers.Length()));
    std::vector<mn::RawLayer> raw(layers.Length());
    for (uint32_t i = 0; i < layers.Length(); i++) {
      const Napi::Value lv = layers.Get(i);
      if (!lv.IsObject()) throw_type(env, "Expected an object for layers[" + std::to_string(i) + "]");
      const Napi::Object l = lv.As<Napi::Object>();
      mn::RawLayer& r = raw[i];
      r.kernel = optional_f32(l, "kernel", &r.kernel_len);
      r.bias = optional_f32(l, "bias", &r.bias_len);
      size_t lens[4];
      r.gamma = optional_f32(l, "gamma", &lens[0]);
      r.beta = optional_f32(l, "beta", &lens[1]);
      r.mean = optional_f32(l, "mean", &lens[2]);
      r.variance = optional_f32(l, "variance", &lens[3]);
      if (r.gamma || r.beta || r.mean || r.variance) {
        if (!(r.gamma && r.beta && r.mean && r.variance) || lens[1] != lens[0] || lens[2] != lens[0] || lens[3] != lens[0])
          throw_type(env, "Expected gamma, beta, mean and variance of equal length for layers[" + std::to_string(i) + "]");
        r.bn_len = lens[0];
        const Napi::Value eps = l.Get("epsilon");
        if (!eps.IsNumber()) throw_type(env, "Expected a number for layers[" + std::to_string(i) + "].epsilon");
        r.epsilon = eps.As<Napi::Number>().DoubleValue();
      }
    }
    try {
      net_ = std::make_shared<Network>(c, raw);
    } catch (const std::invalid_argument& e) {
      throw Napi::Error::New(env, e.what());
    } catch (const std::bad_alloc&) {
      throw Napi::Error::New(env, "out of memory while creating the model");
    }
    external_bytes_ = (int64_t)net_->memory_bytes();
    Napi::MemoryManagement::AdjustExternalMemory(env, external_bytes_);
  }

  ~NativeModel() override { net_.reset(); }

 private:
  Network& net(Napi::Env env) {
    if (!net_) throw Napi::Error::New(env, "The model has been disposed");
    return *net_;
  }
  // For every call that touches the arena (reserve frees and reallocates it) or the thread pool
  // (not re-entrant): a runAsync in flight owns both until it settles.
  Network& idle_net(Napi::Env env) {
    Network& n = net(env);
    if (*in_flight_ > 0)
      throw Napi::Error::New(env, "An asynchronous run is in progress on this model; wait for it to settle first");
    return n;
  }

  Napi::Value Info(const Napi::CallbackInfo& info) {
    Network& n = net(info.Env());
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("isa", n.kernels().isa);
    o.Set("threads", (double)n.threads());
    o.Set("macs", (double)n.macs());
    o.Set("params", (double)n.params());
    o.Set("memoryBytes", (double)n.memory_bytes());
    o.Set("features", (double)n.features());
    o.Set("classes", (double)n.classes());
    o.Set("resolution", (double)n.resolution());
    o.Set("cpu", mn::cpu_model_name());
    Napi::Array layers = Napi::Array::New(info.Env(), n.plan().size());
    for (size_t i = 0; i < n.plan().size(); i++) {
      const mn::LayerDesc& l = n.plan()[i];
      Napi::Object lo = Napi::Object::New(info.Env());
      lo.Set("name", l.name);
      lo.Set("kind", mn::layer_kind_name(l.kind));
      lo.Set("macs", (double)l.macs);
      lo.Set("outSize", (double)l.out_h);
      lo.Set("outChannels", (double)l.out_c);
      layers.Set((uint32_t)i, lo);
    }
    o.Set("layers", layers);
    return o;
  }

  void AdjustMemory(Napi::Env env) {
    const int64_t now = net_ ? (int64_t)net_->memory_bytes() : 0;
    Napi::MemoryManagement::AdjustExternalMemory(env, now - external_bytes_);
    external_bytes_ = now;
  }

  Napi::Value Reserve(const Napi::CallbackInfo& info) {
    Network& n = idle_net(info.Env());
    const size_t batch = size_arg(info[0], "batch", 1, 4096);
    try {
      n.reserve_batch(batch);
    } catch (const std::bad_alloc&) {
      throw Napi::Error::New(info.Env(), "out of memory reserving a batch of " + std::to_string(batch));
    }
    AdjustMemory(info.Env());
    return info.Env().Undefined();
  }

  // stageFrame(index, data: Uint8Array, width, height, channels)
  Napi::Value StageFrame(const Napi::CallbackInfo& info) {
    Network& n = idle_net(info.Env());
    const size_t index = size_arg(info[0], "index", 0, n.batch_capacity() - 1);
    Napi::Uint8Array data = typed_array_arg<Napi::Uint8Array>(info[1], napi_uint8_array, "a Uint8Array for data");
    const size_t width = size_arg(info[2], "width", 1, 1 << 16);
    const size_t height = size_arg(info[3], "height", 1, 1 << 16);
    const size_t channels = size_arg(info[4], "channels", 3, 4);
    // 64-bit product: on armv7 (32-bit size_t) 65536 * 65536 * 4 wraps to 0 and would pass.
    const uint64_t need = (uint64_t)width * height * channels;
    if ((uint64_t)data.ElementLength() != need || data.Data() == nullptr)
      throw_range(info.Env(), "Expected data of length " + std::to_string(need) + " (width * height * channels) but received length " +
                                  std::to_string(data.ElementLength()));
    n.set_input_frame(index, data.Data(), width, height, channels);
    return info.Env().Undefined();
  }

  // stageTensor(index, data: Float32Array of R*R*3)
  Napi::Value StageTensor(const Napi::CallbackInfo& info) {
    Network& n = idle_net(info.Env());
    const size_t index = size_arg(info[0], "index", 0, n.batch_capacity() - 1);
    Napi::Float32Array data = typed_array_arg<Napi::Float32Array>(info[1], napi_float32_array, "a Float32Array for data");
    if (data.ElementLength() != n.input_floats() || data.Data() == nullptr)
      throw_range(info.Env(), "Expected a Float32Array of length " + std::to_string(n.input_floats()) +
                                  " but received length " + std::to_string(data.ElementLength()));
    n.set_input_tensor(index, data.Data());
    return info.Env().Undefined();
  }

  struct RunArgs { size_t batch; bool classify; size_t out_len; };

  RunArgs run_args(const Napi::CallbackInfo& info, Network& n) {
    RunArgs a;
    a.batch = size_arg(info[0], "batch", 1, n.batch_capacity());
    a.classify = info[1].ToBoolean().Value();
    a.out_len = a.batch * (a.classify ? n.classes() : n.features());
    if (info.Length() > 2 && !info[2].IsUndefined() && !info[2].IsNull()) {
      Napi::Float32Array out = typed_array_arg<Napi::Float32Array>(info[2], napi_float32_array, "a Float32Array for output");
      if (out.ElementLength() != a.out_len || out.Data() == nullptr)
        throw_range(info.Env(), "Expected output of length " + std::to_string(a.out_len) + " but received length " +
                                    std::to_string(out.ElementLength()));
    }
    return a;
  }

  static Napi::Float32Array deliver(Napi::Env env, const Network& n, const RunArgs& a, Napi::Value out_v) {
    Napi::Float32Array out = (out_v.IsTypedArray()) ? out_v.As<Napi::Float32Array>() : Napi::Float32Array::New(env, a.out_len);
    const float* src = a.classify ? n.logits() : n.features_out();
    // Re-check: the caller's buffer may have been detached while the job ran.
    if (out.ElementLength() != a.out_len || out.Data() == nullptr) throw_range(env, "The output buffer was detached or resized during inference");
    std::copy(src, src + a.out_len, out.Data());
    return out;
  }

  // runSync(batch, classify, output?, input?) -> Float32Array. `input`: batch tensors used in place
  // (no staging copy; safe because nothing else runs until this call returns).
  Napi::Value RunSync(const Napi::CallbackInfo& info) {
    Network& n = idle_net(info.Env());
    const RunArgs a = run_args(info, n);
    const float* external = nullptr;
    if (info.Length() > 3 && !info[3].IsUndefined() && !info[3].IsNull()) {
      Napi::Float32Array in = typed_array_arg<Napi::Float32Array>(info[3], napi_float32_array, "a Float32Array for input");
      if (in.ElementLength() != a.batch * n.input_floats() || in.Data() == nullptr)
        throw_range(info.Env(), "Expected input of length " + std::to_string(a.batch * n.input_floats()) +
                                    " but received length " + std::to_string(in.ElementLength()));
      external = in.Data();
    }
    n.run(a.batch, a.classify, nullptr, external);
    return deliver(info.Env(), n, a, info.Length() > 2 ? info[2] : info.Env().Undefined());
  }

  class RunWorker : public Napi::AsyncWorker {
   public:
    RunWorker(Napi::Env env, std::shared_ptr<Network> net, std::shared_ptr<int> in_flight, RunArgs a, Napi::Value out)
        : Napi::AsyncWorker(env, "mobilenet:infer"), net_(std::move(net)), in_flight_(std::move(in_flight)), args_(a),
          deferred_(Napi::Promise::Deferred::New(env)) {
      if (out.IsTypedArray()) out_ = Napi::Persistent(out.As<Napi::Object>());
      ++*in_flight_;
    }
    Napi::Promise promise() { return deferred_.Promise(); }
    // Never touches JS: the model's own arena only.
    void Execute() override {
      try {
        net_->run(args_.batch, args_.classify);
      } catch (const std::exception& e) {
        SetError(e.what());
      }
    }
    void OnOK() override {
      --*in_flight_;
      Napi::Env env = Env();
      try {
        deferred_.Resolve(deliver(env, *net_, args_, out_.IsEmpty() ? env.Undefined() : out_.Value()));
      } catch (const Napi::Error& e) {
        deferred_.Reject(e.Value());
      }
    }
    void OnError(const Napi::Error& e) override {
      --*in_flight_;
      deferred_.Reject(e.Value());
    }

   private:
    std::shared_ptr<Network> net_;  // keeps the network alive if the model is disposed meanwhile
    std::shared_ptr<int> in_flight_;  // the wrapper's counter (main thread only)
    RunArgs args_;
    Napi::Promise::Deferred deferred_;
    Napi::ObjectReference out_;
  };

  // runAsync(batch, classify, output?) -> Promise<Float32Array>. The caller (lib/model.ts) runs
  // one job per model at a time, so staged inputs are never overwritten while a job runs.
  Napi::Value RunAsync(const Napi::CallbackInfo& info) {
    Network& n = idle_net(info.Env());
    const RunArgs a = run_args(info, n);
    auto* w = new RunWorker(info.Env(), net_, in_flight_, a, info.Length() > 2 ? info[2] : info.Env().Undefined());
    Napi::Promise p = w->promise();
    w->Queue();
    return p;
  }

  // profile(runs) -> { conv, depthwise, pointwise, pool, classifier } in ms per run (synchronous, for the bench).
  Napi::Value Profile(const Napi::CallbackInfo& info) {
    Network& n = idle_net(info.Env());
    const size_t runs = size_arg(info[0], "runs", 1, 1000000);
    mn::Profile p;
    for (size_t i = 0; i < runs; i++) n.run(1, true, &p);
    Napi::Object o = Napi::Object::New(info.Env());
    for (int k = 0; k < 4; k++) o.Set(mn::layer_kind_name((mn::LayerKind)k), p.ns[k] / 1e6 / (double)runs);
    o.Set("pool", p.pool_ns / 1e6 / (double)runs);
    Napi::Array layers = Napi::Array::New(info.Env(), p.layer_ns.size());
    for (size_t i = 0; i < p.layer_ns.size(); i++) {
      Napi::Object l = Napi::Object::New(info.Env());
      l.Set("name", n.plan()[i].name);
      l.Set("kind", mn::layer_kind_name(n.plan()[i].kind));
      l.Set("ms", p.layer_ns[i] / 1e6 / (double)runs);
      l.Set("gflops", 2.0 * (double)n.plan()[i].macs / (p.layer_ns[i] / (double)runs));
      layers.Set((uint32_t)i, l);
    }
    o.Set("layers", layers);
    return o;
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    net_.reset();  // a running job holds its own reference and finishes first
    AdjustMemory(info.Env());
    return info.Env().Undefined();
  }

  std::shared_ptr<Network> net_;
  std::shared_ptr<int> in_flight_ = std::make_shared<int>(0);  // runAsync jobs not yet settled
  int64_t external_bytes_ = 0;
};

Napi::Value SupportedIsas(const Napi::CallbackInfo& info) {
  const auto tables = mn::supported_kernel_tables();
  Napi::Array a = Napi::Array::New(info.Env(), tables.size());
  for (size_t i = 0; i < tables.size(); i++) a.Set((uint32_t)i, tables[i]->isa);
  return a;
}

Napi::Value CpuModel(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), mn::cpu_model_name()); }

// resizeFrame(data: Uint8Array, width, height, channels, R) -> Uint8Array(R*R*3): the shared preprocessing, in bytes.
Napi::Value ResizeFrame(const Napi::CallbackInfo& info) {
  Napi::Uint8Array data = typed_array_arg<Napi::Uint8Array>(info[0], napi_uint8_array, "a Uint8Array for data");
  const size_t width = size_arg(info[1], "width", 1, 1 << 16);
  const size_t height = size_arg(info[2], "height", 1, 1 << 16);
  const size_t channels = size_arg(info[3], "channels", 3, 4);
  const size_t R = size_arg(info[4], "resolution", 1, 4096);
  const uint64_t need = (uint64_t)width * height * channels;  // no 32-bit wrap (armv7)
  if ((uint64_t)data.ElementLength() != need || data.Data() == nullptr)
    throw_range(info.Env(), "Expected data of length " + std::to_string(need) + " but received length " +
                                std::to_string(data.ElementLength()));
  Napi::Uint8Array out = Napi::Uint8Array::New(info.Env(), R * R * 3);
  mn::resize_frame_u8(data.Data(), width, height, channels, R, out.Data());
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeModel", NativeModel::Init(env));
  exports.Set("supportedIsas", Napi::Function::New(env, SupportedIsas));
  exports.Set("cpuModel", Napi::Function::New(env, CpuModel));
  exports.Set("resizeFrame", Napi::Function::New(env, ResizeFrame));
  exports.Set("buildStamp", Napi::String::New(env, mn::build_stamp_text()));
  return exports;
}

}  // namespace

NODE_API_MODULE(mobilenet_native, Init)
