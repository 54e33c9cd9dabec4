// The one preprocessing every input path shares (files are decoded to bytes first):
// center square crop, bilinear resize with half-pixel centers (TF resize_bilinear
// half_pixel_centers=True), rounded to bytes, then normalised through a 256-entry table.
// A frame already R x R is only normalised.
//
// Frames come in the layouts cameras and libraries produce (FrameFormat). Pixels are converted
// to RGB bytes only where the resize reads them (about 4 R^2 samples), never as a full-size copy:
//   - BGR/BGRA are read with the channels swapped: the same pixels as RGB give identical bytes.
//   - RGBA/BGRA are composited over `background` with their alpha: (c*a + bg*(255-a)) / 255,
//     rounded; an opaque pixel (a = 255) is exactly c.
//   - YUV (I420, NV12, YUYV) is BT.601, full range (JPEG/JFIF) or limited range (video, Y 16..235,
//     C 16..240); chroma is sampled at the nearest site (the 2x2 or 2x1 block holding the pixel).
#pragma once
#include <cstddef>
#include <cstdint>

namespace mn {

// How a byte becomes a network input (lib/weights/types.ts Normalization).
enum class Normalization { Tfjs, Tflite, TfliteUint8, Quantized };  // Quantized: scale * (x - zero_point), a uint8 input tensor's own

// x -> float for a byte x; `scale`, `zero_point` are used by Normalization::Quantized only.
void build_normalization_lut(Normalization n, float lut[256], float scale = 0.0f, float zero_point = 0.0f);

enum class FrameFormat : int { Rgb = 0, Rgba, Bgr, Bgra, Gray, I420, Nv12, Yuyv };

struct FrameView {
  const uint8_t* data = nullptr;
  size_t length = 0;        // bytes at data
  size_t width = 0, height = 0;
  FrameFormat format = FrameFormat::Rgb;
  size_t stride = 0;        // bytes per row of the first plane; 0 = packed (the minimum)
  bool full_range = false;  // YUV: full (0..255) instead of limited (16..235) range
  bool bottom_up = false;   // packed formats: rows stored last first (a BMP's usual order), row y at (height - 1 - y) * stride
  uint8_t background[3] = {255, 255, 255};  // RGB under transparent pixels (RGBA/BGRA)
};

// Bytes per row of the first plane without padding.
size_t frame_min_stride(FrameFormat f, size_t width);
// Bytes the frame needs with its stride (every plane, every row padded to the stride); for I420
// the chroma planes have stride (stride + 1) / 2, for NV12 the interleaved plane has `stride`
// (at least the width rounded up to even).
// Returns an empty string when `f` is consistent, else what is wrong (for std::invalid_argument).
const char* frame_check(const FrameView& f, uint64_t* needed);

// out: R x R x 3 floats. The frame must have passed frame_check. stretch: resize the whole frame
// to R x R, each axis on its own scale (no crop; detectors, whose boxes are then fractions of the
// whole frame); else the centre square.
void preprocess_frame(const FrameView& f, size_t R, const float lut[256], float* out, bool stretch = false);

// Same crop (or stretch) + resize, bytes out (R x R x 3), for tests and tools.
void resize_frame_u8(const FrameView& f, size_t R, uint8_t* out, bool stretch = false);

}  // namespace mn
