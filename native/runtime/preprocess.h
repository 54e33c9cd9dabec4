// The one preprocessing every input path shares (files are decoded to bytes first):
// center square crop, bilinear resize with half-pixel centers (TF resize_bilinear
// half_pixel_centers=True), rounded to bytes, then normalised through a 256-entry table.
// A frame already R x R is only normalised.
#pragma once
#include <cstddef>
#include <cstdint>

namespace mn {

// How a byte becomes a network input (lib/weights/types.ts Normalization).
enum class Normalization { Tfjs, Tflite, TfliteUint8 };

void build_normalization_lut(Normalization n, float lut[256]);

// data: height x width x channels bytes (channels 3 = RGB, 4 = RGBA; alpha dropped).
// out: R x R x 3 floats. stretch: resize the whole frame to R x R, each axis on its own scale
// (no crop; detectors, whose boxes are then fractions of the whole frame).
void preprocess_frame(const uint8_t* data, size_t width, size_t height, size_t channels, size_t R,
                      const float lut[256], float* out, bool stretch = false);

// Same crop (or stretch) + resize, bytes out (R x R x 3), for tests and tools.
void resize_frame_u8(const uint8_t* data, size_t width, size_t height, size_t channels, size_t R, uint8_t* out,
                     bool stretch = false);

}  // namespace mn
