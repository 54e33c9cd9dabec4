#include "qpack.h"

#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace mn {

namespace {

size_t round_up(size_t x, size_t m) { return (x + m - 1) / m * m; }
size_t elem_bytes(QWeight w) { return w == QWeight::kInt32 ? 4 : w == QWeight::kInt16 ? 2 : 1; }
const char* type_name(QWeight w) {
  return w == QWeight::kInt32 ? "int32" : w == QWeight::kInt16 ? "int16" : w == QWeight::kInt8 ? "int8" : "uint8";
}

[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument("integer weight packing: " + what); }

int32_t at(const int32_t* v, bool per_channel, size_t j) { return v ? v[per_channel ? j : 0] : 0; }

template <typename W>
void check_args(const QPackArgs& a, const char* what) {
  if (!a.multiplier || !a.shift) bad(std::string(what) + ": multiplier and shift are required");
  const size_t count = a.per_channel ? a.n : 1;
  for (size_t j = 0; j < count; j++) {
    if (a.multiplier[j] < 0) bad(std::string(what) + ": multiplier[" + std::to_string(j) + "] = " +
                                 std::to_string(a.multiplier[j]) + " is negative");
    if (a.shift[j] < -31 || a.shift[j] > 30)
      bad(std::string(what) + ": shift[" + std::to_string(j) + "] = " + std::to_string(a.shift[j]) +
          " is outside [-31, 30]");
    const int32_t zw = at(a.w_zero_point, a.per_channel, j);
    if (zw < (int32_t)std::numeric_limits<W>::min() || zw > (int32_t)std::numeric_limits<W>::max())
      bad(std::string(what) + ": weight zero point " + std::to_string(zw) + " is outside the weight type's range");
  }
  const int32_t za = a.a_zero_point;
  if (za < (int32_t)std::numeric_limits<W>::min() || za > (int32_t)std::numeric_limits<W>::max())
    bad(std::string(what) + ": input zero point " + std::to_string(za) + " is outside the activation type's range");
}

int32_t fold_bias(int64_t b, const char* what, size_t j) {
  if (b < INT32_MIN || b > INT32_MAX)
    bad(std::string(what) + ": folded bias of channel " + std::to_string(j) + " (" + std::to_string(b) +
        ") does not fit int32");
  return (int32_t)b;
}

// Header rows for channels [c0, c0 + t): bias (already folded, given), multiplier, lshift, rshift.
void write_header(const QPackArgs& a, size_t c0, size_t t, const int64_t* folded, int32_t* h, const char* what) {
  for (size_t j = 0; j < t; j++) {
    const size_t c = c0 + j;
    const bool live = c < a.n;
    const int32_t shift = live ? at(a.shift, a.per_channel, c) : 0;
    h[j] = live ? fold_bias(folded[j], what, c) : 0;
    h[t + j] = live ? at(a.multiplier, a.per_channel, c) : 0;
    h[2 * t + j] = shift > 0 ? shift : 0;
    h[3 * t + j] = shift > 0 ? 0 : -shift;
  }
}

void store(void* base, QWeight type, size_t index, int32_t v) {
  if (type == QWeight::kInt32) ((int32_t*)base)[index] = v;
  else if (type == QWeight::kInt16) ((int16_t*)base)[index] = (int16_t)v;
  else if (type == QWeight::kInt8) ((int8_t*)base)[index] = (int8_t)v;
  else ((uint8_t*)base)[index] = (uint8_t)v;
}

bool fits(QWeight type, int32_t v) {
  if (type == QWeight::kInt32) return true;
  if (type == QWeight::kInt16) return v >= -32768 && v <= 32767;
  if (type == QWeight::kInt8) return v >= -128 && v <= 127;
  return v >= 0 && v <= 255;
}

// w(j, kk) reads source weight of output channel j, input kk.
template <typename W, typename Get>
void pack_gemm(const QGemmLayout& l, const QPackArgs& a, Get w, void* out, const char* what) {
  check_args<W>(a, what);
  if (l.w_centered && l.a_sum) bad(std::string(what) + ": layout has both centered weights and a row-sum term");
  if (l.a_sum)
    for (size_t c = 1; c < a.n; c++)
      if (at(a.w_zero_point, a.per_channel, c) != at(a.w_zero_point, a.per_channel, 0))
        bad(std::string(what) + ": this kernel needs one weight zero point for all channels (channel " +
            std::to_string(c) + " has " + std::to_string(at(a.w_zero_point, a.per_channel, c)) + ", channel 0 has " +
            std::to_string(at(a.w_zero_point, a.per_channel, 0)) + ")");
  const size_t nr = l.nr, kr = l.kr;
  const size_t rows = kQHeaderRows + (l.a_sum ? 1 : 0);
  const size_t panel = qpacked_gemm_panel_bytes(l, a.k);
  std::vector<int64_t> folded(nr);
  for (size_t n0 = 0, p = 0; n0 < a.n; n0 += nr, p++) {
    char* base = (char*)out + p * panel;
    std::memset(base, 0, panel);
    int32_t* h = (int32_t*)base;
    void* wdst = base + rows * nr * sizeof(int32_t);
    for (size_t j = 0; j < nr && n0 + j < a.n; j++) {
      const size_t c = n0 + j;
      const int32_t zw = at(a.w_zero_point, a.per_channel, c);
      const int32_t wofs = l.w_centered ? zw : l.w_offset;
      if (!l.a_sum && wofs != zw)
        bad(std::string(what) + ": weight zero point " + std::to_string(zw) + " of channel " + std::to_string(c) +
            " needs a layout with a row-sum term (this kernel's stores weights offset by " + std::to_string(wofs) + ")");
      int64_t sum_centered = 0;
      for (size_t kk = 0; kk < a.k; kk++) {
        const int32_t wv = w(c, kk);
        const int32_t s = wv - wofs;
        if (!fits(l.weight, s))
          bad(std::string(what) + ": weight " + std::to_string(wv) + " of channel " + std::to_string(c) +
              " stored as " + std::to_string(s) + " does not fit this kernel's " + type_name(l.weight) + " weights");
        if (l.narrow && s < -127)
          bad(std::string(what) + ": weight " + std::to_string(wv) + " of channel " + std::to_string(c) +
              " is outside [-127, 127], the range this kernel's paired int16 products need");
        store(wdst, l.weight, (kk / kr) * nr * kr + j * kr + kk % kr, s);
        sum_centered += wv - zw;
      }
      folded[j] = (int64_t)at(a.bias, true, c) - (int64_t)a.a_zero_point * sum_centered;
      if (l.a_sum) h[kQHeaderRows * nr + j] = wofs - zw;
    }
    write_header(a, n0, nr, folded.data(), h, what);
  }
}

template <typename W, typename Get>
void pack_taps(const QTapsLayout& l, const QPackArgs& a, Get w, void* out, const char* what) {
  check_args<W>(a, what);
  const size_t ct = l.ct, taps = a.k;
  const size_t block = qpacked_taps_block_bytes(l, taps);
  std::vector<int64_t> folded(ct);
  for (size_t c0 = 0, b = 0; c0 < a.n; c0 += ct, b++) {
    char* base = (char*)out + b * block;
    std::memset(base, 0, block);
    int32_t* h = (int32_t*)base;
    void* wdst = base + kQHeaderRows * ct * sizeof(int32_t);
    for (size_t j = 0; j < ct && c0 + j < a.n; j++) {
      const size_t c = c0 + j;
      const int32_t zw = at(a.w_zero_point, a.per_channel, c);
      int64_t sum_s = 0;
      for (size_t t = 0; t < taps; t++) {
        const int32_t s = w(c, t) - zw;
        if (!fits(l.weight, s))
          bad(std::string(what) + ": weight of channel " + std::to_string(c) + " stored as " + std::to_string(s) +
              " does not fit this kernel's " + type_name(l.weight) + " weights");
        if (l.narrow && s < -127)
          bad(std::string(what) + ": weight " + std::to_string(w(c, t)) + " of channel " + std::to_string(c) +
              " is outside [-127, 127], the range this kernel's paired int16 products need");
        store(wdst, l.weight, l.tap_pairs ? ((t / 2) * ct + j) * 2 + t % 2 : t * ct + j, s);
        sum_s += s;
      }
      folded[j] = (int64_t)at(a.bias, true, c) - (int64_t)a.a_zero_point * sum_s;
    }
    write_header(a, c0, ct, folded.data(), h, what);
  }
}

}  // namespace

