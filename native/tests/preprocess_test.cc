// Frame layouts in the shared preprocessing (native/runtime/preprocess.*), checked against plain
// references on every target (x86-64 here, aarch64 and armv7 under qemu): BGR/BGRA/stride/gray give
// the same bytes as RGB (stored top-down or bottom-up), alpha composites exactly, YUV matches BT.601 in double precision within
// one level, frame_check sizes every layout.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../runtime/preprocess.h"

using namespace mn;

static int failures = 0;
#define CHECK(cond, ...)                                   \
  do {                                                     \
    if (!(cond)) {                                         \
      failures++;                                          \
      std::fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      std::fprintf(stderr, __VA_ARGS__);                   \
      std::fprintf(stderr, "\n");                          \
    }                                                      \
  } while (0)

static std::mt19937 rng(1234);

static std::vector<uint8_t> random_bytes(size_t n) {
  std::vector<uint8_t> v(n);
  for (auto& x : v) x = (uint8_t)(rng() & 255);
  return v;
}

static std::vector<uint8_t> resize(const FrameView& f, size_t R) {
  uint64_t need = 0;
  const std::string problem = frame_check(f, &need);
  CHECK(problem.empty(), "frame_check: %s (need %llu, have %zu)", problem.c_str(), (unsigned long long)need, f.length);
  std::vector<uint8_t> out(R * R * 3);
  resize_frame_u8(f, R, out.data());
  return out;
}

static FrameView view(const std::vector<uint8_t>& d, size_t w, size_t h, FrameFormat fmt, size_t stride = 0) {
  FrameView f;
  f.data = d.data();
  f.length = d.size();
  f.width = w;
  f.height = h;
  f.format = fmt;
  f.stride = stride;
  return f;
}

// RGB bytes repacked: order "rgb"/"bgr", 3 or 4 bytes per pixel (alpha a), rows padded to stride.
static std::vector<uint8_t> repack(const std::vector<uint8_t>& rgb, size_t w, size_t h, bool bgr, size_t bpp, size_t stride, uint8_t a) {
  std::vector<uint8_t> out = random_bytes(stride * h);  // padding holds garbage
  for (size_t y = 0; y < h; y++)
    for (size_t x = 0; x < w; x++) {
      const uint8_t* s = &rgb[(y * w + x) * 3];
      uint8_t* d = &out[y * stride + x * bpp];
      d[0] = bgr ? s[2] : s[0];
      d[1] = s[1];
      d[2] = bgr ? s[0] : s[2];
      if (bpp == 4) d[3] = a;
    }
  return out;
}

static void test_packed_layouts() {
  const size_t sizes[][3] = {{301, 173, 96}, {64, 64, 64}, {17, 40, 32}, {224, 300, 224}};
  for (const auto& sz : sizes) {
    const size_t w = sz[0], h = sz[1], R = sz[2];
    const std::vector<uint8_t> rgb = random_bytes(w * h * 3);
    const std::vector<uint8_t> want = resize(view(rgb, w, h, FrameFormat::Rgb), R);
    struct Case { bool bgr; size_t bpp; size_t pad; FrameFormat fmt; };
    const Case cases[] = {{true, 3, 0, FrameFormat::Bgr}, {false, 4, 0, FrameFormat::Rgba}, {true, 4, 0, FrameFormat::Bgra},
                          {false, 3, 13, FrameFormat::Rgb}, {true, 3, 64, FrameFormat::Bgr}, {true, 4, 7, FrameFormat::Bgra}};
    for (const Case& c : cases) {
      const size_t stride = w * c.bpp + c.pad;
      const std::vector<uint8_t> d = repack(rgb, w, h, c.bgr, c.bpp, stride, 255);
      const std::vector<uint8_t> got = resize(view(d, w, h, c.fmt, c.pad ? stride : 0), R);
      CHECK(got == want, "format %d pad %zu at %zux%zu -> %zu differs from RGB", (int)c.fmt, c.pad, w, h, R);
      // The same rows stored last first (a BMP's order), read bottom-up.
      std::vector<uint8_t> flipped(d.size());
      for (size_t y = 0; y < h; y++) std::memcpy(&flipped[(h - 1 - y) * stride], &d[y * stride], stride);
      FrameView up = view(flipped, w, h, c.fmt, c.pad ? stride : 0);
      up.bottom_up = true;
      CHECK(resize(up, R) == want, "bottom-up format %d pad %zu at %zux%zu -> %zu differs from RGB", (int)c.fmt, c.pad, w, h, R);
    }
    // Gray = RGB with r = g = b.
    std::vector<uint8_t> gray = random_bytes(w * h), grgb(w * h * 3);
    for (size_t i = 0; i < w * h; i++) grgb[i * 3] = grgb[i * 3 + 1] = grgb[i * 3 + 2] = gray[i];
    CHECK(resize(view(gray, w, h, FrameFormat::Gray), R) == resize(view(grgb, w, h, FrameFormat::Rgb), R), "gray %zux%zu", w, h);
  }
}

