#include "threadpool.h"

#include <chrono>
#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define MN_PAUSE() _mm_pause()
#elif defined(__aarch64__) || defined(__arm__)
#define MN_PAUSE() __asm__ __volatile__("yield")
#else
#define MN_PAUSE() ((void)0)
#endif

namespace mn {

namespace {
// Workers spin this long for the next layer before sleeping: layers follow each other within
// microseconds during an inference, but an idle robot loop must not burn its cores.
constexpr auto kSpin = std::chrono::microseconds(200);
}

ThreadPool::ThreadPool(size_t threads) {
  for (size_t i = 1; i < threads; i++) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    generation_.fetch_add(1);
  }
  wake_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadPool::drain() {
  for (size_t i = next_.fetch_add(1, std::memory_order_relaxed); i < n_tasks_;
       i = next_.fetch_add(1, std::memory_order_relaxed))
    fn_(ctx_, i);
}

void ThreadPool::run(size_t n, void (*fn)(void*, size_t), void* ctx) {
  if (n == 0) return;
  if (workers_.empty() || n == 1) {
    for (size_t i = 0; i < n; i++) fn(ctx, i);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    fn_ = fn;
    ctx_ = ctx;
    n_tasks_ = n;
    next_.store(0, std::memory_order_relaxed);
    busy_workers_.store(workers_.size(), std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  drain();
  // Workers may still be finishing their last task; the job state must outlive them. Yield
  // after a short spin: on an oversubscribed board the worker may need this very core.
  for (unsigned spins = 0; busy_workers_.load(std::memory_order_acquire) != 0; spins++) {
    if (spins < 4096) MN_PAUSE();
    else std::this_thread::yield();
  }
}

void ThreadPool::worker_loop() {
#if defined(__linux__)
  // Slightly lower priority than the process's own threads: when the cores are all busy with
  // inference, the event loop (a robot's control code) still gets the CPU promptly on wake-up.
  // Tasks are shared dynamically, so a worker that is preempted just takes fewer of them.
  setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 5);
#endif
  uint64_t seen = 0;
  for (;;) {
    const auto spin_until = std::chrono::steady_clock::now() + kSpin;
    unsigned spins = 0;
    while (generation_.load(std::memory_order_acquire) == seen) {
      MN_PAUSE();
      if ((++spins & 1023) == 0 && std::chrono::steady_clock::now() > spin_until) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
        break;
      }
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop_) return;
      seen = generation_.load(std::memory_order_acquire);
    }
    drain();
    busy_workers_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

}  // namespace mn
