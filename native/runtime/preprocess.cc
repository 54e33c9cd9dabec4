#include "preprocess.h"

#include <cmath>
#include <vector>

#include "network.h"

namespace mn {

void build_normalization_lut(Normalization n, float lut[256]) {
  for (int x = 0; x < 256; x++) {
    if (n == Normalization::Tfjs)
      lut[x] = (float)((double)x / 127.5) - 1.0f;  // float32(x / 127.5) then float32 - 1 (Keras/TF.js)
    else
      lut[x] = ((float)x - 127.5f) / 127.5f;        // TFLite: exact subtraction, one float32 division
  }
}

namespace {

struct Tap { size_t lo, hi; double f; };

// Half-pixel taps for one axis of the crop (n pixels) to R outputs, as the reference computes
// them in float64: v = (o + 0.5) * n / R - 0.5, lo = max(floor v, 0), hi = min(ceil v, n - 1).
void axis_taps(size_t n, size_t R, Tap* taps) {
  const double scale = (double)n / (double)R;
  for (size_t o = 0; o < R; o++) {
    const double v = ((double)o + 0.5) * scale - 0.5;
    const double fl = std::floor(v);
    taps[o].lo = fl < 0 ? 0 : (size_t)fl;
    const double ce = std::ceil(v);
    taps[o].hi = ce < 0 ? 0 : std::min((size_t)ce, n - 1);
    taps[o].f = v - fl;
  }
}

template <class Emit>
void crop_resize(const uint8_t* data, size_t width, size_t height, size_t channels, size_t R, Emit emit) {
  const size_t s = std::min(width, height);
  const size_t x0 = (width - s) / 2, y0 = (height - s) / 2;
  const size_t stride = width * channels;
  if (s == R) {
    for (size_t y = 0; y < R; y++) {
      const uint8_t* row = data + (y0 + y) * stride + x0 * channels;
      for (size_t x = 0; x < R; x++)
        for (size_t c = 0; c < 3; c++) emit((y * R + x) * 3 + c, row[x * channels + c]);
    }
    return;
  }
  // Reused across calls: no allocation per frame once the largest resolution has been seen.
  static thread_local std::vector<Tap> tx, ty;
  tx.resize(R);
  ty.resize(R);
  axis_taps(s, R, tx.data());
  axis_taps(s, R, ty.data());
  for (size_t y = 0; y < R; y++) {
    const uint8_t* top = data + (y0 + ty[y].lo) * stride + x0 * channels;
    const uint8_t* bot = data + (y0 + ty[y].hi) * stride + x0 * channels;
    const double fy = ty[y].f;
    for (size_t x = 0; x < R; x++) {
      const size_t l = tx[x].lo * channels, r = tx[x].hi * channels;
      const double fx = tx[x].f;
      for (size_t c = 0; c < 3; c++) {
        const double t = top[l + c] + (top[r + c] - (double)top[l + c]) * fx;
        const double b = bot[l + c] + (bot[r + c] - (double)bot[l + c]) * fx;
        double v = std::floor(t + (b - t) * fy + 0.5);  // Math.round: ties toward +inf
        v = v < 0 ? 0 : (v > 255 ? 255 : v);
        emit((y * R + x) * 3 + c, (uint8_t)v);
      }
    }
  }
}

}  // namespace

void preprocess_frame(const uint8_t* data, size_t width, size_t height, size_t channels, size_t R,
                      const float lut[256], float* out) {
  crop_resize(data, width, height, channels, R, [&](size_t i, uint8_t v) { out[i] = lut[v]; });
}

void resize_frame_u8(const uint8_t* data, size_t width, size_t height, size_t channels, size_t R, uint8_t* out) {
  crop_resize(data, width, height, channels, R, [&](size_t i, uint8_t v) { out[i] = v; });
}

}  // namespace mn
