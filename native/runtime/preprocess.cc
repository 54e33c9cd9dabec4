#include "preprocess.h"

#include <algorithm>
#include <cmath>
#include <vector>


namespace mn {

void build_normalization_lut(Normalization n, float lut[256], float scale, float zero_point) {
  for (int x = 0; x < 256; x++) {
    if (n == Normalization::Tfjs)
      lut[x] = (float)((double)x / 127.5) - 1.0f;  // float32(x / 127.5) then float32 - 1 (Keras/TF.js)
    else if (n == Normalization::Tflite)
      lut[x] = ((float)x - 127.5f) / 127.5f;        // TFLite float: exact subtraction, one float32 division
    else if (n == Normalization::Quantized)
      lut[x] = scale * ((float)x - zero_point);     // the input tensor's quantization: real = scale * (q - zp)
    else
      lut[x] = (float)(x - 128) / 128.0f;           // TFLite uint8 input: scale 1/128, zero point 128 (exact)
  }
}

size_t frame_min_stride(FrameFormat f, size_t width) {
  switch (f) {
    case FrameFormat::Rgb: case FrameFormat::Bgr: return width * 3;
    case FrameFormat::Rgba: case FrameFormat::Bgra: return width * 4;
    case FrameFormat::Gray: case FrameFormat::I420: return width;
    case FrameFormat::Nv12: return (width + 1) / 2 * 2;  // the UV rows (U V per 2 pixels) share the Y stride
    case FrameFormat::Yuyv: return (width + 1) / 2 * 4;  // Y0 U Y1 V per pair of pixels
  }
  return 0;
}

const char* frame_check(const FrameView& f, uint64_t* needed) {
  *needed = 0;
  if ((int)f.format < 0 || (int)f.format > (int)FrameFormat::Yuyv) return "unknown frame format";
  if (f.width < 1 || f.height < 1 || f.width > 65536 || f.height > 65536) return "width and height must be in [1, 65536]";
  const uint64_t min_stride = frame_min_stride(f.format, f.width);
  const uint64_t stride = f.stride ? f.stride : min_stride;
  if (stride < min_stride) return "stride is smaller than a row";
  if (f.format == FrameFormat::Nv12 && stride % 2 != 0) return "stride of an NV12 frame must be even";
  if (f.bottom_up && (f.format == FrameFormat::I420 || f.format == FrameFormat::Nv12))
    return "bottom-up rows apply to single-plane formats only";
  uint64_t need = stride * f.height;  // 64-bit: no 32-bit wrap on armv7
  const uint64_t ch = (f.height + 1) / 2;
  if (f.format == FrameFormat::I420) need += 2 * ((stride + 1) / 2) * ch;
  if (f.format == FrameFormat::Nv12) need += stride * ch;
  *needed = need;
  if (f.data == nullptr || (uint64_t)f.length != need) return "data length does not match the frame";
  return "";
}

namespace {

// BT.601 YUV -> RGB in 16-bit fixed point (libjpeg's and libyuv's approach): the same bytes on
// every ISA, whatever the compiler does with floating-point contraction.
inline uint8_t clamp_u8(int32_t v) { return (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : v)); }

inline void yuv_to_rgb(int y, int u, int v, bool full, uint8_t* rgb) {
  const int32_t U = u - 128, V = v - 128;
  if (full) {  // JFIF: R = Y + 1.402 V, G = Y - 0.344136 U - 0.714136 V, B = Y + 1.772 U
    const int32_t Y = y * 65536 + 32768;
    rgb[0] = clamp_u8((Y + 91881 * V) >> 16);
    rgb[1] = clamp_u8((Y - 22554 * U - 46802 * V) >> 16);
    rgb[2] = clamp_u8((Y + 116130 * U) >> 16);
  } else {  // ITU-R BT.601 limited range: 255/219 on Y, 255/224 on chroma
    const int32_t Y = (y - 16) * 76309 + 32768;
    rgb[0] = clamp_u8((Y + 104597 * V) >> 16);
    rgb[1] = clamp_u8((Y - 25675 * U - 53279 * V) >> 16);
    rgb[2] = clamp_u8((Y + 132201 * U) >> 16);
  }
}

// One reader per format: row(y) locates the row's planes once, px() converts one pixel to RGB.
struct Row { const uint8_t* p0; const uint8_t* p1; const uint8_t* p2; };

template <FrameFormat F>
struct Reader {
  const FrameView& f;
  size_t stride, cstride;
  const uint8_t *plane1, *plane2;
  explicit Reader(const FrameView& fv) : f(fv) {
    stride = f.stride ? f.stride : frame_min_stride(F, f.width);
    const uint8_t* end0 = f.data + stride * f.height;
    cstride = F == FrameFormat::I420 ? (stride + 1) / 2 : stride;
    plane1 = end0;
    plane2 = F == FrameFormat::I420 ? end0 + cstride * ((f.height + 1) / 2) : end0;
  }
  Row row(size_t y) const {
    const uint8_t* p0 = f.data + (f.bottom_up ? f.height - 1 - y : y) * stride;
    if (F == FrameFormat::I420) return {p0, plane1 + (y / 2) * cstride, plane2 + (y / 2) * cstride};
    if (F == FrameFormat::Nv12) return {p0, plane1 + (y / 2) * cstride, nullptr};
    return {p0, nullptr, nullptr};
  }
  void px(const Row& r, size_t x, uint8_t* rgb) const {
    switch (F) {
      case FrameFormat::Rgb: { const uint8_t* p = r.p0 + x * 3; rgb[0] = p[0]; rgb[1] = p[1]; rgb[2] = p[2]; break; }
      case FrameFormat::Bgr: { const uint8_t* p = r.p0 + x * 3; rgb[0] = p[2]; rgb[1] = p[1]; rgb[2] = p[0]; break; }
      case FrameFormat::Rgba:
      case FrameFormat::Bgra: {
        const uint8_t* p = r.p0 + x * 4;
        const uint32_t a = p[3], na = 255 - a;
        const int ri = F == FrameFormat::Rgba ? 0 : 2, bi = 2 - ri;
        rgb[0] = (uint8_t)((p[ri] * a + f.background[0] * na + 127) / 255);
        rgb[1] = (uint8_t)((p[1] * a + f.background[1] * na + 127) / 255);
        rgb[2] = (uint8_t)((p[bi] * a + f.background[2] * na + 127) / 255);
        break;
      }
      case FrameFormat::Gray: rgb[0] = rgb[1] = rgb[2] = r.p0[x]; break;
      case FrameFormat::I420: yuv_to_rgb(r.p0[x], r.p1[x / 2], r.p2[x / 2], f.full_range, rgb); break;
      case FrameFormat::Nv12: yuv_to_rgb(r.p0[x], r.p1[(x / 2) * 2], r.p1[(x / 2) * 2 + 1], f.full_range, rgb); break;
      case FrameFormat::Yuyv: {
        const uint8_t* p = r.p0 + (x / 2) * 4;
        yuv_to_rgb(p[(x & 1) * 2], p[1], p[3], f.full_range, rgb);
        break;
      }
    }
  }
};

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
template <FrameFormat F, class Emit>
void crop_resize_fmt(const FrameView& f, size_t R, bool stretch, Emit emit) {
  const Reader<F> src(f);
  // stretch: the whole frame, each axis scaled on its own (detectors); else the centre square.
  const size_t s = std::min(f.width, f.height);
  const size_t sw = stretch ? f.width : s, sh = stretch ? f.height : s;
  const size_t x0 = (f.width - sw) / 2, y0 = (f.height - sh) / 2;
  uint8_t rgb[3];
  if (sw == R && sh == R) {
    for (size_t y = 0; y < R; y++) {
      const Row row = src.row(y0 + y);
      for (size_t x = 0; x < R; x++) {
        src.px(row, x0 + x, rgb);
        for (size_t c = 0; c < 3; c++) emit((y * R + x) * 3 + c, rgb[c]);
      }
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
  auto hpass = [&](size_t y, float* dst) {
    const Row row = src.row(y0 + y);
    uint8_t l[3], r[3];
    for (size_t x = 0; x < R; x++) {
      src.px(row, x0 + tx[x].lo, l);
      src.px(row, x0 + tx[x].hi, r);
      const float fx = (float)tx[x].f;
      for (size_t c = 0; c < 3; c++) dst[x * 3 + c] = (float)l[c] + ((float)r[c] - (float)l[c]) * fx;
    }
  };
  for (size_t y = 0; y < R; y++) {
    hpass(ty[y].lo, top);
    hpass(ty[y].hi, bot);
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
void crop_resize(const FrameView& f, size_t R, bool stretch, Emit emit) {
  switch (f.format) {
    case FrameFormat::Rgb: crop_resize_fmt<FrameFormat::Rgb>(f, R, stretch, emit); break;
    case FrameFormat::Rgba: crop_resize_fmt<FrameFormat::Rgba>(f, R, stretch, emit); break;
    case FrameFormat::Bgr: crop_resize_fmt<FrameFormat::Bgr>(f, R, stretch, emit); break;
    case FrameFormat::Bgra: crop_resize_fmt<FrameFormat::Bgra>(f, R, stretch, emit); break;
    case FrameFormat::Gray: crop_resize_fmt<FrameFormat::Gray>(f, R, stretch, emit); break;
    case FrameFormat::I420: crop_resize_fmt<FrameFormat::I420>(f, R, stretch, emit); break;
    case FrameFormat::Nv12: crop_resize_fmt<FrameFormat::Nv12>(f, R, stretch, emit); break;
    case FrameFormat::Yuyv: crop_resize_fmt<FrameFormat::Yuyv>(f, R, stretch, emit); break;
  }
}

}  // namespace

void preprocess_frame(const FrameView& f, size_t R, const float lut[256], float* out, bool stretch) {
  crop_resize(f, R, stretch, [&](size_t i, uint8_t v) { out[i] = lut[v]; });
}

void resize_frame_u8(const FrameView& f, size_t R, uint8_t* out, bool stretch) {
  crop_resize(f, R, stretch, [&](size_t i, uint8_t v) { out[i] = v; });
}

}  // namespace mn
