// 64-byte aligned float storage: one allocation, sized once (weights, arena).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>
#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace mn {

class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t floats) { resize(floats); }
  ~AlignedBuffer() { std::free(data_); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  AlignedBuffer(AlignedBuffer&& o) noexcept : data_(o.data_), size_(o.size_) { o.data_ = nullptr; o.size_ = 0; }
  AlignedBuffer& operator=(AlignedBuffer&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    return *this;
  }

  // Discards the contents; zero-filled so padding lanes are defined. Throws std::bad_alloc and then
  // leaves the buffer as it was (a caller that catches it keeps a working buffer).
  void resize(size_t floats) {
    if (floats == 0) {
      std::free(data_);
      data_ = nullptr;
      size_ = 0;
      return;
    }
    // Large buffers (packed weights, early activations: megabytes streamed once per inference)
    // go on 2 MB-aligned memory with transparent huge pages requested: fewer TLB misses.
    constexpr size_t kHuge = 2u << 20;
    const size_t align = floats * sizeof(float) >= kHuge ? kHuge : 64;
    const size_t bytes = (floats * sizeof(float) + align - 1) / align * align;
    if (floats > (SIZE_MAX - align) / sizeof(float)) throw std::bad_alloc();
    float* fresh = static_cast<float*>(std::aligned_alloc(align, bytes));
    if (!fresh) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (align == kHuge) madvise(fresh, bytes, MADV_HUGEPAGE);  // advisory: ignored where THP is off
#endif
    std::memset(fresh, 0, bytes);
    std::free(data_);
    data_ = fresh;
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
