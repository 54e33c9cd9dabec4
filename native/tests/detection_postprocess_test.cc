// TFLite_Detection_PostProcess pieces that must not depend on the platform:
// - decreasing_partial_arg_sort is libstdc++'s std::partial_sort step for step: compared with the real
//   std::partial_sort on tie-heavy inputs of every size (this binary is built against libstdc++ on every
//   target we test, including the qemu ARM ones). TFLite's output order of tied scores comes from it.
// - box decoding is separate float multiplies and adds (no FMA contraction): compared with the same formula
//   evaluated through volatile temporaries, bit for bit.
// - NMS basics on hand-made boxes (suppression by IoU > threshold, score threshold, regular vs fast).
// The comparison with TFLite 2.2 itself is test/detection-postprocess.test.ts (goldens in test/fixtures/ssd).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <random>
#include <vector>

#include "runtime/detection_postprocess.h"

namespace {

int g_failures = 0, g_cases = 0;

void check(bool ok, const char* what, int n = -1) {
  g_cases++;
  if (!ok) {
    g_failures++;
    std::fprintf(stderr, "FAIL %s (case %d)\n", what, n);
  }
}

void test_partial_sort() {
  std::mt19937 rng(1234);
  for (int n = 0; n <= 300; n++) {
    for (int levels : {1, 2, 3, 7, 1000}) {
      std::vector<float> v(n);
      std::uniform_int_distribution<int> d(0, levels - 1);
      for (float& x : v) x = static_cast<float>(d(rng)) / 8.f;
      for (int k : {0, 1, 2, n / 3, n - 1, n}) {
        if (k < 0 || k > n) continue;
        std::vector<int> mine(n), ref(n);
        mn::decreasing_partial_arg_sort(v.data(), n, k, mine.data());
        std::iota(ref.begin(), ref.end(), 0);
        std::partial_sort(ref.begin(), ref.begin() + k, ref.end(), [&](int a, int b) { return v[a] > v[b]; });
        check(mine == ref, "decreasing_partial_arg_sort == std::partial_sort", n);
      }
    }
  }
}

void test_decode_no_fma() {
  std::mt19937 rng(99);
  std::uniform_real_distribution<float> u(-3.f, 3.f), p(0.05f, 0.9f);
  const int n = 512;
  std::vector<float> enc(4 * n), anchors(4 * n), scores(2 * n, 0.f);
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < 4; j++) enc[4 * i + j] = u(rng);
    for (int j = 0; j < 4; j++) anchors[4 * i + j] = p(rng);
    scores[2 * i + 1] = 0.5f + 0.0001f * i;  // one class, all distinct, all kept
  }
  mn::DetectionPostprocessOptions o;
  o.num_classes = 1;
  o.max_detections = n;
  o.nms_iou_threshold = 1.f;  // nothing overlaps more than 1: every box is kept, best score first
  std::vector<float> boxes(4 * n), classes(n), sc(n);
  float count = 0;
  mn::DetectionScratch s;
  const std::string err = mn::detection_postprocess(o, enc.data(), 4, anchors.data(), scores.data(), n, 2, s,
                                                    boxes.data(), classes.data(), sc.data(), &count);
  check(err.empty(), "decode runs");
  check(count == n, "all boxes kept");
  for (int k = 0; k < n && err.empty(); k++) {
    const int i = n - 1 - k;  // scores increase with i
    const float* e = &enc[4 * i];
    const float* a = &anchors[4 * i];
    volatile float t1 = e[0] / o.y_scale;
    volatile float t2 = t1 * a[2];
    volatile float yc = t2 + a[0];
    volatile float t3 = e[2] / o.h_scale;
    volatile float ex = static_cast<float>(std::exp(static_cast<float>(t3)));
    volatile float t4 = 0.5f * ex;
    volatile float hh = t4 * a[2];
    volatile float ymin = yc - hh;
    volatile float ymax = yc + hh;
    check(boxes[4 * k] == ymin && boxes[4 * k + 2] == ymax, "decode is float multiply then add, no FMA", k);
  }
}

void test_nms() {
  // Three boxes: 0 and 1 overlap (IoU 0.6), 2 apart. Class scores: box0 0.9, box1 0.8, box2 0.3.
  const float anchors[] = {0.5f, 0.5f, 0.2f, 0.2f, 0.5f, 0.55f, 0.2f, 0.2f, 0.1f, 0.1f, 0.1f, 0.1f};
  const float enc[12] = {};
  const float scores[] = {0, 0.9f, 0, 0.8f, 0, 0.3f};
  mn::DetectionPostprocessOptions o;
  o.num_classes = 1;
  o.max_detections = 3;
  o.nms_score_threshold = 0.f;
  float boxes[12], classes[3], sc[3], count;
  mn::DetectionScratch s;
  o.nms_iou_threshold = 0.5f;
  mn::detection_postprocess(o, enc, 4, anchors, scores, 3, 2, s, boxes, classes, sc, &count);
  check(count == 2 && sc[0] == 0.9f && sc[1] == 0.3f && sc[2] == 0.f, "box 1 suppressed by box 0 at IoU 0.6 > 0.5");
  o.nms_iou_threshold = 0.7f;
  mn::detection_postprocess(o, enc, 4, anchors, scores, 3, 2, s, boxes, classes, sc, &count);
  check(count == 3 && sc[1] == 0.8f, "box 1 kept at IoU 0.6 <= 0.7");
  o.nms_score_threshold = 0.5f;
  mn::detection_postprocess(o, enc, 4, anchors, scores, 3, 2, s, boxes, classes, sc, &count);
  check(count == 2 && sc[1] == 0.8f, "score threshold drops box 2");
  o.use_regular_nms = true;
  o.nms_score_threshold = 0.f;
  o.detections_per_class = 1;
  mn::detection_postprocess(o, enc, 4, anchors, scores, 3, 2, s, boxes, classes, sc, &count);
  check(count == 1 && sc[0] == 0.9f && classes[0] == 0.f, "regular NMS keeps detections_per_class");
}

}  // namespace

int main() {
  test_partial_sort();
  test_decode_no_fma();
  test_nms();
  std::printf("detection_postprocess_test: %d checks, %d failed\n", g_cases, g_failures);
  return g_failures ? 1 : 0;
}
