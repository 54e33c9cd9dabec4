#include "preprocess.h"

#include <cmath>
#include <vector>


namespace mn {

void build_normalization_lut(Normalization n, float lut[256]) {
  for (int x = 0; x < 256; x++) {
    if (n == Normalization::Tfjs)
      lut[x] = (float)((double)x / 127.5) - 1.0f;  // float32(x / 127.5) then float32 - 1 (Keras/TF.js)
    else if (n == Normalization::Tflite)
      lut[x] = ((float)x - 127.5f) / 127.5f;        // TFLite float: exact subtraction, one float32 division
    else
      lut[x] = (float)(x - 128) / 128.0f;           // TFLite uint8 input: scale 1/128, zero point 128 (exact)
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

// Rows are interpolated horizontally once per needed source row pair, then blended
// vertically. float32 arithmetic: it agrees with the float64 reference except when a value
// lands within ~1e-5 of a .5 rounding tie (then it may differ by one level).
template <size_t CH, class Emit>
void crop_resize_ch(const uint8_t* data, size_t width, size_t height, size_t R, bool stretch, Emit emit) {
  // stretch: the whole frame, each axis scaled on its own (detectors); else the centre square.
  const size_t s = std::min(width, height);
  const size_t sw = stretch ? width : s, sh = stretch ? height : s;
  const size_t x0 = (width - sw) / 2, y0 = (height - sh) / 2;
  const size_t stride = width * CH;
  if (sw == R && sh == R) {
    for (size_t y = 0; y < R; y++) {
      const uint8_t* row = data + (y0 + y) * stride + x0 * CH;
      for (size_t x = 0; x < R; x++)
        for (size_t c = 0; c < 3; c++) emit((y * R + x) * 3 + c, row[x * CH + c]);
    }
    return;
  }
  // Reused across calls: no allocation per frame once the largest resolution has been seen.
  // (Pointers are taken once: each thread_local access from a shared library is a call.)
  static thread_local std::vector<Tap> tx_store, ty_store;
  static thread_local std::vector<float> top_store, bot_store;
  tx_store.resize(R);
  ty_store.resize(R);
  top_store.resize(R * 3);
  bot_store.resize(R * 3);
  Tap* const tx = tx_store.data();
  Tap* const ty = ty_store.data();
  float* const top = top_store.data();
  float* const bot = bot_store.data();
  axis_taps(sw, R, tx);
  axis_taps(sh, R, ty);
  auto hpass = [=](const uint8_t* row, float* dst) {
    for (size_t x = 0; x < R; x++) {
      const uint8_t* l = row + tx[x].lo * CH;
      const uint8_t* r = row + tx[x].hi * CH;
      const float fx = (float)tx[x].f;
      for (size_t c = 0; c < 3; c++) dst[x * 3 + c] = (float)l[c] + ((float)r[c] - (float)l[c]) * fx;
    }
  };
  for (size_t y = 0; y < R; y++) {
    const uint8_t* base = data + y0 * stride + x0 * CH;
    hpass(base + ty[y].lo * stride, top);
    hpass(base + ty[y].hi * stride, bot);
    const float fy = (float)ty[y].f;
    for (size_t i = 0; i < R * 3; i++) {
      // Math.round (ties toward +inf) then clamp: truncation equals floor for v + 0.5 >= 0, and
      // anything below rounds to 0 either way (std::floor would be a libm call without SSE4.1).
      const int v = (int)(top[i] + (bot[i] - top[i]) * fy + 0.5f);
      emit(y * R * 3 + i, (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : v)));
    }
  }
}

template <class Emit>
void crop_resize(const uint8_t* data, size_t width, size_t height, size_t channels, size_t R, bool stretch, Emit emit) {
  if (channels == 4) crop_resize_ch<4>(data, width, height, R, stretch, emit);
  else crop_resize_ch<3>(data, width, height, R, stretch, emit);
}

}  // namespace

void preprocess_frame(const uint8_t* data, size_t width, size_t height, size_t channels, size_t R,
                      const float lut[256], float* out, bool stretch) {
  crop_resize(data, width, height, channels, R, stretch, [&](size_t i, uint8_t v) { out[i] = lut[v]; });
}

void resize_frame_u8(const uint8_t* data, size_t width, size_t height, size_t channels, size_t R, uint8_t* out, bool stretch) {
  crop_resize(data, width, height, channels, R, stretch, [&](size_t i, uint8_t v) { out[i] = v; });
}

}  // namespace mn