static void test_alpha() {
  const size_t w = 37, h = 29;
  std::vector<uint8_t> rgba = random_bytes(w * h * 4);
  FrameView f = view(rgba, w, h, FrameFormat::Rgba);
  f.background[0] = 10; f.background[1] = 200; f.background[2] = 255;
  const std::vector<uint8_t> got = resize(f, w > h ? h : w);  // s == R: no resize, pixel by pixel
  const size_t s = h, x0 = (w - s) / 2;
  for (size_t y = 0; y < s; y++)
    for (size_t x = 0; x < s; x++)
      for (size_t c = 0; c < 3; c++) {
        const uint8_t* p = &rgba[(y * w + x0 + x) * 4];
        const unsigned want = (p[c] * p[3] + f.background[c] * (255 - p[3]) + 127) / 255;
        CHECK(got[(y * s + x) * 3 + c] == want, "alpha at %zu,%zu c%zu: %u vs %u", x, y, c, got[(y * s + x) * 3 + c], want);
      }
}

// BT.601 in double precision: full range (JFIF) or limited (Y 16..235, C 16..240).
static void bt601(int y, int u, int v, bool full, double rgb[3]) {
  const double Y = full ? y : (y - 16) * 255.0 / 219.0;
  const double k = full ? 1.0 : 255.0 / 224.0;
  const double U = (u - 128) * k, V = (v - 128) * k;
  rgb[0] = Y + 1.402 * V;
  rgb[1] = Y - 0.344136 * U - 0.714136 * V;
  rgb[2] = Y + 1.772 * U;
}

static void test_yuv() {
  const size_t w = 33, h = 21, s = 21, x0 = (w - s) / 2;  // odd sizes: ceil chroma planes
  const size_t cw = (w + 1) / 2, ch = (h + 1) / 2;
  for (int full = 0; full < 2; full++) {
    for (int fmt = 0; fmt < 3; fmt++) {
      const size_t stride = fmt == 2 ? cw * 4 + 8 : fmt == 1 ? cw * 2 + 6 : w + 5;
      std::vector<uint8_t> d;
      if (fmt == 0) d = random_bytes(stride * h + 2 * ((stride + 1) / 2) * ch);
      else if (fmt == 1) d = random_bytes(stride * h + stride * ch);
      else d = random_bytes(stride * h);
      const FrameFormat ff = fmt == 0 ? FrameFormat::I420 : fmt == 1 ? FrameFormat::Nv12 : FrameFormat::Yuyv;
      FrameView f = view(d, w, h, ff, stride);
      f.full_range = full;
      const std::vector<uint8_t> got = resize(f, s);
      int worst = 0;
      for (size_t y = 0; y < s; y++)
        for (size_t x = 0; x < s; x++) {
          const size_t X = x0 + x;
          int Y, U, V;
          if (fmt == 0) {
            const size_t cs = (stride + 1) / 2;
            Y = d[y * stride + X];
            U = d[stride * h + (y / 2) * cs + X / 2];
            V = d[stride * h + cs * ch + (y / 2) * cs + X / 2];
          } else if (fmt == 1) {
            Y = d[y * stride + X];
            U = d[stride * h + (y / 2) * stride + (X / 2) * 2];
            V = d[stride * h + (y / 2) * stride + (X / 2) * 2 + 1];
          } else {
            const uint8_t* p = &d[y * stride + (X / 2) * 4];
            Y = p[(X & 1) * 2]; U = p[1]; V = p[3];
          }
          double rgb[3];
          bt601(Y, U, V, full, rgb);
          for (int c = 0; c < 3; c++) {
            const double want = std::fmin(255.0, std::fmax(0.0, rgb[c]));
            const int diff = std::abs((int)got[(y * s + x) * 3 + c] - (int)std::lround(want));
            if (diff > worst) worst = diff;
          }
        }
      CHECK(worst <= 1, "yuv format %d full %d: off by %d levels from BT.601", fmt, full, worst);
    }
  }
}