size_t qpacked_gemm_panel_bytes(const QGemmLayout& l, size_t k) {
  const size_t rows = kQHeaderRows + (l.a_sum ? 1 : 0);
  return rows * l.nr * sizeof(int32_t) + round_up(k, l.kr) * l.nr * elem_bytes(l.weight);
}
size_t qpacked_gemm_size(const QGemmLayout& l, size_t k, size_t n) {
  return round_up(n, l.nr) / l.nr * qpacked_gemm_panel_bytes(l, k);
}

void pack_qu8_gemm(const QGemmLayout& l, const QPackArgs& a, const uint8_t* w, void* out) {
  pack_gemm<uint8_t>(l, a, [&](size_t j, size_t kk) { return (int32_t)w[j * a.k + kk]; }, out, "qu8 gemm");
}
void pack_qs8_gemm(const QGemmLayout& l, const QPackArgs& a, const int8_t* w, void* out) {
  pack_gemm<int8_t>(l, a, [&](size_t j, size_t kk) { return (int32_t)w[j * a.k + kk]; }, out, "qs8 gemm");
}

bool qs8_weights_narrow(const int8_t* w, size_t count) {
  for (size_t i = 0; i < count; i++)
    if (w[i] == -128) return false;
  return true;
}

size_t qpacked_taps_block_bytes(const QTapsLayout& l, size_t taps) {
  if (l.as_gemm) return qpacked_gemm_panel_bytes(*l.as_gemm, taps);
  // Rounded to 4 bytes so every block's int32 header is aligned (scalar 1-channel int16 blocks: 34 -> 36).
  return round_up(kQHeaderRows * l.ct * sizeof(int32_t) + (l.tap_pairs ? round_up(taps, 2) : taps) * l.ct * elem_bytes(l.weight), 4);
}
size_t qpacked_taps_size(const QTapsLayout& l, size_t taps, size_t n) {
  return round_up(n, l.ct) / l.ct * qpacked_taps_block_bytes(l, taps);
}

