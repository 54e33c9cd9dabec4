// TFLite_Detection_PostProcess (SSD's last op), as TensorFlow Lite 2.2 computes it
// (tensorflow/lite/kernels/detection_postprocess.cc at v2.2.0): centre-size box decoding against the
// anchors, then fast (one NMS over each anchor's best class) or regular (per-class) non-max suppression.
// Bit-for-bit choices that matter and are kept: float (not double) decoding, inputs dequantized as
// (float(q) - zero_point) * scale, score kept when >= threshold, box suppressed when IoU > threshold,
// and TFLite's ordering of tied scores: std::partial_sort as libstdc++ implements it (a heap select +
// heap sort, unstable), reproduced here step by step so every platform and C++ library orders ties alike.
// Deviation: fast NMS with max_classes_per_detection > 1 writes detection d's classes at
// [d * max_classes_per_detection + c] and counts detections (TFLite 2.2 wrote past its outputs there;
// later TFLite does what is done here).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mn {

struct DetectionPostprocessOptions {
  int max_detections = 10;
  int max_classes_per_detection = 1;  // fast NMS: classes reported per detected box
  int detections_per_class = 100;     // regular NMS: boxes kept per class
  float nms_score_threshold = 0.f;
  float nms_iou_threshold = 0.5f;
  int num_classes = 90;               // without the background column
  bool use_regular_nms = false;
  float y_scale = 10.f, x_scale = 10.f, h_scale = 5.f, w_scale = 5.f;
};

// Empty when the options and sizes can run; otherwise what does not fit (for an exception message).
// num_classes_with_background: the class-prediction row width (num_classes or num_classes + 1).
std::string check_detection_postprocess(const DetectionPostprocessOptions& o, size_t num_boxes,
                                        size_t box_code_length, size_t num_classes_with_background);

// Output slots: max_detections * max_classes_per_detection.
inline size_t detection_slots(const DetectionPostprocessOptions& o) {
  return static_cast<size_t>(o.max_detections) * static_cast<size_t>(o.max_classes_per_detection);
}

// Reused scratch (one per concurrent run): sized on first use, no allocation after.
struct DetectionScratch {
  std::vector<float> decoded;         // num_boxes x 4 (ymin, xmin, ymax, xmax)
  std::vector<float> class_scores;    // num_boxes
  std::vector<float> keep_scores;
  std::vector<int> keep_indices, sorted, selected, class_indices;
  std::vector<uint8_t> active;
  std::vector<int> merged_indices, merged_sorted;
  std::vector<float> merged_scores, merged_values;
  std::vector<float> boxes_f, scores_f;  // dequantized uint8 inputs (integer SSD)
};

// (float(q) - zero_point) * scale per element, TFLite's Dequantizer.
void dequantize_u8(const uint8_t* q, size_t n, int32_t zero_point, float scale, float* out);

// box_encodings: num_boxes x box_code_length (y, x, h, w first); anchors: num_boxes x 4 (y, x, h, w);
// scores: num_boxes x num_classes_with_background (background first when there is one).
// Outputs (detection_slots(o) entries; unused ones zero): boxes x 4 (ymin, xmin, ymax, xmax, in the
// anchors' normalised units), classes (0-based, background excluded), scores; *count = detections written.
// Returns "" or an error: what check_detection_postprocess reports, or a decoded box with
// ymin >= ymax or xmin >= xmax (TFLite fails the op on those too).
std::string detection_postprocess(const DetectionPostprocessOptions& o, const float* box_encodings,
                                  size_t box_code_length, const float* anchors, const float* scores,
                                  size_t num_boxes, size_t num_classes_with_background,
                                  DetectionScratch& scratch, float* out_boxes, float* out_classes,
                                  float* out_scores, float* out_count);

// libstdc++'s std::partial_sort over indices by decreasing values[i], reproduced exactly (exposed for tests).
void decreasing_partial_arg_sort(const float* values, int num_values, int num_to_sort, int* indices);

}  // namespace mn
