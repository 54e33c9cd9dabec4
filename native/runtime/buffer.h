// 64-byte aligned float storage: one allocation, sized once (weights, arena).
#pragma once
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>

namespace mn {

class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t floats) { resize(floats); }
  ~AlignedBuffer() { std::free(data_); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  // Discards the contents; zero-filled so padding lanes are defined.
  void resize(size_t floats) {
    std::free(data_);
    data_ = nullptr;
    size_ = 0;
    if (floats == 0) return;
    const size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
    data_ = static_cast<float*>(std::aligned_alloc(64, bytes));
    if (!data_) throw std::bad_alloc();
    std::memset(data_, 0, bytes);
    size_ = floats;
  }
  float* data() { return data_; }
  const float* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  float* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace mn