void pack_qu8_dwconv3x3(const QTapsLayout& l, const QPackArgs& a, const uint8_t* w, void* out) {
  if (l.as_gemm) bad("qu8 dwconv3x3: a GEMM-packed taps layout is for the first conv only");
  pack_taps<uint8_t>(l, a, [&](size_t c, size_t t) { return (int32_t)w[t * a.n + c]; }, out, "qu8 dwconv3x3");
}
void pack_qs8_dwconv3x3(const QTapsLayout& l, const QPackArgs& a, const int8_t* w, void* out) {
  if (l.as_gemm) bad("qs8 dwconv3x3: a GEMM-packed taps layout is for the first conv only");
  pack_taps<int8_t>(l, a, [&](size_t c, size_t t) { return (int32_t)w[t * a.n + c]; }, out, "qs8 dwconv3x3");
}
void pack_qu8_conv3x3s2(const QTapsLayout& l, const QPackArgs& a, const uint8_t* w, void* out) {
  if (l.as_gemm) return pack_qu8_gemm(*l.as_gemm, a, w, out);  // [c_out x 27] = [N x K]
  pack_taps<uint8_t>(l, a, [&](size_t c, size_t t) { return (int32_t)w[c * a.k + t]; }, out, "qu8 conv3x3s2");
}
void pack_qs8_conv3x3s2(const QTapsLayout& l, const QPackArgs& a, const int8_t* w, void* out) {
  if (l.as_gemm) return pack_qs8_gemm(*l.as_gemm, a, w, out);
  pack_taps<int8_t>(l, a, [&](size_t c, size_t t) { return (int32_t)w[c * a.k + t]; }, out, "qs8 conv3x3s2");
}

}  // namespace mn
