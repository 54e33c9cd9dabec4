// TFLite_Detection_PostProcess; see the header for what is matched bit for bit and why.
// This file is built with -ffp-contract=off (CMakeLists.txt): a fused multiply-add in the box decoding
// would round differently from TFLite's separate float multiply and add.
#include "detection_postprocess.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace mn {

namespace {

// ---- libstdc++'s heap algorithms (bits/stl_heap.h, bits/stl_algo.h), over int indices, comp(a, b) =
// values[a] > values[b]. Kept step for step: the order they leave tied values in is TFLite's output order.
struct Greater {
  const float* v;
  bool operator()(int a, int b) const { return v[a] > v[b]; }
};

void push_heap(int* first, long hole, long top, int value, Greater comp) {
  long parent = (hole - 1) / 2;
  while (hole > top && comp(first[parent], value)) {
    first[hole] = first[parent];
    hole = parent;
    parent = (hole - 1) / 2;
  }
  first[hole] = value;
}

void adjust_heap(int* first, long hole, long len, int value, Greater comp) {
  const long top = hole;
  long child = hole;
  while (child < (len - 1) / 2) {
    child = 2 * (child + 1);
    if (comp(first[child], first[child - 1])) child--;
    first[hole] = first[child];
    hole = child;
  }
  if ((len & 1) == 0 && child == (len - 2) / 2) {
    child = 2 * (child + 1);
    first[hole] = first[child - 1];
    hole = child - 1;
  }
  push_heap(first, hole, top, value, comp);
}

void make_heap(int* first, int* last, Greater comp) {
  const long len = last - first;
  if (len < 2) return;
  for (long parent = (len - 2) / 2;; parent--) {
    adjust_heap(first, parent, len, first[parent], comp);
    if (parent == 0) return;
  }
}

void pop_heap(int* first, int* last, int* result, Greater comp) {
  const int value = *result;
  *result = *first;
  adjust_heap(first, 0, last - first, value, comp);
}

void partial_sort(int* first, int* middle, int* last, Greater comp) {
  make_heap(first, middle, comp);  // __heap_select
  for (int* i = middle; i < last; ++i) {
    if (comp(*i, *first)) pop_heap(first, middle, i, comp);
  }
  while (middle - first > 1) {  // __sort_heap
    --middle;
    pop_heap(first, middle, middle, comp);
  }
}

struct Box {
  float ymin, xmin, ymax, xmax;
};

void store(const Box& b, float* out) {
  out[0] = b.ymin; out[1] = b.xmin; out[2] = b.ymax; out[3] = b.xmax;
}

float iou(const Box& a, const Box& b) {
  const float area_a = (a.ymax - a.ymin) * (a.xmax - a.xmin);
  const float area_b = (b.ymax - b.ymin) * (b.xmax - b.xmin);
  if (area_a <= 0 || area_b <= 0) return 0.f;
  const float ymin = std::max(a.ymin, b.ymin), xmin = std::max(a.xmin, b.xmin);
  const float ymax = std::min(a.ymax, b.ymax), xmax = std::min(a.xmax, b.xmax);
  const float inter = std::max(ymax - ymin, 0.f) * std::max(xmax - xmin, 0.f);
  return inter / (area_a + area_b - inter);
}

// NonMaxSuppressionSingleClassHelper: indices of the kept boxes, best first, at most max_detections.
void nms_single_class(const DetectionPostprocessOptions& o, const Box* boxes, const float* scores, size_t num_boxes,
                      int max_detections, DetectionScratch& s, std::vector<int>& selected) {
  s.keep_scores.clear();
  s.keep_indices.clear();
  for (size_t i = 0; i < num_boxes; i++) {
    if (scores[i] >= o.nms_score_threshold) {
      s.keep_scores.push_back(scores[i]);
      s.keep_indices.push_back(static_cast<int>(i));
    }
  }
  const int kept = static_cast<int>(s.keep_scores.size());
  s.sorted.resize(kept);
  decreasing_partial_arg_sort(s.keep_scores.data(), kept, kept, s.sorted.data());
  const size_t output_size = static_cast<size_t>(std::min(kept, max_detections));
  selected.clear();
  s.active.assign(kept, 1);
  int active = kept;
  for (int i = 0; i < kept; ++i) {
    if (active == 0 || selected.size() >= output_size) break;
    if (!s.active[i]) continue;
    const int bi = s.keep_indices[s.sorted[i]];
    selected.push_back(bi);
    s.active[i] = 0;
    active--;
    for (int j = i + 1; j < kept; ++j) {
      if (s.active[j] && iou(boxes[bi], boxes[s.keep_indices[s.sorted[j]]]) > o.nms_iou_threshold) {
        s.active[j] = 0;
        active--;
      }
    }
  }
}

}  // namespace

