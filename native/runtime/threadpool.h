// A small persistent thread pool: threads are created once per model, never per inference.
// run(n, fn) executes fn(i) for i in [0, n) on the caller plus the workers and returns when all
// are done. Which thread runs which task never changes what a task computes, so results are
// bit-identical for any thread count.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace mn {

class ThreadPool {
 public:
  explicit ThreadPool(size_t threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  size_t threads() const { return workers_.size() + 1; }
  void run(size_t n, void (*fn)(void*, size_t), void* ctx);

  template <class F>
  void parallel_for(size_t n, F&& f) {
    run(n, [](void* c, size_t i) { (*static_cast<std::remove_reference_t<F>*>(c))(i); }, &f);
  }

 private:
  void worker_loop();
  void drain();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<size_t> next_{0};
  std::atomic<size_t> busy_workers_{0};
  size_t n_tasks_ = 0;
  void (*fn_)(void*, size_t) = nullptr;
  void* ctx_ = nullptr;
  bool stop_ = false;
};

}  // namespace mn
