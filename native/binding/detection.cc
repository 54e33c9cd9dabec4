// detectionPostprocess(): TFLite_Detection_PostProcess on tensors handed in from JS (mn::detection_postprocess),
// synchronously. It lets the postprocess be checked against TFLite on its own; SSD models run the same
// function inside the network. Argument checks only; no arithmetic here.
#include "detection.h"

#include <string>
#include <vector>

#include "runtime/detection_postprocess.h"

namespace {

[[noreturn]] void fail(Napi::Env env, bool range, const std::string& msg) {
  if (range) throw Napi::RangeError::New(env, msg);
  throw Napi::TypeError::New(env, msg);
}

// { data: Float32Array } or { data: Uint8Array, scale, zeroPoint } -> floats (dequantized as TFLite does).
std::vector<float> tensor_arg(const Napi::Value& v, const char* name, size_t expected) {
  Napi::Env env = v.Env();
  if (!v.IsObject()) fail(env, false, std::string("Expected an object { data, scale?, zeroPoint? } for ") + name);
  Napi::Object o = v.As<Napi::Object>();
  Napi::Value d = o.Get("data");
  if (!d.IsTypedArray()) fail(env, false, std::string("Expected a Float32Array or Uint8Array for ") + name + ".data");
  Napi::TypedArray t = d.As<Napi::TypedArray>();
  if (t.ElementLength() != expected)
    fail(env, true, std::string("Expected ") + name + ".data of length " + std::to_string(expected) +
                        " but received length " + std::to_string(t.ElementLength()));
  std::vector<float> out(expected);
  if (t.TypedArrayType() == napi_float32_array) {
    const float* p = d.As<Napi::Float32Array>().Data();
    std::copy(p, p + expected, out.begin());
  } else if (t.TypedArrayType() == napi_uint8_array) {
    Napi::Value s = o.Get("scale"), z = o.Get("zeroPoint");
    if (!s.IsNumber() || !z.IsNumber())
      fail(env, false, std::string("Expected numbers for ") + name + ".scale and " + name + ".zeroPoint (uint8 data)");
    const double scale = s.As<Napi::Number>().DoubleValue(), zp = z.As<Napi::Number>().DoubleValue();
    if (!(scale > 0 && scale < 1e30) || !(zp >= 0 && zp <= 255) || zp != (double)(int)zp)
      fail(env, true, std::string("Expected a positive scale and an integer zero point 0..255 for ") + name);
    mn::dequantize_u8(d.As<Napi::Uint8Array>().Data(), expected, (int32_t)zp, (float)scale, out.data());
  } else {
    fail(env, false, std::string("Expected a Float32Array or Uint8Array for ") + name + ".data");
  }
  return out;
}

int int_option(const Napi::Object& o, const char* key, int dflt) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return dflt;
  if (!v.IsNumber()) fail(o.Env(), false, std::string("Expected a number for options.") + key);
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= -1e9 && d <= 1e9) || d != (double)(int)d) fail(o.Env(), true, std::string("Expected an integer for options.") + key);
  return (int)d;
}

float float_option(const Napi::Object& o, const char* key, float dflt) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return dflt;
  if (!v.IsNumber()) fail(o.Env(), false, std::string("Expected a number for options.") + key);
  return (float)v.As<Napi::Number>().DoubleValue();
}

}  // namespace

// detectionPostprocess(boxes, scores, anchors, numBoxes, boxCodeLength, classesWithBackground, options)
//   -> { boxes: Float32Array(slots*4), classes: Float32Array(slots), scores: Float32Array(slots), count }
Napi::Value DetectionPostprocess(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto count_arg = [&](int i, const char* name, double hi) {
    if (!info[i].IsNumber()) fail(env, false, std::string("Expected a number for ") + name);
    const double d = info[i].As<Napi::Number>().DoubleValue();
    if (!(d >= 1 && d <= hi) || d != (double)(size_t)d) fail(env, true, std::string("Expected a positive integer for ") + name);
    return (size_t)d;
  };
  const size_t num_boxes = count_arg(3, "numBoxes", 1 << 24);
  const size_t code = count_arg(4, "boxCodeLength", 64);
  const size_t width = count_arg(5, "classesWithBackground", 1 << 16);
  if (!info[6].IsObject()) fail(env, false, "Expected an object for options");
  Napi::Object o = info[6].As<Napi::Object>();
  mn::DetectionPostprocessOptions opt;
  opt.max_detections = int_option(o, "max_detections", opt.max_detections);
  opt.max_classes_per_detection = int_option(o, "max_classes_per_detection", opt.max_classes_per_detection);
  opt.detections_per_class = int_option(o, "detections_per_class", opt.detections_per_class);
  opt.nms_score_threshold = float_option(o, "nms_score_threshold", opt.nms_score_threshold);
  opt.nms_iou_threshold = float_option(o, "nms_iou_threshold", opt.nms_iou_threshold);
  opt.num_classes = int_option(o, "num_classes", opt.num_classes);
  Napi::Value regular = o.Get("use_regular_nms");
  if (!regular.IsUndefined()) {
    if (!regular.IsBoolean()) fail(env, false, "Expected a boolean for options.use_regular_nms");
    opt.use_regular_nms = regular.As<Napi::Boolean>().Value();
  }
  opt.y_scale = float_option(o, "y_scale", opt.y_scale);
  opt.x_scale = float_option(o, "x_scale", opt.x_scale);
  opt.h_scale = float_option(o, "h_scale", opt.h_scale);
  opt.w_scale = float_option(o, "w_scale", opt.w_scale);
  const std::string err = mn::check_detection_postprocess(opt, num_boxes, code, width);
  if (!err.empty()) fail(env, true, err);

  const std::vector<float> boxes = tensor_arg(info[0], "boxes", num_boxes * code);
  const std::vector<float> scores = tensor_arg(info[1], "scores", num_boxes * width);
  const std::vector<float> anchors = tensor_arg(info[2], "anchors", num_boxes * 4);
  const size_t slots = mn::detection_slots(opt);
  Napi::Float32Array out_boxes = Napi::Float32Array::New(env, slots * 4);
  Napi::Float32Array out_classes = Napi::Float32Array::New(env, slots);
  Napi::Float32Array out_scores = Napi::Float32Array::New(env, slots);
  float count = 0;
  mn::DetectionScratch scratch;
  const std::string run_err = mn::detection_postprocess(opt, boxes.data(), code, anchors.data(), scores.data(), num_boxes, width,
                                                        scratch, out_boxes.Data(), out_classes.Data(), out_scores.Data(), &count);
  if (!run_err.empty()) fail(env, true, run_err);
  Napi::Object r = Napi::Object::New(env);
  r.Set("boxes", out_boxes);
  r.Set("classes", out_classes);
  r.Set("scores", out_scores);
  r.Set("count", Napi::Number::New(env, count));
  return r;
}