void decreasing_partial_arg_sort(const float* values, int num_values, int num_to_sort, int* indices) {
  std::iota(indices, indices + num_values, 0);
  partial_sort(indices, indices + num_to_sort, indices + num_values, Greater{values});
}

void dequantize_u8(const uint8_t* q, size_t n, int32_t zero_point, float scale, float* out) {
  const float zp = static_cast<float>(zero_point);
  for (size_t i = 0; i < n; i++) out[i] = (static_cast<float>(q[i]) - zp) * scale;
}

std::string check_detection_postprocess(const DetectionPostprocessOptions& o, size_t num_boxes,
                                        size_t box_code_length, size_t num_classes_with_background) {
  auto bad = [](const char* what, double v, const char* expected) {
    std::string s = "TFLite_Detection_PostProcess: ";
    s += what;
    s += " is ";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    s += buf;
    s += ", expected ";
    s += expected;
    return s;
  };
  if (o.max_detections < 0 || o.max_detections > 100000) return bad("max_detections", o.max_detections, "0..100000");
  if (o.max_classes_per_detection < 1 || o.max_classes_per_detection > 100000)
    return bad("max_classes_per_detection", o.max_classes_per_detection, "1..100000");
  if (o.use_regular_nms && (o.detections_per_class < 1 || o.detections_per_class > 100000))
    return bad("detections_per_class", o.detections_per_class, "1..100000");
  if (!(o.nms_iou_threshold > 0.f && o.nms_iou_threshold <= 1.f))
    return bad("nms_iou_threshold", o.nms_iou_threshold, "a number in (0, 1]");
  if (std::isnan(o.nms_score_threshold)) return bad("nms_score_threshold", o.nms_score_threshold, "a number");
  if (o.num_classes < 1) return bad("num_classes", o.num_classes, "at least 1");
  for (float v : {o.y_scale, o.x_scale, o.h_scale, o.w_scale}) {
    if (!(std::isfinite(v) && v != 0.f)) return bad("a box scale (y_scale, x_scale, h_scale, w_scale)", v, "a finite non-zero number");
  }
  if (num_boxes < 1 || num_boxes > (1u << 24)) return bad("the number of boxes", static_cast<double>(num_boxes), "1..16777216");
  if (box_code_length < 4) return bad("the box encoding length", static_cast<double>(box_code_length), "at least 4 (y, x, h, w)");
  const size_t nc = static_cast<size_t>(o.num_classes);
  if (num_classes_with_background != nc && num_classes_with_background != nc + 1)
    return bad("the class-prediction width", static_cast<double>(num_classes_with_background),
               "num_classes or num_classes + 1 (with a background column)");
  return "";
}

