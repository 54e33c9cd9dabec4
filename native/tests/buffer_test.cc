// AlignedBuffer: a resize that throws std::bad_alloc leaves the buffer as it was (size, pointer, contents), so a
// workspace whose batch could not be reserved keeps working (Workspace::reserve_batch relies on it); moves hand the
// storage over. The failing size is one the overflow check refuses before any allocation, so the test neither asks
// the allocator for terabytes nor depends on the machine's overcommit setting (or trips ASan's size limit).
// Usage: buffer_test. Exit code 1 on any failure.
#include <cstdint>
#include <cstdio>
#include <new>
#include <utility>

#include "runtime/buffer.h"

namespace {

size_t g_failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    g_failures++;
    std::printf("FAIL %s\n", what);
  }
}

}  // namespace

int main() {
  mn::AlignedBuffer b(16);
  check(b.size() == 16 && b.data() != nullptr, "resize(16) gives 16 floats");
  check(reinterpret_cast<uintptr_t>(b.data()) % 64 == 0, "64-byte aligned");
  for (size_t i = 0; i < 16; i++) b.data()[i] = (float)i;
  float* before = b.data();
  bool threw = false;
  try {
    b.resize(SIZE_MAX / 2);  // more bytes than size_t holds: refused before allocating
  } catch (const std::bad_alloc&) {
    threw = true;
  }
  check(threw, "an impossible size throws std::bad_alloc");
  check(b.size() == 16 && b.data() == before, "after the throw: same size and storage");
  bool same = true;
  for (size_t i = 0; i < 16; i++) same = same && b.data()[i] == (float)i;
  check(same, "after the throw: same contents");

  b.resize(32);
  check(b.size() == 32 && b.data()[31] == 0.0f, "a new size is zero-filled");
  mn::AlignedBuffer c;
  c = std::move(b);
  check(c.size() == 32 && c.data() != nullptr, "move assignment takes the storage");
  c.resize(0);
  check(c.size() == 0 && c.data() == nullptr, "resize(0) frees");
  std::printf("buffer_test: %zu failures\n", g_failures);
  return g_failures ? 1 : 0;
}
