// A small persistent thread pool: threads are created once per workspace, never per inference.
// run(n, fn) executes fn(i) for i in [0, n) on the caller plus the workers and returns when all
// are done.
//
// Scheduling tolerates a busy core: tasks are claimed one at a time (each thread from its own range
// first, then from the others'; the caller claims too), and run() waits only for tasks that were
// actually claimed, never for a worker to show up. A worker preempted by another process therefore
// costs the inference at most the one task it holds; a worker that never woke up costs nothing. While it waits for such a task, the
// caller sleeps after a short spin, so the kernel can move the preempted worker onto the core the
// caller frees. Which thread runs which task never changes what a task computes, so results are
// bit-identical for any thread count.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
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
  // Each thread owns a contiguous range of the job's tasks (thread i: [i n / T, (i + 1) n / T)) and
  // claims from its front; a thread whose range is empty takes the others' tasks from their backs. The
  // runtime orders tasks by output row, so a thread computes the same part of the image in every layer
  // and reads mostly rows it wrote itself, from its own L2 (on a 2-core Zen 5, 1.0/224 at 2 threads:
  // 0.93x of one shared counter, where depthwise layers ran slower on 2 threads than on 1). Stealing
  // keeps the property above: a preempted thread's tasks are taken by the others.
  // Range word: generation (32 bits) | front (16) | back (16). A claim is one compare-and-swap that
  // checks the generation, so a late worker can never take a task of a job that has already finished.
  static constexpr size_t kMaxTasks = 0xffff;
  struct alignas(64) Range {
    std::atomic<uint64_t> word{0};
  };
  void run_chunk(size_t n);
  void claim_all(uint32_t gen, size_t self);
  void worker_loop(size_t self);

  std::unique_ptr<Range[]> ranges_;  // one per thread; the caller is thread 0
  std::vector<std::thread> workers_;
  std::atomic<uint64_t> job_{0};     // generation << 32 of the current job (published after the ranges)
  std::atomic<size_t> done_{0};    // tasks of the current job finished
  std::atomic<int> sleepers_{0};   // workers blocked on wake_
  std::atomic<bool> stop_{false};
  uint32_t generation_ = 0;        // caller side only
  // The current job; written before job_ is published, read only after a successful claim.
  void (*fn_)(void*, size_t) = nullptr;
  void* ctx_ = nullptr;
  size_t n_ = 0;                   // tasks in this chunk
  size_t base_ = 0;                // index of task 0 of this chunk (jobs over kMaxTasks run in chunks)
  std::mutex mutex_;
  std::condition_variable wake_;   // workers: a new job or stop
  std::condition_variable idle_;   // caller: the last task finished
};

}  // namespace mn