std::string detection_postprocess(const DetectionPostprocessOptions& o, const float* box_encodings,
                                  size_t box_code_length, const float* anchors, const float* scores,
                                  size_t num_boxes, size_t num_classes_with_background,
                                  DetectionScratch& s, float* out_boxes, float* out_classes,
                                  float* out_scores, float* out_count) {
  std::string err = check_detection_postprocess(o, num_boxes, box_code_length, num_classes_with_background);
  if (!err.empty()) return err;
  const size_t slots = detection_slots(o);
  std::fill(out_boxes, out_boxes + 4 * slots, 0.f);
  std::fill(out_classes, out_classes + slots, 0.f);
  std::fill(out_scores, out_scores + slots, 0.f);
  *out_count = 0.f;

  // DecodeCenterSizeBoxes, in float as TFLite 2.2 does.
  s.decoded.resize(4 * num_boxes);
  Box* boxes = reinterpret_cast<Box*>(s.decoded.data());
  for (size_t i = 0; i < num_boxes; i++) {
    const float* e = box_encodings + i * box_code_length;
    const float* a = anchors + 4 * i;  // y, x, h, w
    const float ycenter = e[0] / o.y_scale * a[2] + a[0];
    const float xcenter = e[1] / o.x_scale * a[3] + a[1];
    const float half_h = 0.5f * static_cast<float>(std::exp(e[2] / o.h_scale)) * a[2];
    const float half_w = 0.5f * static_cast<float>(std::exp(e[3] / o.w_scale)) * a[3];
    boxes[i] = {ycenter - half_h, xcenter - half_w, ycenter + half_h, xcenter + half_w};
  }
  // ValidateBoxes (TFLite 2.2 checks every decoded box before any NMS).
  for (size_t i = 0; i < num_boxes; i++) {
    const Box& b = boxes[i];
    if (!(b.ymin < b.ymax) || !(b.xmin < b.xmax)) {
      char buf[256];
      std::snprintf(buf, sizeof buf,
                    "TFLite_Detection_PostProcess: box %zu decodes to ymin %.9g, xmin %.9g, ymax %.9g, xmax %.9g; "
                    "expected ymin < ymax and xmin < xmax", i, b.ymin, b.xmin, b.ymax, b.xmax);
      return buf;
    }
  }

  const int num_classes = o.num_classes;
  const int width = static_cast<int>(num_classes_with_background);
  const int label_offset = width - num_classes;
  const int nb = static_cast<int>(num_boxes);

  if (!o.use_regular_nms) {
    // NonMaxSuppressionMultiClassFastHelper: each anchor's best classes, one NMS over the best scores.
    const int per_anchor = std::min(o.max_classes_per_detection, num_classes);
    s.class_scores.resize(num_boxes);
    s.class_indices.resize(num_boxes * static_cast<size_t>(num_classes));
    for (int row = 0; row < nb; row++) {
      const float* box_scores = scores + static_cast<size_t>(row) * width + label_offset;
      int* idx = s.class_indices.data() + static_cast<size_t>(row) * num_classes;
      decreasing_partial_arg_sort(box_scores, num_classes, per_anchor, idx);
      s.class_scores[row] = box_scores[idx[0]];
    }
    nms_single_class(o, boxes, s.class_scores.data(), num_boxes, o.max_detections, s, s.selected);
    int n = 0;
    for (int sel : s.selected) {
      const float* box_scores = scores + static_cast<size_t>(sel) * width + label_offset;
      const int* idx = s.class_indices.data() + static_cast<size_t>(sel) * num_classes;
      for (int c = 0; c < per_anchor; c++) {
        const size_t slot = static_cast<size_t>(n) * o.max_classes_per_detection + c;
        store(boxes[sel], out_boxes + 4 * slot);
        out_classes[slot] = static_cast<float>(idx[c]);
        out_scores[slot] = box_scores[idx[c]];
      }
      n++;
    }
    *out_count = static_cast<float>(n);
    return "";
  }

  // NonMaxSuppressionMultiClassRegularHelper: NMS per class, then the best max_detections over all classes,
  // merged class by class with TFLite's partial sorts.
  const int max_det = o.max_detections;
  s.class_scores.resize(num_boxes);
  s.merged_indices.assign(num_boxes + max_det, 0);
  s.merged_scores.assign(num_boxes + max_det, 0.f);
  s.merged_sorted.assign(num_boxes + max_det, 0);
  s.merged_values.assign(max_det, 0.f);
  int size_sorted = 0;
  for (int col = 0; col < num_classes; col++) {
    for (int row = 0; row < nb; row++) s.class_scores[row] = scores[static_cast<size_t>(row) * width + col + label_offset];
    nms_single_class(o, boxes, s.class_scores.data(), num_boxes, o.detections_per_class, s, s.selected);
    int out = size_sorted;
    for (int sel : s.selected) {
      s.merged_indices[out] = sel * width + col + label_offset;
      s.merged_scores[out] = s.class_scores[sel];
      out++;
    }
    const int to_sort = std::min(out, max_det);
    decreasing_partial_arg_sort(s.merged_scores.data(), out, to_sort, s.merged_sorted.data());
    for (int r = 0; r < to_sort; r++) {
      const int t = s.merged_sorted[r];
      s.merged_sorted[r] = s.merged_indices[t];
      s.merged_values[r] = s.merged_scores[t];
    }
    for (int r = 0; r < to_sort; r++) {
      s.merged_indices[r] = s.merged_sorted[r];
      s.merged_scores[r] = s.merged_values[r];
    }
    size_sorted = to_sort;
  }
  for (int k = 0; k < size_sorted; k++) {
    const int anchor = s.merged_indices[k] / width;
    const int cls = s.merged_indices[k] - anchor * width - label_offset;
    store(boxes[anchor], out_boxes + 4 * k);
    out_classes[k] = static_cast<float>(cls);
    out_scores[k] = s.merged_scores[k];
  }
  *out_count = static_cast<float>(size_sorted);
  return "";
}

}  // namespace mn