static void test_frame_check() {
  struct Case { FrameFormat fmt; size_t w, h, stride; uint64_t need; };
  const Case cases[] = {
      {FrameFormat::Rgb, 3, 2, 0, 18},  {FrameFormat::Rgba, 3, 2, 16, 32}, {FrameFormat::Gray, 5, 3, 0, 15},
      {FrameFormat::I420, 5, 3, 0, 15 + 2 * 3 * 2}, {FrameFormat::I420, 5, 3, 8, 24 + 2 * 4 * 2},
      {FrameFormat::Nv12, 5, 3, 0, 18 + 6 * 2}, {FrameFormat::Yuyv, 5, 3, 0, 36},
  };
  for (const Case& c : cases) {
    std::vector<uint8_t> d(c.need);
    uint64_t need = 0;
    FrameView f = view(d, c.w, c.h, c.fmt, c.stride);
    CHECK(std::string(frame_check(f, &need)).empty() && need == c.need, "format %d %zux%zu stride %zu: need %llu, expected %llu",
          (int)c.fmt, c.w, c.h, c.stride, (unsigned long long)need, (unsigned long long)c.need);
    f.length = c.need - 1;
    CHECK(!std::string(frame_check(f, &need)).empty(), "format %d: a short buffer passes", (int)c.fmt);
  }
  std::vector<uint8_t> d(100);
  uint64_t need = 0;
  CHECK(std::string(frame_check(view(d, 5, 3, FrameFormat::Rgb, 14), &need)) == "stride is smaller than a row", "small stride");
  CHECK(std::string(frame_check(view(d, 5, 3, FrameFormat::Nv12, 7), &need)) == "stride of an NV12 frame must be even", "odd nv12");
  FrameView i420 = view(d, 5, 3, FrameFormat::I420);
  i420.bottom_up = true;
  CHECK(std::string(frame_check(i420, &need)) == "bottom-up rows apply to single-plane formats only", "bottom-up i420");
  FrameView bad = view(d, 5, 3, (FrameFormat)99);
  CHECK(std::string(frame_check(bad, &need)) == "unknown frame format", "bad format");
}

static void test_quantized_lut() {
  float lut[256];
  build_normalization_lut(Normalization::Quantized, lut, 1.0f / 255.0f, 0.0f);
  CHECK(lut[0] == 0.0f && lut[255] == 255.0f * (1.0f / 255.0f), "scale 1/255: %g %g", lut[0], lut[255]);
  float a[256], b[256];
  build_normalization_lut(Normalization::Quantized, a, 0.0078125f, 128.0f);
  build_normalization_lut(Normalization::TfliteUint8, b, 0, 0);
  CHECK(std::memcmp(a, b, sizeof a) == 0, "scale 1/128, zero point 128 must equal (x - 128) / 128");
}

int main() {
  test_packed_layouts();
  test_alpha();
  test_yuv();
  test_frame_check();
  test_quantized_lut();
  if (failures) {
    std::fprintf(stderr, "%d failures\n", failures);
    return 1;
  }
  std::printf("preprocess_test: all passed\n");
  return 0;
}
